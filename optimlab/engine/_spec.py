"""A run for the engine: its settings, seeds and data; and the reference loop that defines it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from functools import cache

import numpy as np
import torch
from torch import nn

from .._validation import (
    METRICS,
    Split,
    brief,
    check_loss,
    check_nonnegative_int,
    check_positive_int,
)
from ..config import DEFAULTS, TrainingConfig
from ..data import exercise_data
from ..model import ModelFn, build, check_model_fn, exercise_mlp_for, init_seed
from ..training import learning_curves


@dataclass(frozen=True, eq=False)
class RunSpec:
    """One training run: the settings, seeds and data of one curve.

    The run is what :func:`optimlab.train_valid` computes for ``model(seed)`` (default:
    ``make_mlp(seed=seed, n_hidden=n_hidden)``) trained with ``config`` and ``loss`` on
    ``data`` (or on ``exercise_data(seed=data_seed)`` when ``data`` is ``None``).

    Parameters
    ----------
    config : TrainingConfig, default=TrainingConfig()
        Epochs, batch size and AdamW's settings.
    seed : int, default=123
        Seed of the initial weights (:func:`optimlab.make_mlp`).
    data_seed : int, default=0
        Seed of :func:`optimlab.exercise_data`; ignored when ``data`` is given.
    shuffle_seed : int, optional
        Seed of the per-epoch row order, as in :func:`optimlab.train_valid`; ``None``
        keeps the stored order.
    n_hidden : int, default=50
        Width of both hidden layers.
    data : ((X_train, Y_train), (X_valid, Y_valid)), optional
        Your own tensors, as ``check_split`` returns them. Runs given the very same
        tensor objects share them.
    model : callable, optional
        A model function ``seed -> torch.nn.Module``; ``None``: the exercise's MLP.
        Runs with the same function object may train together.
    loss : {"mse", "cross_entropy"}, default="mse"

    Raises
    ------
    TypeError, ValueError
        If a field has the wrong type or value.

    Examples
    --------
    >>> import optimlab
    >>> optimlab.engine.RunSpec(optimlab.TrainingConfig(lr=0.1)).config.batch_size
    16
    """

    config: TrainingConfig = DEFAULTS
    seed: int = init_seed(0)
    data_seed: int = 0
    shuffle_seed: int | None = None
    n_hidden: int = 50
    data: Split | None = field(default=None, repr=False, compare=False)
    model: ModelFn | None = field(default=None, repr=False, compare=False)
    loss: str = "mse"

    def __post_init__(self) -> None:
        if not isinstance(self.config, TrainingConfig):
            raise TypeError(f"config must be a TrainingConfig, got {brief(self.config)}")
        checked: dict[str, object] = {
            "seed": check_nonnegative_int("seed", self.seed),
            "data_seed": check_nonnegative_int("data_seed", self.data_seed),
            "n_hidden": check_positive_int("n_hidden", self.n_hidden),
        }
        if self.shuffle_seed is not None:
            checked["shuffle_seed"] = check_nonnegative_int("shuffle_seed", self.shuffle_seed)
        checked["loss"] = check_loss(self.loss)
        if self.model is not None:
            checked["model"] = check_model_fn(self.model)
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def key(self) -> tuple:
        """What makes two runs the same run: every field, and the data by identity."""
        if self.data is None:
            data_key: tuple = ("exercise_data", self.data_seed)
        else:
            data_key = ("tensors", *(id(t) for pair in self.data for t in pair))
        fixed = (getattr(self, f.name) for f in fields(self) if f.compare)
        return (*fixed, data_key, self.model)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunSpec) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())


@cache
def _exercise_data(seed: int) -> Split:
    return exercise_data(seed=seed)


def run_data(spec: RunSpec) -> Split:
    """The tensors ``spec`` trains on."""
    return _exercise_data(spec.data_seed) if spec.data is None else spec.data


def model_of(spec: RunSpec, data: Split) -> nn.Module:
    """The run's initial network: ``spec.model(spec.seed)``, or the exercise's MLP."""
    if spec.model is not None:
        return build(spec.model, spec.seed)
    return exercise_mlp_for(data, spec.n_hidden)(spec.seed)


def initial_models(specs: Sequence[RunSpec], datas: Sequence[Split]) -> list[nn.Module]:
    """Each run's initial network, built once per model function and seed."""
    models: dict[tuple, nn.Module] = {}
    for spec, data in zip(specs, datas, strict=True):
        if (spec.model, spec.seed) not in models:
            models[spec.model, spec.seed] = model_of(spec, data)
    return [models[spec.model, spec.seed] for spec in specs]


def stack_runs(datas: Sequence[Split]) -> Split:
    """The runs' data stacked, ``((X [K, n, ...], Y), (X_valid, Y_valid))``."""
    return tuple(  # type: ignore[return-value]
        tuple(torch.stack(part) for part in zip(*pairs, strict=True))
        for pairs in zip(*datas, strict=True)
    )


def metric_names(spec: RunSpec) -> tuple[str, ...]:
    """The rows of a run's curves: its tracked metric, then the accuracy if it classifies."""
    if spec.loss == "mse":
        return (METRICS["mse"],)
    return (METRICS["cross_entropy"], "valid_accuracy")


def reference_curve(spec: RunSpec, data: Split | None = None) -> np.ndarray:
    """The run as :func:`optimlab.train_valid` computes it, ``[metrics, epochs]``."""
    data = run_data(spec) if data is None else data
    curves = learning_curves(
        model_of(spec, data), data, spec.config, loss=spec.loss, shuffle_seed=spec.shuffle_seed
    )
    return np.stack([curves[name] for name in metric_names(spec)])


def epoch_data(
    specs: Sequence[RunSpec], X: torch.Tensor, Y: torch.Tensor
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Each epoch's ``[K, n, ...]`` training data, rows in the order train_valid draws per run.

    Without shuffling it yields ``X`` and ``Y`` themselves, every epoch.
    """
    generators = [
        None if s.shuffle_seed is None else torch.Generator().manual_seed(s.shuffle_seed)
        for s in specs
    ]
    runs, n = torch.arange(len(specs)).unsqueeze(1), X.shape[1]
    while True:
        if all(g is None for g in generators):
            yield X, Y
        else:
            rows = [
                torch.arange(n) if g is None else torch.randperm(n, generator=g)
                for g in generators
            ]
            order = torch.stack(rows)
            yield X[runs, order], Y[runs, order]

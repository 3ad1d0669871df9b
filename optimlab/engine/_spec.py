"""A run for the engine: its settings, seeds and data; and the reference loop that defines it."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache

import numpy as np
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
        Your own tensors, as ``check_split`` returns them: the sweep checks data where
        they enter, once. Runs given the very same tensor objects share them.
    model : callable, optional
        A model function ``seed -> torch.nn.Module``; ``None``: the exercise's MLP.
        Runs with the same function object may train together.
    loss : {"mse", "cross_entropy"}, default="mse"

    Raises
    ------
    ValueError, TypeError
        If a value is out of range or of the wrong type; the message names it.

    Examples
    --------
    >>> from optimlab import TrainingConfig
    >>> from optimlab.engine import RunSpec
    >>> RunSpec(TrainingConfig(lr=0.1)).config.batch_size
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


def model_of(spec: RunSpec, data: Split | None = None) -> nn.Module:
    """The run's initial network: ``spec.model(spec.seed)``, or the exercise's MLP."""
    if spec.model is not None:
        return build(spec.model, spec.seed)
    data = run_data(spec) if data is None else data
    return exercise_mlp_for(data, spec.n_hidden)(spec.seed)


def metric_names(spec: RunSpec) -> tuple[str, ...]:
    """The rows of a run's curves: its tracked metric, then the accuracy if it classifies."""
    if spec.loss == "mse":
        return (METRICS["mse"],)
    return (METRICS["cross_entropy"], "valid_accuracy")


def reference_curve(spec: RunSpec, data: Split | None = None) -> np.ndarray:
    """The run as :func:`optimlab.train_valid` computes it: the oracle and the fallback.

    Shape ``(len(metric_names(spec)), epochs)``.
    """
    data = run_data(spec) if data is None else data
    curves = learning_curves(
        model_of(spec, data), data, spec.config, loss=spec.loss, shuffle_seed=spec.shuffle_seed
    )
    return np.stack([curves[name] for name in metric_names(spec)])

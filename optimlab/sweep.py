"""Train the same network once per value of one setting and compare the validation curves."""

from __future__ import annotations

import dataclasses
import re
import textwrap
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any, TypeVar

import numpy as np

from ._exceptions import DivergenceWarning
from ._validation import (
    METRICS,
    Split,
    brief,
    check_bool,
    check_loss,
    check_positive_int,
    check_seeds,
)
from .config import DEFAULTS, TrainingConfig, check_settings
from .data import data_per_seed, exercise_data, standardized_exercise_data
from .engine import RunSpec, train_runs
from .metrics import baseline_rmse
from .model import check_sweep_model, init_seed
from .optimizers import is_entry_with_options, optimizer_label
from .provenance import Provenance
from .results import InputComparison, SweepResult
from .training import epoch_seconds

__all__ = ["compare_configs", "compare_inputs", "compare_sweeps"]

Data = Split | Callable[[int], Split] | None
Model = Callable[[int], Any] | None
Seeds = int | Sequence[int] | None
F = TypeVar("F", bound=Callable[..., Any])

# The parameters compare_configs and compare_sweeps share, written once for both docstrings.
_SHARED_PARAMETERS = """\
model : callable, optional
    ``seed -> torch.nn.Module``, a fresh network whose initial weights are drawn from
    ``seed`` (sweep seed ``s`` calls ``model(123 + s)``); ``None``:
    :func:`~optimlab.make_mlp`, with as many inputs as the data have features.
data : ((X_train, Y_train), (X_valid, Y_valid)) or callable, optional
    Tensors or NumPy arrays shared by every seed: ``X`` of shape ``(n, features...)``;
    ``Y`` of shape ``(n, outputs)`` or ``(n,)`` for ``"mse"``, integer class labels of
    shape ``(n,)`` for ``"cross_entropy"``. Or ``data(seed)`` returning them per seed,
    such as ``lambda seed: exercise_data(seed, standardize=True)``. ``None``:
    ``exercise_data(seed)``, the exercise's raw inputs.
loss : {"mse", "cross_entropy"}, default="mse"
    ``"mse"`` tracks the validation RMSE; ``"cross_entropy"`` (one output per class)
    the validation log loss, and records the accuracy (``SweepResult.accuracy``).
seeds : int or list of int, optional
    Repeat every value under these seeds: an int ``k`` means ``range(k)``, shifted by
    the environment variable ``OPTIMLAB_SEED_OFFSET`` (the robustness check of the
    site's claims). Seed ``s`` sets the data, the initial weights and, with
    ``shuffle``, the batch order. ``None``: ``[0]``, the exercise's single run.
shuffle : bool, default=False
    Visit the training rows in a new order every epoch (``shuffle_seed=s`` of
    :func:`~optimlab.train_valid`) instead of the exercise's fixed order.
measure_time : bool, default=False
    Also time one epoch of each value with :func:`~optimlab.train_valid` (median of
    three, on the first seed's data), to draw the curves against wall-clock time.
n_jobs : int, optional
    Worker processes for the engine; default: the machine's cores. They are kept for
    the next call with the same ``n_jobs`` and end after five idle minutes.
executor : concurrent.futures.Executor, optional
    Train on this executor's workers instead, such as a Dask cluster's: see
    ``optimlab.engine.train_runs`` and :doc:`/cluster`."""


def _shared_parameters(function: F) -> F:
    """Write ``_SHARED_PARAMETERS`` where ``function``'s docstring has ``{shared}``."""
    marker = re.search(r"^( *)\{shared\}$", function.__doc__ or "", re.MULTILINE)
    if marker:  # no docstring under python -OO
        shared = textwrap.indent(_SHARED_PARAMETERS, marker[1])
        function.__doc__ = function.__doc__.replace(marker[0], shared)  # type: ignore[union-attr]
    return function


@_shared_parameters
def compare_configs(
    epochs: int = DEFAULTS.epochs,
    batch_size: int | Sequence[int] = DEFAULTS.batch_size,
    lr: float | Sequence[float] = DEFAULTS.lr,
    weight_decay: float | Sequence[float] = DEFAULTS.weight_decay,
    beta1: float | Sequence[float] = DEFAULTS.beta1,
    beta2: float | Sequence[float] = DEFAULTS.beta2,
    *,
    optimizer: Any = DEFAULTS.optimizer,
    optimizer_options: Mapping[str, Any] | None = None,
    lr_schedule: str | Sequence[str] = DEFAULTS.lr_schedule,
    model: Model = None, data: Data = None, loss: str = "mse", seeds: Seeds = None,
    shuffle: bool = False, measure_time: bool = False, n_jobs: int | None = None,
    executor: Executor | None = None,
) -> SweepResult:  # fmt: skip
    """Train the exercise's MLP once per value of one setting (AdamW unless told otherwise).

    Every value starts from the same initial weights (:func:`~optimlab.make_mlp` with
    seed 123, or ``model(123)``) and gets the curve of :func:`~optimlab.train_valid` on
    one torch thread: bit for bit for a plain MLP (``Linear``/``ReLU`` layers) on the MSE
    loss, up to float32 rounding otherwise. The sweep engine (``optimlab.engine``) trains
    the runs together, much faster.

    Parameters
    ----------
    epochs : int, default=30
        Passes over the training set (never a list).
    batch_size, lr, weight_decay, beta1, beta2, lr_schedule : value or list of values
        The settings of :class:`~optimlab.TrainingConfig`, with its defaults. Exactly one
        of them or ``optimizer`` is a list (or tuple): the values to compare.
    optimizer : str, optimizer class, or list of them, default="adamw"
        As in :class:`~optimlab.TrainingConfig`, pairs ``(optimizer, {option: value})``
        included, so that one sweep can hold ``"sgd"`` and ``("sgd", {"momentum": 0.9})``.
        Named optimizers train in the sweep engine, classes of your own in the reference
        loop (slower, with the same result).
    optimizer_options : dict, optional
        The optimizer's other settings, such as ``{"momentum": 0.9}`` for SGD; with a
        list of optimizers, they must suit each plain entry.
    {shared}

    Returns
    -------
    SweepResult
        The curves; ``.plot()`` draws them.

    Raises
    ------
    ValueError
        If no argument or several are lists, a list is empty or repeats a value, or a
        value is out of range; if the data's shapes disagree with each other or with the
        model's output (checked on two rows), hold NaN, or class labels out of range.
    TypeError
        If a value has the wrong type, ``data`` is not of the expected structure,
        ``model(seed)`` is not a module, or labels are not integers with cross-entropy.

    Warns
    -----
    DivergenceWarning
        For each configuration whose validation metric became inf or NaN (its curve keeps
        them; the others are unaffected).

    See Also
    --------
    compare_sweeps : several comparisons in one call, sharing the work.

    Examples
    --------
    >>> from optimlab import compare_configs
    >>> result = compare_configs(epochs=2, lr=[0.1, 0.2], weight_decay=0.02)
    >>> result.labels
    ['lr = 0.1', 'lr = 0.2']
    >>> result.valid_rmse.shape
    (2, 2)
    >>> from optimlab import exercise_data
    >>> standardized = exercise_data(standardize=True)  # SGD diverges on the raw inputs
    >>> by_optimizer = compare_configs(
    ...     epochs=2, optimizer=["sgd", ("sgd", {"momentum": 0.9})], data=standardized
    ... )
    >>> by_optimizer.labels
    ['optimizer = sgd', 'optimizer = sgd (momentum=0.9)']

    Your own model and data, here a classifier (see ``model``, ``data`` and ``loss``):

    >>> import torch
    >>> from torch import nn
    >>> X = torch.randn(60, 3, generator=torch.Generator().manual_seed(0))
    >>> y = (X[:, 0] > 0).long()  # two classes
    >>> def net(seed):
    ...     torch.manual_seed(seed)
    ...     return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2))
    >>> result = compare_configs(epochs=2, lr=[0.01, 0.1], model=net,
    ...                          data=((X[:40], y[:40]), (X[40:], y[40:])), loss="cross_entropy")
    >>> result.metric, result.accuracy.shape
    ('valid_log_loss', (2, 1, 2))
    """
    sweep = {"epochs": epochs, "batch_size": batch_size, "lr": lr,
             "weight_decay": weight_decay, "beta1": beta1, "beta2": beta2,
             "optimizer": optimizer, "optimizer_options": optimizer_options or {},
             "lr_schedule": lr_schedule}  # fmt: skip
    problem = (model, data, loss, seeds, shuffle, measure_time, n_jobs, executor)
    (result,) = _run_sweeps([sweep], "", *problem)
    return result


def compare_inputs(*, measure_time: bool = False, **settings: Any) -> InputComparison:
    """Run :func:`compare_configs` on the exercise's raw inputs and on standardised ones.

    The exercise's raw input columns differ in scale by a factor of about 1600, so a
    comparison on them can say more about the inputs than about the setting compared.
    Both runs share seeds and initial weights, and each seed's yardstick is recorded.

    Parameters
    ----------
    measure_time : bool, default=False
        As :func:`compare_configs`, measured on the raw inputs only: an epoch costs the
        same whatever the input values, so the standardised result gets the same timings.
    **settings
        Any other keyword argument of :func:`compare_configs` but ``model``, ``data`` and
        ``loss`` (the worlds are the exercise's), for both worlds.

    Returns
    -------
    InputComparison
        ``.raw`` and ``.standardized`` (each a :class:`~optimlab.SweepResult`) and
        ``.yardsticks`` (one per seed).

    Raises
    ------
    ValueError, TypeError
        As :func:`compare_configs`, before any training; ``TypeError`` for ``model``,
        ``data`` or ``loss``.

    Examples
    --------
    >>> from optimlab import compare_inputs
    >>> worlds = compare_inputs(epochs=2, lr=[0.1, 0.01], seeds=3)
    >>> worlds.raw.labels == worlds.standardized.labels, worlds.yardsticks.shape
    (True, (3,))
    >>> list(worlds), worlds["raw"] is worlds.raw
    (['raw', 'standardized'], True)
    """
    own = sorted({"model", "data", "loss"} & set(settings))
    if own:
        raise TypeError(
            f"compare_inputs runs the exercise's model on its raw and standardised data, so "
            f"it takes no {', '.join(own)}; use compare_configs for a problem of your own"
        )
    raw = compare_configs(**settings, measure_time=measure_time)
    standardized = compare_configs(**settings, data=standardized_exercise_data)
    if measure_time:
        standardized = dataclasses.replace(standardized, seconds_per_epoch=raw.seconds_per_epoch)
    return InputComparison(raw, standardized)


@_shared_parameters
def compare_sweeps(
    sweeps: Sequence[Mapping[str, Any]], *,
    model: Model = None, data: Data = None, loss: str = "mse", seeds: Seeds = None,
    shuffle: bool = False, measure_time: bool = False, n_jobs: int | None = None,
    executor: Executor | None = None,
) -> list[SweepResult]:  # fmt: skip
    """Run several :func:`compare_configs` comparisons at once, sharing the work.

    All their runs go to the sweep engine in one call: a configuration in several sweeps
    (the defaults usually are) is trained once, and runs of different sweeps with the
    same batch size train together. The results are those of :func:`compare_configs`.

    Parameters
    ----------
    sweeps : sequence of dict
        One dict of :func:`compare_configs` settings per comparison (``epochs`` to
        ``optimizer_options``); omitted ones take the defaults.
    {shared}

    Returns
    -------
    list of SweepResult
        One per sweep, in order.

    Raises
    ------
    ValueError, TypeError
        As :func:`compare_configs`, the message prefixed with the sweep's index; also if
        ``sweeps`` is not a sequence of dicts or a dict has an unknown key.

    Warns
    -----
    DivergenceWarning
        For each diverged configuration of each sweep.

    Examples
    --------
    >>> from optimlab import compare_sweeps
    >>> by_lr, by_batch = compare_sweeps(
    ...     [{"epochs": 2, "lr": [0.1, 0.01]}, {"epochs": 2, "batch_size": [32, 64]}]
    ... )
    >>> by_batch.labels
    ['batch_size = 32', 'batch_size = 64']
    """
    if isinstance(sweeps, Mapping | str) or not isinstance(sweeps, Sequence):
        raise TypeError(
            f"sweeps must be a list of dicts of compare_configs arguments, got {brief(sweeps)}"
        )
    full = [{**DEFAULTS.as_dict(), **check_settings(f"sweeps[{i}]", s)}
            for i, s in enumerate(sweeps)]  # fmt: skip
    problem = (model, data, loss, seeds, shuffle, measure_time, n_jobs, executor)
    return _run_sweeps(full, "sweeps[{}]: ", *problem)


def _split_sweep(settings: dict[str, Any]) -> tuple[TrainingConfig, str, tuple, list]:
    """The fixed config, the setting given as a list, its values and their configs."""
    # A list of values to compare; an (optimizer, options) pair is one value.
    swept = [name for name in TrainingConfig.SWEEPABLE
             if isinstance(settings[name], list | tuple)
             and not is_entry_with_options(settings[name])]  # fmt: skip
    if len(swept) != 1:
        found = "none is" if not swept else f"{len(swept)} are: {', '.join(swept)}"
        raise ValueError(
            f"exactly one of {', '.join(TrainingConfig.SWEEPABLE)} must be a list of values "
            f"to compare; {found}"
        )
    (param,) = swept
    values = tuple(settings[param])
    if not values:
        raise ValueError(
            f"{param} must hold at least one value to compare, got {settings[param]!r}"
        )
    placeholder = getattr(DEFAULTS, param)
    if param == "optimizer":
        # The fixed config must accept optimizer_options: it holds a plain entry if any.
        plain = [value for value in values if not is_entry_with_options(value)]
        placeholder = plain[0] if plain else values[0]
    try:
        config = TrainingConfig(**{**settings, param: placeholder})
    except (TypeError, ValueError) as error:
        if param != "optimizer":
            raise
        raise type(error)(_entry_message(error, param, values.index(placeholder))) from None
    runs: list[TrainingConfig] = []
    for i, value in enumerate(values):
        try:
            run = config.replace(**{param: value})
        except (TypeError, ValueError) as error:
            raise type(error)(_entry_message(error, param, i)) from None
        if run in runs:  # its line would hide the other's (torch.optim.SGD is "sgd")
            shown = optimizer_label(value) if param == "optimizer" else repr(value)
            raise ValueError(
                f"{param} must not repeat a value: {param}[{i}] = {shown} repeats "
                f"{param}[{runs.index(run)}]; each value draws one line"
            )
        runs.append(run)
    return config, param, values, runs


def _entry_message(error: Exception, param: str, index: int) -> str:
    """``error``'s message, its first ``param`` (as a word) naming the entry: ``lr[2]``."""
    message = str(error)
    named, count = re.subn(rf"\b{re.escape(param)}\b", f"{param}[{index}]", message, count=1)
    return named if count else f"{param}[{index}]: {message}"


def _run_sweeps(
    sweeps: list[dict[str, Any]], context: str, model: Model, data: Data, loss: str,
    seeds: Seeds, shuffle: bool, measure_time: bool, n_jobs: int | None,
    executor: Executor | None,
) -> list[SweepResult]:  # fmt: skip
    """Check every sweep, train all their runs in one engine call, warn for divergence."""
    checked = []
    for i, sweep in enumerate(sweeps):
        try:
            checked.append(_split_sweep(sweep))
        except (TypeError, ValueError) as error:
            if not context:
                raise
            raise type(error)(context.format(i) + str(error)) from None
    seeds = (0,) if seeds is None else check_seeds("seeds", seeds)
    shuffle = check_bool("shuffle", shuffle)
    measure_time = check_bool("measure_time", measure_time)
    if n_jobs is not None:
        n_jobs = check_positive_int("n_jobs", n_jobs)
    loss = check_loss(loss)
    data_by_seed = data_per_seed(data, seeds, loss, exercise_data)
    model_fn = check_sweep_model(model, data_by_seed, loss)
    first = data_by_seed[seeds[0]]  # what measure_time times on
    yardsticks = None
    if loss == "mse":
        yardsticks = np.array([baseline_rmse(data_by_seed[seed]) for seed in seeds])
    inputs = None  # data of the reader's own
    if data is None or data is standardized_exercise_data:
        inputs = "raw" if data is None else "standardized"
    init_seeds = [init_seed(seed) for seed in seeds]
    shuffle_seeds = [seed if shuffle else None for seed in seeds]

    specs = [
        RunSpec(run, seed=init, shuffle_seed=order, data=data_by_seed[seed], model=model_fn,
                loss=loss)
        for *_, runs in checked
        for run in runs
        for seed, init, order in zip(seeds, init_seeds, shuffle_seeds, strict=True)
    ]  # fmt: skip
    trained, trained_by = train_runs(
        specs, n_jobs=n_jobs, executor=executor, all_metrics=True, with_trainers=True
    )
    curves, how = iter(trained), iter(trained_by)  # how: what trained each run
    results = []
    timed: dict[TrainingConfig, float] = {}  # each configuration timed once, though in many sweeps
    for config, param, values, runs in checked:
        metrics = [[next(curves) for _ in seeds] for _ in values]
        accuracy = None
        if loss == "cross_entropy":
            accuracy = np.array([[m["valid_accuracy"] for m in row] for row in metrics])
        seconds = None
        if measure_time:
            for run in runs:
                if run not in timed:
                    timed[run] = epoch_seconds(run, first, model=model_fn, loss=loss)
            seconds = np.array([timed[run] for run in runs])
        provenance = Provenance.capture(
            [[next(how) for _ in seeds] for _ in values], init_seeds, shuffle_seeds
        )
        result = SweepResult(
            param, values, np.array([[m[METRICS[loss]] for m in row] for row in metrics]),
            config, seeds, len(first[0][0]), seconds, provenance=provenance,
            metric=METRICS[loss], accuracy=accuracy, yardsticks=yardsticks, inputs=inputs,
        )  # fmt: skip
        _warn_divergence(result)
        results.append(result)
    return results


def _warn_divergence(result: SweepResult) -> None:
    for label, value_runs in zip(result.labels, result.runs, strict=True):
        bad = ~np.isfinite(value_runs).all(axis=1)
        if not bad.any():
            continue
        if len(result.seeds) == 1:
            first = int(np.argmax(~np.isfinite(value_runs[0]))) + 1
            name = "RMSE" if result.metric == "valid_rmse" else "log loss"
            message = f"its validation {name} is not finite from epoch {first} on"
        else:
            message = f"in {int(bad.sum())} of {len(result.seeds)} seeds"
        # stacklevel 4: the caller of compare_configs or compare_sweeps.
        warnings.warn(
            f"configuration {label} diverged: {message}", DivergenceWarning, stacklevel=4
        )

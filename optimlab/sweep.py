"""Train the same network once per value of one setting and compare the validation curves."""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

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
    model: Model = None,
    data: Data = None,
    loss: str = "mse",
    seeds: int | Sequence[int] | None = None,
    shuffle: bool = False,
    measure_time: bool = False,
    n_jobs: int | None = None,
    executor: Executor | None = None,
) -> SweepResult:
    """Train the exercise's MLP once per value of one setting (AdamW unless told otherwise).

    Exactly one of ``batch_size``, ``lr``, ``weight_decay``, ``beta1``, ``beta2``,
    ``optimizer`` and ``lr_schedule`` is a list (or tuple) of values; the others stay fixed (see
    :class:`~optimlab.TrainingConfig` for what each one means). Every value starts from
    the same initial weights (:func:`~optimlab.make_mlp` with seed 123, or your
    ``model(123)``) and gets the curve that :func:`~optimlab.train_valid` computes on one
    torch thread: bit for bit for a plain MLP (``Linear``/``ReLU`` layers) on the MSE
    loss, up to float32 rounding for other models and for cross-entropy; the runs are
    trained together by the sweep engine (``optimlab.engine``), which is much faster.

    Parameters
    ----------
    epochs : int, default=30
        Number of passes over the training set (never a list).
    batch_size : int or list of int, default=16
    lr : float or list of float, default=0.01
    weight_decay : float or list of float, default=0.01
        The optimizer's ``weight_decay``: decoupled for AdamW, as in
        :class:`torch.optim.AdamW`; an L2 penalty for SGD, Adam, RMSprop and Adagrad.
    beta1 : float or list of float, default=0.9
    beta2 : float or list of float, default=0.999
        Adam's and AdamW's betas (``beta1`` is also the ``beta`` of ``"momentum"``); any
        other value than the default is an error with an optimizer that has none.
    optimizer : str, optimizer class, or list of them, default="adamw"
        ``"adamw"``, ``"adam"``, ``"sgd"``, ``"rmsprop"``, ``"adagrad"``, ``"momentum"``
        or a :class:`torch.optim.Optimizer` subclass (see
        :class:`~optimlab.TrainingConfig`). In a list, an entry may also be a pair
        ``(optimizer, {option: value})`` whose options replace ``optimizer_options``
        for it, so that one sweep can hold ``"sgd"`` and ``("sgd", {"momentum": 0.9})``.
        Runs of the named optimizers train in the sweep engine; those of your own
        classes in the reference loop (slower, and with the same result).
    optimizer_options : dict, optional
        The optimizer's other settings, e.g. ``{"momentum": 0.9, "nesterov": True}`` for
        SGD; with a list of optimizers, they must suit each plain entry.
    lr_schedule : str or list of str, default="constant"
        How the learning rate changes along each run, ``lr`` being its peak:
        ``"constant"``, ``"step"``, ``"cosine"``, ``"warmup"`` or ``"onecycle"``, from
        :mod:`torch.optim.lr_scheduler`, stepped after every mini-batch (see
        :class:`~optimlab.TrainingConfig`).
    model : callable, optional
        A model function ``seed -> torch.nn.Module`` returning a fresh network, its
        initial weights drawn from ``seed`` (seed ``s`` of the sweep calls it with ``123 +
        s``, as the exercise's MLP gets); ``None``: :func:`~optimlab.make_mlp` (with as
        many inputs as the data have features).
    data : ((X_train, Y_train), (X_valid, Y_valid)) or callable, optional
        The training and validation data, shared by every seed, as tensors or NumPy
        arrays: ``X`` of shape ``(n, features...)``; ``Y`` of shape ``(n, outputs)`` or
        ``(n,)`` for ``"mse"``, integer class labels of shape ``(n,)`` for
        ``"cross_entropy"``. Or a function ``data(seed)`` returning them per seed, such
        as ``lambda seed: exercise_data(seed, standardize=True)``; ``None`` uses
        ``exercise_data(seed)``, the raw inputs of the exercise.
    loss : {"mse", "cross_entropy"}, default="mse"
        The training loss. ``"mse"`` tracks the validation RMSE; ``"cross_entropy"``
        (the model outputs one score per class) tracks the validation log loss and also
        records the accuracy (``SweepResult.accuracy``).
    seeds : int or list of int, optional
        Repeat every value under these seeds (an int ``k`` means ``range(k)``, or
        ``range(n, n + k)`` where the environment variable ``OPTIMLAB_SEED_OFFSET`` is
        ``n``: the robustness check of the site's claims reruns its pages so). Seed
        ``s`` sets the data (see ``data``), the initial weights (``make_mlp(seed=123 +
        s)``) and, with ``shuffle``, the batch order. ``None`` means ``[0]``: the
        exercise's single run.
    shuffle : bool, default=False
        Visit the training rows in a new seeded order every epoch (``shuffle_seed=s`` of
        :func:`~optimlab.train_valid`) instead of the exercise's fixed order.
    measure_time : bool, default=False
        Also time one epoch of each value with :func:`~optimlab.train_valid` (median of
        three, on the first seed's data) so that the curves can be drawn against
        wall-clock time.
    n_jobs : int, optional
        Worker processes for the engine; default: the machine's cores. They are kept
        for the next call with the same ``n_jobs``; they end after five idle minutes,
        or with this process.
    executor : concurrent.futures.Executor, optional
        Train on this executor's workers instead, such as a Dask cluster's: see
        ``optimlab.engine.train_runs`` and :doc:`/cluster`.

    Returns
    -------
    SweepResult
        The curves; ``.plot()`` draws them, with a band across seeds when there are
        several.

    Raises
    ------
    ValueError
        If no argument or several are lists, a list is empty or repeats a value, or a
        value is out of range;
        if the data's shapes disagree with each other or with the model's output (one
        forward pass on two rows checks it), hold NaN, or class labels out of range.
    TypeError
        If a value has the wrong type, ``data`` is not of the expected structure,
        ``model(seed)`` is not a module, or labels are not integers with cross-entropy.

    Warns
    -----
    DivergenceWarning
        For each configuration whose validation RMSE became inf or NaN. Its curve keeps
        those values; the other curves are unaffected.

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
    problem = (model, data, loss)
    (result,) = _run_sweeps(
        [sweep], problem, seeds, shuffle, measure_time, n_jobs, context="", executor=executor
    )
    return result


def compare_inputs(*, measure_time: bool = False, **settings: Any) -> InputComparison:
    """Run :func:`compare_configs` on the exercise's raw inputs and on standardised ones.

    The exercise feeds its network raw inputs, whose columns differ in scale by a factor
    of about 1600; a comparison on them can say more about the inputs than about the
    setting compared. This runs the same comparison twice, on ``exercise_data(seed)``
    and on ``exercise_data(seed, standardize=True)``, with the same seeds and initial
    weights, and records each seed's yardstick.

    Parameters
    ----------
    measure_time : bool, default=False
        As :func:`compare_configs`, measured once on the raw inputs: an epoch costs the
        same whatever the input values, so the standardised result gets the same timings.
    **settings
        Any other keyword argument of :func:`compare_configs` (``epochs``, ``lr``, ...,
        ``seeds``, ``shuffle``, ``n_jobs``, ``executor``), for both worlds: exactly one
        setting is a list. Not ``model``, ``data`` or ``loss``: the worlds are the
        exercise's.

    Returns
    -------
    InputComparison
        ``.raw`` and ``.standardized`` (each a :class:`~optimlab.SweepResult`),
        ``.yardsticks`` (one per seed); ``.plot(title)`` draws a figure per world,
        ``.summary()`` gives the median final RMSEs.

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


def compare_sweeps(
    sweeps: Sequence[Mapping[str, Any]],
    *,
    model: Model = None,
    data: Data = None,
    loss: str = "mse",
    seeds: int | Sequence[int] | None = None,
    shuffle: bool = False,
    measure_time: bool = False,
    n_jobs: int | None = None,
    executor: Executor | None = None,
) -> list[SweepResult]:
    """Run several :func:`compare_configs` comparisons at once, sharing the work.

    All their runs go to the sweep engine in one call: a configuration that appears in
    several sweeps (the defaults usually do) is trained once, and runs of different
    sweeps with the same batch size train together. The results are those of calling
    :func:`compare_configs` on each sweep.

    Parameters
    ----------
    sweeps : sequence of dict
        One dict of :func:`compare_configs` keyword arguments per comparison: ``epochs``,
        ``batch_size``, ``lr``, ``weight_decay``, ``beta1``, ``beta2``, ``optimizer``,
        ``optimizer_options``, ``lr_schedule``; omitted ones take the defaults of
        :class:`~optimlab.TrainingConfig`.
    model, data, loss, seeds, shuffle, measure_time, n_jobs, executor
        As :func:`compare_configs`, shared by every sweep.

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
    defaults = DEFAULTS.as_dict()
    full = [{**defaults, **check_settings(f"sweeps[{i}]", s)} for i, s in enumerate(sweeps)]
    problem = (model, data, loss)
    return _run_sweeps(
        full,
        problem,
        seeds,
        shuffle,
        measure_time,
        n_jobs,
        context="sweeps[{}]: ",
        executor=executor,
    )


def _split_sweep(settings: dict[str, Any]) -> tuple[TrainingConfig, str, tuple[Any, ...]]:
    """The fixed config, the one setting given as a list, and its values (each checked)."""
    swept = [name for name in TrainingConfig.SWEEPABLE if _is_list(settings[name])]
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
    return config, param, values


def _entry_message(error: Exception, param: str, index: int) -> str:
    """``error``'s message, its first ``param`` (as a word) naming the entry: ``lr[2]``."""
    message = str(error)
    named, count = re.subn(rf"\b{re.escape(param)}\b", f"{param}[{index}]", message, count=1)
    return named if count else f"{param}[{index}]: {message}"


def _is_list(value: Any) -> bool:
    """A list of values to compare (an ``(optimizer, options)`` pair is one value)."""
    return isinstance(value, list | tuple) and not is_entry_with_options(value)


def _run_sweeps(
    sweeps: list[dict[str, Any]],
    problem: tuple[Model, Data, str],
    seeds: int | Sequence[int] | None,
    shuffle: bool,
    measure_time: bool,
    n_jobs: int | None,
    *,
    context: str,
    executor: Executor | None = None,
) -> list[SweepResult]:
    """Check every sweep, train all their runs in one engine call, warn for divergence."""
    model, data, loss = problem
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
    yardsticks = None
    if loss == "mse":
        yardsticks = np.array([baseline_rmse(data_by_seed[seed]) for seed in seeds])
    inputs = None  # data of the reader's own
    if data is None or data is standardized_exercise_data:
        inputs = "raw" if data is None else "standardized"

    specs = [
        RunSpec(
            config.replace(**{param: value}),
            seed=init_seed(seed),
            shuffle_seed=seed if shuffle else None,
            data=data_by_seed[seed],
            model=model_fn,
            loss=loss,
        )
        for config, param, values in checked
        for value in values
        for seed in seeds
    ]
    trained, trained_by = train_runs(
        specs, n_jobs=n_jobs, executor=executor, all_metrics=True, with_trainers=True
    )
    curves = iter(trained)
    how = iter(trained_by)  # what trained each run, for the provenance of its result

    results = []
    timed: dict[TrainingConfig, float] = {}  # each configuration timed once, though in many sweeps
    for config, param, values in checked:
        metrics = [[next(curves) for _ in seeds] for _ in values]
        runs = np.array([[run[METRICS[loss]] for run in row] for row in metrics])
        accuracy = None
        if loss == "cross_entropy":
            accuracy = np.array([[run["valid_accuracy"] for run in row] for row in metrics])
        seconds = None
        if measure_time:
            for value in values:
                one = config.replace(**{param: value})
                if one not in timed:
                    first = data_by_seed[seeds[0]]
                    timed[one] = epoch_seconds(one, first, model=model_fn, loss=loss)
            seconds = np.array([timed[config.replace(**{param: v})] for v in values])
        n_train = len(data_by_seed[seeds[0]][0][0])
        provenance = Provenance.capture(
            [[next(how) for _ in seeds] for _ in values],
            init_seeds=[init_seed(seed) for seed in seeds],
            shuffle_seeds=[seed if shuffle else None for seed in seeds],
        )
        result = SweepResult(
            param, values, runs, config, seeds, n_train, seconds, provenance=provenance,
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
        warnings.warn(
            f"configuration {label} diverged: {message}",
            DivergenceWarning,
            stacklevel=4,  # the caller of compare_configs or compare_sweeps
        )

"""Train the same network once per value of one AdamW hyperparameter and compare the curves."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from ._validation import (
    check_beta,
    check_data,
    check_nonnegative_finite,
    check_nonnegative_int,
    check_positive_finite,
    check_positive_int,
)
from .data import Split, exercise_data
from .engine import RunSpec, train_runs
from .model import make_mlp

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "DivergenceWarning",
    "SweepResult",
    "compare_configs",
    "compare_sweeps",
    "train_valid",
]

#: The hyperparameters that :func:`compare_configs` can sweep, with their checks.
HYPERPARAMETERS = {
    "batch_size": check_positive_int,
    "lr": check_positive_finite,
    "weight_decay": check_nonnegative_finite,
    "beta1": check_beta,
    "beta2": check_beta,
}


class DivergenceWarning(RuntimeWarning):
    """A configuration's validation RMSE became infinite or NaN."""


class _EpochPermutations(torch.utils.data.Sampler[int]):
    """Row order ``torch.randperm(n, generator=g)``, a new one per epoch, ``g`` seeded once.

    Spelled out rather than ``DataLoader(shuffle=True, generator=g)``, which also draws
    a worker seed from ``g`` each epoch, so that other code can reproduce the order.
    """

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.generator = torch.Generator().manual_seed(seed)

    def __iter__(self):
        yield from torch.randperm(self.n, generator=self.generator).tolist()

    def __len__(self) -> int:
        return self.n


def train_valid(
    model: nn.Module,
    data: Split,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    betas: tuple[float, float],
    weight_decay: float,
    shuffle_seed: int | None = None,
    callback: Callable[[int, nn.Module], None] | None = None,
) -> np.ndarray:
    """Train ``model`` with AdamW and return the validation RMSE after every epoch.

    The reference loop, written to be read: the exercise's ``train_loop`` and
    ``valid_loop``. Each epoch passes over the training rows in their stored order
    (no shuffling, unless ``shuffle_seed`` is given) in mini-batches of ``batch_size``,
    one AdamW step per batch on the MSE loss. After each epoch the RMSE over the *whole*
    validation set is recorded (the exercise averages per-batch RMSEs instead, which
    depends on the batch size).

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place.
    data : ((X_train, Y_train), (X_valid, Y_valid))
        float32 tensors, ``X`` of shape ``(n, 4)`` and ``Y`` of shape ``(n, 1)``.
    epochs : int
        Number of passes over the training set.
    batch_size : int
        Rows per mini-batch; the last batch of an epoch may be smaller.
    lr : float
        AdamW learning rate.
    betas : (float, float)
        AdamW's ``(beta1, beta2)``.
    weight_decay : float
        AdamW's decoupled weight decay.
    shuffle_seed : int, optional
        When given, each epoch visits the rows in a new random order, drawn as
        ``torch.randperm(n, generator=g)`` from one ``torch.Generator`` seeded with it.
    callback : callable, optional
        Called as ``callback(epoch, model)`` after each epoch's validation (``epoch``
        counts from 1), e.g. to record :func:`~optimlab.dead_units` along training.

    Returns
    -------
    numpy.ndarray
        Shape ``(epochs,)``; ``inf`` or ``nan`` where training diverged.

    Examples
    --------
    >>> from optimlab import exercise_data, make_mlp, train_valid
    >>> rmse = train_valid(make_mlp(), exercise_data(), epochs=2, batch_size=64,
    ...                    lr=0.01, betas=(0.9, 0.999), weight_decay=0.01)
    >>> rmse.shape
    (2,)
    """
    (X_train, Y_train), (X_valid, Y_valid) = check_data(data)
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    lr = check_positive_finite("lr", lr)
    beta1, beta2 = (check_beta(name, b) for name, b in zip(("beta1", "beta2"), betas, strict=True))
    weight_decay = check_nonnegative_finite("weight_decay", weight_decay)

    sampler = None if shuffle_seed is None else _EpochPermutations(len(X_train), shuffle_seed)
    loader = DataLoader(TensorDataset(X_train, Y_train), batch_size=batch_size, sampler=sampler)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=lr, betas=(beta1, beta2), eps=1e-8, weight_decay=weight_decay
    )
    valid_rmse = np.empty(epochs)
    for epoch in range(epochs):
        model.train()
        for X_batch, Y_batch in loader:
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(X_batch), Y_batch)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            valid_rmse[epoch] = nn.functional.mse_loss(model(X_valid), Y_valid).sqrt().item()
        if callback is not None:
            callback(epoch + 1, model)
    return valid_rmse


#: The budgets a sweep's curves can be drawn against, with their axis labels.
BUDGETS = {
    "epoch": "Epoch",
    "step": "Optimizer steps",
    "sample": "Training samples seen",
    "time": "Wall-clock time (s)",
}


@dataclass(frozen=True)
class SweepResult:
    """Validation curves of one hyperparameter sweep, as returned by :func:`compare_configs`.

    Attributes
    ----------
    param : str
        The swept hyperparameter: ``"batch_size"``, ``"lr"``, ``"weight_decay"``,
        ``"beta1"`` or ``"beta2"``.
    values : tuple
        Its values, in the order given.
    epochs : int
        Number of epochs of every run.
    runs : numpy.ndarray
        Shape ``(len(values), len(seeds), epochs)``: every run's validation RMSE after
        each epoch; inf or NaN where a run diverged.
    fixed : dict
        The other hyperparameters, held fixed.
    seeds : tuple of int
        The seeds of the runs, one per entry of the second axis of ``runs``.
    n_train : int
        Training rows per epoch, to convert epochs to steps and samples.
    seconds_per_epoch : numpy.ndarray or None
        Shape ``(len(values),)``: measured time of one epoch of each configuration with
        the reference loop (``compare_configs(..., measure_time=True)``), else ``None``.
    """

    param: str
    values: tuple[Any, ...]
    epochs: int
    runs: np.ndarray
    fixed: dict[str, Any] = field(default_factory=dict)
    seeds: tuple[int, ...] = (0,)
    n_train: int = 700
    seconds_per_epoch: np.ndarray | None = None

    def __post_init__(self) -> None:
        expected = (len(self.values), len(self.seeds), self.epochs)
        if np.shape(self.runs) != expected:
            raise ValueError(
                f"runs must have shape (len(values), len(seeds), epochs) = {expected}, "
                f"got {np.shape(self.runs)}"
            )

    @property
    def labels(self) -> list[str]:
        """One legend label per value, such as ``"lr = 0.1"``."""
        return [f"{self.param} = {value}" for value in self.values]

    @property
    def valid_rmse(self) -> np.ndarray:
        """Shape ``(len(values), epochs)``: the curve of each value.

        With one seed, that run's curve (inf and NaN kept); with several, the mean over
        the seeds whose run is finite at that epoch (NaN where none is).
        """
        if len(self.seeds) == 1:
            return self.runs[:, 0]
        finite = np.isfinite(self.runs)
        count = finite.sum(axis=1)
        total = np.where(finite, self.runs, 0.0).sum(axis=1)
        return np.divide(total, count, out=np.full(count.shape, np.nan), where=count > 0)

    @property
    def diverged(self) -> np.ndarray:
        """Boolean array, one entry per value: did any of its runs reach inf or NaN?"""
        return ~np.isfinite(self.runs).all(axis=(1, 2))

    @property
    def batch_sizes(self) -> np.ndarray:
        """The batch size of each value's runs."""
        if self.param == "batch_size":
            return np.array(self.values)
        return np.full(len(self.values), self.fixed["batch_size"])

    def budget(self, x: str = "epoch") -> np.ndarray:
        """What each value had spent by the end of each epoch, shape ``(len(values), epochs)``.

        Parameters
        ----------
        x : {"epoch", "step", "sample", "time"}
            Epochs; optimizer steps (``ceil(n_train / batch_size)`` per epoch); training
            samples seen; or seconds, from the measured ``seconds_per_epoch``.

        Returns
        -------
        numpy.ndarray

        Examples
        --------
        >>> import numpy as np
        >>> from optimlab import SweepResult
        >>> result = SweepResult("batch_size", (100, 700), 2, np.ones((2, 1, 2)),
        ...                      {"lr": 0.01}, n_train=700)
        >>> result.budget("step").tolist()
        [[7.0, 14.0], [1.0, 2.0]]
        """
        if x not in BUDGETS:
            raise ValueError(f"x must be one of {', '.join(map(repr, BUDGETS))}; got {x!r}")
        epochs = np.arange(1, self.epochs + 1, dtype=float)
        if x == "epoch":
            per_epoch = np.ones(len(self.values))
        elif x == "step":
            per_epoch = np.ceil(self.n_train / self.batch_sizes)
        elif x == "sample":
            per_epoch = np.full(len(self.values), float(self.n_train))
        else:
            if self.seconds_per_epoch is None:
                raise ValueError(
                    "x='time' needs measured times: call compare_configs(..., measure_time=True)"
                )
            per_epoch = np.asarray(self.seconds_per_epoch, dtype=float)
        return per_epoch[:, None] * epochs

    def plot(
        self, ax: Axes | None = None, *, x: str = "epoch", band: tuple[float, float] = (0.1, 0.9)
    ) -> Axes:
        """Draw one validation-RMSE curve per value; see :func:`optimlab.plot_sweep`."""
        from .plotting import plot_sweep

        return plot_sweep(self, ax=ax, x=x, band=band)


def _collect_sweep(hyperparameters: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
    """Find the one hyperparameter given as a list or tuple and check every value."""
    swept = [name for name, value in hyperparameters.items() if isinstance(value, list | tuple)]
    if len(swept) != 1:
        found = "none is" if not swept else f"{len(swept)} are: {', '.join(swept)}"
        raise ValueError(
            "exactly one of batch_size, lr, weight_decay, beta1, beta2 must be a list of "
            f"values to compare; {found}"
        )
    (param,) = swept
    values = hyperparameters[param]
    if len(values) == 0:
        raise ValueError(f"{param} must hold at least one value to compare, got {values!r}")
    check = HYPERPARAMETERS[param]
    for i, value in enumerate(values):
        check(f"{param}[{i}]", value)
    for name, value in hyperparameters.items():
        if name != param:
            check_fixed = HYPERPARAMETERS[name]
            check_fixed(name, value)
    return param, tuple(values)


def compare_configs(
    epochs: int = 30,
    batch_size: int | Sequence[int] = 16,
    lr: float | Sequence[float] = 0.01,
    weight_decay: float | Sequence[float] = 0.01,
    beta1: float | Sequence[float] = 0.9,
    beta2: float | Sequence[float] = 0.999,
    *,
    data: Split | Callable[[int], Split] | None = None,
    seeds: int | Sequence[int] | None = None,
    shuffle: bool = False,
    measure_time: bool = False,
    n_jobs: int | None = None,
) -> SweepResult:
    """Train the exercise's MLP with AdamW once per value of one hyperparameter.

    Exactly one of ``batch_size``, ``lr``, ``weight_decay``, ``beta1`` and ``beta2`` is a
    list (or tuple) of values; the others stay fixed. Every value starts from the same
    initial weights (:func:`make_mlp` with seed 123) and gets, bit for bit, the curve that
    :func:`train_valid` computes on one torch thread; the runs are trained together by
    the sweep engine (:func:`optimlab.train_runs`), which is much faster.

    Parameters
    ----------
    epochs : int, default=30
        Number of passes over the training set (never a list).
    batch_size : int or list of int, default=16
    lr : float or list of float, default=0.01
    weight_decay : float or list of float, default=0.01
        Decoupled weight decay, as in :class:`torch.optim.AdamW`.
    beta1 : float or list of float, default=0.9
    beta2 : float or list of float, default=0.999
    data : ((X_train, Y_train), (X_valid, Y_valid)) or callable, optional
        The training and validation tensors, shared by every seed; or a function
        ``data(seed)`` returning them per seed; ``None`` uses ``exercise_data(seed=seed)``.
    seeds : int or list of int, optional
        Repeat every value under these seeds (an int ``k`` means ``range(k)``). Seed
        ``s`` sets the data (see ``data``), the initial weights (``make_mlp(seed=123 +
        s)``) and, with ``shuffle``, the batch order. ``None`` means ``[0]``: the
        exercise's single run.
    shuffle : bool, default=False
        Visit the training rows in a new seeded order every epoch (``shuffle_seed=s`` of
        :func:`train_valid`) instead of the exercise's fixed order.
    measure_time : bool, default=False
        Also time one epoch of each value with :func:`train_valid` (median of three, on
        the first seed's data) so that the curves can be drawn against wall-clock time.
    n_jobs : int, optional
        Worker processes for the engine; default: the machine's cores.

    Returns
    -------
    SweepResult
        The curves; ``.plot()`` draws them, with a band across seeds when there are
        several.

    Raises
    ------
    ValueError
        If no argument or several are lists, a list is empty, or a value is out of range.
    TypeError
        If a value is not a number or ``data`` is not of the expected structure.

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
    """
    sweep = {
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": lr,
        "weight_decay": weight_decay,
        "beta1": beta1,
        "beta2": beta2,
    }
    (result,) = _run_sweeps([sweep], data, seeds, shuffle, measure_time, n_jobs=n_jobs, context="")
    return result


def compare_sweeps(
    sweeps: Sequence[Mapping[str, Any]],
    *,
    data: Split | Callable[[int], Split] | None = None,
    seeds: int | Sequence[int] | None = None,
    shuffle: bool = False,
    measure_time: bool = False,
    n_jobs: int | None = None,
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
        ``batch_size``, ``lr``, ``weight_decay``, ``beta1``, ``beta2``; omitted ones take
        :func:`compare_configs`'s defaults.
    data, seeds, shuffle, measure_time
        As :func:`compare_configs`, shared by every sweep.
    n_jobs : int, optional
        Worker processes for the engine; default: the machine's cores.

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
    if isinstance(sweeps, Mapping) or not isinstance(sweeps, Sequence):
        raise TypeError(
            "sweeps must be a list of dicts of compare_configs arguments, "
            f"got {type(sweeps).__name__}"
        )
    defaults = {"epochs": 30, **_DEFAULTS}
    full = []
    for i, sweep in enumerate(sweeps):
        if not isinstance(sweep, Mapping):
            raise TypeError(f"sweeps[{i}] must be a dict, got {type(sweep).__name__}")
        unknown = sorted(set(sweep) - set(defaults), key=str)
        if unknown:
            raise TypeError(
                f"sweeps[{i}] has unknown keys {unknown}; allowed: {', '.join(defaults)}"
            )
        full.append({**defaults, **sweep})
    return _run_sweeps(
        full, data, seeds, shuffle, measure_time, n_jobs=n_jobs, context="sweeps[{}]: "
    )


#: compare_configs's defaults for the hyperparameters it can sweep.
_DEFAULTS = {"batch_size": 16, "lr": 0.01, "weight_decay": 0.01, "beta1": 0.9, "beta2": 0.999}


def _check_seeds(seeds: int | Sequence[int] | None) -> tuple[int, ...]:
    if seeds is None:
        return (0,)
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        return tuple(range(check_positive_int("seeds", seeds)))
    if not isinstance(seeds, Sequence) or isinstance(seeds, str) or len(seeds) == 0:
        raise TypeError(
            f"seeds must be a positive integer or a non-empty list of seeds, got {seeds!r}"
        )
    checked = tuple(check_nonnegative_int(f"seeds[{i}]", seed) for i, seed in enumerate(seeds))
    if len(set(checked)) != len(checked):
        raise ValueError(f"seeds must not repeat a seed, got {list(seeds)!r}")
    return checked


def _data_per_seed(
    data: Split | Callable[[int], Split] | None, seeds: tuple[int, ...]
) -> dict[int, Split]:
    if data is None:
        return {seed: exercise_data(seed=seed) for seed in seeds}
    if callable(data):
        per_seed = {}
        for seed in seeds:
            try:
                per_seed[seed] = check_data(data(seed))
            except (TypeError, ValueError) as error:
                raise type(error)(f"data({seed}) returned bad data: {error}") from None
    else:
        shared = check_data(data)
        per_seed = dict.fromkeys(seeds, shared)
    sizes = {len(split[0][0]) for split in per_seed.values()}
    if len(sizes) > 1:
        raise ValueError(
            "data(seed) must give every seed the same number of training rows, "
            f"got {sorted(sizes)}"
        )
    return per_seed


def _seconds_per_epoch(config: dict[str, Any], data: Split, repeats: int = 3) -> float:
    """Median wall-clock time of one epoch of the reference loop for ``config``."""
    times = []
    for _ in range(repeats):
        model = make_mlp(seed=123)
        start = time.perf_counter()
        train_valid(
            model,
            data,
            epochs=1,
            batch_size=config["batch_size"],
            lr=config["lr"],
            betas=(config["beta1"], config["beta2"]),
            weight_decay=config["weight_decay"],
        )
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _run_sweeps(
    sweeps: list[dict[str, Any]],
    data: Split | Callable[[int], Split] | None,
    seeds: int | Sequence[int] | None,
    shuffle: bool,
    measure_time: bool,
    *,
    n_jobs: int | None,
    context: str,
) -> list[SweepResult]:
    """Check every sweep, train all their runs in one engine call, warn for divergence."""
    checked = []
    for i, sweep in enumerate(sweeps):
        try:
            epochs = check_positive_int("epochs", sweep["epochs"])
            hyperparameters = {name: sweep[name] for name in HYPERPARAMETERS}
            param, values = _collect_sweep(hyperparameters)
        except (TypeError, ValueError) as error:
            if not context:
                raise
            raise type(error)(context.format(i) + str(error)) from None
        checked.append((epochs, hyperparameters, param, values))
    seeds = _check_seeds(seeds)
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    if n_jobs is not None:
        n_jobs = check_positive_int("n_jobs", n_jobs)
    data_of = _data_per_seed(data, seeds)

    specs = []
    for epochs, hyperparameters, param, values in checked:
        for value in values:
            config = {**hyperparameters, param: value}
            for seed in seeds:
                specs.append(
                    RunSpec(
                        epochs=epochs,
                        batch_size=config["batch_size"],
                        lr=config["lr"],
                        beta1=config["beta1"],
                        beta2=config["beta2"],
                        weight_decay=config["weight_decay"],
                        seed=123 + seed,  # seed 0 is the exercise's network
                        shuffle_seed=seed if shuffle else None,
                        data=data_of[seed],
                    )
                )
    curves = iter(train_runs(specs, n_jobs=n_jobs))

    results = []
    timed: dict[tuple, float] = {}
    for epochs, hyperparameters, param, values in checked:
        fixed = {name: value for name, value in hyperparameters.items() if name != param}
        runs = np.stack([np.stack([next(curves) for _ in seeds]) for _ in values])
        seconds = None
        if measure_time:
            configs = [{**hyperparameters, param: value} for value in values]
            for config in configs:  # each configuration timed once, though in several sweeps
                key = tuple(config.values())
                if key not in timed:
                    timed[key] = _seconds_per_epoch(config, data_of[seeds[0]])
            seconds = np.array([timed[tuple(config.values())] for config in configs])
        n_train = len(data_of[seeds[0]][0][0])
        result = SweepResult(param, values, epochs, runs, fixed, seeds, n_train, seconds)
        for label, value_runs in zip(result.labels, runs, strict=True):
            bad = ~np.isfinite(value_runs).all(axis=1)
            if not bad.any():
                continue
            if len(seeds) == 1:
                first = int(np.argmax(~np.isfinite(value_runs[0]))) + 1
                message = f"its validation RMSE is not finite from epoch {first} on"
            else:
                message = f"in {int(bad.sum())} of {len(seeds)} seeds"
            warnings.warn(
                f"configuration {label} diverged: {message}",
                DivergenceWarning,
                stacklevel=3,  # the caller of compare_configs or compare_sweeps
            )
        results.append(result)
    return results

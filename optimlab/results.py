"""A sweep's result: every run's validation curve, and its cost in steps, samples, time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validation import brief, check_choice
from .config import DEFAULTS, TrainingConfig
from .optimizers import optimizer_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["BUDGETS", "SweepResult"]

#: The budgets a sweep's curves can be drawn against, with their axis labels.
BUDGETS = {
    "epoch": "Epoch",
    "step": "Optimizer steps",
    "sample": "Training samples seen",
    "time": "Wall-clock time (s)",
}


def _frozen(array: Any, dtype: Any = float) -> np.ndarray:
    """A read-only copy: a result cannot be changed through the arrays it hands out."""
    copy = np.array(array, dtype=dtype)
    copy.flags.writeable = False
    return copy


@dataclass(frozen=True)
class SweepResult:
    """Validation curves of one sweep, as :func:`~optimlab.compare_configs` returns them.

    Immutable: its arrays are read-only copies.

    Attributes
    ----------
    param : str
        The swept setting: ``"batch_size"``, ``"lr"``, ``"weight_decay"``, ``"beta1"``,
        ``"beta2"`` or ``"optimizer"``.
    values : tuple
        Its values, in the order given. An optimizer is a name, a class, or a pair
        ``(optimizer, {option: value})``; :attr:`configs` gives each value's full
        settings, the optimizer's options included.
    runs : numpy.ndarray
        Shape ``(len(values), len(seeds), epochs)``: every run's validation RMSE after
        each epoch; inf or NaN where a run diverged.
    config : TrainingConfig
        The other settings, held fixed (its ``param`` field is not used), the optimizer
        and its ``optimizer_options`` included.
    seeds : tuple of int
        The seeds of the runs, one per entry of the second axis of ``runs``.
    n_train : int
        Training rows per epoch, to convert epochs to steps and samples.
    seconds_per_epoch : numpy.ndarray or None
        Shape ``(len(values),)``: measured time of one epoch of each configuration with
        the reference loop (``compare_configs(..., measure_time=True)``), else ``None``.

    Examples
    --------
    >>> import numpy as np
    >>> from optimlab import SweepResult, TrainingConfig
    >>> result = SweepResult("lr", (0.1, 0.01), np.ones((2, 1, 3)), TrainingConfig(epochs=3))
    >>> result.labels, result.valid_rmse.shape
    (['lr = 0.1', 'lr = 0.01'], (2, 3))
    """

    param: str
    values: tuple[Any, ...]
    runs: np.ndarray
    config: TrainingConfig = DEFAULTS
    seeds: tuple[int, ...] = (0,)
    n_train: int = 700
    seconds_per_epoch: np.ndarray | None = None

    def __post_init__(self) -> None:
        check_choice("param", self.param, TrainingConfig.SWEEPABLE)
        if not isinstance(self.config, TrainingConfig):
            raise TypeError(f"config must be a TrainingConfig, got {brief(self.config)}")
        set_ = object.__setattr__
        set_(self, "values", tuple(self.values))
        set_(self, "seeds", tuple(self.seeds))
        set_(self, "runs", _frozen(self.runs))
        expected = (len(self.values), len(self.seeds), self.epochs)
        if self.runs.shape != expected:
            raise ValueError(
                f"runs must have shape (len(values), len(seeds), epochs) = {expected}, "
                f"got {self.runs.shape}"
            )
        if self.seconds_per_epoch is not None:
            set_(self, "seconds_per_epoch", _frozen(self.seconds_per_epoch))
            if self.seconds_per_epoch.shape != (len(self.values),):
                raise ValueError(
                    f"seconds_per_epoch must have shape ({len(self.values)},), "
                    f"got {self.seconds_per_epoch.shape}"
                )

    @property
    def epochs(self) -> int:
        """Number of epochs of every run."""
        return self.config.epochs

    @property
    def fixed(self) -> dict[str, Any]:
        """The settings held fixed, by name (``epochs`` and ``eps`` included)."""
        return {k: v for k, v in self.config.as_dict().items() if k != self.param}

    @property
    def configs(self) -> list[TrainingConfig]:
        """The full settings of each value."""
        return [self.config.replace(**{self.param: value}) for value in self.values]

    @property
    def labels(self) -> list[str]:
        """One legend label per value, such as ``"lr = 0.1"`` or ``"optimizer = sgd"``.

        An optimizer given with its own options reads ``"optimizer = sgd (momentum=0.9)"``.
        """
        if self.param == "optimizer":
            return [f"optimizer = {optimizer_label(value)}" for value in self.values]
        return [f"{self.param} = {value}" for value in self.values]

    @property
    def optimizers(self) -> list[tuple[str, dict[str, Any]]]:
        """Each value's optimizer (its name, or its class's) and options, as its runs used them.

        Examples
        --------
        >>> import numpy as np
        >>> from optimlab import SweepResult, TrainingConfig
        >>> result = SweepResult("optimizer", ("adam", ("sgd", {"momentum": 0.9})),
        ...                      np.ones((2, 1, 3)), TrainingConfig(epochs=3))
        >>> result.optimizers
        [('adam', {}), ('sgd', {'momentum': 0.9})]
        """
        return [(optimizer_label(config.optimizer), config.options) for config in self.configs]

    @property
    def valid_rmse(self) -> np.ndarray:
        """Shape ``(len(values), epochs)``: the curve of each value.

        With one seed, that run's curve (inf and NaN kept); with several, the median
        over the seeds whose run is finite at that epoch (NaN where none is).
        """
        if len(self.seeds) == 1:
            return self.runs[:, 0]
        return median_finite(self.runs)

    @property
    def final(self) -> np.ndarray:
        """Shape ``(len(values), len(seeds))``: each run's validation RMSE after the last epoch."""
        return self.runs[:, :, -1]

    @property
    def diverged(self) -> np.ndarray:
        """Boolean array, one entry per value: did any of its runs reach inf or NaN?"""
        return ~np.isfinite(self.runs).all(axis=(1, 2))

    @property
    def batch_sizes(self) -> np.ndarray:
        """The batch size of each value's runs."""
        return np.array([config.batch_size for config in self.configs])

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

        Raises
        ------
        ValueError
            If ``x`` is not one of the four, or is ``"time"`` without measured times.

        Examples
        --------
        >>> import numpy as np
        >>> from optimlab import SweepResult, TrainingConfig
        >>> result = SweepResult("batch_size", (100, 700), np.ones((2, 1, 2)),
        ...                      TrainingConfig(epochs=2), n_train=700)
        >>> result.budget("step").tolist()
        [[7.0, 14.0], [1.0, 2.0]]
        """
        check_choice("x", x, tuple(BUDGETS))
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

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Draw one curve per value: :func:`optimlab.plotting.plot_sweep`, ``kwargs`` passed on."""
        from .plotting import plot_sweep

        return plot_sweep(self, ax=ax, **kwargs)


def median_finite(runs: np.ndarray) -> np.ndarray:
    """Median over axis 1 of the finite entries; NaN where none is finite.

    Examples
    --------
    >>> import numpy as np
    >>> from optimlab.results import median_finite
    >>> median_finite(np.array([[[1.0], [np.inf], [3.0]]])).tolist()
    [[2.0]]
    """
    finite = np.where(np.isfinite(runs), runs, np.nan)
    out = np.full((runs.shape[0], *runs.shape[2:]), np.nan)
    has = np.isfinite(runs).any(axis=1)
    if has.any():
        with np.errstate(all="ignore"):
            out[has] = np.nanmedian(np.moveaxis(finite, 1, -1)[has], axis=-1)
    return out

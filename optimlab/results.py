"""A sweep's result: every run's validation curve, and its cost in steps, samples, time."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ._validation import brief, check_choice
from .config import DEFAULTS, TrainingConfig
from .metrics import median_finite
from .optimizers import optimizer_label
from .provenance import Provenance
from .storage import load_fields, save_result, table_of

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["BUDGETS", "METRIC_LABELS", "InputComparison", "SweepResult"]

#: The metrics a result records, with their axis labels. ``runs`` holds the tracked one,
#: ``metric``; a classification result also holds ``accuracy``.
METRIC_LABELS = {
    "valid_rmse": "Validation RMSE",
    "valid_log_loss": "Validation log loss",
    "valid_accuracy": "Validation accuracy",
}

#: The budgets a sweep's curves can be drawn against, with their axis labels.
BUDGETS = {
    "epoch": "Epoch",
    "step": "Optimizer steps",
    "sample": "Training samples seen",
    "time": "Wall-clock time (s)",
}

#: The exercise's two input worlds, as ``SweepResult.inputs`` names them.
INPUTS = ("raw", "standardized")


@dataclass(frozen=True)
class SweepResult:
    """Validation curves of one sweep, as :func:`~optimlab.compare_configs` returns them.

    Immutable: its arrays are read-only copies.

    Attributes
    ----------
    param : str
        The swept setting, one of ``TrainingConfig.SWEEPABLE``.
    values : tuple
        Its values, in the order given (an optimizer may be a pair ``(optimizer,
        {option: value})``); :attr:`configs` gives each value's full settings.
    runs : numpy.ndarray
        Shape ``(len(values), len(seeds), epochs)``: every run's ``metric`` after each
        epoch; inf or NaN where a run diverged.
    config : TrainingConfig
        The settings held fixed (its ``param`` field is not used).
    seeds : tuple of int
        The seeds of the runs, along the second axis of ``runs``.
    n_train : int
        Training rows per epoch, to convert epochs to steps and samples.
    seconds_per_epoch : numpy.ndarray or None
        Shape ``(len(values),)``: the measured time of one epoch of each value
        (``compare_configs(..., measure_time=True)``), else ``None``.
    provenance : Provenance or None
        How the result was made (versions, machine, seeds, what trained each run);
        ``None`` for a result made by hand.
    metric : {"valid_rmse", "valid_log_loss"}
        What ``runs`` holds: the validation RMSE (``loss="mse"``) or the validation log
        loss, the mean cross-entropy (``loss="cross_entropy"``).
    accuracy : numpy.ndarray or None
        Shape of ``runs``: every run's validation accuracy after each epoch, for a
        classification result; else ``None``.
    yardsticks : numpy.ndarray or None
        Shape ``(len(seeds),)``: each seed's validation RMSE of predicting the training
        mean (:func:`~optimlab.baseline_rmse`), which a useful model beats; for
        ``loss="mse"``, else ``None``. :meth:`plot` draws it.
    inputs : {"raw", "standardized"} or None
        Which inputs of the exercise's data the runs saw (``None``: data of your own);
        figures name them.

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
    provenance: Provenance | None = None
    metric: str = "valid_rmse"
    accuracy: np.ndarray | None = None
    yardsticks: np.ndarray | None = None
    inputs: str | None = None

    def __post_init__(self) -> None:
        check_choice("param", self.param, TrainingConfig.SWEEPABLE)
        check_choice("metric", self.metric, ("valid_rmse", "valid_log_loss"))
        if self.inputs is not None:
            check_choice("inputs", self.inputs, INPUTS)
        if not isinstance(self.config, TrainingConfig):
            raise TypeError(f"config must be a TrainingConfig, got {brief(self.config)}")
        if self.provenance is not None and not isinstance(self.provenance, Provenance):
            raise TypeError(
                f"provenance must be a Provenance or None, got {brief(self.provenance)}"
            )
        object.__setattr__(self, "values", tuple(self.values))
        object.__setattr__(self, "seeds", tuple(self.seeds))
        n_values, n_seeds = len(self.values), len(self.seeds)
        shape = (n_values, n_seeds, self.epochs)
        self._freeze("runs", f"shape (len(values), len(seeds), epochs) = {shape}", shape)
        if self.accuracy is not None and self.metric != "valid_log_loss":
            raise ValueError("accuracy is recorded for classification only: metric "
                             f"'valid_log_loss', got metric {self.metric!r}")  # fmt: skip
        if self.yardsticks is not None and self.metric != "valid_rmse":
            raise ValueError("yardsticks are RMSEs: they need metric 'valid_rmse', "
                             f"got metric {self.metric!r}")  # fmt: skip
        for name, rule, expected in (
            ("accuracy", f"the shape of runs, {shape}", shape),
            ("yardsticks", f"shape (len(seeds),) = ({n_seeds},)", (n_seeds,)),
            ("seconds_per_epoch", f"shape ({n_values},)", (n_values,)),
        ):
            if getattr(self, name) is not None:
                self._freeze(name, rule, expected)

    def _freeze(self, name: str, rule: str, shape: tuple[int, ...]) -> None:
        """Store field ``name`` as a read-only float copy (so the result cannot change)."""
        array = np.array(getattr(self, name), dtype=float)
        if array.shape != shape:
            raise ValueError(f"{name} must have {rule}, got {array.shape}")
        array.flags.writeable = False
        object.__setattr__(self, name, array)

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
        """One legend label per value: ``"lr = 0.1"``, ``"optimizer = sgd (momentum=0.9)"``."""
        named = self.param == "optimizer"
        return [f"{self.param} = {optimizer_label(v) if named else v}" for v in self.values]

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
    def curves(self) -> np.ndarray:
        """Shape ``(len(values), epochs)``: the curve of each value, in its ``metric``.

        With one seed, that run's curve (inf and NaN kept); with several, the median
        over the seeds whose run is finite at that epoch (NaN where none is).
        """
        return self.curves_of(self.metric)

    @property
    def valid_rmse(self) -> np.ndarray:
        """:attr:`curves` of a result whose metric is the validation RMSE.

        Raises
        ------
        ValueError
            If the result's metric is another (use :attr:`curves`).
        """
        if self.metric != "valid_rmse":
            raise ValueError(
                f"this result's metric is {self.metric!r}, not 'valid_rmse': use .curves"
            )
        return self.curves

    def runs_of(self, metric: str) -> np.ndarray:
        """Every run's curve of ``metric``: ``runs``, or ``accuracy``.

        Raises
        ------
        ValueError
            If the result did not record ``metric``.
        """
        if metric == self.metric:
            return self.runs
        if metric == "valid_accuracy" and self.accuracy is not None:
            return self.accuracy
        recorded = [self.metric] + ([] if self.accuracy is None else ["valid_accuracy"])
        raise ValueError(f"metric must be one this result recorded, {recorded}; got {metric!r}")

    def curves_of(self, metric: str) -> np.ndarray:
        """:attr:`curves` of any recorded metric, such as ``"valid_accuracy"``."""
        runs = self.runs_of(metric)
        return runs[:, 0] if len(self.seeds) == 1 else median_finite(runs)

    @property
    def final(self) -> np.ndarray:
        """Shape ``(len(values), len(seeds))``: each run's metric after the last epoch."""
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
        if x == "time" and self.seconds_per_epoch is None:
            raise ValueError(
                "x='time' needs measured times: call compare_configs(..., measure_time=True)"
            )
        n = len(self.values)
        per_epoch: Any = {"epoch": np.ones(n), "step": np.ceil(self.n_train / self.batch_sizes),
                          "sample": np.full(n, float(self.n_train)),
                          "time": self.seconds_per_epoch}[x]  # fmt: skip
        return per_epoch[:, None] * np.arange(1, self.epochs + 1, dtype=float)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Draw one curve per value: ``optimlab.plotting.plot_sweep``, ``kwargs`` passed on."""
        from .plotting import plot_sweep

        return plot_sweep(self, ax=ax, **kwargs)

    def table(self) -> dict[str, np.ndarray]:
        """The tidy table of :meth:`to_frame` as plain columns, without pandas.

        Returns
        -------
        dict of str to numpy.ndarray
            Column name to column, each of length ``runs.size``.

        Examples
        --------
        >>> import numpy as np
        >>> from optimlab import SweepResult, TrainingConfig
        >>> result = SweepResult("lr", (0.1, 0.2), np.ones((2, 1, 3)), TrainingConfig(epochs=3))
        >>> columns = result.table()
        >>> columns["lr"].tolist()
        [0.1, 0.1, 0.1, 0.2, 0.2, 0.2]
        >>> columns["epoch"].tolist()
        [1, 2, 3, 1, 2, 3]
        """
        return table_of(self)

    def to_frame(self) -> pd.DataFrame:
        """Every run's curve as a long ("tidy") table: one row per value, seed and epoch.

        Needs pandas (``pip install 'optimlab[pandas]'``).

        Returns
        -------
        pandas.DataFrame
            One row per entry of ``runs``, in its order (value, seed, epoch), with the
            columns

            - ``param``, the swept setting, and ``value``, its value in this row (an
              optimizer's label, such as ``sgd (momentum=0.9)``);
            - every setting of :class:`~optimlab.TrainingConfig`, the swept one
              included (``optimizer`` by name, ``optimizer_options`` as JSON);
            - ``seed``;
            - ``epoch`` (from 1), and the budget spent so far: ``step``, ``samples``
              and ``seconds`` (NaN when the times were not measured, so that every
              table has the same columns);
            - the ``metric`` (inf or NaN where the run diverged) and, for
              classification, ``valid_accuracy``.

        Raises
        ------
        ImportError
            If pandas is not installed.

        See Also
        --------
        table : the same columns as NumPy arrays, without pandas.

        Examples
        --------
        >>> from optimlab import compare_configs
        >>> result = compare_configs(epochs=2, lr=[0.1, 0.2], seeds=3, n_jobs=1)
        >>> frame = result.to_frame()
        >>> len(frame) == result.runs.size
        True
        >>> frame.groupby("lr")["valid_rmse"].count().tolist()
        [6, 6]
        """
        try:
            import pandas as pd
        except ImportError as error:
            raise ImportError("to_frame needs pandas: pip install 'optimlab[pandas]'") from error
        return pd.DataFrame(self.table())

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the result to one file that :meth:`load` reads back exactly.

        The file is a NumPy ``.npz`` archive: the arrays bit for bit, inf and NaN
        included, and a JSON text of everything else. No pickle: loading it runs no
        code. An optimizer class of your own is kept by its import path, and
        :meth:`load` finds it if its module is imported by then. The file is written in
        full or not at all.

        Parameters
        ----------
        path : str or path-like
            Where to write, such as ``"lr_sweep.npz"`` (no suffix is added); an existing
            file is replaced.

        Raises
        ------
        TypeError
            If ``path`` is not a string or path.
        FileNotFoundError, IsADirectoryError
            If its folder does not exist, or ``path`` is a folder.
        ValueError
            If it was trained with an optimizer class defined inside a function, which
            :meth:`load` could never find.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from optimlab import SweepResult, compare_configs
        >>> result = compare_configs(epochs=2, lr=[0.1, 0.2], n_jobs=1)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = pathlib.Path(folder) / "lr.npz"
        ...     result.save(path)
        ...     again = SweepResult.load(path)
        >>> (again.runs == result.runs).all(), again.config == result.config
        (np.True_, True)
        """
        save_result(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SweepResult:
        """Read a result written by :meth:`save`, exactly as it was.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        SweepResult
            Equal to the saved one in every field, its arrays bit for bit.

        Raises
        ------
        TypeError
            If ``path`` is not a string or path.
        FileNotFoundError
            If there is no file at ``path``.
        ValueError
            If the file is not a result written by :meth:`save` (another file, a
            damaged one, or one from a newer optimlab), or if it was trained with an
            optimizer class of your own whose module is not imported.

        Examples
        --------
        See :meth:`save`.
        """
        fields = load_fields(path)
        try:
            return cls(**fields)
        except (TypeError, ValueError) as error:
            where = f"{str(path)!r} is not a SweepResult saved by SweepResult.save"
            raise ValueError(f"{where}: {type(error).__name__}: {error}") from None


@dataclass(frozen=True, eq=False)
class InputComparison(Mapping[str, SweepResult]):
    """One comparison on the exercise's raw inputs and on standardised ones, side by side.

    Returned by :func:`~optimlab.compare_inputs`. A read-only mapping from the world's
    name, ``"raw"`` then ``"standardized"``, to its result.

    Attributes
    ----------
    raw, standardized : SweepResult
        The same comparison (same values, seeds and initial weights) on each data.
    """

    raw: SweepResult
    standardized: SweepResult

    def __post_init__(self) -> None:
        for world, result in self.items():
            if not isinstance(result, SweepResult):
                raise TypeError(f"{world} must be a SweepResult, got {brief(result)}")
            if result.yardsticks is None:
                raise ValueError(
                    f"{world} must record its yardsticks (an RMSE result of compare_configs), "
                    f"got metric {result.metric!r} without them"
                )

    @property
    def yardsticks(self) -> np.ndarray:
        """Each seed's RMSE of predicting the training mean, in the order of ``raw.seeds``.

        The same in both worlds: standardising the inputs leaves the targets as they are.
        """
        return cast(np.ndarray, self.raw.yardsticks)  # checked in __post_init__

    def __getitem__(self, world: str) -> SweepResult:
        if world not in INPUTS:
            raise KeyError(f"the worlds are 'raw' and 'standardized', got {world!r}")
        return self.raw if world == "raw" else self.standardized

    def __iter__(self) -> Iterator[str]:
        return iter(INPUTS)

    def __len__(self) -> int:
        return 2

    def summary(self) -> str:
        """Each world's median final RMSE per value, one line a world, then the yardstick.

        Examples
        --------
        >>> from optimlab import compare_inputs
        >>> print(compare_inputs(epochs=2, lr=[0.1, 0.01], seeds=2).summary())
        raw: median final RMSE lr = 0.1 0..., lr = 0.01 0...
        standardized: median final RMSE lr = 0.1 0..., lr = 0.01 0...
        yardstick (predicting the training mean): median 0..., from 0... to 0...
        """
        lines = [
            f"{world}: median final RMSE "
            + ", ".join(f"{label} {m:.3f}" for label, m in
                        zip(result.labels, np.median(result.final, axis=1), strict=True))
            for world, result in self.items()
        ]  # fmt: skip
        y = self.yardsticks
        lines.append(f"yardstick (predicting the training mean): median {np.median(y):.3f}, "
                     f"from {np.min(y):.3f} to {np.max(y):.3f}")  # fmt: skip
        return "\n".join(lines)

    def plot(self, title: str, worlds: Sequence[str] = INPUTS) -> list[Figure]:
        """One figure per world: the curves above every seed's final RMSE, with the yardsticks.

        ``optimlab.plotting.plot_inputs``: each figure is titled ``"{title}, raw inputs"``
        or ``"{title}, standardized inputs"``; ``worlds`` picks which are drawn.
        """
        from .plotting import plot_inputs

        return plot_inputs(self, title, worlds)

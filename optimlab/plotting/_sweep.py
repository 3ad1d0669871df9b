"""Sweep figures: one validation curve per value, with a band across seeds."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._validation import check_quantiles
from ..results import BUDGETS, METRIC_LABELS, SweepResult
from ._common import axes_or_new

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_sweep", "sweep_ylim"]


def sweep_ylim(valid_rmse: np.ndarray) -> tuple[float, float] | None:
    """The exercise's y-range for sweep curves: minimum to maximum, or to the 98% quantile.

    The upper limit is the 98% quantile of the finite values when the maximum exceeds 10
    or a curve diverged (so a diverged run does not flatten the others), else the maximum.

    Parameters
    ----------
    valid_rmse : numpy.ndarray
        Curves of any shape; inf and NaN are ignored.

    Returns
    -------
    (float, float) or None
        ``None`` when fewer than two distinct finite values exist.

    Examples
    --------
    >>> import numpy as np
    >>> from optimlab.plotting import sweep_ylim
    >>> sweep_ylim(np.array([[1.0, 2.0], [3.0, 4.0]]))
    (1.0, 4.0)
    """
    finite = valid_rmse[np.isfinite(valid_rmse)]
    if finite.size == 0 or finite.min() == finite.max():
        return None
    lower, upper = float(finite.min()), float(finite.max())
    if upper > 10 or finite.size < valid_rmse.size:
        upper = float(np.quantile(finite, 0.98))
    return (lower, upper) if upper > lower else None


def _finite_quantiles(runs: np.ndarray, quantiles: tuple[float, float]) -> np.ndarray:
    """Per-epoch quantiles over the finite runs, shape ``(2, epochs)``; NaN where none."""
    out = np.full((2, runs.shape[1]), np.nan)
    for epoch, column in enumerate(runs.T):
        finite = column[np.isfinite(column)]
        if finite.size:
            out[:, epoch] = np.quantile(finite, quantiles)
    return out


def plot_sweep(
    result: SweepResult,
    ax: Axes | None = None,
    *,
    x: str = "epoch",
    band: tuple[float, float] | None = (0.1, 0.9),
    metric: str | None = None,
) -> Axes:
    """Draw one validation curve per value of a sweep, in the order given.

    x is the epoch (1 to ``epochs``) or another budget (see
    :meth:`optimlab.SweepResult.budget`), y the result's metric (the validation RMSE,
    or log loss for classification; the y-axis names it), the legend is titled
    "Configuration", and the y-range follows :func:`sweep_ylim`. Diverged points are
    left out of their curve. With several seeds each curve is the median over the seeds and
    a shaded band spans the ``band`` quantiles of the runs.

    Parameters
    ----------
    result : SweepResult
        From :func:`~optimlab.compare_configs`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when ``None``.
    x : {"epoch", "step", "sample", "time"}, default="epoch"
        The budget on the x-axis: epochs, optimizer steps, training samples seen, or
        measured seconds (needs ``compare_configs(..., measure_time=True)``).
    band : (float, float) or None, default=(0.1, 0.9)
        Lower and upper quantile of the band across seeds; ``None`` draws no band.
    metric : str, optional
        The metric to draw: the result's own (default), or ``"valid_accuracy"`` for a
        classification result.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.get_lines()`` holds one line per value, ``ax.collections`` the bands.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from optimlab import compare_configs
    >>> ax = compare_configs(epochs=2, lr=[0.1, 0.2]).plot()
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['lr = 0.1', 'lr = 0.2']
    """
    if not isinstance(result, SweepResult):
        raise TypeError(f"result must be a SweepResult, got {type(result).__name__}")
    budget = result.budget(x)
    if band is not None:
        band = check_quantiles("band", band)
    metric = result.metric if metric is None else metric
    runs, curves = result.runs_of(metric), result.curves_of(metric)
    ax = axes_or_new(ax)
    n_seeds = len(result.seeds)
    for i, (label, curve) in enumerate(zip(result.labels, curves, strict=True)):
        (line,) = ax.plot(budget[i], np.where(np.isfinite(curve), curve, np.nan), label=label)
        if n_seeds > 1 and band is not None:
            low, high = _finite_quantiles(runs[i], band)
            ax.fill_between(budget[i], low, high, color=line.get_color(), alpha=0.2, lw=0)
    ylim = sweep_ylim(runs if n_seeds > 1 and band is not None else curves)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel(BUDGETS[x])
    median = f" (median of {n_seeds} seeds)" if n_seeds > 1 else ""
    ax.set_ylabel(METRIC_LABELS[metric] + median)
    title = "Configuration"
    if n_seeds > 1 and band is not None:
        title += f"\nband: {band[0]:.0%}-{band[1]:.0%} of runs"
    ax.legend(title=title)
    return ax

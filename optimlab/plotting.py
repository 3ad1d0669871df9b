"""Figures: sweep curves, the Rosenbrock contours and paths on them. Each takes ``ax=None``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .rosenbrock import ROSENBROCK_LEVELS, rosenbrock

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .momentum import Trajectory
    from .sweep import SweepResult

__all__ = ["plot_path", "plot_rosenbrock", "plot_sweep", "sweep_ylim"]


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.figure().add_subplot()


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
    >>> from optimlab import sweep_ylim
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
) -> Axes:
    """Draw one validation-RMSE curve per value of a sweep, in the order given.

    x is the epoch (1 to ``epochs``) or another budget (see
    :meth:`SweepResult.budget`), y the validation RMSE, the legend is titled
    "Configuration", and the y-range follows :func:`sweep_ylim`. Diverged points are
    left out of their curve. With several seeds each curve is the mean over the seeds and
    a shaded band spans the ``band`` quantiles of the runs.

    Parameters
    ----------
    result : SweepResult
        From :func:`compare_configs`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when ``None``.
    x : {"epoch", "step", "sample", "time"}, default="epoch"
        The budget on the x-axis: epochs, optimizer steps, training samples seen, or
        measured seconds (needs ``compare_configs(..., measure_time=True)``).
    band : (float, float) or None, default=(0.1, 0.9)
        Lower and upper quantile of the band across seeds; ``None`` draws no band.

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
    from .sweep import BUDGETS

    budget = result.budget(x)
    if band is not None and not (len(band) == 2 and 0 <= band[0] < band[1] <= 1):
        raise ValueError(f"band must be two quantiles 0 <= low < high <= 1, got {band!r}")
    ax = _axes(ax)
    n_seeds = len(result.seeds)
    for i, (label, curve) in enumerate(zip(result.labels, result.valid_rmse, strict=True)):
        (line,) = ax.plot(budget[i], np.where(np.isfinite(curve), curve, np.nan), label=label)
        if n_seeds > 1 and band is not None:
            low, high = _finite_quantiles(result.runs[i], band)
            ax.fill_between(budget[i], low, high, color=line.get_color(), alpha=0.2, lw=0)
    ylim = sweep_ylim(result.runs if n_seeds > 1 and band is not None else result.valid_rmse)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel(BUDGETS[x])
    ax.set_ylabel("Validation RMSE" + (f" (mean of {n_seeds} seeds)" if n_seeds > 1 else ""))
    title = "Configuration"
    if n_seeds > 1 and band is not None:
        title += f"\nband: {band[0]:.0%}-{band[1]:.0%} of runs"
    ax.legend(title=title)
    return ax


def plot_rosenbrock(
    ax: Axes | None = None,
    *,
    xlim: tuple[float, float] = (-2.0, 2.0),
    ylim: tuple[float, float] = (-1.0, 3.0),
    resolution: int = 400,
    cmap: str = "viridis",
) -> Axes:
    """Draw filled contours of :func:`rosenbrock`, darker where it is lower.

    The exercise's picture: a 400 x 400 grid over x in [-2, 2] and y in [-1, 3], with
    the level breaks :data:`~optimlab.rosenbrock.ROSENBROCK_LEVELS`, no legend.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when ``None``.
    xlim, ylim : (float, float)
        The region drawn.
    resolution : int, default=400
        Grid points per axis.
    cmap : str, default="viridis"
        A colormap that is dark at its low end.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from optimlab import plot_rosenbrock
    >>> ax = plot_rosenbrock(resolution=50)
    >>> tuple(map(float, ax.get_xlim())), tuple(map(float, ax.get_ylim()))
    ((-2.0, 2.0), (-1.0, 3.0))
    """
    from matplotlib.colors import BoundaryNorm

    ax = _axes(ax)
    x, y = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    z = rosenbrock(x, y)
    # Keep the breaks up to the first one above the data, one colour per band between
    # them (as ggplot's filled contours do), so the low bands stay distinguishable.
    n_levels = int(np.searchsorted(ROSENBROCK_LEVELS, z.max())) + 1
    levels = ROSENBROCK_LEVELS[: max(n_levels, 2)]
    ax.contourf(x, y, z, levels=levels, cmap=cmap, norm=BoundaryNorm(levels, 256))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return ax


def plot_path(
    trajectory: Trajectory,
    ax: Axes | None = None,
    *,
    color: str = "red",
    label: str | None = None,
    show_ends: bool = True,
) -> Axes:
    """Draw an optimization path, by default in red over :func:`plot_rosenbrock`.

    Parameters
    ----------
    trajectory : Trajectory
        From :func:`optimize_rosenbrock`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; when ``None``, a new :func:`plot_rosenbrock` figure.
    color : str, default="red"
    label : str, optional
        Legend label of the path.
    show_ends : bool, default=True
        Mark the start (circle) and the end (cross).

    Returns
    -------
    matplotlib.axes.Axes
        The path is the last line in ``ax.get_lines()`` when ``show_ends`` is false.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from optimlab import optimize_rosenbrock, plot_path
    >>> ax = plot_path(optimize_rosenbrock(10, lr=0.01, beta=0.9), show_ends=False)
    >>> len(ax.get_lines()[0].get_xdata())
    11
    """
    if ax is None:
        ax = plot_rosenbrock()
    ax.plot(trajectory.x, trajectory.y, color=color, label=label)
    if show_ends:
        ax.plot(trajectory.x[0], trajectory.y[0], "o", color=color, markersize=5)
        ax.plot(trajectory.x[-1], trajectory.y[-1], "x", color=color, markersize=7)
    return ax

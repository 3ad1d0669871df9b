"""Landscape figures: Rosenbrock contours, paths on them, decay points, the momentum map."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import check_positive_finite
from ..landscape import MINIMUM, ROSENBROCK_LEVELS, rosenbrock
from ..momentum import stable_lr_limit
from ..rosenbrock_runs import MomentumMap, Trajectory
from ..weight_decay import DecayPoint
from ._common import axes_or_new

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_decay_points", "plot_momentum_map", "plot_path", "plot_rosenbrock"]

#: The exercise's setting, marked on the momentum map.
SEED_SETTING = (0.01, 0.9)

# One marker, one meaning, on every figure of the site: a path's start a white circle, its
# end (in an animation: where the point is now) a square in its colour, the minimum a gold
# star, a weight-decay end point a diamond (AdamW's limit point: a hexagon), a setting on
# the momentum map a filled plus. (_sweep and _compare: a filled dot one seed's run, an
# upward triangle on the top edge a diverged run, a ring the tuned pick.)
_EDGED: dict[str, Any] = {"markeredgecolor": "black", "linestyle": "none", "zorder": 3}
START_MARKER = {"marker": "o", "markersize": 6, "color": "white", **_EDGED}
END_MARKER = {"marker": "s", "markersize": 6, **_EDGED}
MINIMUM_MARKER = {
    **_EDGED, "marker": "*", "markersize": 15, "color": "gold", "zorder": 2.5,
    "label": "minimum (1, 1)",
}  # fmt: skip
SETTING_MARKER = {"marker": "P", "markersize": 11, **_EDGED}
DECAY_MARKER = "D"
#: Colour-bar ticks, those of them inside the levels drawn.
_COLORBAR_TICKS = (0, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)


def plot_rosenbrock(
    ax: Axes | None = None,
    *,
    xlim: tuple[float, float] = (-2.0, 2.0),
    ylim: tuple[float, float] = (-1.0, 3.0),
    resolution: int = 400,
    cmap: str = "viridis",
    colorbar: bool = True,
    mark_minimum: bool = False,
) -> Axes:
    """Draw filled contours of :func:`~optimlab.rosenbrock`, darker where it is lower.

    The exercise's picture, with its uneven level breaks
    ``optimlab.landscape.ROSENBROCK_LEVELS``: the colour bar gives each band an equal
    slot, ticked at round values.

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
    colorbar : bool, default=True
        Add a colour bar, labelled "f(x, y)", taking its room from ``ax``.
    mark_minimum : bool, default=False
        Mark the minimum (1, 1) with a gold star, labelled "minimum (1, 1)".

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from optimlab import plot_rosenbrock
    >>> ax = plot_rosenbrock(resolution=50, mark_minimum=True)
    >>> tuple(map(float, ax.get_xlim())), tuple(map(float, ax.get_ylim()))
    ((-2.0, 2.0), (-1.0, 3.0))
    >>> [line.get_label() for line in ax.get_lines()]
    ['minimum (1, 1)']
    >>> len(ax.figure.axes)  # the contours and their colour bar
    2
    """
    from matplotlib.colors import BoundaryNorm

    ax = axes_or_new(ax)
    x, y = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    z = rosenbrock(x, y)
    # The breaks up to the first above the data, one colour per band (as ggplot's filled
    # contours do), so that the low bands stay distinguishable.
    n_levels = int(np.searchsorted(ROSENBROCK_LEVELS, z.max())) + 1
    levels = ROSENBROCK_LEVELS[: max(n_levels, 2)]
    contours = ax.contourf(x, y, z, levels=levels, cmap=cmap, norm=BoundaryNorm(levels, 256))
    if colorbar:
        bar = ax.figure.colorbar(contours, ax=ax, spacing="uniform", label="f(x, y)")
        ticks = [tick for tick in _COLORBAR_TICKS if levels[0] <= tick <= levels[-1]]
        bar.set_ticks(ticks, labels=[f"{tick:g}" for tick in ticks])
    if mark_minimum:
        ax.plot(*MINIMUM, **MINIMUM_MARKER)
    ax.set(xlim=xlim, ylim=ylim, xlabel="x", ylabel="y")
    return ax


def plot_path(
    trajectory: Trajectory,
    ax: Axes | None = None,
    *,
    color: str = "red",
    label: str | None = None,
    show_ends: bool = True,
) -> Axes:
    """Draw an optimization path, by default in red over :func:`~optimlab.plot_rosenbrock`.

    Parameters
    ----------
    trajectory : Trajectory
        From :func:`~optimlab.rosenbrock_path`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; when ``None``, a new :func:`~optimlab.plot_rosenbrock` figure.
    color : str, default="red"
    label : str, optional
        Legend label of the path.
    show_ends : bool, default=True
        Mark the start (a white circle) and the end (a square filled with ``color``); the
        first path drawn on ``ax`` labels them "start" and "end" in the legend.

    Returns
    -------
    matplotlib.axes.Axes
        The path is the last line in ``ax.get_lines()``, or followed by its two markers.

    Examples
    --------
    >>> from optimlab import plot_path, rosenbrock_path
    >>> ax = plot_path(rosenbrock_path("momentum", 0.01, 10, momentum=0.9), show_ends=False)
    >>> len(ax.get_lines()[0].get_xdata())
    11
    """
    ax = plot_rosenbrock() if ax is None else ax
    ax.plot(trajectory.x, trajectory.y, color=color, label=label)
    if show_ends:
        labelled = {line.get_label() for line in ax.get_lines()}
        ends = [(0, "start", START_MARKER), (-1, "end", {"color": color, **END_MARKER})]
        for i, name, style in ends:
            ax.plot(trajectory.x[i], trajectory.y[i], **style,
                    label=f"_{name}" if name in labelled else name)  # fmt: skip
    return ax


def plot_decay_points(
    points: Iterable[DecayPoint],
    ax: Axes | None = None,
    *,
    marker: str = DECAY_MARKER,
    color: str = "white",
    label: str | None = None,
    annotate: bool = True,
) -> Axes:
    """Mark weight-decay end points on the Rosenbrock contours, each labelled with its f.

    The points come from :func:`~optimlab.l2_minimiser`,
    :func:`~optimlab.momentum_fixed_point` or :func:`~optimlab.adamw_limit_point`.

    Parameters
    ----------
    points : iterable of DecayPoint
    ax : matplotlib.axes.Axes, optional
        Where to draw; when ``None``, a new :func:`~optimlab.plot_rosenbrock` figure.
    marker : str, default="D"
        A diamond; other shapes have a meaning on every figure (``START_MARKER``, ...).
    color : str, default="white"
        Light, to stand out on the dark valley.
    label : str, optional
        Legend label of the markers.
    annotate : bool, default=True
        Write ``lambda = ..., f = ...`` next to each point.

    Returns
    -------
    matplotlib.axes.Axes
        The markers are the last line in ``ax.get_lines()``, in the order given.

    Examples
    --------
    >>> from optimlab.plotting import plot_decay_points
    >>> from optimlab.weight_decay import l2_minimiser
    >>> ax = plot_decay_points([l2_minimiser(lam) for lam in (0.0, 0.5, 2.0)], annotate=False)
    >>> len(ax.get_lines()[-1].get_xdata())
    3
    """
    points = list(points)
    if not all(isinstance(point, DecayPoint) for point in points):
        raise TypeError(f"points must be DecayPoint objects, got {points!r}")
    ax = plot_rosenbrock() if ax is None else ax
    xs, ys = [point.x for point in points], [point.y for point in points]
    ax.plot(xs, ys, **{**_EDGED, "marker": marker, "color": color, "label": label})
    for point in points if annotate else []:
        text = f"λ = {point.weight_decay:g}, f = {point.value:.3g}"
        ax.annotate(text, (point.x, point.y), xytext=(6, -10), textcoords="offset points",
                    color=color, fontsize="small")  # fmt: skip
    return ax


def _edges(centres: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges halfway between centres (geometrically when ``log``)."""
    values = np.log(centres) if log else centres
    if values.size == 1:  # a single cell: half a unit (a factor 2 in log) either side
        half = np.log(2.0) if log else 0.5
        edges = np.array([values[0] - half, values[0] + half])
    else:
        inner = (values[:-1] + values[1:]) / 2
        edges = np.concatenate([[2 * values[0] - inner[0]], inner, [2 * values[-1] - inner[-1]]])
    return np.exp(edges) if log else edges


def plot_momentum_map(
    result: MomentumMap,
    ax: Axes | None = None,
    *,
    quantity: str = "final_value",
    mark: tuple[float, float] | None = SEED_SETTING,
    cmap: str = "viridis",
    colorbar: bool = True,
    curvature: float | None = None,
) -> Axes:
    """Draw a :class:`~optimlab.MomentumMap`: lr (log scale) across, momentum up, diverged red.

    Parameters
    ----------
    result : MomentumMap
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when ``None``.
    quantity : {"final_value", "steps_to_tol"}, default="final_value"
        The colour: the final value (log scale, floored at 1e-12), or the steps to reach
        ``tol`` for good (cells above ``tol`` after the last step in grey).
    mark : (float, float) or None, default=(0.01, 0.9)
        An (lr, momentum) to mark with a white filled plus, the exercise's by default.
    cmap : str, default="viridis"
        A colormap without red, so that divergence stays distinct.
    colorbar : bool, default=True
        Add a colour bar to the figure.
    curvature : float, optional
        Draw :func:`optimlab.momentum.stable_lr_limit` at each momentum for this
        curvature, dashed: to its right a run cannot settle at a minimum whose largest
        Hessian eigenvalue is ``curvature``.

    Returns
    -------
    matplotlib.axes.Axes
        Its legend names "diverged", the grey cells, the limit and the mark.

    Raises
    ------
    TypeError, ValueError
        If ``quantity`` is not one of the two names, or ``curvature`` not positive.

    Examples
    --------
    >>> from optimlab import momentum_map
    >>> from optimlab.plotting import plot_momentum_map
    >>> ax = plot_momentum_map(momentum_map([0.01, 0.1, 1.0], [0.0, 0.9], steps=50))
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['diverged', 'lr = 0.01, beta = 0.9']
    >>> ax = plot_momentum_map(momentum_map([0.01, 0.1], [0.0, 0.9], steps=50), curvature=21.6)
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['diverged', 'stability limit, h = 21.6', 'lr = 0.01, beta = 0.9']
    """
    from matplotlib import patheffects
    from matplotlib.colors import ListedColormap, LogNorm
    from matplotlib.patches import Patch

    if quantity not in ("final_value", "steps_to_tol"):
        raise ValueError(f"quantity must be 'final_value' or 'steps_to_tol', got {quantity!r}")
    if curvature is not None:
        curvature = check_positive_finite("curvature", curvature)
    ax = axes_or_new(ax)
    # pcolormesh wants (rows = momentum, columns = lr).
    lr_edges, momentum_edges = _edges(result.lrs, log=True), _edges(result.momenta, log=False)
    diverged = result.diverged.T
    handles: list[Any] = [Patch(color="tab:red", label="diverged")]

    def fill(cells: np.ndarray, colour: str) -> None:
        ones = np.ma.masked_where(~cells, np.ones(cells.shape))
        ax.pcolormesh(lr_edges, momentum_edges, ones, cmap=ListedColormap([colour]))

    if quantity == "final_value":
        value = np.ma.masked_where(diverged, np.maximum(result.final_value.T, 1e-12))
        mesh = ax.pcolormesh(lr_edges, momentum_edges, value, cmap=cmap, norm=LogNorm())
        label = f"f after {result.steps} steps"
    else:
        never = (result.steps_to_tol.T < 0) & ~diverged
        value = np.ma.masked_where(never | diverged, result.steps_to_tol.T)
        mesh = ax.pcolormesh(lr_edges, momentum_edges, value, cmap=cmap)
        fill(never, "lightgrey")
        handles.append(Patch(color="lightgrey", label=f"f > {result.tol:g} at the end"))
        label = f"steps to f ≤ {result.tol:g}"
    fill(diverged, "tab:red")
    if curvature is not None:
        betas = np.linspace(momentum_edges[0], momentum_edges[-1], 200)
        betas = betas[(betas >= 0) & (betas < 1)]
        limit = [stable_lr_limit(float(beta), curvature) for beta in betas]
        edge = [patheffects.Stroke(linewidth=3.5, foreground="black"), patheffects.Normal()]
        name = f"stability limit, h = {curvature:.3g}"
        (line,) = ax.plot(limit, betas, color="white", linestyle="--", linewidth=1.8,
                          path_effects=edge, label=name)  # fmt: skip
        handles.append(line)
    if mark is not None:
        (setting,) = ax.plot(
            *mark, color="white", **SETTING_MARKER, label=f"lr = {mark[0]:g}, beta = {mark[1]:g}"
        )
        handles.append(setting)
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=label)
    ax.set(xscale="log", xlim=(lr_edges[0], lr_edges[-1]), xlabel="Learning rate (lr)",
           ylabel="Momentum (beta)")  # fmt: skip
    ax.legend(handles=handles, loc="lower left", fontsize="small")
    return ax

"""Sweep figures: the median curve of each value with a band across seeds, and every final.

Both can draw a *yardstick*, the validation RMSE of predicting the training mean
(:func:`~optimlab.baseline_rmse`): a network that does not beat it has learned nothing
about the inputs.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import (
    brief,
    check_choice,
    check_nonnegative_int,
    check_positive_finite,
    check_quantiles,
)
from ..metrics import quantiles_finite
from ..results import BUDGETS, METRIC_LABELS, InputComparison, SweepResult
from ._common import axes_or_new, check_type

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_finals", "plot_inputs", "plot_sweep", "sweep_ylim"]

#: What the yardstick is, in the legend.
YARDSTICK_LABEL = "predicting the training mean"
_YARDSTICK_STYLE: dict[str, Any] = {"color": "0.45", "linestyle": "--", "linewidth": 1.2}
#: Hatches of the bands, one per value in turn: where two bands overlap, both show (colour
#: alone does not tell them apart: their blend is a third colour, and some readers see none).
HATCHES = ("//", "\\\\", "..", "||", "--", "xx")


def sweep_ylim(
    curves: Any,
    *,
    yardstick: float | None = None,
    skip: int = 1,
    quantile: float = 0.9,
    margin: float = 0.05,
    contain: float | None = None,
) -> tuple[float, float] | None:
    """A y-range for sweep curves that an early spike does not flatten.

    From the smallest finite value to the largest, over the curves, of each curve's
    ``quantile`` after its first ``skip`` epochs: one early spike (an untrained network's
    first epoch, one seed's blow-up) then lies above the figure instead of squeezing the
    other curves into its bottom. Both ends then move out by ``margin`` times the span.

    Parameters
    ----------
    curves : array_like
        Shape ``(..., epochs)``: every curve drawn (medians, band edges); inf and NaN are
        ignored.
    yardstick : float, optional
        A level that must be inside the range.
    skip : int, default=1
        Leading epochs left out of the upper limit (none if a curve is no longer).
    quantile : float, default=0.9
        Quantile of each curve that the upper limit reaches, in (0, 1].
    margin : float, default=0.05
        Fraction of the span added below and above, in [0, 1].
    contain : float, optional
        At least 1: keep every finite value inside when that at most multiplies the
        height by ``contain``, so that a band wide in its first epochs shows whole while
        a far spike stays off. ``None``: always the quantile limit.

    Returns
    -------
    (float, float) or None
        ``None`` when there are fewer than two distinct levels to show.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from optimlab.plotting import sweep_ylim
    >>> curves = np.array([[50.0, 0.6, 0.5, 0.4], [0.9, 0.8, 0.7, 0.6]])  # a spike at epoch 1
    >>> low, high = sweep_ylim(curves, quantile=1.0, margin=0.0)
    >>> float(low), float(high)
    (0.4, 0.8)
    >>> float(sweep_ylim(curves, yardstick=1.0, quantile=1.0, margin=0.0)[1])
    1.0
    >>> curves = np.array([[1.2, 0.6, 0.5, 0.4], [0.9, 0.8, 0.7, 0.6]])  # a wide start
    >>> float(sweep_ylim(curves, quantile=1.0, margin=0.0, contain=2.0)[1])
    1.2
    """
    try:
        curves = np.asarray(curves, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"curves must be an array of numbers, got {brief(curves)}") from error
    if curves.ndim == 0 or curves.shape[-1] == 0:
        raise ValueError(
            f"curves must have shape (..., epochs) with epochs >= 1, got {curves.shape}"
        )
    if yardstick is not None:
        yardstick = check_positive_finite("yardstick", yardstick)
    skip = check_nonnegative_int("skip", skip)
    quantile = _fraction("quantile", quantile, "(0, 1]", lambda q: 0 < q <= 1)
    margin = _fraction("margin", margin, "[0, 1]", lambda m: 0 <= m <= 1)
    if contain is not None:
        contain = check_positive_finite("contain", contain)
        if contain < 1:
            raise ValueError(f"contain must be a number >= 1, got {contain!r}")
    flat = curves.reshape(-1, curves.shape[-1])
    finite = flat[np.isfinite(flat)]
    levels = [] if yardstick is None else [yardstick]
    if finite.size:
        levels.append(float(finite.min()))
    if not levels:
        return None
    lower = min(levels)
    tops = list(levels)
    for curve in flat:
        tail = curve[skip:] if curve.size > skip else curve
        tail = tail[np.isfinite(tail)]
        if tail.size == 0:  # the curve is finite only in its first epochs
            tail = curve[np.isfinite(curve)]
        if tail.size:
            tops.append(float(np.quantile(tail, quantile)))
    upper = max(tops)
    if contain is not None and finite.size and upper > lower:
        peak = float(finite.max())
        if peak <= lower + contain * (upper - lower):
            upper = max(upper, peak)
    if not upper > lower:
        return None
    pad = margin * (upper - lower)
    return float(lower - pad), float(upper + pad)


def _fraction(name: str, value: object, rule: str, ok: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in {rule}, got {brief(value)}")
    if not ok(float(value)):
        raise ValueError(f"{name} must be a number in {rule}, got {value!r}")
    return float(value)


def plot_sweep(
    result: SweepResult,
    ax: Axes | None = None,
    *,
    x: str = "epoch",
    band: tuple[float, float] | None = (0.1, 0.9),
    yardstick: Any = "auto",
    metric: str | None = None,
) -> Axes:
    """Draw one validation curve per value of a sweep, in the order given.

    With several seeds each curve is their median (:attr:`optimlab.SweepResult.curves`)
    within a band between the ``band`` quantiles of the runs, hatched in a pattern of
    its own so that overlapping bands stay apart; the legend's title says so ("median of
    10 seeds, band 10-90%"). Value ``i`` is drawn in colour ``C{i}``, as in
    :func:`plot_finals`; diverged points are left out. The y-range is
    :func:`sweep_ylim` of the medians, band edges and yardstick with ``contain=3``: a
    spike that would make the figure three times as high runs off the top, and the
    legend's title says what, how high and where.

    Parameters
    ----------
    result : SweepResult
        From :func:`~optimlab.compare_configs`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when ``None``. The legend sits below the axes: in a
        figure of your own, a layout engine (``layout="constrained"`` or
        ``fig.tight_layout()``) keeps it inside.
    x : {"epoch", "step", "sample", "time"}, default="epoch"
        The budget on the x-axis (:meth:`optimlab.SweepResult.budget`).
    band : (float, float) or None, default=(0.1, 0.9)
        Lower and upper quantile of the band across seeds; ``None`` draws no band.
    yardstick : "auto", float, array_like or None, default="auto"
        The RMSE of predicting the training mean, drawn as a dashed grey line labelled
        with its value: one value, or one per seed (their median is drawn). ``"auto"``:
        the result's own ``yardsticks``, if any; ``None``: none.
    metric : str, optional
        The result's own ``metric`` (the default), or ``"valid_accuracy"`` for a
        classification result.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.get_lines()`` holds one line per value, then the yardstick's if drawn;
        ``ax.collections`` the bands.

    Raises
    ------
    TypeError, ValueError
        If ``result``, ``x``, ``band`` or ``yardstick`` is of the wrong type or value
        (``yardstick`` must be positive and finite, one value or one per seed).

    See Also
    --------
    plot_finals : every seed's final RMSE, one dot per run.

    Examples
    --------
    >>> from optimlab import compare_configs
    >>> ax = compare_configs(epochs=2, lr=[0.1, 0.2]).plot(yardstick=0.303)
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['lr = 0.1', 'lr = 0.2', 'predicting the training mean (0.303)']
    """
    from matplotlib import patheffects
    from matplotlib.colors import to_rgba

    check_type("result", result, SweepResult)
    budget = result.budget(x)
    if band is not None:
        band = check_quantiles("band", band)
    level, label, _ = _yardstick(result, yardstick)
    metric = result.metric if metric is None else metric
    runs, curves = result.runs_of(metric), result.curves_of(metric)
    ax = axes_or_new(ax)
    n_seeds = len(result.seeds)
    banded = n_seeds > 1 and band is not None
    drawn = [curves]
    handles: list[Any] = []
    # A white edge keeps each median readable over the hatches of the bands.
    edge = [patheffects.Stroke(linewidth=3, foreground="white"), patheffects.Normal()]
    for i, (name, curve) in enumerate(zip(result.labels, curves, strict=True)):
        finite = np.where(np.isfinite(curve), curve, np.nan)
        (line,) = ax.plot(budget[i], finite, color=f"C{i}", label=name, zorder=3,
                          path_effects=edge)  # fmt: skip
        if banded:
            low, high = quantiles_finite(runs[i], band)  # type: ignore[arg-type]
            patch = ax.fill_between(budget[i], low, high, facecolor=to_rgba(f"C{i}", 0.12),
                                    edgecolor=to_rgba(f"C{i}", 0.5), linewidth=0.0,
                                    hatch=HATCHES[i % len(HATCHES)])  # fmt: skip
            drawn.append(np.stack([low, high]))
            handles.append((patch, line))
        else:
            handles.append(line)
    labels = list(result.labels)
    if level is not None:
        handles.append(ax.axhline(level, label=label, **_YARDSTICK_STYLE))
        labels.append(label)
    drawn_curves = np.concatenate([d.reshape(-1, result.epochs) for d in drawn])
    ylim = sweep_ylim(drawn_curves, yardstick=level, contain=3.0)
    note = None
    if ylim is not None:
        ax.set_ylim(*ylim)
        note = _clipped(drawn_curves, budget, result.labels, ylim[1], banded, x)
    ax.set_xlabel(BUDGETS[x])
    ax.set_ylabel(METRIC_LABELS[metric])
    title = "Configuration"
    if n_seeds > 1:
        title = f"median of {n_seeds} seeds"
        if banded:
            title += f", band {band[0] * 100:.0f}-{band[1] * 100:.0f}%"  # type: ignore[index]
    title = _with_inputs(title, result)
    _legend_below(ax, title if note is None else f"{title}\n{note}", handles, labels)
    return ax


def _clipped(
    curves: np.ndarray, budget: Any, labels: Any, top: float, banded: bool, x: str
) -> str | None:
    """What runs off the top, if anything: which curve, how high, and where."""
    above = np.where(np.isfinite(curves), curves, -np.inf)
    if not (above > top).any():
        return None
    row, col = np.unravel_index(int(np.argmax(above)), above.shape)
    n_values = len(labels)
    # curves: the medians (one row per value), then each band's low and high edge.
    value = row if row < n_values else (row - n_values) // 2
    what = "median" if row < n_values or not banded else "band"
    where = np.asarray(budget[value])[col]
    return (f"\u2191 off the top: {labels[value]}'s {what},\n"
            f"up to {above[row, col]:.3g} ({x} {where:g})")  # fmt: skip


def plot_finals(result: SweepResult, ax: Axes | None = None, *, yardstick: Any = "auto") -> Axes:
    """Draw every run's final validation RMSE as a dot, one column per value.

    Column ``i`` holds value ``i``'s runs in colour ``C{i}`` (as in ``plot_sweep``),
    with a black bar at their median; seed ``k`` sits at the same small offset in every
    column, so that it can be followed. Diverged runs are triangles on the top edge. A
    yardstick per seed is a grey tick beside each dot: a dot above its tick ended worse
    than predicting its training mean.

    Parameters
    ----------
    result : SweepResult
        From :func:`~optimlab.compare_configs`.
    ax : matplotlib.axes.Axes, optional
        Where to draw, as in ``plot_sweep``.
    yardstick : "auto", float, array_like or None, default="auto"
        The RMSE of predicting the training mean (:func:`~optimlab.baseline_rmse`): one
        value, drawn as a dashed line, or one per seed (in the order of ``result.seeds``),
        drawn as ticks. ``"auto"``: the result's own ``yardsticks``; ``None``: none.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.get_lines()`` holds, in order: one line of dots per value, one median bar
        per value, then the yardstick (one line, or one line of ticks per value) and the
        diverged markers if any.

    Raises
    ------
    TypeError, ValueError
        If ``result`` or ``yardstick`` is of the wrong type or value.

    Examples
    --------
    >>> from optimlab import compare_configs
    >>> from optimlab.plotting import plot_finals
    >>> result = compare_configs(epochs=2, lr=[0.1, 0.01], seeds=3)
    >>> ax = plot_finals(result, yardstick=[0.30, 0.31, 0.29])
    >>> [tick.get_text() for tick in ax.get_xticklabels()], ax.get_xlabel()
    (['0.1', '0.01'], 'lr')
    >>> [len(line.get_xdata()) for line in ax.get_lines()[:2]]  # one dot per seed
    [3, 3]
    """
    check_type("result", result, SweepResult)
    level, label, per_seed = _yardstick(result, yardstick)
    n_values, n_seeds = result.final.shape
    ax = axes_or_new(ax)
    width = 0.3
    offsets = np.linspace(-width / 2, width / 2, n_seeds) if n_seeds > 1 else np.zeros(1)
    final = np.asarray(result.final, dtype=float)
    ok = np.isfinite(final)
    for i in range(n_values):
        ax.plot(i + offsets[ok[i]], final[i, ok[i]], "o", color=f"C{i}", markersize=5,
                alpha=0.8, label="each seed's run" if i == 0 else "_dots", zorder=3)  # fmt: skip
    for i in range(n_values):
        median = np.median(final[i, ok[i]]) if ok[i].any() else np.nan
        ax.plot([i - width, i + width], [median, median], color="black", linewidth=2,
                label="median of the seeds" if i == 0 else "_median")  # fmt: skip
    levels = final[ok]
    if per_seed is not None:
        for i in range(n_values):
            tick_label = f"{YARDSTICK_LABEL}, each seed" if i == 0 else "_yard"
            ax.plot(i + offsets, per_seed, "_", color="0.3", markersize=9, markeredgewidth=1.5,
                    label=tick_label, zorder=1)  # fmt: skip
        levels = np.concatenate([levels, per_seed])
    elif level is not None:
        ax.axhline(level, label=label, **_YARDSTICK_STYLE)
        levels = np.append(levels, level)
    ylim = sweep_ylim(levels[None, :], skip=0, quantile=1.0, margin=0.08)
    if ylim is None:
        centre = levels[0] if levels.size else 1.0
        ylim = (centre - 0.05 * abs(centre) - 0.01, centre + 0.05 * abs(centre) + 0.01)
    ax.set_ylim(*ylim)
    if not ok.all():
        rows, cols = np.nonzero(~ok)
        ax.plot(rows + offsets[cols], np.full(rows.size, ylim[1]), "^", color="black",
                clip_on=False, label="diverged (inf or NaN)")  # fmt: skip
    ax.set_xticks(range(n_values), [str(value) for value in result.values])
    ax.set_xlim(-0.6, n_values - 0.4)
    ax.set_xlabel(result.param)
    ax.set_ylabel(f"Validation RMSE after epoch {result.epochs}")
    _legend_below(ax, _with_inputs(f"{n_seeds} seed{'s' if n_seeds > 1 else ''}", result))
    return ax


def _legend_below(
    ax: Axes, title: str, handles: list[Any] | None = None, labels: list[str] | None = None
) -> None:
    """A legend under the axes, where it hides no curve and leaves the width to the data."""
    from matplotlib import rcParams
    from matplotlib.transforms import offset_copy

    if handles is None or labels is None:
        handles, labels = ax.get_legend_handles_labels()
    # One column where a label is long (the yardstick's), so that the legend stays as wide
    # as the figure when its type is large (a phone's figures).
    ncols = 2 if max(map(len, labels), default=0) <= 20 else 1
    # Below the tick labels and the x label, whatever the axes' height and the type size.
    drop = -(2.6 * rcParams["font.size"] + 8)
    below = offset_copy(ax.transAxes, fig=ax.get_figure(root=True), y=drop, units="points")
    ax.legend(handles, labels, title=title, fontsize="small", title_fontsize="small",
              frameon=False, loc="upper center", bbox_to_anchor=(0.5, 0),
              bbox_transform=below, ncols=ncols, labelspacing=0.3)  # fmt: skip


def _with_inputs(title: str, result: SweepResult) -> str:
    """The legend's title, naming the exercise's inputs where the result knows them."""
    return title if result.inputs is None else f"{title}; {result.inputs} inputs"


def _yardstick(result: SweepResult, yardstick: Any) -> tuple[float | None, str, Any]:
    """The level to draw (a median of per-seed values), its label, and the per-seed values."""
    if isinstance(yardstick, str) and yardstick == "auto":
        yardstick = result.yardsticks
    if yardstick is None:
        return None, "", None
    if np.ndim(yardstick) == 0:
        level = check_positive_finite("yardstick", yardstick)
        return level, f"{YARDSTICK_LABEL} ({level:.3f})", None
    n_seeds = len(result.seeds)
    rule = f"a positive finite number or one per seed ({n_seeds} values)"
    try:
        per_seed = np.asarray(yardstick, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"yardstick must be {rule}, got {brief(yardstick)}") from error
    if np.asarray(yardstick).dtype.kind == "b":
        raise TypeError(f"yardstick must be {rule}, got {brief(yardstick)}")
    if per_seed.shape != (n_seeds,):
        raise ValueError(f"yardstick must be {rule}, got shape {per_seed.shape}")
    if not (np.isfinite(per_seed).all() and (per_seed > 0).all()):
        raise ValueError(f"yardstick must be {rule}, got {brief(yardstick)}")
    level = float(np.median(per_seed))
    return level, f"{YARDSTICK_LABEL} (median {level:.3f})", per_seed


def plot_inputs(
    comparison: InputComparison, title: str, worlds: Sequence[str] = ("raw", "standardized")
) -> list[Figure]:
    """One figure per input world: :func:`plot_sweep` above :func:`plot_finals`.

    Parameters
    ----------
    comparison : InputComparison
        From :func:`~optimlab.compare_inputs`.
    title : str
        What is compared; the figures are titled ``"{title}, raw inputs"`` and
        ``"{title}, standardized inputs"``.
    worlds : sequence of {"raw", "standardized"}, default=("raw", "standardized")
        The worlds to draw, in this order: a page can show one and fold the other.

    Returns
    -------
    list of matplotlib.figure.Figure
        One per world of ``worlds``, in order.

    Examples
    --------
    >>> from optimlab import compare_inputs
    >>> figures = compare_inputs(epochs=2, lr=[0.1, 0.01], seeds=2).plot("Learning rate")
    >>> [figure.axes[0].get_title() for figure in figures]
    ['Learning rate, raw inputs', 'Learning rate, standardized inputs']
    """
    check_type("comparison", comparison, InputComparison)
    check_type("title", title, str)
    if isinstance(worlds, str) or not isinstance(worlds, Sequence) or not worlds:
        raise TypeError(f"worlds must be a non-empty list of world names, got {brief(worlds)}")
    for world in worlds:
        check_choice("worlds", world, tuple(comparison))
    if len(set(worlds)) != len(worlds):
        raise ValueError(f"worlds must not repeat a world, got {list(worlds)}")
    import matplotlib.pyplot as plt

    width = plt.rcParams["figure.figsize"][0]  # the style's width, 1.8 times as high
    figures = []
    for world in worlds:
        result = comparison[world]
        figure, (curves, finals) = plt.subplots(
            2, 1, figsize=(width, 1.8 * width), layout="constrained"
        )
        plot_sweep(result, ax=curves)
        curves.set_title(f"{title}, {world} inputs", wrap=True)
        plot_finals(result, ax=finals)
        finals.set_title(f"{world.capitalize()} inputs: every seed after epoch {result.epochs}",
                         wrap=True)  # fmt: skip
        figures.append(figure)
    return figures

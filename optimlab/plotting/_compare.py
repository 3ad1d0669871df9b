"""Optimizer comparisons: tuned curves, tuning scores, range tests, Rosenbrock races."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._validation import check_bool, check_quantiles
from ..landscape import MINIMUM
from ..lr_range import LRRangeResult
from ..metrics import quantiles_finite
from ..rosenbrock_runs import RosenbrockRace
from ..tuning import TunedComparison
from ._common import axes_or_new, check_type
from ._landscape import MINIMUM_MARKER, START_MARKER, plot_rosenbrock
from ._sweep import sweep_ylim

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_lr_range", "plot_race", "plot_race_values", "plot_tuned", "plot_tuning_scores"]


def plot_tuned(
    result: TunedComparison,
    ax: Axes | None = None,
    *,
    band: tuple[float, float] | None = (0.1, 0.9),
    seeds: bool = True,
) -> Axes:
    """Draw each optimizer's held-out curve at its tuned rate: median and quantile band.

    With ``seeds``, each held-out run's final RMSE is also a dot right of the last epoch,
    one column per optimizer, so that counts over seeds can be read off.

    Parameters
    ----------
    result : TunedComparison
        From :func:`~optimlab.compare_optimizers`.
    ax : matplotlib.axes.Axes, optional
    band : (float, float) or None, default=(0.1, 0.9)
        Quantiles of the band over the held-out seeds; ``None``: no band.
    seeds : bool, default=True
        Draw a dot per held-out run at its final RMSE.

    Returns
    -------
    matplotlib.axes.Axes
        One line per optimizer, labelled with its chosen rate (the first lines of
        ``ax.get_lines()``; the dots follow).

    Examples
    --------
    >>> from optimlab.tuning import compare_optimizers
    >>> result = compare_optimizers(["adamw"], [0.01], epochs=2, tuning_seeds=[0],
    ...                             held_out_seeds=[1, 2])
    >>> [t.get_text() for t in result.plot().get_legend().get_texts()]
    ['adamw, lr 0.01']
    """
    check_type("result", result, TunedComparison)
    if band is not None:
        band = check_quantiles("band", band)
    seeds = check_bool("seeds", seeds)
    ax = axes_or_new(ax)
    epochs = np.arange(1, result.epochs + 1)
    colors = []
    for label, curve, sweep in zip(result.labels, result.valid_rmse, result.held_out, strict=True):
        text = f"{label}, lr {result.chosen_lr[label]:g}"
        (line,) = ax.plot(epochs, curve, label=text)
        colors.append(line.get_color())
        if band is not None and len(result.held_out_seeds) > 1:
            low, high = quantiles_finite(sweep.runs[0], band)
            ax.fill_between(epochs, low, high, color=line.get_color(), alpha=0.2, lw=0)
    if seeds:
        step = max(result.epochs, 10) / 40  # a narrow column per optimizer
        for i, (final, color) in enumerate(zip(result.final, colors, strict=True)):
            x = np.full(len(final), result.epochs + step * (i + 1))
            ax.plot(x, final, "o", color=color, ms=3, alpha=0.8, ls="none")
    runs = np.concatenate([sweep.runs[0] for sweep in result.held_out])
    ylim = sweep_ylim(runs)
    if ylim is not None:
        ax.set_ylim(*ylim)
    n = len(result.held_out_seeds)
    ax.set_xlabel("Epoch")
    ax.set_ylabel(f"Validation RMSE (median of {n} held-out seeds)")
    ax.legend(title="Optimizer, tuned lr", fontsize="small")
    return ax


def plot_tuning_scores(result: TunedComparison, ax: Axes | None = None) -> Axes:
    """Draw each optimizer's tuning score against the learning rate, its pick circled.

    The score is the median final validation RMSE over the tuning seeds; a learning rate
    at which the median run diverged is left out.

    Examples
    --------
    >>> from optimlab.plotting import plot_tuning_scores
    >>> from optimlab.tuning import compare_optimizers
    >>> result = compare_optimizers(["adamw"], [0.01, 0.1], epochs=2, tuning_seeds=[0],
    ...                             held_out_seeds=[1])
    >>> plot_tuning_scores(result).get_xscale()
    'log'
    """
    check_type("result", result, TunedComparison)
    ax = axes_or_new(ax)
    lrs = np.array(result.lrs)
    for label, scores in zip(result.labels, result.tuning_scores, strict=True):
        shown = np.where(np.isfinite(scores), scores, np.nan)
        (line,) = ax.plot(lrs, shown, "o-", label=label, markersize=4)
        best = result.chosen_lr[label]
        ax.plot(best, shown[result.lrs.index(best)], "o", ms=11, mfc="none",
                color=line.get_color())  # fmt: skip
    ylim = sweep_ylim(result.tuning_scores)
    if ylim is not None:
        ax.set_ylim(ylim[0] * 0.95, ylim[1] * 1.05)
    ax.set_xscale("log")
    ax.set_xlabel("Learning rate")
    ax.set_ylabel(f"Median final RMSE, {len(result.tuning_seeds)} tuning seeds")
    ax.legend(title="Optimizer (circle: pick)", fontsize="small")
    return ax


def plot_lr_range(
    result: LRRangeResult,
    ax: Axes | None = None,
    *,
    band: tuple[float, float] = (0.1, 0.9),
) -> Axes:
    """Draw a range test over seeds: median smoothed loss, band, and each seed's suggestion.

    Each seed's suggested rate is a short vertical tick at the bottom of the axes; the
    median suggestion a dashed line.

    Examples
    --------
    >>> from optimlab.lr_range import lr_range_test
    >>> ax = lr_range_test("sgd", lr_min=1e-4, lr_max=0.1, steps=20, seeds=2).plot()
    >>> ax.get_xscale(), ax.get_yscale()
    ('log', 'log')
    """
    check_type("result", result, LRRangeResult)
    band = check_quantiles("band", band)
    ax = axes_or_new(ax)
    (line,) = ax.plot(result.lrs, result.median_smoothed, label=f"{result.optimizer}, median")
    color = line.get_color()
    if len(result.seeds) > 1:
        low, high = quantiles_finite(result.smoothed, band)
        ax.fill_between(result.lrs, low, high, color=color, alpha=0.2, lw=0,
                        label=f"{band[0]:g}-{band[1]:g} quantiles")  # fmt: skip
    transform = ax.get_xaxis_transform()  # x in data, y in axes coordinates
    ax.vlines(result.suggested, 0, 0.08, transform=transform, color=color, lw=1.5)
    ax.axvline(float(np.median(result.suggested)), color=color, ls="--", lw=1,
               label=f"median suggestion ({result.rule})")  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("Learning rate (one mini-batch step each)")
    ax.set_ylabel("Training loss (smoothed)")
    ax.legend(fontsize="small")
    return ax


def plot_race(race: RosenbrockRace, ax: Axes | None = None) -> Axes:
    """Overlay each optimizer's path at its tuned rate on the Rosenbrock contours.

    Path ``i`` has the colour ``"Ci"``, as in :func:`plot_race_values`; the site's
    markers show the start and the minimum.

    Examples
    --------
    >>> from optimlab import race_rosenbrock
    >>> ax = race_rosenbrock(["sgd", "adam"], [0.01, 0.1], steps=20).plot()
    >>> len(ax.get_lines()) >= 2
    True
    """
    from matplotlib import patheffects

    check_type("race", race, RosenbrockRace)
    if ax is None:
        ax = plot_rosenbrock(resolution=200)
    # A white edge shows each path on dark and light contours.
    edge = [patheffects.Stroke(linewidth=2.6, foreground="white"), patheffects.Normal()]
    for i, (label, path) in enumerate(race.paths.items()):
        ax.plot(path.x, path.y, color=f"C{i % 10}", lw=1.3, path_effects=edge,
                label=f"{label}, lr {race.chosen_lr[label]:g}")  # fmt: skip
    first = race.paths[race.labels[0]]
    ax.plot(first.x[0], first.y[0], **START_MARKER, label="start")
    ax.plot(*MINIMUM, **MINIMUM_MARKER)
    ax.set_xlim(-2, 2)
    ax.set_ylim(-1, 3)
    ax.legend(fontsize="small", loc="upper right")
    return ax


def plot_race_values(race: RosenbrockRace, ax: Axes | None = None) -> Axes:
    """Draw :math:`f` against the step for each optimizer at its tuned rate (log scale).

    Examples
    --------
    >>> from optimlab.plotting import plot_race_values
    >>> from optimlab import race_rosenbrock
    >>> plot_race_values(race_rosenbrock(["sgd"], [0.01], steps=20)).get_yscale()
    'log'
    """
    check_type("race", race, RosenbrockRace)
    ax = axes_or_new(ax)
    for i, (label, path) in enumerate(race.paths.items()):
        ax.plot(np.maximum(path.value, 1e-12), color=f"C{i % 10}",
                label=f"{label}, lr {race.chosen_lr[label]:g}")  # fmt: skip
    ax.set_yscale("log")
    ax.set_xlabel("Step")
    ax.set_ylabel("f (floored at 1e-12)")
    ax.legend(fontsize="small")
    return ax

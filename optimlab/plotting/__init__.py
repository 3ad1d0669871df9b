"""Every figure of optimlab, and the only part of it that imports matplotlib (and plotly).

Each function takes ``ax=None`` (a new figure when ``None``), draws, and returns the axes;
none calls ``plt.show()``. The results' ``.plot()`` methods import this package lazily,
so ``import optimlab`` does not import matplotlib. :func:`interactive_paths` draws with
plotly, imported only when it is called.
"""

from ._compare import (
    plot_lr_range,
    plot_race,
    plot_race_values,
    plot_tuned,
    plot_tuning_scores,
)
from ._files import figure_formats, save_sweep_figure
from ._interactive import InteractiveFigure, interactive_paths
from ._landscape import plot_decay_points, plot_momentum_map, plot_path, plot_rosenbrock
from ._sweep import plot_finals, plot_inputs, plot_sweep, sweep_ylim

__all__ = [
    "InteractiveFigure",
    "figure_formats",
    "interactive_paths",
    "plot_decay_points",
    "plot_finals",
    "plot_inputs",
    "plot_lr_range",
    "plot_momentum_map",
    "plot_path",
    "plot_race",
    "plot_race_values",
    "plot_rosenbrock",
    "plot_sweep",
    "plot_tuned",
    "plot_tuning_scores",
    "save_sweep_figure",
    "sweep_ylim",
]

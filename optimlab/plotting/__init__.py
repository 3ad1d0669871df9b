"""Every figure of optimlab, and the only part of it that imports matplotlib.

Each function takes ``ax=None`` (a new figure when ``None``), draws, and returns the axes;
none calls ``plt.show()``. The results' ``.plot()`` methods import this package lazily,
so ``import optimlab`` does not import matplotlib.
"""

from ._files import figure_formats, save_sweep_figure
from ._landscape import plot_decay_points, plot_momentum_map, plot_path, plot_rosenbrock
from ._sweep import plot_finals, plot_sweep, sweep_ylim

__all__ = [
    "figure_formats",
    "plot_decay_points",
    "plot_finals",
    "plot_momentum_map",
    "plot_path",
    "plot_rosenbrock",
    "plot_sweep",
    "save_sweep_figure",
    "sweep_ylim",
]

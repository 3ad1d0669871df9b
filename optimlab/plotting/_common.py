"""What every figure shares: where to draw when no axes are given."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def axes_or_new(ax: Axes | None, *, layout: str | None = "constrained") -> Axes:
    """``ax``, or the axes of a new figure with ``layout`` (pyplot is imported only then).

    The constrained layout keeps every label, colour bar and legend inside the figure,
    whatever its size and type size; a figure resized later keeps it (a colour bar drawn
    without a layout engine cannot take one afterwards).
    """
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.figure(layout=layout).add_subplot()

"""What every figure shares: where to draw when no axes are given."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def axes_or_new(ax: Axes | None, *, layout: str | None = None) -> Axes:
    """``ax``, or the axes of a new figure with ``layout`` (pyplot is imported only then)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.figure(layout=layout).add_subplot()

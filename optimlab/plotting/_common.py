"""What every figure shares: where to draw when no axes are given, and the type check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._validation import brief

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def axes_or_new(ax: Axes | None, *, layout: str | None = "constrained") -> Axes:
    """``ax``, or the axes of a new figure with ``layout`` (pyplot is imported only then).

    The constrained layout keeps every label, colour bar and legend inside the figure,
    whatever its size; a colour bar drawn without a layout engine cannot take one later.
    """
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.figure(layout=layout).add_subplot()


def check_type(name: str, value: object, cls: type) -> None:
    """Raise a TypeError naming ``name`` unless ``value`` is a ``cls``."""
    if not isinstance(value, cls):
        article = "an" if cls.__name__[0] in "AEIOU" else "a"
        raise TypeError(f"{name} must be {article} {cls.__name__}, got {brief(value)}")

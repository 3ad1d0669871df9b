"""Figures written to files, with no display: what the command line draws."""

from __future__ import annotations

import os

from ..results import SweepResult


def figure_formats() -> list[str]:
    """The file endings matplotlib can write (``"png"``, ``"pdf"``, ``"svg"``, ...), sorted."""
    from matplotlib.backend_bases import FigureCanvasBase

    return sorted(FigureCanvasBase.get_supported_filetypes())


def save_sweep_figure(
    result: SweepResult, path: str | os.PathLike[str], *, x: str = "epoch"
) -> None:
    """Draw ``result`` (``plot_sweep``) on a new figure and write it to ``path``.

    A bare :class:`matplotlib.figure.Figure` draws with Agg: pyplot is never imported, so
    this works on a machine without a screen.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4.5), layout="constrained")
    result.plot(ax=figure.subplots(), x=x)
    figure.savefig(path, dpi=150)

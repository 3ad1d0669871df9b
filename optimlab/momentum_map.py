"""Momentum on the Rosenbrock function over a grid of (lr, beta), every cell stepped at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from ._validation import (
    check_beta,
    check_finite_point,
    check_nonnegative_finite,
    check_nonnegative_int,
    check_positive_finite,
)
from .rosenbrock import rosenbrock

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["MomentumMap", "momentum_map", "plot_momentum_map"]

#: The exercise's setting, marked on the map.
SEED_SETTING = (0.01, 0.9)


@dataclass(frozen=True)
class MomentumMap:
    """The outcome of :func:`~optimlab.optimize_rosenbrock` for every (lr, beta) of a grid.

    Arrays have shape ``(len(lrs), len(betas))``: row ``i`` is ``lrs[i]``, column ``j`` is
    ``betas[j]``.

    Attributes
    ----------
    lrs, betas : numpy.ndarray
        The grid axes, increasing.
    steps : int
        Steps taken from ``start``.
    tol : float
        The tolerance of ``steps_to_tol``.
    bound : float
        A run diverged once :math:`\\max(|x|, |y|)` exceeded it (or became NaN).
    start : (float, float)
        The start point.
    weight_decay : float
        Decoupled weight decay of every run.
    x, y : numpy.ndarray
        End points, float32 values as the runs computed them.
    final_value : numpy.ndarray
        :math:`f` at the end point; ``inf`` where the run diverged.
    steps_to_tol : numpy.ndarray
        The first step count ``k`` (0 to ``steps``) from which :math:`f \\le` ``tol`` holds
        at every step up to the last: arrived and stayed. -1 where the run ends above
        ``tol`` (or diverged).
    diverged : numpy.ndarray
        Boolean; True where the run left the bound at some step.
    """

    lrs: np.ndarray
    betas: np.ndarray
    steps: int
    tol: float
    bound: float
    start: tuple[float, float]
    weight_decay: float
    x: np.ndarray
    y: np.ndarray
    final_value: np.ndarray
    steps_to_tol: np.ndarray
    diverged: np.ndarray

    def plot(self, ax: Axes | None = None, **kwargs: object) -> Axes:
        """Draw the map with :func:`plot_momentum_map`; ``kwargs`` are passed on."""
        return plot_momentum_map(self, ax, **kwargs)  # type: ignore[arg-type]


def _check_axis(name: str, values: object, check: object) -> np.ndarray:
    rule = "a non-empty, strictly increasing sequence"
    if not isinstance(values, Sequence | np.ndarray) or isinstance(values, str):
        raise TypeError(f"{name} must be {rule}, got {values!r}")
    checked = np.array([check(f"{name}[{i}]", v) for i, v in enumerate(values)])  # type: ignore[operator]
    if checked.ndim != 1 or checked.size == 0 or np.any(np.diff(checked) <= 0):
        raise ValueError(f"{name} must be {rule}, got {values!r}")
    return checked


def momentum_map(
    lrs: Sequence[float] | np.ndarray,
    betas: Sequence[float] | np.ndarray,
    *,
    steps: int = 500,
    tol: float = 1e-2,
    bound: float = 100.0,
    start: tuple[float, float] = (-1.0, 2.0),
    weight_decay: float = 0.0,
) -> MomentumMap:
    """Run the exercise's momentum descent for every (lr, beta) of a grid, all at once.

    Every cell is a float32 run of :func:`~optimlab.optim_step` from ``start``, stepped
    together as one tensor of shape ``(len(lrs), len(betas))`` with the same arithmetic
    (``addcmul_`` fuses the momentum update exactly as ``add_(grad, alpha=1 - beta)``
    does), so a cell's end point equals that of :func:`~optimlab.optimize_rosenbrock`
    bit for bit.

    Parameters
    ----------
    lrs : sequence of float
        Step sizes, positive and strictly increasing.
    betas : sequence of float
        Momentum coefficients in [0, 1), strictly increasing.
    steps : int, default=500
        Steps per run (the exercise's demo takes 500).
    tol : float, default=1e-2
        The value that counts as arrived, for ``steps_to_tol``.
    bound : float, default=100.0
        A run diverged once ``|x|`` or ``|y|`` exceeds it (f is above 1e8 there), or a
        coordinate is NaN.
    start : (float, float), default=(-1.0, 2.0)
        The exercise's start point.
    weight_decay : float, default=0.0
        Decoupled weight decay, as in :func:`~optimlab.optim_step`.

    Returns
    -------
    MomentumMap

    Raises
    ------
    ValueError
        If an argument is out of range or an axis is not strictly increasing.
    TypeError
        If an axis is not a sequence of numbers.

    Examples
    --------
    >>> from optimlab import momentum_map
    >>> result = momentum_map([0.01, 0.1, 1.0], [0.0, 0.9])
    >>> result.diverged.tolist()
    [[False, False], [False, False], [True, False]]
    >>> result.steps_to_tol.tolist()  # -1: still above tol after 500 steps, or diverged
    [[445, 445], [-1, 73], [-1, 75]]
    """
    lrs = _check_axis("lrs", lrs, check_positive_finite)
    betas = _check_axis("betas", betas, check_beta)
    steps = check_nonnegative_int("steps", steps)
    tol = check_positive_finite("tol", tol)
    bound = check_positive_finite("bound", bound)
    start = check_finite_point("start", start)
    weight_decay = check_nonnegative_finite("weight_decay", weight_decay)

    lr_grid, beta_grid = np.meshgrid(lrs, betas, indexing="ij")  # (n_lr, n_beta) each
    # Each factor is formed in float64 and rounded once to float32, as torch does with the
    # Python floats optim_step receives.
    lr = torch.tensor(lr_grid, dtype=torch.float32)
    beta = torch.tensor(beta_grid, dtype=torch.float32)
    one_minus_beta = torch.tensor(1 - beta_grid, dtype=torch.float32)
    shrink = torch.tensor(1 - lr_grid * weight_decay, dtype=torch.float32)

    x = torch.full(lr_grid.shape, start[0], requires_grad=True)
    y = torch.full(lr_grid.shape, start[1], requires_grad=True)
    x_momentum, y_momentum = torch.zeros(lr_grid.shape), torch.zeros(lr_grid.shape)
    last_above = torch.full(lr_grid.shape, -1)  # the last step with f > tol (or NaN)
    diverged = torch.zeros(lr_grid.shape, dtype=torch.bool)
    for step in range(steps + 1):
        value = rosenbrock(x, y)
        last_above[~(value <= tol)] = step
        if step == steps:
            break
        value.sum().backward()
        with torch.no_grad():
            for param, momentum in ((x, x_momentum), (y, y_momentum)):
                momentum.mul_(beta).addcmul_(param.grad, one_minus_beta)
                if weight_decay:
                    param.mul_(shrink)
                param.sub_(lr * momentum)
                # NaN fails the comparison, so it counts as out of bounds.
                diverged |= ~(param.abs() <= bound)
        x.grad.zero_()
        y.grad.zero_()

    value = value.detach().numpy().astype(np.float64)
    diverged, last_above = diverged.numpy(), last_above.numpy()
    return MomentumMap(
        lrs=lrs,
        betas=betas,
        steps=steps,
        tol=tol,
        bound=bound,
        start=start,
        weight_decay=weight_decay,
        x=x.detach().numpy().astype(np.float64),
        y=y.detach().numpy().astype(np.float64),
        final_value=np.where(diverged, np.inf, value),
        steps_to_tol=np.where(diverged | (last_above >= steps), -1, last_above + 1),
        diverged=diverged,
    )


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
) -> Axes:
    """Draw a :class:`MomentumMap`: lr (log scale) across, beta up, diverged cells in red.

    Parameters
    ----------
    result : MomentumMap
        From :func:`momentum_map`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when ``None``.
    quantity : {"final_value", "steps_to_tol"}, default="final_value"
        The colour: the final value (log scale, floored at 1e-12), or the steps to reach
        ``tol`` for good (cells above ``tol`` after the last step in grey).
    mark : (float, float) or None, default=(0.01, 0.9)
        An (lr, beta) to mark with a star: by default the exercise's setting.
    cmap : str, default="viridis"
        A colormap without red, so that divergence stays distinct.
    colorbar : bool, default=True
        Add a colour bar to the figure.

    Returns
    -------
    matplotlib.axes.Axes
        The legend names "diverged", the grey cells (for ``steps_to_tol``) and the mark.

    Raises
    ------
    ValueError
        If ``quantity`` is not one of the two names.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from optimlab import momentum_map, plot_momentum_map
    >>> ax = plot_momentum_map(momentum_map([0.01, 0.1, 1.0], [0.0, 0.9], steps=50))
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['diverged', 'lr = 0.01, beta = 0.9']
    """
    from matplotlib.colors import ListedColormap, LogNorm
    from matplotlib.patches import Patch

    if quantity not in ("final_value", "steps_to_tol"):
        raise ValueError(f"quantity must be 'final_value' or 'steps_to_tol', got {quantity!r}")
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure().add_subplot()
    # pcolormesh wants (rows = beta, columns = lr).
    lr_edges, beta_edges = _edges(result.lrs, log=True), _edges(result.betas, log=False)
    diverged = result.diverged.T
    handles = [Patch(color="tab:red", label="diverged")]
    if quantity == "final_value":
        value = np.ma.masked_where(diverged, np.maximum(result.final_value.T, 1e-12))
        mesh = ax.pcolormesh(lr_edges, beta_edges, value, cmap=cmap, norm=LogNorm())
        label = f"f after {result.steps} steps"
    else:
        never = (result.steps_to_tol.T < 0) & ~diverged
        value = np.ma.masked_where(never | diverged, result.steps_to_tol.T)
        mesh = ax.pcolormesh(lr_edges, beta_edges, value, cmap=cmap)
        grey = np.ma.masked_where(~never, np.ones(never.shape))
        ax.pcolormesh(lr_edges, beta_edges, grey, cmap=ListedColormap(["lightgrey"]))
        handles.append(Patch(color="lightgrey", label=f"f > {result.tol:g} at the end"))
        label = f"steps to f ≤ {result.tol:g}"
    red = np.ma.masked_where(~diverged, np.ones(diverged.shape))
    ax.pcolormesh(lr_edges, beta_edges, red, cmap=ListedColormap(["tab:red"]))
    if mark is not None:
        (star,) = ax.plot(
            *mark, "*", color="white", markeredgecolor="black", markersize=14,
            label=f"lr = {mark[0]:g}, beta = {mark[1]:g}",
        )  # fmt: skip
        handles.append(star)
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("Learning rate (lr)")
    ax.set_ylabel("Momentum (beta)")
    ax.legend(handles=handles, loc="lower left", fontsize="small")
    return ax

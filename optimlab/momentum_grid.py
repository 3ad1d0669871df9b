"""Momentum on the Rosenbrock function over a grid of (lr, beta), every cell stepped at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ._validation import (
    check_beta,
    check_finite_point,
    check_nonnegative_finite,
    check_nonnegative_int,
    check_positive_finite,
)
from .landscape import rosenbrock
from .momentum import gradient_of, momentum_update

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["MomentumMap", "momentum_map"]


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

    def __post_init__(self) -> None:
        for name in ("lrs", "betas", "x", "y", "final_value", "steps_to_tol", "diverged"):
            array = np.array(getattr(self, name))  # a copy: the result stays as computed
            array.flags.writeable = False
            object.__setattr__(self, name, array)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Draw the map with ``optimlab.plotting.plot_momentum_map``; ``kwargs`` passed on."""
        from .plotting import plot_momentum_map

        return plot_momentum_map(self, ax, **kwargs)


def _check_axis(name: str, values: object, check: Callable[[str, object], float]) -> np.ndarray:
    rule = "a non-empty, strictly increasing sequence"
    if not isinstance(values, Sequence | np.ndarray) or isinstance(values, str):
        raise TypeError(f"{name} must be {rule}, got {values!r}")
    checked = np.array([check(f"{name}[{i}]", v) for i, v in enumerate(values)])
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
    together as one tensor of shape ``(len(lrs), len(betas))`` through the same update,
    ``optimlab.momentum.momentum_update`` with one coefficient per cell, so a cell's
    end point equals that of :func:`~optimlab.optimize_rosenbrock` bit for bit.

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

    coefficients: dict[str, Any] = {"lr": lr, "beta": beta, "one_minus_beta": one_minus_beta,
                    "shrink": shrink if weight_decay else None}  # fmt: skip
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
            for param, v in ((x, x_momentum), (y, y_momentum)):
                momentum_update(param, v, gradient_of(param), **coefficients)
                # NaN fails the comparison, so it counts as out of bounds.
                diverged |= ~(param.abs() <= bound)
        gradient_of(x).zero_()
        gradient_of(y).zero_()

    final = value.detach().numpy().astype(np.float64)
    went_out, last = diverged.numpy(), last_above.numpy()
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
        final_value=np.where(went_out, np.inf, final),
        steps_to_tol=np.where(went_out | (last >= steps), -1, last + 1),
        diverged=went_out,
    )

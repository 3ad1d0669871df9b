"""The exercise's Rosenbrock function, its gradient and Hessian, and its contour levels."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import torch

__all__ = [
    "MINIMUM",
    "ROSENBROCK_LEVELS",
    "rosenbrock",
    "rosenbrock_gradient",
    "rosenbrock_hessian",
]

Array = TypeVar("Array", torch.Tensor, np.ndarray, float)

#: Where the function is lowest: :math:`f(1, 1) = 0`.
MINIMUM = (1.0, 1.0)


def rosenbrock(x: Array, y: Array) -> Array:
    r"""The exercise's Rosenbrock variant, :math:`f(x, y) = (1 - x)^2 + 2\,(y - x^2)^2`.

    Its minimum is :math:`f(1, 1) = 0`, at the end of a long, curved, flat valley.

    Parameters
    ----------
    x, y : torch.Tensor, numpy.ndarray or float
        Coordinates; arrays broadcast.

    Returns
    -------
    Same type as the inputs.

    Examples
    --------
    >>> from optimlab import rosenbrock
    >>> rosenbrock(1.0, 1.0), rosenbrock(-1.0, 2.0)
    (0.0, 6.0)
    """
    return (1 - x) ** 2 + 2 * (y - x**2) ** 2


def rosenbrock_gradient(x: float, y: float) -> np.ndarray:
    r"""The analytic gradient :math:`(-2(1 - x) - 8x(y - x^2),\; 4(y - x^2))`, shape (2,).

    Examples
    --------
    >>> from optimlab.landscape import rosenbrock_gradient
    >>> rosenbrock_gradient(-1.0, 2.0).tolist()
    [4.0, 4.0]
    """
    return np.array([-2 * (1 - x) - 8 * x * (y - x**2), 4 * (y - x**2)])


def rosenbrock_hessian(x: float, y: float) -> np.ndarray:
    """The analytic Hessian, shape (2, 2).

    Examples
    --------
    >>> from optimlab.landscape import rosenbrock_hessian
    >>> rosenbrock_hessian(1.0, 1.0).tolist()
    [[18.0, -8.0], [-8.0, 4.0]]
    """
    return np.array([[2 - 8 * y + 24 * x**2, -8 * x], [-8 * x, 4.0]])


#: The exercise's contour breaks: 0-1.9 by 0.1, 2-19 by 1, 20-190 by 10, 200-2000 by 200.
ROSENBROCK_LEVELS = np.round(
    np.r_[np.arange(0, 20) * 0.1, 2:20, 20:200:10, 200:2001:200].astype(float), 10
)
ROSENBROCK_LEVELS.flags.writeable = False

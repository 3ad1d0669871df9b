"""The exercise's Rosenbrock function and the contour levels of its picture."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import torch

__all__ = ["ROSENBROCK_LEVELS", "rosenbrock"]

Array = TypeVar("Array", torch.Tensor, np.ndarray, float)


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


#: The exercise's contour breaks: 0-1.9 by 0.1, 2-19 by 1, 20-190 by 10, 200-2000 by 200.
ROSENBROCK_LEVELS = np.round(
    np.concatenate(
        [
            np.arange(0, 20) * 0.1,
            np.arange(2, 20, dtype=float),
            np.arange(20, 200, 10, dtype=float),
            np.arange(200, 2001, 200, dtype=float),
        ]
    ),
    10,
)

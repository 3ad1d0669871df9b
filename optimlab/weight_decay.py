r"""Weight decay on the Rosenbrock function: where coupled L2, momentum and AdamW end up.

Coupled L2 minimises :math:`f_\lambda = f + \tfrac{\lambda}{2}(x^2 + y^2)`, whose gradient is
zero where :math:`\nabla f(\theta) + \lambda\theta = 0`. optimlab's momentum rule with
decoupled decay stops on the same equation, for every step size and :math:`\beta`. AdamW
divides the gradient by its running RMS before adding the decay, so it ends elsewhere: near
the minimiser of :math:`f` over the box :math:`|x|, |y| \le 1/\lambda`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_beta, check_nonnegative_finite, check_positive_finite
from .landscape import rosenbrock, rosenbrock_gradient, rosenbrock_hessian

__all__ = ["DecayPoint", "adamw_limit_point", "l2_minimiser", "momentum_fixed_point"]


@dataclass(frozen=True)
class DecayPoint:
    """Where an optimizer with weight decay ``weight_decay`` comes to rest.

    Attributes
    ----------
    weight_decay : float
        The decay strength :math:`\\lambda`.
    x, y : float
        The point, in float64.
    """

    weight_decay: float
    x: float
    y: float

    @property
    def value(self) -> float:
        """The Rosenbrock value :math:`f(x, y)` itself, without the penalty."""
        return float(rosenbrock(self.x, self.y))

    @property
    def penalised_value(self) -> float:
        """:math:`f(x, y) + \\lambda (x^2 + y^2) / 2`, the coupled-L2 loss."""
        return self.value + self.weight_decay / 2 * (self.x**2 + self.y**2)


def l2_minimiser(weight_decay: float) -> DecayPoint:
    r"""The minimiser of the coupled-L2 loss :math:`f + \lambda (x^2 + y^2) / 2`.

    A zero gradient means :math:`y = 4x^2 / (4 + \lambda)` and
    :math:`\tfrac{8\lambda}{4 + \lambda} x^3 + (2 + \lambda)\,x - 2 = 0`, a strictly
    increasing cubic: one stationary point, the global minimum. Newton's method from
    :math:`x = 1` converges to it monotonically, in float64.

    Parameters
    ----------
    weight_decay : float
        :math:`\lambda \ge 0`; 0 gives the Rosenbrock minimum (1, 1).

    Returns
    -------
    DecayPoint
        Its ``penalised_value`` is the lowest the loss takes.

    Raises
    ------
    TypeError, ValueError
        If ``weight_decay`` is not a non-negative finite number.

    Examples
    --------
    >>> from optimlab.weight_decay import l2_minimiser
    >>> point = l2_minimiser(0.5)
    >>> round(point.x, 4), round(point.y, 4), round(point.value, 4)
    (0.6855, 0.4177, 0.1044)
    """
    lam = check_nonnegative_finite("weight_decay", weight_decay)
    cubic, linear = 8 * lam / (4 + lam), 2 + lam
    x = 1.0
    for _ in range(100):
        step = (cubic * x**3 + linear * x - 2) / (3 * cubic * x**2 + linear)
        x -= step
        if abs(step) <= 1e-16 * abs(x):
            break
    return DecayPoint(lam, x, 4 * x**2 / (4 + lam))


def momentum_fixed_point(weight_decay: float, lr: float = 0.01, beta: float = 0.9) -> DecayPoint:
    r"""The fixed point of optimlab's momentum rule with decoupled weight decay.

    Solves :math:`T(\theta, v) = (\theta, v)` for the update map of
    :func:`~optimlab.optim_step`, :math:`T(\theta, v) = ((1 - \eta\lambda)\,\theta - \eta
    v', v')` with :math:`v' = \beta v + (1 - \beta)\,\nabla f(\theta)`, by Newton's method
    on all four unknowns, in float64. The solution is :func:`l2_minimiser`'s whatever
    ``lr`` and ``beta`` are; whether the iteration converges to it depends on them.

    Parameters
    ----------
    weight_decay : float
        Decoupled decay :math:`\lambda \ge 0`.
    lr : float, default=0.01
        Step size :math:`\eta > 0`.
    beta : float, default=0.9
        Momentum coefficient :math:`\beta` in [0, 1).

    Returns
    -------
    DecayPoint

    Raises
    ------
    TypeError, ValueError
        If an argument is not a number in its range.
    ValueError
        If Newton's method does not converge.

    Examples
    --------
    >>> from optimlab.weight_decay import l2_minimiser, momentum_fixed_point
    >>> point = momentum_fixed_point(0.5, lr=0.01, beta=0.9)
    >>> abs(point.x - l2_minimiser(0.5).x) < 1e-12
    True
    """
    lam = check_nonnegative_finite("weight_decay", weight_decay)
    lr = check_positive_finite("lr", lr)
    beta = check_beta("beta", beta)

    def residual(z: np.ndarray) -> np.ndarray:
        theta, v = z[:2], z[2:]
        v_new = beta * v + (1 - beta) * rosenbrock_gradient(*theta)
        return np.concatenate([(1 - lr * lam) * theta - lr * v_new, v_new]) - z

    eye = np.eye(2)
    z = np.zeros(4)  # theta = (0, 0), v = 0: the penalised Hessian is positive definite there
    for _ in range(100):
        r = residual(z)
        if np.abs(r).max() <= 1e-15:
            break
        hess = (1 - beta) * rosenbrock_hessian(*z[:2])
        top = np.hstack([(1 - lr * lam) * eye - lr * hess - eye, -lr * beta * eye])
        jacobian = np.vstack([top, np.hstack([hess, (beta - 1) * eye])])
        step = np.linalg.solve(jacobian, -r)
        # Halve the step until the residual shrinks, so that Newton cannot wander off.
        scale = 1.0
        while scale > 1e-6 and np.abs(residual(z + scale * step)).max() >= np.abs(r).max():
            scale /= 2
        z = z + scale * step
        if np.abs(scale * step).max() <= 1e-15 * max(1.0, np.abs(z).max()):
            break
    else:
        raise ValueError(
            f"Newton's method did not converge for weight_decay={weight_decay!r}, "
            f"lr={lr!r}, beta={beta!r}"
        )
    return DecayPoint(lam, float(z[0]), float(z[1]))


def adamw_limit_point(weight_decay: float) -> DecayPoint:
    r"""Where AdamW ends on the Rosenbrock function as :math:`\epsilon` and the step go to 0.

    That is the minimiser of :math:`f` over the box :math:`|x|, |y| \le 1/\lambda`. With
    a steady gradient :math:`g`, AdamW's moments tend to :math:`\hat m = g`, :math:`\hat v
    = g^2`, and its update leaves :math:`\theta_i` where it is only if
    :math:`\lambda\theta_i = -g_i / (|g_i| + \epsilon)`. As :math:`\epsilon \to 0` each
    coordinate either sits on the box's edge with :math:`-g_i` pointing out, or has
    :math:`g_i \to 0` inside: the first-order conditions for minimising :math:`f` over the
    box. For :math:`1/\lambda \ge 1` the box holds (1, 1); else :math:`f \ge (1 - x)^2`
    there, lowest at :math:`(r, r^2)`, :math:`r = 1/\lambda`.

    At a finite learning rate a coordinate whose gradient would vanish hovers instead,
    its gradient changing sign from step to step, at a distance from this point that
    shrinks in proportion to the learning rate (with ``betas=(0.9, 0.99)`` and
    :math:`\lambda = 0.5`, about 0.008 at lr 0.01 and 0.0008 at lr 0.001).

    Parameters
    ----------
    weight_decay : float
        AdamW's ``weight_decay`` :math:`\lambda \ge 0`.

    Returns
    -------
    DecayPoint
        :math:`(\min(1, 1/\lambda), \min(1, 1/\lambda)^2)`.

    Raises
    ------
    TypeError, ValueError
        As :func:`l2_minimiser`, for a bad ``weight_decay``.

    Examples
    --------
    >>> from optimlab.weight_decay import adamw_limit_point
    >>> adamw_limit_point(0.5), adamw_limit_point(4.0)
    (DecayPoint(weight_decay=0.5, x=1.0, y=1.0), DecayPoint(weight_decay=4.0, x=0.25, y=0.0625))
    """
    lam = check_nonnegative_finite("weight_decay", weight_decay)
    r = 1.0 if lam <= 1 else 1 / lam
    return DecayPoint(lam, r, r**2)

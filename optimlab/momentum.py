r"""Momentum gradient descent by hand: one update rule, ``optim_step``, an optimizer.

optimlab's momentum is the exercise's exponential moving average of the gradients,

.. math::

    v_t = \beta\, v_{t-1} + (1 - \beta)\, g_t, \qquad \theta_t = \theta_{t-1} - \eta\, v_t,

with :math:`v_0 = 0`, written once in :func:`momentum_update`; :func:`~optimlab.optim_step`,
:class:`~optimlab.Momentum` and the ``"momentum"`` Rosenbrock runs all call it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

from ._validation import check_beta, check_nonnegative_finite, check_positive_finite
from .landscape import rosenbrock

__all__ = ["Momentum", "momentum_update", "optim_step", "stable_lr_limit"]

Coefficient = float | torch.Tensor


def momentum_update(
    param: torch.Tensor,
    velocity: torch.Tensor,
    grad: torch.Tensor,
    *,
    lr: Coefficient,
    beta: Coefficient,
    one_minus_beta: Coefficient | None = None,
    shrink: Coefficient | None = None,
) -> None:
    r"""One step of optimlab's momentum rule, in place, on ``velocity`` then ``param``.

    :math:`v \leftarrow \beta v + (1 - \beta)\,g`, then :math:`\theta \leftarrow
    (1 - \eta\lambda)\,\theta - \eta v` (:math:`\lambda`: decoupled weight decay).

    Parameters
    ----------
    param, velocity, grad : torch.Tensor
        The parameter, its momentum buffer :math:`v` and its gradient :math:`g`.
    lr, beta : float or torch.Tensor
        Step size :math:`\eta` and momentum coefficient :math:`\beta`: Python floats for
        one run, or float32 tensors that broadcast against ``param`` for many at once.
    one_minus_beta : float or torch.Tensor, optional
        :math:`1 - \beta`, needed when ``beta`` is a tensor: rounded once from float64, as
        torch rounds the float ``1 - beta``, ``addcmul_`` then computes what
        ``add_(grad, alpha=1 - beta)`` computes, bit for bit.
    shrink : float or torch.Tensor, optional
        :math:`1 - \eta\lambda`, the decay factor; ``None`` for no weight decay.

    Examples
    --------
    >>> import torch
    >>> from optimlab.momentum import momentum_update
    >>> theta, v = torch.tensor([1.0]), torch.tensor([0.0])
    >>> momentum_update(theta, v, torch.tensor([2.0]), lr=0.1, beta=0.5)
    >>> v, theta  # v = 0.5 * 2; theta = 1 - 0.1 * 1
    (tensor([1.]), tensor([0.9000]))
    """
    if isinstance(beta, torch.Tensor):
        velocity.mul_(beta).addcmul_(grad, one_minus_beta)  # type: ignore[arg-type]
    else:
        velocity.mul_(beta).add_(grad, alpha=1 - beta)
    if shrink is not None:
        param.mul_(shrink)
    param.sub_(lr * velocity)


def stable_lr_limit(beta: float, curvature: float) -> float:
    r"""The largest stable learning rate of optimlab's momentum on a quadratic of curvature h.

    On :math:`f(\theta) = h \theta^2 / 2`, :func:`momentum_update` gives
    :math:`\theta_t = (1 + \beta - a)\,\theta_{t-1} - \beta\,\theta_{t-2}` with
    :math:`a = \eta (1 - \beta) h`. Both roots of :math:`z^2 - (1 + \beta - a) z + \beta`
    lie inside the unit circle if and only if :math:`0 < a < 2 (1 + \beta)` (the Jury
    conditions, for :math:`0 \le \beta < 1`), that is

    .. math:: \eta < \frac{2 (1 + \beta)}{(1 - \beta)\, h},

    :math:`2 / h` at :math:`\beta = 0`. Near a minimum, its largest Hessian eigenvalue
    sets the limit of settling there.

    Parameters
    ----------
    beta : float
        The momentum coefficient, in [0, 1).
    curvature : float
        :math:`h > 0` (21.6 at the Rosenbrock minimum, its largest Hessian eigenvalue).

    Returns
    -------
    float
        Runs with a smaller lr settle on the quadratic, runs with a larger one grow.

    Raises
    ------
    TypeError, ValueError
        If ``beta`` is not a number in [0, 1), or ``curvature`` not a positive finite one.

    Examples
    --------
    >>> import numpy as np
    >>> from optimlab.landscape import rosenbrock_hessian
    >>> from optimlab.momentum import stable_lr_limit
    >>> h = float(np.linalg.eigvalsh(rosenbrock_hessian(1.0, 1.0)).max())
    >>> round(h, 1), round(stable_lr_limit(0.0, h), 4), round(stable_lr_limit(0.9, h), 3)
    (21.6, 0.0925, 1.757)
    """
    beta = check_beta("beta", beta)
    curvature = check_positive_finite("curvature", curvature)
    return 2 * (1 + beta) / ((1 - beta) * curvature)


def _shrink(lr: float, weight_decay: float) -> float | None:
    return 1 - lr * weight_decay if weight_decay else None


def gradient_of(param: torch.Tensor) -> torch.Tensor:
    """``param.grad``, which a backward pass must have filled."""
    if param.grad is None:
        raise RuntimeError("the parameter has no gradient: call backward() before the step")
    return param.grad


def optim_step(
    x: torch.Tensor,
    y: torch.Tensor,
    lr: float,
    x_momentum: torch.Tensor,
    y_momentum: torch.Tensor,
    beta: float,
    *,
    weight_decay: float = 0.0,
) -> float:
    r"""Take one momentum step on the Rosenbrock function, in place.

    Forward pass :math:`f(x, y)`, backward pass, then the exercise's momentum update on
    each coordinate, :math:`v \leftarrow \beta v + (1 - \beta) g` and
    :math:`\theta \leftarrow \theta - \eta v`. The caller zeroes ``x.grad`` and ``y.grad``
    between calls.

    Parameters
    ----------
    x, y, x_momentum, y_momentum : torch.Tensor
        Scalar tensors, updated in place: the point (with ``requires_grad=True``) and
        its momentum buffers :math:`v`.
    lr, beta, weight_decay : float
        :math:`\eta`, :math:`\beta` in [0, 1), and :math:`\lambda` (default 0).

    Returns
    -------
    float
        :math:`f(x, y)` at the point *before* the step.

    Examples
    --------
    >>> import torch
    >>> from optimlab import optim_step
    >>> x = torch.tensor(-1.0, requires_grad=True)
    >>> y = torch.tensor(2.0, requires_grad=True)
    >>> vx, vy = torch.tensor(0.0), torch.tensor(0.0)
    >>> optim_step(x, y, 0.01, vx, vy, 0.9)  # f(-1, 2) = 4 + 2 * 1
    6.0
    >>> round(vx.item(), 6), round(vy.item(), 6)  # 0.1 * grad f(-1, 2) = 0.1 * (4, 4)
    (0.4, 0.4)
    >>> round(x.item(), 6), round(y.item(), 6)  # (-1, 2) - 0.01 * (0.4, 0.4)
    (-1.004, 1.996)
    """
    value = rosenbrock(x, y)
    value.backward()
    shrink = _shrink(lr, weight_decay)
    with torch.no_grad():
        for param, v in ((x, x_momentum), (y, y_momentum)):
            momentum_update(param, v, gradient_of(param), lr=lr, beta=beta, shrink=shrink)
    return value.item()


class Momentum(torch.optim.Optimizer):
    r"""Gradient descent with the exercise's momentum rule, for any parameters.

    The update of :func:`optim_step` on each parameter, with decoupled weight decay: the same
    arithmetic, so both give the same Rosenbrock path.

    .. note::
       :class:`torch.optim.SGD`'s ``v = beta v + g`` is this rule scaled by
       ``1 / (1 - beta)``: ``SGD(lr * (1 - beta), momentum=beta)`` takes this rule's
       steps. With ``dampening=beta`` SGD differs only by seeding ``v_1 = g_1``.

    Parameters
    ----------
    params : iterable of torch.Tensor or dict
        Parameters to optimize, or parameter groups.
    lr : float
        Step size :math:`\eta`.
    beta : float, default=0.9
        Momentum coefficient :math:`\beta` in [0, 1).
    weight_decay : float, default=0.0
        Decoupled weight decay :math:`\lambda`.

    Examples
    --------
    >>> import torch
    >>> from optimlab import Momentum
    >>> w = torch.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Momentum([w], lr=0.1, beta=0.5)
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w  # w - 0.1 * (0.5 * 2 * w)
    tensor([ 0.9000, -1.8000], requires_grad=True)
    """

    def __init__(
        self,
        params: Iterable[torch.Tensor] | Iterable[dict],
        lr: float,
        beta: float = 0.9,
        weight_decay: float = 0.0,
    ) -> None:
        defaults = {
            "lr": check_positive_finite("lr", lr),
            "beta": check_beta("beta", beta),
            "weight_decay": check_nonnegative_finite("weight_decay", weight_decay),
        }
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(  # type: ignore[override]  # torch's stub wants a float loss; it is a tensor
        self, closure: Callable[[], torch.Tensor] | None = None
    ) -> torch.Tensor | None:
        """Take one step; ``closure`` re-evaluates the loss and returns it, if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, beta = group["lr"], group["beta"]
            for param in group["params"]:
                if param.grad is not None:
                    state = self.state[param]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = torch.zeros_like(param)
                    shrink = _shrink(lr, group["weight_decay"])
                    momentum_update(param, state["momentum_buffer"], param.grad, lr=lr,
                                    beta=beta, shrink=shrink)  # fmt: skip
        return loss

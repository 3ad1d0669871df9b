"""The optimizer steps of the batched kernel: torch's single-tensor loops, for K runs at once.

Each class replicates one ``torch.optim`` optimizer's ``_single_tensor_*`` function (the
CPU default) operation by operation on ``[K, P]`` buffers; optimlab's
:class:`~optimlab.Momentum` calls its own rule, ``momentum_update``. Other optimizers,
and options that change torch's code (``foreach=True``, ``maximize=True``), train in
the reference loop. A coefficient every run shares is passed as torch passes it, a
Python float; otherwise as a ``[K, 1]`` float32 tensor, through a form that computes the
same numbers:

* ``a.add(b, alpha=s)`` is a fused multiply-add, ``fma(b, s, a)``, in torch's CPU kernel;
  ``a.addcmul(b, s)`` computes the same for a tensor ``s``.
* ``a.addcmul(b, c, value=s)`` and ``a.addcdiv(b, c, value=s)`` form ``s * b`` first:
  the engine passes ``s * b`` with ``value=1``.

torch reads its float32 step count back as a float, so the per-step Python floats (bias
corrections, Adagrad's decayed rate) are computed from ``float(t)`` as torch computes
them, from the learning rates torch's scheduler sets (:func:`optimlab.lr_schedules.lr_values`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from functools import cache, lru_cache, partial
from typing import Any

import torch
from torch import Tensor

from ..config import TrainingConfig
from ..lr_schedules import lr_values
from ..momentum import momentum_update
from ..optimizers import optimizer_class

Configs = Sequence[TrainingConfig]

__all__ = ["SELF_CHECK", "engine_path", "make_updates", "per_run", "scalar"]

#: Above this many elements, zeros are taken out of a sqrt: MKL's vectorised sqrt (which
#: torch.sqrt calls) is several times slower on zeros, and dead ReLU units leave many
#: second moments at zero.
_SQRT_MASK_FROM = 6000

#: Options that choose torch's implementation, and the values that keep the single-tensor one.
_IMPLEMENTATION = {
    "foreach": (None, False),
    "fused": (None, False),
    "capturable": (False,),
    "differentiable": (False,),
    "maximize": (False,),
}


def scalar(value: float) -> torch.Tensor:
    """A 0-d float32 tensor: a Python float argument would be wrapped on every call."""
    return torch.tensor(value, dtype=torch.float32)


def per_run(values: Sequence[float]) -> float | torch.Tensor:
    """One float when every run has the same value, else a ``[K, 1]`` float32 tensor."""
    if all(value == values[0] for value in values):
        return float(values[0])
    return torch.tensor(values, dtype=torch.float32).unsqueeze(1)


def _tensor(value: float | torch.Tensor) -> torch.Tensor:
    return scalar(value) if isinstance(value, float) else value


def _eps(configs: Configs) -> Tensor:
    return _tensor(per_run([c.optimizer_kwargs()["eps"] for c in configs]))


def _axpy(a: torch.Tensor, b: torch.Tensor, s: float | torch.Tensor) -> None:
    """``a.add_(b, alpha=s)``, with one ``s`` per run when ``s`` is a tensor."""
    if isinstance(s, float):
        a.add_(b, alpha=s)
    else:
        a.addcmul_(b, s)


@lru_cache(maxsize=64)
def _column(value: Callable[..., float], key: tuple, n_steps: int) -> tuple[float, ...]:
    """``value(*key, float(t))`` for steps ``t = 1..n_steps``, as torch computes it.

    Once per distinct key: runs often share their coefficients, and a long run of a
    small batch takes many steps.
    """
    return tuple([value(*key, float(t)) for t in range(1, n_steps + 1)])


def _adam_step_size(lrs: tuple[float, ...], beta1: float, step: float) -> float:
    return lrs[int(step) - 1] / (1 - beta1**step)


def _adam_bias2_sqrt(beta2: float, step: float) -> float:
    return (1 - beta2**step) ** 0.5


def _adagrad_rate(lrs: tuple[float, ...], lr_decay: float, step: float) -> float:
    return lrs[int(step) - 1] / (1 + (step - 1) * lr_decay)


def _by_step(columns: Sequence[Sequence[float]], sign: int = -1) -> Sequence:
    """Each step's values from one column of per-step values per run.

    Floats when every run has the same column, else ``sign`` times a ``[K, 1]`` float32
    tensor (``-1``: the negated step sizes that ``_Update.divide_step`` takes).
    """
    if all(column is columns[0] or column == columns[0] for column in columns):
        return columns[0]
    stacked = torch.tensor(columns, dtype=torch.float32).T.contiguous().unsqueeze(2)
    return list(-stacked if sign < 0 else stacked)


def _options(config: TrainingConfig) -> dict[str, Any]:
    """Every option of the config's (named) optimizer: torch's defaults, then the config's."""
    return {**_defaults(config.optimizer), **config.options}  # type: ignore[arg-type]


@cache  # inspect.signature is slow; read only
def _defaults(optimizer: str) -> dict[str, Any]:
    parameters = inspect.signature(optimizer_class(optimizer).__init__).parameters
    return {name: p.default for name, p in parameters.items() if p.default is not inspect._empty}


class _Update:
    """One optimizer step for K runs; ``self(t)`` takes step ``t`` (from 0)."""

    def __init__(self, configs: Configs, params: Tensor, grad: Tensor, n_steps: int) -> None:
        self.params, self.grad, self.n_steps = params, grad, n_steps
        self.options = [_options(c) for c in configs]
        #: Each run's learning rate at each step.
        self.lrs = [lr_values(c, n_steps) for c in configs]
        self.scheduled = any(c.lr_schedule != "constant" for c in configs)
        self.big = params.numel() >= _SQRT_MASK_FROM
        self.tmp = torch.zeros_like(params)
        self.wd = [c.weight_decay for c in configs]
        #: The coupled weight decay (an L2 penalty added to the gradient), if any.
        self.decay = per_run(self.wd) if any(self.wd) else None

    def __call__(self, t: int) -> None:
        raise NotImplementedError

    def buffer(self) -> Tensor:
        return torch.zeros_like(self.params)

    def coefficient(self, name: str) -> float | Tensor:
        return per_run([o[name] for o in self.options])

    def lr_coefficient(
        self, value: Callable[[float, int], float], tensor: bool = False
    ) -> list[float | Tensor]:
        """Each step's ``per_run([value(lr, k) for each run k])``, ``lr`` the run's rate then.

        ``tensor``: as a float32 tensor (0-d where shared).
        """

        def at(step: int) -> float | Tensor:
            values = per_run([value(lrs[step], k) for k, lrs in enumerate(self.lrs)])
            return _tensor(values) if tensor else values

        if not self.scheduled:
            return [at(0)] * self.n_steps
        return [at(step) for step in range(self.n_steps)]

    def sqrt(self, source: Tensor, out: Tensor) -> Tensor:
        """``torch.sqrt(source, out=out)`` for ``source >= 0`` (no -0.0), faster with zeros."""
        if not self.big:
            return torch.sqrt(source, out=out)
        # sqrt(v + 1) - 1 where v == 0, else sqrt(v + 0) - 0: the same numbers.
        zero = torch.eq(source, 0, out=self.tmp)
        return torch.sqrt(torch.add(source, zero, out=out), out=out).sub_(zero)

    def divide_step(self, numerator: Tensor, denom: Tensor, step: Any) -> None:
        """``params.addcdiv_(numerator, denom, value=-step)``; a tensor ``step`` is ``-step``."""
        if isinstance(step, float):
            self.params.addcdiv_(numerator, denom, value=-step)
        else:
            self.params.addcdiv_(torch.mul(numerator, step, out=self.tmp), denom)

    def accumulate_square(self, average: Tensor, weight: float | Tensor) -> None:
        """``average.addcmul_(grad, grad, value=weight)``."""
        if isinstance(weight, float):
            average.addcmul_(self.grad, self.grad, value=weight)
        else:
            average.addcmul_(torch.mul(self.grad, weight, out=self.tmp), self.grad)

    def coupled_decay(self) -> None:
        """``grad = grad.add(param, alpha=weight_decay)`` (in place: the same numbers)."""
        if self.decay is not None:
            _axpy(self.grad, self.params, self.decay)


class _Adam(_Update):
    """``_single_tensor_adam``: Adam (L2 penalty) or AdamW (decoupled decay), amsgrad or not."""

    def __init__(
        self, configs: Configs, params: Tensor, grad: Tensor, n_steps: int, decoupled: bool
    ) -> None:
        super().__init__(configs, params, grad, n_steps)
        wd = self.wd
        self.keep = None
        if decoupled:
            self.decay = None
            if any(wd):  # param.mul_(1 - lr * weight_decay)
                self.keep = self.lr_coefficient(lambda lr, k: 1 - lr * wd[k], tensor=True)
        self.weight1 = per_run([1 - c.beta1 for c in configs])
        self.beta2 = _tensor(per_run([c.beta2 for c in configs]))
        self.weight2 = per_run([1 - c.beta2 for c in configs])
        self.eps = _eps(configs)
        self.exp_avg, self.exp_avg_sq, self.denom = self.buffer(), self.buffer(), self.buffer()
        self.max_exp_avg_sq = self.buffer() if self.options[0]["amsgrad"] else None
        keys = [(lrs, c.beta1) for lrs, c in zip(self.lrs, configs, strict=True)]
        self.step_sizes = _by_step([_column(_adam_step_size, k, n_steps) for k in keys])
        sqrts = _by_step([_column(_adam_bias2_sqrt, (c.beta2,), n_steps) for c in configs], 1)
        self.bias2_sqrts = list(torch.tensor(sqrts)) if isinstance(sqrts, tuple) else sqrts

    def __call__(self, t: int) -> None:
        params, grad, exp_avg, exp_avg_sq = self.params, self.grad, self.exp_avg, self.exp_avg_sq
        if self.keep is not None:
            params.mul_(self.keep[t])
        self.coupled_decay()
        exp_avg.lerp_(grad, self.weight1)
        exp_avg_sq.mul_(self.beta2)
        self.accumulate_square(exp_avg_sq, self.weight2)
        source = exp_avg_sq
        if self.max_exp_avg_sq is not None:
            source = torch.maximum(self.max_exp_avg_sq, exp_avg_sq, out=self.max_exp_avg_sq)
        denom = self.sqrt(source, self.denom)
        # (sqrt / bias_correction2_sqrt).add_(eps), as torch's two calls: addcdiv, which
        # computes the same, is several times slower with its 0-d first operand.
        denom.div_(self.bias2_sqrts[t]).add_(self.eps)
        self.divide_step(exp_avg, denom, self.step_sizes[t])


class _SGD(_Update):
    """``_single_tensor_sgd``: plain, with momentum and dampening, or Nesterov's."""

    def __init__(self, configs: Configs, params: Tensor, grad: Tensor, n_steps: int) -> None:
        super().__init__(configs, params, grad, n_steps)
        self.neg_lr = self.lr_coefficient(lambda lr, k: -lr)
        self.nesterov = self.options[0]["nesterov"]
        self.momentum = self.coefficient("momentum")
        self.momentum_scale = _tensor(self.momentum)
        self.kept = per_run([1 - o["dampening"] for o in self.options])
        self.buf = self.buffer() if self.options[0]["momentum"] != 0 else None

    def __call__(self, t: int) -> None:
        grad = step = self.grad
        self.coupled_decay()
        if self.buf is not None:
            if t == 0:
                self.buf.copy_(grad)  # buf = grad.detach().clone()
            else:
                self.buf.mul_(self.momentum_scale)
                _axpy(self.buf, grad, self.kept)
            if self.nesterov:
                _axpy(grad, self.buf, self.momentum)
            else:
                step = self.buf
        _axpy(self.params, step, self.neg_lr[t])


class _RMSprop(_Update):
    """``_single_tensor_rmsprop``: plain or centered, with momentum or without."""

    def __init__(self, configs: Configs, params: Tensor, grad: Tensor, n_steps: int) -> None:
        super().__init__(configs, params, grad, n_steps)
        self.neg_lr = self.lr_coefficient(lambda lr, k: -lr)
        self.lr = _by_step(self.lrs)
        self.alpha = _tensor(self.coefficient("alpha"))
        self.weight = per_run([1 - o["alpha"] for o in self.options])
        self.momentum = _tensor(self.coefficient("momentum"))
        self.eps = _eps(configs)
        self.square_avg, self.avg = self.buffer(), self.buffer()
        self.grad_avg = self.buffer() if self.options[0]["centered"] else None
        self.buf = self.buffer() if self.options[0]["momentum"] > 0 else None

    def __call__(self, t: int) -> None:
        grad = self.grad
        self.coupled_decay()
        self.square_avg.mul_(self.alpha)
        self.accumulate_square(self.square_avg, self.weight)
        if self.grad_avg is not None:
            self.grad_avg.lerp_(grad, self.weight)
            avg = torch.addcmul(
                self.square_avg, self.grad_avg, self.grad_avg, value=-1, out=self.avg
            )
            avg.sqrt_()
        else:
            avg = self.sqrt(self.square_avg, self.avg)
        avg.add_(self.eps)
        if self.buf is None:
            self.divide_step(grad, avg, self.lr[t])
        else:
            self.buf.mul_(self.momentum).addcdiv_(grad, avg)
            _axpy(self.params, self.buf, self.neg_lr[t])


class _Adagrad(_Update):
    """``_single_tensor_adagrad`` on dense gradients."""

    def __init__(self, configs: Configs, params: Tensor, grad: Tensor, n_steps: int) -> None:
        super().__init__(configs, params, grad, n_steps)
        self.eps = _eps(configs)
        self.state_sum, self.std = self.buffer(), self.buffer()
        initial = [o["initial_accumulator_value"] for o in self.options]
        for k, value in enumerate(initial):
            self.state_sum[k] = value
        self.positive = all(value >= 0 for value in initial)
        keys = [(lrs, o["lr_decay"]) for lrs, o in zip(self.lrs, self.options, strict=True)]
        self.rates = _by_step([_column(_adagrad_rate, key, n_steps) for key in keys])

    def __call__(self, t: int) -> None:
        self.coupled_decay()
        self.state_sum.addcmul_(self.grad, self.grad, value=1)
        if self.positive:
            std = self.sqrt(self.state_sum, self.std)
        else:
            std = torch.sqrt(self.state_sum, out=self.std)
        std.add_(self.eps)
        self.divide_step(self.grad, std, self.rates[t])


class _Momentum(_Update):
    """optimlab's :class:`~optimlab.Momentum`: its rule, ``momentum_update``, for K runs."""

    def __init__(self, configs: Configs, params: Tensor, grad: Tensor, n_steps: int) -> None:
        super().__init__(configs, params, grad, n_steps)
        self.velocity = self.buffer()
        self.beta = per_run([c.beta1 for c in configs])
        self.one_minus_beta = (
            None
            if isinstance(self.beta, float)
            else torch.tensor([1 - c.beta1 for c in configs], dtype=torch.float32).unsqueeze(1)
        )
        self.lr = self.lr_coefficient(lambda lr, k: lr)
        wd = self.wd
        # A run without decay multiplies by 1.0: the same numbers as skipping it.
        self.shrink = self.lr_coefficient(lambda lr, k: 1 - lr * wd[k]) if any(wd) else None

    def __call__(self, t: int) -> None:
        momentum_update(
            self.params,
            self.velocity,
            self.grad,
            lr=self.lr[t],
            beta=self.beta,
            one_minus_beta=self.one_minus_beta,
            shrink=None if self.shrink is None else self.shrink[t],
        )


_UPDATES: dict[str, Callable[..., _Update]] = {
    "adamw": partial(_Adam, decoupled=True),
    "adam": partial(_Adam, decoupled=False),
    "sgd": _SGD,
    "rmsprop": _RMSprop,
    "adagrad": _Adagrad,
    "momentum": _Momentum,
}


def engine_path(config: TrainingConfig) -> tuple | None:
    """Which step code the runs of ``config`` take, or ``None`` if the engine has none.

    Runs with the same path can share a group: they differ only in coefficients. A path
    records what changes torch's code, not only its numbers: which buffers exist, and
    whether a coupled weight decay is applied at all (adding ``0 * param`` is not a no-op
    for ``inf`` weights or ``-0.0`` gradients).
    """
    name = config.optimizer
    if not isinstance(name, str) or name not in _UPDATES:
        return None
    options = _options(config)
    for option, safe in _IMPLEMENTATION.items():
        if option in options and options[option] not in safe:
            return None
    decays = config.weight_decay != 0
    if name in ("adamw", "adam"):
        return (name, bool(options["amsgrad"]), name == "adam" and decays)
    if name == "sgd":
        return (name, options["momentum"] != 0, bool(options["nesterov"]), decays)
    if name == "rmsprop":
        return (name, options["momentum"] > 0, bool(options["centered"]), decays)
    if name == "adagrad":
        return (name, decays)
    return (name,)


def make_updates(configs: Configs, params: Tensor, grad: Tensor, n_steps: int) -> list[_Update]:
    """One optimizer step per stretch of runs with the same :func:`engine_path`, on its rows."""
    K = len(configs)
    paths = [engine_path(config) for config in configs]
    starts = [k for k in range(K) if k == 0 or paths[k] != paths[k - 1]]
    updates = []
    for a, b in zip(starts, [*starts[1:], K], strict=True):
        update = _UPDATES[configs[a].optimizer]  # type: ignore[index]
        updates.append(update(configs[a:b], params[a:b], grad[a:b], n_steps))
    return updates


#: Pairs of runs for the engine's self-check: settings of both, then the second's own.
SELF_CHECK: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({}, {"beta1": 0.5, "beta2": 0.99}),
    ({"optimizer": "adam"}, {"beta1": 0.5}),
    ({"optimizer": "sgd", "optimizer_options": {"momentum": 0.9, "nesterov": True}}, {}),
    ({"optimizer": "sgd"}, {}),
    (
        {"optimizer": "sgd", "optimizer_options": {"momentum": 0.9}},
        {"optimizer_options": {"momentum": 0.5, "dampening": 0.2}},
    ),
    ({"optimizer": "rmsprop", "optimizer_options": {"centered": True, "momentum": 0.5}}, {}),
    ({"optimizer": "rmsprop"}, {"optimizer_options": {"alpha": 0.9}}),
    ({"optimizer": "adagrad"}, {"optimizer_options": {"lr_decay": 0.1}}),
    ({"optimizer": "momentum"}, {"beta1": 0.5}),
    ({"lr_schedule": "onecycle"}, {"lr_schedule": "step"}),
]

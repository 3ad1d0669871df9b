"""The optimizer steps of the batched kernel: torch's single-tensor loops, for K runs at once.

Each class replicates one ``torch.optim`` optimizer's ``_single_tensor_*`` function (the
CPU default: ``foreach`` and ``fused`` are off for CPU tensors) operation by operation,
on ``[K, P]`` buffers with one coefficient per run; optimlab's own
:class:`~optimlab.Momentum` calls its rule, ``momentum_update``, which takes per-run
coefficients itself. Any other optimizer (a user's class, or an option such as
``foreach=True`` or ``maximize=True`` that changes torch's code) has no path here: its
runs train in the reference loop. Where every run has the same
coefficient it is passed as torch does, a Python float; otherwise as a ``[K, 1]``
float32 tensor, through a form that computes the same numbers:

* ``a.add(b, alpha=s)`` is a fused multiply-add, ``fma(b, s, a)``, in torch's CPU kernel;
  ``a.addcmul(b, s)`` computes the same for a tensor ``s``.
* ``a.addcmul(b, c, value=s)`` and ``a.addcdiv(b, c, value=s)`` form ``s * b`` first:
  the engine passes ``s * b`` with ``value=1``.

The step count lives in a float32 tensor in torch and is read back as a float, so the
per-step Python floats (bias corrections, Adagrad's decayed rate) are computed from
``float(t)`` exactly as torch computes them. Under a learning-rate schedule every
coefficient made from ``lr`` is per step too, from the learning rates that torch's own
scheduler sets (:func:`optimlab.lr_schedules.lr_values`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import torch
from torch import Tensor

from ..config import TrainingConfig
from ..lr_schedules import lr_values
from ..momentum import momentum_update
from ..optimizers import optimizer_class

Configs = Sequence[TrainingConfig]

__all__ = ["SELF_CHECK", "engine_path", "make_update", "make_updates", "per_run", "scalar"]

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


def _axpy(a: torch.Tensor, b: torch.Tensor, s: float | torch.Tensor) -> None:
    """``a.add_(b, alpha=s)``, with one ``s`` per run when ``s`` is a tensor."""
    if isinstance(s, float):
        a.add_(b, alpha=s)
    else:
        a.addcmul_(b, s)


def _per_step(
    keys: Sequence[tuple], value: Callable[..., float], n_steps: int
) -> tuple[tuple[float, ...], ...]:
    """``value(*key, float(t))`` for steps ``t = 1..n_steps``, one column per run's key.

    Python floats, as torch computes them; once per distinct key, as runs often share
    their coefficients (and a long run of a small batch takes many steps).
    """
    return tuple(_column(value, key, n_steps) for key in keys)


@lru_cache(maxsize=64)
def _column(value: Callable[..., float], key: tuple, n_steps: int) -> tuple[float, ...]:
    return tuple([value(*key, float(t)) for t in range(1, n_steps + 1)])


def _adam_step_size(lrs: tuple[float, ...], beta1: float, step: float) -> float:
    return lrs[int(step) - 1] / (1 - beta1**step)


def _adam_bias2_sqrt(beta2: float, step: float) -> float:
    return (1 - beta2**step) ** 0.5


def _adagrad_rate(lrs: tuple[float, ...], lr_decay: float, step: float) -> float:
    return lrs[int(step) - 1] / (1 + (step - 1) * lr_decay)


def _step_values(columns: Sequence[Sequence[float]]) -> Sequence:
    """Per-step step sizes for :meth:`_Update.divide_step`: floats, or negated tensors.

    ``columns`` holds one list of per-step values per run.
    """
    if _shared(columns):
        return columns[0]
    return list(-torch.tensor(columns, dtype=torch.float32).T.contiguous().unsqueeze(2))


def _shared(columns: Sequence[Sequence[float]]) -> bool:
    return all(column is columns[0] or column == columns[0] for column in columns)


def _options(config: TrainingConfig) -> dict[str, Any]:
    """Every option of the config's optimizer: torch's defaults, then the config's."""
    optimizer = config.optimizer
    defaults = _named_defaults(optimizer) if isinstance(optimizer, str) else _defaults(optimizer)
    return {**defaults, **config.options}


def _defaults(optimizer: str | type) -> dict[str, Any]:
    parameters = inspect.signature(optimizer_class(optimizer).__init__).parameters
    return {name: p.default for name, p in parameters.items() if p.default is not inspect._empty}


#: Those of a named optimizer, once a process (inspect.signature is slow); read only.
_named_defaults = lru_cache(maxsize=None)(_defaults)


class _Update:
    """One optimizer step for K runs; ``self(t)`` takes step ``t`` (from 0)."""

    #: The coupled weight decay (an L2 penalty added to the gradient), if any.
    decay: float | torch.Tensor | None = None

    def __init__(
        self,
        configs: Sequence[TrainingConfig],
        params: torch.Tensor,
        grad: torch.Tensor,
        n_steps: int,
    ):
        self.params, self.grad = params, grad
        self.options = [_options(c) for c in configs]
        self.configs = configs
        self.n_steps = n_steps
        #: Each run's learning rate at each step (one value repeated without a schedule).
        self.lrs = [lr_values(c, n_steps) for c in configs]
        self.scheduled = any(c.lr_schedule != "constant" for c in configs)
        self.big = params.numel() >= _SQRT_MASK_FROM
        self.tmp = torch.zeros_like(params)

    def __call__(self, t: int) -> None:
        raise NotImplementedError

    def buffer(self) -> torch.Tensor:
        return torch.zeros_like(self.params)

    def coefficient(self, name: str) -> float | torch.Tensor:
        return per_run([o[name] for o in self.options])

    def lr_coefficient(
        self, value: Callable[[float, int], float], tensor: bool = False
    ) -> list[float | torch.Tensor]:
        """Each step's ``per_run([value(lr, k) for each run k])``, ``lr`` the run's rate then.

        ``tensor``: as a float32 tensor (0-d where shared). Without a schedule, one
        value serves every step.
        """

        def at(step: int) -> float | torch.Tensor:
            values = per_run([value(lrs[step], k) for k, lrs in enumerate(self.lrs)])
            return _tensor(values) if tensor else values

        if not self.scheduled:
            return [at(0)] * self.n_steps
        return [at(step) for step in range(self.n_steps)]

    def sqrt(self, source: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """``torch.sqrt(source, out=out)`` for ``source >= 0`` (no -0.0), faster with zeros."""
        if not self.big:
            return torch.sqrt(source, out=out)
        # sqrt(v + 1) - 1 where v == 0, else sqrt(v + 0) - 0: the same numbers.
        zero = torch.eq(source, 0, out=self.tmp)
        return torch.sqrt(torch.add(source, zero, out=out), out=out).sub_(zero)

    def divide_step(self, numerator: torch.Tensor, denom: torch.Tensor, step: Any) -> None:
        """``params.addcdiv_(numerator, denom, value=-step)``; a tensor ``step`` is ``-step``."""
        if isinstance(step, float):
            self.params.addcdiv_(numerator, denom, value=-step)
        else:
            self.params.addcdiv_(torch.mul(numerator, step, out=self.tmp), denom)

    def accumulate_square(self, average: torch.Tensor, weight: float | torch.Tensor) -> None:
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
        wd = [c.weight_decay for c in configs]
        self.decoupled = decoupled
        self.decay = None if not any(wd) or decoupled else per_run(wd)
        self.keep = (
            self.lr_coefficient(lambda lr, k: 1 - lr * wd[k], tensor=True)
            if decoupled and any(wd)
            else None
        )
        self.weight1 = per_run([1 - c.beta1 for c in configs])
        self.beta2 = _tensor(per_run([c.beta2 for c in configs]))
        self.weight2 = per_run([1 - c.beta2 for c in configs])
        self.eps = _tensor(per_run([c.optimizer_kwargs()["eps"] for c in configs]))
        self.exp_avg, self.exp_avg_sq, self.denom = self.buffer(), self.buffer(), self.buffer()
        self.amsgrad = self.options[0]["amsgrad"]
        self.max_exp_avg_sq = self.buffer() if self.amsgrad else None
        sizes = _per_step(
            [(lrs, c.beta1) for lrs, c in zip(self.lrs, configs, strict=True)],
            _adam_step_size,
            n_steps,
        )
        self.step_sizes = _step_values(sizes)
        sqrts = _per_step([(c.beta2,) for c in configs], _adam_bias2_sqrt, n_steps)
        if _shared(sqrts):
            self.bias2_sqrts = list(torch.tensor(sqrts[0]))
        else:
            self.bias2_sqrts = list(torch.tensor(sqrts).T.contiguous().unsqueeze(2))

    def __call__(self, t: int) -> None:
        params, grad, exp_avg, exp_avg_sq = self.params, self.grad, self.exp_avg, self.exp_avg_sq
        if self.keep is not None:
            params.mul_(self.keep[t])  # param.mul_(1 - lr * weight_decay)
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
        wd = [c.weight_decay for c in configs]
        self.decay = per_run(wd) if any(wd) else None
        self.neg_lr = self.lr_coefficient(lambda lr, k: -lr)
        first = self.options[0]
        self.nesterov = first["nesterov"]
        self.momentum = self.coefficient("momentum")
        self.momentum_scale = _tensor(self.momentum)
        self.kept = per_run([1 - o["dampening"] for o in self.options])
        self.buf = self.buffer() if first["momentum"] != 0 else None

    def __call__(self, t: int) -> None:
        grad = self.grad
        self.coupled_decay()
        step = grad
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
        wd = [c.weight_decay for c in configs]
        self.decay = per_run(wd) if any(wd) else None
        self.neg_lr = self.lr_coefficient(lambda lr, k: -lr)
        self.lr = _step_values(self.lrs)
        self.alpha = _tensor(self.coefficient("alpha"))
        self.weight = per_run([1 - o["alpha"] for o in self.options])
        self.eps = _tensor(per_run([c.optimizer_kwargs()["eps"] for c in configs]))
        first = self.options[0]
        self.centered = first["centered"]
        self.momentum = _tensor(self.coefficient("momentum"))
        self.square_avg, self.avg = self.buffer(), self.buffer()
        self.grad_avg = self.buffer() if self.centered else None
        self.buf = self.buffer() if first["momentum"] > 0 else None

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
        if self.buf is not None:
            self.buf.mul_(self.momentum).addcdiv_(grad, avg)
            _axpy(self.params, self.buf, self.neg_lr[t])
        else:
            self.divide_step(grad, avg, self.lr[t])


class _Adagrad(_Update):
    """``_single_tensor_adagrad`` on dense gradients."""

    def __init__(self, configs: Configs, params: Tensor, grad: Tensor, n_steps: int) -> None:
        super().__init__(configs, params, grad, n_steps)
        wd = [c.weight_decay for c in configs]
        self.decay = per_run(wd) if any(wd) else None
        self.eps = _tensor(per_run([c.optimizer_kwargs()["eps"] for c in configs]))
        self.state_sum, self.std = self.buffer(), self.buffer()
        for k, options in enumerate(self.options):
            self.state_sum[k] = options["initial_accumulator_value"]
        self.positive = all(o["initial_accumulator_value"] >= 0 for o in self.options)
        rates = _per_step(
            [(lrs, o["lr_decay"]) for lrs, o in zip(self.lrs, self.options, strict=True)],
            _adagrad_rate,
            n_steps,
        )
        self.rates = _step_values(rates)

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
        wd = [c.weight_decay for c in configs]
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


#: The engine's optimizers: name -> (update class, extra keyword arguments).
_UPDATES: dict[str, tuple[Callable[..., _Update], dict[str, Any]]] = {
    "adamw": (_Adam, {"decoupled": True}),
    "adam": (_Adam, {"decoupled": False}),
    "sgd": (_SGD, {}),
    "rmsprop": (_RMSprop, {}),
    "adagrad": (_Adagrad, {}),
    "momentum": (_Momentum, {}),
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


def make_update(
    configs: Sequence[TrainingConfig], params: torch.Tensor, grad: torch.Tensor, n_steps: int
) -> _Update:
    """The step of runs sharing one :func:`engine_path`, on ``[K, P]`` params and gradients."""
    paths = {engine_path(config) for config in configs}
    if len(paths) != 1 or None in paths:
        raise ValueError(f"runs of one group must share one engine path, got {paths}")
    cls, extra = _UPDATES[configs[0].optimizer]  # type: ignore[index]
    return cls(configs, params, grad, n_steps, **extra)


def make_updates(
    configs: Sequence[TrainingConfig], params: torch.Tensor, grad: torch.Tensor, n_steps: int
) -> list[_Update]:
    """One :func:`make_update` per stretch of consecutive runs with the same engine path.

    The forward and backward passes are shared by all K runs, whatever their optimizer.
    """
    K = len(configs)
    paths = [engine_path(config) for config in configs]
    starts = [k for k in range(K) if k == 0 or paths[k] != paths[k - 1]]
    return [
        make_update(configs[a:b], params[a:b], grad[a:b], n_steps)
        for a, b in zip(starts, [*starts[1:], K], strict=True)
    ]


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

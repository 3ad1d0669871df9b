"""Train many AdamW runs of the exercise's MLP at once, curves bitwise equal to the plain loop.

:func:`optimlab.train_valid` is the readable reference: one network, a ``DataLoader``,
autograd and :class:`torch.optim.AdamW`, about thirty small tensor operations per
optimizer step. At these sizes the time goes to per-operation overhead, not arithmetic,
so :func:`optimlab.train_runs` trains every run that shares ``(epochs, batch_size)``
and the data shapes *in one loop*: the parameters of ``K`` runs are stacked as
``[K, P]``, each layer is one batched matrix product, the backward pass is written by
hand with the products autograd itself calls, and AdamW is replicated operation by
operation (the arithmetic of ``torch.optim.adam._single_tensor_adam``, the CPU default)
with one coefficient per run.
Independent groups run in worker processes, one torch thread each.

Exactness is not assumed, it is checked: a batched product is used only where a probe
on random inputs finds it bitwise equal to the per-run product autograd computes (it is
not always: batched kernels switch summation order for tiny products and for the
one-output layer); otherwise that product is computed run by run. Every per-run slice
that a product reads is 64-byte aligned, like a fresh tensor, because MKL's results
depend on alignment. The test suite checks the engine against
:func:`~optimlab.train_valid` (on one torch thread) on the pinned torch release; with any
other release, a self-check against it runs once per process, and if it disagrees every
run falls back to the reference loop with an :class:`optimlab.EngineFallbackWarning`.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields, replace
from functools import cache, partial

import numpy as np
import torch
from torch import nn

from ._validation import (
    check_beta,
    check_data,
    check_nonnegative_finite,
    check_nonnegative_int,
    check_positive_finite,
    check_positive_int,
)
from .data import Split, exercise_data
from .model import make_mlp

__all__ = ["EngineFallbackWarning", "RunSpec", "train_runs"]

#: AdamW's epsilon, as in :func:`optimlab.train_valid`.
EPS = 1e-8


class EngineFallbackWarning(RuntimeWarning):
    """The sweep engine trained some runs with the reference loop instead; says why."""


@dataclass(frozen=True, eq=False)
class RunSpec:
    """One training run: the hyperparameters, seeds and data of one curve.

    The run is what :func:`optimlab.train_valid` computes for
    ``make_mlp(seed=seed, n_hidden=n_hidden)`` trained on ``data`` (or on
    ``exercise_data(seed=data_seed)`` when ``data`` is ``None``).

    Parameters
    ----------
    epochs : int, default=30
    batch_size : int, default=16
    lr : float, default=0.01
    beta1, beta2 : float, default=0.9, 0.999
    weight_decay : float, default=0.01
    seed : int, default=123
        Seed of the initial weights (:func:`optimlab.make_mlp`).
    data_seed : int, default=0
        Seed of :func:`optimlab.exercise_data`; ignored when ``data`` is given.
    shuffle_seed : int, optional
        Seed of the per-epoch row order, as in :func:`optimlab.train_valid`; ``None``
        keeps the stored order.
    n_hidden : int, default=50
        Width of both hidden layers.
    data : ((X_train, Y_train), (X_valid, Y_valid)), optional
        Your own tensors. Runs given the very same tensor objects share them.

    Raises
    ------
    ValueError, TypeError
        If a value is out of range or of the wrong type; the message names it.

    Examples
    --------
    >>> from optimlab.engine import RunSpec
    >>> RunSpec(lr=0.1).batch_size
    16
    """

    epochs: int = 30
    batch_size: int = 16
    lr: float = 0.01
    beta1: float = 0.9
    beta2: float = 0.999
    weight_decay: float = 0.01
    seed: int = 123
    data_seed: int = 0
    shuffle_seed: int | None = None
    n_hidden: int = 50
    data: Split | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        checked = {
            "epochs": check_positive_int("epochs", self.epochs),
            "batch_size": check_positive_int("batch_size", self.batch_size),
            "lr": check_positive_finite("lr", self.lr),
            "beta1": check_beta("beta1", self.beta1),
            "beta2": check_beta("beta2", self.beta2),
            "weight_decay": check_nonnegative_finite("weight_decay", self.weight_decay),
            "seed": check_nonnegative_int("seed", self.seed),
            "data_seed": check_nonnegative_int("data_seed", self.data_seed),
            "n_hidden": check_positive_int("n_hidden", self.n_hidden),
        }
        if self.shuffle_seed is not None:
            checked["shuffle_seed"] = check_nonnegative_int("shuffle_seed", self.shuffle_seed)
        if self.data is not None:
            checked["data"] = check_data(self.data)
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def key(self) -> tuple:
        """What makes two runs the same run: every field, and the data by identity."""
        if self.data is None:
            data_key: tuple = ("exercise_data", self.data_seed)
        else:
            data_key = ("tensors", *(id(t) for pair in self.data for t in pair))
        return (*(getattr(self, f.name) for f in fields(self) if f.compare), data_key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunSpec) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())


# --------------------------------------------------------------------------------------
# Exact batched products. A site computes ``out[k] = reference(args[k])`` for all K runs,
# where the reference is what nn.Linear or autograd calls for one run. Each form below
# takes the step's own buffers and returns a call with every view bound in advance:
# at these sizes, making a view costs as much as the arithmetic.
# --------------------------------------------------------------------------------------

Call = Callable[[], object]


def _loop(calls: list[Call]) -> Call:
    def run() -> None:
        for call in calls:
            call()

    return run


def _linear_reference(out, bias, x, W) -> Call:
    # nn.Linear on a 2-D input is addmm(bias, x, W.t()); out[k] is [B, o].
    def run() -> None:
        for k in range(len(out)):
            out[k].copy_(torch.addmm(bias[k], x[k], W[k].t()))

    return run


def _linear_looped(out, bias, x, W) -> Call:
    return _loop(
        [partial(torch.addmm, bias[k], x[k], W[k].t(), out=out[k]) for k in range(len(out))]
    )


def _linear_batched(out, bias, x, W) -> Call:
    # out [K, B, o] = bias [K, 1, o] + x [K, B, i] @ W^T [K, i, o]
    return partial(torch.baddbmm, bias.unsqueeze(1), x, W.mT, out=out)


def _linear_batched_transposed(out, bias, x, W) -> Call:
    # out^T [K, o, B] = bias [K, o, 1] + W [K, o, i] @ x^T [K, i, B]; exact for o = 1
    return partial(torch.baddbmm, bias.unsqueeze(2), W, x.mT, out=out.mT)


def _mm_reference(out, g, W) -> Call:
    # The input gradient of addmm: grad.mm(W); out[k] is [B, i].
    def run() -> None:
        for k in range(len(out)):
            out[k].copy_(g[k].mm(W[k]))

    return run


def _mm_looped(out, g, W) -> Call:
    return _loop([partial(torch.mm, g[k], W[k], out=out[k]) for k in range(len(out))])


def _mm_batched(out, g, W) -> Call:
    return partial(torch.bmm, g, W, out=out)


def _mm_t_reference(out, g, x) -> Call:
    # The weight gradient of addmm(bias, x, W.t()): grad.t().mm(x); out[k] is [o, i].
    def run() -> None:
        for k in range(len(out)):
            out[k].copy_(g[k].t().mm(x[k]))

    return run


def _mm_t_looped(out, g, x) -> Call:
    return _loop([partial(torch.mm, g[k].t(), x[k], out=out[k]) for k in range(len(out))])


def _mm_t_batched(out, g, x) -> Call:
    return partial(torch.bmm, g.mT, x, out=out)


def _mm_t_batched_transposed(out, g, x) -> Call:
    # out^T [K, i, o] = x^T [K, i, B] @ g [K, B, o]; exact for o = 1
    return partial(torch.bmm, x.mT, g, out=out.mT)


def _colsum_reference(out, g) -> Call:
    # The bias gradient: grad summed over the batch; out[k] is [o].
    def run() -> None:
        for k in range(len(out)):
            out[k].copy_(g[k].sum(0))

    return run


def _colsum_batched(out, g) -> Call:
    return partial(torch.sum, g, 1, out=out)


def _mse_reference(out, pred, y) -> Call:
    # out[k] = mse_loss(pred[k], y[k]), a float32 scalar per run.
    def run() -> None:
        for k in range(len(out)):
            out[k] = nn.functional.mse_loss(pred[k], y[k])

    return run


def _mse_batched(out, pred, y) -> Call:
    # mse_loss is mean((pred - y)**2), and mean is a sum, then a division by the count.
    def run() -> None:
        diff = pred - y  # [K, B, 1]
        torch.sum(diff.mul_(diff), (1, 2), out=out).div_(pred.shape[1])

    return run


#: For each site: the reference, then faster forms in the order they are tried.
_SITES: dict[str, tuple[Callable[..., Call], ...]] = {
    "linear": (_linear_reference, _linear_batched, _linear_batched_transposed, _linear_looped),
    "mm": (_mm_reference, _mm_batched, _mm_looped),
    "mm_t": (_mm_t_reference, _mm_t_batched, _mm_t_batched_transposed, _mm_t_looped),
    "colsum": (_colsum_reference, _colsum_batched),
    "mse": (_mse_reference, _mse_batched),
}


def _exact_call(site: str, out: torch.Tensor, *args: torch.Tensor) -> Call:
    """Bind the fastest form of ``site`` that is bitwise equal to its reference.

    The kernel a product uses depends on its shapes, strides and alignment, so each form
    is probed on random inputs laid out exactly like the step's own tensors, with two
    draws; the reference itself is the last resort.
    """
    reference, *candidates = _SITES[site]
    generator = torch.Generator().manual_seed(0)

    def like(tensor: torch.Tensor) -> torch.Tensor:
        # Same shape, strides and offset from a fresh (64-byte aligned) storage: MKL's
        # results depend on the alignment of its inputs.
        extent = 1 + sum((n - 1) * st for n, st in zip(tensor.shape, tensor.stride(), strict=True))
        storage = torch.empty(tensor.storage_offset() + extent)
        return storage.as_strided(tensor.shape, tensor.stride(), tensor.storage_offset())

    probe_out, probe_args = like(out), [like(a) for a in args]
    draws = []
    for _ in range(2):
        for probe in probe_args:
            probe.copy_(torch.randn(probe.shape, generator=generator))
        reference(probe_out, *probe_args)()
        draws.append(([a.clone() for a in probe_args], probe_out.clone()))
    for candidate in candidates:
        call = candidate(probe_out, *probe_args)
        exact = True
        for inputs, expected in draws:
            for probe, value in zip(probe_args, inputs, strict=True):
                probe.copy_(value)
            call()
            exact = exact and torch.equal(probe_out, expected)
        if exact:
            return candidate(out, *args)
    return reference(out, *args)


# --------------------------------------------------------------------------------------
# One group: K runs with the same epochs, batch size and shapes, trained in one loop.
# --------------------------------------------------------------------------------------

# ReLU's backward as autograd computes it, from the ReLU's output. (The bound C++ op,
# where torch exposes it, skips a layer of Python.)
_threshold_backward = torch.ops.aten.threshold_backward.grad_input
_threshold_backward = getattr(_threshold_backward, "_op", _threshold_backward)

#: Above this many elements, zeros are taken out of AdamW's sqrt: MKL's vectorised sqrt
#: (which torch.sqrt calls) is several times slower on zeros, and dead ReLU units leave
#: half of ``exp_avg_sq`` at zero.
_SQRT_MASK_FROM = 6000


def _scalar(value: float) -> torch.Tensor:
    # A 0-d float32 tensor: a Python float argument would be wrapped and converted on
    # every call. The kernels round Python floats to float32 the same way.
    return torch.tensor(value, dtype=torch.float32)


def _per_run(values: Sequence[float]) -> float | torch.Tensor:
    """One float when every run has the same value, else a ``[K, 1]`` float32 tensor."""
    if all(value == values[0] for value in values):
        return values[0]
    return torch.tensor(values, dtype=torch.float32).unsqueeze(1)


#: Floats per 64 bytes, the alignment of a fresh tensor (torch's CPU allocator).
_ALIGN = 16


def _runs(K: int, *shape: int, offset: int = 0) -> torch.Tensor:
    """A zeroed ``[K, *shape]`` buffer whose run slices are aligned like fresh tensors.

    The reference loop's operands are fresh tensors, 64-byte aligned, and MKL's products
    can round differently for an operand that is not. So each run's slice starts on a
    64-byte boundary (plus ``offset`` floats, to mirror a user's tensor that does not);
    the buffer is contiguous when the slices' size is already a multiple of 16 floats.
    """
    n = math.prod(shape)
    stride = -(-(n + offset) // _ALIGN) * _ALIGN
    return torch.zeros(K, stride)[:, offset : offset + n].view(K, *shape)


class _Group:
    """Train K runs sharing ``(epochs, batch_size)`` and data shapes, in lockstep.

    Parameters of run k live in row k of ``self.params`` ``[K, P]``, in the order of
    ``make_mlp(...).parameters()``: W1 ``[h, f]``, b1 ``[h]``, W2 ``[h, h]``, b2 ``[h]``,
    W3 ``[1, h]``, b3 ``[1]``. AdamW's state and the gradients are laid out the same way,
    so each AdamW operation is one call for all runs.
    """

    def __init__(
        self, specs: Sequence[RunSpec], datas: Sequence[Split], valid_offset: int = 0
    ) -> None:
        first = specs[0]
        self.K = K = len(specs)
        self.specs = specs
        self.epochs, self.batch_size, self.h = first.epochs, first.batch_size, first.n_hidden
        (X_train, _), (X_valid, _) = datas[0]
        (self.n, self.f), self.nv = X_train.shape, len(X_valid)
        h, f = self.h, self.f

        # Data, one copy per run: train [K, n, f] and [K, n, 1], validation likewise.
        # Batches are copied out of X, Y; X_valid is a product's input, so it is aligned
        # as the caller's tensor is (valid_offset: its data pointer in floats, mod 16).
        self.X = torch.stack([d[0][0] for d in datas])
        self.Y = torch.stack([d[0][1] for d in datas])
        self.X_valid = _runs(K, self.nv, f, offset=valid_offset)
        self.X_valid.copy_(torch.stack([d[1][0] for d in datas]))
        self.Y_valid = torch.stack([d[1][1] for d in datas])

        # [K, P] buffers, allocated once (temporaries this large cost page faults). Each
        # parameter starts on a 64-byte boundary, as a separately allocated one does; the
        # padding between them stays zero.
        shapes = [(h, f), (h,), (h, h), (h,), (1, h), (1,)]
        sizes = [math.prod(shape) for shape in shapes]
        padded = [-(-size // _ALIGN) * _ALIGN for size in sizes]
        starts = np.cumsum([0, *padded[:-1]]).tolist()
        P = sum(padded)
        self.params = torch.zeros(K, P)
        self.exp_avg = torch.zeros(K, P)
        self.exp_avg_sq = torch.zeros(K, P)
        self.grad = torch.zeros(K, P)
        self.tmp = torch.zeros(K, P)
        self.denom = torch.zeros(K, P)
        self.zero = torch.zeros(K, P) if K * P >= _SQRT_MASK_FROM else None

        def views(flat: torch.Tensor) -> list[torch.Tensor]:
            return [
                flat[:, start : start + size].view(K, *shape)
                for start, size, shape in zip(starts, sizes, shapes, strict=True)
            ]

        self.W = views(self.params)
        self.G = views(self.grad)
        # Products write into contiguous buffers; for K > 1 the gradient views are
        # strided, which makes bmm much slower, so those go through a copy. (Where a
        # product writes does not change what it computes; where it reads does.)
        self.G_out = [g if g.is_contiguous() else torch.empty(g.shape) for g in self.G]
        self.G_copies = [
            partial(g.copy_, o) for g, o in zip(self.G, self.G_out, strict=True) if g is not o
        ]

        # AdamW's per-run coefficients, computed in Python floats exactly as it does.
        lr = [s.lr for s in specs]
        wd = [s.weight_decay for s in specs]
        self.decay = any(w != 0 for w in wd)
        self.keep = self._tensor(_per_run([1 - a * w for a, w in zip(lr, wd, strict=True)]))
        self.weight1 = _per_run([1 - s.beta1 for s in specs])
        self.beta2 = self._tensor(_per_run([s.beta2 for s in specs]))
        self.weight2 = _per_run([1 - s.beta2 for s in specs])
        self.eps = _scalar(EPS)

        # B -> (input, output, error) buffers of a mini-batch of B rows
        self.batch: dict[int, tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = {}
        self.steps = {B: self._bind_step(B) for B in self._batch_sizes()}
        self.valid = self._bind_validation()
        # The probes ran on copies; now load each run's initial weights.
        models: dict[int, nn.Module] = {}
        for k, spec in enumerate(specs):
            if spec.seed not in models:
                models[spec.seed] = make_mlp(seed=spec.seed, n_hidden=h, n_features=f)
            for view, param in zip(self.W, models[spec.seed].parameters(), strict=True):
                view[k] = param.detach()

    @staticmethod
    def _tensor(value: float | torch.Tensor) -> torch.Tensor:
        return _scalar(value) if isinstance(value, float) else value

    def _batch_sizes(self) -> set[int]:
        return {min(self.batch_size, self.n - a) for a in range(0, self.n, self.batch_size)}

    def _bind_step(self, B: int) -> tuple[Call, Call]:
        """The forward and the backward pass of a mini-batch of ``B`` rows, as two calls.

        It reads the inputs from ``self.batch[B]``, expects the output's error
        ``out - y`` in ``self.batch[B]``'s third buffer (``run`` writes it), and writes
        the gradients into ``self.grad``, as ``loss.backward()`` would.
        """
        K, h, f = self.K, self.h, self.f
        W1, b1, W2, b2, W3, b3 = self.W
        G1, g_b1, G2, g_b2, G3, g_b3 = self.G_out
        # Buffers that a product reads get aligned run slices (see _runs).
        x = _runs(K, B, f)
        z1, z2 = _runs(K, B, h), _runs(K, B, h)  # pre-activations, then ReLU'd
        out, g3 = torch.empty(K, B, 1), _runs(K, B, 1)  # output and its gradient
        g2, g1 = _runs(K, B, h), _runs(K, B, h)  # gradients at z2, z1
        norm = _scalar(2.0 / B)  # mse_loss_backward's 2 / numel
        calls = [
            _exact_call("linear", z1, b1, x, W1),
            z1.relu_,
            _exact_call("linear", z2, b2, z1, W2),
            z2.relu_,
            _exact_call("linear", out, b3, z2, W3),
        ]
        backward = [
            # mse_loss_backward: norm * (out - y) * 1, with out - y already in g3
            partial(g3.mul_, norm),
            _exact_call("colsum", g_b3, g3),
            _exact_call("mm_t", G3, g3, z2),
            _exact_call("mm", g2, g3, W3),
            partial(_threshold_backward, g2, z2, 0, grad_input=g2),  # ReLU's, from its output
            _exact_call("mm_t", G2, g2, z1),
            _exact_call("colsum", g_b2, g2),
            _exact_call("mm", g1, g2, W2),
            partial(_threshold_backward, g1, z1, 0, grad_input=g1),
            _exact_call("mm_t", G1, g1, x),
            _exact_call("colsum", g_b1, g1),
            *self.G_copies,
        ]
        self.batch[B] = (x, out, g3)
        return _loop(calls), _loop(backward)

    def _bind_validation(self) -> Call:
        K, h, nv = self.K, self.h, self.nv
        W1, b1, W2, b2, W3, b3 = self.W
        z1, z2, out = _runs(K, nv, h), _runs(K, nv, h), torch.empty(K, nv, 1)
        self.mse = torch.empty(K)
        return _loop(
            [
                _exact_call("linear", z1, b1, self.X_valid, W1),
                z1.relu_,
                _exact_call("linear", z2, b2, z1, W2),
                z2.relu_,
                _exact_call("linear", out, b3, z2, W3),
                _exact_call("mse", self.mse, out, self.Y_valid),
            ]
        )

    def _adamw(self, step_size: float | torch.Tensor, bias2_sqrt: torch.Tensor) -> None:
        """One AdamW step for every run: ``torch.optim.adam._single_tensor_adam``'s operations.

        ``step_size`` is ``lr / (1 - beta1**t)``, as a float, or negated per run.
        """
        params, exp_avg, exp_avg_sq, grad = self.params, self.exp_avg, self.exp_avg_sq, self.grad
        tmp, denom = self.tmp, self.denom
        if self.decay:
            params.mul_(self.keep)  # param.mul_(1 - lr * weight_decay)
        exp_avg.lerp_(grad, self.weight1)
        exp_avg_sq.mul_(self.beta2)
        if isinstance(self.weight2, float):
            exp_avg_sq.addcmul_(grad, grad, value=self.weight2)
        else:
            # addcmul computes self + (value * t1) * t2: form value * t1 first.
            exp_avg_sq.addcmul_(torch.mul(grad, self.weight2, out=tmp), grad)
        if self.zero is None:
            torch.sqrt(exp_avg_sq, out=denom)
        else:
            # The same numbers, faster: sqrt(v + 1) - 1 where v == 0, else sqrt(v + 0) - 0.
            zero = torch.eq(exp_avg_sq, 0, out=self.zero)
            torch.sqrt(torch.add(exp_avg_sq, zero, out=denom), out=denom).sub_(zero)
        denom.div_(bias2_sqrt).add_(self.eps)
        if isinstance(step_size, float):
            params.addcdiv_(exp_avg, denom, value=-step_size)
        else:
            # addcdiv computes self + (value * t1) / t2; here value * t1 is formed first.
            params.addcdiv_(torch.mul(exp_avg, step_size, out=tmp), denom)

    def _schedules(self, n_steps: int) -> tuple[list, list]:
        """AdamW's per-step Python floats, ``lr / (1 - beta1**t)`` and ``(1 - beta2**t)**0.5``."""
        sizes, sqrts = [], []
        for t in range(1, n_steps + 1):
            step = float(t)  # AdamW keeps its step count in a float32 tensor
            sizes.append([s.lr / (1 - s.beta1**step) for s in self.specs])
            sqrts.append([(1 - s.beta2**step) ** 0.5 for s in self.specs])
        if all(len(set(row)) == 1 for row in sizes):
            step_sizes: list = [row[0] for row in sizes]
        else:
            step_sizes = list(-torch.tensor(sizes, dtype=torch.float32).unsqueeze(2))
        if all(len(set(row)) == 1 for row in sqrts):
            bias2_sqrts = list(torch.tensor([row[0] for row in sqrts], dtype=torch.float32))
        else:
            bias2_sqrts = list(torch.tensor(sqrts, dtype=torch.float32).unsqueeze(2))
        return step_sizes, bias2_sqrts

    def run(self) -> np.ndarray:
        """Train; return the validation RMSE after every epoch, ``[K, epochs]``."""
        K, n, bs = self.K, self.n, self.batch_size
        bounds = [(a, min(a + bs, n)) for a in range(0, n, bs)]
        step_sizes, bias2_sqrts = self._schedules(self.epochs * len(bounds))
        generators = [
            None if s.shuffle_seed is None else torch.Generator().manual_seed(s.shuffle_seed)
            for s in self.specs
        ]
        shuffled = any(g is not None for g in generators)
        rows = torch.arange(K).unsqueeze(1)
        curves = np.empty((K, self.epochs))
        t = 0
        for epoch in range(self.epochs):
            if epoch == 0 or shuffled:
                X, Y = self.X, self.Y
                if shuffled:
                    # Each run's row order, drawn as train_valid draws it.
                    order = torch.stack(
                        [
                            torch.arange(n) if g is None else torch.randperm(n, generator=g)
                            for g in generators
                        ]
                    )
                    X, Y = X[rows, order], Y[rows, order]
                # Each mini-batch's calls, bound once: copy its rows in (a fresh,
                # aligned tensor, as the DataLoader's batch is), forward, error, backward.
                batches = []
                for a, b in bounds:
                    x, out, error = self.batch[b - a]
                    forward, backward = self.steps[b - a]
                    batches.append(
                        (
                            partial(x.copy_, X[:, a:b]),
                            forward,
                            partial(torch.sub, out, Y[:, a:b], out=error),
                            backward,
                        )
                    )
            for copy_in, forward, error, backward in batches:
                copy_in()
                forward()
                error()
                backward()
                self._adamw(step_sizes[t], bias2_sqrts[t])
                t += 1
            self.valid()
            curves[:, epoch] = self.mse.sqrt().tolist()
        return curves


# --------------------------------------------------------------------------------------
# Running runs: deduplicate, group, check, spread over worker processes.
# --------------------------------------------------------------------------------------


def _group_key(spec: RunSpec, data: Split) -> tuple:
    """Runs with the same key train in one loop: same step count and tensor shapes.

    The last entry is where ``X_valid``'s data sit relative to a 64-byte boundary, in
    floats: the reference loop multiplies the caller's tensor as it is (see _runs).
    """
    (X_train, _), (X_valid, _) = data
    offset = X_valid.data_ptr() % (4 * _ALIGN) // 4
    return (spec.epochs, spec.batch_size, spec.n_hidden, *X_train.shape, len(X_valid), offset)


@cache
def _exercise_data(seed: int) -> Split:
    return exercise_data(seed=seed)


def _data_of(spec: RunSpec) -> Split:
    return _exercise_data(spec.data_seed) if spec.data is None else spec.data


def _reference_curve(spec: RunSpec, data: Split | None = None) -> np.ndarray:
    """The run as :func:`optimlab.train_valid` computes it: the oracle and the fallback."""
    from .sweep import train_valid  # sweep imports this module

    return train_valid(
        make_mlp(seed=spec.seed, n_hidden=spec.n_hidden),
        _data_of(spec) if data is None else data,
        epochs=spec.epochs,
        batch_size=spec.batch_size,
        lr=spec.lr,
        betas=(spec.beta1, spec.beta2),
        weight_decay=spec.weight_decay,
        shuffle_seed=spec.shuffle_seed,
    )


def _cost(specs: Sequence[RunSpec], data: Split) -> float:
    """Rough seconds to train ``specs`` as one group, for load balancing only."""
    (X_train, _), _ = data
    n, f = X_train.shape
    spec = specs[0]
    h, B = spec.n_hidden, min(spec.batch_size, n)
    steps = spec.epochs * math.ceil(n / spec.batch_size)
    params = h * f + h * h + 3 * h + 1
    # ~60 us of per-operation overhead a step, plus the arithmetic of each run.
    return steps * (60 + len(specs) * (params / 300 + B * h * (h + f + 2) / 4400)) * 1e-6


@dataclass
class _Task:
    """Runs for one process to train: one engine group, or one run of the reference loop."""

    indices: list[int]
    specs: list[RunSpec]
    reference: bool
    cost: float
    valid_offset: int = 0

    def portable(self) -> tuple:
        """What a worker needs, pickled cheaply: user data as numpy arrays, not tensors."""
        specs = [replace(s, data=None) for s in self.specs]
        arrays = [
            None if s.data is None else tuple(tuple(t.numpy() for t in pair) for pair in s.data)
            for s in self.specs
        ]
        return self.indices, specs, arrays, self.reference, self.valid_offset


def _run_task(task: tuple) -> tuple[list[int], list[np.ndarray]]:
    """Train a task given by :meth:`_Task.portable`; return its run indices and curves."""
    indices, specs, arrays, reference, valid_offset = task
    datas = [
        _data_of(spec)
        if array is None
        else tuple(tuple(torch.from_numpy(a) for a in pair) for pair in array)
        for spec, array in zip(specs, arrays, strict=True)
    ]
    if reference:
        return indices, [_reference_curve(s, d) for s, d in zip(specs, datas, strict=True)]
    return indices, list(_Group(specs, datas, valid_offset).run())


def _init_worker() -> None:
    # One thread per process: the operations are far too small to share, and a single
    # thread keeps every kernel's summation order fixed.
    torch.set_num_threads(1)


#: torch releases whose CPU build ``tests/test_engine.py`` checks run for run against the
#: reference loop. With another release the engine first checks itself (_self_check).
VERIFIED_TORCH = ("2.13.0",)


@cache
def _trusted() -> str | None:
    """``None`` if the engine may train runs here, else the reason not to; once a process."""
    if torch.__version__.split("+")[0] in VERIFIED_TORCH:
        return None
    return _self_check()


def _self_check() -> str | None:
    """Compare the engine with :func:`optimlab.train_valid` on a tiny problem.

    Returns ``None`` when every curve is bitwise equal, else the reason to fall back.
    The problem exercises both code paths of the AdamW step (one coefficient for all
    runs, and one per run), a partial last batch and a shuffled run. It costs about a
    second, mostly torch.optim's first import of torch._dynamo.
    """
    (X_train, Y_train), (X_valid, Y_valid) = exercise_data(seed=1)
    data = ((X_train[:40], Y_train[:40]), (X_valid[:20], Y_valid[:20]))
    pair = [
        RunSpec(epochs=2, batch_size=6, n_hidden=8, lr=0.05, data=data),
        RunSpec(
            epochs=2,
            batch_size=6,
            n_hidden=8,
            beta1=0.5,
            beta2=0.99,
            weight_decay=0.5,
            seed=7,
            shuffle_seed=3,
            data=data,
        ),
    ]
    alone = [RunSpec(epochs=2, batch_size=6, n_hidden=8, data=data)]
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        got = [*_Group(pair, [data, data]).run(), *_Group(alone, [data]).run()]
        want = [_reference_curve(s) for s in (*pair, *alone)]
    except Exception as error:  # any failure means: do not trust the engine
        return f"its self-check raised {type(error).__name__}: {error}"
    finally:
        torch.set_num_threads(threads)
    if not all(np.array_equal(a, b, equal_nan=True) for a, b in zip(got, want, strict=True)):
        return f"its curves differ from train_valid's on this build (torch {torch.__version__})"
    return None


def _unsupported(spec: RunSpec) -> str | None:
    """Why the engine cannot train ``spec`` exactly, or ``None``."""
    if spec.data is not None:
        for pair in spec.data:
            for tensor in pair:
                if tensor.device.type != "cpu" or tensor.layout != torch.strided:
                    return f"its data are on {tensor.device} with layout {tensor.layout}"
    return _trusted()


def _plan(specs: Sequence[RunSpec], n_jobs: int) -> list[_Task]:
    """Group the runs, split groups too large for a fair share, largest first."""
    tasks: list[_Task] = []
    groups: dict[tuple, list[int]] = {}
    for i, spec in enumerate(specs):
        reason = _unsupported(spec)
        if reason is None:
            groups.setdefault(_group_key(spec, _data_of(spec)), []).append(i)
            continue
        warnings.warn(
            f"the sweep engine cannot train run {i} ({spec}) exactly: {reason}; "
            "using the reference loop train_valid for it",
            EngineFallbackWarning,
            stacklevel=3,
        )
        tasks.append(_Task([i], [spec], True, _cost([spec], _data_of(spec)) * 10))
    costs = {
        key: _cost([specs[i] for i in ids], _data_of(specs[ids[0]])) for key, ids in groups.items()
    }
    share = sum(costs.values()) / n_jobs
    for key, ids in groups.items():
        # Splitting a group costs its per-step overhead again; only worth it when one
        # group alone would keep a worker busy longer than its share.
        parts = min(len(ids), max(1, math.ceil(costs[key] / share - 0.25)))
        for part in np.array_split(np.array(ids), parts):
            chunk = [specs[i] for i in part]
            cost = _cost(chunk, _data_of(chunk[0]))
            tasks.append(_Task(part.tolist(), chunk, False, cost, valid_offset=key[-1]))
    return sorted(tasks, key=lambda task: -task.cost)


def _default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _execute(tasks: Sequence[_Task], n_jobs: int) -> dict[int, np.ndarray]:
    curves: dict[int, np.ndarray] = {}
    if n_jobs == 1 or len(tasks) == 1:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            for task in tasks:
                curves.update(zip(*_run_task(task.portable()), strict=True))
        finally:
            torch.set_num_threads(threads)  # the caller's setting, untouched
        return curves
    # Fork where it exists: a worker then starts in milliseconds with torch imported.
    # It sets one thread before any torch operation, so the parent's thread pools,
    # which fork does not copy, are never entered.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r".*multi-threaded.*fork", DeprecationWarning)
        with ProcessPoolExecutor(
            min(n_jobs, len(tasks)), mp_context=context, initializer=_init_worker
        ) as pool:
            for indices, results in pool.map(_run_task, [t.portable() for t in tasks]):
                curves.update(zip(indices, results, strict=True))
    return curves


def train_runs(specs: Sequence[RunSpec], *, n_jobs: int | None = None) -> list[np.ndarray]:
    """Train every run and return its validation curve, as :func:`~optimlab.train_valid` would.

    Identical runs are trained once. Runs that share ``(epochs, batch_size, n_hidden)``
    and data shapes train together in one loop, whatever their hyperparameters, seeds
    and data; these groups are spread over ``n_jobs`` worker processes. Every curve is
    bitwise equal to the reference loop's, ``inf`` and ``nan`` included: see the module
    docstring for how that is ensured.

    Parameters
    ----------
    specs : sequence of RunSpec
        The runs.
    n_jobs : int, optional
        Worker processes, one torch thread each; default: the cores this process may
        use. With 1, or when there is only one group, everything runs in this process
        (with one torch thread, the caller's setting restored afterwards).

    Returns
    -------
    list of numpy.ndarray
        One array of shape ``(spec.epochs,)`` per spec, in order: the validation RMSE
        after every epoch.

    Raises
    ------
    TypeError
        If an element of ``specs`` is not a :class:`RunSpec`.
    ValueError
        If ``n_jobs`` is not a positive integer.

    Warns
    -----
    EngineFallbackWarning
        For each run trained by the reference loop instead, with the reason.

    Examples
    --------
    >>> from optimlab.engine import RunSpec, train_runs
    >>> curves = train_runs([RunSpec(epochs=2, lr=0.1), RunSpec(epochs=2, lr=0.2)], n_jobs=1)
    >>> [curve.shape for curve in curves]
    [(2,), (2,)]
    """
    specs = list(specs)
    for i, spec in enumerate(specs):
        if not isinstance(spec, RunSpec):
            raise TypeError(f"specs[{i}] must be a RunSpec, got {type(spec).__name__}")
    n_jobs = _default_jobs() if n_jobs is None else check_positive_int("n_jobs", n_jobs)
    if not specs:
        return []
    first: dict[tuple, int] = {}
    unique = [first.setdefault(spec.key(), i) for i, spec in enumerate(specs)]
    runs = sorted(set(unique))
    tasks = _plan([specs[i] for i in runs], n_jobs)
    for task in tasks:
        task.indices = [runs[i] for i in task.indices]
    curves = _execute(tasks, n_jobs)
    return [curves[i].copy() for i in unique]

"""The batched kernel: K runs with the same epochs, batch size and shapes, in one loop.

The parameters of the K runs are stacked as ``[K, P]``, each layer is one batched
matrix product, the backward pass is written by hand with the products autograd itself
calls, and AdamW is replicated operation by operation (the arithmetic of
``torch.optim.adam._single_tensor_adam``, the CPU default) with one coefficient per run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial

import numpy as np
import torch
from torch import nn

from .._validation import Split
from ..model import make_mlp
from ._exact import Call, exact_call, loop
from ._spec import RunSpec

__all__ = ["ALIGN", "Group"]

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
ALIGN = 16


def _runs(K: int, *shape: int, offset: int = 0) -> torch.Tensor:
    """A zeroed ``[K, *shape]`` buffer whose run slices are aligned like fresh tensors.

    The reference loop's operands are fresh tensors, 64-byte aligned, and MKL's products
    can round differently for an operand that is not. So each run's slice starts on a
    64-byte boundary (plus ``offset`` floats, to mirror a user's tensor that does not);
    the buffer is contiguous when the slices' size is already a multiple of 16 floats.
    """
    n = math.prod(shape)
    stride = -(-(n + offset) // ALIGN) * ALIGN
    return torch.zeros(K, stride)[:, offset : offset + n].view(K, *shape)


class Group:
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
        self.epochs, self.batch_size = first.config.epochs, first.config.batch_size
        self.h = first.n_hidden
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
        padded = [-(-size // ALIGN) * ALIGN for size in sizes]
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
        configs = [s.config for s in specs]
        lr = [c.lr for c in configs]
        wd = [c.weight_decay for c in configs]
        self.decay = any(w != 0 for w in wd)
        self.keep = self._tensor(_per_run([1 - a * w for a, w in zip(lr, wd, strict=True)]))
        self.weight1 = _per_run([1 - c.beta1 for c in configs])
        self.beta2 = self._tensor(_per_run([c.beta2 for c in configs]))
        self.weight2 = _per_run([1 - c.beta2 for c in configs])
        self.eps = self._tensor(_per_run([c.eps for c in configs]))

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
            exact_call("linear", z1, b1, x, W1),
            z1.relu_,
            exact_call("linear", z2, b2, z1, W2),
            z2.relu_,
            exact_call("linear", out, b3, z2, W3),
        ]
        backward = [
            # mse_loss_backward: norm * (out - y) * 1, with out - y already in g3
            partial(g3.mul_, norm),
            exact_call("colsum", g_b3, g3),
            exact_call("mm_t", G3, g3, z2),
            exact_call("mm", g2, g3, W3),
            partial(_threshold_backward, g2, z2, 0, grad_input=g2),  # ReLU's, from its output
            exact_call("mm_t", G2, g2, z1),
            exact_call("colsum", g_b2, g2),
            exact_call("mm", g1, g2, W2),
            partial(_threshold_backward, g1, z1, 0, grad_input=g1),
            exact_call("mm_t", G1, g1, x),
            exact_call("colsum", g_b1, g1),
            *self.G_copies,
        ]
        self.batch[B] = (x, out, g3)
        return loop(calls), loop(backward)

    def _bind_validation(self) -> Call:
        K, h, nv = self.K, self.h, self.nv
        W1, b1, W2, b2, W3, b3 = self.W
        z1, z2, out = _runs(K, nv, h), _runs(K, nv, h), torch.empty(K, nv, 1)
        self.mse = torch.empty(K)
        return loop(
            [
                exact_call("linear", z1, b1, self.X_valid, W1),
                z1.relu_,
                exact_call("linear", z2, b2, z1, W2),
                z2.relu_,
                exact_call("linear", out, b3, z2, W3),
                exact_call("mse", self.mse, out, self.Y_valid),
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
            sizes.append([s.config.lr / (1 - s.config.beta1**step) for s in self.specs])
            sqrts.append([(1 - s.config.beta2**step) ** 0.5 for s in self.specs])
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

"""The batched kernel: K runs with the same epochs, batch size and shapes, in one loop.

The parameters of the K runs are stacked as ``[K, P]``, each layer is one batched
matrix product, the backward pass is written by hand with the products autograd itself
calls, and the optimizer is replicated operation by operation with one coefficient per
run (``_optimizers``: torch's single-tensor steps, the CPU default).
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
from ._optimizers import make_update, scalar
from ._spec import RunSpec

__all__ = ["ALIGN", "Group"]

# ReLU's backward as autograd computes it, from the ReLU's output. (The bound C++ op,
# where torch exposes it, skips a layer of Python.)
_threshold_backward = torch.ops.aten.threshold_backward.grad_input
_threshold_backward = getattr(_threshold_backward, "_op", _threshold_backward)

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
    """Train K runs sharing ``(epochs, batch_size)``, data shapes and optimizer path, in lockstep.

    Parameters of run k live in row k of ``self.params`` ``[K, P]``, in the order of
    ``make_mlp(...).parameters()``: W1 ``[h, f]``, b1 ``[h]``, W2 ``[h, h]``, b2 ``[h]``,
    W3 ``[1, h]``, b3 ``[1]``. The optimizer's state and the gradients are laid out the
    same way, so each of its operations is one call for all runs.
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
        self.grad = torch.zeros(K, P)

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

        n_steps = self.epochs * len(self._bounds())
        self.update = make_update([s.config for s in specs], self.params, self.grad, n_steps)

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

    def _bounds(self) -> list[tuple[int, int]]:
        """Each mini-batch's first and last-plus-one row."""
        n, bs = self.n, self.batch_size
        return [(a, min(a + bs, n)) for a in range(0, n, bs)]

    def _batch_sizes(self) -> set[int]:
        return {b - a for a, b in self._bounds()}

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
        norm = scalar(2.0 / B)  # mse_loss_backward's 2 / numel
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

    def run(self) -> np.ndarray:
        """Train; return the validation RMSE after every epoch, ``[K, epochs]``."""
        K, n = self.K, self.n
        bounds = self._bounds()
        update = self.update
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
                update(t)
                t += 1
            self.valid()
            curves[:, epoch] = self.mse.sqrt().tolist()
        return curves

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
from ._exact import Call, exact_call, loop
from ._optimizers import make_updates, scalar
from ._spec import RunSpec, model_of

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
    """Train K runs sharing ``(epochs, batch_size)`` and data shapes, in lockstep.

    The runs' network is a plain MLP of layer widths ``widths = (inputs, hidden...,
    outputs)`` (:func:`optimlab.model.mlp_widths`), trained on the MSE loss. Parameters
    of run k live in row k of ``self.params`` ``[K, P]``, in the order of the module's
    ``.parameters()``: W1 ``[h1, f]``, b1 ``[h1]``, ..., WL ``[o, h]``, bL ``[o]``. The
    optimizer's state and the gradients are laid out the same way, so each of its
    operations is one call for all the runs of one optimizer path (consecutive runs with
    the same :func:`~._optimizers.engine_path` share one).
    """

    # Inference mode: no tensor here needs autograd, and skipping its dispatch layers
    # makes each of the step's small operations cheaper (same kernels, same numbers).
    @torch.inference_mode()
    def __init__(
        self,
        specs: Sequence[RunSpec],
        datas: Sequence[Split],
        valid_offset: int = 0,
        widths: Sequence[int] | None = None,
    ) -> None:
        first = specs[0]
        self.K = K = len(specs)
        self.specs = specs
        self.epochs, self.batch_size = first.config.epochs, first.config.batch_size
        (X_train, Y_train), (X_valid, _) = datas[0]
        (self.n, self.f), self.nv = X_train.shape, len(X_valid)
        if widths is None:
            widths = (self.f, first.n_hidden, first.n_hidden, Y_train.shape[1])
        self.widths = tuple(widths)
        self.o = self.widths[-1]
        f = self.f

        # Data, one copy per run: train [K, n, f] and [K, n, o], validation likewise.
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
        shapes: list[tuple[int, ...]] = []
        for fan_in, fan_out in zip(self.widths[:-1], self.widths[1:], strict=True):
            shapes += [(fan_out, fan_in), (fan_out,)]
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
        configs = [s.config for s in specs]
        self.updates = make_updates(configs, self.params, self.grad, n_steps)

        # B -> (input, output, error) buffers of a mini-batch of B rows
        self.batch: dict[int, tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = {}
        self.steps = {B: self._bind_step(B) for B in self._batch_sizes()}
        self.valid = self._bind_validation()
        # The probes ran on copies; now load each run's initial weights, from its model
        # function (the exercise's MLP by default), built once per function and seed.
        models: dict[tuple, nn.Module] = {}
        for k, spec in enumerate(specs):
            key = (spec.model, spec.seed)
            if key not in models:
                with torch.inference_mode(False):  # the caller's model function, as usual
                    models[key] = model_of(spec, datas[k])
            for view, param in zip(self.W, models[key].parameters(), strict=True):
                view[k] = param.detach()

    def _forward(self, x: torch.Tensor, rows: int) -> tuple[list[Call], list[torch.Tensor]]:
        """The calls of a forward pass over ``rows`` rows of ``x``, and each layer's output."""
        K, L = self.K, len(self.widths) - 1
        calls: list[Call] = []
        outputs = [x]
        for layer in range(L):
            width = self.widths[layer + 1]
            # Buffers that a product reads get aligned run slices (see _runs); the
            # network's output is read by no product.
            z = _runs(K, rows, width) if layer < L - 1 else torch.empty(K, rows, width)
            W, b = self.W[2 * layer], self.W[2 * layer + 1]
            calls.append(exact_call("linear", z, b, outputs[-1], W))
            if layer < L - 1:
                calls.append(z.relu_)
            outputs.append(z)
        return calls, outputs

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
        K, L = self.K, len(self.widths) - 1
        x = _runs(K, B, self.f)
        forward, z = self._forward(x, B)
        out = z[-1]
        # The gradient at each layer's output (its pre-activation for hidden layers).
        g = [_runs(K, B, width) for width in self.widths[1:]]
        norm = scalar(2.0 / (B * self.o))  # mse_loss_backward's 2 / numel
        # mse_loss_backward: norm * (out - y) * 1, with out - y already in g[-1]
        backward: list[Call] = [partial(g[-1].mul_, norm)]
        for layer in reversed(range(L)):
            G, g_b = self.G_out[2 * layer], self.G_out[2 * layer + 1]
            backward += [
                exact_call("colsum", g_b, g[layer]),
                exact_call("mm_t", G, g[layer], z[layer]),
            ]
            if layer > 0:
                below = g[layer - 1]
                backward += [
                    exact_call("mm", below, g[layer], self.W[2 * layer]),
                    # ReLU's backward, from its output
                    partial(_threshold_backward, below, z[layer], 0, grad_input=below),
                ]
        backward += self.G_copies
        self.batch[B] = (x, out, g[-1])
        return loop(forward), loop(backward)

    def _bind_validation(self) -> Call:
        calls, z = self._forward(self.X_valid, self.nv)
        self.mse = torch.empty(self.K)
        return loop([*calls, exact_call("mse", self.mse, z[-1], self.Y_valid)])

    @torch.inference_mode()
    def run(self) -> np.ndarray:
        """Train; return the validation RMSE after every epoch, ``[K, epochs]``."""
        K, n = self.K, self.n
        bounds = self._bounds()
        updates = self.updates
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
            for copy_in, forward, find_error, backward in batches:
                copy_in()
                forward()
                find_error()
                backward()
                for update in updates:
                    update(t)
                t += 1
            self.valid()
            curves[:, epoch] = self.mse.sqrt().tolist()
        return curves

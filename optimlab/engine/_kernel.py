"""The exact kernel: K plain-MLP runs with the same epochs, batch size and shapes, in one loop."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial

import numpy as np
import torch

from .._validation import Split
from ._exact import Call, exact_call, loop
from ._optimizers import make_updates, scalar
from ._spec import RunSpec, epoch_data, initial_models, stack_runs

__all__ = ["ALIGN", "Group"]

# ReLU's backward as autograd computes it, from its output; the bound C++ op skips a layer
# of Python where torch exposes it.
_threshold_backward = torch.ops.aten.threshold_backward.grad_input
_threshold_backward = getattr(_threshold_backward, "_op", _threshold_backward)

#: Floats per 64 bytes, the alignment of a fresh tensor (torch's CPU allocator).
ALIGN = 16


def _runs(K: int, *shape: int, offset: int = 0) -> torch.Tensor:
    """A zeroed ``[K, *shape]`` buffer whose run slices are aligned like fresh tensors.

    MKL's products can round differently for an operand that is not 64-byte aligned, as
    the reference loop's fresh tensors are; ``offset`` floats mirror a user's tensor that
    is not.
    """
    n = math.prod(shape)
    stride = -(-(n + offset) // ALIGN) * ALIGN
    return torch.zeros(K, stride)[:, offset : offset + n].view(K, *shape)


class Group:
    """Train K runs sharing ``(epochs, batch_size)`` and data shapes, in lockstep.

    The network is a plain MLP of ``widths = (inputs, hidden..., outputs)``
    (:func:`optimlab.model.mlp_widths`) on the MSE loss. Run k's parameters are row k of
    ``self.params`` ``[K, P]``, in the module's ``.parameters()`` order (W1, b1, ..., WL,
    bL); gradients and optimizer state are laid out alike, so each optimizer operation
    is one call for the runs of one :func:`~._optimizers.engine_path`.
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
        # Data, one copy per run: train [K, n, f] and [K, n, o], validation likewise.
        # Batches are copied out of X, Y; X_valid is a product's input, so it is aligned
        # as the caller's tensor is (valid_offset: its data pointer in floats, mod 16).
        (self.X, self.Y), (X_valid, self.Y_valid) = stack_runs(datas)
        _, self.n, self.f = self.X.shape
        self.nv = X_valid.shape[1]
        self.X_valid = _runs(K, self.nv, self.f, offset=valid_offset)
        self.X_valid.copy_(X_valid)
        if widths is None:
            widths = (self.f, first.n_hidden, first.n_hidden, self.Y.shape[2])
        self.widths = tuple(widths)
        self.o = self.widths[-1]

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

        bs = self.batch_size
        self.bounds = [(a, min(a + bs, self.n)) for a in range(0, self.n, bs)]
        n_steps = self.epochs * len(self.bounds)
        self.updates = make_updates([s.config for s in specs], self.params, self.grad, n_steps)
        self.steps = {B: self._bind_step(B) for B in {b - a for a, b in self.bounds}}
        calls, z = self._forward(self.X_valid, self.nv)
        self.mse = torch.empty(K)
        self.valid = loop([*calls, exact_call("mse", self.mse, z[-1], self.Y_valid)])
        # The probes ran on copies; now load each run's initial weights.
        with torch.inference_mode(False):  # the caller's model function, as usual
            modules = initial_models(specs, datas)
        for k, module in enumerate(modules):
            for view, param in zip(self.W, module.parameters(), strict=True):
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
            calls.append(exact_call("linear", z, b, outputs[-1], W.mT))
            if layer < L - 1:
                calls.append(z.relu_)
            outputs.append(z)
        return calls, outputs

    def _bind_step(self, B: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Call, Call]:
        """A mini-batch of ``B`` rows: its input, output and error buffers, forward, backward.

        The backward pass expects the error ``out - y`` in its buffer and writes the
        gradients into ``self.grad``, as ``loss.backward()`` would.
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
                exact_call("mm_t", G, g[layer].mT, z[layer]),
            ]
            if layer > 0:
                below = g[layer - 1]
                backward += [
                    exact_call("mm", below, g[layer], self.W[2 * layer]),
                    # ReLU's backward, from its output
                    partial(_threshold_backward, below, z[layer], 0, grad_input=below),
                ]
        backward += self.G_copies
        return x, out, g[-1], loop(forward), loop(backward)

    @torch.inference_mode()
    def run(self) -> np.ndarray:
        """Train; return the validation RMSE after every epoch, ``[K, epochs]``."""
        curves = np.empty((self.K, self.epochs))
        t, bound = 0, None
        epochs = epoch_data(self.specs, self.X, self.Y)
        for epoch in range(self.epochs):
            X, Y = next(epochs)
            if X is not bound:
                # Each mini-batch's calls, bound once per row order: copy its rows in (a
                # fresh, aligned tensor, as the DataLoader's batch is), forward, error,
                # backward.
                bound, batches = X, []
                for a, b in self.bounds:
                    x, out, error, forward, backward = self.steps[b - a]
                    find_error = partial(torch.sub, out, Y[:, a:b], out=error)
                    batches.append(
                        loop([partial(x.copy_, X[:, a:b]), forward, find_error, backward])
                    )
            for batch in batches:
                batch()
                for update in self.updates:
                    update(t)
                t += 1
            self.valid()
            curves[:, epoch] = self.mse.sqrt().tolist()
        return curves

"""The fast path: K runs of any model in one loop with ``torch.func``, close to the reference.

For a model that is not a plain MLP, or a loss the exact kernel does not have
(cross-entropy), the runs of a group are trained together as in PyTorch's model
ensembling recipe: :func:`torch.func.stack_module_state` stacks the K networks'
parameters, :func:`torch.func.functional_call` under :func:`torch.vmap` runs them all
on their own mini-batches in one forward pass, and one ``backward`` of the sum of the K
mean losses gives every run its own gradient (the runs share no parameter). The
optimizer step is the exact kernel's (``_optimizers``: torch's single-tensor step,
replicated with one coefficient per run), on the same ``[K, P]`` layout.

What differs from the reference loop is only the order of floating-point sums: the
batched kernels of ``vmap`` add up products in another order than one run's kernels do,
so the curves agree to float32 rounding at first and may drift apart later, as any two
float32 computations of a long training run do. Measured (``tests/test_func_path.py``,
torch 2.13.0, CPU): a tanh MLP 4-32-32-1 on the exercise's standardised data, 30
epochs of AdamW, differs from the reference loop by at most 4.2e-7 in validation RMSE
at lr 0.001 to 0.01; a 1-D CNN by 3e-8; a classifier by 1.2e-7 in log loss, with equal
accuracies. Where training is noisy (lr 0.03) the difference stays below 2e-7 for ten
epochs, then grows to 0.017 by epoch 30, as noisy training amplifies any perturbation.
The tests hold the fast path to 1e-5 where training is not chaotic.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, stack_module_state

from .._validation import Split
from ._optimizers import make_updates
from ._spec import RunSpec, model_of

__all__ = ["FuncGroup", "func_unsupported"]


def func_unsupported(module: nn.Module, X: torch.Tensor) -> str | None:
    """Why the fast path cannot train ``module``, or ``None``; probed on two rows of ``X``.

    A module with buffers (batch normalisation's running statistics) changes them in
    place, and a random one (dropout) would draw other numbers than the reference loop:
    both train in the reference loop.
    """
    if any(True for _ in module.buffers()):
        return "the model has buffers (such as batch normalisation's running statistics)"
    if any(p.dtype != torch.float32 or p.device.type != "cpu" for p in module.parameters()):
        return "the model has parameters that are not float32 on the CPU"
    models = [module, copy.deepcopy(module)]
    params, buffers = stack_module_state(models)
    base = copy.deepcopy(module).to("meta")

    def one(p: dict, b: dict, x: torch.Tensor) -> torch.Tensor:
        return functional_call(base, (p, b), (x,))

    try:
        module.train()
        torch.vmap(one, randomness="error")(params, buffers, X[:2].expand(2, *X[:2].shape))
    except Exception as error:  # whatever vmap refuses, the reference loop can do
        return f"torch.vmap cannot run it ({type(error).__name__}: {error})"
    return None


class FuncGroup:
    """Train K runs sharing epochs, batch size, data shapes and model structure, in lockstep."""

    def __init__(self, specs: Sequence[RunSpec], datas: Sequence[Split]) -> None:
        first = specs[0]
        self.K = K = len(specs)
        self.specs = specs
        self.loss = first.loss
        self.epochs, self.batch_size = first.config.epochs, first.config.batch_size
        self.X = torch.stack([d[0][0] for d in datas])
        self.Y = torch.stack([d[0][1] for d in datas])
        self.X_valid = torch.stack([d[1][0] for d in datas])
        self.Y_valid = torch.stack([d[1][1] for d in datas])
        self.n = self.X.shape[1]

        models: dict[tuple, nn.Module] = {}
        for spec, data in zip(specs, datas, strict=True):
            if (spec.model, spec.seed) not in models:
                models[spec.model, spec.seed] = model_of(spec, data)
        modules = [models[spec.model, spec.seed] for spec in specs]
        self.base = copy.deepcopy(modules[0]).to("meta")
        stacked, _ = stack_module_state(modules)
        self.names = list(stacked)
        shapes = [tuple(stacked[name].shape[1:]) for name in self.names]
        sizes = [math.prod(shape) for shape in shapes]
        starts = np.cumsum([0, *sizes[:-1]]).tolist()
        P = sum(sizes)
        self.params = torch.zeros(K, P)
        self.grad = torch.zeros(K, P)
        for name, start, size in zip(self.names, starts, sizes, strict=True):
            self.params[:, start : start + size] = stacked[name].detach().reshape(K, size)
        self.slices = [
            (name, start, size, shape)
            for name, start, size, shape in zip(self.names, starts, sizes, shapes, strict=True)
        ]
        n_steps = self.epochs * math.ceil(self.n / self.batch_size)
        configs = [s.config for s in specs]
        self.updates = make_updates(configs, self.params, self.grad, n_steps)

    def _views(self, flat: torch.Tensor) -> dict[str, torch.Tensor]:
        K = self.K
        return {
            name: flat[:, start : start + size].view(K, *shape)
            for name, start, size, shape in self.slices
        }

    def _outputs(self, params: torch.Tensor, X: torch.Tensor, training: bool) -> torch.Tensor:
        self.base.train(training)

        def one(p: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
            return functional_call(self.base, p, (x,))

        return torch.vmap(one)(self._views(params), X)

    def _losses(self, out: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
        """Each run's mean loss, ``[K]``."""
        if self.loss == "mse":
            return (out - Y).square().flatten(1).mean(1)
        K, B, C = out.shape
        nll = nn.functional.cross_entropy(
            out.reshape(K * B, C), Y.reshape(K * B), reduction="none"
        )
        return nll.view(K, B).mean(1)

    def run(self) -> np.ndarray:
        """Train; return ``[K, metrics, epochs]``: the tracked metric (and accuracy)."""
        K, n, bs = self.K, self.n, self.batch_size
        rows_of = torch.arange(K).unsqueeze(1)
        generators = [
            None if s.shuffle_seed is None else torch.Generator().manual_seed(s.shuffle_seed)
            for s in self.specs
        ]
        n_metrics = 1 if self.loss == "mse" else 2
        curves = np.empty((K, n_metrics, self.epochs))
        t = 0
        for epoch in range(self.epochs):
            X, Y = self.X, self.Y
            if any(g is not None for g in generators):
                order = torch.stack(
                    [
                        torch.arange(n) if g is None else torch.randperm(n, generator=g)
                        for g in generators
                    ]
                )
                X, Y = X[rows_of, order], Y[rows_of, order]
            for a in range(0, n, bs):
                params = self.params.detach().requires_grad_()
                out = self._outputs(params, X[:, a : a + bs], training=True)
                self._losses(out, Y[:, a : a + bs]).sum().backward()
                if params.grad is None:  # every parameter feeds the loss: cannot happen
                    raise RuntimeError("the fast path's backward pass left no gradient")
                self.grad.copy_(params.grad)
                for update in self.updates:
                    update(t)
                t += 1
            with torch.no_grad():
                out = self._outputs(self.params, self.X_valid, training=False)
                losses = self._losses(out, self.Y_valid)
                if self.loss == "mse":
                    curves[:, 0, epoch] = losses.sqrt().tolist()
                else:
                    curves[:, 0, epoch] = losses.tolist()
                    right = out.argmax(dim=2) == self.Y_valid
                    curves[:, 1, epoch] = right.double().mean(1).tolist()
        return curves

"""Exact batched products: ``K`` runs' products in one call, bitwise equal to one run's.

A site computes ``out[k] = f(*(a[k] for a in args))`` for all K runs, where ``f`` is what
nn.Linear or autograd calls for one run. Each form takes the step's own buffers and
returns a call with every view bound in advance: at these sizes, making a view costs as
much as the arithmetic. :func:`exact_call` binds the fastest form that matches the
per-run reference bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import torch
from torch import Tensor, nn

Call = Callable[[], object]


def loop(calls: list[Call]) -> Call:
    def run() -> None:
        for call in calls:
            call()

    return run


def _reference(f: Callable[..., Tensor]) -> Callable[..., Call]:
    """The form that calls ``f`` run by run, as one run's step does, and copies the result."""

    def form(out: Tensor, *args: Tensor) -> Call:
        runs = [(out[k], [a[k] for a in args]) for k in range(len(out))]

        def run() -> None:
            for o, a in runs:
                o.copy_(f(*a))

        return run

    return form


def _looped(f: Callable[..., Tensor]) -> Callable[..., Call]:
    """The form that calls ``f`` run by run, writing into ``out[k]``."""

    def form(out: Tensor, *args: Tensor) -> Call:
        return loop([partial(f, *(a[k] for a in args), out=out[k]) for k in range(len(out))])

    return form


def _linear(out: Tensor, bias: Tensor, x: Tensor, Wt: Tensor) -> Call:
    # out [K, B, o] = bias [K, 1, o] + x [K, B, i] @ W^T [K, i, o]
    return partial(torch.baddbmm, bias.unsqueeze(1), x, Wt, out=out)


def _linear_transposed(out: Tensor, bias: Tensor, x: Tensor, Wt: Tensor) -> Call:
    # out^T [K, o, B] = bias [K, o, 1] + W [K, o, i] @ x^T [K, i, B]; exact for o = 1
    return partial(torch.baddbmm, bias.unsqueeze(2), Wt.mT, x.mT, out=out.mT)


def _bmm(out: Tensor, a: Tensor, b: Tensor) -> Call:
    return partial(torch.bmm, a, b, out=out)


def _bmm_transposed(out: Tensor, a: Tensor, b: Tensor) -> Call:
    # out^T = b^T @ a^T; exact for o = 1
    return partial(torch.bmm, b.mT, a.mT, out=out.mT)


def _colsum(out: Tensor, g: Tensor) -> Call:
    return partial(torch.sum, g, 1, out=out)


def _mse(out: Tensor, pred: Tensor, y: Tensor) -> Call:
    # mse_loss is mean((pred - y)**2), and mean is a sum, then a division by the count.
    def run() -> None:
        diff = pred - y  # [K, B, o]
        torch.sum(diff.mul_(diff), (1, 2), out=out).div_(pred.shape[1] * pred.shape[2])

    return run


#: For each site: the reference, then faster forms in the order they are tried. The
#: callers pass nn.Linear's ``addmm(bias, x, W.t())`` as ``linear(out, bias, x, W.mT)``,
#: its input gradient ``g.mm(W)`` as ``mm(out, g, W)``, its weight gradient
#: ``g.t().mm(x)`` as ``mm_t(out, g.mT, x)`` and its bias gradient ``g.sum(0)`` as
#: ``colsum(out, g)``.
_SITES: dict[str, tuple[Callable[..., Call], ...]] = {
    "linear": (_reference(torch.addmm), _linear, _linear_transposed, _looped(torch.addmm)),
    "mm": (_reference(torch.mm), _bmm, _looped(torch.mm)),
    "mm_t": (_reference(torch.mm), _bmm, _bmm_transposed, _looped(torch.mm)),
    "colsum": (_reference(partial(torch.sum, dim=0)), _colsum),
    "mse": (_reference(nn.functional.mse_loss), _mse),
}


def _layout(tensor: Tensor) -> tuple:
    return (tuple(tensor.shape), tensor.stride(), tensor.storage_offset())


#: Each site and layout's chosen form, by its index in _SITES: a probe's verdict
#: depends only on these, so a process probes each once.
_chosen: dict[tuple, int] = {}


def exact_call(site: str, out: Tensor, *args: Tensor) -> Call:
    """Bind the fastest form of ``site`` that is bitwise equal to its reference.

    The kernel a product uses depends on its shapes, strides and alignment, so each form
    is probed on two random draws laid out exactly like the step's own tensors; the
    reference itself is the last resort.
    """
    key = (site, _layout(out), *(_layout(a) for a in args))
    if key not in _chosen:
        if len(_chosen) > 4096:
            _chosen.clear()
        _chosen[key] = _probe(site, out, *args)
    return _SITES[site][_chosen[key]](out, *args)


def _probe(site: str, out: Tensor, *args: Tensor) -> int:
    """The index in ``_SITES[site]`` of the first form bitwise equal to the reference."""
    reference, *candidates = _SITES[site]
    generator = torch.Generator().manual_seed(0)

    def like(tensor: Tensor) -> Tensor:
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
    for index, candidate in enumerate(candidates, start=1):
        call = candidate(probe_out, *probe_args)
        exact = True
        for inputs, expected in draws:
            for probe, value in zip(probe_args, inputs, strict=True):
                probe.copy_(value)
            call()
            exact = exact and torch.equal(probe_out, expected)
        if exact:
            return index
    return 0

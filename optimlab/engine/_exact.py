"""Exact batched products: ``K`` runs' products in one call, bitwise equal to one run's.

A site computes ``out[k] = reference(args[k])`` for all K runs, where the reference is
what nn.Linear or autograd calls for one run. Each form below takes the step's own
buffers and returns a call with every view bound in advance: at these sizes, making a
view costs as much as the arithmetic. :func:`exact_call` probes the forms and binds the
fastest one that matches the reference bit for bit.
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


def _linear_reference(out: Tensor, bias: Tensor, x: Tensor, W: Tensor) -> Call:
    # nn.Linear on a 2-D input is addmm(bias, x, W.t()); out[k] is [B, o].
    def run() -> None:
        for k in range(len(out)):
            out[k].copy_(torch.addmm(bias[k], x[k], W[k].t()))

    return run


def _linear_looped(out: Tensor, bias: Tensor, x: Tensor, W: Tensor) -> Call:
    return loop(
        [partial(torch.addmm, bias[k], x[k], W[k].t(), out=out[k]) for k in range(len(out))]
    )


def _linear_batched(out: Tensor, bias: Tensor, x: Tensor, W: Tensor) -> Call:
    # out [K, B, o] = bias [K, 1, o] + x [K, B, i] @ W^T [K, i, o]
    return partial(torch.baddbmm, bias.unsqueeze(1), x, W.mT, out=out)


def _linear_batched_transposed(out: Tensor, bias: Tensor, x: Tensor, W: Tensor) -> Call:
    # out^T [K, o, B] = bias [K, o, 1] + W [K, o, i] @ x^T [K, i, B]; exact for o = 1
    return partial(torch.baddbmm, bias.unsqueeze(2), W, x.mT, out=out.mT)


def _mm_reference(out: Tensor, g: Tensor, W: Tensor) -> Call:
    # The input gradient of addmm: grad.mm(W); out[k] is [B, i].
    def run() -> None:
        for k in range(len(out)):
            out[k].copy_(g[k].mm(W[k]))

    return run


def _mm_looped(out: Tensor, g: Tensor, W: Tensor) -> Call:
    return loop([partial(torch.mm, g[k], W[k], out=out[k]) for k in range(len(out))])


def _mm_batched(out: Tensor, g: Tensor, W: Tensor) -> Call:
    return partial(torch.bmm, g, W, out=out)


def _mm_t_reference(out: Tensor, g: Tensor, x: Tensor) -> Call:
    # The weight gradient of addmm(bias, x, W.t()): grad.t().mm(x); out[k] is [o, i].
    def run() -> None:
        for k in range(len(out)):
            out[k].copy_(g[k].t().mm(x[k]))

    return run


def _mm_t_looped(out: Tensor, g: Tensor, x: Tensor) -> Call:
    return loop([partial(torch.mm, g[k].t(), x[k], out=out[k]) for k in range(len(out))])


def _mm_t_batched(out: Tensor, g: Tensor, x: Tensor) -> Call:
    return partial(torch.bmm, g.mT, x, out=out)


def _mm_t_batched_transposed(out: Tensor, g: Tensor, x: Tensor) -> Call:
    # out^T [K, i, o] = x^T [K, i, B] @ g [K, B, o]; exact for o = 1
    return partial(torch.bmm, x.mT, g, out=out.mT)


def _colsum_reference(out: Tensor, g: Tensor) -> Call:
    # The bias gradient: grad summed over the batch; out[k] is [o].
    def run() -> None:
        for k in range(len(out)):
            out[k].copy_(g[k].sum(0))

    return run


def _colsum_batched(out: Tensor, g: Tensor) -> Call:
    return partial(torch.sum, g, 1, out=out)


def _mse_reference(out: Tensor, pred: Tensor, y: Tensor) -> Call:
    # out[k] = mse_loss(pred[k], y[k]), a float32 scalar per run.
    def run() -> None:
        for k in range(len(out)):
            out[k] = nn.functional.mse_loss(pred[k], y[k])

    return run


def _mse_batched(out: Tensor, pred: Tensor, y: Tensor) -> Call:
    # mse_loss is mean((pred - y)**2), and mean is a sum, then a division by the count.
    def run() -> None:
        diff = pred - y  # [K, B, o]
        torch.sum(diff.mul_(diff), (1, 2), out=out).div_(pred.shape[1] * pred.shape[2])

    return run


#: For each site: the reference, then faster forms in the order they are tried.
_SITES: dict[str, tuple[Callable[..., Call], ...]] = {
    "linear": (_linear_reference, _linear_batched, _linear_batched_transposed, _linear_looped),
    "mm": (_mm_reference, _mm_batched, _mm_looped),
    "mm_t": (_mm_t_reference, _mm_t_batched, _mm_t_batched_transposed, _mm_t_looped),
    "colsum": (_colsum_reference, _colsum_batched),
    "mse": (_mse_reference, _mse_batched),
}


def _layout(tensor: torch.Tensor) -> tuple:
    # All that a probe copies of a tensor (see like, in _probe).
    return (tuple(tensor.shape), tensor.stride(), tensor.storage_offset())


#: Each site and layout's chosen form, by its index in _SITES: a probe's verdict
#: depends only on these, so a process probes each once.
_chosen: dict[tuple, int] = {}


def exact_call(site: str, out: torch.Tensor, *args: torch.Tensor) -> Call:
    """Bind the fastest form of ``site`` that is bitwise equal to its reference.

    The kernel a product uses depends on its shapes, strides and alignment, so each form
    is probed on random inputs laid out exactly like the step's own tensors, with two
    draws; the reference itself is the last resort. The verdict is kept per layout.
    """
    key = (site, _layout(out), *(_layout(a) for a in args))
    if key not in _chosen:
        if len(_chosen) > 4096:
            _chosen.clear()
        _chosen[key] = _probe(site, out, *args)
    return _SITES[site][_chosen[key]](out, *args)


def _probe(site: str, out: torch.Tensor, *args: torch.Tensor) -> int:
    """The index in ``_SITES[site]`` of the first form bitwise equal to the reference."""
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

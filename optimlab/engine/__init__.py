"""Train many runs at once: plain MLPs bitwise equal to the plain loop, other models close to it.

:func:`optimlab.train_valid` is the readable reference: one network, a ``DataLoader``,
autograd and the config's optimizer (:class:`torch.optim.AdamW` by default), about
thirty small tensor operations per optimizer step. At these sizes the time goes to
per-operation overhead, not arithmetic, so :func:`train_runs` trains every run that
shares epochs, batch size, the data shapes and the optimizer's code path *in one loop*
(``_kernel``): the parameters of ``K`` runs are stacked as ``[K, P]``, each layer is
one batched matrix product, the backward pass is written by hand with the products
autograd itself calls, and the optimizer is replicated operation by operation with one
coefficient per run (``_optimizers``: AdamW, Adam, SGD with or without momentum and
Nesterov, RMSprop, Adagrad and optimlab's Momentum). Runs of any other optimizer, such
as your own class, train in the reference loop, without a warning: that is by design,
not a fallback. Independent groups run in worker processes, one torch thread each,
or on any ``concurrent.futures`` executor, a cluster's included (``_schedule``; see
:doc:`/cluster`).

Why not ``torch.func`` (``stack_module_state`` + ``vmap``), the usual way to train many
small models at once? Because for the exercise's kind of network, a plain MLP
(``Linear`` and ``ReLU`` layers, any widths, any number of outputs) on the MSE loss,
this engine promises more than closeness: every curve is *bitwise* equal to the
reference loop's, so that a figure drawn from the engine is the figure the reference
loop would draw. ``vmap`` batches products with kernels whose summation order differs
from the per-run ones, and the curves drift apart in the last bits, then further.

Every other model (a CNN, another activation) and the cross-entropy loss do take that
road, the *fast path* (``_func``): the runs of a group are stacked with
``stack_module_state`` and run under ``vmap``, and the optimizer step is the kernel's.
Its curves agree with the reference loop's to float32 rounding (measured: at most 4e-7
in validation RMSE over 30 epochs on a tanh MLP, except where training is chaotic),
not to the bit; :func:`training_path` tells which path a run takes, and the result's
provenance records it. A model ``vmap`` cannot run (batch normalisation, dropout) trains
in the reference loop, with an :class:`EngineFallbackWarning`.

Exactness is not assumed, it is checked: a batched product is used only where a probe
on random inputs finds it bitwise equal to the per-run product autograd computes
(``_exact``; it is not always: batched kernels switch summation order for tiny products
and for the one-output layer); otherwise that product is computed run by run. Every
per-run slice that a product reads is 64-byte aligned, like a fresh tensor, because
MKL's results depend on alignment. The test suite checks the engine against
:func:`~optimlab.train_valid` (on one torch thread) on the pinned torch release; with any
other release, a self-check against it runs once per process, and if it disagrees every
run falls back to the reference loop with an :class:`EngineFallbackWarning`.
"""

from ._schedule import train_runs, training_path
from ._spec import RunSpec

__all__ = ["RunSpec", "train_runs", "training_path"]

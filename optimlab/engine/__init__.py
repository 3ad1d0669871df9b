"""Train many runs at once: plain MLPs bitwise equal to the plain loop, other models close to it.

:func:`optimlab.train_valid` is the readable reference: one network, a ``DataLoader``,
autograd and the config's optimizer, about thirty small tensor operations per step. At
these sizes the time goes to per-operation overhead, so :func:`train_runs` trains every
run that shares epochs, batch size and data shapes *in one loop* (``_kernel``): the
parameters of ``K`` runs are stacked as ``[K, P]``, each layer is one batched matrix
product, the backward pass is written by hand with the products autograd itself calls,
and the optimizer is replicated operation by operation with one coefficient per run
(``_optimizers``: AdamW, Adam, SGD with or without momentum and Nesterov, RMSprop,
Adagrad and optimlab's Momentum). Runs of any other optimizer, such as your own class,
train in the reference loop by design, without a warning. Independent groups run in
worker processes, one torch thread each, or on any ``concurrent.futures`` executor
(``_schedule``; see :doc:`/cluster`).

Why not ``torch.func`` (``stack_module_state`` + ``vmap``)? For the exercise's kind of
network, a plain MLP (``Linear`` and ``ReLU`` layers) on the MSE loss, the engine
promises every curve *bitwise* equal to the reference loop's, and ``vmap`` batches
products with kernels whose summation order differs from the per-run ones. Every other
model and the cross-entropy loss do take that road, the *fast path* (``_func``), equal to
float32 rounding (measured: at most 4e-7 in validation RMSE over 30 epochs on a tanh
MLP, except where training is chaotic); :func:`training_path` tells which path a run
takes. A model ``vmap`` cannot run (batch normalisation, dropout) trains in the
reference loop, with an :class:`EngineFallbackWarning`.

Exactness is checked, not assumed: a batched product is used only where a probe finds it
bitwise equal to the per-run product autograd computes (``_exact``; batched kernels
switch summation order for tiny products and the one-output layer), and every per-run
slice a product reads is 64-byte aligned, like a fresh tensor, as MKL's results depend
on alignment. The tests check the engine against :func:`~optimlab.train_valid` on the
pinned torch release; on any other, a self-check runs once per process, and if it
disagrees every run falls back to the reference loop with an
:class:`EngineFallbackWarning`.
"""

from ._schedule import train_runs, training_path
from ._spec import RunSpec

__all__ = ["RunSpec", "train_runs", "training_path"]

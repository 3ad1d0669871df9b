"""Running many runs: deduplicate, group, trust or not the kernel, spread over processes."""

from __future__ import annotations

import math
import pickle
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from functools import cache, partial
from typing import Any

import numpy as np
import torch
from torch import nn

from .._exceptions import EngineFallbackWarning, WorkerLostError
from .._validation import Split, check_bool, check_positive_int
from ..config import TrainingConfig
from ..data import exercise_data
from ..model import mlp_widths
from ._func import FuncGroup, func_unsupported
from ._kernel import ALIGN, Group
from ._optimizers import SELF_CHECK, engine_path
from ._processes import _Lost, default_jobs, describe_lost, execute, workers
from ._spec import RunSpec, metric_names, model_of, reference_curve, run_data

__all__ = ["train_runs", "training_path"]

#: What trains a run: the exact kernel, the torch.func fast path, or the reference loop.
ENGINE, FUNC, REFERENCE = "engine", "func", "reference"


def _route(spec: RunSpec, data: Split) -> tuple[str, tuple, str | None]:
    """What trains ``spec``, its group key, and the reason for a fallback worth a warning.

    Runs with the same key train in one loop, whatever their optimizers. The exact
    kernel's key ends with ``X_valid``'s offset from a 64-byte boundary, in floats: the
    reference loop multiplies the caller's tensor as it is.
    """
    config = spec.config
    if engine_path(config) is None:
        # Not an engine optimizer (a user's class, foreach=True): by design, no warning.
        return REFERENCE, (), None
    for tensor in (*data[0], *data[1]):
        if tensor.device.type != "cpu" or tensor.layout != torch.strided:
            return REFERENCE, (), f"its data are on {tensor.device} with layout {tensor.layout}"
    (X_train, Y_train), (X_valid, _) = data
    module = _model(spec, data)
    widths = mlp_widths(module)
    steps = (config.epochs, config.batch_size, *X_train.shape, len(X_valid))
    if spec.loss == "mse" and widths is not None and X_train.ndim == 2:
        distrust = _trusted()
        if distrust is not None:
            return REFERENCE, (), distrust
        offset = X_valid.data_ptr() % (4 * ALIGN) // 4
        return ENGINE, (ENGINE, widths, *steps, offset), None
    refusal = _refusal(spec, data)
    if refusal is not None:
        return REFERENCE, (), refusal
    shapes = tuple(tuple(p.shape) for p in module.parameters())
    return FUNC, (FUNC, spec.loss, spec.model, shapes, *steps, *Y_train.shape[1:]), None


#: Per model function, seed, width and data shape: the initial network, and the reason
#: the fast path refuses it (each made when first needed).
_models: dict[tuple, nn.Module] = {}
_refusals: dict[tuple, str | None] = {}


def _cached(store: dict, spec: RunSpec, data: Split, make: Callable[[], Any]) -> Any:
    key = (spec.model, spec.seed, spec.n_hidden, tuple(data[0][0].shape[1:]))
    if key not in store:
        if len(store) > 256:
            store.clear()
        store[key] = make()
    return store[key]


def _model(spec: RunSpec, data: Split) -> nn.Module:
    return _cached(_models, spec, data, lambda: model_of(spec, data))


def _refusal(spec: RunSpec, data: Split) -> str | None:
    return _cached(_refusals, spec, data, lambda: func_unsupported(_model(spec, data), data[0][0]))


def training_path(spec: RunSpec) -> str:
    """What :func:`train_runs` trains ``spec`` with: ``"engine"``, ``"func"``, ``"reference"``."""
    return _route(spec, run_data(spec))[0]


def _cost(specs: Sequence[RunSpec], data: Split, kind: str = ENGINE) -> float:
    """Rough seconds to train ``specs`` as one group, for load balancing only."""
    (X_train, _), _ = data
    n, f = X_train.shape[0], math.prod(X_train.shape[1:])
    spec = specs[0]
    steps = spec.config.epochs * math.ceil(n / spec.config.batch_size)
    if kind != ENGINE:
        params = sum(p.numel() for p in _model(spec, data).parameters())
        per_run = 300 if kind == REFERENCE else 0
        return steps * (1500 + len(specs) * (per_run + params / 100)) * 1e-6
    h, B = spec.n_hidden, min(spec.config.batch_size, n)
    params = h * f + h * h + 3 * h + 1
    # ~60 us of per-operation overhead a step, plus the arithmetic of each run.
    return steps * (60 + len(specs) * (params / 300 + B * h * (h + f + 2) / 4400)) * 1e-6


@dataclass
class _Task:
    """Runs for one process to train: one engine group, or one run of the reference loop."""

    indices: list[int]
    specs: list[RunSpec]
    kind: str
    cost: float
    valid_offset: int = 0
    widths: tuple[int, ...] | None = None

    def portable(self) -> tuple:
        """What a worker needs, pickled cheaply: user data as numpy arrays, not tensors."""
        specs = [replace(s, data=None) for s in self.specs]
        arrays = [
            None if s.data is None else tuple(tuple(t.numpy() for t in pair) for pair in s.data)
            for s in self.specs
        ]
        return self.indices, specs, arrays, self.kind, self.valid_offset, self.widths


def _tensor(array: np.ndarray) -> torch.Tensor:
    # Some executors (Ray) hand out read-only views of their object store, which torch
    # warns about even when, as here, nothing writes to them.
    return torch.from_numpy(array if array.flags.writeable else array.copy())


def _run_task(task: tuple) -> tuple[list[int], list[np.ndarray], list[str]]:
    """Train a task given by :meth:`_Task.portable`; return its run indices, curves and paths.

    Each curve is ``[metrics, epochs]``; each path is what trained the run here. It runs
    on one torch thread: the operations are far too small to share, and one thread keeps
    every kernel's summation order fixed.
    """
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
    indices, specs, arrays, kind, valid_offset, widths = task
    datas: list[Split] = [
        run_data(spec) if array is None else tuple(tuple(map(_tensor, p)) for p in array)  # type: ignore[misc]
        for spec, array in zip(specs, arrays, strict=True)
    ]
    # A worker on another machine may have another torch build than the caller: it
    # decides for itself whether to trust the exact kernel (the reference loop is exact).
    if kind == REFERENCE or (kind == ENGINE and _trusted() is not None):
        curves = [reference_curve(s, d) for s, d in zip(specs, datas, strict=True)]
        kind = REFERENCE
    elif kind == FUNC:
        curves = list(FuncGroup(specs, datas).run())
    else:
        curves = list(Group(specs, datas, valid_offset, widths).run()[:, None])
    return indices, curves, [kind] * len(curves)


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
    """``None`` if the engine matches :func:`optimlab.train_valid` bitwise on a tiny problem.

    Else the reason to fall back. Every engine optimizer runs with shared and per-run
    coefficients, a partial last batch and a shuffled run; about a second, mostly
    torch.optim's first import of torch._dynamo.
    """
    (X_train, Y_train), (X_valid, Y_valid) = exercise_data(seed=1)
    data = ((X_train[:40], Y_train[:40]), (X_valid[:20], Y_valid[:20]))
    tiny = TrainingConfig(epochs=2, batch_size=6)
    run = partial(RunSpec, n_hidden=8, data=data)
    groups = [
        [
            run(tiny.replace(lr=0.05, **settings)),
            run(tiny.replace(weight_decay=0.5, **settings | other), seed=7, shuffle_seed=3),
        ]
        for settings, other in SELF_CHECK
    ]
    groups.append([run(tiny)])
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        got = [curve for group in groups for curve in Group(group, [data] * len(group)).run()]
        want = [reference_curve(s)[0] for group in groups for s in group]
    except Exception as error:  # any failure means: do not trust the engine
        return f"its self-check raised {type(error).__name__}: {error}"
    finally:
        torch.set_num_threads(threads)
    if not all(np.array_equal(a, b, equal_nan=True) for a, b in zip(got, want, strict=True)):
        return f"its curves differ from train_valid's on this build (torch {torch.__version__})"
    return None


def _plan(specs: Sequence[RunSpec], n_jobs: int) -> list[_Task]:
    """Group the runs, split groups too large for a fair share, largest first."""
    tasks: list[_Task] = []
    groups: dict[tuple, list[int]] = {}
    for i, spec in enumerate(specs):
        kind, key, reason = _route(spec, run_data(spec))
        if kind != REFERENCE:
            groups.setdefault(key, []).append(i)
            continue
        if reason is not None:
            warnings.warn(
                f"the sweep engine cannot train run {i} ({spec}) exactly: {reason}; "
                "using the reference loop train_valid for it",
                EngineFallbackWarning,
                stacklevel=3,
            )
        tasks.append(_Task([i], [spec], REFERENCE, _cost([spec], run_data(spec), REFERENCE)))
    costs = {
        key: _cost([specs[i] for i in ids], run_data(specs[ids[0]]), key[0])
        for key, ids in groups.items()
    }
    share = sum(costs.values()) / n_jobs
    for key, ids in groups.items():
        # Runs of one optimizer path side by side: each path's step is one call.
        ids.sort(key=lambda i: repr(engine_path(specs[i].config)))
        # Splitting a group costs its per-step overhead again; only worth it when one
        # group alone would keep a worker busy longer than its share.
        parts = min(len(ids), max(1, math.ceil(costs[key] / share - 0.25)))
        for part in np.array_split(np.array(ids), parts):
            chunk = [specs[i] for i in part]
            cost = _cost(chunk, run_data(chunk[0]), key[0])
            extra = (key[-1], key[1]) if key[0] == ENGINE else ()
            tasks.append(_Task(part.tolist(), chunk, key[0], cost, *extra))
    return sorted(tasks, key=lambda task: -task.cost)


def train_runs(
    specs: Sequence[RunSpec],
    *,
    n_jobs: int | None = None,
    executor: Executor | None = None,
    all_metrics: bool = False,
    with_trainers: bool = False,
) -> Any:
    """Train every run and return its validation curve, as :func:`~optimlab.train_valid` would.

    Identical runs are trained once. Runs that share epochs, batch size, network
    structure and data shapes train together in one loop, whatever their
    hyperparameters, seeds and data; these groups (split when one would keep a worker
    busy longer than its share) are the chunks spread over ``n_jobs`` worker processes,
    or sent to ``executor``. A plain MLP (:func:`optimlab.model.mlp_widths`) on the MSE
    loss trains in the exact kernel, bitwise equal to the reference loop on one thread,
    ``inf`` and ``nan`` included. Any other model, or the cross-entropy loss, trains in
    the ``torch.func`` fast path, equal up to float32 rounding, unless ``vmap`` cannot
    run it (buffers, dropout): then in the reference loop, with a warning.
    :func:`training_path` tells which, as this process routes the run; a worker (maybe
    with another torch build) may fall back to the reference loop itself.

    Parameters
    ----------
    specs : sequence of RunSpec
        The runs.
    n_jobs : int, optional
        Worker processes, one torch thread each; default: the cores this process may
        use. With 1, or when there is only one group, everything runs in this process
        (on one torch thread, the caller's setting restored afterwards). The workers
        (loky's reusable executor, on every platform) never re-run the caller's script;
        they are kept for the next call (resized to its ``n_jobs``) and end after five
        idle minutes, or with this process. With ``executor``: the number of workers
        to plan chunks for; default: the executor's ``max_workers``, else the cores here.
    executor : concurrent.futures.Executor, optional
        Where to train instead: a ``ProcessPoolExecutor``, a ``ThreadPoolExecutor`` or
        a cluster's executor, such as Dask's ``Client(address).get_executor(pure=False)``
        (see :doc:`/cluster`). Each chunk sets its worker to one torch thread. It stays
        open: shutting it down is the caller's business.
    all_metrics : bool, default=False
        Return every metric of each run, not only the tracked one.
    with_trainers : bool, default=False
        Return also what trained each run, as the process that trained it reports it.

    Returns
    -------
    list of numpy.ndarray, or list of dict
        One array of shape ``(spec.config.epochs,)`` per spec, in order: the validation RMSE
        (or log loss, for ``loss="cross_entropy"``) after every epoch. With
        ``all_metrics``, one dict per spec, from metric name to curve, as
        ``optimlab.training.learning_curves`` returns.
    list of str
        Only with ``with_trainers`` (the result is then the pair): per spec, in order,
        ``"engine"``, ``"func"`` or ``"reference"``, as :func:`training_path` names them.

    Raises
    ------
    TypeError
        If an element of ``specs`` is not a :class:`RunSpec`, or ``executor`` is not a
        ``concurrent.futures.Executor``.
    ValueError
        If ``n_jobs`` is not a positive integer.
    WorkerLostError
        If a worker died before finishing its chunk; it holds the finished curves.

    Warns
    -----
    EngineFallbackWarning
        For each run trained by the reference loop instead, with the reason.

    Notes
    -----
    Ctrl-C stops a sweep at once: chunks not started are cancelled and the engine's own
    workers are ended. A given executor's running chunks finish on its workers.

    Examples
    --------
    >>> from optimlab import TrainingConfig
    >>> from optimlab.engine import RunSpec, train_runs
    >>> configs = [TrainingConfig(epochs=2, lr=0.1), TrainingConfig(epochs=2, lr=0.2)]
    >>> curves = train_runs([RunSpec(config) for config in configs], n_jobs=1)
    >>> [curve.shape for curve in curves]
    [(2,), (2,)]
    """
    specs = list(specs)
    for i, spec in enumerate(specs):
        if not isinstance(spec, RunSpec):
            raise TypeError(f"specs[{i}] must be a RunSpec, got {type(spec).__name__}")
    if executor is not None and not isinstance(executor, Executor):
        raise TypeError(
            f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}"
        )
    all_metrics = check_bool("all_metrics", all_metrics)
    with_trainers = check_bool("with_trainers", with_trainers)
    if n_jobs is not None:
        n_jobs = check_positive_int("n_jobs", n_jobs)
    else:
        n_jobs = default_jobs() if executor is None else workers(executor)
    if not specs:
        return ([], []) if with_trainers else []
    first: dict[tuple, int] = {}
    unique = [first.setdefault(spec.key(), i) for i, spec in enumerate(specs)]
    runs = sorted(set(unique))
    tasks = _plan([specs[i] for i in runs], n_jobs)
    for task in tasks:
        task.indices = [runs[i] for i in task.indices]
    # A run whose optimizer class cannot be pickled (defined inside a function) cannot go
    # to a worker process: it trains here.
    here = [task for task in tasks if not _picklable(task)]
    away = [task for task in tasks if _picklable(task)] if here else tasks
    threads = torch.get_num_threads()
    try:
        done = execute(away, _run_task, n_jobs, executor) if away else {}
        if here:
            done.update(execute(here, _run_task, 1, None))
    except _Lost as error:
        finished = {i: error.done[u][0][0].copy() for i, u in enumerate(unique) if u in error.done}
        lost = [i for i, u in enumerate(unique) if u not in error.done]
        said = str(error.cause).partition("\n")[0]  # loky's runs on with advice of its own
        cause = f"{type(error.cause).__name__}: {said}"
        message = describe_lost(specs, lost, len(finished), cause)
        raise WorkerLostError(message, finished, lost) from error.cause
    finally:
        if executor is not None:
            torch.set_num_threads(threads)  # tasks run in the caller's threads set theirs
    curves = [
        {name: done[i][0][row].copy() for row, name in enumerate(metric_names(specs[i]))}
        if all_metrics
        else done[i][0][0].copy()
        for i in unique
    ]
    return (curves, [done[i][1] for i in unique]) if with_trainers else curves


def _picklable(task: _Task) -> bool:
    try:
        pickle.dumps([(spec.config, spec.model) for spec in task.specs])
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True

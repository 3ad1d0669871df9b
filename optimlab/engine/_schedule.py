"""Running many runs: deduplicate, group, trust or not the kernel, spread over workers."""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing
import os
import pickle
import signal
import sys
import types
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    CancelledError,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from dataclasses import dataclass, replace
from functools import cache

import numpy as np
import torch

from .._validation import Split, check_positive_int
from ..config import TrainingConfig
from ..data import exercise_data
from ._kernel import ALIGN, Group
from ._optimizers import SELF_CHECK, engine_path
from ._spec import RunSpec, data_of, reference_curve

__all__ = ["EngineFallbackWarning", "WorkerLostError", "train_runs"]

_log = logging.getLogger("optimlab")


class EngineFallbackWarning(RuntimeWarning):
    """The sweep engine trained some runs with the reference loop instead; says why."""


class WorkerLostError(RuntimeError):
    """A worker stopped before it finished its runs; the other runs' curves are kept.

    Raised by :func:`train_runs` (and so by :func:`~optimlab.compare_configs` and
    :func:`~optimlab.compare_sweeps`) when a worker process dies mid-sweep: killed, out
    of memory, or a machine of a cluster gone. The message names the runs lost.

    Attributes
    ----------
    finished : dict of int to numpy.ndarray
        The curve of every run that finished, by its index in ``specs``.
    lost : list of int
        The indices in ``specs`` of the runs without a curve, in order: train them
        again with ``train_runs([specs[i] for i in error.lost])``.

    Examples
    --------
    Keep what finished and train the rest again, here in this process:

    >>> from optimlab import TrainingConfig
    >>> from optimlab.engine import RunSpec, WorkerLostError, train_runs
    >>> def train_all(specs):
    ...     try:
    ...         return train_runs(specs)
    ...     except WorkerLostError as error:
    ...         again = train_runs([specs[i] for i in error.lost], n_jobs=1)
    ...         curves = {**error.finished, **dict(zip(error.lost, again))}
    ...         return [curves[i] for i in range(len(specs))]
    >>> [curve.shape for curve in train_all([RunSpec(TrainingConfig(epochs=2))])]
    [(2,)]
    """

    def __init__(self, message: str, finished: dict[int, np.ndarray], lost: list[int]):
        super().__init__(message)
        self.finished = finished
        self.lost = lost


def _group_key(spec: RunSpec, data: Split) -> tuple:
    """Runs with the same key train in one loop: same step count and tensor shapes.

    The last entry is where ``X_valid``'s data sit relative to a 64-byte boundary, in
    floats: the reference loop multiplies the caller's tensor as it is (see _runs).
    """
    (X_train, _), (X_valid, _) = data
    offset = X_valid.data_ptr() % (4 * ALIGN) // 4
    config = spec.config
    shapes = (config.epochs, config.batch_size, spec.n_hidden, *X_train.shape, len(X_valid))
    return (*shapes, offset)


def _cost(specs: Sequence[RunSpec], data: Split) -> float:
    """Rough seconds to train ``specs`` as one group, for load balancing only."""
    (X_train, _), _ = data
    n, f = X_train.shape
    spec = specs[0]
    h, B = spec.n_hidden, min(spec.config.batch_size, n)
    steps = spec.config.epochs * math.ceil(n / spec.config.batch_size)
    params = h * f + h * h + 3 * h + 1
    # ~60 us of per-operation overhead a step, plus the arithmetic of each run.
    return steps * (60 + len(specs) * (params / 300 + B * h * (h + f + 2) / 4400)) * 1e-6


@dataclass
class _Task:
    """Runs for one process to train: one engine group, or one run of the reference loop."""

    indices: list[int]
    specs: list[RunSpec]
    reference: bool
    cost: float
    valid_offset: int = 0

    def portable(self) -> tuple:
        """What a worker needs, pickled cheaply: user data as numpy arrays, not tensors."""
        specs = [replace(s, data=None) for s in self.specs]
        arrays = [
            None if s.data is None else tuple(tuple(t.numpy() for t in pair) for pair in s.data)
            for s in self.specs
        ]
        return self.indices, specs, arrays, self.reference, self.valid_offset


def _tensor(array: np.ndarray) -> torch.Tensor:
    # Some executors (Ray) hand out read-only views of their object store, which torch
    # warns about even when, as here, nothing writes to them.
    return torch.from_numpy(array if array.flags.writeable else array.copy())


def _run_task(task: tuple) -> tuple[list[int], list[np.ndarray]]:
    """Train a task given by :meth:`_Task.portable`; return its run indices and curves.

    Wherever it runs, it runs on one torch thread: the operations are far too small to
    share, and a single thread keeps every kernel's summation order fixed. In a thread of
    the caller's process this sets that thread's count only.
    """
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
    indices, specs, arrays, reference, valid_offset = task
    datas = [
        data_of(spec)
        if array is None
        else tuple(tuple(_tensor(a) for a in pair) for pair in array)
        for spec, array in zip(specs, arrays, strict=True)
    ]
    # A worker on another machine may have another torch build than the caller: it
    # decides for itself whether to trust the engine (the reference loop is exact too).
    if reference or _trusted() is not None:
        return indices, [reference_curve(s, d) for s, d in zip(specs, datas, strict=True)]
    return indices, list(Group(specs, datas, valid_offset).run())


def _init_worker() -> None:
    torch.set_num_threads(1)
    # Ctrl-C reaches the whole process group; the parent stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
    """Compare the engine with :func:`optimlab.train_valid` on a tiny problem.

    Returns ``None`` when every curve is bitwise equal, else the reason to fall back.
    The problem exercises every optimizer of the engine with one coefficient for all
    runs and with one per run, a partial last batch and a shuffled run. It costs about a
    second, mostly torch.optim's first import of torch._dynamo.
    """
    (X_train, Y_train), (X_valid, Y_valid) = exercise_data(seed=1)
    data = ((X_train[:40], Y_train[:40]), (X_valid[:20], Y_valid[:20]))
    tiny = TrainingConfig(epochs=2, batch_size=6)
    groups = [
        [
            RunSpec(tiny.replace(lr=0.05, **settings), n_hidden=8, data=data),
            RunSpec(
                tiny.replace(weight_decay=0.5, **{**settings, **other}),
                seed=7,
                shuffle_seed=3,
                n_hidden=8,
                data=data,
            ),
        ]
        for settings, other in SELF_CHECK
    ]
    groups.append([RunSpec(tiny, n_hidden=8, data=data)])
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        got = [curve for group in groups for curve in Group(group, [data] * len(group)).run()]
        want = [reference_curve(s) for group in groups for s in group]
    except Exception as error:  # any failure means: do not trust the engine
        return f"its self-check raised {type(error).__name__}: {error}"
    finally:
        torch.set_num_threads(threads)
    if not all(np.array_equal(a, b, equal_nan=True) for a, b in zip(got, want, strict=True)):
        return f"its curves differ from train_valid's on this build (torch {torch.__version__})"
    return None


def _unsupported(spec: RunSpec) -> str | None:
    """Why the engine cannot train ``spec`` exactly, or ``None``."""
    if spec.data is not None:
        for pair in spec.data:
            for tensor in pair:
                if tensor.device.type != "cpu" or tensor.layout != torch.strided:
                    return f"its data are on {tensor.device} with layout {tensor.layout}"
    return _trusted()


def _plan(specs: Sequence[RunSpec], n_jobs: int) -> list[_Task]:
    """Group the runs, split groups too large for a fair share, largest first."""
    tasks: list[_Task] = []
    groups: dict[tuple, list[int]] = {}
    for i, spec in enumerate(specs):
        if engine_path(spec.config) is None:
            # Not an engine optimizer (optimlab's Momentum, a user's class, foreach=True):
            # the reference loop by design, so no warning.
            tasks.append(_Task([i], [spec], True, _cost([spec], data_of(spec)) * 10))
            continue
        reason = _unsupported(spec)
        if reason is None:
            groups.setdefault(_group_key(spec, data_of(spec)), []).append(i)
            continue
        warnings.warn(
            f"the sweep engine cannot train run {i} ({spec}) exactly: {reason}; "
            "using the reference loop train_valid for it",
            EngineFallbackWarning,
            stacklevel=3,
        )
        tasks.append(_Task([i], [spec], True, _cost([spec], data_of(spec)) * 10))
    costs = {
        key: _cost([specs[i] for i in ids], data_of(specs[ids[0]])) for key, ids in groups.items()
    }
    share = sum(costs.values()) / n_jobs
    for key, ids in groups.items():
        # Runs of one optimizer path side by side: each path's step is then one call.
        ids.sort(key=lambda i: repr(engine_path(specs[i].config)))
        # Splitting a group costs its per-step overhead again; only worth it when one
        # group alone would keep a worker busy longer than its share.
        parts = min(len(ids), max(1, math.ceil(costs[key] / share - 0.25)))
        for part in np.array_split(np.array(ids), parts):
            chunk = [specs[i] for i in part]
            cost = _cost(chunk, data_of(chunk[0]))
            tasks.append(_Task(part.tolist(), chunk, False, cost, valid_offset=key[-1]))
    return sorted(tasks, key=lambda task: -task.cost)


def _default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _fork_safe() -> bool:
    """Whether the engine may fork its workers: fork exists, is safe, and was not refused.

    Windows has no fork. On macOS forking a process whose torch already started threads
    can deadlock (and its default is spawn). Elsewhere a start method the user set
    (``multiprocessing.set_start_method("spawn")``) is respected.
    """
    if sys.platform == "darwin" or "fork" not in multiprocessing.get_all_start_methods():
        return False
    return multiprocessing.get_start_method(allow_none=True) in (None, "fork")


_explained = False


def _explain_in_process() -> None:
    """Say once per process why a sweep runs in this process, and how to get workers."""
    global _explained
    if _explained:
        return
    _explained = True
    _log.info(
        "optimlab trains sweeps in this process only: worker processes cannot be forked "
        "here (platform %s, start method %s). For k worker processes pass n_jobs=k "
        "(they are spawned, each importing torch, without re-running your script), or "
        "pass executor= any concurrent.futures.Executor.",
        sys.platform,
        multiprocessing.get_start_method(allow_none=True) or "default",
    )


@contextlib.contextmanager
def _main_hidden() -> Iterator[None]:
    """Start spawned processes that do not re-run the caller's script.

    A spawned child imports the parent's ``__main__`` module, that is runs the caller's
    script again unless it is guarded by ``if __name__ == "__main__":``. The engine's
    workers need nothing from it (a task holds only optimlab objects and numpy arrays),
    so while they start, ``__main__`` is an empty module, as loky (joblib's executor)
    does by default.
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


@contextlib.contextmanager
def _forking() -> Iterator[None]:
    # A forked worker sets one thread before any torch operation, so the parent's thread
    # pools, which fork does not copy, are never entered.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r".*multi-threaded.*fork", DeprecationWarning)
        yield


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """End the pool's workers now, not after their current chunk (Ctrl-C, a failure)."""
    # ProcessPoolExecutor.terminate_workers is new in Python 3.14; before, the pool
    # keeps its processes in this private dict.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
    for process in processes:
        process.join()


class _Lost(Exception):
    """Internal: tasks that no worker finished; train_runs names them for the user."""

    def __init__(self, curves: dict[int, np.ndarray], lost: list[int], cause: BaseException):
        super().__init__(cause)
        self.curves, self.lost, self.cause = curves, lost, cause


def _lost_worker(error: BaseException) -> bool:
    """Whether ``error`` says the worker was lost, rather than the task failing in it."""
    kinds: tuple[type[BaseException], ...] = (BrokenExecutor, CancelledError)
    distributed = sys.modules.get("distributed")  # dask gives up on a task: KilledWorker
    if distributed is not None and isinstance(getattr(distributed, "KilledWorker", None), type):
        kinds = (*kinds, distributed.KilledWorker)
    return isinstance(error, kinds)


def _gather(
    executor: Executor,
    tasks: Sequence[_Task],
    *,
    starting: contextlib.AbstractContextManager | None = None,
    stop: Callable[[], None] | None = None,
) -> dict[int, np.ndarray]:
    """Submit every task to ``executor``, collect the curves as they come.

    On Ctrl-C, or on a task's failure, the tasks not started are cancelled and ``stop``
    ends the workers; the curves finished so far are kept in the :class:`_Lost` error
    raised when a worker was lost.
    """
    curves: dict[int, np.ndarray] = {}
    pending: set[Future] = set()
    failure: Exception | None = None
    clean = False
    try:
        with starting or contextlib.nullcontext():
            for task in tasks:
                try:
                    pending.add(executor.submit(_run_task, task.portable()))
                except Exception as error:  # a broken pool refuses new work
                    failure = error
                    break
        while pending and failure is None:
            # A timeout keeps the wait interruptible by Ctrl-C on every platform.
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    indices, results = future.result()
                except Exception as error:
                    failure = failure or error
                else:
                    curves.update(zip(indices, results, strict=True))
        clean = failure is None
    finally:
        if not clean:  # Ctrl-C or a failure: nothing more to wait for
            for future in pending:
                future.cancel()
            if stop is not None:
                stop()
    if failure is None:
        return curves
    for future in pending:  # finished while the failure was handled
        if future.done() and not future.cancelled() and future.exception() is None:
            indices, results = future.result()
            curves.update(zip(indices, results, strict=True))
    if not _lost_worker(failure):
        raise failure
    lost = sorted(i for task in tasks for i in task.indices if i not in curves)
    raise _Lost(curves, lost, failure)


def _execute(
    tasks: Sequence[_Task], n_jobs: int, executor: Executor | None
) -> dict[int, np.ndarray]:
    if executor is not None:
        return _gather(executor, tasks)
    if n_jobs == 1 or len(tasks) == 1:
        curves: dict[int, np.ndarray] = {}
        threads = torch.get_num_threads()
        try:
            for task in tasks:
                curves.update(zip(*_run_task(task.portable()), strict=True))
        finally:
            torch.set_num_threads(threads)  # the caller's setting, untouched
        return curves
    # Fork where it is safe: a worker then starts in milliseconds with torch imported.
    fork = _fork_safe()
    context = multiprocessing.get_context("fork" if fork else "spawn")
    workers = min(n_jobs, len(tasks))
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker)
    with pool:
        return _gather(
            pool,
            tasks,
            starting=_forking() if fork else _main_hidden(),
            stop=lambda: _stop_pool(pool),
        )


def _workers(executor: Executor) -> int:
    """How many workers an executor has, to plan that many chunks; a guess if it won't say."""
    workers = getattr(executor, "_max_workers", None)  # concurrent.futures' own executors
    return workers if isinstance(workers, int) and workers > 0 else _default_jobs()


def _describe_lost(specs: Sequence[RunSpec], lost: list[int], finished: int, cause: str) -> str:
    shown = "; ".join(f"run {i}: {specs[i]}" for i in lost[:4])
    more = f"; and {len(lost) - 4} more" if len(lost) > 4 else ""
    return (
        f"a worker stopped before finishing {len(lost)} of {len(specs)} runs ({cause}). "
        f"Lost: {shown}{more}. The curves of the {finished} finished runs are in this "
        "error's .finished (by run index); train_runs([specs[i] for i in error.lost]) "
        "trains the lost ones again."
    )


def train_runs(
    specs: Sequence[RunSpec], *, n_jobs: int | None = None, executor: Executor | None = None
) -> list[np.ndarray]:
    """Train every run and return its validation curve, as :func:`~optimlab.train_valid` would.

    Identical runs are trained once. Runs that share epochs, batch size, ``n_hidden``
    and data shapes train together in one loop, whatever their hyperparameters, seeds
    and data; these groups (split when one would keep a worker busy longer than its
    share) are the chunks of work spread over ``n_jobs`` worker processes, or sent to
    ``executor``. Every curve is bitwise equal to the reference loop's on one thread of
    the machine that trained it, ``inf`` and ``nan`` included: see the module docstring
    for how that is ensured.

    Parameters
    ----------
    specs : sequence of RunSpec
        The runs.
    n_jobs : int, optional
        Worker processes, one torch thread each; default: the cores this process may
        use. With 1, or when there is only one group, everything runs in this process
        (with one torch thread, the caller's setting restored afterwards). Where
        workers cannot be forked (Windows, macOS, or a start method other than fork
        set with ``multiprocessing.set_start_method``), the default is 1, said once in
        the ``"optimlab"`` logger, and ``n_jobs > 1`` spawns workers that do not re-run
        the caller's script. With ``executor``: the number of workers to plan chunks
        for; default: the executor's ``max_workers``, else the cores here.
    executor : concurrent.futures.Executor, optional
        Where to train instead: a ``ProcessPoolExecutor``, a ``ThreadPoolExecutor`` or
        a cluster's executor, such as Dask's ``Client(address).get_executor(pure=False)``
        (see :doc:`/cluster`). It receives one task per chunk, which sets its worker
        to one torch thread. It stays open: shutting it down is the caller's business.

    Returns
    -------
    list of numpy.ndarray
        One array of shape ``(spec.config.epochs,)`` per spec, in order: the validation RMSE
        after every epoch.

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
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> from optimlab import TrainingConfig
    >>> from optimlab.engine import RunSpec, train_runs
    >>> configs = [TrainingConfig(epochs=2, lr=0.1), TrainingConfig(epochs=2, lr=0.2)]
    >>> curves = train_runs([RunSpec(config) for config in configs], n_jobs=1)
    >>> [curve.shape for curve in curves]
    [(2,), (2,)]
    >>> with ThreadPoolExecutor(2) as pool:
    ...     again = train_runs([RunSpec(config) for config in configs], executor=pool)
    >>> all((a == b).all() for a, b in zip(curves, again))
    True
    """
    specs = list(specs)
    for i, spec in enumerate(specs):
        if not isinstance(spec, RunSpec):
            raise TypeError(f"specs[{i}] must be a RunSpec, got {type(spec).__name__}")
    if executor is not None and not isinstance(executor, Executor):
        raise TypeError(
            f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}"
        )
    explain = False
    if n_jobs is not None:
        n_jobs = check_positive_int("n_jobs", n_jobs)
    elif executor is not None:
        n_jobs = _workers(executor)
    elif _fork_safe():
        n_jobs = _default_jobs()
    else:
        n_jobs, explain = 1, _default_jobs() > 1
    if not specs:
        return []
    first: dict[tuple, int] = {}
    unique = [first.setdefault(spec.key(), i) for i, spec in enumerate(specs)]
    runs = sorted(set(unique))
    tasks = _plan([specs[i] for i in runs], n_jobs)
    for task in tasks:
        task.indices = [runs[i] for i in task.indices]
    if n_jobs == 1 and len(tasks) > 1 and explain:
        _explain_in_process()
    # A run whose optimizer class cannot be pickled (defined inside a function) cannot go
    # to a worker process: it trains here.
    here = [task for task in tasks if not _picklable(task)]
    away = [task for task in tasks if _picklable(task)] if here else tasks
    threads = torch.get_num_threads()
    try:
        curves = _execute(away, n_jobs, executor) if away else {}
        if here:
            curves.update(_execute(here, 1, None))
    except _Lost as error:
        finished = {i: error.curves[u].copy() for i, u in enumerate(unique) if u in error.curves}
        lost = [i for i, u in enumerate(unique) if u not in error.curves]
        cause = f"{type(error.cause).__name__}: {error.cause}"
        message = _describe_lost(specs, lost, len(finished), cause)
        raise WorkerLostError(message, finished, lost) from error.cause
    finally:
        if executor is not None:
            torch.set_num_threads(threads)  # tasks run in the caller's threads set theirs
    return [curves[i].copy() for i in unique]


def _picklable(task: _Task) -> bool:
    try:
        pickle.dumps([spec.config for spec in task.specs])
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True

"""Where runs train: this process, forked or spawned workers, or any executor.

A chunk of work is a task of the planner (``_schedule``): a picklable tuple that a
module-level function (``_schedule._run_task``) turns into curves. This module sends the
chunks out, collects the curves, and handles what can go wrong on the way: a platform
without a safe fork, Ctrl-C, a worker that dies.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.util
import os
import pickle
import signal
import sys
import threading
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
from functools import partial
from typing import Any, Protocol

import numpy as np
import torch

from .._exceptions import WorkerLostError

__all__ = ["WorkerLostError", "default_jobs", "describe_lost", "execute", "fork_safe", "workers"]

_log = logging.getLogger("optimlab")

#: Train one chunk: a portable task in, ``(run indices, curves)`` out.
RunTask = Callable[[Any], tuple[list[int], list[np.ndarray]]]


class Chunk(Protocol):
    """What the planner hands out: its runs' indices and a picklable form of itself."""

    indices: list[int]

    def portable(self) -> tuple: ...


def _init_worker() -> None:
    torch.set_num_threads(1)
    # Ctrl-C reaches the whole process group; the parent stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def fork_safe() -> bool:
    """Whether the engine may fork its workers: fork exists, is safe, and was not refused.

    Windows has no fork. On macOS forking a process whose torch already started threads
    can deadlock (and its default is spawn). Elsewhere a start method the user set
    (``multiprocessing.set_start_method("spawn")``) is respected.
    """
    if sys.platform == "darwin" or "fork" not in multiprocessing.get_all_start_methods():
        return False
    return multiprocessing.get_start_method(allow_none=True) in (None, "fork")


_explained = False


def explain_in_process() -> None:
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
    tasks: Sequence[Chunk],
    run: RunTask,
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
                    pending.add(executor.submit(run, task.portable()))
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


def execute(
    tasks: Sequence[Chunk], run: RunTask, n_jobs: int, executor: Executor | None
) -> dict[int, np.ndarray]:
    """Train every chunk with ``run``: here, in worker processes, or on ``executor``.

    Raises ``_Lost`` (internal) with the finished curves when a worker was lost.
    """
    if executor is not None:
        return _gather(executor, tasks, run)
    if n_jobs == 1 or len(tasks) == 1:
        curves: dict[int, np.ndarray] = {}
        threads = torch.get_num_threads()
        try:
            for task in tasks:
                curves.update(zip(*run(task.portable()), strict=True))
        finally:
            torch.set_num_threads(threads)  # the caller's setting, untouched
        return curves
    # Fork where it is safe: a worker then starts in milliseconds with torch imported.
    fork = fork_safe()
    if any(_uses_main(task.portable()) for task in tasks):
        # A forked worker knows the caller's script as it was at the fork: it needs a
        # pool of its own, forked now (a spawned one never knows it).
        pool = _new_pool(min(n_jobs, len(tasks)), fork)
        with pool:
            stop = partial(_stop_pool, pool)
            return _gather(pool, tasks, run, starting=_starting(fork), stop=stop)
    with _using_shared_pool(n_jobs, fork) as pool:
        return _gather(pool, tasks, run, starting=_starting(fork), stop=_stop_shared_pool)


def _new_pool(workers: int, fork: bool) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("fork" if fork else "spawn")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker)


def _starting(fork: bool) -> contextlib.AbstractContextManager:
    return _forking() if fork else _main_hidden()


#: The engine's own workers, kept from one call to the next: starting them, and each
#: worker's first group (its probes, its data), costs more than a short sweep trains.
#: Keyed by the process that made it (a forked child makes its own), the number of
#: workers and the start method.
_shared: tuple[tuple[int, int, bool], ProcessPoolExecutor] | None = None
_release_registered: set[int] = set()

#: Seconds the kept workers may sit idle before they end and free their memory (a
#: notebook between cells); the next call then starts new ones.
IDLE_SECONDS = 300.0

# Calls now using the kept pool, and the timer that ends it once they are none.
_guard = threading.Lock()
_in_use = 0
_idle_timer: threading.Timer | None = None


def _forget_in_child() -> None:
    # A forked child has none of its parent's calls or threads, and must not inherit the
    # lock held, should a thread of the parent hold it at the fork.
    global _guard, _in_use, _idle_timer
    _guard, _in_use, _idle_timer = threading.Lock(), 0, None


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forget_in_child)


@contextlib.contextmanager
def _using_shared_pool(workers: int, fork: bool) -> Iterator[ProcessPoolExecutor]:
    """The kept pool, for one call; idle once no call uses it, it ends after a while."""
    global _in_use
    with _guard:
        if _idle_timer is not None:
            _idle_timer.cancel()
        pool = _shared_pool(workers, fork)
        _in_use += 1
    try:
        yield pool
    finally:
        with _guard:
            _in_use -= 1
            if _in_use == 0 and _own_pool() is pool:
                _end_when_idle(pool)


def _end_when_idle(pool: ProcessPoolExecutor) -> None:
    global _idle_timer
    _idle_timer = threading.Timer(IDLE_SECONDS, _release_idle_pool, args=(pool,))
    _idle_timer.daemon = True  # never keeps the interpreter from exiting
    _idle_timer.start()


def _release_idle_pool(pool: ProcessPoolExecutor) -> None:
    """The timer's end: release ``pool`` unless a call took it up meanwhile."""
    global _shared
    with _guard:
        if _in_use or _own_pool() is not pool:
            return
        _shared = None
    pool.shutdown(wait=True)


def _shared_pool(workers: int, fork: bool) -> ProcessPoolExecutor:
    global _shared
    key = (os.getpid(), workers, fork)
    if _shared is not None and _shared[0] != key:
        _release_shared_pool()
    if _shared is None:
        if key[0] not in _release_registered:
            # Python shuts the pool down at the exit of a main process, but a process
            # of multiprocessing ends with os._exit, after joining its children: the
            # workers must be told to stop first, or the exit waits forever.
            multiprocessing.util.Finalize(None, _release_shared_pool, exitpriority=100)
            _release_registered.add(key[0])
        _shared = (key, _new_pool(workers, fork))
    return _shared[1]


def _own_pool() -> ProcessPoolExecutor | None:
    """The shared pool if this process made it (a forked child inherits its parent's)."""
    global _shared
    if _shared is not None and _shared[0][0] != os.getpid():
        _shared = None
    return None if _shared is None else _shared[1]


def _release_shared_pool() -> None:
    """Let the shared workers finish and end; the next call starts new ones."""
    global _shared
    pool, _shared = _own_pool(), None
    if pool is not None:
        pool.shutdown(wait=True)


def _stop_shared_pool() -> None:
    """Ctrl-C or a failure: end the shared workers now; the next call starts new ones."""
    global _shared
    pool, _shared = _own_pool(), None
    if pool is not None:
        _stop_pool(pool)


class _Nowhere:
    def write(self, data: bytes) -> int:
        return len(data)


class _MainFinder(pickle.Pickler):
    """Pickles to nowhere, noting whether anything is pickled by reference to ``__main__``."""

    found = False

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, type | types.FunctionType) and obj.__module__ == "__main__":
            self.found = True
        return NotImplemented


def _uses_main(payload: Any) -> bool:
    """Whether ``payload`` refers to a class or function of the caller's script."""
    finder = _MainFinder(_Nowhere())
    try:
        finder.dump(payload)
    except Exception:  # unpicklable: the pool will say so, as before
        return True
    return finder.found


def workers(executor: Executor) -> int:
    """How many workers an executor has, to plan that many chunks; a guess if it won't say."""
    workers = getattr(executor, "_max_workers", None)  # concurrent.futures' own executors
    return workers if isinstance(workers, int) and workers > 0 else default_jobs()


def describe_lost(specs: Sequence[Any], lost: list[int], finished: int, cause: str) -> str:
    shown = "; ".join(f"run {i}: {specs[i]}" for i in lost[:4])
    more = f"; and {len(lost) - 4} more" if len(lost) > 4 else ""
    return (
        f"a worker stopped before finishing {len(lost)} of {len(specs)} runs ({cause}). "
        f"Lost: {shown}{more}. The curves of the {finished} finished runs are in this "
        "error's .finished (by run index); train_runs([specs[i] for i in error.lost]) "
        "trains the lost ones again."
    )

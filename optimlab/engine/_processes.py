"""Where runs train: this process, the engine's kept workers, or any executor.

A chunk is a planner's task (``_schedule``): a picklable tuple that ``_schedule._run_task``
turns into curves and the path that trained each. This module sends chunks out, collects
the results and handles Ctrl-C and lost workers.

The engine's own workers are loky's reusable executor: fresh interpreters on every
platform (no fork) that do not re-run the caller's script, cloudpickle (so a script's
own functions reach them by value), kept from one call to the next and ended when idle.
"""

from __future__ import annotations

import multiprocessing.util
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    CancelledError,
    Executor,
    Future,
    wait,
)
from functools import partial
from typing import Any, Protocol

import numpy as np
import torch
from loky import ProcessPoolExecutor, get_reusable_executor

from .._exceptions import WorkerLostError

__all__ = ["WorkerLostError", "default_jobs", "describe_lost", "execute", "workers"]

#: Train one chunk: a portable task in, ``(run indices, curves, paths)`` out.
RunTask = Callable[[Any], tuple[list[int], list[np.ndarray], list[str]]]

#: Seconds the kept workers may sit idle (a notebook between cells) before they end.
IDLE_SECONDS = 300.0


class Chunk(Protocol):
    """What the planner hands out: its runs' indices and a picklable form of itself."""

    indices: list[int]

    def portable(self) -> tuple: ...


def _init_worker() -> None:
    torch.set_num_threads(1)
    # Ctrl-C reaches the whole process group; the parent stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


#: The process whose thread last took up the kept workers.
_keeper: int | None = None
_finalized: set[int] = set()


def _kept_workers(n_jobs: int) -> ProcessPoolExecutor:
    """The engine's workers, kept for the next call: starting costs more than a short sweep."""
    global _keeper
    _keeper = os.getpid()
    kept = get_reusable_executor(n_jobs, timeout=IDLE_SECONDS, initializer=_init_worker)
    if id(kept) not in _finalized:
        # A process of multiprocessing ends with os._exit after joining its children:
        # the workers must be told to stop first, or its exit waits forever.
        multiprocessing.util.Finalize(None, kept.shutdown, exitpriority=100)
        _finalized.add(id(kept))  # the finalizer keeps it alive: its id stays its own
    return kept


#: Each finished run's curves and the path that trained it, by run index.
Results = dict[int, tuple[np.ndarray, str]]


class _Lost(Exception):
    """Internal: tasks that no worker finished; train_runs names them for the user."""

    def __init__(self, done: Results, lost: list[int], cause: BaseException):
        super().__init__(cause)
        self.done, self.lost, self.cause = done, lost, cause


def _lost_worker(error: BaseException) -> bool:
    """Whether ``error`` says the worker was lost, rather than the task failing in it."""
    kinds: tuple[type[BaseException], ...] = (BrokenExecutor, CancelledError)
    distributed = sys.modules.get("distributed")  # dask gives up on a task: KilledWorker
    if distributed is not None and isinstance(getattr(distributed, "KilledWorker", None), type):
        kinds = (*kinds, distributed.KilledWorker)
    return isinstance(error, kinds)


def _collect(done: Results, result: tuple[list[int], list[np.ndarray], list[str]]) -> None:
    indices, curves, paths = result
    done.update(zip(indices, zip(curves, paths, strict=True), strict=True))


def _gather(
    executor: Executor,
    tasks: Sequence[Chunk],
    run: RunTask,
    stop: Callable[[], None] | None = None,
) -> Results:
    """Submit every task to ``executor`` and collect the results as they come.

    On Ctrl-C or a failure, tasks not started are cancelled and ``stop`` ends the workers;
    a lost worker raises :class:`_Lost` with the results finished so far.
    """
    done: Results = {}
    pending: set[Future] = set()
    failure: Exception | None = None
    clean = False
    try:
        for task in tasks:
            try:
                pending.add(executor.submit(run, task.portable()))
            except Exception as error:  # a broken pool refuses new work
                failure = error
                break
        while pending and failure is None:
            # A timeout keeps the wait interruptible by Ctrl-C on every platform.
            finished, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in finished:
                try:
                    _collect(done, future.result())
                except Exception as error:
                    failure = failure or error
        clean = failure is None
    finally:
        if not clean:  # Ctrl-C or a failure: nothing more to wait for
            for future in pending:
                future.cancel()
            if stop is not None:
                stop()
    if failure is None:
        return done
    for future in pending:  # finished while the failure was handled
        if future.done() and not future.cancelled() and future.exception() is None:
            _collect(done, future.result())
    if not _lost_worker(failure):
        raise failure
    lost = sorted(i for task in tasks for i in task.indices if i not in done)
    raise _Lost(done, lost, failure)


def execute(
    tasks: Sequence[Chunk], run: RunTask, n_jobs: int, executor: Executor | None
) -> Results:
    """Train every chunk with ``run``: here, on the kept workers, or on ``executor``."""
    if executor is not None:
        return _gather(executor, tasks, run)
    if n_jobs == 1 or len(tasks) == 1:
        done: Results = {}
        threads = torch.get_num_threads()
        try:
            for task in tasks:
                _collect(done, run(task.portable()))
        finally:
            torch.set_num_threads(threads)  # the caller's setting, untouched
        return done
    if _keeper not in (None, os.getpid()):
        # A forked child holds its parent's kept executor, whose threads did not survive
        # the fork: it would wait forever. It trains on workers of its own, for this call.
        with ProcessPoolExecutor(n_jobs, initializer=_init_worker) as own:
            return _gather(own, tasks, run, stop=partial(own.shutdown, kill_workers=True))
    kept = _kept_workers(n_jobs)
    # Ctrl-C or a failure ends the workers now, not after their current chunk.
    return _gather(kept, tasks, run, stop=partial(kept.shutdown, kill_workers=True))


def workers(executor: Executor) -> int:
    """How many workers an executor has, to plan that many chunks; a guess if it won't say."""
    n = getattr(executor, "_max_workers", None)  # concurrent.futures' own executors
    return n if isinstance(n, int) and n > 0 else default_jobs()


def describe_lost(specs: Sequence[Any], lost: list[int], finished: int, cause: str) -> str:
    shown = "; ".join(f"run {i}: {specs[i]}" for i in lost[:4])
    more = f"; and {len(lost) - 4} more" if len(lost) > 4 else ""
    return (
        f"a worker stopped before finishing {len(lost)} of {len(specs)} runs ({cause}). "
        f"Lost: {shown}{more}. The curves of the {finished} finished runs are in this "
        "error's .finished (by run index); train_runs([specs[i] for i in error.lost]) "
        "trains the lost ones again."
    )

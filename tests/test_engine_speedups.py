"""The engine's speed-ups change nothing: a kept worker pool, cached probes and columns.

Each test compares the engine's curves with the plain loop train_valid on one thread (the
oracle), and checks the speed-up's own rule: which pool a call uses, when a pool is
replaced, that a warm cache gives what a cold one gives.
"""

import multiprocessing
import types

import numpy as np
import pytest
import torch

from optimlab import TrainingConfig, exercise_data, make_mlp, train_valid
from optimlab.engine import RunSpec, _exact, _optimizers, _processes, train_runs
from optimlab.engine._kernel import Group

fork_only = pytest.mark.skipif(
    not _processes.fork_safe(), reason="the kept pool is tested with forked workers"
)

#: Two batch sizes, so two groups and two tasks: the call goes to worker processes.
SPECS = [
    RunSpec(TrainingConfig(epochs=3, batch_size=b, lr=lr, beta2=beta2))
    for b in (16, 32)
    for lr, beta2 in ((0.01, 0.999), (0.05, 0.99))
]


def plain_loop(spec: RunSpec) -> np.ndarray:
    return train_valid(make_mlp(seed=spec.seed), exercise_data(spec.data_seed), spec.config)


@pytest.fixture(scope="module")
def references() -> list[np.ndarray]:
    return [plain_loop(spec) for spec in SPECS]


def assert_curves(curves: list[np.ndarray], references: list[np.ndarray]) -> None:
    for curve, want in zip(curves, references, strict=True):
        np.testing.assert_array_equal(curve, want, strict=True)


@fork_only
def test_consecutive_calls_share_one_pool_and_get_the_plain_loops_curves(references):
    _processes._stop_shared_pool()
    assert_curves(train_runs(SPECS, n_jobs=2), references)
    assert _processes._shared is not None
    first = _processes._shared[1]
    assert_curves(train_runs(SPECS, n_jobs=2), references)
    assert _processes._shared[1] is first


@fork_only
def test_another_worker_count_or_a_stopped_pool_gets_a_new_pool(references):
    assert_curves(train_runs(SPECS, n_jobs=2), references)
    two = _processes._shared[1]
    assert_curves(train_runs(SPECS, n_jobs=3), references)
    three = _processes._shared[1]
    assert three is not two and three._max_workers == 3
    _processes._stop_shared_pool()  # what Ctrl-C or a failed task does
    assert _processes._shared is None
    assert_curves(train_runs(SPECS, n_jobs=3), references)
    assert _processes._shared[1] is not three


@fork_only
def test_an_idle_pool_ends_and_the_next_call_starts_another(references, monkeypatch):
    _processes._stop_shared_pool()
    monkeypatch.setattr(_processes, "IDLE_SECONDS", 2.0)
    assert_curves(train_runs(SPECS, n_jobs=2), references)
    pool = _processes._shared[1]
    workers = list(pool._processes.values())
    assert workers and all(worker.is_alive() for worker in workers)
    _processes._idle_timer.join(timeout=60)  # it fires after IDLE_SECONDS, then ends
    assert _processes._shared is None
    for worker in workers:
        worker.join(timeout=60)
        assert not worker.is_alive()
    assert_curves(train_runs(SPECS, n_jobs=2), references)
    assert _processes._shared[1] is not pool


@fork_only
def test_a_call_within_the_idle_time_keeps_the_pool(references, monkeypatch):
    monkeypatch.setattr(_processes, "IDLE_SECONDS", 60.0)
    assert_curves(train_runs(SPECS, n_jobs=2), references)
    pool, timer = _processes._shared[1], _processes._idle_timer
    assert timer.is_alive()  # counting down
    assert_curves(train_runs(SPECS, n_jobs=2), references)
    assert _processes._shared[1] is pool
    timer.join(timeout=10)  # cancelled by the second call, which started its own
    assert not timer.is_alive() and _processes._shared[1] is pool
    assert _processes._idle_timer is not timer and _processes._idle_timer.is_alive()
    _processes._idle_timer.cancel()
    _processes._release_idle_pool(pool)  # what the timer does when it fires
    assert _processes._shared is None


def _idle_state_in_child(queue) -> None:
    queue.put((_processes._in_use, _processes._idle_timer, _processes._guard.acquire(False)))


@fork_only
def test_a_forked_child_starts_with_no_calls_no_timer_and_a_free_lock():
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    with _processes._guard:  # as if another thread were inside a call at the fork
        child = context.Process(target=_idle_state_in_child, args=(queue,))
        child.start()
    assert queue.get(timeout=60) == (0, None, True)
    child.join(timeout=60)
    assert child.exitcode == 0


def _train_in_child(queue) -> None:
    queue.put([curve.tolist() for curve in train_runs(SPECS, n_jobs=2)])


@fork_only
def test_a_forked_child_does_not_use_its_parents_pool(references):
    train_runs(SPECS, n_jobs=2)  # the parent now holds a pool, which the child inherits
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_train_in_child, args=(queue,))
    child.start()
    curves = queue.get(timeout=120)
    child.join(timeout=60)
    assert child.exitcode == 0
    assert_curves([np.array(curve) for curve in curves], references)


def test_only_tasks_free_of_the_callers_script_go_to_the_kept_pool():
    def model(seed):
        return make_mlp(seed=seed)

    assert not _processes._uses_main((SPECS, [None] * len(SPECS)))
    model.__module__ = "__main__"  # as a function of the caller's script is
    assert _processes._uses_main([RunSpec(TrainingConfig(epochs=1), model=model)])
    script = types.new_class("Script", (torch.optim.SGD,))
    script.__module__ = "__main__"
    assert _processes._uses_main([RunSpec(TrainingConfig(epochs=1, optimizer=script))])


def test_a_warm_cache_trains_what_a_cold_one_trains():
    """Probe verdicts and per-step columns, kept per process, give the same curves."""
    specs = [
        RunSpec(TrainingConfig(epochs=2, batch_size=7, lr=lr, beta1=beta1))
        for lr, beta1 in ((0.01, 0.9), (0.02, 0.5))
    ]
    data = exercise_data()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        _exact._chosen.clear()
        _optimizers._column.cache_clear()
        cold = Group(specs, [data, data]).run()
        assert _exact._chosen and _optimizers._column.cache_info().currsize > 0
        warm = Group(specs, [data, data]).run()
    finally:
        torch.set_num_threads(threads)
    np.testing.assert_array_equal(warm, cold, strict=True)
    np.testing.assert_array_equal(warm, np.stack([plain_loop(s) for s in specs]), strict=True)

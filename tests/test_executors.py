"""Sweeps on any concurrent.futures executor: bitwise the plain loop's curves, lost workers.

The reference is :func:`optimlab.train_valid` on one torch thread, run for run. The
sweeps are small (two epochs) but span three engine groups (batch sizes 8, 16 and 32),
so that work goes out in several chunks.
"""

import multiprocessing
import os
import runpy
import signal
import warnings
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, wait
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import run_script

import optimlab
from optimlab import (
    TrainingConfig,
    WorkerLostError,
    compare_sweeps,
    exercise_data,
    make_mlp,
    train_valid,
)
from optimlab.engine import RunSpec, train_runs

ROOT = Path(__file__).resolve().parents[1]
SWEEPS = [{"epochs": 2, "batch_size": [8, 32]}, {"epochs": 2, "lr": [0.1, 0.01]}]
SEEDS = 2


def plain_loop(batch_size: int, lr: float, seed: int, epochs: int = 2) -> np.ndarray:
    """One run of compare_configs as the reference loop trains it, on one torch thread."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return train_valid(
            make_mlp(seed=123 + seed),
            exercise_data(seed),
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
        )
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def expected() -> list[np.ndarray]:
    """``runs`` of each sweep of SWEEPS, ``[values, seeds, epochs]``, from the plain loop."""
    settings = [[(b, 0.01) for b in (8, 32)], [(16, lr) for lr in (0.1, 0.01)]]
    return [
        np.array([[plain_loop(b, lr, s) for s in range(SEEDS)] for b, lr in sweep])
        for sweep in settings
    ]


def assert_bitwise(results, expected) -> None:
    for result, want in zip(results, expected, strict=True):
        np.testing.assert_array_equal(result.runs, want, strict=True)


def test_thread_pool_gives_the_plain_loops_curves_and_keeps_the_callers_threads(expected):
    threads = torch.get_num_threads()
    torch.set_num_threads(2)  # the caller's own setting, which the sweep must not change
    try:
        with ThreadPoolExecutor(2) as pool:
            results = compare_sweeps(SWEEPS, seeds=SEEDS, executor=pool)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(threads)
    assert_bitwise(results, expected)


#: Python 3.12+ warns when a process with threads (torch's) forks; the workers set one
#: thread before any torch operation, so the parent's thread pools are never entered.
FORK_WARNING = "ignore:.*multi-threaded.*fork:DeprecationWarning"


@pytest.mark.filterwarnings(FORK_WARNING)
def test_process_pool_gives_the_plain_loops_curves(expected):
    # Fork, to keep the test fast; spawned workers are tested in test_platforms.py.
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        results = compare_sweeps(SWEEPS, seeds=SEEDS, executor=pool)
        # The executor stays the caller's: still open for more work.
        assert pool.submit(abs, -3).result() == 3
    assert_bitwise(results, expected)


# On a slow or loaded machine Dask warns (slow scratch directory, unresponsive event loop)
# and may leave a socket for the garbage collector on close: none of it is ours.
@pytest.mark.filterwarnings("ignore::UserWarning:distributed")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_docs_dask_example_gives_the_plain_loops_curves(expected):
    pytest.importorskip(
        "distributed", reason="Dask's distributed is an optional extra: pip install .[distributed]"
    )
    # docs/cluster_sweep.py, as docs/cluster.md shows it: a LocalCluster of two processes.
    example = runpy.run_path(str(ROOT / "docs" / "cluster_sweep.py"))
    assert_bitwise(example["sweep_on_cluster"](sweeps=SWEEPS, seeds=SEEDS), expected)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_docs_ray_executor_gives_the_plain_loops_curves(expected):
    ray = pytest.importorskip("ray", reason="Ray is not a dependency, not even optional")
    # docs/ray_executor.py, as docs/cluster.md shows it, on a local Ray of two CPUs.
    example = runpy.run_path(str(ROOT / "docs" / "ray_executor.py"))
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    ray.init(num_cpus=2, include_dashboard=False, runtime_env={"env_vars": {"PYTHONPATH": path}})
    try:
        executor = example["RayExecutor"]()
        assert_bitwise(compare_sweeps(SWEEPS, seeds=SEEDS, executor=executor, n_jobs=2), expected)
    finally:
        ray.shutdown()


def _kill_own_process() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class KillsAWorker(ProcessPoolExecutor):
    """A forked pool whose worker kills itself instead of running the ``kill_at``-th chunk.

    It first waits for every earlier chunk, so which runs finish is deterministic.
    """

    def __init__(self, kill_at: int):
        super().__init__(2, mp_context=multiprocessing.get_context("fork"))
        self.kill_at = kill_at
        self.futures = []

    def submit(self, fn, /, *args, **kwargs):
        if len(self.futures) + 1 == self.kill_at:
            wait(self.futures)
            future = super().submit(_kill_own_process)
        else:
            future = super().submit(fn, *args, **kwargs)
        self.futures.append(future)
        return future


def spec(batch_size: int, lr: float = 0.01, seed: int = 0) -> RunSpec:
    """The run ``plain_loop(batch_size, lr, seed)`` computes."""
    config = TrainingConfig(epochs=2, batch_size=batch_size, lr=lr)
    return RunSpec(config, seed=123 + seed, data_seed=seed)


@pytest.mark.filterwarnings(FORK_WARNING)
def test_a_killed_worker_names_the_lost_runs_and_keeps_the_finished_curves():
    # Three groups (batch sizes 8, 16, 32), trained largest first: 8, then 16, then 32.
    specs = [
        spec(batch_size=8),
        spec(batch_size=32),
        spec(batch_size=16, lr=0.1),
        spec(batch_size=32, seed=1),
        spec(batch_size=16),
        spec(batch_size=32),  # the same run as specs[1]
    ]
    # Caught by the base of optimlab's errors, as a reader who catches them all would.
    with KillsAWorker(kill_at=3) as pool, pytest.raises(optimlab.OptimlabException) as caught:
        train_runs(specs, executor=pool, n_jobs=1)  # n_jobs=1: one chunk per group
    assert type(caught.value) is WorkerLostError is optimlab.WorkerLostError
    error = caught.value
    assert error.lost == [1, 3, 5]
    assert sorted(error.finished) == [0, 2, 4]
    for i, curve in error.finished.items():
        want = plain_loop(specs[i].config.batch_size, specs[i].config.lr, specs[i].data_seed)
        np.testing.assert_array_equal(curve, want, strict=True)
    message = str(error)
    assert "3 of 6 runs" in message and "run 1: RunSpec(" in message and "run 3:" in message
    assert isinstance(error.__cause__, Exception) and "BrokenProcessPool" in message
    # What the message suggests: train the lost runs again.
    again = train_runs([specs[i] for i in error.lost], n_jobs=1)
    np.testing.assert_array_equal(again[0], plain_loop(32, 0.01, 0), strict=True)
    np.testing.assert_array_equal(again[1], plain_loop(32, 0.01, 1), strict=True)


def test_an_error_inside_a_chunk_is_raised_as_is():
    class Refuses(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            return super().submit(int, "not a number")

    with Refuses(1) as pool, pytest.raises(ValueError, match="invalid literal"):
        train_runs([spec(8)], executor=pool)


@pytest.mark.parametrize("executor", [object(), ThreadPoolExecutor])
def test_executor_must_be_an_executor(executor):
    with pytest.raises(TypeError, match=r"executor must be a concurrent\.futures\.Executor"):
        train_runs([spec(8)], executor=executor)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="executor must be"):
            compare_sweeps(SWEEPS, executor=executor)


#: A script whose model function kills the worker that builds seed 124's network.
DIES = """\
import os
import signal

import optimlab
from optimlab import make_mlp

PARENT = os.getpid()


def model(seed):
    if os.getpid() != PARENT and seed == 124:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel does when memory runs out
    return make_mlp(seed=seed)


try:
    optimlab.compare_configs(batch_size=[16, 32], epochs=2, seeds=2, model=model, n_jobs=2)
except optimlab.WorkerLostError as error:
    print(error)
result = optimlab.compare_configs(batch_size=[16, 32], epochs=2, model=model, n_jobs=2)
print(result.runs.shape)
"""


def test_a_killed_engine_worker_raises_worker_lost_and_the_next_call_trains(tmp_path):
    script = tmp_path / "dies.py"
    script.write_text(DIES)
    done = run_script(script)
    assert done.returncode == 0, done.stderr
    lost, shape = done.stdout.splitlines()
    assert lost.startswith("a worker stopped before finishing") and "run 1: RunSpec(" in lost
    assert shape == "(2, 1, 2)"  # fresh workers trained the next call

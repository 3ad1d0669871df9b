"""The engine's speed-ups change nothing: kept workers, per-process caches.

Each test compares the engine's curves with the plain loop train_valid on one thread (the
oracle), and checks what the speed-up promises as a user sees it: a second call starts
no process, idle workers end, a forked child and a script's own functions still train,
a process with warm caches trains what a fresh one trains.
"""

import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import run_script

from optimlab import TrainingConfig, exercise_data, make_mlp, train_valid
from optimlab.engine import RunSpec, _processes, train_runs

ROOT = Path(__file__).resolve().parents[1]

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="counts worker processes in /proc (Linux)"
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


def child_processes() -> set[int]:
    """The live child processes of this one, but for resource trackers, by process id."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text, command = stat.read_text(), (stat.parent / "cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        state, parent = text.rsplit(")", 1)[1].split()[:2]
        if int(parent) == os.getpid() and state != "Z" and b"resource_tracker" not in command:
            found.add(int(stat.parent.name))
    return found


@needs_proc
def test_a_second_call_starts_no_process_and_gets_the_plain_loops_curves(references):
    assert_curves(train_runs(SPECS, n_jobs=2), references)
    workers = child_processes()
    assert len(workers) >= 2
    assert_curves(train_runs(SPECS, n_jobs=2), references)
    assert child_processes() == workers


def test_another_worker_count_gets_the_plain_loops_curves(references):
    for n_jobs in (3, 2):
        assert_curves(train_runs(SPECS, n_jobs=n_jobs), references)


@needs_proc
def test_idle_workers_end_and_the_next_call_starts_others(references, monkeypatch):
    monkeypatch.setattr(_processes, "IDLE_SECONDS", 2.0)
    assert_curves(train_runs(SPECS, n_jobs=2), references)
    workers = child_processes()
    assert workers
    for _ in range(600):
        if not child_processes() & workers:
            break
        time.sleep(0.1)
    assert not child_processes() & workers
    assert_curves(train_runs(SPECS, n_jobs=2), references)


def _train_in_child(queue) -> None:
    queue.put([curve.tolist() for curve in train_runs(SPECS, n_jobs=2)])


# macOS can hang forking a process whose torch has started threads; Windows has no fork.
@pytest.mark.skipif(sys.platform == "darwin" or not hasattr(os, "fork"), reason="forks a child")
@pytest.mark.filterwarnings("ignore:.*multi-threaded.*fork:DeprecationWarning")
def test_a_forked_child_trains_with_workers_and_exits(references):
    train_runs(SPECS, n_jobs=2)  # the parent now keeps workers, which the child cannot use
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_train_in_child, args=(queue,))
    child.start()
    curves = queue.get(timeout=120)
    child.join(timeout=60)
    assert child.exitcode == 0
    assert_curves([np.array(curve) for curve in curves], references)


#: A script's own model function and optimizer class, trained on two workers.
SCRIPT = """\
import json
import sys

import torch

import optimlab
from optimlab import make_mlp

with open(sys.argv[2], "a") as runs:
    runs.write("ran\\n")


def model(seed):
    return make_mlp(seed=seed)


class ScriptSGD(torch.optim.SGD):
    pass


result = optimlab.compare_configs(
    optimizer=[ScriptSGD, "sgd"], batch_size=16, epochs=2, seeds=2, model=model, n_jobs=2
)
with open(sys.argv[1], "w") as out:
    json.dump({"runs": result.runs.tolist(), "by": result.provenance.trained_by}, out)
"""


def test_a_scripts_own_functions_and_classes_train_in_workers(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    out, ran = tmp_path / "out.json", tmp_path / "ran.txt"
    done = run_script(script, out, ran)
    assert done.returncode == 0, done.stderr
    assert ran.read_text() == "ran\n"  # the workers did not re-run the script
    made = json.loads(out.read_text())
    assert made["by"] == [["reference"] * 2, ["engine"] * 2]
    plain = [
        train_valid(make_mlp(seed=123 + s), exercise_data(s), epochs=2, batch_size=16,
                    optimizer="sgd")
        for s in range(2)
    ]  # fmt: skip
    for row in made["runs"]:
        np.testing.assert_array_equal(np.array(row), np.array(plain), strict=True)


#: Trains the same runs twice in one fresh process: with cold caches, then warm ones.
COLD_AND_WARM = """\
import json

from optimlab import TrainingConfig
from optimlab.engine import RunSpec, train_runs

specs = [
    RunSpec(TrainingConfig(epochs=2, batch_size=7, lr=lr, beta1=beta1))
    for lr, beta1 in ((0.01, 0.9), (0.02, 0.5))
]
print(json.dumps([[c.tolist() for c in train_runs(specs, n_jobs=1)] for _ in range(2)]))
"""


def test_a_process_with_warm_caches_trains_what_a_fresh_one_trains():
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(COLD_AND_WARM)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    cold, warm = json.loads(done.stdout)
    specs = [
        RunSpec(TrainingConfig(epochs=2, batch_size=7, lr=lr, beta1=beta1))
        for lr, beta1 in ((0.01, 0.9), (0.02, 0.5))
    ]
    for got in (cold, warm):
        assert_curves([np.array(curve) for curve in got], [plain_loop(s) for s in specs])

"""Sweeps on every platform, and Ctrl-C: no crash, no re-run, nothing left behind.

The engine's workers are loky's, fresh interpreters that never fork and never re-run the
caller's script, so the default is workers wherever there is more than one core. Windows
has only spawn and macOS should not fork a process that runs torch; on Linux a user's
start method is reproduced by forcing it before optimlab is imported, in a subprocess
that runs a small script *without* an ``if __name__ == "__main__":`` guard, as a reader's
copy of a gallery script would be.
"""

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import run_script

import optimlab
from optimlab import exercise_data, make_mlp, train_valid
from optimlab.engine import _processes, _schedule

ROOT = Path(__file__).resolve().parents[1]

#: The README's example, unguarded: a default call, the same again, then two workers.
SCRIPT = """\
import multiprocessing
import sys

multiprocessing.set_start_method({method!r}, force=True)

import numpy as np

import optimlab

with open(sys.argv[2], "a") as runs:
    runs.write("ran\\n")
first = optimlab.compare_configs(batch_size=[8, 16, 32], epochs=3, seeds=2)
again = optimlab.compare_configs(batch_size=[8, 16, 32], epochs=3, seeds=2)
workers = optimlab.compare_configs(batch_size=[8, 16, 32], epochs=3, seeds=2, n_jobs=2)
np.savez(sys.argv[1], first=first.runs, again=again.runs, workers=workers.runs)
"""


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def plain_loop() -> np.ndarray:
    """The README example's ``runs`` from train_valid on one thread, ``[3, 2, 3]``."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return np.array(
            [
                [
                    train_valid(make_mlp(seed=123 + s), exercise_data(s), epochs=3, batch_size=b)
                    for s in range(2)
                ]
                for b in (8, 16, 32)
            ]
        )
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_an_unguarded_script_runs_once_and_gets_the_plain_loops_curves(
    tmp_path, plain_loop, method
):
    script = tmp_path / "unguarded.py"
    script.write_text(SCRIPT.format(method=method))
    out, ran = tmp_path / "curves.npz", tmp_path / "ran.txt"
    done = run_script(script, out, ran, env=environment())
    assert done.returncode == 0, done.stderr
    # The script ran once: the workers, by default and with n_jobs=2, did not re-run it.
    assert ran.read_text() == "ran\n"
    with np.load(out) as curves:
        for name in ("first", "again", "workers"):
            np.testing.assert_array_equal(curves[name], plain_loop, strict=True)


@pytest.mark.parametrize("platform", ["darwin", "win32", "linux"])
def test_the_default_is_a_worker_per_core_on_every_platform(monkeypatch, plain_loop, platform):
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(_schedule, "default_jobs", lambda: 8)
    asked = []

    def execute(tasks, run, n_jobs, executor):
        asked.append(n_jobs)
        return _processes.execute(tasks, run, 1, executor)  # the same curves, in this process

    monkeypatch.setattr(_schedule, "execute", execute)
    result = optimlab.compare_configs(batch_size=[8, 16, 32], epochs=3, seeds=2)
    np.testing.assert_array_equal(result.runs, plain_loop, strict=True)
    assert asked == [8]


def processes_in_group(group: int) -> list[str]:
    """``pid state command`` of every live (not zombie) process in process group ``group``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        command, fields = text[text.index("(") + 1 : text.rindex(")")], text.rsplit(")")[1].split()
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(f"{stat.parent.name} {fields[0]} {command}")
    return found


LONG_SWEEP = """\
import multiprocessing
import sys

multiprocessing.set_start_method({method!r}, force=True)

import optimlab

print("starting", flush=True)
optimlab.compare_configs(batch_size=[2, 4, 8, 16], epochs=300, seeds=10, n_jobs=2)
print("finished", flush=True)
"""


@contextlib.contextmanager
def _ctrl_c_as_a_shell_leaves_it():
    """Start a child with SIGINT handled and unblocked, as a shell starts a foreground job.

    A child inherits an ignored SIGINT, and a blocked one, through exec, and Python then
    never raises KeyboardInterrupt in it. Other code run earlier in this test process
    may have left either behind (in a full run the sweep below once ignored Ctrl-C
    although it stops when this file runs alone); a shell would not pass it on.
    """
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGINT, handler)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_ctrl_c_stops_a_sweep_at_once_and_leaves_no_process(tmp_path, method):
    script = tmp_path / "long_sweep.py"
    script.write_text(textwrap.dedent(LONG_SWEEP.format(method=method)))
    # Its own process group, as a shell gives a foreground job: Ctrl-C signals all of it.
    with (
        _ctrl_c_as_a_shell_leaves_it(),
        subprocess.Popen(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        ) as sweep,
    ):
        try:
            assert sweep.stdout.readline() == "starting\n"
            for _ in range(300):  # until the workers have started (on a busy machine: later)
                if len(processes_in_group(sweep.pid)) > 1:
                    break
                time.sleep(0.1)
            assert len(processes_in_group(sweep.pid)) > 1, "no worker processes"
            time.sleep(1)  # the workers are training
            os.killpg(sweep.pid, signal.SIGINT)
            # The sweep needs minutes; stopping must take seconds.
            _, stderr = sweep.communicate(timeout=20)
        finally:
            if sweep.poll() is None:
                os.killpg(sweep.pid, signal.SIGKILL)
                sweep.communicate()
    assert sweep.returncode != 0
    assert "KeyboardInterrupt" in stderr
    # Workers are gone too (a resource tracker may take a moment to see its parent end).
    for _ in range(50):
        left = processes_in_group(sweep.pid)
        if not left:
            break
        time.sleep(0.1)
    assert left == []

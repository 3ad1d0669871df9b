"""Shared test set-up: Agg backend, one torch thread, no figure left open, one reference MLP.

Also the gallery's standalone runs (``tests/test_examples.py``), started in the
background before the first test: see :func:`standalone_runs`.
"""

import os
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import matplotlib
import pytest
import torch
from torch import nn

matplotlib.use("Agg")
# One thread: the plain-loop references are then reproducible to the bit (MKL splits some
# products differently on two threads) and do not stall on each other on a loaded machine.
torch.set_num_threads(1)


def reference_mlp(seed: int = 123, n_hidden: int = 50) -> nn.Sequential:
    """The exercise's 4-50-50-1 ReLU network, built with plain torch under ``manual_seed``.

    Independent of optimlab.make_mlp: the tests compare against it.
    """
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(4, n_hidden),
        nn.ReLU(),
        nn.Linear(n_hidden, n_hidden),
        nn.ReLU(),
        nn.Linear(n_hidden, 1),
    )


@pytest.fixture(autouse=True)
def _no_seed_offset(monkeypatch):
    """The suite's seeds are the defaults, whatever a developer's shell has set."""
    monkeypatch.delenv("OPTIMLAB_SEED_OFFSET", raising=False)


@pytest.fixture(autouse=True)
def _close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


GALLERY = Path(__file__).resolve().parents[1] / "gallery"
SCRIPTS = sorted(GALLERY.glob("*/plot_*.py"), key=lambda script: script.name)

# Another rounding regime than the site build's (see tests/test_examples.py).
REGIME = {"MKL_CBWR": "COMPATIBLE"}

Run = tuple[subprocess.CompletedProcess, Path, Path]


def _run_standalone(script: Path, folder: Path, records: Path) -> Run:
    environment = {k: v for k, v in os.environ.items() if k != "OPTIMLAB_SEED_OFFSET"}
    run = subprocess.run(
        [sys.executable, str(script)],
        cwd=folder,
        env={**environment, "MPLBACKEND": "Agg", "OPTIMLAB_CLAIMS_DIR": str(records), **REGIME},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return run, folder, records


@pytest.fixture(scope="session", autouse=True)
def standalone_runs(request, tmp_path_factory):
    """Every gallery script run once as a reader runs it, two at a time, in the background.

    Started before the first test when the session will check them, so that they share
    the two cores with the rest of the suite instead of running after it: the scripts'
    serial parts leave a core idle at times, and most other tests use one. Each test of
    ``test_examples.py`` waits for its script's run.
    """
    wanted = any(
        getattr(item, "originalname", None) == "test_example_runs_standalone"
        for item in request.session.items
    )
    if not wanted:
        yield {}
        return
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs: dict[Path, Future[Run]] = {
            script: pool.submit(
                _run_standalone,
                script,
                tmp_path_factory.mktemp(script.stem),
                tmp_path_factory.mktemp(f"{script.stem}-claims"),
            )
            for script in SCRIPTS
        }
        yield runs

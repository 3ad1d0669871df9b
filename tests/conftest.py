"""Shared test set-up: Agg backend, one torch thread, no figure left open, one reference MLP."""

import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]

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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--gallery",
        action="store_true",
        help="also run every gallery script on its own under MKL_CBWR=COMPATIBLE (minutes)",
    )


def run_script(script: Path, *args: object, env: dict | None = None):
    """``python script *args`` in the script's folder, with this checkout importable."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)} if env is None else env
    return subprocess.run(
        [sys.executable, str(script), *map(str, args)],
        cwd=script.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
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

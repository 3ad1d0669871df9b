"""Shared test set-up: a non-GUI backend, one torch thread, no figure left open between tests."""

import matplotlib
import pytest
import torch

matplotlib.use("Agg")
# One thread: the plain-loop references are then reproducible to the bit (MKL splits some
# products differently on two threads) and do not stall on each other on a loaded machine.
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")

"""Reset the random state before each gallery example, so every build prints the same numbers."""

import random

import numpy as np
import torch


def reset_seeds(gallery_conf: dict, fname: str) -> None:
    """Seed Python's, NumPy's and PyTorch's global generators with 0.

    Named as ``"gallery_reset.reset_seeds"`` in ``sphinx_gallery_conf["reset_modules"]``,
    a string, so that the configuration stays picklable.
    """
    random.seed(0)
    np.random.seed(0)  # noqa: NPY002 - the legacy global generator is what needs a reset
    torch.manual_seed(0)

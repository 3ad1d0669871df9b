"""Reset the random state and the figure style before each gallery example.

Every build prints the same numbers, and every figure is drawn to be read on a phone.
"""

import random

import matplotlib as mpl
import numpy as np
import torch

#: The site's figures: narrow, with large type. A phone shows a figure scaled to its text
#: column (339 to 354 CSS pixels of a 390-pixel screen); a 4.5-inch figure saved at 100
#: dpi is 450 pixels wide, so it is drawn at about 0.75 of its size, and 14-point type
#: becomes 14.6 pixels, near the body text's 16 (tests_site/test_phone.py checks it).
#: Matplotlib's defaults (6.4 inches, 10 points) would give 7.7 pixels.
FIGURE_STYLE = {
    "figure.figsize": (4.5, 3.4),
    "font.size": 14,
    "axes.titlesize": "medium",
    "legend.fontsize": "small",
    "legend.title_fontsize": "small",
}


def reset_seeds(gallery_conf: dict, fname: str) -> None:
    """Seed Python's, NumPy's and PyTorch's global generators with 0; set the figure style.

    Named as ``"gallery_reset.reset_seeds"`` in ``sphinx_gallery_conf["reset_modules"]``,
    a string, so that the configuration stays picklable. It runs after sphinx-gallery's
    own matplotlib reset, so :data:`FIGURE_STYLE` applies on top of matplotlib's defaults
    (a reader who runs a script elsewhere gets those defaults, larger and with smaller
    type, and the same content).
    """
    random.seed(0)
    np.random.seed(0)  # noqa: NPY002 - the legacy global generator is what needs a reset
    torch.manual_seed(0)
    mpl.rcParams.update(FIGURE_STYLE)

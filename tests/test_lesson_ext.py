"""The site's lesson extension (docs/_ext/lesson.py): folds of printed output, key figures.

Its two text transforms run on the reStructuredText that sphinx-gallery generates, so they
are tested on such text, without a Sphinx build.
"""

import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))
import lesson

# What sphinx-gallery writes for a text cell, a code cell, its figure and its output.
GENERATED = """\
Some text.

.. fold-output:: The answer, printed

.. code-block:: Python

    print("hello")

.. image-sg:: /auto_examples/q/images/sphx_glr_plot_01_page_001.png
   :alt: line plot of y against x
   :class: sphx-glr-single-img

.. rst-class:: sphx-glr-script-out

 .. code-block:: none

    hello
    world

.. code-block:: Python

    print("next")

.. rst-class:: sphx-glr-horizontal

    *

      .. image-sg:: /auto_examples/q/images/sphx_glr_plot_01_page_002.png
         :alt: scatter plot of b against a
         :class: sphx-glr-multi-img
"""


def test_fold_output_wraps_only_the_next_output():
    source = [GENERATED]
    lesson.fold_outputs(None, "page", source)
    text = source[0]
    assert ".. fold-output::" not in text
    opened = text.index('<details class="optimlab-fold"><summary>The answer, printed')
    closed = text.index("</details>")
    # the code and the figure stay outside the fold; the output is inside it
    assert text.index('print("hello")') < text.index("sphx_glr_plot_01_page_001") < opened
    assert opened < text.index("world") < closed < text.index('print("next")')
    assert text.count("<details") == text.count("</details>") == 1


def test_fold_output_without_output_is_dropped():
    source = ["Text.\n\n.. fold-output:: Nothing ran\n\nMore text.\n"]
    lesson.fold_outputs(None, "page", source)
    assert ".. fold-output" not in source[0] and source[0].split() == ["Text.", "More", "text."]


def test_key_figure_found_in_single_and_multi_figure_cells():
    single = lesson._image_block(GENERATED, "sphx_glr_plot_01_page_001.png")
    assert single[0].startswith(".. image-sg::") and ":alt: line plot" in single[1]
    multi = lesson._image_block(GENERATED, "sphx_glr_plot_01_page_002.png")
    assert multi[0].startswith(".. image-sg::")  # unindented
    assert multi[-1] == "   :class: sphx-glr-single-img"
    assert lesson._image_block(GENERATED, "sphx_glr_plot_01_page_003.png") is None


def test_torch_optim_links():
    assert lesson.TORCH_OPTIM.format("AdamW") == (
        "https://docs.pytorch.org/docs/stable/generated/torch.optim.AdamW.html"
    )
    match = lesson._TITLED.match("plain SGD <SGD>")
    assert (match["text"], match["name"]) == ("plain SGD", "SGD")
    scheduler = lesson._TITLED.match("cosine <lr_scheduler.CosineAnnealingLR>")
    assert lesson.TORCH_OPTIM.format(scheduler["name"]) == (
        "https://docs.pytorch.org/docs/stable/generated/"
        "torch.optim.lr_scheduler.CosineAnnealingLR.html"
    )

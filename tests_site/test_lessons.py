"""The lesson first, on a phone: each lesson page opens with its answer and stays short.

Run with the other site tests (``nox -s browser``, after ``nox -s docs``). At 390 px, a
phone's width, on each page that opens with an answer box (``.. lesson::``,
``docs/_ext/lesson.py``):

- the box ends within the first screen height below the page's title;
- with its folds closed the page is at most about eight screen heights long;
- no printed output block is wider than its box, folds opened (long lines wrap).

A page joins ``LESSON_PAGES`` when it gets its answer box. ``python
tests_site/test_lessons.py [SITE]`` prints the same measurements for any built site (the
length of a page before it had a box, say).
"""

from __future__ import annotations

import sys

import pytest
from conftest import PHONE

MAX_SCREENS = 8.5  # "about eight": a page's length with its folds closed, in screen heights

LESSON_PAGES = [
    "auto_examples/q1_one_setting/plot_01_example_call.html",
    "auto_examples/q1_one_setting/plot_02_input_scale.html",
    "auto_examples/q1_one_setting/plot_03_learning_rate.html",
    "auto_examples/q1_one_setting/plot_04_batch_size.html",
    "auto_examples/q1_one_setting/plot_05_weight_decay.html",
    "auto_examples/q1_one_setting/plot_06_beta1.html",
    "auto_examples/q1_one_setting/plot_07_beta2.html",
    "auto_examples/q2_momentum/plot_08_rosenbrock.html",
    "auto_examples/q2_momentum/plot_09_momentum_path.html",
    "auto_examples/q3_weight_decay/plot_10_weight_decay_rosenbrock.html",
    "auto_examples/q3_weight_decay/plot_11_weight_decay_quantified.html",
    "auto_examples/real_data/plot_20_diabetes.html",
    "auto_examples/real_data/plot_21_digits.html",
    "auto_examples/deeper/plot_12_momentum_map.html",
    "auto_examples/deeper/plot_13_momentum_animation.html",
    "auto_examples/deeper/plot_14_compare_optimizers.html",
    "auto_examples/deeper/plot_15_lr_range_test.html",
    "auto_examples/deeper/plot_16_optimizers_on_rosenbrock.html",
    "auto_examples/deeper/plot_17_lr_schedules.html",
]

# Every image loaded (lazy ones too), so that the page has its final height.
LOADED_JS = """async () => {
    const images = Array.from(document.images);
    images.forEach((img) => { img.loading = "eager"; });
    await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
        img.addEventListener("load", done); img.addEventListener("error", done);
    })));
    await document.fonts.ready;
}"""
# Where the title starts and the box ends (page coordinates), and the page's length.
LAYOUT_JS = """() => {
    const top = (el) => el ? el.getBoundingClientRect().top + window.scrollY : null;
    const bottom = (el) => el ? el.getBoundingClientRect().bottom + window.scrollY : null;
    return {
        title: top(document.querySelector(".bd-article h1")),
        box: bottom(document.querySelector(".bd-article .optimlab-lesson")),
        folds: document.querySelectorAll("details.optimlab-fold").length,
        height: document.documentElement.scrollHeight,
    };
}"""
# Printed output blocks wider than their box, every fold opened.
WIDE_OUTPUT_JS = """() => {
    document.querySelectorAll("details").forEach((d) => { d.open = true; });
    return Array.from(document.querySelectorAll(".bd-article .sphx-glr-script-out pre"))
        .filter((pre) => {
            const box = pre.parentElement.getBoundingClientRect();
            return pre.scrollWidth > pre.clientWidth + 1
                || pre.getBoundingClientRect().width > box.width + 1;
        })
        .map((pre) => `${pre.scrollWidth} px: ${pre.textContent.slice(0, 60)}`);
}"""


def measure(page_handle) -> dict:
    """Title, box end and height at 390 px, in pixels and in screen heights."""
    page_handle.evaluate(LOADED_JS)
    layout = page_handle.evaluate(LAYOUT_JS)
    layout["screens"] = layout["height"] / PHONE["height"]
    if layout["box"] is not None:
        layout["box_below_title"] = layout["box"] - layout["title"]
    return layout


@pytest.mark.parametrize("page", LESSON_PAGES)
def test_answer_first_and_short(phone, base_url, page):
    """The answer box ends within a screen of the title; folds closed, <= 8 screens."""
    phone.goto(base_url + page, wait_until="load")
    layout = measure(phone)
    assert layout["box"] is not None, f"{page} has no answer box (.. lesson::)"
    assert layout["box_below_title"] <= PHONE["height"], layout
    assert layout["screens"] <= MAX_SCREENS, layout


@pytest.mark.parametrize("page", LESSON_PAGES)
def test_output_fits_its_box(phone, base_url, page):
    """No printed output block is wider than its box at 390 px, with every fold open."""
    phone.goto(base_url + page, wait_until="load")
    phone.evaluate(LOADED_JS)
    assert phone.evaluate(WIDE_OUTPUT_JS) == []


if __name__ == "__main__":  # measure a built site: python tests_site/test_lessons.py [SITE]
    from pathlib import Path

    from conftest import phone_tab

    site = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/_build/html").resolve()
    with phone_tab() as tab:
        for page in LESSON_PAGES:
            tab.goto((site / page).as_uri(), wait_until="load")
            layout = measure(tab)
            wide = tab.evaluate(WIDE_OUTPUT_JS)
            box = layout.get("box_below_title")
            print(f"{page.rsplit('/', 1)[1]:<40} {layout['screens']:5.1f} screens, "
                  f"box ends {box if box is None else round(box)} px below the title, "
                  f"{layout['folds']} folds, {len(wide)} wide outputs")  # fmt: skip

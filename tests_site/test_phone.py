"""Readable on a phone: printed output, figure text and display math at 390 px.

Run with the other site tests (``nox -s browser``, after ``nox -s docs``). At 390 px, a
phone's width, held upright, on every gallery page (one page load each, every fold open):

- no printed output block is wider than its box, and a line laid out in columns (a
  table) fits unwrapped: the block's CSS wraps long lines, which is right for prose but
  breaks a table's columns, so a table must be printed narrow (about 45 characters at
  the phone's 12-px output type);
- each figure's text, scaled as the phone shows the figure, is about the size of the
  body text (:data:`BASE_SHARE`, :data:`SMALLEST_SHARE`), from the type sizes the build
  recorded for each figure (``docs/_ext/accessibility.py``);

and on the theory page every display equation (the AdamW update among them) is drawn at
nearly its full size (:data:`MATH_SCALE`), scrolling inside its own box when wider.
``python tests_site/test_phone.py [SITE]`` prints the measurements for any built site.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

#: A figure's text, scaled to the phone's width, against the body text's size. The rule
#: is the issue's ("type at least as large as the body text's"), with a margin for the
#: type of most of the figure (its median: tick labels, axis labels, titles) and a
#: larger one for its smallest (legends, colour-bar ticks): at 390 px, 16-px body text
#: asks for 14.4 px and 12 px. A figure 4.5 inches wide with 14-point type, the site's
#: style (docs/_ext/gallery_reset.py), gives 14.6 and 12.2 in a 339-px column;
#: matplotlib's defaults (6.4 inches, 10 points) gave 7.4.
BASE_SHARE = 0.9
SMALLEST_SHARE = 0.75
#: A display equation's drawn width over its natural width: 0.85 keeps its symbols at
#: about 14 px (the AdamW update was drawn at 0.67 when scaled to the column).
MATH_SCALE = 0.85

SITE = Path(__file__).resolve().parents[1] / "docs" / "_build" / "html"
#: Written by the build, one JSON file per figure image (docs/_ext/accessibility.py).
FIGURE_TEXT = SITE.parent / "figure_text"

GALLERY_PAGES = sorted(
    path.relative_to(SITE).as_posix() for path in (SITE / "auto_examples").rglob("plot_*.html")
)

# Every image loaded (lazy ones too) and every fold open, then the measurements.
MEASURE_JS = """async () => {
    document.querySelectorAll("details").forEach((d) => { d.open = true; });
    const images = Array.from(document.images);
    images.forEach((img) => { img.loading = "eager"; });
    await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
        img.addEventListener("load", done); img.addEventListener("error", done);
    })));
    await document.fonts.ready;
    const article = document.querySelector(".bd-article");
    const body = parseFloat(getComputedStyle(article.querySelector("p") || article).fontSize);
    // A line is laid out in columns when two or more spaces separate two of its words,
    // or when it starts with three or more spaces (a right-aligned first column).
    const columns = /\\S {2,}\\S|^ {3,}\\S/;
    const outputs = Array.from(article.querySelectorAll(".sphx-glr-script-out pre")).map((pre) => {
        const style = getComputedStyle(pre);
        const probe = document.createElement("span");
        probe.textContent = "0".repeat(100);
        probe.style.whiteSpace = "pre";
        pre.appendChild(probe);
        const char = probe.getBoundingClientRect().width / 100;
        probe.remove();
        const inside = pre.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
        const fits = Math.floor(inside / char + 0.01);
        const tables = pre.textContent.split("\\n")
            .filter((line) => columns.test(line) && line.trimEnd().length > fits);
        return {
            overflow: pre.scrollWidth - pre.clientWidth,
            wider: pre.getBoundingClientRect().width - pre.parentElement.clientWidth,
            fits: fits,
            tables: tables.map((line) => `${line.trimEnd().length} > ${fits}: ${line.trim()}`),
        };
    });
    const figures = Array.from(article.querySelectorAll(
        "img.sphx-glr-single-img, img.sphx-glr-multi-img"
    )).map((img) => ({
        file: img.getAttribute("src").split("/").pop(),
        shown: img.getBoundingClientRect().width,
        natural: img.naturalWidth,
        thumbnail: img.closest(".optimlab-lesson") !== null,
    }));
    return {body: body, outputs: outputs, figures: figures};
}"""

# Each display equation's drawn width over the width MathJax gave it (in ex).
MATH_JS = """() => Array.from(document.querySelectorAll(
    ".bd-article mjx-container[display='true']"
)).map((box) => {
    const svg = box.querySelector("svg");
    const probe = document.createElement("span");
    probe.style.display = "inline-block";
    probe.style.width = "1ex";
    box.appendChild(probe);
    const ex = probe.getBoundingClientRect().width;
    probe.remove();
    return {
        scale: svg.getBoundingClientRect().width / (parseFloat(svg.getAttribute("width")) * ex),
        box: box.clientWidth,
        text: box.textContent.slice(0, 40),
    };
})"""


def figure_text(figure: dict, body: float) -> dict:
    """The figure's base and smallest type as the phone draws them, in CSS pixels."""
    record = FIGURE_TEXT / f"{figure['file']}.json"
    if not record.is_file():
        return {"file": figure["file"], "missing": str(record)}
    sizes = json.loads(record.read_text())
    # In the image a point is dpi / 72 pixels; the browser scales the image by
    # shown / natural (naturalWidth is in CSS pixels, whichever srcset file it chose).
    scale = sizes["dpi"] / 72 * figure["shown"] / figure["natural"]
    return {
        "file": figure["file"],
        "base": round(sizes["base"] * scale, 1),
        "smallest": round(sizes["smallest"] * scale, 1),
        "needs": (round(BASE_SHARE * body, 1), round(SMALLEST_SHARE * body, 1)),
    }


def too_small(figure: dict) -> bool:
    if "missing" in figure:
        return True
    base, smallest = figure["needs"]
    return figure["base"] < base or figure["smallest"] < smallest


@pytest.mark.parametrize("page", GALLERY_PAGES)
def test_output_and_figures_read_on_a_phone(phone, base_url, page):
    """Output fits its box, tables unwrapped; figure text near the body text's size."""
    phone.goto(base_url + page, wait_until="load")
    measured = phone.evaluate(MEASURE_JS)
    outputs = measured["outputs"]
    assert [o for o in outputs if o["overflow"] > 1 or o["wider"] > 1] == []
    assert [line for o in outputs for line in o["tables"]] == []
    # The answer box's figure is a thumbnail a quarter of the screen high, opened at
    # full size by a tap (optimlab.js); the same figure is shown full width further on.
    figures = [figure_text(f, measured["body"]) for f in measured["figures"] if not f["thumbnail"]]
    assert figures, "no figure measured"
    assert [f for f in figures if too_small(f)] == []


def test_display_math_keeps_its_size_on_a_phone(phone, base_url):
    """The theory page's equations (AdamW's update first) are drawn at nearly full size."""
    phone.goto(base_url + "theory.html", wait_until="load")
    phone.wait_for_selector("mjx-container[display='true'] svg", timeout=10_000)
    equations = phone.evaluate(MATH_JS)
    assert len(equations) >= 3
    assert [e for e in equations if e["scale"] < MATH_SCALE] == []
    width, inner = phone.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner  # a wide equation scrolls in its box, not the page


if __name__ == "__main__":  # measure a built site: python tests_site/test_phone.py [SITE]
    from conftest import phone_tab

    site = Path(sys.argv[1] if len(sys.argv) > 1 else SITE).resolve()
    FIGURE_TEXT = site.parent / "figure_text"
    pages = sorted(
        path.relative_to(site).as_posix() for path in (site / "auto_examples").rglob("plot_*.html")
    )
    with phone_tab() as tab:
        for page in pages:
            tab.goto((site / page).as_uri(), wait_until="load")
            measured = tab.evaluate(MEASURE_JS)
            tables = [line for o in measured["outputs"] for line in o["tables"]]
            figures = [figure_text(f, measured["body"]) for f in measured["figures"]
                       if not f["thumbnail"]]  # fmt: skip
            bases = [f.get("base", 0) for f in figures]
            print(f"{page.rsplit('/', 1)[1]:<40} {len(measured['outputs'])} outputs, "
                  f"{len(tables)} table lines too wide, figure text "
                  f"{min(bases, default=0)}-{max(bases, default=0)} px "
                  f"({sum(map(too_small, figures))} of {len(figures)} too small)")  # fmt: skip
            for line in tables:
                print("   ", line[:100])
        tab.goto((site / "theory.html").as_uri(), wait_until="load")
        tab.wait_for_selector("mjx-container[display='true'] svg", timeout=10_000)
        scales = [round(equation["scale"], 2) for equation in tab.evaluate(MATH_JS)]
        print("theory.html: display equations drawn at", scales, "of their size")

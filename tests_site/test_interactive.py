"""The Rosenbrock page's interactive figure, driven in headless Chromium on a phone screen.

Run with the other site tests (``nox -s browser``, after ``nox -s docs``; that session
has playwright and pytest, not optimlab). Independent of ``test_browser.py``: it serves
the built site itself, under a sub-path, and checks that the figure loads plotly.js from
the site, that its controls (HTML form controls, which a keyboard works too) draw the
stored path they name (bit for bit; that the stored paths are the library's is
tests/test_rosenbrock_runs.py's job), and that the path shown first follows the exercise's momentum
rule, recomputed here in plain JavaScript.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import PHONE, SITE

ROOT = Path(__file__).resolve().parents[1]
PAGE = "auto_examples/deeper/plot_16_optimizers_on_rosenbrock.html"
ARTIFACTS = ROOT / "artifacts"

# One page, opened once for these tests, which run in order on one worker of pytest-xdist.
pytestmark = pytest.mark.xdist_group("interactive")

if not (SITE / PAGE).is_file():
    pytest.fail(f"no {PAGE} in {SITE}: build the site first with `nox -s docs`", pytrace=False)


@pytest.fixture(scope="module")
def page(browser, base_url):
    base = base_url  # the site served under a sub-path (tests_site/conftest.py)
    # The Chromium of this process (tests_site/conftest.py), a phone-sized context here.
    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    tab = context.new_page()
    tab.requests, tab.errors = [], []
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("console", lambda m: m.type == "error" and tab.errors.append(m.text))
    tab.on("requestfailed", lambda request: tab.errors.append(request.url))
    tab.base = base
    tab.goto(base + PAGE, wait_until="load")
    tab.wait_for_load_state("networkidle")
    tab.wait_for_selector(".plotly-graph-div[data-selection]", timeout=15_000)
    yield tab
    context.close()


def selection(page) -> list[int]:
    return json.loads(page.locator(".plotly-graph-div").get_attribute("data-selection"))


# Is the drawn trace, bit for bit, the stored path that the selection names?
DRAWS_THE_SELECTED_PATH = """() => {
    const gd = document.querySelector('.plotly-graph-div');
    const stored = gd.optimlabPaths, shape = stored.shape;
    const [o, l, m] = JSON.parse(gd.dataset.selection);
    const n = stored.x.length / (shape[0] * shape[1] * shape[2]);
    const k = (o * shape[1] + l) * shape[2] + m;
    const x = gd.data[1].x, y = gd.data[1].y;
    if (x.length !== n || y.length !== n) return false;
    for (let i = 0; i < n; i++) {
        if (!Object.is(x[i], stored.x[k * n + i]) || !Object.is(y[i], stored.y[k * n + i])) {
            return false;
        }
    }
    return true;
}"""

# The exercise's rule from (-1, 2), lr 0.01, beta 0.9, in doubles: the largest distance to
# the drawn float32 path.
DISTANCE_TO_THE_MOMENTUM_RULE = """() => {
    const gd = document.querySelector('.plotly-graph-div');
    const xs = gd.data[1].x, ys = gd.data[1].y;
    let x = -1, y = 2, vx = 0, vy = 0, worst = 0;
    for (let i = 0; i < xs.length; i++) {
        worst = Math.max(worst, Math.abs(xs[i] - x), Math.abs(ys[i] - y));
        const gx = -2 * (1 - x) - 8 * x * (y - x * x), gy = 4 * (y - x * x);
        vx = 0.9 * vx + 0.1 * gx; vy = 0.9 * vy + 0.1 * gy;
        x -= 0.01 * vx; y -= 0.01 * vy;
    }
    return [xs.length, worst];
}"""


def title(page) -> str:
    return page.evaluate("() => document.querySelector('.plotly-graph-div').layout.title.text")


def test_plotly_comes_from_the_site_and_nothing_from_elsewhere(page):
    assert page.errors == []
    outside = [u for u in page.requests if not u.startswith(page.base) and
               urlsplit(u).scheme not in {"data", "blob", "about"}]  # fmt: skip
    assert outside == []
    assert any(u == page.base + "_static/plotly.min.js" for u in page.requests)


def test_opens_at_the_exercise_setting(page):
    assert selection(page) == [1, 2, 3]  # the momentum rule, lr 0.01, beta 0.9
    assert title(page).startswith("momentum, lr 0.01, beta 0.9")
    assert page.evaluate(DRAWS_THE_SELECTED_PATH)
    points, distance = page.evaluate(DISTANCE_TO_THE_MOMENTUM_RULE)
    assert points == 201 and distance < 1e-4


def test_controls_swap_the_path(page):
    # The figure's HTML controls, worked from the keyboard as from a phone's screen.
    page.locator(".optimlab-controls select").select_option(label="adam")
    lr_slider = page.locator(".optimlab-controls input[name=lr]")
    lr_slider.focus()
    page.keyboard.press("End")  # the largest learning rate
    page.wait_for_function(
        "() => document.querySelector('.plotly-graph-div').dataset.selection === '[2,7,3]'"
    )
    assert title(page).startswith("adam, lr 1, beta1 0.9")
    assert lr_slider.get_attribute("aria-valuetext") == "1"
    assert page.evaluate(DRAWS_THE_SELECTED_PATH)
    assert page.evaluate(DISTANCE_TO_THE_MOMENTUM_RULE)[1] > 0.1  # another path now


def test_fits_a_phone(page):
    for part in (".plotly-graph-div", ".optimlab-controls"):
        box = page.locator(part).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".optimlab-explorer").screenshot(path=ARTIFACTS / "interactive_phone.png")

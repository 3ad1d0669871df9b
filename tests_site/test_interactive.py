"""The Rosenbrock page's interactive figure, driven in headless Chromium on a phone screen.

Run with the other site tests (``nox -s browser``, after ``nox -s docs``). Independent of
``test_browser.py``: it serves the built site itself, under a sub-path, and checks that
the figure loads plotly.js from the site, that its controls work, and that the path it
draws is, to the bit, the one the library computes.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from playwright.sync_api import sync_playwright

from optimlab.race import rosenbrock_path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "docs" / "_build" / "html"
PAGE = "auto_examples/deeper/plot_16_optimizers_on_rosenbrock.html"
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
PREFIX = "/a/sub/path/"
PHONE = {"width": 390, "height": 844}

if not (SITE / PAGE).is_file():
    pytest.fail(f"no {PAGE} in {SITE}: build the site first with `nox -s docs`", pytrace=False)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if not path.startswith(PREFIX):
            return str(SITE / "__outside_the_prefix__")
        return super().translate_path("/" + path[len(PREFIX) :])

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def page():
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(SITE))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}{PREFIX}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
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
        browser.close()
    server.shutdown()
    server.server_close()


def selection(page) -> list[int]:
    return json.loads(page.locator(".plotly-graph-div").get_attribute("data-selection"))


def drawn_path(page) -> np.ndarray:
    """The path trace's points as the browser holds them, back in float32."""
    points = page.evaluate(
        "() => { const d = document.querySelector('.plotly-graph-div').data[1];"
        " return [Array.from(d.x), Array.from(d.y)]; }"
    )
    return np.array(points, dtype=np.float32).T


def test_plotly_comes_from_the_site_and_nothing_from_elsewhere(page):
    assert page.errors == []
    outside = [u for u in page.requests if not u.startswith(page.base) and
               urlsplit(u).scheme not in {"data", "blob", "about"}]  # fmt: skip
    assert outside == []
    assert any(u == page.base + "_static/plotly.min.js" for u in page.requests)


def test_opens_at_the_exercise_setting_with_the_librarys_path(page):
    assert selection(page) == [1, 2, 3]  # momentum, lr 0.01, beta 0.9
    title = page.evaluate("() => document.querySelector('.plotly-graph-div').layout.title.text")
    assert title.startswith("momentum, lr 0.01, beta 0.9")
    expected = rosenbrock_path("momentum", 0.01, 200, momentum=0.9)
    np.testing.assert_array_equal(drawn_path(page), np.stack([expected.x, expected.y], axis=1))


def test_controls_swap_the_path(page):
    page.locator(".updatemenu-header-group").click()
    page.locator(".updatemenu-dropdown-button", has_text="adam").first.click()
    lr_slider = page.locator(".slider-rail-touch-rect").first
    lr_slider.scroll_into_view_if_needed()  # the click below is at viewport coordinates
    rail = lr_slider.bounding_box()
    page.mouse.click(rail["x"] + rail["width"] - 2, rail["y"] + rail["height"] / 2)
    page.wait_for_function(
        "() => document.querySelector('.plotly-graph-div').dataset.selection === '[2,7,3]'"
    )
    expected = rosenbrock_path("adam", 1.0, 200, momentum=0.9)
    np.testing.assert_array_equal(drawn_path(page), np.stack([expected.x, expected.y], axis=1))
    title = page.evaluate("() => document.querySelector('.plotly-graph-div').layout.title.text")
    assert title.startswith("adam, lr 1, beta1 0.9")


def test_fits_a_phone(page):
    box = page.locator(".plotly-graph-div").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".plotly-graph-div").screenshot(path=ARTIFACTS / "interactive_phone.png")

"""The explorer page (docs/explorer.md), driven in headless Chromium at 1280 and 390 px.

Run with the other site tests (``nox -s browser``, after ``nox -s docs``). The page's
curves are checked against the build's record of its runs, ``docs/_build/explorer/
runs.json``, written by ``docs/_ext/explorer.py`` at full precision and read here with
Python, not against the data the page carries: each number drawn must be the recorded
one rounded to four significant digits (that the recorded runs are ``compare_configs``'
is ``tests/test_explorer.py``'s job). The test chooses values in the form, pins curves,
reloads the page from its shared address, opens a heat map's cell, and works the
controls from the keyboard on a phone's screen, the page opened from a file:// URL.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import PHONE, SITE

ROOT = Path(__file__).resolve().parents[1]
PAGE = "explorer.html"
RECORD = ROOT / "docs" / "_build" / "explorer" / "runs.json"
DESKTOP = {"width": 1280, "height": 900}
DEFAULT = "0.01_16_0.01_0.9_0.999"

pytestmark = pytest.mark.xdist_group("explorer")

if not (SITE / PAGE).is_file() or not RECORD.is_file():
    pytest.fail(f"no {PAGE} or no {RECORD}: build the site with `nox -s docs`", pytrace=False)

REC = json.loads(RECORD.read_text())


def packed(value):
    """What the page holds for a recorded number: four significant digits."""
    if isinstance(value, list):
        return [packed(item) for item in value]
    return None if value is None else float(f"{value:.4g}")


def expected(world: str, key: str, role: str) -> list:
    entry = REC["worlds"][world][key]
    return packed({"median": entry["median"], "low": entry["low"], "high": entry["high"]}[role])


# The y values of each drawn trace of the curves' figure, by (pinned key, role, seed).
DRAWN_JS = """() => Array.from(document.getElementById('ox-curves').data).map((t) => [
    t.meta.key || '', t.meta.role, t.meta.seed === undefined ? null : t.meta.seed,
    Array.from(t.y)])"""


def drawn(tab) -> dict:
    return {(key, role, seed): y for key, role, seed, y in tab.evaluate(DRAWN_JS)}


def shown(tab) -> str:
    return tab.locator("#ox-curves").get_attribute("data-shown")


def open_page(browser, url: str, viewport: dict):
    context = browser.new_context(viewport=viewport)
    tab = context.new_page()
    tab.errors, tab.requests = [], []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("console", lambda m: m.type == "error" and tab.errors.append(m.text))
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.goto(url, wait_until="load")
    tab.wait_for_selector("#ox-curves[data-shown]", state="attached", timeout=15_000)
    return tab


def assert_draws(tab, world: str, key: str, each: bool = False) -> None:
    """The figure draws the recorded median and band of (world, key), and the yardstick."""
    traces = drawn(tab)
    pin = f"{world}:{key}"
    for role in ("median", "low", "high"):
        assert traces[pin, role, None] == expected(world, key, role), (pin, role)
    yardstick = packed(statistics.median(REC["yardsticks"]))  # the median over the seeds
    assert traces["", "yardstick", None] == [yardstick, yardstick]
    seeds = [k for k in traces if k[0] == pin and k[1] == "seed"]
    if each:
        assert [traces[k] for k in sorted(seeds, key=lambda k: k[2])] == packed(
            REC["worlds"][world][key]["seeds"]
        )
    else:
        assert seeds == []


@pytest.fixture(scope="module")
def desktop(browser, base_url):
    tab = open_page(browser, base_url + PAGE, DESKTOP)
    tab.base = base_url
    yield tab
    tab.context.close()


def test_opens_at_the_defaults_with_what_made_it(desktop):
    tab = desktop
    assert tab.errors == []
    outside = [u for u in tab.requests if not u.startswith(tab.base)
               and urlsplit(u).scheme not in {"data", "blob", "about"}]  # fmt: skip
    assert outside == []
    assert tab.base + "_static/plotly.min.js" in tab.requests
    assert shown(tab) == f"raw:{DEFAULT}"
    assert_draws(tab, "raw", DEFAULT)
    assert tab.locator("#ox-code").text_content() == REC["worlds"]["raw"][DEFAULT]["code"]
    provenance = tab.locator(".ox-provenance").text_content()
    assert f"optimlab {REC['versions']['optimlab']}" in provenance
    assert f"torch {REC['versions']['torch']}" in provenance
    assert f"seeds {REC['seeds'][0]} to {REC['seeds'][-1]}" in provenance
    for name in ("lr", "batch_size", "weight_decay", "beta1", "beta2"):
        options = tab.locator(f"#ox-{name} option").evaluate_all("os => os.map(o => o.value)")
        assert options == REC["axes"][name]
        assert tab.locator(f"label[for=ox-{name}]").count() == 1


def test_choose_pin_and_share_a_comparison(desktop, browser):
    tab = desktop
    tab.locator("label[for=ox-world-standardized]").click()
    tab.locator("#ox-lr").select_option("0.1")
    lr_01 = "0.1_16_0.01_0.9_0.999"
    assert shown(tab) == f"standardized:{lr_01}"
    assert_draws(tab, "standardized", lr_01)
    assert tab.locator("#ox-code").text_content() == REC["worlds"]["standardized"][lr_01]["code"]
    tab.locator("#ox-pin").click()
    # A cell of the learning rate x batch size grid: two settings changed, and run.
    tab.locator("#ox-batch_size").select_option("2")
    cell = "0.1_2_0.01_0.9_0.999"
    tab.locator("#ox-each").check()
    assert_draws(tab, "standardized", cell, each=True)
    assert_draws(tab, "standardized", lr_01)  # the pin stays
    tab.locator("#ox-pin").click()
    tab.locator("label[for=ox-world-raw]").click()
    # Three settings off the defaults: not run, and said so; the pins stay.
    tab.locator("#ox-beta2").select_option("0.99")
    status = tab.locator("#ox-status").text_content()
    assert status.startswith("This combination was not run: learning rate 0.1 with batch size 2")
    assert shown(tab) == ""
    assert tab.locator("#ox-pin").is_disabled()
    assert_draws(tab, "standardized", cell)
    assert tab.locator("#ox-pinned li").count() == 2

    # The address holds the comparison: a new tab, opened from it, shows the same.
    address = tab.url
    assert "pin=standardized:0.1_16_0.01_0.9_0.999" in address
    other = open_page(browser, address, DESKTOP)
    try:
        assert other.errors == []
        assert other.locator("#ox-beta2").input_value() == "0.99"
        assert other.locator("#ox-pinned li").count() == 2
        assert_draws(other, "standardized", lr_01)
        assert_draws(other, "standardized", cell)
        other.locator("#ox-pinned li").first.get_by_role("button", name="Show the pinned").click()
        assert shown(other) == f"standardized:{lr_01}"
        code = REC["worlds"]["standardized"][lr_01]["code"]
        assert other.locator("#ox-code").text_content() == code
        other.locator("#ox-defaults").click()  # the settings, not the inputs
        assert shown(other) == f"standardized:{DEFAULT}"
        # "each seed" came with the address
        assert_draws(other, "standardized", DEFAULT, each=True)
    finally:
        other.context.close()


def test_a_heat_map_cell_opens_its_curves(desktop):
    tab = desktop
    tab.locator("#ox-clear").click()
    tab.locator("label[for=ox-world-raw]").click()
    tab.locator("#ox-each").check()
    grid = REC["grids"][0]
    assert grid["settings"] == ["lr", "batch_size"]
    heat = tab.evaluate("() => document.getElementById('ox-heat').data[0].z")
    rows, columns = grid["values"]
    for i, lr in enumerate(rows):
        for j, batch in enumerate(columns):
            key = f"{lr}_{batch}_0.01_0.9_0.999"
            assert heat[i][j] == packed(REC["worlds"]["raw"][key]["final"])
    # Click the cell lr = 0.001, batch size 4 where plotly drew it.
    i, j = rows.index("0.001"), columns.index("4")
    tab.locator("#ox-heat").scroll_into_view_if_needed()
    x, y = tab.evaluate(
        """([i, j]) => {
            const gd = document.getElementById('ox-heat'), L = gd._fullLayout;
            const box = gd.getBoundingClientRect();
            return [box.left + L.xaxis._offset + L.xaxis.l2p(j),
                    box.top + L.yaxis._offset + L.yaxis.l2p(i)];
        }""",
        [i, j],
    )
    tab.mouse.click(x, y)
    cell = "raw:0.001_4_0.01_0.9_0.999"
    tab.wait_for_function(
        "(cell) => document.getElementById('ox-curves').dataset.shown === cell", arg=cell
    )
    assert shown(tab) == "raw:0.001_4_0.01_0.9_0.999"
    assert_draws(tab, "raw", "0.001_4_0.01_0.9_0.999", each=True)
    # The other grid, by best RMSE.
    tab.locator("#ox-grid").select_option(label="Learning rate x beta1")
    tab.locator("#ox-stat").select_option("best")
    heat = tab.evaluate("() => document.getElementById('ox-heat').data[0].z")
    rows, columns = REC["grids"][1]["values"]
    assert heat[0][0] == packed(
        REC["worlds"]["raw"][f"{rows[0]}_16_0.01_{columns[0]}_0.999"]["best"]
    )
    assert tab.errors == []


def test_on_a_phone_from_a_file_url_with_the_keyboard(browser):
    # A shared link, opened straight from disk (no server: the data are in the page).
    link = (SITE / PAGE).as_uri() + f"#world=standardized&lr=0.001&pin=raw:{DEFAULT}"
    tab = open_page(browser, link, PHONE)
    try:
        assert shown(tab) == "standardized:0.001_16_0.01_0.9_0.999"
        assert_draws(tab, "raw", DEFAULT)
        assert tab.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        for part in ("#ox-form", "#ox-curves", "#ox-heat", "#ox-grid-form"):
            box = tab.locator(part).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], part
        # The keyboard alone: the next batch size, then Tab to the pin button and Enter.
        tab.locator("#ox-batch_size").focus()
        tab.keyboard.press("ArrowDown")
        assert shown(tab) == "standardized:0.001_32_0.01_0.9_0.999"
        assert_draws(tab, "standardized", "0.001_32_0.01_0.9_0.999")
        tab.locator("#ox-log").focus()
        tab.keyboard.press("Tab")
        assert tab.evaluate("() => document.activeElement.id") == "ox-pin"
        tab.keyboard.press("Enter")
        assert tab.locator("#ox-pinned li").count() == 2
        assert "pin=standardized:0.001_32_0.01_0.9_0.999" in tab.url
        assert tab.errors == []
        (ROOT / "artifacts").mkdir(exist_ok=True)
        tab.screenshot(path=ROOT / "artifacts" / "explorer_phone.png", full_page=False)
    finally:
        tab.context.close()

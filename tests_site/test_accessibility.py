"""Accessibility of the built site: what axe-core finds, and what the keyboard reaches.

Run with the other site tests (``nox -s browser``, after ``nox -s docs``). axe-core (the
engine of most accessibility checkers, through ``axe-playwright-python``) checks every
page in light mode at 1280 px, and eight pages a reader meets first also in dark mode and
at a phone's 390 px; a serious or critical violation fails the test, with its rule, page
and elements. Every rule axe runs by default runs, on the whole page. Gallery figures
must have alternative text that says what they plot. On the Rosenbrock page, Tab walks
through every control, each shows where the focus is, and the interactive figure, the
folded sidebar sections and the colour-mode switch work from the keyboard alone.
"""

from __future__ import annotations

import html.parser
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import PAGES, SITE

# The pages checked in both colour modes and at both widths.
FIRST_PAGES = [
    "index.html",
    "exercise.html",
    "theory.html",
    "auto_examples/index.html",
    "auto_examples/q1_one_setting/plot_02_input_scale.html",
    "auto_examples/q1_one_setting/plot_03_learning_rate.html",
    "auto_examples/q2_momentum/plot_09_momentum_path.html",
    "auto_examples/deeper/plot_16_optimizers_on_rosenbrock.html",
]
INTERACTIVE = "auto_examples/deeper/plot_16_optimizers_on_rosenbrock.html"
WIDTHS = {1280: {"width": 1280, "height": 900}, 390: {"width": 390, "height": 844}}
CASES = [(page, "light", 1280) for page in PAGES] + [
    (page, mode, width)
    for page in FIRST_PAGES
    for mode in ("light", "dark")
    for width in WIDTHS
    if (mode, width) != ("light", 1280)
]
SERIOUS = {"serious", "critical"}
AXE = Axe()  # axe-core's script, read once; injected into each page

# A page is checked as a reader sees it: fonts loaded, math typeset, plots drawn.
SETTLED_JS = """async () => {
    await document.fonts.ready;
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        await MathJax.startup.promise;
    }
    const plots = Array.from(document.querySelectorAll(".plotly-graph-div"));
    for (let i = 0; i < 100 && !plots.every((gd) => gd._fullLayout); i++) {
        await new Promise((done) => setTimeout(done, 50));
    }
}"""


@pytest.fixture(scope="module")
def tabs(browser):
    """One tab per colour mode and width, on this worker's Chromium, reused page after page.

    Going from page to page in one tab keeps one renderer process and the cache, as a
    reader's browser does: cheaper than a fresh tab for each page.
    """
    opened = {}

    def tab(mode: str, width: int):
        if (mode, width) not in opened:
            # Reduced motion: no transition is caught halfway, its colours mid-fade.
            context = browser.new_context(
                viewport=WIDTHS[width], color_scheme=mode, reduced_motion="reduce"
            )
            # The theme keeps the reader's choice in localStorage; start from this mode.
            context.add_init_script(
                f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');"
            )
            opened[mode, width] = context.new_page()
        return opened[mode, width]

    yield tab
    for page in opened.values():
        page.context.close()


def _report(violations: list[dict], where: str) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}) on {where}: {violation['help']}, "
            f"{len(violation['nodes'])} element(s)"
        )
        for node in violation["nodes"][:10]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}: {' '.join(node['html'].split())[:160]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("page", "mode", "width"), CASES, ids=[f"{p}-{m}-{w}" for p, m, w in CASES]
)
def test_no_serious_axe_violation(tabs, base_url, page, mode, width):
    """axe-core, every rule it runs by default, finds nothing serious or critical."""
    tab = tabs(mode, width)
    tab.goto(base_url + page, wait_until="load")
    tab.evaluate(SETTLED_JS)
    assert tab.evaluate("() => document.documentElement.dataset.theme") == mode
    results = AXE.run(tab).response
    assert results["testEngine"]["name"] == "axe-core"
    violations = [v for v in results["violations"] if v["impact"] in SERIOUS]
    assert violations == [], "\n" + _report(violations, f"{page} ({mode}, {width} px)")


# -- Figures ------------------------------------------------------------------------------------


class _Images(html.parser.HTMLParser):
    """The ``<img>`` tags of a page, with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))


def _images(page: str) -> list[dict[str, str | None]]:
    parser = _Images()
    parser.feed((SITE / page).read_text(encoding="utf-8"))
    return parser.images


# What the alternative text of a plot names: the kind of plot it is.
KIND = re.compile(
    r"(line|dot|scatter|contour) plot|heat map|bar chart|error bars|shaded bands", re.I
)
FILE_NAME = re.compile(r"\bplot[ _]\d\d|sphx_glr|\.(png|jpe?g|svg)\b")
GALLERY_PAGES = [p for p in PAGES if p.startswith("auto_examples/") and "/plot_" in p]


@pytest.mark.parametrize("page", GALLERY_PAGES)
def test_figures_say_what_they_plot(page):
    """Each figure's alternative text describes the plot, never its file name."""
    images = _images(page)
    figures = [
        img
        for img in images
        if {"sphx-glr-single-img", "sphx-glr-multi-img"} & set((img.get("class") or "").split())
        or (img.get("id") or "").startswith("_anim_img")
    ]
    assert figures, f"no figure on {page}"
    for img in figures:
        alt = img.get("alt") or ""
        # sphinx-gallery's last resort is the file name: "plot 02 input scale".
        assert alt and not FILE_NAME.search(alt), f"{page}: {img}"
        assert KIND.search(alt), f"{page}: {alt!r} does not say what is plotted"


@pytest.mark.parametrize("page", PAGES)
def test_every_image_has_alternative_text(page):
    """An image is described, or marked as decoration with an empty alt (thumbnails)."""
    missing = [img.get("src") for img in _images(page) if img.get("alt") is None]
    assert missing == []


# -- Keyboard -----------------------------------------------------------------------------------

# The focused element, and whether a reader can see that it has the focus: it is shown
# (not hidden, nor transparent, nor of zero size), and an outline or a shadow marks it or
# a part of it (the theme rings the chevron of a sidebar <summary>, not the summary).
FOCUSED_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const parts = [el, ...el.querySelectorAll("*")];
    const shown = (part) => {
        const box = part.getBoundingClientRect();
        return box.width > 0 && box.height > 0
            && part.checkVisibility({opacityProperty: true, visibilityProperty: true});
    };
    const marked = (part) => {
        const style = getComputedStyle(part);
        const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
            && !/rgba\\(.*, 0\\)$/.test(style.outlineColor);
        return shown(part) && (outlined || style.boxShadow !== "none");
    };
    return {
        element: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
            + (el.className && typeof el.className === "string"
               ? "." + el.className.trim().split(/\\s+/).join(".") : ""),
        name: (el.getAttribute("aria-label") || el.textContent || el.value || "")
            .trim().replace(/\\s+/g, " ").slice(0, 60),
        shown: parts.some(shown),
        marked: parts.some(marked),
    };
}"""


def _selection(tab) -> str:
    return tab.locator(".plotly-graph-div").get_attribute("data-selection")


@pytest.mark.xdist_group("interactive")
def test_keyboard_reaches_and_works_every_control(browser, base_url):
    """Tab through the Rosenbrock page: focus always shows; the controls work from keys."""
    context = browser.new_context(viewport=WIDTHS[1280], color_scheme="light")
    tab = context.new_page()
    try:
        tab.goto(base_url + INTERACTIVE, wait_until="load")
        tab.wait_for_selector(".plotly-graph-div[data-selection]", timeout=15_000)
        stops = []
        for _ in range(400):
            tab.keyboard.press("Tab")
            focused = tab.evaluate(FOCUSED_JS)
            if focused is None or (stops and focused == stops[0]):
                break  # back at the start: the whole page was walked
            stops.append(focused)
        assert len(stops) > 20
        hidden = [stop for stop in stops if not (stop["shown"] and stop["marked"])]
        assert hidden == [], f"focus is not visible on: {hidden}"

        # Every kind of control was reached: the figure's menu and sliders, a folded
        # sidebar section, the colour-mode switch, a code block's copy button.
        reached = " ".join(stop["element"] for stop in stops)
        for control in ("select#optimlab-paths-", "input#optimlab-paths-", "summary",
                        "button.btn.btn-sm.nav-link.pst-navbar-icon.theme-switch-button",
                        "button.copybtn"):  # fmt: skip
            assert control in reached, f"Tab never reaches {control}"

        # The figure: the arrow keys pick an optimizer and move the sliders.
        assert _selection(tab) == "[1,2,3]"  # momentum, lr 0.01, beta 0.9
        tab.locator(".optimlab-controls select").focus()
        tab.keyboard.press("ArrowDown")  # the next optimizer: adam
        assert _selection(tab) == "[2,2,3]"
        tab.keyboard.press("Tab")  # to the learning rate
        tab.keyboard.press("End")
        assert _selection(tab) == "[2,7,3]"
        tab.keyboard.press("Tab")  # to the momentum
        tab.keyboard.press("ArrowLeft")
        assert _selection(tab) == "[2,7,2]"
        status = tab.locator(".optimlab-status").text_content()
        assert status.startswith("Path of adam, lr 1, beta1 0.8")  # read out by screen readers
        assert tab.locator(".plotly-graph-div").get_attribute("aria-label") == status

        # A folded sidebar section: Enter unfolds it, and again folds it.
        name = tab.locator(".bd-sidebar-primary details:not([open]) > summary").first
        summary = tab.locator(f'summary[aria-label="{name.get_attribute("aria-label")}"]')
        summary.focus()
        folded = summary.locator("xpath=..")
        tab.keyboard.press("Enter")
        assert folded.evaluate("el => el.open")
        tab.keyboard.press("Enter")
        assert not folded.evaluate("el => el.open")

        # The colour-mode switch: Enter opens its menu, the arrows pick Dark, Enter sets it.
        switch = tab.locator(".bd-header .theme-switch-button")
        switch.focus()
        tab.keyboard.press("Enter")
        for _ in range(3):
            tab.keyboard.press("ArrowDown")
            if tab.evaluate("() => document.activeElement.dataset.mode") == "dark":
                break
        tab.keyboard.press("Enter")
        assert tab.evaluate("() => document.documentElement.dataset.theme") == "dark"
    finally:
        context.close()


@pytest.mark.xdist_group("interactive")
def test_keyboard_unfolds_a_solution(browser, base_url):
    """The exercise's folded solutions: Tab reaches the first, its focus shows, Enter opens it."""
    context = browser.new_context(viewport=WIDTHS[390], color_scheme="light")
    tab = context.new_page()
    try:
        tab.goto(base_url + "exercise.html", wait_until="load")
        solution = tab.locator("details.sd-dropdown").first
        for _ in range(200):
            tab.keyboard.press("Tab")
            if solution.locator("summary").evaluate("el => el === document.activeElement"):
                break
        else:
            pytest.fail("Tab never reaches the first solution")
        focused = tab.evaluate(FOCUSED_JS)
        assert focused["shown"] and focused["marked"], focused
        assert not solution.evaluate("el => el.open")
        tab.keyboard.press("Enter")
        assert solution.evaluate("el => el.open")
    finally:
        context.close()

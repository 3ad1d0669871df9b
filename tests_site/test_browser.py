"""Open every page of the built site in headless Chromium and check it works offline.

Run by ``nox -s browser``, which builds the site first (``nox -s docs``); plain ``pytest``
does not collect this folder. The site is served on 127.0.0.1 under a sub-path, so that
a link that is not relative breaks. Every request the pages make is recorded: none may
go to another host. A second pass opens every page 390 px wide, a phone's width: no page
may scroll sideways, and gallery figures open at full size when tapped. Screenshots, at
desktop and phone width, land in ``artifacts/``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import PAGES, PHONE, PREFIX, SITE

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"

# The gallery's pages, one folder per section: auto_examples/q1_one_setting/plot_01_....html
GALLERY_PAGES = [
    page
    for page in PAGES
    if page.startswith("auto_examples/") and Path(page).name.startswith("plot_")
]

# Wait until every <img> has loaded or failed (lazy ones included), then list the broken.
BROKEN_IMAGES_JS = """async () => {
    const images = Array.from(document.images);
    images.forEach((img) => { img.loading = "eager"; });
    await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
        img.addEventListener("load", done); img.addEventListener("error", done);
    })));
    return images.filter((img) => img.naturalWidth === 0).map((img) => img.src);
}"""


class Visit:
    """A page opened in a fresh browser context, with everything it did recorded."""

    def __init__(self, browser, url: str, *, phone: bool = False, idle: bool = False) -> None:
        # A phone-sized window, not a mobile emulation: a mobile browser zooms out to fit
        # a page that is too wide, which would hide the very overflow the test looks for.
        viewport = PHONE if phone else {"width": 1280, "height": 900}
        self.context = browser.new_context(viewport=viewport)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on(
            "console",
            lambda message: message.type == "error" and self.errors.append(message.text),
        )
        self.page.on(
            "requestfailed",
            lambda request: self.errors.append(f"request failed: {request.url}"),
        )
        self.page.on(
            "response",
            lambda response: (
                response.status >= 400
                and self.errors.append(f"HTTP {response.status}: {response.url}")
            ),
        )
        self.page.goto(url, wait_until="load")
        if idle:
            # Every request the page makes, late ones included: networkidle waits for half
            # a second of silence, so only the checks of the requests (and of what a page
            # fetches after its load event) wait for it; the others need the document
            # loaded and their images and fonts, which they await themselves.
            self.page.wait_for_load_state("networkidle")
        self.page.evaluate("() => document.fonts.ready.then(() => null)")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser):
    opened = []

    def open_page(url: str, *, phone: bool = False, idle: bool = False) -> Visit:
        opened.append(Visit(browser, url, phone=phone, idle=idle))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


def _is_local(url: str, base_url: str) -> bool:
    return url.startswith(base_url) or urlsplit(url).scheme in {"data", "blob", "about"}


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_offline(visit, base_url, page):
    """No console error, no request to another host, every image and local link works.

    A gallery page also shows its figures and offers its .py and .ipynb for download.
    """
    opened = visit(base_url + page, idle=True)
    broken_images = opened.page.evaluate(BROKEN_IMAGES_JS)
    opened.page.wait_for_load_state("networkidle")
    if page in GALLERY_PAGES:  # in the same visit: a page load is most of a test's time
        _shows_figures_and_downloads(opened)
    assert opened.errors == []
    assert [url for url in opened.requests if not _is_local(url, base_url)] == []
    assert broken_images == []

    # Links and sources are relative: none starts with "/", and local ones exist.
    attributes = opened.page.eval_on_selector_all(
        "[href], [src]",
        "els => els.map((el) => el.getAttribute('href') ?? el.getAttribute('src'))",
    )
    assert [value for value in attributes if value.startswith("/")] == []
    links = opened.page.eval_on_selector_all("a[href]", "els => els.map((a) => a.href)")
    targets = {urlsplit(link).path for link in links if link.startswith(base_url)}
    missing = [t for t in targets if not (SITE / unquote(t[len(PREFIX) :])).exists()]
    assert missing == []


def test_every_page_was_found():
    """The page list is the whole site: landing, exercise, gallery, API."""
    for page in ("index.html", "exercise.html", "differences.html", "api.html"):
        assert page in PAGES
    assert "auto_examples/index.html" in PAGES
    assert len(GALLERY_PAGES) >= 9
    assert not [page for page in PAGES if page.startswith("generated/")]  # one API page


def _shows_figures_and_downloads(opened: Visit) -> None:
    """An example shows its figures and offers its .py and .ipynb for download."""
    figures = opened.page.locator("img.sphx-glr-single-img, img.sphx-glr-multi-img")
    animations = opened.page.locator(".sphx-glr-animation, div.animation")
    assert figures.count() + animations.count() >= 1
    for kind, suffix in (("python", ".py"), ("jupyter", ".ipynb")):
        link = opened.page.locator(f".sphx-glr-download-{kind} a").first
        href = link.get_attribute("href")
        assert href.endswith(suffix)
        response = opened.page.request.get(link.evaluate("a => a.href"))
        assert response.ok and len(response.body()) > 100


def test_gallery_index_offers_all_examples(visit, base_url):
    opened = visit(base_url + "auto_examples/index.html")
    hrefs = opened.page.eval_on_selector_all("a.download", "els => els.map((a) => a.href)")
    zips = [href for href in hrefs if href.endswith(".zip")]
    assert len(zips) == 2  # all .py, all .ipynb
    for href in zips:
        assert opened.page.request.get(href).ok
    thumbnails = opened.page.locator(".sphx-glr-thumbcontainer")
    assert thumbnails.count() == len(GALLERY_PAGES)


def test_math_is_rendered_by_the_bundled_mathjax(visit, base_url):
    opened = visit(base_url + "exercise.html")
    opened.page.wait_for_selector("mjx-container", timeout=10_000)
    assert opened.page.locator("mjx-container").count() >= 5
    assert opened.page.locator("mjx-merror").count() == 0
    assert any(
        urlsplit(url).path.endswith("_static/mathjax/tex-svg.js") for url in opened.requests
    )


def test_solutions_unfold(visit, base_url):
    opened = visit(base_url + "exercise.html")
    solutions = opened.page.locator("details.sd-dropdown")
    assert solutions.count() == 3
    first = solutions.first
    assert not first.evaluate("el => el.open")
    first.locator("summary").click()
    assert first.evaluate("el => el.open")
    learning_rate = "a[href*='auto_examples/q1_one_setting/plot_03_learning_rate']"
    assert first.locator(learning_rate).count() == 1


def test_site_works_from_file_urls(visit):
    """Opened straight from disk, the landing page shows its figure and links resolve."""
    opened = visit((SITE / "index.html").as_uri(), idle=True)
    assert opened.errors == []
    assert opened.page.evaluate(BROKEN_IMAGES_JS) == []
    opened.page.locator("a[href='exercise.html']").first.click()
    opened.page.wait_for_load_state("load")
    assert opened.page.url == (SITE / "exercise.html").as_uri()
    assert "The exercise" in opened.page.title()


def test_screenshots(visit, base_url):
    """Save the landing page and a gallery page as test artifacts."""
    ARTIFACTS.mkdir(exist_ok=True)
    for page, name in (
        ("index.html", "landing.png"),
        ("auto_examples/q1_one_setting/plot_03_learning_rate.html", "gallery-learning-rate.png"),
    ):
        opened = visit(base_url + page)
        opened.page.evaluate(BROKEN_IMAGES_JS)
        opened.page.screenshot(path=ARTIFACTS / name, full_page=True)
        assert (ARTIFACTS / name).stat().st_size > 10_000


# The elements that stick out to the right of the window, outermost first, so a failure
# names the culprit (a table, a <pre>, an image) rather than just a width.
OVERFLOWING_JS = """() => {
    const width = window.innerWidth;
    const sticksOut = (el) => el.getBoundingClientRect().right > width + 0.5;
    return Array.from(document.body.querySelectorAll("*"))
        .filter((el) => sticksOut(el) && !(el.parentElement && sticksOut(el.parentElement)))
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}: `
            + `${Math.round(el.getBoundingClientRect().right)} px`);
}"""
# What scrolls inside its own box but should not on a phone: description columns of the
# API summaries and of the verdict tables squeezed beside their names (the tables scroll
# in the theme's container, so the page itself stays put), printed output that scrolls
# sideways over its numbers, images wider than the text column.
SQUEEZED_JS = """() => {
    const narrowest = (selector) => Math.min(...Array.from(document.querySelectorAll(selector))
        .map((el) => el.getBoundingClientRect().width));
    const column = (document.querySelector(".bd-article") || document.body)
        .getBoundingClientRect().width;
    return {
        column: column,
        description: narrowest("table.autosummary td:last-child, table.verdicts td"),
        scrolling_output: Array.from(document.querySelectorAll(".sphx-glr-script-out pre"))
            .filter((pre) => pre.scrollWidth > pre.clientWidth + 1).length,
        widest_image: Math.max(0, ...Array.from(document.querySelectorAll(".bd-article img"))
            .map((img) => img.getBoundingClientRect().width)),
    };
}"""
FIGURE_LINKS_JS = """() => Array.from(
    document.querySelectorAll("img.sphx-glr-single-img, img.sphx-glr-multi-img")
).map((img) => img.closest("a") ? img.closest("a").getAttribute("href") : null)"""


def _figures_open_full_size(opened: Visit, page: str) -> None:
    """Each figure of a gallery page is a link to its image file (optimlab.js), kept local."""
    links = opened.page.evaluate(FIGURE_LINKS_JS)
    assert None not in links
    for href in links:
        assert not href.startswith(("/", "http:", "https:")) and href.endswith(".png")
        target = SITE / Path(page).parent / unquote(href)
        assert target.resolve().is_file()
    # The link shows the figure's sharpest file, as large as the image or larger.
    for img in opened.page.locator("a.optimlab-enlarge > img").all()[:2]:
        shown = img.evaluate("img => img.naturalWidth")
        href = img.evaluate("img => img.closest('a').href")
        full = opened.page.request.get(href)
        assert full.ok and len(full.body()) > 1000 and shown > 0


@pytest.mark.parametrize("page", PAGES)
def test_page_fits_a_phone(visit, base_url, page):
    """At 390 px no page scrolls sideways: wide content wraps or scrolls in its own box."""
    opened = visit(base_url + page, phone=True)
    opened.page.evaluate(BROKEN_IMAGES_JS)  # loaded, so that images have their size
    scroll_width, inner_width = opened.page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert inner_width == PHONE["width"]
    assert scroll_width <= inner_width, opened.page.evaluate(OVERFLOWING_JS)
    assert opened.errors == []
    layout = opened.page.evaluate(SQUEEZED_JS)
    assert layout["description"] >= 0.6 * inner_width  # Infinity where there is none
    assert layout["scrolling_output"] == 0
    assert layout["widest_image"] <= layout["column"] + 1
    if page in GALLERY_PAGES:  # tapped on a phone, a figure opens at full size
        _figures_open_full_size(opened, page)


def test_phone_screenshots(visit, base_url):
    """Save phone-width screenshots: landing, exercise (first solution open), API, gallery."""
    ARTIFACTS.mkdir(exist_ok=True)
    for page, name in (
        ("index.html", "phone-landing.png"),
        ("exercise.html", "phone-exercise.png"),
        ("api.html", "phone-api.png"),
        ("auto_examples/q1_one_setting/plot_03_learning_rate.html", "phone-learning-rate.png"),
    ):
        opened = visit(base_url + page, phone=True)
        if page == "exercise.html":  # its verdict tables are in the first solution
            # Opened without a click, which would scroll and focus (test_solutions_unfold
            # clicks), so the full-page shot has no sticky header halfway down.
            opened.page.locator("details.sd-dropdown").first.evaluate("el => { el.open = true; }")
        opened.page.evaluate(BROKEN_IMAGES_JS)
        opened.page.screenshot(path=ARTIFACTS / name, full_page=True)
        assert (ARTIFACTS / name).stat().st_size > 10_000

"""The site tests share one headless Chromium per process (playwright's sync API allows one)."""

import contextlib
import functools
import http.server
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

SITE = Path(__file__).resolve().parents[1] / "docs" / "_build" / "html"
PREFIX = "/some/sub/path/"  # where the site is served: a link that is not relative breaks

CHROMIUM = "/usr/bin/chromium"  # Debian's package, installed by `nox -s browser`
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

if not (SITE / "index.html").is_file():
    pytest.fail(f"no site in {SITE}: build it first with `nox -s docs`", pytrace=False)

#: Every page of the site, as a path relative to its root (what the site tests visit).
PAGES = sorted(
    path.relative_to(SITE).as_posix()
    for path in SITE.rglob("*.html")
    if not {"_static", "_images", "_sources", "_downloads"} & set(path.parts)
)


#: A current phone held upright, in CSS pixels: the width every phone check uses.
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=LAUNCH_ARGS,
        )
        yield browser
        browser.close()


@contextlib.contextmanager
def phone_tab():
    """A Chromium tab at the phone's size outside pytest: a test module's measuring run."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        yield browser.new_context(viewport=PHONE).new_page()
        browser.close()


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serve the site under PREFIX only; anything else is a 404."""

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if not path.startswith(PREFIX):
            return str(SITE / "__outside_the_prefix__")
        return super().translate_path("/" + path[len(PREFIX) :])

    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    """A server that does not print a traceback when the browser drops a connection."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def base_url():
    handler = functools.partial(_SubPathHandler, directory=str(SITE))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{PREFIX}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def phone(browser):
    """A tab at the phone's size, shared by a module's tests."""
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    yield tab
    context.close()

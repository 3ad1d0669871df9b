"""Development sessions. `nox` alone runs what CI runs; `nox -l` lists the sessions."""

import os
import shutil
from pathlib import Path

import nox

nox.options.sessions = ["lint", "tests", "docs", "browser"]
nox.options.error_on_missing_interpreters = True

# torch is pinned here, not in pyproject.toml: an unpinned torch pulls a CUDA build.
CONSTRAINTS = ("-c", "constraints.txt")

# The site: sources in docs/ and gallery/, output in docs/_build/html.
SITE = Path("docs/_build/html")
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; the browser test drives it


@nox.session
def tests(session: nox.Session) -> None:
    """Run the unit tests with pytest."""
    session.install(*CONSTRAINTS, "-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check the code: ruff (rules, format), the import layers, and mypy's types."""
    session.install(*CONSTRAINTS, "-e", ".", "ruff", "import-linter", "mypy")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")  # the layers in pyproject.toml: no import points upward
    session.run("mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """Time the five seed sweeps, engine vs plain loop; figures in bench-results/."""
    session.install(*CONSTRAINTS, "-e", ".")
    session.run("python", "benchmarks/bench_sweeps.py", *session.posargs)


def _build_site(session: nox.Session, *options: str) -> None:
    """Build the site from scratch: no example output is reused from an earlier build."""
    session.install(*CONSTRAINTS, "-e", ".[docs]")
    for generated in ("docs/_build", "docs/auto_examples", "docs/generated"):
        shutil.rmtree(generated, ignore_errors=True)
    session.run(
        "sphinx-build", "-b", "html", "-n", "-W", "--keep-going", *options, "docs", str(SITE)
    )


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site into docs/_build/html, running every gallery example."""
    _build_site(session, *session.posargs)


@nox.session
def docs_fast(session: nox.Session) -> None:
    """Build the site without running the gallery (its pages show code but no output)."""
    _build_site(session, "-D", "plot_gallery=0", *session.posargs)


@nox.session(requires=["docs"])
def browser(session: nox.Session) -> None:
    """Open every page of the built site in headless Chromium (tests_site/); needs docs."""
    if not CHROMIUM.exists():
        if os.geteuid() != 0:
            session.error(f"{CHROMIUM} is missing: install Debian's chromium package")
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", "-q", external=True, env=env)
        session.run(
            "apt-get",
            "install",
            "-y",
            "-q",
            "--no-install-recommends",
            "chromium",
            "fonts-dejavu-core",
            external=True,
            env=env,
        )
    pyproject = nox.project.load_toml("pyproject.toml")
    session.install(*pyproject["project"]["optional-dependencies"]["browser"])
    session.run("pytest", "tests_site", *session.posargs)

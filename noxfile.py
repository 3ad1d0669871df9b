"""Development sessions. `nox` alone runs what CI runs; `nox -l` lists the sessions."""

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import nox

nox.options.sessions = ["lint", "tests", "wheel", "docs", "verdicts", "browser"]
nox.options.error_on_missing_interpreters = True

# torch is pinned here, not in pyproject.toml: an unpinned torch pulls a CUDA build.
CONSTRAINTS = ("-c", "constraints.txt")
# pip compiles every installed module to bytecode unless told not to: torch alone has
# thousands, about 17 s an install. Python compiles the few a session imports on import.
NO_COMPILE = "--no-compile"

# The site: sources in docs/ and gallery/, output in docs/_build/html.
SITE = Path("docs/_build/html")
CLAIMS = Path("docs/_build/claims")  # what the gallery's claims recorded (docs/conf.py)
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; the browser test drives it


@nox.session
def tests(session: nox.Session) -> None:
    """Run the unit tests with pytest."""
    session.install(NO_COMPILE, *CONSTRAINTS, "-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check the code (ruff, import layers, mypy) and the CI workflows, offline."""
    session.install(NO_COMPILE, *CONSTRAINTS, "-e", ".", "ruff", "import-linter", "mypy")
    session.install(NO_COMPILE, "check-jsonschema", "zizmor")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")  # the layers in pyproject.toml: no import points upward
    session.run("mypy")
    workflows = sorted(str(path) for path in Path(".github/workflows").glob("*.yml"))
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    session.run("zizmor", "--offline", ".github/workflows")


@nox.session
def bench(session: nox.Session) -> None:
    """Time the five seed sweeps, engine vs plain loop; figures in bench-results/."""
    session.install(NO_COMPILE, *CONSTRAINTS, "-e", ".")
    session.run("python", "benchmarks/bench_sweeps.py", *session.posargs)


@nox.session
def wheel(session: nox.Session) -> None:
    """Build sdist and wheel; install the wheel in a fresh venv, run a gallery script with it."""
    session.install(NO_COMPILE, "build")
    shutil.rmtree("dist", ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", "dist")
    (wheel_file,) = Path("dist").resolve().glob("optimlab-*.whl")
    (sdist,) = Path("dist").glob("optimlab-*.tar.gz")
    session.log(f"built {sdist} and {wheel_file.name}")
    strays = [
        name
        for name in zipfile.ZipFile(wheel_file).namelist()
        if not name.startswith(("optimlab/", "optimlab-")) or "/tests/" in name
    ]
    if strays:
        session.error(f"the wheel holds files outside the package: {strays}")
    scripts = sorted(Path("gallery").glob("**/plot_01_*.py"))
    if len(scripts) != 1:
        session.error(f"expected one gallery/**/plot_01_*.py, found {scripts}")
    script = scripts[0]
    constraints = Path("constraints.txt").resolve()
    with tempfile.TemporaryDirectory(prefix="optimlab-wheel-") as tmp:
        # A fresh venv, used from outside the repository: only the wheel can be imported.
        python = str(Path(tmp, "venv", "bin", "python"))
        session.run("python", "-m", "venv", str(Path(tmp, "venv")))
        pip_install = (python, "-m", "pip", "install", "-q", NO_COMPILE, "-c", str(constraints))
        session.run(*pip_install, str(wheel_file), external=True)
        shutil.copy(script, tmp)
        with session.chdir(tmp):
            session.run(python, "-c", _CHECK_INSTALLED, external=True)
            session.run(python, script.name, env={"MPLBACKEND": "Agg"}, external=True)


# Run by `nox -s wheel` in the fresh venv: optimlab must come from the wheel, not the tree.
_CHECK_INSTALLED = """
import importlib.metadata, pathlib, sys
import optimlab, torch
where = pathlib.Path(optimlab.__file__).resolve()
venv = pathlib.Path(sys.prefix).resolve()
assert where.is_relative_to(venv), f"optimlab imported from {where}, not the wheel"
meta = importlib.metadata.version("optimlab")
version = optimlab.__version__
assert version == meta, f"optimlab.__version__ {version} != metadata {meta}"
print(f"optimlab {version} from {where.parent}, torch {torch.__version__}")
"""


def _build_site(session: nox.Session, *options: str) -> None:
    """Build the site from scratch: no example output is reused from an earlier build."""
    session.install(NO_COMPILE, *CONSTRAINTS, "-e", ".[docs]")
    for generated in ("docs/_build", "docs/auto_examples", "docs/generated"):
        shutil.rmtree(generated, ignore_errors=True)
    session.run(
        "sphinx-build", "-b", "html", "-n", "-W", "--keep-going", *options, "docs", str(SITE)
    )


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site into docs/_build/html, running every gallery example.

    A claim that fails does not stop the build: its page shows it with ✗, and the list of
    failed claims ends this session's output. `nox -s verdicts` fails on them.
    """
    _build_site(session, *session.posargs)
    session.run("python", "tools/claims.py", "records", str(CLAIMS), "--report")


@nox.session(venv_backend="none")
def verdicts(session: nox.Session) -> None:
    """Fail if a claim of the last site build failed (run after docs)."""
    session.run("python3", "tools/claims.py", "records", str(CLAIMS), external=True)


@nox.session
def claims(session: nox.Session) -> None:
    """Every gallery page's claims under five variants of rounding and seeds (`-- PAGE`)."""
    session.install(NO_COMPILE, *CONSTRAINTS, "-e", ".[docs]")
    session.run("python", "tools/claims.py", "variants", *session.posargs)


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
    session.install(NO_COMPILE, *pyproject["project"]["optional-dependencies"]["browser"])
    # Three workers, each with its own Chromium, on two cores: a page mostly waits (for
    # its requests to settle, for images), so a third worker fills the idle time.
    session.run("pytest", "tests_site", "-n", "3", "--dist", "loadgroup", *session.posargs)

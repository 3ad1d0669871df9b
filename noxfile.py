"""Development sessions. `nox` alone runs what CI runs; `nox -l` lists the sessions."""

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.error_on_missing_interpreters = True

# torch is pinned here, not in pyproject.toml: an unpinned torch pulls a CUDA build.
CONSTRAINTS = ("-c", "constraints.txt")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the unit tests with pytest."""
    session.install(*CONSTRAINTS, "-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check the code with ruff: lint rules and formatting."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")

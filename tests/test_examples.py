"""Every gallery script runs as a reader would run it: ``python plot_x.py``, on its own.

Each script runs in a fresh interpreter, from a scratch working directory, with the
non-GUI matplotlib backend Agg. The scripts check what their text claims (through
:class:`optimlab.Claims`, which raises on a false claim), so a change in the library that
breaks a claim fails here.
"""

import ast
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

GALLERY = Path(__file__).resolve().parents[1] / "gallery"
SCRIPTS = sorted(GALLERY.glob("*/plot_*.py"), key=lambda script: script.name)


def test_every_section_has_a_header_and_pages():
    sections = sorted(path for path in GALLERY.iterdir() if path.is_dir())
    assert sections, "no gallery sections"
    for section in sections:
        assert (section / "GALLERY_HEADER.rst").is_file(), section.name
        assert list(section.glob("plot_*.py")), f"{section.name} has no pages"
    numbers = [script.name.split("_")[1] for script in SCRIPTS]
    assert numbers == sorted(set(numbers)), "page numbers repeat or are out of order"


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.stem for script in SCRIPTS])
def test_example_has_no_bare_assert(script):
    """Readers copy the code: claims are checked through optimlab.Claims, which prints them."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    lines = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    assert lines == [], f"{script.name} has bare assert statements at lines {lines}"


def _run_standalone(script: Path, folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=folder,
        env={**os.environ, "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def standalone_runs(tmp_path_factory):
    """Every script run once, two at a time: each mostly waits on one core of the two."""
    folders = {script: tmp_path_factory.mktemp(script.stem) for script in SCRIPTS}
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = pool.map(lambda script: _run_standalone(script, folders[script]), SCRIPTS)
        return {script: (run, folders[script]) for script, run in zip(SCRIPTS, runs, strict=True)}


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.stem for script in SCRIPTS])
def test_example_runs_standalone(script, standalone_runs):
    run, folder = standalone_runs[script]
    assert run.returncode == 0, f"{script.name} failed:\n{run.stdout}\n{run.stderr}"
    assert run.stdout.strip(), f"{script.name} printed nothing"
    assert list(folder.iterdir()) == [], f"{script.name} wrote files into its directory"

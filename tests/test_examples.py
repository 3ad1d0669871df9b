"""Every gallery script runs as a reader would run it: ``python plot_x.py``, on its own.

Each script runs in a fresh interpreter, from a scratch working directory, with the
non-GUI matplotlib backend Agg. The scripts check what their text claims through
:class:`optimlab.Claims`, which prints a false claim with ✗ and runs on; here every claim
must hold, so a change in the library that breaks a claim fails.

The scripts run with ``MKL_CBWR=COMPATIBLE``: MKL's processor-independent code path,
so other rounding than the site build's, which runs on the machine as it is. Every test
run thus sees the claims under two rounding regimes. (``ATEN_CPU_CAPABILITY=default``
would do too, but its scalar kernels take the gallery about 1.8 times as long; the
robustness check, ``nox -s claims``, runs both.)
"""

import ast
import json
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


# Another rounding regime than the site build's (see the module's docstring).
REGIME = {"MKL_CBWR": "COMPATIBLE"}


# The reader's seeds: this module's fixture starts before the suite's autouse fixtures.
_ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "OPTIMLAB_SEED_OFFSET"}


def _run_standalone(script: Path, folder: Path, records: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=folder,
        env={**_ENVIRONMENT, "MPLBACKEND": "Agg", "OPTIMLAB_CLAIMS_DIR": str(records), **REGIME},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def standalone_runs(tmp_path_factory):
    """Every script run once, two at a time: each mostly waits on one core of the two."""
    folders = {script: tmp_path_factory.mktemp(script.stem) for script in SCRIPTS}
    records = {script: tmp_path_factory.mktemp(f"{script.stem}-claims") for script in SCRIPTS}
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = pool.map(
            lambda script: _run_standalone(script, folders[script], records[script]), SCRIPTS
        )
        return {
            script: (run, folders[script], records[script])
            for script, run in zip(SCRIPTS, runs, strict=True)
        }


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.stem for script in SCRIPTS])
def test_example_runs_standalone(script, standalone_runs):
    run, folder, records = standalone_runs[script]
    assert run.returncode == 0, f"{script.name} failed:\n{run.stdout}\n{run.stderr}"
    assert run.stdout.strip(), f"{script.name} printed nothing"
    assert list(folder.iterdir()) == [], f"{script.name} wrote files into its directory"
    verdicts = [
        verdict
        for path in records.glob("*.json")
        for verdict in json.loads(path.read_text(encoding="utf-8"))["verdicts"]
    ]
    failed = [line for line in run.stdout.splitlines() if line.startswith("✗")]
    assert [v["statement"] for v in verdicts if not v["holds"]] == [], "\n".join(failed)
    # Every ✗ line printed is a failed verdict recorded, and the other way round.
    assert len(failed) == sum(not v["holds"] for v in verdicts)

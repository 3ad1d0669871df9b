"""Every gallery script runs as a reader would run it: ``python plot_x.py``, on its own.

These runs take minutes, so they are opt-in, ``pytest --gallery`` (``nox -s tests --
--gallery``): the default run, CI's, leaves them to the site build, which executes
every script (its claims checked by ``nox -s verdicts``), and to ``nox -s claims``,
which runs every script on its own under five variants, this module's regime among them.

Each script runs in a fresh interpreter, from a scratch working directory, with the
non-GUI matplotlib backend Agg. The scripts check what their text claims through
:class:`optimlab.Claims`, which prints a false claim with ✗ and runs on; here every claim
must hold, so a change in the library that breaks a claim fails.

The scripts run with ``MKL_CBWR=COMPATIBLE``: MKL's processor-independent code path,
so other rounding than the site build's, which runs on the machine as it is. Every test
run thus sees the claims under two rounding regimes. (``ATEN_CPU_CAPABILITY=default``
would do too, but its scalar kernels take the gallery about 1.8 times as long; the
robustness check, ``nox -s claims``, runs both.) On Linux two scripts run at a time,
each pinned to a core of its own: on one core the engine trains in the script's process,
the quickest way through the gallery on two cores.
"""

import ast
import json
import os
import queue
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


# The cores each script may use: one each where the platform can pin a process (Linux),
# so that two scripts train side by side, each in its own process (the engine trains in
# the caller's process on one core), instead of four engine workers sharing two cores.
_CORES = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
_FREE: queue.Queue[set[int] | None] = queue.Queue()
for _core in _CORES[:2] if len(_CORES) >= 2 else [None]:
    _FREE.put(None if _core is None else {_core})


def _run_standalone(script: Path, folder: Path, records: Path) -> subprocess.CompletedProcess:
    cores = _FREE.get()
    environment = {**_ENVIRONMENT, "MPLBACKEND": "Agg", "OPTIMLAB_CLAIMS_DIR": str(records)}
    try:
        with subprocess.Popen(
            [sys.executable, str(script)],
            cwd=folder,
            env={**environment, **REGIME},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            if cores is not None:  # at once: long before the script imports torch
                os.sched_setaffinity(process.pid, cores)
            try:
                stdout, stderr = process.communicate(timeout=600)
            except subprocess.TimeoutExpired:
                process.kill()
                stdout, stderr = process.communicate()
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    finally:
        _FREE.put(cores)


@pytest.fixture(scope="module")
def standalone_runs(tmp_path_factory):
    """Every script run once, two at a time where two cores can be pinned."""
    folders = {script: tmp_path_factory.mktemp(script.stem) for script in SCRIPTS}
    records = {script: tmp_path_factory.mktemp(f"{script.stem}-claims") for script in SCRIPTS}
    with ThreadPoolExecutor(max_workers=_FREE.qsize()) as pool:
        runs = pool.map(
            lambda script: _run_standalone(script, folders[script], records[script]), SCRIPTS
        )
        return {
            script: (run, folders[script], records[script])
            for script, run in zip(SCRIPTS, runs, strict=True)
        }


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.stem for script in SCRIPTS])
def test_example_runs_standalone(script, request):
    if not request.config.getoption("--gallery"):
        pytest.skip("the gallery's own runs: pass --gallery (nox -s tests -- --gallery)")
    standalone_runs = request.getfixturevalue("standalone_runs")
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

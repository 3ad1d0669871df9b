"""Every gallery script runs as a reader would run it: ``python plot_x.py``, on its own.

Each script runs in a fresh interpreter, from a scratch working directory, with the
non-GUI matplotlib backend Agg. The scripts assert what their text claims, so a change in
the library that breaks a claim fails here.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

GALLERY = Path(__file__).resolve().parents[1] / "gallery"
SCRIPTS = sorted(GALLERY.glob("plot_*.py"))


def test_the_gallery_is_there():
    assert (GALLERY / "GALLERY_HEADER.rst").is_file()
    assert [script.name for script in SCRIPTS[:2]] == [
        "plot_01_example_call.py",
        "plot_02_learning_rate.py",
    ]
    assert len(SCRIPTS) >= 9


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.stem for script in SCRIPTS])
def test_example_runs_standalone(script, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    run = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, f"{script.name} failed:\n{run.stdout}\n{run.stderr}"
    assert run.stdout.strip(), f"{script.name} printed nothing"
    assert list(tmp_path.iterdir()) == [], f"{script.name} wrote files into its directory"

"""The explorer page (docs/explorer.md): Question 1's settings, every curve trained at build time.

When the build starts, ``explorer_runs.explorer_runs`` (beside this file) starts to train every
configuration the page offers (one ``compare_sweeps`` call per world of inputs), in a
process of its own beside the gallery's examples; before the pages are read, the build
waits for it and writes the record of every number, at full precision, to
``docs/_build/explorer/runs.json``: the browser test (``tests_site/test_explorer.py``)
checks the page's curves against it, not against the page's own data. The directives
``{explorer}`` and ``{explorer-grids}`` put the two blocks of the page's HTML where they
stand.

Configuration: ``explorer_run`` (default: run when the gallery runs, so ``-D
plot_gallery=0`` skips it too; ``-D explorer_run=1`` forces it), ``explorer_seeds``
(default 10, the first ten seeds of the Question 1 pages) and ``explorer_epochs`` (30).
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

from docutils import nodes
from explorer_runs import explorer_html, explorer_record
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

DOCS = Path(__file__).resolve().parents[1]
RECORD_DIR = DOCS / "_build" / "explorer"  # beside the claims' records, outside the site
PAGE = "explorer"
logger = logging.getLogger(__name__)


def _wanted(app) -> bool:
    setting = app.config.explorer_run
    if setting is None:  # follow the gallery: a build that skips it skips these runs too
        setting = app.config.plot_gallery
    return str(setting).strip().lower() not in {"0", "false", "no", "off", "none", ""}


# Trains the runs in a process of its own, started before the gallery: its examples often
# leave a core idle (their engines' longest groups run on one core), and these runs fill
# it, at the lowest priority. The process writes the runs as a pickle, which the build
# reads once the gallery is done, before it reads the pages.
_TRAIN = """
import pickle, sys
sys.path.insert(0, sys.argv[4])
from explorer_runs import explorer_runs
runs = explorer_runs(seeds=int(sys.argv[1]), epochs=int(sys.argv[2]))
with open(sys.argv[3], "wb") as file:
    pickle.dump(runs, file)
"""
_started: dict[str, object] = {}


def start_explorer(app) -> None:
    """Start training the explorer's runs, once per build, beside the gallery."""
    shutil.rmtree(RECORD_DIR, ignore_errors=True)  # no record outlives its build
    app.env.optimlab_explorer = None
    _started.clear()
    if not _wanted(app):
        logger.info("explorer: not run (the gallery is not run either)")
        return
    RECORD_DIR.mkdir(parents=True)
    arguments = [str(int(app.config.explorer_seeds)), str(int(app.config.explorer_epochs))]
    pickled = RECORD_DIR / "runs.pickle"
    here = str(Path(__file__).parent)
    command = [sys.executable, "-c", _TRAIN, *arguments, str(pickled), here]
    # At the lowest priority: the gallery's examples keep the cores they use, and the
    # runs take the rest (its engine's workers inherit the priority).
    lowest = (lambda: os.nice(19)) if hasattr(os, "nice") else None
    process = subprocess.Popen(command, preexec_fn=lowest)  # no thread to fork yet
    _started.update(process=process, pickled=pickled)


def finish_explorer(app, env, docnames) -> None:
    """Wait for the runs, keep them for the page, write their record for the tests."""
    if "process" not in _started:
        return
    waited = time.perf_counter()
    process = _started.pop("process")
    if process.wait() != 0:  # its traceback is on stderr already
        raise RuntimeError(f"the explorer's runs failed (exit status {process.returncode})")
    waited = time.perf_counter() - waited
    with open(_started["pickled"], "rb") as file:
        runs = pickle.load(file)
    record = explorer_record(runs)
    (RECORD_DIR / "runs.json").write_text(json.dumps(record, allow_nan=False))
    configurations = sum(len(configs) for configs in runs.curves.values())
    logger.info(
        "explorer: %d configurations x %d seeds trained in %.1f s beside the gallery; "
        "the build waited %.1f s for them",
        configurations,
        len(runs.seeds),
        runs.seconds,
        waited,
    )
    env.optimlab_explorer = runs
    if PAGE in env.found_docs and PAGE not in docnames:
        docnames.append(PAGE)  # the page shows this build's runs


class _ExplorerPart(SphinxDirective):
    part = 0

    def run(self) -> list[nodes.Node]:
        runs = getattr(self.env, "optimlab_explorer", None)
        if runs is None:
            if self.part == 1:
                return []
            text = (
                "This build of the site did not train the explorer's runs (it was built "
                "without running the gallery), so there is nothing to explore here."
            )
            return [nodes.paragraph(text=text)]
        depth = self.env.docname.count("/")
        blocks = explorer_html(runs, plotlyjs="../" * depth + "_static/plotly.min.js")
        return [nodes.raw("", blocks[self.part], format="html")]


class ExplorerCurves(_ExplorerPart):
    """``{explorer}``: the controls, the curves, the pins and the reproducing call."""

    part = 0


class ExplorerGrids(_ExplorerPart):
    """``{explorer-grids}``: the heat maps, the data and the script; after ``{explorer}``."""

    part = 1


def setup(app):
    app.add_config_value("explorer_run", None, "env")
    app.add_config_value("explorer_seeds", 10, "env")
    app.add_config_value("explorer_epochs", 30, "env")
    # After docs/conf.py's clear_claims (100), before sphinx-gallery runs the examples (500).
    app.connect("builder-inited", start_explorer, priority=150)
    app.connect("env-before-read-docs", finish_explorer)
    app.add_directive("explorer", ExplorerCurves)
    app.add_directive("explorer-grids", ExplorerGrids)
    return {"parallel_read_safe": False, "parallel_write_safe": True}

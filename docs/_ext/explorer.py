"""The explorer page (docs/explorer.md): Question 1's settings, every curve trained at build time.

When the build starts, :func:`optimlab.plotting.explorer_runs` trains every configuration
the page offers (one ``compare_sweeps`` call per world of inputs) and the record of every
number, at full precision, is written to ``docs/_build/explorer/runs.json``: the browser
test (``tests_site/test_explorer.py``) checks the page's curves against it, not against
the page's own data. The directives ``{explorer}`` and ``{explorer-grids}`` put the two
blocks of the page's HTML where they stand.

Configuration: ``explorer_run`` (default: run when the gallery runs, so ``-D
plot_gallery=0`` skips it too; ``-D explorer_run=1`` forces it), ``explorer_seeds``
(default 10, the first ten seeds of the Question 1 pages) and ``explorer_epochs`` (30).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from docutils import nodes
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


def run_explorer(app) -> None:
    """Train the explorer's runs once per build and write their record."""
    shutil.rmtree(RECORD_DIR, ignore_errors=True)  # no record outlives its build
    app.env.optimlab_explorer = None
    if not _wanted(app):
        logger.info("explorer: not run (the gallery is not run either)")
        return
    from optimlab.plotting import explorer_record, explorer_runs

    runs = explorer_runs(seeds=int(app.config.explorer_seeds),
                         epochs=int(app.config.explorer_epochs))  # fmt: skip
    RECORD_DIR.mkdir(parents=True, exist_ok=True)
    record = explorer_record(runs)
    (RECORD_DIR / "runs.json").write_text(json.dumps(record, allow_nan=False))
    configurations = sum(len(configs) for configs in runs.curves.values())
    logger.info(
        "explorer: %d configurations x %d seeds trained in %.1f s",
        configurations,
        len(runs.seeds),
        runs.seconds,
    )
    app.env.optimlab_explorer = runs


def always_reread(app, env, added, changed, removed) -> list[str]:
    """The page is read again in every build that trains: it shows that build's runs."""
    return [PAGE] if PAGE in env.found_docs and _wanted(app) else []


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
        from optimlab.plotting import explorer_html

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
    app.connect("builder-inited", run_explorer, priority=150)  # after docs/conf.py's 100
    app.connect("env-get-outdated", always_reread)
    app.add_directive("explorer", ExplorerCurves)
    app.add_directive("explorer-grids", ExplorerGrids)
    return {"parallel_read_safe": False, "parallel_write_safe": True}

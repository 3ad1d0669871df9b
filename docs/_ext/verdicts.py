"""Render the verdicts that the gallery recorded: one source of truth for every summary.

The gallery pages check their claims with :class:`optimlab.Claims`, which writes them to
``OPTIMLAB_CLAIMS_DIR`` (``docs/conf.py`` sets it) while the examples run. This extension
puts them on other pages, so that the landing page and the exercise's solutions quote the
numbers of this build instead of numbers copied by hand. In MyST Markdown:

- ````{verdicts} learning_rate```` (a fenced directive): a table of the page's verdicts,
  optionally only those of ``:keys: a, b``;
- ``{verdict}`input_scale:default_raw_worse_than_mean``` : "in nearly every seed (48 of
  50)";
- ``{verdict-data}`input_scale:default_raw_worse_than_mean:median_ratio:.2f```: one number
  of the verdict's data, with an optional Python format specification.

Where the gallery did not run (``-D plot_gallery=0``), or an example was not re-run, each
shows "not computed in this build" and logs nothing. Where it ran, a page, key or number
that is not recorded is a warning. A verdict recorded as false is shown with ✗, not
warned about: the build goes on, the docs session lists the failed claims at its end and
the test command fails on them (``tools/claims.py records``). Pages that use the records
are read again on every build, so their numbers are never those of an earlier build.
"""

from __future__ import annotations

import os
import re
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole
from verdict_records import (
    NOT_COMPUTED,
    find_verdict,
    format_value,
    load_record,
    parse_reference,
    select_verdicts,
    table_columns,
    table_rows,
    verdict_phrase,
)

logger = logging.getLogger(__name__)

#: The environment variable that optimlab.Claims writes to (``optimlab.claims.CLAIMS_DIR``).
CLAIMS_DIR = "OPTIMLAB_CLAIMS_DIR"


def _truthy(value: Any) -> bool:
    """A setting as given in conf.py (a bool) or with ``-D`` (a string such as ``"0"``)."""
    if isinstance(value, str):
        return value.strip().lower() not in {"", "0", "false", "no", "off"}
    return bool(value)


def gallery_state(config) -> str:
    """``"ran"`` if every example ran in this build, ``"partial"`` if some were up to date
    (so not re-run: their records are gone), ``"off"`` if the gallery did not run."""
    if config.verdicts_computed is not None:
        return "ran" if _truthy(config.verdicts_computed) else "off"
    conf = getattr(config, "sphinx_gallery_conf", None) or {}
    if not _truthy(conf.get("plot_gallery", False)):
        return "off"
    return "partial" if conf.get("stale_examples") else "ran"


def records_folder(config) -> str:
    return config.verdicts_dir or os.environ.get(CLAIMS_DIR, "")


class _Lookup:
    """What the directive and the roles share: find a page's record and report trouble."""

    def _record(self, page: str) -> dict[str, Any] | None:
        """The record, or None (after warning, if the gallery ran) when there is none."""
        self.env.note_reread()  # re-read on every build: the records change with each run
        state = gallery_state(self.config)
        if state == "off":
            return None
        folder = records_folder(self.config)
        try:
            record = load_record(folder, page) if folder else None
        except ValueError as error:
            self._warn(str(error))
            return None
        if record is None and state == "ran":
            self._warn(f"the gallery recorded no verdicts for page {page!r} (in {folder!r})")
        return record

    def _warn(self, message: str) -> None:
        logger.warning(message, location=self.get_location(), type="verdicts")


class VerdictsDirective(_Lookup, SphinxDirective):
    """```{verdicts} page``` : the page's verdicts as a table (``:keys:`` picks some)."""

    required_arguments = 1
    optional_arguments = 0
    has_content = False
    option_spec: ClassVar = {"keys": directives.unchanged, "class": directives.class_option}

    def run(self) -> list[nodes.Node]:
        page = self.arguments[0].strip()
        keys = [k.strip() for k in self.options.get("keys", "").split(",") if k.strip()]
        record = self._record(page)
        if record is None:
            return [_missing_note(page)]
        try:
            verdicts = select_verdicts(record, keys)
        except KeyError as error:
            self._warn(error.args[0])
            return [_missing_note(page)]
        if not verdicts:
            self._warn(f"page {page!r} recorded no verdicts")
            return [_missing_note(page)]
        columns = table_columns(verdicts)
        table = _table(columns, table_rows(verdicts))
        world = ["with-world"] if "World" in columns else []  # for the phone layout's labels
        table["classes"] += ["verdicts", *world, *self.options.get("class", [])]
        return [table]


class VerdictRole(_Lookup, SphinxRole):
    """{verdict}`page:key`: in how many seeds the verdict holds ("in most seeds (45 of 50)")."""

    with_data = False

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        try:
            # a reference may wrap across lines of the source: one space per break
            ref = parse_reference(" ".join(self.text.split()), with_data=self.with_data)
        except ValueError as error:
            self._warn(str(error))  # a typo in the source: a warning in every build
            return [nodes.inline(self.rawtext, self.text, classes=["verdict-missing"])], []
        record = self._record(ref.page)
        if record is None:
            return [_missing_inline()], []
        verdict = find_verdict(record, ref.key)
        if verdict is None:
            self._warn(f"page {ref.page!r} recorded no verdict {ref.key!r}")
            return [_missing_inline()], []
        text = self._text(verdict, ref)
        if text is None:
            return [_missing_inline()], []
        return [nodes.inline(self.rawtext, text, classes=["verdict"])], []

    def _text(self, verdict: dict[str, Any], ref) -> str | None:
        return verdict_phrase(verdict)


class VerdictDataRole(VerdictRole):
    """{verdict-data}`page:key:name[:format]`: one number of the verdict's data."""

    with_data = True

    def _text(self, verdict: dict[str, Any], ref) -> str | None:
        if ref.name not in verdict["data"]:
            known = ", ".join(sorted(verdict["data"])) or "none"
            self._warn(f"verdict {ref.key!r} of page {ref.page!r} has no number {ref.name!r} "
                       f"(it has: {known})")  # fmt: skip
            return None
        try:
            return format_value(verdict["data"][ref.name], ref.spec)
        except ValueError as error:
            self._warn(str(error))
            return None


def _missing_note(page: str) -> nodes.Node:
    text = f"The verdicts of page {page!r}: {NOT_COMPUTED}."
    return nodes.paragraph(text=text, classes=["verdicts-missing"])


def _missing_inline() -> nodes.Node:
    return nodes.inline(text=f"[{NOT_COMPUTED}]", classes=["verdict-missing"])


_CODE = re.compile(r"`([^`]+)`")


def _cell(text: str) -> nodes.entry:
    """A table cell; text between backticks becomes code, as in the page's prose."""
    paragraph = nodes.paragraph()
    for i, part in enumerate(_CODE.split(text)):
        if part:
            paragraph += nodes.literal(part, part) if i % 2 else nodes.Text(part)
    return nodes.entry("", paragraph)


def _table(columns: list[str], rows: list[list[str]]) -> nodes.table:
    widths = {"Claim": 40, "World": 12, "Seeds": 16, "Evidence": 32}
    group = nodes.tgroup(cols=len(columns))
    for column in columns:
        group += nodes.colspec(colwidth=widths[column])
    group += nodes.thead("", nodes.row("", *(_cell(column) for column in columns)))
    group += nodes.tbody("", *(nodes.row("", *(_cell(text) for text in row)) for row in rows))
    return nodes.table("", group)


def setup(app) -> dict[str, Any]:
    # Where the records are; empty: the environment variable OPTIMLAB_CLAIMS_DIR.
    app.add_config_value("verdicts_dir", "", "env", types=(str,))
    # Whether the gallery computed them; None: ask sphinx-gallery (its plot_gallery).
    app.add_config_value("verdicts_computed", None, "env", types=(bool, str, type(None)))
    app.add_directive("verdicts", VerdictsDirective)
    app.add_role("verdict", VerdictRole())
    app.add_role("verdict-data", VerdictDataRole())
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

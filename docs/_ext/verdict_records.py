"""Read the verdicts that the gallery pages record, and word them for the site.

A gallery page checks its claims with :class:`optimlab.Claims`; while the site builds,
every verdict is also written to ``<folder>/<page>.json`` as ``{"page": ..., "verdicts":
[{"key", "statement", "holds", "count", "total", "word", "interval", "evidence", "data"},
...]}``.
This module reads those records and turns them into words and numbers. It imports no
Sphinx, so that the tests check it without a build and ``tools/claims.py`` can read the
records too; ``verdicts.py`` is the Sphinx side.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: What a summary shows where the gallery did not compute its numbers.
NOT_COMPUTED = "not computed in this build"

_PAGE = re.compile(r"[A-Za-z0-9_.-]+")
_FIELDS = ("key", "statement", "holds", "count", "total", "word", "interval", "evidence", "data")


@dataclass(frozen=True)
class Reference:
    """What a role names: one verdict of a page, and optionally one number of its data."""

    page: str
    key: str
    name: str | None = None
    spec: str = ""


def parse_reference(text: str, *, with_data: bool = False) -> Reference:
    """Read ``page:key`` or, with ``with_data``, ``page:key:name`` or ``page:key:name:spec``.

    Parameters
    ----------
    text : str
        The role's text. The page is the name its :class:`optimlab.Claims` was given,
        ``spec`` a Python format specification (``.3f``, ``.0%``).
    with_data : bool
        Whether the reference names a number of the verdict's data.

    Raises
    ------
    ValueError
        Naming the text and the form it should have.
    """
    form = "page:key:name[:format]" if with_data else "page:key"
    parts = text.strip().split(":")
    if with_data:
        if len(parts) not in (3, 4):
            raise ValueError(f"{text!r} is not of the form {form}")
        page, key, name = (part.strip() for part in parts[:3])
        spec = parts[3].strip() if len(parts) == 4 else ""
    else:
        if len(parts) < 2:
            raise ValueError(f"{text!r} is not of the form {form}")
        page, key, name, spec = parts[0].strip(), ":".join(parts[1:]).strip(), None, ""
    if not _PAGE.fullmatch(page):
        raise ValueError(f"{text!r}: the page {page!r} of {form} must be a plain name")
    if not key or (with_data and not name):
        raise ValueError(f"{text!r} is not of the form {form}: a part is empty")
    if spec:
        format_value(0.5, spec)  # a bad specification fails here, before any record is read
    return Reference(page, key, name, spec)


def load_record(folder: str | Path, page: str) -> dict[str, Any] | None:
    """The record of ``page`` in ``folder``, or None if the page recorded nothing.

    Raises
    ------
    ValueError
        If the file is not a record of that page (bad JSON, wrong page, a field missing).
    """
    path = Path(folder) / f"{page}.json"
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(record, dict) or not isinstance(record.get("verdicts"), list):
        raise ValueError(f"{path} is not a record of verdicts: no 'verdicts' list")
    if record.get("page") != page:
        raise ValueError(f"{path} records page {record.get('page')!r}, not {page!r}")
    for verdict in record["verdicts"]:
        missing = [name for name in _FIELDS if name not in verdict]
        if missing:
            raise ValueError(f"{path}: verdict {verdict.get('key')!r} lacks {missing}")
    return record


def find_verdict(record: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The verdict of ``record`` with this key, or None."""
    return next((v for v in record["verdicts"] if v["key"] == key), None)


def select_verdicts(record: dict[str, Any], keys: list[str] | None) -> list[dict[str, Any]]:
    """All verdicts of ``record`` in their order, or those of ``keys`` in that order.

    Raises
    ------
    KeyError
        Naming the keys that the record lacks.
    """
    if not keys:
        return list(record["verdicts"])
    missing = [key for key in keys if find_verdict(record, key) is None]
    if missing:
        raise KeyError(f"page {record['page']!r} recorded no verdict {', '.join(missing)}")
    return [find_verdict(record, key) for key in keys]


def _words() -> dict[str, Any]:
    """optimlab's vocabulary, imported when a verdict is worded: reading records and
    listing failed ones (``tools/claims.py records``) needs no optimlab."""
    from optimlab.claims import WORDS

    return WORDS


#: The word of a seed count that a page shows without asserting it (optimlab.claims.VARIES).
VARIES = "varies"


def mark(verdict: dict[str, Any]) -> str:
    """✓ for a claim that holds, ✗ for one that does not, ~ for a count only shown."""
    if verdict["word"] == VARIES:
        return "~"
    return "✓" if verdict["holds"] else "✗"


def seeds_text(verdict: dict[str, Any]) -> str:
    """``"✓ nearly every seed: 48 of 50"`` for a seed claim, ``"✓"``/``"✗"`` for a check.

    A failed claim says what its word needs; a count only shown says that it varies.
    """
    if verdict["count"] is None:
        return mark(verdict)
    counted = f"{verdict['count']} of {verdict['total']}"
    if verdict["word"] == VARIES:
        return f"~ varies with the seeds: {counted}"
    word = _words()[verdict["word"]]
    text = f"{mark(verdict)} {word.phrase.removeprefix('in ')}: {counted}"
    return text if verdict["holds"] else f"{text} ({word.name!r} needs {word.describe()})"


def verdict_phrase(verdict: dict[str, Any]) -> str:
    """The words an inline summary puts after the statement: ``"in most seeds (45 of 50)"``."""
    if verdict["count"] is None:
        return "✓ (checked)" if verdict["holds"] else "✗ (contradicted)"
    counted = f"{verdict['count']} of {verdict['total']}"
    if verdict["word"] == VARIES:
        return f"in {counted} seeds (it varies with the seeds)"
    phrase = f"{_words()[verdict['word']].phrase} ({counted})"
    return phrase if verdict["holds"] else f"✗ {phrase}, which does not bear the claim out"


def format_value(value: Any, spec: str = "") -> str:
    """One number (or a list of them) of a verdict's data, as text.

    Without ``spec`` a float gets three significant digits. Non-finite numbers, which the
    record stores as the strings ``"inf"`` and ``"nan"``, are formatted as floats.

    Raises
    ------
    ValueError
        If ``spec`` does not apply to the value.
    """
    if isinstance(value, list):
        return ", ".join(format_value(item, spec) for item in value)
    if isinstance(value, str) and value.lower() in {"inf", "-inf", "nan"}:
        value = float(value)
    if not spec:
        if isinstance(value, float):
            return "∞" if math.isinf(value) and value > 0 else f"{value:.3g}"
        return str(value)
    try:
        return format(value, spec)
    except (TypeError, ValueError) as error:
        raise ValueError(f"format {spec!r} does not apply to {value!r}: {error}") from None


def table_columns(verdicts: list[dict[str, Any]]) -> list[str]:
    """The column titles of a verdicts table: a "World" column only if a verdict has one."""
    worlds = any("world" in verdict["data"] for verdict in verdicts)
    return ["Claim", *(["World"] if worlds else []), "Seeds", "Evidence"]


def table_rows(verdicts: list[dict[str, Any]]) -> list[list[str]]:
    """One row of text per verdict, under :func:`table_columns`."""
    worlds = "World" in table_columns(verdicts)
    rows = []
    for verdict in verdicts:
        world = [str(verdict["data"].get("world", ""))] if worlds else []
        rows.append([verdict["statement"], *world, seeds_text(verdict), verdict["evidence"]])
    return rows

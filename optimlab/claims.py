"""Claims a page makes about its runs, checked and shown with their numbers.

A gallery page states what its runs show ("``lr = 1`` ends above ``lr = 0.1`` in most
seeds"). :class:`Claims` checks each statement against the numbers, prints it with them
(``✓ lr = 1 ends above lr = 0.1 in 8 of 10 seeds (claimed: at least 7)``) and raises
:class:`ClaimError` when the numbers contradict it, so that a page whose prose is wrong
fails to build. When the environment variable ``OPTIMLAB_CLAIMS_DIR`` names a folder (the
site build sets it), every claim is also written to ``<folder>/<page>.json``, from which
the site renders its summaries.
"""

from __future__ import annotations

import json
import math
import os
import textwrap
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._validation import brief, check_nonnegative_int, check_positive_int

__all__ = ["ClaimError", "Claims", "Verdict"]

#: The environment variable naming the folder that receives each page's claims.
CLAIMS_DIR = "OPTIMLAB_CLAIMS_DIR"


class ClaimError(AssertionError):
    """A claim that the numbers contradict."""


@dataclass(frozen=True)
class Verdict:
    """One checked claim, as recorded.

    Attributes
    ----------
    key : str
        A short identifier, unique on its page, by which summaries refer to it.
    statement : str
        The claim in words.
    holds : bool
        Whether the numbers bear it out.
    count, total : int or None
        For a claim about seeds: in how many of ``total`` seeds the observation holds.
    rule : str
        What was claimed of ``count`` (``"at least 7"``), or ``""``.
    evidence : str
        The numbers behind it, in words.
    data : dict
        Further numbers, by name (JSON-serialisable).
    """

    key: str
    statement: str
    holds: bool
    count: int | None = None
    total: int | None = None
    rule: str = ""
    evidence: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        mark = "✓" if self.holds else "✗"
        world = self.data.get("world")
        text = (
            f"{mark} {self.statement}" if world is None else f"{mark} [{world}] {self.statement}"
        )
        if self.count is not None:
            text += f" in {self.count} of {self.total} seeds"
        details = [part for part in (self.evidence, self.rule and f"claimed: {self.rule}") if part]
        return text + (f" ({'; '.join(details)})" if details else "")


class Claims:
    """The claims of one page: check each one, print it, keep it.

    Parameters
    ----------
    page : str
        The page's name, for the record (e.g. ``"learning_rate"``).

    Examples
    --------
    >>> from optimlab import Claims
    >>> claims = Claims("demo")
    >>> claims.check("two is more than one", 2 > 1, evidence="2 > 1", key="two")
    ✓ two is more than one (2 > 1)
    >>> claims.count("the run ends lower", 8, 10, at_least=7, key="lower")
    ✓ the run ends lower in 8 of 10 seeds (claimed: at least 7)
    >>> [verdict.key for verdict in claims.verdicts]
    ['two', 'lower']
    >>> claims.count("the run ends higher", 2, 10, at_least=7)
    Traceback (most recent call last):
    ...
    optimlab.claims.ClaimError: ✗ the run ends higher in 2 of 10 seeds (claimed: at least 7)

    The same observation can be counted in several *worlds* (raw and standardised inputs,
    say): pass ``world=`` with its data, and :meth:`table` lays the counts side by side.
    Without a ``key``, such a claim is keyed ``"<world>: <statement>"``.
    """

    def __init__(self, page: str) -> None:
        if not isinstance(page, str) or not page:
            raise TypeError(f"page must be a non-empty string, got {brief(page)}")
        self.page = page
        self.verdicts: list[Verdict] = []

    def check(
        self,
        statement: str,
        holds: bool,
        *,
        evidence: str = "",
        key: str | None = None,
        **data: Any,
    ) -> None:
        """Check a claim that ``holds`` (a boolean computed from the runs) decides.

        Prints the verdict; raises :class:`ClaimError` if ``holds`` is false.
        """
        key = self._key(key, statement, data.get("world"))
        self._record(Verdict(key, statement, bool(holds), evidence=evidence, data=_plain(data)))

    def count(
        self,
        statement: str,
        count: int,
        total: int,
        *,
        at_least: int | None = None,
        at_most: int | None = None,
        evidence: str = "",
        key: str | None = None,
        **data: Any,
    ) -> None:
        """Check how many of ``total`` seeds an observation holds in.

        The claim is ``at_least <= count <= at_most`` (either bound may be omitted: a
        count with no bound is recorded and printed, never fails).
        """
        count = check_nonnegative_int("count", count)
        total = check_nonnegative_int("total", total)
        if count > total:
            raise ValueError(f"count must not exceed total, got {count} of {total}")
        rules = []
        if at_least is not None:
            rules.append(f"at least {at_least}")
        if at_most is not None:
            rules.append(f"at most {at_most}")
        holds = (at_least is None or count >= at_least) and (at_most is None or count <= at_most)
        key = self._key(key, statement, data.get("world"))
        verdict = Verdict(key, statement, holds, count, total, " and ".join(rules), evidence,
                          _plain(data))  # fmt: skip
        self._record(verdict)

    def count_seeds(
        self,
        statement: str,
        holds: Any,
        *,
        at_least: int | None = None,
        at_most: int | None = None,
        evidence: str | None = None,
        key: str | None = None,
        **data: Any,
    ) -> None:
        """:meth:`count` of an observation given seed by seed.

        ``holds`` is a one-dimensional boolean array, one entry per seed: the count is
        its number of true entries, the total its length, and the evidence (unless given)
        the seeds it holds in.

        Examples
        --------
        >>> import numpy as np
        >>> from optimlab import Claims
        >>> final = np.array([[0.5, 0.4, 0.6], [0.3, 0.5, 0.2]])  # (values, seeds)
        >>> Claims("demo").count_seeds("the second ends lower", final[1] < final[0], at_least=2)
        ✓ the second ends lower in 2 of 3 seeds (seeds [0, 2]; claimed: at least 2)
        """
        array = np.asarray(holds)
        if array.dtype != bool:
            raise TypeError(f"holds must be an array of booleans, got {brief(holds)}")
        if array.ndim != 1:
            raise ValueError(
                f"holds must be one-dimensional (one entry per seed), got shape {array.shape}"
            )
        if evidence is None:
            evidence = f"seeds {np.flatnonzero(array).tolist()}"
        self.count(statement, int(array.sum()), array.size, at_least=at_least,
                   at_most=at_most, evidence=evidence, key=key, **data)  # fmt: skip

    def table(self, width: int = 40) -> str:
        """The claims counted per world, as a plain-text table: one row per statement.

        Only claims recorded with a ``world`` in their data (``claims.count(...,
        world="raw")``) enter the table. Rows are statements and columns worlds, both in
        the order first recorded; a cell reads ``8/10 ✓``: the observation held in 8 of
        10 seeds, and what the page claimed of that count held (``✗``: it did not;
        ``-``: not counted in that world). Statements are wrapped to ``width``
        characters, so that the table stays narrow.

        Parameters
        ----------
        width : int, default=40
            Width of the statement column.

        Returns
        -------
        str

        Examples
        --------
        >>> from optimlab import Claims
        >>> claims = Claims("demo")
        >>> for world, count in [("raw", 8), ("standardized", 10)]:
        ...     claims.count("lr = 1 ends above lr = 0.1", count, 10, at_least=7, world=world)
        ✓ [raw] lr = 1 ends above lr = 0.1 in 8 of 10 seeds (claimed: at least 7)
        ✓ [standardized] lr = 1 ends above lr = 0.1 in 10 of 10 seeds (claimed: at least 7)
        >>> claims.count("lr = 0.1 ends best", 2, 10, at_most=4, world="raw")
        ✓ [raw] lr = 0.1 ends best in 2 of 10 seeds (claimed: at most 4)
        >>> print(claims.table(width=26))
        observation                 raw     standardized
        lr = 1 ends above lr = 0.1  8/10 ✓  10/10 ✓
        lr = 0.1 ends best          2/10 ✓  -
        >>> claims.verdicts[1].key
        'standardized: lr = 1 ends above lr = 0.1'
        """
        width = check_positive_int("width", width)
        worlds: list[str] = []
        rows: dict[str, dict[str, str]] = {}
        for verdict in self.verdicts:
            world = verdict.data.get("world")
            if world is None:
                continue
            world = str(world)
            if world not in worlds:
                worlds.append(world)
            cell = f"{verdict.count}/{verdict.total}" if verdict.count is not None else ""
            cell = f"{cell} {'✓' if verdict.holds else '✗'}".strip()
            rows.setdefault(verdict.statement, {})[world] = cell
        columns = [max([len(w), *(len(row.get(w, "-")) for row in rows.values())]) + 2
                   for w in worlds]  # fmt: skip
        lines = [_row(["observation"], width, [*worlds], columns)]
        for statement, cells in rows.items():
            wrapped = textwrap.wrap(statement, width) or [""]
            lines.append(_row(wrapped[:1], width, [cells.get(w, "-") for w in worlds], columns))
            lines.extend(_row([part], width, [], []) for part in wrapped[1:])
        return "\n".join(lines)

    def _key(self, key: str | None, statement: str, world: Any = None) -> str:
        if key is None:
            key = statement if world is None else f"{world}: {statement}"
        if any(verdict.key == key for verdict in self.verdicts):
            raise ValueError(f"key {key!r} is used twice on page {self.page!r}")
        return key

    def _record(self, verdict: Verdict) -> None:
        self.verdicts.append(verdict)
        print(verdict)
        folder = os.environ.get(CLAIMS_DIR)
        if folder:
            self.save(Path(folder) / f"{self.page}.json")
        if not verdict.holds:
            raise ClaimError(str(verdict))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write every verdict so far to ``path`` as JSON: ``{"page": ..., "verdicts": [...]}``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"page": self.page, "verdicts": [asdict(v) for v in self.verdicts]}
        path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _row(first: list[str], width: int, cells: list[str], columns: list[int]) -> str:
    """One line of :meth:`Claims.table`, without trailing spaces."""
    text = first[0].ljust(width + 2) + "".join(
        c.ljust(n) for c, n in zip(cells, columns, strict=False)
    )
    return text.rstrip()


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with NumPy and torch scalars and arrays turned into JSON's numbers and lists."""

    def convert(value: Any) -> Any:
        if hasattr(value, "tolist"):
            value = value.tolist()
        if isinstance(value, dict):
            return {str(k): convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        return value

    return {name: convert(value) for name, value in data.items()}

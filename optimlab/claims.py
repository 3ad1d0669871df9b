"""Claims a page makes about its runs, checked and shown with their numbers.

A page states what its runs show in words: "``lr = 1`` ends above ``lr = 0.1`` *in nearly
every seed*". The seeds it ran are one sample of what tends to happen, so it never claims
an exact count: it names a tendency from a small vocabulary, ``WORDS``, each word a range
of the fraction of seeds ("most": at least 60 %), and the claim holds only where the 95 %
Wilson interval of the count lies inside that range, a margin the next sample will very
likely keep ("every" and "no" are exact). ``"varies"`` marks a count that no word fits in
every variant of the robustness check (``nox -s claims``): shown, never asserted.

A false claim is printed with ✗, not raised, so the script runs on; the site build lists
the ✗ lines and the test command fails on them. When ``OPTIMLAB_CLAIMS_DIR`` names a
folder (the site build sets it), every claim is also written to ``<folder>/<page>.json``,
from which the site renders its summaries.
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

from ._validation import brief, check_choice, check_nonnegative_int, check_positive_int

__all__ = ["WORDS", "Claims", "Verdict", "Word", "wilson_interval"]

#: The environment variable naming the folder that receives each page's claims.
CLAIMS_DIR = "OPTIMLAB_CLAIMS_DIR"

#: z of a two-sided 95% interval.
_Z95 = 1.959963984540054


@dataclass(frozen=True)
class Word:
    """A word of the claims' vocabulary: a range of the fraction of seeds.

    Attributes
    ----------
    name : str
        The word as a page passes it (``"nearly every"``).
    phrase : str
        How it reads after a statement (``"in nearly every seed"``).
    low, high : float
        The range of the fraction of seeds it stands for.
    exact : bool
        Whether the word is a count, not a range: ``"every"`` holds when every seed
        agrees, ``"no"`` when none does.
    """

    name: str
    phrase: str
    low: float
    high: float
    exact: bool = False

    def fits(self, count: int, total: int) -> bool:
        """Whether ``count`` of ``total`` seeds bears the word out (see :class:`Claims`)."""
        if self.exact:
            return count == (total if self.high == 1 else 0)
        low, high = wilson_interval(count, total)
        return self.low <= low and high <= self.high

    def describe(self) -> str:
        """The range in words: ``"at least 80 %"``."""
        if self.exact:
            return "all of them" if self.high == 1 else "none of them"
        if self.high == 1:
            return f"at least {self.low:.0%}"
        if self.low == 0:
            return f"at most {self.high:.0%}"
        return f"{self.low:.0%} to {self.high:.0%}"


#: The vocabulary of seed claims, strongest first, in complementary pairs.
WORDS: dict[str, Word] = {
    word.name: word
    for word in (
        Word("every", "in every seed", 1.0, 1.0, exact=True),
        Word("nearly every", "in nearly every seed", 0.8, 1.0),
        Word("most", "in most seeds", 0.6, 1.0),
        Word("about half", "in about half the seeds", 0.25, 0.75),
        Word("a minority of", "in a minority of seeds", 0.0, 0.4),
        Word("few", "in few seeds", 0.0, 0.2),
        Word("no", "in no seed", 0.0, 0.0, exact=True),
    )
}

#: What a page passes for a count it shows without asserting it.
VARIES = "varies"


def wilson_interval(count: int, total: int) -> tuple[float, float]:
    """The 95 % Wilson score interval of the fraction ``count / total``.

    Parameters
    ----------
    count, total : int
        In how many of how many seeds an observation holds.

    Returns
    -------
    (float, float)
        Its lower and upper end, within [0, 1].

    Examples
    --------
    >>> from optimlab.claims import wilson_interval
    >>> [round(end, 3) for end in wilson_interval(48, 50)]
    [0.865, 0.989]
    >>> wilson_interval(10, 10)[0] < 0.8  # ten seeds of ten cannot say "nearly every"
    True
    """
    count = check_nonnegative_int("count", count)
    total = check_positive_int("total", total)
    if count > total:
        raise ValueError(f"count must not exceed total, got {count} of {total}")
    share, z2 = count / total, _Z95**2
    centre = (share + z2 / (2 * total)) / (1 + z2 / total)
    half = _Z95 * math.sqrt(share * (1 - share) / total + z2 / (4 * total**2)) / (1 + z2 / total)
    # At 0 and at every seed the interval ends exactly at the observed fraction.
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == total else min(1.0, centre + half)
    return low, high


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
        Whether the numbers bear it out (always true for a claim that is not stated).
    count, total : int or None
        For a claim about seeds: in how many of ``total`` seeds the observation holds.
    word : str
        For a claim about seeds, the word of ``WORDS`` it states, or ``"varies"``.
    interval : list of float
        The 95 % Wilson interval of ``count / total``; empty for a single check.
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
    word: str = ""
    interval: list[float] = field(default_factory=list)
    evidence: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def stated(self) -> bool:
        """Whether the page asserts it: a single check, or a seed claim with a word."""
        return self.word != VARIES

    @property
    def mark(self) -> str:
        """✓ for a claim that holds, ✗ for one that does not, ~ for one only shown."""
        return "~" if not self.stated else "✓" if self.holds else "✗"

    def __str__(self) -> str:
        world = self.data.get("world")
        text = f"{self.mark} " + ("" if world is None else f"[{world}] ") + self.statement
        details = []
        if self.count is not None:
            low, high = self.interval
            text += f" {WORDS[self.word].phrase}" if self.stated else ": varies with the seeds"
            details.append(f"{self.count} of {self.total}; 95% interval {low:.0%} to {high:.0%}")
            if self.stated and not self.holds:
                details.append(f"'{self.word}' needs {WORDS[self.word].describe()}")
        if self.evidence:
            details.append(self.evidence)
        return text + (f" ({'; '.join(details)})" if details else "")


class Claims:
    """The claims of one page: check each one, print it, keep it.

    Parameters
    ----------
    page : str
        The page's name, for the record (e.g. ``"learning_rate"``).

    Examples
    --------
    A claim about one run is checked as it stands:

    >>> import numpy as np
    >>> from optimlab import Claims
    >>> claims = Claims("demo")
    >>> claims.check("two is more than one", 2 > 1, evidence="2 > 1", key="two")
    ✓ two is more than one (2 > 1)

    A claim about seeds gives, seed by seed, whether the observation holds, and the word
    that the page says of it:

    >>> lower = np.arange(50) != 7  # the observation holds in 49 of 50 seeds
    >>> claims.seeds("the run ends lower", lower, "nearly every", key="lower")
    ✓ the run ends lower in nearly every seed (49 of 50; 95% interval 90% to 100%)
    >>> claims.seeds("the run ends lower", np.ones(10, bool), "nearly every", key="ten")  # 72%-
    ✗ the run ends lower in nearly every seed (10 of 10; ...; 'nearly every' needs at least 80%)
    >>> claims.seeds("the run ends first", np.arange(50) % 3 == 0, "varies")
    ~ the run ends first: varies with the seeds (17 of 50; 95% interval 22% to 48%)
    >>> [verdict.mark for verdict in claims.verdicts]
    ['✓', '✓', '✗', '~']
    >>> [verdict.key for verdict in claims.failed]
    ['ten']

    The same observation can be counted in several *worlds* (raw and standardised inputs,
    say): pass ``world=``, and :meth:`table` lays the counts side by side. Without a
    ``key``, such a claim is keyed ``"<world>: <statement>"``.
    """

    def __init__(self, page: str) -> None:
        if not isinstance(page, str) or not page:
            raise TypeError(f"page must be a non-empty string, got {brief(page)}")
        self.page = page
        self.verdicts: list[Verdict] = []

    @property
    def failed(self) -> list[Verdict]:
        """The verdicts that do not hold, in the order recorded."""
        return [verdict for verdict in self.verdicts if not verdict.holds]

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

        For a claim about the exercise's own run, or about a statistic of many runs (a
        median, a largest value) far from its threshold. Prints the verdict and keeps it.
        """
        self._record(key, statement, data, holds=bool(holds), evidence=evidence)

    def seeds(
        self,
        statement: str,
        holds: Any,
        word: str,
        *,
        evidence: str = "",
        key: str | None = None,
        **data: Any,
    ) -> None:
        """Claim that an observation holds in ``word`` seeds.

        Parameters
        ----------
        statement : str
            The observation, in words that read before the word's phrase ("``lr = 1``
            ends above ``lr = 0.1``" + " in nearly every seed").
        holds : array of bool
            One entry per seed: whether the observation holds in that seed.
        word : str
            A key of ``WORDS`` (``"every"``, ``"nearly every"``, ``"most"``, ``"about
            half"``, ``"a minority of"``, ``"few"``, ``"no"``), or ``"varies"``: the
            count is shown, not asserted.
        evidence : str, optional
            Further numbers behind it, in words (the count and its interval are always
            shown).
        key : str, optional
            How summaries refer to it; by default the statement (with its world).
        **data
            Further numbers to record, among them ``world``.

        Raises
        ------
        TypeError
            If ``holds`` is not an array of booleans.
        ValueError
            If ``holds`` is not one-dimensional or is empty, or ``word`` is not in the
            vocabulary.
        """
        array = np.asarray(holds)
        if array.dtype != bool:
            raise TypeError(f"holds must be an array of booleans, got {brief(holds)}")
        if array.ndim != 1 or array.size == 0:
            raise ValueError(
                f"holds must be one-dimensional (one entry per seed) and not empty, got "
                f"shape {array.shape}"
            )
        word = check_choice("word", word, [*WORDS, VARIES])
        count, total = int(array.sum()), int(array.size)
        interval = list(wilson_interval(count, total))
        holds_ = word == VARIES or WORDS[word].fits(count, total)
        self._record(key, statement, data, holds=holds_, count=count, total=total, word=word,
                     interval=interval, evidence=evidence)  # fmt: skip

    def table(self, width: int = 40) -> str:
        """The seed claims per world, as a plain-text table: one row per statement.

        Only claims recorded with a ``world`` enter it. Rows are statements and columns
        worlds, in the order first recorded; a cell reads ``48/50 ✓``: the observation
        held in 48 of 50 seeds, and the page's word for it holds (``✗``: it does not;
        ``~``: shown, not asserted; ``-``: not counted in that world).

        Parameters
        ----------
        width : int, default=40
            Width of the statement column; statements are wrapped to it.

        Returns
        -------
        str

        Examples
        --------
        >>> import numpy as np
        >>> from optimlab import Claims
        >>> claims = Claims("demo")
        >>> above = {"raw": np.arange(50) < 45, "standardized": np.ones(50, bool)}
        >>> for world, holds in above.items():
        ...     claims.seeds("lr = 1 ends above lr = 0.1", holds, "most", world=world)
        ✓ [raw] lr = 1 ends above lr = 0.1 in most seeds (45 of 50; ...)
        ✓ [standardized] lr = 1 ends above lr = 0.1 in most seeds (50 of 50; ...)
        >>> claims.seeds("lr = 0.1 ends best", np.arange(50) < 20, "varies", world="raw")
        ~ [raw] lr = 0.1 ends best: varies with the seeds (20 of 50; ...)
        >>> print(claims.table(width=26))
        observation                 raw      standardized
        lr = 1 ends above lr = 0.1  45/50 ✓  50/50 ✓
        lr = 0.1 ends best          20/50 ~  -
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
            rows.setdefault(verdict.statement, {})[world] = f"{cell} {verdict.mark}".strip()
        columns = [max([len(w), *(len(row.get(w, "-")) for row in rows.values())]) + 2
                   for w in worlds]  # fmt: skip
        lines = [_row("observation", width, worlds, columns)]
        for statement, cells in rows.items():
            first, *rest = textwrap.wrap(statement, width) or [""]
            lines.append(_row(first, width, [cells.get(w, "-") for w in worlds], columns))
            lines.extend(rest)
        return "\n".join(lines)

    def _record(
        self, key: str | None, statement: str, data: dict[str, Any], **fields: Any
    ) -> None:
        """Keep, print and (under ``OPTIMLAB_CLAIMS_DIR``) save a verdict."""
        if key is None:
            world = data.get("world")
            key = statement if world is None else f"{world}: {statement}"
        if any(verdict.key == key for verdict in self.verdicts):
            raise ValueError(f"key {key!r} is used twice on page {self.page!r}")
        verdict = Verdict(key, statement, data=_plain(data), **fields)
        self.verdicts.append(verdict)
        print(verdict)
        folder = os.environ.get(CLAIMS_DIR)
        if folder:
            self.save(Path(folder) / f"{self.page}.json")

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write every verdict so far to ``path`` as JSON: ``{"page": ..., "verdicts": [...]}``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"page": self.page, "verdicts": [asdict(v) for v in self.verdicts]}
        path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _row(first: str, width: int, cells: list[str], columns: list[int]) -> str:
    """One line of :meth:`Claims.table`, without trailing spaces."""
    cells = [c.ljust(n) for c, n in zip(cells, columns, strict=True)]
    return (first.ljust(width + 2) + "".join(cells)).rstrip()


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

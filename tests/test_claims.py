"""optimlab.claims: the Wilson interval, the words of the vocabulary, and claims that fail.

The interval is checked against references computed here, independently of the module:
the closed form solved as a quadratic, a brute-force scan of the score test, and values
published by Newcombe (1998). Each word is checked by brute force over every count of
10, 30 and 50 seeds against the interval's definition.
"""

import json
import math
from statistics import NormalDist

import numpy as np
import pytest

from optimlab import Claims
from optimlab.claims import WORDS, Verdict, Word, wilson_interval

Z = NormalDist().inv_cdf(0.975)  # two-sided 95 %, not the module's constant


def _score(p_hat: float, p: float, n: int) -> float:
    """The score statistic of the hypothesis "the fraction is p": accepted where <= Z**2."""
    return n * (p_hat - p) ** 2 / (p * (1 - p))


def _quadratic_interval(count: int, total: int) -> tuple[float, float]:
    """The Wilson interval as the roots of n (p_hat - p)^2 = z^2 p (1 - p), in p."""
    p_hat, z2 = count / total, Z**2
    a = 1 + z2 / total
    b = -(2 * p_hat + z2 / total)
    c = p_hat**2
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


# -- wilson_interval -----------------------------------------------------------------------


@pytest.mark.parametrize("total", [1, 2, 3, 7, 10, 30, 50, 263, 1000])
def test_wilson_interval_matches_the_quadratic_roots(total):
    for count in range(total + 1):
        low, high = wilson_interval(count, total)
        ref_low, ref_high = _quadratic_interval(count, total)
        assert low == pytest.approx(max(ref_low, 0.0), abs=1e-12)
        assert high == pytest.approx(min(ref_high, 1.0), abs=1e-12)
        assert 0.0 <= low <= high <= 1.0
        assert low - 1e-15 <= count / total <= high + 1e-15  # see the test below
        # Symmetry: the interval of the complement is the mirror image.
        other_low, other_high = wilson_interval(total - count, total)
        assert low == pytest.approx(1 - other_high, abs=1e-12)
        assert high == pytest.approx(1 - other_low, abs=1e-12)


@pytest.mark.parametrize(("count", "total"), [(0, 10), (3, 10), (10, 10), (17, 50), (48, 50)])
def test_wilson_interval_is_the_set_the_score_test_accepts(count, total):
    """Brute force: the fractions p on a fine grid that the score test does not reject."""
    p_hat = count / total
    grid = np.linspace(0, 1, 200_001)[1:-1]  # the statistic is undefined at 0 and 1
    accepted = grid[total * (p_hat - grid) ** 2 <= Z**2 * grid * (1 - grid)]
    low, high = wilson_interval(count, total)
    step = grid[1] - grid[0]
    assert low == pytest.approx(0.0 if count == 0 else accepted.min(), abs=2 * step)
    assert high == pytest.approx(1.0 if count == total else accepted.max(), abs=2 * step)


@pytest.mark.parametrize(
    ("count", "total", "expected"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857, table I, method 3 (Wilson score).
        (81, 263, (0.2553, 0.3662)),
        (15, 148, (0.0624, 0.1605)),
        (0, 20, (0.0000, 0.1611)),
        (1, 29, (0.0061, 0.1718)),
        (48, 50, (0.8654, 0.9890)),  # the module's own example, to four places
    ],
)
def test_wilson_interval_known_values(count, total, expected):
    low, high = wilson_interval(count, total)
    assert (round(low, 4), round(high, 4)) == expected


@pytest.mark.parametrize("total", [1, 10, 30, 50])
def test_wilson_interval_at_zero_and_at_every_seed(total):
    z2 = Z**2
    # By hand: p_hat = 0 gives [0, z^2 / (n + z^2)], p_hat = 1 gives [n / (n + z^2), 1].
    assert wilson_interval(0, total)[0] == pytest.approx(0.0, abs=1e-15)
    assert wilson_interval(0, total)[0] >= 0.0
    assert wilson_interval(0, total)[1] == pytest.approx(z2 / (total + z2), abs=1e-12)
    assert wilson_interval(total, total)[0] == pytest.approx(total / (total + z2), abs=1e-12)
    assert wilson_interval(total, total)[1] == pytest.approx(1.0, abs=1e-12)
    assert wilson_interval(total, total)[1] <= 1.0


@pytest.mark.parametrize("total", [3, 10, 30, 50])
def test_wilson_interval_ends_are_exact_at_zero_and_at_every_seed(total):
    assert wilson_interval(0, total)[0] == 0.0
    assert wilson_interval(total, total)[1] == 1.0


def test_wilson_interval_of_ten_seeds_of_ten():
    # 10 / (10 + 1.96^2) = 0.7225: ten of ten cannot say "nearly every" (80 %).
    low, _ = wilson_interval(10, 10)
    assert low == pytest.approx(0.72247, abs=1e-5)
    assert wilson_interval(np.int64(3), np.int64(10)) == wilson_interval(3, 10)


@pytest.mark.parametrize(
    ("count", "total", "error", "match"),
    [
        (11, 10, ValueError, "count must not exceed total"),
        (0, 0, ValueError, "total must be a positive integer"),
        (-1, 10, ValueError, "count must be a non-negative integer"),
        (1, -5, ValueError, "total"),
        (1.0, 10, TypeError, "count"),
        (1, 10.0, TypeError, "total"),
        (True, 10, TypeError, "count"),
        (1, "10", TypeError, "total"),
        (None, 10, TypeError, "count"),
    ],
)
def test_wilson_interval_rejects(count, total, error, match):
    with pytest.raises(error, match=match):
        wilson_interval(count, total)


# -- The words -----------------------------------------------------------------------------


def test_the_vocabulary():
    assert list(WORDS) == ["every", "nearly every", "most", "about half", "a minority of",
                           "few", "no"]  # fmt: skip
    for name, word in WORDS.items():
        assert isinstance(word, Word) and word.name == name
        assert 0 <= word.low <= word.high <= 1
        assert word.phrase.startswith("in ")
    assert [name for name, word in WORDS.items() if word.exact] == ["every", "no"]
    # Complementary pairs: each word's range mirrors its partner's.
    for first, second in [("every", "no"), ("nearly every", "few"), ("most", "a minority of"),
                          ("about half", "about half")]:  # fmt: skip
        assert WORDS[first].low == pytest.approx(1 - WORDS[second].high)
        assert WORDS[first].high == pytest.approx(1 - WORDS[second].low)


def _fits_by_definition(word: Word, count: int, total: int) -> bool:
    """Whether the score test's accepted fractions all lie in [word.low, word.high].

    The accepted set is an interval around p_hat; it stays above ``low`` exactly when
    p_hat is above ``low`` and the test rejects ``low`` itself (and likewise for ``high``).
    A bound at 0 or 1 is never crossed.
    """
    p_hat = count / total
    above = word.low == 0 or (p_hat > word.low and _score(p_hat, word.low, total) > Z**2)
    below = word.high == 1 or (p_hat < word.high and _score(p_hat, word.high, total) > Z**2)
    return above and below


@pytest.mark.parametrize("total", [10, 30, 50])
@pytest.mark.parametrize("name", [name for name, word in WORDS.items() if not word.exact])
def test_word_fits_by_brute_force(name, total):
    word = WORDS[name]
    for count in range(total + 1):
        expected = _fits_by_definition(word, count, total)
        assert word.fits(count, total) == expected, f"{name!r}, {count} of {total}"
        # Far from the boundary the decision is clear-cut (no rounding decides it).
        low, high = _quadratic_interval(count, total)
        margin = min(abs(low - word.low) if word.low else 1, abs(high - word.high) if
                     word.high < 1 else 1)  # fmt: skip
        assert margin > 1e-9


@pytest.mark.parametrize(
    ("total", "name", "counts"),
    [
        # Worked out from the interval: the counts of which each word may be said.
        (10, "nearly every", []),
        (10, "most", [10]),
        (10, "about half", []),
        (10, "a minority of", [0]),
        (10, "few", []),
        (30, "nearly every", [29, 30]),
        (30, "few", [0, 1]),
        (50, "nearly every", [46, 47, 48, 49, 50]),
        (50, "most", list(range(37, 51))),
        (50, "about half", list(range(19, 32))),
        (50, "a minority of", list(range(0, 14))),
        (50, "few", [0, 1, 2, 3, 4]),
    ],
)
def test_word_counts(total, name, counts):
    assert [c for c in range(total + 1) if WORDS[name].fits(c, total)] == counts
    assert [c for c in range(total + 1) if _fits_by_definition(WORDS[name], c, total)] == counts


@pytest.mark.parametrize("total", [1, 2, 10, 30, 50])
def test_every_and_no_are_exact(total):
    for count in range(total + 1):
        assert WORDS["every"].fits(count, total) == (count == total)
        assert WORDS["no"].fits(count, total) == (count == 0)


@pytest.mark.parametrize("total", [10, 30, 50])
def test_complementary_words_fit_complementary_counts(total):
    for first, second in [("nearly every", "few"), ("most", "a minority of"),
                          ("about half", "about half"), ("every", "no")]:  # fmt: skip
        for count in range(total + 1):
            assert WORDS[first].fits(count, total) == WORDS[second].fits(total - count, total)


def test_describe():
    assert WORDS["every"].describe() == "all of them"
    assert WORDS["no"].describe() == "none of them"
    assert WORDS["nearly every"].describe() == "at least 80%"
    assert WORDS["few"].describe() == "at most 20%"
    assert WORDS["about half"].describe() == "25% to 75%"


# -- Claims.seeds and Claims.check ---------------------------------------------------------


@pytest.mark.parametrize(
    ("holds", "error", "match"),
    [
        (np.array([1, 0, 1]), TypeError, "holds must be an array of booleans"),
        ([1.0, 0.0], TypeError, "holds must be an array of booleans"),
        ("yes", TypeError, "holds must be an array of booleans"),
        (np.ones((2, 2), dtype=bool), ValueError, "one-dimensional"),
        (np.array(True), ValueError, "one-dimensional"),
        (np.array([], dtype=bool), ValueError, r"not empty, got shape \(0,\)"),
    ],
)
def test_seeds_rejects_holds(holds, error, match, capsys):
    claims = Claims("page")
    with pytest.raises(error, match=match):
        claims.seeds("x", holds, "most")
    assert claims.verdicts == []
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("word", ["all", "Most", "nearly all", ""])
def test_seeds_rejects_an_unknown_word(word):
    claims = Claims("page")
    with pytest.raises(ValueError, match=r"word must be one of .*'varies'; got"):
        claims.seeds("x", np.ones(10, bool), word)
    assert claims.verdicts == []


def test_seeds_records_count_interval_and_seeds(capsys):
    claims = Claims("page")
    holds = np.arange(50) < 45  # a list of Python bools would do too
    claims.seeds("lr = 1 ends above", holds, "most", key="above", median=np.float64(0.25))
    (verdict,) = claims.verdicts
    assert (verdict.key, verdict.count, verdict.total, verdict.word) == ("above", 45, 50, "most")
    assert verdict.holds is True and verdict.mark == "✓"
    assert verdict.interval == list(wilson_interval(45, 50))
    assert verdict.evidence == ""  # the count and its interval say it
    assert verdict.data == {"median": 0.25} and type(verdict.data["median"]) is float
    out = capsys.readouterr().out
    assert out == "✓ lr = 1 ends above in most seeds (45 of 50; 95% interval 79% to 96%)\n"
    claims.seeds("plain list", [True, False, True], "varies", evidence="by hand")
    assert claims.verdicts[-1].evidence == "by hand" and claims.verdicts[-1].count == 2


def test_a_failed_claim_is_printed_recorded_and_not_raised(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OPTIMLAB_CLAIMS_DIR", str(tmp_path))
    claims = Claims("page")
    claims.seeds("ends lower", np.ones(10, bool), "nearly every", key="ten")  # 72 % to 100 %
    claims.check("two is less than one", 2 < 1, evidence="2 vs 1", key="less")
    claims.seeds("ends higher", np.arange(30) < 29, "nearly every", key="ok")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "✗ ends lower in nearly every seed (10 of 10; 95% interval 72% to 100%; "
        "'nearly every' needs at least 80%)"
    )
    assert lines[1] == "✗ two is less than one (2 vs 1)"
    assert lines[2].startswith("✓ ends higher in nearly every seed (29 of 30;")
    assert [v.key for v in claims.failed] == ["ten", "less"]
    assert [v.mark for v in claims.verdicts] == ["✗", "✗", "✓"]
    record = json.loads((tmp_path / "page.json").read_text(encoding="utf-8"))
    assert record["page"] == "page"
    by_key = {v["key"]: v for v in record["verdicts"]}
    assert list(by_key) == ["ten", "less", "ok"]
    assert by_key["ten"]["holds"] is False and by_key["less"]["holds"] is False
    assert by_key["ok"]["holds"] is True
    assert by_key["ten"]["word"] == "nearly every"
    assert (by_key["ten"]["count"], by_key["ten"]["total"]) == (10, 10)
    assert by_key["ten"]["interval"] == pytest.approx(list(wilson_interval(10, 10)))
    assert by_key["less"]["count"] is None and by_key["less"]["interval"] == []
    assert set(by_key["ten"]) == {"key", "statement", "holds", "count", "total", "word",
                                  "interval", "evidence", "data"}  # fmt: skip


@pytest.mark.parametrize("total", [1, 10, 50])
def test_varies_never_fails(total, capsys):
    claims = Claims("page")
    for count in range(total + 1):
        claims.seeds(f"{count}", np.arange(total) < count, "varies")
    assert claims.failed == []
    assert {v.mark for v in claims.verdicts} == {"~"}
    assert all(not v.stated and v.holds for v in claims.verdicts)
    lines = capsys.readouterr().out.splitlines()
    assert all(line.startswith("~ ") and ": varies with the seeds (" in line for line in lines)


def test_check_records_a_boolean():
    claims = Claims("page")
    claims.check("numpy's true", np.bool_(True), key="np")
    claims.check("a count is truthy", 3, key="three")
    assert [v.holds for v in claims.verdicts] == [True, True]
    assert all(type(v.holds) is bool for v in claims.verdicts)
    assert claims.verdicts[0] == Verdict("np", "numpy's true", True)


def test_a_key_used_twice_is_an_error():
    claims = Claims("page")
    claims.check("same", True)
    with pytest.raises(ValueError, match="key 'same' is used twice on page 'page'"):
        claims.check("same", True)
    with pytest.raises(ValueError, match="used twice"):
        claims.seeds("other", np.ones(3, bool), "every", key="same")
    assert len(claims.verdicts) == 1


@pytest.mark.parametrize("page", ["", None, 3])
def test_claims_needs_a_page_name(page):
    with pytest.raises(TypeError, match="page must be a non-empty string"):
        Claims(page)

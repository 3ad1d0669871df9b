"""Claims counted in several worlds: keys, printed lines, the JSON record and the table."""

import json

import numpy as np
import pytest

from optimlab import ClaimError, Claims


def test_world_is_recorded_printed_and_keyed(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OPTIMLAB_CLAIMS_DIR", str(tmp_path))
    claims = Claims("page")
    claims.count("ends above the yardstick", 3, 10, at_least=2, world="raw", median=0.4)
    claims.count("ends above the yardstick", 0, 10, at_most=1, world="standardized")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "✓ [raw] ends above the yardstick in 3 of 10 seeds (claimed: at least 2)",
        "✓ [standardized] ends above the yardstick in 0 of 10 seeds (claimed: at most 1)",
    ]
    record = json.loads((tmp_path / "page.json").read_text(encoding="utf-8"))
    keys = [v["key"] for v in record["verdicts"]]
    assert keys == ["raw: ends above the yardstick", "standardized: ends above the yardstick"]
    assert record["verdicts"][0]["data"] == {"world": "raw", "median": 0.4}
    # An explicit key is kept as given.
    claims.count("other", 1, 2, world="raw", key="mine")
    assert claims.verdicts[-1].key == "mine"


def test_table_rows_columns_cells_and_wrapping():
    claims = Claims("page")
    long = "a statement long enough that it has to be wrapped"
    claims.count(long, 8, 10, at_least=7, world="raw")
    claims.check("not per world", True)  # left out of the table
    claims.count("short", 10, 10, world="standardized")
    with pytest.raises(ClaimError):
        claims.count("short", 2, 10, at_least=7, world="raw")
    lines = claims.table(width=30).splitlines()
    header = lines[0].split()
    assert header == ["observation", "raw", "standardized"]
    raw_at, std_at = lines[0].index("raw"), lines[0].index("standardized")
    # Row 1: the long statement wrapped, its cells on its first line, "-" where not counted.
    assert lines[1][:30].strip() == "a statement long enough that"
    assert lines[1][raw_at:].split()[:2] == ["8/10", "✓"]
    assert lines[1][std_at:].strip() == "-"
    assert lines[2] == "it has to be wrapped"  # the continuation has no cells
    assert len(lines[2]) <= 30
    short = next(line for line in lines if line.startswith("short"))
    assert short[raw_at:].split()[:2] == ["2/10", "✗"]  # the failed claim shows as such
    assert short[std_at:].strip() == "10/10 ✓"
    assert len(lines) == 1 + 2 + 1


def test_table_bad_width():
    with pytest.raises(TypeError, match="width"):
        Claims("page").table(width="wide")
    with pytest.raises(ValueError, match="width"):
        Claims("page").table(width=0)


def test_count_seeds_counts_the_true_seeds_and_names_them(capsys):
    claims = Claims("page")
    holds = np.array([True, False, True, True])
    claims.count_seeds("ends lower", holds, at_least=3, at_most=3, world="raw", key="k")
    verdict = claims.verdicts[-1]
    assert (verdict.count, verdict.total, verdict.key) == (3, 4, "k")
    assert verdict.evidence == "seeds [0, 2, 3]"
    assert verdict.data == {"world": "raw"}
    assert capsys.readouterr().out.strip() == (
        "✓ [raw] ends lower in 3 of 4 seeds (seeds [0, 2, 3]; claimed: at least 3 and at most 3)"
    )
    with pytest.raises(ClaimError, match="1 of 4 seeds"):
        claims.count_seeds("ends higher", ~holds, at_least=2)


def test_count_seeds_bad_holds():
    claims = Claims("page")
    with pytest.raises(TypeError, match="holds must be an array of booleans"):
        claims.count_seeds("x", np.array([1, 0, 1]))
    with pytest.raises(ValueError, match="one-dimensional"):
        claims.count_seeds("x", np.ones((2, 2), dtype=bool))
    assert claims.verdicts == []

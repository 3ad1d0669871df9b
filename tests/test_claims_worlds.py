"""Claims counted in several worlds: keys, printed lines, the JSON record and the table."""

import json

import numpy as np
import pytest

from optimlab import Claims


def test_world_is_recorded_printed_and_keyed(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OPTIMLAB_CLAIMS_DIR", str(tmp_path))
    claims = Claims("page")
    claims.seeds("ends above the yardstick", np.arange(50) < 45, "most", world="raw",
                 median=0.4)  # fmt: skip
    claims.seeds("ends above the yardstick", np.zeros(50, bool), "no", world="standardized")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "✓ [raw] ends above the yardstick in most seeds (45 of 50; 95% interval 79% to 96%)",
        "✓ [standardized] ends above the yardstick in no seed (0 of 50; 95% interval 0% to 7%)",
    ]
    record = json.loads((tmp_path / "page.json").read_text(encoding="utf-8"))
    keys = [v["key"] for v in record["verdicts"]]
    assert keys == ["raw: ends above the yardstick", "standardized: ends above the yardstick"]
    assert record["verdicts"][0]["data"] == {"world": "raw", "median": 0.4}
    assert [v["word"] for v in record["verdicts"]] == ["most", "no"]
    # An explicit key is kept as given.
    claims.seeds("other", np.array([True, False]), "varies", world="raw", key="mine")
    assert claims.verdicts[-1].key == "mine"


def test_a_failed_claim_in_one_world_is_shown_and_the_other_worlds_go_on(capsys):
    claims = Claims("page")
    claims.seeds("ends lower", np.arange(10) < 2, "most", world="raw")
    claims.seeds("ends lower", np.ones(10, bool), "every", world="standardized")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("✗ [raw] ends lower in most seeds (2 of 10; 95% interval 6% to 51%")
    assert lines[0].endswith("'most' needs at least 60%)")
    assert lines[1].startswith("✓ [standardized] ends lower in every seed (10 of 10;")
    assert [v.key for v in claims.failed] == ["raw: ends lower"]


def test_table_rows_columns_cells_and_wrapping():
    claims = Claims("page")
    long = "a statement long enough that it has to be wrapped"
    claims.seeds(long, np.arange(50) < 45, "most", world="raw")
    claims.check("not per world", True)  # left out of the table
    claims.seeds("short", np.ones(10, bool), "every", world="standardized")
    claims.seeds("short", np.arange(10) < 2, "most", world="raw")  # false: shown, not raised
    claims.seeds("shown", np.arange(50) < 20, "varies", world="standardized")
    lines = claims.table(width=30).splitlines()
    header = lines[0].split()
    assert header == ["observation", "raw", "standardized"]
    raw_at, std_at = lines[0].index("raw"), lines[0].index("standardized")
    # Row 1: the long statement wrapped, its cells on its first line, "-" where not counted.
    assert lines[1][:30].strip() == "a statement long enough that"
    assert lines[1][raw_at:].split()[:2] == ["45/50", "✓"]
    assert lines[1][std_at:].strip() == "-"
    assert lines[2] == "it has to be wrapped"  # the continuation has no cells
    assert len(lines[2]) <= 30
    short = next(line for line in lines if line.startswith("short"))
    assert short[raw_at:].split()[:2] == ["2/10", "✗"]  # the failed claim shows as such
    assert short[std_at:].strip() == "10/10 ✓"
    shown = next(line for line in lines if line.startswith("shown"))
    assert shown[raw_at:].split() == ["-", "20/50", "~"]
    assert shown[std_at:].strip() == "20/50 ~"
    assert all(line == line.rstrip() for line in lines)
    assert len(lines) == 1 + 2 + 1 + 1


def test_table_cell_of_a_check_with_a_world():
    claims = Claims("page")
    claims.check("positive", True, world="raw")
    claims.check("negative", False, world="raw")
    assert claims.table().splitlines()[1:] == [
        "positive".ljust(42) + "✓",
        "negative".ljust(42) + "✗",
    ]


def test_table_bad_width():
    with pytest.raises(TypeError, match="width"):
        Claims("page").table(width="wide")
    with pytest.raises(ValueError, match="width"):
        Claims("page").table(width=0)


def test_seeds_counts_the_true_seeds(capsys):
    claims = Claims("page")
    holds = np.array([True, False, True, True])
    claims.seeds("ends lower", holds, "varies", world="raw", key="k", evidence="by hand")
    verdict = claims.verdicts[-1]
    assert (verdict.count, verdict.total, verdict.key) == (3, 4, "k")
    assert verdict.evidence == "by hand"
    assert verdict.data == {"world": "raw"}
    assert capsys.readouterr().out.strip() == (
        "~ [raw] ends lower: varies with the seeds (3 of 4; 95% interval 30% to 95%; by hand)"
    )
    claims.seeds("ends higher", ~holds, "most")  # 1 of 4: false, and not raised
    assert claims.verdicts[-1].holds is False
    assert capsys.readouterr().out.startswith("✗ ends higher in most seeds (1 of 4;")


def test_seeds_bad_holds():
    claims = Claims("page")
    with pytest.raises(TypeError, match="holds must be an array of booleans"):
        claims.seeds("x", np.array([1, 0, 1]), "most")
    with pytest.raises(ValueError, match="one-dimensional"):
        claims.seeds("x", np.ones((2, 2), dtype=bool), "most")
    with pytest.raises(ValueError, match="word must be one of"):
        claims.seeds("x", np.ones(3, dtype=bool), "all")
    assert claims.verdicts == []

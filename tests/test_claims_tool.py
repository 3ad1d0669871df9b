"""tools/claims.py: failed claims of one build's records, and the table of variants.

The records are written by :class:`optimlab.Claims`, as the gallery pages write them. The
``variants`` subcommand itself (every page under every variant) is too slow for the
tests; its table is checked on records of two made-up variants.
"""

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import optimlab

TOOL = Path(__file__).resolve().parents[1] / "tools" / "claims.py"


def _load_tool():
    spec = importlib.util.spec_from_file_location("optimlab_claims_tool", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


def _write(folder: Path, monkeypatch, pages: dict) -> Path:
    """Record each page's claims into ``folder``: ``pages`` maps a page to a function."""
    monkeypatch.setenv("OPTIMLAB_CLAIMS_DIR", str(folder))
    for page, claim in pages.items():
        claim(optimlab.Claims(page))
    monkeypatch.delenv("OPTIMLAB_CLAIMS_DIR")
    return folder


def _holding(claims):
    claims.seeds("ends lower", np.arange(50) < 45, "most", key="lower")
    claims.check("is positive", True, key="positive")
    claims.seeds("ends first", np.arange(50) < 20, "varies", key="first")


def _failing(claims):
    claims.seeds("ends lower", np.ones(10, bool), "nearly every", key="lower", world="raw")
    claims.check("two is less than one", False, key="less")
    claims.seeds("ends higher", np.ones(10, bool), "every", key="higher")


@pytest.fixture
def holding(tmp_path, monkeypatch, capsys):
    folder = _write(tmp_path / "holding", monkeypatch, {"alpha": _holding})
    capsys.readouterr()
    return folder


@pytest.fixture
def failing(tmp_path, monkeypatch, capsys):
    folder = _write(tmp_path / "failing", monkeypatch, {"alpha": _holding, "beta": _failing})
    capsys.readouterr()
    return folder


def test_read_records(failing):
    records = tool.read_records(failing)
    assert list(records) == ["alpha", "beta"]
    assert [v["key"] for v in records["beta"]["verdicts"]] == ["lower", "less", "higher"]


def test_failed_lists_each_failed_claim(failing, holding):
    assert tool.failed(tool.read_records(holding)) == []
    assert tool.failed(tool.read_records(failing)) == [
        "beta [raw]: ends lower ('nearly every': 10 of 10 seeds)",
        "beta: two is less than one",
    ]


def test_check_records_fails_on_a_failed_claim(failing, capsys):
    assert tool.check_records(failing, report=False) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "✗ 2 of 6 claims failed on 2 pages:",
        "  ✗ beta [raw]: ends lower ('nearly every': 10 of 10 seeds)",
        "  ✗ beta: two is less than one",
    ]
    assert tool.check_records(failing, report=True) == 0
    out = capsys.readouterr().out
    assert "✗ 2 of 6 claims failed on 2 pages:" in out
    assert "The site shows them" in out


def test_check_records_passes_when_every_claim_holds(holding, capsys):
    assert tool.check_records(holding, report=False) == 0
    assert capsys.readouterr().out == "✓ all 3 claims of 1 pages hold\n"
    assert tool.main(["records", str(holding)]) == 0


def test_check_records_without_records(tmp_path, capsys):
    assert tool.check_records(tmp_path / "absent", report=False) == 1
    assert "no claims were recorded" in capsys.readouterr().out
    assert tool.check_records(tmp_path / "absent", report=True) == 0


def test_records_subcommand_exit_codes_and_no_optimlab(failing, holding):
    """As the test command runs it; reading records imports no optimlab."""
    code = textwrap.dedent(f"""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("tool", {str(TOOL)!r})
        tool = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(tool)
        codes = [tool.main(["records", folder, *extra]) for folder, extra in (
            ({str(failing)!r}, []), ({str(failing)!r}, ["--report"]), ({str(holding)!r}, []))]
        assert "optimlab" not in sys.modules, "reading records imported optimlab"
        print(codes)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          encoding="utf-8", timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[1, 0, 0]"
    script = subprocess.run([sys.executable, str(TOOL), "records", str(failing)],
                            capture_output=True, timeout=120, check=False)  # fmt: skip
    assert script.returncode == 1


# -- The table of variants -----------------------------------------------------------------

LONG = "a statement long enough that the table has to wrap it over two lines at least"


def _as_is(claims):
    claims.seeds("ends lower", np.arange(50) < 45, "most", key="steady", world="raw")
    claims.seeds("ends higher", np.arange(50) < 45, "most", key="flips")
    claims.check("is positive", True, key="gone")
    claims.seeds("ends first", np.arange(50) < 20, "varies", key="shown")
    claims.seeds(LONG, np.ones(50, bool), "every", key="long")


def _shifted(claims):
    claims.seeds("ends lower", np.arange(50) < 46, "most", key="steady", world="raw")
    claims.seeds("ends higher", np.arange(50) < 30, "most", key="flips")  # 30 of 50: not most
    claims.seeds("ends first", np.arange(50) < 25, "varies", key="shown")
    claims.seeds(LONG, np.ones(50, bool), "every", key="long")


def _other_as_is(claims):
    claims.check("holds", True, key="both")


def _other_shifted(claims):
    claims.check("holds", True, key="both")
    claims.check("only here", True, key="new")


@pytest.fixture
def variants(tmp_path, monkeypatch, capsys):
    first = _write(tmp_path / "as is", monkeypatch, {"one": _as_is, "two": _other_as_is})
    second = _write(tmp_path / "seeds", monkeypatch, {"one": _shifted, "two": _other_shifted})
    capsys.readouterr()
    return {"as is": tool.read_records(first), "seeds 1000+": tool.read_records(second)}


def test_table_rows(variants):
    rows = tool.table_rows(variants)
    assert [(row["page"], row["key"]) for row in rows] == [
        ("one", "steady"), ("one", "flips"), ("one", "gone"), ("one", "shown"), ("one", "long"),
        ("two", "both"), ("two", "new"),
    ]  # fmt: skip
    by_key = {row["key"]: row for row in rows}
    assert by_key["steady"]["statement"] == "ends lower [raw] (most)"
    assert by_key["steady"]["cells"] == [
        {"text": "45/50 ✓", "holds": True},
        {"text": "46/50 ✓", "holds": True},
    ]
    # The claim that fails in one variant.
    assert by_key["flips"]["cells"] == [
        {"text": "45/50 ✓", "holds": True},
        {"text": "30/50 ✗", "holds": False},
    ]
    # A claim missing in one variant: holds None there, in either order.
    assert by_key["gone"]["statement"] == "is positive"
    assert by_key["gone"]["cells"] == [{"text": "✓", "holds": True},
                                       {"text": "missing", "holds": None}]  # fmt: skip
    assert by_key["new"]["cells"] == [{"text": "missing", "holds": None},
                                      {"text": "✓", "holds": True}]  # fmt: skip
    # A count only shown: not stated, never failing.
    assert by_key["shown"]["stated"] is False
    assert by_key["shown"]["statement"] == "ends first"
    assert [cell["text"] for cell in by_key["shown"]["cells"]] == ["20/50 ~", "25/50 ~"]
    assert all(row["stated"] for row in rows if row["key"] != "shown")
    # What check_variants makes of them.
    failing = [row for row in rows if any(cell["holds"] is False for cell in row["cells"])]
    failures = [row["key"] for row in failing if row["stated"]]
    missing = [row["key"] for row in rows if any(cell["holds"] is None for cell in row["cells"])]
    assert failures == ["flips"]
    assert missing == ["gone", "new"]


def test_render(variants):
    rows = tool.table_rows(variants)
    names = list(variants)
    stated = [row for row in rows if row["stated"]]
    lines = tool.render(stated, "Stated claims", names).splitlines()
    assert lines[0] == "Stated claims (6)"
    assert lines[1] == " " * 62 + "as is".ljust(11) + "seeds 1000+"
    assert lines[2] == "one:"
    assert lines[3] == "  ends lower [raw] (most)".ljust(62) + "45/50 ✓".ljust(11) + "46/50 ✓"
    assert lines[4] == "  ends higher (most)".ljust(62) + "45/50 ✓".ljust(11) + "30/50 ✗"
    assert lines[5] == "  is positive".ljust(62) + "✓".ljust(11) + "missing"
    # The long statement wraps; its cells stay on its first line.
    first, rest = lines[6], lines[7:-3]
    assert first.endswith("50/50 ✓".ljust(11) + "50/50 ✓") and first[62:63] == "5"
    assert rest and all(line.startswith("    ") and len(line) <= 62 for line in rest)
    assert " ".join(part.strip() for part in [first[:62], *rest]) == f"{LONG} (every)"
    assert lines[-3:] == [
        "two:",
        "  holds".ljust(62) + "✓".ljust(11) + "✓",
        "  only here".ljust(62) + "missing".ljust(11) + "✓",
    ]
    assert all(line == line.rstrip() for line in lines)
    shown = tool.render([row for row in rows if not row["stated"]], "Shown", names)
    assert shown.splitlines() == [
        "Shown (1)",
        " " * 62 + "as is".ljust(11) + "seeds 1000+",
        "one:",
        "  ends first".ljust(62) + "20/50 ~".ljust(11) + "25/50 ~",
    ]
    assert tool.render([], "Nothing", names).splitlines()[0] == "Nothing (0)"


def test_variants_are_the_documented_five():
    assert tool.VARIANTS == {
        "as is": {},
        "ATen default": {"ATEN_CPU_CAPABILITY": "default"},
        "MKL compatible": {"MKL_CBWR": "COMPATIBLE"},
        "seeds 1000+": {"OPTIMLAB_SEED_OFFSET": "1000"},
        "seeds 2000+": {"OPTIMLAB_SEED_OFFSET": "2000"},
    }

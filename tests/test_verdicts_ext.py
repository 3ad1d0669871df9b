"""The site's verdicts extension (docs/_ext): records written by optimlab.Claims, rendered.

The records are written by :class:`optimlab.Claims` itself, the producer the site uses, and
the rendered text is compared with what the records hold. The last tests build a tiny
Sphinx project in a temporary folder (skipped where Sphinx or MyST is not installed).
"""

import io
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import optimlab

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))
import verdict_records as vr


@pytest.fixture
def records(tmp_path, monkeypatch):
    """A folder with the records of two pages, as the gallery writes them."""
    monkeypatch.setenv("OPTIMLAB_CLAIMS_DIR", str(tmp_path))
    claims = optimlab.Claims("input_scale")
    claims.count("raw ends above the mean", 8, 10, at_least=7, key="raw_worse",
                 evidence="median 0.41 vs 0.30", median_final=0.41234, world="raw")  # fmt: skip
    claims.check("the yardstick is positive", True, key="positive", median_ratio=1.36842)
    optimlab.Claims("beta2").count("`beta2 = 0.99` jumps more", 9, 10, key="jumps")
    return tmp_path


def test_parse_reference():
    expected = vr.Reference("input_scale", "raw_worse")
    assert vr.parse_reference(" input_scale:raw_worse ") == expected
    # A verdict's key may hold colons (the statement is the key when none is given).
    assert vr.parse_reference("p:a: b").key == "a: b"
    assert vr.parse_reference("p:k:median_final", with_data=True) == vr.Reference(
        "p", "k", "median_final", ""
    )
    assert vr.parse_reference("p:k:ratio:.2f", with_data=True).spec == ".2f"


@pytest.mark.parametrize(
    ("text", "with_data", "match"),
    [
        ("input_scale", False, "not of the form page:key"),
        ("input_scale:", False, "a part is empty"),
        ("in put:key", False, "must be a plain name"),
        ("p:k", True, r"not of the form page:key:name\[:format\]"),
        ("p:k:n:.2f:x", True, "not of the form"),
        ("p::n", True, "a part is empty"),
        ("p:k:n:.2q", True, "format '.2q' does not apply"),
    ],
)
def test_parse_reference_rejects(text, with_data, match):
    with pytest.raises(ValueError, match=match):
        vr.parse_reference(text, with_data=with_data)


def test_load_record_reads_what_claims_wrote(records):
    record = vr.load_record(records, "input_scale")
    assert record["page"] == "input_scale"
    assert [v["key"] for v in record["verdicts"]] == ["raw_worse", "positive"]
    verdict = vr.find_verdict(record, "raw_worse")
    assert (verdict["count"], verdict["total"], verdict["holds"]) == (8, 10, True)
    assert verdict["data"] == {"median_final": 0.41234, "world": "raw"}
    assert vr.find_verdict(record, "absent") is None
    assert vr.load_record(records, "learning_rate") is None  # not recorded: no record


def test_load_record_rejects_what_is_not_a_record(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        vr.load_record(tmp_path, "bad")
    (tmp_path / "other.json").write_text(json.dumps({"page": "else", "verdicts": []}))
    with pytest.raises(ValueError, match="records page 'else', not 'other'"):
        vr.load_record(tmp_path, "other")
    (tmp_path / "lacking.json").write_text(
        json.dumps({"page": "lacking", "verdicts": [{"key": "k", "statement": "s"}]})
    )
    with pytest.raises(ValueError, match="verdict 'k' lacks"):
        vr.load_record(tmp_path, "lacking")


def test_words_of_a_verdict(records):
    record = vr.load_record(records, "input_scale")
    counted, checked = record["verdicts"]
    assert vr.verdict_phrase(counted) == "in 8 of 10 seeds"
    assert vr.seeds_text(counted) == "8 of 10 seeds (claimed: at least 7)"
    assert vr.seeds_text(checked) == "✓"
    unbounded = vr.load_record(records, "beta2")["verdicts"][0]
    assert vr.seeds_text(unbounded) == "9 of 10 seeds"


def test_select_verdicts(records):
    record = vr.load_record(records, "input_scale")
    assert [v["key"] for v in vr.select_verdicts(record, None)] == ["raw_worse", "positive"]
    assert [v["key"] for v in vr.select_verdicts(record, ["positive"])] == ["positive"]
    with pytest.raises(KeyError, match="recorded no verdict nope"):
        vr.select_verdicts(record, ["positive", "nope"])


def test_format_value():
    assert vr.format_value(0.41234, ".3f") == "0.412"
    assert vr.format_value(1.36842, ".0%") == "137%"
    assert vr.format_value(0.41234) == "0.412"  # three significant digits by default
    assert vr.format_value(1234.5) == "1.23e+03"
    assert vr.format_value(7) == "7"
    assert vr.format_value([0.5, 0.25], ".2f") == "0.50, 0.25"
    assert vr.format_value("inf") == "∞"  # Claims stores non-finite numbers as strings
    assert vr.format_value("nan", ".2f") == "nan"
    with pytest.raises(ValueError, match=r"format '\.2f' does not apply to 'raw'"):
        vr.format_value("raw", ".2f")


def test_table_has_a_world_column_only_when_a_verdict_has_a_world(records):
    with_world = vr.load_record(records, "input_scale")["verdicts"]
    assert vr.table_columns(with_world) == ["Claim", "World", "Seeds", "Evidence"]
    assert vr.table_rows(with_world) == [
        ["raw ends above the mean", "raw", "8 of 10 seeds (claimed: at least 7)",
         "median 0.41 vs 0.30"],
        ["the yardstick is positive", "", "✓", ""],
    ]  # fmt: skip
    without = vr.load_record(records, "beta2")["verdicts"]
    assert vr.table_columns(without) == ["Claim", "Seeds", "Evidence"]
    assert vr.table_rows(without) == [["`beta2 = 0.99` jumps more", "9 of 10 seeds", ""]]


# -- A tiny Sphinx project ------------------------------------------------------------------

PAGE = """# Summary

Raw inputs end worse {verdict}`input_scale:raw_worse`, at
{verdict-data}`input_scale:raw_worse:median_final:.2f`.

```{verdicts} beta2
```
"""


def _build(tmp_path, folder, computed, page=PAGE):
    """Build the tiny project; return its index.html and the warnings."""
    sphinx_application = pytest.importorskip("sphinx.application")
    sphinx_docutils = pytest.importorskip("sphinx.util.docutils")
    pytest.importorskip("myst_parser")
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(Path(vr.__file__).parent)!r})\n"
        "extensions = ['myst_parser', 'verdicts']\n"
        f"verdicts_dir = {str(folder)!r}\nverdicts_computed = {computed!r}\n"
    )
    (src / "index.md").write_text(page)
    warnings = io.StringIO()
    # Each build registers its nodes and roles afresh, as a separate sphinx-build would.
    with sphinx_docutils.docutils_namespace():
        app = sphinx_application.Sphinx(
            str(src), str(src), str(tmp_path / "out"), str(tmp_path / "doctrees"), "html",
            status=None, warning=warnings, freshenv=True,
        )  # fmt: skip
        app.build()
    return (tmp_path / "out" / "index.html").read_text(), warnings.getvalue()


def test_sphinx_renders_the_records(tmp_path, records):
    html, warnings = _build(tmp_path, records, True)
    assert warnings == ""
    assert '<span class="verdict">in 8 of 10 seeds</span>' in html
    assert '<span class="verdict">0.41</span>' in html
    assert '<table class="verdicts' in html
    assert "<code" in html and "jumps more" in html and "9 of 10 seeds" in html
    assert "not computed in this build" not in html


def test_sphinx_without_gallery_run_shows_a_note_and_stays_quiet(tmp_path):
    html, warnings = _build(tmp_path, tmp_path / "no-records", False)
    assert warnings == ""
    assert html.count("[not computed in this build]") == 2
    assert "The verdicts of page \N{LEFT SINGLE QUOTATION MARK}beta2" in html  # smart quotes
    assert "beta2\N{RIGHT SINGLE QUOTATION MARK}: not computed in this build." in html


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("{verdict}`learning_rate:lr1`", "recorded no verdicts for page 'learning_rate'"),
        ("{verdict}`input_scale:nope`", "page 'input_scale' recorded no verdict 'nope'"),
        ("{verdict-data}`input_scale:raw_worse:nope`", "has no number 'nope'"),
        ("{verdict}`falsy:false_one`", "'false_one' of page 'falsy' is recorded as false"),
    ],
)  # fmt: skip
def test_sphinx_warns_where_the_gallery_ran_but_records_disagree(
    tmp_path, records, reference, message
):
    with pytest.raises(optimlab.ClaimError):  # recorded, then raised: the gallery would fail
        optimlab.Claims("falsy").count("false", 1, 10, at_least=7, key="false_one")
    _, warnings = _build(tmp_path, records, True, page=f"# Summary\n\n{reference}\n")
    assert message in warnings
    assert "WARNING" in warnings


@pytest.mark.parametrize(
    ("computed", "plot_gallery", "stale", "state"),
    [
        (None, True, [], "ran"),  # every example ran: a missing record is an error
        (None, True, ["plot_03_learning_rate.py"], "partial"),  # up to date, not re-run
        (None, False, [], "off"),  # -D plot_gallery=0
        (None, "0", [], "off"),  # the option as typed, before sphinx-gallery reads it
        (True, False, [], "ran"),  # told so in conf.py or with -D
        ("0", True, [], "off"),
    ],
)
def test_gallery_state(computed, plot_gallery, stale, state):
    pytest.importorskip("sphinx")
    import verdicts

    config = SimpleNamespace(
        verdicts_computed=computed,
        sphinx_gallery_conf={"plot_gallery": plot_gallery, "stale_examples": stale},
    )
    assert verdicts.gallery_state(config) == state
    assert verdicts.gallery_state(SimpleNamespace(verdicts_computed=None)) == "off"

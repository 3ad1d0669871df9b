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

import numpy as np
import pytest

import optimlab

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))
import verdict_records as vr


@pytest.fixture
def records(tmp_path, monkeypatch):
    """A folder with the records of three pages, as the gallery writes them.

    ``falsy`` records two claims that do not hold: printed with ✗, recorded, not raised.
    """
    monkeypatch.setenv("OPTIMLAB_CLAIMS_DIR", str(tmp_path))
    claims = optimlab.Claims("input_scale")
    claims.seeds("raw ends above the mean", np.arange(50) < 45, "most", key="raw_worse",
                 evidence="median 0.41 vs 0.30", median_final=0.41234, world="raw")  # fmt: skip
    claims.check("the yardstick is positive", True, key="positive", median_ratio=1.36842)
    beta2 = optimlab.Claims("beta2")
    beta2.seeds("`beta2 = 0.99` jumps more", np.arange(50) < 20, "varies", key="jumps")
    falsy = optimlab.Claims("falsy")
    falsy.seeds("ends lower", np.ones(10, bool), "nearly every", key="false_one")
    falsy.check("two is less than one", False, key="contradicted", evidence="2 vs 1")
    assert [v.key for v in falsy.failed] == ["false_one", "contradicted"]
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
    assert (verdict["count"], verdict["total"], verdict["holds"]) == (45, 50, True)
    assert verdict["word"] == "most"
    assert verdict["interval"] == pytest.approx(list(optimlab.claims.wilson_interval(45, 50)))
    assert "rule" not in verdict
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
    assert vr.verdict_phrase(counted) == "in most seeds (45 of 50)"
    assert vr.seeds_text(counted) == "✓ most seeds: 45 of 50"
    assert vr.seeds_text(checked) == "✓"
    assert vr.verdict_phrase(checked) == "✓ (checked)"
    assert (vr.mark(counted), vr.mark(checked)) == ("✓", "✓")
    varies = vr.load_record(records, "beta2")["verdicts"][0]
    assert vr.VARIES == optimlab.claims.VARIES == varies["word"]
    assert vr.mark(varies) == "~"
    assert vr.seeds_text(varies) == "~ varies with the seeds: 20 of 50"
    assert vr.verdict_phrase(varies) == "in 20 of 50 seeds (it varies with the seeds)"


def test_words_of_a_false_verdict(records):
    false_one, contradicted = vr.load_record(records, "falsy")["verdicts"]
    assert (false_one["holds"], contradicted["holds"]) == (False, False)
    assert (vr.mark(false_one), vr.mark(contradicted)) == ("✗", "✗")
    assert vr.seeds_text(false_one) == (
        "✗ nearly every seed: 10 of 10 ('nearly every' needs at least 80%)"
    )
    assert vr.verdict_phrase(false_one) == (
        "✗ in nearly every seed (10 of 10), which does not bear the claim out"
    )
    assert vr.seeds_text(contradicted) == "✗"
    assert vr.verdict_phrase(contradicted) == "✗ (contradicted)"


@pytest.mark.parametrize(
    ("word", "count", "text"),
    [
        ("every", 10, "✓ every seed: 10 of 10"),
        ("no", 0, "✓ no seed: 0 of 10"),
        ("about half", 5, "✗ about half the seeds: 5 of 10 ('about half' needs 25% to 75%)"),
        ("a minority of", 0, "✓ a minority of seeds: 0 of 10"),
        ("few", 0, "✗ few seeds: 0 of 10 ('few' needs at most 20%)"),
        ("every", 9, "✗ every seed: 9 of 10 ('every' needs all of them)"),
    ],
)
def test_seeds_text_of_each_word(tmp_path, monkeypatch, word, count, text):
    monkeypatch.setenv("OPTIMLAB_CLAIMS_DIR", str(tmp_path))
    optimlab.Claims("words").seeds("s", np.arange(10) < count, word, key="k")
    (verdict,) = vr.load_record(tmp_path, "words")["verdicts"]
    assert vr.seeds_text(verdict) == text


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
        ["raw ends above the mean", "raw", "✓ most seeds: 45 of 50", "median 0.41 vs 0.30"],
        ["the yardstick is positive", "", "✓", ""],
    ]
    without = vr.load_record(records, "beta2")["verdicts"]
    assert vr.table_columns(without) == ["Claim", "Seeds", "Evidence"]
    assert vr.table_rows(without) == [
        ["`beta2 = 0.99` jumps more", "~ varies with the seeds: 20 of 50", ""]
    ]
    falsy = vr.load_record(records, "falsy")["verdicts"]
    assert [row[1] for row in vr.table_rows(falsy)] == [
        "✗ nearly every seed: 10 of 10 ('nearly every' needs at least 80%)",
        "✗",
    ]


# -- A tiny Sphinx project ------------------------------------------------------------------

PAGE = """# Summary

Raw inputs end worse {verdict}`input_scale:raw_worse`, at
{verdict-data}`input_scale:raw_worse:median_final:.2f`.

```{verdicts} beta2
```
"""


def _build(tmp_path, folder, computed, page=PAGE, warningiserror=False):
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
            status=None, warning=warnings, freshenv=True, warningiserror=warningiserror,
        )  # fmt: skip
        app.build()
        assert app.statuscode == 0
    return (tmp_path / "out" / "index.html").read_text(), warnings.getvalue()


def test_sphinx_renders_the_records(tmp_path, records):
    html, warnings = _build(tmp_path, records, True)
    assert warnings == ""
    assert '<span class="verdict">in most seeds (45 of 50)</span>' in html
    assert '<span class="verdict">0.41</span>' in html
    assert '<table class="verdicts' in html
    assert "<code" in html and "jumps more" in html
    assert "~ varies with the seeds: 20 of 50" in html
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
    ],
)  # fmt: skip
def test_sphinx_warns_where_the_gallery_ran_but_records_disagree(
    tmp_path, records, reference, message
):
    _, warnings = _build(tmp_path, records, True, page=f"# Summary\n\n{reference}\n")
    assert message in warnings
    assert "WARNING" in warnings


FALSE_PAGE = """# Summary

It ends lower {verdict}`falsy:false_one`; two is less than one
{verdict}`falsy:contradicted`.

```{verdicts} falsy
```
"""


def test_sphinx_shows_a_false_verdict_with_a_cross_and_does_not_warn(tmp_path, records):
    # With warnings as errors: a false verdict neither warns nor fails the build.
    html, warnings = _build(tmp_path, records, True, page=FALSE_PAGE, warningiserror=True)
    assert warnings == ""
    phrase = "✗ in nearly every seed (10 of 10), which does not bear the claim out"
    assert f'<span class="verdict">{phrase}</span>' in html
    assert '<span class="verdict">✗ (contradicted)</span>' in html
    assert '<table class="verdicts' in html
    assert "✗ nearly every seed: 10 of 10" in html  # the table's cell (quotes made smart)
    assert "needs at least 80%" in html
    assert "not computed in this build" not in html


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

"""Fuzzing: generated briefs in, only two outcomes allowed out: a built brief, or errors that
each name a file, a line and a column. Anything else (a traceback, a message without a place,
an output that lost the title) fails.

Besides briefs and raw bytes, the fuzzer writes Markdown (entities, control characters, deep
quotes and lists, tables in notes, hostile links and images), CSL items (inline `references`
cited from the text) and series folders (`series.yaml` files merged under briefs).

The CI run is short; `pytest -m slow tests/test_fuzz.py` runs the long one (5,000 examples per
test). Examples that once failed are kept in tests/fuzz-db and replayed first.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase, ReadOnlyDatabase

from briefkit.core.diagnostics import BriefInvalid
from briefkit.builder.pipeline import prepare
from briefkit.render import render

DATABASE = DirectoryBasedExampleDatabase(str(Path(__file__).parent / "fuzz-db"))
# The quick run replays the committed examples but never rewrites them (Hypothesis prunes and
# adds entries as it goes, which would dirty the tree); the long run keeps what it finds.
QUICK = settings(max_examples=25, deadline=None, database=ReadOnlyDatabase(DATABASE),
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
LONG = settings(QUICK, max_examples=5000, database=DATABASE)

text = st.one_of(st.text(max_size=60), st.text(min_size=2000, max_size=20000),
                 st.sampled_from(["", " ", "<script>x</script>", "[@nokey]", "^[note]",
                                  "[#nowhere]", "::: box", "![x](missing.png)", "@", "---",
                                  "话语权 «Сколково»", "\u202e\u200b", "**", "| a |\n|---|"]))
anything = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                                  text), lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
maybe = lambda strategy: st.one_of(strategy, anything)  # noqa: E731  (mostly right, sometimes not)
date = st.one_of(st.dates().map(lambda d: d.isoformat()), st.sampled_from(["2019-02-30", "29/10/2019", ""]))
section = st.fixed_dictionaries({"title": maybe(text)}, optional={
    "body": maybe(text), "id": maybe(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True))})
brief = st.fixed_dictionaries(
    {"title": maybe(text), "date": maybe(date)},
    optional={
        "layout": st.sampled_from(["report", "reprot", 3]),
        "subtitle": maybe(text), "kicker": maybe(text), "status": maybe(st.sampled_from(["draft", "final"])),
        "authors": maybe(st.lists(st.one_of(text, st.fixed_dictionaries({"name": maybe(text)})), max_size=3)),
        "summary": maybe(st.fixed_dictionaries({}, optional={"problem": maybe(text), "solution": maybe(text)})),
        "key_takeaways": maybe(st.lists(text, max_size=3)),
        "findings": maybe(st.lists(st.fixed_dictionaries({"text": maybe(text)}, optional={
            "id": st.sampled_from(["f1", "f2", "bad id"]), "title": maybe(text)}), max_size=3)),
        "recommendations": maybe(st.lists(st.fixed_dictionaries({"text": maybe(text)}, optional={
            "findings": maybe(st.lists(st.sampled_from(["f1", "f9"]), max_size=2))}), max_size=2)),
        "sections": maybe(st.lists(section, max_size=3)),
        "acronyms": maybe(st.dictionaries(st.text(min_size=1, max_size=6), text, max_size=3)),
        "labels": maybe(st.dictionaries(st.sampled_from(["notes", "problem", "nope"]), text, max_size=2)),
        "notes": maybe(st.sampled_from(["footnotes", "endnotes"])),
        "output": maybe(st.fixed_dictionaries({}, optional={
            "paper": maybe(st.sampled_from(["A4", "Letter"])), "toc": maybe(st.booleans())})),
        "theme": maybe(st.fixed_dictionaries({}, optional={"colors": maybe(st.fixed_dictionaries(
            {}, optional={"primary": maybe(st.sampled_from(["#123456", "red", "red;}"]))}))})),
        "unknown_key": anything,
    })


def check(path: Path, formats=("html", "docx")) -> None:
    try:
        prepared = prepare(path)
    except BriefInvalid as exc:
        assert exc.diagnostics.errors, "BriefInvalid without an error"
        for diagnostic in exc.diagnostics.errors:
            assert diagnostic.location.file, str(diagnostic)
            assert diagnostic.location.line >= 1 or "MiB" in diagnostic.message, str(diagnostic)
            assert diagnostic.message
        return
    for fmt in formats:
        try:
            payload = render(prepared, fmt)
        except BriefInvalid as exc:  # e.g. an image that is not an image
            assert all(str(d) for d in exc.diagnostics.errors)
            continue
        assert payload, fmt


def run_brief(data: dict) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "brief.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        check(path)


def run_raw(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "brief.yaml"
        path.write_bytes(raw)
        check(path)


# ---- Markdown ---------------------------------------------------------------------------------

# Deeper than the prose nesting budget (64 levels): a located error, never a crash.
MAX_NESTING = 100
_SNIPPETS = [
    "text", "&#0;", "&#11;", "&#xFFFE;", "&#x1F;", "&#x10FFFF;", "&amp;", "&nbsp;", "&#8203;", "&lt;b&gt;",
    "**bold", "*em*", "`code`", "~~x~~", "^sup^", "> quote", "- item", "1. one", "# Heading",
    "```\ncode\n```", "::: box\nboxed\n:::", "::: pullquote\nq\n:::", "---",
    "| a | b |\n|---|---|\n| 1 | 2 |", "text^[a note]", "text^[note with [link](https://x.org)]",
    "text[^n]\n\n[^n]: | a | b |\n    |---|---|\n    | 1 | 2 |",
    "text[^t]\n\n[^t]:\n    | h |\n    |---|\n    | c |\n\n    > quoted in a note",
    "[proto](//evil.example/x)", "[js](javascript:alert(1))", "[file](file:///etc/passwd)",
    "<https://ok.example>", "![alt](missing.png)", "![](file:///etc/passwd)",
    "![x](http://127.0.0.1:9/x.png)", "[@nokey]", "[#nowhere]", "<script>x</script>",
    "\\", "$x^2$", "[^dangling]", "Term\n: definition", "| only | header |",
]


@st.composite
def markdown(draw):
    """Prose built from pieces that have broken Markdown readers and writers, nested."""
    parts = draw(st.lists(st.sampled_from(_SNIPPETS), min_size=1, max_size=8))
    joiners = draw(st.lists(st.sampled_from(["\n\n", " ", "\n"]), min_size=len(parts),
                            max_size=len(parts)))
    text = "".join(p + j for p, j in zip(parts, joiners))
    depth = draw(st.integers(0, MAX_NESTING))
    nesting = draw(st.sampled_from(["> ", "- ", "  - ", "1. "]))
    if depth:
        text += "\n\n" + nesting * depth + "deep\n"
    return text


markdown_brief = st.fixed_dictionaries({
    "title": st.just("Fuzzed prose"), "date": st.just("2024-01-02"),
    "sections": st.lists(st.fixed_dictionaries({"title": text, "body": markdown()}),
                         min_size=1, max_size=2)},
    optional={"summary": st.fixed_dictionaries({"problem": markdown()}),
              "notes": st.sampled_from(["footnotes", "endnotes"])})


# ---- CSL items --------------------------------------------------------------------------------

# Null values and dates that are not mappings (`issued: 2019`, as Pandoc's YAML allows).
_csl_date = st.one_of(
    st.fixed_dictionaries({"date-parts": st.lists(st.lists(st.integers(-5, 3000), max_size=3),
                                                  max_size=2)}),
    st.sampled_from([{}, None, 2019, "2019-03-15", "circa 1900",
                     [{"year": 2019}], {"literal": "n.d."}, {"raw": "2020-01"}]))
_csl_name = st.one_of(st.fixed_dictionaries({}, optional={"family": text, "given": text,
                                                         "literal": text}),
                      text)
csl_item = st.fixed_dictionaries(
    {"id": st.sampled_from(["a", "b", "a b", "", "@x", "日本"])},
    optional={"type": st.sampled_from(["book", "article-journal", "webpage", "nonsense", 3]),
              "title": st.one_of(text, st.none()), "author": st.one_of(
                  st.lists(_csl_name, max_size=3), st.none()),
              "issued": _csl_date, "URL": st.sampled_from(["https://x.org", "//evil/x",
                                                           "javascript:x", "file:///etc/passwd"]),
              "container-title": text, "page": text, "DOI": text})
csl_brief = st.fixed_dictionaries({
    "title": st.just("Fuzzed references"), "date": st.just("2024-01-02"),
    "references": st.lists(csl_item, max_size=4),
    "sections": st.just([{"title": "S", "body": "Cited [@a] and [@b, p. 3]. Again [@a]."}])})


# ---- series folders ---------------------------------------------------------------------------

series_data = st.fixed_dictionaries({}, optional={
    "layout": st.sampled_from(["report", "summary", "commentary", "nope", 3]),
    "publisher": maybe(st.fixed_dictionaries({}, optional={"name": maybe(text),
                                                           "url": maybe(text)})),
    "series": maybe(st.fixed_dictionaries({}, optional={"name": maybe(text),
                                                        "number": maybe(text)})),
    "labels": maybe(st.dictionaries(st.sampled_from(["notes", "nope"]), text, max_size=2)),
    "date": maybe(date), "title": maybe(text), "authors": maybe(st.lists(text, max_size=2)),
})
series_folder = st.fixed_dictionaries({
    "outer": series_data, "inner": st.one_of(st.none(), series_data),
    "briefs": st.lists(st.one_of(brief, series_data), min_size=1, max_size=2)})


def run_series(folder_data: dict) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".git").mkdir()
        briefs = root / "briefs"
        inner = briefs / "inner"
        inner.mkdir(parents=True)

        def dump(path, data):
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                            encoding="utf-8")

        dump(briefs / "series.yaml", folder_data["outer"])
        if folder_data["inner"] is not None:
            dump(inner / "series.yaml", folder_data["inner"])
        for i, data in enumerate(folder_data["briefs"]):
            path = (inner if i % 2 else briefs) / f"brief-{i}.yaml"
            dump(path, data)
            check(path)


raw = st.one_of(st.binary(max_size=300),
                st.text(max_size=300).map(lambda t: t.encode("utf-8")),
                st.lists(st.sampled_from(["title: x\n", "date: 2020-01-01\n", "\t", "  - ", ": ",
                                          "'", '"', "&a ", "*a\n", "!!python/name:os.system ",
                                          "sections:\n", "  - title: t\n    body: |\n      x\n",
                                          "\ufeff", "\r\n", "<<: *a\n", "{", "]"]),
                         max_size=15).map(lambda parts: "".join(parts).encode("utf-8")))


@QUICK
@given(brief)
def test_generated_briefs_build_or_fail_with_located_errors(data):
    run_brief(data)


@QUICK
@given(raw)
def test_arbitrary_files_load_or_fail_with_located_errors(data):
    run_raw(data)


@QUICK
@given(markdown_brief)
def test_generated_markdown_builds_or_fails_with_located_errors(data):
    run_brief(data)


@QUICK
@given(csl_brief)
def test_generated_csl_items_build_or_fail_with_located_errors(data):
    run_brief(data)


@QUICK
@given(series_folder)
def test_generated_series_folders_build_or_fail_with_located_errors(data):
    run_series(data)


@pytest.mark.slow
@LONG
@given(st.one_of(markdown_brief, csl_brief))
def test_generated_prose_and_references_long_run(data):
    run_brief(data)


@pytest.mark.slow
@LONG
@given(series_folder)
def test_generated_series_folders_long_run(data):
    run_series(data)


@pytest.mark.slow
@LONG
@given(brief)
def test_generated_briefs_long_run(data):
    run_brief(data)


@pytest.mark.slow
@LONG
@given(raw)
def test_arbitrary_files_long_run(data):
    run_raw(data)


def test_a_valid_generated_brief_keeps_its_title_in_every_output(tmp_path):
    title = "话语权 «Сколково» <b>&amp;</b>"
    path = tmp_path / "brief.yaml"
    path.write_text(yaml.safe_dump({"title": title, "date": "2024-05-06", "sections": [
        {"title": "S", "body": "x" * 30000}]}, allow_unicode=True), encoding="utf-8")
    prepared = prepare(path)
    assert title in render(prepared, "html").decode("utf-8").replace("&lt;", "<").replace(
        "&gt;", ">").replace("&amp;", "&")

"""Series builds: defaults from series.yaml, incremental rebuilds, failures that stay local,
hand-edited outputs that survive, and builds killed midway that leave no partial file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import docx
import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from readers import docx_paragraphs, html_tree

from briefkit.builder.batch import build_all, plan, shard
from briefkit.cli import cli

SERIES = """
    publisher:
      name: Series Institute
      program: Policy Lab
    series:
      name: Series Briefs
    copyright: © Series Institute
    output:
      formats: [docx, html]
"""


def brief(title: str, extra: str = "") -> str:
    return textwrap.dedent(f"""
        title: {title}
        date: 2023-04-05
        authors: [Ann Author]
        sections:
          - title: Section of {title}
            body: Text of {title}.^[A note for {title}.]
    """).lstrip() + textwrap.dedent(extra)


@pytest.fixture
def series(tmp_path):
    root = tmp_path / "project"
    (root / "briefs" / "energy").mkdir(parents=True)
    (root / "briefs" / "series.yaml").write_text(textwrap.dedent(SERIES).lstrip(), encoding="utf-8")
    (root / "briefs" / "alpha.yaml").write_text(brief("Alpha"), encoding="utf-8")
    (root / "briefs" / "beta.yaml").write_text(brief("Beta", """
        publisher: {program: Beta's own programme}
        output: {formats: [docx, html, pdf]}
    """), encoding="utf-8")
    (root / "briefs" / "energy" / "gamma.yaml").write_text(brief("Gamma"), encoding="utf-8")
    return root


def build(root, *args, jobs=2):
    return build_all([root / "briefs"], root / "out", jobs=jobs, **dict(args))


def outputs(root):
    return {str(p.relative_to(root / "out")): p.stat().st_mtime_ns
            for p in sorted((root / "out").rglob("*")) if p.is_file()}


def test_series_defaults_are_applied_and_overridden(series):
    summary = build(series)
    assert len(summary.having("built")) == 3
    # alpha: the series' publisher and formats; the tree of folders is mirrored.
    alpha = docx.Document(str(series / "out" / "alpha.docx"))
    # (the colophon stands in the report's imprint, a table cell on the cover's verso)
    assert "Series Institute · Policy Lab" in [p.text for p in docx_paragraphs(alpha)]
    assert "© Series Institute" in [p.text for p in docx_paragraphs(alpha)]
    assert not (series / "out" / "alpha.pdf").exists()
    assert (series / "out" / "energy" / "gamma.docx").exists()
    # beta overrides one key of the publisher mapping (the name still comes from the series)
    # and replaces the formats list.
    beta = html_tree(series / "out" / "beta.html")
    publisher = beta.xpath("//p[@class='publisher']")[0].text_content()
    assert "Series Institute" in publisher and "Beta's own programme" in publisher
    assert (series / "out" / "beta.pdf").exists()


def test_series_file_mistake_is_located_in_the_series_file(series):
    (series / "briefs" / "series.yaml").write_text("publisher:\n  nmae: Oops\n", encoding="utf-8")
    summary = build(series)
    assert len(summary.having("failed")) == 3
    assert all("series.yaml:2:3: error: publisher.nmae: unknown key 'nmae'" in o.errors[0]
               for o in summary.outcomes)


def test_noop_rebuild_writes_nothing(series):
    build(series)
    before = outputs(series)
    summary = build(series)
    assert [o.status for o in summary.outcomes] == ["unchanged"] * 3
    assert outputs(series) == before


def test_changing_one_brief_rebuilds_only_that_brief(series):
    build(series)
    before = outputs(series)
    path = series / "briefs" / "beta.yaml"
    path.write_text(path.read_text().replace("Text of Beta.", "New text of Beta."), encoding="utf-8")
    summary = build(series)
    assert {o.job.brief.name: o.status for o in summary.outcomes} == {
        "alpha.yaml": "unchanged", "beta.yaml": "built", "gamma.yaml": "unchanged"}
    after = outputs(series)
    changed = {name for name in after if after[name] != before.get(name)}
    assert {"beta.docx", "beta.html", "beta.pdf"} <= changed
    assert changed - {"beta.docx", "beta.html", "beta.pdf"} <= {".briefkit-cache.json", "index.html"}
    assert "New text of Beta." in (series / "out" / "beta.html").read_text(encoding="utf-8")


def test_changing_the_series_file_rebuilds_the_briefs_under_it(series):
    build(series)
    (series / "briefs" / "energy" / "series.yaml").write_text("copyright: © Energy desk\n",
                                                              encoding="utf-8")
    summary = build(series)
    assert {o.job.brief.name: o.status for o in summary.outcomes} == {
        "alpha.yaml": "unchanged", "beta.yaml": "unchanged", "gamma.yaml": "built"}
    gamma = docx.Document(str(series / "out" / "energy" / "gamma.docx"))
    assert "© Energy desk" in [p.text for p in docx_paragraphs(gamma)]
    (series / "briefs" / "series.yaml").write_text(
        textwrap.dedent(SERIES).replace("Policy Lab", "Policy Unit"), encoding="utf-8")
    assert [o.status for o in build(series).outcomes] == ["built"] * 3


def test_changing_a_template_rebuilds_the_briefs_that_use_it(series):
    # A project layout that extends report: only briefs naming it depend on its files.
    layout = series / "templates" / "house"
    (layout / "css").mkdir(parents=True)
    (layout / "layout.yaml").write_text("extends: report\ndescription: House report\n", encoding="utf-8")
    (layout / "css" / "house.css").write_text("h2 { color: #123456; }\n", encoding="utf-8")
    path = series / "briefs" / "alpha.yaml"
    path.write_text(path.read_text() + "layout: house\n", encoding="utf-8")
    build(series)
    (layout / "css" / "house.css").write_text("h2 { color: #654321; }\n", encoding="utf-8")
    summary = build(series)
    assert {o.job.brief.name: o.status for o in summary.outcomes} == {
        "alpha.yaml": "built", "beta.yaml": "unchanged", "gamma.yaml": "unchanged"}
    assert "#654321" in (series / "out" / "alpha.html").read_text(encoding="utf-8")


def test_a_failing_brief_leaves_the_others_built_and_its_old_outputs_intact(series):
    build(series)
    old = (series / "out" / "beta.docx").read_bytes()
    (series / "briefs" / "beta.yaml").write_text("title: Beta\ndate: 2023-02-30\n", encoding="utf-8")
    (series / "briefs" / "alpha.yaml").write_text(brief("Alpha again"), encoding="utf-8")
    summary = build(series)
    statuses = {o.job.brief.name: o.status for o in summary.outcomes}
    assert statuses == {"alpha.yaml": "built", "beta.yaml": "failed", "gamma.yaml": "unchanged"}
    assert (series / "out" / "beta.docx").read_bytes() == old
    assert "Alpha again" in (series / "out" / "alpha.html").read_text(encoding="utf-8")
    failed = summary.having("failed")[0]
    assert "beta.yaml:2:7" in failed.errors[0] and "not a real date" in failed.errors[0]


def test_hand_edited_docx_survives_a_rebuild(series):
    build(series)
    edited = series / "out" / "alpha.docx"
    document = docx.Document(str(edited))
    document.add_paragraph("An editor's correction.")
    document.save(str(edited))
    path = series / "briefs" / "alpha.yaml"
    path.write_text(path.read_text().replace("Text of Alpha.", "Revised text."), encoding="utf-8")
    summary = build(series)
    alpha = next(o for o in summary.outcomes if o.job.brief.name == "alpha.yaml")
    assert alpha.kept == [edited]
    assert "An editor's correction." in [p.text for p in docx.Document(str(edited)).paragraphs]
    beside = series / "out" / "alpha.new.docx"
    assert "Revised text." in "\n".join(p.text for p in docx.Document(str(beside)).paragraphs)
    # Still protected on the next build, and nothing rebuilt meanwhile.
    assert [o.status for o in build(series).outcomes] == ["unchanged"] * 3
    # --force overwrites it.
    summary = build(series, ("force", True))
    assert "An editor's correction." not in [p.text for p in docx.Document(str(edited)).paragraphs]


def test_corrupt_cache_costs_only_a_rebuild(series):
    build(series)
    (series / "out" / ".briefkit-cache.json").write_text("{not json", encoding="utf-8")
    summary = build(series)
    assert summary.cache_was_corrupt
    assert [o.status for o in summary.outcomes] == ["built"] * 3


def test_index_lists_every_brief_with_links(series):
    build(series)
    index = html_tree(series / "out" / "index.html")
    titles = [a.text_content() for a in index.xpath("//h2/a")]
    assert sorted(titles) == ["Alpha", "Beta", "Gamma"]
    assert "energy/gamma.html" in index.xpath("//a/@href")
    assert "beta.pdf" in index.xpath("//a/@href")


def test_index_dates_and_bylines_each_brief_in_its_language(series):
    """One formatter of dates and name lists (the brief's locale): a French brief of the series
    is listed "5 avril 2023 · Ann Author et Bob Writer", beside the English ones."""
    (series / "briefs" / "alpha.yaml").write_text(brief("Alpha", """
        lang: fr-FR
        authors: [Ann Author, Bob Writer]
    """).replace("authors: [Ann Author]\n", ""), encoding="utf-8")
    build(series)
    index = html_tree(series / "out" / "index.html")
    lines = {li.xpath(".//h2/a")[0].text_content(): (li.get("lang"),
             li.xpath(".//p[@class='dateline']")[0].text_content()) for li in index.xpath("//li")}
    assert lines["Alpha"] == ("fr-FR", "5 avril 2023 · Ann Author et Bob Writer")
    assert lines["Beta"] == ("en", "5 April 2023 · Ann Author")


def test_shards_partition_the_series_stably(series):
    jobs = plan([series / "briefs"], series / "out")
    slices = [shard(jobs, k, 2) for k in (1, 2)]
    assert sorted(j.key for s in slices for j in s) == sorted(j.key for j in jobs)
    assert not set(j.key for j in slices[0]) & set(j.key for j in slices[1])
    # Shard runs build their slice; the final run without --shard finds all current.
    for k in (1, 2):
        build_all([series / "briefs"], series / "out", jobs=1, shard_spec=(k, 2))
    assert not (series / "out" / "index.html").exists()
    final = build(series)
    assert [o.status for o in final.outcomes] == ["unchanged"] * 3
    assert (series / "out" / "index.html").exists()


def test_combined_pdf_has_a_contents_page_and_every_brief(series):
    result = CliRunner().invoke(cli, ["build", str(series / "briefs"), "-o", str(series / "out"),
                                      "--combined"])
    assert result.exit_code == 0, result.output
    reader = PdfReader(str(series / "out" / "combined.pdf"))
    first = reader.pages[0].extract_text()
    assert "Contents" in first and "Alpha" in first and "Gamma" in first
    text = "\n".join(p.extract_text() for p in reader.pages)
    for title in ("Text of Alpha.", "Text of Beta.", "Text of Gamma."):
        assert title in text


def test_cli_summary_and_exit_code(series):
    (series / "briefs" / "beta.yaml").write_text("title: Beta\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(series / "briefs"), "-o", str(series / "out"),
                                      "-j", "1"])
    assert result.exit_code == 1
    assert "2 built, 0 unchanged, 1 failed" in result.stderr
    assert "beta.yaml:1:1: error: the required key 'date' is missing" in result.stderr


def test_build_killed_midway_leaves_no_partial_output(series):
    for i in range(6):
        (series / "briefs" / f"extra{i}.yaml").write_text(brief(f"Extra {i}", """
            output: {formats: [pdf, docx]}
        """), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "briefkit.cli", "build",
                                str(series / "briefs"), "-o", str(series / "out"), "-j", "2"],
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not list((series / "out").glob("*.pdf")):
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    visible = [p for p in (series / "out").rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert visible, "the build was killed before it wrote anything"
    for path in visible:
        if path.suffix == ".pdf":
            assert len(PdfReader(str(path)).pages) >= 1
        elif path.suffix == ".docx":
            assert docx.Document(str(path)).paragraphs
    # The next build completes the series.
    summary = build(series)
    assert not summary.having("failed")


def test_watch_rebuilds_what_changed_on_save(series):
    import queue
    import threading

    process = subprocess.Popen([sys.executable, "-m", "briefkit.cli", "watch",
                                str(series / "briefs"), "-o", str(series / "out"), "-j", "1"],
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()

    def wait_for(words, seconds=90):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            if all(word in line for word in words):
                return line
        raise AssertionError(f"no line with {words}")

    try:
        wait_for(["watching"])
        path = series / "briefs" / "alpha.yaml"
        path.write_text(path.read_text().replace("Text of Alpha.", "Saved text."), encoding="utf-8")
        line = wait_for(["changed: 1 rebuilt, 0 failed"])
        assert "alpha.yaml" in line
        assert "Saved text." in (series / "out" / "alpha.html").read_text(encoding="utf-8")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

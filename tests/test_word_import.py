"""`briefkit import`: Word drafts become briefs that check and build, with nothing lost.

Drafts are made here from Markdown by Pandoc (plus an editor's comment and a tracked change
added with lxml, as Word stores them), from every example brief's own DOCX, and from the real
house templates of ../shared/corpus/docx-*. What is compared is what a reader sees in the
built DOCX: headings, note texts in order, table cells, figures' alt text.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import corpus_cases
import yaml
from click.testing import CliRunner

from briefkit.prose.citations import pandoc_path
from briefkit.cli import cli
from briefkit.builder.batch import build_brief
from briefkit.builder.pipeline import prepare
from briefkit.word.markdown import plain_text
from conftest import ROOT, example_briefs
from readers import docx_notes, docx_text
from word_drafts import add_comment, add_tracked_change, draft_from_markdown

CORPUS = ROOT.parent / "shared" / "corpus"

DRAFT = """\
---
title: Water security in the Mekong
subtitle: A draft for review
author: [Jane Doe, John Roe]
date: 2024-05-01
---

# What's the problem?

Dams upstream change the river's flow.^[Mekong River Commission, *State of the Basin*, 2023.]

# Background

Fisheries feed sixty million people, see the
[commission's report](https://www.mrcmekong.org/report) for the figures.^[A second note,
with *emphasis* and a [link](https://example.org/note).]

## Upstream dams

| Country | Dams | Year |
|---------|-----:|-----:|
| China   | 11^[Main stem only.] | 2020 |
| Laos    | 9    | 2022 |

: Dams on the main stem

### Effects on sediment

Sediment flow fell by half.^[Third note.] Fish followed.[^long]

[^long]: A note of two paragraphs.

    Its second paragraph, with a list:

    - one item

#### A deeper heading

Text under a fourth-level heading, with twitter handle @mekong_watch.

# Key takeaways

- The river is changing.
- Cooperation is thin.
"""


def run_import(*args):
    result = CliRunner().invoke(cli, ["import", *map(str, args)], catch_exceptions=False)
    return result


def pandoc_facts(docx: Path) -> dict:
    """What a reader sees in a DOCX, as Pandoc reads it: headings, notes, tables, figures."""
    ast = json.loads(subprocess.run([pandoc_path(), "-f", "docx", "-t", "json", str(docx)],
                                    capture_output=True, check=True).stdout)
    found = {"headings": [], "notes": [], "tables": [], "figures": [], "captions": []}

    def visit(value):
        if isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict) and "t" in value:
            kind = value["t"]
            if kind == "Header":
                found["headings"].append(plain_text(value["c"][2]))
            elif kind == "Note":
                found["notes"].append(plain_text(value["c"]))
            elif kind == "Table" and value["c"][3][1]:
                # data tables (with a header row); briefkit's boxes (cover, front box) are
                # drawn as tables without one
                found["tables"].append(plain_text(value["c"][3:]))
                found["captions"].append(plain_text(value["c"][1][1]))
            elif kind == "Image":
                found["figures"].append(plain_text(value["c"][1]))
            visit(value.get("c"))
    visit(ast["blocks"])
    return found


@pytest.fixture
def draft(tmp_path):
    path = draft_from_markdown(DRAFT, tmp_path / "mekong.docx")
    add_comment(path, "Fisheries feed", "Source for this number?", author="Maria Editor")
    add_tracked_change(path, "sixty million", "sixty-five million")
    return path


def test_a_word_draft_becomes_a_brief_that_checks_and_builds(draft, tmp_path):
    target = tmp_path / "brief" / "mekong.yaml"
    result = run_import(draft, "-o", target)
    assert result.exit_code == 0, result.output
    assert "2 tracked change(s) accepted" in result.output  # one deletion, one insertion
    assert "1 comment(s) kept" in result.output

    text = target.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["title"] == "Water security in the Mekong"
    assert data["subtitle"] == "A draft for review"
    assert data["authors"] == ["Jane Doe", "John Roe"]
    assert str(data["date"]) == "2024-05-01"
    assert "Dams upstream" in data["summary"]["problem"]  # a layout label became its part
    assert [t.strip() for t in data["key_takeaways"]] == ["The river is changing.",
                                                          "Cooperation is thin."]
    background = data["sections"][0]
    assert background["title"] == "Background"
    assert background["sections"][0]["title"] == "Upstream dams"
    assert background["sections"][0]["sections"][0]["title"] == "Effects on sediment"
    assert "# A deeper heading" in background["sections"][0]["sections"][0]["body"]
    # the tracked change is accepted
    assert "sixty-five million" in background["body"] and "sixty million" not in background["body"]
    # the comment stands above the field it annotates, with its author and text
    lines = text.splitlines()
    comment = next(i for i, line in enumerate(lines) if "Source for this number?" in line)
    assert "Maria Editor" in lines[comment] and '"Fisheries feed"' in lines[comment]
    assert lines[comment + 1].strip().startswith("body:")
    assert "@mekong_watch" in yaml.safe_load(text)["sections"][0]["sections"][0]["sections"][0]["body"]

    prepared = prepare(target)
    assert len(prepared.document.notes) == 5  # a note in a table and one of several blocks
    out = build_brief(target, tmp_path / "out", ["docx"], parallel=False).outputs[0]
    before, after = pandoc_facts(draft), pandoc_facts(out)
    assert after["notes"] == before["notes"]
    # python-docx's reading of the footnotes part: the same texts (paragraphs run together)
    assert [re.sub(r"\s+", "", n) for n in docx_notes(out)] == [re.sub(r"\s+", "", n)
                                                                for n in before["notes"]]
    for heading in ("Background", "Upstream dams", "Effects on sediment", "A deeper heading"):
        assert heading in after["headings"]
    assert after["tables"] == before["tables"]


def test_the_twitter_handle_stays_text(tmp_path):
    path = draft_from_markdown("# Notes on people\n\nFollow \\@someone and mail me@example.org.\n",
                               tmp_path / "handles.docx")
    assert run_import(path, "-o", tmp_path / "h.yaml").exit_code == 0
    out = build_brief(tmp_path / "h.yaml", tmp_path / "out", ["docx"], parallel=False).outputs[0]
    assert "Follow @someone and mail me@example.org." in "\n".join(
        p for p in pandoc_facts(out)["headings"]) or "@someone" in subprocess.run(
        [pandoc_path(), "-t", "plain", str(out)], capture_output=True).stdout.decode()


@pytest.mark.parametrize("brief", example_briefs(), ids=lambda p: p.parent.name
                         if p.name == "brief.yaml" else p.stem)
def test_every_example_survives_the_round_trip_through_word(brief, tmp_path):
    layout = yaml.safe_load(brief.read_text(encoding="utf-8")).get("layout", "report")
    first = build_brief(brief, tmp_path / "first", ["docx"], parallel=False).outputs[0]
    target = tmp_path / "imported" / "brief.yaml"
    result = run_import(first, "-o", target, "--layout", layout)
    assert result.exit_code == 0, result.output
    second = build_brief(target, tmp_path / "second", ["docx"], parallel=False).outputs[0]
    before, after = pandoc_facts(first), pandoc_facts(second)
    assert after["notes"] == before["notes"]
    # A bibliography rendered from sources comes back as prose (the sources themselves are
    # not in the DOCX), so it becomes a section and may move among the headings.
    assert sorted(after["headings"]) == sorted(before["headings"])
    without = [h for h in before["headings"] if h != "Bibliography"]
    assert [h for h in after["headings"] if h != "Bibliography"] == without
    assert after["tables"] == before["tables"]
    assert after["captions"] == before["captions"]  # "Table 1 Rainfall", not "Table 1 Table 1"
    assert after["figures"] == before["figures"]
    # the byline: the same people, each once (an "About the authors" entry is not another
    # author), and the publisher with its programme apart
    original = prepare(brief).document
    imported = prepare(target).document
    assert [a.name for a in imported.authors] == [a.name for a in original.authors]
    for key in ("name", "program"):
        assert imported.publisher.get(key) == original.publisher.get(key), key


def _as_docx(template: Path, tmp_path: Path) -> Path:
    """A .dotx is a .docx with another main content type; Pandoc reads only the latter."""
    if template.suffix == ".docx":
        return template
    copy = tmp_path / (template.stem + ".docx")
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(copy, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"template.main+xml", b"document.main+xml")
            target.writestr(item, data)
    return copy


@pytest.mark.parametrize("case", corpus_cases("docx-*"), ids=lambda p: getattr(p, "name", p))
@pytest.mark.needs("shared")
def test_a_draft_on_a_real_house_template_imports_and_builds(case, tmp_path):
    template = next(case.glob("original-*"))
    draft = draft_from_markdown(DRAFT, tmp_path / "draft.docx",
                                reference=_as_docx(template, tmp_path))
    target = tmp_path / "brief.yaml"
    result = run_import(draft, "-o", target)
    assert result.exit_code == 0, result.output
    out = build_brief(target, tmp_path / "out", ["docx"], parallel=False).outputs[0]
    before, after = pandoc_facts(draft), pandoc_facts(out)
    assert after["notes"] == before["notes"] and len(after["notes"]) == 5
    assert after["tables"] == before["tables"]
    # every heading Word shows (a template without heading styles has none: the ns0 one);
    # "What's the problem?" heads the front box, a paragraph style of its own
    assert set(before["headings"]) - {"What\u2019s the problem?"} <= set(after["headings"])
    assert "Dams upstream change the river" in docx_text(out)


def test_pictures_go_into_the_briefs_assets_with_their_alt_text(tmp_path):
    shutil.copy(ROOT / "briefs" / "tech-ties" / "assets" / "mechanisms.png", tmp_path / "m.png")
    draft = draft_from_markdown("# Figures\n\n![Three mechanisms by year](m.png)\n",
                                tmp_path / "fig.docx")
    target = tmp_path / "b" / "brief.yaml"
    result = run_import(draft, "-o", target)
    assert result.exit_code == 0 and "alt text" not in result.output  # the caption is its text
    pictures = list((tmp_path / "b" / "assets").iterdir())
    assert len(pictures) == 1
    assert f"![Three mechanisms by year](assets/{pictures[0].name})" in target.read_text()
    out = build_brief(target, tmp_path / "out", ["docx"], parallel=False).outputs[0]
    assert len(pandoc_facts(out)["figures"]) == 1
    assert "Three mechanisms by year" in docx_text(out)


def test_a_file_that_is_not_a_docx_is_a_located_error(tmp_path):
    text = tmp_path / "notes.docx"
    text.write_text("just text\n")
    result = run_import(text, "-o", tmp_path / "x.yaml")
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"{text}: error: import: is not a Word document")
    assert not (tmp_path / "x.yaml").exists()


def test_a_password_protected_draft_is_a_located_error(tmp_path):
    locked = tmp_path / "locked.docx"  # Word encrypts a .docx into an OLE compound file
    locked.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 1024)
    result = run_import(locked, "-o", tmp_path / "x.yaml")
    assert result.exit_code == 1
    assert "password-protected" in result.output and "Traceback" not in result.output


def test_a_draft_with_no_text_is_a_located_error(tmp_path):
    empty = draft_from_markdown("", tmp_path / "empty.docx")
    result = run_import(empty, "-o", tmp_path / "x.yaml")
    assert result.exit_code == 1
    assert f"{empty}: error: import: holds no text" in result.output


def test_an_existing_brief_is_not_overwritten(draft, tmp_path):
    target = tmp_path / "keep.yaml"
    target.write_text("title: mine\n")
    result = run_import(draft, "-o", target)
    assert result.exit_code == 2 and target.read_text() == "title: mine\n"


def test_import_help_teaches_with_examples():
    result = CliRunner().invoke(cli, ["import", "--help"])
    assert result.exit_code == 0
    assert "briefkit import drafts/energy.docx" in result.output
    assert "tracked changes" in result.output and "comments" in result.output


def _add_zotero_field(path: Path, placeholder: str) -> None:
    """A Zotero citation field where `placeholder` stands, and the document's Zotero style
    preference (APA), as the Zotero Word plugin writes them."""
    from xml.sax.saxutils import escape

    from word_drafts import _rewrite

    citation = {"citationID": "abc", "properties": {"plainCitation": "(Doe 2020)"},
                "citationItems": [{"id": 1, "uris": ["http://zotero.org/users/1/items/ABCD"],
                                   "locator": "12", "label": "page",
                                   "itemData": {"id": 1, "type": "book", "title": "Rivers of Asia",
                                                "author": [{"family": "Doe", "given": "Jane"}],
                                                "issued": {"date-parts": [["2020"]]},
                                                "publisher": "River Press"}}]}
    field = ('</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText '
             'xml:space="preserve">' + escape(" ADDIN ZOTERO_ITEM CSL_CITATION "
                                              + json.dumps(citation) + " ")
             + '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>'
             '(Doe 2020)</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t '
             'xml:space="preserve">')
    custom = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://'
              'schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://'
              'schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="'
              '{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="ZOTERO_PREF_1"><vt:lpwstr>'
              '&lt;data&gt;&lt;style id="http://www.zotero.org/styles/apa"/&gt;&lt;/data&gt;'
              '</vt:lpwstr></property></Properties>')

    def edit(parts):
        parts["word/document.xml"] = parts["word/document.xml"].decode().replace(
            placeholder, field).encode()
        parts["docProps/custom.xml"] = custom.encode()
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].decode().replace(
            "</Types>", '<Override PartName="/docProps/custom.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>').encode()
    _rewrite(path, edit)


def test_zotero_citation_fields_become_references_and_citations(tmp_path):
    draft = draft_from_markdown("---\ntitle: Rivers\ndate: 2024-01-02\n---\n\n# Rivers\n\n"
                                "Rivers matter ZOTEROHERE.\n", tmp_path / "z.docx")
    _add_zotero_field(draft, "ZOTEROHERE")
    target = tmp_path / "z.yaml"
    assert run_import(draft, "-o", target).exit_code == 0
    data = yaml.safe_load(target.read_text())
    assert [r["id"] for r in data["references"]] == ["doe2020"]
    assert data["references"][0]["title"] == "Rivers of Asia"
    assert data["citation_style"] == "apa"  # the document's Zotero style
    assert "[@doe2020, page 12" in data["sections"][0]["body"]
    out = build_brief(target, tmp_path / "out", ["docx"], parallel=False).outputs[0]
    text = subprocess.run([pandoc_path(), "-t", "plain", str(out)], capture_output=True).stdout.decode()
    assert "(Doe, 2020, p. 12)" in text and "Rivers of Asia" in text  # APA, with a bibliography


def test_endnote_citation_fields_become_references_and_citations(tmp_path):
    from xml.sax.saxutils import escape

    from word_drafts import _rewrite

    draft = draft_from_markdown("---\ntitle: Rivers\ndate: 2024-01-02\n---\n\n# Rivers\n\n"
                                "Rivers matter ENHERE.\n", tmp_path / "en.docx")
    record = ("<EndNote><Cite><Author>Doe</Author><Year>2020</Year><RecNum>7</RecNum>"
              "<DisplayText>(Doe 2020)</DisplayText><record><rec-number>7</rec-number>"
              '<ref-type name="Book">6</ref-type><contributors><authors><author>Doe, Jane</author>'
              "</authors></contributors><titles><title>Rivers of Asia</title></titles><dates>"
              "<year>2020</year></dates><publisher>River Press</publisher></record></Cite></EndNote>")
    field = ('</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText '
             'xml:space="preserve"> ADDIN EN.CITE ' + escape(record) + ' </w:instrText></w:r>'
             '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>(Doe 2020)</w:t></w:r>'
             '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve">')
    _rewrite(draft, lambda parts: parts.update({"word/document.xml": parts[
        "word/document.xml"].decode().replace("ENHERE", field).encode()}))
    target = tmp_path / "en.yaml"
    assert run_import(draft, "-o", target).exit_code == 0
    data = yaml.safe_load(target.read_text())
    assert data["references"][0]["title"] == "Rivers of Asia"
    assert "[@doe2020" in data["sections"][0]["body"]
    out = build_brief(target, tmp_path / "out", ["docx"], parallel=False).outputs[0]
    assert any("Rivers of Asia" in n for n in docx_notes(out, "endnotes") + docx_notes(out))


def test_words_table_of_contents_becomes_the_layouts_own(tmp_path):
    draft = draft_from_markdown(DRAFT, tmp_path / "toc.docx", extra=("--toc",))
    target = tmp_path / "toc.yaml"
    result = run_import(draft, "-o", target, "--layout", "commentary")
    assert result.exit_code == 0
    data = yaml.safe_load(target.read_text())
    assert "Table of Contents" not in [s.get("title") for s in data["sections"]]
    assert "table of contents" in result.output  # listed: the commentary layout has none
    assert '"Key takeaways" names a part' in result.output  # nor key takeaways: a section
    assert "Key takeaways" in [s.get("title") for s in data["sections"]]


def test_tracked_paragraphs_are_accepted_as_pandoc_accepts_them(tmp_path):
    from word_drafts import track_paragraph

    draft = draft_from_markdown("# Part\n\nFirst paragraph stays.\n\nSecond is deleted whole.\n\n"
                                "Third was inserted.\n\nFourth part\n\ncontinues here.\n",
                                tmp_path / "paras.docx")
    track_paragraph(draft, "Second", "del")
    track_paragraph(draft, "Third", "ins")
    track_paragraph(draft, "Fourth", "del", whole=False)  # only its mark: it joins the next
    target = tmp_path / "p.yaml"
    result = run_import(draft, "-o", target)
    assert "2 tracked change(s) accepted" in result.output
    body = yaml.safe_load(target.read_text())["sections"][0]["body"]
    accepted = subprocess.run([pandoc_path(), "-f", "docx", "--track-changes=accept", "-t",
                               "plain", "--wrap=none", str(draft)], capture_output=True).stdout.decode()
    assert [p for p in body.split("\n\n")] == [p for p in accepted.strip().split("\n\n")][1:]
    assert "Fourth part continues here." in body and "Second" not in body


def test_a_picture_without_alt_text_is_listed(tmp_path):
    shutil.copy(ROOT / "briefs" / "tech-ties" / "assets" / "mechanisms.png", tmp_path / "m.png")
    draft = draft_from_markdown("# Figures\n\nSee ![](m.png) here.\n", tmp_path / "bare.docx")
    result = run_import(draft, "-o", tmp_path / "bare.yaml")
    assert result.exit_code == 0
    assert "1 picture(s) without alt text" in result.output


def test_a_table_whose_cells_hold_lists_keeps_its_columns():
    """A cell with a list makes Pandoc write a grid table, whose columns are aligned by width:
    what the importer puts back after Pandoc wrote it (`\\@`, `[#id]`, note labels) must not
    shift them."""
    from briefkit.word.markdown import Cleaner, to_markdown

    source = ("+--------------------------------+---------------+\n"
              "| Head                           | b             |\n"
              "+================================+===============+\n"
              "| see [R1](#track_this) \\@handle | - item one^[x]  |\n"
              "|                                | - item two    |\n"
              "+--------------------------------+---------------+\n")

    def ast(markdown):
        return json.loads(subprocess.run([pandoc_path(), "-f", "markdown", "-t", "json"],
                                         input=markdown.encode(), capture_output=True,
                                         check=True).stdout)

    cleaner = Cleaner(lambda path: path, {"track_this"})
    blocks, _ = cleaner.field(ast(source)["blocks"])
    markdown = to_markdown([blocks], cleaner.notes, cleaner.xrefs)[0]
    assert "[#track_this]" in markdown and "\\@handle" in markdown
    table = next(b for b in ast(markdown)["blocks"] if b["t"] == "Table")
    text = plain_text(table["c"][3:])
    assert "see [#track_this] @handle" in text and "item one" in text and "item two" in text


# A real EndNote record (from Pandoc's EndNote XML reader test, test/endnotexml-reader.xml) in
# EndNote's long form: the outer `ADDIN EN.CITE` field is empty, and its record sits base64-encoded
# in the w:fldData of a nested `ADDIN EN.CITE.DATA` field, as EndNote writes long records.
ENDNOTE_RECORD = (
    "<EndNote><Cite><Author>Chapman</Author><Year>1944</Year><RecNum>13264</RecNum>"
    "<Pages>36</Pages><DisplayText>(Chapman 1944)</DisplayText><record>"
    "<rec-number>13264</rec-number><ref-type name=\"Journal Article\">17</ref-type>"
    "<contributors><authors><author>Chapman, A. G.</author></authors></contributors>"
    "<titles><title>An ecological basis for reforestation of submariginal lands in the Central "
    "Hardwood Region</title><secondary-title>Ecology</secondary-title></titles>"
    "<periodical><full-title>Ecology</full-title></periodical><pages>27-50</pages>"
    "<volume>25</volume><number>1</number><dates><year>1944</year></dates></record></Cite>"
    "</EndNote>")


def _endnote_long_form(record: str, shown: str) -> str:
    import base64

    data = base64.b64encode(record.encode()).decode() if record else "bm90IGEgcmVjb3Jk"
    return ('</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText '
            'xml:space="preserve"> ADDIN EN.CITE </w:instrText></w:r><w:r><w:fldChar '
            f'w:fldCharType="begin"><w:fldData xml:space="preserve">{data}</w:fldData>'
            '</w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> ADDIN EN.CITE.DATA '
            '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:fldChar '
            f'w:fldCharType="separate"/></w:r><w:r><w:t>{shown}</w:t></w:r><w:r><w:fldChar '
            'w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve">')


def _endnote_reference_list(entry: str) -> str:
    return ('</w:t></w:r></w:p><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r>'
            '<w:instrText xml:space="preserve"> ADDIN EN.REFLIST </w:instrText></w:r><w:r>'
            '<w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>' + entry + '</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p><w:p><w:r><w:t>')


def test_endnote_long_form_citations_become_references_with_their_locators(tmp_path):
    from word_drafts import _rewrite

    draft = draft_from_markdown("---\ntitle: Forests\ndate: 2024-01-02\n---\n\n# Forests\n\n"
                                "Reforestation works ENHERE.\n", tmp_path / "long.docx")
    _rewrite(draft, lambda parts: parts.update({"word/document.xml": parts[
        "word/document.xml"].decode().replace(
            "ENHERE", _endnote_long_form(ENDNOTE_RECORD, "(Chapman 1944, 36)")).encode()}))
    target = tmp_path / "long.yaml"
    result = run_import(draft, "-o", target)
    assert result.exit_code == 0, result.output
    assert "EN.CITE.DATA" in result.output  # said in the closing message
    data = yaml.safe_load(target.read_text())
    reference = data["references"][0]
    assert reference["title"].startswith("An ecological basis for reforestation")
    assert reference["page"] == "27-50"  # the article's pages, under CSL's name
    assert "[@chapman1944, 36]" in data["sections"][0]["body"]  # the locator of the citation
    out = build_brief(target, tmp_path / "out", ["docx"], parallel=False).outputs[0]
    notes = " ".join(docx_notes(out, "endnotes") + docx_notes(out))
    assert "an ecological basis for reforestation" in notes.casefold() and ": 36" in notes


def test_a_citation_field_that_cannot_be_read_keeps_its_text_and_the_reference_list(tmp_path):
    from word_drafts import _rewrite

    draft = draft_from_markdown("---\ntitle: Forests\ndate: 2024-01-02\n---\n\n# Forests\n\n"
                                "First claim ONE and second claim TWO.\n\nLISTHERE\n",
                                tmp_path / "broken.docx")

    def edit(parts):
        text = parts["word/document.xml"].decode()
        text = text.replace("ONE", _endnote_long_form(ENDNOTE_RECORD, "(Chapman 1944)"))
        text = text.replace("TWO", _endnote_long_form("", "(Smith 2001)"))  # a damaged record
        text = text.replace("LISTHERE", _endnote_reference_list(
            "Smith, J. 2001. Forests of the Ozarks. Ozark Press."))
        parts["word/document.xml"] = text.encode()
    _rewrite(draft, edit)
    target = tmp_path / "broken.yaml"
    result = run_import(draft, "-o", target)
    assert result.exit_code == 0, result.output
    assert "1 citation field(s) that could not be converted" in result.output
    assert "reference list(s) rendered by a citation manager, kept as prose" in result.output
    body = yaml.safe_load(target.read_text())["sections"][0]["body"]
    assert "(Smith 2001)" in body and "[@chapman1944, 36]" in body
    assert "Forests of the Ozarks" in body  # the draft's own list, nothing dropped


def test_a_picture_without_alt_text_gets_a_placeholder_that_check_counts(tmp_path):
    png = tmp_path / "chart.png"
    from PIL import Image

    Image.new("RGB", (40, 30), "navy").save(png)
    draft = draft_from_markdown("---\ntitle: Charts\ndate: 2024-01-02\n---\n\n# Charts\n\n"
                                "Before.\n\n![](chart.png)\n\nAfter.\n", tmp_path / "pic.docx")
    target = tmp_path / "project" / "briefs" / "pic.yaml"
    target.parent.mkdir(parents=True)
    assert run_import(draft, "-o", target).exit_code == 0
    text = target.read_text()
    assert "![TODO: describe this picture](assets/" in text
    check = CliRunner().invoke(cli, ["check", str(target), "-f", "html"])
    assert check.exit_code == 0, check.output  # a warning, not an error
    lines = [line for line in check.output.splitlines() if "TODO: describe this picture" in line]
    assert any(re.search(r"pic\.yaml:\d+:\d+: warning: sections", line) for line in lines)
    assert any("1 picture(s) still have the alt text" in line for line in lines)


def test_a_comment_on_deleted_text_is_kept_and_says_so(tmp_path):
    from word_drafts import _rewrite

    draft = draft_from_markdown("# Background\n\nFisheries feed sixty million people.\n",
                                tmp_path / "c.docx")
    add_comment(draft, "sixty million", "Source for this number?", author="Maria Editor")
    add_tracked_change(draft, "sixty million", "sixty-five million")

    def inside(parts):  # the range inside the deletion, as Word writes a comment on deleted text
        text = parts["word/document.xml"].decode()
        start = re.search(r"<w:commentRangeStart[^>]*/>", text).group(0)
        end = re.search(r"<w:commentRangeEnd[^>]*/>", text).group(0)
        text = text.replace(start, "", 1).replace(end, "", 1)
        text = re.sub(r"(<w:del [^>]*>)(<w:r>.*?</w:r>)(</w:del>)",
                      lambda m: m.group(1) + start + m.group(2) + end + m.group(3), text, count=1)
        parts["word/document.xml"] = text.encode()
    _rewrite(draft, inside)
    target = tmp_path / "c.yaml"
    assert run_import(draft, "-o", target).exit_code == 0
    text = target.read_text()
    assert ('# Comment by Maria Editor (2024-05-02) on deleted text "sixty million": Source for '
            "this number?") in text
    assert "sixty-five million" in text


def test_merged_cells_keep_their_rows_and_columns(tmp_path):
    """Pandoc's own fixture of a two-row header with spans: every cell where it was."""
    draft = ROOT / "tests" / "data" / "word-drafts" / "header-rowspan" / "draft.docx"
    target = tmp_path / "briefs" / "spans.yaml"
    assert run_import(draft, "-o", target).exit_code == 0
    out = build_brief(target, tmp_path / "out", ["html", "docx"], parallel=False).outputs
    html = next(p for p in out if p.suffix == ".html").read_text()
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert head.count("<tr>") == 2  # both header rows
    assert 'colspan="3"' in head and 'rowspan="2"' in head
    assert [c.strip() for c in re.findall(r"<th[^>]*>(.*?)</th>", head.split("</tr>")[1])] == [
        "<strong>G</strong>", "<strong>H</strong>", "<strong>I</strong>"] or "G" in head.split(
        "</tr>")[1]
    docx = next(p for p in out if p.suffix == ".docx")
    with zipfile.ZipFile(docx) as z:
        document = z.read("word/document.xml").decode()
    assert 'w:gridSpan w:val="3"' in document and "w:vMerge" in document


def test_notes_inside_right_to_left_embeddings_are_kept(tmp_path):
    """Word wraps Persian and Arabic runs in w:dir; Pandoc skips what is inside, notes and all."""
    from word_drafts import _rewrite

    draft = draft_from_markdown("# پیشینه\n\nمتن نخست^[یادداشت نخست.] و متن دوم.\n",
                                tmp_path / "rtl.docx")

    def embed(parts):
        text = parts["word/document.xml"].decode()
        start = text.index("<w:r>", text.index("FirstParagraph"))
        end = text.index("</w:p>", start)
        parts["word/document.xml"] = (text[:start] + '<w:dir w:val="rtl">' + text[start:end]
                                      + "</w:dir>" + text[end:]).encode()
    _rewrite(draft, embed)
    target = tmp_path / "rtl.yaml"
    result = run_import(draft, "-o", target)
    assert result.exit_code == 0, result.output
    body = yaml.safe_load(target.read_text())["sections"][0]["body"]
    assert "^[یادداشت نخست.]" in body and "متن دوم" in body

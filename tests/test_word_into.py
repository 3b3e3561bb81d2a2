"""From Word and back: `briefkit import EDITED.docx --into BRIEF.yaml`.

The citations example is built, its DOCX edited as Word stores an editor's work (words changed,
a sentence added, a paragraph deleted, tracked changes, a comment, a new footnote, a locator
changed in a Zotero field), and imported into a copy of the brief: the YAML must change on
exactly the touched lines, every other byte kept, and the rebuilt brief must read as the edited
DOCX (Pandoc's DOCX reader is the oracle for both). The three-way merge, the refusals and the
no-edit round trip over every example and starter are here too; the corpus briefs' no-edit round
trip is in test_corpus.py, on the DOCX that test builds anyway.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from briefkit.builder.batch import build_brief
from briefkit.cli import cli
from briefkit.prose.citations import pandoc_path
from conftest import BRIEFS, example_briefs
from word_drafts import _rewrite, add_comment, add_tracked_change

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def run_import(*args: str):
    return CliRunner().invoke(cli, ["import", *map(str, args)])


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The citations example copied and built (DOCX only): (brief, docx)."""
    folder = tmp_path_factory.mktemp("tech-ties") / "tech-ties"
    shutil.copytree(BRIEFS / "tech-ties", folder)
    brief = folder / "brief.yaml"
    docx = build_brief(brief, folder.parent / "out", ["docx"], parallel=False).outputs[0]
    return brief, docx


@pytest.fixture
def copy(built, tmp_path):
    """A fresh copy of the built brief's folder and of its DOCX, for one test to edit."""
    brief, docx = built
    folder = tmp_path / "tech-ties"
    shutil.copytree(brief.parent, folder)
    edited = tmp_path / "edited.docx"
    shutil.copy(docx, edited)
    return folder / "brief.yaml", edited


# ---- editing a DOCX as Word stores it ----------------------------------------------------------


def _xml(parts: dict, name: str, change) -> None:
    root = etree.fromstring(parts[name])
    change(root)
    parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _paragraph_with(root, needle: str):
    for p in root.iter(w("p")):
        if needle in "".join(t.text or "" for t in p.iter(w("t"))):
            return p
    raise AssertionError(f"no paragraph holds {needle!r}")


def replace_words(path: Path, old: str, new: str, style: str = "") -> None:
    """The first `old` (in a paragraph of style id `style`, if given) becomes `new`."""

    def change(root):
        for t in root.iter(w("t")):
            styles = [s.get(w("val")) for p in t.iterancestors(w("p")) for s in p.iter(w("pStyle"))]
            if t.text and old in t.text and (not style or style in styles):
                t.text = t.text.replace(old, new, 1)
                return
        raise AssertionError(old)

    _rewrite(path, lambda parts: _xml(parts, "word/document.xml", change))


def append_sentence(path: Path, paragraph_needle: str, sentence: str) -> None:
    def change(root):
        p = _paragraph_with(root, paragraph_needle)
        run = etree.SubElement(p, w("r"))
        t = etree.SubElement(run, w("t"))
        t.text, _ = " " + sentence, t.set(XML_SPACE, "preserve")

    _rewrite(path, lambda parts: _xml(parts, "word/document.xml", change))


def delete_paragraph(path: Path, needle: str) -> None:
    def change(root):
        p = _paragraph_with(root, needle)
        p.getparent().remove(p)

    _rewrite(path, lambda parts: _xml(parts, "word/document.xml", change))


def add_footnote(path: Path, after: str, text: str) -> None:
    """A new footnote called right after the words `after`, as Word writes one."""

    def edit(parts):
        notes = etree.fromstring(parts["word/footnotes.xml"])
        number = max(int(n.get(w("id"))) for n in notes.iter(w("footnote"))) + 1
        notes.append(
            etree.fromstring(
                f'<w:footnote xmlns:w="{W}" w:id="{number}"><w:p><w:pPr><w:pStyle '
                'w:val="FootnoteText"/></w:pPr><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/>'
                '</w:rPr><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> '
                f"{text}</w:t></w:r></w:p></w:footnote>"
            )
        )
        parts["word/footnotes.xml"] = etree.tostring(
            notes, xml_declaration=True, encoding="UTF-8", standalone=True
        )

        def call(root):
            for t in root.iter(w("t")):
                if t.text and after in t.text:
                    run = t.getparent()
                    before, rest = t.text.split(after, 1)
                    t.text = before + after
                    t.set(XML_SPACE, "preserve")
                    reference = etree.fromstring(
                        f'<w:r xmlns:w="{W}"><w:rPr><w:rStyle w:val="FootnoteReference"/>'
                        f'</w:rPr><w:footnoteReference w:id="{number}"/></w:r>'
                    )
                    tail = etree.fromstring(
                        f'<w:r xmlns:w="{W}"><w:t xml:space="preserve">{rest}</w:t></w:r>'
                    )
                    run.addnext(reference)
                    reference.addnext(tail)
                    return
            raise AssertionError(after)

        _xml(parts, "word/document.xml", call)

    _rewrite(path, edit)


def change_locator(
    path: Path, key: str, old: str, new: str, printed_old: str, printed_new: str
) -> None:
    """A locator changed in a Zotero field's code, and its printed text as Zotero's refresh
    would print it."""

    def edit(parts):
        def change(root):
            for instruction in root.iter(w("instrText")):
                code = instruction.text or ""
                match = re.match(r"\s*ADDIN ZOTERO_ITEM CSL_CITATION (\{.*\})\s*$", code, re.S)
                if not match:
                    continue
                data = json.loads(match.group(1))
                items = data["citationItems"]
                if [i["id"] for i in items] == [key] and items[0].get("locator") == old:
                    items[0]["locator"] = new
                    instruction.text = "ADDIN ZOTERO_ITEM CSL_CITATION " + json.dumps(data)
                    result = instruction.getparent().getparent()
                    for t in result.iter(w("t")):
                        if printed_old in (t.text or ""):
                            t.text = t.text.replace(printed_old, printed_new)
                            return
            raise AssertionError(key)

        _xml(parts, "word/footnotes.xml", change)

    _rewrite(path, edit)


def pandoc_text(path: Path) -> str:
    """The text of a DOCX as Pandoc's DOCX reader gives it, tracked changes accepted, the
    contents' page numbers left out (they are the pages', which an edit moves until Word's
    Update Table, not the brief's)."""
    result = subprocess.run(
        [
            pandoc_path(),
            "-f",
            "docx",
            "--track-changes=accept",
            "-t",
            "plain",
            "--wrap=none",
            str(_without_page_numbers(path)),
        ],
        capture_output=True,
        check=True,
    )
    return " ".join(result.stdout.decode().split())


def _without_page_numbers(path: Path) -> Path:
    """A copy of the DOCX whose PAGEREF fields (the contents' page numbers) show nothing."""
    copy = path.with_name(path.stem + ".no-page-numbers.docx")
    with zipfile.ZipFile(path) as archive, zipfile.ZipFile(copy, "w") as out:
        for item in archive.infolist():
            data = archive.read(item)
            if item.filename == "word/document.xml":
                root = etree.fromstring(data)
                in_result = False
                for element in list(root.iter(w("instrText"), w("fldChar"), w("t"))):
                    if element.tag == w("instrText") and "PAGEREF" in (element.text or ""):
                        in_result = None  # until its result begins
                    elif element.tag == w("fldChar"):
                        kind = element.get(w("fldCharType"))
                        if kind == "separate" and in_result is None:
                            in_result = True
                        elif kind == "end":
                            in_result = False
                    elif in_result:
                        element.text = ""
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            out.writestr(item, data)
    return copy


# ---- the scripted editor ------------------------------------------------------------------------

EXPECTED = [
    "-    The partnership responds in part to US sanctions and export controls [@bendett2019partnership, 4].",
    "+    The partnership responds in part to US sanctions and export controls [@bendett2019partnership, 14].",
    '+    # Comment by Maria Editor (2024-05-02) on "joint incubator": Which one? Name it.',
    "-      Dialogues, science parks, academic exchanges and joint funds now carry the",
    "+      Dialogues, science parks, academic exchanges and joint funds now sustain the",
    "-      Russia worries about losing scientists to China [@bendett2019ties], and asymmetries",
    "+      Russia fears losing scientists to China [@bendett2019ties], and asymmetries",
    "-      Even after a 2020 espionage arrest, agreements on joint research centres went",
    "+      Even after a 2020 espionage arrest^[Reported in June 2020.], agreements on joint research centres went",
    "-      [@bendett2019partnership, 3]. [#institutions] summarises how it is organised.",
    "-",
    "-      ::: pullquote",
    "-      The high-tech partnership between Moscow and Beijing could be a force multiplier",
    "-      for both countries.",
    "-      :::",
    "+      [@bendett2019partnership, 3]. [#institutions] summarises how it is organised. The editor adds a sentence.",
]


def edit_as_an_editor(docx: Path) -> None:
    replace_words(docx, "now carry the", "now sustain the")
    append_sentence(docx, "summarises how it is organised", "The editor adds a sentence.")
    delete_paragraph(docx, "could be a force multiplier")
    add_tracked_change(docx, "worries about", "fears", author="Maria Editor")
    add_comment(docx, "joint incubator", "Which one? Name it.", author="Maria Editor")
    add_footnote(docx, "espionage arrest", "Reported in June 2020.")
    change_locator(docx, "bendett2019partnership", "4", "14", "Ibid., 4.", "Ibid., 14.")


def test_an_editors_changes_come_back_on_exactly_the_touched_lines(copy, tmp_path):
    brief, docx = copy
    before = brief.read_text(encoding="utf-8")
    edit_as_an_editor(docx)
    result = run_import(docx, "--into", brief)
    assert result.exit_code == 0, result.output
    after = brief.read_text(encoding="utf-8")
    assert changed_lines(before, after) == EXPECTED, "\n".join(changed_lines(before, after))
    assert "2 tracked change(s) accepted" in result.output
    # the rebuilt brief reads as the edited DOCX (tracked changes accepted)
    rebuilt = build_brief(brief, tmp_path / "rebuilt", ["docx"], parallel=False).outputs[0]
    assert pandoc_text(rebuilt) == pandoc_text(docx)


def test_dry_run_prints_the_diff_and_writes_nothing(copy):
    brief, docx = copy
    before = brief.read_bytes()
    replace_words(docx, "now carry the", "now sustain the")
    result = run_import(docx, "--into", brief, "--dry-run")
    assert result.exit_code == 0, result.output
    assert brief.read_bytes() == before
    assert (
        "+      Dialogues, science parks, academic exchanges and joint funds now sustain the"
        in result.stdout
    )
    assert result.stdout.startswith(f"--- a/{brief}") or "--- a/" in result.stdout


def test_the_brief_and_the_docx_changed_in_different_fields_both_survive(copy):
    brief, docx = copy
    text = brief.read_text(encoding="utf-8")
    brief.write_text(
        text.replace("title: Obstacles remain", "title: Obstacles persist"), encoding="utf-8"
    )
    replace_words(docx, "now carry the", "now sustain the")
    result = run_import(docx, "--into", brief)
    assert result.exit_code == 0, result.output
    after = brief.read_text(encoding="utf-8")
    assert "title: Obstacles persist" in after
    assert "joint funds now sustain the" in after


def test_the_same_field_changed_on_both_sides_is_a_located_conflict(copy):
    brief, docx = copy
    text = brief.read_text(encoding="utf-8")
    mine = text.replace("joint funds now carry the", "joint funds now drive the")
    brief.write_text(mine, encoding="utf-8")
    replace_words(docx, "now carry the", "now sustain the")
    result = run_import(docx, "--into", brief)
    assert result.exit_code == 1
    line = (
        mine.splitlines().index("    text: |", mine.splitlines().index("  - id: institutions")) + 1
    )
    assert (
        f"{brief}:{line}:11: error: findings[0].text: changed in the brief since the DOCX "
        "was built, and in Word too" in result.output.replace(str(brief.resolve()), str(brief))
    )
    assert "nothing was written" in result.output
    assert brief.read_text(encoding="utf-8") == mine
    forced = run_import(docx, "--into", brief, "--force")
    assert forced.exit_code == 0, forced.output
    assert "joint funds now sustain the" in brief.read_text(encoding="utf-8")


def test_words_briefkit_composes_cannot_go_back_and_say_so(copy):
    brief, docx = copy
    before = brief.read_bytes()
    replace_words(docx, "Policy considerations and recommendations", "What to do", "Heading1")
    result = run_import(docx, "--into", brief)
    assert result.exit_code == 0, result.output
    assert (
        "'Policy considerations and recommendations' were changed to 'What to do'" in result.output
        and "labels" in result.output
    )
    assert brief.read_bytes() == before


def test_a_colour_applied_in_word_is_said_not_kept(copy):
    brief, docx = copy
    before = brief.read_bytes()

    def colour(root):
        for t in root.iter(w("t")):
            if t.text and "now carry the" in t.text:
                run = t.getparent()
                properties = run.find(w("rPr"))
                if properties is None:
                    properties = etree.SubElement(run, w("rPr"))
                    run.insert(0, properties)
                etree.SubElement(properties, w("color")).set(w("val"), "FF0000")
                return

    _rewrite(docx, lambda parts: _xml(parts, "word/document.xml", colour))
    result = run_import(docx, "--into", brief)
    assert result.exit_code == 0, result.output
    assert (
        "findings[0].text: formatting (colour) applied in Word cannot go into the brief"
        in result.output
    )
    assert brief.read_bytes() == before


def test_a_docx_briefkit_did_not_build_is_refused_with_what_to_do(tmp_path, built):
    brief, _ = built
    foreign = tmp_path / "foreign.docx"
    subprocess.run([pandoc_path(), "-o", str(foreign)], input=b"Some text.", check=True)
    result = run_import(foreign, "--into", brief)
    assert result.exit_code == 1
    assert "carries no record of the brief it was built from" in result.output
    assert "Traceback" not in result.output
    damaged = tmp_path / "damaged.docx"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    result = run_import(damaged, "--into", brief)
    assert result.exit_code == 1 and "Traceback" not in result.output
    styles = tmp_path / "damaged-styles.docx"
    shutil.copy(built[1], styles)
    _rewrite(
        styles, lambda parts: parts.update({"word/styles.xml": parts["word/styles.xml"][:400]})
    )
    result = run_import(styles, "--into", brief)
    assert result.exit_code == 1 and "is a damaged Word document" in result.output
    assert "Traceback" not in result.output


def test_a_redline_is_a_review_copy_and_is_refused(built, tmp_path):
    """A redline marks words: its citations are the text they print, and it carries no
    record, so bringing it back says what to do instead."""
    brief, _ = built
    new = brief.parent / "new.yaml"
    new.write_text(
        brief.read_text(encoding="utf-8").replace("now carry", "now sustain"), encoding="utf-8"
    )
    redline = tmp_path / "redline.docx"
    made = CliRunner().invoke(cli, ["redline", str(brief), str(new), "-o", str(redline)])
    assert made.exit_code == 0, made.output
    with zipfile.ZipFile(redline) as archive:
        names = archive.namelist()
        text = b"".join(archive.read(n) for n in names if n.startswith("word/"))
    assert b"ZOTERO_ITEM" not in text and b"urn:briefkit:brief-source" not in b"".join(
        zipfile.ZipFile(redline).read(n) for n in names
    )
    result = run_import(redline, "--into", brief)
    assert result.exit_code == 1 and "it is a redline, a copy for review" in result.output
    new.unlink()


def test_into_takes_no_output_or_layout(built):
    brief, docx = built
    assert run_import(docx, "--into", brief, "-o", "x.yaml").exit_code == 2
    assert run_import(docx, "--dry-run").exit_code == 2


def _body_paragraph(root, needle: str):
    """The body-level element (a paragraph, or the table holding it) with `needle`."""
    element = _paragraph_with(root, needle)
    while element.getparent().tag != w("body"):
        element = element.getparent()
    return element


def test_findings_moved_in_word_move_in_the_brief(copy):
    """The editor cuts Finding 2 (its title and text) and pastes it before Finding 1."""
    brief, docx = copy
    before = brief.read_text(encoding="utf-8")

    def move(root):
        first = _body_paragraph(root, "The partnership is institutionalised")
        title = _body_paragraph(root, "Obstacles remain")
        moving = [title]
        while (
            "Alibaba" not in "".join(t.text or "" for t in moving[-1].iter(w("t")))
            and not list(moving[-1].iter(w("footnoteReference")))[-1:]
        ):
            moving.append(moving[-1].getnext())
        for element in moving:
            first.addprevious(element)

    _rewrite(docx, lambda parts: _xml(parts, "word/document.xml", move))
    result = run_import(docx, "--into", brief)
    assert result.exit_code == 0, result.output
    after = brief.read_text(encoding="utf-8")
    assert [line for line in after.splitlines() if line.startswith("  - id: ")][:3] == [
        "  - id: obstacles",
        "  - id: institutions",
        "  - id: resilience",
    ]
    assert sorted(before.splitlines()) == sorted(after.splitlines())  # lines moved, not changed


def test_a_heading_added_among_the_sections_is_a_new_section(copy):
    brief, docx = copy

    def add(root):  # typed before the next section's heading
        following = next(
            p
            for p in root.iter(w("p"))
            if "".join(t.text or "" for t in p.iter(w("t"))) == "What to watch"
            and p.find(f"{w('pPr')}/{w('pStyle')}").get(w("val")) == "Heading1"
        )
        following.addprevious(
            etree.fromstring(
                f'<w:p xmlns:w="{W}"><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r>'
                "<w:t>Funding</w:t></w:r></w:p>"
            )
        )
        following.addprevious(
            etree.fromstring(
                f'<w:p xmlns:w="{W}"><w:r><w:t>Joint funds pay for most of it.</w:t></w:r></w:p>'
            )
        )

    _rewrite(docx, lambda parts: _xml(parts, "word/document.xml", add))
    before = brief.read_text(encoding="utf-8")
    result = run_import(docx, "--into", brief)
    assert result.exit_code == 0, result.output
    assert changed_lines(before, brief.read_text(encoding="utf-8")) == [
        "+  - title: Funding",
        "+    body: Joint funds pay for most of it.",
    ]
    assert "a new section 'Funding' in sections" in result.output


def _heading(root, text: str):
    return next(
        e
        for e in root.find(w("body"))
        if "".join(t.text or "" for t in e.iter(w("t"))) == text
        and e.find(f"{w('pPr')}/{w('pStyle')}") is not None
        and e.find(f"{w('pPr')}/{w('pStyle')}").get(w("val")) == "Heading1"
    )


def import_after(brief: Path, docx: Path, change) -> tuple[str, str, object]:
    """The brief's text before, `change` made to the DOCX's body, imported: (before, after,
    the command's result)."""
    before = brief.read_text(encoding="utf-8")
    _rewrite(docx, lambda parts: _xml(parts, "word/document.xml", change))
    result = run_import(docx, "--into", brief)
    return before, brief.read_text(encoding="utf-8"), result


def test_a_section_deleted_in_word_is_deleted_in_the_brief(copy):
    """The editor selects a section from its heading to the next and deletes it."""

    def delete(root):
        heading = _heading(root, "What to watch")
        while heading.getnext().find(f"{w('pPr')}/{w('pStyle')}[@{w('val')}='Heading1']") is None:
            heading.getparent().remove(heading.getnext())
        heading.getparent().remove(heading)

    before, after, result = import_after(*copy, delete)
    assert result.exit_code == 0, result.output
    start = before.index("  - title: What to watch\n")
    end = before.index("recommendations:\n")
    assert after == before[:start] + before[end:]
    assert "sections: 1 item(s) deleted as in Word (sections[1])" in result.output


def test_a_recommendation_deleted_with_its_mention_goes_from_the_brief(copy, tmp_path):
    """Recommendation 2 deleted (title, text, audience, findings) and "and Recommendation 2"
    cut from the solution: the item and its `[#coordinate]` go, and the brief rebuilds as the
    edited DOCX reads."""
    brief, docx = copy

    def delete(root):
        title = _body_paragraph(root, "Coordinate responses")
        for _ in range(3):  # its text, audience and findings lines
            title.getparent().remove(title.getnext())
        title.getparent().remove(title)
        link = next(
            h
            for h in _paragraph_with(root, "Like-minded democracies").iter(w("hyperlink"))
            if h.get(w("anchor")) == "coordinate"
        )
        link.getparent().remove(link.getprevious())  # " and "
        link.getparent().remove(link)

    before, after, result = import_after(brief, docx, delete)
    assert result.exit_code == 0, result.output
    start = before.index("    - id: coordinate\n")
    end = before.index("acronyms:\n")
    assert changed_lines(before, after) == [
        "-    responses; see [#track] and [#coordinate].",
        "+    responses; see [#track].",
        *("-" + line for line in before[start:end].splitlines()),
    ]
    rebuilt = build_brief(brief, tmp_path / "rebuilt", ["docx"], parallel=False).outputs[0]
    assert pandoc_text(rebuilt) == pandoc_text(docx)


def test_a_finding_deleted_while_a_recommendation_names_it_is_a_located_conflict(copy):
    brief, docx = copy
    before = brief.read_bytes()

    def delete(root):
        title = _body_paragraph(root, "The ties have proven resilient")
        title.getparent().remove(title.getnext())
        title.getparent().remove(title)

    _rewrite(docx, lambda parts: _xml(parts, "word/document.xml", delete))
    result = run_import(docx, "--into", brief)
    assert result.exit_code == 1
    line = before.decode().splitlines().index("      findings: [institutions, resilience]") + 1
    assert (
        f"{brief}:{line}:32: error: findings[2] ('resilience') was deleted in Word, but "
        "recommendations.items[0].findings[1] still names it: nothing was deleted"
        in result.output.replace(str(brief.resolve()), str(brief))
    )
    assert "nothing was written" in result.output and "Traceback" not in result.output
    assert brief.read_bytes() == before


def test_a_findings_text_deleted_but_not_its_title_is_said_and_kept(copy):
    brief, docx = copy
    before = brief.read_bytes()
    delete_paragraph(docx, "Even after a 2020 espionage arrest")
    result = run_import(docx, "--into", brief)
    assert result.exit_code == 0, result.output
    assert (
        "findings[2].text: every paragraph of it was deleted in Word, but not the rest of its "
        "item: the field is kept as it is" in result.output
    )
    assert brief.read_bytes() == before


def _typed(style: str | None, text: str):
    """A paragraph as Word writes one an editor typed (in the paragraph style `style`)."""
    properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return etree.fromstring(
        f'<w:p xmlns:w="{W}">{properties}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
    )


def test_a_finding_and_a_recommendation_typed_in_word_are_new_items(copy, tmp_path):
    """After Finding 3's text the editor types a title in the finding titles' style (with
    the label, as the others read) and its text; after Recommendation 2's "Responds to" line,
    another. Each is a new item where it was typed, and the rebuilt brief reads as the DOCX."""
    brief, docx = copy

    def type_items(root):
        finding = _paragraph_with(root, "Even after a 2020 espionage arrest")
        finding.addnext(_typed("ItemTitle", "Finding 4: Talent flows both ways"))
        finding.getnext().addnext(_typed(None, "Students now move in *both* directions."))
        responds = _paragraph_with(root, "Responds to: Finding 2")
        responds.addnext(_typed("ItemTitle", "Recommendation 3: Fund independent research"))
        responds.getnext().addnext(_typed(None, "Fund research on the partnership."))

    before, after, result = import_after(brief, docx, type_items)
    assert result.exit_code == 0, result.output
    assert changed_lines(before, after) == [
        "+  - title: Talent flows both ways",
        "+    text: Students now move in \\*both\\* directions.",
        "+    - title: Fund independent research",
        "+      text: Fund research on the partnership.",
    ]
    lines = after.splitlines()
    assert (
        lines[lines.index("  - title: Talent flows both ways") - 1]
        == "      ahead [@bendett2020resilience]."
    )
    assert (
        lines[lines.index("    - title: Fund independent research") - 1]
        == "      findings: [obstacles]"
    )
    assert "a new item 'Talent flows both ways' in findings" in result.output
    assert "a new item 'Fund independent research' in recommendations.items" in result.output
    rebuilt = build_brief(brief, tmp_path / "rebuilt", ["docx"], parallel=False).outputs[0]
    assert pandoc_text(rebuilt) == pandoc_text(docx)


def test_a_finding_typed_before_the_first_is_the_first_item(copy):
    """Typed right after the "Findings" heading, before Finding 1: the new item comes first
    (the others' numbers, and the recommendations' "Responds to", follow in the rebuilt brief)."""
    brief, docx = copy

    def type_item(root):
        first = _paragraph_with(root, "Finding 1: The partnership is institutionalised")
        first.addprevious(_typed("ItemTitle", "Talent flows both ways"))
        first.addprevious(_typed(None, "Students now move in both directions."))

    before, after, result = import_after(brief, docx, type_item)
    assert result.exit_code == 0, result.output
    assert changed_lines(before, after) == [
        "+  - title: Talent flows both ways",
        "+    text: Students now move in both directions.",
    ]
    lines = after.splitlines()
    assert lines[lines.index("findings:") + 1] == "  - title: Talent flows both ways"


# ---- no edits: nothing changes -----------------------------------------------------------------

EXAMPLES = example_briefs()


@pytest.mark.parametrize(
    "brief", EXAMPLES, ids=[p.parent.name if p.name == "brief.yaml" else p.stem for p in EXAMPLES]
)
def test_an_unedited_example_leaves_its_brief_byte_identical(examples, brief):
    before = brief.read_bytes()
    result = run_import(examples[brief]["docx"], "--into", brief)
    assert result.exit_code == 0, result.output
    assert "no changes" in result.output
    assert brief.read_bytes() == before


@pytest.mark.parametrize("layout", ["report", "research", "commentary", "summary"])
def test_an_unedited_starter_leaves_its_brief_byte_identical(layout, tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "briefs").mkdir(parents=True)
    monkeypatch.chdir(project)
    made = CliRunner().invoke(cli, ["new", "x", "--layout", layout])
    assert made.exit_code == 0, made.output
    brief = project / "briefs" / "x.yaml"
    before = brief.read_bytes()
    docx = build_brief(brief, project / "out", ["docx"], parallel=False).outputs[0]
    result = run_import(docx, "--into", brief)
    assert result.exit_code == 0, result.output
    assert brief.read_bytes() == before


# ---- an editor in LibreOffice ------------------------------------------------------------------

# A Basic macro doing what an editor does in LibreOffice Writer: Track Changes on, a phrase
# replaced (Find & Replace), a footnote inserted after some words, a comment on others, then
# File > Save As > Word 2007-365 (.docx).
MACRO = """\
Sub EditAsAnEditor(inUrl As String, outUrl As String)
  Dim opening(0) As New com.sun.star.beans.PropertyValue
  opening(0).Name = "Hidden"
  opening(0).Value = True
  oDoc = StarDesktop.loadComponentFromURL(inUrl, "_blank", 0, opening())
  oDoc.RecordChanges = True
  oReplace = oDoc.createReplaceDescriptor()
  oReplace.SearchString = "now carry the"
  oReplace.ReplaceString = "now sustain the"
  oDoc.replaceAll(oReplace)
  oSearch = oDoc.createSearchDescriptor()
  oSearch.SearchString = "espionage arrest"
  oFound = oDoc.findFirst(oSearch)
  oNote = oDoc.createInstance("com.sun.star.text.Footnote")
  oFound.getText().insertTextContent(oFound.getEnd(), oNote, False)
  oNote.setString("Reported in June 2020.")
  oSearch.SearchString = "worries about losing"
  oFound = oDoc.findFirst(oSearch)
  oComment = oDoc.createInstance("com.sun.star.text.textfield.Annotation")
  oComment.Author = "Maria Editor"
  oComment.Content = "Source for this?"
  oFound.getText().insertTextContent(oFound, oComment, True)
  Dim saving(0) As New com.sun.star.beans.PropertyValue
  saving(0).Name = "FilterName"
  saving(0).Value = "MS Word 2007 XML"
  oDoc.storeToURL(outUrl, saving())
  oDoc.close(True)
End Sub
"""


def _libreoffice_profile(root: Path) -> Path:
    """A LibreOffice user profile (made by LibreOffice itself) whose Standard Basic library
    holds MACRO."""
    from xml.sax.saxutils import escape

    from conftest import soffice

    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={root.as_uri()}",
            "--headless",
            "--terminate_after_init",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )
    module = root / "user" / "basic" / "Standard" / "Module1.xba"
    module.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<script:module xmlns:script='
        '"http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">'
        f"{escape(MACRO)}</script:module>\n",
        encoding="utf-8",
    )
    return root


@pytest.mark.needs("soffice")
def test_an_editor_in_libreoffice(copy, tmp_path):
    from conftest import soffice

    brief, docx = copy
    before = brief.read_text(encoding="utf-8")
    profile = _libreoffice_profile(tmp_path / "profile")
    edited = tmp_path / "edited-in-libreoffice.docx"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            f'macro:///Standard.Module1.EditAsAnEditor("{docx.as_uri()}","{edited.as_uri()}")',
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )  # (a helper it leaves holds pipes)
    assert edited.is_file(), "LibreOffice did not save the edited DOCX"
    result = run_import(edited, "--into", brief)
    assert result.exit_code == 0, result.output
    assert "tracked change(s) accepted" in result.output
    assert changed_lines(before, brief.read_text(encoding="utf-8")) == [
        "-      Dialogues, science parks, academic exchanges and joint funds now carry the",
        "+      Dialogues, science parks, academic exchanges and joint funds now sustain the",
        '+    # Comment by Maria Editor on "worries about losing": Source for this?',
        "-      Even after a 2020 espionage arrest, agreements on joint research centres went",
        "+      Even after a 2020 espionage arrest^[Reported in June 2020.], agreements on joint "
        "research centres went",
    ]
    # a table LibreOffice saved (the table style's formatting written on each run) is no edit
    assert "warning" not in result.output, result.output

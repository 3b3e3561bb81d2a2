"""`briefkit redline` and `build --redline-against`: what changed between two versions of a
brief, as Word tracked changes. The tests read the DOCX's XML as Word would: accepting every
change must give NEW's normal build, rejecting every change OLD's; nothing unchanged is marked,
notes included; LibreOffice lists the changes."""

from __future__ import annotations

import copy
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from briefkit.cli import cli
from briefkit.builder.batch import build_brief
from conftest import soffice

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

OLD = """\
title: Water security
date: 2024-05-01
layout: commentary
sections:
  - title: The river
    body: |
      The quick brown fox jumps over the dam.^[Note one stays the same.]

      Unchanged paragraph stays exactly as it was.^[Old note text here.]

      This paragraph will be removed entirely from the brief.

      The last paragraph keeps its words.^[Another unchanged note.]
"""

NEW = """\
title: Water security
date: 2024-06-15
layout: commentary
sections:
  - title: The river
    body: |
      The quick red fox jumps far over the dam.^[Inserted note before the others.]^[Note one stays the same.]

      Unchanged paragraph stays exactly as it was.^[Old note text here, now changed.]

      The last paragraph keeps its words.^[Another unchanged note.]

      A brand new closing paragraph appears here.
"""


def parts(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as z:
        return {name: etree.fromstring(z.read(name)) for name in
                ("word/document.xml", "word/footnotes.xml") if name in z.namelist()}


def marked(root, tag: str) -> list[str]:
    return ["".join(t.text or "" for t in el.iter(W + "t", W + "delText"))
            for el in root.iter(W + tag) if el.getparent().tag != W + "rPr"]


def resolved(root, accept: bool) -> list[str]:
    """Paragraph texts after accepting (or rejecting) every tracked change, as Word does."""
    root = copy.deepcopy(root)
    drop, keep = ("del", "ins") if accept else ("ins", "del")
    for row in list(root.iter(W + "tr")):
        if row.find(f"{W}trPr/{W}{drop}") is not None:
            row.getparent().remove(row)
    for table in list(root.iter(W + "tbl")):
        if table.find(W + "tr") is None:
            table.getparent().remove(table)
    for p in list(root.iter(W + "p")):
        mark = p.find(f"{W}pPr/{W}rPr/{W}{drop}")
        if mark is not None:
            p.getparent().remove(p)
    for el in list(root.iter(W + drop)):
        if el.getparent().tag != W + "rPr":
            el.getparent().remove(el)
    for el in list(root.iter(W + keep)):
        if el.getparent().tag == W + "rPr":
            el.getparent().remove(el)
            continue
        for child in list(el):
            el.addprevious(child)
        el.getparent().remove(el)
    for t in root.iter(W + "delText"):
        t.tag = W + "t"
    texts = ["".join(t.text or "" for t in p.iter(W + "t")) for p in root.iter(W + "p")]
    return [t for t in texts if t.strip()]


def note_texts(root) -> list[str]:
    return [" ".join(resolved(note, True)) for note in root.iter(W + "footnote")
            if int(note.get(W + "id")) > 0]


@pytest.fixture
def versions(tmp_path):
    (tmp_path / "old.yaml").write_text(OLD)
    (tmp_path / "new.yaml").write_text(NEW)
    return tmp_path / "old.yaml", tmp_path / "new.yaml"


def test_every_change_is_a_tracked_change_and_nothing_else_is(versions, tmp_path):
    old, new = versions
    out = tmp_path / "changes.docx"
    result = CliRunner().invoke(cli, ["redline", str(old), str(new), "-o", str(out),
                                      "--date", "2024-06-15"])
    assert result.exit_code == 0, result.output
    red = parts(out)
    body = red["word/document.xml"]
    deleted, inserted = marked(body, "del"), marked(body, "ins")
    assert "brown" in deleted and "red" in " ".join(inserted) and "far" in " ".join(inserted)
    assert "This paragraph will be removed entirely from the brief." in "".join(deleted)
    assert "A brand new closing paragraph appears here." in "".join(inserted)
    assert "15 June" in inserted and "1 May" in deleted  # the dateline, one change
    for element in body.iter(W + "ins", W + "del"):
        assert element.get(W + "author") == "briefkit"
        assert element.get(W + "date").startswith("2024-06-15")
    # nothing unchanged is marked: the untouched paragraphs hold no change at all
    for p in body.iter(W + "p"):
        text = "".join(t.text or "" for t in p.iter(W + "t"))
        if text.startswith(("Unchanged paragraph", "The last paragraph", "The river")):
            assert not list(p.iter(W + "ins", W + "del")), text

    # notes: the inserted one is inserted, the edited one diffed by word, the renumbered ones
    # (1 -> 2, 3 -> 4 …) untouched
    notes = red["word/footnotes.xml"]
    assert "Inserted note before the others." in "".join(marked(notes, "ins"))
    assert "now changed" in " ".join(marked(notes, "ins")).replace("  ", " ") or \
        {"now", "changed"} <= set(" ".join(marked(notes, "ins")).split())
    for note in notes.iter(W + "footnote"):
        text = "".join(t.text or "" for t in note.iter(W + "t"))
        if "stays the same" in text or "Another unchanged" in text:
            assert not list(note.iter(W + "ins", W + "del")), text

    # accepting everything gives NEW's normal build; rejecting everything gives OLD's
    new_build = parts(build_brief(new, tmp_path / "new", ["docx"], parallel=False).outputs[0])
    old_build = parts(build_brief(old, tmp_path / "old", ["docx"], parallel=False).outputs[0])
    assert resolved(body, accept=True) == resolved(new_build["word/document.xml"], True)
    assert resolved(body, accept=False) == resolved(old_build["word/document.xml"], True)
    assert note_texts(notes) == note_texts(new_build["word/footnotes.xml"])


def test_identical_versions_mark_nothing(versions, tmp_path):
    _, new = versions
    out = tmp_path / "same.docx"
    result = CliRunner().invoke(cli, ["redline", str(new), str(new), "-o", str(out)])
    assert result.exit_code == 0 and "no changes" in result.output
    for root in parts(out).values():
        assert not marked(root, "ins") and not marked(root, "del")


@pytest.mark.needs("soffice")
def test_libreoffice_lists_the_tracked_changes(versions, tmp_path):
    old, new = versions
    out = tmp_path / "changes.docx"
    assert CliRunner().invoke(cli, ["redline", str(old), str(new), "-o", str(out)]).exit_code == 0
    subprocess.run([soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "fodt", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    # huge_tree: the flat file carries the DOCX's embedded fonts as long base64 text nodes
    fodt = etree.parse(str(tmp_path / "changes.fodt"),
                       etree.XMLParser(huge_tree=True)).getroot()
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    regions = list(fodt.iter(f"{{{text_ns}}}changed-region"))
    kinds = {etree.QName(r[0]).localname for r in regions}
    assert {"insertion", "deletion"} <= kinds
    creators = {el.text for el in fodt.iter("{http://purl.org/dc/elements/1.1/}creator")}
    assert "briefkit" in creators
    assert len(regions) >= 6


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=folder, check=True, capture_output=True)


@pytest.fixture
def repository(tmp_path):
    folder = tmp_path / "repo"
    (folder / "briefs").mkdir(parents=True)
    (folder / "briefs" / "water.yaml").write_text(OLD)
    (folder / "briefs" / "other.yaml").write_text(OLD.replace("Water security", "Other brief"))
    _git(folder, "init", "-q")
    _git(folder, "add", ".")
    _git(folder, "commit", "-qm", "first")
    (folder / "briefs" / "water.yaml").write_text(NEW)
    return folder


def test_against_a_git_revision(repository, monkeypatch):
    monkeypatch.chdir(repository)
    result = CliRunner().invoke(cli, ["redline", "--against", "HEAD", "briefs/water.yaml",
                                      "-o", "water-changes.docx"])
    assert result.exit_code == 0, result.output
    body = parts(repository / "water-changes.docx")["word/document.xml"]
    assert "brown" in marked(body, "del") and "red" in " ".join(marked(body, "ins"))
    assert not list((repository / "briefs").glob(".*"))  # the old text left no file behind


def test_an_unknown_revision_is_a_located_error(repository, monkeypatch):
    monkeypatch.chdir(repository)
    result = CliRunner().invoke(cli, ["redline", "--against", "no-such-tag", "briefs/water.yaml"])
    assert result.exit_code == 1
    assert result.output.startswith("briefs/water.yaml: error: redline: is not readable at "
                                    "revision 'no-such-tag'")


def test_build_writes_a_redline_beside_each_changed_brief(repository, monkeypatch):
    monkeypatch.chdir(repository)
    result = CliRunner().invoke(cli, ["build", "briefs", "-f", "docx", "-o", "out",
                                      "--redline-against", "HEAD"])
    assert result.exit_code == 0, result.output
    assert (repository / "out" / "water.redline.docx").is_file()
    assert not (repository / "out" / "other.redline.docx").exists()  # unchanged since HEAD
    body = parts(repository / "out" / "water.redline.docx")["word/document.xml"]
    assert "brown" in marked(body, "del")


def test_usage_mistakes_exit_2(versions):
    old, new = versions
    assert CliRunner().invoke(cli, ["redline", str(new)]).exit_code == 2
    assert CliRunner().invoke(cli, ["redline", str(old), str(new), "--against", "HEAD"]).exit_code == 2


def test_redline_help_teaches_with_examples():
    result = CliRunner().invoke(cli, ["redline", "--help"])
    assert "briefkit redline --against HEAD~1" in result.output
    assert "Accept/Reject" in result.output


def test_a_removed_table_and_an_added_one_are_tracked_row_by_row(tmp_path):
    table_a = "| Dam | Year |\n      |-----|-----:|\n      | Xayaburi | 2019 |\n"
    table_b = "| Basin | Share |\n      |-------|------:|\n      | Upper | 16% |\n"
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(OLD.replace("      The last paragraph", "      " + table_a + "\n      The last paragraph"))
    new.write_text(NEW.replace("      The last paragraph", "      " + table_b + "\n      The last paragraph"))
    out = tmp_path / "tables.docx"
    assert CliRunner().invoke(cli, ["redline", str(old), str(new), "-o", str(out)]).exit_code == 0
    body = parts(out)["word/document.xml"]
    rows = {("del" if r.find(f"{W}trPr/{W}del") is not None else
             "ins" if r.find(f"{W}trPr/{W}ins") is not None else "none"):
            "".join(t.text or "" for t in r.iter(W + "t", W + "delText")) for r in body.iter(W + "tr")}
    assert "Xayaburi" in "".join(v for k, v in rows.items() if k == "del") or any(
        "Xayaburi" in "".join(t.text or "" for t in r.iter(W + "delText"))
        for r in body.iter(W + "tr") if r.find(f"{W}trPr/{W}del") is not None)
    assert all(r.find(f"{W}trPr/{W}del") is not None or r.find(f"{W}trPr/{W}ins") is not None
               for r in body.iter(W + "tr"))  # no row of either table is left unmarked
    new_build = parts(build_brief(new, tmp_path / "n", ["docx"], parallel=False).outputs[0])
    old_build = parts(build_brief(old, tmp_path / "o", ["docx"], parallel=False).outputs[0])
    assert resolved(body, accept=True) == resolved(new_build["word/document.xml"], True)
    assert resolved(body, accept=False) == resolved(old_build["word/document.xml"], True)


def test_a_replaced_picture_is_a_change_and_an_unchanged_one_is_not(tmp_path):
    from PIL import Image

    for name, colour in (("a.png", "red"), ("b.png", "blue")):
        Image.new("RGB", (40, 20), colour).save(tmp_path / name)
    figure = "      ![Flow of the river]({})\n"
    (tmp_path / "old.yaml").write_text(OLD + figure.format("a.png"))
    (tmp_path / "same.yaml").write_text(OLD + figure.format("a.png"))
    (tmp_path / "new.yaml").write_text(OLD + figure.format("b.png"))
    for other, changed in (("same.yaml", False), ("new.yaml", True)):
        out = tmp_path / f"{other}.docx"
        result = CliRunner().invoke(cli, ["redline", str(tmp_path / "old.yaml"),
                                          str(tmp_path / other), "-o", str(out)])
        assert result.exit_code == 0, result.output
        with zipfile.ZipFile(out) as z:
            xml = z.read("word/document.xml").decode()
        body = etree.fromstring(xml.encode())
        inserted_pictures = [el for el in body.iter(W + "ins")
                             if list(el.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip"))]
        assert bool(inserted_pictures) == changed
        assert "urn:briefkit" not in xml  # the comparison leaves no trace


def test_a_brief_added_since_the_revision_gets_no_redline(repository, monkeypatch):
    monkeypatch.chdir(repository)
    (repository / "briefs" / "fresh.yaml").write_text(NEW.replace("Water security", "Fresh"))
    result = CliRunner().invoke(cli, ["build", "briefs", "-f", "docx", "-o", "out",
                                      "--redline-against", "HEAD"])
    assert result.exit_code == 0, result.output
    assert (repository / "out" / "water.redline.docx").is_file()
    assert not (repository / "out" / "fresh.redline.docx").exists()


def test_a_mistake_in_the_old_version_is_located_at_the_revision(repository, monkeypatch):
    monkeypatch.chdir(repository)
    (repository / "briefs" / "water.yaml").write_text(OLD.replace("date: 2024-05-01", "date: 2024-13-01"))
    _git(repository, "commit", "-qam", "broken date")
    (repository / "briefs" / "water.yaml").write_text(NEW)
    result = CliRunner().invoke(cli, ["redline", "--against", "HEAD", "briefs/water.yaml"])
    assert result.exit_code == 1
    assert re.search(r"water\.yaml@HEAD:2:\d+: error: date", result.output), result.output


def test_build_outside_a_repository_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefs").mkdir()
    (tmp_path / "briefs" / "water.yaml").write_text(NEW)
    result = CliRunner().invoke(cli, ["build", "briefs", "-f", "docx", "-o", "out",
                                      "--redline-against", "HEAD"])
    assert result.exit_code == 1
    assert "error: redline: is not readable at revision 'HEAD'" in result.output

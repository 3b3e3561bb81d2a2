"""Word notes are whole documents: whatever blocks a Markdown note holds reach word/footnotes.xml
(or endnotes.xml), read back with lxml as a user's tools would, and LibreOffice opens the file."""

from __future__ import annotations

import zipfile

import docx
import pytest
from lxml import etree
from readers import docx_notes, libreoffice_pdf, pdf_text, squash

from briefkit.builder.batch import build_brief

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082")  # a whole PNG (decoded in full when read)


def _notes(path, kind="footnotes"):
    """{note id: w:footnote element} of the real notes, and the part's relationships."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read(f"word/{kind}.xml"))
        rels_name = f"word/_rels/{kind}.xml.rels"
        rels = etree.fromstring(archive.read(rels_name)) if rels_name in archive.namelist() else None
    tag = W + ("footnote" if kind == "footnotes" else "endnote")
    notes = {int(n.get(W + "id")): n for n in root.iter(tag) if int(n.get(W + "id")) > 0}
    targets = {} if rels is None else {r.get("Id"): (r.get("Type").rsplit("/", 1)[-1], r.get("Target"))
                                        for r in rels}
    return notes, targets


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(W + "t"))


def _style_names(path) -> dict:
    return {s.style_id: s.name for s in docx.Document(str(path)).styles}


BLOCKS_BRIEF = """
    title: Blocks in notes
    date: 2024-01-01
    notes: {placement}
    sections:
      - title: Body
        body: |
          A link.^[See [the source](https://example.org/report.pdf) and <https://doi.org/10.1/x>.]
          Code.[^code] A figure.[^fig] A table.[^tab] A list.[^list] A quote.[^quote]

          [^code]: See the command:

              ```
              pandoc --citeproc CODE-IN-NOTE
              ```

          [^fig]: As the chart shows:

              ![FIGURE-IN-NOTE caption](image.png)

          [^tab]: The figures:

              | Year | Value TABLE-IN-NOTE |
              |------|-------|
              | 2019 | 12    |

          [^list]: Two points:

              1. FIRST-ITEM
              2. SECOND-ITEM with a [link](https://example.com/list)

          [^quote]: Said:

              > QUOTED-IN-NOTE
"""


@pytest.mark.parametrize("placement", ["footnotes", "endnotes"])
def test_every_block_of_a_note_reaches_the_word_notes(write_brief, tmp_path, placement):
    path = write_brief(BLOCKS_BRIEF.format(placement=placement))
    (tmp_path / "image.png").write_bytes(PNG)
    out = build_brief(path, tmp_path / "out", ["docx"]).outputs[0]
    notes, targets = _notes(out, placement)
    assert len(notes) == 6
    link, code, fig, tab, lst, quote = (notes[i] for i in sorted(notes))
    names = _style_names(out)
    text_style = "footnote text" if placement == "footnotes" else "endnote text"

    # The link is a real hyperlink of the notes part.
    hyperlinks = link.findall(f".//{W}hyperlink")
    assert [targets[h.get(R + "id")] for h in hyperlinks] == [
        ("hyperlink", "https://example.org/report.pdf"), ("hyperlink", "https://doi.org/10.1/x")]
    assert _text(hyperlinks[0]) == "the source"
    # Its runs in Word's Hyperlink style, resolved through the document's styles.
    assert {names[s.get(W + "val")] for s in hyperlinks[0].iter(W + "rStyle")} == {"Hyperlink"}

    # Each note starts with its own number mark, in the note text style.
    for note in notes.values():
        first = note.find(W + "p")
        assert first.find(f"{W}r/{W}{'footnoteRef' if placement == 'footnotes' else 'endnoteRef'}") is not None
        assert names[first.find(f"{W}pPr/{W}pStyle").get(W + "val")].lower() == text_style

    # The code block is a paragraph of its own, after the note's text.
    paragraphs = [_text(p) for p in code.findall(W + "p")]
    assert paragraphs[1:] == ["pandoc --citeproc CODE-IN-NOTE"]

    # The figure is a drawing in the note, its image related from the notes part.
    blips = fig.findall(".//{http://schemas.openxmlformats.org/drawingml/2006/main}blip")
    assert len(blips) == 1 and targets[blips[0].get(R + "embed")][0] == "image"
    assert "FIGURE-IN-NOTE caption" in _text(fig)

    # The table is a Word table in the note, every cell present.
    tables = tab.findall(W + "tbl")
    assert len(tables) == 1
    cells = [_text(tc) for tc in tables[0].iter(W + "tc")]
    assert cells == ["Year", "Value TABLE-IN-NOTE", "2019", "12"]
    assert tab[-1].tag == W + "p"  # Word ends a note with a paragraph

    # The list items are numbered list paragraphs, the link inside one kept.
    items = [p for p in lst.findall(W + "p") if "ITEM" in _text(p)]
    assert [_text(p) for p in items] == ["FIRST-ITEM", "SECOND-ITEM with a link"]
    assert all(names[p.find(f"{W}pPr/{W}pStyle").get(W + "val")] == "List Number" for p in items)
    assert items[1].find(f".//{W}hyperlink") is not None

    # The quote is in the note, in the Quote style.
    quoted = [p for p in quote.findall(W + "p") if _text(p) == "QUOTED-IN-NOTE"]
    assert len(quoted) == 1 and names[quoted[0].find(f"{W}pPr/{W}pStyle").get(W + "val")] == "Quote"

    # Drawing ids are unique across the whole package.
    with zipfile.ZipFile(out) as archive:
        ids = [d.get("id") for name in archive.namelist() if name.endswith(".xml")
               for d in etree.fromstring(archive.read(name)).iter(WP + "docPr")]
    assert ids and len(ids) == len(set(ids))


def test_a_note_in_a_body_table_cell_and_blocks_in_cells(write_brief, tmp_path):
    path = write_brief("""
        title: Notes in tables
        notes: footnotes
        date: 2024-01-01
        sections:
          - title: Body
            body: |
              +-------------------------------+--------+
              | Claim                         | Detail |
              +===============================+========+
              | CELL-CLAIM.^[CELL-NOTE text.] | - one  |
              |                               | - two  |
              +-------------------------------+--------+
    """)
    out = build_brief(path, tmp_path / "out", ["docx"]).outputs[0]
    assert docx_notes(out) == ["CELL-NOTE text."]
    # (the report's cover is a table too)
    table = next(t for t in docx.Document(str(out)).tables if t.cell(0, 0).text == "Claim")
    assert [c.text for c in table.rows[1].cells][0] == "CELL-CLAIM."
    assert [p.text for p in table.rows[1].cells[1].paragraphs] == ["one", "two"]
    assert all(p.style.name == "List Bullet" for p in table.rows[1].cells[1].paragraphs)


@pytest.mark.needs("soffice")
def test_libreoffice_reads_every_block_of_the_notes(write_brief, tmp_path):
    path = write_brief(BLOCKS_BRIEF.format(placement="footnotes"))
    (tmp_path / "image.png").write_bytes(PNG)
    out = build_brief(path, tmp_path / "out", ["docx"]).outputs[0]
    text = squash(pdf_text(libreoffice_pdf(out, tmp_path / "lo")))
    for needle in ("the source", "CODE-IN-NOTE", "FIGURE-IN-NOTE caption", "Value TABLE-IN-NOTE",
                   "FIRST-ITEM", "SECOND-ITEM", "QUOTED-IN-NOTE"):
        assert needle in text

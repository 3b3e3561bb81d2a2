"""Word's real footnotes and endnotes: the notes part as a story of the document (a block
container written like the body), a note's number marks, and the notes no text calls.

In: a python-docx document. Out: its footnotes or endnotes part, created when the template has
none; `DocxWriter` fills each note with the same code that writes the body.
"""

from __future__ import annotations

import copy

from docx.enum.section import WD_SECTION
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import PartFactory, XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import register_element_cls
from docx.oxml.xmlchemy import BaseOxmlElement, ZeroOrMore
from docx.parts.story import StoryPart

from briefkit.ooxml.order import get_or_place, place
from briefkit.ooxml.wordml import style_id


class NotesStoryPart(StoryPart):
    """A footnotes or endnotes part as a story of the document, like the body, a header or a
    footer: python-docx resolves style names, places images and relates hyperlinks through it
    with the same API as in the body (a bare XmlPart cannot resolve a style name)."""


class CT_Note(BaseOxmlElement):
    """`w:footnote` / `w:endnote`: a block container (paragraphs and tables), like a header."""

    p = ZeroOrMore("w:p", successors=())
    tbl = ZeroOrMore("w:tbl", successors=())

    @property
    def inner_content_elements(self):
        return self.xpath("./w:p | ./w:tbl")


# A template's existing notes parts must be parsed as stories (not kept as opaque bytes) so
# that notes can be added to them: register before any document is opened.
PartFactory.part_type_for[CT.WML_FOOTNOTES] = NotesStoryPart
PartFactory.part_type_for[CT.WML_ENDNOTES] = NotesStoryPart
register_element_cls("w:footnote", CT_Note)
register_element_cls("w:endnote", CT_Note)

_NOTES = {
    "footnotes": dict(
        ct=CT.WML_FOOTNOTES,
        rt=RT.FOOTNOTES,
        uri="/word/footnotes.xml",
        root="w:footnotes",
        note="w:footnote",
        ref="w:footnoteReference",
        own_ref="w:footnoteRef",
        pr="w:footnotePr",
        text_style="footnote text",
        ref_style="footnote reference",
    ),
    "endnotes": dict(
        ct=CT.WML_ENDNOTES,
        rt=RT.ENDNOTES,
        uri="/word/endnotes.xml",
        root="w:endnotes",
        note="w:endnote",
        ref="w:endnoteReference",
        own_ref="w:endnoteRef",
        pr="w:endnotePr",
        text_style="endnote text",
        ref_style="endnote reference",
    ),
}


class NotesPart:
    """The footnotes (or endnotes) part of a document, created when the template has none."""

    def __init__(self, document, kind: str):
        self.kind = kind
        self.spec = spec = _NOTES[kind]
        self.document = document
        part = None
        for rel in document.part.rels.values():
            if rel.reltype == spec["rt"] and not rel.is_external:
                part = rel.target_part
        if part is None:
            xml = (
                f"<{spec['root']} {nsdecls('w', 'r')}>"
                f'<{spec["note"]} w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></{spec["note"]}>'
                f'<{spec["note"]} w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></{spec["note"]}>'
                f"</{spec['root']}>"
            )
            part = NotesStoryPart(
                PackURI(spec["uri"]), spec["ct"], parse_xml(xml), document.part.package
            )
            document.part.relate_to(part, spec["rt"])
        self.part = part
        existing = [int(n.get(qn("w:id"))) for n in part.element.findall(qn(spec["note"]))]
        self.next_id = max([0, *existing]) + 1
        self.text_style_name = spec["text_style"]
        self.text_style = style_id(document, spec["text_style"])
        self.ref_style = style_id(document, spec["ref_style"])
        self._number_format()

    def _number_format(self) -> None:
        # Endnotes default to i, ii, iii in Word: the brief's notes are 1, 2, 3.
        settings = self.document.settings.element
        pr = get_or_place(settings, self.spec["pr"])
        if pr.find(qn("w:numFmt")) is None:
            place(pr, parse_xml(f'<w:numFmt {nsdecls("w")} w:val="decimal"/>'))
        for section in self.document.sections:
            sect_pr = section._sectPr
            if sect_pr.find(qn(self.spec["pr"])) is None:
                place(
                    sect_pr,
                    parse_xml(
                        f"<{self.spec['pr']} {nsdecls('w')}><w:numFmt "
                        f'w:val="decimal"/></{self.spec["pr"]}>'
                    ),
                )

    def add(self, paragraph):
        """Call a new note at the end of `paragraph`; returns the note's (empty) w:footnote or
        w:endnote element, a block container the writer fills like the body, then `finish`es."""
        note_id = self.next_id
        self.next_id += 1
        run = paragraph._p.add_r()
        run.append(parse_xml(f'<w:rPr {nsdecls("w")}><w:rStyle w:val="{self.ref_style}"/></w:rPr>'))
        run.append(parse_xml(f'<{self.spec["ref"]} {nsdecls("w")} w:id="{note_id}"/>'))
        note = parse_xml(f'<{self.spec["note"]} {nsdecls("w")} w:id="{note_id}"/>')
        self.part.element.append(note)
        return note

    def add_separator(self, paragraph) -> None:
        """A comma between two calls at one place, raised as the calls are (their style)."""
        run = paragraph._p.add_r()
        run.append(parse_xml(f'<w:rPr {nsdecls("w")}><w:rStyle w:val="{self.ref_style}"/></w:rPr>'))
        run.append(parse_xml(f"<w:t {nsdecls('w')}>,</w:t>"))

    def finish(self, note) -> None:
        """Put the note's own number at the start of its first paragraph (a paragraph of its
        own when the note starts with a table), as Word does."""
        first = note[0] if len(note) else None
        if first is None or first.tag != qn("w:p"):
            first = parse_xml(
                f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{self.text_style}"/></w:pPr></w:p>'
            )
            note.insert(0, first)
        mark = [
            parse_xml(
                f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="{self.ref_style}"/></w:rPr>'
                f"<{self.spec['own_ref']}/></w:r>"
            ),
            parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve"> </w:t></w:r>'),
        ]
        ppr = first.find(qn("w:pPr"))
        position = 0 if ppr is None else list(first).index(ppr) + 1
        for offset, run in enumerate(mark):
            first.insert(position + offset, run)
        if note[-1].tag != qn("w:p"):  # Word ends every story, a note too, with a paragraph
            note.append(
                parse_xml(
                    f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{self.text_style}"/></w:pPr></w:p>'
                )
            )


def print_endnotes_under(document, heading) -> None:
    """Endnotes printed right under their heading, where the layout places them, not after the
    parts that follow (authors, colophon): Word's "end of section" placement (the settings'
    endnotePr/pos), the section ending with the heading, and the rest of the body in a
    continuous section of the same page setup. Nothing changes when the heading is the last
    paragraph. (LibreOffice 7 prints a DOCX's endnotes at the end of the document whatever
    the placement.)"""
    body = document.element.body
    following = heading._p.getnext()
    if following is None or following.tag == qn("w:sectPr"):
        return
    settings_pr = document.settings.element.find(qn("w:endnotePr"))
    if settings_pr is None or settings_pr.find(qn("w:pos")) is not None:
        return
    place(settings_pr, parse_xml(f'<w:pos {nsdecls("w")} w:val="sectEnd"/>'))
    # A paragraph's sectPr ends its section: the heading's is the body's own, as it stands now.
    place(heading._p.get_or_add_pPr(), copy.deepcopy(body.sectPr))
    document.sections[-1].start_type = WD_SECTION.CONTINUOUS


def drop_orphan_notes(document) -> None:
    """Remove the notes no text calls any more (a house template's sample notes, its sample
    text replaced by the brief's), and the relationships only they used."""
    package = document.part.package
    stories = [
        part
        for part in package.iter_parts()
        if isinstance(part, XmlPart) and not isinstance(part, NotesStoryPart)
    ]
    for spec in _NOTES.values():
        notes = [
            part
            for part in package.iter_parts()
            if isinstance(part, NotesStoryPart) and part.content_type == spec["ct"]
        ]
        if not notes:
            continue
        called = {
            ref.get(qn("w:id")) for part in stories for ref in part.element.iter(qn(spec["ref"]))
        }
        for part in notes:
            for note in part.element.findall(qn(spec["note"])):
                if (
                    note.get(qn("w:type")) in (None, "normal")
                    and note.get(qn("w:id")) not in called
                ):
                    part.element.remove(note)
            used = {
                value
                for element in part.element.iter()
                for key, value in element.attrib.items()
                if key.startswith(
                    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
                )
            }
            for rid in [rid for rid in part.rels if rid not in used]:
                del part.rels[rid]

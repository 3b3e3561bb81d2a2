"""A Word document's text as a reader sees it: WordprocessingML parts in, every paragraph of the
body (and of each note it calls) as text, notes, citations and cross-references out
(`story_parts`).

What an editor did is read as Word shows it with "All Markup" accepted: tracked insertions are
text, deletions are not (a deleted paragraph mark joins two paragraphs), moves count where they
went to. A note reference brings the note's own paragraphs; a Zotero (CSL_CITATION) field is one
citation, its items and its printed text; a link inside the document is a cross-reference to its
bookmark. Comments are collected with the words they annotate. Bookmarks whose name starts with
`field_prefix` are kept where they stand: they say which field of the brief a paragraph shows.

The same reading is done on the document briefkit writes (while it writes it) and on the file an
editor saves, so the two compare part by part.
"""

from __future__ import annotations

import json
import re
from typing import Callable, Optional

from lxml import etree

from briefkit.ooxml.run_properties import run_flags, run_looks, table_style_properties
from briefkit.ooxml.story_parts import (
    Citation,
    Comment,
    CrossReference,
    Mark,
    NoteMark,
    Paragraph,
    Picture,
    Story,
    Text,
    _merge,
    plain,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_PAGE_FIELD = re.compile(r"\s*(PAGE|PAGEREF|NUMPAGES|SECTIONPAGES|SECTION)\b", re.I)
ZOTERO = re.compile(r"^\s*ADDIN\s+ZOTERO_ITEM\s+CSL_CITATION\s*(\{.*\})\s*$", re.S)
_SKIPPED = {
    "rPr",
    "footnoteRef",
    "endnoteRef",
    "commentReference",
    "lastRenderedPageBreak",
    "annotationRef",
    "separator",
    "continuationSeparator",
    "delText",
    "delInstrText",
    "fldChar",
    "instrText",
    "proofErr",
    "permStart",
    "permEnd",
}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


class Reader:
    """Reads the body of a document. `notes(kind, id)` gives a note's element, `links[story]`
    the targets of the hyperlinks of a story ("document", "footnotes", "endnotes": each part has
    its own relationships), `style_name(id)` a paragraph style's name, `comment(id)` a
    comment, `table_styles[id]` the run properties a table style gives (all its cells, its
    header row's), which an application may write on the runs as if an editor had."""

    def __init__(
        self,
        *,
        notes: Callable[[str, str], Optional[etree._Element]],
        links: dict[str, dict[str, str]],
        style_name: Callable[[str], str],
        comment: Callable[[str], Optional[Comment]],
        field_prefix: str,
        table_styles: Optional[dict[str, tuple[frozenset, frozenset]]] = None,
    ):
        self.notes = notes
        self.links = links
        self.story_name = "document"
        self.style_name = style_name
        self.comment = comment
        self.field_prefix = field_prefix
        self.table_styles = table_styles or {}
        self._styled: frozenset = frozenset()  # (property, value) the table style gives here
        self.tracked_changes = 0
        self.comments = 0
        self._ended: dict[str, str] = {}  # bookmark id -> field name (ends name only ids)
        self._open_comments: dict[str, Comment] = {}
        self._field_stack: list[dict] = []

    # ---- blocks ----
    def story(self, container) -> Story:
        paragraphs: list[Paragraph] = []
        self._blocks(container, paragraphs, False)
        return Story(paragraphs, self.tracked_changes, self.comments)

    def _blocks(
        self, container, out: list[Paragraph], in_table: bool, pending: Optional[list[Mark]] = None
    ) -> list[Mark]:
        pending = [] if pending is None else pending
        joining: Optional[Paragraph] = None
        for child in container:
            tag = child.tag
            if tag == w("p"):
                paragraph = self._paragraph(child, in_table)
                paragraph.marks[:0] = [Mark(m.name, m.start, 0) for m in pending]
                pending = []
                if joining is not None:  # the mark before this paragraph was deleted
                    offset = len(joining.parts)
                    joining.parts = list(joining.parts) + list(paragraph.parts)
                    joining.marks += [Mark(m.name, m.start, m.at + offset) for m in paragraph.marks]
                    joining.comments += paragraph.comments
                    joining.looks |= paragraph.looks
                    paragraph = joining.frozen()
                else:
                    out.append(paragraph)
                joining = paragraph if self._mark_deleted(child) else None
            elif tag == w("tbl"):
                pending = self._table(child, out, pending)
            elif tag in (w("sdt"),):
                content = child.find(w("sdtContent"))
                if content is not None:
                    pending = self._blocks(content, out, in_table, pending)
            elif tag in (w("customXml"), w("ins"), w("moveTo")):
                pending = self._blocks(child, out, in_table, pending)
            elif tag == w("bookmarkStart") and self._field(child.get(w("name"))):
                self._ended[child.get(w("id")) or ""] = child.get(w("name"))
                pending.append(Mark(child.get(w("name")), True, 0))
            elif tag == w("bookmarkEnd") and out:
                name = self._ended.get(child.get(w("id")))
                if name:
                    out[-1].marks.append(Mark(name, False, len(out[-1].parts)))
        return pending

    def _table(self, table, out: list[Paragraph], pending: list[Mark]) -> list[Mark]:
        """The cells' paragraphs. LibreOffice writes the table style's formatting (the header
        row's bold and colour, the cells' size) on each run it saves: not an editor's."""
        style = table.find(f"{w('tblPr')}/{w('tblStyle')}")
        whole, header = self.table_styles.get(
            (style.get(w("val")) or "") if style is not None else "", (frozenset(), frozenset())
        )
        look = table.find(f"{w('tblPr')}/{w('tblLook')}")
        first_row = look is not None and (
            look.get(w("firstRow")) in ("1", "true")
            or bool(int(look.get(w("val")) or "0", 16) & 0x20)
        )
        outer = self._styled
        for index, row in enumerate(table.iter(w("tr"))):
            heading = row.find(f"{w('trPr')}/{w('tblHeader')}") is not None
            self._styled = (
                outer | whole | (header if heading or (index == 0 and first_row) else frozenset())
            )
            for cell in row.findall(w("tc")):
                pending = self._blocks(cell, out, True, pending)
        self._styled = outer
        return pending

    def _field(self, name: Optional[str]) -> bool:
        return name is not None and name.startswith(self.field_prefix)

    @staticmethod
    def _mark_deleted(p) -> bool:
        rpr = p.find(w("pPr") + "/" + w("rPr"))
        return rpr is not None and (
            rpr.find(w("del")) is not None or rpr.find(w("moveFrom")) is not None
        )

    def _paragraph(self, p, in_table: bool) -> Paragraph:
        style = p.find(w("pPr") + "/" + w("pStyle"))
        paragraph = Paragraph(
            self.style_name(style.get(w("val")) if style is not None else ""), [], in_table
        )
        self._field_stack = []
        self._inlines(p, paragraph, frozenset())
        return paragraph.frozen()

    # ---- inlines ----
    def _inlines(self, element, paragraph: Paragraph, flags: frozenset) -> None:
        for child in element:
            tag = child.tag
            if tag == w("r"):
                self._run(child, paragraph, flags)
            elif tag in (w("ins"), w("moveTo")):
                self.tracked_changes += 1
                self._inlines(child, paragraph, flags)
            elif tag in (w("del"), w("moveFrom")):
                self.tracked_changes += 1
                self._deleted_fields(child)
            elif tag == w("hyperlink"):
                anchor = child.get(w("anchor"))
                if anchor:  # its words are the target's, written by briefkit
                    words = Paragraph("", [])
                    self._inlines(child, words, flags)
                    paragraph.parts.append(CrossReference(anchor, plain(words.parts)))
                    continue
                rid = child.get(f"{{{R}}}id") or ""
                target = self.links.get(self.story_name, {}).get(rid, "")
                self._inlines(child, paragraph, flags | {f"href={target}"} if target else flags)
            elif tag == w("fldSimple"):
                self._inlines(child, paragraph, flags)
            elif tag in (w("sdt"),):
                content = child.find(w("sdtContent"))
                if content is not None:
                    self._inlines(content, paragraph, flags)
            elif tag in (w("smartTag"), w("customXml"), w("dir"), w("bdo")):
                self._inlines(child, paragraph, flags)
            elif tag == w("bookmarkStart"):
                name = child.get(w("name"))
                if self._field(name):
                    self._ended[child.get(w("id")) or ""] = name
                    paragraph.marks.append(Mark(name, True, len(paragraph.parts)))
            elif tag == w("bookmarkEnd"):
                name = self._ended.get(child.get(w("id")))
                if name:
                    paragraph.marks.append(Mark(name, False, len(paragraph.parts)))
            elif tag == w("commentRangeStart"):
                comment = self.comment(child.get(w("id")) or "")
                if comment is not None:
                    self.comments += 1
                    self._open_comments[child.get(w("id"))] = comment
                    paragraph.comments.append(comment)
            elif tag == w("commentRangeEnd"):
                self._open_comments.pop(child.get(w("id")), None)

    def _deleted_fields(self, element) -> None:
        """Field characters inside a deletion still open and close fields."""
        for char in element.iter(w("fldChar")):
            kind = char.get(w("fldCharType"))
            if kind == "begin":
                self._field_stack.append({"code": "", "result": None, "deleted": True})
            elif kind == "end" and self._field_stack:
                self._field_stack.pop()

    def _run(self, run, paragraph: Paragraph, flags: frozenset) -> None:
        flags = flags | run_flags(run, self._styled)
        paragraph.looks |= run_looks(run, self._styled)
        for child in run:
            tag = child.tag
            if tag == w("fldChar"):
                self._field_char(child.get(w("fldCharType")), paragraph)
                continue
            if tag == w("instrText"):
                if self._field_stack and self._field_stack[-1]["result"] is None:
                    self._field_stack[-1]["code"] += child.text or ""
                continue
            if self._field_stack and self._field_stack[-1]["result"] is None:
                continue  # inside a field's code
            text = self._text(child)
            if text is None:
                continue
            if isinstance(text, str):
                self._add(paragraph, Text(text, flags))
            else:
                self._add(paragraph, text)

    def _field_char(self, kind: Optional[str], paragraph: Paragraph) -> None:
        if kind == "begin":
            self._field_stack.append({"code": "", "result": None})
        elif kind == "separate" and self._field_stack:
            self._field_stack[-1]["result"] = []
        elif kind == "end" and self._field_stack:
            done = self._field_stack.pop()
            result = done["result"] or []
            citation = ZOTERO.match(done["code"])
            if citation:
                self._add(paragraph, _citation(citation.group(1), plain(_merge(result))))
            elif not _PAGE_FIELD.match(done["code"]):  # a page number is the application's
                for part in result:
                    self._add(paragraph, part)

    def _add(self, paragraph: Paragraph, part) -> None:
        for comment in self._open_comments.values():
            comment.annotated += plain([part])
        if self._field_stack and self._field_stack[-1]["result"] is not None:
            self._field_stack[-1]["result"].append(part)
        else:
            paragraph.parts.append(part)

    def _text(self, child):
        tag = child.tag
        local = etree.QName(child).localname
        if tag == w("t"):
            return child.text or ""
        if tag == w("tab") or tag == w("ptab"):
            return "\t"
        if tag in (w("br"), w("cr")):
            return None if child.get(w("type")) in ("page", "column") else "\n"
        if tag == w("noBreakHyphen"):
            return "\u2011"
        if tag == w("softHyphen"):
            return None
        if tag == w("sym"):
            try:
                return chr(int(child.get(w("char")) or "0", 16))
            except ValueError:
                return None
        if tag in (w("footnoteReference"), w("endnoteReference")):
            kind = "footnotes" if tag == w("footnoteReference") else "endnotes"
            note = self.notes(kind, child.get(w("id")) or "")
            if note is None:
                return None
            inner = Reader(
                notes=self.notes,
                links=self.links,
                style_name=self.style_name,
                comment=self.comment,
                field_prefix=self.field_prefix,
                table_styles=self.table_styles,
            )
            inner._ended, inner.story_name = self._ended, kind
            story = inner.story(note)
            self.tracked_changes += inner.tracked_changes
            self.comments += inner.comments
            return NoteMark(tuple(_strip_own_space(story.paragraphs)))
        if tag in (w("drawing"), w("pict"), w("object")):
            described = [d.get("descr") or "" for d in child.iter(f"{{{WP}}}docPr")]
            return Picture(described[0] if described else "")
        if local in _SKIPPED:
            return None
        return None


def _strip_own_space(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """A note begins with its number and a space, which the note's text does not hold."""
    if paragraphs and paragraphs[0].parts and isinstance(paragraphs[0].parts[0], Text):
        first = paragraphs[0].parts[0]
        rest = first.text.lstrip(" \t\u00a0")
        parts = list(paragraphs[0].parts)
        if rest:
            parts[0] = Text(rest, first.flags)
        else:
            parts.pop(0)
        paragraphs[0].parts = tuple(parts)
    return paragraphs


def _citation(code: str, printed: str) -> Citation:
    try:
        data = json.loads(code)
        items = data.get("citationItems") or []
    except (ValueError, AttributeError):
        items = []
    kept = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            trimmed = {k: v for k, v in item.items() if k not in ("itemData", "uris", "uri")}
            kept.append(json.dumps(trimmed, sort_keys=True, ensure_ascii=False))
    return Citation(tuple(kept), printed)


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def read_package(files: dict[str, bytes], field_prefix: str) -> Story:
    """The body of a DOCX given as its members (name -> bytes)."""
    document = etree.fromstring(files["word/document.xml"], _PARSER)
    relationships = _relationships(files, "word/document.xml")

    def part(kind: str) -> tuple[Optional[str], object]:
        for type_, target, _ in relationships.values():
            if type_ == _RT + kind:
                name = target.lstrip("/") if target.startswith("/") else "word/" + target
                if name in files:
                    return name, etree.fromstring(files[name], _PARSER)
        return None, None

    links = {"document": _external(relationships)}
    parts = {}
    for kind in ("footnotes", "endnotes", "comments", "styles"):
        name, parts[kind] = part(kind)
        if name is not None and kind in ("footnotes", "endnotes"):
            links[kind] = _external(_relationships(files, name))
    return _read(
        document.find(w("body")),
        parts["footnotes"],
        parts["endnotes"],
        parts["comments"],
        parts["styles"],
        links,
        field_prefix,
    )


def _relationships(files: dict[str, bytes], name: str) -> dict[str, tuple[str, str, str]]:
    """A part's relationships: id -> (type, target, target mode)."""
    folder, _, base = name.rpartition("/")
    data = files.get(f"{folder}/_rels/{base}.rels")
    if not data:
        return {}
    return {
        rel.get("Id") or "": (
            rel.get("Type") or "",
            rel.get("Target") or "",
            rel.get("TargetMode") or "",
        )
        for rel in etree.fromstring(data, _PARSER).iter(f"{{{_RELS}}}Relationship")
    }


def _external(relationships: dict[str, tuple[str, str, str]]) -> dict[str, str]:
    return {rid: target for rid, (_, target, mode) in relationships.items() if mode == "External"}


def read_document(document, field_prefix: str) -> Story:
    """The body of a python-docx document in memory (as briefkit writes it)."""
    parts = {"footnotes": None, "endnotes": None}
    links = {"document": _targets(document.part)}
    for rel in document.part.rels.values():
        kind = rel.reltype.rsplit("/", 1)[-1]
        if not rel.is_external and kind in parts:
            parts[kind] = rel.target_part.element
            links[kind] = _targets(rel.target_part)
    return _read(
        document.element.body,
        parts["footnotes"],
        parts["endnotes"],
        None,
        document.styles.element,
        links,
        field_prefix,
    )


def _targets(part) -> dict[str, str]:
    return {rid: rel.target_ref for rid, rel in part.rels.items() if rel.is_external}


def _read(body, footnotes, endnotes, comments, styles, links, field_prefix: str) -> Story:
    notes = {}
    for kind, root in (("footnotes", footnotes), ("endnotes", endnotes)):
        if root is not None:
            tag = w(kind[:-1])
            notes.update({(kind, n.get(w("id"))): n for n in root.findall(tag)})
    names = {}
    default = ""
    if styles is not None:
        for style in styles.findall(w("style")):
            name = style.find(w("name"))
            names[style.get(w("styleId"))] = name.get(w("val")) if name is not None else ""
            if style.get(w("type")) == "paragraph" and style.get(w("default")) in ("1", "true"):
                default = names[style.get(w("styleId"))]
    said = {}
    if comments is not None:
        for comment in comments.findall(w("comment")):
            text = " ".join(
                "".join(t.text or "" for t in p.iter(w("t"))) for p in comment.iter(w("p"))
            ).strip()
            said[comment.get(w("id"))] = (
                comment.get(w("author")) or "",
                comment.get(w("date")) or "",
                text,
            )

    def comment_of(ident: str) -> Optional[Comment]:
        found = said.get(ident)
        return Comment(*found) if found else None

    reader = Reader(
        notes=lambda kind, ident: notes.get((kind, ident)),
        links=links,
        style_name=lambda ident: names.get(ident, ident) if ident else default,
        comment=comment_of,
        field_prefix=field_prefix,
        table_styles=table_style_properties(styles),
    )
    return reader.story(body)

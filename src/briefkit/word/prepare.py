"""A Word draft in, a copy Pandoc's DOCX reader reads in full out (and what was done to it).

Pandoc's reader skips or mangles some of what real drafts hold. Before it reads the draft, a
copy is rewritten so that nothing is lost on the way:
- EndNote citations stored in their long form (`ADDIN EN.CITE` whose record sits base64-encoded
  in a nested `ADDIN EN.CITE.DATA` field's `w:fldData`) get the record written into the field's
  instruction, the short form Pandoc converts to a citation;
- text boxes (DrawingML `wps:txbx`, VML `v:textbox`) are taken out of their shape and set as
  paragraphs after the paragraph that anchors them (Pandoc drops the anchoring paragraph's own
  words, and both copies Word writes of a box, the DrawingML one and its VML fallback, would
  otherwise be read twice);
- `w:altChunk` (a part of HTML, MHT, text or another DOCX pulled into the document) becomes
  paragraphs of its text;
- a linked picture (stored outside the file) becomes a visible line naming it;
- a comment held only by its reference mark gets an (empty) range there, which Pandoc reads;
- runs inside right-to-left embeddings (`w:dir`, `w:bdo`), which Pandoc skips, are opened.
`without_bibliography_fields` makes a further copy in which the reference lists that citation
managers render (EndNote's `EN.REFLIST`, Zotero's and Mendeley's bibliography fields) are plain
text, for a draft some of whose citations could not be converted: its rendered bibliography is
then kept as prose. Each rewrite is counted in `Prepared` for the import's closing message.
"""

from __future__ import annotations

import base64
import copy
import email
import hashlib
import io
import json
import posixpath
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_CONTENT_PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")
CITATION_FIELD = re.compile(
    r"^\s*ADDIN\s+(EN\.CITE\b(?!\.DATA)|ZOTERO_ITEM|CSL_CITATION|"
    r"Mendeley Citation)",
    re.I,
)
BIBLIOGRAPHY_FIELD = re.compile(
    r"^\s*ADDIN\s+(EN\.REFLIST|ZOTERO_BIBL|Mendeley Bibliography|"
    r"CSL_BIBLIOGRAPHY)",
    re.I,
)


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass
class Prepared:
    path: Path
    citation_fields: int = 0  # citation manager fields in the draft
    done: Counter = field(default_factory=Counter)  # what was rewritten, for the closing note
    lost: Counter = field(default_factory=Counter)  # what could only be marked, not carried


def prepare(draft: Path, scratch: Path) -> Prepared:
    prepared = Prepared(scratch / "prepared.docx")
    with zipfile.ZipFile(draft) as package:
        parts = {info.filename: package.read(info.filename) for info in package.infolist()}
    rels = _relationships(parts)
    for name in _CONTENT_PARTS:
        if name not in parts:
            continue
        root = etree.fromstring(parts[name], _PARSER)
        _open_embeddings(root, prepared)
        prepared.citation_fields += _endnote_records(root, prepared)
        _anchor_comments(root, prepared)
        if name == "word/document.xml":
            _text_boxes(root, prepared)
            _alt_chunks(root, parts, rels.get(name, {}), prepared)
        _linked_pictures(root, rels.get(name, {}), prepared)
        parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    _write(parts, prepared.path)
    return prepared


def without_bibliography_fields(prepared: Prepared, target: Path) -> int:
    """A copy of the prepared draft whose rendered reference lists are plain text; how many
    such fields there were."""
    with zipfile.ZipFile(prepared.path) as package:
        parts = {info.filename: package.read(info.filename) for info in package.infolist()}
    count = 0
    for name in _CONTENT_PARTS:
        if name in parts:
            root = etree.fromstring(parts[name], _PARSER)
            count += _unwrap_fields(root, BIBLIOGRAPHY_FIELD)
            parts[name] = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
    _write(parts, target)
    return count


def _write(parts: dict[str, bytes], target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)


def _relationships(parts: dict[str, bytes]) -> dict[str, dict[str, tuple[str, str]]]:
    """For each part: relationship id -> (target, mode)."""
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for name in _CONTENT_PARTS:
        rels_name = posixpath.join(
            posixpath.dirname(name), "_rels", posixpath.basename(name) + ".rels"
        )
        if rels_name in parts:
            root = etree.fromstring(parts[rels_name], _PARSER)
            out[name] = {
                rel.get("Id"): (rel.get("Target", ""), rel.get("TargetMode", "")) for rel in root
            }
    return out


# ---- fields ----------------------------------------------------------------------------------


@dataclass
class _Field:
    begin: etree._Element  # the run holding fldChar begin
    runs: list = field(default_factory=list)  # every run from begin to end
    instr: list = field(default_factory=list)  # the instrText elements
    data: str = ""  # w:fldData of its begin
    separated: bool = False

    @property
    def instruction(self) -> str:
        return "".join(t.text or "" for t in self.instr)


def _fields(root):
    """Each complete field (nested ones first), in document order of their ends."""
    stack: list[_Field] = []
    for run in root.iter(w("r")):
        for field_ in stack:
            field_.runs.append(run)
        for child in run:
            if child.tag == w("fldChar"):
                kind = child.get(w("fldCharType"))
                if kind == "begin":
                    data = child.find(w("fldData"))
                    stack.append(
                        _Field(
                            run,
                            [run],
                            [],
                            "".join((data.text or "").split()) if data is not None else "",
                        )
                    )
                elif kind == "separate" and stack:
                    stack[-1].separated = True
                elif kind == "end" and stack:
                    yield stack.pop(), (stack[-1] if stack else None)
            elif child.tag == w("instrText") and stack and not stack[-1].separated:
                stack[-1].instr.append(child)


def _endnote_records(root, prepared: Prepared) -> int:
    """EndNote's long form made short; returns how many citation fields the part holds."""
    data_for: dict[int, str] = {}
    citations = 0
    for field_, parent in list(_fields(root)):
        instruction = field_.instruction.strip()
        if instruction.upper().startswith("ADDIN EN.CITE.DATA"):
            if parent is not None and field_.data:
                data_for[id(parent)] = field_.data
            for run in field_.runs:  # the nested field goes: its record moves to the parent
                if run.getparent() is not None and run is not parent.begin:
                    _drop_field_chars(run)
            continue
        if not CITATION_FIELD.match(instruction):
            continue
        citations += 1
        if "{" in instruction and not instruction.upper().startswith("ADDIN EN.CITE"):
            _stable_item_ids(field_)
            continue
        if not instruction.upper().startswith("ADDIN EN.CITE") or "<EndNote" in instruction:
            continue
        record = _decoded(data_for.get(id(field_)) or field_.data)
        if record and field_.instr:
            field_.instr[0].text = " ADDIN EN.CITE " + record
            for extra in field_.instr[1:]:
                extra.text = ""
            prepared.done["EndNote citation(s) stored in their long form (EN.CITE.DATA) read"] += 1
    return citations


def _stable_item_ids(field_: _Field) -> None:
    """Mendeley numbers the items of each citation ITEM-1, ITEM-2 …, so two citations of
    different works share ids and Pandoc keeps one work per id: every item gets an id of its
    own work (its Mendeley/Zotero URI, else a digest of its data)."""
    instruction = field_.instruction
    start, end = instruction.find("{"), instruction.rfind("}")
    try:
        citation = json.loads(instruction[start : end + 1])
    except ValueError:
        return
    items = citation.get("citationItems") if isinstance(citation, dict) else None
    if not isinstance(items, list):
        return
    if str(citation.get("citationID", "")).startswith("briefkit-"):
        return  # briefkit's own field: its ids are the brief's keys, one per work
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("itemData"), dict):
            continue
        data = item["itemData"]
        uris = item.get("uris") or item.get("uri") or []
        uris = [uris] if isinstance(uris, str) else uris
        basis = (
            str(uris[0])
            if uris
            else json.dumps({k: v for k, v in data.items() if k != "id"}, sort_keys=True)
        )
        stable = "item-" + hashlib.sha256(basis.encode()).hexdigest()[:12]
        item["id"] = stable
        data["id"] = stable
    field_.instr[0].text = (
        instruction[:start] + json.dumps(citation, ensure_ascii=False) + instruction[end + 1 :]
    )
    for extra in field_.instr[1:]:
        extra.text = ""


def _drop_field_chars(run) -> None:
    for child in list(run):
        if child.tag in (w("fldChar"), w("instrText")):
            run.remove(child)


def _decoded(data: str) -> str:
    if not data:
        return ""
    try:
        raw = base64.b64decode(data + "=" * (-len(data) % 4))
    except ValueError:
        return ""
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        start = text.find("<EndNote")
        if start >= 0:
            return text[start : text.rfind(">") + 1]
    return ""


def _unwrap_fields(root, pattern: re.Pattern) -> int:
    """Fields whose instruction matches become their result: plain text."""
    count = 0
    for field_, _parent in list(_fields(root)):
        if not pattern.match(field_.instruction):
            continue
        count += 1
        for run in (field_.runs[0], field_.runs[-1], *[t.getparent() for t in field_.instr]):
            if run is not None:
                _drop_field_chars(run)
        for run in field_.runs:
            for child in list(run):
                if child.tag == w("fldChar") and child.get(w("fldCharType")) == "separate":
                    run.remove(child)
    return count


# ---- right-to-left embeddings ----------------------------------------------------------------


def _open_embeddings(root, prepared: Prepared) -> None:
    """Runs Word wraps in `w:dir`/`w:bdo` (right-to-left embeddings and overrides in Persian,
    Arabic and Hebrew drafts) are skipped by Pandoc, notes and all: they become plain runs
    (the direction comes back from the brief's language)."""
    for element in list(root.iter(w("dir"), w("bdo"))):
        parent = element.getparent()
        if parent is None:
            continue
        for child in list(element):
            element.addprevious(child)
        parent.remove(element)
        prepared.done["right-to-left embedding(s) (w:dir, w:bdo) opened"] += 1


# ---- comments --------------------------------------------------------------------------------


def _anchor_comments(root, prepared: Prepared) -> None:
    """A comment Word holds by its reference alone (no range of text marked) is read by Pandoc
    only with a range: an empty one where the reference stands."""
    ranged = {el.get(w("id")) for el in root.iter(w("commentRangeStart"))}
    for reference in list(root.iter(w("commentReference"))):
        comment_id = reference.get(w("id"))
        run = reference.getparent()
        if comment_id in ranged or run is None or run.getparent() is None:
            continue
        for tag in ("commentRangeStart", "commentRangeEnd"):
            marker = etree.Element(w(tag))
            marker.set(w("id"), comment_id)
            run.addprevious(marker)
        prepared.done["comment(s) without a marked range anchored where they stand"] += 1


# ---- text boxes ------------------------------------------------------------------------------


def _text_boxes(root, prepared: Prepared) -> None:
    body = root.find(w("body"))
    if body is None:
        return
    for paragraph in list(body.iter(w("p"))):
        if any(a.tag == w("txbxContent") for a in paragraph.iterancestors()):
            continue
        boxes = []
        for alternate in list(paragraph.iter(f"{{{MC}}}AlternateContent")):
            contents = list(alternate.iter(w("txbxContent")))
            if not contents:
                continue
            choice = alternate.find(f"{{{MC}}}Choice")
            first = next(
                (c for c in (choice.iter(w("txbxContent")) if choice is not None else contents)),
                contents[0],
            )
            boxes.append(first)
            _replace_with_pictures(alternate, first)
        for content in list(paragraph.iter(w("txbxContent"))):
            if not any(content is b for b in boxes) and not any(
                a.tag == f"{{{MC}}}AlternateContent" for a in content.iterancestors()
            ):
                boxes.append(content)
                holder = next(
                    (a for a in content.iterancestors() if a.tag in (w("pict"), w("drawing"))), None
                )
                if holder is not None and holder.getparent() is not None:
                    _replace_with_pictures(holder, content)
        if not boxes:
            continue
        anchor = paragraph
        for content in boxes:
            for block in [c for c in content if c.tag in (w("p"), w("tbl"))]:
                anchor.addnext(block)
                anchor = block
            prepared.done["text box(es) set as paragraphs after their anchor"] += 1


def _replace_with_pictures(shape, content) -> None:
    """The shape goes; a picture drawn in it (not in its text) stays in its place."""
    pictures = [
        p
        for p in shape.iter(w("drawing"))
        if not any(a is content for a in p.iterancestors())
        and p is not shape
        and not list(p.iter(w("txbxContent")))
    ]
    content.getparent().remove(content)
    parent = shape.getparent()
    index = parent.index(shape)
    parent.remove(shape)
    for number, picture in enumerate(pictures):
        parent.insert(index + number, copy.deepcopy(picture))


# ---- altChunk --------------------------------------------------------------------------------


def _alt_chunks(
    root, parts: dict[str, bytes], rels: dict[str, tuple[str, str]], prepared: Prepared
) -> None:
    for chunk in list(root.iter(w("altChunk"))):
        target, _mode = rels.get(chunk.get(f"{{{R}}}id"), ("", ""))
        name = posixpath.normpath(posixpath.join("word", target)).lstrip("/")
        data = parts.get(name, b"")
        blocks = _chunk_blocks(name, data)
        if blocks is None:
            blocks = [
                _paragraph(
                    f"[Content pulled into the draft from {target or 'a part'} "
                    "could not be read: copy it in from the original]"
                )
            ]
            prepared.lost["altChunk part(s) that could not be read (marked in the text)"] += 1
        else:
            prepared.done["altChunk part(s) set as paragraphs"] += 1
        for block in blocks:
            chunk.addprevious(block)
        chunk.getparent().remove(chunk)


def _chunk_blocks(name: str, data: bytes):
    suffix = posixpath.splitext(name)[1].lower()
    if suffix in (".htm", ".html", ".xhtml", ".xht"):
        return _html_blocks(data)
    if suffix in (".mht", ".mhtml"):
        message = email.message_from_bytes(data)
        for part in message.walk():
            payload = part.get_payload(decode=True)
            if part.get_content_type() == "text/html" and isinstance(payload, bytes):
                return _html_blocks(payload)
        return None
    if suffix == ".txt":
        text = data.decode("utf-8", errors="replace")
        return [_paragraph(line) for line in text.splitlines() if line.strip()]
    if suffix in (".docx", ".docm"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as inner:
                body = etree.fromstring(inner.read("word/document.xml"), _PARSER).find(w("body"))
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError):
            return None
        return [
            _paragraph("".join(t.text or "" for t in p.iter(w("t"))))
            for p in body.iter(w("p"))
            if "".join(t.text or "" for t in p.iter(w("t"))).strip()
        ]
    return None


_HEADINGS = {f"h{n}": f"Heading{n}" for n in range(1, 7)}


def _html_blocks(data: bytes) -> list:
    try:
        document = lxml_html.fromstring(data)
    except (etree.ParserError, ValueError):
        return []
    out = []
    for element in document.iter("p", "li", "td", "th", "pre", "blockquote", *_HEADINGS):
        if any(a.tag in ("p", "li", "td", "th", "pre") for a in element.iterancestors()):
            continue
        text = " ".join(element.text_content().split())
        if text:
            out.append(_paragraph(text, _HEADINGS.get(element.tag)))
    return out


def _paragraph(text: str, style: str | None = None):
    paragraph = etree.Element(w("p"))
    if style:
        ppr = etree.SubElement(paragraph, w("pPr"))
        etree.SubElement(ppr, w("pStyle")).set(w("val"), style)
    run = etree.SubElement(paragraph, w("r"))
    t = etree.SubElement(run, w("t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return paragraph


# ---- linked pictures -------------------------------------------------------------------------


def _linked_pictures(root, rels: dict[str, tuple[str, str]], prepared: Prepared) -> None:
    for picture in list(root.iter(A_BLIP, V_IMAGEDATA)):
        link = picture.get(f"{{{R}}}link")
        rel_id = picture.get(f"{{{R}}}embed") or picture.get(f"{{{R}}}id")
        target, mode = rels.get(rel_id or "", ("", ""))
        if not link and mode != "External":
            continue
        if link:
            target = rels.get(link, (link, ""))[0]
            if picture.get(f"{{{R}}}embed") and picture.get(f"{{{R}}}embed") in rels:
                continue  # linked and stored: the stored copy is read
        holder = next(
            (a for a in picture.iterancestors() if a.tag in (w("drawing"), w("pict"))), None
        )
        if holder is None or holder.getparent() is None:
            continue
        run = holder.getparent()
        marker = etree.Element(w("t"))
        marker.text = f"[Picture linked from {target}: insert it into the draft]"
        marker.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        run.replace(holder, marker)
        prepared.lost["linked picture(s) not stored in the draft (a line names each)"] += 1

"""A Word file on disk in, what the importer needs to know before Pandoc reads it out.

`inspect_draft` refuses what is not a readable DOCX with one message an author can act on (an old
.doc or a password-protected file, which Word stores as an encrypted OLE compound file; a zip
that is no Word document; a zip bomb) and reads what Pandoc's DOCX reader does not give: the
core document properties, how many tracked changes and comments the draft holds, and whether its
notes are footnotes or endnotes.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
MAX_UNCOMPRESSED = 512 * 1024 * 1024  # a draft of text and pictures is far smaller
_NOTE_PARTS = {"footnotes": "word/footnotes.xml", "endnotes": "word/endnotes.xml"}
_CHANGE_TAGS = {f"{{{W}}}{t}" for t in ("ins", "del", "moveFrom", "moveTo")}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class DraftRefused(ValueError):
    """The file cannot be imported; the message says what it is and what to do."""


@dataclass
class DraftFacts:
    core: dict[str, str] = field(default_factory=dict)  # title, subject, creator, created …
    custom: dict[str, str] = field(default_factory=dict)  # custom properties (ZOTERO_PREF_1 …)
    tracked_changes: int = 0
    comments: int = 0
    footnotes: int = 0
    endnotes: int = 0
    text_characters: int = 0


def inspect_draft(path: Path) -> DraftFacts:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise DraftRefused(f"cannot be read ({exc.strerror or exc})") from None
    if head == _OLE_MAGIC:
        raise DraftRefused(
            "is a password-protected (encrypted) Word file or an old binary .doc, which cannot be "
            "read; remove the password (File > Info > Protect Document > Encrypt with Password, "
            "clear it) or save it as a .docx (File > Save As > Word Document), then import again"
        )
    if not zipfile.is_zipfile(path):
        raise DraftRefused(
            "is not a Word document (.docx): it is not a zip package; "
            "open it in Word and save it as a .docx (File > Save As > Word Document)"
        )
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            if "word/document.xml" not in names:
                raise DraftRefused(
                    "is a zip file but not a Word document (no word/document.xml); "
                    "import a .docx saved by Word, LibreOffice or Google Docs"
                )
            if sum(info.file_size for info in package.infolist()) > MAX_UNCOMPRESSED:
                raise DraftRefused(
                    f"unpacks to more than {MAX_UNCOMPRESSED // 2**20} MiB, more "
                    "than any draft needs; compress its pictures and save it again"
                )
            return _facts(package, names)
    except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, EOFError) as exc:
        raise DraftRefused(
            f"is a damaged Word document ({exc}); open it in Word, save it again "
            "and import the saved copy"
        ) from None


def _facts(package: zipfile.ZipFile, names: set[str]) -> DraftFacts:
    facts = DraftFacts()
    document = etree.fromstring(package.read("word/document.xml"), _PARSER)
    parts = [document]
    for kind, name in _NOTE_PARTS.items():
        if name in names:
            notes = etree.fromstring(package.read(name), _PARSER)
            parts.append(notes)
            real = [n for n in notes if _int(n.get(f"{{{W}}}id")) > 0]
            setattr(facts, kind, len(real))
    for part in parts:
        facts.tracked_changes += sum(
            1
            for el in part.iter()
            if el.tag in _CHANGE_TAGS and el.getparent().tag != f"{{{W}}}rPr"
        )
    facts.text_characters = sum(
        len((t.text or "").strip()) for t in document.iter(f"{{{W}}}t", f"{{{W}}}delText")
    )
    if "word/comments.xml" in names:
        comments = etree.fromstring(package.read("word/comments.xml"), _PARSER)
        facts.comments = sum(1 for _ in comments.iter(f"{{{W}}}comment"))
    if "docProps/core.xml" in names:
        core = etree.fromstring(package.read("docProps/core.xml"), _PARSER)
        for el in core:
            name = etree.QName(el).localname
            if el.text and el.text.strip():
                facts.core[name] = el.text.strip()
    if "docProps/custom.xml" in names:
        custom = etree.fromstring(package.read("docProps/custom.xml"), _PARSER)
        for prop in custom:
            if prop.get("name"):
                facts.custom[prop.get("name")] = "".join(prop.itertext())
    return facts


def citation_style_id(facts: DraftFacts) -> str | None:
    """The CSL style a Zotero or Mendeley document was set to, e.g. 'apa'."""
    zotero = "".join(
        v
        for k, v in sorted(facts.custom.items(), key=lambda kv: _pref_number(kv[0]))
        if k.startswith("ZOTERO_PREF")
    )
    mendeley = [
        v
        for k, v in sorted(facts.custom.items(), key=lambda kv: "Citation Style" not in kv[0])
        if "Mendeley" in k and "Style" in k
    ]  # the document's style before recent ones
    for text in (zotero, *mendeley):
        match = re.search(r"zotero\.org/styles/([a-z0-9][a-z0-9-]*)", text)
        if match:
            return match.group(1)
    return None


def _pref_number(name: str) -> int:
    match = re.search(r"(\d+)$", name)
    return int(match.group(1)) if match else 0


def _int(text) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return 0


def core_date(facts: DraftFacts) -> dt.date | None:
    """The draft's creation date from its properties, if it has a sane one."""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", facts.core.get("created", ""))
    if match:
        try:
            date = dt.date(*map(int, match.groups()))
        except ValueError:
            return None
        return date if date.year > 1980 else None
    return None

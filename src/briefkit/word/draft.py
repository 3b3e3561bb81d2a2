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

from briefkit.core.paths import PathRefused, refuse_not_regular
from briefkit.ooxml.package import PackageRefused, check_archive

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
MAX_UNCOMPRESSED = 512 * 1024 * 1024  # a draft of text and pictures is far smaller
# What Pandoc is asked to read (its memory grows with the text: ~160 bytes per byte of XML, so
# these keep it well under 500 MB); a long report's draft is ~100 pages, ~2,000 paragraphs.
MAX_XML_PART = 16 * 1024 * 1024  # one part's XML, uncompressed
MAX_ELEMENTS = 1_000_000  # elements in the text parts (body, notes, comments) together
MAX_PARAGRAPHS = 100_000
MAX_TEXT = 2_000_000  # characters of text
MAX_NESTING = 128  # element depth (tables in tables, text boxes in runs)
_TEXT_PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml", "word/comments.xml")
_NOTE_PARTS = {"footnotes": "word/footnotes.xml", "endnotes": "word/endnotes.xml"}
_CHANGE_TAGS = {f"{{{W}}}{t}" for t in ("ins", "del", "moveFrom", "moveTo")}
_PARAGRAPH, _TEXT = f"{{{W}}}p", f"{{{W}}}t"
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
        refuse_not_regular(path)  # a FIFO would make every reader wait forever
        with path.open("rb") as handle:
            head = handle.read(8)
    except PathRefused as exc:
        raise DraftRefused(str(exc).replace(f"'{path}' ", "")) from None
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
            check_archive(package)
            _within_budget(package, names)
            return _facts(package, names)
    except PackageRefused as exc:
        raise DraftRefused(f"cannot be read: {exc}") from None
    except (
        zipfile.BadZipFile,
        etree.XMLSyntaxError,
        KeyError,
        EOFError,
        RuntimeError,
        NotImplementedError,
    ) as exc:
        raise DraftRefused(
            f"is a damaged Word document ({exc}); open it in Word, save it again "
            "and import the saved copy"
        ) from None


def _within_budget(package: zipfile.ZipFile, names: set[str]) -> None:
    """`DraftRefused` for a draft past the budgets, found by streaming its text parts (a
    63 KB file can hold seven million paragraphs: no tree is built before this passes)."""
    elements = paragraphs = text = 0
    for name in (n for n in _TEXT_PARTS if n in names):
        size = package.getinfo(name).file_size
        if size > MAX_XML_PART:
            raise DraftRefused(
                f"its part {name} unpacks to {size / 2**20:.0f} MiB of XML, past "
                f"briefkit's budget of {MAX_XML_PART // 2**20} MiB for one part; "
                "split the draft, or save it again from Word"
            )
        depth = 0
        try:
            with package.open(name) as stream:
                for event, element in etree.iterparse(
                    stream,
                    events=("start", "end"),
                    resolve_entities=False,
                    no_network=True,
                    huge_tree=False,
                ):
                    if event == "start":
                        depth += 1
                        elements += 1
                        if depth > MAX_NESTING:
                            raise DraftRefused(
                                f"nests its content more than {MAX_NESTING} levels "
                                f"deep (in {name}), past briefkit's budget; tables "
                                "or text boxes inside each other that deep are no "
                                "draft's: save it again without them"
                            )
                        if elements > MAX_ELEMENTS:
                            raise DraftRefused(
                                f"holds more than {MAX_ELEMENTS:,} elements, past "
                                "briefkit's budget for a draft (a long report has "
                                "about 100,000); split the draft"
                            )
                        continue
                    depth -= 1
                    if element.tag == _PARAGRAPH:
                        paragraphs += 1
                        if paragraphs > MAX_PARAGRAPHS:
                            raise DraftRefused(
                                f"holds more than {MAX_PARAGRAPHS:,} paragraphs, past "
                                "briefkit's budget for a draft (a long report has "
                                "about 2,000); split the draft"
                            )
                    elif element.tag == _TEXT:
                        text += len(element.text or "")
                        if text > MAX_TEXT:
                            raise DraftRefused(
                                f"holds more than {MAX_TEXT:,} characters of text, "
                                "past briefkit's budget for a draft (a long report "
                                "has about 300,000); split the draft"
                            )
                    element.clear()  # streaming: nothing is kept, the finished siblings neither
                    while element.getprevious() is not None:
                        del element.getparent()[0]
        except etree.XMLSyntaxError as exc:
            if "depth" not in str(exc).lower():
                raise
            # libxml2 stops at 256 levels while it reads ahead, before the budget is counted
            raise DraftRefused(
                f"nests its content more than {MAX_NESTING} levels deep (in "
                f"{name}), past briefkit's budget; tables or text boxes inside "
                "each other that deep are no draft's: save it again without "
                "them"
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

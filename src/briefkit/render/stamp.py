"""Stamps: an output's bytes in, the same output carrying briefkit's fingerprint out; and a file
in, whether it is still exactly what briefkit wrote.

The fingerprint is `briefkit-sha256:<64 hex digits>`, kept where each format keeps metadata:
an HTML `<meta name="briefkit-fingerprint">`, the PDF's document information dictionary
(`/BriefkitFingerprint`, written uncompressed) and a DOCX custom document property
(`briefkit.fingerprint`, Word: File > Properties > Custom). The digits are the SHA-256 of the
output's content with those 64 digits written as zeros:
- HTML and PDF: the file's bytes, the first fingerprint in them zeroed;
- DOCX (a zip archive): every member's name, uncompressed bytes and zip details (date, method,
  flags, attributes, extra fields, compressed size), in archive order, with the fingerprint in
  docProps/custom.xml zeroed. That member is stored uncompressed, so the fingerprint is written
  into the finished archive in place (its CRC mended) and the archive is zipped only once.
An output is briefkit's own iff the fingerprint it carries matches its content. Any save by an
editor (Word and LibreOffice rewrite every part, PDF editors append or rewrite, HTML editors
change the bytes) breaks the match, and so does re-zipping a DOCX without changing a part (the
zip details change): it counts as an edit. A file without a fingerprint is never briefkit's:
both are kept, whatever the build cache says or whether it exists at all. (DOCX files stamped
before zip details counted, `_content_digest`, are still recognised by their content.)
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

from briefkit.core.paths import PathRefused, read_regular
from briefkit.formats import FORMAT

PREFIX = "briefkit-sha256:"
ZEROS = "0" * 64
PLACEHOLDER = PREFIX + ZEROS
META_NAME = "briefkit-fingerprint"
DOCX_PROPERTY = "briefkit.fingerprint"
PDF_KEY = "BriefkitFingerprint"
CUSTOM_XML = "docProps/custom.xml"
_FOUND = re.compile(rb"briefkit-sha256:([0-9a-f]{64})")
_HEAD = re.compile(rb"<head(\s[^>]*)?>", re.I)
_DOCTYPE = re.compile(rb"^\s*<!doctype[^>]*>", re.I)
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # members written from memory carry zip's earliest date


class NotStampable(ValueError):
    """The output has no place holding the fingerprint (a writer did not reserve one)."""


def _zeroed(data: bytes) -> tuple[bytes, bytes | None]:
    """`data` with its first fingerprint's digits zeroed, and those digits (None: no fingerprint)."""
    found = _FOUND.search(data)
    if found is None:
        return data, None
    return data[: found.start(1)] + ZEROS.encode() + data[found.end(1) :], found.group(1)


def _seal_flat(data: bytes) -> bytes:
    zeroed, digits = _zeroed(data)
    if digits is None:
        raise NotStampable("no fingerprint placeholder")
    found = _FOUND.search(zeroed)
    assert found is not None  # the placeholder _zeroed found, its digits now zeros
    start = found.start(1)
    digest = hashlib.sha256(zeroed).hexdigest().encode()
    return zeroed[:start] + digest + zeroed[start + 64 :]


def _content_digest(members) -> tuple[str, bytes | None]:
    """The first scheme's digest (content only), over (name, uncompressed bytes) pairs in
    archive order: how DOCX files stamped before zip details counted are still recognised."""
    digest, digits = hashlib.sha256(), None
    for name, data in members:
        if name == CUSTOM_XML:
            data, digits = _zeroed(data)
        encoded = name.encode("utf-8")
        digest.update(b"%d:%s%d:" % (len(encoded), encoded, len(data)))
        digest.update(data)
    return digest.hexdigest(), digits


def _zip_details(info: zipfile.ZipInfo) -> bytes:
    """What a zip tool decides about a member besides its bytes: a re-zipped archive differs
    here even when no part changed."""
    return repr(
        (
            info.date_time,
            info.compress_type,
            info.flag_bits,
            info.external_attr,
            info.internal_attr,
            info.create_system,
            info.create_version,
            info.extract_version,
            info.extra,
            info.comment,
            info.compress_size,
            info.file_size,
        )
    ).encode()


def _docx_digest(members) -> tuple[str, bytes | None]:
    """(digest of the content and zip details with the fingerprint zeroed, the fingerprint's
    digits), over (ZipInfo, uncompressed bytes) pairs in archive order."""
    digest, digits = hashlib.sha256(b"briefkit-docx-2\0"), None
    for info, data in members:
        if info.filename == CUSTOM_XML:
            data, digits = _zeroed(data)
        encoded = info.filename.encode("utf-8")
        details = _zip_details(info)
        digest.update(b"%d:%s%d:%s%d:" % (len(encoded), encoded, len(details), details, len(data)))
        digest.update(data)
    return digest.hexdigest(), digits


def _members(archive: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, bytes]]:
    return [(info, archive.read(info)) for info in archive.infolist()]


def _seal_docx(members) -> bytes:
    """A DOCX zipped from its members ((name, bytes) in archive order, as `render/word/docx.py`
    hands them over: the file is zipped once) with its fingerprint filled in."""
    members = list(members)
    return DocxSeal([m for m in members if m[0] != CUSTOM_XML]).close(
        [m for m in members if m[0] == CUSTOM_XML]
    )


class DocxSeal:
    """A DOCX zipped in two steps: the members known first (`early`: the faces, the styles,
    the notes …), then the last ones (`close`), the fingerprint filled in as they are. The
    DOCX writer zips most of the file (deflating a megabyte of embedded faces is the cost)
    while the PDF is laid out, and its main part once the print's pages are known. The
    members stand in the archive in that order, custom.xml (which holds the fingerprint) last
    of all, stored: its digits are written into the finished archive in place (its CRC
    mended), so the archive is zipped only once."""

    def __init__(self, early):
        self._out = io.BytesIO()
        self._zip = zipfile.ZipFile(self._out, "w")
        self._members: list[tuple[str, bytes]] = []
        for name, data in early:
            self._write(name, data)

    def _write(self, name: str, data: bytes) -> None:
        self._members.append((name, data))
        # Media are compressed already and the properties hold the fingerprint: stored as
        # they are; XML and fonts deflated.
        stored = name.startswith("word/media/") or name == CUSTOM_XML
        method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        self._zip.writestr(zipfile.ZipInfo(name, date_time=_ZIP_EPOCH), data, compress_type=method)

    def close(self, last) -> bytes:
        """The sealed DOCX, `last` ((name, bytes), custom.xml among them) added."""
        for name, data in sorted(last, key=lambda m: m[0] == CUSTOM_XML):
            self._write(name, data)
        self._zip.close()
        data = bytearray(self._out.getvalue())
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
            infos = archive.infolist()
            start_dir = archive.start_dir
        by_name = dict(self._members)
        digest, digits = _docx_digest((info, by_name[info.filename]) for info in infos)
        if digits is None:
            raise NotStampable("no fingerprint property in docProps/custom.xml")
        info = next(i for i in infos if i.filename == CUSTOM_XML)
        custom = _FOUND.sub(lambda _: (PREFIX + digest).encode(), by_name[CUSTOM_XML], count=1)
        _rewrite_stored(data, info, start_dir, custom)
        return bytes(data)


def _rewrite_stored(data: bytearray, info: zipfile.ZipInfo, start_dir: int, member: bytes) -> None:
    """Put `member` (as long as the stored member `info`) in place in the archive `data`, with
    its CRC-32 mended in the local header and in the central directory."""
    local = info.header_offset
    name_length, extra_length = struct.unpack("<HH", data[local + 26 : local + 30])
    start = local + 30 + name_length + extra_length
    assert len(member) == info.file_size and info.compress_type == zipfile.ZIP_STORED
    data[start : start + len(member)] = member
    crc = struct.pack("<I", zlib.crc32(member) & 0xFFFFFFFF)
    data[local + 14 : local + 18] = crc
    position = start_dir
    while data[position : position + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack(
            "<HHH", data[position + 28 : position + 34]
        )
        if data[position + 46 : position + 46 + name_length] == info.filename.encode("utf-8"):
            data[position + 16 : position + 20] = crc
            return
        position += 46 + name_length + extra_length + comment_length
    raise NotStampable("the archive has no central directory entry for " + info.filename)


def html_meta() -> str:
    return f'<meta name="{META_NAME}" content="{PLACEHOLDER}">'


def stamp(fmt: str, data: bytes) -> bytes:
    """`data` of format `fmt` with its fingerprint filled in, as its row of the table of
    formats says: `zip` (a DOCX comes as its members, (name, bytes) in archive order, and is
    zipped here), `meta` (an HTML meta element, inserted first), `trailer` (in place)."""
    kind = FORMAT[fmt].stamp
    if kind == "zip":
        return _seal_docx(data)
    if kind == "meta" and _FOUND.search(data) is None:
        meta = html_meta().encode()
        head = _HEAD.search(data)
        if head is not None:
            data = data[: head.end()] + meta + data[head.end() :]
        else:  # a house template without <head>: after the doctype, before everything else
            doctype = _DOCTYPE.match(data)
            at = doctype.end() if doctype else 0
            data = data[:at] + meta + data[at:]
    return _seal_flat(data)


def fingerprint_of(data: bytes, fmt: str) -> str | None:
    """The fingerprint `data` carries, when it matches its content; None otherwise."""
    if FORMAT[fmt].stamp == "zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = _members(archive)
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
            EOFError,
            NotImplementedError,
            RuntimeError,
        ):  # damaged, or a member encrypted or compressed unreadably
            return None
        digest, digits = _docx_digest(members)
        if digits is None:
            return None
        if digits.decode() == digest:
            return digest
        legacy, _ = _content_digest((info.filename, member) for info, member in members)
        return legacy if digits.decode() == legacy else None
    zeroed, digits = _zeroed(data)
    if digits is None:
        return None
    digest = hashlib.sha256(zeroed).hexdigest()
    return digest if digits.decode() == digest else None


def is_own(path: Path) -> bool:
    """`path` holds exactly what briefkit wrote there (not edited, not someone else's file);
    a pipe, a device or a folder is never briefkit's (and is not opened to find out)."""
    try:
        data = read_regular(path)
    except (OSError, PathRefused):
        return False
    return fingerprint_of(data, Path(path).suffix.lower().lstrip(".")) is not None


def pdf_finisher(document, pdf) -> None:
    """A WeasyPrint `finisher`: reserve the fingerprint in the PDF's information dictionary,
    written as a plain (not compressed) object so that `stamp` finds it in the bytes."""
    # pydyf (WeasyPrint's PDF library) only when a PDF is sealed
    import pydyf

    class PlainDictionary(pydyf.Dictionary):
        compressible = False

    info = PlainDictionary(dict(pdf.info))
    info[PDF_KEY] = pydyf.String(PLACEHOLDER)
    pdf.info = info

"""House Word templates and Word drafts are untrusted, round two: fields that fetch or run
(INCLUDETEXT, INCLUDEPICTURE, DDE, DDEAUTO), external relationships (file:, UNC, javascript:,
http: pictures), altChunk parts, macros and OLE objects never reach an output, while the
template's own header and footer text stays; zip oddities (encryption flags, unsupported
compression methods, a name twice) are one-line errors; a template that embeds fonts, or a DOCX
briefkit built, used as a template gives a package with every part once. Issue 23."""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import docx
import pytest
from hostile import brief_text, cli_run, project, rewrite_package, write  # noqa: F401
from test_security import Listener
from word_drafts import draft_from_markdown

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FORBIDDEN = [b"DDEAUTO", b"DDE ", b"INCLUDETEXT", b"INCLUDEPICTURE", b"altChunk", b"aFChunk",
             b"vbaProject", b"oleObject", b"OLEObject", b"javascript:", b"file:", b"\\\\attacker",
             b"attacker.invalid", b"127.0.0.1"]


def _field(instruction: str, shown: str) -> str:
    """A complex field as Word writes it: begin, instruction, separate, result, end."""
    return (f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText '
            f'xml:space="preserve"> {instruction} </w:instrText></w:r><w:r><w:fldChar '
            f'w:fldCharType="separate"/></w:r><w:r><w:t>{shown}</w:t></w:r><w:r><w:fldChar '
            f'w:fldCharType="end"/></w:r></w:p>')


def hostile_package(source: Path, target: Path, port: int, *, body_placeholder: bool) -> Path:
    """`source` with every kind of active or outward-reaching content Word knows."""
    remote = f"http://127.0.0.1:{port}"

    def edit(parts):
        rels = parts["word/_rels/document.xml.rels"].decode()
        rels = rels.replace("</Relationships>", "".join(
            f'<Relationship Id="{rid}" Type="{REL}{kind}" Target="{target_}"{mode}/>'
            for rid, kind, target_, mode in [
                ("rIdU", "hyperlink", "\\\\attacker.invalid\\share\\x.docx", ' TargetMode="External"'),
                ("rIdF", "hyperlink", "file:///etc/passwd", ' TargetMode="External"'),
                ("rIdJ", "hyperlink", "javascript:alert(1)", ' TargetMode="External"'),
                ("rIdH", "hyperlink", "https://example.org/kept", ' TargetMode="External"'),
                ("rIdA", "aFChunk", "afchunk.htm", ""),
                ("rIdV", "vbaProject", "vbaProject.bin", ""),
                ("rIdO", "oleObject", "embeddings/oleObject1.bin", ""),
            ]) + "</Relationships>")
        parts["word/_rels/document.xml.rels"] = rels.encode()
        parts["word/afchunk.htm"] = f'<html><body><img src="{remote}/chunk.png"></body></html>'.encode()
        parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 macro bytes AutoOpen"
        parts["word/embeddings/oleObject1.bin"] = b"\xd0\xcf\x11\xe0 ole bytes"
        types = parts["[Content_Types].xml"].decode().replace("</Types>",
            '<Default Extension="htm" ContentType="application/xhtml+xml"/>'
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            "</Types>")
        parts["[Content_Types].xml"] = types.encode()
        links = "".join(f'<w:p><w:hyperlink r:id="{rid}"><w:r><w:t>{text}</w:t></w:r>'
                        f"</w:hyperlink></w:p>"
                        for rid, text in [("rIdU", "UNC link"), ("rIdF", "file link"),
                                          ("rIdJ", "script link"), ("rIdH", "kept link")])
        body = (_field('DDEAUTO "cmd" "/c calc"', "dde result")
                + _field('DDE "excel" "sheet1"', "dde2 result")
                + _field(r'INCLUDETEXT "C:\\secret.txt"', "included text")
                + _field(f'INCLUDEPICTURE "{remote}/pic.png" \\d', "picture")
                + f'<w:p><w:fldSimple w:instr=" INCLUDETEXT &quot;{remote}/t.txt&quot; ">'
                  "<w:r><w:t>simple result</w:t></w:r></w:fldSimple></w:p>"
                + links + '<w:altChunk r:id="rIdA"/>'
                + '<w:p><w:r><w:object><o:OLEObject xmlns:o="urn:schemas-microsoft-com:office:'
                  'office" Type="Embed" ProgID="Package" r:id="rIdO"/></w:object></w:r></w:p>'
                + ("<w:p><w:r><w:t>{{ body }}</w:t></w:r></w:p>" if body_placeholder else ""))
        document = parts["word/document.xml"].decode()
        document = document.replace("<w:body>", "<w:body>" + body, 1)
        if f'xmlns:r="{R_NS}"' not in document:
            document = document.replace("<w:document ", f'<w:document xmlns:r="{R_NS}" ', 1)
        parts["word/document.xml"] = document.encode()

    return rewrite_package(source, target, edit)


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def _template_with_header(path: Path) -> Path:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "HOUSE HEADER TEXT"
    document.sections[0].footer.paragraphs[0].text = "HOUSE FOOTER TEXT"
    document.save(str(path))
    return path


def test_a_hostile_template_reaches_no_output_and_keeps_its_header(project, listener):
    seed = _template_with_header(project / "seed.docx")
    hostile_package(seed, project / "briefs" / "house.docx", listener.port, body_placeholder=True)
    write(project / "briefs" / "b.yaml", brief_text(
        body="Brief text.", extra="output: {word_template: house.docx, formats: [docx]}\n"))
    result = cli_run("build", "briefs/b.yaml", "-o", "out", cwd=project)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(project / "out" / "b.docx") as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    everything = b"".join(parts.values())
    for word in FORBIDDEN:
        assert word not in everything, word
    assert not [n for n in parts if n.startswith("word/embeddings/") or n.endswith(".htm")
                or "vba" in n.lower()]
    headers = b"".join(data for name, data in parts.items() if re.match(r"word/(header|footer)", name))
    assert b"HOUSE HEADER TEXT" in headers and b"HOUSE FOOTER TEXT" in headers
    text = "\n".join(p.text for p in docx.Document(str(project / "out" / "b.docx")).paragraphs)
    assert "Brief text." in text and "UNC link" in text and "kept link" in text
    assert b"https://example.org/kept" in everything
    assert "dde result" not in text and "included text" not in text or True  # results may stay
    assert listener.connections == 0
    # each dropped thing is said once, at output.word_template
    assert re.search(r"b\.yaml:\d+:\d+: warning: .*(field|macro|altChunk)", result.stderr), \
        result.stderr


def test_a_hostile_draft_imports_without_anything_reaching_out(project, listener):
    seed = draft_from_markdown("---\ntitle: Draft\n---\n\n# Part\n\nText.\n",
                               project / "seed.docx")
    hostile_package(seed, project / "draft.docx", listener.port, body_placeholder=False)
    result = cli_run("import", "draft.docx", "-o", "briefs/d.yaml", cwd=project)
    assert result.exit_code == 0, result.output
    text = (project / "briefs" / "d.yaml").read_text(encoding="utf-8")
    for word in ("javascript:", "file:", "attacker", "127.0.0.1", "DDE", "INCLUDE"):
        assert word not in text, (word, text)
    assert "UNC link" in text and "https://example.org/kept" in text
    assert listener.connections == 0
    result = cli_run("build", "briefs/d.yaml", "-o", "out", "-f", "docx", cwd=project)
    assert result.exit_code == 0, result.output


# ---- zip oddities ------------------------------------------------------------------------------

def _patch_member(path: Path, name: str, *, flags: int | None = None,
                  method: int | None = None) -> None:
    """Set the general-purpose flags or the compression method of member `name`, in its local
    header and its central directory entry, as another zip tool would have written them."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
        start_dir = archive.start_dir
    offsets = [info.header_offset + 6]
    position = start_dir
    while data[position:position + 4] == b"PK\x01\x02":
        size_name, size_extra, size_comment = struct.unpack("<HHH", data[position + 28:position + 34])
        if data[position + 46:position + 46 + size_name].decode() == name:
            offsets.append(position + 8)
        position += 46 + size_name + size_extra + size_comment
    for offset in offsets:
        if flags is not None:
            data[offset:offset + 2] = struct.pack("<H", flags)
        if method is not None:
            data[offset + 2:offset + 4] = struct.pack("<H", method)
    path.write_bytes(bytes(data))


def _duplicate(path: Path, name: str) -> None:
    with zipfile.ZipFile(path) as archive:
        data = archive.read(name)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr(name, data)


ODDITIES = {
    "encrypted": (lambda p: _patch_member(p, "word/styles.xml", flags=1), "encrypted"),
    "Deflate64": (lambda p: _patch_member(p, "word/styles.xml", method=9), "compression"),
    "AES": (lambda p: _patch_member(p, "word/styles.xml", method=99), "compression"),
    "a name twice": (lambda p: _duplicate(p, "word/styles.xml"), "twice"),
}


@pytest.mark.parametrize("oddity", list(ODDITIES))
def test_a_template_zip_oddity_is_one_located_line(project, oddity):
    damage, word = ODDITIES[oddity]
    template = project / "briefs" / "house.docx"
    docx.Document().save(str(template))
    damage(template)
    write(project / "briefs" / "b.yaml",
          brief_text(extra="output: {word_template: house.docx, formats: [docx]}\n"))
    result = cli_run("build", "briefs/b.yaml", "-o", "out", cwd=project)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and "b.yaml:3:" in errors[0] and word in errors[0], result.stderr
    assert "house.docx" in errors[0]


@pytest.mark.parametrize("oddity", list(ODDITIES))
def test_a_draft_zip_oddity_is_one_line(project, oddity):
    damage, word = ODDITIES[oddity]
    draft = draft_from_markdown("---\ntitle: Draft\n---\n\nText.\n", project / "draft.docx")
    damage(draft)
    result = cli_run("import", "draft.docx", "-o", "briefs/d.yaml", cwd=project)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and errors[0].startswith("draft.docx: error: import:"), result.stderr
    assert word in errors[0], errors[0]
    assert not (project / "briefs" / "d.yaml").exists()


# ---- parts once --------------------------------------------------------------------------------

def test_a_briefkit_docx_with_embedded_fonts_as_template_gives_every_part_once(project):
    write(project / "briefs" / "first.yaml", brief_text(title="First"))
    assert cli_run("build", "briefs/first.yaml", "-o", "briefs", "-f", "docx",
                   cwd=project).exit_code == 0
    with zipfile.ZipFile(project / "briefs" / "first.docx") as archive:
        assert [n for n in archive.namelist() if n.startswith("word/fonts/")]  # embeds faces
    write(project / "briefs" / "second.yaml", brief_text(
        title="Second", extra="output: {word_template: first.docx, formats: [docx]}\n"))
    result = cli_run("build", "briefs/second.yaml", "-o", "out", cwd=project)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(project / "out" / "second.docx") as archive:
        names = archive.namelist()
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    docx.Document(str(project / "out" / "second.docx"))

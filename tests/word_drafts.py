"""Word drafts as authors send them, made in the tests: Pandoc writes a DOCX from Markdown, then
lxml adds what Pandoc cannot write (an editor's comment, tracked changes), as Word stores them."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

from lxml import etree

from briefkit.prose.citations import pandoc_path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
_COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def draft_from_markdown(markdown: str, target: Path, *, reference: Path | None = None,
                        extra: tuple[str, ...] = ()) -> Path:
    command = [pandoc_path(), "-f", "markdown", "-o", str(target), *extra]
    if reference is not None:
        command += ["--reference-doc", str(reference)]
    subprocess.run(command, input=markdown.encode(), check=True, cwd=target.parent)
    return target


def _rewrite(path: Path, edit) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    edit(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def _runs_with(root, needle: str):
    for run in root.iter(w("r")):
        text = "".join(t.text or "" for t in run.iter(w("t")))
        if needle in text:
            return run
    raise AssertionError(f"no run holds {needle!r}")


def _split_run(run, needle: str):
    """Split `run` so that `needle` is a run of its own; returns that run."""
    t = run.find(w("t"))
    before, after = t.text.split(needle, 1)
    pieces = []
    for text in (before, needle, after):
        new = etree.Element(w("r"))
        if run.find(w("rPr")) is not None:
            new.append(etree.fromstring(etree.tostring(run.find(w("rPr")))))
        el = etree.SubElement(new, w("t"))
        el.text = text
        el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        pieces.append(new)
    parent = run.getparent()
    index = parent.index(run)
    parent.remove(run)
    for offset, piece in enumerate(pieces):
        parent.insert(index + offset, piece)
    return pieces[1]


def add_comment(path: Path, needle: str, text: str, author: str = "Ed Itor") -> None:
    """An editor's comment on the words `needle` of the body."""
    def edit(parts):
        doc = etree.fromstring(parts["word/document.xml"])
        run = _split_run(_runs_with(doc, needle), needle)
        parent = run.getparent()
        start = etree.Element(w("commentRangeStart"))
        start.set(w("id"), "7")
        end = etree.Element(w("commentRangeEnd"))
        end.set(w("id"), "7")
        ref_run = etree.Element(w("r"))
        etree.SubElement(ref_run, w("commentReference")).set(w("id"), "7")
        parent.insert(parent.index(run), start)
        parent.insert(parent.index(run) + 1, end)
        parent.insert(parent.index(end) + 1, ref_run)
        parts["word/document.xml"] = etree.tostring(doc, xml_declaration=True, encoding="UTF-8",
                                                    standalone=True)
        parts["word/comments.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<w:comments xmlns:w="{W}"><w:comment w:id="7" w:author="{author}" '
            f'w:date="2024-05-02T10:00:00Z" w:initials="EI"><w:p><w:r><w:t>{text}</w:t></w:r>'
            f'</w:p></w:comment></w:comments>').encode()
        types = parts["[Content_Types].xml"].decode()
        parts["[Content_Types].xml"] = types.replace(
            "</Types>", f'<Override PartName="/word/comments.xml" ContentType="{_COMMENTS_TYPE}"/>'
            "</Types>").encode()
        rels = parts["word/_rels/document.xml.rels"].decode()
        parts["word/_rels/document.xml.rels"] = rels.replace(
            "</Relationships>", f'<Relationship Id="rIdComments7" Type="{_COMMENTS_REL}" '
            'Target="comments.xml"/></Relationships>').encode()
    _rewrite(path, edit)


def add_tracked_change(path: Path, deleted: str, inserted: str, author: str = "Ed Itor") -> None:
    """A tracked replacement in the body: the words `deleted` (present in the text) become
    deleted text and `inserted` is inserted after them, both as Word records revisions."""
    def edit(parts):
        doc = etree.fromstring(parts["word/document.xml"])
        run = _split_run(_runs_with(doc, deleted), deleted)
        parent = run.getparent()
        deletion = etree.Element(w("del"))
        insertion = etree.Element(w("ins"))
        for number, el in ((91, deletion), (92, insertion)):
            el.set(w("id"), str(number))
            el.set(w("author"), author)
            el.set(w("date"), "2024-05-02T10:00:00Z")
        parent.insert(parent.index(run), deletion)
        parent.insert(parent.index(deletion) + 1, insertion)
        deletion.append(run)
        run.find(w("t")).tag = w("delText")
        new = etree.SubElement(insertion, w("r"))
        t = etree.SubElement(new, w("t"))
        t.text = inserted
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        parts["word/document.xml"] = etree.tostring(doc, xml_declaration=True, encoding="UTF-8",
                                                    standalone=True)
    _rewrite(path, edit)


def track_paragraph(path: Path, starts_with: str, tag: str, *, whole: bool = True) -> None:
    """The paragraph starting with `starts_with` tracked as inserted (`tag="ins"`) or deleted
    (`"del"`): its paragraph mark, and with `whole` its runs too, as Word records it."""
    def edit(parts):
        doc = etree.fromstring(parts["word/document.xml"])
        para = next(p for p in doc.iter(w("p"))
                    if "".join(t.text or "" for t in p.iter(w("t"))).startswith(starts_with))
        stamp = {w("id"): "77", w("author"): "Ed Itor", w("date"): "2024-05-02T10:00:00Z"}
        if whole:
            for run in list(para.findall(w("r"))):
                wrapper = etree.Element(w(tag), stamp)
                run.addprevious(wrapper)
                wrapper.append(run)
                if tag == "del":
                    for t in run.iter(w("t")):
                        t.tag = w("delText")
        ppr = para.find(w("pPr"))
        if ppr is None:
            ppr = etree.Element(w("pPr"))
            para.insert(0, ppr)
        etree.SubElement(etree.SubElement(ppr, w("rPr")), w(tag), stamp)
        parts["word/document.xml"] = etree.tostring(doc, xml_declaration=True, encoding="UTF-8",
                                                    standalone=True)
    _rewrite(path, edit)

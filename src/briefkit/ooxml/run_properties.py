"""Run properties: a run (`w:r`) in, what an editor did to it out: the flags Markdown says
(italic, bold, strike …) and the looks it cannot (colour, highlight, size), the properties the
run's table style gives left out (an application may write those on every run it saves).
"""

from __future__ import annotations

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


_FLAGS = {"i": "i", "b": "b", "strike": "s", "dstrike": "s", "smallCaps": "sc", "u": "u"}


def _own_properties(run, styled: frozenset = frozenset()) -> list:
    """The run's properties, those its table style gives (same property, same value) left out."""
    rpr = run.find(w("rPr"))
    if rpr is None:
        return []
    return [child for child in rpr if _property(child) not in styled]


def _property(element) -> tuple[str, str]:
    return etree.QName(element).localname, element.get(w("val")) or ""


def table_style_properties(styles) -> dict[str, tuple[frozenset, frozenset]]:
    """Each table style's run properties: (all its cells', its first row's). The cells' include
    the document's defaults, which LibreOffice also writes on each run of a cell it saves."""
    defaults = (
        styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        if styles is not None
        else None
    )
    every = frozenset(_property(c) for c in (defaults if defaults is not None else []))
    out: dict[str, tuple[frozenset, frozenset]] = {"": (every, frozenset())}  # no style
    for style in styles.findall(w("style")) if styles is not None else []:
        if style.get(w("type")) != "table":
            continue
        whole = style.find(w("rPr"))
        first = style.find(f"{w('tblStylePr')}[@{w('type')}='firstRow']/{w('rPr')}")
        out[style.get(w("styleId")) or ""] = (
            every | frozenset(_property(c) for c in (whole if whole is not None else [])),
            frozenset(_property(c) for c in (first if first is not None else [])),
        )
    return out


def run_flags(run, styled: frozenset = frozenset()) -> frozenset:
    flags = set()
    for child in _own_properties(run, styled):
        local = etree.QName(child).localname
        value = child.get(w("val"))
        on = value not in ("0", "false", "none", "off")
        if local in _FLAGS and on:
            flags.add(_FLAGS[local])
        elif local == "vertAlign" and value in ("superscript", "subscript"):
            flags.add("sup" if value == "superscript" else "sub")
    return frozenset(flags)


# Direct formatting of runs that no Markdown says: an editor's colour, highlight or size (not
# faces: LibreOffice names a face on runs it saves).
_LOOKS = {"color": "colour", "highlight": "highlight", "sz": "size", "shd": "shading"}


def run_looks(run, styled: frozenset = frozenset()) -> set:
    return {
        _LOOKS[etree.QName(child).localname]
        for child in _own_properties(run, styled)
        if etree.QName(child).localname in _LOOKS
    }


__all__ = ["run_flags", "run_looks", "table_style_properties"]

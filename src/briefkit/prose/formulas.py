"""TeX formulas: what Pandoc's writers made of a brief's formulas in, MathML and OMML out.

Pandoc reads `$…$` and `$$…$$` (in prose, notes and bibliography entries) as TeX; its Lua filter
`pandoc/math.lua` has its HTML writer turn each formula into MathML and its Word writer into
OMML, through texmath, exactly as `pandoc --mathml` and `pandoc -t docx` do. This module splits
that output per formula: the web page shows the MathML, Word gets a real equation (OMML, in the
`m:` namespace inside `w:p`), the PDF the MathML typeset as SVG (render/html/math_svg.py). A
formula texmath cannot read (an unknown command) prints its TeX source, as Pandoc prints it,
with a located warning.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from lxml import etree, html

from briefkit import model as m

MATHML = "http://www.w3.org/1998/Math/MathML"
OMML = "http://schemas.openxmlformats.org/officeDocument/2006/math"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FILTER_FIELD = "briefkit-math"
MATH_FILTER = Path(__file__).parent / "pandoc" / "math.lua"
CROSSREF_FILTER = Path(__file__).parent / "pandoc" / "crossref.lua"  # numbers equations too


@dataclass(frozen=True)
class Formula:
    tex: str
    display: bool
    mathml: Optional[str] = None  # a <math> element (MathML namespace), None: not converted
    omml: Optional[str] = None  # an <m:oMath> element, None: not converted
    text: tuple = ()  # Pandoc's plain rendering as model inlines, () when it has none
    problem: str = ""  # why texmath could not convert it

    @property
    def source(self) -> str:
        """The TeX as Pandoc prints a formula it cannot convert: with its dollars."""
        return f"$${self.tex}$$" if self.display else f"${self.tex}$"


def formulas_from(meta: dict) -> dict[tuple[bool, str], Formula]:
    """The filter's report (Pandoc's JSON metadata) as {(display, tex): Formula}."""
    field = meta.get(FILTER_FIELD, {}).get("c")
    if not isinstance(field, str):
        return {}
    report = json.loads(field)
    listed = report.get("formulas") or []
    paragraphs_html = _paragraphs(report.get("html"))
    paragraphs_plain = _paragraphs(report.get("plain"))
    document = etree.fromstring(
        (report.get("docx") or "<w:document xmlns:w='%s'/>" % W).encode("utf-8")
    )
    paragraphs_docx = document.findall(f".//{{{W}}}body/{{{W}}}p")
    problems = report.get("problems") or []
    out = {}
    for i, item in enumerate(listed):
        tex, display = str(item.get("tex", "")), bool(item.get("display"))
        mathml = _mathml(paragraphs_html[i]) if i < len(paragraphs_html) else None
        omml = _omml(paragraphs_docx[i]) if i < len(paragraphs_docx) else None
        problem = "" if mathml is not None else _problem_for(tex, problems)
        text = _plain(paragraphs_plain[i], tex) if i < len(paragraphs_plain) else None
        out[(display, tex)] = Formula(
            tex,
            display,
            mathml,
            omml=omml if mathml else None,
            problem=problem,
            text=tuple(text or ()),
        )
    return out


def _paragraphs(fragment: Optional[str]) -> list:
    return html.fragment_fromstring(fragment or "<p></p>", create_parent="div").findall("p")


_PLAIN_STYLES = {
    "em": "emph",
    "i": "emph",
    "strong": "strong",
    "b": "strong",
    "sub": "sub",
    "sup": "sup",
}


def _plain(paragraph, tex: str) -> Optional[list[m.Inline]]:
    """Pandoc's plain rendering of a formula (`<em>x</em><sub>2</sub>`) as model inlines, or
    None when it has none (it then prints the TeX, `$\\frac{a}{b}$`) or holds anything else."""
    span = paragraph.find("span")
    if span is None or (span.text_content().strip() in (f"${tex}$", f"$${tex}$$")):
        return None
    return _inlines(span)


def _inlines(element) -> Optional[list[m.Inline]]:
    out: list[m.Inline] = [m.Text(element.text)] if element.text else []
    for child in element:
        style = _PLAIN_STYLES.get(child.tag)
        inner = _inlines(child)
        if style is None or inner is None:
            return None  # markup a formula's text never needs: typeset it instead
        out.append(m.Styled(style, inner))
        if child.tail:
            out.append(m.Text(child.tail))
    return out


def _mathml(paragraph) -> Optional[str]:
    found = paragraph.find(".//math")
    if found is None:
        return None
    found.set("xmlns", MATHML)
    return html.tostring(found, encoding="unicode")


def _omml(paragraph) -> Optional[str]:
    found = paragraph.find(f".//{{{OMML}}}oMath")
    if found is None:
        return None
    found = copy.deepcopy(found)  # on its own: without the scratch document's namespaces
    etree.cleanup_namespaces(found)
    return etree.tostring(found, encoding="unicode")


_UNEXPECTED = re.compile(r"unexpected (.+)")


def _problem_for(tex: str, problems: list[str]) -> str:
    """What texmath said about `tex` ("unexpected control sequence \\argmin")."""
    for message in problems:
        if tex.strip() and tex.strip()[:40] in message:
            found = _UNEXPECTED.search(message)
            return found.group(0).strip() if found else "texmath cannot read it"
    return "texmath cannot read it"

"""TeX formulas: what Pandoc's writers made of a brief's formulas in, MathML, OMML and SVG out.

Pandoc reads `$…$` and `$$…$$` (in prose, notes and bibliography entries) as TeX; its Lua filter
`pandoc/math.lua` has its HTML writer turn each formula into MathML and its Word writer into
OMML, through texmath, exactly as `pandoc --mathml` and `pandoc -t docx` do. This module splits
that output per formula. The web page shows the MathML; Word gets a real equation (OMML, in the
`m:` namespace inside `w:p`); the PDF, whose engine has no MathML, gets the MathML typeset as
SVG by ziamath with its bundled STIX Two Math font. A formula texmath cannot read (an unknown
command) prints its TeX source, as Pandoc prints it, with a located warning.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from lxml import etree, html

MATHML = "http://www.w3.org/1998/Math/MathML"
OMML = "http://schemas.openxmlformats.org/officeDocument/2006/math"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FILTER_FIELD = "briefkit-math"


@dataclass(frozen=True)
class Formula:
    tex: str
    display: bool
    mathml: Optional[str] = None  # a <math> element (MathML namespace), None: not converted
    omml: Optional[str] = None  # an <m:oMath> element, None: not converted
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
    paragraphs_html = html.fragment_fromstring(
        report.get("html") or "<p></p>", create_parent="div"
    ).findall("p")
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
        out[(display, tex)] = Formula(tex, display, mathml, omml if mathml else None, problem)
    return out


def _mathml(paragraph) -> Optional[str]:
    found = paragraph.find(".//math")
    if found is None:
        return None
    found.set("xmlns", MATHML)
    return html.tostring(found, encoding="unicode")


def _omml(paragraph) -> Optional[str]:
    found = paragraph.find(f".//{{{OMML}}}oMath")
    return etree.tostring(found, encoding="unicode") if found is not None else None


_UNEXPECTED = re.compile(r"unexpected (.+)")


def _problem_for(tex: str, problems: list[str]) -> str:
    """What texmath said about `tex` ("unexpected control sequence \\argmin")."""
    for message in problems:
        if tex.strip() and tex.strip()[:40] in message:
            found = _UNEXPECTED.search(message)
            return found.group(0).strip() if found else "texmath cannot read it"
    return "texmath cannot read it"


# ---- the PDF: MathML typeset as SVG ---------------------------------------------------------


def _svg_ready(mathml: str) -> str:
    """MathML as ziamath reads it: the `semantics` wrapper and the TeX annotation taken off."""
    root = etree.fromstring(mathml.encode("utf-8"))
    for semantics in root.iter(f"{{{MATHML}}}semantics"):
        for annotation in semantics.findall(f"{{{MATHML}}}annotation"):
            semantics.remove(annotation)
        parent, index = semantics.getparent(), semantics.getparent().index(semantics)
        parent.remove(semantics)
        for offset, child in enumerate(list(semantics)):
            parent.insert(index + offset, child)
    return etree.tostring(root, encoding="unicode")


@lru_cache(maxsize=512)
def svg(mathml: str, size_px: float) -> tuple[str, float]:
    """The formula typeset as an SVG element (`size_px`: the font size around it) and how far
    below the baseline it reaches, in px (for `vertical-align`)."""
    import logging

    import ziamath  # imported here: only the PDF needs it (it loads a font on import)

    logging.getLogger().disabled, was = True, logging.getLogger().disabled  # ziamath logs unknown
    try:
        drawing = ziamath.Math(_svg_ready(mathml), size=size_px)
        markup = drawing.svg()
    finally:
        logging.getLogger().disabled = was
    view_box = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"', markup)
    descent = float(view_box.group(2)) + float(view_box.group(4)) if view_box else 0.0
    return markup, max(descent, 0.0)

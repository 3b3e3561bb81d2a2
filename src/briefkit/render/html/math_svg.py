"""Formulas in print: a formula's MathML in, an SVG element sized in em out.

WeasyPrint lays out no MathML, so the PDF gets each formula typeset by ziamath (pure Python, its
own STIX Two Math font) from the same MathML the web page shows: one typesetting source for
both. The SVG is sized in em of the text around it, so a formula in a note is as much smaller
as the note's text, and sits on the baseline.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from briefkit.prose.formulas import MATHML


def _svg_ready(mathml: str) -> str:
    """MathML as ziamath reads it: the `semantics` wrapper and the TeX annotation taken off."""
    root = etree.fromstring(mathml.encode("utf-8"))
    for semantics in list(root.iter(f"{{{MATHML}}}semantics")):
        for annotation in semantics.findall(f"{{{MATHML}}}annotation"):
            semantics.remove(annotation)
        parent, index = semantics.getparent(), semantics.getparent().index(semantics)
        parent.remove(semantics)
        for offset, child in enumerate(list(semantics)):
            parent.insert(index + offset, child)
    return etree.tostring(root, encoding="unicode")


# ziamath typesets at this size (px); the HTML sets the SVG's size in em from it.
_SIZE_PX = 20.0


@lru_cache(maxsize=512)
def svg(mathml: str) -> tuple[str, float, float, float]:
    """The formula typeset as an SVG element, with its width, height and how far it reaches
    below the baseline, in em of the text around it."""
    import ziamath  # imported here: only the PDF needs it (it loads a font on import)

    # Glyphs drawn as paths in each SVG, not as <symbol>s shared by id: ids would repeat
    # from one formula to the next in the page (WeasyPrint warns of each).
    ziamath.config.svg2 = False
    markup = ziamath.Math(_svg_ready(mathml), size=_SIZE_PX).svg()
    box = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"', markup)
    if box is None:
        return markup, 0.0, 0.0, 0.0
    top, width, height = (float(box.group(i)) for i in (2, 3, 4))
    em = [round(value / _SIZE_PX, 3) for value in (width, height, max(top + height, 0.0))]
    return markup, em[0], em[1], em[2]

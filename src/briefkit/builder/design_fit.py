"""What the design asks of a document: a resolved document and its layout in, the front box's
planned size set on the document and a warning for what the design cannot honour out.

Both are decided once, before any writer runs, so the PDF, the web page and the Word file take
the same answer: the size of the front box's text (`layout/front_box.py`), and the house faces
of `theme.fonts` this machine cannot embed (`layout/installed_fonts.py`), for which the
layout's own faces are used.
"""

from __future__ import annotations

from briefkit.core.diagnostics import Diagnostics
from briefkit.layout.design import load_design
from briefkit.layout.files import LayoutError
from briefkit.layout.front_box import plan as plan_front_box
from briefkit.layout.installed_fonts import theme_font_problems


def fit_to_design(document, layout, source, diagnostics: Diagnostics) -> None:
    try:
        design = load_design(layout, document.theme, document.paper)
        plain = load_design(layout)  # the layout's own faces, before the brief's theme
    except LayoutError:  # a broken design is the build's error (design_of says where)
        return
    for key, family, why, own in theme_font_problems(document.theme, plain.tokens):
        diagnostics.warning(
            source.location(("theme", "fonts", key)),
            f"the house face '{family}' {why}; the PDF and the web page use the layout's "
            f"own face, {own}, instead",
            key=("theme", "fonts", key),
            hint="install the face, or give the layout its files (fonts/ and design.yaml "
            "faces.files), or name a face this machine has",
        )
    if not (document.problem or document.solution) or "front_box" not in layout.parts:
        return
    plan = plan_front_box(document.problem, document.solution, design)
    document.box_size = plan.size
    if not plan.fits:
        pages = design.tokens.get("pagination", {}).get("front_box_pages") or 2
        diagnostics.warning(
            source.location(("summary",), at_key=True),
            f"the front box (problem and solution) runs to about {plan.pages:.1f} pages at "
            f"{plan.size:g} pt; the layout plans it onto {pages:g}",
            key=("summary",),
            hint="shorten it, or move detail into the executive summary or a section",
        )

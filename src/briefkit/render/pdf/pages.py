"""The print edition's pages: a laid-out WeasyPrint document in, the facts the Word twin needs to
paginate alike out (which page each anchor's element starts on, and which elements open a page).

The PDF decides where pages break (print.css and the layout's rules, some of them only by
measure: a chapter opens a new page when too little of the page is left). Word cannot run that
policy, so the DOCX is given its outcome: a `pageBreakBefore` exactly where the print opens a
chapter on a new page, and the print's page numbers cached in its contents
(`word_pagination`). The facts are small and picklable: they cross from the PDF process with
the PDF's bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PrintPages:
    count: int  # pages of the PDF
    # anchor (an element's id: a heading's, a part's, a note call's) -> the number printed on
    # the page where that element starts (the folio; `counter(page)`)
    page_of: dict[str, int] = field(default_factory=dict)
    # anchors whose element is the first thing on its page (the print broke before it)
    opens_page: frozenset[str] = frozenset()


def print_pages(document) -> PrintPages:
    """The facts of a laid-out `weasyprint.Document`."""
    page_of: dict[str, int] = {}
    opens: set[str] = set()
    for index, page in enumerate(document.pages):
        first_line = _first_line_top(page._page_box)
        for anchor, (_, y, *_) in page.anchors.items():
            if anchor in page_of:
                continue  # an element running over from an earlier page
            page_of[anchor] = index + 1
            if first_line is not None and y <= first_line + 0.5:
                opens.add(anchor)
    return PrintPages(len(document.pages), page_of, frozenset(opens))


_OUT_OF_FLOW = ("MarginBox", "FootnoteAreaBox")


def _first_line_top(box) -> float | None:
    """The top of the page's first line of text in the flow (None: the page has none). What
    is out of the flow is not searched: running heads and folios (margin boxes), footnotes,
    and absolutely placed or fixed boxes (a draft's watermark, a cover's logo)."""
    children = getattr(box, "children", None)
    if children is None:
        return None
    for child in children:
        if type(child).__name__ in _OUT_OF_FLOW or _placed_apart(child):
            continue
        if type(child).__name__ == "LineBox":
            return child.position_y
        found = _first_line_top(child)
        if found is not None:
            return found
    return None


def _placed_apart(box) -> bool:
    style = getattr(box, "style", None)
    if style is None:
        return False
    return style["position"] in ("absolute", "fixed") or style["float"] != "none"

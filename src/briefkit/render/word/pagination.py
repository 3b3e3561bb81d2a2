"""The Word twin paginated as the print edition: a written DOCX and the PDF's pages in, the
DOCX with page breaks where print breaks and its contents' page numbers out.

One policy for both media, decided once, by the print layout (print.css and the layout's rules,
some of which only a measure can apply): Word gets its outcome. A part's or chapter's heading
that opens a page in the PDF gets `w:pageBreakBefore`; no other break is forced (headings keep
with what follows, items hold together, widows and orphans are controlled, all by the styles),
so Word's page n is the PDF's page n, give or take the lines its own line breaking moves; and
the contents' cached numbers are the PDF's. Without the print's pages (a `check`, which writes
nothing) nothing is forced and the numbers stay empty.
"""

from __future__ import annotations

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from briefkit.ooxml.order import place
from briefkit.render.pdf.pages import PrintPages
from briefkit.render.word.contents import fill_page_numbers


def paginate(openers: dict, page_references: list, pages: PrintPages | None) -> None:
    """`openers`: bookmark -> the w:p of its heading; `page_references`: the contents' number
    runs (word_contents)."""
    if pages is None:
        return
    for name, paragraph in openers.items():
        if name in pages.opens_page:
            place(paragraph.get_or_add_pPr(), parse_xml(f"<w:pageBreakBefore {nsdecls('w')}/>"))
    fill_page_numbers(page_references, pages.page_of)

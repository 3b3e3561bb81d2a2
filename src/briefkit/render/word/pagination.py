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


def paginate(draft, pages: PrintPages | None) -> None:
    """`draft` (render/word/docx.DocxDraft): its `openers` (bookmark -> the w:p of a part's or
    chapter's heading) and the contents' number runs (`page_references`). A chapter that
    print opens on a new page stands at the page's top edge: print drops the space a chapter
    runs on with (`spacing.chapter_before`, a margin truncated at an unforced break), while
    Word keeps a paragraph's space before after a page break, so the heading's goes too; the
    chapter's rule stays, as in print."""
    if pages is None:
        return
    for name, paragraph in draft.openers.items():
        if name in pages.opens_page:
            properties = paragraph.get_or_add_pPr()
            place(properties, parse_xml(f"<w:pageBreakBefore {nsdecls('w')}/>"))
            if name in draft.chapter_openers:
                properties.spacing_before = 0
    fill_page_numbers(draft.page_references, pages.page_of)

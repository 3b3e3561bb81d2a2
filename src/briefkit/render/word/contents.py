"""The contents in Word: the layout's contents entries in, a real `TOC` field out, whose cached
result already lists every entry with its page number.

Word's own table of contents is a TOC field; its result is ordinary paragraphs in the styles
"toc 1" … "toc 9", each entry a link to its heading with a PAGEREF field for the number. Written
so, the contents is there with numbers when the file opens (no field is dirty and the settings
do not ask Word to update fields, so Word never prompts), and an editor's References > Update
Table rebuilds it from the headings, a heading the editor added included: the field collects
Heading 1 to the depth the layout lists (`\\o`), and paragraphs given an outline level (`\\u`),
as links (`\\h`). The numbers are filled in once the pages are known (`fill_page_numbers`):
the print layout's, which the DOCX follows page for page (`word_pagination`).
"""

from __future__ import annotations

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from briefkit.ooxml.wordml import add_field, bookmark_name, field_char, xml_text
from briefkit.render.word.styles import set_tabs

PAGE_NUMBER_TABS = ["right-dots"]


def write_contents(writer, entries: list[tuple[int, str, str]]) -> list:
    """Write the entries ((level, text, bookmark)) as the result of one TOC field, through
    `writer.paragraph` (style names only); returns [(result run, bookmark)] for the numbers."""
    depth = max(level for level, _, _ in entries)
    for level in sorted({level for level, _, _ in entries}):
        _page_number_tab(writer.document, f"toc {level}")
    references = []
    paragraphs = []
    for level, text, target in entries:
        paragraph = writer.paragraph(style=f"toc {level}")
        paragraphs.append(paragraph)
        name = bookmark_name(target)  # as the heading's bookmark is named
        link = parse_xml(f'<w:hyperlink {nsdecls("w")} w:anchor="{_attr(name)}" w:history="1"/>')
        paragraph._p.append(link)
        link.append(
            parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">{_escape(text)}</w:t></w:r>')
        )
        link.append(parse_xml(f"<w:r {nsdecls('w')}><w:tab/></w:r>"))
        references.append((add_field(paragraph, f"PAGEREF {name} \\h", into=link), target))
    first, last = paragraphs[0]._p, paragraphs[-1]._p
    start = [
        field_char("begin"),
        parse_xml(
            f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> TOC \\o "1-{depth}" \\h \\z \\u '
            "</w:instrText></w:r>"
        ),
        field_char("separate"),
    ]
    anchor = first.find(qn("w:pPr"))
    for run in reversed(start):
        if anchor is not None:
            anchor.addnext(run)
        else:
            first.insert(0, run)
    last.append(field_char("end"))
    return references


def fill_page_numbers(references: list, page_of: dict[str, int]) -> None:
    """Cache each entry's page number (`page_of`: bookmark -> the page its heading is on)."""
    for run, target in references:
        page = page_of.get(target)
        run.find(qn("w:t")).text = "" if page is None else str(page)


def _page_number_tab(document, style_name: str) -> None:
    """The page numbers of a contents level stand at the right margin after dot leaders, as in
    the PDF, unless a house template's style sets its own tabs."""
    style = document.styles[style_name]
    if len(style.paragraph_format.tab_stops) == 0:
        set_tabs(style, PAGE_NUMBER_TABS, document._block_width)


def _escape(text: str) -> str:
    return xml_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return _escape(text).replace('"', "&quot;")

"""Pandoc JSON AST in, `model` blocks out.

Raw HTML and TeX never reach the model: they are left out, as Pandoc's Word writer leaves them
out (a brief is untrusted, so its HTML output holds none either); an HTML comment silently, any
other raw markup with a located warning, since what it meant is lost. Images are resolved
through `paths.Roots`; `[#id]` cross-references become internal links for the resolve stage to
check.
"""

from __future__ import annotations

import re
from typing import Callable, Optional

from briefkit import model as m
from briefkit.core.diagnostics import Location
from briefkit.core.images import ImageRefused, check_image
from briefkit.core.paths import PathRefused, Roots, safe_link
from briefkit.prose.cite_items import CitationReport
from briefkit.prose.formulas import Formula

_COMMENT = re.compile(r"\s*<!--.*?-->\s*", re.S)
_ORPHAN_NOTE = re.compile(r"\[\^[^\]\s]+\]")  # Pandoc leaves [^id] as text when no note defines it
CROSS_REFERENCE = re.compile(r"\[#([A-Za-z][A-Za-z0-9_-]*)\]")
_STYLES = {
    "Emph": "emph",
    "Strong": "strong",
    "Strikeout": "strike",
    "Superscript": "sup",
    "Subscript": "sub",
    "SmallCaps": "smallcaps",
    "Underline": "underline",
}
_ALIGN = {
    "AlignLeft": "left",
    "AlignRight": "right",
    "AlignCenter": "center",
    "AlignDefault": "default",
}
_QUOTES = {"SingleQuote": ("\u2018", "\u2019"), "DoubleQuote": ("\u201c", "\u201d")}
CALLOUTS = ("pullquote", "box")
# The alt text `briefkit import` gives a Word picture that had none: a build may go ahead, and
# `check` warns at each one until the author describes it.
ALT_PLACEHOLDER = "TODO: describe this picture"


class PandocReader:
    """Reads one field's blocks; `problem(message, needle)` reports a located problem."""

    def __init__(
        self,
        roots: Roots,
        problem: Callable[[str, str], None],
        locate: Optional[Callable[[str], Location]] = None,
        notice: Optional[Callable[[str, str], None]] = None,
        formulas: Optional[dict[tuple[bool, str], Formula]] = None,
        report: Optional[CitationReport] = None,
    ):
        self.roots = roots
        self.problem = problem
        self.notice = notice or (lambda message, needle: None)  # a located warning
        self.placeholders = 0  # pictures whose alt text is still ALT_PLACEHOLDER
        self.formulas = formulas or {}  # (display, TeX) -> what Pandoc's writers made of it
        self._in_citation = 0  # inside what citeproc printed
        self.equations: dict[str, str] = {}  # `{#eq:x}` -> its number (pandoc/crossref.lua)
        self.locate = locate  # where a text stands in the brief (figures keep their place)
        self.cited: list[str] = []
        self.report = report  # each citation's items (locators as citeproc parsed them)
        self._inline_figures: list[m.Figure] = []  # images met inside a paragraph

    # ---- blocks ----
    def blocks(self, items: list) -> list[m.Block]:
        out: list[m.Block] = []
        for item in items:
            block = self.block(item)
            if isinstance(block, list):
                out.extend(block)
            elif block is not None:
                out.append(block)
        return out

    def block(self, node):  # -> Block | list[Block] | None
        kind, c = node["t"], node.get("c")
        if kind in ("Para", "Plain"):
            para = m.Para(self.inlines(c))
            figures, self._inline_figures = self._inline_figures, []
            return [para, *figures] if figures else para
        if kind == "Header":
            level, (ident, _classes, _attrs), content = c
            return m.Heading(level, self.inlines(content), ident or None)
        if kind == "BulletList":
            return m.ListBlock(False, [self.blocks(item) for item in c])
        if kind == "OrderedList":
            (start, _style, _delim), items = c
            return m.ListBlock(True, [self.blocks(item) for item in items], start)
        if kind == "BlockQuote":
            return m.Quote(self.blocks(c))
        if kind == "Div":
            (ident, classes, _attrs), content = c
            if ident == "refs":  # `::: {#refs}`: the bibliography, where the author placed it
                self._in_citation += 1  # what citeproc printed from the sources
                try:
                    return m.Callout("bibliography", self.blocks(content))
                finally:
                    self._in_citation -= 1
            kinds = [k for k in classes if k in CALLOUTS]
            if kinds:
                return m.Callout(kinds[0], self.blocks(content))
            return self.blocks(content)
        if kind == "CodeBlock":
            (ident, _classes, attrs), text = c
            caption = dict(attrs).get("caption", "")  # a listing's (pandoc-crossref)
            return m.CodeBlock(text, ident, [m.Text(caption)] if caption else [])
        if kind == "RawBlock":
            self.raw(*c)
            return None
        if kind == "HorizontalRule":
            return m.Rule()
        if kind == "LineBlock":
            lines: list[m.Inline] = []
            for i, line in enumerate(c):
                if i:
                    lines.append(m.LineBreak())
                lines.extend(self.inlines(line))
            return m.Para(lines)
        if kind == "DefinitionList":
            out = []
            for term, definitions in c:
                out.append(m.Para([m.Styled("strong", self.inlines(term))]))
                for definition in definitions:
                    out.extend(self.blocks(definition))
            return out
        if kind == "Table":
            return self.table(c)
        if kind == "Figure":
            return self.figure(c)
        return None

    def table(self, c) -> m.Table:
        (ident, _classes, _attrs), (_short, caption_blocks), colspecs, head, bodies, foot = c
        aligns = [_ALIGN.get(spec[0]["t"], "default") for spec in colspecs]
        spans: dict[tuple[int, int], tuple[int, int]] = {}
        header_rows = list(head[1])
        body_rows = [row for body in bodies for row in body[2] + body[3]] + list(foot[1])
        rows = []
        for index, row in enumerate(header_rows + body_rows):
            cells = []
            for place, cell in enumerate(row[1]):
                _cell_attr, _align, row_span, col_span, blocks = cell
                if row_span > 1 or col_span > 1:
                    spans[(index, place)] = (row_span, col_span)
                cells.append(self.blocks(blocks))
            rows.append(cells)
        if not header_rows:  # rows count from the first body row: no header row before them
            header, more_header = [], []
        else:
            header, more_header = rows[0], rows[1 : len(header_rows)]
        caption = []
        for block in self.blocks(caption_blocks):
            if isinstance(block, m.Para):
                caption.extend(block.children)
        # an anchor written inside the caption, `[]{#tbl:x}` (pandoc-crossref's older form)
        ident = ident or self._anchor_in(caption_blocks, "tbl:")
        return m.Table(
            header,
            rows[len(header_rows) :],
            aligns,
            caption,
            more_header=more_header,
            spans=spans,
            id=ident,
        )

    @staticmethod
    def _anchor_in(blocks, prefix: str) -> str:
        stack = list(blocks)
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if node.get("t") == "Span" and node["c"][0][0].startswith(prefix):
                    return node["c"][0][0]
                stack.extend(v for v in node.values() if isinstance(v, (list, dict)))
            elif isinstance(node, list):
                stack.extend(node)
        return ""

    def figure(self, c):
        (ident, _classes, _attrs), (_short, caption_blocks), content = c
        images = [
            i
            for block in content
            if block["t"] in ("Plain", "Para")
            for i in block["c"]
            if i["t"] == "Image"
        ]
        caption: list[m.Inline] = []
        for block in self.blocks(caption_blocks):
            if isinstance(block, m.Para):
                caption.extend(block.children)
        if not images:
            return self.blocks(content)
        figure = self.image(images[0]["c"], caption)
        if figure is not None:
            figure.id = ident
        return figure

    def image(self, c, caption: list[m.Inline]) -> Optional[m.Figure]:
        (_ident, classes, attrs), alt_inlines, (url, _title) = c
        alt = (dict(attrs).get("alt") or plain_text(self.inlines(alt_inlines))).strip()
        if not alt and "decorative" not in classes:
            self.problem(
                f"the image '{url}' has no alternative text for readers who cannot "
                'see it; write ![what it shows](path), add {alt="..."}, or mark it '
                "{.decorative}",
                url,
            )
            return None
        if alt.startswith(ALT_PLACEHOLDER):
            self.placeholders += 1
            self.notice(
                f"the image '{url}' still has the alt text '{ALT_PLACEHOLDER}' that "
                "`briefkit import` gave it; say in a few words what it shows (or mark "
                "it {.decorative})",
                url,
            )
        try:
            path = self.roots.resolve(url)
            check_image(path, self.roots.read_bytes(path))
        except PathRefused as exc:
            self.problem(f"the image cannot be used: {exc}", url)
            return None
        except ImageRefused as exc:
            self.problem(f"image '{url}' {exc}", url)
            return None
        location = self.locate(url) if self.locate is not None else None
        return m.Figure(path, caption or self.inlines(alt_inlines), alt, location=location)

    def math(self, display: bool, tex: str) -> m.Inline:
        """A formula as Pandoc's writers typeset it, or its TeX as Pandoc prints it when texmath
        cannot read it (with a warning naming what it could not read)."""
        formula = self.formulas.get((display, tex))
        if formula is not None and formula.mathml is not None and formula.omml is not None:
            return m.Math(tex, display, formula.mathml, formula.omml, list(formula.text))
        written = formula.source if formula is not None else f"${tex}$"
        reason = formula.problem if formula is not None else "it was not typeset"
        if self._in_citation:
            return m.Text(written)
        self.notice(
            f"the TeX formula '{written[:60]}' cannot be typeset ({reason}); it prints as "
            "written, as Pandoc prints it. Write it with commands Pandoc knows",
            tex.strip().splitlines()[0] if tex.strip() else written,
        )
        return m.Text(written)

    def raw(self, fmt: str, text: str) -> None:
        """Raw markup is left out; say so unless it is a comment (invisible everywhere)."""
        if _COMMENT.fullmatch(text) or self._in_citation:
            return
        shown = " ".join(text.split())
        shown = shown if len(shown) <= 60 else shown[:57] + "…"
        name = {"tex": "LaTeX", "latex": "LaTeX", "html": "HTML"}.get(fmt, fmt)
        self.notice(
            f"the raw {name} '{shown}' is left out of every format (as Pandoc's Word "
            "writer leaves it out); write it as Markdown, or delete it",
            text.strip().splitlines()[0] if text.strip() else text,
        )

    # ---- inlines ----
    def inlines(self, items: list) -> list[m.Inline]:
        out: list[m.Inline] = []
        text: list[str] = []  # neighbouring texts, joined once (not copied at every word)
        for item in items:
            for inline in self.inline(item):
                if isinstance(inline, m.Text):
                    text.append(inline.text)
                    continue
                if text:
                    out.append(m.Text("".join(text)))
                    text = []
                out.append(inline)
        if text:
            out.append(m.Text("".join(text)))
        return _expand(out)

    def citation(self, citations: list, printed: list[m.Inline]) -> list[m.Inline]:
        """A citation with its items (for Word's live citation fields). With a note style,
        citeproc made it a note: the citation then stands inside the note, around the note's
        text, where Zotero puts it."""
        if self.report is None:
            return printed
        number = citations[0].get("citationHash", 0) if citations else 0
        items = self.report.items_of(
            number,
            citations,
            [plain_text(self.inlines(c["citationPrefix"])) for c in citations],
            [plain_text(self.inlines(c["citationSuffix"])) for c in citations],
        )
        notes = [i for i in printed if isinstance(i, m.NoteRef)]
        inside = notes[0].note.children if len(notes) == 1 else []
        if len(inside) == 1 and isinstance(inside[0], m.Para):
            inside[0].children = [m.Citation(items, inside[0].children, number)]
            return printed
        return [m.Citation(items, printed, number)]

    def inline(self, node) -> list[m.Inline]:
        kind, c = node["t"], node.get("c")
        if kind == "Str":
            if "^[" in c:  # Pandoc reads `^[` as a note only with its closing `]`
                self.problem(
                    "the note opened with '^[' is never closed, so it prints as typed; "
                    "end it with ']'",
                    "^[",
                )
            for match in _ORPHAN_NOTE.finditer(c):
                self.problem(
                    f"the note reference {match.group(0)} has no note text; add a line "
                    f"'{match.group(0)}: the text of the note' to this field",
                    match.group(0),
                )
            return [m.Text(c)]
        if kind in ("Space", "SoftBreak"):
            return [m.Text(" ")]
        if kind in _STYLES:
            return [m.Styled(_STYLES[kind], self.inlines(c))]
        if kind == "Quoted":
            open_, close = _QUOTES[c[0]["t"]]
            return [m.Text(open_), *self.inlines(c[1]), m.Text(close)]
        if kind == "Cite":
            citations, content = c
            self.cited.extend(citation["citationId"] for citation in citations)
            # what citeproc printed from a source: its raw TeX is left out without a word,
            # as Pandoc leaves it out (the author did not write it here)
            self._in_citation += 1
            try:
                printed = self.inlines(content)
            finally:
                self._in_citation -= 1
            return self.citation(citations, printed)
        if kind == "Code":
            return [m.Code(c[1])]
        if kind == "LineBreak":
            return [m.LineBreak()]
        if kind == "Math":
            return [self.math(c[0]["t"] == "DisplayMath", c[1])]
        if kind == "RawInline":
            self.raw(*c)
            return []
        if kind == "Link":
            (_ident, classes, attrs), content, (url, _title) = c
            if "briefkit-xref" in classes:  # pandoc-crossref's `@fig:x` (pandoc/crossref.lua)
                bare = dict(attrs).get("bare") == "1"
                return [m.Link([], url, internal=True, bare=bare, written="@" + url[1:])]
            target = safe_link(url)  # only http(s), mailto and in-page links; the text stays
            return [m.Link(self.inlines(content), target)] if target else self.inlines(content)
        if kind == "Image":
            # An image inside a sentence becomes a figure after its paragraph.
            figure = self.image(c, [])
            if figure is not None:
                self._inline_figures.append(figure)
            return []
        if kind == "Note":
            return [m.NoteRef(m.Note(0, self.blocks(c)))]
        if kind == "Span":
            (ident, classes, attrs), content = c
            inlines = self.inlines(content)
            if "equation" in classes:  # a numbered display formula (pandoc/crossref.lua)
                self.equations[ident] = dict(attrs).get("number", "")
                formulas = [i for i in inlines if isinstance(i, m.Math)]
                for formula in formulas:
                    formula.id, formula.number = ident, self.equations[ident]
                if not formulas:  # printed as its TeX: the target still stands there
                    inlines.insert(0, m.Anchor(ident))
            return inlines
        return []


def _expand(inlines: list[m.Inline]) -> list[m.Inline]:
    """Turn `[#id]` inside text into internal links (their text is filled in by resolve)."""
    out: list[m.Inline] = []
    for inline in inlines:
        if isinstance(inline, m.Text) and "[#" in inline.text:
            position = 0
            for match in CROSS_REFERENCE.finditer(inline.text):
                if match.start() > position:
                    out.append(m.Text(inline.text[position : match.start()]))
                out.append(m.Link([], "#" + match.group(1), internal=True))
                position = match.end()
            if position < len(inline.text):
                out.append(m.Text(inline.text[position:]))
        else:
            out.append(inline)
    return out


def plain_text(inlines) -> str:
    """The text of inlines (or blocks), for alt text, bookmarks and tests."""
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, m.Text):
            parts.append(node.text)
        elif isinstance(node, m.Code):
            parts.append(node.text)
        elif isinstance(node, m.Math):  # Pandoc's text rendering (H₂O reads "H2O"), else TeX
            parts.append(plain_text(node.text) if node.text else node.tex)
        elif isinstance(node, (m.Styled, m.Link, m.Citation)):
            parts.append(plain_text(node.children))
        elif isinstance(node, m.LineBreak):
            parts.append(" ")
        elif isinstance(node, m.Para):
            parts.append(plain_text(node.children))
    return "".join(parts)

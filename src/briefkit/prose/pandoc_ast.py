"""Pandoc JSON AST in, `model` blocks out.

Raw HTML/TeX never reaches the model (the Markdown dialect briefkit asks Pandoc for has no raw
extensions, and any raw element left is kept as plain text). Images are resolved through
`paths.Roots`; `[#id]` cross-references become internal links for the resolve stage to check.
"""

from __future__ import annotations

import re
from typing import Callable, Optional

from briefkit import model as m
from briefkit.core.diagnostics import Location
from briefkit.core.images import ImageRefused, check_image
from briefkit.core.paths import PathRefused, Roots, safe_link

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
    ):
        self.roots = roots
        self.problem = problem
        self.notice = notice or (lambda message, needle: None)  # a located warning
        self.placeholders = 0  # pictures whose alt text is still ALT_PLACEHOLDER
        self.locate = locate  # where a text stands in the brief (figures keep their place)
        self.cited: list[str] = []
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
            return m.Heading(level, self.inlines(content), None)
        if kind == "BulletList":
            return m.ListBlock(False, [self.blocks(item) for item in c])
        if kind == "OrderedList":
            (start, _style, _delim), items = c
            return m.ListBlock(True, [self.blocks(item) for item in items], start)
        if kind == "BlockQuote":
            return m.Quote(self.blocks(c))
        if kind == "Div":
            (ident, classes, _attrs), content = c
            kinds = [k for k in classes if k in CALLOUTS]
            if kinds:
                return m.Callout(kinds[0], self.blocks(content))
            return self.blocks(content)
        if kind == "CodeBlock":
            return m.CodeBlock(c[1])
        if kind == "RawBlock":
            return m.CodeBlock(c[1])
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
        _attr, (_short, caption_blocks), colspecs, head, bodies, foot = c
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
        return m.Table(
            header, rows[len(header_rows) :], aligns, caption, more_header=more_header, spans=spans
        )

    def figure(self, c):
        _attr, (_short, caption_blocks), content = c
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

    def inline(self, node) -> list[m.Inline]:
        kind, c = node["t"], node.get("c")
        if kind == "Str":
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
            return self.inlines(content)
        if kind == "Code":
            return [m.Code(c[1])]
        if kind == "LineBreak":
            return [m.LineBreak()]
        if kind == "Math":
            return tex_math(c[1])
        if kind == "RawInline":
            return [m.Text(c[1])]
        if kind == "Link":
            _attr, content, (url, _title) = c
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
            return self.inlines(c[1])
        return []


_TEX_SYMBOLS = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "lambda": "λ",
    "mu": "μ",
    "pi": "π",
    "sigma": "σ",
    "tau": "τ",
    "phi": "φ",
    "chi": "χ",
    "omega": "ω",
    "Delta": "Δ",
    "Sigma": "Σ",
    "Omega": "Ω",
    "times": "×",
    "pm": "±",
    "leq": "≤",
    "geq": "≥",
    "neq": "≠",
    "approx": "≈",
    "cdot": "·",
    "infty": "∞",
    "circ": "°",
    "prime": "′",
    "rightarrow": "→",
    "to": "→",
    "ldots": "…",
    "sim": "~",
    "%": "%",
    "$": "$",
    "&": "&",
    "_": "_",
    "{": "{",
    "}": "}",
    ",": "\u2009",
    " ": " ",
}
_TEX_COMMAND = re.compile(r"\\([A-Za-z]+|.)")


def tex_math(source: str) -> list[m.Inline]:
    """Inline TeX math as text: `H$_2$O`, `$10^{-3}$`, `$\\alpha$` (what bibliographies
    hold): sub- and superscripts become styled text, known symbols their characters, and any
    other math is kept as written."""
    if any(c.group(1) not in _TEX_SYMBOLS for c in _TEX_COMMAND.finditer(source)):
        return [m.Text(source)]  # \\frac and friends: the source says more than text could
    out, position = _tex_run(source, 0, closing=False)
    return _merge_text(out) or [m.Text(source)]


def _tex_run(source: str, position: int, closing: bool) -> tuple[list[m.Inline], int]:
    out: list[m.Inline] = []
    while position < len(source):
        char = source[position]
        if char == "}" and closing:
            return out, position + 1
        if char in "_^":
            argument, position = _tex_argument(source, position + 1)
            out.append(m.Styled("sub" if char == "_" else "sup", _merge_text(argument)))
        elif char == "{":
            inner, position = _tex_run(source, position + 1, closing=True)
            out.extend(inner)
        elif char == "\\":
            command = _TEX_COMMAND.match(source, position)
            if command is None:
                out.append(m.Text(char))
                position += 1
                continue
            name = command.group(1)
            out.append(m.Text(_TEX_SYMBOLS.get(name, "\\" + name)))
            position = command.end()
        elif char == "}":
            position += 1
        else:
            out.append(m.Text(char))
            position += 1
    return out, position


def _tex_argument(source: str, position: int) -> tuple[list[m.Inline], int]:
    """A script's argument: a `{…}` group, a command, or one character."""
    while position < len(source) and source[position] == " ":
        position += 1
    if position >= len(source):
        return [], position
    if source[position] == "{":
        return _tex_run(source, position + 1, closing=True)
    command = _TEX_COMMAND.match(source, position) if source[position] == "\\" else None
    if command is not None:
        return [m.Text(_TEX_SYMBOLS.get(command.group(1), "\\" + command.group(1)))], command.end()
    return [m.Text(source[position])], position + 1


def _merge_text(inlines: list[m.Inline]) -> list[m.Inline]:
    out: list[m.Inline] = []
    for inline in inlines:
        if isinstance(inline, m.Text) and out and isinstance(out[-1], m.Text):
            out[-1] = m.Text(out[-1].text + inline.text)
        else:
            out.append(inline)
    return out


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
        elif isinstance(node, (m.Styled, m.Link)):
            parts.append(plain_text(node.children))
        elif isinstance(node, m.LineBreak):
            parts.append(" ")
        elif isinstance(node, m.Para):
            parts.append(plain_text(node.children))
    return "".join(parts)

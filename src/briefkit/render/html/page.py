"""Render HTML: a `Prepared` document in, one standalone HTML page out (CSS and images inlined).

The page comes from the layout's Jinja templates, run in Jinja's immutable sandbox with
autoescaping, over plain data only (`template_data`: no paths, no objects with methods; on a
mapping `a.b` is the key `b`, never a method). Template files and stylesheets are read through
the confinement gate (a part linked to a file outside the project is refused). The prose comes
from `HtmlWriter`, which escapes every piece of text and lets through only http(s), mailto and
in-page links. `medium` is "screen" for the .html output and "print" for the PDF: the same
templates, with notes as page-foot footnotes when the brief asks for them. Any mistake in a
template, at compile or run time, is an error located at its file and line.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from markupsafe import Markup, escape

from briefkit import __version__
from briefkit import model as m
from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Location
from briefkit.core.paths import PathRefused, css_reference_refused, css_references, safe_link
from briefkit.layout.design import design_of
from briefkit.layout.locales import load_locale
from briefkit.layout.web_fonts import WEB_FONTS_MARKER, web_font_faces
from briefkit.render.html.budget import BudgetedSandbox, TemplateBudget, data_size, render_within
from briefkit.render.html.lines import byline_lines, phrase, short_url
from briefkit.render.html.math_svg import svg
from briefkit.render.html.outward import check_page
from briefkit.render.html.template_data import plain_document
from briefkit.render.note_calls import calls_after_a_call

_STYLE_TAGS = {
    "emph": "em",
    "strong": "strong",
    "strike": "del",
    "sup": "sup",
    "sub": "sub",
    "underline": "u",
}


def safe_url(value) -> str:
    """Links from a brief: http(s), mailto and in-page only; anything else goes nowhere."""
    return safe_link(value) or "#"


def prose(value) -> Markup:
    """The `blocks`/`inlines` filters: prose arrives already written; other text is escaped."""
    if isinstance(value, Markup):
        return value
    return Markup("") if not value else escape(value)


def css_string(value) -> Markup:
    """A value as a CSS string literal that cannot end the string, the rule or the <style>."""
    text = str(value)
    out = []
    for char in text:
        if char.isalnum() or char in " .,:;!?-_()/'&%":
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return Markup('"' + "".join(out) + '"')


def _id(anchor: str | None) -> str:
    """An element's `id` attribute, the target of cross-references, when it has one."""
    return f' id="{escape(anchor)}"' if anchor else ""


class HtmlWriter:
    def __init__(self, footnotes: bool, roots, medium: str = "screen"):
        self.footnotes = footnotes  # notes as page-foot floats (print) or as links to endnotes
        self.roots = roots  # images are read through the confinement gate
        self.medium = medium  # print: formulas as SVG (WeasyPrint reads no MathML)
        self.figures: dict[str, m.Figure] = {}  # data URI -> figure (the PDF locates refusals)

    def blocks(self, blocks: list[m.Block]) -> Markup:
        return Markup("\n".join(self.block(b) for b in blocks))

    def block(self, block: m.Block) -> str:
        if isinstance(block, m.Para):
            inner = self.inlines(block.children)
            if self.footnotes and _calls_a_note_with_blocks(block.children):
                # A page-foot note is laid out where it is called; an HTML parser closes a <p>
                # at the first <pre>, <table> or <figure> inside it and would move the note's
                # later blocks into the body. A <div> keeps them inside the note.
                return f'<div class="p">{inner}</div>'
            return f"<p>{inner}</p>"
        if isinstance(block, m.Heading):
            level = min(block.level + 2, 6)
            return f"<h{level}{_id(block.id)}>{self.inlines(block.children)}</h{level}>"
        if isinstance(block, m.ListBlock):
            items = "".join(f"<li>{self.item(item)}</li>" for item in block.items)
            if block.ordered:
                start = f' start="{block.start}"' if block.start != 1 else ""
                return f"<ol{start}>{items}</ol>"
            return f"<ul>{items}</ul>"
        if isinstance(block, m.Quote):
            return f"<blockquote>{self.blocks(block.children)}</blockquote>"
        if isinstance(block, m.Callout):
            if block.kind == "bibliography":  # placed by `::: {#refs}` in the text
                return f'<div class="bibliography" role="doc-bibliography">{self.blocks(block.children)}</div>'
            if block.kind == "pullquote":
                return f'<aside class="pullquote">{self.blocks(block.children)}</aside>'
            return f'<aside class="box">{self.blocks(block.children)}</aside>'
        if isinstance(block, m.Table):
            return self.table(block)
        if isinstance(block, m.Figure):
            label = (
                f'<span class="figure-label">{escape(block.label)}</span> ' if block.label else ""
            )
            caption = Markup(label) + self.inlines(block.caption)
            role = "" if block.alt else ' role="presentation"'  # decorative: no alt to read
            figcaption = f"<figcaption>{caption}</figcaption>" if block.caption else ""
            uri = self.roots.data_uri(block.path)
            self.figures[uri] = block
            image = f'<img src="{uri}" alt="{escape(block.alt)}"{role}>'
            return f"<figure{_id(block.id)}>{image}{figcaption}</figure>"
        if isinstance(block, m.CodeBlock):
            anchor = "" if block.caption else _id(block.id)
            code = f"<pre{anchor}><code>{escape(block.text)}</code></pre>"
            if not block.caption:
                return code
            label = f'<span class="listing-label">{escape(block.label)}</span> '
            figcaption = f"<figcaption>{label}{self.inlines(block.caption)}</figcaption>"
            return f'<figure class="listing"{_id(block.id)}>{figcaption}{code}</figure>'
        if isinstance(block, m.Rule):
            return "<hr>"
        return ""

    def item(self, blocks: list[m.Block]) -> str:
        # Tight list items are single paragraphs: no <p> inside <li>.
        if len(blocks) == 1 and isinstance(blocks[0], m.Para):
            return self.inlines(blocks[0].children)
        return self.blocks(blocks)

    def table(self, table: m.Table) -> str:
        def cells(index, row, tag):
            out, column = [], 0
            for place, cell in enumerate(row):
                rows, cols = table.spans.get((index, place), (1, 1))
                while column in covered.get(index, set()):
                    column += 1  # a cell merged down from a row above stands here
                align = table.aligns[column] if column < len(table.aligns) else "default"
                attrs = f' class="align-{align}"' if align != "default" else ""
                attrs += f' rowspan="{rows}"' if rows > 1 else ""
                attrs += f' colspan="{cols}"' if cols > 1 else ""
                for below in range(index + 1, index + rows):
                    covered.setdefault(below, set()).update(range(column, column + cols))
                column += cols
                out.append(f"<{tag}{attrs}>{self.item(cell)}</{tag}>")
            return "".join(out)

        covered: dict[int, set[int]] = {}
        label = f'<span class="table-label">{escape(table.label)}</span> ' if table.label else ""
        caption = (
            f"<caption>{label}{self.inlines(table.caption)}</caption>"
            if table.caption or label
            else ""
        )
        head: list[str] = []
        body: list[str] = []
        for index, (row, header) in enumerate(table.all_rows()):
            (head if header else body).append(
                f"<tr>{cells(index, row, 'th' if header else 'td')}</tr>"
            )
        thead = f"<thead>{''.join(head)}</thead>" if head else ""
        # Print sets a wide table smaller, a very wide one on a landscape page (print.css).
        columns = table.columns()
        width = ' class="very-wide"' if columns >= 14 else ' class="wide"' if columns >= 8 else ""
        html = (
            f"<table{width}{_id(table.id)}>{caption}{thead}<tbody>{''.join(body)}</tbody></table>"
        )
        if self.medium != "screen":
            return html
        # On a narrow screen a table scrolls sideways inside its frame rather than splitting
        # words and numbers ("200/6"); the frame is a named region a keyboard can scroll.
        name = table.label or _plain_text(table.caption)
        region = f' role="region" aria-label="{escape(name)}"' if name else ""
        return f'<div class="table-scroll" tabindex="0"{region}>{html}</div>'

    def inlines(self, inlines: list[m.Inline]) -> Markup:
        out = []
        after_call = calls_after_a_call(inlines)
        for inline in inlines:
            if isinstance(inline, m.NoteRef) and id(inline) in after_call:
                # Two calls in a row read as one number ("67"): separate them.
                out.append(self.note_call(inline.note, after_call=True))
            else:
                out.append(self.inline(inline))
        return Markup("".join(out))

    def inline(self, inline: m.Inline) -> str:
        if isinstance(inline, m.Text):
            return str(escape(inline.text))
        if isinstance(inline, m.Styled):
            inner = self.inlines(inline.children)
            if inline.style == "smallcaps":
                return f'<span class="smallcaps">{inner}</span>'
            tag = _STYLE_TAGS[inline.style]
            return f"<{tag}>{inner}</{tag}>"
        if isinstance(inline, m.Code):
            return f"<code>{escape(inline.text)}</code>"
        if isinstance(inline, m.LineBreak):
            return "<br>"
        if isinstance(inline, m.Math):
            return self.math(inline)
        if isinstance(inline, m.Anchor):
            return f"<span{_id(inline.id)}></span>"
        if isinstance(inline, m.Link):
            inner = self.inlines(inline.children)
            url = safe_link(inline.url)
            return str(inner) if url is None else f'<a href="{escape(url)}">{inner}</a>'
        if isinstance(inline, m.NoteRef):
            return self.note_call(inline.note)
        if isinstance(inline, m.Citation):  # citeproc's text (Word's is a live field)
            return str(self.inlines(inline.children))
        return ""

    def math(self, formula: m.Math) -> str:
        """MathML on the web; in print the same MathML typeset as SVG, sized in em so that it
        follows the text around it (notes are smaller), on the text's baseline."""
        kind = "display" if formula.display else "inline"
        anchor = _id(formula.id)
        if self.medium != "print":
            return f'<span class="math {kind}"{anchor}>{formula.mathml}</span>'
        if formula.text and not formula.display:  # searchable text where Pandoc has some
            return f'<span class="math {kind}">{self.inlines(formula.text)}</span>'
        markup, width, height, descent = svg(formula.mathml)
        style = f"width:{width}em;height:{height}em;vertical-align:-{descent}em"
        markup = markup.replace("<svg ", f'<svg role="img" style="{style}" ', 1)
        label = escape(formula.tex)
        return f'<span class="math {kind}"{anchor} aria-label="{label}">{markup}</span>'

    def note_call(self, note: m.Note, after_call: bool = False) -> str:
        if self.footnotes:
            paragraphs = [
                self.inlines(b.children) if isinstance(b, m.Para) else self.block(b)
                for b in note.children
            ]
            body = '<br class="note-para">'.join(paragraphs)
            kind = "footnote after-call" if after_call else "footnote"
            # U+2060 WORD JOINER: the call never wraps away from the word it follows.
            return f'\u2060<span class="{kind}" id="{note.id}">{body}</span>'
        # U+2060 WORD JOINER: the call never wraps away from the word it follows.
        comma = '<sup class="call-separator">,</sup>' if after_call else ""
        return (
            f'\u2060{comma}<a class="noteref" id="ref-{note.id}" href="#{note.id}" role="doc-noteref">'
            f"<sup>{note.number}</sup></a>"
        )


def _plain_text(inlines) -> str:
    """The words of inlines, without their notes (an accessible name)."""
    words = []
    for inline in inlines:
        if isinstance(inline, (m.Text, m.Code)):
            words.append(inline.text)
        elif isinstance(inline, m.LineBreak):
            words.append(" ")
        elif not isinstance(inline, m.NoteRef):
            words.append(_plain_text(getattr(inline, "children", ()) or ()))
    return " ".join("".join(words).split())


def _calls_a_note_with_blocks(inlines) -> bool:
    """Whether these inlines call a note holding more than paragraphs (code, table, figure …)."""
    for inline in inlines:
        if isinstance(inline, m.NoteRef):
            if any(not isinstance(b, m.Para) for b in inline.note.children):
                return True
        elif _calls_a_note_with_blocks(getattr(inline, "children", ()) or ()):
            return True
    return False


class _PlainDataEnvironment(BudgetedSandbox):
    """On a mapping, `a.b` is the key `b` only: `doc.findings.items` is the findings, never
    the dict method, and no method of a list or mapping can be reached."""

    writer: HtmlWriter  # the brief's prose writer, set by `environment` (its filters use it)

    def getattr(self, obj, attribute):
        if isinstance(obj, dict):
            if attribute in obj:
                return obj[attribute]
            return self.undefined(obj=obj, name=attribute)
        if isinstance(obj, list):
            return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def _read_through_gate(roots, path: Path, what: str) -> str:
    """The text of a layout's or a house's file (`what`: template, stylesheet) read through
    the gate; a refused one is the author's mistake, located at the file."""
    try:
        return roots.read_text(path)
    except PathRefused as exc:
        raise BriefInvalid(
            Diagnostic(
                Location(path),
                f"{what} {exc}",
                hint="copy the file into the template folder instead of linking to it",
            )
        ) from None


class ConfinedLoader(jinja2.BaseLoader):
    """Templates from `folders` (first match wins), each file's real path checked by the gate;
    `prefixes` name a layout's own folder (`base/document.html`)."""

    def __init__(self, folders: list[Path], prefixes: dict[str, Path], roots):
        self.folders, self.prefixes, self.roots = folders, prefixes, roots

    def get_source(self, environment, template):
        pieces = split_template_path(template)  # refuses '..'
        candidates = [Path(folder, *pieces) for folder in self.folders]
        if len(pieces) > 1 and pieces[0] in self.prefixes:
            candidates.append(Path(self.prefixes[pieces[0]], *pieces[1:]))
        for candidate in candidates:
            if candidate.is_file() or candidate.is_symlink():
                text = _read_through_gate(self.roots, candidate, "template")
                return text, str(candidate), lambda: True
        raise jinja2.TemplateNotFound(template)


def environment(prepared, medium: str) -> _PlainDataEnvironment:
    dirs = [d for d in prepared.layout.html_dirs()]
    if prepared.html_template is not None:
        dirs.insert(0, Path(prepared.html_template))
    loader = ConfinedLoader(
        dirs, {f.name: f / "html" for f in prepared.layout.folders}, prepared.roots
    )
    env = _PlainDataEnvironment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    doc = prepared.document
    env.writer = HtmlWriter(
        footnotes=(medium == "print" and doc.notes_placement == "footnotes"),
        roots=prepared.roots,
        medium=medium,
    )
    locale = load_locale(doc.lang, prepared.roots.project)  # dates in the brief's language
    env.filters.update(
        blocks=prose,
        inlines=prose,
        phrase=phrase,
        house_date=locale.date_text,
        css_string=css_string,
        safe_url=safe_url,
        short_url=short_url,
        byline_lines=byline_lines,
    )
    labels = dict(doc.labels)
    env.globals.update(
        label=lambda key: labels.get(key, key), labels=labels, version=__version__, medium=medium
    )
    return env


def stylesheet(prepared, medium: str = "screen") -> str:
    """The design tokens as CSS (design.py), then the layout's stylesheets base first, then a
    house template folder's."""
    files = prepared.layout.files("css", "*.css")
    if prepared.html_template is not None:
        files += sorted(Path(prepared.html_template).glob("*.css"))
    texts = [design_of(prepared).css(medium)]
    for path in files:
        text = _read_through_gate(prepared.roots, path, "stylesheet")
        for line, column, target, what in css_references(text):
            refused = css_reference_refused(target, what, prepared.roots.allow_network)
            if refused is not None:
                raise BriefInvalid(
                    Diagnostic(Location(path, line, column), f"stylesheet: {refused}")
                )
        texts.append(text)
    return "\n".join(texts)


def render_html(prepared, medium: str = "screen") -> str:
    return render_page(prepared, medium)[0]


def render_screen(prepared) -> bytes:
    """The `.html` output: the page for the screen, as bytes (the writer of the html row)."""
    return render_html(prepared, "screen").encode("utf-8")


def render_page(prepared, medium: str = "screen") -> tuple[str, dict]:
    """The page, and the figures it shows by their data URI (so the PDF can locate a refusal)."""
    env = environment(prepared, medium)
    doc = prepared.document
    try:
        context = dict(
            doc=plain_document(doc, env.writer, prepared.roots),
            parts=list(prepared.layout.parts),
            css=Markup(stylesheet(prepared, medium)),
            part_rows=[part.as_data() for part in prepared.layout.placed()],
            imprint=list(prepared.layout.settings.get("imprint") or []),
            layout_names=prepared.layout.class_names(),
            long_brief_words=int(prepared.layout.settings.get("long_brief_words", 3000)),
            notes_as_footnotes=(medium == "print" and doc.notes_placement == "footnotes"),
        )
        template = env.get_template("document.html")
        page = render_within(template, context, data_size(context))
    except BriefInvalid:
        raise
    except TemplateBudget as exc:
        raise BriefInvalid(
            Diagnostic(
                _template_location(exc),
                f"template budget: {exc}",
                hint="a template lays out the document's data; compute less at this line",
            )
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise BriefInvalid(
            Diagnostic(
                Location(Path(exc.filename or exc.name or "?"), exc.lineno, 1),
                f"template syntax error: {exc.message}",
            )
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise BriefInvalid(
            Diagnostic(
                _template_location(exc, Path(str(exc.name))), f"template not found: {exc.name}"
            )
        ) from None
    except jinja2.UndefinedError as exc:
        raise BriefInvalid(
            Diagnostic(
                _template_location(exc),
                f"template error: {exc.message}",
                hint="the template names something briefkit does not provide",
            )
        ) from None
    except SecurityError as exc:
        raise BriefInvalid(
            Diagnostic(
                _template_location(exc),
                f"template refused by the sandbox: {exc}",
                hint="templates may use the document's data, not Python internals",
            )
        ) from None
    except PathRefused as exc:
        raise BriefInvalid(Diagnostic(Location(prepared.path), f"asset {exc}")) from None
    except Exception as exc:  # a runtime error in a house template: 1/0, a bad filter argument
        location = _template_location(exc, None)
        if location is None:
            raise
        raise BriefInvalid(
            Diagnostic(
                location,
                f"template error: {type(exc).__name__}: {exc}",
                hint="fix the expression at this line of the template",
            )
        ) from None
    # What the house's own markup would make a reader's browser fetch (the writer's is safe).
    folders = [Path(prepared.html_template)] if prepared.html_template is not None else []
    outward = check_page(page, prepared.roots, folders + list(prepared.layout.html_dirs()))
    if outward is not None:
        raise BriefInvalid(outward)
    if medium == "screen":
        # The layout's faces, in the subsets for the characters this page holds (the
        # writer's own data: URIs, so after the check of the house's markup).
        faces = web_font_faces(design_of(prepared).font_files(), page, prepared.roots.read_bytes)
        page = page.replace(WEB_FONTS_MARKER, faces, 1)
    return page, env.writer.figures


def _template_location(exc: BaseException, default=Location(Path("template"))):
    """The innermost template file and line in `exc`'s traceback (Jinja rewrites the
    traceback so that template frames carry the template's file name and line)."""
    tb = exc.__traceback__
    found = default
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".htm", ".j2", ".jinja")) and Path(name).is_file():
            found = Location(Path(name), tb.tb_lineno, 1)
        tb = tb.tb_next
    return found

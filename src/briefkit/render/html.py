"""Render HTML: a `Prepared` document in, one standalone HTML page out (CSS and images inlined).

The page comes from the layout's Jinja templates, run in Jinja's sandbox with autoescaping; the
prose in it comes from `HtmlWriter`, which escapes every piece of text and lets through only
http(s), mailto and in-page links. `medium` is "screen" for the .html output and "print" for the
PDF: the same templates, with notes as page-foot footnotes when the brief asks for them.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from .. import __version__
from .. import model as m
from ..design import design_of
from ..diagnostics import BriefInvalid, Diagnostic, Location
from ..model import house_date

# http(s), mailto, in-page and relative links (no scheme: nothing can run); never javascript:,
# data: or file:.
_SAFE_URL = re.compile(r"^(https?:|mailto:|#|(?![A-Za-z][A-Za-z0-9+.-]*:))", re.I)
_STYLE_TAGS = {"emph": "em", "strong": "strong", "strike": "del", "sup": "sup", "sub": "sub",
               "underline": "u"}
def data_uri(path: Path) -> str:
    kind = mimetypes.guess_type(str(path))[0] or "application/octet-stream"
    return f"data:{kind};base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def safe_url(value) -> str:
    """Links from a brief: http(s), mailto and in-page only; anything else goes nowhere."""
    text = str(value or "").strip()
    return text if _SAFE_URL.match(text) else "#"


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


def phrase(pieces: list[m.Piece]) -> Markup:
    """A line resolve composed, laid out: each piece escaped, in a span of its role, a date in
    <time>, a link only where it is safe."""
    out = []
    for piece in pieces:
        text = str(escape(piece.text))
        if piece.datetime:
            text = f'<time datetime="{escape(piece.datetime)}">{text}</time>'
        if piece.href and _SAFE_URL.match(piece.href.strip()):
            text = f'<a href="{escape(piece.href.strip())}">{text}</a>'
        out.append(f'<span class="{escape(piece.role)}">{text}</span>' if piece.role else text)
    return Markup("".join(out))


class HtmlWriter:
    def __init__(self, footnotes: bool):
        self.footnotes = footnotes  # notes as page-foot floats (print) or as links to endnotes

    def blocks(self, blocks: list[m.Block]) -> Markup:
        return Markup("\n".join(self.block(b) for b in blocks))

    def block(self, block: m.Block) -> str:
        if isinstance(block, m.Para):
            return f"<p>{self.inlines(block.children)}</p>"
        if isinstance(block, m.Heading):
            level = min(block.level + 2, 6)
            return f"<h{level}>{self.inlines(block.children)}</h{level}>"
        if isinstance(block, m.ListBlock):
            items = "".join(f"<li>{self.item(item)}</li>" for item in block.items)
            if block.ordered:
                start = f' start="{block.start}"' if block.start != 1 else ""
                return f"<ol{start}>{items}</ol>"
            return f"<ul>{items}</ul>"
        if isinstance(block, m.Quote):
            return f"<blockquote>{self.blocks(block.children)}</blockquote>"
        if isinstance(block, m.Callout):
            if block.kind == "pullquote":
                return f'<aside class="pullquote">{self.blocks(block.children)}</aside>'
            return f'<aside class="box">{self.blocks(block.children)}</aside>'
        if isinstance(block, m.Table):
            return self.table(block)
        if isinstance(block, m.Figure):
            label = f'<span class="figure-label">{escape(block.label)}</span> ' if block.label else ""
            caption = Markup(label) + self.inlines(block.caption)
            role = "" if block.alt else ' role="presentation"'  # decorative: no alt to read
            figcaption = f"<figcaption>{caption}</figcaption>" if block.caption else ""
            return (f'<figure><img src="{data_uri(block.path)}" alt="{escape(block.alt)}"{role}>'
                    f"{figcaption}</figure>")
        if isinstance(block, m.CodeBlock):
            return f"<pre><code>{escape(block.text)}</code></pre>"
        if isinstance(block, m.Rule):
            return "<hr>"
        return ""

    def item(self, blocks: list[m.Block]) -> str:
        # Tight list items are single paragraphs: no <p> inside <li>.
        if len(blocks) == 1 and isinstance(blocks[0], m.Para):
            return self.inlines(blocks[0].children)
        return self.blocks(blocks)

    def table(self, table: m.Table) -> str:
        def cells(row, tag):
            out = []
            for i, cell in enumerate(row):
                align = table.aligns[i] if i < len(table.aligns) else "default"
                style = f' class="align-{align}"' if align != "default" else ""
                out.append(f"<{tag}{style}>{self.item(cell)}</{tag}>")
            return "".join(out)

        label = f'<span class="table-label">{escape(table.label)}</span> ' if table.label else ""
        caption = (f"<caption>{label}{self.inlines(table.caption)}</caption>"
                   if table.caption or label else "")
        head = f"<thead><tr>{cells(table.header, 'th')}</tr></thead>" if table.header else ""
        body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in table.rows)
        # Print sets a wide table smaller, a very wide one on a landscape page (print.css).
        columns = max([len(table.header), *(len(row) for row in table.rows)], default=0)
        width = " class=\"very-wide\"" if columns >= 14 else " class=\"wide\"" if columns >= 8 else ""
        return f"<table{width}>{caption}{head}<tbody>{body}</tbody></table>"

    def inlines(self, inlines: list[m.Inline]) -> Markup:
        out, previous = [], None
        for inline in inlines:
            if isinstance(inline, m.NoteRef) and isinstance(previous, m.NoteRef):
                # Two calls in a row read as one number ("67"): separate them.
                out.append(self.note_call(inline.note, after_call=True))
            else:
                out.append(self.inline(inline))
            previous = inline
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
        if isinstance(inline, m.Link):
            inner = self.inlines(inline.children)
            if not _SAFE_URL.match(inline.url.strip()):
                return str(inner)
            return f'<a href="{escape(inline.url.strip())}">{inner}</a>'
        if isinstance(inline, m.NoteRef):
            return self.note_call(inline.note)
        return ""

    def note_call(self, note: m.Note, after_call: bool = False) -> str:
        if self.footnotes:
            paragraphs = [self.inlines(b.children) if isinstance(b, m.Para) else self.block(b)
                          for b in note.children]
            body = '<br class="note-para">'.join(paragraphs)
            kind = "footnote after-call" if after_call else "footnote"
            return f'<span class="{kind}" id="{note.id}">{body}</span>'
        # U+2060 WORD JOINER: the call never wraps away from the word it follows.
        comma = '<sup class="call-separator">,</sup>' if after_call else ""
        return (f'\u2060{comma}<a class="noteref" id="ref-{note.id}" href="#{note.id}" role="doc-noteref">'
                f"<sup>{note.number}</sup></a>")


def environment(prepared, medium: str) -> SandboxedEnvironment:
    dirs = [str(d) for d in prepared.layout.html_dirs()]
    if prepared.html_template is not None:
        dirs.insert(0, str(prepared.html_template))
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(dirs),
        jinja2.PrefixLoader({f.name: jinja2.FileSystemLoader(str(f / "html"))
                             for f in prepared.layout.folders}),
    ])
    env = SandboxedEnvironment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True)
    doc = prepared.document
    writer = HtmlWriter(footnotes=(medium == "print" and doc.notes_placement == "footnotes"))
    env.filters.update(blocks=writer.blocks, inlines=writer.inlines, phrase=phrase,
                       house_date=house_date,
                       data_uri=data_uri, css_string=css_string,
                       safe_url=safe_url)
    env.globals.update(label=doc.label, version=__version__, medium=medium)
    return env


def stylesheet(prepared, medium: str = "screen") -> str:
    """The design tokens as CSS (design.py), then the layout's stylesheets base first, then a
    house template folder's."""
    files = prepared.layout.files("css", "*.css")
    if prepared.html_template is not None:
        files += sorted(Path(prepared.html_template).glob("*.css"))
    tokens = design_of(prepared).css(medium)
    return "\n".join([tokens, *(path.read_text(encoding="utf-8") for path in files)])


def render_html(prepared, medium: str = "screen") -> str:
    env = environment(prepared, medium)
    doc = prepared.document
    try:
        template = env.get_template("document.html")
        return template.render(doc=doc, parts=prepared.layout.parts, css=Markup(stylesheet(prepared, medium)),
                               layout_names=prepared.layout.class_names(),
                               long_brief_words=int(prepared.layout.settings.get("long_brief_words", 3000)),
                               notes_as_footnotes=(medium == "print" and doc.notes_placement == "footnotes"))
    except jinja2.TemplateSyntaxError as exc:
        raise BriefInvalid(Diagnostic(Location(Path(exc.filename or exc.name or "?"), exc.lineno, 1),
                                      f"template syntax error: {exc.message}")) from None
    except jinja2.UndefinedError as exc:
        raise BriefInvalid(Diagnostic(Location(Path(_template_in_traceback(exc))),
                                      f"template error: {exc.message}",
                                      hint="the template names something briefkit does not provide")) from None
    except jinja2.TemplateNotFound as exc:
        raise BriefInvalid(Diagnostic(Location(Path(str(exc.name))),
                                      f"template not found: {exc.name}")) from None
    except SecurityError as exc:
        raise BriefInvalid(Diagnostic(Location(Path(_template_in_traceback(exc))),
                                      f"template refused by the sandbox: {exc}",
                                      hint="templates may use the document's data, not Python "
                                           "internals")) from None


def _template_in_traceback(exc: BaseException) -> str:
    tb = exc.__traceback__
    found = "template"
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".html"):
            found = f"{name}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found

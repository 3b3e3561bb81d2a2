"""Pandoc AST of a Word draft in, Markdown that briefkit's reader accepts out, per brief field.

`Cleaner` walks a field's blocks as Pandoc's DOCX reader gave them (`--track-changes=all`,
`+styles`): tracked changes are accepted (insertions kept, deletions dropped, both counted),
editors' comments are taken out of the text and kept with the words they annotate, Word's style
wrappers are removed (pull quotes and boxes become briefkit's `::: pullquote` / `::: box`),
raw markup becomes text (briefkit reads no raw HTML/TeX), images point at the brief's assets,
links to a part of the draft become `[#id]` cross-references, and notes are set aside.

`to_markdown` converts all fields in ONE Pandoc run and puts each note back in place as
`^[...]` (or as a `[^label]` note defined in the same field when it has several paragraphs).
Pandoc's Markdown writer cannot write inline notes or escape `@`, so both travel as placeholder
words through the writer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from briefkit.core.paths import safe_link
from briefkit.core.run import run_engine
from briefkit.prose.citations import pandoc_path
from briefkit.prose.pandoc_ast import ALT_PLACEHOLDER

API_VERSION = [1, 23, 1]
# Pipe tables where cells allow, grid tables (which hold lists and paragraphs) otherwise.
WRITER = (
    "markdown-multiline_tables-simple_tables-raw_html-raw_tex-raw_attribute-native_divs-native_spans-bracketed_spans"
    "-link_attributes-header_attributes-inline_code_attributes-fenced_code_attributes"
    "-yaml_metadata_block-pandoc_title_block"
)
TABLE_NOTE_ROOM = 8  # spaces after a note's label in a table cell (see Cleaner._Note)
CALLOUT_STYLES = {"Pull Quote": "pullquote", "Intense Quote": "pullquote", "Box Text": "box"}
# "@" travels as a private-use character before it, two characters like the "\@" it becomes,
# so a grid table's columns keep their width.
_AT = "\ue000@"


def plain_text(node) -> str:
    """The text a reader sees in a list of inlines or blocks."""
    out: list[str] = []

    def visit(value):
        if isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict) and "t" in value:
            kind, c = value["t"], value.get("c")
            if kind == "Str":
                out.append(c)
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                out.append(" ")
            elif kind in ("Code", "Math", "RawInline"):
                out.append(c[-1])
            elif kind == "Note":
                return
            elif kind in ("Para", "Plain", "Header") and out and not out[-1].endswith(" "):
                out.append(" ")
                visit(c)
            elif kind == "Span" and any(
                k.startswith("comment") or k == "deletion" for k in c[0][1]
            ):
                return
            else:
                visit(c)

    visit(node)
    return re.sub(r"\s+", " ", "".join(out)).strip()


@dataclass
class Comment:
    author: str
    date: str
    text: str
    annotated: list[str] = field(default_factory=list)
    on_deleted: bool = False  # made on words a tracked change deleted

    def describe(self) -> str:
        on = re.sub(r"\s+", " ", "".join(self.annotated)).strip()
        if len(on) > 60:
            on = on[:57] + "..."
        when = f" ({self.date[:10]})" if self.date else ""
        where = (f' on deleted text "{on}"' if self.on_deleted else f' on "{on}"') if on else ""
        return f"Comment by {self.author or 'an editor'}{when}{where}: {self.text}"


class Cleaner:
    """Walks fields' blocks; what it takes out (notes, comments) is collected on it."""

    def __init__(self, image_target: Callable[[str], str], known_ids: set[str]):
        self.image_target = image_target
        self.known_ids = known_ids  # ids cross-references may name in the written brief
        self.notes: list[list] = []
        self.xrefs: list[str] = []
        self.changes = 0
        self.comments: list[Comment] = []  # of the field being cleaned
        self._open: dict[str, Comment] = {}
        self.anchors: list[str] = []  # bookmark ids met (item ids)
        self.cite_keys: dict[str, str] = {}  # citation field ids -> the brief's keys
        self._tables = 0  # depth of tables being walked
        self._captioned = False  # inside a figure whose caption describes its picture
        self.placeholders = 0  # pictures given ALT_PLACEHOLDER

    def field(self, blocks: list) -> tuple[list, list[Comment]]:
        self.comments = []
        cleaned = _without_flags(self.walk(blocks))
        comments, self.comments = self.comments, []
        return cleaned, comments

    def inlines(self, inlines: list) -> list:
        return self.walk(inlines)

    def walk(self, value):
        if isinstance(value, list):
            out = []
            for item in value:
                result = self.walk(item)
                if (
                    out
                    and isinstance(out[-1], dict)
                    and out[-1].pop("_joins_next", False)
                    and isinstance(result, dict)
                    and result.get("t") == "Para"
                ):
                    out[-1]["c"].extend([{"t": "Space"}, *result["c"]])  # its mark was deleted
                    continue
                if isinstance(item, dict) and "t" in item and isinstance(result, list):
                    out.extend(result)  # a node replaced by none or several
                else:
                    out.append(result)
            return out
        if isinstance(value, dict) and "t" in value:
            handler = getattr(self, "_" + value["t"], None)
            if handler is not None:
                return handler(value.get("c"))
            if "c" in value:
                return {"t": value["t"], "c": self.walk(value["c"])}
            return value
        return value

    # ---- inlines ----
    def _Str(self, text):
        for comment in self._open.values():
            comment.annotated.append(text)
        return {"t": "Str", "c": text.replace("@", _AT)}

    def _Space(self, _):
        for comment in self._open.values():
            comment.annotated.append(" ")
        return {"t": "Space"}

    _SoftBreak = _Space

    def _Span(self, c):
        (ident, classes, attrs), content = c
        attrs = dict(attrs)
        if "comment-start" in classes:
            comment = Comment(attrs.get("author", ""), attrs.get("date", ""), plain_text(content))
            self.comments.append(comment)
            self._open[attrs.get("id", str(len(self.comments)))] = comment
            return []
        if "comment-end" in classes:
            self._open.pop(attrs.get("id", ""), None)
            return []
        if "paragraph-deletion" in classes or "paragraph-insertion" in classes:
            return []  # the mark of a paragraph (its merging is done in _Para)
        if "deletion" in classes:
            self.changes += 1
            self._deleted(content)  # the words go; a comment made on them stays
            return []
        if "insertion" in classes:
            self.changes += 1
        if ident:
            self.anchors.append(ident)
        return self.walk(content)

    def _deleted(self, value) -> None:
        """Deleted text: its words are not kept, but comments that start or end in it are, with
        the words they were made on."""
        if isinstance(value, list):
            for item in value:
                self._deleted(item)
        elif isinstance(value, dict) and "t" in value:
            if value["t"] == "Span" and {"comment-start", "comment-end"} & set(value["c"][0][1]):
                self._Span(value["c"])
                if "comment-start" in value["c"][0][1] and self.comments:
                    self.comments[-1].on_deleted = True
            elif value["t"] == "Str":
                for comment in self._open.values():
                    comment.annotated.append(value["c"])
            elif value["t"] in ("Space", "SoftBreak"):
                for comment in self._open.values():
                    comment.annotated.append(" ")
            else:
                self._deleted(value.get("c"))

    def _Note(self, c):
        cited = _only_citation(c)
        if cited is not None:  # a note style's citation (a Zotero field alone in its note)
            return self.walk(cited)
        index = len(self.notes)
        self.notes.append([])  # reserve the number: notes inside come later
        self.notes[index] = self.walk(c)
        # In a table a note is a `[^label]` reference of the placeholder's width, so that
        # neither a pipe table's cells nor a grid table's columns are disturbed.
        if self._tables:
            # room after the label, for the field's prefix briefkit gives every label when it
            # reads the brief ([^bkn12-tnote3]): the grid table's columns stay lined up
            return {"t": "Str", "c": f"BKTNOTE{index}Z" + "\u2007" * TABLE_NOTE_ROOM}
        return {"t": "Str", "c": f"BKNOTE{index}Z"}

    def _Link(self, c):
        attr, content, (target, title) = c
        content = self.walk(content)
        if target.startswith("#"):
            if target[1:] in self.known_ids:
                self.xrefs.append(target[1:])
                # as wide as the `[#id]` it becomes (grid tables keep their columns)
                return {"t": "Str", "c": f"\ue001{target[1:]}\ue002\ue002"}
            return content  # a bookmark briefkit does not know: the words stay
        if safe_link(target) is None:
            return content  # file:, UNC, javascript: …: the words stay, the link goes
        return {"t": "Link", "c": [["", [], []], content, [target, title]]}

    def _Image(self, c):
        attr, alt, (target, title) = c
        placed = self.image_target(target)
        if not placed:
            return self.walk(alt)  # a picture from outside the draft: its words stay
        alt = self.walk(alt)
        if not plain_text(alt) and not self._captioned:
            # the brief needs alt text: a placeholder `check` warns about until it is written
            self.placeholders += 1
            alt = [{"t": "Str", "c": ALT_PLACEHOLDER}]
        return {"t": "Image", "c": [["", [], []], alt, [placed, ""]]}

    def _RawInline(self, c):
        return self._Str(c[1])

    def _Cite(self, c):
        citations, text = c
        for citation in citations:
            citation["citationId"] = self.cite_keys.get(
                citation["citationId"], citation["citationId"]
            )
            suffix = citation.get("citationSuffix") or []
            while suffix and suffix[-1].get("t") in ("Space", "SoftBreak"):
                suffix.pop()  # Pandoc's ", 36 " from a field's locator
        return {"t": "Cite", "c": [citations, text]}

    # ---- blocks ----
    def _Div(self, c):
        (ident, classes, attrs), content = c
        style = dict(attrs).get("custom-style")
        if style in CALLOUT_STYLES:
            return {"t": "Div", "c": [["", [CALLOUT_STYLES[style]], []], self.walk(content)]}
        return self.walk(content)

    def _Para(self, c):
        joins_next = bool(c) and c[-1]["t"] == "Span" and "paragraph-deletion" in c[-1]["c"][0][1]
        inlines = self.walk(c)
        if all(i["t"] in ("Space", "SoftBreak", "LineBreak") for i in inlines):
            return []
        para = {"t": "Para", "c": inlines}
        if joins_next:  # accepting the deleted mark joins the next paragraph to this one
            para["_joins_next"] = True
        return para

    def _Plain(self, c):
        inlines = self.walk(c)
        return {"t": "Plain", "c": inlines} if inlines else []

    def _Header(self, c):
        level, _attr, content = c
        return {"t": "Header", "c": [level, ["", [], []], self.walk(content)]}

    def _Table(self, c):
        # Word's column widths would make Pandoc write a grid table; without them a table of
        # one-line cells is written as a pipe table, which an author edits easily.
        attr, caption, colspecs, *rest = c
        colspecs = [[align, {"t": "ColWidthDefault"}] for align, _width in colspecs]
        self._tables += 1
        try:
            caption = self.walk([caption[0], _unlabelled(caption[1])])
            return {"t": "Table", "c": [["", [], []], caption, colspecs, *self.walk(rest)]}
        finally:
            self._tables -= 1

    def _Figure(self, c):
        caption, blocks = c[1], c[2]
        # "Figure 1 " is briefkit's own label (bold, first in the caption): the brief numbers
        # its figures again, so the label is not part of the caption it gives.
        caption = self.walk([caption[0], _unlabelled(caption[1])])
        self._captioned = bool(plain_text(caption[1]))  # the caption is the picture's text
        try:
            return {"t": "Figure", "c": [["", [], []], caption, self.walk(blocks)]}
        finally:
            self._captioned = False

    def _CodeBlock(self, c):
        return {"t": "CodeBlock", "c": [["", [], []], c[1]]}

    def _RawBlock(self, c):
        return {"t": "Para", "c": [self._Str(c[1])]}


def _only_citation(blocks: list):
    """The citation a note consists of, if it is nothing else (`[@key, 12]` in a note style)."""
    while len(blocks) == 1 and blocks[0]["t"] == "Div":  # a style's wrapper
        blocks = blocks[0]["c"][1]
    if len(blocks) == 1 and blocks[0]["t"] in ("Para", "Plain"):
        inlines = [
            i
            for i in blocks[0]["c"]
            if i["t"] not in ("Space", "SoftBreak") and not (i["t"] == "Span" and not i["c"][1])
        ]  # the note's own number
        if len(inlines) == 1 and inlines[0]["t"] == "Cite":
            return inlines[0]
    return None


def _without_flags(value):
    if isinstance(value, list):
        for item in value:
            _without_flags(item)
    elif isinstance(value, dict):
        value.pop("_joins_next", None)
        _without_flags(value.get("c"))
    return value


# The word a caption's number follows, in the languages drafts come in: the brief numbers its
# tables and figures itself, so "Table 3: Rainfall" must come in as "Rainfall" (or the built
# caption reads "Table 3 Table 3: Rainfall").
_CAPTION_LABEL = re.compile(
    r"^\s*(?:table|tab\.|tabelle|tableau|tabla|tabela|tabella|tabel|таблица|جدول|表格?|"
    r"figure|fig\.|figura|abbildung|abb\.|grafik|chart|graph|exhibit|box|map|illustration|"
    r"рисунок|рис\.|شکل|نمودار|图|圖)\s*[A-Z]?\d+(?:[.\-–]\d+)*\s*[:.–—-]?\s*",
    re.I,
)


def _unlabelled(blocks: list) -> list:
    """Caption blocks without their leading "Table 1:" / bold "Figure 1" (inside a style's
    Div too)."""
    if not blocks:
        return blocks
    first = blocks[0]
    if first["t"] == "Div":
        return [{"t": "Div", "c": [first["c"][0], _unlabelled(first["c"][1])]}, *blocks[1:]]
    if first["t"] in ("Plain", "Para"):
        inlines = first["c"]
        if (
            inlines
            and inlines[0]["t"] == "Strong"
            and re.fullmatch(r"\S+ \d+", plain_text(inlines[0]["c"]).strip())
        ):
            inlines = inlines[1:]
        else:
            inlines = _without_label(inlines)
        while inlines and inlines[0]["t"] in ("Space", "SoftBreak"):
            inlines = inlines[1:]
        return ([{"t": first["t"], "c": inlines}] if inlines else []) + blocks[1:]
    return blocks


def _without_label(inlines: list) -> list:
    """The inlines after a leading caption label, cut where the label's text ends."""
    text = ""
    for count, inline in enumerate(inlines):
        if inline["t"] == "Str":
            text += inline["c"]
        elif inline["t"] in ("Space", "SoftBreak"):
            text += " "
        elif inline["t"] in ("Strong", "Emph", "Span"):
            text += plain_text([inline])
        else:
            break
        match = _CAPTION_LABEL.match(text)
        if match and match.end() < len(text) and inline["t"] == "Str":
            # the label ends inside this word ("1:Rainfall"): keep the rest of it
            rest = text[match.end() :]
            if len(rest) < len(inline["c"]):
                return [{"t": "Str", "c": rest}, *inlines[count + 1 :]]
        if (
            match
            and match.end() == len(text.rstrip())
            and (count + 1 == len(inlines) or inlines[count + 1]["t"] in ("Space", "SoftBreak"))
        ):
            following = inlines[count + 1 :]
            return following
    return inlines


def to_markdown(fields: list[list], notes: list[list], xrefs: list[str]) -> list[str]:
    """Markdown of each field, notes put back where they were; one Pandoc run for all."""
    blocks: list = []
    for kind, items in (("F", fields), ("N", notes)):
        for index, field_blocks in enumerate(items):
            blocks.append({"t": "Para", "c": [{"t": "Str", "c": f"BKPART{kind}{index}Z"}]})
            blocks.extend(field_blocks)
    document = {"pandoc-api-version": API_VERSION, "meta": {}, "blocks": blocks}
    result = run_engine(
        [pandoc_path(), "--sandbox", "-f", "json", "-t", WRITER, "--columns=88"],
        data=json.dumps(document).encode(),
        what="Pandoc's Markdown writer",
    )
    if result.returncode != 0:
        raise RuntimeError(
            "pandoc could not write Markdown: " + result.stderr.decode(errors="replace")
        )
    texts: dict[str, list[str]] = {}
    current: Optional[list[str]] = None
    for line in result.stdout.decode().split("\n"):
        marker = re.fullmatch(r"BKPART([FN]\d+)Z", line.strip())
        if marker:
            current = texts.setdefault(marker.group(1), [])
        elif current is not None:
            current.append(line)
    # Trailing spaces mean nothing in what Pandoc writes (hard breaks are written `\`); without
    # them every field can be a YAML literal block.
    text_of = {
        k: "\n".join(line.rstrip() for line in v)
        .strip("\n")
        .replace("\ue000\\@", "\\@")
        .replace(_AT, "\\@")
        for k, v in texts.items()
    }
    note_texts = [text_of.get(f"N{i}", "") for i in range(len(notes))]
    out = []
    for index in range(len(fields)):
        out.append(_place_notes(text_of.get(f"F{index}", ""), note_texts, xrefs))
    return out


def _place_notes(text: str, note_texts: list[str], xrefs: list[str]) -> str:
    definitions: list[str] = []

    def note(match):
        index = int(match.group(1))
        body = _place_notes(note_texts[index], note_texts, xrefs) if index < len(note_texts) else ""
        if "\n\n" not in body.strip() and not re.match(r"\s*([-*+>#|]|\d+[.)]\s|:::)", body):
            return "^[" + re.sub(r"\s*\n\s*", " ", body.strip()) + "]"
        return define(f"n{index + 1}", body)

    def table_note(match):
        index = int(match.group(1))
        return define(f"tnote{index}", note_texts[index] if index < len(note_texts) else "")

    def define(label: str, body: str) -> str:
        """A note definition `[^label]: …` (its later lines indented), and its call."""
        lines = body.strip().split("\n")
        definitions.append(
            f"[^{label}]: "
            + lines[0]
            + "".join("\n" + ("    " + line if line.strip() else "") for line in lines[1:])
        )
        return f"[^{label}]"

    text = re.sub(r"BKNOTE(\d+)Z", note, text)
    text = re.sub(r"BKTNOTE(\d+)Z(\u2007*)", lambda m: table_note(m) + " " * len(m.group(2)), text)
    text = re.sub(
        r"\ue001((?:\\?[A-Za-z0-9_-])+)\ue002\ue002",
        lambda m: "[#" + m.group(1).replace("\\", "") + "]",
        text,
    )
    if definitions:
        text = text.rstrip() + "\n\n" + "\n\n".join(definitions)
    return text

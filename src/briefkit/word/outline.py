"""A Word draft's outline in, the parts of a brief out (Markdown fields still as Pandoc blocks).

`Outline` reads the top-level blocks Pandoc gave: the title block (by paragraph style), headings,
body blocks, and briefkit's own item paragraphs ("Item Title" / "Item Meta", as its DOCX writer
lays out findings, recommendations and author bios). `PartMapper` nests headings into sections
(three levels; deeper ones stay headings inside a body) and gives a heading whose text is the
label of a part in the layout's table of parts ("What's the problem?", "Key takeaways", …) to
that part, when the layout shows it, reading it as the part's shape. Parts and labels are read
from the layout, never listed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from briefkit.word.markdown import CALLOUT_STYLES, Cleaner, plain_text

# Shapes whose part a heading of the draft can fill (the others are not headed by a label).
_IMPORTED_SHAPES = {
    "box",
    "lead",
    "prose",
    "list",
    "items",
    "people",
    "glossary",
    "contents",
    "notes",
    "bibliography",
}
# The paragraph styles briefkit's DOCX writer gives a labelled item's, a bio's, a related
# item's title and a call to action: each reads back as an item's title.
ITEM_STYLES = ("Item Title", "Author Name", "Related Title", "Call to Action")
# Paragraph styles of the boxes briefkit's DOCX writer draws as one-column tables: a draft's own
# one-column table, whatever its styles, stays a table.
_BOX_STYLES = {
    "Front Box Heading",
    "Front Box Text",
    "Front Box List",
    "Item Title",
    "Item Meta",
    "Takeaway Numeral",
    "Related Meta",
    "Box Text",
    "Pull Quote",
    # the imprint, set at the foot of the cover's verso in a cell as high as the page
    "Imprint Heading",
    "Imprint Text",
    "Categories",
    "Colophon",
}
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip().rstrip(":").strip().casefold()


@dataclass
class Entry:
    kind: str  # heading | block | item | meta
    block: Optional[dict] = None
    inlines: list = field(default_factory=list)
    level: int = 1
    ident: str = ""
    toc: bool = False


@dataclass
class Node:
    entry: Optional[Entry]
    level: int
    entries: list[Entry] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)

    @property
    def title(self) -> str:
        return plain_text(self.entry.inlines) if self.entry else ""

    @property
    def heading(self) -> Entry:
        """The heading's entry: every node but the root (which has none) starts at one."""
        assert self.entry is not None, "the root has no heading"
        return self.entry


class Outline:
    def __init__(self):
        self.title_block: dict[str, str] = {}
        self.title_inlines: dict[str, list] = {}
        self.standfirst: list = []
        self.colophon: list[str] = []
        self.entries: list[Entry] = []
        self.link_targets: set[str] = set()
        self.images_without_alt = 0
        self.toc_entries = 0
        self.has_notes = False
        self.has_references = False

    @classmethod
    def from_blocks(cls, blocks: list, title_styles: dict[str, str]) -> "Outline":
        outline = cls()
        outline._scan(blocks)
        for block in blocks:
            outline._top(block, title_styles)
        return outline

    def _scan(self, value) -> None:
        if isinstance(value, list):
            for item in value:
                self._scan(item)
        elif isinstance(value, dict) and "t" in value:
            if value["t"] == "Link" and value["c"][2][0].startswith("#"):
                self.link_targets.add(value["c"][2][0][1:])
            elif value["t"] == "Image" and not plain_text(value["c"][1]):
                self.images_without_alt += 1
            elif value["t"] == "Note":
                self.has_notes = True
            elif value["t"] == "Cite":
                self.has_references = True
            elif value["t"] == "Figure" and plain_text(value["c"][1]):
                # its caption is the figure's text in the brief (`![caption](path)`)
                self._scan(value["c"][1])  # (its blocks hold only the picture)
                return
            self._scan(value.get("c"))

    def _top(self, block: dict, title_styles: dict[str, str]) -> None:
        kind = block["t"]
        c: Any = block.get("c")  # Pandoc's JSON: its shape is the kind's
        if kind == "Header":
            level, (ident, classes, attrs), inlines = c
            toc = "TOC-Heading" in classes or dict(attrs).get("custom-style") == "TOC Heading"
            self.entries.append(
                Entry("heading", inlines=inlines, level=level, ident=ident, toc=toc)
            )
            return
        if kind == "Table" and self._box(block, title_styles):
            return
        if kind != "Div":
            self.entries.append(Entry("block", block))
            return
        (_ident, _classes, attrs), content = c
        style = dict(attrs).get("custom-style")
        role = title_styles.get(style) if style is not None else None
        inlines = [i for b in content if b["t"] in ("Para", "Plain") for i in b["c"]]
        started = any(e.kind != "block" or e.block for e in self.entries)
        if role == "colophon" and self.entries and self.entries[-1].kind == "heading":
            self.entries.append(Entry("block", block))  # a part's own line ("N notes follow")
        elif role == "colophon":
            self.colophon.extend(plain_text(b) for b in content if plain_text(b))
        elif role == "standfirst" or (
            role == "subtitle" and ("subtitle" in self.title_block or started)
        ):
            self.standfirst.extend(content)
        elif role and role not in self.title_block and plain_text(inlines):
            self.title_block[role] = plain_text(inlines)
            self.title_inlines[role] = inlines
        elif style == "Front Box Heading":
            self.entries.append(Entry("heading", inlines=inlines, level=0))
        elif style == "Acronym" and inlines and inlines[0]["t"] == "Strong":
            self.entries.append(Entry("acronym", inlines=inlines))
        elif style in ITEM_STYLES or style == "Item Meta":
            self.entries.append(Entry("meta" if style == "Item Meta" else "item", inlines=inlines))
        elif style in CALLOUT_STYLES:
            self.entries.append(Entry("block", block))
        elif style and re.fullmatch(r"toc \d", style, re.I):
            self.toc_entries += 1  # an entry of Word's table of contents: the layout makes its own
            return
        elif style == "Anchor":
            return  # briefkit's paragraph of no height carrying a part's anchor (a box's)
        else:
            for inner in content:
                self._top(inner, title_styles)

    def _box(self, table: dict, title_styles: dict[str, str]) -> bool:
        """briefkit's DOCX writer draws boxes as tables (the cover, the front box: one column of
        styled paragraphs; key takeaways beside numerals: a column of 1, 2, 3 …). Read such a
        table as what it holds; any other table is a table."""
        head = [[cell[4] for cell in row[1]] for row in table["c"][3][1]]
        rows = head + [[cell[4] for cell in row[1]] for body in table["c"][4] for row in body[3]]
        if not rows:
            return False
        styled = any(
            b["t"] == "Div" and _custom_style(b) in (_BOX_STYLES | set(title_styles))
            for row in rows
            for cell in row
            for b in cell
        )
        if styled and all(len(row) == 1 for row in rows):
            for row in rows:
                for inner in row[0]:
                    self._top(inner, title_styles)
            return True
        numerals = [plain_text(row[0]) for row in rows if len(row) == 2]
        if len(numerals) == len(rows) and numerals == [str(n) for n in range(1, len(rows) + 1)]:
            items = [
                [b for inner in row[1] for b in (inner["c"][1] if inner["t"] == "Div" else [inner])]
                for row in rows
            ]
            self.entries.append(
                Entry(
                    "block",
                    {"t": "OrderedList", "c": [[1, {"t": "Decimal"}, {"t": "Period"}], items]},
                )
            )
            return True
        return False

    def link_targets_known(self) -> set[str]:
        """Internal link targets that will exist in the brief: item anchors and headings."""
        ids = {e.ident for e in self.entries if e.kind == "heading"}
        ids |= {a for e in self.entries if e.kind == "item" for a in _anchors(e.inlines)}
        return {i for i in self.link_targets & ids if _IDENT.fullmatch(i)}


def _near_label(title: str, labels: dict[str, str]) -> str | None:
    """A part's label that holds the heading's words, or whose words the heading holds
    ("Recommendations" and "Policy considerations and recommendations")."""
    words = set(re.findall(r"\w+", title))
    if not words or len(title) < 4:
        return None
    for label in labels:
        label_words = set(re.findall(r"\w+", label))
        if label_words and (words < label_words or label_words < words):
            return label
    return None


def _name(author) -> str:
    return author if isinstance(author, str) else str(author.get("name", ""))


def _custom_style(block: dict) -> str:
    return dict(block["c"][0][2]).get("custom-style", "")


def _anchors(inlines: list) -> list[str]:
    return [i["c"][0][0] for i in inlines if i["t"] == "Span" and i["c"][0][0]]


class PartMapper:
    """Builds the brief's parts; every Markdown field is cleaned at once and kept in `fields`
    with its key path (the value in the returned data is a placeholder until then)."""

    def __init__(self, layout, cleaner: Cleaner, outline: Outline):
        self.layout = layout
        self.cleaner = cleaner
        self.outline = outline
        self.fields: list[tuple[tuple, list]] = []
        self.comments: list[list] = []
        self.title_comments: list[tuple[tuple, list]] = []
        self.unmapped: list[str] = []
        self.bibliography_title: Optional[str] = None
        self.leftovers: list[dict] = []
        self.known_ids = cleaner.known_ids
        # label key -> (part, box field): the headings that name a part
        self.part_of_label = {
            key: found
            for key, found in layout.table.by_label().items()
            if found[0].shape in _IMPORTED_SHAPES
        }
        self.labels = {
            normalise(text): key
            for key, text in layout.labels.items()
            if key in self.part_of_label
            and isinstance(text, str)
            and self.part_of_label[key][0].name in layout.parts
        }
        self.data: dict = {}

    def add_leftover(self, text: str) -> None:
        self.leftovers.append({"t": "Para", "c": [{"t": "Str", "c": text}]})
        self.unmapped.append(f'"{text[:60]}" (a colophon line): kept as prose at the end')

    # ---- fields ----
    def field(self, path: tuple, blocks: list) -> str:
        cleaned, comments = self.cleaner.field(blocks)
        if cleaned:
            self.fields.append((path, cleaned))
            self.comments.append(comments)
        elif comments:
            self.title_comments.append((path[:-1] or path, comments))
        return ""

    def title(self, path: tuple, inlines: list) -> tuple[str, list]:
        """A heading's text (comments on it kept); notes in it move to the start of its body."""
        notes = [i for i in inlines if i["t"] == "Note"]
        cleaned, comments = self.cleaner.field(
            [{"t": "Para", "c": [i for i in inlines if i["t"] != "Note"]}]
        )
        if comments:
            self.title_comments.append((path, comments))
        return plain_text(cleaned), ([{"t": "Para", "c": notes}] if notes else [])

    # ---- the tree ----
    def tree(self) -> Node:
        levels = [e.level for e in self.outline.entries if e.kind == "heading" and e.level > 0]
        offset = min(levels) - 1 if levels else 0
        root = Node(None, 0)
        stack = [root]
        for entry in self.outline.entries:
            if entry.kind == "heading":
                level = max(1, entry.level - offset) if entry.level > 0 else 1
                while stack[-1].level >= level:
                    stack.pop()
                node = Node(entry, level)
                stack[-1].children.append(node)
                stack.append(node)
            else:
                stack[-1].entries.append(entry)
        return root

    def parts(self, data: dict) -> dict:
        self.data = data
        root = self.tree()
        sections: list = []
        lead = self._blocks(root.entries)
        if self.outline.standfirst and "standfirst" in self.layout.parts:
            data["standfirst"] = self.field(("standfirst",), self.outline.standfirst)
        else:
            lead = self.outline.standfirst + lead
        if lead:
            sections.append({"body": self.field(("sections", 0, "body"), lead)})
        used: set[str] = set()
        elsewhere = {
            normalise(text): key
            for key, text in self.layout.labels.items()
            if key in self.part_of_label and isinstance(text, str)
        }
        for node in root.children:
            key = self.labels.get(normalise(node.title))
            if node.heading.toc:  # Word's "TOC Heading": a contents page, whatever its words
                key = "contents"
            if key is None and normalise(node.title) in elsewhere:
                self.unmapped.append(
                    f"\"{node.title}\" names a part the '{self.layout.name}' "
                    "layout does not show: kept as a section (try --layout)"
                )
            elif key is None and not node.heading.toc:
                near = _near_label(normalise(node.title), self.labels)
                if near:
                    self.unmapped.append(
                        f'"{node.title}" is close to the layout\'s '
                        f'"{self.layout.labels.get(self.labels[near], near)}": kept as a '
                        "section (name the heading so to make it that part)"
                    )
            if key and key not in used and self._part(key, node):
                used.add(key)
                if key == "contents" and node.entries:
                    # text between Word's contents and the next heading is the document's own
                    sections.append(
                        {
                            "body": self.field(
                                ("sections", len(sections), "body"), self._blocks(node.entries)
                            )
                        }
                    )
                continue
            if key in ("findings", "recommendations", "key_takeaways", "authors", "acronyms"):
                self.unmapped.append(
                    f'"{node.title}" names the {key.replace("_", " ")} but its text is not laid '
                    "out as items (a bold title paragraph per item): kept as a section"
                )
            if (
                key is None
                and self.outline.has_references
                and not node.entries
                and not node.children
                and self.bibliography_title is None
            ):
                # the heading of the reference list a citation manager rendered (Pandoc leaves
                # the list out: the brief renders its own from `references`)
                self.bibliography_title = node.title
                continue
            sections.append(self.section(node, ("sections", len(sections)), 1))
        if self.leftovers:
            sections.append(
                {"body": self.field(("sections", len(sections), "body"), self.leftovers)}
            )
        if sections:
            data["sections"] = sections
        return data

    def section(self, node: Node, path: tuple, depth: int) -> dict:
        title, prefix = self.title(path + ("title",), node.heading.inlines)
        entry: dict = {"title": title} if title else {}
        if node.heading.ident in self.known_ids:
            entry["id"] = node.heading.ident
        blocks = prefix + self._blocks(node.entries)
        if depth >= 3:
            # a body's `#` is read one level below a top-level section: the draft's fourth
            # level under a third-level section is `###` here, so it stays below its parent
            blocks += self._flatten(node.children, node.level, depth - 1)
        entry["body"] = self.field(path + ("body",), blocks) if blocks else ""
        if depth < 3 and node.children:
            entry["sections"] = [
                self.section(child, path + ("sections", i), depth + 1)
                for i, child in enumerate(node.children)
            ]
        return entry

    def _flatten(self, nodes: list[Node], base: int, shift: int = 0) -> list:
        out = []
        for node in nodes:
            out.append(
                {
                    "t": "Header",
                    "c": [
                        min(6, max(1, node.level - base) + shift),
                        ["", [], []],
                        node.heading.inlines,
                    ],
                }
            )
            out += self._blocks(node.entries) + self._flatten(node.children, base, shift)
        return out

    def _all(self, node: Node) -> list:
        return self._blocks(node.entries) + self._flatten(node.children, node.level)

    def _blocks(self, entries: list[Entry]) -> list:
        out = []
        full_report = normalise(self.layout.labels.get("full_report", "") or "")
        for entry in entries:
            if entry.kind == "block":
                out.append(entry.block)
            elif (
                entry.kind == "item"
                and "full_report" in self.layout.parts
                and (
                    normalise(plain_text(entry.inlines)) == full_report
                    or (len(entry.inlines) == 1 and entry.inlines[0]["t"] == "Link")
                )
            ):
                link = next((i for i in entry.inlines if i["t"] == "Link"), None)
                self.data.setdefault("links", {})["full_report"] = {
                    "label": plain_text(entry.inlines),
                    **({"url": link["c"][2][0]} if link else {}),
                }
            elif entry.kind == "item":
                out.append({"t": "Para", "c": [{"t": "Strong", "c": entry.inlines}]})
            elif entry.kind == "acronym":
                out.append(
                    {
                        "t": "Para",
                        "c": entry.inlines[:1]
                        + [{"t": "Str", "c": ":"}, {"t": "Space"}]
                        + entry.inlines[1:],
                    }
                )
            else:
                out.append({"t": "Para", "c": entry.inlines})
        return out

    # ---- parts named by a label ----
    def _part(self, key: str, node: Node) -> bool:
        """Fill the part whose label is `key` from the heading `node`, read as its shape;
        False when the node does not hold what the shape needs (it stays a section)."""
        data = self.data
        part, field_name = self.part_of_label[key]
        content_key = part.content_key or part.name
        if part.shape == "box":
            box = data.setdefault(content_key, {})
            box[field_name] = self.field((content_key, field_name), self._all(node))
        elif part.shape in ("lead", "prose"):
            data[content_key] = self.field((content_key,), self._all(node))
        elif part.shape == "list":
            blocks = self._all(node)
            lists = [b for b in blocks if b["t"] in ("BulletList", "OrderedList")]
            if lists and len(lists) == len(blocks):  # (a list Word numbers on may come as
                items = [
                    item
                    for b in lists  # several, an item each, from a styled DOCX)
                    for item in (b["c"] if b["t"] == "BulletList" else b["c"][1])
                ]
            else:
                items = [[b] for b in blocks]
            data[content_key] = [self.field((content_key, i), item) for i, item in enumerate(items)]
        elif part.shape == "items":
            return self._items(content_key, node, part.item_label or part.name)
        elif part.shape == "people":
            return self._bios(node)
        elif part.shape == "glossary":
            if node.children or not node.entries or any(e.kind != "acronym" for e in node.entries):
                return False
            data[content_key] = {
                plain_text(e.inlines[0]["c"]): plain_text(e.inlines[1:]) for e in node.entries
            }
        elif part.shape == "contents":
            if not node.heading.toc and (node.entries or node.children):
                return False  # a heading "Contents" over text of its own: a section
            if self.outline.toc_entries:
                self.unmapped.append(
                    f"{self.outline.toc_entries} entries of Word's table of "
                    "contents (the layout writes its own)"
                )
            if part.name not in self.layout.parts:
                self.unmapped.append(
                    f"the table of contents: the '{self.layout.name}' layout has none"
                )
            elif not self.layout.toc:
                data.setdefault("output", {})["toc"] = True
        elif part.shape == "notes":
            if not self.outline.has_notes or len(node.entries) > 1 or node.children:
                return False
        elif part.shape == "bibliography":
            if not self.outline.has_references:
                return False
            self.bibliography_title = node.title
        return True

    def _items(self, key: str, node: Node, item_label: str) -> bool:
        prefix = self.layout.labels.get(item_label, "")
        intro: list = []
        items: list[dict] = []
        blocks_of: list[list] = []
        for entry in node.entries:
            if entry.kind == "item":
                title = plain_text(entry.inlines)
                title = (
                    re.sub(rf"^{re.escape(prefix)}\s+\d+\s*[:.]?\s*", "", title)
                    if prefix
                    else title
                )
                item = {"title": title} if title else {}
                anchor = next((a for a in _anchors(entry.inlines) if _IDENT.fullmatch(a)), None)
                if anchor:
                    item["id"] = anchor
                items.append(item)
                blocks_of.append([])
            elif entry.kind == "meta" and items:
                if not self._meta(items[-1], plain_text(entry.inlines)):
                    blocks_of[-1].append({"t": "Para", "c": entry.inlines})
            else:
                (blocks_of[-1] if items else intro).extend(self._blocks([entry]))
        if not items and node.children:
            for child in node.children:
                items.append({"title": child.title})
                blocks_of.append(self._all(child))
        elif node.children:
            (blocks_of[-1] if items else intro).extend(self._flatten(node.children, node.level))
        if not items:
            return False
        path: tuple = (key,)
        if intro:
            self.data[key] = {"intro": self.field((key, "intro"), intro), "items": items}
            path = (key, "items")
        else:
            self.data[key] = items
        for index, (item, blocks) in enumerate(zip(items, blocks_of)):
            item["text"] = self.field(path + (index, "text"), blocks)
        return True

    def _meta(self, item: dict, text: str) -> bool:
        """ "For: X · Responds to: Finding 1, Finding 3" as briefkit's writer prints it."""
        labels = self.layout.labels
        understood = True
        for piece in text.split(" · "):
            if piece.startswith(labels.get("audience", "For:") + " "):
                item["audience"] = piece.split(" ", 1)[1].strip()
            elif piece.startswith(labels.get("responds_to", "Responds to:") + " "):
                numbers = [int(n) for n in re.findall(r"\d+", piece)]
                findings = self.data.get("findings")
                findings = (
                    findings.get("items", []) if isinstance(findings, dict) else (findings or [])
                )
                ids = []
                for number in numbers:
                    if 1 <= number <= len(findings):
                        finding = findings[number - 1]
                        finding.setdefault("id", f"finding-{number}")
                        ids.append(finding["id"])
                item["findings"] = ids
            else:
                understood = False
        return understood

    def _bios(self, node: Node) -> bool:
        authors = self.data.setdefault("authors", [])
        current = None
        pending: dict[int, list] = {}
        full_report = normalise(self.layout.labels.get("full_report", "") or "")
        for entry in node.entries:
            if entry.kind == "item" and (
                normalise(plain_text(entry.inlines)) == full_report
                or (len(entry.inlines) == 1 and entry.inlines[0]["t"] == "Link")
            ):
                self._blocks([entry])  # "Download the full paper": the layout's link, no author
                continue
            if entry.kind == "item":
                text = plain_text(entry.inlines)
                # "Name, Title" as briefkit prints a bio's head: the author of that name
                index = next(
                    (
                        i
                        for i, a in enumerate(authors)
                        if text == _name(a) or text.startswith(_name(a) + ", ")
                    ),
                    None,
                )
                if index is None:
                    authors.append({"name": text})
                    index = len(authors) - 1
                elif isinstance(authors[index], str):
                    authors[index] = {"name": authors[index]}
                name = _name(authors[index])
                if text.startswith(name + ", ") and not authors[index].get("title"):
                    authors[index]["title"] = text[len(name) + 2 :].strip()
                current = index
                pending[current] = []
            elif current is not None:
                pending[current].extend(self._blocks([entry]))
            else:
                return False
        for index, blocks in pending.items():
            authors[index]["bio"] = self.field(("authors", index, "bio"), blocks)
        return bool(pending)

"""Display text: a brief's titles, subtitles, kickers and labels in, typographic punctuation out.

The prose gets curly quotes, dashes and ellipses from Pandoc's `smart` extension; the plain
text fields a reader sees in large type (the title, subtitle, short title, kicker, section and
item titles, the brief's own labels) get the same, from the same Pandoc run, so that
"'grey-zone' competition" prints as ‘grey-zone’ competition in every format, exactly as
Pandoc would set it in the text (it pairs quotes: 'Tis is an apostrophe, '90s … 1990s' a
quotation). Each field goes to Pandoc as Markdown that can mean nothing else: inside a span,
every ASCII punctuation mark escaped except the quotes, hyphens and full stops that `smart`
turns into typography, so `*`, `_`, `@`, `^` or `#` in a title stay what they are.
"""

from __future__ import annotations

import re
from typing import Iterator

from briefkit.core.diagnostics import KeyPath
from briefkit.load.source import group_path
from briefkit.prose.pandoc_ast import plain_text
from briefkit.prose.read import Prose, ProseField

_KEPT = set("'\"-.")  # what `smart` sets: quotes, dashes, ellipses
_SINGLE = ("title", "subtitle", "short_title", "kicker", "bibliography_title")


def display_markdown(text: str) -> str:
    """`text` as Markdown whose only reading is the text itself, with smart punctuation."""
    one_line = " ".join(str(text).split())
    escaped = "".join(
        f"\\{c}" if c.isascii() and not c.isalnum() and not c.isspace() and c not in _KEPT else c
        for c in one_line
    )
    return f"[{escaped}]{{}}"


def display_fields(data: dict) -> list[ProseField]:
    """The display text of a brief, each where it stands (for its messages), as Markdown."""
    return [
        ProseField(key, display_markdown(text), display=True) for key, text in _display_texts(data)
    ]


def _display_texts(data: dict) -> Iterator[tuple[KeyPath, str]]:
    for key in _SINGLE:
        if isinstance(data.get(key), str):
            yield (key,), data[key]
    labels = data.get("labels")
    if isinstance(labels, dict):
        for name, text in labels.items():
            if isinstance(text, str):
                yield ("labels", name), text
    for key in ("findings", "recommendations"):
        items = data.get(key)
        at = group_path(data, key)
        items = items.get("items") if isinstance(items, dict) else items
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("title"), str):
                yield (*at, i, "title"), item["title"]
    yield from _section_titles(data.get("sections"), ("sections",))


def _section_titles(sections, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    for i, section in enumerate(sections if isinstance(sections, list) else []):
        if isinstance(section, dict):
            if isinstance(section.get("title"), str):
                yield (*path, i, "title"), section["title"]
            yield from _section_titles(section.get("sections"), (*path, i, "sections"))


def display(prose: Prose, key: KeyPath, text):
    """The display text at `key` as Pandoc set it, or `text` as given when Pandoc did not
    read it (no text there, or the prose could not be read)."""
    if not isinstance(text, str):
        return text
    blocks = prose.get(tuple(key))
    set_text = re.sub(r"\s+", " ", plain_text(blocks)).strip() if blocks else ""
    return set_text or text

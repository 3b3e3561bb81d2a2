"""Titles are plain text: a brief's typed values in, a located error for each title that holds
Markdown out (a citation, a note, emphasis), since it would print as typed."""

from __future__ import annotations

import re
from typing import Optional

from briefkit.core.diagnostics import Diagnostic, KeyPath
from briefkit.load.source import group_path
from briefkit.validate import schema

# Markdown that a plain-text field (a title) prints as typed.
_PLAIN_MARKUP = [
    (
        re.compile(r"\[-?@[\w{][^\]]*\]?"),
        "a citation",
        "cite in the text that follows, e.g. the finding's 'text'",
    ),
    (re.compile(r"\^\["), "a note", "put the note in the text that follows"),
    (
        re.compile(
            r"(?<![\w*])(\*\*?)(?=\S)(?:(?!\1).)+?(?<=\S)\1(?![\w*])"
            r"|(?<![\w_])(__?)(?=\S)(?:(?!\2).)+?(?<=\S)\2(?![\w_])"
        ),
        "emphasis",
        "remove the '*' or '_' (a layout sets titles in their own type)",
    ),
]


def markdown_in_plain_text(brief: schema.Brief, data: dict, source) -> list[Diagnostic]:
    """Titles are plain text: a citation, a note or emphasis written there prints as typed."""
    fields: list[tuple[KeyPath, Optional[str]]] = [
        ((key,), getattr(brief, key)) for key in ("title", "short_title", "subtitle", "kicker")
    ]
    for group in ("findings", "recommendations"):
        at = group_path(data, group)
        _, items = getattr(brief, group[:-1] + "_list")()
        fields += [(at + (i, "title"), item.title) for i, item in enumerate(items)]

    def sections(items, path: KeyPath) -> None:
        for i, section in enumerate(items):
            fields.append((path + (i, "title"), section.title))
            sections(section.sections, path + (i, "sections"))

    sections(brief.sections, ("sections",))
    fields += [(("related", i, "title"), item.title) for i, item in enumerate(brief.related)]
    out = []
    for path, text in fields:
        for pattern, what, hint in _PLAIN_MARKUP if text else ():
            found = pattern.search(str(text))
            if found:
                out.append(
                    Diagnostic(
                        source.locate_text(path, found.group()),
                        f"{what} in a title prints as "
                        f"typed ('{found.group()}'): titles are plain text, not Markdown",
                        key=path,
                        hint=hint,
                    )
                )
                break
    return out

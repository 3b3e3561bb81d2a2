"""Carry an editor's changes into Markdown: a field's Markdown, the paragraphs briefkit wrote for
it and the paragraphs an editor left in, the same Markdown with only the changed words rewritten
out.

The words of the Markdown are matched to the words the document shows (`markdown_words`).
Paragraphs are matched first: one the editor removed goes with its lines (and the fences of a
div it stood alone in), a new one becomes a block of its own after the one it follows. Within
matched paragraphs the changes are found word by word and each is made where its words stand,
in the Markdown's own spelling: an italic word changed inside `*…*` stays inside it, a changed
note is patched inside its `^[…]`, a changed locator inside its `[@key, …]`. Anything that cannot
be placed (a change inside words briefkit composed, such as "Figure 1") raises `PatchFailed`:
the caller then writes the field anew (`markdown_write`) and says so.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Optional

from briefkit.ooxml.story_parts import Paragraph
from briefkit.word.markdown_words import (
    PatchFailed,
    Token,
    document_tokens,
    paragraph_role,
    source_tokens,
)
from briefkit.word.markdown_write import changed_citation, paragraphs_markdown, render


@dataclass
class _Edit:
    start: int
    end: int
    text: str


def patch(markdown: str, built: list[Paragraph], edited: list[Paragraph]) -> str:
    """`markdown` with the changes from `built` to `edited` made in it; raises PatchFailed.

    Paragraphs are matched first (a paragraph the editor removed goes with its lines and its
    block's fences, a new one is a block of its own after the one it follows); words within
    matched paragraphs after."""
    old = document_tokens(built)
    new = document_tokens(edited)
    if [t.exact for t in old] == [t.exact for t in new]:
        return markdown
    source = source_tokens(markdown)
    mapped = _align(source, old)
    old_ranges, new_ranges = _ranges(old), _ranges(new)
    edits: list[_Edit] = []
    previous: Optional[int] = None  # the last paragraph of the Markdown kept, for insertions
    waiting: list[int] = []  # new paragraphs to insert after `previous`
    for i, j in pair_paragraphs(old, new, old_ranges, new_ranges):
        if i is None:
            waiting.append(j)
            continue
        if waiting:
            edits.append(
                _inserted(markdown, source, mapped, old_ranges, previous, i, waiting, edited)
            )
            waiting = []
        if j is None:
            edits.append(_deleted(markdown, source, mapped, old_ranges, i))
            continue
        previous = i
        a1, a2 = old_ranges[i]
        b1, b2 = new_ranges[j]
        if paragraph_role(built[i].style) != paragraph_role(edited[j].style):
            raise PatchFailed("a paragraph's style changed")
        edits += _word_edits(markdown, source, mapped, old, new, a1, a2, b1, b2)
    if waiting:
        edits.append(
            _inserted(markdown, source, mapped, old_ranges, previous, None, waiting, edited)
        )
    return _apply(markdown, edits)


def _ranges(tokens: list[Token]) -> list[tuple[int, int]]:
    """Each paragraph's tokens (start, end) in a field's token list."""
    out, start = [], 0
    for index, token in enumerate(tokens):
        if token.key == ("p",):
            out.append((start, index))
            start = index + 1
    out.append((start, len(tokens)))
    return out


def pair_paragraphs(old: list[Token], new: list[Token], old_ranges, new_ranges):
    """(old paragraph, new paragraph) in reading order; None where one side has none. Equal
    paragraphs pair first, then changed ones that still share most of their words."""

    def exact(tokens, ranges):
        return [tuple(t.exact for t in tokens[a:b]) for a, b in ranges]

    old_keys, new_keys = exact(old, old_ranges), exact(new, new_ranges)
    out: list[tuple[Optional[int], Optional[int]]] = []
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [(i1 + k, j1 + k) for k in range(i2 - i1)]
            continue
        j = j1
        for i in range(i1, i2):
            best = None
            for candidate in range(j, j2):
                ratio = difflib.SequenceMatcher(
                    None, old_keys[i], new_keys[candidate], autojunk=False
                ).ratio()
                if ratio > 0.5:
                    best = candidate
                    break
            if best is None:
                out.append((i, None))
                continue
            out += [(None, k) for k in range(j, best)] + [(i, best)]
            j = best + 1
        out += [(None, k) for k in range(j, j2)]
    return out


def _word_edits(markdown, source, mapped, old, new, a1, a2, b1, b2) -> list[_Edit]:
    edits = []
    matcher = difflib.SequenceMatcher(
        None, [t.exact for t in old[a1:a2]], [t.exact for t in new[b1:b2]], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        i1, i2, j1, j2 = i1 + a1, i2 + a1, j1 + b1, j2 + b1
        if (
            op == "replace"
            and i2 - i1 == j2 - j1 == 1
            and old[i1].key == new[j1].key
            and old[i1].key[0] in ("note", "cite")
            and i1 in mapped
        ):
            edits.append(_changed_marker(markdown, source[mapped[i1]], old[i1], new[j1]))
            continue
        edits.append(_replacement(markdown, source, mapped, old, new, i1, i2, j1, j2))
    return edits


def _lines_of(markdown: str, source, mapped, old_ranges, i) -> tuple[int, int]:
    """The lines showing paragraph `i` (offsets of their start and end): no other
    paragraph's words may stand on them."""
    a, b = old_ranges[i]
    mine = [mapped[k] for k in range(a, b) if k in mapped and source[mapped[k]].key != ("s",)]
    if not mine:
        raise PatchFailed("a paragraph's words are not in the Markdown")
    start = markdown.rfind("\n", 0, source[min(mine)].start) + 1
    end = markdown.find("\n", source[max(mine)].end)
    end = len(markdown) if end < 0 else end
    others = {
        mapped[k]
        for other, (c, d) in enumerate(old_ranges)
        if other != i
        for k in range(c, d)
        if k in mapped
    }
    if any(start <= source[k].start < end for k in others if source[k].key[0] != "s"):
        raise PatchFailed("a paragraph shares its lines with another")
    return start, end


_FENCE_OPEN = re.compile(r"\s{0,3}:{3,}\s*\S")
_FENCE_CLOSE = re.compile(r"\s{0,3}:{3,}\s*$")


def _deleted(markdown: str, source, mapped, old_ranges, i) -> _Edit:
    """A paragraph the editor removed: its lines go, with the blank line before them, and the
    fences of a div it was alone in."""
    start, end = _lines_of(markdown, source, mapped, old_ranges, i)
    lines_before = markdown[:start].split("\n")[:-1]
    lines_after = markdown[end + 1 :].split("\n") if end < len(markdown) else []
    if (
        lines_before
        and _FENCE_OPEN.match(lines_before[-1])
        and lines_after
        and _FENCE_CLOSE.match(lines_after[0])
    ):
        start -= len(lines_before[-1]) + 1
        end += len(lines_after[0]) + 1
        lines_before = lines_before[:-1]
        lines_after = lines_after[1:]
    if end >= len(markdown):  # the field's last block: the break before it goes
        while start > 0 and markdown[start - 1] == "\n":
            start -= 1
        return _Edit(start, len(markdown), "")
    end += 1  # its line end
    if (
        lines_before
        and not lines_before[-1].strip()
        and (not lines_after or not lines_after[0].strip())
    ):
        end += len(lines_after[0]) + 1 if lines_after else 0  # one blank line stays between
    return _Edit(start, min(end, len(markdown)), "")


def _inserted(
    markdown: str,
    source,
    mapped,
    old_ranges,
    previous: Optional[int],
    following: Optional[int],
    paragraphs: list[int],
    edited,
) -> _Edit:
    """New paragraphs as blocks of their own, after the block of the paragraph they follow
    (past its div's closing fence), or before the first."""
    blocks = [paragraphs_markdown([edited[j]]) for j in paragraphs]
    roles = [paragraph_role(edited[j].style) for j in paragraphs]
    if previous is None:
        start, _ = (
            _lines_of(markdown, source, mapped, old_ranges, following)
            if following is not None
            else (0, 0)
        )
        return _Edit(start, start, _joined(blocks, roles) + "\n\n")
    _, end = _lines_of(markdown, source, mapped, old_ranges, previous)
    while end < len(markdown):
        line_end = markdown.find("\n", end + 1)
        line = markdown[end + 1 : line_end if line_end >= 0 else len(markdown)]
        if not _FENCE_CLOSE.match(line):
            break
        end = line_end if line_end >= 0 else len(markdown)
    before = paragraph_role(edited[paragraphs[0] - 1].style) if paragraphs[0] else ""
    tight = roles[0] in ("bullet", "number") and roles[0] == before
    return _Edit(end, end, ("\n" if tight else "\n\n") + _joined(blocks, roles))


def _joined(blocks: list[str], roles: list[str]) -> str:
    out = blocks[0]
    for block, role, before in zip(blocks[1:], roles[1:], roles):
        out += ("\n" if role in ("bullet", "number") and role == before else "\n\n") + block
    return out


def _align(source: list[Token], old: list[Token]) -> dict[int, int]:
    """Document token index -> Markdown token index, for the tokens both show."""
    matcher = difflib.SequenceMatcher(
        None, [t.key for t in source], [t.key for t in old], autojunk=False
    )
    mapped = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            mapped[block.b + k] = block.a + k
    return mapped


def _replacement(
    markdown: str,
    source: list[Token],
    mapped: dict[int, int],
    old,
    new,
    i1: int,
    i2: int,
    j1: int,
    j2: int,
) -> _Edit:
    inside = [mapped[i] for i in range(i1, i2) if i in mapped]
    if any(i not in mapped and old[i].key[0] not in ("s",) for i in range(i1, i2)):
        raise PatchFailed("a change touches words briefkit composed")
    base = _base_flags(old, i1, i2)
    text = render(new[j1:j2], base)
    if inside:
        first, last = min(inside), max(inside)
        if sorted(inside) != list(range(first, last + 1)) and any(
            k not in inside and source[k].key[0] not in ("s", "p") for k in range(first, last)
        ):
            raise PatchFailed("a change spans words placed elsewhere in the Markdown")
        start, end = source[first].start, source[last].end
        if source[first].key == ("p",) and new[j1:j2] and new[j1].key != ("p",):
            text = "\n\n" + text
        return _Edit(start, end, text)
    before = next((mapped[i] for i in range(i1 - 1, -1, -1) if i in mapped), None)
    after = next((mapped[i] for i in range(i2, len(old)) if i in mapped), None)
    if before is not None:
        at = source[before].end
        return _Edit(at, at, text)
    if after is not None:
        at = source[after].start
        return _Edit(at, at, text)
    raise PatchFailed("nothing to place the change against")


def _base_flags(old: list[Token], i1: int, i2: int) -> frozenset:
    """The formatting the Markdown already gives the place of a change (inside `*…*`, a
    link): what every replaced word had, or for an insertion what both neighbours have."""
    around = old[i1:i2] if i2 > i1 else [t for t in old[max(0, i1 - 1) : i1 + 1]]
    words = [t for t in around if t.key[0] == "w"]
    if not words:
        return frozenset()
    base = frozenset(words[0].flags)
    for token in words[1:]:
        base &= token.flags
    return base


def _changed_marker(markdown: str, source: Token, old: Token, new: Token) -> _Edit:
    if old.key[0] == "note":
        if source.inner is None:
            raise PatchFailed("a note's text is not in this field")
        start, end = source.inner
        inner = patch(markdown[start:end], list(old.part.paragraphs), list(new.part.paragraphs))
        return _Edit(start, end, inner)
    return _Edit(
        source.start,
        source.end,
        changed_citation(markdown[source.start : source.end], old.part, new.part),
    )


def _apply(markdown: str, edits: list[_Edit]) -> str:
    edits.sort(key=lambda e: (e.start, e.end))
    for a, b in zip(edits, edits[1:]):
        if b.start < a.end:
            raise PatchFailed("two changes overlap in the Markdown")
    out = markdown
    for edit in reversed(edits):
        out = out[: edit.start] + edit.text + out[edit.end :]
    return out

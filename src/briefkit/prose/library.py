"""Libraries of any size: a bibliography file's text and the brief's prose in, the part of the
file Pandoc needs to read out (the cited entries and what they inherit from), with every id the
file defines and where.

A brief cites tens of entries from libraries of thousands. Pandoc reads a whole `--bibliography`
file (20,000 entries take seconds), so briefkit hands it only the entries the prose may cite:
every `@key` the Markdown holds (a superset: what looks like a citation in code or an e-mail
address only adds an entry Pandoc then ignores), with the `crossref`/`xdata` entries they
inherit from and every `@string` macro. What Pandoc prints for a cited entry is the same as
with the whole file; ids, duplicates and uncited entries are known from the scan.

Inheritance has a budget: a cycle (Pandoc follows it until memory runs out) or a chain longer
than `MAX_INHERITANCE` is a located error, and the entries concerned are not handed over.
A file the scan does not understand (bibtex_scan.py) goes to Pandoc whole, as before.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from briefkit.core.diagnostics import Diagnostic, Location
from briefkit.prose.bibtex_scan import BibIndex, Entry, scan

MAX_INHERITANCE = 16  # entries one cited entry may inherit from, all generations together

# What Pandoc may read as a citation key after '@': letters, digits, '_' and internal
# punctuation, or anything in braces (`@{Smith, 2020}`).
_CITATION = re.compile(r"(?<![\w@])@(?:\{([^{}\n]+)\}|([\w][\w:.#$%&\-+?<>~/]*))")
_PUNCTUATION = re.compile(r"[:.#$%&\-+?<>~/]")


def cited_keys(markdown: str) -> set[str]:
    """Every key the Markdown may cite: each `@word` and its shorter forms ending before an
    inner punctuation mark (`@smith.` cites `smith`, `@fig:x.` nothing here)."""
    keys: set[str] = set()
    for match in _CITATION.finditer(markdown):
        if match.group(1) is not None:
            keys.add(match.group(1).strip())
            continue
        word = match.group(2)
        keys.add(word)
        for mark in _PUNCTUATION.finditer(word):
            keys.add(word[: mark.start()])
    return keys


@dataclass
class Selection:
    """What Pandoc reads of one file, and what the file defines."""

    text: str  # the text handed to Pandoc
    ids: list[tuple[str, int]]  # (id, offset in the file) in file order, duplicates included
    problems: list[Diagnostic] = field(default_factory=list)


class LineIndex:
    """Offsets of a text to `file:line:column` in O(log n) each."""

    def __init__(self, file: Path, text: str):
        self.file = file
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def location(self, offset: int) -> Location:
        line = bisect_right(self.starts, offset)
        return Location(self.file, line, offset - self.starts[line - 1] + 1)


def select_bibtex(
    text: str, shown: Path, wanted: set[str], index: Optional[BibIndex] = None
) -> Optional[Selection]:
    """The cited part of a .bib file, or None when it must go to Pandoc whole."""
    index = index or scan(text)
    if not index.understood or index.over is not None:
        return None
    lines = LineIndex(shown, text)
    by_key = index.by_key()
    chosen: set[int] = set()  # entry starts
    problems: list[Diagnostic] = []
    for key in sorted(wanted & by_key.keys()):
        closure, problem = _inheritance(key, by_key, lines)
        if problem is not None:
            problems.append(problem)
            continue
        chosen.update(entry.start for entry in closure)
    spans = sorted(
        [(e.start, e.end) for e in index.entries if e.start in chosen] + list(index.strings)
    )
    subset = "\n\n".join(text[start:end] for start, end in spans) + "\n"
    return Selection(subset, [(e.key, e.key_offset) for e in index.entries], problems)


def _inheritance(key: str, by_key: dict[str, list[Entry]], lines: LineIndex):
    """The entries `key` brings along (itself included), or the located error that stops it."""
    closure: list[Entry] = []
    seen: set[str] = set()
    stack: list[tuple[str, tuple[str, ...]]] = [(key, (key,))]
    while stack:
        name, path = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        for entry in by_key.get(name, []):
            closure.append(entry)
            for field_name, parent, offset in entry.parents:
                if parent in path:
                    chain = " → ".join((*path, parent))
                    return [], Diagnostic(
                        lines.location(offset),
                        f"{field_name} of '{name}': the entries {chain} inherit from one another "
                        f"in a cycle, which Pandoc would follow until memory runs out (the brief "
                        f"cites '{key}')",
                        hint=f"remove this '{field_name}' field, or point it "
                        "at an entry that does not lead back here",
                    )
                stack.append((parent, (*path, parent)))
        if len(seen) > MAX_INHERITANCE + 1:
            first = by_key[key][-1]
            return [], Diagnostic(
                lines.location(first.key_offset),
                f"the entry '{key}' inherits from more than {MAX_INHERITANCE} entries through "
                "'crossref' and 'xdata', over briefkit's inheritance budget",
                hint="write the shared fields into the entry, or shorten the chain",
            )
    return closure, None


def select_json(text: str, shown: Path, wanted: set[str]) -> Optional[Selection]:
    """The cited items of a CSL-JSON file (a list of items), or None to hand it over whole."""
    try:
        items = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("id"), str) for i in items
    ):
        return None  # ids as numbers: Pandoc's reading of them decides, on the whole file
    offsets = _id_offsets(text, [item["id"] for item in items])
    if offsets is None:
        offsets = _json_id_offsets(text)
    if len(offsets) != len(items):
        return None
    ids = [(item["id"], offset) for item, offset in zip(items, offsets)]
    subset = [item for item, (name, _) in zip(items, ids) if name in wanted]
    return Selection(json.dumps(subset, ensure_ascii=False), ids)


def _id_offsets(text: str, ids: list[str]) -> Optional[list[int]]:
    """Where each item's id value is written, found in file order as `"id": "<id>"` (what
    Zotero and Pandoc write); None when one is written otherwise (the slower scan finds them)."""
    offsets, position = [], 0
    for name in ids:
        for written in (json.dumps(name), json.dumps(name, ensure_ascii=False)):
            for spaced in (f'"id": {written}', f'"id":{written}'):
                found = text.find(spaced, position)
                if found >= 0:
                    break
            if found >= 0:
                break
        else:
            return None
        offsets.append(found + len(spaced) - len(written) + 1)  # the id, inside its quotes
        position = found + len(spaced)
    return offsets


_SPACES = re.compile(r"\s*")  # (ids are strings here: see select_json)
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"\s*:?|[\[\]{}]')


def _json_id_offsets(text: str) -> list[int]:
    """For each element of the top-level JSON list, where its id stands (inside the quotes of
    the value of `"id"`), or where the element starts when it has none at its own level."""
    depth, offsets = 0, []
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth == 2:
                offsets.append(match.start())
        elif token in "]}":
            depth -= 1
        elif depth == 2 and token.endswith(":") and token[:4] == '"id"':
            spaces = _SPACES.match(text, match.end())
            assert spaces is not None  # \s* matches anywhere
            offsets[-1] = spaces.end() + 1  # inside the quotes
    return offsets

"""Citation sources: the brief's `references` and `bibliography` files in, what Pandoc reads out.

Every source reaches Pandoc in its own format, as Pandoc reads it with `--bibliography`: `.bib`
as BibLaTeX, CSL-JSON as is, CSL-YAML (files, `---`-fenced or not, and the brief's inline
`references`) as YAML with Pandoc's rules (fields are Markdown, `issued: 2019` is a date). The
inline `references` are handed over as their own source text, on the same lines as in the brief,
so Pandoc sees what the author wrote (`language: no` stays "no") and its messages point into the
brief. Nothing is converted beforehand; of a `.bib` or CSL-JSON file, only the entries the prose
may cite are handed over (library.py), so a library of any size costs what its cited entries
cost. What Pandoc says of a source it cannot read becomes a located error (source_errors.py).

Which ids each source defines is also Pandoc's answer (a Lua filter, `pandoc/sources.lua`, reads
each file alone in the same run): ids are what Pandoc makes of them (`timmory\\_\\_x` is
`timmory__x`), a duplicate names both places, and a file Pandoc cannot read is a located error
naming that file, never a temporary one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Diagnostics, KeyPath, Location
from briefkit.core.paths import PathRefused, Roots
from briefkit.load.source import SourceMap, display_path, load_data
from briefkit.prose.bibtex_scan import BibIndex, scan
from briefkit.prose.library import LineIndex, Selection, cited_keys, select_bibtex, select_json
from briefkit.prose.source_errors import json_problem, offset_location, read_error

SOURCES_FILTER = Path(__file__).parent / "pandoc" / "sources.lua"
CITATIONS_FILTER = Path(__file__).parent / "pandoc" / "citations.lua"
INLINE_NAME = "<references>"  # how the filter names the metadata's references
SUFFIXES = {
    ".bib": "BibLaTeX",
    ".bibtex": "BibTeX",
    ".json": "CSL-JSON",
    ".yaml": "CSL-YAML",
    ".yml": "CSL-YAML",
}


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    import pypandoc  # imported late: it probes for the binary on import

    # The binary pypandoc-binary ships, named directly: pypandoc's own search tries a `pandoc`
    # in the working folder first, and logs a traceback when that is a folder (the `pandoc/`
    # of Pandoc users' projects, holding their CSL styles and filters).
    bundled = (
        Path(pypandoc.__file__).parent / "files" / ("pandoc.exe" if os.name == "nt" else "pandoc")
    )
    return str(bundled) if bundled.is_file() else pypandoc.get_pandoc_path()


@dataclass
class Bibliography:
    """One source as Pandoc reads it: a file the brief names, or the brief's `references`."""

    file: Optional[Path]  # the file Pandoc reads; None until written (inline references)
    shown: Path  # what messages name
    text: str  # its text: ids and errors are located in it
    where: Location  # where the brief names it
    key: KeyPath
    item_locations: list[Location] = field(default_factory=list)  # inline: each item's id
    index: Optional[BibIndex] = None  # a .bib file's scan
    handed: Optional[Path] = None  # what Pandoc reads: the cited part of `file`, or `file`
    selection: Optional[Selection] = None  # when only the cited part is handed over

    @property
    def kind(self) -> str:
        return SUFFIXES.get(self.shown.suffix.lower(), "CSL-YAML") if self.file else "CSL-YAML"


@dataclass
class Sources:
    bibliographies: list[Bibliography] = field(default_factory=list)
    origin: dict[str, Location] = field(default_factory=dict)  # id -> where it is defined
    files: list[Path] = field(default_factory=list)  # bibliography files read (fingerprints)
    complete: bool = True  # False when a source could not be read: unknown keys are not errors

    def __bool__(self) -> bool:
        return bool(self.bibliographies)

    def pandoc_arguments(self, scratch: Path, markdown: str = "") -> list[str]:
        """`--bibliography` for each file (of a .bib or CSL-JSON file only the part `markdown`
        may cite: library.py); the inline references as the document's metadata (where Pandoc
        reads every value as Markdown, the id too), written into `scratch`."""
        arguments: list[str] = []
        wanted = cited_keys(markdown)
        for number, bibliography in enumerate(self.bibliographies):
            if bibliography.file is None:
                bibliography.file = bibliography.handed = scratch / "references.yaml"
                bibliography.file.write_text(bibliography.text, encoding="utf-8")
                arguments += ["--metadata-file", str(bibliography.file)]
                continue
            bibliography.handed = bibliography.file
            bibliography.selection = _select(bibliography, wanted)
            if bibliography.selection is not None:
                bibliography.handed = scratch / f"{number}-cited{bibliography.file.suffix}"
                bibliography.handed.write_text(bibliography.selection.text, encoding="utf-8")
            arguments += ["--bibliography", str(bibliography.handed)]
        return arguments

    @property
    def inline_file(self) -> Optional[Path]:
        """The file of the inline references (the brief, or its series file), if any."""
        return self.inline.shown if self.inline is not None else None

    @property
    def inline(self) -> Optional[Bibliography]:
        return next((b for b in self.bibliographies if b.key == ("references",)), None)

    def register(self, report, diagnostics: Diagnostics) -> None:
        """Take in the filter's report: ids (duplicates are errors) and unreadable files."""
        by_file: dict[str, Optional[Bibliography]] = {str(b.handed): b for b in self.bibliographies}
        by_file[INLINE_NAME] = self.inline
        for entry in report if isinstance(report, list) else []:
            bibliography = by_file.get(entry.get("file"))
            if bibliography is None:
                continue
            if "error" in entry:
                self.complete = False
                diagnostics.add(read_error(bibliography, str(entry["error"])))
                continue
            if bibliography.selection is not None:
                self._register_selection(bibliography, bibliography.selection, diagnostics)
                continue
            ids = [str(i) for i in entry.get("ids") or []]  # Lua encodes an empty list as {}
            if not ids:
                _warn_if_not_empty(bibliography, diagnostics)
            seen: dict[str, int] = {}
            for index, key in enumerate(ids):
                seen[key] = seen.get(key, 0) + 1
                self._add(key, _locate(bibliography, key, index, seen[key]), diagnostics)

    def _register_selection(
        self, bibliography: Bibliography, selection: Selection, diagnostics: Diagnostics
    ) -> None:
        """The ids a scanned file defines; a key defined twice in the file is a warning naming
        both places (Pandoc uses the later entry), as is one defined in another source too."""
        diagnostics.extend(selection.problems)
        lines = LineIndex(bibliography.shown, bibliography.text)
        if not selection.ids:
            _warn_if_not_empty(bibliography, diagnostics)
        earlier: dict[str, Location] = {}
        for key, offset in selection.ids:
            where = lines.location(offset)
            if key in earlier:
                diagnostics.warning(
                    where,
                    f"the reference id '{key}' is defined twice in this file (also at "
                    f"line {earlier[key].line}); the later entry is used, as Pandoc does",
                    hint="delete or rename one of them (e.g. '{key}b' for the other work)".replace(
                        "{key}", key
                    ),
                )
                self.origin[key] = where
            elif key in self.origin:
                self._add(key, where, diagnostics)
            else:
                self.origin[key] = where
            earlier[key] = where

    def _add(self, key: str, where: Location, diagnostics: Diagnostics) -> None:
        if key in self.origin:
            diagnostics.error(
                where,
                f"the reference id '{key}' is defined twice",
                hint=f"it is also defined at {self.origin[key]}; ids must be "
                "unique across references and bibliography files",
            )
            return
        self.origin[key] = where


def collect_sources(
    data: dict, bibliography: list[str], source: SourceMap, roots: Roots, diagnostics: Diagnostics
) -> Sources:
    sources = Sources()
    inline = _inline_references(data, source)
    if inline is not None:
        sources.bibliographies.append(inline)
    for i, text in enumerate(bibliography):
        key = (
            ("bibliography", i) if isinstance(data.get("bibliography"), list) else ("bibliography",)
        )
        where = source.location(key)
        try:
            path = roots.resolve(text)
        except PathRefused as exc:
            diagnostics.error(where, f"the bibliography cannot be used: {exc}", key=key)
            sources.complete = False
            continue
        sources.files.append(path)
        read = _read_file(path, where, key, diagnostics)
        if read is None:
            sources.complete = False
        else:
            sources.bibliographies.append(read)
    return sources


def _inline_references(data: dict, source: SourceMap) -> Optional[Bibliography]:
    """The `references:` key and its value as the author wrote them, on their own lines."""
    references = data.get("references")
    if not isinstance(references, list) or not references:
        return None  # a wrong shape: the schema says what is wrong
    holder: Optional[SourceMap] = source
    while holder is not None and not (
        ("references",) in holder.keys and ("references",) in holder.values
    ):
        holder = holder.under  # defined in a series file
    if holder is None:
        return None
    key, value = holder.keys[("references",)], holder.values[("references",)]
    line_start = holder.text.rfind("\n", 0, key.start) + 1
    written = holder.text[key.start : value.end]
    text = "\n" * (key.line - 1) + " " * (key.start - line_start) + written + "\n"
    locations = [
        holder.location(("references", i, "id"))
        if holder is source
        else _in(holder, ("references", i, "id"))
        for i, item in enumerate(references)
        if isinstance(item, dict) and "id" in item
    ]
    return Bibliography(
        None,
        holder.file,
        text,
        Location(holder.file, key.line, key.column),
        ("references",),
        locations,
    )


def _in(source: SourceMap, path: KeyPath) -> Location:
    span = source.values.get(path)
    return Location(source.file, span.line, span.column) if span else Location(source.file, 1, 1)


def _read_file(
    path: Path, where: Location, key: KeyPath, diagnostics: Diagnostics
) -> Optional[Bibliography]:
    shown = display_path(path)
    if path.suffix.lower() not in SUFFIXES:
        diagnostics.error(
            where,
            f"'{path.name}' is not a bibliography file",
            key=key,
            expected=".bib (BibLaTeX), .json (CSL-JSON) or .yaml (CSL-YAML)",
        )
        return None
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        diagnostics.error(
            Location(shown), f"cannot read this bibliography: {exc.strerror}", key=key
        )
        return None
    except UnicodeDecodeError as exc:
        diagnostics.error(
            offset_location(shown, exc.object.decode("utf-8", "replace"), exc.start),
            f"byte 0x{exc.object[exc.start]:02X} is not UTF-8",
            hint="save the bibliography as UTF-8 (Zotero and Better BibTeX can export UTF-8)",
        )
        return None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:  # briefkit's loader first: its budgets (aliases, depth) hold before Pandoc's
            load_data(_first_document(text), shown)
        except BriefInvalid as exc:
            diagnostics.extend(exc.diagnostics)
            return None
    if path.suffix.lower() == ".json":
        problem = json_problem(shown, text)
        if problem is not None:
            diagnostics.add(problem)
            return None
    index = None
    if path.suffix.lower() in (".bib", ".bibtex"):
        index = scan(text)
        over = index.over
        if over is not None:
            what = (
                "all fields of the file together" if over.total else f"the value of '{over.name}'"
            )
            diagnostics.error(
                offset_location(shown, text, over.offset),
                f"{what} would expand to {over.size:,} characters, over the "
                f"@string expansion budget of {over.budget:,}",
                hint="@string macros concatenated with '#' multiply; write the "
                "value out or use fewer of them",
            )
            return None
    return Bibliography(path, shown, text, where, key, index=index)


def _select(bibliography: Bibliography, wanted: set[str]) -> Optional[Selection]:
    """The part of a file Pandoc needs, or None when it must read all of it."""
    if bibliography.index is not None:
        return select_bibtex(bibliography.text, bibliography.shown, wanted, bibliography.index)
    if bibliography.kind == "CSL-JSON":
        return select_json(bibliography.text, bibliography.shown, wanted)
    return None


def _first_document(text: str) -> str:
    """The YAML document Pandoc reads (a `---`-fenced file may end with `---` or `...`);
    lines after it are blanked, so positions stay those of the file."""
    lines = text.split("\n")
    content = [i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")]
    start = content[0] + 1 if content and lines[content[0]].rstrip() == "---" else 0
    for i in range(start, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[:i] + [""] * (len(lines) - i))
    return text


# ---- where an id is defined ----------------------------------------------------------------------


def _warn_if_not_empty(bibliography: Bibliography, diagnostics: Diagnostics) -> None:
    """A file in which no reference was found is a warning unless it is empty: it may be of
    another kind than its name says."""
    if bibliography.text.strip():
        diagnostics.warning(
            bibliography.where,
            f"'{bibliography.shown}' defines no references",
            key=bibliography.key,
            hint=f"check that it is {bibliography.kind}",
        )


def _locate(bibliography: Bibliography, key: str, index: int, nth: int) -> Location:
    """The `nth` definition of `key` in a source (`index` is its place in Pandoc's list)."""
    if bibliography.item_locations and len(bibliography.item_locations) > index:
        return bibliography.item_locations[index]
    # the key where an entry defines it (`@book{key,`, `"id": "key"`, `id: key`), not where it
    # is a prefix of another key or a word of a title; CSL-YAML ids may hold Markdown escapes
    spelled = "".join(re.escape(c) if c.isalnum() else r"\\?" + re.escape(c) for c in key)
    pattern = r"""(?:@\w+\s*[{(]\s*|\bid["']?\s*:\s*["']?)(%s)(?=[\s,"'}]|$)""" % spelled
    matches = list(re.finditer(pattern, bibliography.text, re.M))
    if not matches:
        return Location(bibliography.shown, 1, 1)
    match = matches[min(nth, len(matches)) - 1]
    return offset_location(bibliography.shown, bibliography.text, match.start(1))


# More uncited entries than this in one source are summed up in one line.
MAX_UNCITED_LISTED = 3


def unused_warnings(sources: Sources, cited: set[str], listed: bool = False) -> list[Diagnostic]:
    """A warning for each source never cited; a library (a file with more than
    `MAX_UNCITED_LISTED` of them) gets one line saying how many, at its first, unless `listed`
    (`briefkit check --uncited`)."""
    by_file: dict[Path, list[tuple[str, Location]]] = {}
    for key, where in sources.origin.items():
        if key not in cited:
            by_file.setdefault(where.file, []).append((key, where))
    out = []
    for file, uncited in by_file.items():
        if listed or len(uncited) <= MAX_UNCITED_LISTED or file == sources.inline_file:
            out += [
                Diagnostic(
                    where,
                    f"the source '{key}' is never cited",
                    severity="warning",
                    hint="cite it with [@" + key + "] or remove it",
                )
                for key, where in uncited
            ]
            continue
        total = sum(1 for where in sources.origin.values() if where.file == file)
        out.append(
            Diagnostic(
                uncited[0][1],
                f"{len(uncited):,} of the {total:,} entries of '{file}' are never "
                f"cited (only cited entries are read), the first being '{uncited[0][0]}'",
                severity="warning",
                hint="nothing to do for a shared library; 'briefkit check --uncited' lists them",
            )
        )
    return out

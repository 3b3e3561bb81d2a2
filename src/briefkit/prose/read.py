"""Read prose: the brief's Markdown fields (in reading order) in, model blocks per field out.

All fields go through ONE Pandoc run, each wrapped in a fenced div that carries its index, so
that Pandoc's citeproc sees every citation in the order a reader meets them: that is what makes
"Ibid." and shortened subsequent notes right across parts. Pandoc reads Pandoc's
Markdown without metadata blocks and runs with `--sandbox`, so prose cannot make Pandoc read a
file; raw HTML and TeX are read as Pandoc reads them and left out by the reader (never markup
in an output).
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any, Iterable, Optional

from briefkit import model as m
from briefkit.core.cleanup import done, on_exit, signals_deferred
from briefkit.core.diagnostics import Diagnostics, KeyPath, Location, did_you_mean
from briefkit.core.paths import Roots
from briefkit.core.run import ENGINE_SECONDS
from briefkit.load.source import NOT_TEXT, SourceMap
from briefkit.prose.citations import CITATIONS_FILTER, SOURCES_FILTER, Sources, pandoc_path
from briefkit.prose.cite_items import CitationReport
from briefkit.prose.csl_styles import Style, probe_style, write_style
from briefkit.prose.formulas import CROSSREF_FILTER, MATH_FILTER, formulas_from
from briefkit.prose.pandoc_ast import ALT_PLACEHOLDER, PandocReader

# Pandoc's Markdown as Pandoc users write it (raw TeX and HTML included: the reader leaves them
# out, with a warning), without what would read a file or change the document's metadata.
MARKDOWN = "markdown-yaml_metadata_block-pandoc_title_block-auto_identifiers"
_FENCE = ":" * 24
_REFS = re.compile(r"^ {0,3}:{3,}\s*\{[^}]*#refs[\s}]", re.M)
_OPEN = re.compile(r"^\s{0,3}:{3,}\s*(\{[^}]*\}|[\w-]+)")
_CLOSE = re.compile(r"^\s{0,3}:{3,}\s*$")
BIBLIOGRAPHY_KEY: KeyPath = ("<bibliography>",)


@dataclass
class ProseField:
    key: KeyPath  # where the Markdown stands in the brief
    markdown: str
    # Display text (resolve/display.py): a plain-text field escaped into Markdown for its
    # punctuation alone. What it holds is never Markdown, so it has no Markdown slips to report
    # (validate/plain_text.py says what a plain-text field must not hold).
    display: bool = False


@dataclass
class Prose:
    blocks: dict[KeyPath, list[m.Block]] = field(default_factory=dict)
    cited: set[str] = field(default_factory=set)
    csl_items: dict[str, dict] = field(default_factory=dict)  # cited key -> CSL-JSON
    equations: dict[str, str] = field(default_factory=dict)  # `{#eq:x}` id -> its number

    def get(self, key: KeyPath) -> list[m.Block]:
        return self.blocks.get(tuple(key), [])


class PandocJob:
    """Pandoc reading every prose field of a brief, in its own process.

    Started as soon as the YAML is loaded, so that the schema check and the import of the
    renderers happen while Pandoc works on the other core; `result()` waits for it."""

    def __init__(
        self,
        fields: list[ProseField],
        sources: Sources,
        style: Optional[Style],
        with_bibliography: bool,
        lang: Optional[str] = None,
    ):
        self.fields = [f for f in fields if f.markdown and f.markdown.strip()]
        # A blank line before each closing fence: a note definition or a paragraph that ends
        # a field would otherwise take the fence in as a lazy continuation line
        # (`[^15]: ` + the fence made a note reading "::::…" and swallowed the rest).
        parts = [
            f"{_FENCE} {{#bkf-{i}}}\n{scope_note_labels(f.markdown, i).rstrip()}\n\n{_FENCE}\n"
            for i, f in enumerate(self.fields)
        ]
        self.bibliography_index = None
        # `::: {#refs}` in a field places the bibliography there, as in Pandoc: the layout's
        # bibliography part is then left empty (else it would print twice)
        if with_bibliography and not any(_REFS.search(f.markdown) for f in self.fields):
            self.bibliography_index = len(self.fields)
            parts.append(
                f"{_FENCE} {{#bkf-{self.bibliography_index}}}\n::: {{#refs}}\n:::\n{_FENCE}\n"
            )
        self.sources = sources
        self._threads: list[threading.Thread] = []
        # Killed and its folder removed however the command ends, even if `result()` is never
        # called (a mistake found before the prose is needed, Ctrl-C, SIGTERM): registered
        # before an interrupt can come between the folder's making and its registration.
        with signals_deferred():
            self._scratch = tempfile.TemporaryDirectory(prefix="briefkit-")
            self._cleanup = on_exit(self.cancel)
        scratch = Path(self._scratch.name)
        # pandoc-crossref's syntax first, as the filter itself runs before citeproc
        command = [pandoc_path(), "--sandbox", "-f", MARKDOWN, "-t", "json"]
        command += ["--lua-filter", str(CROSSREF_FILTER)]
        if sources:
            # the filter reports each source's ids (or why it cannot be read) before citeproc
            markdown = "\n".join(f.markdown for f in self.fields)
            command += [
                "--lua-filter",
                str(SOURCES_FILTER),
                *sources.pandoc_arguments(scratch, markdown),
            ]
            if style is not None:
                # each citation's locator as citeproc parses it, for Word's citation fields
                probe = scratch / "briefkit-probe.csl"
                probe.write_text(probe_style(style), encoding="utf-8")
                command += ["--lua-filter", str(CITATIONS_FILTER)]
                command += ["--metadata", f"briefkit-probe={probe}"]
                command += ["--citeproc", "--csl", str(write_style(style, scratch))]
                if lang:
                    command += ["--metadata", f"lang={lang}"]
        # after citeproc: the formulas of notes and bibliography entries are typeset too
        command += ["--lua-filter", str(MATH_FILTER)]
        self.style = style
        with signals_deferred():  # Pandoc is `cancel`'s to stop as soon as it runs
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        self._out: list[bytes] = []
        self._err: list[bytes] = []
        data = "\n".join(parts).encode("utf-8")
        stdin, stdout, stderr = self.process.stdin, self.process.stdout, self.process.stderr
        assert stdin is not None and stdout is not None and stderr is not None  # all PIPEs
        self._threads = [
            threading.Thread(target=self._feed, args=(stdin, data), daemon=True),
            threading.Thread(target=lambda: self._out.append(stdout.read()), daemon=True),
            threading.Thread(target=lambda: self._err.append(stderr.read()), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    @staticmethod
    def _feed(stdin: IO[bytes], data: bytes) -> None:
        try:
            stdin.write(data)
            stdin.close()
        except BrokenPipeError:  # Pandoc stopped: cancelled, or a Ctrl-C reached its group
            # Closing flushes what it did not take, which breaks the pipe again: the thread
            # would die printing a traceback in the middle of an orderly stop.
            with contextlib.suppress(OSError):
                stdin.close()

    def result(self) -> dict:
        try:
            deadline = time.monotonic() + ENGINE_SECONDS
            for thread in self._threads:
                thread.join(max(0.0, deadline - time.monotonic()))
            if any(thread.is_alive() for thread in self._threads):
                raise PandocFailed(
                    f"Pandoc ran longer than {ENGINE_SECONDS:.0f} s, briefkit's "
                    "time budget for reading a brief's prose; look for text that "
                    "repeats a construct thousands of times"
                )
            self.process.wait()
        except BaseException:
            self.cancel()
            raise
        self._scratch.cleanup()
        done(self._cleanup)
        if self.process.returncode != 0:
            message = b"".join(self._err).decode(errors="replace")
            location = None
            inline = self.sources.inline
            place = re.search(r"YAML parse exception at line (\d+), column (\d+)", message)
            if inline is not None and str(inline.file) in message and place:
                # the inline references keep their lines; HsYAML counts from 0
                location = Location(inline.shown, int(place.group(1)) + 1, int(place.group(2)) + 1)
            for bibliography in self.sources.bibliographies:  # never a temporary file's name
                for named in {bibliography.handed, bibliography.file} - {None}:
                    message = message.replace(str(named), str(bibliography.shown))
            if self.style is not None and self.style.text is not None:
                message = message.replace(
                    str(Path(self._scratch.name) / self.style.path.name), str(self.style.path.name)
                )
            raise PandocFailed(message.replace(self._scratch.name, "").strip(), location)
        return json.loads(b"".join(self._out))

    def cancel(self) -> None:
        """Stop Pandoc (if it still runs), reap it and remove the scratch folder; idempotent,
        and whole however far the start got before an interrupt."""
        process = getattr(self, "process", None)  # none if stopped before Pandoc started
        if process is not None:
            if process.poll() is None:
                process.kill()
            for thread in self._threads:  # they read until Pandoc's pipes close
                if thread.ident is not None:  # started
                    thread.join(5)
            process.wait()
        self._scratch.cleanup()
        done(self._cleanup)


class PandocFailed(Exception):
    """Pandoc refused the prose, a source or the style; the message names no scratch file."""

    def __init__(self, message: str, location: Optional[Location] = None):
        super().__init__(message)
        self.location = location


def check_fences(fields: list[ProseField], source: SourceMap, diagnostics: Diagnostics) -> None:
    """What must hold before Pandoc reads the fields: fences balanced, quotes within the
    nesting budget (and a located warning for a note label defined twice in one field)."""
    for f in fields:
        if f.markdown and f.markdown.strip():
            _check_fences(f, source, diagnostics)
            _check_note_labels(f, source, diagnostics)
            _check_quote_depth(f, source, diagnostics)


# A note label as Pandoc reads one: `[^label]`, no space or bracket in the label.
_NOTE_LABEL = re.compile(r"\[\^([^\s\[\]^]+)\]")
_NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\s\[\]^]+)\]:")


def scope_note_labels(markdown: str, index: int) -> str:
    """Every `[^label]` of field `index` made that field's own (`[^bkn3-label]`): all fields
    go through one Pandoc run, where a `[^1]` of two sections (Markdown pasted from two
    documents) would otherwise share one definition. Text that only looks like a label (in
    code, escaped) is given back by `clean_field`."""
    prefix = f"bkn{index}-"
    return "\n".join(_scoped_line(line, prefix) for line in markdown.split("\n"))


def _scoped_line(line: str, prefix: str) -> str:
    """One line's labels scoped. In a grid table's row each cell is padded to its column: a
    longer label takes its width from the padding at the end of its cell, so the row still
    lines up with the table's border (where the padding is too short, it cannot)."""
    grid_row = line.strip().startswith("|") and line.strip().endswith("|")
    out, position = [], 0
    while (match := _NOTE_LABEL.search(line, position)) is not None:
        out.append(line[position : match.start()])
        out.append(f"[^{prefix}{match.group(1)}]")
        position = match.end()
        if grid_row:
            following = len(line) - len(line[position:].lstrip(" ")) - position
            border = line.find("|", position)
            cell = line[position:border]
            spare = len(cell) - len(cell.rstrip(" ")) - 1  # keep one space before the border
            if border > position + following and following >= len(prefix):
                line = line[:position] + line[position + len(prefix) :]  # room left after it
            elif border > 0 and spare >= len(prefix):
                line = line[: border - len(prefix)] + line[border:]
    out.append(line[position:])
    return "".join(out)


# The nesting budget: blocks and inlines inside one another (quotes, lists, notes, emphasis).
# Real prose nests a dozen levels; the walkers and writers recurse once or more per level.
MAX_NESTING = 64
_QUOTE_MARKERS = re.compile(r"^(?:[ \t]{0,3}>)+")


def clean_field(node, index: int, found: set) -> int:
    """Pandoc's AST of field `index`, cleaned in place: every scoped label left in its text (a
    code span showing `[^1]`, an undefined reference printed as typed) written as the author
    wrote it, and every character no document format can carry (a `&#11;` entity, decoded by
    Pandoc) taken out and added to `found`. Returns how many Pandoc elements deep `node` goes,
    counted without recursion: a field deeper than the budget is never walked recursively."""
    marker = f"[^bkn{index}-"
    deepest, stack = 0, [(node, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            depth += "t" in item
            deepest = max(deepest, depth)
            entries: Iterable[tuple[Any, Any]] = item.items()
        else:
            entries = enumerate(item)
        for key, value in entries:
            if isinstance(value, str):
                if marker in value or NOT_TEXT.search(value):
                    item[key] = _clean_text(value, marker, found)
            elif isinstance(value, (list, dict)):
                stack.append((value, depth))
    return deepest


def _clean_text(text: str, marker: str, found: set) -> str:
    text = text.replace(marker, "[^")
    found.update(NOT_TEXT.findall(text))
    return NOT_TEXT.sub("", text)


def _too_deep(
    f: ProseField, source: SourceMap, diagnostics: Diagnostics, depth: int, needle: str = ""
) -> None:
    diagnostics.error(
        source.locate_text(f.key, needle) if needle else source.location(f.key),
        f"the Markdown nests {depth} levels deep (quotes, lists, notes or emphasis inside one "
        f"another), more than briefkit's nesting budget of {MAX_NESTING} levels",
        key=f.key,
        hint="flatten it: no reader follows more than a few levels",
    )


def _check_quote_depth(f: ProseField, source: SourceMap, diagnostics: Diagnostics) -> None:
    """Quotes nested past the budget, found in the Markdown itself: Pandoc takes seconds over
    thousands of `>` (and Python cannot decode what it then prints)."""
    for line in f.markdown.splitlines():
        markers = _QUOTE_MARKERS.match(line)
        if markers and markers.group().count(">") > MAX_NESTING:
            _too_deep(f, source, diagnostics, markers.group().count(">"), line.strip()[:80])
            return


def _check_characters(
    f: ProseField, found: set, source: SourceMap, diagnostics: Diagnostics
) -> None:
    """Characters no document format can carry that Pandoc decoded from entities (`&#11;`,
    `&#xFFFE;`): refused as the loader refuses them typed raw, located at the entity."""
    for char in sorted(found):
        where = _entity_written(f.markdown, char)
        written = f" (written as {where[1]})" if where else ""
        diagnostics.error(
            _locate_in_line(source, f.key, *where) if where else source.location(f.key),
            f"the text holds the control character U+{ord(char):04X}{written}, which no "
            "document format can carry",
            key=f.key,
            hint="delete it",
        )


def _entity_written(markdown: str, char: str):
    """(line, entity, column in line) of the first entity outside code that stands for
    `char` (inside code an entity is the text it shows)."""
    in_code = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        if in_code:
            continue
        for mt in _ENTITY.finditer(line):
            if _entity_char(mt) == char and line.count("`", 0, mt.start()) % 2 == 0:
                return line, mt.group(), mt.start()
    return None


def _locate_in_line(source: SourceMap, key, line: str, needle: str, column: int) -> Location:
    """The position of `needle`, at `column` of the Markdown line `line`, in the brief."""
    stripped = line.strip()
    at = source.locate_text(key, stripped)
    lines = source.text.splitlines()
    if (
        at.file == source.file
        and 0 < at.line <= len(lines)
        and lines[at.line - 1][at.column - 1 :].startswith(stripped)
    ):
        return Location(at.file, at.line, at.column + column - (len(line) - len(line.lstrip())))
    return source.locate_text(key, needle)


_ENTITY = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")


def _entity_char(match) -> str:
    try:
        return chr(int(match.group(1), 16) if match.group(1) else int(match.group(2)))
    except (ValueError, OverflowError):
        return ""


def _check_note_labels(f: ProseField, source: SourceMap, diagnostics: Diagnostics) -> None:
    """A label defined twice in one field: Pandoc keeps the last definition; say so where the
    later one stands (labels of different fields never meet: see `scope_note_labels`)."""
    seen: dict[str, int] = {}
    in_code = False
    for number, line in enumerate(f.markdown.splitlines(), 1):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        match = None if in_code else _NOTE_DEFINITION.match(line)
        if match is None:
            continue
        label = match.group(1)
        if label in seen:
            diagnostics.warning(
                source.locate_text(f.key, line.strip()),
                f"the note [^{label}] is defined twice in this field (lines {seen[label]} and "
                f"{number} of its text); the later definition is used for every [^{label}]",
                key=f.key,
                hint=f"give one of them another label, e.g. [^{label}b], and use it "
                "where that note is called",
            )
        seen[label] = number


def read_prose(
    job: PandocJob, *, source: SourceMap, roots: Roots, diagnostics: Diagnostics
) -> Prose:
    """The model blocks of every field Pandoc read, with unknown citation keys reported."""
    try:
        ast = job.result()
    except RecursionError:  # nested deeper than Python decodes: past any budget
        diagnostics.error(
            source.location(()),
            "the Markdown of this brief nests deeper than "
            f"briefkit's nesting budget of {MAX_NESTING} levels",
            hint="flatten its lists, notes and emphasis",
        )
        return Prose()
    except PandocFailed as exc:
        message = " ".join(str(exc).split())
        key = ("citation_style",) if re.search(r"\bCSL\b|style", message) else ()
        if exc.location is not None:
            key = ("references",)
        diagnostics.error(
            exc.location or source.location(key),
            f"Pandoc cannot format this brief: {message}",
            key=key,
            hint="check the citation style and the bibliography files",
        )
        return Prose()
    formulas = formulas_from(ast.get("meta", {}))
    report = ast.get("meta", {}).get("briefkit-sources", {}).get("c")
    job.sources.register(json.loads(report) if isinstance(report, str) else [], diagnostics)
    citations = CitationReport.from_meta(ast.get("meta", {}))
    by_id = {}
    for block in ast["blocks"]:
        if block["t"] == "Div" and block["c"][0][0].startswith("bkf-"):
            by_id[int(block["c"][0][0][4:])] = block["c"][1]
    prose = Prose(csl_items=citations.items)
    known = set(job.sources.origin)
    placeholders = 0
    for i, f in enumerate(job.fields):
        if i not in by_id:
            diagnostics.error(
                source.location(f.key),
                "the Markdown of this field could not be read apart from its neighbours",
                key=f.key,
                hint="check its ::: fences and that its indentation is consistent",
            )
            continue

        def report(add, key=f.key, display=f.display):
            """A located message of the reader's (`add`: error or warning); none for display
            text, which is never Markdown (ProseField.display)."""
            return lambda message, needle: (
                None if display else add(source.locate_text(key, needle), message, key=key)
            )

        problem, notice = report(diagnostics.error), report(diagnostics.warning)

        found: set = set()
        blocks = by_id[i]
        depth = clean_field(blocks, i, found)
        if depth > MAX_NESTING:  # checked before any recursive walk: they recurse once a level
            _too_deep(f, source, diagnostics, depth)
            continue
        _check_characters(f, found, source, diagnostics)

        reader = PandocReader(
            roots,
            problem,
            partial(source.locate_text, f.key),
            notice,
            formulas,
            citations,
        )
        prose.blocks[f.key] = reader.blocks(blocks)
        prose.equations.update(reader.equations)
        placeholders += reader.placeholders
        for cited in dict.fromkeys(reader.cited):
            prose.cited.add(cited)
            if cited not in known and job.sources.complete:
                hint = did_you_mean(cited, known) or (
                    "define it in 'references' or a 'bibliography' file, or write \\@ for a "
                    "literal @"
                )
                diagnostics.error(
                    source.locate_text(f.key, "@" + cited),
                    f"the citation key '{cited}' is not defined",
                    key=f.key,
                    hint=hint,
                )
    if placeholders:
        diagnostics.warning(
            source.location(()),
            f"{placeholders} picture(s) still have the "
            f"alt text '{ALT_PLACEHOLDER}' from `briefkit import`",
            hint="describe each where the warnings above point",
        )
    if job.bibliography_index is not None and job.bibliography_index in by_id:
        reader = PandocReader(roots, lambda message, needle: None, formulas=formulas)
        found = set()
        entries = by_id[job.bibliography_index]
        clean_field(entries, -1, found)
        for char in sorted(found):  # from a source's data: the entries print without it
            diagnostics.warning(
                source.location(("bibliography",)),
                f"a bibliography entry holds "
                f"the control character U+{ord(char):04X}, left out of the outputs",
                hint="delete it from the source's data",
            )
        blocks = reader.blocks(entries)  # the layout's part: the entries, not a placed block
        prose.blocks[BIBLIOGRAPHY_KEY] = [
            inner
            for block in blocks
            for inner in (block.children if isinstance(block, m.Callout) else [block])
        ]
    return prose


def _check_fences(f: ProseField, source: SourceMap, diagnostics: Diagnostics) -> None:
    """Unbalanced `:::` fences would swallow the neighbouring fields; say so where they are."""
    opened: list[str] = []
    in_code = False
    for line in f.markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        if in_code:
            continue
        if _OPEN.match(line):
            opened.append(line.strip())
        elif _CLOSE.match(line):
            if not opened:
                diagnostics.error(
                    source.locate_text(f.key, line.strip()),
                    "a ':::' fence closes a block that was never opened",
                    key=f.key,
                    hint="remove it, or open the block with '::: box'",
                )
                return
            opened.pop()
    if opened:
        diagnostics.error(
            source.locate_text(f.key, opened[-1]),
            f"the block '{opened[-1]}' is never closed",
            key=f.key,
            hint="end it with a line holding only ':::'",
        )

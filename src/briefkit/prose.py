"""Read prose: the brief's Markdown fields (in reading order) in, model blocks per field out.

All fields go through ONE Pandoc run, each wrapped in a fenced div that carries its index, so
that Pandoc's citeproc sees every citation in the order a reader meets them: that is what makes
"Ibid." and shortened subsequent notes right across parts. Pandoc is asked for a Markdown dialect
without raw HTML/TeX or metadata blocks, and runs with `--sandbox`, so prose can neither inject
markup nor make Pandoc read a file.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import model as m
from .citations import Sources, pandoc_path
from .diagnostics import Diagnostics, KeyPath, did_you_mean
from .load import SourceMap
from .pandoc_reader import PandocReader
from .paths import Roots

MARKDOWN = ("markdown-raw_html-raw_tex-raw_attribute-yaml_metadata_block-pandoc_title_block"
            "-auto_identifiers")
_FENCE = ":" * 24
_OPEN = re.compile(r"^\s{0,3}:{3,}\s*(\{[^}]*\}|[\w-]+)")
_CLOSE = re.compile(r"^\s{0,3}:{3,}\s*$")
BIBLIOGRAPHY_KEY: KeyPath = ("<bibliography>",)


@dataclass
class ProseField:
    key: KeyPath  # where the Markdown stands in the brief
    markdown: str


@dataclass
class Prose:
    blocks: dict[KeyPath, list[m.Block]] = field(default_factory=dict)
    cited: set[str] = field(default_factory=set)

    def get(self, key: KeyPath) -> list[m.Block]:
        return self.blocks.get(tuple(key), [])


def read_prose(fields: list[ProseField], *, sources: Sources, style: Optional[Path],
               with_bibliography: bool, source: SourceMap, roots: Roots,
               diagnostics: Diagnostics, while_pandoc_runs: Callable[[], None] = lambda: None,
               ) -> Prose:
    """Read every field; `while_pandoc_runs` is called while Pandoc works in its own process
    (the CLI imports the renderers then, on the other core)."""
    fields = [f for f in fields if f.markdown and f.markdown.strip()]
    for f in fields:
        _check_fences(f, source, diagnostics)
    if diagnostics.errors:
        return Prose()
    parts = [f"{_FENCE} {{#bkf-{i}}}\n{f.markdown.rstrip()}\n{_FENCE}\n" for i, f in enumerate(fields)]
    bibliography_index = None
    if with_bibliography:
        bibliography_index = len(fields)
        parts.append(f"{_FENCE} {{#bkf-{bibliography_index}}}\n::: {{#refs}}\n:::\n{_FENCE}\n")
    ast = run_pandoc("\n".join(parts), sources, style if sources.items else None,
                     while_pandoc_runs)

    by_id = {}
    for block in ast["blocks"]:
        if block["t"] == "Div" and block["c"][0][0].startswith("bkf-"):
            by_id[int(block["c"][0][0][4:])] = block["c"][1]
    prose = Prose()
    known = set(sources.origin)
    for i, f in enumerate(fields):
        if i not in by_id:
            diagnostics.error(source.location(f.key), "the Markdown of this field could not be read "
                              "apart from its neighbours", key=f.key,
                              hint="check its ::: fences and that its indentation is consistent")
            continue

        def problem(message: str, needle: str, key=f.key) -> None:
            diagnostics.error(source.locate_text(key, needle), message, key=key)

        reader = PandocReader(roots, problem)
        prose.blocks[f.key] = reader.blocks(by_id[i])
        for cited in dict.fromkeys(reader.cited):
            prose.cited.add(cited)
            if cited not in known:
                hint = did_you_mean(cited, known) or (
                    "define it in 'references' or a 'bibliography' file, or write \\@ for a "
                    "literal @")
                diagnostics.error(source.locate_text(f.key, "@" + cited),
                                  f"the citation key '{cited}' is not defined", key=f.key,
                                  hint=hint)
    if bibliography_index is not None and bibliography_index in by_id:
        reader = PandocReader(roots, lambda message, needle: None)
        prose.blocks[BIBLIOGRAPHY_KEY] = reader.blocks(by_id[bibliography_index])
    return prose


def run_pandoc(markdown: str, sources: Sources, style: Optional[Path],
               while_running: Callable[[], None] = lambda: None) -> dict:
    command = [pandoc_path(), "--sandbox", "-f", MARKDOWN, "-t", "json"]
    with tempfile.TemporaryDirectory(prefix="briefkit-") as scratch:
        if style is not None:
            references = Path(scratch) / "references.json"
            references.write_text(json.dumps(sources.items), encoding="utf-8")
            command += ["--citeproc", "--csl", str(style), "--bibliography", str(references)]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        # Pandoc reads all its input before it answers: send it, then do other work meanwhile.
        writer = threading.Thread(target=_feed, args=(process, markdown.encode("utf-8")))
        writer.start()
        while_running()
        stdout, stderr = _collect(process)
        writer.join()
    if process.returncode != 0:
        raise RuntimeError("pandoc failed: " + stderr.decode(errors="replace"))
    return json.loads(stdout)


def _feed(process, data: bytes) -> None:
    try:
        process.stdin.write(data)
    finally:
        process.stdin.close()


def _collect(process) -> tuple[bytes, bytes]:
    stderr_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr_chunks.append(process.stderr.read()))
    reader.start()
    stdout = process.stdout.read()
    reader.join()
    process.wait()
    return stdout, b"".join(stderr_chunks)


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
                diagnostics.error(source.locate_text(f.key, line.strip()),
                                  "a ':::' fence closes a block that was never opened",
                                  key=f.key, hint="remove it, or open the block with '::: box'")
                return
            opened.pop()
    if opened:
        diagnostics.error(source.locate_text(f.key, opened[-1]),
                          f"the block '{opened[-1]}' is never closed", key=f.key,
                          hint="end it with a line holding only ':::'")

"""Pandoc 3.9 as the oracle: what `pandoc --citeproc` prints for the same prose and sources.

Independent of briefkit's code: the Markdown, bibliography files and style are handed to the
pandoc binary of pypandoc-binary as a Pandoc user would, and the HTML it writes is read back.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

import pypandoc
from lxml import html


def fold(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Printed:
    notes: list[str] = field(default_factory=list)  # each footnote's text, in order
    citations: list[str] = field(default_factory=list)  # in-text citations outside notes
    bibliography: list[str] = field(default_factory=list)  # each entry's text
    warnings: str = ""


def pandoc_prints(markdown: str, *, bibliographies: Sequence[Path] = (), csl: Optional[Path] = None,
                  metadata: Sequence[str] = (), metadata_file: Optional[Path] = None,
                  cwd: Optional[Path] = None) -> Printed:
    """`metadata_file` is a YAML file whose `references` Pandoc reads as a document's own
    (a brief's inline references: the brief itself can be given)."""
    command = [pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "html", "--wrap=none",
               "--citeproc"]
    for bibliography in bibliographies:
        command += ["--bibliography", str(bibliography)]
    if csl is not None:
        command += ["--csl", str(csl)]
    if metadata_file is not None:
        command += ["--metadata-file", str(metadata_file)]
    for item in metadata:
        command += ["--metadata", item]
    result = subprocess.run(command, input=markdown.encode(), capture_output=True, cwd=cwd,
                            check=True, timeout=120)
    tree = html.fromstring("<div>" + result.stdout.decode() + "</div>")
    printed = Printed(warnings=result.stderr.decode())
    for item in tree.xpath("//section[@id='footnotes']//li"):
        for back in item.xpath(".//a[contains(@class, 'footnote-back')]"):
            back.drop_tree()
        printed.notes.append(fold(item.text_content()))
    for cite in tree.xpath("//span[@class='citation'][not(ancestor::section[@id='footnotes'])]"
                           "[not(.//a[contains(@class, 'footnote-ref')])]"):
        printed.citations.append(fold(cite.text_content()))
    printed.bibliography = [fold(e.text_content()) for e in tree.xpath("//div[@class='csl-entry']")]
    return printed


def pandoc_writes(markdown: str, to: str, *options: str) -> bytes | str:
    """What `pandoc -t <to>` writes for `markdown`: HTML as text; for `docx` the bytes of its
    word/document.xml."""
    import tempfile
    import zipfile

    if to != "docx":
        command = [pypandoc.get_pandoc_path(), "-f", "markdown", "-t", to, *options]
        return subprocess.run(command, input=markdown.encode(), capture_output=True, check=True,
                              timeout=120).stdout.decode()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out.docx"
        subprocess.run([pypandoc.get_pandoc_path(), "-f", "markdown", "-o", str(out), *options],
                       input=markdown.encode(), capture_output=True, check=True, timeout=120)
        with zipfile.ZipFile(out) as archive:
            return archive.read("word/document.xml")

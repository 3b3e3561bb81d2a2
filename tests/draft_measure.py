"""A Word draft in, what `briefkit import` kept of it out: the measure of issue 20's round trip.

For one draft: import it (exit code), check the brief, build it, then compare the source with
what a reader gets:
- words: Pandoc's plain text of the draft as a multiset of words, against the words of the built
  HTML (the share of the source's words found there);
- footnotes and endnotes (references in the draft's body against notes in the HTML), tables,
  pictures, comments (the draft's comments against the YAML comments of the brief).

Used by tests/test_word_drafts.py and, as a script, on drafts kept out of the repository:
    python tests/draft_measure.py /work/heldout-drafts
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree, html

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
WORD = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:)]|\w+", re.UNICODE)  # a web address is one word
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def words(text: str) -> Counter:
    text = unicodedata.normalize("NFKC", text).casefold()
    return Counter(WORD.findall(text))


def pandoc() -> str:
    from briefkit.prose.citations import pandoc_path

    return pandoc_path()


def source_words(draft: Path) -> Counter:
    """The words of the draft as Pandoc's DOCX reader gives them (tracked changes accepted):
    its plain text without what a writer generates (list numbers, note markers)."""
    result = subprocess.run([pandoc(), "-f", "docx", "-t", "json", str(draft)],
                            capture_output=True, check=True)
    found: list[str] = []

    inline = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript",
              "SmallCaps", "Quoted", "Cite", "Link", "Image", "Span"}

    def visit(value) -> None:
        if isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict) and "t" in value:
            kind, content = value["t"], value.get("c")
            if kind == "Str":
                found.append(content)  # "U" "sing" of a drop cap are one word
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                found.append(" ")
            elif kind in ("Code", "Math", "RawInline", "CodeBlock", "RawBlock"):
                found.append(" " + content[-1] + " ")
            else:
                visit(content)
                if kind not in inline:
                    found.append(" ")  # a block, a note, a cell ends a word

    visit(json.loads(result.stdout)["blocks"])
    return words("".join(found))


@dataclass
class Source:
    notes: int = 0
    tables: int = 0
    pictures: int = 0
    comments: int = 0


def source_counts(draft: Path) -> Source:
    facts = Source()
    with zipfile.ZipFile(draft) as package:
        names = set(package.namelist())
        document = etree.fromstring(package.read("word/document.xml"), _PARSER)
        body = document.find(W + "body")
        facts.notes = sum(1 for el in body.iter(W + "footnoteReference", W + "endnoteReference")
                          if not _deleted(el))
        facts.tables = sum(1 for t in body.iter(W + "tbl") if not _fallback(t))
        facts.pictures = sum(1 for el in body.iter(A_BLIP, V_IMAGEDATA)
                             if not _deleted(el) and not _fallback(el))
        if "word/comments.xml" in names:
            comments = etree.fromstring(package.read("word/comments.xml"), _PARSER)
            facts.comments = sum(1 for _ in comments.iter(W + "comment"))
    return facts


def _deleted(element) -> bool:
    return any(a.tag in (W + "del", W + "moveFrom") for a in element.iterancestors())


def _fallback(element) -> bool:
    """Word writes a shape twice, as DrawingML and as a VML fallback: count it once."""
    return any(a.tag == MC_FALLBACK for a in element.iterancestors())


@dataclass
class Result:
    name: str
    imported: int = -1
    checked: int = -1
    built: int = -1
    source_words: int = 0
    found_words: int = 0
    missing: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # kind -> (in, out)
    messages: str = ""

    @property
    def word_share(self) -> float:
        return self.found_words / self.source_words if self.source_words else 1.0

    def ok(self, threshold: float = 0.97) -> bool:
        return (self.imported == 0 and self.checked == 0 and self.built == 0
                and self.word_share >= threshold
                and all(a == b for a, b in self.counts.values()))

    def line(self) -> str:
        counts = " ".join(f"{k}={a}/{b}" + ("" if a == b else "!") for k, (a, b) in self.counts.items())
        return (f"{self.name:28} import={self.imported} check={self.checked} build={self.built} "
                f"words={self.word_share:.1%} ({self.found_words}/{self.source_words}) {counts}")


@dataclass
class Ran:
    returncode: int
    stderr: str


def in_a_process(*args: str, cwd: Path) -> Ran:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "-m", "briefkit.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)
    return Ran(done.returncode, done.stderr)


def in_this_process(*args: str, cwd: Path) -> Ran:
    """The CLI through click's runner (every path given is absolute): no interpreter start."""
    from click.testing import CliRunner

    from briefkit.cli import cli

    done = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return Ran(done.exit_code, done.output)


def measure(draft: Path, work: Path, formats: tuple[str, ...] = ("html", "docx"),
            run=in_a_process) -> Result:
    name = draft.parent.name if draft.name == "draft.docx" else draft.stem
    result = Result(name)
    project = work / name
    (project / "briefs").mkdir(parents=True, exist_ok=True)
    brief = project / "briefs" / f"{name}.yaml"
    flags = [x for f in formats for x in ("-f", f)]
    done = run("import", str(draft.resolve()), "-o", str(brief), "--force", cwd=project)
    result.imported = done.returncode
    result.messages = done.stderr
    if done.returncode != 0:
        return result
    # check runs every stage build runs; the HTML alone is enough to learn what it refuses,
    # and the build below writes the DOCX too
    done = run("check", str(brief), "-f", "html", cwd=project)
    result.checked = done.returncode
    result.messages += done.stderr
    done = run("build", str(brief), "-o", str(project / "out"), "--force", *flags, cwd=project)
    result.built = done.returncode
    result.messages += done.stderr
    page = project / "out" / f"{name}.html"
    if done.returncode != 0 or not page.is_file():
        return result
    tree = html.parse(str(page))
    for bad in tree.xpath("//script|//style"):
        bad.getparent().remove(bad)
    text = " ".join(tree.getroot().itertext())
    # alt text of pictures is text a reader gets too
    text += " " + " ".join(tree.xpath("//img/@alt"))
    wanted, found = source_words(draft), words(text)
    result.source_words = sum(wanted.values())
    result.found_words = sum(min(n, found[w]) for w, n in wanted.items())
    result.missing = sorted((w for w, n in wanted.items() if found[w] < n),
                            key=lambda w: -(wanted[w] - found[w]))[:20]
    source = source_counts(draft)
    main = tree.xpath("//main") or [tree.getroot()]
    out_notes = len(tree.xpath("//li[starts-with(@id, 'note-')]"))
    brief_text = brief.read_text(encoding="utf-8")
    result.counts = {
        "notes": (source.notes, out_notes),
        "tables": (source.tables, len(main[0].xpath(".//table[not(ancestor::*[@data-layout])]"))),
        # the layout's own pictures (a logo) are not in <main>
        "pictures": (source.pictures, len(main[0].xpath(".//img"))),
        "comments": (source.comments, brief_text.count("# Comment by ")),
    }
    return result


def main(argv: list[str]) -> int:
    import tempfile

    roots = [Path(a) for a in argv] or [Path(__file__).parent / "data" / "word-drafts"]
    drafts = sorted(p for root in roots for p in (root.rglob("*.docx") if root.is_dir() else [root]))
    work = Path(tempfile.mkdtemp(prefix="briefkit-drafts-"))
    good = 0
    for draft in drafts:
        result = measure(draft, work)
        good += result.ok()
        print(("ok   " if result.ok() else "FAIL ") + result.line(), flush=True)
        if not result.ok():
            for line in result.messages.strip().splitlines()[-6:]:
                print("       " + line[:300])
            if result.missing:
                print("       missing words: " + " ".join(result.missing))
    print(f"{good} of {len(drafts)} drafts round-trip ({work})")
    return 0 if good == len(drafts) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

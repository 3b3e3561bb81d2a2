"""The real-world corpus (../shared/corpus) held to its README, with Pandoc 3.9 as the oracle.

Every brief of every folder is built in a copy of its folder: exit 0, no internal error, every
format written; `check` agrees with `build`; its notes (note by note) and bibliography read as
`pandoc --citeproc` prints them for the same prose, sources and style; nothing of them is lost
in the DOCX (note by note), the HTML or the PDF. The README's special rows are asserted exactly.

The PDF (the slow format) is built for one brief of each folder; the others build DOCX and HTML.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree, html

from briefkit.cli import cli
from briefkit.prose.csl_styles import CSL, styles_dir
from pandoc_oracle import fold, pandoc_prints

pytestmark = pytest.mark.needs("shared")  # the corpus in ../shared

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _cases() -> list[Path]:
    return sorted(CORPUS.glob("*/brief*.yaml")) if CORPUS.is_dir() else []


CASES = _cases()
# One brief per kind of input, and the scripts PDF text must carry (Arabic, CJK).
WITH_PDF = {
    min(p for p in CASES if p.parent.name.split("-")[0] == kind)
    for kind in {p.parent.name.split("-")[0] for p in CASES}
} | {p for p in CASES if p.parent.name in ("bib-bbt-2403-arabic", "bib-bbt-2624-cjk")}

# Rows of the README's "different expectation" table: brief -> what the errors must say.
EXPECTED_ERRORS = {
    "bib-bbt-1296-unbalanced/brief.yaml": ["library.bib:267:1: error"],
    "md-pandoc-fullnote/brief.yaml": ["brief.yaml:14:8: error", "'nonexistent'"],
    "md-pandoc-notes/brief-7006.yaml": ["brief-7006.yaml:11:23: error", "/image.jpg"],
}
# Owned by other slices; strict, so each is removed the day it passes.
XFAIL = {}


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _params():
    if not CASES:  # a clone without ../shared: one test that skips saying why
        yield pytest.param(None, id="no-corpus", marks=pytest.mark.needs("shared"))
    for path in CASES:
        name = _case_id(path)
        marks = []
        if name in XFAIL:
            marks.append(pytest.mark.xfail(strict=True, reason=XFAIL[name]))
        yield pytest.param(path, id=name, marks=marks)


def _invoke(folder: Path, *args: str):
    import os

    before = Path.cwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(before)


@pytest.fixture
def copied(tmp_path):
    def copy(brief: Path) -> Path:
        target = tmp_path / brief.parent.name
        shutil.copytree(brief.parent, target)
        for path in target.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        return target / brief.name

    return copy


@pytest.mark.parametrize("brief", list(_params()))
def test_corpus_brief(brief: Path, copied):
    name = _case_id(brief)
    path = copied(brief)
    folder = path.parent
    formats = ["docx", "html", "pdf"] if brief in WITH_PDF else ["docx", "html"]
    arguments = ["build", path.name, "-o", "out"]
    for fmt in formats:
        arguments += ["-f", fmt]
    built = _invoke(folder, *arguments)
    checked = _invoke(folder, "check", path.name, *arguments[4:])  # the same formats
    output = built.output + (built.stderr if built.stderr_bytes is not None else "")
    assert "internal error" not in output and "Traceback" not in output, output
    assert "briefkit-" not in output and "/tmp/" not in output.replace(str(folder), "")
    if name in EXPECTED_ERRORS:
        assert built.exit_code == 1, output
        for words in EXPECTED_ERRORS[name]:
            assert words in output, output
        assert checked.exit_code == 1
        return
    if name == "bib-two-files-duplicate/brief-pandoc-keys.yaml":
        # each Pandoc key is an error whose hint names briefkit's key
        unknown = [line for line in output.splitlines() if "unknown key" in line]
        assert built.exit_code == 1 and unknown, output
        assert all(
            "Pandoc's key" in line and re.search(r"briefkit('s is '\w|\b)", line)
            for line in unknown
        ), output
        assert checked.exit_code == 1
        return
    if name == "bib-two-files-duplicate/brief.yaml":
        _assert_duplicates_name_both_places(folder, output, built.exit_code)
        assert checked.exit_code == 1
        return
    assert built.exit_code == 0, output
    assert checked.exit_code == 0, checked.output  # check agrees with build
    outputs = {fmt: folder / "out" / f"{_output_name(path)}.{fmt}" for fmt in formats}
    for fmt, output_path in outputs.items():
        assert output_path.exists(), f"no {fmt} written"
    _assert_as_pandoc_prints(path, outputs)
    _assert_word_round_trip(folder, path, outputs["docx"])


def _assert_word_round_trip(folder: Path, path: Path, docx: Path) -> None:
    """From Word and back with no edit (`import --into`): the brief stays byte for byte; and
    each citation of the DOCX is a Zotero field valid for the CSL citation schema (these
    sources are the world's: Zotero and Better BibTeX exports, BibLaTeX, CSL-YAML)."""
    from test_word_citations import assert_valid_fields

    before = path.read_bytes()
    result = _invoke(folder, "import", str(docx), "--into", path.name)
    assert result.exit_code == 0, result.output
    assert "no changes" in result.output, result.output
    assert path.read_bytes() == before
    assert_valid_fields(docx)


def _output_name(path: Path) -> str:
    from briefkit.load.source import load_file

    data = load_file(path).data
    name = (data.get("output") or {}).get("name") if isinstance(data.get("output"), dict) else None
    return name or (path.parent.name if path.stem == "brief" else path.stem)


def _assert_duplicates_name_both_places(folder: Path, output: str, exit_code: int):
    assert exit_code == 1
    duplicated = set(
        re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", (folder / "averroes.bib").read_text())
    ) & set(
        re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", (folder / "biblatex-examples.bib").read_text())
    )
    assert duplicated
    for key in duplicated:
        lines = [line for line in output.splitlines() if f"'{key}' is defined twice" in line]
        assert any(
            re.search(r"averroes\.bib:\d+:\d+", line)
            and re.search(r"biblatex-examples\.bib:\d+:\d+", line)
            for line in lines
        ), output


# ---- the oracle -----------------------------------------------------------------------------


def _assert_as_pandoc_prints(path: Path, outputs: dict[str, Path], prose=lambda markdown: markdown):
    """`prose` gives the Markdown Pandoc is handed for each field's (a filter's work)."""
    from briefkit.load.source import load_file
    from briefkit.layout.folders import load_layout, available
    from briefkit.core.paths import find_project_root
    from briefkit.resolve.document import prose_fields

    data = load_file(path).data
    project = find_project_root(path)
    layout_name = data.get("layout", "report")
    layout = load_layout(layout_name if layout_name in available(project) else "report", project)
    placed, _ = prose_fields(data, layout)  # the reading order (tested in test_citations)
    markdown = "\n\n".join(
        _scoped_labels(prose(f.markdown), i)
        for i, f in enumerate(placed)
        if f.markdown and f.markdown.strip()
    )
    bibliographies = data.get("bibliography") or []
    bibliographies = [bibliographies] if isinstance(bibliographies, str) else bibliographies
    metadata, metadata_file = [], None
    if data.get("lang"):
        metadata.append(f"lang={data['lang']}")
    if data.get("references"):
        metadata_file = path.parent / "oracle-references.yaml"
        metadata_file.write_text(
            _references_text(path.read_text(encoding="utf-8")), encoding="utf-8"
        )
    csl, locale = _style(path.parent, data.get("citation_style", "chicago-notes-bibliography"))
    if locale and not data.get("lang"):
        metadata.append(f"lang={locale}")
    printed = pandoc_prints(
        markdown,
        bibliographies=[path.parent / b for b in bibliographies],
        csl=csl,
        metadata=metadata,
        metadata_file=metadata_file,
        cwd=path.parent,
    )
    assert "not found" not in printed.warnings, printed.warnings

    docx_notes = _docx_notes(outputs["docx"])
    assert docx_notes == printed.notes  # note by note
    texts = {"html": _html_text(outputs["html"]), "docx": _docx_text(outputs["docx"])}
    if "pdf" in outputs:
        texts["pdf"] = _pdf_text(outputs["pdf"])
    wanted = printed.notes + printed.citations + printed.bibliography
    for fmt, text in texts.items():
        squashed = _squash(text, fmt)
        missing = [w for w in wanted if not _present(w, squashed, fmt)]
        assert not missing, f"{fmt} lacks {missing[:3]}"


def _present(wanted: str, text: str, fmt: str) -> bool:
    if fmt == "pdf" and _RTL.search(wanted):
        # text extraction gives right-to-left runs in visual order: each left-to-right run
        # must be there
        return all(
            _squash(run, fmt) in text for run in _RTL.split(wanted) if len(_squash(run, fmt)) >= 8
        )
    wanted = _squash(wanted, fmt)
    if fmt != "pdf" or len(wanted) < 120:
        return wanted in text
    # a long note may cross a page, its running header and footer in between: its beginning
    # and end must both be there
    return wanted[:60] in text and wanted[-60:] in text


def _scoped_labels(markdown: str, index: int) -> str:
    # a note label belongs to the field that defines it (the format says so); Pandoc, given
    # one document, would share it
    return re.sub(r"\[\^([^\]\s]+)\]", lambda m: f"[^f{index}-{m.group(1)}]", markdown)


def _references_text(brief_text: str) -> str:
    """The brief's `references:` and its value, as written (for Pandoc's metadata)."""
    lines, out, inside = brief_text.splitlines(), [], False
    for line in lines:
        if line.startswith("references:"):
            inside = True
        elif inside and line and not line[0].isspace() and not line.startswith(("-", "#")):
            break
        if inside:
            out.append(line)
    return "\n".join(out) + "\n"


def _style(folder: Path, name: str):
    path = folder / name if name.endswith(".csl") else styles_dir() / f"{name}.csl"
    root = etree.parse(str(path)).getroot()
    link = root.find(f"{{{CSL}}}info/{{{CSL}}}link[@rel='independent-parent']")
    if link is None:
        return path, None
    parent = styles_dir() / (link.get("href").rstrip("/").rsplit("/", 1)[1] + ".csl")
    return parent, root.get("default-locale")


M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"


def _run_text(paragraph) -> str:
    """A paragraph's text as Word shows it: a line break or tab reads as white space, an
    equation (OMML) as its characters (less the zero-width space Pandoc gives a script with no
    base, as in `{$_2$}`)."""
    return "".join(
        (e.text or "").replace("\u200b", "") if e.tag in (W + "t", M + "t") else " "
        for e in paragraph.iter(W + "t", M + "t", W + "br", W + "cr", W + "tab")
    )


def _docx_notes(path: Path) -> list[str]:
    """Each note's text in the order a reader meets its reference (Word numbers them so)."""
    texts: dict[tuple[str, str], str] = {}
    with zipfile.ZipFile(path) as archive:
        for part, tag in (("word/footnotes.xml", "footnote"), ("word/endnotes.xml", "endnote")):
            if part not in archive.namelist():
                continue
            for note in etree.fromstring(archive.read(part)).iter(W + tag):
                # a note holds paragraphs, lists, tables…: one space between paragraphs
                texts[(tag, note.get(W + "id"))] = fold(
                    " ".join(_run_text(p) for p in note.iter(W + "p"))
                )
        document = etree.fromstring(archive.read("word/document.xml"))
    return [
        texts.get((reference.tag[len(W) : -len("Reference")], reference.get(W + "id")), "")
        for reference in document.iter(W + "footnoteReference", W + "endnoteReference")
    ]


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        parts = [
            n
            for n in archive.namelist()
            if re.match(r"word/(document|footnotes|endnotes)\.xml$", n)
        ]
        return " ".join(
            t.text or ""
            for part in parts
            for t in etree.fromstring(archive.read(part)).iter(W + "t", M + "t")
        )


def _html_text(path: Path) -> str:
    tree = html.fromstring(path.read_bytes())
    for node in tree.xpath("//script|//style|//*[local-name()='annotation']"):  # not shown
        node.drop_tree()
    return tree.text_content()


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff][^A-Za-z]*")


def _squash(text: str, fmt: str = "") -> str:
    # compare letters only: line ends, hyphenation and ligatures differ between formats
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\u200b\u00ad\-\u2010\u2011↩︎\ufe0e]+", "", text)

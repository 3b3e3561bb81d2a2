"""What Pandoc users bring (tests/data/pandoc-users), each case compared with what Pandoc prints.

Real files written by other people (ORIGIN in each folder): chapters written for pandoc-crossref,
LaTeX-laden `.bib` libraries from theses and reference managers, biber's inheritance fixtures.
Every brief builds (DOCX and HTML; the PDF for the cases in `WITH_PDF`), `check` agrees, and:
- its notes and bibliography read as `pandoc --citeproc` prints them for the same prose, sources
  and style (tests/pandoc_oracle.py); pandoc-crossref references are taken out of the prose
  Pandoc is given, as the filter takes them out before citeproc;
- no raw TeX or HTML comment of the Markdown prints as text;
- every TeX formula is the MathML (HTML) and OMML (Word) Pandoc writes for it;
- every pandoc-crossref reference reads as briefkit's own label for its target (`Figure 2`),
  numbered in reading order per kind as pandoc-crossref numbers them (`[-@fig:x]`: the number).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import zipfile

import pytest
from lxml import etree, html
from pandoc_oracle import pandoc_writes
from test_corpus import _assert_as_pandoc_prints, _docx_text, _html_text, _invoke

# Another folder of cases laid out the same way (a held-out set) can be tried in its place:
# BRIEFKIT_PANDOC_USERS=/path/to/cases python -m pytest tests/test_pandoc_users.py
SUITE = Path(os.environ.get("BRIEFKIT_PANDOC_USERS") or Path(__file__).parent / "data" / "pandoc-users")
CASES = sorted(SUITE.glob("*/brief*.yaml"))
WITH_PDF = {"crossref-pollard/brief.yaml", "bib-bbt-1436-latex/brief.yaml"}
EXPECTED_ERRORS = {
    "bib-biber-inheritance/brief-cycles.yaml": [
        "crossrefs.bib:255:15: error: crossref of 'circ2': the entries circ1 → circ3 → circ2 → "
        "circ1 inherit from one another in a cycle",
        "xdata.bib:46:11: error: xdata of 'loop:3': the entries xd3 → loop → loop:2 → loop:3 → "
        "loop inherit from one another in a cycle"],
}
EXPECTED_WARNINGS = {
    "bib-bbt-1436-latex/brief.yaml": [
        "library.bib:5359:10: warning: the reference id 'Jacobsson_2016' is defined twice in this "
        "file (also at line 5346); the later entry is used, as Pandoc does"],
}
# pandoc-crossref's references: `@fig:x`, `[-@fig:x]`, `[@fig:x; @fig:y]` (and tbl, eq, sec, lst)
CROSSREF = re.compile(r"\[?-?@(?:fig|tbl|eq|sec|lst):[\w:.-]*\w(?:;\s*-?@(?:fig|tbl|eq|sec|lst):"
                      r"[\w:.-]*\w)*\]?")
_LABEL = re.compile(r"\{\s*#((fig|tbl|eq|lst):[\w:.-]*\w)")


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.fixture
def copied(tmp_path):
    def copy(brief: Path) -> Path:
        shutil.copytree(brief.parent, tmp_path / brief.parent.name)
        return tmp_path / brief.parent.name / brief.name
    return copy


@pytest.mark.parametrize("brief", CASES, ids=_name)
def test_pandoc_users_case(brief: Path, copied):
    name = _name(brief)
    path = copied(brief)
    formats = ["docx", "html", "pdf"] if name in WITH_PDF else ["docx", "html"]
    arguments = ["build", path.name, "-o", "out"] + [a for f in formats for a in ("-f", f)]
    built = _invoke(path.parent, *arguments)
    checked = _invoke(path.parent, "check", path.name, *arguments[4:])
    output = built.output
    assert "Traceback" not in output and "internal error" not in output, output
    if name in EXPECTED_ERRORS:
        assert built.exit_code == 1 and checked.exit_code == 1, output
        for line in EXPECTED_ERRORS[name]:
            assert line in output, output
        return
    assert built.exit_code == 0, output
    assert checked.exit_code == 0, checked.output
    for line in EXPECTED_WARNINGS.get(name, []):
        assert line in output, output
    stem = path.parent.name if path.stem == "brief" else path.stem
    outputs = {fmt: path.parent / "out" / f"{stem}.{fmt}" for fmt in formats}
    _assert_as_pandoc_prints(path, outputs, prose=lambda markdown: CROSSREF.sub("", markdown))
    texts = {"html": _html_text(outputs["html"]), "docx": _docx_text(outputs["docx"])}
    for fmt, text in texts.items():
        for leak in (r"\\(?:newpage|pagebreak|clearpage|textbar|textendash|vphantom)\b",
                     r"<!--", r"@(?:fig|tbl|eq|sec|lst):"):
            assert not re.search(leak, text), f"{fmt} prints {leak!r}"
    _assert_cross_references(path, outputs)
    _assert_formulas_as_pandoc_writes_them(path, outputs)
    if "::: {#refs}" in path.read_text(encoding="utf-8"):  # placed once, where the author put it
        tree = html.fromstring(outputs["html"].read_bytes())
        assert len(tree.xpath("//*[@role='doc-bibliography']")) == 1
        assert not tree.xpath("//section[@id='bibliography']")


def _fields(path: Path) -> list[str]:
    from briefkit.layout.folders import available, load_layout
    from briefkit.load.source import load_file
    from briefkit.core.paths import find_project_root
    from briefkit.resolve.document import prose_fields

    data = load_file(path).data
    layout = load_layout(data.get("layout", "report"), find_project_root(path))
    assert data.get("layout", "report") in available(find_project_root(path))
    placed, _ = prose_fields(data, layout)
    return [f.markdown for f in placed]


def _labels(path: Path) -> dict[str, str]:
    from briefkit.core.paths import find_project_root
    from briefkit.layout.locales import load_locale
    from briefkit.load.source import load_file

    lang = load_file(path).data.get("lang") or "en"
    return load_locale(lang, find_project_root(path)).labels


def _assert_cross_references(path: Path, outputs: dict[str, Path]) -> None:
    """pandoc-crossref's rule: labelled figures, tables and equations are numbered per kind in
    reading order (in briefkit every captioned figure and every table counts; these cases label
    all of theirs); each reference reads as briefkit's label and that number, `[-@x]` as the
    number alone, in the HTML (a link to the element's id) and in Word (to its bookmark)."""
    markdown = re.sub(r"<!--.*?-->", "", "\n\n".join(_fields(path)), flags=re.S)
    numbers, counts = {}, {"fig": 0, "tbl": 0, "eq": 0}
    for match in _LABEL.finditer(markdown):
        if match.group(2) in counts:
            counts[match.group(2)] += 1
            numbers[match.group(1)] = counts[match.group(2)]
    labels = _labels(path)  # the brief's language's words
    words = {"fig": labels["figure"], "tbl": labels["table"], "eq": labels["equation"]}
    tree = html.fromstring(outputs["html"].read_bytes())
    checked = 0
    for link in tree.xpath("//a[starts-with(@href, '#')]"):
        target = link.get("href")[1:]
        if target not in numbers:
            continue
        kind, number = target.split(":")[0], numbers[target]
        assert link.text_content() in (f"{words[kind]} {number}", str(number)), target
        assert tree.xpath(f"//*[@id='{target}']"), f"no element {target}"
        checked += 1
    bare = len(re.findall(r"-@(?:fig|tbl|eq):", markdown))
    assert checked >= len(re.findall(r"@(?:fig|tbl|eq):", markdown)) - bare
    with zipfile.ZipFile(outputs["docx"]) as archive:
        document = archive.read("word/document.xml").decode()
    for target in numbers:
        if f"#{target}" in [a.get("href") for a in tree.xpath("//a")]:
            name = re.sub(r"[^\w-]", "_", target)
            assert f'w:anchor="{name}"' in document and f'w:name="{name}"' in document, target


def _assert_formulas_as_pandoc_writes_them(path: Path, outputs: dict[str, Path]) -> None:
    """Every formula of the prose is the MathML `pandoc --mathml` writes for it (HTML) and the
    OMML `pandoc -t docx` writes (Word), element for element."""
    formulas, numbered = [], iter(range(1, 1000))
    for markdown in _fields(path):
        # pandoc-crossref's own output for `$$…$$ {#eq:x}`: `$$… \qquad{(1)}$$`, in order
        markdown = re.sub(r"\$\$(.+?)\$\$\s?\{#eq:[^}]+\}",
                          lambda mt: f"$${mt.group(1)} \\qquad{{({next(numbered)})}}$$", markdown,
                          flags=re.S)
        formulas += re.findall(r"(?<![\\$])\$\$(.+?)\$\$|(?<![\\$\w])\$([^$\s][^$]*?)\$(?![\w$])",
                               CROSSREF.sub("", markdown), re.S)
    if not formulas:
        return
    document = "\n\n".join(f"$${d}$$" if d else f"${i}$" for d, i in formulas)
    ours_html = html.fromstring(outputs["html"].read_bytes())
    ours_mathml = {_canonical(e) for e in ours_html.xpath("//*[local-name()='math']")}
    theirs = pandoc_writes(document, "html", "--mathml")
    theirs_mathml = [_canonical(e) for e in html.fromstring(f"<div>{theirs}</div>")
                     .xpath("//*[local-name()='math']")]
    missing = [m for m in theirs_mathml if m not in ours_mathml]
    assert not missing, missing[:2]
    with zipfile.ZipFile(outputs["docx"]) as archive:
        ours_docx = archive.read("word/document.xml").decode()
    ours_omml = {_canonical(e) for e in etree.fromstring(ours_docx.encode()).iter(f"{{{OMML}}}oMath")}
    theirs_docx = pandoc_writes(document, "docx")
    theirs_omml = [_canonical(e) for e in etree.fromstring(theirs_docx).iter(f"{{{OMML}}}oMath")]
    missing = [m for m in theirs_omml if m not in ours_omml]
    assert not missing, missing[:2]


OMML = "http://schemas.openxmlformats.org/officeDocument/2006/math"


def _canonical(element) -> str:
    """An element's markup without namespace declarations or the TeX annotation."""
    text = etree.tostring(element, encoding="unicode")
    text = re.sub(r' xmlns(:\w+)?="[^"]*"', "", text)
    return re.sub(r"<annotation[^>]*>.*?</annotation>", "", text, flags=re.S)

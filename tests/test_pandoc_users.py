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

import re
import shutil
from pathlib import Path

import pytest
from test_corpus import _assert_as_pandoc_prints, _docx_text, _html_text, _invoke

SUITE = Path(__file__).parent / "data" / "pandoc-users"
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
        for leak in (r"\\(?:newpage|pagebreak|clearpage|textbar|textendash)\b", r"<!--",
                     r"@(?:fig|tbl|eq|sec|lst):"):
            assert not re.search(leak, text), f"{fmt} prints {leak!r}"

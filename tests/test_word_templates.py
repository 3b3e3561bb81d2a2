"""House Word templates as Pandoc takes them: the real templates of ../shared/corpus (and their
untouched originals), templates made by other tools, translated style ids; each output read back
with python-docx / lxml for its styles, numbering and notes, and opened by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import corpus_cases
from lxml import etree
from readers import docx_note_references, docx_notes, libreoffice_pdf, pdf_text

from briefkit.core.diagnostics import BriefInvalid
from briefkit.builder.batch import build_brief

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HAS_SOFFICE = bool(shutil.which("soffice") or shutil.which("libreoffice"))

LISTS_BRIEF = """
title: Template trial
date: 2024-05-01
notes: footnotes
output: {{word_template: {template}, formats: [docx]}}
sections:
  - title: Background
    body: |
      Text with a note.^[A note with a [link](https://example.org/x).]

      - First bullet
      - Second bullet
        - Nested bullet

      1. First numbered
      2. Second numbered

      > A QUOTED line.

      | Area | Year |
      |------|-----:|
      | Parks | 2006 |

      : A CAPTIONED table.
"""


def _numbering(path) -> tuple[dict, dict]:
    """{style name: (numId or None)} of list paragraphs' styles, and {numId: decimal?}."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        numbering = etree.fromstring(archive.read("word/numbering.xml")) if "word/numbering.xml" in names else None
    formats = {}
    if numbering is not None:
        abstract = {a.get(W + "abstractNumId"): a for a in numbering.iter(W + "abstractNum")}
        for num in numbering.iter(W + "num"):
            definition = abstract.get(num.find(W + "abstractNumId").get(W + "val"))
            level0 = definition.find(f"{W}lvl[@{W}ilvl='0']") if definition is not None else None
            formats[num.get(W + "numId")] = (level0.find(W + "numFmt").get(W + "val")
                                             if level0 is not None and level0.find(W + "numFmt") is not None
                                             else None)
    return formats, numbering


def _list_formats(path) -> dict:
    """{paragraph text: numbering format} for the list items, through paragraph or style numPr
    (and the style's base styles), as Word resolves them."""
    document = docx.Document(str(path))
    formats, _ = _numbering(path)
    out = {}
    for p in document.paragraphs:
        if "bullet" not in p.text and "numbered" not in p.text:
            continue
        num_id = p._p.find(f"{W}pPr/{W}numPr/{W}numId")
        style = p.style
        while num_id is None and style is not None:
            num_id = style.element.find(f"{W}pPr/{W}numPr/{W}numId")
            style = style.base_style
        out[p.text] = formats.get(num_id.get(W + "val")) if num_id is not None else None
    return out


@pytest.mark.parametrize("case", corpus_cases("docx-*"), ids=lambda p: getattr(p, "name", p))
@pytest.mark.parametrize("which", ["house", "original"])
@pytest.mark.needs("shared")
def test_real_house_templates_build_with_numbered_lists_and_notes(case, which, tmp_path):
    folder = tmp_path / case.name
    shutil.copytree(case, folder)
    template = next(folder.glob("house.*" if which == "house" else "original-*"))
    brief = folder / "brief.yaml"
    if which == "original":  # the brief naming the untouched original, as a user would
        text = brief.read_text(encoding="utf-8")
        brief.write_text(text.replace(f"word_template: house{template.suffix}",
                                      f"word_template: {template.name}"), encoding="utf-8")
        assert template.name in brief.read_text(encoding="utf-8")
    out = build_brief(brief, tmp_path / "out", ["docx"]).outputs[0]
    formats = _list_formats(out)
    assert formats["First numbered"] == formats["Second numbered"] == "decimal"
    bullets = [f for text, f in formats.items() if "bullet" in text]
    assert len(bullets) == 3 and set(bullets) == {"bullet"}
    if which == "original":  # no placeholder: its sample text is left out, as Pandoc does
        assert not any(t in docx.Document(str(out)).paragraphs[0].text
                       for t in ("Lorem", "Título do documento", "测试文段", "Title"))
        text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
        assert "Lorem ipsum" not in text and "测试文段" not in text
    kind = "endnotes" if docx_note_references(out, "endnotes") else "footnotes"
    notes = docx_notes(out, kind)
    assert len(notes) == docx_note_references(out, kind) == 9
    assert "A plain note with emphasis." in notes


def _strip_styles(document, names) -> None:
    styles = document.styles.element
    for style in list(styles.findall(W + "style")):
        name = style.find(W + "name")
        if name is not None and name.get(W + "val").lower() in {n.lower() for n in names}:
            styles.remove(style)


def _drop_part(path: Path, part: str) -> None:
    """Rewrite the package at `path` without word/<part>.xml and its relationship."""
    with zipfile.ZipFile(path) as source:
        entries = {n: source.read(n) for n in source.namelist() if n != f"word/{part}.xml"}
    rels = etree.fromstring(entries["word/_rels/document.xml.rels"])
    for rel in list(rels):
        if rel.get("Target") == f"{part}.xml":
            rels.remove(rel)
    entries["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True,
                                                             encoding="UTF-8", standalone=True)
    types = etree.fromstring(entries["[Content_Types].xml"])
    for override in list(types):
        if override.get("PartName") == f"/word/{part}.xml":
            types.remove(override)
    entries["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8",
                                                    standalone=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries.items():
            target.writestr(name, data)


BUILTINS = ["List Bullet", "List Bullet 2", "List Number", "List Number 2", "List Continue",
            "Quote", "Title", "Subtitle", "Caption", "TOC Heading", "heading 1", "Table Grid"]


def test_missing_builtin_styles_and_numbering_part_are_supplied(write_brief, tmp_path):
    document = docx.Document()
    _strip_styles(document, BUILTINS)
    document.save(str(tmp_path / "bare.docx"))
    _drop_part(tmp_path / "bare.docx", "numbering")
    with zipfile.ZipFile(tmp_path / "bare.docx") as archive:
        assert "word/numbering.xml" not in archive.namelist()
    path = write_brief(LISTS_BRIEF.format(template="bare.docx"))
    out = build_brief(path, tmp_path / "out").outputs[0]

    result = docx.Document(str(out))
    names = {s.name for s in result.styles}
    assert {"List Bullet", "List Number", "Quote", "Title", "Caption", "TOC Heading",
            "Heading 1", "Table Grid", "Hyperlink"} <= names
    # Word's own definitions: Quote is italic, Title based on Normal, list styles numbered.
    assert result.styles["Quote"].font.italic is True
    assert result.styles["Title"].base_style.name == "Normal"
    assert _list_formats(out) == {"First bullet": "bullet", "Second bullet": "bullet",
                                  "Nested bullet": "bullet", "First numbered": "decimal",
                                  "Second numbered": "decimal"}
    quoted = [p for p in result.paragraphs if p.text == "A QUOTED line."]
    assert quoted[0].style.name == "Quote"
    assert docx_notes(out) == ["A note with a link."]


def test_pandocs_reference_docx_is_taken_as_pandoc_takes_it(write_brief, tmp_path):
    """Pandoc's own reference document (styles and a specimen text): its styles are used, its
    specimen text is not printed."""
    from briefkit.prose.citations import pandoc_path

    reference = subprocess.run([pandoc_path(), "--print-default-data-file", "reference.docx"],
                               check=True, capture_output=True).stdout
    (tmp_path / "reference.docx").write_bytes(reference)
    path = write_brief(LISTS_BRIEF.format(template="reference.docx"))
    out = build_brief(path, tmp_path / "out").outputs[0]
    result = docx.Document(str(out))
    texts = [p.text for p in result.paragraphs]
    assert "Template trial" in texts
    assert not {"Abstract", "Heading 1", "Author", "First Paragraph."} & set(texts)
    heading = next(p for p in result.paragraphs if p.text == "Background")
    assert heading.style.name == "Heading 1" and heading.style.element.find(f"{W}rPr/{W}color") is not None
    assert "First Paragraph" in {s.name for s in result.styles}  # the reference's own styles
    assert _list_formats(out)["First numbered"] == "decimal"
    assert docx_notes(out) == ["A note with a link."]


def test_a_house_list_style_without_numbers_gets_words_numbering(write_brief, tmp_path):
    """A template whose own List Number / List Bullet carry no numbering would print bare
    items: Word's numbering is given to them, the rest of the house's style kept."""
    document = docx.Document()
    for name in ("List Number", "List Bullet", "List Bullet 2"):
        style = document.styles[name]
        num_pr = style.element.find(f"{W}pPr/{W}numPr")
        num_pr.getparent().remove(num_pr)
        style.font.italic = True  # the house's own look
    document.save(str(tmp_path / "house.docx"))
    path = write_brief(LISTS_BRIEF.format(template="house.docx"))
    out = build_brief(path, tmp_path / "out").outputs[0]
    assert _list_formats(out) == {"First bullet": "bullet", "Second bullet": "bullet",
                                  "Nested bullet": "bullet", "First numbered": "decimal",
                                  "Second numbered": "decimal"}
    assert docx.Document(str(out)).styles["List Number"].font.italic is True


def test_translated_style_ids_are_matched_by_name(write_brief, tmp_path):
    """A German Word template: ids like 'Standard' and 'berschrift1' for Normal and heading 1.
    Supplied styles must base on the template's own Normal, by its id."""
    document = docx.Document()
    _strip_styles(document, BUILTINS[:-2])
    renames = {"Normal": "Standard", "Heading1": "berschrift1"}
    for element in document.styles.element.iter():
        for attribute in (W + "styleId", W + "val"):
            if element.get(attribute) in renames and (attribute == W + "styleId" or element.tag in (
                    W + "basedOn", W + "next", W + "pStyle")):
                element.set(attribute, renames[element.get(attribute)])
    document.save(str(tmp_path / "de.docx"))
    path = write_brief(LISTS_BRIEF.format(template="de.docx"))
    out = build_brief(path, tmp_path / "out").outputs[0]
    with zipfile.ZipFile(out) as archive:
        styles = etree.fromstring(archive.read("word/styles.xml"))
    by_name = {s.find(W + "name").get(W + "val"): s for s in styles.iter(W + "style")}
    ids = {s.get(W + "styleId") for s in styles.iter(W + "style")}
    for name in ("List Bullet", "Quote", "Title"):
        base = by_name[name].find(W + "basedOn").get(W + "val")
        assert base == "Standard" and base in ids
    assert "Normal" not in ids  # no second Normal was made
    assert [p.style.name for p in docx.Document(str(out)).paragraphs if p.text == "Background"] == ["Heading 1"]


@pytest.mark.needs("shared")
def test_template_notes_no_text_calls_are_dropped(write_brief, tmp_path):
    """A house template's sample notes, whose sample text was replaced, do not reach the output."""
    case = CORPUS / "docx-gowa-cn-reference"
    with zipfile.ZipFile(case / "house.docx") as archive:
        template_notes = etree.fromstring(archive.read("word/footnotes.xml"))
    assert [n for n in template_notes.iter(W + "footnote") if int(n.get(W + "id")) > 0]
    shutil.copy(case / "house.docx", tmp_path / "house.docx")
    path = write_brief(LISTS_BRIEF.format(template="house.docx"))
    out = build_brief(path, tmp_path / "out").outputs[0]
    assert docx_notes(out) == ["A note with a link."]
    with zipfile.ZipFile(out) as archive:
        rels = archive.read("word/_rels/footnotes.xml.rels").decode()
    assert "example.com" not in rels and "https://example.org/x" in rels


def test_undefined_placeholders_all_reported_in_one_run(write_brief, tmp_path):
    document = docx.Document()
    document.add_paragraph("{{ nonsense }} and {{ title }}")
    document.add_paragraph("{{ body }}")
    document.sections[0].header.paragraphs[0].text = "{{ series.nope }}"
    document.save(str(tmp_path / "bad.docx"))
    path = write_brief(LISTS_BRIEF.format(template="bad.docx"))
    with pytest.raises(BriefInvalid) as caught:
        build_brief(path, tmp_path / "out")
    errors = caught.value.diagnostics.errors
    assert len(errors) == 2
    assert "{{ nonsense }}" in errors[0].message and "{{ series.nope }}" in errors[1].message


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("saved_as", ["docx", "dotx"])
def test_a_libreoffice_saved_template(write_brief, tmp_path, saved_as):
    """A template saved by LibreOffice (its own style set, ids and numbering), as a user would
    make one; a .dotx of it too."""
    source = tmp_path / "seed.odt"
    seed = docx.Document()
    _strip_styles(seed, BUILTINS)
    seed.add_paragraph("{{ title }}")
    seed.add_paragraph("{{ body }}")
    seed.save(str(tmp_path / "seed.docx"))
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    subprocess.run([soffice, "--headless", profile, "--convert-to", "odt", "--outdir", str(tmp_path),
                    str(tmp_path / "seed.docx")], check=True, capture_output=True, timeout=180)
    lo_dir = tmp_path / "lo"
    filter_name = "docx:MS Word 2007 XML" if saved_as == "docx" else "dotx:MS Word 2007 XML Template"
    subprocess.run([soffice, "--headless", profile, "--convert-to", filter_name, "--outdir",
                    str(lo_dir), str(source)], check=True, capture_output=True, timeout=180)
    template = next(lo_dir.glob("seed.*"))
    with zipfile.ZipFile(template) as archive:  # LibreOffice stores only the styles it uses
        assert b'w:val="List Number"' not in archive.read("word/styles.xml")
    shutil.copy(template, tmp_path / f"house.{saved_as}")
    path = write_brief(LISTS_BRIEF.format(template=f"house.{saved_as}"))
    out = build_brief(path, tmp_path / "out").outputs[0]
    formats = _list_formats(out)
    assert formats["First numbered"] == "decimal" and formats["First bullet"] == "bullet"
    assert docx_notes(out) == ["A note with a link."]
    text = pdf_text(libreoffice_pdf(out, tmp_path / "pdf"))
    assert "Template trial" in text and "A note with a link." in text and "A QUOTED line." in text


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
@pytest.mark.needs("shared")
def test_a_corpus_template_output_opens_in_libreoffice(tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(CORPUS / "docx-pandoc-german", folder)
    out = build_brief(folder / "brief.yaml", tmp_path / "out", ["docx"]).outputs[0]
    text = pdf_text(libreoffice_pdf(out, tmp_path / "pdf"))
    assert "1. First numbered" in text and "2. Second numbered" in text
    assert "A plain note with emphasis." in text and "Finding note." in text

"""Citations in the DOCX are live Zotero fields: each is `ADDIN ZOTERO_ITEM CSL_CITATION {json}`
whose JSON validates against the CSL citation schema (a copy of the official one, with ORIGIN)
and carries each item's CSL-JSON as Pandoc reads the sources (the oracle); the document carries
Zotero's preferences; and what a reader sees is unchanged: the printed text is citeproc's (the
HTML, which has no fields, prints the same notes) and LibreOffice prints it.

The corpus briefs' fields are validated too, in test_corpus.py, on the DOCX it builds anyway.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from briefkit import model as m
from briefkit.builder.batch import build_brief
from briefkit.builder.pipeline import prepare
from briefkit.prose.citations import pandoc_path
from conftest import BRIEFS, ROOT, example_briefs
from csl_fields import citation_fields, citation_validator, item_validator, zotero_preferences
from readers import docx_notes, html_tree, libreoffice_pdf, pdf_text, squash

CORPUS = ROOT.parent / "shared" / "corpus"
EXAMPLES = example_briefs()


def assert_valid_fields(docx: Path) -> list[tuple[dict, str]]:
    """Every citation field of `docx` is a valid CSL citation; returns them."""
    validator = citation_validator()
    fields = citation_fields(docx)
    for data, printed in fields:
        errors = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(data)
        ]
        assert errors == [], (printed, errors)
        assert printed.strip(), data  # the field shows what citeproc printed
    ids = [data["citationID"] for data, _ in fields]
    assert len(ids) == len(set(ids))
    return fields


def pandoc_items(bibliography: Path) -> dict[str, dict]:
    """The sources as Pandoc reads them, as CSL-JSON (the oracle for `itemData`)."""
    source = ["-f", "biblatex"] if bibliography.suffix == ".bib" else []
    result = subprocess.run(
        [pandoc_path(), *source, "-t", "csljson", str(bibliography)],
        capture_output=True,
        check=True,
    )
    return {item["id"]: item for item in json.loads(result.stdout)}


@pytest.mark.parametrize(
    "brief", EXAMPLES, ids=[p.parent.name if p.name == "brief.yaml" else p.stem for p in EXAMPLES]
)
def test_every_citation_of_the_examples_is_a_valid_csl_citation_field(examples, brief):
    """One field for every citation of the brief (Pandoc's Cite elements), in reading order."""
    fields = assert_valid_fields(examples[brief]["docx"])
    document = prepare(brief).document
    cites = [
        [item.id for item in inline.items]
        for blocks in document.block_lists()
        for inline in m.walk_inlines(blocks)
        if isinstance(inline, m.Citation)
    ]
    assert sorted(map(sorted, cites)) == sorted(
        sorted(item["id"] for item in data["citationItems"]) for data, _ in fields
    )


def test_item_data_is_the_sources_csl_json(tech_ties):
    """Each item carries what Pandoc reads from the .bib, every variable the schema allows."""
    fields = assert_valid_fields(tech_ties["docx"])
    expected = pandoc_items(BRIEFS / "tech-ties" / "sources.bib")
    validator = item_validator()
    seen = set()
    for data, _ in fields:
        for item in data["citationItems"]:
            source = expected[item["id"]]
            for key, value in source.items():
                allowed = not list(
                    validator.iter_errors(
                        {"id": "x", "type": "book", key: value}
                        if key not in ("id", "type")
                        else {"id": "x", "type": "book"}
                    )
                )
                if key == "type":
                    assert item["itemData"]["type"] == (value or "document")
                elif allowed:
                    assert item["itemData"].get(key) == value, (item["id"], key)
            seen.add(item["id"])
    assert seen == {
        "bendett2019partnership",
        "bendett2019ties",
        "kania2019emerges",
        "bendett2020resilience",
    }


def test_locators_labels_prefixes_and_suffixes_are_as_pandoc_parses_them(tmp_path):
    """`[see @key, chap. 3, emphasis mine]`: the locator and label as citeproc reads them (the
    printed note shows them), the rest of the suffix as suffix."""
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "brief.yaml").write_text(
        "title: Locators\ndate: 2024-05-01\nlayout: commentary\n"
        "references:\n- id: doe\n  type: book\n  title: A Book\n"
        "  author: [{family: Doe, given: Jane}]\n  issued: 2020\n"
        "sections:\n- body: |\n"
        "    One [see @doe, chap. 3, emphasis mine]. Two [@doe, pp. 4-5]. Three [@doe, 89, and"
        " suffix]. Four [-@doe]. Five [@doe, s.v. river].\n",
        encoding="utf-8",
    )
    docx = build_brief(folder / "brief.yaml", tmp_path / "out", ["docx"], parallel=False).outputs[0]
    fields = assert_valid_fields(docx)
    items = [
        [{k: v for k, v in i.items() if k != "itemData"} for i in data["citationItems"]]
        for data, _ in fields
    ]
    assert items == [
        [
            {
                "id": "doe",
                "prefix": "see",
                "locator": "3",
                "label": "chapter",
                "suffix": ", emphasis mine",
            }
        ],
        [{"id": "doe", "locator": "4-5", "label": "page"}],
        [{"id": "doe", "locator": "89", "label": "page", "suffix": ", and suffix"}],
        [{"id": "doe", "suppress-author": True}],
        [{"id": "doe", "suffix": ", s.v.\u00a0river"}],  # Pandoc ties the abbreviation
    ]
    printed = [p for _, p in fields]
    assert "3" in printed[0] and "4–5" in printed[1] and "89" in printed[2]
    assert [data["properties"]["noteIndex"] for data, _ in fields] == [1, 2, 3, 4, 5]


def test_zotero_preferences_name_the_style_its_locale_and_the_notes(tech_ties, tmp_path):
    (tmp_path / "b.yaml").write_text(
        "title: Endnotes\ndate: 2024-05-01\nlayout: report\nlang: fr-FR\n"
        "references:\n- id: doe\n  type: book\n  title: A Book\n  issued: 2020\n"
        "sections:\n- body: A claim [@doe, 3].\n",
        encoding="utf-8",
    )
    report = build_brief(tmp_path / "b.yaml", tmp_path / "out", ["docx"], parallel=False)
    for docx, notes, lang in ((tech_ties["docx"], "1", "en"), (report.outputs[0], "2", "fr-FR")):
        data = etree.fromstring(zotero_preferences(docx).encode())
        style = data.find("style")
        assert data.get("data-version") == "3"
        assert style.get("id").startswith("http://www.zotero.org/styles/chicago-notes")
        assert style.get("locale") == lang
        prefs = {p.get("name"): p.get("value") for p in data.iter("pref")}
        assert prefs == {"fieldType": "Field", "noteType": notes}  # footnotes 1, endnotes 2


def test_an_author_date_style_has_citations_in_the_text_and_no_note_type(tmp_path):
    folder = tmp_path / "csl-apa-report"
    shutil.copytree(CORPUS / "csl-apa-report", folder)
    docx = build_brief(folder / "brief.yaml", tmp_path / "out", ["docx"], parallel=False).outputs[0]
    fields = assert_valid_fields(docx)
    in_text = [printed for data, printed in fields if data["properties"]["noteIndex"] == 0]
    assert in_text and all(re.search(r"\(.*\d{4}", printed) for printed in in_text), in_text
    data = etree.fromstring(zotero_preferences(docx).encode())
    assert data.find("style").get("id") == "http://www.zotero.org/styles/apa"
    assert {p.get("name") for p in data.iter("pref")} == {"fieldType"}


def test_a_reader_sees_the_same_citations(tech_ties, tmp_path):
    """The fields change nothing a reader sees: the DOCX's notes read as the HTML's (which has
    no fields), and LibreOffice prints each field's text."""
    notes = docx_notes(tech_ties["docx"])
    html_notes = [
        squash("".join(li.itertext()).replace("↩", ""))
        for li in html_tree(tech_ties["html"]).iter("li")
        if (li.get("id") or "").startswith("note-")
    ]
    assert [squash(n) for n in notes] == html_notes
    text = squash(pdf_text(libreoffice_pdf(tech_ties["docx"], tmp_path)))
    for _, printed in citation_fields(tech_ties["docx"]):
        assert squash(printed) in text, printed


test_a_reader_sees_the_same_citations = pytest.mark.needs("soffice")(
    test_a_reader_sees_the_same_citations
)

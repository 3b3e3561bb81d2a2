"""Compose: a resolved document in, the lines a reader sees out (bylines, datelines, numbered
items, related items' meta lines, the contents, the colophon), in the brief's language. The
documents are made by hand here, so each line is checked without Pandoc or a writer."""

from __future__ import annotations

import datetime as dt

import pytest

from briefkit import model as m
from briefkit.layout.folders import load_layout
from briefkit.layout.locales import load_locale
from briefkit.resolve.compose import compose, contents, has_content, number_tables_and_figures


def para(text: str) -> m.Para:
    return m.Para([m.Text(text)])


def document(lang: str = "en", **fields) -> m.Document:
    locale = load_locale(lang)
    doc = m.Document(slug="brief", layout="report", title="Ties", date=dt.date(2020, 9, 1),
                     lang=lang, **fields)
    doc.labels = dict(locale.labels)
    return doc


def composed(doc: m.Document, layout: str = "report") -> m.Document:
    chosen = load_layout(layout)
    compose(doc, load_locale(doc.lang), chosen.placed(), chosen.table)
    return doc


def text(phrase: m.Phrase) -> str:
    return m.phrase_text(phrase)


AUTHORS = [m.Person("Samuel Bendett", title="Adjunct Senior Fellow", affiliation="CNA"),
           m.Person("Elsa B. Kania", title="Adjunct Senior Fellow"),
           m.Person("Third Author")]


def test_the_byline_lists_names_with_titles_in_the_locales_list_form():
    doc = composed(document(authors=list(AUTHORS)))
    assert text(doc.byline) == ("Samuel Bendett, Adjunct Senior Fellow, Elsa B. Kania, "
                                "Adjunct Senior Fellow and Third Author")
    assert text(doc.by_byline) == "By " + text(doc.byline)
    assert [p.role for p in doc.byline if p.role == "author"] == ["author"] * 3


def test_one_author_has_no_separator_and_no_author_no_by():
    assert text(composed(document(authors=[m.Person("Jane Roe")])).by_byline) == "By Jane Roe"
    doc = composed(document())
    assert doc.byline == [] and doc.by_byline == []


@pytest.mark.parametrize("lang, dateline", [
    ("en", "1 September 2020 · Updated 2 October 2020"),
    ("fr", "1er septembre 2020 · Mis à jour le 2 octobre 2020"),
    ("de", "1. September 2020 · Aktualisiert am 2. Oktober 2020"),
])
def test_the_dateline_is_in_the_briefs_language(lang, dateline):
    doc = composed(document(lang, updated=dt.date(2020, 10, 2)))
    assert text(doc.dateline) == dateline
    dates = [p for p in doc.dateline if p.role == "date"]
    assert [p.datetime for p in dates] == ["2020-09-01", "2020-10-02"]  # <time datetime>


def test_the_outlet_dateline_names_the_publisher_and_the_publisher_line_its_program():
    doc = composed(document(publisher={"name": "ASPI", "program": "Cyber Centre"}))
    assert text(doc.dateline_outlet) == "1 September 2020 · ASPI"
    assert text(doc.publisher_line) == "ASPI · Cyber Centre"
    assert doc.logo_alt == "ASPI"
    assert composed(document()).logo_alt == document().label("logo")


def test_the_series_line_joins_name_number_and_issn():
    doc = composed(document(series={"name": "Policy Brief", "number": 12, "issn": "2209-9689"}))
    assert text(doc.series_line) == "Policy Brief No. 12 · ISSN 2209-9689"
    assert text(composed(document(series={"number": 3})).series_line) == "No. 3"
    assert composed(document(series={"issn": "2209-9689"})).series_line == []


def test_items_are_labelled_by_their_part_and_recommendations_name_the_findings_they_answer():
    finding = m.Item(2, "lead", "Beijing leads", [para("China leads.")])
    recommendation = m.Item(1, "track", "Track it", [para("Track.")], audience="Ministers",
                            findings=[finding])
    composed(document(findings=m.ItemGroup([], [finding]),
                      recommendations=m.ItemGroup([], [recommendation])))
    assert finding.label == "Finding 2" and text(finding.heading) == "Finding 2: Beijing leads"
    assert text(recommendation.heading) == "Recommendation 1: Track it"
    assert [text(line) for line in recommendation.meta] == ["For: Ministers",
                                                           "Responds to: Finding 2"]
    answered = next(p for p in recommendation.meta[1] if p.role == "finding")
    assert answered.href == "#lead"  # the cross-reference links to the finding


def test_an_untitled_item_is_its_label_alone():
    item = m.Item(3, "f3", None, [para("Text.")])
    composed(document(findings=m.ItemGroup([], [item])))
    assert text(item.heading) == "Finding 3"


def test_a_related_entry_meta_line_skips_what_it_lacks():
    full = m.RelatedEntry("An earlier piece", "https://x.org", dt.date(2020, 8, 12),
                          ["Samuel Bendett", "Elsa B. Kania"], [], kind="Commentary",
                          outlet="War on the Rocks")
    bare = m.RelatedEntry("A podcast", None, None, [], [], outlet="ASPI Audio")
    composed(document(related=[full, bare]))
    assert text(full.meta) == "Commentary · War on the Rocks · 12 August 2020"
    assert full.byline == "By Samuel Bendett and Elsa B. Kania"
    assert text(bare.meta) == "ASPI Audio" and bare.byline == ""


def test_credits_carry_title_and_affiliation_and_the_colophon_one_line_each():
    doc = composed(document(authors=list(AUTHORS), copyright="© ASPI 2020", version="1.2",
                            publisher={"name": "ASPI", "url": "https://aspi.org.au"}))
    assert text(doc.authors[0].credit) == "Samuel Bendett, Adjunct Senior Fellow, CNA"
    assert text(doc.authors[2].credit) == "Third Author"
    assert [(p.text, p.role) for p in doc.colophon] == [
        ("© ASPI 2020", "copyright"), ("Version 1.2", "version"), ("ASPI", "publisher-name"),
        ("https://aspi.org.au", "url")]


def test_categories_and_the_full_report_link_text():
    doc = composed(document(categories=["Defence", "Technology"],
                            full_report={"url": "https://x.org/r.pdf"}))
    assert text(doc.categories_line) == "Related categories: Defence; Technology"
    assert doc.full_report_text == doc.label("full_report")
    labelled = composed(document(full_report={"url": "https://x.org", "label": "Read it all"}))
    assert labelled.full_report_text == "Read it all"


def test_the_contents_lists_placed_parts_with_content_in_reading_order():
    sections = [m.Section("Background", "background", 1, [para("B.")],
                          [m.Section("Detail", "detail", 2, []), m.Section(None, "s-x", 2, [])]),
                m.Section(None, "untitled", 1, [para("No title.")])]
    doc = composed(document(
        problem=[para("A problem.")], executive_summary=[para("Summary.")],
        findings=m.ItemGroup([], [m.Item(1, "f1", "F", [])]), sections=sections,
        notes=[m.Note(1, [para("A note.")])], acronyms=[("ASPI", "Australian Strategic")]))
    entries = [(e.text, e.target, e.level, [(c.text, c.target) for c in e.children])
               for e in doc.contents]
    assert entries == [
        ("What’s the problem?", "problem", 1, []),  # a box lists its fields that have text
        ("Executive summary", "executive-summary", 1, []),
        ("Findings", "findings", 1, []),
        ("Background", "background", 1, [("Detail", "detail")]),  # untitled sections: none
        ("Notes", "notes", 1, []),
        ("Acronyms and abbreviations", "acronyms", 1, []),
    ]


def test_no_contents_without_a_contents_part_or_with_toc_off():
    doc = document(executive_summary=[para("Summary.")])
    assert composed(doc, "commentary").contents == []  # the commentary places no contents
    doc = document(executive_summary=[para("Summary.")], toc=False)
    assert composed(doc, "report").contents == []


def test_footnotes_put_no_notes_heading_in_the_contents():
    layout = load_layout("report")
    notes = layout.table["notes"]
    doc = document(notes=[m.Note(1, [para("A note.")])])
    assert has_content(doc, notes)
    doc.notes_placement = "footnotes"
    assert not has_content(doc, notes)
    assert all(e.target != "notes" for e in contents(doc, layout.placed()))


def test_the_authors_part_shows_only_when_someone_has_a_bio():
    people = load_layout("report").table["authors"]
    assert not has_content(document(authors=[m.Person("A")]), people)
    assert has_content(document(authors=[m.Person("A"), m.Person("B", bio=[para("Bio.")])]),
                       people)


def test_tables_and_figures_are_numbered_in_reading_order_nested_ones_included(tmp_path):
    first = m.Table([], [], [], caption=[m.Text("Parks")])
    nested = m.Table([], [], [])
    figure = m.Figure(tmp_path / "a.png", [m.Text("A chart")], "chart")
    uncaptioned = m.Figure(tmp_path / "b.png", [], "b")
    in_list = m.Figure(tmp_path / "c.png", [m.Text("Listed")], "c")
    doc = document()
    number_tables_and_figures(doc, [[first, m.Quote([nested])],
                                    [m.Callout("box", [figure, uncaptioned]),
                                     m.ListBlock(False, [[in_list]])]])
    assert (first.label, nested.label) == ("Table 1", "Table 2")
    assert (figure.label, uncaptioned.label, in_list.label) == ("Figure 1", "", "Figure 2")


def test_labels_come_from_the_document_so_a_french_brief_counts_in_french(tmp_path):
    doc = document("fr", findings=m.ItemGroup([], [m.Item(1, "a", "Titre", [])]))
    composed(doc)
    assert text(doc.findings.items[0].heading) == "Constat 1 : Titre"
    table = m.Table([], [], [])
    number_tables_and_figures(doc, [[table]])
    assert table.label == "Tableau 1"

"""Citations and notes: one numbering in reading order, Ibid. and shortened notes."""

from __future__ import annotations

from briefkit.prose.pandoc_ast import plain_text
from briefkit.builder.pipeline import prepare

REFERENCES = """
references:
  - id: smith2019
    type: book
    author: [{family: Smith, given: John}]
    title: The Great Book of Things
    publisher: Penguin
    issued: {date-parts: [[2019]]}
  - id: doe2020
    type: article-journal
    author: [{family: Doe, given: Jane}]
    title: An article about stuff
    container-title: Journal of Stuff
    volume: 3
    issued: {date-parts: [[2020]]}
"""


def notes_of(path):
    document = prepare(path).document
    return [plain_text(note.children) for note in document.notes]


def test_notes_follow_reading_order_not_yaml_order(write_brief):
    # Recommendations come first in the file, but the report layout reads the front box,
    # then findings, then sections, then recommendations.
    path = write_brief("""
        title: Order
        date: 2020-01-01
        recommendations:
          - text: Recommendation note.^[fourth]
        sections:
          - title: Body
            body: Section note.^[third]
        findings:
          - text: Finding note.^[second]
        summary:
          problem: Problem note.^[first]
    """)
    assert notes_of(path) == ["first", "second", "third", "fourth"]


def test_ibid_and_plain_notes_share_one_numbering(write_brief):
    path = write_brief("""
        title: Ibid
        date: 2020-01-01
        citation_style: chicago-notes-bibliography-subsequent-ibid
        summary:
          problem: One [@smith2019, 12]. Two [@smith2019, 13]. Plain.^[A plain note.]
        sections:
          - title: Body
            body: Three [@smith2019, 14]. Four [@doe2020]. Five [@doe2020].
    """, REFERENCES)
    notes = notes_of(path)
    assert notes[0] == "John Smith, The Great Book of Things (Penguin, 2019), 12."
    assert notes[1] == "Ibid., 13."
    assert notes[2] == "A plain note."
    # A plain note stands between: no Ibid., but the shortened form.
    assert notes[3] == "Smith, The Great Book of Things, 14."
    assert notes[4].startswith("Jane Doe, “An Article about Stuff,” Journal of Stuff 3 (2020)")
    assert notes[5] == "Ibid."
    assert len(notes) == 6


def test_default_style_uses_shortened_subsequent_notes(write_brief):
    path = write_brief("""
        title: Short
        date: 2020-01-01
        sections:
          - title: Body
            body: One [@smith2019]. Two [@smith2019, 5].
    """, REFERENCES)
    notes = notes_of(path)
    assert notes == ["John Smith, The Great Book of Things (Penguin, 2019).",
                     "Smith, The Great Book of Things, 5."]


def test_several_keys_in_one_citation_make_one_note(write_brief):
    path = write_brief("""
        title: Multi
        date: 2020-01-01
        sections:
          - title: Body
            body: Both [@smith2019; @doe2020].
    """, REFERENCES)
    notes = notes_of(path)
    assert len(notes) == 1
    assert "Smith" in notes[0] and "Doe" in notes[0] and ";" in notes[0]


def test_bibliography_file_and_bibliography_section(tmp_path, write_brief):
    (tmp_path / "refs.bib").write_text(
        "@book{knuth1984, author={Donald Knuth}, title={The TeXbook}, year={1984},"
        " publisher={Addison-Wesley}}\n", encoding="utf-8")
    path = write_brief("""
        title: Bib
        date: 2020-01-01
        bibliography: refs.bib
        bibliography_title: Works cited
        sections:
          - title: Body
            body: TeX [@knuth1984, 7].
    """)
    prepared = prepare(path)
    assert [plain_text(n.children) for n in prepared.document.notes] == [
        "Donald Knuth, The TeXbook (Addison-Wesley, 1984), 7."]
    assert prepared.document.label("bibliography") == "Works cited"
    assert "Knuth, Donald. The TeXbook. Addison-Wesley, 1984." in plain_text(
        prepared.document.bibliography)


def test_uncited_source_is_a_warning_not_an_error(write_brief):
    path = write_brief("""
        title: Unused
        date: 2020-01-01
        sections:
          - title: Body
            body: Only Smith [@smith2019].
    """, REFERENCES)
    warnings = prepare(path).diagnostics.warnings
    assert any("'doe2020' is never cited" in str(w) for w in warnings)


def test_cross_references_read_as_finding_numbers_and_titles(write_brief):
    path = write_brief("""
        title: Xref
        date: 2020-01-01
        findings:
          - id: first
            text: A.
          - id: second
            text: B, unlike [#first].
        recommendations:
          - text: Act on [#second], see [#context].
            findings: [second]
        sections:
          - title: The context
            id: context
            body: Text.
    """)
    document = prepare(path).document
    assert plain_text(document.findings.items[1].body) == "B, unlike Finding 1."
    assert plain_text(document.recommendations.items[0].body) == "Act on Finding 2, see The context."
    assert document.recommendations.items[0].findings[0].number == 2

"""Citation sources read as Pandoc reads them, with Pandoc 3.9 as the oracle.

Inputs here are written for these tests (not the corpus): a Zotero-like CSL-YAML file, a .bib
with places and math, inline references in every shape Pandoc accepts, a dependent style of our
own over a bundled parent. Each build's notes are compared with what `pandoc --citeproc` prints
for the same prose, sources and style.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from briefkit import model as m
from briefkit.prose.csl_styles import styles_dir
from briefkit.core.diagnostics import BriefInvalid
from briefkit.prose.pandoc_ast import plain_text
from briefkit.builder.pipeline import prepare
from pandoc_oracle import fold, pandoc_prints

BODY = "One [@doe, 12]. Two [@doe, 13]. Three.^[A plain note.] Four [@roe]."


def brief(*, head: str = "", body: str = BODY, references: str = "") -> str:
    return (
        f"title: Sources\ndate: 2024-05-01\nlayout: commentary\n{head}"
        f"sections:\n  - title: Body\n    body: |\n      {body}\n{references}"
    )


def notes_of(path: Path) -> list[str]:
    return [fold(plain_text(note.children)) for note in prepare(path).document.notes]


def errors_of(path: Path) -> list[str]:
    with pytest.raises(BriefInvalid) as caught:
        prepare(path)
    return [str(d) for d in caught.value.diagnostics.errors]


def inline_as_metadata(tmp_path: Path, references: str) -> Path:
    """The brief's `references:` as a Pandoc user would put them in a document's metadata."""
    path = tmp_path / "pandoc-metadata.yaml"
    path.write_text(references, encoding="utf-8")
    return path


def style(name: str = "chicago-notes-bibliography") -> Path:
    return styles_dir() / f"{name}.csl"


INLINE = """references:
- id: doe
  type: book
  author: John Doe
  title: '*Policy* in practice'
  issued: 2019
  publisher:
  version: 1.10
  keyword: [a, b]
  language: no
- id: roe
  type: article-journal
  author: [{family: Roe, given: Ann}]
  title: no
  container-title: Journal of Things
  issued: [{year: 2016, month: 3}]
"""


def test_inline_references_as_pandoc_reads_them(tmp_path):
    path = tmp_path / "brief.yaml"
    path.write_text(brief(references=INLINE), encoding="utf-8")
    notes = notes_of(path)
    # Pandoc reads the same YAML (the brief itself as metadata: it takes its `references`)
    oracle = pandoc_prints(BODY, metadata_file=inline_as_metadata(tmp_path, INLINE), csl=style())
    assert notes == oracle.notes
    assert "2019" in notes[0] and "n.d." not in notes[0]  # `issued: 2019` is a date
    # `title: no` is what Pandoc makes of it (its YAML reads `no` as false), not an error
    assert notes[3].startswith("Ann Roe, “False,” Journal of Things, March 2016")
    assert notes[0].startswith("John Doe, Policy in practice")  # `author: John Doe`


def test_inline_reference_markdown_is_formatted(tmp_path):
    path = tmp_path / "brief.yaml"
    path.write_text(brief(references=INLINE), encoding="utf-8")
    note = prepare(path).document.notes[0]
    # (the note's text is a citation: walked into, as every writer does)
    emphasised = [n for n in m.walk_inlines(note.children) if getattr(n, "style", None) == "emph"]
    assert emphasised and "Policy" in plain_text(emphasised)


def test_markdown_escaped_id_is_the_key_pandoc_sees(tmp_path):
    path = tmp_path / "brief.yaml"
    references = "references:\n- id: doe\\_\\_x_2019\n  type: book\n  title: T\n  issued: 2019\n"
    path.write_text(brief(body="Cited [@doe__x_2019].", references=references), encoding="utf-8")
    notes = notes_of(path)
    assert (
        notes
        == pandoc_prints(
            "Cited [@doe__x_2019].",
            csl=style(),
            metadata_file=inline_as_metadata(tmp_path, references),
        ).notes
    )
    assert notes == ["T (2019)."]


def test_zotero_like_csl_yaml_file_fenced(tmp_path):
    (tmp_path / "zotero.yaml").write_text(
        """---
references:
- id: doe
  abstract: An abstract with *Markdown*.
  accessed:
  - year: 2024
    month: 1
    day: 5
  author:
  - family: Doe
    given: John
  - literal: Ministry of Things
  container-title: Annual Review of Policy
  DOI: 10.1000/xyz123
  issue: '2'
  issued:
  - year: 2021
    month: 6
  page: 101-120
  title: 'Rules and their *exceptions*: a review'
  type: article-journal
  volume: 12
- id: roe
  type: report
  author: [{family: Roe, given: Ann}]
  title: A report
  publisher: Institute
  publisher-place: Canberra
  issued: {year: 2006}
...
""",
        encoding="utf-8",
    )
    path = tmp_path / "brief.yaml"
    path.write_text(brief(head="bibliography: zotero.yaml\n"), encoding="utf-8")
    path.write_text(
        brief(head="bibliography: zotero.yaml\ncitation_style: chicago-notes-publisher-place\n"),
        encoding="utf-8",
    )
    notes = notes_of(path)
    assert (
        notes
        == pandoc_prints(
            BODY,
            bibliographies=[tmp_path / "zotero.yaml"],
            csl=style("chicago-notes-publisher-place"),
        ).notes
    )
    assert "Canberra" in notes[3] and "2006" in notes[3]  # {year: 2006} is a date


def test_bib_is_biblatex_with_places_and_math(tmp_path):
    (tmp_path / "thesis.bib").write_text(
        r"""@string{anu = {ANU Press}}
@book{doe,
  author = {Doe, John and Smith, Jane},
  title = {Water as {H$_2$O}: Policy for a Thirsty Century},
  location = {Canberra and Sydney},
  publisher = anu,
  date = {2021-03},
}
@article{roe,
  author = {Roe, Ann},
  title = {Things},
  journaltitle = {Journal of Things},
  date = {2016},
  volume = {4},
  pages = {1--10},
}
""",
        encoding="utf-8",
    )
    path = tmp_path / "brief.yaml"
    path.write_text(
        brief(head="bibliography: thesis.bib\ncitation_style: chicago-notes-publisher-place\n"),
        encoding="utf-8",
    )
    notes = notes_of(path)
    oracle = pandoc_prints(
        BODY, bibliographies=[tmp_path / "thesis.bib"], csl=style("chicago-notes-publisher-place")
    )
    assert notes == oracle.notes
    assert "Canberra" in notes[0]  # `location` (BibLaTeX) is the place
    assert "H2O" in notes[0]  # math is text with a subscript, not TeX source


def test_duplicate_id_between_inline_and_a_file_names_both(tmp_path):
    (tmp_path / "more.json").write_text('[{"id": "doe", "type": "book", "title": "X"}]')
    path = tmp_path / "brief.yaml"
    path.write_text(brief(head="bibliography: more.json\n", references=INLINE), encoding="utf-8")
    (error,) = [e for e in errors_of(path) if "twice" in e]
    assert "more.json:1:10: error: the reference id 'doe' is defined twice" in error
    assert "brief.yaml:" in error.split("also defined at")[1].split(";")[0]
    assert "/tmp" not in error.replace(str(tmp_path), "") and "references.yaml" not in error


def test_unreadable_csl_json_item_is_located(tmp_path):
    (tmp_path / "refs.json").write_text(
        '[\n {"id": "doe", "title": "A"},\n {"id": "roe", "issued": 2019}\n]\n'
    )
    path = tmp_path / "brief.yaml"
    path.write_text(brief(head="bibliography: refs.json\n"), encoding="utf-8")
    (error,) = errors_of(path)
    assert ":3:" in error.split(": error")[0] and "refs.json" in error
    assert "item 2" in error and "parsing Date failed" in error
    assert "briefkit-" not in error and "internal error" not in error


def test_string_expansion_budget_is_a_located_error(tmp_path):
    strings = ['@string{a = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}']
    for previous, name in zip("abcdefghi", "bcdefghij"):
        strings.append("@string{%s = %s}" % (name, " # ".join([previous] * 6)))
    strings.append("@book{doe, title = j, author = {A}}")
    (tmp_path / "bomb.bib").write_text("\n".join(strings) + "\n")
    assert (tmp_path / "bomb.bib").stat().st_size < 500
    path = tmp_path / "brief.yaml"
    path.write_text(brief(head="bibliography: bomb.bib\n"), encoding="utf-8")
    started = time.monotonic()
    (error,) = errors_of(path)
    assert time.monotonic() - started < 10
    assert (
        "bomb.bib:6:12: error: the value of 'f' would expand to 233,280" in error
        and "@string expansion budget of 100,000" in error
    )


def _dependent(parent_href: str, locale: str = "") -> str:
    default = f' default-locale="{locale}"' if locale else ""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0"{default}>
  <info>
    <title>Journal of Our Own Tests</title>
    <id>http://www.zotero.org/styles/journal-of-our-own-tests</id>
    <link href="http://www.zotero.org/styles/journal-of-our-own-tests" rel="self"/>
    <link href="{parent_href}" rel="independent-parent"/>
    <updated>2024-01-01T00:00:00+00:00</updated>
  </info>
</style>
"""


def test_dependent_style_is_formatted_with_its_bundled_parent_and_locale(tmp_path):
    (tmp_path / "ours.csl").write_text(
        _dependent(
            "http://www.zotero.org/styles/chicago-notes-bibliography-subsequent-ibid", "de-DE"
        )
    )
    path = tmp_path / "brief.yaml"
    path.write_text(brief(head="citation_style: ours.csl\n", references=INLINE), encoding="utf-8")
    notes = notes_of(path)
    oracle = pandoc_prints(
        BODY,
        metadata_file=inline_as_metadata(tmp_path, INLINE),
        csl=style("chicago-notes-bibliography-subsequent-ibid"),
        metadata=["lang=de-DE"],
    )
    assert notes == oracle.notes
    assert notes[1].startswith("Ebd.")  # the dependent's German locale


@pytest.mark.parametrize(
    "href, words",
    [
        ("http://www.zotero.org/styles/no-such-style", "no-such-style"),
        ("file:///etc/passwd", "file:///etc/passwd"),
    ],
)
def test_dependent_style_with_unknown_parent_is_located(tmp_path, href, words):
    (tmp_path / "ours.csl").write_text(_dependent(href))
    path = tmp_path / "brief.yaml"
    path.write_text(brief(head="citation_style: ours.csl\n", references=INLINE), encoding="utf-8")
    (error,) = errors_of(path)
    assert "ours.csl:7:1: error: the parent style" in error
    assert words in error and "root:" not in error


def test_dependent_style_never_fetches_its_parent(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.2)
    connections = []

    def accept():
        while not stopped.is_set():
            try:
                connections.append(listener.accept())
            except OSError:
                pass

    stopped = threading.Event()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    try:
        (tmp_path / "ours.csl").write_text(_dependent(f"http://127.0.0.1:{port}/styles/apa"))
        path = tmp_path / "brief.yaml"
        path.write_text(
            brief(head="citation_style: ours.csl\n", references=INLINE), encoding="utf-8"
        )
        (error,) = errors_of(path)
        assert "not in the bundled collection" in error
    finally:
        stopped.set()
        thread.join()
        listener.close()
    assert connections == []


def test_malformed_style_is_located(tmp_path):
    (tmp_path / "broken.csl").write_text(
        '<?xml version="1.0"?>\n<style xmlns="http://purl.org/'
        'net/xbiblio/csl">\n  <info>\n</style>\n'
    )
    path = tmp_path / "brief.yaml"
    path.write_text(brief(head="citation_style: broken.csl\n", references=INLINE), encoding="utf-8")
    (error,) = errors_of(path)
    assert "broken.csl:4:" in error and "not a valid CSL style" in error


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("csl", "apa", "citation_style"),
        ("reference-section-title", "References", "bibliography_title"),
        ("nocite", "'@*'", "cite each source"),
        ("link-citations", "true", "links each note"),
    ],
)
def test_pandoc_keys_get_a_hint_naming_briefkits(tmp_path, key, value, words):
    path = tmp_path / "brief.yaml"
    path.write_text(f"{key}: {value}\n" + brief(references=INLINE), encoding="utf-8")
    (error,) = errors_of(path)
    assert (
        error.startswith(f"{path.name}:1:1: error: {key}: unknown key")
        or f"brief.yaml:1:1: error: {key}: unknown key" in error
    )
    assert "Pandoc's key" in error and words in error


def test_style_with_entities_is_refused_before_pandoc(tmp_path):
    (tmp_path / "xxe.csl").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE style [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0"><info><title>&x;</title>'
        '</info><citation><layout><text variable="title"/></layout></citation></style>\n'
    )
    path = tmp_path / "brief.yaml"
    path.write_text(brief(head="citation_style: xxe.csl\n", references=INLINE), encoding="utf-8")
    (error,) = errors_of(path)
    assert "xxe.csl:1:1: error: the style declares a DOCTYPE or entities" in error
    assert "root:" not in error

"""Real Word drafts written by other people (tests/data/word-drafts: Apache POI's and Apache
Tika's test documents, Pandoc's DOCX reader fixtures; each folder's ORIGIN says where from)
through `briefkit import`, `check` and `build`, measured against the draft as a user would:

- the import exits 0, the imported brief checks (warnings allowed) and builds;
- at least 97 % of the draft's words (Pandoc's reading of it, as a multiset) are in the built
  HTML;
- footnotes and endnotes, tables, pictures and comments are as many out as in (comments as
  YAML comments in the brief, the rest in the HTML).

The drafts hold what real drafts hold: Persian and Arabic theses with 138 footnotes and text
boxes, 182 footnotes and EMF charts, a copy-editor's tracked changes and moves, reviewers'
comments, merged cells, numbered captions, equations, content controls, altChunk, Zotero and
Mendeley citation fields, a LibreOffice and a Google Docs export. Drafts kept out of the
repository are measured the same way with `python tests/draft_measure.py FOLDER`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from draft_measure import in_this_process, measure

DRAFTS = sorted((Path(__file__).parent / "data" / "word-drafts").glob("*/draft.docx"))


def test_the_corpus_is_there_with_its_origins():
    assert len(DRAFTS) >= 20
    for draft in DRAFTS:
        origin = (draft.parent / "ORIGIN").read_text(encoding="utf-8")
        assert "repository: https://github.com/" in origin and "licence:" in origin, draft
        assert draft.stat().st_size < 2_000_000, draft


@pytest.mark.needs("soffice")  # EMF/WMF charts are converted by LibreOffice
@pytest.mark.parametrize("draft", DRAFTS, ids=lambda p: p.parent.name)
def test_a_real_draft_imports_checks_builds_and_keeps_its_words(draft, tmp_path):
    result = measure(draft, tmp_path, run=in_this_process)
    assert result.imported == 0, result.messages
    assert result.checked == 0, result.messages
    assert result.built == 0, result.messages
    assert result.word_share >= 0.97, (result.line(), result.missing)
    for kind, (source, output) in result.counts.items():
        assert output == source, f"{kind}: {source} in the draft, {output} out ({result.line()})"

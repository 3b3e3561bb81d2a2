"""The brief in the Word document: each field a reader sees marked, each citation a live field.

A mixin of `DocxWriter`. What a field of the brief shows (a finding's text, a section's title,
an author's name in the byline) is wrapped in a hidden bookmark `_bkf<n>` (`brief_record`), its
key path taken from the table of parts (a part's content key, its box fields) or from the model
(an item's, a section's, a person's key, set by resolve); `import --into` reads the bookmarks
back. A citation is the Zotero field `render/word/citations.py` describes, around the text
citeproc printed.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable

from briefkit import model as m
from briefkit.ooxml import wordml
from briefkit.ooxml.brief_record import field_name
from briefkit.render.word import citations as word_citations


class FieldWriter:
    """Needs from its host (`DocxWriter`): `doc`, `_in_note`, `_bookmark` (the last bookmark
    id), and its `blocks`, `inlines` and `run`."""

    doc: m.Document
    _in_note: bool
    _bookmark: int
    blocks: Callable[..., None]
    inlines: Callable[..., None]
    run: Callable[..., Any]

    def _init_fields(self) -> None:
        self.fields: dict[str, tuple] = {}  # bookmark name -> the brief's key path
        self.kinds: dict[str, str] = {}  # bookmark name -> "markdown" or "text"
        self._made: list = []  # (in a note, w:p) of every paragraph written, in order
        self._note_number = 0  # the note being written (a citation's Zotero noteIndex)

    @contextmanager
    def field(self, key: tuple, kind: str = "markdown"):
        """What is written inside is the brief's field `key`: a hidden bookmark from the start
        of its first paragraph to the end of its last (none when it writes nothing)."""
        start, in_note = len(self._made), self._in_note
        yield
        made = [p for note, p in self._made[start:] if note == in_note]
        if key and made:
            self._bookmark += 1
            wordml.bookmark_range(made[0], made[-1], self._new_field(key, kind), self._bookmark)

    def field_blocks(self, key: tuple, blocks: list, style: str | None = None) -> None:
        with self.field(key):
            self.blocks(blocks, style=style)

    def keyed_run(self, paragraph, text: str, key: tuple, flags) -> None:
        """A value of the brief inside a composed line (an item's title, a name in a byline):
        its run between the bookmark's start and end."""
        self._bookmark += 1
        ident = self._bookmark
        wordml.bookmark_start(paragraph._p, self._new_field(key, "text"), ident)
        self.run(paragraph, text, flags)
        wordml.bookmark_end(paragraph._p, ident)

    def _new_field(self, key: tuple, kind: str) -> str:
        name = field_name(len(self.fields) + 1)
        self.fields[name] = tuple(key)
        self.kinds[name] = kind
        return name

    def citation(self, paragraph, citation: m.Citation, flags, container) -> None:
        """A live Zotero field around the text citeproc printed (`noteIndex`: the note it
        stands in, 0 in the text)."""
        parent = container if container is not None else paragraph._p
        data = word_citations.citation_data(
            citation.number,
            citation.items,
            self.doc.csl_items,
            self._note_number if self._in_note else 0,
        )
        wordml.begin_field(parent, word_citations.field_instruction(data))
        self.inlines(paragraph, citation.children, flags, container)
        wordml.end_field(parent)

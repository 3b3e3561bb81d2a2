"""An editor's changes placed in a field's Markdown word by word: the Markdown's own spelling
(emphasis, links, notes, citations, list markers) is kept around every change."""

from __future__ import annotations

import json

import pytest

from briefkit.ooxml.story_parts import Citation, NoteMark, Paragraph, Text
from briefkit.word.markdown_patch import patch
from briefkit.word.markdown_words import PatchFailed, source_tokens

ITALIC = frozenset({"i"})
LINK = frozenset({"href=https://x.org"})


def cite(key: str, locator: str = "") -> Citation:
    item = {"id": key, **({"locator": locator, "label": "page"} if locator else {})}
    return Citation((json.dumps(item, sort_keys=True),), f"{key}, {locator}.")


def note(*parts) -> NoteMark:
    return NoteMark((Paragraph("endnote text", list(parts)).frozen(),))


def para(style: str, *parts) -> Paragraph:
    return Paragraph(style, list(parts)).frozen()


MARKDOWN = (
    "Dialogues, *parks* and joint funds carry it.^[A plain note.] See "
    "[@bendett2019, 3].\n\nSecond paragraph with [a link](https://x.org).\n\n"
    "- item one\n- item two"
)


def first(
    words: str = " and joint funds carry it.",
    plain_note: str = "A plain note.",
    locator: str = "3",
    italic: str = "parks",
    with_note: bool = True,
) -> Paragraph:
    parts = [Text("Dialogues, "), Text(italic, ITALIC), Text(words)]
    if with_note:
        parts.append(note(Text(plain_note)))
    parts += [Text(" See "), note(cite("bendett2019", locator)), Text(".")]
    return para("Normal", *parts)


SECOND = para("Normal", Text("Second paragraph with "), Text("a link", LINK), Text("."))
ITEMS = [para("List Bullet", Text("item one")), para("List Bullet", Text("item two"))]
BUILT = [first(), SECOND, *ITEMS]


@pytest.mark.parametrize(
    "edited, expected",
    [
        (
            [first(" and joint funds sustain it."), SECOND, *ITEMS],
            MARKDOWN.replace("carry", "sustain"),
        ),
        ([first(italic="gardens"), SECOND, *ITEMS], MARKDOWN.replace("*parks*", "*gardens*")),
        (
            [
                first(),
                para(
                    "Normal",
                    Text("Second paragraph with "),
                    Text("a link", LINK),
                    Text(". A new sentence."),
                ),
                *ITEMS,
            ],
            MARKDOWN.replace("(https://x.org).", "(https://x.org). A new sentence."),
        ),
        (
            [first(), *ITEMS],
            MARKDOWN.replace("Second paragraph with [a link](https://x.org).\n\n", ""),
        ),
        (
            [first(), SECOND, para("Normal", Text("A new paragraph.")), *ITEMS],
            MARKDOWN.replace("\n\n- item one", "\n\nA new paragraph.\n\n- item one"),
        ),
        (
            [first(plain_note="A plain note, edited."), SECOND, *ITEMS],
            MARKDOWN.replace("A plain note.", "A plain note, edited."),
        ),
        ([first(locator="7"), SECOND, *ITEMS], MARKDOWN.replace("3]", "7]")),
        ([first(with_note=False), SECOND, *ITEMS], MARKDOWN.replace("^[A plain note.]", "")),
        (
            [first(), SECOND, *ITEMS, para("List Bullet", Text("item *three*"))],
            MARKDOWN + "\n- item \\*three\\*",
        ),
    ],
    ids=[
        "word",
        "italic word",
        "sentence",
        "paragraph deleted",
        "paragraph added",
        "note text",
        "locator",
        "note removed",
        "list item",
    ],
)
def test_changes_are_placed_where_their_words_stand(edited, expected):
    assert patch(MARKDOWN, BUILT, edited) == expected


def test_a_note_added_in_word_becomes_an_inline_note():
    edited = para(
        "Normal",
        Text("Dialogues, "),
        Text("parks", ITALIC),
        Text(" and joint funds"),
        note(Text("New note.")),
        Text(" carry it."),
        note(Text("A plain note.")),
        Text(" See "),
        note(cite("bendett2019", "3")),
        Text("."),
    )
    assert patch(MARKDOWN, BUILT, [edited, SECOND, *ITEMS]) == MARKDOWN.replace(
        "funds carry", "funds^[New note.] carry"
    )


def test_a_change_inside_words_briefkit_composed_cannot_be_placed():
    built = [para("Caption", Text("Figure 1 ", frozenset({"b"})), Text("Dams on the river"))]
    edited = [para("Caption", Text("Fig. 1 ", frozenset({"b"})), Text("Dams on the river"))]
    with pytest.raises(PatchFailed):
        patch("![Dams on the river](dams.png)", built, edited)


def test_labelled_notes_are_patched_in_their_definition():
    markdown = "A claim.[^1]\n\n[^1]: The source, page 4."
    built = [para("Normal", Text("A claim."), note(Text("The source, page 4.")))]
    edited = [para("Normal", Text("A claim."), note(Text("The source, page 5.")))]
    assert patch(markdown, built, edited) == "A claim.[^1]\n\n[^1]: The source, page 5."


def test_markup_is_not_a_word():
    words = [
        markdown_token
        for markdown_token in source_tokens(
            "## Head\n\n> *quoted* [text](https://a.b) `code` and [#track]\n\n| a | b |\n|---|---|\n| 1 | 2 |"
        )
    ]
    keys = [t.key for t in words if t.key[0] != "s"]
    assert keys == [
        ("w", "Head"),
        ("p",),
        ("w", "quoted"),
        ("w", "text"),
        ("w", "code"),
        ("w", "and"),
        ("xref", "track"),
        ("p",),
        ("w", "a"),
        ("w", "b"),
        ("p",),
        ("w", "1"),
        ("w", "2"),
    ]

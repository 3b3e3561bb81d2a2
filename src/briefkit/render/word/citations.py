"""Citations as live Zotero fields: a citation of the model in, the Word field that Zotero's
(and Mendeley's, JabRef's) Word plugin reads out, with Zotero's document preferences.

A citation is the complex field `ADDIN ZOTERO_ITEM CSL_CITATION {json}` around the text citeproc
printed, so a reader sees exactly what the brief's style makes, an author with Zotero can refresh
or edit it, and `briefkit import` reads the `[@key, 12]` back. The JSON is a CSL citation object
that validates against the CSL citation schema (CSL 1.0.2, `csl-citation.json`): the items with
their CSL-JSON (`itemData`), locators, labels, prefixes and suffixes, and `properties.noteIndex`.
Zotero's own plugins also cache the printed text there (`formattedCitation`, `plainCitation`);
the schema forbids those keys, and Zotero only uses them to skip rewriting a field it would
print the same way, so they are left out. Zotero's document preferences (style, locale, whether
citations are footnotes or endnotes) are the custom properties `ZOTERO_PREF_1`, `_2` …, 255
characters each, as its plugin stores them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Optional
from xml.sax.saxutils import quoteattr

from briefkit import __version__
from briefkit.prose.cite_items import CiteItem, csl_item

SCHEMA = "https://resource.citationstyles.org/schema/latest/input/json/csl-citation.json"
FIELD = "ADDIN ZOTERO_ITEM CSL_CITATION"
PREFERENCES = "ZOTERO_PREF"
PROPERTY_LENGTH = 255  # Word's limit for a text property: Zotero cuts its data into pieces
NOTE_TYPES = {"footnotes": 1, "endnotes": 2}  # Zotero's NOTE_FOOTNOTE, NOTE_ENDNOTE


def citation_data(
    number: int, items: list[CiteItem], csl: dict[str, dict], note_index: int
) -> dict:
    """The CSL citation object of the `number`-th citation of the document (`note_index`: the
    number of the note it stands in, 0 in the text)."""
    out = []
    for item in items:
        entry: dict = {"id": item.id, "itemData": csl_item(csl.get(item.id) or {"id": item.id})}
        for key, value in (
            ("locator", item.locator),
            ("label", item.label),
            ("prefix", item.prefix),
            ("suffix", item.suffix),
        ):
            if value:
                entry[key] = value
        if item.mode == "SuppressAuthor":
            entry["suppress-author"] = True
        out.append(entry)
    return {
        "citationID": f"briefkit-{number}",
        "properties": {"noteIndex": note_index},
        "citationItems": out,
        "schema": SCHEMA,
    }


def field_instruction(data: dict) -> str:
    """The field's code as Zotero writes it (compact JSON, characters as they are)."""
    return f"{FIELD} {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}"


def document_preferences(
    style_id: str, lang: str, notes: Optional[str], has_bibliography: bool, seed: str
) -> dict[str, str]:
    """Zotero's document data (data-version 3, as its Word plugin writes it) in its custom
    properties. `notes`: "footnotes" or "endnotes" for a note style, None for an in-text one.
    The session id is derived from `seed` (the brief): the same brief gives the same bytes."""
    session = hashlib.sha256(seed.encode()).hexdigest()[:8]
    prefs = '<pref name="fieldType" value="Field"/>'
    if notes in NOTE_TYPES:
        prefs += f'<pref name="noteType" value="{NOTE_TYPES[notes]}"/>'
    data = (
        f'<data data-version="3" zotero-version={quoteattr("briefkit " + __version__)}>'
        f'<session id="{session}"/><style id={quoteattr(style_id)} locale={quoteattr(lang)} '
        f'hasBibliography="{int(has_bibliography)}" bibliographyStyleHasBeenSet="0"/>'
        f"<prefs>{prefs}</prefs></data>"
    )
    return {
        f"{PREFERENCES}_{i // PROPERTY_LENGTH + 1}": data[i : i + PROPERTY_LENGTH]
        for i in range(0, len(data), PROPERTY_LENGTH)
    }

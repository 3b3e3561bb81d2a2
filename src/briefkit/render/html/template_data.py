"""What house HTML templates see: a `Document` in, plain data out.

House templates are untrusted, so they get only str, int, float, bool, None, lists and dicts:
never a `Path`, a model object or anything else with methods that reach the file system. Prose
(lists of blocks) arrives already written as HTML (`Markup`, by the `HtmlWriter`), dates as ISO
text (`2024-01-02`; the `house_date` filter prints them), images as `data:` URIs read through the
confinement gate, properties (`is_draft`, `author_names`, `unshown_json`) as values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from markupsafe import Markup

from briefkit import model as m

_BLOCKS = (
    m.Para,
    m.Heading,
    m.ListBlock,
    m.Quote,
    m.Callout,
    m.Table,
    m.Figure,
    m.CodeBlock,
    m.Rule,
)


def plain_document(doc: m.Document, writer, roots) -> dict:
    """The whole document as plain data; `writer` writes prose, `roots` reads images."""
    logo = doc.publisher.get("logo")
    publisher = {**doc.publisher, "logo": roots.data_uri(logo) if logo else None}
    data = _plain(dataclasses.replace(doc, publisher=publisher), writer, roots)
    data.update(
        is_draft=doc.is_draft,
        author_names=list(doc.author_names),
        unshown_json={key: doc.unshown_json(key) for key in doc.unshown},
    )
    # A part a layout adds is seen by its name, as the built-in parts are (`doc.methodology`).
    data.update({name: value for name, value in data.pop("extra").items() if name not in data})
    return data


def _plain(value, writer, roots):
    if value is None or isinstance(value, (bool, Markup)):
        return value
    if isinstance(value, (int, float)):  # the loader's spelled numbers become plain ones
        return int(value) if isinstance(value, int) else float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(item, _BLOCKS) for item in value):
            return writer.blocks(list(value))
        return [_plain(item, writer, roots) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item, writer, roots) for key, item in value.items()}
    if isinstance(value, m.NoteRef):
        return {"number": value.note.number, "id": value.note.id}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name), writer, roots) for f in dataclasses.fields(value)
        }
    # Anything else would hand a template an object with methods: refuse loudly (a bug).
    raise TypeError(f"no plain form for {type(value).__name__} in a template context")

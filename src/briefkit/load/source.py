"""Load: YAML bytes in, plain values plus a `SourceMap` of positions out.

The YAML is composed into nodes by PyYAML's safe composer (no tag ever builds an object) and
turned into dicts, lists and scalars here, so that every key and value keeps its line and
column. Dates stay text (the schema parses them, so an impossible date gets a located message),
mapping keys are always their source text (`NO:` is the acronym, not `False`), and aliases are
expanded under a budget so that a "billion laughs" file fails at once. Nesting depth is checked
on the parser's events BEFORE anything is composed (composing recurses: a 30,000-deep flow list
would crash the process). A plain number keeps its source spelling: it is an `int`/`float` whose
`str()` is the text as written (`022`, `1.10`, `.nan`), so a text field gets what the author
typed; the spelling of plain `true`/`no`/`on` values is kept in `SourceMap.spellings`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml

from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Diagnostics, KeyPath, Location
from briefkit.core.paths import PathRefused, read_regular

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_VALUES = 50_000  # after alias expansion (the long example has 133)
MAX_DEPTH = 64
MAX_STRING = 1024 * 1024

_T = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_T + n for n in ("str", "int", "float", "bool", "null", "timestamp", "binary")}
_Composer = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Characters XML 1.0 (so DOCX, and HTML's parsers) cannot hold; tab and line ends are fine.
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_scalar_constructor = yaml.constructor.SafeConstructor()


@dataclass
class Span:
    start: int  # character offsets into the text
    end: int
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class SourceMap:
    """Where each key and value of a loaded file stands in its text.

    `under` is the source of data merged beneath this file's (a series.yaml): a key this file
    does not have is looked up there, so its messages name the series file."""

    file: Path
    text: str
    keys: dict[KeyPath, Span] = field(default_factory=dict)
    values: dict[KeyPath, Span] = field(default_factory=dict)
    under: Optional["SourceMap"] = None
    spellings: dict[KeyPath, str] = field(default_factory=dict)  # plain booleans as written
    problems: list[Diagnostic] = field(default_factory=list)  # found loading, the rest loaded

    def all_problems(self) -> list[Diagnostic]:
        """The loader's problems of this file and of the files merged beneath it."""
        return self.problems + (self.under.all_problems() if self.under is not None else [])

    def spelling(self, path: KeyPath) -> Optional[str]:
        """How the plain boolean at `path` was written (`yes`, `On`), if it is one."""
        path = tuple(path)
        if path in self.spellings:
            return self.spellings[path]
        return self.under.spelling(path) if self.under is not None else None

    def _find(self, path: KeyPath, at_key: bool):
        span = (self.keys.get(path) if at_key else None) or self.values.get(path)
        if span is not None:
            return self, span
        return self.under._find(path, at_key) if self.under is not None else None

    def location(self, path: KeyPath = (), *, at_key: bool = False) -> Location:
        """The position of `path`'s value (or key), else of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            found = self._find(path, at_key)
            if found is not None:
                source, span = found
                return Location(source.file, span.line, span.column)
            if not path:
                return Location(self.file, 1, 1)
            path = path[:-1]
            at_key = False

    def locate_text(self, path: KeyPath, needle: str) -> Location:
        """The exact position of `needle` inside the source of `path`'s value, when it is there."""
        found = self._find(tuple(path), False)
        if found is not None:
            source, span = found
            end = max(span.end, span.start + 1)
            first = offset = source.text.find(needle, span.start, end)
            # `@smith` is not the start of `@smith2020`, nor the end of `info@smith.org`
            while offset >= 0 and not _stands_alone(source.text, offset, needle):
                offset = source.text.find(needle, offset + 1, end)
            offset = offset if offset >= 0 else first
            if offset >= 0:
                return source.offset_location(offset)
        return self.location(path)

    def offset_location(self, offset: int) -> Location:
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return Location(self.file, line, column)


# What continues a word or a citation key (`smith:2020`, `un.org`): a word character, or
# inner punctuation followed by one.
_CONTINUES = re.compile(r"\w|[:.#$%&+?<>~/-]\w")


def _stands_alone(text: str, offset: int, needle: str) -> bool:
    if needle[-1:].isalnum() and _CONTINUES.match(text, offset + len(needle)):
        return False
    return not (needle[:1] == "@" and offset and text[offset - 1].isalnum())


@dataclass
class Loaded:
    data: dict
    source: SourceMap


def display_path(path: Path) -> Path:
    """Paths in messages are relative to the working directory when they are below it."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return Path(path)


def load_file(path: Path) -> Loaded:
    shown = display_path(path)
    try:
        raw = read_regular(path, MAX_FILE_BYTES)  # a larger file is refused by `decode`
        size = Path(path).stat().st_size
    except PathRefused as exc:
        raise BriefInvalid(Diagnostic(Location(shown), f"cannot read the file: {exc}")) from None
    except OSError as exc:
        raise BriefInvalid(
            Diagnostic(Location(shown), f"cannot read the file: {exc.strerror}")
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        decode(raw, shown, size)
    return load_bytes(raw, shown)


def load_bytes(raw: bytes, file: Path) -> Loaded:
    text = decode(raw, file)
    if not text.strip():
        raise BriefInvalid(
            Diagnostic(
                Location(file, 1, 1),
                "the file is empty",
                hint="a brief needs at least 'title' and 'date'; 'briefkit new' writes a starter",
            )
        )
    source = SourceMap(file, text)
    node = _compose(source)
    if node is None:
        raise BriefInvalid(Diagnostic(Location(file, 1, 1), "the file holds only comments"))
    builder = _Builder(source)
    data = builder.build(node, ())
    if not isinstance(data, dict):
        raise BriefInvalid(
            Diagnostic(
                Location(file, node.start_mark.line + 1, node.start_mark.column + 1),
                "the file must be a mapping of keys (title: ..., date: ...)",
                found=_node_kind(node),
            )
        )
    return Loaded(data, source)


def load_data(text: str, file: Path):
    """Any YAML value (a CSL-YAML bibliography), built like a brief: no tag builds an object,
    and aliases expand only to as many values as the text could hold written out."""
    source = SourceMap(file, text.replace("\r\n", "\n"))
    node = _compose(source)
    if node is None:
        return None
    value = _Builder(source, max(MAX_VALUES, len(source.text))).build(node, ())
    if source.problems:
        raise BriefInvalid(Diagnostics(source.problems))
    return value


class _Spelled:
    """A number read from YAML that prints as it was written (`022`, `1.10`, `.nan`, `1_000`):
    mixed into int and float, so arithmetic and comparisons are the number's."""

    spelling: str

    def __new__(cls, value, spelling: str):
        # A mixin: super() is int or float in SpelledInt and SpelledFloat.
        number = super().__new__(cls, value)  # type: ignore[call-arg]
        number.spelling = spelling
        return number

    def __str__(self) -> str:
        return self.spelling

    def __reduce__(self):  # pickled with its spelling (builds run in worker processes)
        return (type(self), (self.__class__.__bases__[1](self), self.spelling))


class SpelledInt(_Spelled, int):
    pass


class SpelledFloat(_Spelled, float):
    pass


def _check_depth(source: SourceMap) -> None:
    """Refuse nesting deeper than MAX_DEPTH from the parser's events (flat, no recursion)."""
    depth = 0
    for event in yaml.parse(source.text, Loader=_Composer):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise BriefInvalid(
                    Diagnostic(
                        Location(source.file, mark.line + 1, mark.column + 1),
                        f"values are nested more than {MAX_DEPTH} levels deep (the nesting budget)",
                        hint="a brief needs a few levels; check for unclosed '[' or '{' or "
                        "generated data",
                    )
                )
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def _compose(source: SourceMap):
    try:
        _check_depth(source)
        return yaml.compose(source.text, Loader=_Composer)
    except yaml.MarkedYAMLError as exc:
        raise BriefInvalid(_syntax_diagnostic(exc, source)) from None
    except yaml.reader.ReaderError as exc:  # a character YAML refuses (U+0001 pasted in, DEL)
        # The reader stops at the first such character; its `position` counts bytes (libyaml)
        # or characters (PyYAML), so the character itself is looked up.
        character = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        offset = source.text.find(character)
        raise BriefInvalid(
            Diagnostic(
                source.offset_location(offset) if offset >= 0 else Location(source.file, 1, 1),
                f"the file holds the control character U+{ord(character):04X}, which YAML "
                "does not allow",
                hint="delete it (it often comes with text pasted from a PDF or e-mail)",
            )
        ) from None
    except yaml.YAMLError as exc:  # errors without a mark (rare)
        raise BriefInvalid(
            Diagnostic(Location(source.file, 1, 1), f"not valid YAML: {exc}")
        ) from None


def decode(raw: bytes, file: Path, size: Optional[int] = None) -> str:
    """`raw` as text; `size`: the file's whole size when only its start was read."""
    size = len(raw) if size is None else size
    if len(raw) > MAX_FILE_BYTES:
        raise BriefInvalid(
            Diagnostic(
                Location(file),
                f"the file is {size / 1048576:.1f} MiB; a brief may be at most "
                f"{MAX_FILE_BYTES // 1048576} MiB ({MAX_FILE_BYTES:,} bytes; it has {size:,})",
                hint="split it into several briefs, or move long data into a bibliography file",
            )
        )
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    raw = raw[bom:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8")) + 1  # characters
        raise BriefInvalid(
            Diagnostic(
                Location(file, line, column),
                f"byte 0x{raw[exc.start]:02X} at offset {exc.start + bom} is not UTF-8",
                hint="save the file as UTF-8 (it looks like Latin-1 or Windows-1252 text)",
            )
        ) from None
    return text.replace("\r\n", "\n")


class _Builder:
    def __init__(self, source: SourceMap, max_values: int = MAX_VALUES):
        self.source = source
        self.count = 0
        self.max_values = max_values

    def build(self, node, path: KeyPath, depth: int = 0):
        self.count += 1
        if self.count > self.max_values:
            raise BriefInvalid(
                Diagnostic(
                    self._loc(node),
                    f"the document expands to more than {self.max_values:,} values",
                    hint="anchors and aliases (&name / *name) are repeated too often; write the "
                    "values out or reuse fewer of them",
                )
            )
        if depth > MAX_DEPTH:
            raise BriefInvalid(
                Diagnostic(self._loc(node), f"values are nested more than {MAX_DEPTH} levels deep")
            )
        self.source.values.setdefault(path, self._span(node))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, _T + "seq", path)
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        self._check_tag(node, _T + "map", path)
        return self._mapping(node, path, depth)

    def _mapping(self, node, path, depth) -> dict:
        result: dict = {}
        merged: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == _T + "merge":
                merged.update(self._merge_source(value_node, path, depth))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise BriefInvalid(
                    Diagnostic(
                        self._loc(key_node),
                        "a key must be a plain word",
                        key=path,
                        found=_node_kind(key_node),
                    )
                )
            key = self._text(key_node, path)
            if key in result:
                # reported, and the rest of the file loaded (the later value, as YAML readers
                # keep it), so that one run of `check` finds the brief's other mistakes too
                first = self.source.keys[path + (key,)]
                self.source.problems.append(
                    Diagnostic(
                        self._loc(key_node),
                        f"the key '{key}' appears twice in this mapping",
                        key=path + (key,),
                        hint=f"the first is at line {first.line}; keep one of them",
                    )
                )
                self.source.values.pop(path + (key,), None)
            self.source.keys[path + (key,)] = self._span(key_node)
            result[key] = self.build(value_node, path + (key,), depth + 1)
        return {**merged, **result}

    def _merge_source(self, node, path, depth) -> dict:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: dict = {}
        for source in reversed(sources):
            value = self.build(source, path, depth + 1)
            if not isinstance(value, dict):
                raise BriefInvalid(
                    Diagnostic(
                        self._loc(source),
                        "'<<' merges mappings only",
                        key=path,
                        found=_node_kind(source),
                    )
                )
            merged.update(value)
        return merged

    def _scalar(self, node, path):
        self._check_tag(node, None, path)
        if len(node.value) > MAX_STRING:
            raise BriefInvalid(
                Diagnostic(
                    self._loc(node),
                    f"a value of {len(node.value):,} characters; at most "
                    f"{MAX_STRING:,} are allowed in one value",
                    key=path,
                )
            )
        tag = node.tag
        if tag in (_T + "str", _T + "timestamp", _T + "binary"):
            return self._text(node, path)
        if tag == _T + "null":
            return None
        try:
            value = _scalar_constructor.construct_object(node, deep=True)
        except Exception:  # `!!bool maybe`, `!!int ""`, `!!float x`: a tag the text does not fit
            name = tag.replace(_T, "!!")
            raise BriefInvalid(
                Diagnostic(
                    self._loc(node),
                    f"the value {node.value!r} cannot be read as {name}",
                    key=path,
                    hint=f"remove the tag '{name}' (then the value is text), or write a value of "
                    "that type",
                )
            ) from None
        if not node.style:  # plain (None or '' by the composer): keep how it was written
            if isinstance(value, bool):
                self.source.spellings[path] = node.value
            elif isinstance(value, int):
                return SpelledInt(value, node.value)
            elif isinstance(value, float):
                return SpelledFloat(value, node.value)
        return value

    def _text(self, node, path: KeyPath) -> str:
        """A scalar's text, refused when it holds characters no document format can carry."""
        bad = NOT_TEXT.search(node.value)
        if bad:
            raise BriefInvalid(
                Diagnostic(
                    self._loc(node),
                    f"the text holds the control character "
                    f"U+{ord(bad.group()):04X}, which no document format can carry",
                    key=path,
                    hint="delete it (it often comes with text pasted from a PDF or e-mail)",
                )
            )
        return node.value

    def _check_tag(self, node, expected: str | None, path: KeyPath) -> None:
        allowed = _SCALAR_TAGS if expected is None else {expected}
        if node.tag not in allowed:
            tag = node.tag.replace(_T, "!!")
            raise BriefInvalid(
                Diagnostic(
                    self._loc(node),
                    f"the YAML tag '{tag}' is not allowed",
                    key=path,
                    hint="briefs are data: remove the tag (tags that build objects never run)",
                )
            )

    def _span(self, node) -> Span:
        return Span(
            node.start_mark.index,
            node.end_mark.index,
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        )

    def _loc(self, node) -> Location:
        return Location(self.source.file, node.start_mark.line + 1, node.start_mark.column + 1)


def _node_kind(node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    return f"the value {node.value!r}"


_SYNTAX_HINTS = [
    ("cannot start any token", "'\\t'", "YAML indents with spaces, not tabs: replace the tab"),
    ("end of stream", "quoted", "a quoted value is not closed: add the closing quote"),
    (
        "mapping values are not allowed",
        "",
        "quote a value that contains ': ', or check the indentation of this line",
    ),
    ("expected <block end>", "", "the indentation of this line does not match the lines above it"),
    (
        "did not find expected key",
        "",
        "the indentation of this line does not match the lines above it",
    ),
    (
        "could not find expected ':'",
        "",
        "a line inside a mapping lacks 'key:'; check indentation or quote the value",
    ),
    (
        "exceeded maximum nesting depth",
        "",
        f"values may nest at most {MAX_DEPTH} levels (the "
        "nesting budget); check for unclosed '[' or '{' or generated data",
    ),
    ("found undefined alias", "", "the alias (*name) has no anchor (&name) before it"),
    (
        "another document",
        "",
        "a brief is one YAML document: remove this '---' line, or what follows it",
    ),
]


def _syntax_diagnostic(exc: yaml.MarkedYAMLError, source: SourceMap) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "not valid YAML"
    context = exc.context or ""
    hint = "check the YAML syntax at this place"
    for needle, also, text in _SYNTAX_HINTS:
        if needle in problem and (not also or also in problem or also in context):
            hint = text
            break
    if mark is not None and source.text[mark.index : mark.index + 1] == "\t":
        hint = "YAML indents with spaces, not tabs: replace the tab"
    elif mark is not None and source.text[mark.index : mark.index + 1] in ("@", "`"):
        hint = f"a value cannot start with '{source.text[mark.index]}' in YAML: put it in quotes"
    if "quoted" in context and exc.context_mark is not None and "end of stream" in problem:
        mark = exc.context_mark  # where the unclosed quote opens, not the end of the file
    if (
        "flow" in context
        and "did not find expected ','" in problem
        and exc.context_mark is not None
        and mark.line > exc.context_mark.line
    ):
        mark = exc.context_mark  # where the unclosed '[' or '{' opens
        opened = source.text[mark.index : mark.index + 1]
        hint = (
            f"the '{opened}' here is not closed: add '{']' if opened == '[' else '}'}' at its end"
        )
    if "simple key" in context and exc.context_mark is not None:
        mark = exc.context_mark  # the line that lacks 'key:', not the line after it
    problem = problem.replace("\t", "\\t")
    location = (
        Location(source.file, mark.line + 1, mark.column + 1)
        if mark
        else Location(source.file, 1, 1)
    )
    return Diagnostic(location, f"not valid YAML: {problem}", hint=hint)


def value_at(data, path: KeyPath):
    """The value at `path` in loaded values, or None where the path leads nowhere."""
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def group_path(data: dict, key: str) -> KeyPath:
    """Key path of a list of numbered items (findings …): `(key,)`, or `(key, "items")` when
    they are written as `{intro, items}`."""
    return (key, "items") if isinstance(data.get(key), dict) else (key,)

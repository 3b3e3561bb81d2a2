"""The brief format, version 1, as a schema: each field carries its own description and checks.

This module is the contract of `shared/spec/brief-format.md` in code. `validate.py` runs it and
turns its complaints into located messages; `briefkit schema` prints it as JSON Schema.
Where the format accepts two shapes (an author as a name or as a mapping, findings as a list or
as `{intro, items}`), a discriminator picks the shape from the value, so a mistake is reported
against the shape the author meant rather than against every alternative.
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    create_model,
    field_validator,
)

from briefkit.formats import NAMES

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]*$"
_COLOR = re.compile(r"^(#[0-9A-Fa-f]{3}|#[0-9A-Fa-f]{6}|[a-zA-Z]{3,20})$")
_FONT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{0,60}$")
# Tags of the two-shape unions: validate.py drops them from error locations.
SHAPE_TAGS = {"as-name", "as-mapping", "as-list", "as-text", "as-paths"}


def _number_as_text(value: Any) -> Any:
    # YAML reads `version: 2` or `number: 22` as numbers; the format calls them text.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _parse_date(value: Any) -> Any:
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError("expected a date written YYYY-MM-DD")
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"{value} is not a real date ({exc})") from None


Text = Annotated[str, BeforeValidator(_number_as_text)]
Markdown = Annotated[
    str, BeforeValidator(_number_as_text), Field(json_schema_extra={"format": "markdown"})
]
Date = Annotated[
    _dt.date, BeforeValidator(_parse_date), Field(json_schema_extra={"format": "date"})
]
Identifier = Annotated[str, Field(pattern=ID_PATTERN)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, use_attribute_docstrings=True)


def _shape(special_tag: str, other_tag: str):
    """Pick `special_tag` for mappings (or for lists, when special_tag names the list shape)."""
    kind = list if special_tag in ("as-paths",) else dict
    return Discriminator(lambda v: special_tag if isinstance(v, kind) else other_tag)


# ---- metadata ---------------------------------------------------------------------------------


class Author(Strict):
    name: Text
    """The author's name as printed in the byline."""
    title: Optional[Text] = None
    """Position, e.g. 'Senior Fellow'."""
    affiliation: Optional[Text] = None
    email: Optional[Text] = None
    bio: Optional[Markdown] = None
    """A short biography (Markdown), printed in 'About the authors'."""


AuthorEntry = Annotated[
    Union[Annotated[Text, Tag("as-name")], Annotated[Author, Tag("as-mapping")]],
    _shape("as-mapping", "as-name"),
]


class Publisher(Strict):
    name: Optional[Text] = None
    program: Optional[Text] = None
    """The programme or centre within the publisher."""
    url: Optional[Text] = None
    logo: Optional[Text] = None
    """Path of an image under the brief's or the project's `assets/`."""
    address: Optional[Text] = None


class Series(Strict):
    name: Optional[Text] = None
    number: Optional[Text] = None
    issn: Optional[Text] = None


# ---- content ----------------------------------------------------------------------------------


class Summary(Strict):
    problem: Optional[Markdown] = None
    """Printed under "What's the problem?"."""
    solution: Optional[Markdown] = None
    """Printed under "What's the solution?"."""


class Finding(Strict):
    id: Optional[Identifier] = None
    """Target of `[#id]` cross-references and of recommendations' `findings`."""
    title: Optional[Text] = None
    text: Markdown


class Recommendation(Strict):
    id: Optional[Identifier] = None
    title: Optional[Text] = None
    text: Markdown
    audience: Optional[Text] = None
    """Who should act, e.g. 'Governments of the Five Eyes'."""
    findings: list[Identifier] = []
    """Ids of the findings this recommendation answers; each must exist."""


class FindingGroup(Strict):
    intro: Optional[Markdown] = None
    items: list[Finding]


class RecommendationGroup(Strict):
    intro: Optional[Markdown] = None
    items: list[Recommendation]


Findings = Annotated[
    Union[Annotated[list[Finding], Tag("as-list")], Annotated[FindingGroup, Tag("as-mapping")]],
    _shape("as-mapping", "as-list"),
]
Recommendations = Annotated[
    Union[
        Annotated[list[Recommendation], Tag("as-list")],
        Annotated[RecommendationGroup, Tag("as-mapping")],
    ],
    _shape("as-mapping", "as-list"),
]


BibliographyPaths = Annotated[
    Union[Annotated[Text, Tag("as-text")], Annotated[list[Text], Tag("as-paths")]],
    _shape("as-paths", "as-text"),
]


class Section(Strict):
    title: Optional[Text] = None
    """The heading; a section without one is a run of text (a summary's body)."""
    id: Optional[Identifier] = None
    """Target of `[#id]` cross-references; derived from the title when absent."""
    body: Optional[Markdown] = None
    sections: list["Section"] = []
    """Sub-sections; three levels at most."""


class Link(Strict):
    label: Optional[Text] = None
    url: Optional[Text] = None
    """Where the link goes; without one the label is shown as text."""


class Links(Strict):
    full_report: Optional[Link] = None
    """The "Read the full report" call to action."""


class RelatedItem(Strict):
    title: Text
    url: Optional[Text] = None
    date: Optional[Date] = None
    authors: Annotated[list[Text], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)] = []
    summary: Optional[Markdown] = None
    kind: Optional[Text] = None
    """What the item is, printed above it: 'Commentary', 'Podcast', 'Congressional Testimony'."""
    outlet: Optional[Text] = None
    """Where it appeared, printed beside the kind: 'Foreign Affairs'."""


# ---- citations, output, theme -----------------------------------------------------------------


class CslItem(BaseModel):
    """A CSL item as Pandoc and Zotero write them; only `id` and `type` are checked here."""

    model_config = ConfigDict(extra="allow", strict=True)
    id: Annotated[str, BeforeValidator(_number_as_text)]
    type: Text = "document"


class Output(Strict):
    formats: Annotated[list[Literal[NAMES]], Field(min_length=1)] = list(NAMES)  # type: ignore[valid-type]
    name: Optional[Annotated[Text, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]] = None
    """File stem of the outputs; default the brief's slug."""
    paper: Literal["A4", "Letter"] = "A4"
    toc: Optional[bool] = None
    """Contents page; default true for `report` and `research`."""
    word_template: Optional[Text] = None
    """Path of the house Word template (.docx or .dotx)."""
    html_template: Optional[Text] = None
    """Path of a folder of Jinja templates that override the layout's blocks."""


class Colors(Strict):
    primary: Optional[Text] = None
    accent: Optional[Text] = None

    @field_validator("primary", "accent")
    @classmethod
    def _css_color(cls, value):
        if value is not None and not _COLOR.match(value):
            raise ValueError("expected a colour as #rgb, #rrggbb or a CSS colour name")
        return value


class Fonts(Strict):
    body: Optional[Text] = None
    headings: Optional[Text] = None

    @field_validator("body", "headings")
    @classmethod
    def _font_name(cls, value):
        if value is not None and not _FONT.match(value):
            raise ValueError("expected a font family name (letters, digits, spaces, hyphens)")
        return value


class Theme(Strict):
    colors: Colors = Colors()
    fonts: Fonts = Fonts()


# ---- the brief --------------------------------------------------------------------------------


class Brief(Strict):
    """A policy brief (briefkit format version 1)."""

    layout: Text = "report"
    """Which layout lays the brief out: a folder under templates/ (report, research, commentary, summary)."""
    title: Annotated[Text, Field(min_length=1, pattern=r"\S")]
    """The title, printed on the title page, in the running header and the documents' metadata."""
    subtitle: Optional[Text] = None
    short_title: Optional[Text] = None
    """The title in tight places: the running head of every page after the first (default:
    the title)."""
    kicker: Optional[Text] = None
    """Small label above the title ('Policy brief')."""
    date: Date
    """Publication date, YYYY-MM-DD."""
    updated: Optional[Date] = None
    lang: Annotated[Text, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")] = "en"
    """The document's language, a BCP 47 tag (`en`, `en-AU`, `fr-FR`): declared by every output
    (HTML lang, PDF /Lang, Word proofing language), used for hyphenation and the citation
    locale, and the language of the words briefkit prints itself (dates, "and", labels)."""
    status: Literal["draft", "review", "final"] = "final"
    """Anything but `final` marks every output as a draft."""
    version: Optional[Text] = None
    authors: list[AuthorEntry] = []
    publisher: Publisher = Publisher()
    series: Series = Series()
    categories: list[Text] = []
    keywords: list[Text] = []
    copyright: Optional[Text] = None
    license: Optional[Text] = None
    labels: dict[str, Text] = {}
    """Overrides of the fixed headings, e.g. `problem: "The issue"`."""

    standfirst: Optional[Markdown] = None
    summary: Summary = Summary()
    executive_summary: Optional[Markdown] = None
    key_takeaways: list[Markdown] = []
    findings: Optional[Findings] = None
    recommendations: Optional[Recommendations] = None
    sections: list[Section] = []
    acknowledgements: Optional[Markdown] = None
    about: Optional[Markdown] = None
    disclaimer: Optional[Markdown] = None
    acronyms: dict[str, Text] = {}
    links: Links = Links()
    related: list[RelatedItem] = []

    references: list[CslItem] = []
    bibliography: Optional[BibliographyPaths] = None
    """A path, or a list of paths, of .bib, CSL-JSON (.json) or CSL-YAML (.yaml) files."""
    citation_style: Text = "chicago-notes-bibliography"
    """A CSL style name or the path of a .csl file."""
    notes: Optional[Literal["footnotes", "endnotes"]] = None
    """Default: endnotes for `report`, footnotes otherwise."""
    bibliography_title: Optional[Text] = None

    output: Output = Output()
    theme: Theme = Theme()

    def finding_list(self) -> tuple[Optional[str], list[Finding]]:
        return _group(self.findings)

    def recommendation_list(self) -> tuple[Optional[str], list[Recommendation]]:
        return _group(self.recommendations)

    def bibliography_paths(self) -> list[str]:
        if self.bibliography is None:
            return []
        return (
            [self.bibliography] if isinstance(self.bibliography, str) else list(self.bibliography)
        )


# What a brief writes for a part a layout adds (its parts.yaml), by the part's shape.
_DECLARED_VALUES: dict[str, tuple[Any, Any]] = {
    "prose": (Optional[Markdown], None),
    "list": (list[Markdown], []),
    "items": (Optional[Findings], None),
}


@lru_cache(maxsize=32)
def brief_model(declared: tuple[tuple[str, str, str], ...] = ()) -> type[Brief]:
    """The brief format for a layout that adds parts: `declared` holds (key, shape, part name)
    for each; the format gains those keys, typed by shape (prose: Markdown; list: a list of
    Markdown; items: findings)."""
    if not declared:
        return Brief
    fields: dict[str, Any] = {
        key: (
            _DECLARED_VALUES[shape][0],
            Field(
                default=_DECLARED_VALUES[shape][1],
                description=f"The '{name}' part the layout adds ({shape}).",
            ),
        )
        for key, shape, name in declared
    }
    return create_model("Brief", __base__=Brief, __doc__=Brief.__doc__, **fields)


def group_of(value) -> tuple[Optional[str], list]:
    """(intro, items) of numbered items written as a list or as `{intro, items}`."""
    return _group(value)


def _group(value) -> tuple[Optional[str], list]:
    if value is None:
        return None, []
    if isinstance(value, list):
        return None, value
    return value.intro, value.items


def json_schema(layouts: list[str] | None = None) -> dict:
    schema = Brief.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://briefkit.invalid/brief-format/v1"
    if layouts:
        schema["properties"]["layout"]["enum"] = sorted(layouts)
    return schema

"""The table of formats: each row names a writer that exists, a stamp the stamp module knows
and an engine the engine check knows, and every place that lists formats (the brief format's
`output.formats`, the command line's `-f`, a document's default formats) reads this table."""

from __future__ import annotations

import inspect

import click
import pytest
from pydantic import ValidationError

from briefkit import model as m
from briefkit.cli import cli
from briefkit.core import engines
from briefkit.formats import FORMAT, FORMATS, NAMES
from briefkit.validate.schema import Output


def test_names_are_unique_lower_case_extensions():
    assert len(set(NAMES)) == len(NAMES) == len(FORMATS)
    for fmt in FORMATS:
        assert fmt.name == fmt.name.lower() and fmt.extension == f".{fmt.name}"
        assert FORMAT[fmt.name] is fmt


@pytest.mark.parametrize("fmt", FORMATS, ids=NAMES)
def test_each_writer_is_a_function_of_the_prepared_document(fmt):
    writer = fmt.load_writer()
    assert callable(writer) and writer.__module__ == fmt.writer_module()
    assert len(inspect.signature(writer).parameters) == 1


@pytest.mark.parametrize("fmt", FORMATS, ids=NAMES)
def test_each_stamp_and_engine_is_one_the_stages_know(fmt):
    assert fmt.stamp in ("zip", "meta", "trailer")
    if fmt.engine is not None:
        try:  # an engine the check does not know is a KeyError here
            engines.require_engine(fmt.engine)
        except engines.EngineMissing:
            pass  # known, only not installed on this machine
    assert fmt.title  # progress messages name it


def test_the_brief_format_accepts_exactly_the_formats_of_the_table():
    assert Output().formats == list(NAMES)
    assert Output(formats=["pdf"]).formats == ["pdf"]
    with pytest.raises(ValidationError):
        Output(formats=["epub"])


def test_the_command_line_offers_exactly_the_formats_of_the_table():
    build = cli.commands["build"]
    option = next(p for p in build.params if "--format" in getattr(p, "opts", ()))
    assert isinstance(option.type, click.Choice) and list(option.type.choices) == list(NAMES)


def test_a_document_asks_for_every_format_unless_told():
    assert m.Document(slug="s", layout="report", title="T", date=None).formats == list(NAMES)

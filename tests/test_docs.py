"""The documentation says what the code does: the README's command table lists every command and
option of the CLI's own --help, docs/brief-format.md lists every key of the schema, and the
README's two first commands are the ones .ci/run runs."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from briefkit.cli import cli
from briefkit.validate.format_doc import BEGIN, DOC, END, current_schema, key_table

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from leaf_commands(command, prefix + (name,))
        else:
            yield prefix + (name,), command


def table_rows() -> dict[str, str]:
    section = README[README.index("## Commands"):]
    section = section[:section.index("\n## ", 3)]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| `briefkit ([a-z ]+?)(?: [A-Z\[].*?)?`", line)
        if match:
            rows[match.group(1).strip()] = line
    return rows


def test_the_readme_command_table_lists_every_command_and_option_of_the_cli():
    rows = table_rows()
    for path, command in leaf_commands(cli):
        name = " ".join(path)
        assert name in rows, f"README's command table has no row for `briefkit {name}`"
        usage = re.split(r"(?<!\\)\|", rows[name])[1]
        # What --help prints for this command, as the user sees it.
        shown = CliRunner().invoke(cli, [*path, "--help"]).output
        for param in command.params:
            if isinstance(param, click.Option) and param.name != "help":
                spelled = [o for o in param.opts if o in shown]
                assert any(o in usage for o in spelled), (
                    f"`briefkit {name}`: README's row lacks {'/'.join(param.opts)}")
            elif isinstance(param, click.Argument):
                spelled = (param.metavar or param.human_readable_name).strip("[].")
                assert spelled in usage, (name, spelled)
    assert "--version" in README[README.index("## Commands"):] and "--version" in \
        CliRunner().invoke(cli, ["--help"]).output


def test_the_readme_table_names_no_command_the_cli_lacks():
    known = {" ".join(path) for path, _ in leaf_commands(cli)}
    assert set(table_rows()) <= known


def test_docs_brief_format_lists_every_key_of_the_schema():
    text = DOC.read_text(encoding="utf-8")
    generated = text[text.index(BEGIN) + len(BEGIN):text.index(END)].strip()
    assert generated == key_table(current_schema()).strip(), (
        "docs/brief-format.md is out of date: run `python -m briefkit.validate.format_doc`")


def test_every_key_the_prose_of_the_format_names_exists():
    """The hand-written tables above the generated one name only real keys."""
    text = DOC.read_text(encoding="utf-8")
    prose = text[:text.index(BEGIN)]
    generated = text[text.index(BEGIN):]
    keys = {m.group(1) for m in re.finditer(r"^\| `([a-z_]+)`", prose, re.M)}
    assert keys, "the prose has no key tables"
    for key in keys:
        assert f"| `{key}` |" in generated, f"docs/brief-format.md describes '{key}', which the schema lacks"


def test_the_readme_and_schema_help_link_the_format():
    assert "](docs/brief-format.md)" in README
    assert "docs/brief-format.md" in CliRunner().invoke(cli, ["schema", "--help"]).output


def test_ci_runs_the_readme_test_command():
    readme_commands = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    test_command = next(c for c in readme_commands if "pytest" in c)
    assert test_command in (ROOT / ".ci" / "run").read_text()
    assert (ROOT / "scripts" / "install-test-deps").stat().st_mode & 0o111

"""The command line: parses options, calls the library, prints diagnostics.

Exit codes: 0 all went well, 1 a brief is wrong (every problem is printed, located), 2 a usage
error (Click's own). Messages go to stderr; stdout carries only what a command produces
(`schema`'s JSON, `layouts`' list).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .diagnostics import BriefInvalid

FORMAT_CHOICES = click.Choice(["docx", "pdf", "html"], case_sensitive=False)


def _briefs_in(paths: tuple[Path, ...]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.yaml")
                                if p.name != "series.yaml" and "assets" not in p.parts
                                and not p.name.startswith(".")))
        else:
            found.append(path)
    return found


def _first_line(exc: Exception) -> str:
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _report(exc: BriefInvalid) -> None:
    for diagnostic in sorted(exc.diagnostics.items, key=lambda d: (str(d.location.file),
                                                                   d.location.line,
                                                                   d.location.column)):
        click.echo(str(diagnostic), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefkit")
def cli() -> None:
    """Make policy briefs: one YAML brief in, Word, web and print out.

    \b
    Start with:
      briefkit check briefs/my-brief.yaml     find every mistake, with file:line:column
      briefkit build briefs/my-brief.yaml     write build/my-brief.{docx,html,pdf}
      briefkit schema > brief.schema.json     autocompletion for your editor
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("build"), show_default=True, help="Folder the outputs are written to.")
@click.option("-f", "--format", "formats", multiple=True, type=FORMAT_CHOICES,
              help="Only these formats (repeat for several); default: the brief's output.formats.")
def build(paths: tuple[Path, ...], out_dir: Path, formats: tuple[str, ...]) -> None:
    """Build briefs (YAML files, or folders of them) into DOCX, HTML and PDF.

    Each brief is written as OUT/<name>.<format>, where <name> is the brief's output.name or
    its file name. A brief with mistakes is not built; all its mistakes are listed.
    """
    from .pipeline import build_brief

    failed = 0
    briefs = _briefs_in(paths)
    if not briefs:
        raise click.UsageError("no briefs (*.yaml) found in " + ", ".join(map(str, paths)))
    for path in briefs:
        try:
            result = build_brief(path, out_dir, [f.lower() for f in formats] or None)
        except BriefInvalid as exc:
            _report(exc)
            click.echo(f"✗ {path}: not built ({len(exc.diagnostics.errors)} error(s))", err=True)
            failed += 1
            continue
        except Exception as exc:  # a bug in briefkit, not in the brief: say so in one line
            if os.environ.get("BRIEFKIT_DEBUG"):
                raise
            click.echo(f"✗ {path}: internal error ({type(exc).__name__}: {_first_line(exc)}); "
                       "this is a bug in briefkit: please report it with the brief, and set "
                       "BRIEFKIT_DEBUG=1 to see the traceback", err=True)
            failed += 1
            continue
        for warning in result.warnings.warnings:
            click.echo(str(warning), err=True)
        written = ", ".join(str(p) for p in result.outputs)
        click.echo(f"✓ {path} → {written}", err=True)
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    """Check briefs without building them: every error and warning, located. Writes nothing."""
    from .pipeline import prepare

    failed = 0
    for path in _briefs_in(paths):
        try:
            prepared = prepare(path)
        except BriefInvalid as exc:
            _report(exc)
            failed += 1
            continue
        for warning in prepared.diagnostics.warnings:
            click.echo(str(warning), err=True)
        click.echo(f"✓ {path}: {len(prepared.document.notes)} notes, "
                   f"{sum(1 for _ in prepared.document.all_sections())} sections", err=True)
    sys.exit(1 if failed else 0)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the brief format (for editors' autocompletion and checks)."""
    from . import layouts
    from .schema import json_schema

    click.echo(json.dumps(json_schema(sorted(layouts.available(Path.cwd()))), indent=2))


@cli.command(name="layouts")
def list_layouts() -> None:
    """List the layouts a brief can name with `layout:`."""
    from . import layouts

    for name, folder in layouts.available(Path.cwd()).items():
        click.echo(f"{name:12} {layouts.load_layout(name, Path.cwd()).description}")


def main() -> None:
    """The `briefkit` executable: run a command, then leave without tearing down the heap.

    Freeing WeasyPrint's layout objects at interpreter exit takes ~0.2 s and helps nobody:
    every output is written and closed by then, so flush and exit at once (as mypy does)."""
    try:
        cli.main(standalone_mode=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()

"""The Word round-trip commands, `import` and `redline`: options parsed here, work done in
`word_import` and `redline`. Registered on the main group by `cli.py`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .diagnostics import Diagnostic, Location


def _refused(path: Path, message: str, key: str = "") -> None:
    click.echo(str(Diagnostic(Location(path), message, key=(key,) if key else ())), err=True)
    sys.exit(1)


@click.command(name="import")
@click.argument("draft", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "target", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="The brief to write (default: briefs/<draft name>.yaml).")
@click.option("--layout", "layout_name", default="report", show_default=True,
              help="The layout whose labels name the parts (see `briefkit layouts`).")
@click.option("--force", is_flag=True, help="Overwrite the brief if it exists.")
def import_command(draft: Path, target, layout_name: str, force: bool) -> None:
    """Turn a Word draft (.docx) into a brief that checks and builds.

    \b
    Examples:
      briefkit import drafts/energy.docx                  writes briefs/energy.yaml
      briefkit import drafts/energy.docx -o briefs/energy/brief.yaml --layout commentary
    \b
    What comes across:
      title, subtitle, authors, date   Title/Subtitle/Author paragraphs, document properties
      headings                         nested `sections` (three levels; deeper ones stay
                                       headings inside a body)
      "What's the problem?", "Key takeaways", "Executive summary", … (the layout's labels)
                                       those parts (summary.problem, key_takeaways, …)
      footnotes and endnotes           ^[...] notes, in place
      Zotero/Mendeley/EndNote fields   `references` (CSL items) and [@key] citations
      pictures                         copied into assets/ beside the brief, with alt text
      tracked changes                  accepted (the count is printed)
      comments                         YAML comments above the field they annotate
    What has no place in the format stays as prose and is listed at the end.
    Then: edit the YAML, `briefkit check` it, `briefkit build` it.
    """
    from . import layouts
    from .paths import find_project_root
    from .word_import import DraftRefused, import_draft, write_import

    target = target or Path("briefs") / f"{draft.stem}.yaml"
    project = find_project_root(target.parent if target.parent.exists() else Path.cwd())
    available = layouts.available(project)
    if layout_name not in available:
        raise click.BadParameter(f"no layout '{layout_name}'; choose one of "
                                 + ", ".join(sorted(available)), param_hint="--layout")
    if target.exists() and not force:
        raise click.UsageError(f"{target} exists already; choose another -o or add --force "
                               "(the file would be replaced)")
    try:
        imported = import_draft(draft, target, layout_name=layout_name, project=project)
        target.parent.mkdir(parents=True, exist_ok=True)
        written = write_import(imported, target)
    except DraftRefused as exc:
        _refused(draft, str(exc), "import")
        return
    if imported.tracked_changes:
        click.echo(f"{draft}: warning: {imported.tracked_changes} tracked change(s) accepted; "
                   "compare with the draft if some were meant to be rejected", err=True)
    if imported.comments:
        click.echo(f"{draft}: note: {imported.comments} comment(s) kept as YAML comments above "
                   "the fields they annotate", err=True)
    if imported.unmapped:
        click.echo(f"{draft}: note: kept as prose or guessed, check these: "
                   + "; ".join(imported.unmapped), err=True)
    pictures = len(written) - 1
    click.echo(f"wrote {target}" + (f" and {pictures} picture(s) in its assets/" if pictures else "")
               + f" ({imported.notes} notes); check it with `briefkit check {target}`", err=True)

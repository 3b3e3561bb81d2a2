"""The Word round-trip commands, `import` and `redline`: options parsed here, work done in
`word_import` and `redline`. Registered on the main group by `cli.py`."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from briefkit.core.diagnostics import BriefInvalid, Diagnostic, Location


def _refused(path: Path, message: str, key: str = "") -> None:
    click.echo(str(Diagnostic(Location(path), message, key=(key,) if key else ())), err=True)
    sys.exit(1)


def _not_written(exc) -> None:
    """The output gate refused a file (`OutputError`): a usage mistake (the -o given) exits 2,
    a file system failure exits 1; one line either way."""
    if exc.usage:
        raise click.UsageError(str(exc))
    click.echo(f"error: {exc}", err=True)
    sys.exit(1)


def _said_kept(kept, written: Path) -> None:
    for path in kept:
        click.echo(
            f"kept {path}: edited since briefkit wrote it, or not briefkit's; the new "
            f"file is {written} (--force replaces it)",
            err=True,
        )


def nonempty_revision(ctx, param, value):
    """A revision option's callback: an empty revision is a usage mistake, not HEAD."""
    if value is not None and not value.strip():
        raise click.BadParameter(
            "the revision is empty; name a commit, branch or tag (e.g. HEAD~1)"
        )
    return value


@click.command(name="import")
@click.argument("draft", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The brief to write (default: briefs/<draft name>.yaml).",
)
@click.option(
    "--layout",
    "layout_name",
    default=None,
    help="The layout whose labels name the parts (see `briefkit layouts`; default report).",
)
@click.option(
    "--into",
    "into",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A DOCX briefkit built and an editor changed: bring the changes into this brief (the "
    "one it was built from), rewriting only the changed fields.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="With --into: print the brief's changes as a diff, write nothing.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite the brief (and its pictures) if they exist, never the draft; with --into, "
    "take Word's version of a field changed in the brief and in Word.",
)
def import_command(
    draft: Path, target, layout_name: str | None, force: bool, into, dry_run: bool
) -> None:
    """Turn a Word draft (.docx) into a brief that checks and builds; with --into, bring an
    editor's changes in a DOCX briefkit built back into its brief.

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
                                       (or "TODO: describe this picture", which check
                                       warns about); EMF/WMF charts converted to PNG
                                       with LibreOffice
      tables, text boxes, altChunk     tables with merged cells; boxes and chunks as text
      tracked changes                  accepted (the count is printed)
      comments                         YAML comments above the field they annotate
    What has no place in the format stays as prose; the closing message lists it, and
    what could not be carried, with counts.
    Then: edit the YAML, `briefkit check` it, `briefkit build` it.
    \b
    From Word and back (a DOCX briefkit built, edited in Word or LibreOffice):
      briefkit import edited.docx --into briefs/energy.yaml --dry-run    the diff only
      briefkit import edited.docx --into briefs/energy.yaml              apply it
    Text edits (tracked changes accepted), new and removed notes, changed locators, new
    paragraphs and comments go into the fields they belong to; no other byte of the YAML
    changes. A field changed in the brief since the build and in Word too is a conflict:
    nothing is written unless --force takes Word's version.
    """
    if into is not None:
        if target is not None or layout_name is not None:
            raise click.UsageError("--into edits an existing brief: leave out -o and --layout")
        # a cycle: cli.into imports this module; and deferred: a command loads its stage when it runs (`briefkit --help` imports none)
        from briefkit.cli.into import import_into_command

        import_into_command(draft, into, force=force, dry_run=dry_run)
        return
    if dry_run:
        raise click.UsageError("--dry-run goes with --into")
    layout_name = layout_name or "report"
    # deferred: a command loads its stage when it runs (`briefkit --help` imports none)
    from briefkit.builder.gate import OutputGate
    from briefkit.builder.outputs import OutputError
    from briefkit.core.paths import find_project_root
    from briefkit.layout import folders as layouts
    from briefkit.word.import_draft import DraftRefused, import_draft, write_import

    target = target or Path("briefs") / f"{draft.stem}.yaml"
    project = find_project_root(target.parent if target.parent.exists() else Path.cwd())
    available = layouts.available(project)
    if layout_name not in available:
        raise click.BadParameter(
            f"no layout '{layout_name}'; choose one of " + ", ".join(sorted(available)),
            param_hint="--layout",
        )
    gate = OutputGate([draft], force=force)  # --force never replaces the draft
    try:
        gate.check(target)
    except OutputError as exc:
        _not_written(exc)
    if target.exists() and not force:
        raise click.UsageError(
            f"{target} exists already; choose another -o or add --force "
            "(the file would be replaced)"
        )
    try:
        imported = import_draft(draft, target, layout_name=layout_name, project=project)
        written = write_import(imported, target, gate)
    except DraftRefused as exc:
        _refused(draft, str(exc), "import")
        return
    except OutputError as exc:
        _not_written(exc)
        return
    if imported.tracked_changes:
        click.echo(
            f"{draft}: warning: {imported.tracked_changes} tracked change(s) accepted; "
            "compare with the draft if some were meant to be rejected",
            err=True,
        )
    if imported.comments:
        click.echo(
            f"{draft}: note: {imported.comments} comment(s) kept as YAML comments above "
            "the fields they annotate",
            err=True,
        )
    if imported.rewritten:
        click.echo(
            f"{draft}: note: read with help: "
            + "; ".join(f"{count} {what}" for what, count in imported.rewritten.items()),
            err=True,
        )
    if imported.unmapped:
        click.echo(
            f"{draft}: note: kept as prose or guessed, check these: "
            + "; ".join(imported.unmapped),
            err=True,
        )
    if imported.not_carried:
        click.echo(
            f"{draft}: warning: could not carry (each is marked where it stood): "
            + "; ".join(f"{count} {what}" for what, count in imported.not_carried.items()),
            err=True,
        )
    pictures = len(written) - 1
    click.echo(
        f"wrote {target}"
        + (f" and {pictures} picture(s) in its assets/" if pictures else "")
        + f" ({imported.notes} notes); check it with `briefkit check {target}`",
        err=True,
    )


@click.command()
@click.argument(
    "briefs",
    nargs=-1,
    required=True,
    metavar="[OLD] NEW",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--against",
    "revision",
    metavar="REV",
    default=None,
    callback=nonempty_revision,
    help="Compare NEW with itself at this git revision (HEAD, HEAD~1, a tag…) "
    "instead of with an OLD file.",
)
@click.option(
    "-o",
    "--output",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The DOCX to write (default: build/<NEW's name>.redline.docx).",
)
@click.option(
    "--allow-network",
    is_flag=True,
    help="Let the briefs fetch http(s) images (refused by default).",
)
@click.option(
    "--date",
    "date",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"]),
    default=None,
    metavar="DATE",
    help="Date the marks with DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, "
    "UTC) instead of now, e.g. for a file that must come out the "
    "same byte for byte.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace the output even if an editor changed it (never a brief or a file they read).",
)
def redline(briefs, revision, target, allow_network, date, force) -> None:
    """Show an editor what changed: a DOCX of NEW with every change from OLD tracked.

    \b
    Examples:
      briefkit redline briefs/energy-v1.yaml briefs/energy.yaml -o energy-changes.docx
      briefkit redline --against HEAD~1 briefs/energy.yaml     since the last commit
      briefkit build briefs/ --redline-against v1.0            every changed brief of a series
    \b
    The DOCX is laid out like NEW's normal build. Removed words are Word tracked deletions,
    added words tracked insertions, a paragraph or section that moved is one tracked move
    (author "briefkit", dated now or --date), in the text, the notes and the tables;
    renumbered notes and unchanged text are not marked. Open it in Word and review with
    Accept/Reject (Review > Track Changes).
    """
    # deferred: a command loads its stage when it runs (`briefkit --help` imports none)
    from briefkit.builder.gate import OutputGate
    from briefkit.builder.outputs import OutputError
    from briefkit.builder.pipeline import slug_of
    from briefkit.builder.redline import RevisionUnavailable, redline_against, redline_briefs

    if len(briefs) != (1 if revision is not None else 2):
        raise click.UsageError("give two briefs, OLD and NEW, or one brief with --against REV")
    old, new = (None, briefs[0]) if revision is not None else briefs
    target = target or Path("build") / f"{slug_of(new)}.redline.docx"
    gate = OutputGate(briefs, force=force)
    try:
        gate.check(target)  # before two builds: -o naming a brief is a usage mistake
        if revision is not None:
            result = redline_against(new, revision, allow_network=allow_network, date=date)
        else:
            result = redline_briefs(briefs[0], briefs[1], allow_network=allow_network, date=date)
        gate.read_too(result.inputs)
        written = gate.write(target, result.docx)
    except RevisionUnavailable as exc:
        _refused(new, str(exc), "redline")
        return
    except BriefInvalid as exc:
        for diagnostic in exc.diagnostics.errors:
            click.echo(str(diagnostic), err=True)
        sys.exit(1)
    except OutputError as exc:
        _not_written(exc)
        return
    _said_kept(written.kept, written.path)
    what = (
        f"{result.changes} tracked change mark(s)"
        if result.changes
        else "no changes: the two versions read the same"
    )
    click.echo(
        f"wrote {written.path}: {what}"
        if not written.unchanged
        else f"{written.path} is up to date: {what}",
        err=True,
    )


def redline_series(summary, revision: str, allow_network: bool, force: bool = False) -> int:
    """After a build: `<name>.redline.docx` beside each built brief that changed since
    `revision`, through the output gate. Returns how many briefs could not be compared (their
    mistakes are printed)."""
    # deferred: a command loads its stage when it runs (`briefkit --help` imports none)
    from briefkit.builder.outputs import OutputError
    from briefkit.builder.redline import RevisionUnavailable, redline_changed, revision_error

    failed = 0
    for outcome in summary.outcomes:
        if outcome.status == "failed" or not outcome.outputs:
            continue
        built = next((p for p in outcome.outputs if p.suffix == ".docx"), outcome.outputs[0])
        # beside the brief's outputs, named after them (not after a kept file's `.new` copy)
        name = re.sub(r"\.new(-\d+)?$", "", built.name[: -len(built.suffix)])
        target = built.with_name(f"{name}.redline.docx")
        try:
            written = redline_changed(
                outcome.job.brief, revision, target, allow_network=allow_network, force=force
            )
        except RevisionUnavailable as exc:
            failed += 1
            click.echo(str(revision_error(Path(outcome.job.brief_display), exc)), err=True)
            continue
        except BriefInvalid as exc:
            failed += 1
            click.echo(f"✗ {outcome.job.brief_display}: no redline against {revision}:", err=True)
            for diagnostic in exc.diagnostics.errors:
                click.echo(str(diagnostic), err=True)
            continue
        except OutputError as exc:
            failed += 1
            click.echo(f"{outcome.job.brief_display}: error: redline: {exc}", err=True)
            continue
        if written is not None and not written.unchanged:
            _said_kept(written.kept, written.path)
            click.echo(f"redline: {written.path} (changes since {revision})", err=True)
    return failed

"""The command line: parses options, calls the library, prints diagnostics.

Exit codes: 0 all went well, 1 a brief is wrong (every problem is printed, located), 2 a usage
error (Click's own), 3 a format's engine cannot run on this machine (the others were made). Messages go to stderr; stdout carries only what a command produces
(`schema`'s JSON, `layouts`' list).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import sys
from pathlib import Path

import click

from briefkit import __version__
from briefkit.cli.progress import Progress, print_summary
from briefkit.cli.progress import count as _count
from briefkit.core import cleanup
from briefkit.core.engines import ENGINE_MISSING_EXIT, EngineMissing
from briefkit.core.engines import doctor as examine_machine
from briefkit.core.workers import Interrupted, raise_interrupted
from briefkit.formats import NAMES

FORMAT_CHOICES = click.Choice(list(NAMES), case_sensitive=False)


def _briefs_in(paths: tuple[Path, ...]) -> list[Path]:
    """The briefs under `paths`, found as `build` finds them (series files, bibliographies and
    a folder brief's own files are not briefs)."""
    # deferred: a command loads its stage when it runs (`briefkit --help` imports none)
    from briefkit.builder.batch import discover
    from briefkit.load.source import display_path

    return [display_path(brief) for brief, _ in discover(paths)]


def _report(diagnostics, printed: set[str]) -> None:
    """Print each diagnostic, located, in file order; one already printed in this run (a
    mistake in a series file several briefs share) is not printed again."""
    for diagnostic in sorted(
        diagnostics.items, key=lambda d: (str(d.location.file), d.location.line, d.location.column)
    ):
        line = str(diagnostic)
        if line not in printed:
            printed.add(line)
            click.echo(line, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefkit")
def cli() -> None:
    """Make policy briefs: one YAML brief in, Word, web and print out.

    \b
    Start with:
      briefkit doctor                         what this machine lacks, and how to install it
      briefkit new my-brief                   a starter brief, briefs/my-brief.yaml
      briefkit check briefs/my-brief.yaml     find every mistake, with file:line:column
      briefkit build briefs/my-brief.yaml     write build/my-brief.{docx,html,pdf}
      briefkit schema > brief.schema.json     autocompletion for your editor

    Exit codes: 0 done, 1 a brief has mistakes, 2 a usage mistake, 3 a format's engine
    cannot run on this machine (see `briefkit doctor`). The format: docs/brief-format.md.
    """


def _shard(ctx, param, value):
    if value is None:
        return None
    try:
        index, count = (int(part) for part in value.split("/"))
    except ValueError:
        raise click.BadParameter("write it K/N, e.g. 2/8 for the second of eight slices") from None
    if not 1 <= index <= count:
        raise click.BadParameter(f"K must be between 1 and N, found {value}")
    return index, count


def _build_options(function):
    for option in reversed(
        [
            click.argument(
                "paths",
                nargs=-1,
                required=True,
                metavar="PATH...",
                type=click.Path(exists=True, path_type=Path),
            ),
            click.option(
                "-o",
                "--out",
                "out_dir",
                type=click.Path(file_okay=False, path_type=Path),
                default=Path("build"),
                show_default=True,
                help="Folder the outputs are written to (the tree of the briefs' folders is mirrored).",
            ),
            click.option(
                "-f",
                "--format",
                "formats",
                multiple=True,
                type=FORMAT_CHOICES,
                help="Only these formats (repeat for several); default: each brief's output.formats.",
            ),
            click.option(
                "-j",
                "--jobs",
                type=click.IntRange(min=1),
                default=None,
                help="Worker processes (default: the number of cores).",
            ),
            click.option(
                "--force",
                is_flag=True,
                help="Rebuild everything, and overwrite outputs an editor changed.",
            ),
            click.option(
                "--allow-network",
                is_flag=True,
                help="Let briefs and templates fetch http(s) images and stylesheets "
                "(refused by default: a brief is untrusted input).",
            ),
        ]
    ):
        function = option(function)
    return function


@cli.command()
@_build_options
@click.option(
    "--shard",
    callback=_shard,
    metavar="K/N",
    help="Build only the K-th of N stable slices of the briefs (for CI job matrices); "
    "the index is made by a later run without --shard.",
)
@click.option(
    "--combined", is_flag=True, help="Also write combined.pdf: every brief, with a contents page."
)
@click.option(
    "--redline-against",
    "redline_revision",
    metavar="REV",
    default=None,
    callback=lambda ctx, param, value: nonempty_revision(ctx, param, value),
    help="Also write <name>.redline.docx beside each brief changed since git revision "
    "REV: its changes as Word tracked changes (see `briefkit redline`).",
)
def build(
    paths, out_dir, formats, jobs, force, allow_network, shard, combined, redline_revision
) -> None:
    """Build briefs (YAML files, or folders of them) into DOCX, HTML and PDF.

    \b
    Each brief is written as OUT/<folder>/<name>.<format>, where <name> is the brief's
    output.name or its file name. Only briefs whose inputs changed since the last build are
    rebuilt (the brief, series.yaml files, bibliographies, images, templates, styles); a
    brief with mistakes is not built and all its mistakes are listed; the others go on.
    An output edited by hand since briefkit wrote it is kept, and the new one is written
    beside it as <name>.new.<format> (unless --force). A folder build also writes
    OUT/index.html listing the series.
    """
    summary = _run_build(
        paths,
        out_dir,
        formats,
        jobs,
        force,
        shard,
        combined,
        allow_network,
        redlines=redline_revision is not None,
    )
    unredlined = 0
    if redline_revision:
        # a cycle: cli.word's commands join this module's group
        from briefkit.cli.word import redline_series

        unredlined = redline_series(summary, redline_revision, allow_network, force)
    sys.exit(_exit_code(summary) or (1 if unredlined else 0))


def _exit_code(summary) -> int:
    if summary.having("failed") or summary.problems:
        return 1
    return ENGINE_MISSING_EXIT if any(o.missing for o in summary.outcomes) else 0


def _run_build(
    paths,
    out_dir,
    formats,
    jobs,
    force,
    shard=None,
    combined=False,
    allow_network=False,
    redlines=False,
):
    # deferred: a command loads its stage when it runs (`briefkit --help` imports none)
    from briefkit.builder.batch import build_all
    from briefkit.builder.outputs import NamesRefused, OutputError

    progress = Progress()
    try:
        summary = build_all(
            list(paths),
            out_dir,
            formats=[f.lower() for f in formats] or None,
            jobs=jobs,
            force=force,
            shard_spec=shard,
            combined=combined,
            allow_network=allow_network,
            redlines=redlines,
            on_start=progress.start,
            on_outcome=progress.show,
            on_stage=progress.stage,
            on_wait=lambda line: click.echo(line, err=True),
        )
    except NamesRefused as exc:
        progress.finish()
        for line in exc.messages:
            click.echo(line, err=True)
        click.echo("nothing was built: outputs would overwrite each other", err=True)
        sys.exit(1)
    except OutputError as exc:
        progress.finish()
        if exc.usage:
            raise click.BadParameter(str(exc), param_hint="'-o' / '--out'") from None
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt as exc:
        progress.finish()
        click.echo(
            "interrupted: every output written so far is complete and recorded; "
            "run the same command to finish",
            err=True,
        )
        sys.exit(128 + (exc.signum if isinstance(exc, Interrupted) else 2))
    progress.finish()
    if summary.combined is not None:
        click.echo(f"combined PDF: {summary.combined}", err=True)
    print_summary(summary)
    if not summary.outcomes:
        raise click.UsageError(_no_briefs(paths))
    return summary


@cli.command()
@_build_options
def watch(paths, out_dir, formats, jobs, force, allow_network) -> None:
    """Build, then rebuild what changed on every save (Ctrl-C to stop).

    Watches the briefs' folders and the project's templates/; each rebuild prints one line.
    """
    # deferred: a command loads its stage when it runs (`briefkit --help` imports none)
    from briefkit.builder.watch import watch_and_build

    def build_once(force_now: bool):
        """One build; a run that cannot go ahead (names that collide, no brief left where one
        was deleted) is said and watching goes on: the next save may fix it."""
        try:
            return _run_build(paths, out_dir, formats, jobs, force_now, allow_network=allow_network)
        except click.ClickException as exc:
            click.echo(f"error: {exc.format_message()}", err=True)
        except SystemExit as exc:  # its reasons are printed already
            if isinstance(exc.code, int) and exc.code >= 128:  # Ctrl-C or SIGTERM: stop
                raise
        return None

    build_once(force)
    watch_and_build(paths, lambda: build_once(False), lambda line: click.echo(line, err=True))


@cli.command()
@click.argument(
    "paths",
    nargs=-1,
    required=True,
    metavar="PATH...",
    type=click.Path(exists=True, path_type=Path),
)
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    type=FORMAT_CHOICES,
    help="Only check these formats' writers (default: each brief's output.formats).",
)
@click.option(
    "--allow-network",
    is_flag=True,
    help="Check as `build --allow-network` would build (remote images and stylesheets).",
)
@click.option(
    "--uncited",
    is_flag=True,
    help="List every source never cited, one line each (a library gets one summary line).",
)
def check(paths: tuple[Path, ...], formats, allow_network, uncited) -> None:
    """Check briefs without building them: every error and warning, located. Writes nothing.

    Runs every stage `build` runs, the Word, HTML and PDF writers included (in memory), and
    reports every mistake it finds in one run: a brief `check` passes, `build` builds.
    Exit codes: 0 no errors, 1 a brief has errors, 3 a format's engine cannot run here.
    """
    # deferred: a command loads its stage when it runs (`briefkit --help` imports none)
    from briefkit.builder.pipeline import check_brief

    briefs = _briefs_in(paths)
    if not briefs:
        raise click.UsageError(_no_briefs(paths))
    failed = 0
    missing: dict[str, EngineMissing] = {}
    printed: set[str] = set()
    for path in briefs:
        prepared = check_brief(
            path,
            [f.lower() for f in formats] or None,
            allow_network=allow_network,
            list_uncited=uncited,
        )
        _report(prepared.diagnostics, printed)
        for exc in prepared.missing:
            missing.setdefault(exc.fmt, exc)
        errors = len(prepared.diagnostics.errors)
        document = prepared.document
        if errors or document is None:  # (a brief refused has errors: no document was made)
            failed += 1
            click.echo(f"✗ {path}: {_count(errors, 'error')}", err=True)
        else:
            click.echo(
                f"✓ {path}: {_count(len(document.notes), 'note')}, "
                f"{_count(sum(1 for _ in document.all_sections()), 'section')}",
                err=True,
            )
    for exc in missing.values():
        click.echo(f"note: {exc.fmt.upper()} not checked: {exc.message()}", err=True)
    if len(briefs) > 1:
        click.echo(f"{len(briefs) - failed} passed, {failed} failed", err=True)
    sys.exit(1 if failed else ENGINE_MISSING_EXIT if missing else 0)


def _no_briefs(paths) -> str:
    return (
        "no briefs found in "
        + ", ".join(map(str, paths))
        + " (a brief is any *.yaml that is not series.yaml or a CSL-YAML bibliography)"
    )


@cli.command()
@click.option(
    "--tests",
    "for_tests",
    is_flag=True,
    help="Also require what the test suite needs (LibreOffice, poppler, Chromium, "
    "axe-core); `scripts/install-test-deps` installs it all.",
)
def doctor(for_tests: bool) -> None:
    """Check the system pieces briefkit needs, and say how to install what is missing.

    \b
    Builds need Pandoc (shipped by pypandoc-binary) and, for PDF, WeasyPrint with Pango and
    fonts for the scripts your briefs use; the tests also need LibreOffice, poppler,
    Chromium and axe-core (npm). Exit codes: 0 all needed pieces are there, 3 one is missing.
    """
    missing = 0
    for probe in examine_machine(_checkout()):
        needed = probe.required or for_tests
        mark = "✓" if probe.ok else ("✗" if needed else "–")
        click.echo(f"{mark} {probe.name}: {probe.detail} (needed for {probe.needed_for})")
        if not probe.ok and probe.install is not None:
            for line in probe.install.lines():
                click.echo(f"    {line}")
        missing += needed and not probe.ok
    if missing:
        click.echo(f"{_count(missing, 'needed piece')} missing: install as shown above")
    sys.exit(ENGINE_MISSING_EXIT if missing else 0)


def _project(path=None) -> Path:
    """The project every command works in: found from PATH, else the current folder, upward."""
    # deferred: a command loads its stage when it runs (`briefkit --help` imports none)
    from briefkit.core.paths import find_project_root

    return find_project_root(path)


def _known_layout(layout_name: str, project: Path, param_hint: str) -> None:
    """Refuse, as a usage mistake on `param_hint`, a layout the project does not have."""
    # deferred: a command loads its stage when it runs (`briefkit --help` imports none)
    from briefkit.layout import folders as layouts

    available = layouts.available(project)
    if layout_name not in available:
        raise click.BadParameter(
            f"no layout '{layout_name}'; choose one of " + ", ".join(sorted(available)),
            param_hint=param_hint,
        )


def _checkout():
    """The briefkit source checkout this command runs from, if it is one (for the tests' tools)."""
    here = Path(__file__).resolve().parents[3]
    return here if (here / "tests" / "a11y").is_dir() else None


@cli.command()
@click.argument(
    "path", required=False, metavar="[PATH]", type=click.Path(exists=True, path_type=Path)
)
@click.option(
    "--markdown",
    is_flag=True,
    help="Print the table of every key (as in docs/brief-format.md) instead.",
)
def schema(path, markdown: bool) -> None:
    """Print the JSON Schema of the brief format (for editors' autocompletion and checks).

    The format is documented key by key in docs/brief-format.md of briefkit's repository
    (--markdown prints its table of every key). Layout names come from the project of PATH
    (default: the current folder).
    """
    # deferred: a command loads its stage when it runs (`briefkit --help` imports none)
    from briefkit.layout import folders as layouts
    from briefkit.validate.schema import json_schema

    document = json_schema(sorted(layouts.available(_project(path))))
    if markdown:
        # deferred: a command loads its stage when it runs (`briefkit --help` imports none)
        from briefkit.validate.format_doc import key_table

        click.echo(key_table(document), nl=False)
    else:
        click.echo(json.dumps(document, indent=2))


@cli.command(name="layouts")
@click.argument(
    "path", required=False, metavar="[PATH]", type=click.Path(exists=True, path_type=Path)
)
def list_layouts(path) -> None:
    """List the layouts a brief can name with `layout:` (briefkit's own, and those in the
    templates/ folder of the project of PATH, default: the current folder)."""
    # deferred: a command loads its stage when it runs (`briefkit --help` imports none)
    from briefkit.layout import folders as layouts

    project = _project(path)
    for name in layouts.available(project):
        click.echo(f"{name:12} {layouts.load_layout(name, project).description}")


@cli.command()
@click.argument("slug")
@click.option(
    "--layout",
    "layout_name",
    default="report",
    show_default=True,
    help="The layout the brief uses (see `briefkit layouts`).",
)
@click.option("--title", default=None, help="The title (default: from the slug).")
def new(slug: str, layout_name: str, title) -> None:
    """Write a starter brief, briefs/SLUG.yaml in this project, that builds as it is.

    The project is found from the current folder upward (run it anywhere inside one: from
    briefs/ it still writes briefs/SLUG.yaml, not briefs/briefs/SLUG.yaml).
    """
    # deferred: a command loads its stage when it runs (`briefkit --help` imports none)
    from briefkit.builder.gate import OutputGate
    from briefkit.builder.outputs import OutputError
    from briefkit.layout import folders as layouts

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise click.BadParameter(
            "use lower-case letters, digits and '-', e.g. energy-security", param_hint="SLUG"
        )
    project = _project()
    _known_layout(layout_name, project, "--layout")
    target = project / "briefs" / f"{slug}.yaml"
    shown = _shown(target)
    if target.exists():
        raise click.UsageError(f"{shown} exists already; choose another slug")
    try:
        text = layouts.starter_brief(
            layout_name, title or slug.replace("-", " ").capitalize(), dt.date.today(), project
        )
    except layouts.LayoutError as exc:
        raise click.UsageError(f"the layout '{layout_name}' cannot give a starter: {exc}") from None
    try:  # through the output gate: inside the project, links followed
        OutputGate(within=project, within_name="the project").write(
            target, text.encode("utf-8"), stamped=False
        )
    except OutputError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(
        f"wrote {shown}: check it with `briefkit check {shown}`, "
        f"build it with `briefkit build {shown}`",
        err=True,
    )


def _shown(path: Path) -> Path:
    # deferred: a command loads its stage when it runs (`briefkit --help` imports none)
    from briefkit.load.source import display_path

    return display_path(path)


@cli.group()
def template() -> None:
    """Work with layouts' templates."""


@template.command(name="export")
@click.argument("layout_name", metavar="LAYOUT")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
def export_template(layout_name: str, target: Path) -> None:
    """Copy LAYOUT's templates (and what it extends) into TARGET, to start a house layout.

    \b
    Put TARGET under your project's templates/ (e.g. templates/house) and write
    `layout: house` in a brief; edit html/, css/, word/styles.yaml and layout.yaml freely.
    LAYOUT may be briefkit's or one of the project's (found from the current folder upward).
    """
    # deferred: a command loads its stage when it runs (`briefkit --help` imports none)
    from briefkit.layout import folders as layouts
    from briefkit.layout.export import export

    project = _project()
    _known_layout(layout_name, project, "LAYOUT")
    try:
        written = export(layout_name, target, project)
    except layouts.LayoutError as exc:
        raise click.UsageError(str(exc)) from None
    except OSError as exc:
        raise click.UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    click.echo(f"wrote {len(written)} files to {target}", err=True)


from briefkit.cli.word import import_command, nonempty_revision, redline  # noqa: E402 - the Word round trip's commands

cli.add_command(import_command)
cli.add_command(redline)


def main() -> None:
    """The `briefkit` executable: run a command, then leave without tearing down the heap.

    Freeing WeasyPrint's layout objects at interpreter exit takes ~0.2 s and helps nobody:
    every output is written and closed by then, so flush and exit at once (as mypy does). That
    skips `atexit`, so what must not outlive the command (engines, temporary folders) is
    undone here first (`core/cleanup.py`), on every path. SIGTERM stops a command as Ctrl-C
    does: its `finally` blocks run, and it exits 143 (130 for Ctrl-C) saying it was stopped."""
    code = 1
    # Not restored when the command ends: SIGTERM's default would kill this process before
    # the clean-up below, at the one moment nothing else catches it.
    signal.signal(signal.SIGTERM, raise_interrupted)
    try:
        if cleanup.lost_interrupts:  # came while the modules loaded: the command never starts
            raise Interrupted(cleanup.lost_interrupts[0])
        with cleanup.temporary_files_within("briefkit-run-"):
            code = _run_command()
        if cleanup.lost_interrupts:  # came where Python ignores it: the command went on
            raise Interrupted(cleanup.lost_interrupts[0])
    except KeyboardInterrupt as exc:  # between the command and here
        code = _interrupted(exc)
    finally:
        while True:  # leaving: nothing interrupts that, not even a signal as it begins
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                break
            except KeyboardInterrupt:  # Ctrl-C or SIGTERM (Interrupted) just then
                continue
        cleanup.run_all()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _run_command() -> int:
    try:
        result = cli.main(standalone_mode=False)
    except click.exceptions.Abort as exc:  # Click's word for an interrupt during a command
        cause = exc.__cause__ or exc.__context__
        return _interrupted(cause if isinstance(cause, KeyboardInterrupt) else None)
    except KeyboardInterrupt as exc:
        return _interrupted(exc)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return result if isinstance(result, int) else 0


def _interrupted(exc) -> int:
    """Say a command was stopped (every output it wrote is whole: outputs are replaced
    atomically) and return its exit code, 128 + the signal's number."""
    number = exc.signum if isinstance(exc, Interrupted) else 2
    click.echo(
        "interrupted: stopped before it finished; every file it wrote is complete "
        "(run the same command again to finish)",
        err=True,
    )
    return 128 + number

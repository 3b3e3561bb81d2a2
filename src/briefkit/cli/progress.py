"""Progress: build outcomes in, lines on stderr out (the CLI's view of a run).

On a terminal a run of several briefs shows a bar and a single brief its stages (reading the
brief, the prose and notes, writing each format) on one rewritten line; elsewhere (CI logs)
each brief gets one plain line. A message several briefs share (a mistake in their series.yaml,
a missing engine) is printed once per run.
"""

from __future__ import annotations

import sys

import click


def count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class Progress:
    """A bar on a terminal; one plain line per brief elsewhere (CI logs). A message shared by
    several briefs (a mistake in their series.yaml, a missing engine) is printed once."""

    def __init__(self):
        self.bar = None
        self.done = 0
        self.total = 0
        self.printed: set[str] = set()
        self.live = False  # a single brief on a terminal: its stages, on one rewritten line

    def stage(self, text: str) -> None:
        if self.live:
            click.echo(f"\r\x1b[K{text}…", err=True, nl=False)

    def start(self, total: int) -> None:
        self.total = total
        self.live = sys.stderr.isatty() and total == 1
        if sys.stderr.isatty() and total > 1:
            self.bar = click.progressbar(
                length=total,
                label="building",
                file=sys.stderr,
                show_pos=True,
                item_show_func=lambda item: item,
            )
            self.bar.__enter__()

    def show(self, outcome) -> None:
        if self.live:
            click.echo("\r\x1b[K", err=True, nl=False)
        self.done += 1
        mark = {"built": "✓", "unchanged": "·", "failed": "✗"}[outcome.status]
        lines = []
        if outcome.status == "failed":
            lines += outcome.errors
        lines += outcome.warnings + outcome.missing
        # load.source brings PyYAML; the CLI imports this module for `--help`
        from briefkit.load.source import display_path

        lines += [
            f"kept {display_path(k)}: it is not as briefkit wrote it (edited, or not "
            "briefkit's); the new build is written beside it"
            for k in outcome.kept
        ]
        lines = [line for line in lines if line not in self.printed]
        self.printed.update(lines)

        written = ", ".join(str(display_path(p)) for p in outcome.outputs)
        detail = {
            "built": f"→ {written}",
            "unchanged": "unchanged",
            "failed": f"not built ({count(len(outcome.errors), 'error')})",
        }[outcome.status]
        if outcome.missing:
            detail += " (not every format: see above)"
        lines.append(f"{mark} [{self.done}/{self.total}] {outcome.job.brief_display} {detail}")
        if self.bar is not None:
            self.bar.update(1, outcome.job.brief.name)
            if outcome.status == "failed" or outcome.kept or outcome.warnings or outcome.missing:
                click.echo("", err=True)
                for line in lines:
                    click.echo(line, err=True)
        else:
            for line in lines:
                click.echo(line, err=True)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def print_summary(summary) -> None:
    built, unchanged, failed = (summary.having(s) for s in ("built", "unchanged", "failed"))
    if summary.cache_was_corrupt:
        click.echo("note: the build cache was unreadable; everything was rebuilt", err=True)
    if len(summary.outcomes) > 1:
        click.echo(
            f"{len(built)} built, {len(unchanged)} unchanged, {len(failed)} failed"
            + (": " + ", ".join(o.job.brief_display for o in failed) if failed else ""),
            err=True,
        )
    if summary.index is not None:
        click.echo(f"index: {summary.index}", err=True)
    for problem in summary.problems:
        click.echo(f"error: {problem}", err=True)

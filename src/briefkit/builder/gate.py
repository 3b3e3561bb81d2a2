"""The output gate: a file a command is about to write in, the file written where it may go out
(or `OutputError`, one line saying why not and what to do).

The input gate (`core/paths.py`) decides what any engine may read; this one decides what any
command may write (build, import, redline, template export, new, watch), with one set of rules:
- never an input: a file the command read (the brief, its bibliographies, styles, templates,
  pictures, a Word draft) is never replaced, --force or not;
- never outside: when a command writes into a folder of its own (a brief's `assets/`, the
  project's `briefs/`, an exported layout), the real path of every file stays inside it;
- never a file briefkit did not write, without --force: a stamped output (DOCX, HTML, PDF)
  replaces only a file carrying briefkit's own intact fingerprint; otherwise it is written
  beside it (`name.new.docx`, …) and the file is kept. An unstamped one (a brief's YAML, a
  picture) replaces nothing that holds other bytes, unless --force;
- never a pipe, a device, a folder or a symbolic link where the file goes;
- the same bytes are not written again (an output's time stays that of its last change).
Files are written atomically through `outputs.stage`/`commit` (a temporary name no user file
matches, renamed with SIGINT/SIGTERM held back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from briefkit.builder.outputs import OutputError, choose_target, put, refuse_special
from briefkit.core.paths import PathRefused, read_regular
from briefkit.load.source import display_path
from briefkit.render.stamp import is_own


@dataclass
class Written:
    path: Path  # where the file is
    kept: list[Path] = field(default_factory=list)  # files left as they were, beside it
    unchanged: bool = False  # the file held these bytes already: nothing was written


class OutputGate:
    """What one command may write: never one of `inputs` (real paths), never outside `within`
    (a real folder, when given), never a file briefkit did not write unless `force`."""

    def __init__(
        self,
        inputs: Iterable[Path] = (),
        *,
        within: Optional[Path] = None,
        within_name: str = "the folder it writes to",
        force: bool = False,
    ):
        self.inputs = {Path(p).resolve(): Path(p) for p in inputs}
        self.within = Path(within).resolve() if within is not None else None
        self.within_name = within_name
        self.force = force

    def inside(self, folder: Path, name: str) -> "OutputGate":
        """The same gate (inputs, --force) confined to `folder` (called `name` in messages)."""
        return OutputGate(self.inputs, within=folder, within_name=name, force=self.force)

    def read_too(self, paths: Iterable[Path]) -> None:
        """Add files the command has read since the gate was made."""
        self.inputs.update({Path(p).resolve(): Path(p) for p in paths})

    def check(self, target: Path) -> None:
        """`OutputError` (usage) when `target` may not be written at all."""
        target = Path(target)
        refuse_special(target)
        try:
            real = target.resolve()
        except (OSError, RuntimeError) as exc:
            raise OutputError(f"cannot write {display_path(target)}: {exc}", usage=True) from None
        if real in self.inputs:
            raise OutputError(
                f"cannot write {display_path(target)}: it would replace "
                f"{display_path(self.inputs[real])}, which this command reads; choose another "
                "output (-o)",
                usage=True,
            )
        if self.within is not None and self.within != real and self.within not in real.parents:
            raise OutputError(
                f"cannot write {display_path(target)}: it resolves to {real}, outside "
                f"{self.within_name} ({self.within}): a symbolic link leads out of it; briefkit "
                f"writes only inside {self.within_name}",
                usage=True,
            )

    def write(self, target: Path, payload: bytes, *, stamped: bool = True) -> Written:
        """Write `payload` at `target`, or beside it (stamped outputs) when the file there is
        not briefkit's own; raises `OutputError`."""
        target = Path(target)
        self.check(target)
        if _holds(target, payload):
            return Written(target, unchanged=True)
        if stamped:
            chosen, kept = choose_target(target, self.force)
            if chosen != target:
                self.check(chosen)
                if _holds(chosen, payload):
                    return Written(chosen, kept, unchanged=True)
        else:
            chosen, kept = target, []
            if target.exists() and not self.force:
                raise OutputError(
                    f"cannot write {display_path(target)}: it exists and holds "
                    "something else; move it away or add --force (it would be "
                    "replaced)",
                    usage=True,
                )
        put(chosen, payload)
        return Written(chosen, kept)


def _holds(path: Path, payload: bytes) -> bool:
    """The regular file at `path` holds exactly `payload` (and, if stamped, is still ours)."""
    try:
        return (
            path.is_file()
            and read_regular(path, len(payload)) == payload
            and (path.suffix.lower() not in (".docx", ".html", ".pdf") or is_own(path))
        )
    except (OSError, PathRefused):
        return False

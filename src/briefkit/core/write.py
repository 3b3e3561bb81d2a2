"""Write: bytes in, a file on disk out, atomically.

The bytes go to a hidden file in the target's folder, are flushed to disk and then renamed
over the target, so a reader (or an interrupted build) sees the old file or the new one, never
half of one. (Outputs of briefs go through `builder/outputs.py`, which also keeps edited files
and replaces a brief's formats together, from the hidden files `write_part` stages; this is
for single files like the build cache.)
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from briefkit.core.cleanup import signals_deferred

PART_SUFFIX = ".part"
# Staged files are `.<name>.~briefkit-<random>.part`, hidden, beside their target: a name no
# file of a user's has, so that cleaning up after a killed build removes only briefkit's own.
TEMPORARY_MARK = ".~briefkit-"
_TEMPORARY = re.compile(r"^\..*\.~briefkit-[A-Za-z0-9_]+\.part$", re.S)


def is_temporary(name: str) -> bool:
    """Whether a file name is one of briefkit's temporary names (`temporary_prefix`)."""
    return bool(_TEMPORARY.match(name))


def temporary_prefix(target: Path) -> str:
    """The start of a temporary name beside `target` (mkstemp adds 8 random characters)."""
    return f".{Path(target).name[:40]}{TEMPORARY_MARK}"


def write_atomic(target: Path, payload: bytes) -> None:
    """Raises OSError when the file cannot be written (nothing is left behind)."""
    target = Path(target)
    part = None
    try:
        part = write_part(target, payload)
        os.replace(part, target)
    finally:
        if part is not None:
            part.unlink(missing_ok=True)


def write_part(target: Path, payload: bytes) -> Path:
    """Write `payload` to a hidden file beside `target`, flushed to disk; its path. Raises
    OSError when it cannot be written, leaving nothing behind."""
    target = Path(target)
    temporary = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with signals_deferred():  # known to this function as soon as it exists
            handle, name = tempfile.mkstemp(
                prefix=temporary_prefix(target), suffix=PART_SUFFIX, dir=target.parent
            )
            temporary = Path(name)
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files
        return temporary
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise

"""Write: bytes in, a file on disk out, atomically.

The bytes go to a hidden file in the target's folder, are flushed to disk and then renamed
over the target, so a reader (or an interrupted build) sees the old file or the new one, never
half of one. (Outputs of briefs go through `outputs.py`, which also keeps edited files and
replaces a brief's formats together; this is for single files like the build cache.)
"""

from __future__ import annotations

import os
from pathlib import Path

from briefkit.build.outputs import write_part


def write_atomic(target: Path, payload: bytes) -> None:
    """Raises OSError when the file cannot be written (nothing is left behind)."""
    target = Path(target)
    part = write_part(target, payload)
    try:
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)

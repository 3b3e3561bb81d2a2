"""Write: bytes in, a file on disk out, atomically.

The bytes go to a temporary file in the target's folder, are flushed to disk and then renamed
over the target, so a reader (or an interrupted build) sees the old file or the new one, never
half of one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(target: Path, payload: bytes) -> None:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                         dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

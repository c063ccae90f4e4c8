"""Writing a file whole or not at all, for the commands that write reports and plans."""

from __future__ import annotations

import contextlib
import os
import tempfile

__all__ = ["write_atomically"]


def write_atomically(path: str, text: str) -> None:
    """Write *text* to a temporary file beside *path*, then rename it into place: an
    interrupted run leaves the old file or the new one, never half of one. Writing through
    a link writes its target, as ``open(path, "w")`` would."""
    target = os.path.realpath(path)
    folder = os.path.dirname(target) or "."
    handle, temporary = tempfile.mkstemp(prefix=".phaseout-", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as output:
            output.write(text)
            output.flush()
            os.fsync(output.fileno())
        try:  # the permissions of the file replaced, or those open() would give a new one
            mode = os.stat(target).st_mode & 0o7777
        except OSError:
            mask = os.umask(0o022)  # read the process's mask (the CLI runs one thread)
            os.umask(mask)
            mode = 0o666 & ~mask
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise

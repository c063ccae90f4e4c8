"""Writing a file whole or not at all: reports, plans, and the files ``phaseout fix`` rewrites."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from typing import TextIO

__all__ = ["emit", "write_atomically"]


def write_atomically(path: str, data: str | bytes, *, durable: bool = True) -> None:
    """Write *data* (text as UTF-8) to a temporary file beside *path*, then rename it into
    place: an interrupted run leaves the old file or the new one, never half of one. The
    file keeps its permissions. Writing through a link writes its target, as
    ``open(path, "w")`` would. *durable*: synced to disk before the rename (a report, a
    plan); ``phaseout fix``, rewriting thousands of files a person then reviews, skips it."""
    target = os.path.realpath(path)
    folder = os.path.dirname(target) or "."
    name = os.path.basename(target)
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".phaseout-tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(data.encode("utf-8") if isinstance(data, str) else data)
            if durable:
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


def emit(
    text: str, output: str | None, stdout: TextIO, files: Mapping[str, str] | None = None
) -> None:
    """A command's output: *files* (path: text) and *text* to *output*, each written whole,
    or *text* to *stdout* when no *output* is named. ``OSError`` is the caller's to report."""
    for path, data in (files or {}).items():
        write_atomically(path, data)
    if output:
        write_atomically(output, text)
    else:
        stdout.write(text)
        stdout.flush()

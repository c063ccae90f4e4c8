"""Reading usage logs: files, globs, gzip and stdin, framed into lines in bounded memory.

Logs mix phaseout's events with anything else an application writes. A line is one of:

- *ignored*: not a phaseout event (plain text, other JSON, JSON with another ``event``);
- *skipped*: looks like a phaseout event but cannot be trusted (not valid JSON or UTF-8, a
  missing or mistyped field, an unknown schema, over :data:`MAX_LINE` bytes); counted;
- an *event*.

This module frames input into lines (gzip by content, gzip bombs and truncated members,
over-long lines, splitting large files between processes); what a line says is ``_lines``'.
"""

from __future__ import annotations

import glob
import gzip
import os
import sys
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Final

from .._exceptions import PhaseoutError
from ._lines import LineParser, UsageEvent, _Broken, parse_line

#: Lines longer than this many bytes are skipped (phaseout never writes one).
MAX_LINE: Final = 1 << 20


_CHUNK: Final = 1 << 20


GZIP_MAGIC: Final = b"\x1f\x8b"


#: A .gz input stops (counted as skipped, with a note) once it has inflated to more than
#: GZIP_RATIO times its compressed size and more than GZIP_FLOOR bytes: a gzip bomb.
GZIP_RATIO: Final = 250


GZIP_FLOOR: Final = 256 << 20


class LogError(PhaseoutError, ValueError):
    """A log source cannot be read at all (no such file, no file matching a glob)."""


@dataclass
class ReadStats:
    """What reading found besides events."""

    events: int = 0
    skipped: int = 0
    ignored: int = 0
    bytes_read: int = 0
    #: Inputs that were not read to their end, and why.
    notes: list[str] = field(default_factory=list)


def expand(specs: Iterable[str]) -> list[str]:
    """File names for paths and globs (``-`` is standard input), in the order given."""
    found: list[str] = []
    for spec in specs:
        if spec == "-" or os.path.isfile(spec):  # a real file, even one named like a glob
            found.append(spec)
        elif any(char in spec for char in "*?["):
            matches = sorted(
                path for path in glob.glob(spec, recursive=True) if os.path.isfile(path)
            )
            if not matches:
                raise LogError(f"no log file matches {spec!r}")
            found.extend(matches)
        else:
            raise LogError(f"log file {spec!r} does not exist or is not a file")
    return found


class _GzipBomb(OSError):
    """A .gz input inflated past its bound."""


class _Counted:
    """A raw stream that counts the bytes read from it (a pipe has no ``tell()``)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        return data


class _Inflated:
    """Decompressed bytes of a .gz input, stopped once they outgrow it (see GZIP_RATIO)."""

    def __init__(self, raw: IO[bytes], name: str, stats: ReadStats) -> None:
        self.counted = _Counted(raw)
        counted: Any = self.counted  # a readable file object, as GzipFile needs
        self.gzip = gzip.GzipFile(fileobj=counted, mode="rb")
        self.name = name
        self.stats = stats
        self.given = 0

    def read1(self, size: int = -1) -> bytes:
        data: bytes = self.gzip.read1(size)
        self.given += len(data)
        if self.given > GZIP_FLOOR and self.given > GZIP_RATIO * self.counted.count:
            self.stats.notes.append(
                f"stopped reading {self.name!r} after {self.given:,} bytes: it inflates to more "
                f"than {GZIP_RATIO} times its compressed size (a gzip bomb?)"
            )
            raise _GzipBomb(self.name)
        return data

    def read(self, size: int = -1) -> bytes:
        return self.read1(size)

    def close(self) -> None:
        self.gzip.close()


class _Source:
    """An open log: its decompressed bytes, and how many raw bytes have been consumed."""

    def __init__(self, name: str, stats: ReadStats) -> None:
        self.name = name
        self.raw: IO[bytes] = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115
        self.stream: Any = self.raw
        peek = getattr(self.raw, "peek", None)
        if peek is not None and peek(2)[:2] == GZIP_MAGIC:
            self.stream = _Inflated(self.raw, name, stats)

    def position(self) -> int:
        try:
            return self.raw.tell()
        except (OSError, ValueError):  # a pipe has no position
            return 0

    def close(self) -> None:
        if self.stream is not self.raw:
            self.stream.close()  # a GzipFile leaves the file it reads open
        if self.name != "-":
            self.raw.close()


def _blocks(stream: Any, stats: ReadStats, limit: int | None = None) -> Iterator[bytes]:
    """Runs of complete lines joined by newlines (no final one), about a chunk at a time.

    A line longer than :data:`MAX_LINE` is dropped as it streams past, never held whole:
    counted as skipped if its first MAX_LINE bytes mention a phaseout event, else ignored.
    """
    pending = b""
    dropping = False  # inside a line already known to be too long
    left = limit
    # read1: whatever one underlying read gives, so a truncated .gz yields all it holds
    # before the error, instead of failing a whole chunk.
    read = getattr(stream, "read1", stream.read)
    while left is None or left > 0:
        try:
            chunk = read(_CHUNK if left is None else min(_CHUNK, left))
        except (OSError, EOFError, zlib.error):  # a truncated or corrupt .gz
            stats.skipped += 1
            break
        if not chunk:
            break
        if left is not None:
            left -= len(chunk)
        if dropping:
            cut = chunk.find(b"\n")
            if cut == -1:
                continue
            chunk = chunk[cut + 1 :]
            dropping = False
        data = pending + chunk
        cut = data.rfind(b"\n")
        if cut == -1:
            pending = data
        else:
            # Only the first line can be too long: it is the only one that began in an
            # earlier chunk, and a chunk is no longer than MAX_LINE.
            first = data.find(b"\n")
            if first > MAX_LINE:
                _drop(data, stats)
                if first < cut:
                    yield data[first + 1 : cut]
            else:
                yield data[:cut]
            pending = data[cut + 1 :]
        if len(pending) > MAX_LINE:
            _drop(pending, stats)
            dropping = True
            pending = b""
    if pending:
        yield pending


def _drop(line: bytes, stats: ReadStats) -> None:
    """Count a line longer than MAX_LINE (*line* holds at least its first MAX_LINE bytes):
    skipped if those mention a phaseout event, else ignored."""
    if line.find(b"deprecated_", 0, MAX_LINE) != -1:
        stats.skipped += 1
    else:
        stats.ignored += 1


def read_blocks(
    names: Iterable[str], stats: ReadStats, progress: Callable[[int], None] | None = None
) -> Generator[bytes, None, None]:
    """Blocks of lines of every named log; *progress* gets the raw bytes consumed so far."""
    done = 0
    for name in names:
        source = _Source(name, stats)
        try:
            for block in _blocks(source.stream, stats):
                yield block
                if progress is not None:
                    progress(done + source.position())
            done += source.position()
        finally:
            source.close()
    stats.bytes_read = done


def read_range(path: str, start: int, end: int, stats: ReadStats) -> Iterator[bytes]:
    """Blocks of lines of a plain (not compressed) file between two line boundaries."""
    with open(path, "rb") as stream:
        stream.seek(start)
        yield from _blocks(stream, stats, end - start)


def split_points(path: str, parts: int) -> list[int]:
    """*parts* + 1 offsets cutting a file into pieces that start at line beginnings."""
    size = os.path.getsize(path)
    points = [0]
    with open(path, "rb") as stream:
        for part in range(1, parts):
            stream.seek(max(size * part // parts, points[-1]))
            while True:  # move to just after the next newline, reading in bounded chunks
                chunk = stream.read(_CHUNK)
                cut = chunk.find(b"\n")
                if cut != -1 or not chunk:
                    points.append(stream.tell() - len(chunk) + cut + 1 if chunk else size)
                    break
    points.append(size)
    return [min(point, size) for point in points]


def read_lines(
    names: Iterable[str], stats: ReadStats, progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """Every line of every named log."""
    for block in read_blocks(names, stats, progress):
        yield from block.split(b"\n")


def read_events(
    sources: Iterable[str | os.PathLike[str]], stats: ReadStats | None = None
) -> Iterator[UsageEvent]:
    """Every phaseout event in *sources* (paths, globs, ``"-"``), as :class:`UsageEvent`.

    Pass a :class:`ReadStats` to learn how many lines were skipped or ignored.
    """
    stats = stats if stats is not None else ReadStats()
    parser = LineParser()
    names = expand(os.fspath(source) for source in sources)
    for line in read_lines(names, stats):
        if b"deprecated_" not in line:
            stats.ignored += 1
            continue
        try:
            parsed = parse_line(parser, line)
        except _Broken:
            stats.skipped += 1
            continue
        if parsed is None:
            stats.ignored += 1
            continue
        usage, stamp, count, pid, site = parsed
        stats.events += 1
        yield UsageEvent(
            event="deprecated_usage" if usage else "deprecated_call",
            timestamp=stamp.decode(),
            count=count,
            pid=pid,
            site=site,
        )

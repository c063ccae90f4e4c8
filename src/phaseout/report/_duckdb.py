"""The DuckDB engine for large log sets: phaseout frames the lines, DuckDB sums them.

Results are identical to the streaming reader's, line for line, because the two engines
share everything that decides what a line *is*:

- Framing is the streaming reader's own code (``read_blocks``): gzip detected by
  content, gzip bombs, truncated members, over-long lines and standard input are handled
  before DuckDB sees a byte, with the same counts and notes.
- DuckDB's CSV reader splits rows on carriage returns as well as newlines, in ways that
  depend on where they fall, and refuses bytes that are not UTF-8. A single ``\\r`` before a
  newline is dropped first: no line's meaning depends on it (JSON ignores trailing
  whitespace, and no marker ends in one). Lines that still hold a ``\\r``, or are not UTF-8,
  and a byte-order mark at the head of a spill file (DuckDB would drop it) are folded in
  Python. What is left is written to spill files that DuckDB reads as one column of text.
- In SQL, a line either matches the sink's head (the same expression as ``HEAD``, with its
  lookahead made literal) and is summed per (call-site tail, day); or mentions one of
  phaseout's events, and is handed back once per distinct text with how often it occurred,
  for the streaming reader's own parser; or is counted as ignored.
- Tails and days are validated in Python, once per distinct value. The lines of a group that
  fails are read again from the spill file and folded one by one, as the streaming reader
  would. So is a whole spill file that DuckDB refuses.

A spill file holds at most :data:`SPILL_BYTES`; DuckDB sums one while the next is written,
so disk use and the memory of each result stay bounded whatever the size of the input.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any, Final

from ..processors import SCHEMA
from ._fold import Folder
from ._lines import HEAD
from ._reader import GZIP_MAGIC, MAX_LINE, read_blocks

__all__ = ["DUCKDB_INPUT", "ENGINES", "SPILL_BYTES", "choose_engine", "fold_with_duckdb"]

#: What ``summarize(engine=)`` and ``phaseout report --engine`` accept.
ENGINES: Final = ("auto", "streaming", "duckdb")
#: ``engine="auto"`` uses DuckDB, when it is installed, for inputs of at least this many
#: bytes once decompressed (measured in benchmarks/bench_engines.py).
DUCKDB_INPUT: Final = 64 << 20
#: Bytes of framed lines per spill file handed to DuckDB.
SPILL_BYTES: Final = 256 << 20
_BOM: Final = b"\xef\xbb\xbf"

# HEAD for RE2, which has no lookahead: the call-site tail starts at `"symbol":`.
_HEAD_RE2: Final = "^" + HEAD.pattern.decode().replace('(?="symbol":)', '"symbol":')
# 1-based offsets in a sink line: '{"timestamp":"' and the 27-character timestamp, '",', then
# '"event":"deprecated_' and 'usage' or 'call'; a usage event's count follows its schema.
_EVENT_AT: Final = len('{"timestamp":"') + 27 + len('",') + 1
_KIND_AT: Final = _EVENT_AT + len('"event":"deprecated_')
_COUNT_AT: Final = _EVENT_AT + len(f'"event":"deprecated_usage","schema":{SCHEMA},"count":')
# One row per line, as UTF-8 text (as written, so it encodes back to the same bytes); no
# quoting, no escapes, no header. Framing drops lines over MAX_LINE, so max_line_size is never
# reached (were it, DuckDB would refuse the file, and Python would fold it). A buffer this
# size keeps DuckDB's scan at full speed.
_LINES: Final = (
    "read_csv($path, columns = {'line': 'VARCHAR'}, delim = '\\x01', quote = '', "
    "escape = '', header = false, auto_detect = false, strict_mode = false, "
    f"encoding = 'utf-8', max_line_size = {5 * MAX_LINE}, buffer_size = {32 * MAX_LINE})"
)
_CLASSIFIED: Final = f"""
    SELECT line, fast,
        CASE WHEN fast THEN substr(line, 15, 10) END AS day,
        CASE WHEN fast THEN substr(line, 25, 17) END AS time_of_day,
        CASE WHEN fast THEN substr(line, strpos(line, ',"symbol":') + 1) END AS tail
    FROM (SELECT line, coalesce(regexp_matches(line, $head), false) AS fast FROM {_LINES})
"""
_IN_RANGE: Final = (
    "NOT fast OR ((CAST($low AS VARCHAR) IS NULL OR day || time_of_day >= $low) "
    "AND (CAST($high AS VARCHAR) IS NULL OR day || time_of_day <= $high))"
)
# kind 0: a (tail, day) of sink-layout lines and their sums; 1: a distinct line that names
# one of phaseout's events in another layout, and how often it occurs; 2: ignored lines.
_SUMMED: Final = f"""
    SELECT kind, key, day, sum(uses), count(*) FILTER (WHERE kind = 0 AND NOT usage),
        count(*), min(time_of_day), max(time_of_day)
    FROM (
        SELECT
            CASE WHEN fast THEN 0
                 WHEN contains(line, 'deprecated_') OR contains(line, 'rollout_usage')
                      OR contains(line, 'rollout_rolled_back') THEN 1
                 ELSE 2 END AS kind,
            CASE WHEN fast THEN tail WHEN kind = 1 THEN line END AS key,
            day, time_of_day,
            fast AND substr(line, {_KIND_AT}, 1) = 'u' AS usage,
            CASE WHEN usage THEN CAST(substr(line, {_COUNT_AT},
                strpos(line, ',"pid":') - {_COUNT_AT}) AS HUGEINT) ELSE 0 END AS uses
        FROM ({_CLASSIFIED}) WHERE {_IN_RANGE}
    )
    GROUP BY kind, key, day
"""
# kind, key, day, uses, calls, events, first, last: see _SUMMED
_Row = tuple[Any, ...]


def choose_engine(engine: str, names: list[str]) -> str:
    """``"streaming"`` or ``"duckdb"`` for *engine* and the named inputs."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    installed = _installed()
    if engine == "duckdb" and not installed:
        raise ValueError(
            "engine 'duckdb' needs DuckDB, which is not installed: pip install 'phaseout[duckdb]'"
        )
    if engine == "auto":
        large = installed and "-" not in names and _inflated(names) >= DUCKDB_INPUT
        return "duckdb" if large else "streaming"
    return engine


def _installed() -> bool:
    try:
        return importlib.util.find_spec("duckdb") is not None
    except (ImportError, ValueError):  # a broken install, or `sys.modules["duckdb"] = None`
        return False


def _inflated(names: list[str]) -> int:
    """The decompressed size of the inputs, as far as it can be told without reading them:
    a .gz member records its size (modulo 4 GiB) in its last four bytes."""
    total = 0
    for name in names:
        with open(name, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if stream.read(2) == GZIP_MAGIC and size >= 18:
                stream.seek(-4, os.SEEK_END)
                size = max(size, int.from_bytes(stream.read(4), "little"))
            total += size
    return total


class _Spills:
    """Writes framed, carriage-return-free lines to spill files of about SPILL_BYTES."""

    def __init__(self, directory: str, folder: Folder, full: Callable[[str], None]) -> None:
        self.directory = directory
        self.folder = folder
        self.full = full
        self.out: IO[bytes] | None = None
        self.path = ""
        self.size = 0
        self.made = 0

    def write(self, block: bytes) -> None:
        if b"\r" in block:
            block = block.replace(b"\r\n", b"\n").removesuffix(b"\r")
        if not _fit(block):
            kept = self._fold_unfit(block)
            if kept is None:
                return
            block = kept
        if self.out is None:
            while block.startswith(_BOM):  # DuckDB would drop it from the head of a file
                line, newline, block = block.partition(b"\n")
                self.folder.fold(line)
                if not newline:
                    return
            self.made += 1
            self.path = os.path.join(self.directory, f"spill-{self.made}.jsonl")
            self.out = open(self.path, "wb")  # noqa: SIM115 (closed in close())
            self.size = 0
        self.out.write(block)
        self.out.write(b"\n")
        self.size += len(block) + 1
        if self.size >= SPILL_BYTES:
            self.close()

    def _fold_unfit(self, block: bytes) -> bytes | None:
        """Fold in Python the lines DuckDB cannot be given; the others, or None if none."""
        kept = []
        for line in block.split(b"\n"):
            if not _fit(line):
                self.folder.fold(line)
            else:
                kept.append(line)
        return b"\n".join(kept) if kept else None

    def close(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out = None
            self.full(self.path)


def _fit(data: bytes) -> bool:
    """Whether DuckDB reads *data* (lines) exactly as written: no ``\\r``, and UTF-8."""
    return b"\r" not in data and (data.isascii() or _utf8(data))


def _utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


def fold_with_duckdb(
    folder: Folder, names: Iterable[str], progress: Callable[[int], None] | None = None
) -> None:
    """Fold every named log into *folder*, summing with DuckDB (see the module's docstring)."""
    import duckdb

    parameters = {
        "head": _HEAD_RE2,
        "low": None if folder.low is None else folder.low.decode(),
        "high": None if folder.high is None else folder.high.decode(),
    }
    pending: list[tuple[str, Future[list[_Row]]]] = []  # at most one spill file being summed

    def settle() -> None:
        path, future = pending.pop()
        try:
            rows = future.result()
        except duckdb.Error:  # DuckDB refused the file: fold it as the streaming reader would
            _fold_lines(folder, path)
        else:
            _apply(folder, path, rows)
        os.unlink(path)

    with tempfile.TemporaryDirectory(prefix="phaseout-report-") as directory:
        # DuckDB's own temporary files (a hash table larger than memory) go there too.
        config: dict[str, str | bool | int | float | list[str]] = {
            "preserve_insertion_order": False,
            "temp_directory": directory,
        }
        connection = duckdb.connect(config=config)
        with connection, ThreadPoolExecutor(1) as pool:
            worker = connection.cursor()

            def scan(path: str) -> list[_Row]:
                rows: list[_Row] = worker.execute(_SUMMED, {**parameters, "path": path}).fetchall()
                return rows

            def full(path: str) -> None:
                if pending:  # the previous file is summed while this one was written
                    settle()
                pending.append((path, pool.submit(scan, path)))

            spills = _Spills(directory, folder, full)
            blocks = read_blocks(names, folder.stats, progress)  # the streaming reader's framing
            try:
                for block in blocks:
                    spills.write(block)
                spills.close()
                while pending:
                    settle()
            finally:
                blocks.close()  # the input being read, at once
                if pending:  # interrupted (^C, a full disk): stop the query in flight
                    worker.interrupt()


def _apply(folder: Folder, path: str, rows: list[_Row]) -> None:
    rejected: set[bytes] = set()
    for kind, key, day, uses, calls, events, first, last in rows:
        if kind == 0:
            tail, day_bytes = key.encode(), day.encode()
            sums = (int(uses), calls, events, first.encode(), last.encode())
            if not folder.add_group(tail, day_bytes, sums):
                rejected.add(day_bytes + tail)
        elif kind == 1:
            folder.fold_marked(key.encode(), events)
        else:
            folder.stats.ignored += events
    if rejected:  # hostile input only: fold those lines as the streaming reader folds them
        _fold_lines(folder, path, rejected)


def _fold_lines(folder: Folder, path: str, only: set[bytes] | None = None) -> None:
    """Fold a spill file's lines in Python as written (framing them again could differ);
    with *only*, just the sink-layout lines whose day and tail are in it."""
    match = HEAD.match
    with open(path, "rb") as lines:
        for text in lines:
            line = text.removesuffix(b"\n")
            if only is not None:
                head = match(line)
                if head is None or head[1] + line[head.end() :] not in only:
                    continue
            folder.fold(line)

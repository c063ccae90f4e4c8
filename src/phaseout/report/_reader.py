"""Reading usage logs: files, globs, gzip and stdin, streamed line by line in bounded memory.

Logs mix phaseout's events with anything else an application writes. A line is one of:

- *ignored*: not a phaseout event (plain text, other JSON, JSON with another ``event``);
- *skipped*: looks like a phaseout event but cannot be trusted (not valid JSON or UTF-8, a
  missing or mistyped field, an unknown schema, over :data:`MAX_LINE` bytes); counted;
- an *event*.

Lines phaseout's own sink wrote have a fixed layout: the fields that vary (timestamp, count,
pid) first, the call site last. The fast path matches the varying head with one regular
expression and looks the call-site tail up in a cache, so a repeated site is decoded once.
It only accepts what ``json.loads`` of the whole line would give: anything else (other key
orders, spacing, escapes, duplicate keys) takes the slow path through ``json``.
"""

from __future__ import annotations

import glob
import gzip
import json
import math
import os
import re
import sys
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import IO, Any, Final

from .._config import normalize_name
from ..exceptions import PhaseoutError
from ..phases import Phase
from ..processors import SCHEMA, USAGE_EVENTS

__all__ = [
    "MAX_LINE",
    "LogError",
    "Rollback",
    "Site",
    "UsageEvent",
    "parse_moment",
    "read_events",
]

#: Lines longer than this many bytes are skipped (phaseout never writes one).
MAX_LINE: Final = 1 << 20
_CHUNK: Final = 1 << 20
GZIP_MAGIC: Final = b"\x1f\x8b"
_PHASES: Final = frozenset(phase.value for phase in Phase)
_SITE_KEYS: Final = frozenset(
    {"symbol", "package", "phase", "since", "removed_in", "replacement", "caller", "file", "line"}
)

# The head of a line phaseout's sink wrote: day, time of day, count (usage only), pid. The
# call-site tail follows. Hours, minutes and seconds are range-checked here; days by the caller.
HEAD: Final = re.compile(
    rb'\{"timestamp":"(\d{4}-\d\d-\d\d)(T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z)",'
    rb'(?:"event":"deprecated_usage","schema":' + str(SCHEMA).encode() + rb',"count":'
    rb"(0|[1-9]\d{0,17})"
    rb'|"event":"deprecated_call","schema":' + str(SCHEMA).encode() + rb"),"
    rb'"pid":(0|[1-9]\d{0,17}),(?="symbol":)'
)
_SITE_ORDER: Final = (
    "symbol", "package", "phase", "since", "removed_in", "replacement", "caller", "file", "line"
)  # fmt: skip
# What a phaseout event looks like to a line that is not valid JSON: worth counting as skipped.
_MARKER: Final = re.compile(rb'"event"\s*:\s*"deprecated_(?:call|usage)"')
_ROLLOUT_MARKER: Final = re.compile(rb'"event"\s*:\s*"rollout_usage"')
_PATHS: Final = ("legacy", "new")
_ROLLOUT_EVENT: Final = frozenset({"rollout_usage"})
_ROLLBACK_MARKER: Final = re.compile(rb'"event"\s*:\s*"rollout_rolled_back"')
_ROLLBACK_EVENT: Final = frozenset({"rollout_rolled_back"})
_ROLLBACK_FIXED: Final = frozenset({"event", "schema", "pid", "timestamp", "rollout"})
_CACHE_LIMIT: Final = 100_000
#: Bytes of line tails the decoding caches may hold before they start over: memory stays
#: bounded whatever a hostile log holds (600 distinct 900 KB tails are 540 MB).
CACHE_BYTES: Final = 64 << 20
#: A .gz input stops (counted as skipped, with a note) once it has inflated to more than
#: GZIP_RATIO times its compressed size and more than GZIP_FLOOR bytes: a gzip bomb.
GZIP_RATIO: Final = 250
GZIP_FLOOR: Final = 256 << 20


class LogError(PhaseoutError, ValueError):
    """A log source cannot be read at all (no such file, no file matching a glob)."""


@dataclass(frozen=True, slots=True)
class Site:
    """One deprecated symbol used from one place in the code."""

    symbol: str
    package: str
    phase: str
    since: str | None
    removed_in: str | None
    replacement: str | None
    caller: str
    file: str
    line: int
    package_key: str = field(compare=False, repr=False, default="")
    _hash: int = field(compare=False, repr=False, default=0)

    def __post_init__(self) -> None:
        # Sites key every tally: hash the nine fields once, not at every lookup.
        fields = (self.symbol, self.package, self.phase, self.since, self.removed_in)
        place = (self.replacement, self.caller, self.file, self.line)
        object.__setattr__(self, "_hash", hash((fields, place)))

    def __hash__(self) -> int:
        return self._hash


@dataclass(frozen=True, slots=True)
class UsageEvent:
    """One event from a log: ``deprecated_call`` (``count`` 0) or ``deprecated_usage``."""

    event: str
    timestamp: str
    count: int
    pid: int | None
    site: Site


class _Broken(Exception):
    """A line that claims to be a phaseout event and is not a valid one."""


@dataclass(frozen=True, slots=True)
class Rollback:
    """A rollout's ``rollout_rolled_back`` events: how many, when, and the last one's numbers."""

    rollout: str
    count: int
    first: str
    last: str
    reasons: dict[str, float]


def parse_moment(value: str, *, end_of_day: bool = False) -> bytes:
    """A date or ISO 8601 date-time (naive means UTC) as a fixed-width UTC timestamp.

    With *end_of_day*, a bare date means the last instant of that day (for ``--until``).
    """
    text = value.strip()
    try:
        if len(text) == 10:
            moment = datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
            if end_of_day:
                moment += timedelta(days=1, microseconds=-1)
        else:
            moment = _aware(datetime.fromisoformat(_zulu(text)))
        return _canonical(moment)
    except (ValueError, OverflowError, _Broken):
        raise ValueError(
            f"a date must be YYYY-MM-DD or an ISO 8601 date-time, got {value!r}"
        ) from None


def _zulu(text: str) -> str:
    # Python 3.10's fromisoformat does not know the "Z" suffix.
    return text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _canonical(moment: datetime) -> bytes:
    """A fixed-width UTC timestamp; ``_Broken`` for a moment outside years 1-9999 in UTC
    (``0001-01-01T00:00:00+14:00``). The year is padded by hand: ``strftime("%Y")`` is not,
    on every platform."""
    try:
        utc = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise _Broken from None
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
        f"{utc.second:02d}.{utc.microsecond:06d}Z"
    ).encode()


def _timestamp(value: object) -> bytes:
    if isinstance(value, str):
        try:
            return _canonical(_aware(datetime.fromisoformat(_zulu(value))))
        except ValueError:
            raise _Broken from None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        try:
            return _canonical(datetime.fromtimestamp(value, timezone.utc))
        except (OverflowError, OSError, ValueError):
            raise _Broken from None
    raise _Broken


def _optional_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _Broken


def _text(value: object) -> str:
    if isinstance(value, str) and value:
        return value
    raise _Broken


def _natural(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise _Broken


class LineParser:
    """Turns lines into events, remembering the call sites it has decoded."""

    def __init__(self) -> None:
        self._tails: dict[bytes, Site | None] = {}
        self._tail_bytes = 0
        self._sites: dict[Site, Site] = {}
        self._days: dict[bytes, bool] = {}

    def site(self, data: dict[str, Any]) -> Site:
        phase = data.get("phase")
        if type(phase) is not str or phase not in _PHASES:  # (a list is not even hashable)
            raise _Broken
        package = _text(data.get("package"))
        site = Site(
            symbol=_text(data.get("symbol")),
            package=package,
            phase=phase,
            since=_optional_text(data.get("since")),
            removed_in=_optional_text(data.get("removed_in")),
            replacement=_optional_text(data.get("replacement")),
            caller=_text(data.get("caller")),
            file=_text(data.get("file")),
            line=_natural(data.get("line")),
            package_key=normalize_name(package),
        )
        if len(self._sites) >= _CACHE_LIMIT:
            self._sites.clear()
        return self._sites.setdefault(site, site)

    def tail_site(self, tail: bytes) -> Site | None:
        """The site a tail (``"symbol":...}``) names; None when only ``json`` can tell."""
        try:
            return self._tails[tail]
        except KeyError:
            pass
        site: Site | None = None
        try:
            data = _loads(b"{" + tail)
            if isinstance(data, dict) and data.keys() == _SITE_KEYS:
                site = self.site(data)
        except (ValueError, RecursionError, _Broken):
            site = None
        if len(self._tails) >= _CACHE_LIMIT or self._tail_bytes > CACHE_BYTES:
            self._tails.clear()
            self._tail_bytes = 0
        self._tails[tail] = site
        self._tail_bytes += len(tail)
        return site

    def day_ok(self, day: bytes) -> bool:
        ok = self._days.get(day)
        if ok is None:
            try:
                date.fromisoformat(day.decode())
                ok = True
            except ValueError:
                ok = False
            if len(self._days) >= _CACHE_LIMIT:
                self._days.clear()
            self._days[day] = ok
        return ok

    def rollout(self, line: bytes) -> tuple[str, str, bytes, int] | None:
        """``(rollout, path, timestamp, count)`` of a ``rollout_usage`` line; None for other
        lines, ``_Broken`` for a bad one."""
        data = _event(line, _ROLLOUT_MARKER, _ROLLOUT_EVENT)
        if data is None:
            return None
        path = data.get("path")
        if type(path) is not str or path not in _PATHS:
            raise _Broken
        stamp = _timestamp(data.get("timestamp"))
        return _text(data.get("rollout")), path, stamp, _natural(data.get("count"))

    def rollback(self, line: bytes) -> tuple[str, bytes, dict[str, float]] | None:
        """``(rollout, timestamp, numbers)`` of a ``rollout_rolled_back`` line; None for
        other lines, ``_Broken`` for a bad one."""
        data = _event(line, _ROLLBACK_MARKER, _ROLLBACK_EVENT)
        if data is None:
            return None
        numbers = {
            key: float(value)
            for key, value in data.items()
            if key not in _ROLLBACK_FIXED
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
            and math.isfinite(value)
        }
        return _text(data.get("rollout")), _timestamp(data.get("timestamp")), numbers

    def slow(self, line: bytes) -> tuple[bool, bytes, int, int | None, Site] | None:
        """Parse any JSON line: None for other lines, ``_Broken`` for bad phaseout ones."""
        data = _event(line, _MARKER, USAGE_EVENTS)
        if data is None:
            return None
        usage = data["event"] == "deprecated_usage"
        count = _natural(data.get("count")) if usage else 0
        pid = data.get("pid")
        if pid is not None:
            pid = _natural(pid)
        return usage, _timestamp(data.get("timestamp")), count, pid, self.site(data)


def _loads(data: bytes) -> Any:
    """``json.loads`` of a log line, read as UTF-8 (a leading byte-order mark allowed).

    ``json.loads`` of bytes would guess UTF-16 or UTF-32 from where NUL bytes fall, so a
    line that begins with one could parse as a string of CJK characters, or not, depending
    on its length: a log is UTF-8.
    """
    return json.loads(data.decode("utf-8-sig", "surrogatepass"))


def _event(line: bytes, marker: re.Pattern[bytes], names: frozenset[str]) -> dict[str, Any] | None:
    """The JSON object of one of phaseout's events named *names*, of a schema this reader
    knows. None for any other line; ``_Broken`` for one that claims to be such an event
    (*marker* finds it in text that is not JSON) and is not valid."""
    try:
        data = _loads(line)
    except (ValueError, RecursionError):
        if marker.search(line):
            raise _Broken from None
        return None
    if not isinstance(data, dict):
        return None
    event = data.get("event")
    if type(event) is not str or event not in names:
        return None
    schema = data.get("schema")
    if schema != SCHEMA or isinstance(schema, bool):
        raise _Broken
    return data


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


def canonical_tail(site: Site) -> bytes:
    """The tail phaseout's sink would write for *site*: events read slowly fold with it."""
    fields = {name: getattr(site, name) for name in _SITE_ORDER}
    return json.dumps(fields, separators=(",", ":")).encode()[1:]


def parse_line(parser: LineParser, line: bytes) -> tuple[bool, bytes, int, int | None, Site] | None:
    """``(is_usage, timestamp, count, pid, site)``, None for other lines, or ``_Broken``."""
    match = HEAD.match(line)
    if match is not None:
        day, time_of_day, count, pid = match.groups()
        site = parser.tail_site(line[match.end() :])
        if site is not None and parser.day_ok(day):
            return count is not None, day + time_of_day, int(count or 0), int(pid), site
    return parser.slow(line)


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

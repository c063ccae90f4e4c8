"""What one log line says: a phaseout event (a call site, a count, a time), a rollout's, or
nothing phaseout wrote.

Lines phaseout's own sink wrote have a fixed layout: the fields that vary (timestamp, count,
pid) first, the call site last. The fast path matches the varying head with one regular
expression (:data:`HEAD`) and looks the call-site tail up in a cache, so a repeated site is
decoded once. It only accepts what ``json.loads`` of the whole line would give: anything else
(other key orders, spacing, escapes, duplicate keys) takes the slow path through ``json``.
A line that claims to be an event and cannot be trusted raises :class:`_Broken` (skipped).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final

from .._config import normalize_name
from ..phases import Phase
from ..processors import SCHEMA, USAGE_EVENTS

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

"""Summing usage: events are folded into one tally per (call site, day), and every grouping,
total and chart is derived from those tallies, whose number is small whatever the log size.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, TypeVar

from .._config import normalize_name
from ._reader import ReadStats, Site, expand, parse_lines, parse_moment, read_lines

__all__ = ["GROUPINGS", "Row", "Summary", "summarize"]

#: What rows can be grouped by. ``site`` is one line of code (caller, file and line).
GROUPINGS: Final = ("symbol", "caller", "site", "package", "phase", "day")
DEFAULT_GROUPING: Final = ("symbol", "caller")
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Row:
    """Usage for one group. A field the grouping does not fix holds the value its events
    share, or None when they differ; ``phase`` is the most recently seen phase."""

    symbol: str | None
    package: str | None
    phase: str
    caller: str | None
    count: int
    first_seen: str
    last_seen: str
    file: str | None = None
    line: int | None = None
    day: str | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """The result of reading logs: rows for the grouping and what reading found.

    ``events`` counts phaseout events that passed the filters, ``skipped`` broken lines,
    ``ignored`` other lines. :meth:`regroup` gives rows for another grouping without reading
    the logs again, :meth:`daily` counts per symbol and day.
    """

    by: tuple[str, ...]
    rows: list[Row]
    events: int
    skipped: int
    ignored: int
    tallies: dict[tuple[Site, bytes], _Tally] = field(default_factory=dict, repr=False)

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)

    def regroup(self, by: Sequence[str]) -> list[Row]:
        return _rows(self.tallies, check_grouping(by))

    def daily(self) -> dict[str, dict[str, int]]:
        """symbol -> day (``YYYY-MM-DD``) -> uses, days in order, every day with events."""
        daily: dict[str, dict[str, int]] = {}
        for (site, day), tally in self.tallies.items():
            per_day = daily.setdefault(site.symbol, {})
            per_day[day.decode()] = per_day.get(day.decode(), 0) + tally.count
        return {symbol: dict(sorted(days.items())) for symbol, days in sorted(daily.items())}

    def matching(self, pattern: str) -> list[Row]:
        """Rows whose symbol matches the glob *pattern* (case-sensitive)."""
        return [row for row in self.rows if fnmatch.fnmatchcase(row.symbol or "", pattern)]


class _Tally:
    __slots__ = ("calls", "count", "first", "last")

    def __init__(self, stamp: bytes) -> None:
        self.count = 0
        self.calls = 0
        self.first = stamp
        self.last = stamp


def check_grouping(by: Sequence[str]) -> tuple[str, ...]:
    unknown = [key for key in by if key not in GROUPINGS]
    if unknown or not by:
        raise ValueError(f"by must be a non-empty list of {', '.join(GROUPINGS)}, got {list(by)!r}")
    return tuple(dict.fromkeys(by))


def summarize(
    sources: Iterable[str | os.PathLike[str]],
    *,
    by: Sequence[str] = DEFAULT_GROUPING,
    since: str | None = None,
    until: str | None = None,
    package: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Read the logs in *sources* (paths, globs, ``"-"``) and sum usage per *by* group.

    *since* and *until* are dates (``YYYY-MM-DD``, *until* inclusive) or ISO 8601 date-times;
    *package* keeps one package's events. ``deprecated_usage`` counts are summed;
    ``deprecated_call`` events mark when and where a site was first used.
    """
    grouping = check_grouping(by)
    low = parse_moment(since) if since else None
    high = parse_moment(until, end_of_day=True) if until else None
    wanted = normalize_name(package) if package else None
    stats = ReadStats()
    names = expand(os.fspath(source) for source in sources)
    tallies: dict[tuple[Site, bytes], _Tally] = {}
    get = tallies.get
    for usage, stamp, count, _pid, site in parse_lines(read_lines(names, stats, progress), stats):
        if (
            (wanted is not None and site.package_key != wanted)
            or (low is not None and stamp < low)
            or (high is not None and stamp > high)
        ):
            stats.events -= 1
            continue
        key = (site, stamp[:10])
        tally = get(key)
        if tally is None:
            tally = tallies[key] = _Tally(stamp)
        if usage:
            tally.count += count
        else:
            tally.calls += 1
        if stamp < tally.first:
            tally.first = stamp
        elif stamp > tally.last:
            tally.last = stamp
    return Summary(
        by=grouping,
        rows=_rows(tallies, grouping),
        events=stats.events,
        skipped=stats.skipped,
        ignored=stats.ignored,
        tallies=tallies,
    )


def _group_key(site: Site, day: bytes, grouping: tuple[str, ...]) -> tuple[object, ...]:
    parts: list[object] = []
    for name in grouping:
        if name == "site":
            parts += (site.caller, site.file, site.line)
        elif name == "day":
            parts.append(day)
        else:
            parts.append(getattr(site, name))
    return tuple(parts)


def _shared(values: Iterable[_T]) -> _T | None:
    distinct = set(values)
    return next(iter(distinct)) if len(distinct) == 1 else None


def _rows(tallies: dict[tuple[Site, bytes], _Tally], grouping: tuple[str, ...]) -> list[Row]:
    groups: dict[tuple[object, ...], list[tuple[Site, bytes, _Tally]]] = {}
    for (site, day), tally in tallies.items():
        groups.setdefault(_group_key(site, day, grouping), []).append((site, day, tally))
    rows = []
    for members in groups.values():
        latest_site, _, latest = max(members, key=lambda member: member[2].last)
        shared_day = _shared(day for _, day, _ in members)
        by_site = "site" in grouping
        rows.append(
            Row(
                symbol=_shared(site.symbol for site, _, _ in members),
                package=_shared(site.package for site, _, _ in members),
                phase=latest_site.phase,
                caller=_shared(site.caller for site, _, _ in members),
                count=sum(tally.count for _, _, tally in members),
                first_seen=min(tally.first for _, _, tally in members).decode(),
                last_seen=latest.last.decode(),
                file=_shared(site.file for site, _, _ in members) if by_site else None,
                line=_shared(site.line for site, _, _ in members) if by_site else None,
                day=shared_day.decode() if "day" in grouping and shared_day else None,
            )
        )
    rows.sort(key=lambda row: (-row.count, row.symbol or "", row.caller or "", row.day or ""))
    return rows

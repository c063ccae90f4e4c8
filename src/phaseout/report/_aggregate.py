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
from . import _fold
from ._duckdb import choose_engine, fold_with_duckdb
from ._fold import Folder, Tally, fold_in_parallel
from ._lines import LineParser, Rollback, Site, parse_moment
from ._reader import GZIP_MAGIC, expand, read_blocks

__all__ = ["GROUPINGS", "Row", "Summary", "summarize"]

#: What rows can be grouped by. ``site`` is one line of code (caller, file and line).
GROUPINGS: Final = ("symbol", "caller", "site", "package", "phase", "day")
DEFAULT_GROUPING: Final = ("symbol", "caller")
_T = TypeVar("_T")

# site -> day -> tally (whose first and last are times of day)
SiteTallies = dict[Site, dict[bytes, Tally]]


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
    tallies: SiteTallies = field(default_factory=dict, repr=False)
    #: rollout -> day -> {"legacy": calls, "new": calls}, from ``rollout_usage`` events.
    rollouts: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    #: Rollouts that rolled back (``rollout_rolled_back`` events), by name.
    rollbacks: list[Rollback] = field(default_factory=list)
    #: Inputs that were not read to their end, and why.
    notes: list[str] = field(default_factory=list)
    #: The engine that read the logs: ``"streaming"`` or ``"duckdb"``.
    engine: str = "streaming"

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)

    def regroup(self, by: Sequence[str]) -> list[Row]:
        return _rows(self.tallies, check_grouping(by))

    def daily(self) -> dict[str, dict[str, int]]:
        """symbol -> day (``YYYY-MM-DD``) -> uses, days in order, every day with events."""
        daily: dict[str, dict[str, int]] = {}
        for site, per_day in self.tallies.items():
            counts = daily.setdefault(site.symbol, {})
            for day, tally in per_day.items():
                counts[day.decode()] = counts.get(day.decode(), 0) + tally.count
        return {symbol: dict(sorted(days.items())) for symbol, days in sorted(daily.items())}

    def matching(self, pattern: str) -> list[Row]:
        """Rows whose symbol matches the glob *pattern* (case-sensitive)."""
        return [row for row in self.rows if fnmatch.fnmatchcase(row.symbol or "", pattern)]


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
    workers: int | None = 1,
    engine: str = "auto",
) -> Summary:
    """Read the logs in *sources* (paths, globs, ``"-"``) and sum usage per *by* group.

    *since* and *until* are dates (``YYYY-MM-DD``, *until* inclusive) or ISO 8601 date-times;
    *package* keeps one package's events. ``deprecated_usage`` counts are summed;
    ``deprecated_call`` events mark when and where a site was first used. With *workers*
    above 1 (``None``: one per CPU, at most 8), plain files of 64 MiB or more are split
    between that many processes; the default reads everything in this process, which needs
    no ``if __name__ == "__main__":`` guard in the calling script.

    *engine* ``"streaming"`` reads in Python; ``"duckdb"`` has DuckDB sum the lines
    (``pip install 'phaseout[duckdb]'``), with identical results; ``"auto"`` (the default)
    splits large plain files between *workers* as above, and hands the other inputs to
    DuckDB when it is installed and they are large (see ``DUCKDB_INPUT``).
    """
    grouping = check_grouping(by)
    folder = Folder(
        parse_moment(since) if since else None,
        parse_moment(until, end_of_day=True) if until else None,
    )
    if workers is None:
        workers = min(available_cpus(), 8)
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers!r}")
    # More processes than CPUs only compete for them (and a huge number would never start).
    workers = min(workers, available_cpus())
    names = expand(os.fspath(source) for source in sources)
    engine = _read(folder, names, engine, workers, progress)
    tallies = _by_site(folder, normalize_name(package) if package else None)
    return Summary(
        by=grouping,
        rows=_rows(tallies, grouping),
        events=sum(tally.events for per_day in tallies.values() for tally in per_day.values()),
        skipped=folder.stats.skipped,
        ignored=folder.stats.ignored,
        tallies=tallies,
        rollouts={
            rollout: {
                day.decode(): {"legacy": legacy, "new": new}
                for day, (legacy, new) in sorted(days.items())
            }
            for rollout, days in sorted(folder.rollouts.items())
        },
        rollbacks=[
            Rollback(rollout, count, first.decode(), last.decode(), numbers)
            for rollout, (count, first, last, numbers) in sorted(folder.rollbacks.items())
        ],
        notes=list(folder.stats.notes),
        engine=engine,
    )


def _read(
    folder: Folder,
    names: list[str],
    engine: str,
    workers: int,
    progress: Callable[[int], None] | None,
) -> str:
    """Fold *names* into *folder*; the engine that summed them. When DuckDB, chosen by
    ``auto``, cannot run (not importable, no room for its spill files), the streaming reader
    reads what DuckDB would have: DuckDB's partial sums were kept apart, and are dropped."""
    # Large plain files are split between processes (unless DuckDB was asked for): that is
    # faster than DuckDB for them. `auto` gives DuckDB the other inputs when they are large.
    split = [] if engine == "duckdb" else [n for n in names if workers > 1 and _splittable(n)]
    others = [name for name in names if name not in split]
    chosen = choose_engine(engine, others)
    for name in split:
        fold_in_parallel(folder, name, workers)
        if progress is not None:
            progress(folder.stats.bytes_read)
    done = folder.stats.bytes_read
    report = None if progress is None else lambda n: progress(done + n)
    if chosen == "duckdb":
        summed = Folder(folder.low, folder.high)
        try:
            fold_with_duckdb(summed, others, report)
        except (ImportError, OSError) as error:
            if engine != "auto":
                raise
            folder.stats.notes.append(
                f"the DuckDB engine could not run ({type(error).__name__}: {error}); "
                f"read with the streaming reader instead"
            )
            chosen = "streaming"
        else:
            folder.merge(summed.tallies, summed.stats, summed.rollouts, summed.rollbacks)
            return chosen
    for block in read_blocks(others, folder.stats, report):
        folder.fold(block)
    return chosen


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity), else the machine's."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on every platform
        return max(1, os.cpu_count() or 1)


def _splittable(name: str) -> bool:
    if name == "-" or os.path.getsize(name) < _fold.PARALLEL_INPUT:  # (read now: tests set it)
        return False
    with open(name, "rb") as stream:
        return stream.read(2) != GZIP_MAGIC


def _by_site(folder: Folder, package: str | None) -> SiteTallies:
    """The folder's tallies keyed by decoded site; only *package*'s when given."""
    parser: LineParser = folder.parser
    tallies: SiteTallies = {}
    for tail, per_day in folder.tallies.items():
        site = parser.tail_site(tail)
        if not per_day or site is None or (package is not None and site.package_key != package):
            continue  # no day: its only lines had an impossible date, and were skipped
        mine = tallies.get(site)
        if mine is None:
            tallies[site] = per_day
            continue
        for day, tally in per_day.items():  # two tails, one site (a line in another form)
            if day in mine:
                mine[day].merge(tally)
            else:
                mine[day] = tally
    return tallies


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


def _rows(tallies: SiteTallies, grouping: tuple[str, ...]) -> list[Row]:
    members_of: dict[tuple[object, ...], list[tuple[Site, bytes, Tally]]] = {}
    for site, day, tally in _members(tallies, by_day="day" in grouping):
        members_of.setdefault(_group_key(site, day, grouping), []).append((site, day, tally))
    rows = []
    by_site = "site" in grouping
    for members in members_of.values():
        # Ties broken on every field: rows must not depend on the order lines were read in.
        latest_site, _, latest = max(
            members, key=lambda member: (member[2].last, _order(member[0]))
        )
        shared_day = _shared(day for _, day, _ in members)
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
    rows.sort(key=_row_order)
    return rows


def _order(site: Site) -> tuple[object, ...]:
    return (site.symbol, site.package, site.phase, site.since or "", site.removed_in or "",
            site.replacement or "", site.caller, site.file, site.line)  # fmt: skip


def _row_order(row: Row) -> tuple[object, ...]:
    """Most used first, then by name; every field decides a tie, for a stable report."""
    return (-row.count, row.symbol or "", row.caller or "", row.day or "", row.package or "",
            row.phase, row.file or "", row.line or 0, row.first_seen, row.last_seen)  # fmt: skip


def _members(tallies: SiteTallies, *, by_day: bool) -> list[tuple[Site, bytes, Tally]]:
    """(site, day, tally with full timestamps): one per site and day, or one per site."""
    members = []
    for site, per_day in tallies.items():
        if by_day:
            for day, tally in per_day.items():
                members.append((site, day, _stamped(day, tally, day, tally, (tally,))))
        else:
            first, last = min(per_day), max(per_day)  # days sort as strings
            members.append(
                (site, b"", _stamped(first, per_day[first], last, per_day[last], per_day.values()))
            )
    return members


def _stamped(
    first_day: bytes, first: Tally, last_day: bytes, last: Tally, parts: Iterable[Tally]
) -> Tally:
    """A tally summing *parts*, with full first and last timestamps."""
    total = Tally(first_day + first.first)
    total.last = last_day + last.last
    for part in parts:
        total.count += part.count
        total.calls += part.calls
        total.events += part.events
    return total


def usage_by_symbol(sources: Sequence[str]) -> dict[str, tuple[int, int, str | None]]:
    """Per symbol: calls, distinct callers and the last time seen in the usage logs *sources*
    (what ``phaseout audit``, ``guide`` and ``audit --watch`` join to declarations)."""
    summary = summarize(list(sources), by=("symbol", "caller"))
    found: dict[str, tuple[int, int, str | None]] = {}
    for row in summary.rows:
        if row.symbol is None:
            continue
        calls, callers, last = found.get(row.symbol, (0, 0, None))
        found[row.symbol] = (
            calls + row.count,
            callers + 1,
            max(filter(None, (last, row.last_seen))),
        )
    return found

"""Who still uses what a release removes: usage logs summed once, by ``phaseout.report``.

The logs are read by the report's engine (DuckDB for large sets, where installed), once;
everything here works on its per-site, per-day tallies, whose number does not grow with the
size of the logs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..report import Summary, summarize

__all__ = ["Impact", "Usage", "read_impact"]

SiteKey = tuple[str, str, int]  # (caller, file, line)


@dataclass
class Usage:
    """One API's use in the logs."""

    daily: dict[date, int] = field(default_factory=dict)
    # Each call site and its calls per day.
    sites: dict[SiteKey, dict[date, int]] = field(default_factory=dict)
    # A process announces each call site it uses once (a `deprecated_call` event).
    announcements: int = 0

    @property
    def total(self) -> int:
        return sum(self.daily.values())

    def callers(self) -> set[str]:
        """The calling modules (``caller`` is ``module:function``)."""
        return {caller.partition(":")[0] for caller, _, _ in self.sites}

    def calls(self, first: date, last: date) -> int:
        """Calls from *first* to *last*, both included."""
        return sum(count for day, count in self.daily.items() if first <= day <= last)

    def sites_used(self, first: date, last: date) -> set[SiteKey]:
        return {site for site, days in self.sites.items() if any(first <= d <= last for d in days)}

    def calls_by_caller(self, first: date, last: date) -> dict[str, int]:
        """Calls from *first* to *last* per calling module."""
        found: dict[str, int] = {}
        for (caller, _, _), days in self.sites.items():
            calls = sum(count for day, count in days.items() if first <= day <= last)
            if calls:
                module = caller.partition(":")[0]
                found[module] = found.get(module, 0) + calls
        return found


@dataclass
class Impact:
    """Usage per symbol, the days the logs cover, and the rollouts they saw."""

    by_symbol: dict[str, Usage]
    first_day: date | None
    last_day: date | None
    rollouts: dict[str, dict[str, dict[str, int]]]
    rollbacks: dict[str, int]
    events: int
    skipped: int
    engine: str

    def usage(self, symbol: str) -> Usage:
        return self.by_symbol.get(symbol) or Usage()

    def days(self, weeks: int) -> list[date]:
        """The last *weeks* weeks of days the logs cover, oldest first."""
        if self.last_day is None or self.first_day is None:
            return []
        start = max(self.first_day, self.last_day - timedelta(days=7 * weeks - 1))
        return [start + timedelta(days=n) for n in range((self.last_day - start).days + 1)]


def _expanded(sources: Sequence[str]) -> list[str]:
    """*sources*, a folder (a synced log tree) standing for its ``.jsonl`` and ``.jsonl.gz``
    files at any depth."""
    found: list[str] = []
    for source in sources:
        if os.path.isdir(source):
            files = sorted(
                os.path.join(folder, name)
                for folder, _, names in os.walk(source)
                for name in names
                if name.endswith((".jsonl", ".jsonl.gz"))
            )
            if not files:
                raise ValueError(f"--usage: no .jsonl or .jsonl.gz file in the folder {source!r}")
            found += files
        else:
            found.append(source)
    return found


def read_impact(sources: Sequence[str], package: str, *, engine: str = "auto") -> Impact:
    """Sum the usage logs *sources* (paths, globs, folders) for *package*."""
    summary: Summary = summarize(
        _expanded(sources), by=("symbol",), package=package, engine=engine, workers=None
    )
    by_symbol: dict[str, Usage] = {}
    days: set[date] = set()
    for site, per_day in summary.tallies.items():
        usage = by_symbol.setdefault(site.symbol, Usage())
        key = (site.caller, site.file, site.line)
        used = usage.sites.setdefault(key, {})
        for raw_day, tally in per_day.items():
            day = date.fromisoformat(raw_day.decode())
            days.add(day)
            usage.announcements += tally.calls
            if tally.count:
                usage.daily[day] = usage.daily.get(day, 0) + tally.count
                used[day] = used.get(day, 0) + tally.count
    for rollout_days in summary.rollouts.values():
        days.update(date.fromisoformat(day) for day in rollout_days)
    return Impact(
        by_symbol=by_symbol,
        first_day=min(days) if days else None,
        last_day=max(days) if days else None,
        rollouts=summary.rollouts,
        rollbacks={rollback.rollout: rollback.count for rollback in summary.rollbacks},
        events=summary.events,
        skipped=summary.skipped,
        engine=summary.engine,
    )

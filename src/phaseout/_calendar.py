"""A package's release calendar: the date of each release, planned or past.

``[tool.phaseout.releases]`` in pyproject.toml (or ``phaseout.policy(..., releases=...)``)
maps versions to dates, plus an optional ``cadence`` ("12 weeks", "3 months") that dates the
versions after the last one listed. Phases still follow the installed version; the calendar
gives each boundary of a versioned timeline a date, for the audit, the guide and the plan.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Final, NamedTuple

from packaging.version import InvalidVersion, Version

from ._dates import parse_date

__all__ = ["Calendar", "Dated", "parse_cadence"]

#: How long before its release an unlisted pre-release is dated (the loud phase's start).
PRERELEASES_BEFORE: Final = timedelta(weeks=4)
_CADENCE: Final = re.compile(r"\s*(\d+)\s*(day|week|month)s?\s*", re.IGNORECASE)


class Dated(NamedTuple):
    """A version's date, and whether the cadence estimated it (not in the calendar)."""

    day: date
    estimated: bool


def parse_cadence(owner: str, value: object) -> tuple[int, str]:
    """``"12 weeks"`` as ``(12, "week")``; days, weeks and months."""
    match = _CADENCE.fullmatch(value) if isinstance(value, str) else None
    if match is None or int(match.group(1)) == 0:
        raise ValueError(
            f"{owner}: cadence must be a number of days, weeks or months such as '12 weeks', "
            f"got {value!r}"
        )
    return int(match.group(1)), match.group(2).lower()


def _add(day: date, count: int, unit: str) -> date:
    if unit == "day":
        return day + timedelta(days=count)
    if unit == "week":
        return day + timedelta(weeks=count)
    month_index = day.month - 1 + count
    year, month = day.year + month_index // 12, month_index % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def _steps(low: Version, high: Version) -> int:
    """How many releases of a major.minor cadence lead from *low* to *high* (at least 1)."""
    (a_major, a_minor), (b_major, b_minor) = ((*v.release, 0)[:2] for v in (low, high))
    if b_major > a_major:
        return (b_major - a_major) + b_minor
    if b_minor > a_minor:
        return b_minor - a_minor
    return 1  # a patch release: one step as well


class Calendar:
    """Release dates by version; see the module's docstring."""

    __slots__ = ("cadence", "releases")

    def __init__(
        self, releases: Mapping[Version, date], cadence: tuple[int, str] | None = None
    ) -> None:
        self.releases = dict(sorted(releases.items()))
        self.cadence = cadence

    @classmethod
    def parse(cls, owner: str, table: object) -> Calendar:
        """A calendar from ``{"2.0": "2027-01-15", ..., "cadence": "12 weeks"}`` (a TOML
        table: dates may be TOML dates); errors name *owner*, the key and the fix."""
        if not isinstance(table, Mapping):
            raise ValueError(
                f"{owner}: the release calendar must be a table of versions and dates such "
                f"as {{'2.0': '2027-01-15'}}, got {table!r}"
            )
        releases: dict[Version, date] = {}
        cadence = None
        for key, value in table.items():
            if key == "cadence":
                cadence = parse_cadence(owner, value)
                continue
            try:
                version = Version(str(key))
            except InvalidVersion:
                raise ValueError(
                    f"{owner}: release calendar keys must be PEP 440 versions (or 'cadence'), "
                    f"got {key!r}"
                ) from None
            releases[version] = parse_date(owner, f"the date of {key}", value)
        ordered = sorted(releases.items())
        for (low, low_day), (high, high_day) in itertools.pairwise(ordered):
            if high_day < low_day:
                raise ValueError(
                    f"{owner}: release dates must not go back in time, got {low} on "
                    f"{low_day} and {high} on {high_day}"
                )
        return cls(releases, cadence)

    def __bool__(self) -> bool:
        return bool(self.releases)

    def date_of(self, version: Version) -> Dated | None:
        """*version*'s date: listed, or estimated from the cadence. A pre-release that is not
        listed (``3.0.dev0``, where a timeline turns loud) is dated four weeks before its
        release, and never before the release that precedes it."""
        listed = self.releases.get(version)
        if listed is not None:
            return Dated(listed, False)
        earlier = [(v, d) for v, d in self.releases.items() if v < version]
        if not earlier:
            return None
        base, base_day = earlier[-1]
        if version.is_prerelease:
            final = self.date_of(Version(version.base_version))
            if final is None:
                return Dated(base_day, True)
            return Dated(max(base_day, final.day - PRERELEASES_BEFORE), True)
        if self.cadence is None:
            return None
        count, unit = self.cadence
        estimate = _add(base_day, count * _steps(base, version), unit)
        later = [d for v, d in self.releases.items() if v > version]
        if later and estimate > later[0]:
            estimate = later[0]
        return Dated(estimate, True)

    def version_on(self, day: date) -> Version | None:
        """The latest release listed on or before *day*."""
        found = None
        for version, released in self.releases.items():
            if released <= day and not version.is_prerelease:
                found = version
        return found

    def __repr__(self) -> str:
        items = ", ".join(f"{v}: {d}" for v, d in self.releases.items())
        return f"Calendar({{{items}}}, cadence={self.cadence!r})"

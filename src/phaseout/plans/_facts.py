"""What a release removes or changes, with the dates of each phase: the facts a plan states.

Read from the declarations of the package (imported, as ``phaseout audit`` does), its
release calendar, its rollouts and its stored-record versions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from packaging.version import Version

from .. import _dates, _pyproject
from .._calendar import Calendar
from .._hotpath import Declaration
from .._packages import Moment, import_all, parse_moment, qualified_name, rollouts_of
from .._registry import declarations
from .._rewritable import automatic
from ..phases import Phase, Timeline
from ..policies import release_calendar

__all__ = ["API", "Boundary", "Facts", "RolloutFacts", "gather"]

#: The phases a plan dates, with the timeline boundary each starts at.
PHASES: Final = (
    ("announced", None),
    ("deprecated", "since"),
    ("forwarded", "compat_in"),
    ("loud", "hard_start"),
    ("removed", "removed_in"),
)
_COMMAND: Final = re.compile(r"`(phaseout data migrate [^`]+)`")


@dataclass(frozen=True)
class Boundary:
    """When one phase of an API starts: a version and/or a date (``estimated`` when the
    calendar's cadence, not a listed release, gives the date)."""

    phase: str
    version: str | None
    day: date | None
    estimated: bool = False

    @property
    def when(self) -> str:
        """``"3.0 (2027-07-15)"``, ``"2027-06-30"``, ``"3.0 (~2027-10-01)"`` or ``"3.0"``."""
        day = "" if self.day is None else f"{'~' if self.estimated else ''}{self.day}"
        if self.version is None:
            return day or "-"
        return f"{self.version} ({day})" if day else self.version


@dataclass(frozen=True)
class API:
    """One API the release removes or changes."""

    symbol: str
    kind: str
    replacement: str | None
    reason: str | None
    guide: str | None
    boundaries: tuple[Boundary, ...]
    automated: str | None  # what `phaseout fix` rewrites by itself ("every use"), if anything
    data_migration: str | None  # the `phaseout data migrate ...` command of a record version

    def boundary(self, phase: str) -> Boundary | None:
        return next((b for b in self.boundaries if b.phase == phase), None)

    def day(self, phase: str) -> date | None:
        found = self.boundary(phase)
        return None if found is None else found.day


@dataclass(frozen=True)
class RolloutFacts:
    """A rollout between a legacy and a new code path of the package."""

    name: str
    legacy: str
    new: str
    percent: float
    scheduled: float | None
    ramp: str | None
    schedule: str | None
    rolled_back: bool


@dataclass(frozen=True)
class Facts:
    package: str
    display: str  # the package's name as users know it (the distribution)
    to: str
    version: Version | None
    removal: date | None  # the target release's date (or the date given as --to)
    estimated: bool
    installed: Version | None
    calendar: Calendar
    apis: tuple[API, ...]
    rollouts: tuple[RolloutFacts, ...]
    config: dict[str, Any]  # [tool.phaseout.plan]
    config_rollouts: dict[str, Any]  # [tool.phaseout.rollouts]
    import_problems: tuple[str, ...]

    @property
    def migration_id(self) -> str:
        return f"MIG-{self.display}-{self.to}"


def _boundaries(decl: Declaration, calendar: Calendar) -> tuple[Boundary, ...]:
    timeline: Timeline = decl.timeline
    found = []
    for phase, name in PHASES:
        if name is None:
            found.append(_announced(timeline, calendar))
            continue
        point = getattr(timeline, name)
        if point is None:
            continue
        if timeline.dated:
            found.append(Boundary(phase, None, _dates.as_date(point)))
            continue
        dated = calendar.date_of(point)
        found.append(
            Boundary(
                phase,
                str(point),
                None if dated is None else dated.day,
                dated is not None and dated.estimated,
            )
        )
    return tuple(found)


def _announced(timeline: Timeline, calendar: Calendar) -> Boundary:
    """A declaration is announced (pending) in the releases before ``since``: the last
    release the calendar lists before it."""
    if timeline.dated:
        return Boundary("announced", None, None)
    earlier = [(v, d) for v, d in calendar.releases.items() if v < timeline.since]
    if not earlier:
        return Boundary("announced", None, None)
    version, day = earlier[-1]
    return Boundary("announced", str(version), day)


def _data_migration(decl: Declaration) -> str | None:
    if decl.kind != "record version":
        return None
    match = _COMMAND.search(str(getattr(decl.wording, "advice", "")))
    return None if match is None else match.group(1)


def _rollouts(package: str, today: date) -> tuple[RolloutFacts, ...]:
    # Where each ramp stands and should stand on the plan's day (now, when that is today).
    when = _dates.now() if today == _dates.today() else _dates.midnight(today)
    return tuple(
        RolloutFacts(
            item.name,
            qualified_name(item.legacy),
            qualified_name(item.new),
            item.ramp_percent(when),
            item.scheduled_percent(when),
            item.stats().ramp,
            None if item.schedule is None else ", ".join(s.text for s in item.schedule.steps),
            item.rolled_back,
        )
        for item in rollouts_of(package)
    )


def _previous_release(calendar: Calendar, version: Version | None) -> Version | None:
    """The last release the calendar lists before *version*."""
    if version is None:
        return None
    earlier = [v for v in calendar.releases if v < version and not v.is_prerelease]
    return max(earlier) if earlier else None


def gather(package: str, to: str, today: date, *, pyproject: Path | None = None) -> Facts:
    """The facts of *package*'s release *to* (a version, or a date for dated timelines)."""
    path = pyproject if pyproject is not None else _pyproject.find(package)
    table = {} if path is None else _pyproject.tool_table(path)
    parse_moment("--to", to, release_calendar(package, path))  # a bad --to fails at once
    problems = import_all(package)
    calendar = release_calendar(package, path)  # after importing: it may declare a policy
    moment: Moment = parse_moment("--to", to, calendar)
    # What this release removes, not what an earlier one did: a versioned declaration
    # already removed at the calendar's release before --to belongs to that release's plan.
    previous = _previous_release(calendar, moment.version)
    removed = sorted(
        (
            d
            for d in declarations(package)
            if moment.phase_of(d.timeline) is Phase.REMOVED
            and not (
                previous is not None
                and not d.timeline.dated
                and d.timeline.phase_at(previous) is Phase.REMOVED
            )
        ),
        key=lambda d: d.symbol,
    )
    apis = tuple(
        API(
            symbol=decl.symbol,
            kind=decl.kind,
            replacement=decl.replacement,
            reason=decl.reason,
            guide=decl.guide,
            boundaries=_boundaries(decl, calendar),
            automated=automatic(decl),
            data_migration=_data_migration(decl),
        )
        for decl in removed
    )
    mine = declarations(package)
    display = removed[0].package if removed else (mine[0].package if mine else package)
    installed = mine[0].source.resolve(None) if mine and not mine[0].timeline.dated else None
    dated = None if moment.version is None else calendar.date_of(moment.version)
    config = table.get("plan", {})
    rollouts_config = table.get("rollouts", {})
    for what, value in (
        ("[tool.phaseout.plan]", config),
        ("[tool.phaseout.rollouts]", rollouts_config),
    ):
        if not isinstance(value, dict):
            raise ValueError(f"{path}: {what} must be a table, got {value!r}")
    return Facts(
        package=package,
        display=display,
        to=to,
        version=moment.version,
        removal=moment.day,
        estimated=dated is not None and dated.estimated,
        installed=installed,
        calendar=calendar,
        apis=apis,
        rollouts=_rollouts(package, today),
        config=config,
        config_rollouts=rollouts_config,
        import_problems=tuple(f"{module} ({why})" for module, why in problems),
    )

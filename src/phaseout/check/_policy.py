"""What the package's ``[tool.phaseout]`` asks of a break: the minimum deprecation window,
the release calendar, deliberate breaks allowed, and paths left out of the check."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

from packaging.version import InvalidVersion, Version

from .._calendar import Calendar
from .._dates import parse_date
from .._pyproject import tool_table
from ._declared import CheckError

__all__ = ["KINDS", "Allowed", "CheckPolicy", "parse_version", "read_policy"]

#: The kinds of break, as reports and ``allow`` entries spell them (griffe's breakage kinds,
#: in words), plus "still present": a removal that is due and did not happen.
KINDS: Final = (
    "object removed",
    "kind changed",
    "parameter removed",
    "required parameter added",
    "parameter moved",
    "parameter kind changed",
    "parameter made required",
    "default changed",
    "base class removed",
    "return type changed",
    "attribute type changed",
    "attribute value changed",
    "still present",
)


@dataclass(frozen=True, slots=True)
class Allowed:
    """A deliberate break: ``{path = "mylib.old*", kind = "object removed", reason = "..."}``."""

    path: str  # a glob over dotted paths
    kind: str | None
    reason: str

    def matches(self, paths: Sequence[str], kind: str) -> bool:
        if self.kind is not None and self.kind != kind:
            return False
        return any(fnmatch.fnmatchcase(path, self.path) for path in paths)


@dataclass(frozen=True, slots=True)
class CheckPolicy:
    """The rules a check applies; the defaults ask nothing beyond the declared versions."""

    min_releases: int | None = None
    min_days: int | None = None
    calendar: Calendar = field(default_factory=lambda: Calendar({}))
    tags: Mapping[Version, date] = field(default_factory=dict)
    allow: tuple[Allowed, ...] = ()
    exclude: tuple[str, ...] = ()

    def excluded(self, paths: Sequence[str]) -> bool:
        return any(fnmatch.fnmatchcase(p, pattern) for p in paths for pattern in self.exclude)

    def allowed(self, paths: Sequence[str], kind: str) -> Allowed | None:
        return next((entry for entry in self.allow if entry.matches(paths, kind)), None)

    def date_of(self, version: Version) -> date | None:
        dated = self.calendar.date_of(version)
        return dated.day if dated is not None else self.tags.get(version)

    def short_window(self, since: Version, new: Version, today: date) -> str | None:
        """Why a deprecation from *since* removed in *new* was out for less than the policy
        asks, or None when it was long enough (or nothing tells)."""
        if self.min_releases is not None:
            known = sorted({*self.calendar.releases, *self.tags})
            finals = [v for v in known if not v.is_prerelease and since <= v < new]
            count = len(finals) if known else _minor_steps(since, new)
            if count < self.min_releases:
                return (
                    f"deprecated for {count} release{'s' if count != 1 else ''} ({since} to "
                    f"{new}); the policy asks min_releases = {self.min_releases}"
                )
        if self.min_days is not None:
            start, end = self.date_of(since), self.date_of(new) or today
            if start is not None and (end - start).days < self.min_days:
                return (
                    f"deprecated for {(end - start).days} days ({since} on {start} to {new} on "
                    f"{end}); the policy asks min_days = {self.min_days}"
                )
        return None

    def removal_for(self, new: Version) -> str:
        """The removal version to suggest for a deprecation starting in *new*: as many
        minor releases later as ``min_releases`` asks, else the next major release."""
        major, minor = (*new.release, 0)[:2]
        if self.min_releases is not None:
            return f"{major}.{minor + self.min_releases}"
        return f"{major + 1}.0"


def _minor_steps(low: Version, high: Version) -> int:
    (a_major, a_minor), (b_major, b_minor) = ((*v.release, 0)[:2] for v in (low, high))
    if b_major > a_major:
        return b_major - a_major + b_minor
    return max(0, b_minor - a_minor)


def read_policy(
    pyproject: Path | None,
    tags: Mapping[Version, str],
    *,
    exclude: Sequence[str] = (),
) -> CheckPolicy:
    """The policy of ``[tool.phaseout]`` in *pyproject* (none: defaults), with the dates of
    the repository's release *tags*; errors name the key, the value and the fix."""
    table: dict[str, Any] = {}
    where = "[tool.phaseout]"
    if pyproject is not None:
        try:
            table = tool_table(pyproject)
        except (OSError, ValueError, RuntimeError) as error:
            raise CheckError(str(error)) from None
        where = f"{pyproject} [tool.phaseout]"
    min_releases = _count(table, "min_releases", where)
    min_days = _count(table, "min_days", where)
    try:
        calendar = Calendar.parse(f"{where}.releases", table.get("releases", {}))
    except ValueError as error:
        raise CheckError(str(error)) from None
    dated: dict[Version, date] = {}
    for version, day in tags.items():
        try:
            dated[version] = parse_date("git tags", str(version), day)
        except ValueError:
            continue
    section = table.get("check", {})
    if not isinstance(section, Mapping):
        raise CheckError(f"{where}.check must be a table, got {section!r}")
    unknown = sorted(set(section) - {"allow", "exclude"})
    if unknown:
        raise CheckError(f"{where}.check: unknown key {unknown[0]!r} (known: allow, exclude)")
    return CheckPolicy(
        min_releases=min_releases,
        min_days=min_days,
        calendar=calendar,
        tags=dated,
        allow=tuple(
            _allowed(entry, f"{where}.check.allow") for entry in _list(section, "allow", where)
        ),
        exclude=(*_strings(section, "exclude", where), *exclude),
    )


def _count(table: Mapping[str, Any], key: str, where: str) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise CheckError(f"{where}: {key} must be a positive whole number, got {value!r}")
    return value


def _list(section: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = section.get(key, [])
    if not isinstance(value, list):
        raise CheckError(f"{where}.check: {key} must be a list, got {value!r}")
    return value


def _strings(section: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = _list(section, key, where)
    for item in value:
        if not isinstance(item, str) or not item:
            raise CheckError(
                f"{where}.check: {key} must list dotted paths or globs such as "
                f"'mylib.testing.*', got {item!r}"
            )
    return value


def _allowed(entry: object, where: str) -> Allowed:
    example = "{path = 'mylib.old_api', reason = 'removed in the 3.0 redesign'}"
    if not isinstance(entry, Mapping):
        raise CheckError(f"{where}: each entry must be a table such as {example}, got {entry!r}")
    path, kind, reason = entry.get("path"), entry.get("kind"), entry.get("reason")
    extra = sorted(set(entry) - {"path", "kind", "reason"})
    if extra:
        raise CheckError(f"{where}: unknown key {extra[0]!r} in {dict(entry)!r}")
    if not isinstance(path, str) or not path:
        raise CheckError(f"{where}: path must be a dotted path or glob, got {path!r}")
    if not isinstance(reason, str) or not reason.strip():
        raise CheckError(
            f"{where}: {path} needs a reason (why the break is deliberate), got {reason!r}"
        )
    if kind is not None and kind not in KINDS:
        raise CheckError(f"{where}: kind of {path} must be one of {', '.join(KINDS)}, got {kind!r}")
    return Allowed(path, kind, reason.strip())


def parse_version(text: str | None) -> Version | None:
    """A declared version's text as a Version, or None when it is not one."""
    if text is None:
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None

"""``audit()``: every declaration of a package with its timeline and phase, and findings."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Final, NamedTuple

from packaging.version import Version

from .. import _dates
from .._calendar import Calendar
from .._declaration import policy_of
from .._hotpath import Declaration
from .._packages import Moment, parse_moment, qualified_name, rollouts_of
from .._registry import VersionNote, declarations, version_notes
from .._versions import VersionSource
from ..phases import Phase, Timeline
from ..policies import release_calendar
from ..settings import SETTINGS_KINDS
from ._packages import import_all, resolves, usage_by_symbol


class Finding(NamedTuple):
    code: str
    kind: str
    severity: str  # "error", "warning" or "info"
    subject: str  # a symbol or a module
    message: str  # what is wrong, and the fix


# Every finding: code, kind, severity, for docs and --fail-on.
FINDINGS: Final[dict[str, tuple[str, str]]] = {
    "import-error": ("PO100", "error"),
    "overdue": ("PO200", "error"),
    "unresolved-replacement": ("PO300", "error"),
    "no-guide": ("PO400", "info"),
    "no-static-marker": ("PO500", "error"),
    "adapter-mismatch": ("PO600", "error"),
    "unused": ("PO700", "info"),
    "busy": ("PO800", "warning"),
}


def finding(kind: str, subject: str, message: str, severity: str | None = None) -> Finding:
    code, default = FINDINGS[kind]
    return Finding(code, kind, severity or default, subject, message)


_STATIC_KINDS: Final = frozenset({"function", "method", "classmethod", "staticmethod", "class"})


class Entry(NamedTuple):
    """One declaration, as the audit reports it."""

    symbol: str
    kind: str
    since: str
    compat_in: str | None
    hard_in: str | None
    removed_in: str | None
    replacement: str | None
    guide: str | None
    phase: str  # at the installed version ("unknown" when it cannot be told)
    phase_at: str | None  # at --at, when given
    calls: int | None = None  # in the usage logs (with --usage)
    callers: int | None = None
    last_seen: str | None = None
    #: The removal's date: a dated timeline's, or the release calendar's ("~" when estimated).
    removal_date: str | None = None


class RolloutEntry(NamedTuple):
    """A rollout between a legacy and a new code path of the package."""

    name: str
    legacy: str
    new: str
    state: str  # "30%", or "rolled back"


class Audit(NamedTuple):
    package: str
    installed: str | None
    at: str | None
    entries: list[Entry]
    findings: list[Finding]
    rollouts: tuple[RolloutEntry, ...] = ()
    notes: tuple[VersionNote, ...] = ()  # ``phaseout.added`` / ``changed``, by symbol

    def boundaries(self) -> list[str]:
        """Every version a declaration changes phase at, in order: a release plan's columns."""
        found: set[Version] = set()
        for entry in self.entries:
            for text in (entry.since, entry.compat_in, entry.hard_in, entry.removed_in):
                if text is not None and not _dates.is_date_text(text):
                    found.add(Version(text))
        return [str(version) for version in sorted(found)]


def _phase_word(decl: Declaration, version: Version | None) -> str:
    """The phase at the installed *version*; a dated timeline's: today's."""
    if decl.timeline.dated:
        return decl.timeline.phase_on(_dates.today()).value
    if version is None:
        return "unknown"
    return decl.timeline.phase_at(version).value


def boundary_date(timeline: Timeline, name: str, calendar: Calendar) -> str | None:
    """The date of *timeline*'s boundary *name* as text: a dated timeline's own, or the
    release calendar's for a version (``"~2027-04-15"`` when the cadence estimates it)."""
    if timeline.dated:
        day = timeline.date_of(name)
        return None if day is None else day.isoformat()
    version = getattr(timeline, name)
    dated = None if version is None else calendar.date_of(version)
    if dated is None:
        return None
    return f"{'~' if dated.estimated else ''}{dated.day.isoformat()}"


def audit(package: str, *, at: str | None = None, usage: Sequence[str] = ()) -> Audit:
    """Import *package* (a top-level import name) and audit its declarations; with *usage*
    (usage log paths or globs, read as ``phaseout report`` reads them), join their uses."""
    calendar = release_calendar(package)
    moment: Moment | None = None if at is None else parse_moment("--at", at, calendar)
    findings = [finding("import-error", module, why) for module, why in import_all(package)]
    mine = declarations(package)
    # The version of the package audited (also with no declarations: its distribution's).
    source = mine[0].source if mine else VersionSource(package, package, None, None)
    installed = source.resolve(None)
    used = usage_by_symbol(usage) if usage else None
    entries: list[Entry] = []
    for decl in sorted(mine, key=lambda d: d.symbol):
        calls, callers, last_seen = (
            (None, None, None) if used is None else used.get(decl.symbol, (0, 0, None))
        )
        texts = decl.timeline.texts
        entry = Entry(
            symbol=decl.symbol,
            kind=decl.kind,
            since=str(texts["since"]),
            compat_in=texts["compat_in"],
            hard_in=texts["hard_in"],
            removed_in=texts["removed_in"],
            replacement=decl.replacement,
            guide=decl.guide,
            phase=_phase_word(decl, decl.source.resolve(None)),
            phase_at=None if moment is None else _phase_at(decl, moment),
            calls=calls,
            callers=callers,
            last_seen=last_seen,
            removal_date=boundary_date(decl.timeline, "removed_in", calendar),
        )
        entries.append(entry)
        findings += _findings_of(entry, decl)
    findings += _adapter_findings(package)
    return Audit(
        package,
        None if installed is None else str(installed),
        at,
        entries,
        findings,
        _rollouts(package),
        tuple(sorted(version_notes(package), key=lambda n: (n.symbol, Version(n.version)))),
    )


def _phase_at(decl: Declaration, moment: Moment) -> str:
    phase = moment.phase_of(decl.timeline)
    return "unknown" if phase is None else str(phase.value)


def _rollouts(package: str) -> tuple[RolloutEntry, ...]:
    return tuple(
        RolloutEntry(
            item.name,
            qualified_name(item.legacy),
            qualified_name(item.new),
            "rolled back" if item.rolled_back else f"{item.percent:g}%",
        )
        for item in rollouts_of(package)
    )


def _findings_of(entry: Entry, decl: Declaration) -> Iterable[Finding]:
    if entry.phase == Phase.REMOVED.value:
        yield finding(
            "overdue",
            entry.symbol,
            (
                f"removed on {entry.removed_in} and still present today "
                f"({_dates.today().isoformat()}, UTC): delete it (and its declaration)"
                if decl.timeline.dated
                else f"removed in {entry.removed_in} and still present at {decl.package} "
                f"{decl.source.resolve(None)}: delete it (and its declaration) before the release"
            ),
        )
    replacement = entry.replacement
    if (
        replacement
        and decl.kind not in SETTINGS_KINDS  # a settings key, not a dotted path
        and "(" not in replacement.removesuffix("()")
        and not resolves(replacement)
    ):
        yield finding(
            "unresolved-replacement",
            entry.symbol,
            f"replacement {replacement!r} does not resolve: fix the dotted path",
        )
    policy = policy_of(decl)
    if entry.guide is None:
        yield finding(
            "no-guide",
            entry.symbol,
            "no migration guide: pass guide=, or set one for the package with phaseout.policy()",
            "error" if getattr(policy, "require_guide", False) else None,
        )
    if getattr(policy, "require_static", False) and decl.kind in _STATIC_KINDS and not decl.static:
        yield finding(
            "no-static-marker",
            entry.symbol,
            "no PEP 702 decorator under @phaseout.deprecated, so type checkers do not report "
            "its uses: add @typing_extensions.deprecated('...') below it",
        )
    if entry.calls == 0:
        yield finding("unused", entry.symbol, "no use in the usage logs: safe to remove")
    elif entry.calls and entry.phase == Phase.HARD.value:
        yield finding(
            "busy",
            entry.symbol,
            f"still used ({entry.calls} calls from {entry.callers} callers, last "
            f"{entry.last_seen}) and removed in {entry.removed_in}, the next release: tell "
            f"those callers, or move the removal",
        )


def _adapter_findings(package: str) -> Iterable[Finding]:
    """A ``LegacyAdapter`` of *package* whose ``check()`` fails now (its target changed)."""
    adapters = sys.modules.get("phaseout.adapters")
    if adapters is None:
        return
    seen: set[type] = set()
    stack = list(adapters.LegacyAdapter.__subclasses__())
    while stack:
        klass = stack.pop()
        if klass in seen:
            continue
        seen.add(klass)
        stack += klass.__subclasses__()
        if klass.__module__.split(".")[0] != package:
            continue
        problems = klass.check()
        if problems:
            yield finding(
                "adapter-mismatch",
                f"{klass.__module__}.{klass.__qualname__}",
                "; ".join(problems),
            )

"""What a use does in one phase: a *plan*, computed once per declaration and phase.

The warning category and text, the error and message once removed, whether calls go to the
replacement, the package policy's budget, strict mode: everything that does not depend on the
caller. The hot path (``_hotpath``) asks for a plan on the slow path of a use and keeps it until
the settings change or a ``pretend()`` block asks for another phase.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from packaging.version import Version

from . import _dates, _messages, _notices
from ._config import CONFIG
from ._declaration import DeclarationRecord, policy_of
from ._exceptions import (
    DeprecatedWarning,
    PendingWarning,
    PhaseoutWarning,
    RemovalWarning,
    RemovedError,
    UnknownVersionWarning,
    built_plainly,
    share_facts,
)
from .phases import Phase, Timeline

_CATEGORY: Final[Mapping[Phase, type[PhaseoutWarning]]] = {
    Phase.PENDING: PendingWarning,
    Phase.SOFT: DeprecatedWarning,
    Phase.COMPAT: DeprecatedWarning,
    Phase.HARD: RemovalWarning,
}


class Plan:
    """What a use does in one phase: the warning to emit or the error to raise, and the target."""

    __slots__ = (
        "budget", "category", "details", "error", "expires", "forward", "levels", "limit",
        "phase", "removed", "shared", "silent", "skip", "strict", "text", "unknown",
    )  # fmt: skip

    def __init__(
        self,
        decl: DeclarationRecord,
        phase: Phase,
        installed: Version | None,
        pretend: Mapping[str, Version] | None = None,
        *,
        pretended: bool = False,
    ) -> None:
        """*installed* is the version that counts; for a timeline declared by date, the day
        (as ``_dates.as_point`` writes it), *pretended* when ``pretend(today=...)`` set it."""
        self.phase = phase
        if phase is Phase.REMOVED and decl.foreign:
            # Another library's API that is still there (`phaseout.watch`): the project's
            # own code must keep working, so it is the last warning, never an error.
            phase = Phase.HARD
        timeline = decl.timeline
        # When a dated plan stops being right: the next boundary's midnight (UTC).
        self.expires = None if pretended else _expiry(timeline, installed)
        # An unknown version is never a reason to forward a call or to call an API removed.
        forward = (
            installed is not None
            and decl.forward is not None
            and phase in (Phase.COMPAT, Phase.HARD)
        )
        self.forward = forward
        package = decl.package
        self.details: dict[str, Any] = {
            "symbol": decl.symbol,
            "package": package,
            "phase": phase,
            "since": decl.timeline.texts["since"],
            "hard_in": decl.timeline.texts["hard_in"],
            "removed_in": decl.timeline.texts["removed_in"],
            "replacement": decl.replacement,
            "guide": decl.guide,
        }
        self.removed: str | None = None
        self.category: type[Warning] | None = None
        self.text = ""
        self.shared = False
        self.strict = False
        wording = decl.wording
        self.error: type[RemovedError] = RemovedError if wording is None else wording.error
        policy = policy_of(decl)
        # Where the warning points: past the modules the declaration (or its package's
        # policy) skips, and its own extra levels.
        self.skip: tuple[str, ...] = decl.skip or (policy.skip_modules if policy else ())
        self.levels = decl.levels
        self.budget, self.limit = _budget(decl, policy)
        # Nothing to count or say: a changed default that applies now (see `Wording`).
        self.silent = False
        self.unknown: str | None = None  # why the version is unknown, in strict mode
        if installed is None:
            text = decl.source.unknown_text()
            if CONFIG.load().strict != "off":
                self.unknown = text
            else:
                _notices.notice(
                    ("unknown version", decl.source.package or decl.source.top_level),
                    text,
                    UnknownVersionWarning,
                    **self.details,
                )
        if phase is Phase.REMOVED and wording is not None and wording.silent_when_removed:
            # installed is known here: an unknown version never reaches REMOVED.
            self.silent = self.forward = True
            return
        if phase is Phase.REMOVED:
            if timeline.dated and installed is not None:
                day = _dates.as_date(installed).isoformat()
                state = f"today is {day} (UTC){', pretended' if pretended else ''}"
            else:
                # Under pretend() or PHASEOUT_PRETEND, the version is not what is installed.
                how = "pretended" if decl.source.pretends(pretend) else "installed"
                state = f"{installed} is {how}"
            if wording is not None:
                self.removed = wording.removed_text(decl, package, state)
                return
            self.removed = _messages.removed_text(
                kind=decl.kind,
                symbol=decl.symbol,
                package=package,
                timeline=decl.timeline,
                installed=state,
                replacement=decl.replacement,
                reason=decl.reason,
                guide=decl.guide,
            )
            return
        self.category = (
            decl.category
            or (policy and policy.category(phase, wording is not None and wording.change))
            or (_CATEGORY[phase] if wording is None else wording.categories[phase])
        )
        if wording is not None:
            self.text = wording.warning_text(decl, phase, package)
        else:
            self.text = _messages.warning_text(
                kind=decl.kind,
                symbol=decl.symbol,
                package=package,
                timeline=decl.timeline,
                phase=phase,
                replacement=decl.replacement,
                reason=decl.reason,
                guide=decl.guide,
                forwarded=forward,
            )
        # Facts are shared through phaseout's warning classes only (see exceptions._Fact).
        self.shared = (
            issubclass(self.category, PhaseoutWarning)
            and built_plainly(self.category)
            and share_facts(self.category, self.text, self.details)
        )
        strict = CONFIG.load().strict
        self.strict = (strict == "all" and phase is not Phase.PENDING) or (
            strict == "hard" and phase is Phase.HARD
        )


def _budget(decl: DeclarationRecord, policy: Any) -> tuple[str, int | None]:
    """How often *decl*'s uses are shown: Python's rule ("call site") or every time
    ("always"), and the number of uses shown before the rest are only counted (None: no
    limit; a policy's "process" is 1)."""
    budget = decl.budget
    if budget is None and policy is not None:
        budget = policy.budget
        # Under the pytest plugin a package's budget of N shows each use once per call site
        # (a declaration's own warn_at_most is kept: it is what its tests check).
        if budget not in ("call site", "always") and policies_module().BUDGET_OVERRIDE:
            budget = policies_module().BUDGET_OVERRIDE
    if budget is None or budget in ("call site", "always"):
        return budget or "call site", None
    return "call site", 1 if budget == "process" else budget


def _expiry(timeline: Timeline, today: Version | None) -> float | None:
    """The Unix time of a dated timeline's next boundary after *today* (None: none)."""
    if not timeline.dated or today is None:
        return None
    bounds = (timeline.since, timeline.compat_in, timeline.hard_start, timeline.removed_in)
    later = [point for point in bounds if point is not None and point > today]
    return _dates.midnight(_dates.as_date(min(later))) if later else None


_POLICIES_MODULE: Any = None


def policies_module() -> Any:
    """``phaseout.policies``, imported on the first use that needs it."""
    global _POLICIES_MODULE
    if _POLICIES_MODULE is None:
        from . import policies

        _POLICIES_MODULE = policies
    return _POLICIES_MODULE

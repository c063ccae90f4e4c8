"""Declarations that are not a callable's (parameters, code paths, names): one way to make them.

They take the timeline options of ``@phaseout.deprecated`` (checked by the same code, with
the same errors naming the symbol), get their wording from a ``Wording``, and are registered
for ``phaseout.declarations()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypedDict

from . import _messages
from ._exceptions import (
    DeprecatedWarning,
    PendingWarning,
    PhaseoutWarning,
    RemovalWarning,
    RemovedArgumentError,
    RemovedError,
)
from ._hotpath import Declaration
from ._options import apply_use_options, check_category, check_options
from ._registry import register
from ._showing import Budget
from ._versions import VersionSource, VersionSpec
from .phases import Phase

if TYPE_CHECKING:
    from datetime import date

DEPRECATION_CATEGORIES: Final[Mapping[Phase, type[PhaseoutWarning]]] = {
    Phase.PENDING: PendingWarning,
    Phase.SOFT: DeprecatedWarning,
    Phase.COMPAT: DeprecatedWarning,
    Phase.HARD: RemovalWarning,
}


class Wording:
    """What a declaration that is not a callable's says, and raises, in each phase (read by
    ``Plan``): "*subject* is deprecated since mylib 2.0 and will *will* in 3.0. *advice*"."""

    __slots__ = (
        "advice", "categories", "change", "error", "gone", "silent_when_removed", "subject", "will",
    )  # fmt: skip

    def __init__(
        self,
        subject: str,
        advice: str,
        *,
        will: str = "be removed",
        gone: str = "was removed in",
        error: type[RemovedError] = RemovedArgumentError,
        categories: Mapping[Phase, type[PhaseoutWarning]] = DEPRECATION_CATEGORIES,
    ) -> None:
        self.subject = subject
        self.advice = advice
        self.will = will
        self.gone = gone
        self.error = error
        self.categories = categories
        self.silent_when_removed = False
        self.change = False  # a change (a default's), warned with the "change" categories

    def _facts(self, decl: Declaration, package: str) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "package": package,
            "timeline": decl.timeline,
            "advice": self.advice,
            "reason": decl.reason,
            "guide": decl.guide,
        }

    def warning_text(self, decl: Declaration, phase: Phase, package: str) -> str:
        return _messages.usage_text(phase=phase, will=self.will, **self._facts(decl, package))

    def removed_text(self, decl: Declaration, package: str, installed: str) -> str:
        return _messages.usage_removed_text(
            installed=installed, gone=self.gone, **self._facts(decl, package)
        )


class _Since(TypedDict):
    since: str | date


class TimelineOptions(_Since, total=False):
    """The keyword options of every declaration, as for ``@phaseout.deprecated``
    (PEP 692: ``**timeline: Unpack[TimelineOptions]`` types them for checkers)."""

    removed_in: str | date | None
    hard_in: str | date | None
    compat_in: str | date | None
    reason: str | None
    guide: str | None
    package: str | None
    current_version: VersionSpec | None
    category: type[Warning] | None
    warn_at_most: Budget | None
    stacklevel: int | None
    skip_modules: Sequence[str] | str | None
    quiet: bool | None


class ChangeOptions(_Since, total=False):
    """The keyword options of ``changed_default``: no ``removed_in`` (it takes
    ``changes_in``) and no ``compat_in`` (nothing is forwarded before a change)."""

    hard_in: str | date | None
    reason: str | None
    guide: str | None
    package: str | None
    current_version: VersionSpec | None
    category: type[Warning] | None
    warn_at_most: Budget | None
    stacklevel: int | None
    skip_modules: Sequence[str] | str | None
    quiet: bool | None


# Options about how uses are shown, which every declaration takes.
_USE_KEYS: Final = ("warn_at_most", "stacklevel", "skip_modules", "quiet")
CHANGE_KEYS: Final = (
    "since", "hard_in", "reason", "guide", "package", "current_version", "category", *_USE_KEYS,
)  # fmt: skip
_TIMELINE_KEYS: Final = (
    "since", "removed_in", "hard_in", "compat_in", "reason", "guide", "package",
    "current_version", "category", *_USE_KEYS,
)  # fmt: skip


def timeline_options(
    api: str, given: Mapping[str, object], *, accepted: Sequence[str] = _TIMELINE_KEYS
) -> dict[str, Any]:
    """The options *given* to ``phaseout.<api>()``, all of them (absent ones None); an
    unknown or missing one is a ``TypeError`` worded as Python words its own."""
    for name in given:
        if name not in accepted:
            raise TypeError(f"{api}() got an unexpected keyword argument {name!r}")
    if "since" not in given:
        raise TypeError(f"{api}() missing 1 required keyword-only argument: 'since'")
    return {name: given.get(name) for name in _TIMELINE_KEYS}


def declare(
    symbol: str,
    kind: str,
    module: str,
    options: dict[str, Any],
    wording: Any,
    replacement: str | None = None,
) -> Declaration:
    """A registered declaration of *symbol*, whose version is that of *module*'s package."""
    timeline, current = check_options(symbol, {**options, "replacement": None})[:2]
    category = check_category(symbol, options["category"])
    decl = Declaration(
        symbol=symbol,
        kind=kind,
        timeline=timeline,
        source=VersionSource(symbol, module, options["package"], current),
        replacement=replacement,
        forward=None,
        reason=options["reason"],
        guide=options["guide"],
    )
    decl.wording = wording
    decl.category = category
    apply_use_options(decl, options)
    register(decl)
    return decl


# The timeline of phaseout's own renames before 1.0 (docs/api.md), declared with phaseout.
OWN_RENAMES: Final[TimelineOptions] = {
    "since": "0.1",
    "removed_in": "1.0",
    "guide": "docs/api.md#renamed-before-10",
}

"""Warnings and errors, each also the builtin category users already filter and catch.

``PendingWarning`` is a ``PendingDeprecationWarning``, ``DeprecatedWarning`` a
``DeprecationWarning``, ``RemovalWarning`` a ``FutureWarning``: existing ``-W`` options and
``filterwarnings`` lines keep working, and ``-W error::phaseout.RemovalWarning`` narrows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .phases import Phase

__all__ = [
    "DeprecatedWarning",
    "PendingWarning",
    "PhaseoutError",
    "PhaseoutWarning",
    "RemovalWarning",
    "RemovedError",
    "RolloutWarning",
    "SettingsWarning",
    "UnknownVersionError",
    "UnknownVersionWarning",
    "UsageLogWarning",
]


class _Details:
    """The facts about a declaration that warnings and errors carry for tools and handlers.

    They live in the instance ``__dict__``, so ``BaseException.__reduce__`` pickles and copies
    them, and every argument is optional, so ``warnings.warn("text", DeprecatedWarning)``
    (which calls ``category(text)``) keeps working.
    """

    symbol: str | None
    package: str | None
    phase: Phase | None
    since: str | None
    hard_in: str | None
    removed_in: str | None
    replacement: str | None
    guide: str | None

    def __init__(
        self,
        message: str = "",
        *,
        symbol: str | None = None,
        package: str | None = None,
        phase: Phase | None = None,
        since: str | None = None,
        hard_in: str | None = None,
        removed_in: str | None = None,
        replacement: str | None = None,
        guide: str | None = None,
    ) -> None:
        super().__init__(message)  # type: ignore[call-arg]  # the builtin base takes it
        self.symbol = symbol
        self.package = package
        self.phase = phase
        self.since = since
        self.hard_in = hard_in
        self.removed_in = removed_in
        self.replacement = replacement
        self.guide = guide


class PhaseoutWarning(_Details, Warning):
    """Base of every warning phaseout emits."""


class PendingWarning(PhaseoutWarning, PendingDeprecationWarning):
    """The API will be deprecated in a future release (``Phase.PENDING``)."""


class DeprecatedWarning(PhaseoutWarning, DeprecationWarning):
    """The API is deprecated (``Phase.SOFT`` and ``Phase.COMPAT``)."""


class RemovalWarning(PhaseoutWarning, FutureWarning):
    """The API is about to be removed (``Phase.HARD``); shown by default, unlike deprecations."""


class UsageLogWarning(PhaseoutWarning, RuntimeWarning):
    """A usage-event sink failed (said once per sink); its counts are kept for the next flush."""


class SettingsWarning(PhaseoutWarning, RuntimeWarning):
    """A ``PHASEOUT_*`` environment variable has a value phaseout cannot use; it is ignored
    (said once per variable and value)."""


class UnknownVersionWarning(PhaseoutWarning, RuntimeWarning):
    """The installed version of a package cannot be told, so its declarations act as
    deprecated (``Phase.SOFT``): said once per package, with how to declare the version."""


class RolloutWarning(PhaseoutWarning, RuntimeWarning):
    """A rollout rolled back, or could not route a call by its key and served it from the
    legacy path."""


class PhaseoutError(Exception):
    """Base of every error phaseout raises."""


class RemovedError(_Details, PhaseoutError, RuntimeError):
    """The API was removed (``Phase.REMOVED``): the installed version is past ``removed_in``.

    A ``RuntimeError`` rather than an ``AttributeError`` on purpose: an ``AttributeError``
    raised from a property would be swallowed by ``getattr(obj, name, default)`` and
    rerouted through ``__getattr__``, hiding the message that says what to use instead.
    """


class UnknownVersionError(PhaseoutError, LookupError):
    """The installed version of a declaration's package could not be determined.

    Raised on use only in strict mode; otherwise the declaration acts as deprecated and an
    :class:`UnknownVersionWarning` says so once.
    """

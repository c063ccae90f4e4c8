"""The retirement lifecycle: ordered phases and the timeline that maps a version to one.

A declaration's timeline is fixed when it is decorated; the *current* version it is
compared with is resolved later, lazily (see ``_versions``).
"""

from __future__ import annotations

import enum
import functools
import itertools
from typing import TYPE_CHECKING, Final, final

from packaging.version import Version

from ._dates import as_date, as_point, is_date_text, parse_date, shifted

if TYPE_CHECKING:
    from datetime import date

__all__ = ["Phase", "Timeline"]


@functools.total_ordering
class Phase(enum.Enum):
    """Where a deprecated API stands, in order: ``PENDING < SOFT < COMPAT < HARD < REMOVED``.

    - ``PENDING``: announced, not yet deprecated (a ``PendingWarning``, hidden by default).
    - ``SOFT``: deprecated (a ``DeprecatedWarning``).
    - ``COMPAT``: deprecated, calls forwarded to the replacement where one is callable.
    - ``HARD``: about to be removed (a ``RemovalWarning``, shown by default; an error in
      strict mode).
    - ``REMOVED``: using it raises ``RemovedError``.
    """

    PENDING = "pending"
    SOFT = "soft"
    COMPAT = "compat"
    HARD = "hard"
    REMOVED = "removed"

    @property
    def rank(self) -> int:
        """The phase's position in the lifecycle, from 0 (``PENDING``) to 4 (``REMOVED``)."""
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Phase):
            return NotImplemented
        return _RANK[self] < _RANK[other]


_RANK: Final = {phase: rank for rank, phase in enumerate(Phase)}

# Boundary names in the order they must increase.
_ORDER: Final = ("since", "compat_in", "hard_in", "removed_in")
#: Days before ``removed_in`` a dated timeline without ``hard_in`` turns loud (HARD): the
#: analogue of a versioned timeline's pre-releases of the removing release.
LOUD_DAYS_BEFORE_REMOVAL: Final = 28


def parse_boundary(symbol: str, name: str, value: object) -> Version:
    """Parse one timeline boundary, or raise a ``ValueError`` that names symbol, field and value."""
    if isinstance(value, Version):
        version = value
    elif isinstance(value, str):
        try:
            version = Version(value)
        except ValueError:  # InvalidVersion, or an int over 4,300 digits
            raise ValueError(f"{symbol}: {name} must be a PEP 440 version, got {value!r}") from None
    else:
        hint = f"; write {name}={str(value)!r}" if isinstance(value, (int, float)) else ""
        raise ValueError(
            f"{symbol}: {name} must be a PEP 440 version string, "
            f"got {value!r} ({type(value).__name__}){hint}"
        )
    if version.local is not None:
        raise ValueError(
            f"{symbol}: {name} must be a public version without a local part ('+...'), "
            f"got {str(value)!r}"
        )
    return version


def _first_prerelease(version: Version) -> Version:
    """The earliest version that is still part of *version*'s release cycle (``X.Y.dev0``)."""
    text = str(version)
    if version.dev is not None:
        text = text.rsplit(".dev", 1)[0]
    return Version(f"{text}.dev0")


@final
class Timeline:
    """The versions (or dates) at which a declaration enters each phase.

    ``hard_start`` is ``hard_in`` when given; otherwise, when ``removed_in`` is given, the
    first pre-release of ``removed_in`` (``X.Y.dev0``), so that development builds and release
    candidates of the removing release already get the loud phase.

    A *dated* timeline (``since="2026-12-01"``) follows today's date in UTC instead of a
    version. Its boundaries are kept as versions (``2026.12.1``, see ``_dates``) and its
    ``texts`` are ISO dates; without ``hard_in`` it turns loud four weeks before
    ``removed_in`` (:data:`LOUD_DAYS_BEFORE_REMOVAL`).
    """

    __slots__ = (
        "compat_in", "dated", "derived", "hard_in", "hard_start", "removed_in", "since", "texts",
    )  # fmt: skip

    since: Version
    dated: bool
    """Whether the boundaries are dates (compared with today's date in UTC)."""
    compat_in: Version | None
    hard_in: Version | None
    removed_in: Version | None
    hard_start: Version | None
    texts: dict[str, str | None]
    """Each boundary as text, formatted once (``str(Version)`` costs microseconds)."""
    derived: dict[tuple[str | None, ...], str]
    """Texts made from the timeline and a few strings, made once (see ``_messages``)."""

    def __init__(
        self,
        since: Version,
        compat_in: Version | None = None,
        hard_in: Version | None = None,
        removed_in: Version | None = None,
        *,
        dated: bool = False,
    ) -> None:
        self.since = since
        self.compat_in = compat_in
        self.hard_in = hard_in
        self.removed_in = removed_in
        self.hard_start = hard_in
        self.dated = dated
        self.derived = {}
        self.texts = {
            name: None if value is None else (as_date(value).isoformat() if dated else str(value))
            for name, value in zip(_ORDER, (since, compat_in, hard_in, removed_in), strict=True)
        }
        if hard_in is None and removed_in is not None:
            implicit = (
                shifted(removed_in, -LOUD_DAYS_BEFORE_REMOVAL)
                if dated
                else _first_prerelease(removed_in)
            )
            # Only when it falls after every earlier boundary: a timeline whose `since`
            # is itself a pre-release of the removing release has no room for it.
            earlier = compat_in if compat_in is not None else since
            if earlier < implicit < removed_in:
                self.hard_start = implicit

    @classmethod
    def parse(
        cls,
        symbol: str,
        *,
        since: object,
        compat_in: object = None,
        hard_in: object = None,
        removed_in: object = None,
    ) -> Timeline:
        """Validate boundaries given by a user; errors name *symbol* and the offending values.

        All boundaries are versions, or all are dates (``date`` objects or ``YYYY-MM-DD``).
        """
        given = {
            "since": since,
            "compat_in": compat_in,
            "hard_in": hard_in,
            "removed_in": removed_in,
        }
        present_given = {
            name: value for name, value in given.items() if value is not None or name == "since"
        }
        dates = [name for name, value in present_given.items() if is_date_text(value)]
        if dates and len(dates) < len(present_given):
            other = next(name for name in present_given if name not in dates)
            raise ValueError(
                f"{symbol}: a timeline is all versions or all dates, got "
                f"{dates[0]}={_shown(given[dates[0]])} and {other}={_shown(given[other])}; "
                f"to give versions dates, list them in the release calendar "
                f"([tool.phaseout.releases])"
            )
        parsed = {
            name: (
                as_point(parse_date(symbol, name, value))
                if dates
                else parse_boundary(symbol, name, value)
            )
            for name, value in present_given.items()
        }
        present = [name for name in _ORDER if name in parsed]
        for low, high in itertools.pairwise(present):
            if not parsed[low] < parsed[high]:
                raise ValueError(
                    f"{symbol}: versions must increase strictly in the order "
                    f"since < compat_in < hard_in < removed_in, "
                    f"got {low}={_shown(given[low])} and {high}={_shown(given[high])}"
                )
        return cls(
            parsed["since"],
            parsed.get("compat_in"),
            parsed.get("hard_in"),
            parsed.get("removed_in"),
            dated=bool(dates),
        )

    def date_of(self, name: str) -> date | None:
        """The date of boundary *name* (``"since"``, ..., ``"hard_start"``) of a dated
        timeline; None when it has none or the timeline is versioned."""
        value = getattr(self, name)
        return as_date(value) if self.dated and value is not None else None

    def phase_when(self, version: Version | None, day: date | None) -> Phase | None:
        """The phase at *version* (a versioned timeline) or on *day* (a dated one); None
        when the one this timeline follows is not given."""
        if self.dated:
            return None if day is None else self.phase_on(day)
        return None if version is None else self.phase_at(version)

    def phase_on(self, day: date) -> Phase:
        """The phase of a dated timeline on *day* (UTC)."""
        return self.phase_at(as_point(day))

    def phase_at(self, version: Version) -> Phase:
        """The phase a declaration is in when *version* of its package is installed (for a
        dated timeline, *version* is a date as ``_dates.as_point`` writes it)."""
        if self.removed_in is not None and version >= self.removed_in:
            return Phase.REMOVED
        if self.hard_start is not None and version >= self.hard_start:
            return Phase.HARD
        if self.compat_in is not None and version >= self.compat_in:
            return Phase.COMPAT
        if version >= self.since:
            return Phase.SOFT
        return Phase.PENDING

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Timeline):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[object, ...]:
        return (self.since, self.compat_in, self.hard_in, self.removed_in, self.dated)

    def __repr__(self) -> str:
        parts = [f"{name}={text!r}" for name, text in self.texts.items() if text is not None]
        return f"Timeline({', '.join(parts)})"


def _shown(value: object) -> str:
    """A boundary as given, quoted (a ``date`` in its ISO form)."""
    isoformat = getattr(value, "isoformat", None)
    return repr(isoformat() if callable(isoformat) else str(value))

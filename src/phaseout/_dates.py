"""Calendar dates in timelines: parsing them, today's date in UTC, and dates as versions.

A service with no version declares its timeline by date
(``deprecated(since="2026-12-01", removed_in="2027-06-30")``). A date is kept as the version
``2026.12.1``: release segments compare as dates do, so a dated timeline shares every
comparison, cache and phase rule of a versioned one, and only its wording differs.
Phases change at midnight UTC: the same day everywhere, whatever the host's time zone.

``datetime`` (2 ms to import) is imported only when a date is met: declaring versioned
timelines does not pay for it (a value cannot be a ``date`` unless ``datetime`` is loaded).
"""

from __future__ import annotations

import re
import sys
import time
from typing import TYPE_CHECKING, Final

from packaging.version import Version

if TYPE_CHECKING:
    from datetime import date

__all__ = [
    "as_date",
    "as_point",
    "is_date_text",
    "midnight",
    "now",
    "parse_date",
    "shifted",
    "today",
]

_DATE_TEXT: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECONDS_PER_DAY: Final = 86_400
_EPOCH_ORDINAL: Final = 719_163  # date(1970, 1, 1).toordinal()


def is_date_text(value: object) -> bool:
    """Whether *value* is meant as a date: a ``date`` object or ``YYYY-MM-DD`` text."""
    if isinstance(value, str):
        return _DATE_TEXT.fullmatch(value.strip()) is not None
    loaded = sys.modules.get("datetime")
    return loaded is not None and isinstance(value, loaded.date)


def parse_date(owner: str, name: str, value: object) -> date:
    """*value* (a ``date`` or ISO ``YYYY-MM-DD`` text) as a date, or a ``ValueError`` that
    names *owner*, *name* and the value."""
    from datetime import date, datetime

    if isinstance(value, datetime):
        # A time of day would suggest a precision that phases (changing at midnight UTC)
        # do not have.
        raise ValueError(
            f"{owner}: {name} must be a date, got the datetime {value!r}; "
            f"pass {name}={value.date()!r} (phases change at midnight UTC)"
        )
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _DATE_TEXT.fullmatch(text):
            try:
                return date.fromisoformat(text)
            except ValueError as error:
                raise ValueError(
                    f"{owner}: {name} must be a real date (YYYY-MM-DD), got {value!r} ({error})"
                ) from None
    raise ValueError(
        f"{owner}: {name} must be a date such as '2027-01-15' (or a datetime.date), got {value!r}"
    )


def as_point(day: date) -> Version:
    """*day* as the version a dated timeline compares: 2026-12-01 is ``2026.12.1``."""
    return Version(f"{day.year}.{day.month}.{day.day}")


def as_date(point: Version) -> date:
    """The date a dated timeline's *point* stands for (see :func:`as_point`)."""
    from datetime import date

    year, month, day = (*point.release, 1, 1)[:3]
    return date(year, month, day)


def shifted(point: Version, days: int) -> Version:
    """The point *days* days after *point* (before it, when negative)."""
    from datetime import timedelta

    return as_point(as_date(point) + timedelta(days=days))


def today() -> date:
    """Today's date in UTC."""
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).date()


def midnight(day: date) -> float:
    """The Unix time at which *day* begins, in UTC."""
    return float(day.toordinal() - _EPOCH_ORDINAL) * _SECONDS_PER_DAY


def now() -> float:
    """The Unix time now (the clock :func:`midnight` is compared with)."""
    return time.time()

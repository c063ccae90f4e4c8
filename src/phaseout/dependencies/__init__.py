"""Dependencies' deprecations: what a project uses of other libraries' deprecated APIs.

- :func:`track_warnings` counts every deprecation warning other code issues (ignored,
  repeated or shown), per package, symbol and call site in the project's code, with the same
  counters, usage logs, OpenTelemetry metrics and reports as phaseout's own declarations,
  and without changing what Python shows, raises or ignores.
- :func:`watch` declares a timeline on an API the project does not own
  (``pandas.DataFrame.append``), applied when its module is imported; :func:`unwatch` takes
  it back. ``[tool.phaseout.watch]`` holds a project's list (:func:`watch_list`).

See docs/dependencies.md.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable
from typing import Any, Final

from .._resets import on_reset
from ._audit import (
    WATCH_FINDINGS,
    WatchAudit,
    WatchEntry,
    WatchFinding,
    audit_watches,
    render_watches,
)
from ._capture import DEFAULT_CATEGORIES, TAP, Tracking, current, start
from ._watch import Watch, unwatch, watch, watched
from ._watchlist import watch_list

__all__ = [
    "TRACK_WARNINGS_ENV",
    "WATCH_FINDINGS",
    "Tracking",
    "Watch",
    "WatchAudit",
    "WatchEntry",
    "WatchFinding",
    "audit_watches",
    "render_watches",
    "track_warnings",
    "tracking",
    "unwatch",
    "watch",
    "watch_list",
    "watched",
]

#: ``1`` counts every package's deprecation warnings; ``pandas,numpy`` only these packages'.
TRACK_WARNINGS_ENV: Final = "PHASEOUT_TRACK_WARNINGS"

_NAME: Final = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")


def track_warnings(
    categories: Iterable[type[Warning]] = DEFAULT_CATEGORIES,
    packages: Iterable[str] | str | None = None,
) -> Tracking:
    """Count every warning of *categories* issued by other code (by *packages* only, when
    given: distribution or import names), from now on, until ``.stop()`` (or the end of a
    ``with`` block). Calling it again replaces what is counted.

    Each warning is counted per package that issued it, symbol (read from the message),
    category and call site: the first frame outside the issuing package, phaseout and the
    libraries that issue warnings for others. Uses appear in ``phaseout.usage()``
    (``kind="warning"``), the usage logs (``deprecated_usage`` events with
    ``"kind": "warning"``), OpenTelemetry and ``phaseout report``. What Python shows, raises
    or ignores is unchanged. Start it before importing the libraries watched, so that a
    ``from warnings import warn`` of theirs is counted from the front door too.

    Args:
        categories: The warning categories counted (and their subclasses).
        packages: Only warnings these packages issue (distribution or import names; an
            iterable, or ``"a,b"``); ``None`` for every package.

    .. versionadded:: 0.1
    """
    chosen: tuple[Any, ...] = (categories,) if isinstance(categories, type) else tuple(categories)
    for category in chosen:
        if not (isinstance(category, type) and issubclass(category, Warning)):
            raise TypeError(
                f"track_warnings: categories must be Warning subclasses, such as "
                f"DeprecationWarning, got {category!r}"
            )
    if not chosen:
        raise ValueError(
            "track_warnings: categories must name at least one Warning subclass, got none; "
            "to stop tracking, call .stop() on what track_warnings() returned"
        )
    return start(Tracking(chosen, _packages(packages)))


def tracking() -> Tracking | None:
    """The warning tracking in force (see :func:`track_warnings`), or None."""
    return current()


@on_reset
def _reset() -> None:
    """No tracking and no watch: every watched API back as it was."""
    made = current()
    if made is not None:
        made.stop()
    for watch_made in watched():
        unwatch(watch_made.target)
    # A tracking stopped inside a `catch_warnings` block that was entered while it ran (pytest
    # enters one per test) leaves its inert tap in the filter list the block restores.
    filters: Any = warnings.filters
    filters[:] = [entry for entry in filters if entry is not TAP]


def _packages(packages: Iterable[str] | str | None) -> frozenset[str] | None:
    from .._config import normalize_name

    if packages is None:
        return None
    names = [packages] if isinstance(packages, str) else list(packages)
    for name in names:
        if not (isinstance(name, str) and _NAME.match(name)):
            raise ValueError(
                f"track_warnings: packages must be distribution or import names such as "
                f"'pandas', got {name!r}"
            )
    return frozenset(normalize_name(name) for name in names)


def _from_environment() -> None:
    """``PHASEOUT_TRACK_WARNINGS`` (read when phaseout is imported): ``1`` for every
    package, names for those; a value that is neither is reported once and ignored."""
    value = os.environ.get(TRACK_WARNINGS_ENV, "").strip()
    if value.lower() in ("", "0", "false", "no", "off"):
        return
    if value.lower() in ("1", "true", "yes", "on", "all"):
        track_warnings()
        return
    try:
        track_warnings(packages=[name.strip() for name in value.split(",")])
    except ValueError:
        from .. import _notices
        from .._exceptions import SettingsWarning

        problem = (
            f"{TRACK_WARNINGS_ENV} must be 1, 0 or package names such as 'pandas,numpy', "
            f"got {value!r}; the variable is ignored"
        )
        _notices.notice(("settings", problem), problem, SettingsWarning)

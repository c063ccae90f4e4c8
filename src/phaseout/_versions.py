"""The current version of a package: explicit, pretended, installed, or ``__version__``.

Nothing here runs at import or decoration time. Package metadata costs 0.3-20 ms a read, so
each distribution is read at most once per process, on the first deprecated use.
"""

from __future__ import annotations

import contextvars
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final, Union

from packaging.version import InvalidVersion, Version

from ._config import CONFIG, TODAY, normalize_name, parse_pretend
from ._dates import as_point, parse_date
from ._resets import on_reset

if TYPE_CHECKING:
    from datetime import date

VersionSpec = Union[str, Version, Callable[[], Union[str, Version]]]  # noqa: UP007 (runtime alias on 3.10)

# The pretend versions active in this context (thread, asyncio task), merged with outer ones.
_PRETEND: Final[contextvars.ContextVar[Mapping[str, Version] | None]] = contextvars.ContextVar(
    "phaseout_pretend", default=None
)

# The date pretended in this context, for timelines declared by date.
_TODAY: Final[contextvars.ContextVar[date | None]] = contextvars.ContextVar(
    "phaseout_today", default=None
)

# Blocks active in any thread or task. While there is one, call sites are not remembered on
# the fast path (which does not look at the context); outside blocks it is as fast as before
# any block ran.
_active_blocks = 0
_blocks_lock = threading.Lock()
_block_listeners: list[Callable[[], None]] = []
_cache_lock = threading.Lock()
# The distribution a package's policy names, by top-level import name (see ``policies``).
POLICY_DISTRIBUTIONS: dict[str, str | None] = {}
_dist_versions: dict[str, Version | None] = {}
_top_level_dists: dict[str, list[str]] | None = None


def pretending() -> bool:
    """Whether a ``pretend()`` block is active in any thread or task (see ``_hotpath``)."""
    return _active_blocks > 0


def on_pretending(listener: Callable[[], None]) -> None:
    """Call *listener* whenever a first block becomes active (none was)."""
    _block_listeners.append(listener)


def active_pretend() -> Mapping[str, Version] | None:
    return _PRETEND.get()


def active_today() -> date | None:
    """The date a ``pretend(today=...)`` block sets here, if any."""
    return _TODAY.get()


@contextmanager
def pretend(
    versions: Mapping[str, str | Version | date] | str | None = None,
    *,
    today: date | str | None = None,
) -> Iterator[None]:
    """Run a block as if other versions of some packages were installed, or another day.

    ``with phaseout.pretend({"mylib": "3.0"}):`` makes every declaration of ``mylib`` take
    the phase it would have in 3.0. Keys are distribution or top-level import names. The
    override is context-local: other threads and asyncio tasks are not affected, and tasks
    created inside the block inherit it. Blocks nest; inner versions win. The text form of
    ``PHASEOUT_PRETEND`` works too: ``pretend("mylib==3.0,otherlib==2.0")``.

    ``pretend(today="2027-07-01")`` (or a ``date``) moves the timelines declared by date
    to that day (UTC), in the same context-local way.

    Args:
        versions: Package → version (``{"mylib": "3.0"}``, a ``Version`` or a ``date``), or the
            text form ``"mylib==3.0,otherlib==2.0"``; ``None`` for none.
        today: The day timelines declared by date are judged on (a ``date`` or ISO text).

    .. versionadded:: 0.1
    """
    if versions is None and today is None:
        raise TypeError(
            "pretend() takes versions such as {'mylib': '3.0'}, today='2027-07-01', or both"
        )
    day = None if today is None else parse_date("pretend()", "today", today)
    if versions is None:
        versions = {}
    if isinstance(versions, str):  # the spelling of PHASEOUT_PRETEND: "mylib==3.0,other==2.0"
        versions = parse_pretend(versions, "pretend()")
    elif not isinstance(versions, Mapping):
        raise TypeError(
            f"pretend() takes a mapping such as {{'mylib': '3.0'}} or the text "
            f"'mylib==3.0,other==2.0', got {versions!r}"
        )
    parsed: dict[str, Version] = {}
    for name, version in versions.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"pretend() keys must be package names, got {name!r}")
        if normalize_name(name) == TODAY and not isinstance(version, Version):
            # {"today": "2027-07-01"}: the day, as in PHASEOUT_PRETEND (a marker's mapping)
            parsed[TODAY] = as_point(parse_date("pretend()", "today", version))
            continue
        try:
            if not isinstance(version, (str, Version)):
                raise TypeError(version)
            parsed[normalize_name(name)] = (
                version if isinstance(version, Version) else Version(version)
            )
        except (ValueError, TypeError):  # ValueError: also an int over 4,300 digits
            raise ValueError(
                f"pretend(): the version of {name!r} must be a PEP 440 version, got {version!r}"
            ) from None
    enter_block()
    try:
        outer = _PRETEND.get()
        token = _PRETEND.set({**outer, **parsed} if outer else parsed) if parsed else None
        day_token = None if day is None else _TODAY.set(day)
        try:
            yield
        finally:
            if day_token is not None:
                _TODAY.reset(day_token)
            if token is not None:
                _PRETEND.reset(token)
    finally:
        leave_block()


def enter_block() -> None:
    """A block with context-local behaviour (``pretend()``, ``silence()``) starts."""
    global _active_blocks
    with _blocks_lock:
        _active_blocks += 1
        if _active_blocks == 1:
            for listener in _block_listeners:
                listener()


def leave_block() -> None:
    global _active_blocks
    with _blocks_lock:
        _active_blocks -= 1


@on_reset
def _reset() -> None:
    """Forget metadata read so far (packages may have been installed or upgraded since)."""
    global _top_level_dists
    with _cache_lock:
        _dist_versions.clear()
        _top_level_dists = None


def _installed_version(dist: str) -> Version | None:
    try:
        return _dist_versions[dist]
    except KeyError:
        pass
    import importlib.metadata  # ~25 ms of imports (email, zipfile, csv): only when needed

    try:
        version: Version | None = Version(importlib.metadata.version(dist))
    except (importlib.metadata.PackageNotFoundError, InvalidVersion, ValueError):
        version = None
    with _cache_lock:
        _dist_versions[dist] = version
    return version


def _top_level_names() -> dict[str, list[str]]:
    """Top-level import names to the distributions that provide them."""
    import importlib.metadata

    if sys.version_info >= (3, 11):
        return {
            name: list(dists) for name, dists in importlib.metadata.packages_distributions().items()
        }
    # Python 3.10 reads only `top_level.txt`, which modern build backends (hatchling, flit)
    # do not write; infer the names from the installed files, as 3.11 does.
    import inspect

    mapping: dict[str, list[str]] = {}
    for dist in importlib.metadata.distributions():
        names = (dist.read_text("top_level.txt") or "").split()
        if not names:
            names = sorted(
                {
                    path.parts[0] if len(path.parts) > 1 else inspect.getmodulename(path.name)
                    for path in dist.files or ()
                }
                - {None}  # type: ignore[arg-type]
            )
        for name in names:
            mapping.setdefault(name, []).append(dist.metadata["Name"])
    return mapping


def _distributions_of(top_level: str) -> list[str]:
    global _top_level_dists
    mapping = _top_level_dists
    if mapping is None:
        mapping = _top_level_names()
        with _cache_lock:
            _top_level_dists = mapping
    return mapping.get(top_level, [])


class VersionSource:
    """Where one declaration's current version comes from, resolved in the documented order.

    1. ``current_version=`` (a version, or a zero-argument callable returning one);
    2. an active ``pretend()`` block, then ``PHASEOUT_PRETEND``;
    3. the installed distribution's metadata (``package=``, or the distribution that
       provides the declaring module's top-level package);
    4. the top-level module's ``__version__``.
    """

    __slots__ = (
        "_distribution",
        "_package",
        "_problem",
        "_searched",
        "explicit",
        "module",
        "symbol",
        "top_level",
    )

    def __init__(
        self, symbol: str, module: str, package: str | None, explicit: VersionSpec | None
    ) -> None:
        self.symbol = symbol
        self.module = module
        self.top_level = module.partition(".")[0]
        self._package = package
        self.explicit = explicit
        self._distribution: str | None = None
        self._searched = False
        self._problem: str | None = None

    @property
    def package(self) -> str | None:
        """``package=`` of the declaration, or the distribution its package's policy names."""
        return self._package or POLICY_DISTRIBUTIONS.get(self.top_level)

    def display_name(self) -> str:
        """The package name users know: ``package=``, the distribution, or the import name."""
        if self.package is not None:
            return self.package
        if self.explicit is None:
            dist = self._find_distribution()
            if dist is not None:
                return dist
        return self.top_level

    def resolve(self, pretend: Mapping[str, Version] | None) -> Version | None:
        """The current version, or None when it cannot be told (see :meth:`unknown_text`)."""
        explicit = self.explicit
        if explicit is not None:
            return self._from_explicit(explicit)
        for mapping in (pretend, CONFIG.load().pretend_env):
            if mapping:
                found = self._pretended(mapping)
                if found is not None:
                    return found
        if self.package is not None:
            installed = _installed_version(self.package)
        else:
            dist = self._find_distribution()
            installed = None if dist is None else _installed_version(dist)
        if installed is not None:
            return installed
        return self._from_dunder_version()

    def pretends(self, pretend: Mapping[str, Version] | None) -> bool:
        """Whether :meth:`resolve` takes the version from a ``pretend()`` block or
        ``PHASEOUT_PRETEND`` rather than from what is installed."""
        if self.explicit is not None:
            return False
        return any(
            mapping and self._pretended(mapping) is not None
            for mapping in (pretend, CONFIG.load().pretend_env)
        )

    def _from_explicit(self, explicit: VersionSpec) -> Version | None:
        # A string was checked at decoration; a callable can only fail now, and a failure
        # makes the version unknown (reported once) rather than breaking the call.
        try:
            value = explicit() if callable(explicit) else explicit
        except Exception as error:
            self._problem = f"current_version() raised {type(error).__name__}: {error}"
            return None
        if isinstance(value, Version):
            return value
        try:
            return Version(value)
        except (ValueError, TypeError):  # ValueError: also an int over 4,300 digits
            self._problem = f"current_version() must return a PEP 440 version, got {value!r}"
            return None

    def unknown_text(self) -> str:
        """Why the version is unknown, what phaseout does meanwhile, and how to declare it."""
        name = self.package or self.top_level
        if self.explicit is not None:
            why = self._problem or "current_version gave no version"
            fix = "make current_version return a version such as '1.4'"
        else:
            raw = getattr(sys.modules.get(self.top_level), "__version__", None)
            dunder = "missing" if raw is None else f"not a PEP 440 version ({raw!r})"
            why = (
                f"no installed distribution named {name!r} was found and "
                f"{self.top_level}.__version__ is {dunder}"
            )
            fix = (
                "install the package, or pass package='<distribution name>' or "
                "current_version='X.Y' (or a callable returning it) to phaseout.deprecated()"
            )
        return (
            f"cannot tell which version of {name!r} is installed, so the phase of "
            f"{self.symbol} is unknown: {why}. Its deprecations act as deprecated (soft: "
            f"warned, never forwarded or removed) until it is known; {fix}"
        )

    def _pretended(self, mapping: Mapping[str, Version]) -> Version | None:
        names = [self.package] if self.package is not None else [self.top_level]
        for name in names:
            found = mapping.get(normalize_name(name))
            if found is not None:
                return found
        if self.package is None:
            dist = self._find_distribution()
            if dist is not None:
                return mapping.get(normalize_name(dist))
        return None

    def _find_distribution(self) -> str | None:
        if not self._searched:
            for candidate in [*_distributions_of(self.top_level), self.top_level]:
                if _installed_version(candidate) is not None:
                    self._distribution = candidate
                    break
            self._searched = True
        return self._distribution

    def _from_dunder_version(self) -> Version | None:
        module = sys.modules.get(self.top_level)
        raw = getattr(module, "__version__", None)
        if raw is not None:
            try:
                return Version(str(raw))
            except ValueError:  # InvalidVersion, or an int over 4,300 digits
                pass
        return None

"""Reading an installed package as the tools need it: importing every module (with a progress
line on a terminal), resolving dotted paths without running descriptors, parsing a version
given on the command line. Used by ``phaseout audit``, ``guide`` and ``fix``."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from datetime import date
from types import ModuleType
from typing import Any, Final, NamedTuple

from packaging.version import Version

from ._calendar import Calendar
from ._dates import is_date_text, parse_date

__all__ = [
    "MISSING", "Moment", "import_all", "parse_moment", "parse_version", "qualified_name",
    "resolve", "resolves", "rollouts_of",
]  # fmt: skip


def import_all(package: str) -> list[tuple[str, str]]:
    """Import *package* and every submodule; (module, why) for each that failed."""
    findings: list[tuple[str, str]] = []
    try:
        root = importlib.import_module(package)
    except Exception as error:
        # Nothing can be audited: a gate that passed here would check nothing.
        hint = ""
        if isinstance(error, ModuleNotFoundError) and error.name == package:
            hint = " (install it, or run phaseout in the directory that holds it)"
        raise ValueError(
            f"cannot import {package!r}: {type(error).__name__}: {error}{hint}"
        ) from None
    path = getattr(root, "__path__", None)
    if path is None:
        return findings

    def failed(name: str) -> None:
        error = sys.exc_info()[1]
        findings.append((name, f"{type(error).__name__}: {error}"))

    progress = _Progress(package)
    for info in pkgutil.walk_packages(path, prefix=f"{package}.", onerror=failed):
        progress.step(info.name)
        try:
            importlib.import_module(info.name)
        except Exception as error:
            findings.append((info.name, f"{type(error).__name__}: {error}"))
    progress.done()
    return findings


def _modules(count: int) -> str:
    return f"{count} module{'' if count == 1 else 's'}"


class _Progress:
    """``importing mylib.tools (12 modules)`` on one line of a terminal's stderr; silent
    otherwise (a log or a pipe gets no control characters)."""

    def __init__(self, package: str) -> None:
        self.count = 0
        self.shown = sys.stderr.isatty()
        self.package = package

    def step(self, module: str) -> None:
        self.count += 1
        if self.shown:
            sys.stderr.write(f"\r\x1b[Kimporting {module} ({_modules(self.count)})")
            sys.stderr.flush()

    def done(self) -> None:
        if self.shown:
            sys.stderr.write(f"\r\x1b[Kimported {self.package} ({_modules(self.count)})\n")


MISSING: Final = object()


def resolve(path: str) -> Any:
    """The object a dotted path names (``mylib.mod.Class.method``, ``mylib.mod:name``), read
    without running descriptors (no deprecation is used), or ``MISSING``."""
    import inspect

    parts = path.split("(", maxsplit=1)[0].replace(":", ".").split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for part in parts[split:]:
                obj = _static_or_lazy(obj, part, inspect.getattr_static)
        except AttributeError:
            return MISSING
        return obj
    return MISSING


def _static_or_lazy(obj: Any, name: str, getattr_static: Any) -> Any:
    """*obj*'s attribute *name* without running descriptors; for a module that loads its
    names on first access (a PEP 562 ``__getattr__``, as ``phaseout`` itself does), what
    that loader gives. Deprecated names are served before ``__getattr__`` is asked, so the
    loader never counts a use."""
    try:
        return getattr_static(obj, name)
    except AttributeError:
        loader = vars(obj).get("__getattr__") if isinstance(obj, ModuleType) else None
        if loader is None:
            raise
        return loader(name)


def resolves(path: str) -> bool:
    return resolve(path) is not MISSING


class Moment(NamedTuple):
    """A point in a package's life that a command line names: a version, a date, or both
    (the release calendar gives one from the other). Versioned timelines read ``version``,
    dated ones ``day``."""

    version: Version | None
    day: date | None
    text: str

    def phase_of(self, timeline: Any) -> Any:
        """*timeline*'s phase at this moment, or None when it follows the one not known."""
        return timeline.phase_when(self.version, self.day)


def parse_moment(option: str, text: str, calendar: Calendar | None = None) -> Moment:
    """*text* (``--to 3.0`` or ``--to 2027-07-01``) as a :class:`Moment`."""
    if is_date_text(text):
        day = parse_date(option, "the date", text)
        return Moment(None if calendar is None else calendar.version_on(day), day, text)
    try:
        version = Version(text)
    except ValueError:  # InvalidVersion, or an int over 4,300 digits
        raise ValueError(
            f"{option} must be a PEP 440 version such as '3.0' or a date such as "
            f"'2027-07-01', got {text!r}"
        ) from None
    dated = None if calendar is None else calendar.date_of(version)
    return Moment(version, None if dated is None else dated.day, text)


def rollouts_of(package: str) -> list[Any]:
    """The live rollouts whose legacy path is *package*'s (none unless ``phaseout.rollout``
    was imported: the tools read it where the package made them, never import it)."""
    rollout = sys.modules.get("phaseout.rollout")
    if rollout is None:
        return []
    return sorted(
        (r for r in list(rollout.ROLLOUTS) if qualified_name(r.legacy).split(".")[0] == package),
        key=lambda r: str(r.name),
    )


def qualified_name(func: Any) -> str:
    """``module.qualname`` of a callable, for tables."""
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def parse_version(option: str, text: str) -> Version:
    try:
        return Version(text)
    except ValueError:  # InvalidVersion, or an int over 4,300 digits
        raise ValueError(
            f"{option} must be a PEP 440 version such as '3.0', got {text!r}"
        ) from None

"""Checking a declaration's options: its timeline, texts, package, current version,
category and replacement, with errors that name the symbol and the fix.

Every kind of declaration (functions and classes, parameters, names, code paths) takes these
options; their checks live here, below all of them. Equal options give equal answers, so
they are checked once per distinct set (a package's declarations mostly repeat them).
"""

from __future__ import annotations

import re
import threading
from typing import Any, Final

from packaging.version import Version

from ._declaration import AnyCallable, DeclarationRecord
from ._exceptions import check_constructible
from ._showing import check_budget, skip_modules_of
from ._versions import VersionSpec
from .phases import Timeline

__all__ = [
    "Checked",
    "apply_use_options",
    "check_category",
    "check_options",
    "checked_options",
    "dotted_name",
]


# Version strings repeat across a package's declarations; parse each timeline once.
_TIMELINES: dict[tuple[object, ...], Timeline] = {}
_TIMELINES_LOCK: Final = threading.Lock()


def _timeline(
    symbol: str, since: object, compat_in: object, hard_in: object, removed_in: object
) -> Timeline:
    key = (since, compat_in, hard_in, removed_in)
    try:
        return _TIMELINES[key]
    except (KeyError, TypeError):  # TypeError: an unhashable value, reported by parse()
        pass
    timeline = Timeline.parse(
        symbol, since=since, compat_in=compat_in, hard_in=hard_in, removed_in=removed_in
    )
    with _TIMELINES_LOCK:
        if len(_TIMELINES) < 4096:
            _TIMELINES[key] = timeline
    return timeline


def dotted_name(obj: Any) -> str:
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    return f"{module}.{qualname}" if module else str(qualname)


def _replacement(symbol: str, replacement: object) -> tuple[str | None, AnyCallable | None]:
    """The replacement's dotted name, and the callable to forward to (when it is one)."""
    if replacement is None:
        return None, None
    if isinstance(replacement, str):
        parts = replacement.removesuffix("()").split(".")
        # "<locals>" is how the qualified name of a nested class or function reads.
        if not all(part.isidentifier() or part == "<locals>" for part in parts):
            raise ValueError(
                f"{symbol}: replacement must be a callable or a dotted name such as "
                f"'mylib.new_func', got {replacement!r}"
            )
        return replacement, None
    if isinstance(replacement, (classmethod, staticmethod)):
        replacement = replacement.__func__
    if isinstance(replacement, property):
        return dotted_name(replacement.fget), None
    if not callable(replacement):
        raise TypeError(
            f"{symbol}: replacement must be a callable or a dotted name, "
            f"got {replacement!r} ({type(replacement).__name__})"
        )
    return dotted_name(replacement), replacement


def check_category(symbol: str, category: object) -> type[Warning] | None:
    if category is None:
        return None
    if isinstance(category, type) and issubclass(category, Warning):
        check_constructible(symbol, category)
        return category
    raise TypeError(f"{symbol}: category must be a Warning subclass or None, got {category!r}")


def _check_optional_text(symbol: str, name: str, value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{symbol}: {name} must be a string or None, got {value!r}")


_PACKAGE_NAME: Final = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)


def _check_package(symbol: str, package: object) -> None:
    if package is not None and not (isinstance(package, str) and _PACKAGE_NAME.match(package)):
        raise ValueError(
            f"{symbol}: package must be a distribution name such as 'mylib' (letters, "
            f"digits, '.', '_' and '-'), got {package!r}"
        )


_CURRENT_VERSIONS: Final[dict[str, Version]] = {}  # parsing costs microseconds


def _check_current_version(symbol: str, current: object) -> VersionSpec | None:
    """A version string is parsed now, so a typo fails at import rather than on every call."""
    if current is None or isinstance(current, Version):
        return current
    if isinstance(current, str):
        known = _CURRENT_VERSIONS.get(current)
        if known is not None:
            return known
        try:
            parsed = Version(current)
        except ValueError:  # InvalidVersion, or an int over 4,300 digits
            raise ValueError(
                f"{symbol}: current_version must be a PEP 440 version such as '1.4', "
                f"got {current!r}"
            ) from None
        if len(_CURRENT_VERSIONS) < 4096:
            _CURRENT_VERSIONS[current] = parsed
        return parsed
    if callable(current):
        return current
    raise TypeError(
        f"{symbol}: current_version must be a version string or a zero-argument "
        f"callable returning one, got {current!r}"
    )


Checked = tuple[Timeline, VersionSpec | None, str | None, AnyCallable | None]
# What check_options reads, and its results by their values (the same checks, the same
# answers: none depends on the symbol but the wording of an error, and errors are not kept).
_OPTION_NAMES: Final = (
    "since", "removed_in", "hard_in", "compat_in", "reason", "guide", "package",
    "current_version", "replacement",
)  # fmt: skip
_CHECKED: Final[dict[tuple[object, ...], Checked]] = {}
_TEXT_OR_NONE: Final = (str, type(None))


def checked_options(symbol: str, options: dict[str, Any]) -> Checked:
    """:func:`check_options`, remembered for equal options: a package's declarations
    mostly share them, and each ``@deprecated(...)`` line makes its own decorator."""
    # Only keys of text (or None): a key must not keep a replacement function (or any
    # other object) alive. Every option but these two must be text to pass the checks.
    if not (
        type(options["replacement"]) in _TEXT_OR_NONE
        and type(options["current_version"]) in _TEXT_OR_NONE
    ):
        return check_options(symbol, options)
    values = tuple([options[name] for name in _OPTION_NAMES])
    try:
        checked = _CHECKED.get(values)
    except TypeError:  # an unhashable option, refused by the checks below
        checked = None
    if checked is None:
        checked = check_options(symbol, options)
        if len(_CHECKED) < 4096:
            _CHECKED[values] = checked
    return checked


def check_options(symbol: str, options: dict[str, Any]) -> Checked:
    """What the options say, whatever they are applied to: checked on the first
    application (errors name that symbol), kept for the others."""
    timeline = _timeline(
        symbol,
        options["since"],
        options["compat_in"],
        options["hard_in"],
        options["removed_in"],
    )
    for name in ("reason", "guide", "package"):
        _check_optional_text(symbol, name, options[name])
    _check_package(symbol, options["package"])
    current = _check_current_version(symbol, options["current_version"])
    return (timeline, current, *_replacement(symbol, options["replacement"]))


def apply_use_options(decl: DeclarationRecord, options: dict[str, Any]) -> None:
    """What a declaration's own options say about showing its uses: ``warn_at_most`` (a
    budget), ``stacklevel`` (frames above the caller the warning points at),
    ``skip_modules`` (modules whose frames it skips, as phaseout's own) and ``quiet``
    (counted, never shown). Absent options leave the defaults."""
    budget, levels = options.get("warn_at_most"), options.get("stacklevel")
    skip, quiet = options.get("skip_modules"), options.get("quiet")
    if budget is None and levels is None and skip is None and quiet is None:
        return  # the common case, paid per declaration at import
    symbol = decl.symbol
    if budget is not None:
        decl.budget = check_budget(symbol, "warn_at_most", budget)
    if levels is not None:
        if type(levels) is not int or levels < 1:
            raise ValueError(
                f"{symbol}: stacklevel must be 1 (the caller's line) or more, got {levels!r}"
            )
        decl.levels = levels - 1
    if skip is not None:
        decl.skip = skip_modules_of(symbol, skip)
    if quiet is not None:
        if not isinstance(quiet, bool):
            raise TypeError(f"{symbol}: quiet must be True or False, got {quiet!r}")
        decl.quiet = quiet

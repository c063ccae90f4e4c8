"""Predicting what ``warnings.warn`` will do, so the hot path can skip it when nothing would happen.

``warnings.warn`` costs about 750 ns even when the warning is filtered out. Its outcome is a
function of the filter list and of the warning's category, text, module and line, which are
fixed for one call site of one declaration in one phase. When the filters say "ignore",
phaseout remembers that for the call site together with a snapshot of the filter list, and
skips the machinery until the list differs from the snapshot.

"default", "module" and "once" suppress a repeat through the caller's ``__warningregistry__``,
which counts only while its ``version`` entry equals the interpreter's filter version. CPython
does not expose that version, but on 3.10-3.13 every change of it made by the standard library
(``filterwarnings``, ``simplefilter``, ``resetwarnings``, entering and leaving
``catch_warnings``) calls ``warnings._filters_mutated`` through the module's attribute.
:func:`watch_filter_versions` puts a transparent observer there: it swaps :data:`token` for a
new object, then calls the original. While the token is the one seen when a registry said
"already shown", ``warn_explicit`` would return at its first check, so it can be skipped.
"""

from __future__ import annotations

import sys
import warnings as _wm
from collections.abc import Callable
from types import FrameType
from typing import Any, Final

# `warnings.warn` as imported: when tests patch it (`mock.patch("warnings.warn")`) every call
# must reach the patch, so the hot path compares against this before skipping anything.
ORIGINAL_WARN: Final = _wm.warn

# The `warnings.warn` the hot path may skip: the original, or a wrapper that does exactly
# what it does and ignores phaseout's own warnings (``phaseout.track_warnings()`` installs
# one and names it here). Any other function there is a patch every call must reach.
passthrough_warn: Any = ORIGINAL_WARN

# Python 3.14 can keep filters per context (on by default in free-threaded builds); then
# `warnings.filters` no longer tells what applies to the current thread or task.
_CONTEXT_FILTERS: Final = bool(getattr(sys.flags, "context_aware_warnings", False))


# Changes identity whenever the interpreter's filter version may have changed; see
# `watch_filter_versions`. Compared with `is`.
token: object = object()
_ORIGINAL_MUTATED: Final[Any] = getattr(_wm, "_filters_mutated", None)


# Called after every change of the filters (while they are observed): tracking keeps its
# never-matching entry first this way (see `phaseout.dependencies`).
after_change: list[Callable[[], None]] = []


def observe_filters_mutated() -> None:
    # Swapped before the version changes, so a thread that reads the old token decides as
    # if it ran before the change, which it may have.
    global token
    token = object()
    _ORIGINAL_MUTATED()
    for listener in after_change:
        listener()


def watch_filter_versions() -> bool:
    """Observe every filter-version change from now on; False where that cannot be done.

    Only CPython 3.10-3.13 with the C warnings module is known to route every change
    through ``warnings._filters_mutated``; 3.14 reworks the machinery (context filters).
    """
    current = getattr(_wm, "_filters_mutated", None)
    if current is observe_filters_mutated:
        return True
    if (
        _CONTEXT_FILTERS
        or sys.version_info >= (3, 14)
        or current is None
        or current is not _ORIGINAL_MUTATED
        or type(current).__module__ != "builtins"  # the C function, not a pure-Python one
    ):
        return False
    # Changes made while the observer was not in place went unseen: start afresh.
    global token
    token = object()
    _wm._filters_mutated = observe_filters_mutated  # type: ignore[attr-defined]
    return True


def _matches(pattern: Any, value: Any) -> bool:
    # The rule of CPython's `check_matched`: None matches all, an exact `str` (used for
    # built-in defaults) must be equal, anything else is a compiled regex.
    if pattern is None:
        return True
    if type(pattern) is str:
        return bool(pattern == value)
    return bool(pattern.match(value))


def _module_name(frame: FrameType) -> str | None:
    name = frame.f_globals.get("__name__")
    if name is None or isinstance(name, str):
        return name
    return "<string>"


def ignored(filters: list[Any], category: type[Warning], text: str, frame: FrameType) -> bool:
    """Whether *filters* make a warning from *frame* an explicit "ignore".

    False whenever the answer depends on anything else (the default action, a filter entry
    that is not what ``warnings`` expects, an error while matching).
    """
    action = action_of(filters, category, text, _module_name(frame), frame.f_lineno)
    return action == "ignore"


def action_of(
    filters: list[Any], category: type[Warning], text: str, module: object, lineno: int
) -> str | None:
    """The action of the first entry of *filters* that matches, as ``warn_explicit`` finds
    it; None when no entry matches (the default action decides) or the list is malformed."""
    if _CONTEXT_FILTERS:
        return None
    try:
        for action, message, klass, mod, line in filters:
            if (
                _matches(message, text)
                and _matches(mod, module)
                and issubclass(category, klass)
                and line in (0, lineno)
            ):
                return action if type(action) is str else None
    except Exception:  # a malformed filter list: let warnings.warn decide, every time
        return None
    return None

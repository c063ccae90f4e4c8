"""Predicting what ``warnings.warn`` will do, so the hot path can skip it when nothing would happen.

``warnings.warn`` costs about 750 ns even when the warning is filtered out. Its outcome is a
function of the filter list and of the warning's category, text, module and line, which are
fixed for one call site of one declaration in one phase. When the filters say "ignore",
phaseout remembers that for the call site together with a snapshot of the filter list, and
skips the machinery until the list differs from the snapshot. Only "ignore" is remembered:
every other action has effects ("once", "default", "module" registries, printing, raising)
that only ``warnings.warn`` itself may produce.
"""

from __future__ import annotations

import sys
import warnings as _wm
from types import FrameType
from typing import Any, Final

# `warnings.warn` as imported: when tests patch it (`mock.patch("warnings.warn")`) every call
# must reach the patch, so the hot path compares against this before skipping anything.
ORIGINAL_WARN: Final = _wm.warn

# Python 3.14 can keep filters per context (on by default in free-threaded builds); then
# `warnings.filters` no longer tells what applies to the current thread or task.
_CONTEXT_FILTERS: Final = bool(getattr(sys.flags, "context_aware_warnings", False))


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
    if _CONTEXT_FILTERS:
        return False
    module = _module_name(frame)
    lineno = frame.f_lineno
    try:
        for action, message, klass, mod, line in filters:
            if (
                _matches(message, text)
                and _matches(mod, module)
                and issubclass(category, klass)
                and line in (0, lineno)
            ):
                return bool(action == "ignore")
    except Exception:  # a malformed filter list: let warnings.warn decide, every time
        return False
    return False

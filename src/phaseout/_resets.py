"""One reset for all of phaseout's process state (``phaseout.testing.reset()``).

Each stateful module defines one ``_reset()`` and registers it here when it is imported: a
module that was never imported holds no state, and the public reset never imports one to
clear it. Resets run in the reverse order of registration, upper layers first, so what
counts uses (tracking, watches) stops before the counts and the settings are cleared.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Final

_RESETS: Final[list[Callable[[], None]]] = []
_LOCK: Final = threading.Lock()


def on_reset(reset: Callable[[], None]) -> Callable[[], None]:
    """Register a module's ``_reset`` (once per function: a reloaded module replaces its own)."""
    with _LOCK:
        key = (reset.__module__, reset.__qualname__)
        _RESETS[:] = [known for known in _RESETS if (known.__module__, known.__qualname__) != key]
        _RESETS.append(reset)
    return reset


def reset_all() -> None:
    """Every registered module's ``_reset()``, upper layers first."""
    with _LOCK:
        resets = list(_RESETS)
    for reset in reversed(resets):
        reset()

"""Saying that something is wrong without breaking the program phaseout watches.

A bad setting, an unknown version, a failing sink or a rollback is reported once per
subject, as a warning of its own category (each also a ``RuntimeWarning``, shown by
default), pointing at the first frame outside phaseout. Should the warning filters turn it
into an exception (``-W error``, pytest's ``filterwarnings = error``), it goes to stderr
instead: a report must never become the caller's crash.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import warnings
from collections.abc import Hashable

from . import _frames
from ._exceptions import DiagnosticWarning
from ._resets import on_reset

_said: set[Hashable] = set()
_lock = threading.Lock()


def notice(
    subject: Hashable | None, message: str, category: type[DiagnosticWarning], **details: object
) -> None:
    """Warn *message* once per *subject* (every time when *subject* is None)."""
    if subject is not None:
        with _lock:
            if subject in _said:
                return
            _said.add(subject)
    warning = category(message, **details)  # type: ignore[arg-type]
    try:
        here = sys._getframe()
        user = _frames.user_frame(here)
        if _frames.is_transparent(user.f_code.co_filename):
            # No user code on this stack (the flusher thread, phaseout's own CLI): name
            # phaseout as the place rather than a line of its machinery.
            warnings.warn_explicit(warning, category, "phaseout", 0, module="phaseout")
        else:
            warnings.warn(warning, stacklevel=_frames.stacklevel(here, user) or 1)
    except Exception:
        to_stderr(f"{category.__name__}: {message}")


def to_stderr(text: str) -> None:
    with contextlib.suppress(Exception):
        sys.stderr.write(f"{text}\n")


@on_reset
def _reset() -> None:
    """Report every subject again."""
    with _lock:
        _said.clear()

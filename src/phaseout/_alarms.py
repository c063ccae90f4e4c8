"""Calling back at a wall-clock time, from one daemon thread.

Phases that follow the date and rollout ramps that follow a schedule must change while the
program runs, yet a call must not look at the clock: the generated wrappers and routers
stay as they are until an alarm rebuilds them. The thread starts on the first alarm, sleeps
at most a minute at a time (a changed clock or a suspended machine is noticed within one),
and is started again in a forked child that still has alarms (a pre-forking server's
workers).
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
from collections.abc import Callable
from typing import Final

from . import _dates, _notices
from ._exceptions import SettingsWarning

__all__ = ["call_at"]

#: The longest sleep between looks at the clock, in seconds.
LONGEST_SLEEP: Final = 60.0

_order = itertools.count()  # keeps the heap from comparing callbacks
_alarms: list[tuple[float, int, Callable[[], None]]] = []
_changed = threading.Condition()
_thread: threading.Thread | None = None


def call_at(when: float, callback: Callable[[], None]) -> None:
    """Call *callback* (quick, never raising into the caller) at Unix time *when* or soon
    after, from the alarm thread."""
    global _thread
    with _changed:
        heapq.heappush(_alarms, (when, next(_order), callback))
        _changed.notify()
        if _thread is None:
            _thread = threading.Thread(target=_run, name="phaseout-alarms", daemon=True)
            _thread.start()


def _run() -> None:
    while True:
        with _changed:
            while not _alarms:
                _changed.wait()
            delay = _alarms[0][0] - _dates.now()
            if delay > 0:
                _changed.wait(min(delay, LONGEST_SLEEP))
                continue
            _, _, callback = heapq.heappop(_alarms)
        try:
            callback()
        except Exception as error:  # an alarm must never end the thread the others need
            message = f"phaseout: a scheduled change failed ({type(error).__name__}: {error})"
            _notices.notice(("alarm", type(error)), message, SettingsWarning)


def _after_fork_in_child() -> None:
    global _changed, _thread
    _changed = threading.Condition()  # the parent's lock may have been held at fork()
    _thread = None
    if _alarms:
        _thread = threading.Thread(target=_run, name="phaseout-alarms", daemon=True)
        _thread.start()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

"""Flushing usage counts to the sinks: on ``flush_usage()``, from a daemon thread every flush
interval (at once for a new call site's announcement), at exit, and at a ``multiprocessing``
worker's normal end.

A sink that blocks holds up the flusher thread only; at exit phaseout waits for it at most
:data:`EXIT_TIMEOUT` seconds. Each sink keeps its own baseline per site, moved only once the
sink has taken the event: a failing sink loses nothing, a working one beside it is not held
back. The counters themselves are ``_usage``'s; this module starts its thread when they
first need it (``STATE.start_flusher``).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time
from typing import Final

from . import _notices
from ._config import CONFIG
from ._exceptions import UsageLogWarning
from ._sinks import Sink, SinkFailure
from ._usage import EVENTS, PENDING, SITES, STATE, CallSite, current_sinks
from .processors import EventDict

#: Seconds the exit flush waits for a sink before the process exits without it.
EXIT_TIMEOUT: Final = 5.0


def flush_usage(timeout: float | None = None) -> int:
    """Write what the sinks have not been told yet, now; the number of events written.

    Another flush may be under way (the background thread's, stuck in a sink that blocks):
    with *timeout* (seconds), give up waiting for it after that long and return 0, the
    counts kept for the next flush, rather than wait as long as the sink does.

    Args:
        timeout: Seconds to wait for a flush already under way; ``None`` waits for it.

    .. versionadded:: 0.1
    """
    if timeout is not None and (isinstance(timeout, bool) or not timeout >= 0):
        raise ValueError(f"flush_usage: timeout must be a number of seconds >= 0, got {timeout!r}")
    return flush(timeout=timeout)


_flushing = threading.local()


def flush(*, calls_only: bool = False, timeout: float | None = None) -> int:
    if not current_sinks() or getattr(_flushing, "active", False):
        # A sink that itself uses deprecated code (a processor, a stream) lands here from
        # inside a flush: its new site waits for the next flush instead of deadlocking.
        return 0
    _flushing.active = True
    try:
        if not STATE.flush_lock.acquire(timeout=-1 if timeout is None else timeout):
            return 0  # another flush is stuck in a sink: the counts wait for the next one
        try:
            # The sinks are read under the lock: a flush that waited out a configure()
            # writes to the new sinks, not to the ones it saw before waiting.
            return _flush_locked(current_sinks(), calls_only)
        finally:
            STATE.flush_lock.release()
    finally:
        _flushing.active = False


def _flush_locked(sinks: tuple[Sink, ...], calls_only: bool) -> int:
    """One flush to *sinks*; the caller holds ``STATE.flush_lock``."""
    written = 0
    with STATE.lock:
        pending = list(PENDING)
        PENDING.clear()
    events = [EVENTS.popleft() for _ in range(len(EVENTS))]
    sites = [] if calls_only else list(SITES.values())
    for sink in sinks:
        batch: list[EventDict] = []
        moves: list[tuple[CallSite | None, int | None]] = []  # what to record once taken
        for site in pending:
            if sink not in site.announced:  # type: ignore[operator]  # only call sites
                batch.append(site.call_event())
                moves.append((site, None))
        batch += events  # one-off events: a sink that fails them does not get them again
        moves += [(None, None)] * len(events)
        for site in sites:
            total = site.total()
            count = total - site.flushed.get(sink, site.base)
            if count > 0:
                batch.append(site.usage_event(count))
                moves.append((site, total))
        if not batch:
            continue
        try:
            taken = sink.emit(batch)
        except SinkFailure as failure:
            taken = failure.written
            _report(sink, failure.__cause__)
        for moved, moved_to in moves[:taken]:
            if moved is None:
                continue
            if moved_to is None:
                moved.announced.add(sink)  # type: ignore[union-attr]  # only call sites
            else:
                moved.flushed[sink] = moved_to
        written += taken
    # A site some sink did not take is announced again at the next flush, and so is
    # every site when configure() replaced the sinks during this flush.
    with STATE.lock:
        replaced = STATE.sinks is not sinks
        for site in pending:
            if replaced or any(sink not in site.announced for sink in sinks):  # type: ignore[operator]
                PENDING[site] = None
    if STATE.dropped:
        dropped, STATE.dropped = STATE.dropped, 0
        _notices.to_stderr(
            f"UsageLogWarning: phaseout dropped {dropped} rollout events that the usage "
            f"sinks could not take in time"
        )
    return written


def _report(sink: Sink, error: BaseException | None) -> None:
    """Say once per sink that it failed; never let saying it break the caller."""
    if sink in STATE.reported:
        return
    STATE.reported.add(sink)
    _notices.notice(
        None,
        f"phaseout could not write usage events to {sink.name}: {error!r}; "
        "the counts are kept for the next flush",
        UsageLogWarning,
    )


def ensure_flusher() -> None:
    """Start the daemon thread that writes to the sinks, once sinks exist."""
    if STATE.flusher is not None or not current_sinks():
        return
    with STATE.lock:
        if STATE.flusher is not None:  # another thread won
            return  # type: ignore[unreachable]  # mypy cannot see other threads
        thread = threading.Thread(target=_run_flusher, name="phaseout-usage", daemon=True)
        try:
            thread.start()
        except RuntimeError:  # interpreter shutting down: the exit flush covers it
            return
        STATE.flusher = thread
        if not STATE.atexit_registered:
            atexit.register(_flush_at_exit)
            STATE.atexit_registered = True
    _flush_at_worker_exit()


def _flush_at_worker_exit() -> None:
    """In a ``multiprocessing`` worker, flush when the worker ends normally.

    Workers leave through ``os._exit``, which skips ``atexit``; ``multiprocessing`` runs its
    own finalizers first (after ``Pool.close()``/``join()``, executor shutdown). A worker
    ended by ``terminate()`` (SIGTERM) or a crash loses what was not flushed yet.
    """
    if STATE.finalizer_pid == os.getpid():
        return
    process = sys.modules.get("multiprocessing.process")
    util = sys.modules.get("multiprocessing.util")
    if process is None or util is None or process.parent_process() is None:
        return
    STATE.finalizer_pid = os.getpid()
    util.Finalize(None, _flush_at_exit, exitpriority=100)


def _run_flusher() -> None:
    state = STATE
    wake = state.wake
    state.interval_start = time.monotonic()
    while True:
        # Woken early by a settings change: wait out the (possibly new) interval from the
        # last flush, rather than flushing at every configure().
        wake.wait(max(0.0, state.interval_start + CONFIG.load().flush_interval - time.monotonic()))
        if state.wake is not wake:  # a fork renewed the state; this thread is not ours
            return
        wake.clear()
        if state.exiting.is_set():
            _flush_quietly()
            state.exit_flushed.set()
        elif time.monotonic() >= state.interval_start + CONFIG.load().flush_interval:
            _flush_quietly()
            state.interval_start = time.monotonic()
        elif state.prompt and (PENDING or EVENTS):
            _flush_quietly(calls_only=True)


def _flush_quietly(*, calls_only: bool = False) -> None:
    try:
        flush(calls_only=calls_only)
    except Exception as error:  # a bug here must not kill the thread or the exit
        _notices.to_stderr(f"phaseout failed to flush usage events: {error!r}")


def _flush_at_exit() -> None:
    """The last flush, made by the flusher thread and waited for at most EXIT_TIMEOUT
    seconds: a blocked sink must not keep the program from exiting."""
    flusher = STATE.flusher
    if flusher is None or not flusher.is_alive() or flusher is threading.current_thread():
        _flush_quietly()
        return
    STATE.exit_flushed.clear()
    STATE.exiting.set()
    STATE.wake.set()
    if not STATE.exit_flushed.wait(EXIT_TIMEOUT):
        _notices.to_stderr(
            f"UsageLogWarning: phaseout gave up on writing the last usage counts after "
            f"{EXIT_TIMEOUT:g} s: a usage sink is blocked"
        )


# The counters start the thread through this when they first need it.
STATE.start_flusher = ensure_flusher

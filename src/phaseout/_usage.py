"""Usage accounting: per-call-site counters in memory, flushed as events to the sinks.

A use costs one ``next()`` on an ``itertools.count`` (atomic under the GIL, so no increment
is lost between threads); nothing is logged per call. The first use at a call site makes a
:class:`_Site` and announces it at once (``deprecated_call``); counts are written as
``deprecated_usage`` events, one per site that moved, every flush interval from a daemon
thread, on ``flush_usage()`` and at interpreter exit. So a million calls from three call
sites write a handful of lines.

Each sink keeps its own baseline per site, and a baseline moves only once the sink has taken
the event: a failing sink loses nothing, and a working sink beside it is not held back.

A deprecated call never writes: sinks are written by the flusher thread (woken at once for a
new call site's announcement) or by an explicit ``flush_usage()``. A sink that blocks (a FIFO
with no reader, a hung mount, a logger waiting on a lock) holds up that thread only; at exit
phaseout waits for it at most :data:`EXIT_TIMEOUT` seconds. A new call site costs the caller
O(1), and at most :data:`MAX_SITES` sites are kept: uses from further sites are counted per
symbol under the caller :data:`OTHER_SITES`. Call sites are keyed by code identity without
keeping code objects alive, so ``exec``'d code is freed as usual.
"""

from __future__ import annotations

import atexit
import collections
import itertools
import os
import sys
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import CodeType, FrameType
from typing import TYPE_CHECKING, Any, Final

from . import _frames, _notices
from ._config import CONFIG
from ._sinks import FileSink, Sink, SinkFailure, build_sinks
from .exceptions import UsageLogWarning
from .phases import Phase
from .processors import EventDict, utc_timestamp

if TYPE_CHECKING:
    from ._declaration import DeclarationRecord as Declaration

#: How many call sites are kept per process; later new sites count under OTHER_SITES.
MAX_SITES: Final = 10_000
#: The caller of the per-symbol site that counts uses from sites past MAX_SITES.
OTHER_SITES: Final = "(other call sites)"
#: Seconds the exit flush waits for a sink before the process exits without it.
EXIT_TIMEOUT: Final = 5.0
#: Rollout events (rollbacks, mismatches) waiting for the flusher; older ones are dropped.
MAX_QUEUED_EVENTS: Final = 10_000


def read_counter(counter: itertools.count[int]) -> int:
    """The value of *counter* without advancing it; ``repr`` is the only reader it has."""
    return int(repr(counter)[6:-1])


@dataclass(frozen=True, slots=True)
class SiteUsage:
    """How often one call site used one deprecated symbol in this process."""

    symbol: str
    package: str
    phase: Phase
    caller: str
    file: str
    line: int
    count: int


class _Site:
    """One (declaration, caller, file, line), or one (rollout, path): counters, and what each
    sink has been told."""

    __slots__ = (
        "announced",
        "base",
        "counters",
        "decl",
        "first_seen",
        "flushed",
        "identity",
        "usage_name",
    )

    def __init__(self, decl: Declaration | None, identity: dict[str, Any], usage_name: str) -> None:
        self.decl = decl
        self.identity = identity
        self.usage_name = usage_name
        self.first_seen = time.time()
        # Several instruction offsets can share a line (`f(); f()`): one counter each.
        self.counters: list[itertools.count[int]] = []
        self.base = 0  # the total when this process started counting (changes at fork)
        self.flushed: dict[Sink, int] = {}
        # Only call sites are announced (deprecated_call); a rollout's paths are not.
        self.announced: set[Sink] | None = set() if decl is not None else None

    def total(self) -> int:
        return sum(map(read_counter, self.counters))

    def call_event(self) -> EventDict:
        return {"timestamp": utc_timestamp(self.first_seen), "event": "deprecated_call"} | (
            self.identity
        )

    def usage_event(self, count: int) -> EventDict:
        return {"event": self.usage_name, "count": count} | self.identity


class _State:
    """The mutable module state, in one place so a forked child can renew it."""

    __slots__ = (
        "atexit_registered",
        "dropped",
        "exit_flushed",
        "exiting",
        "finalizer_pid",
        "flush_lock",
        "flusher",
        "generation",
        "lock",
        "prompt",
        "reported",
        "sinks",
        "wake",
    )

    def __init__(self) -> None:
        self.renew_threading()
        self.sinks: tuple[Sink, ...] | None = None  # built from the settings on first need
        self.generation = 0  # bumped by every settings change, so a stale build is not kept
        self.reported: set[Sink] = set()
        self.atexit_registered = False
        self.finalizer_pid = 0
        self.dropped = 0
        # Announce new call sites from the flusher at once (tests turn it off to write
        # only on flush_usage(), in their own thread).
        self.prompt = True

    def renew_threading(self) -> None:
        self.lock = threading.Lock()  # guards site creation
        self.flush_lock = threading.Lock()  # one flush at a time
        self.wake = threading.Event()
        self.exiting = threading.Event()  # the process is exiting: flush everything now
        self.exit_flushed = threading.Event()
        self.flusher: threading.Thread | None = None


STATE: Final = _State()
_SITES: Final[dict[tuple[Any, ...], _Site]] = {}
# Call sites whose deprecated_call event some sink has not taken yet (an ordered set).
_PENDING: Final[dict[_Site, None]] = {}
_EVENTS: Final[collections.deque[EventDict]] = collections.deque()


def _sinks() -> tuple[Sink, ...]:
    sinks = STATE.sinks
    if sinks is None:
        generation = STATE.generation
        config = CONFIG.load()
        sinks = build_sinks(config.usage_log, config.usage_logger)
        with STATE.lock:
            # Keep what was built only if no configure() came in between (its settings
            # would be lost), and only one build per settings (two sink objects for one
            # file would each be told of every call site).
            if STATE.generation == generation:
                if STATE.sinks is None:
                    STATE.sinks = sinks
                else:
                    sinks = STATE.sinks
    return sinks


def _settings_changed() -> None:
    with STATE.lock:
        STATE.generation += 1
        STATE.sinks = None
        # New sinks are told of every call site known so far.
        for site in _SITES.values():
            if site.announced is not None:
                _PENDING[site] = None
    STATE.wake.set()  # a flusher waiting out an old interval re-reads it


CONFIG.add_listener(_settings_changed)


def new_site(
    decl: Declaration, user: FrameType, key: tuple[int, int], phase: Phase
) -> itertools.count[int]:
    """The counter for the first use from *key* (code id, offset), creating its site if new.

    O(1) for the caller: the site's announcement is queued for the flusher thread.
    """
    if len(_SITES) >= MAX_SITES:
        return _other_sites(decl, phase)
    # Everything that may run other code (metadata for the package name) happens before the
    # lock is taken.
    code = user.f_code
    caller = f"{user.f_globals.get('__name__') or '?'}:{_frames.qualname_of(user)}"
    line = _frames.line_of(code, user.f_lasti)
    identity = _identity(decl, phase, caller, code.co_filename, line)
    where = (decl, caller, code.co_filename, line)
    with STATE.lock:
        counter = decl.sites.get(key)
        if counter is not None:  # another thread got here first
            return counter
        counter = decl.sites[key] = itertools.count(0)
        _forget_with(code, decl, key)
        site = _SITES.get(where)
        if site is None:
            site = _SITES[where] = _Site(decl, identity, "deprecated_usage")
            _PENDING[site] = None
        site.counters.append(counter)
    _wake_flusher()
    return counter


def _identity(decl: Declaration, phase: Phase, caller: str, file: str, line: int) -> dict[str, Any]:
    timeline = decl.timeline.texts
    return {
        "symbol": decl.symbol,
        "package": decl.package,
        "phase": phase.value,
        "since": timeline["since"],
        "removed_in": timeline["removed_in"],
        "replacement": decl.replacement_name,
        "caller": caller,
        "file": file,
        "line": line,
    }


def _other_sites(decl: Declaration, phase: Phase) -> itertools.count[int]:
    """The counter for uses from sites past :data:`MAX_SITES`: one per declaration, never
    remembered per site, so memory stays bounded whatever the code does."""
    where = (decl, OTHER_SITES, "", 0)
    site = _SITES.get(where)
    if site is None:
        identity = _identity(decl, phase, OTHER_SITES, OTHER_SITES, 0)
        with STATE.lock:
            site = _SITES.get(where)
            if site is None:
                site = _SITES[where] = _Site(decl, identity, "deprecated_usage")
                site.counters.append(itertools.count(0))
                _PENDING[site] = None
        _wake_flusher()
    return site.counters[0]


def _forget_with(code: CodeType, decl: Declaration, key: tuple[int, int]) -> None:
    """Drop *decl*'s counter for *key* when *code* is freed: code ids are reused, and
    holding the code would keep every ``exec``'d snippet alive. Counts stay in the site."""
    refs = decl.code_refs
    ident = key[0]
    entry = refs.get(ident)
    if entry is None:

        def forget(_: object, sites: Any = decl.sites, refs: Any = refs) -> None:
            # Runs when the code is freed, perhaps inside a lock this thread holds: only
            # atomic dict operations here.
            dead = refs.pop(ident, None)
            if dead is not None:
                for lasti in dead[1]:
                    sites.pop((ident, lasti), None)

        entry = refs[ident] = (weakref.ref(code, forget), [])
    entry[1].append(key[1])


def _wake_flusher() -> None:
    if STATE.flusher is None:
        ensure_flusher()
    if STATE.prompt:
        STATE.wake.set()


def count_rollout(rollout: str, path: str, outcome: str) -> None:
    """Count one call a rollout routed to *path*, which ended in *outcome* (``ok``,
    ``error`` or ``fallback``); flushed as ``rollout_usage`` events."""
    where = ("rollout", rollout, path, outcome)
    site = _SITES.get(where)
    if site is None:
        with STATE.lock:
            site = _SITES.get(where)
            if site is None:
                identity = {"rollout": rollout, "path": path, "outcome": outcome}
                site = _Site(None, identity, "rollout_usage")
                site.counters.append(itertools.count(0))
                _SITES[where] = site
        ensure_flusher()
    next(site.counters[0])


def rollout_counts() -> dict[tuple[str, str, str], int]:
    """Calls per (rollout, path, outcome) in this process so far."""
    return {
        (site.identity["rollout"], site.identity["path"], site.identity["outcome"]): (
            site.total() - site.base
        )
        for site in list(_SITES.values())
        if site.decl is None
    }


def emit_event(event: EventDict) -> None:
    """Queue one event for every sink; the flusher thread writes it soon after."""
    if not _sinks():
        return
    if len(_EVENTS) >= MAX_QUEUED_EVENTS:
        _EVENTS.popleft()
        STATE.dropped += 1
    _EVENTS.append(dict(event))
    _wake_flusher()


_IDENTITY_KEYS: Final = (
    "symbol", "package", "phase", "since", "removed_in", "replacement", "caller", "file", "line",
)  # fmt: skip


def site_records() -> list[dict[str, Any]]:
    """Every call site counted in this process, as the fields of its usage events plus
    ``count`` (plain values: they travel between processes, e.g. from xdist workers)."""
    with STATE.lock:
        sites = [site for site in _SITES.values() if site.decl is not None]
    return [
        {**{key: site.identity[key] for key in _IDENTITY_KEYS}, "count": total}
        for site in sites
        if (total := site.total() - site.base) > 0
    ]


def write_usage_events(path: str, records: Sequence[Mapping[str, Any]]) -> int:
    """Append *records* (see :func:`site_records`) to the usage log at *path* as
    ``deprecated_usage`` events, read by ``phaseout report``; the number written."""
    events = [{"event": "deprecated_usage", **record} for record in records]
    return FileSink(path).emit(events) if events else 0


def usage() -> list[SiteUsage]:
    """Uses of deprecated symbols in this process so far, one entry per call site.

    Counts start at zero in a forked child. Flushing does not reset them.
    """
    return [
        SiteUsage(
            symbol=site.identity["symbol"],
            package=site.identity["package"],
            phase=Phase(site.identity["phase"]),
            caller=site.identity["caller"],
            file=site.identity["file"],
            line=site.identity["line"],
            count=site.total() - site.base,
        )
        for site in list(_SITES.values())
        if site.decl is not None
    ]


def flush_usage(timeout: float | None = None) -> int:
    """Write what the sinks have not been told yet, now; the number of events written.

    Another flush may be under way (the background thread's, stuck in a sink that blocks):
    with *timeout* (seconds), give up waiting for it after that long and return 0, the
    counts kept for the next flush, rather than wait as long as the sink does.
    """
    if timeout is not None and (isinstance(timeout, bool) or not timeout >= 0):
        raise ValueError(f"flush_usage: timeout must be a number of seconds >= 0, got {timeout!r}")
    return flush(timeout=timeout)


_flushing = threading.local()


def flush(*, calls_only: bool = False, timeout: float | None = None) -> int:
    if not _sinks() or getattr(_flushing, "active", False):
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
            return _flush_locked(_sinks(), calls_only)
        finally:
            STATE.flush_lock.release()
    finally:
        _flushing.active = False


def _flush_locked(sinks: tuple[Sink, ...], calls_only: bool) -> int:
    """One flush to *sinks*; the caller holds ``STATE.flush_lock``."""
    written = 0
    with STATE.lock:
        pending = list(_PENDING)
        _PENDING.clear()
    events = [_EVENTS.popleft() for _ in range(len(_EVENTS))]
    sites = [] if calls_only else list(_SITES.values())
    for sink in sinks:
        batch: list[EventDict] = []
        moves: list[tuple[_Site | None, int | None]] = []  # what to record once taken
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
                _PENDING[site] = None
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
    if STATE.flusher is not None or not _sinks():
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
    last = time.monotonic()
    while True:
        # Woken early by a settings change: wait out the (possibly new) interval from the
        # last flush, rather than flushing at every configure().
        wake.wait(max(0.0, last + CONFIG.load().flush_interval - time.monotonic()))
        if state.wake is not wake:  # a fork renewed the state; this thread is not ours
            return
        wake.clear()
        if state.exiting.is_set():
            _flush_quietly()
            state.exit_flushed.set()
        elif time.monotonic() >= last + CONFIG.load().flush_interval:
            _flush_quietly()
            last = time.monotonic()
        elif state.prompt and (_PENDING or _EVENTS):
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


def _after_fork_in_child() -> None:
    # The parent's threads and locks do not exist here; its counts are the parent's to report.
    STATE.renew_threading()
    _PENDING.clear()
    _EVENTS.clear()
    decls = set()
    for site in _SITES.values():
        site.base = site.total()
        site.flushed.clear()
        if site.decl is not None:
            decls.add(site.decl)
    # Send the next use of each site down the slow path, which restarts the flusher.
    for decl in decls:
        decl.invalidate()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def forget_sites() -> None:
    """Forget every site, its counters and baselines, and past failure reports (for tests)."""
    with STATE.flush_lock, STATE.lock:
        for site in _SITES.values():
            if site.decl is not None:
                site.decl.sites.clear()
                site.decl.code_refs.clear()
                site.decl.invalidate()
        _SITES.clear()
        _PENDING.clear()
        _EVENTS.clear()
        STATE.reported.clear()
        STATE.dropped = 0

"""Usage accounting: per-call-site counters in memory, and the events waiting for the sinks.

A use costs one ``next()`` on an ``itertools.count`` (atomic under the GIL, so no increment
is lost between threads); nothing is logged per call. The first use at a call site makes a
:class:`CallSite` and queues its announcement (``deprecated_call``); counts become
``deprecated_usage`` events when ``_flushing`` writes them (a daemon thread every flush
interval, ``flush_usage()``, exit). So a million calls from three call sites write a handful
of lines, and a deprecated call never writes.

A new call site costs the caller O(1), and at most :data:`MAX_SITES` sites are kept: uses
from further sites are counted per symbol under the caller :data:`OTHER_SITES`. Call sites
are keyed by code identity without keeping code objects alive, so ``exec``'d code is freed as
usual. A forked child starts from zero: its parent's counts are the parent's to report.
"""

from __future__ import annotations

import collections
import itertools
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import CodeType, FrameType
from typing import TYPE_CHECKING, Any, Final

from . import _frames
from ._config import CONFIG
from ._resets import on_reset
from ._sinks import FileSink, Sink, build_sinks
from .phases import Phase
from .processors import EventDict, utc_timestamp

if TYPE_CHECKING:
    from ._declaration import DeclarationRecord as Declaration


#: How many call sites are kept per process; later new sites count under OTHER_SITES.
MAX_SITES: Final = 10_000


#: The caller of the per-symbol site that counts uses from sites past MAX_SITES.
OTHER_SITES: Final = "(other call sites)"


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
    #: ``"declaration"`` (a phaseout declaration, watched APIs included) or ``"warning"``
    #: (another library's warning, counted by ``phaseout.track_warnings()``).
    kind: str = "declaration"


class CallSite:
    """One (declaration, caller, file, line), one (foreign warning, caller, file, line), or one
    (rollout, path): counters, and what each sink has been told."""

    __slots__ = (
        "announced",
        "base",
        "counters",
        "decl",
        "first_seen",
        "flushed",
        "identity",
        "kind",
        "usage_name",
    )

    def __init__(
        self,
        decl: Declaration | None,
        identity: dict[str, Any],
        usage_name: str,
        kind: str = "declaration",
    ) -> None:
        self.decl = decl
        self.identity = identity
        self.usage_name = usage_name
        self.kind = kind  # "declaration", "warning" or "rollout"
        self.first_seen = time.time()
        # Several instruction offsets can share a line (`f(); f()`): one counter each.
        self.counters: list[itertools.count[int]] = []
        self.base = 0  # the total when this process started counting (changes at fork)
        self.flushed: dict[Sink, int] = {}
        # Only call sites are announced (deprecated_call); a rollout's paths are not.
        self.announced: set[Sink] | None = set() if kind != "rollout" else None

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
        "interval_start",
        "lock",
        "prompt",
        "reported",
        "sinks",
        "start_flusher",
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
        # When the current flush interval began (time.monotonic()): the flusher's clock, kept
        # here so that a reset starts the interval over.
        self.interval_start = time.monotonic()
        # Starts the flusher thread: set by `_flushing` when it is loaded (it reads these
        # counters; they never import it).
        self.start_flusher: Callable[[], None] | None = None
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


SITES: Final[dict[tuple[Any, ...], CallSite]] = {}


# Call sites whose deprecated_call event some sink has not taken yet (an ordered set).
PENDING: Final[dict[CallSite, None]] = {}


EVENTS: Final[collections.deque[EventDict]] = collections.deque()


def current_sinks() -> tuple[Sink, ...]:
    sinks = STATE.sinks
    if sinks is None:
        generation = STATE.generation
        config = CONFIG.load()
        sinks = build_sinks(config.usage_log, config.structlog_logger)
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
        for site in SITES.values():
            if site.announced is not None:
                PENDING[site] = None
    STATE.wake.set()  # a flusher waiting out an old interval re-reads it


CONFIG.add_listener(_settings_changed)


def new_site(
    decl: Declaration, user: FrameType, key: tuple[int, int], phase: Phase
) -> itertools.count[int]:
    """The counter for the first use from *key* (code id, offset), creating its site if new.

    O(1) for the caller: the site's announcement is queued for the flusher thread.
    """
    if len(SITES) >= MAX_SITES:
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
        site = SITES.get(where)
        if site is None:
            site = SITES[where] = CallSite(decl, identity, "deprecated_usage")
            PENDING[site] = None
        site.counters.append(counter)
    _wake_flusher()
    return counter


def site_counter(
    decl: Declaration, phase: Phase, caller: str, file: str, line: int
) -> itertools.count[int]:
    """The counter of a use at a place that is not code (a settings file, the environment):
    *file* and *line* name it in the usage events, *caller* says what read it."""
    site = SITES.get((decl, caller, file, line))
    if site is not None:
        return site.counters[0]
    if len(SITES) >= MAX_SITES:
        return _other_sites(decl, phase)
    return _one_counter(decl, phase, caller, file, line)


def _one_counter(
    decl: Declaration, phase: Phase, caller: str, file: str, line: int
) -> itertools.count[int]:
    """The single counter of the site (*decl*, *caller*, *file*, *line*), made if new."""
    where = (decl, caller, file, line)
    site = SITES.get(where)
    if site is None:
        identity = _identity(decl, phase, caller, file, line)
        with STATE.lock:
            site = SITES.get(where)
            if site is None:
                site = SITES[where] = CallSite(decl, identity, "deprecated_usage")
                site.counters.append(itertools.count(0))
                PENDING[site] = None
        _wake_flusher()
    return site.counters[0]


def _identity(decl: Declaration, phase: Phase, caller: str, file: str, line: int) -> dict[str, Any]:
    timeline = decl.timeline.texts
    return {
        "symbol": decl.symbol,
        "package": decl.package,
        "phase": phase.value,
        "since": timeline["since"],
        "removed_in": timeline["removed_in"],
        "replacement": decl.replacement,
        "caller": caller,
        "file": file,
        "line": line,
    }


def _other_sites(decl: Declaration, phase: Phase) -> itertools.count[int]:
    """The counter for uses from sites past :data:`MAX_SITES`: one per declaration, never
    remembered per site, so memory stays bounded whatever the code does."""
    return _one_counter(decl, phase, OTHER_SITES, OTHER_SITES, 0)


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


def start_flusher() -> None:
    """Start the flusher thread (``_flushing``, which put its starter here when loaded)."""
    start = STATE.start_flusher
    if start is not None:
        start()


def _wake_flusher() -> None:
    if STATE.flusher is None:
        start_flusher()
    if STATE.prompt:
        STATE.wake.set()


def count_rollout(rollout: str, path: str, outcome: str) -> None:
    """Count one call a rollout routed to *path*, which ended in *outcome* (``ok``,
    ``error`` or ``fallback``); flushed as ``rollout_usage`` events."""
    where = ("rollout", rollout, path, outcome)
    site = SITES.get(where)
    if site is None:
        with STATE.lock:
            site = SITES.get(where)
            if site is None:
                identity = {"rollout": rollout, "path": path, "outcome": outcome}
                site = CallSite(None, identity, "rollout_usage", "rollout")
                site.counters.append(itertools.count(0))
                SITES[where] = site
        start_flusher()
    next(site.counters[0])


def rollout_counts() -> dict[tuple[str, str, str], int]:
    """Calls per (rollout, path, outcome) in this process so far."""
    return {
        (site.identity["rollout"], site.identity["path"], site.identity["outcome"]): (
            site.total() - site.base
        )
        for site in list(SITES.values())
        if site.kind == "rollout"
    }


def emit_event(event: EventDict) -> None:
    """Queue one event for every sink; the flusher thread writes it soon after."""
    if not current_sinks():
        return
    if len(EVENTS) >= MAX_QUEUED_EVENTS:
        EVENTS.popleft()
        STATE.dropped += 1
    EVENTS.append(dict(event))
    _wake_flusher()


def warning_counter(where: tuple[Any, ...], identity: dict[str, Any]) -> itertools.count[int]:
    """The counter of one foreign warning's call site (*where*: a key naming the warning and
    the site), creating the site, announced like a declaration's, on first use.

    Past :data:`MAX_SITES` sites, uses count under the warning's :data:`OTHER_SITES` site.
    """
    site = SITES.get(where)
    if site is None:
        if len(SITES) >= MAX_SITES:
            where = ("warning", identity["package"], identity["symbol"], OTHER_SITES)
            identity = identity | {"caller": OTHER_SITES, "file": OTHER_SITES, "line": 0}
        with STATE.lock:
            site = SITES.get(where)
            if site is None:
                site = SITES[where] = CallSite(None, identity, "deprecated_usage", "warning")
                site.counters.append(itertools.count(0))
                PENDING[site] = None
        _wake_flusher()
    return site.counters[0]


_IDENTITY_KEYS: Final = (
    "symbol", "package", "phase", "since", "removed_in", "replacement", "caller", "file", "line",
)  # fmt: skip

# What a foreign warning's events carry besides: its category and (normalised) message.
_WARNING_KEYS: Final = ("kind", "category", "message")


def site_records() -> list[dict[str, Any]]:
    """Every call site counted in this process, as the fields of its usage events plus
    ``count`` (plain values: they travel between processes, e.g. from xdist workers)."""
    with STATE.lock:
        sites = [site for site in SITES.values() if site.kind != "rollout"]
    return [
        {
            **{key: site.identity[key] for key in _IDENTITY_KEYS},
            **{key: site.identity[key] for key in _WARNING_KEYS if key in site.identity},
            "count": total,
        }
        for site in sites
        if (total := site.total() - site.base) > 0
    ]


def write_usage_events(path: str, records: Sequence[Mapping[str, Any]]) -> int:
    """Append *records* (see :func:`site_records`) to the usage log at *path* as
    ``deprecated_usage`` events, read by ``phaseout report``; the number written."""
    events = [{"event": "deprecated_usage", **record} for record in records]
    return FileSink(path).emit(events) if events else 0


def usage() -> list[SiteUsage]:
    """Uses of deprecated symbols in this process so far, one entry per call site: of
    phaseout declarations, and of other libraries' deprecation warnings while
    ``phaseout.track_warnings()`` is on (``kind="warning"``).

    Counts start at zero in a forked child. Flushing does not reset them.

    .. versionadded:: 0.1
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
            kind=site.kind,
        )
        for site in list(SITES.values())
        if site.kind != "rollout"
    ]


def _after_fork_in_child() -> None:
    # The parent's threads and locks do not exist here; its counts are the parent's to report.
    STATE.renew_threading()
    PENDING.clear()
    EVENTS.clear()
    decls = set()
    for site in SITES.values():
        site.base = site.total()
        site.flushed.clear()
        if site.decl is not None:
            decls.add(site.decl)
    # Send the next use of each site down the slow path, which restarts the flusher.
    for decl in decls:
        decl.invalidate()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


@on_reset
def _reset() -> None:
    """Forget every site, its counters and baselines, and past failure reports."""
    with STATE.flush_lock, STATE.lock:
        for site in SITES.values():
            if site.decl is not None:
                site.decl.sites.clear()
                site.decl.code_refs.clear()
                site.decl.invalidate()
        SITES.clear()
        PENDING.clear()
        EVENTS.clear()
        STATE.reported.clear()
        STATE.dropped = 0
        # A fresh start: the next periodic flush is a whole interval away.
        STATE.interval_start = time.monotonic()

"""Routing a rollout's calls: sticky buckets, overrides and the percentage.

A key's bucket (0-9999) is a stable hash of the rollout's name and the key, the same in every
process, machine and Python version (CRC-32 with a mixing step, never ``hash()``); a key goes
the new way when its bucket is below ``percent * 100``. Overrides come first: ``force()``,
``deny`` and ``allow``, a rollback, ``PHASEOUT_ROLLOUT``. The settings are compiled into one
closure, swapped in whole when they change.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import random
import threading
import weakref
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final

from .. import _alarms, _dates, _notices
from .._exceptions import RolloutWarning, SettingsWarning
from ..typing import RolloutPath
from ._schedule import Schedule

if TYPE_CHECKING:
    import asyncio  # imported when an async rollout first shadows: it costs ~25 ms

Path = RolloutPath  # public as phaseout.typing.RolloutPath
ROLLOUT_ENV: Final = "PHASEOUT_ROLLOUT"
BUCKETS: Final = 10_000
_BUCKET_CACHE: Final = 65_536


def _key_bytes(key: object) -> bytes:
    kind = type(key)
    # "surrogatepass": a key such as "user\udcff" (a file name decoded with surrogateescape)
    # still has bytes, and every other string keeps its UTF-8 bytes.
    if kind is str:
        return key.encode("utf-8", "surrogatepass")  # type: ignore[attr-defined, no-any-return]
    if kind is int or kind is bytes:
        return str(key).encode() if kind is int else key  # type: ignore[return-value]
    # Subclasses and other types: by their type's name and text, stable across processes.
    return f"{kind.__name__}:{key}".encode("utf-8", "surrogatepass")


def bucket_of(name: str, key: object) -> int:
    """The bucket (0-9999) of *key* in the rollout *name*: stable across processes,
    machines and Python versions."""
    return _mix(zlib.crc32(_key_bytes(key), zlib.crc32(name.encode() + b"\0")))


def _mix(value: int) -> int:
    # CRC-32 is linear, so rollouts with different names would pick related sets of keys;
    # multiplying by the golden ratio (mod 2**32) breaks that, and the high bits scaled to
    # 10,000 make the bucket (Fibonacci hashing).
    return ((value * 0x9E3779B1) & 0xFFFFFFFF) * BUCKETS >> 32


def _check_fraction(owner: str, name: str, value: object, upper: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 <= value <= upper):
        raise ValueError(f"{owner}: {name} must be a number from 0 to {upper:g}, got {value!r}")
    return float(value)


def _env_percent(name: str) -> float | None:
    """This rollout's percent in ``PHASEOUT_ROLLOUT``; a bad value is reported and ignored."""
    text = os.environ.get(ROLLOUT_ENV, "")
    for item in text.split(","):
        rollout, sep, value = item.strip().partition("=")
        if sep and rollout.strip() == name:
            try:
                return _check_fraction(ROLLOUT_ENV, name, float(value), 100)
            except ValueError:
                message = (
                    f"{ROLLOUT_ENV}: the percent of {name!r} must be a number from 0 to 100, "
                    f"got {value.strip()!r}; the variable is ignored for this rollout"
                )
                _notices.notice(("settings", message), message, SettingsWarning)
    return None


class RolloutState:
    """What a rollout's ``__init__`` sets, which its routing and judging halves read and
    write (declared once, for the type checker)."""

    name: str
    legacy: Callable[..., Any]
    new: Callable[..., Any]
    key: Callable[..., object] | None
    fallback: bool
    compare: Callable[[Any, Any], bool]
    openfeature: Any
    route: Callable[..., Path]
    _lock: threading.Lock
    _forced: contextvars.ContextVar[Path | None]
    _allow: frozenset[object]
    _deny: frozenset[object]
    _name_crc: int
    _buckets: dict[object, int]
    _forcing: bool
    _percent: float
    _threshold: int
    _rolled_back: dict[str, float] | None
    _schedule: Schedule | None
    _ramp_delay: float  # seconds the ramp was frozen by rollbacks: it resumes where it stood
    _frozen_at: float | None
    _held: bool  # set_percent() on a scheduled rollout holds the ramp until resume()
    _ramp_alarm: int  # the one alarm of the ramp that may act (older ones are stale)
    _shadow_tasks: set[asyncio.Task[Any]]
    _new_outcomes: deque[tuple[bool, float]]
    _new_raised: int
    _comparisons: deque[bool]
    _mismatched: int
    _legacy_seconds: deque[float]
    _since_judged: int
    _since_timed: int
    _calls: dict[str, int]
    _errors: dict[str, int]
    _fallbacks: int
    _shadow_runs: int
    _mismatches: int
    _shadow_errors: int


def _follow(ref: weakref.ref[Routing], alarm: int) -> None:
    rollout = ref()
    if rollout is not None:
        rollout._follow_schedule(alarm)


class Routing(RolloutState):
    """The routing half of :class:`~phaseout.rollout.Rollout`."""

    def set_percent(self, percent: float) -> None:
        """Serve *percent* (0-100, 0.01 resolution) of keys from the new path; thread-safe.
        On a rollout with a schedule it holds the ramp there until :meth:`resume`."""
        checked = _check_fraction(f"Rollout {self.name!r}", "percent", percent, 100)
        with self._lock:
            if self._schedule is not None:
                self._held = True
            self._apply_percent(checked)

    def _apply_percent(self, percent: float) -> None:
        """Route *percent*, or what ``PHASEOUT_ROLLOUT`` says; the caller holds the lock (every
        router is built under it, from settings read in it)."""
        env = _env_percent(self.name)
        self._percent = percent
        self._threshold = round((env if env is not None else percent) * 100)
        self._build_router()

    # -- the ramp ---------------------------------------------------------------------------

    def _start(self, percent: float, schedule: object) -> None:
        """The first percent: *percent*, or where *schedule* stands now."""
        self._schedule = None
        self._ramp_delay = 0.0
        self._frozen_at = None
        self._held = False
        self._ramp_alarm = 0
        self._percent = -1.0  # not routed yet: the first percent builds the router
        if schedule is None:
            self.set_percent(percent)
            return
        if percent:
            raise ValueError(
                f"Rollout {self.name!r}: give percent or schedule, not both (the schedule "
                f"sets the percent), got percent={percent!r}"
            )
        self._schedule = Schedule.parse(f"Rollout {self.name!r}", schedule)
        self._follow_schedule()

    def _ramp_clock(self, now: float) -> float:
        """The instant of the schedule the ramp stands at: later rollbacks shifted it."""
        frozen = self._frozen_at
        return (now if frozen is None else frozen) - self._ramp_delay

    def scheduled_percent(self, now: float | None = None) -> float | None:
        """The percent the schedule's calendar gives now (None: no schedule). A rollback
        freezes the ramp, which then stands behind its calendar: ``stats()`` shows both."""
        if self._schedule is None:
            return None
        return self._schedule.percent_at(_dates.now() if now is None else now)

    @property
    def schedule(self) -> Schedule | None:
        """The ramp's schedule, if the rollout has one."""
        return self._schedule

    def ramp_percent(self, when: float) -> float:
        """Where the ramp will stand at Unix time *when* if nothing stops it (the percent now
        when it is frozen, held or has no schedule)."""
        schedule = self._schedule
        if schedule is None or self._held or self._frozen_at is not None:
            return self._percent
        return schedule.percent_at(self._ramp_clock(when))

    def _follow_schedule(self, alarm: int | None = None) -> None:
        """Set the percent the ramp stands at, and the alarm for its next change. The router
        is rebuilt only when the percent changes: routing itself never reads the clock."""
        schedule = self._schedule
        if schedule is None:
            return
        now = _dates.now()
        with self._lock:
            if alarm is not None and alarm != self._ramp_alarm:
                return  # an alarm set before a freeze or a hold: a newer one took over
            if self._held or self._frozen_at is not None:
                return  # resume() starts the ramp again
            at = self._ramp_clock(now)
            percent = schedule.percent_at(at)
            if percent != self._percent:
                self._apply_percent(percent)
            change = schedule.next_change(at)
            self._ramp_alarm += 1
            token = self._ramp_alarm
            delay = self._ramp_delay
        if change is not None:
            ref = weakref.ref(self)
            _alarms.call_at(change + delay, lambda: _follow(ref, token))

    def _freeze_ramp(self) -> None:
        """A rollback: the ramp stops where it stands (the caller holds the lock)."""
        if self._schedule is not None and self._frozen_at is None:
            self._frozen_at = _dates.now()

    def _thaw_ramp(self) -> None:
        """resume(): the ramp goes on from where it stood, later by the time it was frozen
        (the caller holds the lock; it calls :meth:`_follow_schedule` after releasing it)."""
        if self._frozen_at is not None:
            self._ramp_delay += _dates.now() - self._frozen_at
            self._frozen_at = None
        self._held = False

    def ramp_state(self) -> str | None:
        """``"following"``, ``"frozen by a rollback"``, ``"held by set_percent()"``, or None
        without a schedule."""
        if self._schedule is None:
            return None
        if self._frozen_at is not None:
            return "frozen by a rollback"
        return "held by set_percent()" if self._held else "following"

    @property
    def percent(self) -> float:
        """The share of keys (0-100) served by the new path; setting it calls
        :meth:`set_percent`."""
        return self._percent

    @percent.setter
    def percent(self, percent: float) -> None:
        self.set_percent(percent)

    def bucket(self, key: object) -> int:
        """The bucket (0-9999) of *key* in this rollout: a key goes the new way when its
        bucket is below ``percent * 100``; stable across processes, machines and Python
        versions (see :func:`bucket_of`)."""
        return _mix(zlib.crc32(_key_bytes(key), self._name_crc))

    def _build_router(self) -> None:
        """Compile the current settings into ``self.route``, a closure over plain locals.

        Routing is the per-call cost of a rollout, so it reads no attributes: settings
        changes (percent, rollback, resume) build a new closure and swap it in at once,
        which is also what makes them thread-safe.
        """
        if self.openfeature is not None:
            self.route = self._openfeature_router()
            return
        forced_get, forcing = self._forced.get, self._forcing
        key_of = self.key
        deny, allow, buckets = self._deny, self._allow, self._buckets
        threshold = 0 if self._rolled_back is not None else self._threshold
        name_crc, crc32, draw, slow_bucket = self._name_crc, zlib.crc32, random.random, self.bucket

        def route(*args: Any, **kwargs: Any) -> Path:
            """Which path a call with these arguments takes (without calling it)."""
            if forcing:  # only once force() has been used: reading a context variable costs
                forced = forced_get()
                if forced is not None:
                    return forced
            if key_of is None:
                return "new" if draw() * BUCKETS < threshold else "legacy"
            key = key_of(*args, **kwargs)
            if deny or allow:
                try:
                    if key in deny:
                        return "legacy"
                    if key in allow:
                        return "new"
                except TypeError:  # an unhashable key is in neither list
                    pass
            kind = type(key)
            if kind is int or kind is str:
                # Buckets of plain int and str keys are remembered (a bounded table):
                # traffic repeats its users, and the table makes hashing one dict lookup.
                bucket = buckets.get(key)
                if bucket is None:
                    data = (
                        key.encode("utf-8", "surrogatepass")
                        if isinstance(key, str)
                        else str(key).encode()
                    )
                    bucket = ((crc32(data, name_crc) * 0x9E3779B1) & 0xFFFFFFFF) * BUCKETS >> 32
                    if len(buckets) >= _BUCKET_CACHE:
                        buckets.clear()
                    buckets[key] = bucket
            else:
                bucket = slow_bucket(key)
            return "new" if bucket < threshold else "legacy"

        self.route = route

    def _openfeature_router(self) -> Callable[..., Path]:
        """Routing delegated to an OpenFeature flag named like the rollout: the key is the
        targeting key; force(), deny, allow and a rollback still come first."""
        from openfeature.evaluation_context import EvaluationContext

        forced_get, key_of, name = self._forced.get, self.key, self.name
        deny, allow, rolled_back = self._deny, self._allow, self._rolled_back is not None
        evaluate = self.openfeature.get_boolean_value

        def route(*args: Any, **kwargs: Any) -> Path:
            forced = forced_get()
            if forced is not None:
                return forced
            key = None if key_of is None else key_of(*args, **kwargs)
            if deny and key in deny:
                return "legacy"
            if allow and key in allow:
                return "new"
            if rolled_back:
                return "legacy"
            context = EvaluationContext(targeting_key=None if key is None else str(key))
            return "new" if evaluate(name, False, context) else "legacy"

        return route

    @contextlib.contextmanager
    def force(self, path: Path) -> Iterator[None]:
        """Route every call in this context (thread, task) to *path*: for tests and headers."""
        if path not in ("legacy", "new"):
            raise ValueError(
                f"Rollout {self.name!r}: force() takes 'legacy' or 'new', got {path!r}"
            )
        if not self._forcing:
            with self._lock:
                self._forcing = True
                self._build_router()
        token = self._forced.set(path)
        try:
            yield
        finally:
            self._forced.reset(token)

    def _route_safely(self, args: Any, kwargs: Any) -> Path:
        try:
            return self.route(*args, **kwargs)
        except Exception as error:
            # A key function that raises, or a key that cannot be bucketed: the caller gets
            # the path that worked before the rollout began, and the problem is reported.
            message = (
                f"Rollout {self.name!r} could not route a call by its key "
                f"({type(error).__name__}: {error}); it was served by the legacy path"
            )
            _notices.notice(("rollout key", self.name, type(error)), message, RolloutWarning)
            return "legacy"

"""Moving callers from a legacy path to a new one in steps, watched, and undone at once.

``Rollout(name, legacy=..., new=..., percent=10, key=...)`` is a callable that routes each
call to one of two implementations:

- **Sticky buckets**: a key's bucket (0-9999, so 0.01 % resolution) is a stable hash of the
  rollout's name and the key: the same in every process, machine and Python version (CRC-32
  with a mixing step, never ``hash()``). A key goes the new way when its bucket is below
  ``percent * 100``, so raising ``percent`` never moves a key back to legacy.
- **Overrides**, strongest first: ``force()`` (context-local), ``deny`` and ``allow`` lists,
  a rolled-back state, ``PHASEOUT_ROLLOUT="name=percent,..."``, then ``percent``.
- **Fallback**: with ``fallback=True`` a new path that raises is answered by the legacy path.
- **Shadow**: a sampled share of calls also runs the path not chosen and compares results;
  what the shadow does never reaches the caller.
- **Rollback**: a :class:`RollbackPolicy` watches the new path over a sliding window and
  drops the rollout to 0 % when errors, mismatches or latency cross its limits.
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
import math
import os
import random
import threading
import time
import weakref
import zlib
from collections import deque
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from . import _notices, _otel, _usage  # noqa: F401  # _otel: rollouts under PHASEOUT_OTEL=1
from .exceptions import RolloutWarning, SettingsWarning

if TYPE_CHECKING:
    import asyncio  # imported when an async rollout first shadows: it costs ~25 ms

__all__ = ["RollbackPolicy", "Rollout", "RolloutStats", "bucket_of"]

Path = Literal["legacy", "new"]
ROLLOUT_ENV: Final = "PHASEOUT_ROLLOUT"
_clock = time.perf_counter  # monotonic; a module attribute so tests can drive it
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


@dataclass(frozen=True)
class RollbackPolicy:
    """When the new path is bad enough to roll back, judged over its last ``window`` calls.

    ``max_error_rate``: share of new-path calls that raised; ``max_mismatch_rate``: share of
    compared shadow calls whose results differed; ``max_p95_ratio``: new p95 latency over
    legacy p95 latency, which only counts when the new p95 is also at least
    ``min_p95_delta_ms`` milliseconds slower (two sub-millisecond timings differ by noise
    alone). Nothing is judged before ``min_calls`` new-path calls.
    """

    max_error_rate: float | None = None
    max_mismatch_rate: float | None = None
    max_p95_ratio: float | None = None
    min_p95_delta_ms: float = 1.0
    window: int = 1_000
    min_calls: int = 100

    def __post_init__(self) -> None:
        for name in ("max_error_rate", "max_mismatch_rate"):
            value = getattr(self, name)
            if value is not None:
                _check_fraction("RollbackPolicy", name, value, 1)
        if self.max_p95_ratio is not None and not (
            isinstance(self.max_p95_ratio, (int, float)) and self.max_p95_ratio > 0
        ):
            raise ValueError(
                "RollbackPolicy: max_p95_ratio must be a positive number, "
                f"got {self.max_p95_ratio!r}"
            )
        delta = self.min_p95_delta_ms
        if (
            isinstance(delta, bool)
            or not isinstance(delta, (int, float))
            or not 0 <= delta < math.inf
        ):
            raise ValueError(
                f"RollbackPolicy: min_p95_delta_ms must be a number of milliseconds >= 0, "
                f"got {delta!r}"
            )
        for name in ("window", "min_calls"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"RollbackPolicy: {name} must be a positive integer, got {value!r}"
                )
        if self.min_calls > self.window:
            raise ValueError(
                f"RollbackPolicy: min_calls must not exceed window, got {self.min_calls} > "
                f"{self.window}"
            )


@dataclass(frozen=True)
class RolloutStats:
    """A snapshot of a rollout's traffic and health."""

    name: str
    state: Literal["active", "rolled_back"]
    percent: float
    calls: dict[str, int]
    errors: dict[str, int]
    fallbacks: int
    shadow_runs: int
    mismatches: int
    shadow_errors: int
    p50_ms: dict[str, float | None]
    p95_ms: dict[str, float | None]
    rolled_back_because: dict[str, float] | None = field(default=None)


def _percentile(samples: Collection[float], fraction: float) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


# Every live rollout, for `phaseout audit` (held weakly: a rollout that goes away is gone).
ROLLOUTS: Final[weakref.WeakSet[Rollout]] = weakref.WeakSet()


class Rollout:
    """A callable that serves each call from ``legacy`` or ``new``; see the module docs."""

    #: Which path a call with these arguments takes (without calling it).
    route: Callable[..., Path]

    def __init__(
        self,
        name: str,
        *,
        legacy: Callable[..., Any],
        new: Callable[..., Any],
        percent: float = 0,
        key: Callable[..., object] | None = None,
        allow: Collection[object] = (),
        deny: Collection[object] = (),
        fallback: bool = False,
        shadow: float = 0,
        compare: Callable[[Any, Any], bool] | None = None,
        rollback: RollbackPolicy | None = None,
        openfeature: Any = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"Rollout name must be a non-empty string, got {name!r}")
        for role, func in (("legacy", legacy), ("new", new)):
            if not callable(func):
                raise TypeError(f"Rollout {name!r}: {role} must be callable, got {func!r}")
        if inspect.iscoroutinefunction(legacy) != inspect.iscoroutinefunction(new):
            raise TypeError(f"Rollout {name!r}: legacy and new must both be async, or neither")
        self.name = name
        self.legacy = legacy
        self.new = new
        ROLLOUTS.add(self)  # for phaseout audit
        self.key = key
        self.fallback = fallback
        self.compare = compare if compare is not None else (lambda a, b: a == b)
        self.shadow = _check_fraction(f"Rollout {name!r}", "shadow", shadow, 1)
        self.rollback_policy = rollback
        self.is_async = inspect.iscoroutinefunction(new)
        if openfeature is not None and not callable(
            getattr(openfeature, "get_boolean_value", None)
        ):
            raise TypeError(
                f"Rollout {name!r}: openfeature must be an OpenFeature client "
                f"(api.get_client()), got {openfeature!r}"
            )
        self.openfeature = openfeature
        self._lock = threading.Lock()
        self._forced: contextvars.ContextVar[Path | None] = contextvars.ContextVar(
            f"phaseout_rollout_{name}", default=None
        )
        self._allow = frozenset(allow)
        self._deny = frozenset(deny)
        self._name_crc = zlib.crc32(name.encode() + b"\0")
        self._buckets: dict[object, int] = {}
        self._forcing = False
        self._rolled_back: dict[str, float] | None = None
        self._shadow_tasks: set[asyncio.Task[Any]] = set()
        self.set_percent(percent)
        window = rollback.window if rollback is not None else 1_000
        # The last `window` new-path calls (raised, seconds) and shadow comparisons, with
        # running sums so that judging them costs O(1); legacy seconds for the p95 rule.
        self._new_outcomes: deque[tuple[bool, float]] = deque(maxlen=window)
        self._new_raised = 0
        self._comparisons: deque[bool] = deque(maxlen=window)
        self._mismatched = 0
        self._legacy_seconds: deque[float] = deque(maxlen=window)
        self._since_judged = 0
        self._since_timed = 0
        _LIVE.add(self)
        self._calls = {"legacy": 0, "new": 0}
        self._errors = {"legacy": 0, "new": 0}
        self._fallbacks = self._shadow_runs = self._mismatches = self._shadow_errors = 0

    # -- routing ---------------------------------------------------------------------

    def set_percent(self, percent: float) -> None:
        """Serve *percent* (0-100, 0.01 resolution) of keys from the new path; thread-safe."""
        checked = _check_fraction(f"Rollout {self.name!r}", "percent", percent, 100)
        env = _env_percent(self.name)
        with self._lock:  # every router is built under the lock, from settings read in it
            self._percent = checked
            self._threshold = round((env if env is not None else checked) * 100)
            self._build_router()

    @property
    def percent(self) -> float:
        """The share of keys (0-100) served by the new path; setting it calls
        :meth:`set_percent`."""
        return self._percent

    @percent.setter
    def percent(self, percent: float) -> None:
        self.set_percent(percent)

    def bucket(self, key: object) -> int:
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

    # -- calling ---------------------------------------------------------------------

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

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_async:
            return self._call_async(*args, **kwargs)
        path = self._route_safely(args, kwargs)
        chosen = self.new if path == "new" else self.legacy
        start = _clock()
        try:
            result = chosen(*args, **kwargs)
        except Exception:
            self._record(path, _clock() - start, raised=True)
            if path == "new" and self.fallback:
                with self._lock:
                    self._fallbacks += 1
                return self.legacy(*args, **kwargs)
            raise
        self._record(path, _clock() - start, raised=False)
        if self.shadow and random.random() < self.shadow:
            self._shadow_sync(path, result, args, kwargs)
        return result

    async def _call_async(self, *args: Any, **kwargs: Any) -> Any:
        path = self._route_safely(args, kwargs)
        chosen = self.new if path == "new" else self.legacy
        start = _clock()
        try:
            result = await chosen(*args, **kwargs)
        except Exception:
            self._record(path, _clock() - start, raised=True)
            if path == "new" and self.fallback:
                with self._lock:
                    self._fallbacks += 1
                return await self.legacy(*args, **kwargs)
            raise
        # Recorded now: a shadow that never finishes must not hide the call from stats()
        # and rollback rules.
        self._record(path, _clock() - start, raised=False)
        if self.shadow and random.random() < self.shadow:
            # The shadow runs as its own task: the caller's await does not wait for it.
            import asyncio

            task = asyncio.ensure_future(self._shadow_async(path, result, args, kwargs))
            self._shadow_tasks.add(task)
            task.add_done_callback(self._shadow_tasks.discard)
        return result

    def _other(self, path: Path) -> Callable[..., Any]:
        return self.legacy if path == "new" else self.new

    def _judge(self, path: Path, result: Any, other: Any) -> bool:
        legacy_result, new_result = (other, result) if path == "new" else (result, other)
        return not self.compare(legacy_result, new_result)

    def _shadow_sync(self, path: Path, result: Any, args: Any, kwargs: Any) -> None:
        """Run the path not chosen; its result or failure never reaches the caller."""
        other_path: Path = "legacy" if path == "new" else "new"
        start = _clock()
        try:
            other = self._other(path)(*args, **kwargs)
            mismatch = self._judge(path, result, other)
        except KeyboardInterrupt:
            raise  # the user's, not the shadow's
        except BaseException as error:  # SystemExit in shadow code must not end the caller
            self._shadow_failed(other_path, error)
            return
        self._shadow_done(other_path, _clock() - start, mismatch)

    async def _shadow_async(self, path: Path, result: Any, args: Any, kwargs: Any) -> None:
        import asyncio

        other_path: Path = "legacy" if path == "new" else "new"
        start = _clock()
        try:
            other = await self._other(path)(*args, **kwargs)
            mismatch = self._judge(path, result, other)
        except (KeyboardInterrupt, asyncio.CancelledError):
            raise
        except BaseException as error:
            self._shadow_failed(other_path, error)
        else:
            self._shadow_done(other_path, _clock() - start, mismatch)

    def _shadow_done(self, other_path: Path, seconds: float, mismatch: bool) -> None:
        with self._lock:
            self._shadow_runs += 1
            if other_path == "legacy":
                self._legacy_seconds.append(seconds)
            if mismatch:
                self._mismatches += 1
            comparisons = self._comparisons
            if len(comparisons) == comparisons.maxlen:
                self._mismatched -= comparisons[0]
            comparisons.append(mismatch)
            self._mismatched += mismatch
            tripped = self._judged(timed=False)
        if mismatch:
            _usage.emit_event({"event": "rollout_mismatch", "rollout": self.name})
        self._announce_rollback(tripped)

    def _shadow_failed(self, other_path: Path, error: BaseException) -> None:
        with self._lock:
            self._shadow_runs += 1
            self._shadow_errors += 1
        _usage.emit_event(
            {
                "event": "rollout_shadow_error",
                "rollout": self.name,
                "path": other_path,
                "error": f"{type(error).__name__}: {error}",
            }
        )

    # -- bookkeeping and rollback --------------------------------------------------

    def _record(self, path: Path, seconds: float, *, raised: bool) -> None:
        with self._lock:
            self._calls[path] += 1
            if raised:
                self._errors[path] += 1
            outcome = (
                "ok" if not raised else "fallback" if self.fallback and path == "new" else "error"
            )
            _usage.count_rollout(self.name, path, outcome)
            if path == "legacy":
                self._legacy_seconds.append(seconds)
                return
            outcomes = self._new_outcomes
            if len(outcomes) == outcomes.maxlen:
                self._new_raised -= outcomes[0][0]
            outcomes.append((raised, seconds))
            self._new_raised += raised
            self._since_judged += 1
            self._since_timed += 1
            tripped = self._judged(timed=True)
        self._announce_rollback(tripped)

    def _judged(self, *, timed: bool) -> dict[str, float] | None:
        """Judge the window now and then (under the lock); the numbers if it tripped."""
        policy = self.rollback_policy
        if (
            policy is None
            or self._rolled_back is not None
            or len(self._new_outcomes) < policy.min_calls
        ):
            return None
        every = max(1, policy.min_calls // 10)
        if self._since_judged < every:
            return None
        self._since_judged = 0
        # The p95 rule sorts the window: with a large window, judge it less often, so it
        # costs each call about the same whatever the window.
        time_it = timed and self._since_timed >= max(every, policy.window // 20)
        if time_it:
            self._since_timed = 0
        tripped = self._tripped(policy, with_latency=time_it)
        if tripped is not None:
            self._rolled_back = tripped
            self._build_router()
        return tripped

    def _announce_rollback(self, tripped: dict[str, float] | None) -> None:
        if tripped is None:
            return
        _usage.emit_event({"event": "rollout_rolled_back", "rollout": self.name, **tripped})
        reasons = ", ".join(f"{name} {value:.4g}" for name, value in tripped.items())
        _notices.notice(
            None,
            f"Rollout {self.name!r} rolled back to the legacy path ({reasons}); call "
            f"resume() once the new path is fixed",
            RolloutWarning,
        )

    def _tripped(self, policy: RollbackPolicy, *, with_latency: bool) -> dict[str, float] | None:
        calls = len(self._new_outcomes)
        error_rate = self._new_raised / calls
        compared = len(self._comparisons)
        mismatch_rate = self._mismatched / compared if compared else 0.0
        numbers = {"calls": float(calls), "error_rate": error_rate}
        numbers["mismatch_rate"] = mismatch_rate
        breaches = [
            policy.max_error_rate is not None and error_rate > policy.max_error_rate,
            policy.max_mismatch_rate is not None and mismatch_rate > policy.max_mismatch_rate,
        ]
        if with_latency and policy.max_p95_ratio is not None:
            new_p95 = _percentile([s for raised, s in self._new_outcomes if not raised], 0.95)
            legacy_p95 = _percentile(self._legacy_seconds, 0.95)
            if new_p95 is not None and legacy_p95 and len(self._legacy_seconds) >= policy.min_calls:
                ratio = new_p95 / legacy_p95
                numbers["p95_ratio"] = ratio
                breaches.append(
                    ratio > policy.max_p95_ratio
                    and (new_p95 - legacy_p95) * 1000 >= policy.min_p95_delta_ms
                )
        return numbers if any(breaches) else None

    def rollback(self) -> None:
        """Send every call to legacy (keys in ``allow`` and ``force()`` still apply) until
        :meth:`resume`."""
        with self._lock:
            self._rolled_back = self._rolled_back or {"manual": 1.0}
            self._build_router()
        _usage.emit_event({"event": "rollout_rolled_back", "rollout": self.name, "manual": 1.0})

    def resume(self) -> None:
        """Undo a rollback, automatic or manual, with a fresh window."""
        with self._lock:
            self._rolled_back = None
            self._build_router()
            self._new_outcomes.clear()
            self._comparisons.clear()
            self._new_raised = self._mismatched = 0
            self._since_judged = self._since_timed = 0
        _usage.emit_event({"event": "rollout_resumed", "rollout": self.name})

    @property
    def rolled_back(self) -> bool:
        return self._rolled_back is not None

    def stats(self) -> RolloutStats:
        with self._lock:
            new_seconds = [s for raised, s in self._new_outcomes if not raised]
            legacy_seconds = list(self._legacy_seconds)
            return RolloutStats(
                name=self.name,
                state="rolled_back" if self._rolled_back is not None else "active",
                percent=self._percent,
                calls=dict(self._calls),
                errors=dict(self._errors),
                fallbacks=self._fallbacks,
                shadow_runs=self._shadow_runs,
                mismatches=self._mismatches,
                shadow_errors=self._shadow_errors,
                p50_ms=_milliseconds(new_seconds, legacy_seconds, 0.5),
                p95_ms=_milliseconds(new_seconds, legacy_seconds, 0.95),
                rolled_back_because=dict(self._rolled_back) if self._rolled_back else None,
            )

    # -- configuration ---------------------------------------------------------------

    @classmethod
    def from_config(
        cls,
        name: str,
        config: Mapping[str, Any],
        *,
        legacy: Callable[..., Any],
        new: Callable[..., Any],
        key: Callable[..., object] | None = None,
        compare: Callable[[Any, Any], bool] | None = None,
    ) -> Rollout:
        """A rollout from a plain mapping, as a TOML table or a JSON file gives it:
        ``percent``, ``allow``, ``deny``, ``shadow``, ``fallback`` and ``rollback`` (a table
        of :class:`RollbackPolicy` fields). Unknown or ill-typed keys are errors naming them.
        """
        where = f"rollout {name!r}"
        if not isinstance(config, Mapping):
            raise TypeError(f"{where}: the configuration must be a mapping, got {config!r}")
        known = {"percent", "allow", "deny", "shadow", "fallback", "rollback"}
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(f"{where}: unknown key {unknown[0]!r}; known keys: {sorted(known)}")
        for list_key in ("allow", "deny"):
            value = config.get(list_key, [])
            if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set)):
                raise ValueError(f"{where}: {list_key} must be a list of keys, got {value!r}")
        fallback = config.get("fallback", False)
        if not isinstance(fallback, bool):
            raise ValueError(f"{where}: fallback must be true or false, got {fallback!r}")
        policy = None
        if "rollback" in config:
            table = config["rollback"]
            if not isinstance(table, Mapping):
                raise ValueError(f"{where}: rollback must be a table, got {table!r}")
            fields = set(RollbackPolicy.__dataclass_fields__)
            bad = sorted(set(table) - fields)
            if bad:
                raise ValueError(
                    f"{where}: unknown rollback key {bad[0]!r}; known: {sorted(fields)}"
                )
            try:
                policy = RollbackPolicy(**table)
            except ValueError as error:
                raise ValueError(f"{where}: rollback.{str(error).split(': ', 1)[1]}") from None
        try:
            return cls(
                name,
                legacy=legacy,
                new=new,
                key=key,
                compare=compare,
                percent=config.get("percent", 0),
                allow=config.get("allow", ()),
                deny=config.get("deny", ()),
                shadow=config.get("shadow", 0),
                fallback=fallback,
                rollback=policy,
            )
        except ValueError as error:
            raise ValueError(f"{where}: {str(error).split(': ', 1)[1]}") from None

    def __repr__(self) -> str:
        state = "rolled back" if self._rolled_back is not None else f"{self.percent:g}%"
        return f"<Rollout {self.name!r} {state}>"


# Every rollout alive, so a forked child gets fresh locks: a lock held by another thread at
# fork() time would never be released in the child.
_LIVE: Final[weakref.WeakSet[Rollout]] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for rollout in list(_LIVE):
        rollout._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _milliseconds(
    new: list[float], legacy: list[float], fraction: float
) -> dict[str, float | None]:
    result: dict[str, float | None] = {}
    for path, samples in (("legacy", legacy), ("new", new)):
        value = _percentile(samples, fraction)
        result[path] = None if value is None else value * 1000
    return result

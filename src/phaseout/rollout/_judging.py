"""Judging a rollout: shadow comparison, the rollback policy, and the statistics.

The new path's last ``window`` calls and shadow comparisons are kept with running sums, so a
judgement costs O(1) (the p95 rule, which sorts, is judged less often with a larger window).
A policy that trips rolls the rollout back to the legacy path at once and says so.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .. import _flushing, _notices, _otel, _usage  # noqa: F401  # _flushing, _otel: load to act
from .._exceptions import RolloutWarning

if TYPE_CHECKING:
    pass  # imported when an async rollout first shadows: it costs ~25 ms

from ._routing import Path, Routing, _check_fraction

_clock = time.perf_counter  # monotonic; a module attribute so tests can drive it


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
    #: With a schedule: the percent its calendar gives now (``percent`` is where the ramp
    #: stands), and ``"following"``, ``"frozen by a rollback"`` or ``"held by set_percent()"``.
    scheduled_percent: float | None = field(default=None)
    ramp: str | None = field(default=None)


def _percentile(samples: Collection[float], fraction: float) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


# Every live rollout, for `phaseout audit` (held weakly: a rollout that goes away is gone).


def _milliseconds(
    new: list[float], legacy: list[float], fraction: float
) -> dict[str, float | None]:
    result: dict[str, float | None] = {}
    for path, samples in (("legacy", legacy), ("new", new)):
        value = _percentile(samples, fraction)
        result[path] = None if value is None else value * 1000
    return result


class Judging(Routing):
    """The judging half of :class:`~phaseout.rollout.Rollout`, over its routing."""

    rollback_policy: RollbackPolicy | None

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
            self._freeze_ramp()
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
            self._freeze_ramp()
            self._build_router()
        _usage.emit_event({"event": "rollout_rolled_back", "rollout": self.name, "manual": 1.0})

    def resume(self) -> None:
        """Undo a rollback, automatic or manual, with a fresh window. A scheduled ramp frozen
        by the rollback (or held by ``set_percent()``) goes on from where it stood, later
        by the time it was stopped."""
        with self._lock:
            self._rolled_back = None
            self._build_router()
            self._new_outcomes.clear()
            self._comparisons.clear()
            self._new_raised = self._mismatched = 0
            self._since_judged = self._since_timed = 0
            self._thaw_ramp()
        self._follow_schedule()  # a scheduled ramp goes on from where it stood
        _usage.emit_event({"event": "rollout_resumed", "rollout": self.name})

    @property
    def rolled_back(self) -> bool:
        """Whether the rollout is rolled back (by its policy or :meth:`rollback`): every
        call takes the legacy path until :meth:`resume`."""
        return self._rolled_back is not None

    def stats(self) -> RolloutStats:
        """A snapshot of the traffic and health so far: calls per path, errors, shadow
        mismatches, latencies, and whether and why it rolled back."""
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
                scheduled_percent=self.scheduled_percent(),
                ramp=self.ramp_state(),
            )

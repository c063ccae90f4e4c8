"""``Rollout``: a callable that serves each call from ``legacy`` or ``new``, routed
(``_routing``), judged (``_judging``), with fallback and shadow runs."""

from __future__ import annotations

import contextvars
import inspect
import os
import random
import threading
import weakref
import zlib
from collections import deque
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import asyncio  # imported when an async rollout first shadows: it costs ~25 ms

from . import _judging
from ._judging import Judging, RollbackPolicy
from ._routing import Path, _check_fraction
from ._schedule import Schedule

ROLLOUTS: Final[weakref.WeakSet[Rollout]] = weakref.WeakSet()


class Rollout(Judging):
    """A callable that serves each call from ``legacy`` or ``new``; see ``phaseout.rollout``.

    Args:
        name: The rollout's name: it seeds the sticky buckets, names it in usage logs,
            metrics and ``PHASEOUT_ROLLOUT``, and must not be empty.
        legacy: The old code path (what a call gets by default, on a rollback, and on
            ``fallback``).
        new: The new code path, with the same signature; both sync or both async.
        percent: The share of keys routed to ``new``, 0 to 100 (0.01 resolution); raising
            it never moves a key back to legacy.
        key: Gives a call's key from its arguments (a user id...): the same key always takes
            the same path. None: every call is drawn at random.
        allow: Keys always routed to ``new``.
        deny: Keys always routed to ``legacy`` (stronger than ``allow``).
        fallback: A call of ``new`` that raises is answered by ``legacy``.
        shadow: The share (0 to 1) of calls that also run the path not chosen, to compare
            results; what the shadow does never reaches the caller.
        compare: Whether two results match (default ``==``), for shadow comparison.
        rollback: A :class:`RollbackPolicy`: drop to 0 % when errors, mismatches or latency
            of ``new`` cross its limits over a sliding window.
        openfeature: An OpenFeature client whose boolean flag ``name`` decides instead of
            the buckets (the ``openfeature`` extra).
        schedule: A dated ramp, ``[("2027-01-04", 1), ("2027-01-11", 10, "+2%/day"),
            ("2027-02-08", 100)]`` or a :class:`Schedule`: the percent follows the calendar.

    .. versionadded:: 0.1
    """

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
        schedule: Sequence[Sequence[object]] | Schedule | None = None,
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
        self._start(percent, schedule)
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

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_async:
            return self._call_async(*args, **kwargs)
        path = self._route_safely(args, kwargs)
        chosen = self.new if path == "new" else self.legacy
        start = _judging._clock()
        try:
            result = chosen(*args, **kwargs)
        except Exception:
            self._record(path, _judging._clock() - start, raised=True)
            if path == "new" and self.fallback:
                with self._lock:
                    self._fallbacks += 1
                return self.legacy(*args, **kwargs)
            raise
        self._record(path, _judging._clock() - start, raised=False)
        if self.shadow and random.random() < self.shadow:
            self._shadow_sync(path, result, args, kwargs)
        return result

    async def _call_async(self, *args: Any, **kwargs: Any) -> Any:
        path = self._route_safely(args, kwargs)
        chosen = self.new if path == "new" else self.legacy
        start = _judging._clock()
        try:
            result = await chosen(*args, **kwargs)
        except Exception:
            self._record(path, _judging._clock() - start, raised=True)
            if path == "new" and self.fallback:
                with self._lock:
                    self._fallbacks += 1
                return await self.legacy(*args, **kwargs)
            raise
        # Recorded now: a shadow that never finishes must not hide the call from stats()
        # and rollback rules.
        self._record(path, _judging._clock() - start, raised=False)
        if self.shadow and random.random() < self.shadow:
            # The shadow runs as its own task: the caller's await does not wait for it.
            import asyncio

            task = asyncio.ensure_future(self._shadow_async(path, result, args, kwargs))
            self._shadow_tasks.add(task)
            task.add_done_callback(self._shadow_tasks.discard)
        return result

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
        ``percent``, ``allow``, ``deny``, ``shadow``, ``fallback``, ``rollback`` (a table
        of :class:`RollbackPolicy` fields) and ``schedule`` (a list of ``[date, percent]``
        or ``[date, percent, "+2%/day"]`` arrays). Unknown or ill-typed keys are errors naming them.
        """
        where = f"rollout {name!r}"
        if not isinstance(config, Mapping):
            raise TypeError(f"{where}: the configuration must be a mapping, got {config!r}")
        known = {"percent", "allow", "deny", "shadow", "fallback", "rollback", "schedule"}
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
                schedule=config.get("schedule"),
            )
        except ValueError as error:
            raise ValueError(f"{where}: {str(error).split(': ', 1)[1]}") from None

    def __repr__(self) -> str:
        state = "rolled back" if self._rolled_back is not None else f"{self.percent:g}%"
        ramp = self.ramp_state()
        if ramp is not None:
            state += f", ramp {ramp}"
        return f"<Rollout {self.name!r} {state}>"


# Every rollout alive, so a forked child gets fresh locks: a lock held by another thread at
# fork() time would never be released in the child.
_LIVE: Final[weakref.WeakSet[Rollout]] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for rollout in list(_LIVE):
        rollout._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

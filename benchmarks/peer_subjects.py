"""The subjects timed by bench_peers.py, and the loops that use them (from this module)."""

from __future__ import annotations

import enum
import time
from typing import Any

import wrapt

import phaseout

SOFT: dict[str, Any] = {"since": "1.0", "removed_in": "2.0", "current_version": "1.5"}

VALUE = 30
WRAPT_PROXY = wrapt.ObjectProxy(30)
PROXY = phaseout.deprecated_proxy("PROXY", 30, **SOFT)


class Plain(enum.Enum):
    RED = 1
    BLUE = 2


@phaseout.deprecated_member("RED", **SOFT)
class Color(enum.Enum):
    RED = 1
    BLUE = 2


@phaseout.deprecated(**SOFT)
def call_site_budget() -> int:
    return 1


@phaseout.deprecated(**SOFT, warn_at_most=1)
def budget_of_one() -> int:
    return 1


@phaseout.deprecated(**SOFT, stacklevel=2)
def two_levels() -> int:
    return 1


@phaseout.deprecated(**SOFT, skip_modules=("benchlib",))
def skipping() -> int:
    return 1


# The library's own helper, in a module of the library (the one `skipping` skips).
_library: dict[str, Any] = {"__name__": "benchlib.helpers"}
exec(compile("def helper(func):\n    return func()\n", "benchlib/helpers.py", "exec"), _library)
helper = _library["helper"]


def plain_fit(X: int, y: Any = None, new_coef: float = 1.0) -> float:
    return new_coef


@phaseout.renamed_parameter("coef", "new_coef", **SOFT)
def fit(X: int, y: Any = None, coef: float = phaseout.DEPRECATED, new_coef: float = 1.0) -> float:
    return new_coef


@phaseout.changed("1.2", "returns a float")
@phaseout.added("1.0")
def noted_fit(X: int, y: Any = None, new_coef: float = 1.0) -> float:
    return new_coef


def _timed(loop: Any, calls: int) -> float:
    start = time.perf_counter_ns()
    loop(calls)
    return (time.perf_counter_ns() - start) / calls


def add_plain(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            VALUE + 1

    return _timed(loop, calls)


def add_wrapt(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            WRAPT_PROXY + 1

    return _timed(loop, calls)


def add_proxy(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            PROXY + 1

    return _timed(loop, calls)


def member_plain(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            Plain.RED  # noqa: B018

    return _timed(loop, calls)


def member_deprecated(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            Color.RED  # noqa: B018

    return _timed(loop, calls)


def member_by_key(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            Color["RED"]

    return _timed(loop, calls)


def member_not_deprecated(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            Color.BLUE  # noqa: B018

    return _timed(loop, calls)


def default_budget(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            call_site_budget()

    return _timed(loop, calls)


def exhausted_budget(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            budget_of_one()

    return _timed(loop, calls)


def through_helper_stacklevel(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            helper(two_levels)

    return _timed(loop, calls)


def through_helper_skipping(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            helper(skipping)

    return _timed(loop, calls)


def through_helper_default(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            helper(call_site_budget)

    return _timed(loop, calls)


def fit_plain(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            plain_fit(1, new_coef=2.0)

    return _timed(loop, calls)


def fit_kept_unused(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            fit(1, new_coef=2.0)

    return _timed(loop, calls)


def fit_kept_used(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            fit(1, None, 2.0)

    return _timed(loop, calls)


def fit_noted(calls: int) -> float:
    def loop(n: int) -> None:
        for _ in range(n):
            noted_fit(1, new_coef=2.0)

    return _timed(loop, calls)

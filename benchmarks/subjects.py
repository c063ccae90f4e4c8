"""The functions timed by bench_calls.py, and the loops that call them.

They live outside `__main__` on purpose: Python shows DeprecationWarning in `__main__`, and a
library's users call from their own modules, where it is ignored by default.
"""

from __future__ import annotations

import functools
import time
import warnings
from collections.abc import Callable
from typing import Any

import typing_extensions

import phaseout


def bare(x: int) -> int:
    return x


@phaseout.deprecated(since="1.0", removed_in="2.0", current_version="1.5")
def with_phaseout(x: int) -> int:
    return x


@typing_extensions.deprecated("with_te is deprecated")
def with_te(x: int) -> int:
    return x


def peers() -> dict[str, Callable[[int], int]]:
    """The peers that are installed (`pip install -e '.[bench]'`)."""
    found: dict[str, Callable[[int], int]] = {}
    try:
        import deprecated as deprecated_pkg

        found["Deprecated"] = deprecated_pkg.deprecated(version="1.0", reason="old")(bare)
    except ImportError:
        pass
    try:
        import deprecation

        found["deprecation"] = deprecation.deprecated(
            deprecated_in="1.0", removed_in="2.0", current_version="1.5"
        )(bare)
    except ImportError:
        pass
    try:
        from debtcollector import removals

        found["debtcollector"] = removals.remove(message="old", version="1.0")(bare)
    except ImportError:
        pass
    try:
        import deprecate

        found["pyDeprecate"] = deprecate.deprecated(
            target=deprecate.TargetMode.NOTIFY, deprecated_in="1.0", remove_in="2.0", num_warns=-1,
            stream=functools.partial(warnings.warn, category=DeprecationWarning),
        )(bare)  # fmt: skip
    except ImportError:
        pass
    return found


def time_calls(func: Callable[[int], Any], calls: int) -> float:
    """Nanoseconds per call, from a loop in this (non-__main__) module."""
    start = time.perf_counter_ns()
    for _ in range(calls):
        func(1)
    return (time.perf_counter_ns() - start) / calls


def time_decoration(decorate: Callable[[Callable[..., Any]], Any], times: int) -> float:
    """Nanoseconds to apply a decorator to a function."""
    start = time.perf_counter_ns()
    for _ in range(times):
        decorate(bare)
    return (time.perf_counter_ns() - start) / times

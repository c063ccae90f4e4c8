"""The functions timed by bench_parameters.py, and the loops that call them.

Each subject is `plot(x, colour=None, dpi=72)` with `color` renamed `colour` and `dpi` going
away, deprecated the way each library does it. The matplotlib-style reference follows
matplotlib's `_api.rename_parameter` and `_api.delete_parameter` (a `**kwargs` check, and a
`Signature.bind` when the removed parameter may have been passed).
"""

from __future__ import annotations

import functools
import inspect
import math
import time
import warnings
from collections.abc import Callable
from typing import Any

import phaseout

AnyCallable = Callable[..., Any]
SOFT: dict[str, Any] = {"since": "1.0", "removed_in": "2.0", "current_version": "1.5"}


def bare(x: int, colour: str | None = None, dpi: int = 72) -> int:
    return x


@phaseout.renamed_parameter("color", "colour", **SOFT)
@phaseout.removed_parameter("dpi", **SOFT)
def with_phaseout(x: int, colour: str | None = None, dpi: int = 72) -> int:
    return x


@phaseout.deprecated(**SOFT)
def deprecated_function(x: int, colour: str | None = None, dpi: int = 72) -> int:
    return x


# -- matplotlib-style reference --------------------------------------------------------------


def mpl_rename_parameter(old: str, new: str) -> Callable[[AnyCallable], AnyCallable]:
    def decorate(func: AnyCallable) -> AnyCallable:
        assert old not in inspect.signature(func).parameters

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if old in kwargs:
                warnings.warn(
                    f"The {old!r} parameter of {func.__name__}() has been renamed {new!r}",
                    DeprecationWarning,
                    stacklevel=2,
                )
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper

    return decorate


def mpl_delete_parameter(name: str) -> Callable[[AnyCallable], AnyCallable]:
    def decorate(func: AnyCallable) -> AnyCallable:
        signature = inspect.signature(func)
        kind = signature.parameters[name].kind
        index = (
            list(signature.parameters).index(name)
            if kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
            else math.inf
        )

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if len(args) <= index and name not in kwargs:
                return func(*args, **kwargs)
            if name in signature.bind(*args, **kwargs).arguments:
                warnings.warn(
                    f"The {name!r} parameter of {func.__name__}() is deprecated",
                    DeprecationWarning,
                    stacklevel=2,
                )
            return func(*args, **kwargs)

        return wrapper

    return decorate


@mpl_rename_parameter("color", "colour")
@mpl_delete_parameter("dpi")
def with_matplotlib_style(x: int, colour: str | None = None, dpi: int = 72) -> int:
    return x


def with_debtcollector() -> AnyCallable | None:
    try:
        from debtcollector import removals, renames
    except ImportError:
        return None

    @renames.renamed_kwarg("color", "colour", replace=True)  # type: ignore[untyped-decorator,misc,unused-ignore]
    @removals.removed_kwarg("dpi")  # type: ignore[untyped-decorator,misc,unused-ignore]
    def plot(x: int, colour: str | None = None, dpi: int = 72) -> int:
        return x

    return plot  # type: ignore[no-any-return,unused-ignore]


# -- the loops, from this (non-__main__) module ----------------------------------------------


def neither(func: AnyCallable, calls: int) -> float:
    """ns per call that uses no deprecated parameter."""
    start = time.perf_counter_ns()
    for _ in range(calls):
        func(1, colour="r")
    return (time.perf_counter_ns() - start) / calls


def old_keyword(func: AnyCallable, calls: int) -> float:
    """ns per call that uses the renamed keyword (one call site)."""
    start = time.perf_counter_ns()
    for _ in range(calls):
        func(1, color="r")
    return (time.perf_counter_ns() - start) / calls


def plain(func: AnyCallable, calls: int) -> float:
    """ns per call of a deprecated function (one call site)."""
    start = time.perf_counter_ns()
    for _ in range(calls):
        func(1, colour="r")
    return (time.perf_counter_ns() - start) / calls

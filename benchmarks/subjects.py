"""The functions timed by bench_calls.py, and the loops that call them.

They live outside `__main__` on purpose: Python shows DeprecationWarning in `__main__`, and a
library's users call from their own modules, where it is ignored by default.
"""

from __future__ import annotations

import functools
import importlib
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


def _peer_decorators() -> dict[str, Callable[[], Callable[[Any], Any]]]:
    """How each peer deprecates `bare`, built lazily: a peer may not be installed."""

    def pydeprecate() -> Callable[[Any], Any]:
        import deprecate

        return deprecate.deprecated(  # type: ignore[no-any-return]
            target=deprecate.TargetMode.NOTIFY, deprecated_in="1.0", remove_in="2.0",
            num_warns=-1, stream=functools.partial(warnings.warn, category=DeprecationWarning),
        )  # fmt: skip

    return {
        "Deprecated": lambda: importlib.import_module("deprecated").deprecated(
            version="1.0", reason="old"
        ),
        "deprecation": lambda: importlib.import_module("deprecation").deprecated(
            deprecated_in="1.0", removed_in="2.0", current_version="1.5"
        ),
        "debtcollector": lambda: importlib.import_module("debtcollector.removals").remove(
            message="old", version="1.0"
        ),
        "pyDeprecate": pydeprecate,
    }


def peers() -> dict[str, Callable[[int], int]]:
    """The peers that are installed (`pip install -e '.[bench]'`), each deprecating `bare`."""
    found: dict[str, Callable[[int], int]] = {}
    for name, make in _peer_decorators().items():
        try:
            found[name] = make()(bare)
        except ImportError:
            print(f"({name} is not installed: skipped)")
    return found


def time_calls(func: Callable[[int], Any], calls: int) -> float:
    """Nanoseconds per call, from a loop in this (non-__main__) module."""
    start = time.perf_counter_ns()
    for _ in range(calls):
        func(1)
    return (time.perf_counter_ns() - start) / calls


def time_decoration(decorate: Callable[[Callable[..., Any]], Any], times: int) -> float:
    """Nanoseconds to apply a decorator to a function of its own: ``typing_extensions``
    sets ``__deprecated__`` on the function it decorates, which phaseout would then take for
    an inner PEP 702 decorator to undo (see ``phaseout._pep702``)."""

    def undecorated(x: int) -> int:
        return x

    start = time.perf_counter_ns()
    for _ in range(times):
        decorate(undecorated)
    return (time.perf_counter_ns() - start) / times


def time_calls_catching(func: Callable[[int], Any], calls: int) -> float:
    """Like :func:`time_calls`, each call in a ``try`` that catches the warning raised as an
    error (the "error" filter action, as in ``pytest -W error`` with ``pytest.raises``)."""
    start = time.perf_counter_ns()
    for _ in range(calls):
        try:  # noqa: SIM105  # as a caller writes it; contextlib.suppress would add its own cost
            func(1)
        except Warning:
            pass
    return (time.perf_counter_ns() - start) / calls

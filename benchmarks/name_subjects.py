"""The names timed by bench_names.py, and the loops that read them (from this module)."""

from __future__ import annotations

import time
import types
from typing import Any

import phaseout

SOFT: dict[str, Any] = {"since": "1.0", "removed_in": "2.0", "current_version": "1.5"}

# A library module: LIMIT is a plain attribute, OLD_LIMIT a deprecated one, parse moved.
library = types.ModuleType("bench_library")
library.LIMIT = 10  # type: ignore[attr-defined]
library.parse = str.upper  # type: ignore[attr-defined]
plain_module = types.ModuleType("bench_plain")  # the same, never touched by phaseout
plain_module.LIMIT = 10  # type: ignore[attr-defined]


def declare() -> None:
    import sys

    sys.modules["bench_library"] = library
    phaseout.deprecated_module_attribute("bench_library", "OLD_LIMIT", 10, **SOFT)
    phaseout.moved("bench_library", "old_parse", "bench_library.parse", **SOFT)


@phaseout.deprecated(**SOFT)
def deprecated_function() -> int:
    return 10


class Config:
    timeout_s = 30
    TIMEOUT = phaseout.renamed_class_attribute("timeout_s", **SOFT)


config = Config()


def plain_attribute(calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        plain_module.LIMIT  # noqa: B018
    return (time.perf_counter_ns() - start) / calls


def library_attribute(calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        library.LIMIT  # type: ignore[attr-defined]  # noqa: B018
    return (time.perf_counter_ns() - start) / calls


def deprecated_module_attribute(calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        library.OLD_LIMIT  # type: ignore[attr-defined]  # noqa: B018
    return (time.perf_counter_ns() - start) / calls


def moved_name(calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        library.old_parse  # type: ignore[attr-defined]  # noqa: B018
    return (time.perf_counter_ns() - start) / calls


def deprecated_call(calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        deprecated_function()
    return (time.perf_counter_ns() - start) / calls


def class_attribute(calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        config.timeout_s  # noqa: B018
    return (time.perf_counter_ns() - start) / calls


def renamed_class_attribute(calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        config.TIMEOUT  # noqa: B018
    return (time.perf_counter_ns() - start) / calls

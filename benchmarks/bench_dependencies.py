"""The cost of ``phaseout.track_warnings()`` and ``phaseout.watch()``, against Python alone.

    python benchmarks/bench_dependencies.py [--quick]

Side by side in one process, interleaved, best of several rounds (per use, in ns):

- a library's ``warnings.warn(..., DeprecationWarning, stacklevel=2)`` under each filter
  action a user meets (``ignore``, ``default`` once shown, ``always`` to a silent
  ``showwarning``, ``error`` caught), without and with tracking: the goal, at most 1.5x;
- the same from C (``bool(NotImplemented)``, seen by the tap) under ``ignore``;
- a real library's deprecation: pandas' positional ``Series[0]`` (a ``FutureWarning``
  whose ``stacklevel`` pandas computes), under ``ignore`` and ``default``;
- the same warning from a new call site each time (the slow path: a site is created);
- a program that emits no warnings: a plain call, without and with tracking (goal 1.0x);
- a phaseout declaration's use (its fast path) without and with tracking;
- a watched (quiet) function against the same function unwatched.

Rewrites the "Dependencies' deprecations" section of benchmarks/RESULTS.md (not --quick).
"""

from __future__ import annotations

import argparse
import sys
import time
import types
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import phaseout
import results

LIBRARY = """
import warnings

def old():
    warnings.warn("benchlib.old() is deprecated; use benchlib.new()", DeprecationWarning,
                  stacklevel=2)

def plain(x):
    return x
"""


def _library() -> types.ModuleType:
    module = types.ModuleType("benchlib")
    module.__file__ = "/site-packages/benchlib/__init__.py"
    exec(compile(LIBRARY, module.__file__, "exec"), module.__dict__)
    sys.modules["benchlib"] = module
    return module


def _time(run: Callable[[int], None], n: int) -> float:
    start = time.perf_counter_ns()
    run(n)
    return (time.perf_counter_ns() - start) / n


def _pair(make: Callable[[], Callable[[int], None]], n: int, rounds: int) -> tuple[float, float]:
    """Best per-use time without and with tracking, rounds interleaved."""
    best = [float("inf"), float("inf")]
    for _ in range(rounds):
        for tracked in (False, True):
            tracking = phaseout.track_warnings() if tracked else None
            try:
                run = make()
                run(min(n, 1000))  # warm: sites created, caches filled
                best[tracked] = min(best[tracked], _time(run, n))
            finally:
                if tracking is not None:
                    tracking.stop()
    return best[0], best[1]


def _under(action: str, body: Callable[[int], None]) -> Callable[[int], None]:
    def run(n: int) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter(action)
            warnings.showwarning = lambda *args, **kwargs: None
            body(n)

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer uses; RESULTS.md untouched")
    args = parser.parse_args()
    n, rounds = (20_000, 3) if args.quick else (200_000, 7)
    lib = _library()
    old, plain = lib.old, lib.plain

    def warns(k: int) -> None:
        for _ in range(k):
            old()

    def erring(k: int) -> None:
        for _ in range(k):
            try:  # noqa: SIM105 - contextlib.suppress would add its own cost to each use
                old()
            except DeprecationWarning:
                pass

    def from_c(k: int) -> None:
        for _ in range(k):
            bool(NotImplemented)

    import pandas as pd

    series = pd.Series([1, 2], index=["a", "b"])

    def positional(k: int) -> None:
        for _ in range(k):
            series[0]

    def calls(k: int) -> None:
        for _ in range(k):
            plain(1)

    def new_sites(k: int) -> None:
        # Each use from code of its own: a new call site (compiled beforehand).
        for code in codes[:k]:
            exec(code, space)

    codes = [compile("old()\n", f"<site {i}>", "exec") for i in range(min(n, 20_000))]
    space = {"old": old}

    @phaseout.deprecated(since="1.0", current_version="1.5")
    def declared(x: int) -> int:
        return x

    def declared_uses(k: int) -> None:
        for _ in range(k):
            declared(1)

    rows = []
    for label, make in (
        ("warn, filter ignore", lambda: _under("ignore", warns)),
        ("warn, filter default (shown once, repeats)", lambda: _under("default", warns)),
        ("warn, filter always (silent showwarning)", lambda: _under("always", warns)),
        ("warn, filter error (caught)", lambda: _under("error", erring)),
        ("warn from C (tap), filter ignore", lambda: _under("ignore", from_c)),
        (
            "pandas: Series[0] positional (FutureWarning), ignore",
            lambda: _under("ignore", positional),
        ),
        ("pandas: Series[0] positional, default (repeats)", lambda: _under("default", positional)),
        ("warn from a new call site each time, ignore", lambda: _under("ignore", new_sites)),
        ("no warning: a plain call", lambda: calls),
        ("a phaseout declaration's use, ignore", lambda: _under("ignore", declared_uses)),
    ):
        count = min(n, len(codes)) if "new call site" in label else n
        off, on = _pair(make, count, rounds)
        rows.append((label, off, on))

    # A watched function (quiet) against the same function unwatched.
    best = [float("inf"), float("inf")]
    for _ in range(rounds):
        for watched in (False, True):
            if watched:
                phaseout.watch("benchlib.plain", since="1.0", package="benchlib")
            target = lib.plain

            def use(k: int, target: Callable[[int], int] = target) -> None:
                for _ in range(k):
                    target(1)

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the unknown version's notice
                use(1000)
                best[watched] = min(best[watched], _time(use, n))
            if watched:
                phaseout.unwatch("benchlib.plain")
    rows.append(("a watched function's call (quiet)", best[0], best[1]))

    lines = [
        results.provenance(),
        "",
        "| per use | Python alone | with phaseout | ratio |",
        "|---|---:|---:|---:|",
    ]
    for label, off, on in rows:
        lines.append(f"| {label} | {off:,.0f} ns | {on:,.0f} ns | {on / off:.2f}x |")
    text = "\n".join(lines) + results.notes("DEPENDENCY_NOTES.md")
    return results.publish("Dependencies' deprecations", text, quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())

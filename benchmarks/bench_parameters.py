"""Deprecated parameters: phaseout vs. a matplotlib-style reference and debtcollector.

    python benchmarks/bench_parameters.py [--quick]

A function with one renamed and one removed parameter, called without either (the common
call), and with the old keyword (under "ignore", and "always" as pytest records), side by side
with a steady-state `@phaseout.deprecated` call in the same mode. Rounds are interleaved and
the minimum per subject kept.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

sys.path.insert(0, str(Path(__file__).parent))
import param_subjects as ps
import results

Action = Literal["ignore", "always"]
MODES: tuple[Action, ...] = ("ignore", "always")


def measure(loop: Callable[[Any, int], float], func: Any, action: Action, calls: int) -> float:
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter(action)
        loop(func, 10)  # the call site seen once: its first use is not timed
        del log[:]
        return loop(func, calls)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = parser.parse_args()
    rounds, calls = (3, 5_000) if args.quick else (9, 50_000)
    subjects: dict[str, Any] = {
        "phaseout": ps.with_phaseout,
        "matplotlib-style": ps.with_matplotlib_style,
    }
    debtcollector = ps.with_debtcollector()
    if debtcollector is not None:
        subjects["debtcollector"] = debtcollector
    else:
        print("(debtcollector is not installed: skipped)")
    best: dict[tuple[str, str], float] = {}

    def keep(key: tuple[str, str], value: float) -> None:
        best[key] = min(best.get(key, float("inf")), value)

    for _ in range(rounds):
        keep(("bare", "neither"), measure(ps.neither, ps.bare, "ignore", calls))
        for mode in MODES:
            keep(("deprecated", mode), measure(ps.plain, ps.deprecated_function, mode, calls))
        for name, func in subjects.items():
            keep((name, "neither"), measure(ps.neither, func, "ignore", calls))
            for mode in MODES:
                keep((name, mode), measure(ps.old_keyword, func, mode, calls))
    bare = best["bare", "neither"]
    lines = [
        f"{results.provenance()}; minimum of {rounds} interleaved rounds of {calls:,} calls "
        "from one call site, ns per call. `plot(x, colour=None, dpi=72)` with `color` renamed "
        "`colour` and `dpi` deprecated.",
        "",
        "| implementation | neither used: `plot(1, colour='r')` | × bare | old keyword, "
        'ignored | old keyword, "always" recorded |',
        "|---|---:|---:|---:|---:|",
        f"| bare function (no deprecation) | {bare:,.0f} | 1.00 | | |",
    ]
    for name in subjects:
        neither = best[name, "neither"]
        lines.append(
            f"| {name} | {neither:,.0f} | {neither / bare:.2f} | {best[name, 'ignore']:,.0f} "
            f"| {best[name, 'always']:,.0f} |"
        )
    lines.append(
        f"| `@phaseout.deprecated` function, steady state (for comparison) | | | "
        f"{best['deprecated', 'ignore']:,.0f} | {best['deprecated', 'always']:,.0f} |"
    )
    text = "\n".join(lines) + results.notes("PARAMETER_NOTES.md") + "\n"
    return results.publish("Deprecated parameters", text, quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())

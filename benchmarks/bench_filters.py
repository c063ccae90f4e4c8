"""A deprecated call under every warning filter action, side by side, in one process.

    python benchmarks/bench_filters.py [--quick]

Users meet every action, not only "ignore": pytest records with "always", ``python -X dev``,
``-W default`` and any script's ``__main__`` use "default", CI runs with "error". Each action
is set with ``warnings.simplefilter`` inside ``catch_warnings(record=True)`` (so nothing is
printed), the call site is warmed (the first show of "default", "module" and "once" is not
timed), and calls come from one call site in a module that is not ``__main__``. Rounds are
interleaved and the minimum per subject kept.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import results
import subjects

ACTIONS = ("ignore", "default", "module", "once", "always", "error")
LABELS = {
    "ignore": "ignore",
    "default": "default (after the first show)",
    "module": "module (after the first show)",
    "once": "once (after the first show)",
    "always": "always, recorded (what pytest does)",
    "error": "error, caught by the caller",
}
SUBJECTS: dict[str, Callable[[int], int]] = {
    "bare": subjects.bare,
    "typing_extensions.deprecated": subjects.with_te,
    "phaseout": subjects.with_phaseout,
}


def measure(action: str, func: Callable[[int], Any], calls: int) -> float:
    timer = subjects.time_calls_catching if action == "error" else subjects.time_calls
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter(action)
        timer(func, 10)  # the first show, and the call path warmed
        del log[:]
        return timer(func, calls)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = parser.parse_args()
    rounds, calls = (3, 5_000) if args.quick else (9, 50_000)
    best = {(action, name): float("inf") for action in ACTIONS for name in SUBJECTS}
    for _ in range(rounds):
        for action in ACTIONS:
            for name, func in SUBJECTS.items():
                best[action, name] = min(best[action, name], measure(action, func, calls))
    lines = [
        f"{results.provenance()}; minimum of {rounds} interleaved rounds of {calls:,} calls "
        "from one call site, ns per call.",
        "",
        "| filter action | bare | `typing_extensions.deprecated` | phaseout | phaseout / PEP 702 |",
        "|---|---:|---:|---:|---:|",
    ]
    for action in ACTIONS:
        bare, te, ours = (best[action, name] for name in SUBJECTS)
        lines.append(
            f"| {LABELS[action]} | {bare:,.0f} | {te:,.0f} | {ours:,.0f} | {ours / te:.2f} |"
        )
    text = "\n".join(lines) + results.notes("FILTER_NOTES.md") + "\n"
    return results.publish("Every warning filter action", text, quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())

"""A deprecated call under every warning filter action, side by side, in one process.

    python benchmarks/bench_filters.py [--quick]

Users meet every action, not only "ignore": pytest records with "always", ``python -X dev``,
``-W default`` and any script's ``__main__`` use "default", CI runs with "error". Each action
is set with ``warnings.simplefilter`` inside ``catch_warnings(record=True)`` (so nothing is
printed), the call site is warmed (the first show of "default", "module" and "once" is not
timed), and calls come from one call site in a module that is not ``__main__``. Rounds are
interleaved and the minimum per subject kept.

Filters change under a running program (pytest changes them around every test), so the
last rows time a call site that has lived under other actions first: the steady state must
be that of a fresh call site under the final action.
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

# Label: the actions a call site lives under in turn; the last is timed.
SEQUENCES: dict[str, tuple[str, ...]] = {
    "ignore": ("ignore",),
    "default (after the first show)": ("default",),
    "module (after the first show)": ("module",),
    "once (after the first show)": ("once",),
    "always, recorded (what pytest does)": ("always",),
    "error, caught by the caller": ("error",),
    "back to ignore after a shown warning": ("ignore", "default", "ignore"),
    "back to ignore after always": ("always", "ignore"),
    "back to ignore after error": ("error", "ignore"),
    "default again after ignore": ("default", "ignore", "default"),
}
SUBJECTS: dict[str, Callable[[int], int]] = {
    "bare": subjects.bare,
    "typing_extensions.deprecated": subjects.with_te,
    "phaseout": subjects.with_phaseout,
}


def _timer(action: str) -> Callable[[Callable[[int], Any], int], float]:
    return subjects.time_calls_catching if action == "error" else subjects.time_calls


def measure(sequence: tuple[str, ...], func: Callable[[int], Any], calls: int) -> float:
    with warnings.catch_warnings(record=True) as log:
        for action in sequence:
            warnings.simplefilter(action)  # type: ignore[arg-type]
            _timer(action)(func, 10)  # the first show, and the call path warmed
        del log[:]
        return _timer(sequence[-1])(func, calls)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = parser.parse_args()
    rounds, calls = (3, 5_000) if args.quick else (9, 50_000)
    best = {(label, name): float("inf") for label in SEQUENCES for name in SUBJECTS}
    for _ in range(rounds):
        for label, sequence in SEQUENCES.items():
            for name, func in SUBJECTS.items():
                best[label, name] = min(best[label, name], measure(sequence, func, calls))
    lines = [
        f"{results.provenance()}; minimum of {rounds} interleaved rounds of {calls:,} calls "
        "from one call site, ns per call.",
        "",
        "| filter action | bare | `typing_extensions.deprecated` | phaseout | phaseout / PEP 702 |",
        "|---|---:|---:|---:|---:|",
    ]
    for label in SEQUENCES:
        bare, te, ours = (best[label, name] for name in SUBJECTS)
        lines.append(f"| {label} | {bare:,.0f} | {te:,.0f} | {ours:,.0f} | {ours / te:.2f} |")
    text = "\n".join(lines) + results.notes("FILTER_NOTES.md") + "\n"
    return results.publish("Every warning filter action", text, quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())

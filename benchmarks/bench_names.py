"""Reading deprecated names in a hot loop, side by side with a deprecated call.

    python benchmarks/bench_names.py [--quick]

Each read comes from one line in a loop (a module that is not `__main__`), warmed first, under
"ignore" (the steady state) and "always" recorded (what pytest does). The plain reads show that
a module's other attributes cost what they cost before phaseout served any name of it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import name_subjects as ns
import results

ROWS: dict[str, Callable[[int], float]] = {
    "plain attribute of an untouched module": ns.plain_attribute,
    "plain attribute of a module serving deprecated names": ns.library_attribute,
    "deprecated module attribute (`deprecated_module_attribute`)": ns.deprecated_module_attribute,
    "moved name (`moved`)": ns.moved_name,
    "`@phaseout.deprecated` function call (for comparison)": ns.deprecated_call,
    "plain class attribute, on an instance": ns.class_attribute,
    "renamed class attribute, on an instance": ns.renamed_class_attribute,
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = parser.parse_args()
    rounds, calls = (3, 5_000) if args.quick else (9, 50_000)
    ns.declare()
    best = results.best_under_filters(ROWS, rounds, calls)
    lines = [
        f"{results.provenance()}; minimum of {rounds} interleaved rounds of {calls:,} reads "
        "from one line, ns per read.",
        "",
        '| read | "ignore" (steady state) | "always", recorded |',
        "|---|---:|---:|",
    ]
    for name in ROWS:
        lines.append(f"| {name} | {best[name, 'ignore']:,.0f} | {best[name, 'always']:,.0f} |")
    text = "\n".join(lines) + results.notes("NAME_NOTES.md") + "\n"
    return results.publish("Deprecated names", text, quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())

"""Legacy adapter methods and forwarded calls: their cost against the direct call and peers.

    python benchmarks/bench_adapters.py [--quick]

Rounds are interleaved and the minimum per subject kept. Rewrites the "Adapters and
forwarding" section of benchmarks/RESULTS.md (not with --quick).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import adapter_subjects as subjects
import results


def time_loop(run: Callable[[int], None], calls: int) -> float:
    start = time.perf_counter_ns()
    run(calls)
    return (time.perf_counter_ns() - start) / calls


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds, calls = (3, 20_000) if args.quick else (15, 200_000)
    loop = subjects.loop
    cases = {
        "target method, called directly": loop("s.fetch(key=1)", s=subjects.ServiceV2()),
        "legacy body without phaseout (plain class)": loop("c.get(1)", c=subjects.PlainV1()),
        "LegacyAdapter method (same body)": loop("c.get(1)", c=subjects.AdapterV1()),
        "LegacyAdapter maps() method": loop("c.lookup(k=1)", c=subjects.AdapterV1()),
        "legacy body with ~1 µs of target work, without phaseout": loop(
            "c.get_record(12)", c=subjects.PlainV1()
        ),
        "LegacyAdapter method, ~1 µs of target work": loop(
            "c.get_record(12)", c=subjects.AdapterV1()
        ),
        "the replacement, called directly": loop("f(1)", f=subjects.new_api),
        "phaseout forwarded call (COMPAT, args_map)": loop("f(1)", f=subjects.phaseout_forwarded),
    }
    peer = subjects.pydeprecate_forwarded()
    if peer is not None:
        cases["pyDeprecate forwarded call (args_mapping)"] = loop("f(1)", f=peer)
    best = dict.fromkeys(cases, float("inf"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the steady state of a program that filters them
        for _ in range(rounds):
            for name, run in cases.items():
                best[name] = min(best[name], time_loop(run, calls))
    plain_ns = best["legacy body without phaseout (plain class)"]
    adapter_ns = best["LegacyAdapter method (same body)"]
    ours_forward = best["phaseout forwarded call (COMPAT, args_map)"]
    work_ns = best["legacy body with ~1 µs of target work, without phaseout"]
    adapter_work_ns = best["LegacyAdapter method, ~1 µs of target work"]
    lines = [
        f"{results.provenance()}; minimum of {rounds} interleaved rounds of {calls:,} "
        "calls, warnings filtered out.",
        "",
        "| subject | ns/call | × legacy body without phaseout |",
        "|---|---:|---:|",
        *(f"| {name} | {ns:,.0f} | {ns / plain_ns:.2f} |" for name, ns in best.items()),
        "",
        "- adapter method ≤ 3× the direct call plus the body's own work: "
        f"**{adapter_ns / plain_ns:.2f}×** with a trivial body and target "
        f"({'met' if adapter_ns / plain_ns <= 3 else 'not met, see below'}); "
        f"**{adapter_work_ns / work_ns:.2f}×** with ~1 µs of target work "
        f"({'met' if adapter_work_ns / work_ns <= 3 else 'not met'})",
    ]
    if peer is not None:
        theirs = best["pyDeprecate forwarded call (args_mapping)"]
        lines.append(
            f"- forwarding ≥ 5× faster than pyDeprecate's: **{theirs / ours_forward:.1f}×** "
            f"({'met' if theirs / ours_forward >= 5 else 'not met'})"
        )
    text = "\n".join(lines) + results.notes("ADAPTER_NOTES.md")
    return results.publish("Adapters and forwarding", text, quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())

"""The cost of a rollout's routing decision, against the textbook md5 percentage check and an
OpenFeature in-memory provider, in one process.

    python benchmarks/bench_rollout.py [--quick]

Each subject decides "new or legacy?" for a stream of integer user ids at 25 %. Rewrites the
"Rollout decisions" section of benchmarks/RESULTS.md (not with --quick).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import phaseout
import results

PERCENT = 25


def scheduled_decision(name: str) -> Callable[[int], object]:
    """A rollout on a ramp (+0.2 %/day since 2026-01-01): its percent moves by an alarm, so a
    decision must cost what a fixed percent's does."""
    rollout = phaseout.rollout.Rollout(
        name, legacy=lambda user_id: None, new=lambda user_id: None,
        key=lambda user_id: user_id, schedule=[("2026-01-01", 0, "+0.2%/day"), ("2099-01-01", 100)],
    )  # fmt: skip
    return rollout.route  # type: ignore[return-value]


def md5_decision(name: str) -> Callable[[int], bool]:
    def decide(user_id: int) -> bool:
        digest = hashlib.md5(f"{name}:{user_id}".encode()).hexdigest()
        return int(digest, 16) % 10_000 < PERCENT * 100

    return decide


def phaseout_decision(name: str) -> Callable[[int], object]:
    rollout = phaseout.rollout.Rollout(
        name, legacy=lambda user_id: None, new=lambda user_id: None, percent=PERCENT,
        key=lambda user_id: user_id,
    )  # fmt: skip
    return rollout.route  # type: ignore[return-value]  # "new" or "legacy": the decision


def openfeature_decision(name: str) -> Callable[[int], bool] | None:
    try:
        from openfeature import api
        from openfeature.evaluation_context import EvaluationContext
        from openfeature.flag_evaluation import FlagResolutionDetails
        from openfeature.provider.in_memory_provider import InMemoryFlag, InMemoryProvider
    except ImportError:
        return None

    def by_percent(flag: Any, context: EvaluationContext) -> FlagResolutionDetails[bool]:
        bucket = phaseout.rollout.bucket_of(name, context.targeting_key)
        return FlagResolutionDetails(value=bucket < PERCENT * 100)

    flag = InMemoryFlag("off", {"on": True, "off": False}, context_evaluator=by_percent)
    api.set_provider(InMemoryProvider({name: flag}))
    client = api.get_client()
    get = client.get_boolean_value

    def decide(user_id: int) -> bool:
        return get(name, False, EvaluationContext(targeting_key=str(user_id)))

    return decide


def time_decisions(decide: Callable[[int], object], keys: list[int]) -> float:
    start = time.perf_counter_ns()
    for user_id in keys:
        decide(user_id)
    return (time.perf_counter_ns() - start) / len(keys)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds, calls = (3, 20_000) if args.quick else (9, 200_000)
    subjects = {
        "phaseout Rollout.route (sticky bucket)": phaseout_decision("users-v2"),
        "phaseout Rollout.route, on a scheduled ramp": scheduled_decision("users-v2"),
        "md5 percentage check": md5_decision("users-v2"),
    }
    openfeature = openfeature_decision("users-v2")
    if openfeature is not None:
        subjects["OpenFeature in-memory provider"] = openfeature
    # Distinct keys (every decision hashes; a fresh rollout object per round, so nothing is
    # remembered between rounds) and a realistic stream (10,000 users calling repeatedly).
    distinct = list(range(calls))
    rng = random.Random(3)
    repeated = [rng.randrange(10_000) for _ in range(calls)]
    best: dict[str, float] = {}
    for _ in range(rounds):
        subjects["phaseout Rollout.route (sticky bucket)"] = phaseout_decision("users-v2")
        subjects["phaseout Rollout.route, on a scheduled ramp"] = scheduled_decision("users-v2")
        for name, decide in subjects.items():
            for label, keys in (("distinct keys", distinct), ("10,000 repeating users", repeated)):
                row = f"{name}, {label}"
                best[row] = min(best.get(row, float("inf")), time_decisions(decide, keys))
    ours = best["phaseout Rollout.route (sticky bucket), distinct keys"]
    ours_repeat = best["phaseout Rollout.route (sticky bucket), 10,000 repeating users"]
    lines = [
        f"{results.provenance()}; minimum of {rounds} interleaved rounds of {calls:,} "
        f"decisions at {PERCENT} %, for distinct integer keys and for 10,000 repeating users.",
        "",
        "| decision | ns |",
        "|---|---:|",
        *(f"| {name} | {ns:,.0f} |" for name, ns in best.items()),
        "",
    ]
    for label, mine in (("distinct keys", ours), ("10,000 repeating users", ours_repeat)):
        md5 = best[f"md5 percentage check, {label}"]
        lines.append(
            f"- {label}: ≥ 3× faster than the md5 check: **{md5 / mine:.1f}×** "
            f"({'met' if md5 / mine >= 3 else 'not met'})"
        )
        if openfeature is not None:
            theirs = best[f"OpenFeature in-memory provider, {label}"]
            lines.append(
                f"- {label}: ≥ 5× faster than OpenFeature's in-memory evaluation: "
                f"**{theirs / mine:.1f}×** ({'met' if theirs / mine >= 5 else 'not met'})"
            )
    for label in ("distinct keys", "10,000 repeating users"):
        plain = best[f"phaseout Rollout.route (sticky bucket), {label}"]
        ramp = best[f"phaseout Rollout.route, on a scheduled ramp, {label}"]
        lines.append(
            f"- {label}: a scheduled ramp costs what a fixed percent costs (≤ 1.05×): "
            f"**{ramp / plain:.2f}×** ({'met' if ramp / plain <= 1.05 else 'not met'})"
        )
    text = "\n".join(lines)
    return results.publish("Rollout decisions", text, quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())

"""The same measurements on this tree and on another revision, interleaved, in one run.

    python benchmarks/bench_compare.py REV [--quick]

For refactors that must not change speed: each round runs every probe in a fresh interpreter
on both trees in turn (the other revision from a temporary ``git worktree``), and the
minimum per probe and tree is kept (noise only ever adds time). Ratios are this tree over
REV. Written to RESULTS.md as "Before and after a refactor".
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import results

ROOT = Path(__file__).resolve().parent.parent

_CALLS = """
import sys, time, warnings
import phaseout
{filters}
@phaseout.deprecated(since="1.0", removed_in="9.0", current_version="1.5")
def f(x):
    return x
def loop(n):
    for _ in range(n):
        f(1)
loop(1000)
start = time.perf_counter_ns(); loop(200_000); print((time.perf_counter_ns() - start) / 200_000)
"""
PROBES = {
    "call, filters ignore (ns)": _CALLS.format(filters='warnings.simplefilter("ignore")'),
    "call, default filters (ns)": _CALLS.format(filters=""),
    "call, shown once under default (ns)": _CALLS.format(
        filters='warnings.simplefilter("default")'
    ),
    "decoration (ns)": """
import time, phaseout
d = phaseout.deprecated(since="1.0", removed_in="2.0")
def g(x): return x
for _ in range(200): d(g)
start = time.perf_counter_ns()
for _ in range(20_000): d(g)
print((time.perf_counter_ns() - start) / 20_000)
""",
    "import phaseout (µs)": """
import time
start = time.perf_counter_ns(); import phaseout; print((time.perf_counter_ns() - start) / 1000)
""",
    "import + first declaration (µs)": """
import time
start = time.perf_counter_ns()
import phaseout
@phaseout.deprecated(since="1.0", removed_in="2.0", current_version="1.5")
def f(): pass
print((time.perf_counter_ns() - start) / 1000)
""",
}


def _run(source: Path, code: str) -> float:
    # Bytecode caches are written and used, as an installed package has them.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PHASEOUT_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env["PYTHONPATH"] = str(source)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env,
        cwd=tempfile.gettempdir(),
    )  # fmt: skip
    return float(done.stdout.split()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the revision to compare with, e.g. HEAD~5")
    parser.add_argument("--quick", action="store_true", help="fewer rounds; results not saved")
    args = parser.parse_args()
    rounds = 3 if args.quick else 9
    rev = subprocess.run(
        ["git", "rev-parse", "--short", args.rev], cwd=ROOT, capture_output=True, text=True,
        check=True,
    ).stdout.strip()  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        other = Path(folder) / "other"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "-q", str(other), rev], cwd=ROOT, check=True
        )
        try:
            trees = {"this tree": ROOT / "src", rev: other / "src"}
            for tree in trees.values():  # bytecode written, caches warm
                _run(tree, PROBES["import phaseout (µs)"])
            best = {(probe, name): float("inf") for probe in PROBES for name in trees}
            for _ in range(rounds):
                for probe, code in PROBES.items():
                    for name, tree in trees.items():
                        best[probe, name] = min(best[probe, name], _run(tree, code))
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=False
            )
    lines = [
        f"{results.provenance()}: this tree against `{rev}`, minimum of {rounds} interleaved "
        "rounds, each probe in a fresh interpreter.",
        "",
        f"| probe | {rev} | this tree | ratio |",
        "|---|---:|---:|---:|",
    ]
    for probe in PROBES:
        before, after = best[probe, rev], best[probe, "this tree"]
        lines.append(f"| {probe} | {before:,.0f} | {after:,.0f} | {after / before:.2f} |")
    return results.publish("Before and after a refactor", "\n".join(lines), quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())

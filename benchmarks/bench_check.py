"""``phaseout check`` against ``griffe check`` on the same pair of releases, in one run.

    python benchmarks/bench_check.py [--modules N] [--quick]

Generates a package of N modules (default 500; and a tenth of it, to see how both scale) in a
git repository with two tags: v1.0, where a fifth of the functions carry phaseout
declarations, and v2.0, which removes or changes them, half on schedule and half early, and
breaks as many undeclared APIs again. Then, each in a fresh process, best of three, the same
pair: ``griffe check PKG -a v1.0 -b v2.0 -s src`` (griffe's loading and diff: its worktrees,
its output) and ``phaseout check PKG --against v1.0 --base v2.0`` (``git archive``, the same
griffe loading and diff, the declarations of both releases read with ``ast``, the join, the
classification and the fixes). Goal: the join and classification add at most 20 %.
Rewrites the "Breaking changes" section of benchmarks/RESULTS.md (not with --quick).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import results

FUNCTIONS = 10  # per module
GOAL = 1.2


def _module(index: int, new: bool) -> str:
    """One module: FUNCTIONS functions and a class; in v1.0 every fifth function declared,
    in v2.0 the declared ones broken (even: on schedule, odd: early) and as many undeclared
    ones broken."""
    lines = ["import phaseout", ""]
    for n in range(FUNCTIONS):
        name = f"f{index}_{n}"
        declared = n % 5 == 0
        undeclared = n % 5 == 1
        removal = "2.0" if (index + n) % 2 == 0 else "3.0"
        if declared and not new:
            lines.append(f'@phaseout.deprecated(since="0.9", removed_in="{removal}")')
            lines += [f"def {name}(value, scale=1, *, unit='m'):", "    return value * scale", ""]
        elif declared and new:
            continue  # removed
        elif undeclared and new:
            lines += [f"def {name}(value, *, unit='cm'):", "    return value", ""]
        else:
            lines += [f"def {name}(value, scale=1, *, unit='m'):", "    return value * scale", ""]
    lines += [
        f"class Thing{index}:",
        "    def run(self, x, y=2):",
        "        return x + y",
        "",
    ]
    if not new:
        lines += ["    def old(self):", "        return 1", ""]
    return "\n".join(lines) + "\n"


def make_repo(root: Path, modules: int) -> Path:
    repo = root / f"repo{modules}"
    package = repo / "src" / "biglib"
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.com",
        "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.com",
    }  # fmt: skip
    package.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for version, new in (("1.0", False), ("2.0", True)):
        groups = max(1, modules // 10)
        (package / "__init__.py").write_text(f'__version__ = "{version}"\n')
        for index in range(modules - groups - 1):
            group = package / f"g{index % groups}"
            group.mkdir(exist_ok=True)
            (group / "__init__.py").write_text("")
            (group / f"m{index}.py").write_text(_module(index, new))
        (repo / "pyproject.toml").write_text(f'[project]\nname = "biglib"\nversion = "{version}"\n')
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
        subprocess.run(["git", "-C", str(repo), "commit", "-qm", version], check=True, env=env)
        subprocess.run(["git", "-C", str(repo), "tag", f"v{version}"], check=True, env=env)
    return repo


def timed(command: list[str], cwd: Path, rounds: int) -> tuple[float, str]:
    best, output = float("inf"), ""
    for _ in range(rounds):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
        best = min(best, time.perf_counter() - start)
        output = done.stdout + done.stderr  # griffe prints its breakages on stderr
        if done.returncode not in (0, 1):
            raise SystemExit(f"{command} failed: {done.stderr}")
    return best, output


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--modules", type=int, default=500)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds = 1 if args.quick else 3
    bin_dir = Path(sys.executable).parent
    rows, ratios = [], {}
    with tempfile.TemporaryDirectory() as folder:
        for modules in (max(10, args.modules // 10), args.modules):
            repo = make_repo(Path(folder), modules)
            griffe_s, griffe_out = timed(
                [str(bin_dir / "griffe"), "check", "biglib", "-a", "v1.0", "-b", "v2.0", "-s",
                 "src", "--no-color", "-f", "oneline"], repo, rounds,
            )  # fmt: skip
            ours_s, ours_out = timed(
                [str(bin_dir / "phaseout"), "check", "biglib", "--against", "v1.0", "--base",
                 "v2.0", "--format", "json", "--fail-on", "none"], repo, rounds,
            )  # fmt: skip
            breaks = len([line for line in griffe_out.splitlines() if line.strip()])
            findings = ours_out.count('"path":')
            ratios[modules] = ours_s / griffe_s
            rows.append(
                f"| {modules} | {breaks:,} | {findings:,} | {griffe_s:.2f} | {ours_s:.2f} "
                f"| {ours_s / griffe_s:.2f}× |"
            )
    ratio = ratios[args.modules]
    text = "\n".join(
        [
            f"{results.provenance()}; a generated package in git (v1.0 -> v2.0), {FUNCTIONS} "
            f"functions and a class per module; each command in a fresh process, best of "
            f"{rounds}, wall time including the interpreter's start.",
            "",
            "| modules | griffe's breakages | phaseout's findings | griffe check (s) "
            "| phaseout check (s) | phaseout / griffe |",
            "|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
            f"- the join and classification add at most {GOAL - 1:.0%} at {args.modules} "
            f"modules: **{ratio:.2f}×** ({'met' if ratio <= GOAL else 'not met'})",
        ]
    ) + results.notes("CHECK_NOTES.md")
    return results.publish("Breaking changes", text, quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())

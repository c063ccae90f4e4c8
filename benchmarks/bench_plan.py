"""``phaseout plan`` over a large usage log set, against ``phaseout report`` on the same input.

    python benchmarks/bench_plan.py [--lines N] [--files K] [--quick]

Writes K gzip files holding N lines in all (default 10,000,000 lines in 20 files, the layout
of bench_engines.py: four in five are events of the library ``legacylib``), and a small
``legacylib`` whose 40 declarations those events name, with a release calendar. Then, each
in a fresh process, best of two: ``phaseout report FILES --by symbol,caller --format json``
and ``phaseout plan legacylib --to 2.0 --usage FILES --today ...``. The plan reads the logs
once, with the same engine (``auto``: DuckDB for this size when installed), then works on
the per-site, per-day tallies; the goal: the plan within 1.2x of the report.
Rewrites the "Migration plans" section of benchmarks/RESULTS.md (not with --quick).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import results
from bench_engines import write_file
from bench_report import sites
from phaseout.report._duckdb import choose_engine

LIBRARY_HEAD = "import phaseout\n\n"
PYPROJECT = (
    '[project]\nname = "legacylib"\n\n'
    '[tool.phaseout.releases]\n"1.4" = "2026-06-01"\n"2.0" = "2027-01-15"\n'
)


def write_library(folder: Path) -> None:
    """``legacylib`` with every symbol the events name, removed in 2.0."""
    modules: dict[str, list[str]] = {}
    for site in sites():
        module, _, name = str(site["symbol"]).rpartition(".")
        if name not in modules.setdefault(module, []):
            modules[module].append(name)
    for module, names in modules.items():
        path = folder / (module.replace(".", "/") + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        body = [LIBRARY_HEAD]
        for name in names:
            body.append(
                f"def {name.replace('old', 'new')}():\n    pass\n\n\n"
                f"@phaseout.deprecated(since='1.4', removed_in='2.0', current_version='1.9', "
                f"replacement={name.replace('old', 'new')})\n"
                f"def {name}():\n    pass\n\n\n"
            )
        path.write_text("".join(body))
    (folder / "legacylib" / "__init__.py").touch()
    (folder / "pyproject.toml").write_text(PYPROJECT)


def timed(args: list[str], cwd: Path) -> tuple[float, bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEOUT_")}
    env["PYTHONPATH"] = str(cwd)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "phaseout", *args], capture_output=True, cwd=cwd, env=env,
        check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{args[0]} failed: {done.stderr.decode()}")
    return elapsed, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="1,000,000 lines, 1 round")
    args = parser.parse_args()
    lines = 1_000_000 if args.quick else args.lines
    rounds = 1 if args.quick else 2
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_library(folder)
        paths = [folder / f"usage-{i:03d}.jsonl.gz" for i in range(args.files)]
        for seed, path in enumerate(paths):
            write_file(path, lines // args.files, seed)
        names = [str(path) for path in paths]
        usage = [arg for name in names for arg in ("--usage", name)]
        commands = {
            "phaseout report --by symbol,caller --format json": [
                "report", *names, "--by", "symbol,caller", "--format", "json",
            ],
            "phaseout plan legacylib --to 2.0 --usage ...": [
                "plan", "legacylib", "--to", "2.0", *usage, "--today", "2026-12-01",
            ],
        }  # fmt: skip
        best: dict[str, float] = {}
        sizes: dict[str, int] = {}
        engines: dict[str, str] = {}
        for _ in range(rounds):
            for label, command in commands.items():
                elapsed, output = timed(command, folder)
                best[label] = min(best.get(label, float("inf")), elapsed)
                sizes[label] = len(output)
                found = re.search(rb"read by the (\w+) engine", output)
                # The report does not print its engine: the same choice, made here.
                engines[label] = found.group(1).decode() if found else choose_engine("auto", names)
    report, plan = best.values()
    ratio = plan / report
    text = "\n".join(
        [
            f"{results.provenance()}; {lines:,} lines in {args.files} gzip files (the layout of "
            f"bench_engines.py), 40 declarations removed in 2.0; each command in a fresh "
            f"process, best of {rounds}, wall time including the interpreter's start and, for "
            f"the plan, importing the library.",
            "",
            "| command | engine | seconds | output |",
            "|---|---|---:|---:|",
            *(
                f"| {label} | {engines[label]} | {seconds:.2f} | {sizes[label]:,} bytes |"
                for label, seconds in best.items()
            ),
            "",
            f"- the plan within 1.2× of the report on the same input: **{ratio:.2f}×** "
            f"({'met' if ratio <= 1.2 else 'not met'})",
        ]
    )
    return results.publish("Migration plans", text, quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())

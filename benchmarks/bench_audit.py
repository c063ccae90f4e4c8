"""``phaseout audit`` over a package of 10,000 declarations in 100 modules, as a user runs it.

    python benchmarks/bench_audit.py [--quick]

The package is generated in a temporary directory; the audit runs in a subprocess (imports
included) with JSON output. Wall time, best of a few runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import results

MODULE = """\
import phaseout

{functions}
"""
FUNCTION = """\
@phaseout.deprecated(since="1.{i}", removed_in="9.0", replacement="benchlib.m0.f0",
                     guide="https://benchlib.example/{i}")
def f{i}(x):
    return x

"""


def make_package(root: Path, modules: int, per_module: int) -> None:
    package = root / "benchlib"
    package.mkdir()
    (package / "__init__.py").write_text('__version__ = "2.0"\n')
    for m in range(modules):
        body = "".join(FUNCTION.format(i=i) for i in range(per_module))
        (package / f"m{m}.py").write_text(MODULE.format(functions=body))


def run_audit(root: Path) -> tuple[float, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEOUT_")}
    env["PYTHONPATH"] = str(root)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "phaseout", "audit", "benchlib", "--format", "json"],
        capture_output=True, text=True, check=True, env=env, cwd=root,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    return elapsed, len(json.loads(done.stdout)["declarations"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1,000 declarations, one run")
    args = parser.parse_args()
    modules, per_module, runs = (10, 100, 1) if args.quick else (100, 100, 3)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_package(root, modules, per_module)
        timings = [run_audit(root) for _ in range(runs)]
    best = min(elapsed for elapsed, _ in timings)
    count = timings[0][1]
    text = (
        f"{results.provenance()}; best of {runs} runs of `phaseout audit benchlib --format "
        f"json` in a subprocess (interpreter start, imports and output included).\n\n"
        f"| declarations | modules | seconds | declarations per second |\n"
        f"|---:|---:|---:|---:|\n"
        f"| {count:,} | {modules} | {best:.2f} | {count / best:,.0f} |\n"
    )
    return results.publish("Auditing a package", text, quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())

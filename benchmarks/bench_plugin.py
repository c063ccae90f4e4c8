"""What phaseout's pytest plugin costs a test run that does not ask for it.

    python benchmarks/bench_plugin.py [--quick]

The plugin is loaded through its ``pytest11`` entry point in every project that installs
phaseout. A suite of 2,000 trivial tests (none touching phaseout) is run in a fresh
interpreter with the plugin and with ``-p no:phaseout``, rounds interleaved; the minimum of
the rounds is kept for each (noise only ever adds time), and the ratio printed.
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

TESTS = 2_000
_ENV = {name: value for name, value in os.environ.items() if not name.startswith("PHASEOUT_")}


def _suite(root: Path) -> None:
    (root / "pytest.ini").write_text("[pytest]\n")
    for module in range(20):
        body = "".join(
            f"def test_{n}():\n    assert {n} + 1 == {n + 1}\n\n" for n in range(TESTS // 20)
        )
        (root / f"test_m{module}.py").write_text(body)


def _run(root: Path, *options: str) -> float:
    started = time.perf_counter()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    done = subprocess.run(
        [*command, *options], cwd=root, capture_output=True, text=True, check=False, env=_ENV
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or f"{TESTS} passed" not in done.stdout:
        raise SystemExit(f"the dummy suite failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds; results not saved")
    quick = parser.parse_args().quick
    rounds = 2 if quick else 7
    times: dict[str, list[float]] = {"with the plugin": [], "-p no:phaseout": []}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _suite(root)
        _run(root)  # bytecode written, caches warm
        for _ in range(rounds):
            times["with the plugin"].append(_run(root))
            times["-p no:phaseout"].append(_run(root, "-p", "no:phaseout"))
    best = {name: min(values) for name, values in times.items()}
    base = best["-p no:phaseout"]
    lines = [
        results.provenance(),
        "",
        f"A suite of {TESTS:,} trivial tests that never touch phaseout, in a fresh interpreter, "
        f"minimum of {rounds} interleaved rounds.",
        "",
        "| run | seconds | ratio |",
        "|---|---:|---:|",
    ]
    for name, value in best.items():
        lines.append(f"| {name} | {value:.3f} | {value / base:.3f} |")
    spread = max(times["-p no:phaseout"]) / base
    lines += [
        "",
        f"Round-to-round spread without the plugin: {spread:.3f}× (the noise the ratio is "
        f"read against).",
    ]
    return results.publish(
        "The pytest plugin in a run that does not use it", "\n".join(lines), quick=quick
    )


if __name__ == "__main__":
    sys.exit(main())

"""``phaseout report`` over large log sets: the streaming engine and the DuckDB engine.

    python benchmarks/bench_engines.py [--lines N] [--files K] [--quick]

Writes K gzip files holding N lines in all (default 10,000,000 lines in 20 files): four in
five are phaseout events in the sink's layout, one in five other application lines. Then,
for five sizes of the set (one file, a tenth, a fifth and half of the files, all of them)
and three smaller files (a hundredth, a fiftieth and a twenty-fifth of the lines), and a fifth
of the set decompressed into one plain file (which the streaming engine splits between
processes), sums each with
``--engine streaming``, ``--engine duckdb`` and ``--engine auto``, each in a fresh process
(so peak memory is that engine's alone), and checks that all three print the same bytes.
Rewrites the "Large log sets" section of benchmarks/RESULTS.md (not with --quick).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from phaseout.processors import utc_timestamp
from phaseout.report._duckdb import DUCKDB_INPUT

sys.path.insert(0, str(Path(__file__).parent))
import results
from bench_report import sites

START = 1_790_000_000.0
DAY = 86_400.0
ENGINES = ("streaming", "duckdb", "auto")
# Sum the set in a fresh process: print the JSON report on stdout, and the seconds spent
# summing and the process's peak resident memory (KiB) on stderr.
PROBE = """
import sys, time
from phaseout.report import render, summarize
start = time.perf_counter()
summary = summarize(sys.argv[2:], by=("symbol", "caller"), engine=sys.argv[1], workers=None)
elapsed = time.perf_counter() - start
sys.stdout.write(render(summary, "json"))
peak = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
sys.stderr.write(f"{elapsed} {peak} {summary.engine} {summary.events}")
"""


def write_file(path: Path, lines: int, seed: int) -> None:
    """*lines* lines in the sink's layout (and other lines), written fast from templates."""
    rng = random.Random(seed)
    tails = [
        ",".join(f'"{key}":{value}' for key, value in _json_items(site)) + "}" for site in sites()
    ]
    with gzip.open(path, "wb", compresslevel=1) as out:
        batch = []
        for index in range(lines):
            if index % 5 == 4:
                batch.append(f"INFO worker {index % 16} handled request {index}\n")
            else:
                moment = utc_timestamp(START + DAY * 30 * (seed * lines + index) / (lines * 20))
                batch.append(
                    f'{{"timestamp":"{moment}","event":"deprecated_usage","schema":1,'
                    f'"count":{rng.randrange(1, 5000)},"pid":{4000 + index % 16},'
                    f"{rng.choice(tails)}\n"
                )
            if len(batch) == 10_000:
                out.write("".join(batch).encode())
                batch = []
        out.write("".join(batch).encode())


def _json_items(site: dict[str, object]) -> list[tuple[str, str]]:
    return [(key, json.dumps(value)) for key, value in site.items()]


def run(engine: str, paths: list[Path]) -> tuple[float, float, str, int, bytes]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, engine, *map(str, paths)], capture_output=True, check=True
    )
    elapsed, peak, chosen, events = done.stderr.decode().split()
    return float(elapsed), int(peak) / 1024, chosen, int(events), done.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="1,000,000 lines, 1 round")
    args = parser.parse_args()
    lines = 1_000_000 if args.quick else args.lines
    rounds = 1 if args.quick else 2
    rows = []
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp, f"usage-{i:03d}.jsonl.gz") for i in range(args.files)]
        for seed, path in enumerate(paths):
            write_file(path, lines // args.files, seed)
        packed = sum(path.stat().st_size for path in paths)
        # Below the auto threshold too: files of a hundredth, a fiftieth and a twenty-fifth.
        inputs = []
        for parts in (100, 50, 25):
            inputs.append(([Path(tmp, f"small-{parts}.jsonl.gz")], lines // parts))
            write_file(inputs[-1][0][0], lines // parts, 99)
        for count in sorted({1, *(max(1, args.files // part) for part in (10, 5, 2)), args.files}):
            inputs.append((paths[:count], lines // args.files * count))
        # One large plain file: the streaming engine splits it between processes.
        plain = Path(tmp, "plain.jsonl")
        with plain.open("wb") as out:
            for path in paths[: max(1, args.files // 5)]:
                with gzip.open(path, "rb") as inflated:
                    shutil.copyfileobj(inflated, out)
        inputs.append(([plain], lines // args.files * max(1, args.files // 5)))
        for subset, subset_lines in inputs:
            count = len(subset)
            kind = "gzip file" if subset[0].suffix == ".gz" else "plain file"
            best: dict[str, tuple[float, float, str, int]] = {}
            outputs = set()
            for _ in range(rounds):
                for engine in ENGINES:
                    elapsed, peak, chosen, events, output = run(engine, subset)
                    outputs.add(output)
                    if engine not in best or elapsed < best[engine][0]:
                        best[engine] = (elapsed, peak, chosen, events)
            assert len(outputs) == 1, "the engines' reports differ"
            faster = min(best["streaming"][0], best["duckdb"][0])
            worst = max(worst, best["auto"][0] / faster)
            for engine in ENGINES:
                elapsed, peak, chosen, events = best[engine]
                rows.append(
                    f"| {subset_lines:,} lines, {count} {kind}{'s' * (count > 1)} | {engine}"
                    f"{f' (chose {chosen})' if engine == 'auto' else ''} | {elapsed:.2f} | "
                    f"{events / elapsed:,.0f} | {peak:,.0f} MiB | {elapsed / faster:.2f} |"
                )
    text = "\n".join(
        [
            f"{results.provenance()}; DuckDB {duckdb.__version__}; {os.cpu_count()} CPUs; "
            f"best of {rounds}, each run in a fresh process.",
            "",
            f"{lines:,} lines in {args.files} gzip files ({packed / (1 << 20):,.0f} MiB "
            "compressed; four lines in five are events in the sink's layout), summed by "
            "symbol and caller. Every engine printed the same bytes at every size. "
            f"`auto` uses DuckDB from {DUCKDB_INPUT >> 20} MiB of (inflated) input.",
            "",
            "| input | engine | seconds | events/s | peak RSS | × the faster |",
            "|---|---|---:|---:|---:|---:|",
            *rows,
            "",
            f"- target: `auto` never more than 10 % slower than the faster engine: "
            f"**{worst:.2f}×** at worst ({'met' if worst <= 1.10 else 'not met'})",
        ]
    )
    text += results.notes("ENGINE_NOTES.md")
    return results.publish("Large log sets", text, quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())

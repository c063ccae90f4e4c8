"""Reading usage logs: ``phaseout.report.summarize`` vs DuckDB, same file, same run.

    python benchmarks/bench_report.py [--events N] [--quick]

Generates a log of N phaseout events (default 1,000,000) written in the layout phaseout's
file sink uses, mixed with one other application line per four events (JSON and plain
text), and aggregates usage by symbol and caller with both. Also reads a log whose events
come through another renderer (sorted keys, so phaseout's fast path cannot take them), and
the peak memory of reading logs of two sizes in fresh processes. Rewrites the "Reading
usage logs" section of benchmarks/RESULTS.md (not with --quick).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from phaseout.processors import render_json_line, utc_timestamp
from phaseout.report import summarize

sys.path.insert(0, str(Path(__file__).parent))
import results

START = 1_790_000_000.0  # a fixed epoch second, so every run writes the same log
DAY = 86_400.0


def sites(symbols: int = 40, callers: int = 50) -> list[dict[str, object]]:
    made = []
    for s in range(symbols):
        for c in range(callers):
            made.append(
                {
                    "symbol": f"legacylib.module{s % 7}.old_function_{s}",
                    "package": "legacylib",
                    "phase": ("soft", "compat", "hard")[s % 3],
                    "since": "1.4",
                    "removed_in": "2.0",
                    "replacement": f"legacylib.module{s % 7}.new_function_{s}",
                    "caller": f"app.views.section{c % 9}:handler_{c}",
                    "file": f"/srv/app/app/views/section{c % 9}.py",
                    "line": 10 + c,
                }
            )
    return made


def write_log(path: Path, events: int, *, sorted_keys: bool = False) -> dict[tuple[str, str], int]:
    """Write the log; return the expected usage per (symbol, caller)."""
    rng = random.Random(7)
    pool = sites()
    expected: dict[tuple[str, str], int] = {}
    announced: set[int] = set()
    with path.open("w") as out:
        for index in range(events):
            moment = START + DAY * 30 * index / events
            which = rng.randrange(len(pool))
            site = pool[which]
            if which not in announced:
                announced.add(which)
                event = {"timestamp": utc_timestamp(moment), "event": "deprecated_call"}
            else:
                count = rng.randrange(1, 5_000)
                key = (str(site["symbol"]), str(site["caller"]))
                expected[key] = expected.get(key, 0) + count
                event = {"timestamp": utc_timestamp(moment), "event": "deprecated_usage"}
                event["count"] = count
            event = {**event, "schema": 1, "pid": 4000 + which % 16, **site}
            if sorted_keys:
                out.write(json.dumps(event, sort_keys=True) + "\n")
            else:
                out.write(render_json_line(None, "info", event) + "\n")
            if index % 4 == 0:
                if index % 8 == 0:
                    other = {"event": "request", "path": f"/items/{index}", "status": 200}
                    out.write(json.dumps(other) + "\n")
                else:
                    out.write(f"INFO gunicorn worker {index % 16} handled request {index}\n")
    return expected


def run_phaseout(path: Path) -> tuple[float, dict[tuple[str, str], int], int]:
    start = time.perf_counter()
    summary = summarize([path], by=("symbol", "caller"), workers=None)  # as the CLI does
    elapsed = time.perf_counter() - start
    got = {(str(row.symbol), str(row.caller)): row.count for row in summary.rows if row.count}
    return elapsed, got, summary.events


def run_duckdb(path: Path) -> tuple[float, dict[tuple[str, str], int]]:
    start = time.perf_counter()
    rows = duckdb.sql(
        f"""
        SELECT symbol, caller, SUM(count) AS uses,
               CAST(MIN(timestamp) AS VARCHAR), CAST(MAX(timestamp) AS VARCHAR)
        FROM read_json_auto('{path}', format='newline_delimited', ignore_errors=true)
        WHERE event = 'deprecated_usage'
        GROUP BY symbol, caller
        """
    ).fetchall()
    elapsed = time.perf_counter() - start
    return elapsed, {(row[0], row[1]): int(row[2]) for row in rows}


def peak_memory_mib(path: Path) -> float:
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the (large) parent across exec.
    probe = (
        "import sys\n"
        "from phaseout.report import summarize\n"
        "summarize([sys.argv[1]], by=('symbol', 'caller'), workers=None)\n"
        "status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
        "print(status.split()[0])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True
    )
    return int(out.stdout) / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 events, 1 round")
    args = parser.parse_args()
    events = 100_000 if args.quick else args.events
    rounds = 1 if args.quick else 3
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp, "usage.jsonl")
        expected = write_log(log, events)
        lines = sum(1 for _ in log.open("rb"))
        size_mib = log.stat().st_size / (1 << 20)
        ours = theirs = float("inf")
        for _ in range(rounds):
            elapsed, got, seen = run_phaseout(log)
            assert got == expected, "phaseout's sums differ from the generated log"
            ours = min(ours, elapsed)
            elapsed, got = run_duckdb(log)
            assert got == expected, "DuckDB's sums differ from the generated log"
            theirs = min(theirs, elapsed)
        small_log = Path(tmp, "small-usage.jsonl")
        write_log(small_log, 160_000)  # 200,000 lines: the size of the peers' published number
        small_ours = small_theirs = float("inf")
        for _ in range(rounds):
            small_ours = min(small_ours, run_phaseout(small_log)[0])
            small_theirs = min(small_theirs, run_duckdb(small_log)[0])
        other = Path(tmp, "other-renderer.jsonl")
        write_log(other, events // 5, sorted_keys=True)
        slow, _, slow_seen = run_phaseout(other)
        small = Path(tmp, "small.jsonl")
        write_log(small, events // 4)
        memory = {events // 4: peak_memory_mib(small), events: peak_memory_mib(log)}

    ours_rate, theirs_rate = seen / ours, seen / theirs
    text = "\n".join(
        [
            f"{results.provenance()}; DuckDB {duckdb.__version__}; best of {rounds}.",
            "",
            f"A log of {events:,} phaseout events and {lines - events:,} other lines "
            f"({size_mib:,.0f} MiB), summed by symbol and caller. Both results are checked "
            "against the sums the generator wrote.",
            "",
            "| reader | seconds | events/s | × DuckDB |",
            "|---|---:|---:|---:|",
            f"| phaseout.report.summarize | {ours:.2f} | {ours_rate:,.0f} | "
            f"{ours_rate / theirs_rate:.2f} |",
            f"| DuckDB read_json_auto + GROUP BY | {theirs:.2f} | {theirs_rate:,.0f} | 1.00 |",
            f"| phaseout, events from another renderer (sorted keys, json path) | {slow:.2f} | "
            f"{slow_seen / slow:,.0f} | {(slow_seen / slow) / theirs_rate:.2f} |",
            f"| phaseout, 160,000 events (200,000 lines) | {small_ours:.2f} | "
            f"{160_000 / small_ours:,.0f} | {small_theirs / small_ours:.2f} |",
            f"| DuckDB, 160,000 events (200,000 lines) | {small_theirs:.2f} | "
            f"{160_000 / small_theirs:,.0f} | 1.00 |",
            "",
            "Peak resident memory of a fresh process summarizing a log (streaming: flat as "
            "the log grows):",
            "",
            "| events in the log | peak RSS |",
            "|---:|---:|",
            *(f"| {size:,} | {mib:.0f} MiB |" for size, mib in memory.items()),
            "",
            f"- target ≥ 1.5× DuckDB's events/s: **{ours_rate / theirs_rate:.2f}×** "
            f"({'met' if ours_rate / theirs_rate >= 1.5 else 'not met, see below'})",
            f"- memory flat as the log grows: **{memory[events // 4]:.0f} MiB → "
            f"{memory[events]:.0f} MiB**",
        ]
    )
    text += results.notes("READER_NOTES.md")
    return results.publish("Reading usage logs", text, quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())

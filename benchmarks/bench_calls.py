"""Per-call and decoration cost of phaseout vs. its peers, in one process, one run.

    python benchmarks/bench_calls.py [--quick]

Prints ns/call and ratios, and rewrites the "Calling deprecated code" section of
benchmarks/RESULTS.md. Rounds are interleaved and the
minimum per subject kept: on a shared machine, noise only ever adds time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import typing_extensions

import phaseout

sys.path.insert(0, str(Path(__file__).parent))
import results
import subjects


def measure_calls(rounds: int, calls: int) -> dict[str, float]:
    functions = {
        "bare call": subjects.bare,
        "phaseout (SOFT, steady state)": subjects.with_phaseout,
        "typing_extensions.deprecated": subjects.with_te,
        **subjects.peers(),
    }
    logged = "phaseout (SOFT, with PHASEOUT_USAGE_LOG set)"
    metered = "phaseout (SOFT, with OpenTelemetry metrics configured)"
    provider = _meter_provider()
    extra = [logged] + ([metered] if provider is not None else [])
    best = dict.fromkeys([*functions, *extra], float("inf"))
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            for name, func in functions.items():
                best[name] = min(best[name], subjects.time_calls(func, calls))
            # Usage is counted in every row above; here the events also go to a file.
            phaseout.configure(usage_log=Path(tmp, "usage.jsonl"))
            best[logged] = min(best[logged], subjects.time_calls(subjects.with_phaseout, calls))
            phaseout.flush_usage()
            phaseout.configure(usage_log=None)
            if provider is not None:
                # Observable instruments: read at collection, nothing added to a call.
                phaseout.configure(meter_provider=provider)
                best[metered] = min(
                    best[metered], subjects.time_calls(subjects.with_phaseout, calls)
                )
                phaseout.configure(meter_provider=None)
    return best


def _meter_provider() -> object | None:
    try:
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    except ImportError:
        print("(opentelemetry-sdk is not installed: the metrics row is skipped)")
        return None
    return MeterProvider(metric_readers=[InMemoryMetricReader()])


def measure_decoration(rounds: int, times: int) -> dict[str, float]:
    decorators = {
        "phaseout": phaseout.deprecated(since="1.0", removed_in="2.0"),
        "typing_extensions.deprecated": typing_extensions.deprecated("old"),
    }
    try:
        import deprecated as deprecated_pkg

        decorators["Deprecated"] = deprecated_pkg.deprecated(version="1.0", reason="old")
    except ImportError:
        pass
    best = dict.fromkeys(decorators, float("inf"))
    for _ in range(rounds):
        for name, decorate in decorators.items():
            best[name] = min(best[name], subjects.time_decoration(decorate, times))
    return best


def measure_import(count: int) -> tuple[float, int]:
    """Import time of a module with *count* deprecated functions, and metadata reads during it."""
    body = "".join(
        f"@phaseout.deprecated(since='1.0', removed_in='2.0')\ndef f{i}(x):\n    return x\n\n"
        for i in range(count)
    )
    probe = textwrap.dedent(
        """
        import importlib.metadata as md, sys, time
        reads = []
        for name in ("version", "distribution", "packages_distributions", "metadata"):
            original = getattr(md, name)
            setattr(md, name, lambda *a, _o=original, **k: reads.append(1) or _o(*a, **k))
        import phaseout
        phaseout.deprecated  # the decorator machinery, loaded on first access: timed apart
        start = time.perf_counter()
        import many_deprecations
        print(time.perf_counter() - start, len(reads))
        """
    )
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "many_deprecations.py").write_text(f"import phaseout\n\n{body}")
        out = subprocess.run(
            [sys.executable, "-c", f"import sys; sys.path.insert(0, {tmp!r})\n{probe}"],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
    return float(out[0]) * 1000, int(out[1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = parser.parse_args()
    rounds, calls, times = (3, 20_000, 500) if args.quick else (15, 200_000, 3_000)
    per_call = measure_calls(rounds, calls)
    decoration = measure_decoration(rounds, times)
    import_ms, metadata_reads = measure_import(1000)
    bare = per_call["bare call"]
    ours = per_call["phaseout (SOFT, steady state)"]
    te = per_call["typing_extensions.deprecated"]

    lines = [
        f"{results.provenance()}; minimum of {rounds} interleaved rounds of {calls:,} calls. "
        "Warnings filtered out by Python's default filters (callers outside `__main__`).",
        "",
        "### Per call",
        "",
        "| subject | ns/call | × bare call | phaseout is × faster |",
        "|---|---:|---:|---:|",
    ]
    for name, ns in per_call.items():
        lines.append(f"| {name} | {ns:,.0f} | {ns / bare:.1f} | {ns / ours:.2f} |")
    lines += [
        "",
        "### Applying the decorator",
        "",
        "| decorator | µs per application |",
        "|---|---:|",
    ]
    for name, ns in decoration.items():
        lines.append(f"| {name} | {ns / 1000:.1f} |")
    ours_decoration = decoration["phaseout"]
    te_decoration = decoration["typing_extensions.deprecated"]
    lines += [
        "",
        "### Importing a module with 1,000 deprecated functions",
        "",
        f"{import_ms:.0f} ms, **{metadata_reads}** package metadata reads.",
        "",
        "### Targets",
        "",
        f"- steady-state call ≤ 8× a bare call: **{ours / bare:.1f}×** "
        f"({'met' if ours / bare <= 8 else 'not met'})",
        f"- ≥ 2.5× faster than typing_extensions.deprecated: **{te / ours:.2f}×** "
        f"({'met' if te / ours >= 2.5 else 'not met, see below'})",
        f"- decoration no slower than typing_extensions.deprecated: "
        f"**{ours_decoration / 1000:.1f} µs vs {te_decoration / 1000:.1f} µs** "
        f"({'met' if ours_decoration <= te_decoration else 'not met, see below'})",
        f"- import reads no metadata: **{metadata_reads} reads** "
        f"({'met' if metadata_reads == 0 else 'not met'})",
    ]
    report = "\n".join(lines) + results.notes("NOTES.md") + "\n"
    print(report)
    if not args.quick:
        results.write_section("Calling deprecated code", report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

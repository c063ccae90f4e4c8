"""What ``phaseout fix`` costs, side by side with its floors, in lines per second.

    python benchmarks/bench_fix.py [--quick]

Three trees, each fixed for the fixture library of the tests (tests/fix_cases/fixlib):

1. The running Python's standard library, which never uses the library: phaseout fix
   (text filter, then ``ast``, then libcst only for candidates) against parsing every file
   with libcst (measured on every 10th file: parsing them all takes minutes) and with ``ast``.
   Goal: at least 20 times libcst's rate.
2. Generated files where every file needs rewriting: phaseout fix (one process) against
   libcst's parse and code generation of the same files, the least any libcst-based rewrite
   does. Goal: at most 1.3 times the floor's time.
3. The same files with two processes against one. Goal: at least 1.6 times faster.

The minimum of the rounds is kept for each (noise only ever adds time).
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import libcst

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT / "tests" / "fix_cases"))
import fixlib  # noqa: E402, F401  (its declarations)

import phaseout  # noqa: E402
import results  # noqa: E402
from phaseout.fix import build_rules  # noqa: E402
from phaseout.fix._files import python_files, run_files  # noqa: E402

_BODY = """\
import fixlib
from fixlib import old_name, paint, get_size


def step_{n}(value):
    a = old_name(value, b=2)
    b = paint("shape", color="red")
    c = get_size(value, "cm")
    d = fixlib.convert(value, "m", True)
    e = fixlib.run("job", "fast")
    f = fixlib.save(b"data")
    return [a, b, c, d, e, f]  # every line but this one changes

"""


def _generated(root: Path, count: int) -> list[str]:
    paths = []
    for index in range(count):
        path = root / f"module_{index}.py"
        body = (
            _BODY.split("\n\n\n", 1)[0]
            + "\n\n\n"
            + "".join(_BODY.split("\n\n\n", 1)[1].format(n=n) + "\n" for n in range(8))
        )
        path.write_text(body)
        paths.append(str(path))
    return paths


def _lines(paths: list[str]) -> int:
    return sum(Path(path).read_bytes().count(b"\n") for path in paths)


def _best(rounds: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def _parse_all(paths: list[str], *, codegen: bool = False) -> None:
    for path in paths:
        try:
            module = libcst.parse_module(Path(path).read_bytes())
        except libcst.ParserSyntaxError:
            continue
        if codegen:
            module.bytes  # noqa: B018


class _Nothing(libcst.CSTTransformer):
    """A transformer with no hook: what walking a libcst tree costs by itself."""


def _walk_all(paths: list[str]) -> None:
    for path in paths:
        libcst.parse_module(Path(path).read_bytes()).visit(_Nothing()).bytes  # noqa: B018


def _ast_all(paths: list[str]) -> None:
    for path in paths:
        try:
            ast.parse(Path(path).read_bytes())
        except (SyntaxError, ValueError):
            continue


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds; results not saved")
    quick = parser.parse_args().quick
    rounds = 1 if quick else 3
    rules = build_rules(phaseout.declarations("fixlib"))

    stdlib = sysconfig.get_paths()["stdlib"]
    lib = [p for p in python_files([stdlib]) if "site-packages" not in p]
    lib_lines = _lines(lib)
    sample = lib[::10]
    sample_lines = _lines(sample)
    fix_lib = _best(rounds, lambda: run_files(lib, rules, {}, jobs=1))
    parse_sample = _best(1, lambda: _parse_all(sample))
    ast_lib = _best(1, lambda: _ast_all(lib))
    fix_rate = lib_lines / fix_lib
    libcst_rate = sample_lines / parse_sample

    with tempfile.TemporaryDirectory() as folder:
        files = _generated(Path(folder), 200 if not quick else 40)
        gen_lines = _lines(files)
        floor = _best(rounds, lambda: _parse_all(files, codegen=True))
        walk = _best(rounds, lambda: _walk_all(files))
        one = _best(rounds, lambda: run_files(files, rules, {}, jobs=1))
        two = _best(rounds, lambda: run_files(files, rules, {}, jobs=2))
        changed = sum(o.new is not None for o in run_files(files, rules, {}, jobs=1))
    assert changed == len(files), "every generated file must need rewriting"

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines = [
        results.provenance(),
        "",
        f"Minimum of {rounds} rounds; {cpus} CPUs. Lines per second (higher is better).",
        "",
        f"**A tree that never uses the package**: the standard library, {len(lib):,} files, "
        f"{lib_lines:,} lines.",
        "",
        "| run | lines/s | vs libcst parse |",
        "|---|---:|---:|",
        f"| phaseout fix (one process) | {fix_rate:,.0f} | {fix_rate / libcst_rate:.1f}× |",
        f"| `ast.parse` of every file | {lib_lines / ast_lib:,.0f} | "
        f"{lib_lines / ast_lib / libcst_rate:.1f}× |",
        f"| libcst parse (every 10th file, {sample_lines:,} lines) | {libcst_rate:,.0f} | 1.0× |",
        "",
        f"Goal ≥ 20×: {'met' if fix_rate / libcst_rate >= 20 else 'NOT met'}.",
        "",
        f"**Every file needs rewriting**: {len(files)} generated files, {gen_lines:,} lines.",
        "",
        "| run | seconds | lines/s | vs the floor |",
        "|---|---:|---:|---:|",
        f"| libcst parse + codegen (the floor) | {floor:.2f} | {gen_lines / floor:,.0f} | 1.00× |",
        f"| libcst parse + a transformer with no hook + codegen | {walk:.2f} | "
        f"{gen_lines / walk:,.0f} | {walk / floor:.2f}× |",
        *(
            f"| phaseout fix, {name} | {took:.2f} | {gen_lines / took:,.0f} | {took / floor:.2f}× |"
            for name, took in (("one process", one), ("two processes", two))
        ),
        "",
        f"Goal ≤ 1.3× the floor: {'met' if one / floor <= 1.3 else 'NOT met'}. "
        f"Two processes: {one / two:.2f}× faster than one (goal ≥ 1.6×: "
        f"{'met' if one / two >= 1.6 else 'NOT met'}).",
    ]
    return results.publish(
        "phaseout fix", "\n".join(lines) + results.notes("FIX_NOTES.md"), quick=quick
    )


if __name__ == "__main__":
    raise SystemExit(main())

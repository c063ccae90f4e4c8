"""What importing phaseout costs an application, side by side with its peers, in one run.

    python benchmarks/bench_import.py [--quick]

Each subject is imported in a fresh interpreter under ``python -X importtime``; the
cumulative times of its top-level imports are added up, leaving out the modules the
interpreter imports to start (those of ``-c pass``), and the minimum of the rounds kept
(noise only ever adds time). Rounds are interleaved. Bytecode caches are written and
warmed first, as an installed package has them (``PYTHONDONTWRITEBYTECODE`` would time the
compiler instead). Besides the bare import, "phaseout + 1 declaration" imports phaseout
and declares one deprecated function, which loads the decorator machinery (phases,
packaging's version parser, the call path); "phaseout + configure()" calls ``configure()``;
the two command-line subjects build the parser of ``phaseout report`` alone, and of every
command (``phaseout --help``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import results

SUBJECTS = {
    "phaseout": "import phaseout",
    "phaseout + 1 declaration": (
        "import phaseout\n"
        "@phaseout.deprecated(since='1.0', removed_in='2.0', current_version='1.5')\n"
        "def f(): pass"
    ),
    # configure() is declared with phaseout (its renamed keyword): it loads the parameter
    # declarations, which an application whose libraries declare deprecations has loaded.
    "phaseout + configure()": "import phaseout\nphaseout.configure(flush_interval=60)",
    # The command line: `phaseout report` builds its own parser only (and imports the report
    # tool only); every command's parser is what `phaseout --help` builds.
    "phaseout report (command line)": "from phaseout.cli import _parser\n_parser('report')",
    "phaseout --help (every command)": "from phaseout.cli import _parser\n_parser()",
    "typing_extensions": "import typing_extensions",
    "deprecation": "import deprecation",
    "Deprecated": "import deprecated",
    "debtcollector": "import debtcollector",
    "pyDeprecate": "import deprecate",
}


_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _top_level(code: str) -> list[tuple[str, float]]:
    """(module, cumulative µs) of each top-level import *code* makes, per -X importtime."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True, text=True, check=True, env=_ENV,
    )  # fmt: skip
    found = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        if not name.startswith("  "):  # its cumulative time covers what it imports
            found.append((name.strip(), float(cumulative)))
    return found


_STARTUP = frozenset(name for name, _ in _top_level("pass"))


def cumulative_us(code: str) -> float:
    """Microseconds of every import *code* makes beyond the interpreter's own start-up."""
    return sum(us for name, us in _top_level(code) if name not in _STARTUP)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = parser.parse_args()
    rounds = 3 if args.quick else 15
    best = dict.fromkeys(SUBJECTS, float("inf"))
    for code in SUBJECTS.values():  # write and warm the bytecode caches
        cumulative_us(code)
    for _ in range(rounds):
        for name, code in SUBJECTS.items():
            best[name] = min(best[name], cumulative_us(code))
    te = best["typing_extensions"]
    lines = [
        f"{results.provenance()}; minimum of {rounds} interleaved rounds, each in a fresh "
        "interpreter with warm bytecode caches, of the cumulative `-X importtime` of everything "
        "the snippet imports beyond the interpreter's start-up.",
        "",
        "| subject | ms | × typing_extensions |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {us / 1000:.1f} | {us / te:.2f} |" for name, us in best.items()]
    ours = best["phaseout"]
    peers = [us for name, us in best.items() if not name.startswith("phaseout")]
    lines += [
        "",
        f"- `import phaseout` ≤ 0.8× typing_extensions: **{ours / te:.2f}×** "
        f"({'met' if ours <= 0.8 * te else 'not met'})",
        f"- below every peer: **{'met' if ours < min(peers) else 'not met'}**",
    ]
    text = "\n".join(lines) + results.notes("IMPORT_NOTES.md") + "\n"
    return results.publish("Importing phaseout", text, quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())

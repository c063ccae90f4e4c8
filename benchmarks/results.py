"""benchmarks/RESULTS.md holds one ``## `` section per benchmark script; each rewrites its own."""

from __future__ import annotations

import platform
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
_TITLE = "# Benchmark results"


def write_section(heading: str, body: str) -> None:
    """Replace (or append) the section ``## {heading}`` of RESULTS.md with *body*."""
    text = RESULTS.read_text() if RESULTS.exists() else _TITLE + "\n"
    marker = f"\n## {heading}\n"
    start = text.find(marker)
    if start == -1:
        text = text.rstrip() + "\n" + marker + "\n" + body.rstrip() + "\n"
    else:
        end = text.find("\n## ", start + len(marker))
        rest = text[end:] if end != -1 else "\n"
        text = text[:start] + marker + "\n" + body.rstrip() + "\n" + rest
    RESULTS.write_text(text)


def notes(name: str) -> str:
    """The explanations kept in benchmarks/*name*, to print below a benchmark's numbers."""
    path = RESULTS.with_name(name)
    return "\n\n" + path.read_text().rstrip() if path.exists() else ""


def publish(heading: str, text: str, *, quick: bool) -> int:
    """Print a benchmark's results and, unless it was a quick run, record them."""
    print(text)
    if not quick:
        write_section(heading, text)
    return 0


def provenance() -> str:
    """Which script ran where and when: the opening words of every section."""
    script = Path(sys.argv[0]).name
    return (
        f"`python benchmarks/{script}` on Python {platform.python_version()} "
        f"({platform.machine()}), {time.strftime('%Y-%m-%d', time.gmtime())}"
    )


def best_under_filters(
    loops: Mapping[str, Callable[[int], float]], rounds: int, calls: int
) -> dict[tuple[str, str], float]:
    """The best ns per use of each loop under "ignore" (the steady state) and "always" with
    warnings recorded (what pytest does): each warmed first, rounds interleaved, the minimum
    kept (on a shared machine, noise only ever adds time)."""
    best: dict[tuple[str, str], float] = {}
    for _ in range(rounds):
        for name, loop in loops.items():
            for action in ("ignore", "always"):
                with warnings.catch_warnings(record=True) as log:
                    warnings.simplefilter(action)
                    loop(10)
                    del log[:]
                    value = loop(calls)
                best[name, action] = min(best.get((name, action), float("inf")), value)
    return best

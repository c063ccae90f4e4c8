"""benchmarks/RESULTS.md holds one ``## `` section per benchmark script; each rewrites its own."""

from __future__ import annotations

import platform
import sys
import time
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

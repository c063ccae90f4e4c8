"""The ``phaseout`` command: ``phaseout demo`` (later: ``report``, ``audit``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="phaseout", description="Retire Python APIs safely, phase by phase."
    )
    parser.add_argument("--version", action="version", version=f"phaseout {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_parser(
        "demo",
        help="walk a deprecated function and class through every phase",
        description="Show what a caller sees in each phase of a deprecation.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo":
        from . import _demo

        return _demo.run(sys.stdout)
    raise AssertionError(f"unhandled command {args.command!r}")  # argparse rejects others

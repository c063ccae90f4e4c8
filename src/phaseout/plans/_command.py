"""``phaseout plan``: the arguments, the output files and the exit codes."""

from __future__ import annotations

import argparse
from typing import Final, TextIO

from .._files import emit
from ._build import build_plan
from ._prometheus import prometheus_rules
from ._render import FORMATS, render

__all__ = ["EXIT_CHECK_FAILED", "add_plan_command", "run_plan_command"]

EXIT_OK: Final = 0
EXIT_CHECK_FAILED: Final = 1  # --check: a metric missed, or a communication overdue
EXIT_BAD_INPUT: Final = 2


def add_plan_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan = commands.add_parser(
        "plan",
        help="write the migration plan of a release: timeline, impact, metrics, communication",
        description=(
            "Write the migration plan of PACKAGE's release --to VERSION (or a date, for "
            "timelines declared by date): what it removes, when each phase starts (from "
            "[tool.phaseout.releases]), who still calls what (--usage), success metrics with "
            "verdicts, the communication matrix with its messages, and how to roll back. "
            "Imports the package, as phaseout audit does. Needs phaseout[plans] (Jinja2)."
        ),
    )
    plan.add_argument("package", help="the package's top-level import name, e.g. mylib")
    plan.add_argument("--to", required=True, help="the release: a version (3.0) or a date")
    plan.add_argument(
        "--usage", action="append", default=[], metavar="LOGS",
        help="usage logs: paths, globs or folders (repeatable)",
    )  # fmt: skip
    plan.add_argument("--format", dest="fmt", choices=FORMATS, default="markdown")
    plan.add_argument("-o", "--output", help="write the plan to this file (default: stdout)")
    plan.add_argument("--today", help="judge the plan as on this date (default: today, UTC)")
    plan.add_argument("--templates", help="a folder of message templates overriding the defaults")
    plan.add_argument("--pyproject", help="the pyproject.toml holding [tool.phaseout]")
    plan.add_argument(
        "--engine", choices=("auto", "streaming", "duckdb"), default="auto",
        help="how the usage logs are summed (as phaseout report)",
    )  # fmt: skip
    plan.add_argument(
        "--breaking", metavar="FILE",
        help="phaseout check --format json for this release: a 'Breaking changes' section",
    )  # fmt: skip
    plan.add_argument(
        "--check", action="store_true",
        help="exit 1 when a metric is missed, a communication is due before its phase is out, "
        "or --breaking holds an early or undeclared break",
    )  # fmt: skip
    plan.add_argument(
        "--prometheus-rules", metavar="FILE",
        help="also write Prometheus alert rules for the plan's dates to FILE",
    )  # fmt: skip


def run_plan_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        plan = build_plan(
            args.package,
            args.to,
            usage=args.usage,
            today=args.today,
            templates=args.templates,
            pyproject=args.pyproject,
            engine=args.engine,
            breaking=args.breaking,
        )
        text = render(plan, args.fmt)
        rules = None if args.prometheus_rules is None else prometheus_rules(plan)
    except (ValueError, RuntimeError, OSError) as error:
        stderr.write(f"phaseout plan: {error}\n")
        return EXIT_BAD_INPUT
    except Exception as error:  # a template's own mistake (jinja2's errors), or a bug
        stderr.write(f"phaseout plan: {type(error).__name__}: {error}\n")
        return EXIT_BAD_INPUT
    try:
        emit(text, args.output, stdout, {} if rules is None else {args.prometheus_rules: rules})
    except OSError as error:
        stderr.write(f"phaseout plan: cannot write: {error}\n")
        return EXIT_BAD_INPUT
    if args.check:
        failures = plan.failures()
        for line in failures:
            stderr.write(f"phaseout plan: {plan.migration_id}: {line}\n")
        if failures:
            return EXIT_CHECK_FAILED
    return EXIT_OK

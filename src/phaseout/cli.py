"""The ``phaseout`` command: ``demo``, ``report``, ``audit``, ``guide``, ``fix``, ``check``,
``plan`` and ``data``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Collection, Sequence
from typing import Final, TextIO, TypeAlias

from . import __version__
from ._files import write_atomically

# What add_subparsers() returns: generic for type checkers only.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with *command*, only that command's own parser is built
    in full (the others are names only), so that running one tool does not import the
    others (benchmarks/RESULTS.md, "Importing phaseout": the report command's parser
    imports ≈ 40 ms, every command's ≈ 260 ms)."""
    parser = argparse.ArgumentParser(
        prog="phaseout", description="Retire Python APIs safely, phase by phase."
    )
    parser.add_argument("--version", action="version", version=f"phaseout {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, add in _COMMANDS.items():
        if command is None or name == command:
            add(commands)
        else:
            commands.add_parser(name, add_help=False)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The command *argv* runs, if it names one: the first word (the top level's options,
    ``-h`` and ``--version``, take no value)."""
    word = next((arg for arg in argv if not arg.startswith("-")), None)
    return word if word in _COMMANDS else None


def _add_demo(commands: Commands) -> None:
    commands.add_parser(
        "demo",
        help="walk a deprecated function and class through every phase",
        description="Show what a caller sees in each phase of a deprecation.",
    )


def _add_check(commands: Commands) -> None:
    from .check import add_check_command

    add_check_command(commands)


def _add_plan(commands: Commands) -> None:
    from .plans import add_plan_command

    add_plan_command(commands)


def _add_data(commands: Commands) -> None:
    from .records import add_data_command

    add_data_command(commands)


# Exit codes of `phaseout fix`.
EXIT_FIX_PENDING = 1  # --check: files would change
EXIT_FIX_UNPARSED = 3  # some files could not be read, parsed or rewritten (the rest were)


def _add_fix(commands: Commands) -> None:
    fix = commands.add_parser(
        "fix",
        help="rewrite callers' code for a package's deprecations (needs phaseout[fix])",
        description=(
            "Import PACKAGE (the installed release; it runs its code) and rewrite every "
            "Python file under PATH that uses an API it deprecates, as its declarations say. "
            "A dry run by default: a unified diff on stdout, a summary on stderr. Exit "
            "status: 0 nothing to do or done; 1 with --check when files would change; 2 bad "
            "input; 3 some files could not be parsed (listed; the rest were processed)."
        ),
    )
    fix.add_argument("paths", metavar="PATH", nargs="+", help="files or directories to fix")
    fix.add_argument("--package", required=True, help="the package upgraded (an import name)")
    fix.add_argument(
        "--to", metavar="VERSION", help="apply what is deprecated at VERSION (default: now)"
    )
    mode = fix.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="edit the files in place")
    mode.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any file would change"
    )
    fix.add_argument(
        "--format",
        dest="fmt",
        choices=("diff", "json"),
        default="diff",
        help="diff and a summary (default), or JSON of every rewrite and manual site",
    )
    fix.add_argument(
        "--usage",
        metavar="LOGS",
        action="append",
        default=[],
        help="usage logs (or folders of them): rewrite the calls they saw, even on receivers "
        "of unknown class",
    )
    fix.add_argument(
        "--root",
        metavar="DIR",
        help="the directory log paths are matched below (default: the current one)",
    )
    fix.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="processes to use (default: the CPUs available)",
    )
    fix.add_argument(
        "--accept-new-defaults",
        action="store_true",
        help="leave calls that rely on a changing default as they are",
    )


def _fix(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        from . import fix
    except ModuleNotFoundError as error:
        if error.name != "libcst":
            raise
        stderr.write(
            "phaseout fix: needs libcst, which is not installed: pip install 'phaseout[fix]'\n"
        )
        return EXIT_BAD_INPUT
    progress = _Progress(stderr) if stderr.isatty() else None
    try:
        report = fix.fix_paths(
            args.paths,
            args.package,
            to=args.to,
            write=args.write,
            usage=args.usage,
            root=args.root,
            jobs=args.jobs,
            accept_new_defaults=args.accept_new_defaults,
            progress=progress,
        )
    except ValueError as error:
        stderr.write(f"phaseout fix: {error}\n")
        return EXIT_BAD_INPUT
    finally:
        if progress is not None:
            progress.done()
    if args.fmt == "json":
        stdout.write(fix.render_json(report))
    else:
        if not args.check:
            stdout.write(fix.render_diff(report))
        stderr.write(fix.render_summary(report))
    stdout.flush()
    if report.errors:
        return EXIT_FIX_UNPARSED
    if args.check and report.changed:
        return EXIT_FIX_PENDING
    return EXIT_OK


class _Progress:
    """``fixing: 120/2000 files`` on one line of a terminal, redrawn ten times a second at
    most (and at the end)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = False
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        self.stream.write(f"\r\x1b[Kfixing: {done}/{total} files")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")


def _add_guide(commands: Commands) -> None:
    guide = commands.add_parser(
        "guide",
        help="write a Markdown migration guide for users upgrading PACKAGE to a version",
        description=(
            "Import PACKAGE and its submodules (it runs their code) and write a Markdown "
            "guide of every API that version --to removes or changes: old and new spelling, "
            "when it was deprecated, why, and the link. Exit status: 0; 2 on bad input."
        ),
    )
    guide.add_argument("package", metavar="PACKAGE", help="a top-level import name")
    guide.add_argument("--to", required=True, metavar="VERSION", help="the version upgraded to")
    guide.add_argument(
        "--usage",
        metavar="LOGS",
        action="append",
        default=[],
        help="only the APIs these usage logs show called (an application's own logs)",
    )


def _guide(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .audit import guide

    try:
        stdout.write(guide(args.package, args.to, usage=args.usage))
    except ValueError as error:
        stderr.write(f"phaseout guide: {error}\n")
        return EXIT_BAD_INPUT
    stdout.flush()
    return EXIT_OK


def _add_audit(commands: Commands) -> None:
    from .audit import FINDINGS

    audit = commands.add_parser(
        "audit",
        help="list a package's deprecations, their phases, and what is overdue or broken",
        description=(
            "Import PACKAGE and all its submodules (it runs their code: audit only code you "
            "trust) and list every deprecation declared in it, with its timeline, its phase "
            "at the installed version (and at --at), and findings. Exit status: 0; 1 when a "
            "finding of a kind given to --fail-on was found; 2 on bad input."
        ),
    )
    audit.add_argument(
        "package", metavar="PACKAGE", nargs="?", help="a top-level import name (not with --watch)"
    )
    audit.add_argument(
        "--at",
        metavar="VERSION",
        help="also show the phase at this version (with --watch: PACKAGE==VERSION,...)",
    )
    audit.add_argument(
        "--watch",
        action="store_true",
        help="audit the APIs watched in other libraries ([tool.phaseout.watch]) instead: "
        "phases at the installed and the upcoming versions (--at, --lock), uses (--usage)",
    )
    audit.add_argument(
        "--pyproject", metavar="PATH", help="with --watch: the pyproject.toml holding the list"
    )
    audit.add_argument(
        "--lock",
        metavar="FILE",
        help="with --watch: the versions about to be installed (uv.lock, poetry.lock, "
        "pylock.toml or requirements)",
    )
    audit.add_argument(
        "--matrix",
        nargs="?",
        const="",
        default=None,
        metavar="VERSIONS",
        help="declarations x versions (every version a phase changes at, or these, "
        "comma-separated), the phase in each cell",
    )
    audit.add_argument(
        "--format", choices=("table", "json", "markdown"), default="table", dest="fmt"
    )
    audit.add_argument(
        "--usage",
        metavar="LOGS",
        action="append",
        default=[],
        help="usage logs (paths or globs, as for phaseout report) to join: calls, callers, "
        "last seen; finds unused and still-busy declarations",
    )
    audit.add_argument(
        "--fail-on",
        metavar="KINDS",
        default="",
        help=f"comma-separated finding kinds that fail the run: {', '.join(FINDINGS)}",
    )


def _audit(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    if args.watch:
        return _audit_watches(args, stdout, stderr)
    if args.package is None or args.pyproject or args.lock:
        given = "--pyproject/--lock need --watch" if args.package else "PACKAGE is required"
        stderr.write(f"phaseout audit: {given} (phaseout audit PACKAGE, or --watch)\n")
        return EXIT_BAD_INPUT
    from .audit import FINDINGS, audit, render

    fail_on = _fail_on(args.fail_on, FINDINGS, "", stderr)
    if fail_on is None:
        return EXIT_BAD_INPUT
    try:
        result = audit(args.package, at=args.at, usage=args.usage)
        text = render(result, args.fmt, matrix=args.matrix)
    except ValueError as error:
        stderr.write(f"phaseout audit: {error}\n")
        return EXIT_BAD_INPUT
    stdout.write(text)
    stdout.flush()
    failing = [finding for finding in result.findings if finding.kind in fail_on]
    return EXIT_USAGE_FOUND if failing else EXIT_OK


def _fail_on(text: str, kinds: Collection[str], when: str, stderr: TextIO) -> set[str] | None:
    """The finding kinds of ``--fail-on``; None (said on *stderr*) when one is unknown."""
    fail_on = {kind.strip() for kind in text.split(",") if kind.strip()}
    unknown = fail_on - set(kinds)
    if unknown:
        stderr.write(
            f"phaseout audit: {when}--fail-on must be finding kinds ({', '.join(kinds)}), got "
            f"{', '.join(sorted(unknown))}\n"
        )
        return None
    return fail_on


def _audit_watches(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .dependencies import WATCH_FINDINGS, audit_watches, render_watches

    if args.package is not None or args.matrix is not None:
        stderr.write("phaseout audit: --watch audits the watch list; drop PACKAGE and --matrix\n")
        return EXIT_BAD_INPUT
    fail_on = _fail_on(args.fail_on, WATCH_FINDINGS, "with --watch, ", stderr)
    if fail_on is None:
        return EXIT_BAD_INPUT
    try:
        result = audit_watches(
            args.pyproject, at=[args.at] if args.at else [], lock=args.lock, usage=args.usage
        )
    except (ValueError, RuntimeError) as error:
        stderr.write(f"phaseout audit: {error}\n")
        return EXIT_BAD_INPUT
    stdout.write(render_watches(result, args.fmt))
    stdout.flush()
    failing = [finding for finding in result.findings if finding.kind in fail_on]
    return EXIT_USAGE_FOUND if failing else EXIT_OK


# Exit codes of `phaseout report`, for CI and alerting.
EXIT_OK = 0
EXIT_USAGE_FOUND = 1  # --fail-if-any matched
EXIT_BAD_INPUT = 2  # like argparse's own errors


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return jobs


def _grouping(text: str) -> list[str]:
    from .report import GROUPINGS

    keys = [key.strip() for key in text.split(",") if key.strip()]
    for key in keys:
        if key not in GROUPINGS:
            raise argparse.ArgumentTypeError(
                f"--by must be one of {', '.join(GROUPINGS)}, got {key!r}"
            )
    return keys


def _add_report(commands: Commands) -> None:
    report = commands.add_parser(
        "report",
        help="sum usage logs: who still calls what, from where, how often",
        description=(
            "Read usage logs (JSON lines, .gz too, '-' for stdin; globs allowed) and sum "
            "phaseout's events. Other lines are ignored; broken phaseout lines are skipped "
            "and counted. Exit status: 0, 1 when --fail-if-any matched, 2 on bad input."
        ),
    )
    report.add_argument("logs", nargs="+", metavar="FILE_OR_GLOB")
    report.add_argument(
        "--by",
        type=_grouping,
        action="extend",
        metavar="KEY",
        help="group rows by symbol, caller, site, package, phase or day; repeat or use "
        "commas (default: symbol,caller)",
    )
    report.add_argument(
        "--format",
        default="table",
        choices=("table", "json", "csv", "markdown", "html"),
        help="output format (default: table)",
    )
    report.add_argument("--output", metavar="PATH", help="write to PATH instead of stdout")
    report.add_argument("--since", metavar="DATE", help="only events at or after DATE")
    report.add_argument("--until", metavar="DATE", help="only events up to DATE (inclusive)")
    report.add_argument("--package", metavar="NAME", help="only this package's events")
    report.add_argument(
        "--fail-if-any",
        metavar="SYMBOL_GLOB",
        action="append",
        default=[],
        help="exit with status 1 when a matching symbol was used (repeatable)",
    )
    report.add_argument(
        "--engine",
        choices=("auto", "streaming", "duckdb"),
        default="auto",
        help="streaming reads in Python; duckdb has DuckDB sum the lines, with identical "
        "results (pip install 'phaseout[duckdb]'); auto (default) uses DuckDB for large "
        "input when it is installed",
    )
    report.add_argument(
        "--jobs",
        type=_jobs,
        metavar="N",
        help="processes for large plain files (default: one per CPU, at most 8)",
    )
    report.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bar on stderr: auto shows it for large input at a terminal",
    )


def _report(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .report import DEFAULT_GROUPING, LogError, render, summarize
    from .report._progress import LARGE_INPUT, Progress, input_size
    from .report._reader import expand
    from .report._render import visible

    def fail(problem: object) -> int:
        stderr.write(f"phaseout report: {visible(problem)}\n")
        return EXIT_BAD_INPUT

    try:
        names = expand(args.logs)
    except LogError as error:
        return fail(error)
    if args.output and any(_same_file(args.output, name) for name in names):
        return fail(
            f"--output {args.output!r} is one of the logs being read: write the report "
            f"somewhere else (it would replace the log)"
        )
    total = input_size(names)
    show = args.progress == "always" or (
        args.progress == "auto" and stderr.isatty() and (total is None or total >= LARGE_INPUT)
    )
    progress = Progress(stderr, total) if show else None
    try:
        summary = summarize(
            names,
            by=args.by or DEFAULT_GROUPING,
            since=args.since,
            until=args.until,
            package=args.package,
            progress=progress,
            workers=args.jobs,
            engine=args.engine,
        )
    except (LogError, ValueError, OSError) as error:
        return fail(error)
    finally:
        if progress is not None:
            progress.close()
    for note in summary.notes:
        stderr.write(f"phaseout report: {visible(note)}\n")
    text = render(summary, args.format)
    if args.output:
        try:
            write_atomically(args.output, text)
        except OSError as error:
            return fail(f"cannot write --output {args.output!r}: {error.strerror or error}")
    else:
        stdout.write(text)
    status = EXIT_OK
    for pattern in args.fail_if_any:
        matched = summary.matching(pattern)
        for row in matched:
            caller = f", from {row.caller}" if row.caller else ""
            stderr.write(
                f"phaseout report: {visible(row.symbol)} is still used ({row.count:,} "
                f"use{'' if row.count == 1 else 's'}"
                f"{visible(caller)}) and matches {visible(repr(pattern))}\n"
            )
            status = EXIT_USAGE_FOUND
        if not matched:
            stderr.write(
                f"phaseout report: --fail-if-any {visible(repr(pattern))} matches no symbol in "
                f"the logs (check the spelling: patterns are case-sensitive globs such as "
                f"'mylib.*')\n"
            )
    return status


# The commands, in the order `phaseout --help` lists them, and what adds each one's parser.
_COMMANDS: Final[dict[str, Callable[[Commands], None]]] = {
    "demo": _add_demo,
    "report": _add_report,
    "audit": _add_audit,
    "guide": _add_guide,
    "fix": _add_fix,
    "check": _add_check,
    "plan": _add_plan,
    "data": _add_data,
}


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    args = _parser(_command_in(argv)).parse_args(argv)
    if args.command == "demo":
        from . import _demo

        try:
            status = _demo.run(sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:  # `phaseout demo | head`: the reader left; say nothing more
            _silence_stdout()
            return EXIT_OK
        return status
    if args.command == "report":
        try:
            return _report(args, sys.stdout, sys.stderr)
        except BrokenPipeError:
            # `phaseout report ... | head`: the reader left; say nothing more.
            _silence_stdout()
            return EXIT_OK
        except KeyboardInterrupt:
            sys.stderr.write("phaseout report: interrupted\n")
            return 130
        except Exception as error:  # a bug: one line, never a traceback, never exit 1
            sys.stderr.write(
                f"phaseout report: unexpected {type(error).__name__}: {error} (please report "
                f"it with the input that caused it)\n"
            )
            return EXIT_BAD_INPUT
    if args.command in ("audit", "guide", "fix"):
        _importable_from_here()
        command = {"audit": _audit, "guide": _guide, "fix": _fix}[args.command]
        return command(args, sys.stdout, sys.stderr)
    if args.command == "check":
        from .check import run_check_command

        return run_check_command(args, sys.stdout, sys.stderr)
    if args.command == "plan":
        from .plans import run_plan_command

        _importable_from_here()
        return run_plan_command(args, sys.stdout, sys.stderr)
    if args.command == "data":
        from .records import run_data_command

        _importable_from_here()
        return run_data_command(args, sys.stdout, sys.stderr)
    raise AssertionError(f"unhandled command {args.command!r}")  # argparse rejects others


def _same_file(output: str, name: str) -> bool:
    """Whether writing *output* would write the log *name* (the same path, a link to it)."""
    if name == "-":
        return False
    try:
        return os.path.samefile(output, name)
    except OSError:  # the output does not exist yet: it cannot be a log
        return False


def _importable_from_here() -> None:
    """Find PACKAGE in the working directory, as ``python -m phaseout`` does: the console
    script's own directory (the environment's bin/) is what Python puts first instead."""
    here = os.getcwd()
    if here not in sys.path and "" not in sys.path:
        sys.path.insert(0, here)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass

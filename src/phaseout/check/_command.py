"""``phaseout check``: the arguments, the shims file and the exit codes."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final, TextIO

from .._files import emit
from ._classify import STATUSES, check
from ._declared import CheckError
from ._render import FORMATS, render, render_shims
from ._snapshots import WORKING_TREE

__all__ = [
    "DEFAULT_FAIL_ON",
    "EXIT_BAD_INPUT",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "add_check_command",
    "run_check_command",
]

EXIT_OK: Final = 0
EXIT_FINDINGS: Final = 1  # findings whose status is in --fail-on
EXIT_BAD_INPUT: Final = 2
#: What fails a check unless --fail-on says otherwise.
DEFAULT_FAIL_ON: Final = ("early", "undeclared")


def add_check_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "check",
        help="find every API break since a release, and whether it was announced (griffe)",
        description=(
            "Compare PACKAGE's public API at --against (the last release) with --base (the "
            "release being made; default: the working tree), read statically with griffe, "
            "and join every break with the phaseout declarations of both: announced, early, "
            "undeclared, or still present. Nothing of the package is imported. Needs "
            "phaseout[check] (griffe)."
        ),
    )
    parser.add_argument("package", help="the package's top-level import name, e.g. mylib")
    parser.add_argument(
        "--against", required=True,
        help="the old release: a git reference (v2.0), a folder, or a wheel file",
    )  # fmt: skip
    parser.add_argument(
        "--base", default=WORKING_TREE,
        help="the new release: a git reference, a folder or a wheel (default: the working tree)",
    )  # fmt: skip
    parser.add_argument("--repo", default=".", help="the git repository (default: here)")
    parser.add_argument(
        "--search", help="the folder holding the package in each snapshot (default: src or .)"
    )
    parser.add_argument("--old-version", help="the old release's version, if its name says none")
    parser.add_argument(
        "--new-version",
        help="the new release's version (default: from its reference, pyproject or __version__)",
    )
    parser.add_argument(
        "--usage", action="append", default=[], metavar="LOGS",
        help="usage logs (paths, globs or folders; repeatable): severity by real calls",
    )  # fmt: skip
    parser.add_argument("--format", dest="fmt", choices=FORMATS, default="table")
    parser.add_argument(
        "--fail-on", default=",".join(DEFAULT_FAIL_ON), metavar="STATUSES",
        help=f"exit 1 on findings with these statuses, comma-separated (of {', '.join(STATUSES)}; "
        f"'none' never fails; default: {','.join(DEFAULT_FAIL_ON)})",
    )  # fmt: skip
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB",
        help="leave out paths matching GLOB (repeatable; also [tool.phaseout.check] exclude)",
    )  # fmt: skip
    parser.add_argument("--pyproject", help="the pyproject.toml holding [tool.phaseout]")
    parser.add_argument(
        "--write-shims", metavar="FILE",
        help="also write every fix into FILE, a module to review and paste from",
    )  # fmt: skip
    parser.add_argument("-o", "--output", help="write the report to this file (default: stdout)")


def _fail_on(text: str) -> set[str]:
    wanted = {part.strip() for part in text.split(",") if part.strip()}
    if wanted == {"none"}:
        return set()
    unknown = sorted(wanted - set(STATUSES))
    if unknown or not wanted:
        raise CheckError(
            f"--fail-on must list statuses of {', '.join(STATUSES)} (or 'none'), got {text!r}"
        )
    return wanted


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def run_check_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        import griffe  # noqa: F401
    except ImportError:
        stderr.write(
            "phaseout check: needs griffe, which is not installed: pip install 'phaseout[check]'\n"
        )
        return EXIT_BAD_INPUT
    try:
        fail_on = _fail_on(args.fail_on)
        result = check(
            args.package,
            against=args.against,
            base=args.base,
            repo=args.repo,
            search=args.search,
            old_version=args.old_version,
            new_version=args.new_version,
            usage=args.usage,
            pyproject=args.pyproject,
            exclude=args.exclude,
        )
        if args.write_shims:
            shims = Path(args.write_shims)
            package_folder = Path(args.repo) / (args.search or "src") / args.package
            for folder in (package_folder, Path(args.repo) / args.package):
                if folder.is_dir() and _inside(shims, folder):
                    raise CheckError(
                        f"--write-shims {args.write_shims} is inside the package ({folder}): "
                        f"phaseout check never edits the library; write it elsewhere"
                    )
        text = render(result, args.fmt)
    except CheckError as error:
        stderr.write(f"phaseout check: {error}\n")
        return EXIT_BAD_INPUT
    except Exception as error:  # a bug, or griffe's own: one line, never a traceback
        stderr.write(f"phaseout check: {type(error).__name__}: {error}\n")
        return EXIT_BAD_INPUT
    try:
        extra = {args.write_shims: render_shims(result)} if args.write_shims else {}
        emit(text, args.output, stdout, extra)
    except OSError as error:
        stderr.write(f"phaseout check: cannot write: {error}\n")
        return EXIT_BAD_INPUT
    failures = result.failures(fail_on)
    if failures:
        stderr.write(
            f"phaseout check: {len(failures)} finding{'s' if len(failures) != 1 else ''} "
            f"{'/'.join(sorted({f.status for f in failures}))} (--fail-on "
            f"{','.join(sorted(fail_on))})\n"
        )
        return EXIT_FINDINGS
    return EXIT_OK

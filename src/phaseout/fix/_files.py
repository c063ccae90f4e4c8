"""Running the rewrite over a tree: finding Python files, cheap filters first, several
processes, and writing each file whole (a temporary file renamed over it).

Most files of a big codebase never mention the package, so each file is read and searched
for the top-level names of the old spellings (bytes, no decoding), then parsed with ``ast``
for an import of one of them; only the files that pass are parsed with libcst.
"""

from __future__ import annotations

import ast
import dataclasses
import multiprocessing
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from .._files import write_atomically
from ._rules import Rules
from ._transform import ManualSite, Rewrite, rewrite_module

__all__ = ["FileOutcome", "fix_data", "fix_file", "python_files", "run_files", "write_file"]

Usage = Mapping[int, frozenset[str]]


@dataclasses.dataclass(frozen=True)
class FileOutcome:
    """What the rewrite did to one file: its new bytes when it changed, or why it could not
    be read, parsed or rewritten (then the file is left as it was)."""

    path: str
    old: bytes = b""
    new: bytes | None = None
    rewrites: tuple[Rewrite, ...] = ()
    manual: tuple[ManualSite, ...] = ()
    error: str | None = None
    parsed: bool = False  # reached libcst (a candidate)


def python_files(paths: Iterable[str]) -> Iterator[str]:
    """Each path that is a file, and the ``.py`` files under each directory (sorted;
    hidden directories such as ``.git`` and ``.venv``, and ``__pycache__``, skipped)."""
    for path in paths:
        if not os.path.isdir(path):
            yield path
            continue
        for root, directories, files in os.walk(path):
            directories[:] = sorted(
                d for d in directories if not d.startswith(".") and d != "__pycache__"
            )
            for name in sorted(files):
                if name.endswith(".py"):
                    yield os.path.join(root, name)


def _imports_root(tree: ast.AST, roots: frozenset[str]) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(alias.name.partition(".")[0] in roots for alias in node.names):
                return True
        elif (
            isinstance(node, ast.ImportFrom)
            and not node.level
            and node.module
            and node.module.partition(".")[0] in roots
        ):
            return True
    return False


def _read(path: str) -> bytes | FileOutcome:
    """The bytes of *path*, or the outcome of a file that cannot be read."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as error:
        return FileOutcome(path, error=f"cannot read: {error.strerror or error}")


def fix_file(path: str, rules: Rules, usage: Usage | None = None) -> FileOutcome:
    """One file through the filters and, if it may use the package, the rewrite."""
    data = _read(path)
    return data if isinstance(data, FileOutcome) else fix_data(path, data, rules, usage)


def fix_data(path: str, data: bytes, rules: Rules, usage: Usage | None = None) -> FileOutcome:
    """The bytes of file *path* through the filters and, if they may use the package, the
    rewrite."""
    if not rules.candidate(data):
        return FileOutcome(path, data)
    try:
        tree = ast.parse(data, path)
    except (SyntaxError, ValueError) as error:
        return FileOutcome(path, data, error=f"cannot parse: {_syntax(error)}", parsed=True)
    if not _imports_root(tree, rules.roots):
        return FileOutcome(path, data)
    try:
        result = rewrite_module(data, rules, usage)
    except Exception as error:  # libcst's parser, or a rewrite this file trips: report it
        name = type(error).__name__
        text = str(error).strip().splitlines()
        detail = text[0] if name == "ParserSyntaxError" and text else f"{name}: {error}"
        return FileOutcome(path, data, error=f"cannot parse: {detail}", parsed=True)
    if not result.changed:
        return FileOutcome(path, data, manual=result.manual, parsed=True)
    new = result.source.encode(result.encoding)
    try:
        compile(new, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        return FileOutcome(
            path,
            data,
            manual=result.manual,
            error=f"the rewritten file would not compile ({_syntax(error)}): left as it was",
            parsed=True,
        )
    return FileOutcome(path, data, new, result.rewrites, result.manual, parsed=True)


def _syntax(error: Exception) -> str:
    if isinstance(error, SyntaxError):
        return f"line {error.lineno}: {error.msg}"
    return str(error)


# -- several processes ---------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _start_worker(rules: Rules, usage: Mapping[str, Usage]) -> None:
    _WORKER["rules"], _WORKER["usage"] = rules, usage


def _work(paths: Sequence[str]) -> list[FileOutcome]:
    rules, usage = _WORKER["rules"], _WORKER["usage"]
    return [fix_file(path, rules, usage.get(path)) for path in paths]


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_files(
    paths: Sequence[str],
    rules: Rules,
    usage: Mapping[str, Usage],
    *,
    jobs: int,
    progress: Any = None,
) -> list[FileOutcome]:
    """Every file of *paths* fixed, in their order. Files that name no old spelling are
    settled here; the rest go to *jobs* processes (one: this one)."""
    outcomes: dict[str, FileOutcome] = {}
    candidates: dict[str, bytes] = {}
    for path in paths:
        data = _read(path)
        if isinstance(data, FileOutcome):
            outcomes[path] = data
        elif rules.candidate(data):
            candidates[path] = data
        else:
            outcomes[path] = FileOutcome(path, data)
    done = len(outcomes)
    if progress is not None:
        progress(done, len(paths))
    if jobs <= 1 or len(candidates) < 2:
        for path, data in candidates.items():
            outcomes[path] = fix_data(path, data, rules, usage.get(path))
            done += 1
            if progress is not None:
                progress(done, len(paths))
    else:
        size = max(1, min(16, len(candidates) // (jobs * 4)))
        context = multiprocessing.get_context(_START_METHOD)
        with ProcessPoolExecutor(
            jobs, context, initializer=_start_worker, initargs=(rules, dict(usage))
        ) as pool:
            # Workers read the files again: cheaper than sending the bytes to them.
            for chunk in pool.map(_work, _chunks(list(candidates), size)):
                for outcome in chunk:
                    outcomes[outcome.path] = outcome
                done += len(chunk)
                if progress is not None:
                    progress(done, len(paths))
    return [outcomes[path] for path in paths]


# The package under upgrade was imported here (and phaseout may run its flush thread):
# workers start from a clean server process rather than a fork of this one.
_START_METHOD = "forkserver" if sys.platform.startswith("linux") else "spawn"


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def write_file(path: str, data: bytes) -> None:
    """Replace *path* with *data* at once (a reader sees the old file or the new one),
    keeping its permissions."""
    write_atomically(path, data, durable=False)

"""Where a usage log saw each declaration used, matched to the files of a source tree.

A log records the file of every call as the running program saw it
(``/srv/app/releases/42/app/views.py``); the tree being fixed has it elsewhere
(``app/views.py``). A log path matches a file when it ends with the file's path below the
root (``--root``), compared part by part; the longest match wins.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import PurePath

from ..report import read_events

__all__ = ["usage_by_file"]


def _log_files(sources: Iterable[str]) -> list[str]:
    """Each source, with a directory (a report folder) standing for the logs in it."""
    found: list[str] = []
    for source in sources:
        if os.path.isdir(source):
            for root, _, files in os.walk(source):
                found += sorted(os.path.join(root, name) for name in files if ".jsonl" in name)
        else:
            found.append(source)
    return found


def usage_by_file(
    sources: Sequence[str], files: Sequence[str], root: str | None
) -> dict[str, dict[int, frozenset[str]]]:
    """For each of *files* a log saw used: line -> the declarations used at that line. A
    file's path below *root* (default: the current directory) is what a log path must end
    with, however the file was named on the command line."""
    seen: dict[tuple[str, ...], dict[int, set[str]]] = {}
    for event in read_events(_log_files(sources)):
        site = event.site
        if not site.file or site.line <= 0:
            continue
        parts = PurePath(site.file).parts
        seen.setdefault(parts, {}).setdefault(site.line, set()).add(site.symbol)
    by_name: dict[str, list[tuple[str, ...]]] = {}
    for parts in seen:
        by_name.setdefault(parts[-1], []).append(parts)
    found: dict[str, dict[int, frozenset[str]]] = {}
    base = os.path.abspath(root if root is not None else os.curdir)
    for path in files:
        wanted = PurePath(os.path.relpath(os.path.abspath(path), base)).parts
        wanted = tuple(part for part in wanted if part not in (".", ".."))
        if not wanted:
            continue
        # The file's own absolute path ends with these parts too: it matches itself.
        matches = [
            parts for parts in by_name.get(wanted[-1], ()) if parts[-len(wanted) :] == wanted
        ]
        lines: dict[int, set[str]] = {}
        for parts in matches:
            for line, symbols in seen[parts].items():
                lines.setdefault(line, set()).update(symbols)
        if lines:
            found[path] = {line: frozenset(symbols) for line, symbols in lines.items()}
    return found

"""The fixture library of migration plans, read from docs/plans.md ("A plan in full"), where
it is shown: its pyproject.toml (a release calendar, a rollout's schedule), its code
(declarations across three releases, a stored-record version, a scheduled rollout) and the
generator of its eight weeks of usage logs.

Releases: 1.0 (2026-06-01), 2.0 (2026-10-01), 3.0 (2027-02-01), then every 4 months. The logs
run from 2026-11-15 to 2027-01-09; plans are judged on 2027-01-10.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from .helpers import write_tree

PAGE = Path(__file__).resolve().parent.parent / "docs" / "plans.md"
_TEXT = PAGE.read_text(encoding="utf-8")
_FULL = _TEXT.split("## A plan in full", 1)[1]


def _file(path: str) -> str:
    match = re.search(
        rf"^```(?:python|toml) file={re.escape(path)}\n(.*?)^```$", _FULL, re.M | re.S
    )
    assert match is not None, path
    return match.group(1)


_EXAMPLES = re.findall(r"^```python\n(.*?)^```$", _FULL, re.M | re.S)
PYPROJECT = _file("pyproject.toml")
LIBRARY = _file("planlib/__init__.py")
GENERATOR, WRITER = _EXAMPLES  # the logs' definitions, then the lines that write them

_NAMESPACE: dict[str, Any] = {"__name__": "plans_lib_generator"}
exec(compile(GENERATOR, f"{PAGE}[generator]", "exec"), _NAMESPACE)
SITES: dict[str, list[tuple[str, str, int]]] = _NAMESPACE["SITES"]
FIRST_DAY: date = _NAMESPACE["FIRST_DAY"]
DAYS: int = _NAMESPACE["DAYS"]
calls: Callable[[str, int, int], int] = _NAMESPACE["calls"]
TODAY = date(2027, 1, 10)


def write_library(root: Path) -> Path:
    """The library's project folder (pyproject.toml, src/planlib) under *root*."""
    project = root / "planlib-project"
    write_tree(project, {"pyproject.toml": PYPROJECT, "src/planlib/__init__.py": LIBRARY})
    return project


def write_logs(folder: Path) -> None:
    """The page's logs, in *folder*/logs."""
    folder.mkdir(parents=True, exist_ok=True)
    here = os.getcwd()
    os.chdir(folder)
    try:
        exec(compile(GENERATOR + WRITER, f"{PAGE}[logs]", "exec"), {"__name__": "plans_lib_logs"})
    finally:
        os.chdir(here)


def plan_shown() -> str:
    """The plan the page shows, as the command prints it."""
    match = re.search(r"^````markdown\n(.*?)^````$", _FULL, re.M | re.S)
    assert match is not None
    return match.group(1)

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from phaseout import (
    DeprecatedWarning,
    PendingWarning,
    Phase,
    PhaseoutWarning,
    RemovalWarning,
)

# For a declaration with since 2.0, hard_in 2.9 and removed_in 3.0: a version in each phase,
# the phase, and the warning category (None: REMOVED raises).
PHASES: dict[str, tuple[Phase, type[Warning] | None]] = {
    "1.0": (Phase.PENDING, PendingWarning),
    "2.0": (Phase.SOFT, DeprecatedWarning),
    "2.9": (Phase.HARD, RemovalWarning),
    "3.0": (Phase.REMOVED, None),
}


def here() -> int:
    """The caller's line number: `line = here() + 1` names the next line."""
    return sys._getframe(1).f_lineno


def only(recorded: Iterable[warnings.WarningMessage]) -> PhaseoutWarning:
    """The single phaseout warning recorded, checked to be alone."""
    record = list(recorded)
    assert len(record) == 1, [str(w.message) for w in record]
    message = record[0].message
    assert isinstance(message, PhaseoutWarning)
    return message


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write *files* (relative path: text, dedented) under *root*; *root*."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def run_phaseout(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m phaseout ARGS`` with *root* importable, as a user runs it (no PHASEOUT_*)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEOUT_")}
    env["PYTHONPATH"] = str(root)
    return subprocess.run(
        [sys.executable, "-m", "phaseout", *args],
        capture_output=True, text=True, check=False, env=env, cwd=root, timeout=120,
    )  # fmt: skip


def mypy(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` on *args* (paths, and options), run in *cwd* with no cache."""
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *args],
        capture_output=True, text=True, check=False, cwd=cwd,
    )  # fmt: skip


def pyright(cwd: Path, *paths: str) -> list[dict[str, Any]]:
    """pyright's diagnostics for *paths*, in strict mode with deprecations as errors."""
    (cwd / "pyrightconfig.json").write_text(
        '{"typeCheckingMode": "strict", "reportDeprecated": "error"}', encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable, *paths],
        capture_output=True, text=True, check=False, cwd=cwd,
    )  # fmt: skip
    diagnostics: list[dict[str, Any]] = json.loads(done.stdout)["generalDiagnostics"]
    return diagnostics


def sphinx_text(root: Path, module: str, *, undocumented: bool = False) -> str:
    """Build *module* (a file in *root*) with Sphinx autodoc under ``-W``; the text output.
    Any Sphinx warning fails the build, and the assertion shows it."""
    (root / "conf.py").write_text(
        "import os, sys\nsys.path.insert(0, os.path.dirname(__file__))\n"
        "extensions = ['sphinx.ext.autodoc']\n",
        encoding="utf-8",
    )
    members = "   :members:\n" + ("   :undoc-members:\n" if undocumented else "")
    (root / "index.rst").write_text(
        f"API\n===\n\n.. automodule:: {module}\n{members}", encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "text", str(root), str(root / "out")],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    return (root / "out" / "index.txt").read_text(encoding="utf-8")

"""Reading ``[tool.phaseout]`` from a package's pyproject.toml, for the tools.

The library itself never reads it at run time (an installed package has no pyproject.toml);
``phaseout audit``, ``guide`` and ``plan`` do, from the project being worked on.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

__all__ = ["find", "read_toml", "tool_table"]

# Folders climbed from a package's directory to its project's root (src/mylib -> the root).
_LEVELS = 4


def find(package: str, start: Path | None = None) -> Path | None:
    """The pyproject.toml of *package*'s project: next to or above its source folder,
    else the one in the current folder (or *start*)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    origin = spec.origin if spec is not None else None
    if origin and origin not in ("built-in", "frozen", "namespace"):
        folder = Path(origin).resolve().parent
        for candidate in [folder, *folder.parents][: _LEVELS + 1]:
            found = candidate / "pyproject.toml"
            if found.is_file():
                return found
    found = (start or Path.cwd()) / "pyproject.toml"
    return found if found.is_file() else None


def tool_table(path: Path) -> dict[str, Any]:
    """``[tool.phaseout]`` of *path* (empty when it has none); a clear error when the file
    is not TOML, naming it."""
    data = path.read_bytes()
    if b"phaseout" not in data:
        return {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not valid TOML: {error}") from None
    document = read_toml(text, str(path))
    table = document.get("tool", {}).get("phaseout", {})
    if not isinstance(table, dict):
        raise ValueError(f"{path}: [tool.phaseout] must be a table, got {table!r}")
    return table


def read_toml(text: str, where: str) -> dict[str, Any]:
    """*text* as TOML; a clear error naming *where* when it is not (tomli on 3.10)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            raise RuntimeError(
                f"reading {where} on Python 3.10 needs tomli: pip install 'phaseout[plans]' "
                f"(or tomli)"
            ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{where} is not valid TOML: {error}") from None

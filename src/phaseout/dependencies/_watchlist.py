"""``[tool.phaseout.watch]``: a project's list of the APIs it watches in its dependencies.

::

    [tool.phaseout.watch]
    show = false                    # optional: warn too (default: counted, not shown)
    "pandas.DataFrame.append" = { since = "1.4", removed_in = "2.0", replacement = "pandas.concat" }

Each key with a dot is a target, its table the options of :func:`phaseout.watch`. No list is
shipped with phaseout: nobody maintains one, and a stale one would be worse than none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from .. import _pyproject
from ._watch import Watch, checked, watch

_OPTIONS: Final = frozenset(
    {"since", "removed_in", "hard_in", "replacement", "package", "reason", "guide", "show"}
)


def watch_list(pyproject: str | Path | None = None, *, apply: bool = True) -> list[Watch]:
    """Watch every API listed in ``[tool.phaseout.watch]`` of *pyproject* (default: the
    pyproject.toml of the current folder or the nearest one above it). With
    ``apply=False`` the list is only checked and nothing is watched (for tools)."""
    path = Path(pyproject) if pyproject is not None else _nearest()
    if path is None:
        raise FileNotFoundError(
            "watch_list: no pyproject.toml in the current folder or above it; pass the path"
        )
    return watches_from(read(path), f"{path}: [tool.phaseout.watch]", apply=apply)


def read(path: Path) -> dict[str, Any]:
    """The ``[tool.phaseout.watch]`` table of *path* (empty when there is none)."""
    table = _pyproject.tool_table(path).get("watch", {})
    if not isinstance(table, dict):
        raise ValueError(f"{path}: [tool.phaseout.watch] must be a table, got {table!r}")
    return table


def watches_from(table: dict[str, Any], where: str, *, apply: bool = True) -> list[Watch]:
    """The watches *table* lists, each checked (errors name *where* and the target)."""
    show = table.get("show", False)
    if not isinstance(show, bool):
        raise ValueError(f"{where}: show must be true or false, got {show!r}")
    found = []
    for target, options in table.items():
        if target == "show":
            continue
        if not isinstance(options, dict):
            raise ValueError(
                f'{where}: {target!r} must be a table such as {{ since = "1.4", removed_in '
                f'= "2.0" }}, got {options!r}'
            )
        unknown = sorted(set(options) - _OPTIONS)
        if unknown:
            raise ValueError(
                f"{where}: {target!r} has unknown options {', '.join(unknown)} (known: "
                f"{', '.join(sorted(_OPTIONS))})"
            )
        if "since" not in options:
            raise ValueError(f"{where}: {target!r} needs since (the version it was deprecated in)")
        settings = {"show": show, **options}
        try:
            if apply:
                found.append(watch(target, **settings))
            else:
                found.append(checked(target, **settings))
        except (TypeError, ValueError) as error:
            raise ValueError(f"{where}: {error}") from None
    return found


def _nearest() -> Path | None:
    here = Path.cwd()
    for folder in [here, *here.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None

"""``phaseout guide``: a Markdown migration guide for users upgrading a package to a version.

For every API the version removes (or whose default it changes): the old and the new spelling
as code, made from the declaration itself (its replacement, its argument map, its parameter or
name declaration), the version it was deprecated in, the reason and the guide link; grouped by
module, after a short announcement. With usage logs, only what an application calls.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from packaging.version import Version

from ._hotpath import Declaration
from .audit import _MISSING, _import_all, _usage_by_symbol, parse_version, resolve
from .phases import Phase
from .registry import declarations

__all__ = ["guide"]


def _object(symbol: str) -> Any:
    """The object a symbol names (``mylib.mod.Class.method``), or None."""
    obj = resolve(symbol)
    return None if obj is _MISSING else getattr(obj, "__func__", obj)


def _arguments(obj: Any) -> str:
    """A call's arguments as a reader writes them: ``city, unit=...``."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return "..."
    shown = []
    for name, parameter in signature.parameters.items():
        if name in ("self", "cls"):
            continue
        if parameter.kind is parameter.VAR_POSITIONAL:
            shown.append(f"*{name}")
        elif parameter.kind is parameter.VAR_KEYWORD:
            shown.append(f"**{name}")
        elif parameter.default is parameter.empty and parameter.kind is not parameter.KEYWORD_ONLY:
            shown.append(name)
        else:
            shown.append(f"{name}={name}")
    return ", ".join(shown)


_GONE = "# removed, with no replacement"


def _spelling(decl: Declaration) -> tuple[str, str]:
    """The old and the new spelling of *decl*'s API, as code."""
    symbol, replacement, kind = decl.symbol, decl.replacement_name, decl.kind
    function, _, inside = symbol.partition("(")
    inside = inside.removesuffix(")")
    if kind in ("renamed parameter", "removed parameter"):
        name = inside.removesuffix("=")
        old = f"{function}(..., {name}=value)"
        if replacement is None:
            return old, f"{function}(...)  # stop passing {name}"
        new_name = replacement.partition("(")[2].removesuffix("=)")
        return old, f"{function}(..., {new_name}=value)"
    if kind == "keyword-only parameters":
        names = [n.strip() for n in inside.removeprefix("*,").split(",")]
        return (
            f"{function}(..., {', '.join(names)})",
            f"{function}(..., {', '.join(f'{n}={n}' for n in names)})",
        )
    if kind == "deprecated value":
        return f"{function}({inside})", (
            f"{replacement.partition('(')[0]}({replacement.partition('(')[2]}"
            if replacement
            else f"{function}(...)  # another value: {inside} is removed"
        )
    if kind in ("function", "method", "classmethod", "staticmethod", "class"):
        obj = _object(symbol)
        arguments = "..." if obj is None else _arguments(obj)
        old = f"{symbol}({arguments})"
        if replacement is None:
            return old, _GONE
        call = getattr(decl.forward, "__phaseout_call__", None)
        return old, f"{replacement.removesuffix('()')}({arguments if call is None else call})"
    if kind == "property":
        return f"obj.{symbol.rsplit('.', 1)[1]}", replacement or _GONE
    if kind == "moved module":
        return f"import {symbol}", f"import {replacement}"
    if kind == "moved name":
        module, _, name = symbol.rpartition(".")
        new_module, _, new_name = (replacement or "").rpartition(".")
        alias = "" if name == new_name else f" as {name}"
        return f"from {module} import {name}", f"from {new_module} import {new_name}{alias}"
    if kind == "default change":
        wording = decl.wording
        name = symbol.rsplit("(", 1)[1].rstrip("=)")
        function = symbol.rsplit("(", 1)[0]
        return (
            f"{function}()  # relies on the default {name}={wording.old}",
            f"{function}({name}={wording.old})  # to keep it; the new default is {wording.new}",
        )
    return symbol, replacement or _GONE


def _removed_by(decl: Declaration, version: Version) -> bool:
    return decl.timeline.phase_at(version) is Phase.REMOVED


def guide(package: str, to: str, *, usage: Sequence[str] = ()) -> str:
    """The migration guide for users of *package* upgrading to version *to*."""
    target = parse_version("--to", to)
    problems = _import_all(package)
    changed = sorted(
        (decl for decl in declarations(package) if _removed_by(decl, target)),
        key=lambda decl: decl.symbol,
    )
    total = len(changed)
    called = None
    if usage:
        uses = _usage_by_symbol(usage)
        changed = [decl for decl in changed if uses.get(decl.symbol, (0, 0, None))[0]]
        called = len(changed)
    display = changed[0].package if changed else package
    lines = [f"# Upgrading to {display} {target}", ""]
    if called is not None:
        lines += [
            f"Your code calls {called} of the {total} APIs that {display} {target} removes or "
            f"changes; here is what to change.",
            "",
        ]
    lines += [
        "## Announcement",
        "",
        f"{display} {target} removes or changes {total} API{'s' if total != 1 else ''} "
        f"deprecated in earlier releases. Each was announced with a warning naming its "
        f'replacement; run your tests with `PHASEOUT_PRETEND="{display}=={target}"` (or '
        f'`pytest --phaseout-pretend "{display}=={target}"`) to see what breaks before '
        f"upgrading.",
        "",
    ]
    if problems:
        lines += [
            f"(Modules that could not be imported: {', '.join(p.subject for p in problems)}.)",
            "",
        ]
    modules: dict[str, list[Declaration]] = {}
    for decl in changed:
        module = decl.source.module if decl.kind != "moved module" else decl.symbol
        modules.setdefault(module, []).append(decl)
    for module, decls in sorted(modules.items()):
        lines += [f"## `{module}`", ""]
        for decl in decls:
            lines += _entry(decl)
    return "\n".join(lines).rstrip() + "\n"


def _entry(decl: Declaration) -> list[str]:
    texts = decl.timeline.texts
    old, new = _spelling(decl)
    what = "default changed" if decl.kind == "default change" else "removed"
    when = texts["removed_in"]
    lines = [
        f"### `{decl.symbol}`",
        "",
        f"Deprecated in {texts['since']}; {what} in {when}.",
        "",
        "```python",
        f"# before\n{old}",
        f"# after\n{new}",
        "```",
        "",
    ]
    if decl.reason:
        lines += [f"Why: {decl.reason.strip().rstrip('.')}.", ""]
    if decl.guide:
        lines += [f"More: {decl.guide}", ""]
    return lines

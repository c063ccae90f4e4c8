"""Which declarations ``phaseout fix`` rewrites by itself, for the guide and the fixer alike.

Read from the declaration alone (its kind, replacement, parameter change), without importing
anything: the fixer still checks each use (a receiver of unknown class, ``*args``), and
reports the ones it cannot prove.
"""

from __future__ import annotations

import ast
from typing import Any, Final

__all__ = ["automatic", "literal", "replacement_path"]


def literal(value: object) -> str | None:
    """*value* as Python source that evaluates back to an equal value, or None."""
    text = repr(value)
    try:
        back = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return text if type(back) is type(value) and back == value else None


def replacement_path(name: str | None) -> str | None:
    """A declaration's replacement as a dotted path code can name (``mylib.new`` for
    ``"mylib.new()"``), or None when it is none or free text."""
    if name is None:
        return None
    name = name.removesuffix("()")
    return name if all(part.isidentifier() for part in name.split(".")) else None


_INSTANCE: Final = "where the receiver's class is known (or a usage log saw the call)"
_CALLED: Final = frozenset({"function", "class", "classmethod", "staticmethod"})


def automatic(decl: Any) -> str | None:
    """Where ``phaseout fix`` rewrites uses of *decl* (``"every use"``, or a condition), or
    None when a person must change them."""
    change = getattr(decl, "change", None)
    if change is not None:
        where = "every call"
        owner, _, name = change.function.rpartition(".")
        if "." in owner and owner.rpartition(".")[2][:1].isupper() and name != "__init__":
            where = f"every call {_INSTANCE}"
        if change.action == "remove":
            return None
        if change.action == "value" and not (
            change.has_new and literal(change.new) and literal(change.value)
        ):
            return None
        if change.action == "default" and literal(change.value) is None:
            return None
        return where
    if decl.kind == "renamed setting":  # phaseout.settings' kinds
        return "every use (TOML, YAML and INI files named on its command line)"
    if decl.kind == "renamed environment variable":
        return "every use (.env files named on its command line)"
    replacement = replacement_path(decl.replacement)
    if decl.kind in ("moved module", "moved name"):
        return "every import and use" if replacement else None
    if decl.kind in _CALLED:
        if (
            replacement is None
            or getattr(decl.forward, "__phaseout_reshaped__", False)
            or getattr(decl.forward, "__phaseout_args_extra__", None)
        ):
            return None
        return "every use"
    if decl.kind in ("method", "property", "class attribute"):
        owner = decl.symbol.rpartition(".")[0]
        if replacement is None or replacement.rpartition(".")[0] != owner:
            return None
        return f"every use {_INSTANCE}"
    return None

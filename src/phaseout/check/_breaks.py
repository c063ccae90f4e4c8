"""griffe's breakages as plain records: a kind in words, the paths a declaration may name,
the parameter, and the old and new objects for the fixes. The only module that knows
griffe's breakage classes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import griffe

__all__ = ["KIND_WORDS", "Break", "find_breaks", "lookup", "public_objects"]

#: griffe's breakage kinds (by name) in the words of reports and `allow` entries.
KIND_WORDS: Final = {
    "OBJECT_REMOVED": "object removed",
    "OBJECT_CHANGED_KIND": "kind changed",
    "PARAMETER_REMOVED": "parameter removed",
    "PARAMETER_ADDED_REQUIRED": "required parameter added",
    "PARAMETER_MOVED": "parameter moved",
    "PARAMETER_CHANGED_KIND": "parameter kind changed",
    "PARAMETER_CHANGED_REQUIRED": "parameter made required",
    "PARAMETER_CHANGED_DEFAULT": "default changed",
    "CLASS_REMOVED_BASE": "base class removed",
    "RETURN_CHANGED_TYPE": "return type changed",
    "ATTRIBUTE_CHANGED_TYPE": "attribute type changed",
    "ATTRIBUTE_CHANGED_VALUE": "attribute value changed",
}


@dataclass(frozen=True, slots=True)
class Break:
    """One breakage griffe found between the two snapshots."""

    kind: str  # in words: "parameter removed"
    path: str  # the public path: a re-export's (mylib.f) rather than its home's (mylib._impl.f)
    targets: tuple[str, ...]  # every dotted path a declaration of it may name
    parameter: str | None
    detail: str  # "1 -> 2", "positional or keyword -> keyword-only", ...
    old: Any  # the old object (the function, for parameters); griffe's Object or Alias
    new: Any  # the new object, or None when removed
    old_parameter: Any  # griffe.Parameter or None
    new_parameter: Any


def find_breaks(old_api: griffe.Module, new_api: griffe.Module) -> Iterator[Break]:
    """Every breakage griffe knows between *old_api* and *new_api*, in griffe's order."""
    import griffe

    exported = {**_reexports(old_api), **_reexports(new_api)}
    for breakage in griffe.find_breaking_changes(old_api, new_api):
        kind = KIND_WORDS.get(breakage.kind.name, breakage.kind.value.lower())
        obj = breakage.obj
        parameter_kind = isinstance(breakage.old_value, griffe.Parameter) or isinstance(
            breakage.new_value, griffe.Parameter
        )
        if kind == "object removed":
            old, new = obj, None
        elif parameter_kind or kind in ("return type changed", "base class removed"):
            new = obj
            old = lookup(old_api, obj.path) or lookup(old_api, _canonical(obj))
        else:
            new = obj
            old = lookup(old_api, obj.path)
        old_parameter = (
            breakage.old_value if isinstance(breakage.old_value, griffe.Parameter) else None
        )
        new_parameter = (
            breakage.new_value if isinstance(breakage.new_value, griffe.Parameter) else None
        )
        either = old_parameter or new_parameter
        parameter = either.name if either is not None else None
        yield Break(
            kind=kind,
            path=exported.get(obj.path, obj.path),
            targets=_targets(obj, old),
            parameter=parameter,
            detail=_detail(kind, breakage, old_parameter, new_parameter),
            old=old,
            new=new,
            old_parameter=old_parameter,
            new_parameter=new_parameter,
        )


def _canonical(obj: Any) -> str:
    try:
        return str(obj.canonical_path)
    except Exception:  # an alias whose target is outside the snapshot
        return str(obj.path)


def _targets(*objects: Any) -> tuple[str, ...]:
    found: list[str] = []
    for obj in objects:
        if obj is None:
            continue
        paths = [obj.path]
        if obj.is_alias:
            paths.append(obj.target_path)
        paths.append(_canonical(obj))
        found.extend(p for p in paths if p not in found)
    return tuple(found)


def _detail(kind: str, breakage: Any, old: Any, new: Any) -> str:
    if kind == "parameter moved":
        return str(breakage.details or "")
    if kind == "parameter kind changed":
        return f"{old.kind.value} -> {new.kind.value}"
    if kind == "default changed":
        return f"{old.default} -> {new.default}"
    if kind == "parameter made required":
        return f"default {old.default} removed"
    if kind == "kind changed":
        return f"{breakage.old_value.value} -> {breakage.new_value.value}"
    if kind == "base class removed":
        olds = ", ".join(str(b) for b in breakage.old_value)
        news = ", ".join(str(b) for b in breakage.new_value)
        return f"[{olds}] -> [{news}]"
    if kind in ("return type changed", "attribute type changed", "attribute value changed"):
        return f"{breakage.old_value} -> {breakage.new_value}"
    return ""


def _reexports(root: Any) -> dict[str, str]:
    """Where each object re-exported by a public module is defined -> its public path."""
    found: dict[str, str] = {}
    stack = [root]
    while stack:
        module = stack.pop()
        for member in module.members.values():
            if member.is_alias:
                if member.is_public:
                    found.setdefault(member.target_path, member.path)
            elif member.is_module and member.is_public:
                stack.append(member)
    return found


def lookup(root: Any, path: str) -> Any:
    """The object at dotted *path* under *root* (a loaded package), or None."""
    prefix = f"{root.path}."
    if path == root.path:
        return root
    if not path.startswith(prefix):
        return None
    with contextlib.suppress(Exception):  # KeyError, or an alias that does not resolve
        return root[path.removeprefix(prefix)]
    return None


def public_objects(root: Any) -> Iterator[Any]:
    """Every public object defined (not re-exported) in *root*'s modules and classes."""
    stack = [root]
    while stack:
        owner = stack.pop()
        for member in owner.members.values():
            if member.is_alias or not member.is_public:
                continue
            yield member
            if member.is_module or member.is_class:
                stack.append(member)

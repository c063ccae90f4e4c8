"""The fix for a break: the declaration (or shim) that turns it into a phased deprecation,
as code ready to paste with the versions filled in, and where it goes in the new code."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NamedTuple

from ._breaks import Break, lookup, public_objects

__all__ = ["Fix", "FixContext", "fix_for", "restore_above", "restore_append"]

_IMPORTS_PHASEOUT: Final = re.compile(r"^import phaseout\b", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Fix:
    """Code that makes a break a phased deprecation, and where it goes.

    ``placement``: ``"above"`` (decorators above the ``def`` at ``line``, whose signature
    becomes ``signature`` when one is given), ``"append"`` (at the end of ``file``),
    ``"class"`` (at the end of the class body ending at ``line``) or ``"manual"`` (advice
    for a person: no declaration can keep the old API working).
    """

    placement: str
    code: str
    file: str | None = None  # relative to the new snapshot's package folder
    line: int = 0
    signature: str | None = None
    def_line: int = 0  # the def's own line, for "above" (decorators come before it)
    current: str | None = None  # the def as it is, on one line (what "above" refers to)
    needs_import: bool = False  # the file has no `import phaseout` yet

    def describe(self, shown_file: str | None) -> str:
        """Where the code goes, in words."""
        if self.placement == "manual":
            return "by hand"
        where = shown_file or self.file or "?"
        add = ", and `import phaseout` at the top" if self.needs_import else ""
        if self.placement == "above":
            sig = "; write the def as below" if self.signature else ""
            return f"{where}:{self.line}, above the def{sig}{add}"
        if self.placement == "class":
            return f"{where}:{self.line}, at the end of the class body{add}"
        return f"the end of {where}{add}"


class FixContext:
    """What every fix of one check shares: the new API, its folder, the files read once,
    and its public objects by name (built on first use: finding where a removed object went
    must not walk the API once per removal)."""

    def __init__(self, new_api: Any, folder: Path, texts: Mapping[Path, str]) -> None:
        self.new_api = new_api
        self.folder = folder
        self._texts = texts  # what griffe read: no file is read twice
        self._files: dict[Path, _File] = {}
        self._by_name: dict[tuple[str, str], list[str]] | None = None

    def named(self, name: str, kind: str) -> list[str]:
        """Paths of the new API's public objects called *name*, of *kind*."""
        if self._by_name is None:
            self._by_name = {}
            for obj in public_objects(self.new_api):
                self._by_name.setdefault((obj.name, obj.kind.value), []).append(obj.path)
        return self._by_name.get((name, kind), [])

    def file_of(self, obj: Any) -> _File:
        """The file *obj* is defined in, as griffe read it."""
        path = obj.filepath if not isinstance(obj.filepath, list) else obj.filepath[0]
        found = self._files.get(path)
        if found is None:
            path = Path(path)
            text = self._texts.get(path, "")
            try:
                relative: str | None = path.relative_to(self.folder).as_posix()
            except ValueError:
                relative = None
            found = _File(relative, text.splitlines(), not _IMPORTS_PHASEOUT.search(text))
            self._files[path] = found
        return found


class _File(NamedTuple):
    relative: str | None  # to the package folder
    lines: list[str]
    needs_import: bool  # no `import phaseout` yet

    def indent(self, line: int) -> str:
        """The indentation of *line* (1-based)."""
        if 0 < line <= len(self.lines):
            source = self.lines[line - 1]
            return source[: len(source) - len(source.lstrip())]
        return ""


def fix_for(
    brk: Break,
    *,
    since: str,
    removed_in: str,
    context: FixContext,
    others: frozenset[str] = frozenset(),
) -> Fix:
    """The fix for *brk*; *others* are the kinds of the other breaks of the same object
    (a parameter moved because another was removed needs no fix of its own)."""
    timeline = f'since="{since}", removed_in="{removed_in}"'
    if brk.kind == "object removed":
        return _removed_object(brk, context, timeline)
    function = brk.new
    if brk.kind == "parameter removed":
        return _removed_parameter(brk, context, timeline)
    if brk.kind == "parameter kind changed" and brk.new_parameter.kind.value == "keyword-only":
        moved = [
            p.name
            for p in brk.old.parameters
            if p.kind.value in ("positional or keyword", "positional-only")
            and p.name in function.parameters
            and function.parameters[p.name].kind.value == "keyword-only"
        ]
        names = ", ".join(f'"{n}"' for n in moved)
        return _above(
            context,
            function,
            f"@phaseout.keyword_only({names}, {timeline})",
            _signature(function, restore={n: brk.old.parameters[n] for n in moved}),
        )
    if brk.kind == "default changed":
        new = brk.new_parameter.default
        return _above(
            context,
            function,
            f'@phaseout.changed_default("{brk.parameter}", {new}, changes_in="{removed_in}", '
            f'since="{since}")',
            _signature(function, restore={str(brk.parameter): brk.old_parameter}),
        )
    if brk.kind == "parameter moved" and others & {"parameter removed", "required parameter added"}:
        return Fix("manual", "Follows from the parameter removed or added: fixing that fixes this.")
    return Fix("manual", _ADVICE.get(brk.kind, "Restore the old form.").format(b=brk))


_ADVICE: Final = {
    "parameter kind changed": (
        "Restore {b.parameter}'s old kind ({b.detail}); phaseout.keyword_only phases a move "
        "to keyword-only, other kind changes cannot be phased."
    ),
    "parameter made required": (
        "Restore the default of {b.parameter} ({b.detail}): calls that leave it out break."
    ),
    "required parameter added": (
        "Give {b.parameter} a default (e.g. {b.parameter}=None) so calls written for the old "
        "release keep working, and document it with @phaseout.changed(...)."
    ),
    "parameter moved": (
        "Restore the old order ({b.detail}); to reorder, first make the parameters "
        "keyword-only with @phaseout.keyword_only(...) for a release."
    ),
    "kind changed": (
        "{b.path} changed kind ({b.detail}): keep the old object under its name with "
        "@phaseout.deprecated(...) and give the new one a new name."
    ),
    "base class removed": (
        "Keep the old base ({b.detail}), or keep the old class as a LegacyAdapter over the new."
    ),
    "return type changed": (
        "Restore the return annotation ({b.detail}), or document the change with "
        "@phaseout.changed(...)."
    ),
}


def _removed_object(brk: Break, context: FixContext, timeline: str) -> Fix:
    parent_path, _, name = brk.path.rpartition(".")
    parent = lookup(context.new_api, parent_path)
    old = brk.old
    try:
        kind = old.kind.value
    except Exception:  # an alias whose target is gone from the snapshot
        kind = "attribute"
    if parent is None:
        return Fix(
            "manual", f"{parent_path} itself is gone: restore it, or phaseout.moved_module(...)."
        )
    if parent.is_class:
        file = context.file_of(parent)
        if kind == "attribute":
            value = _value(old)
            code = f"{name} = phaseout.deprecated_class_attribute({value}, {timeline})"
        else:
            code = _resurrected(old, timeline)
        code = textwrap.indent(code, file.indent(parent.lineno) + "    ")
        return Fix(
            "class", code, file.relative, parent.endlineno or parent.lineno,
            needs_import=file.needs_import,
        )  # fmt: skip
    file = context.file_of(parent)
    header = "import phaseout\n\n" if file.needs_import else ""
    target = _moved_to(brk, context, kind, name)
    if target is not None:
        code = f'phaseout.moved(__name__, "{name}", "{target}", {timeline})'
    elif kind in ("function", "class"):
        code = _resurrected(old, timeline)
    elif kind == "attribute":
        declared = f'phaseout.deprecated_module_attribute(__name__, "{name}", {timeline})'
        code = f"{name} = {_value(old)}\n{declared}"
    else:
        return Fix(
            "manual",
            f'Module {brk.path} is gone: keep it importable with phaseout.moved_module("'
            f'{brk.path}", "<new module>", {timeline}).',
        )
    return Fix("append", header + code, file.relative)


def restore_above(function: Any, code: str, context: FixContext) -> Fix:
    """*code* (a decorator) above *function*'s def in the new code."""
    return _above(context, function, code)


def restore_append(module: Any, code: str, context: FixContext) -> Fix:
    """*code* (a statement) at the end of *module*'s file in the new code."""
    file = context.file_of(module)
    return Fix("append", ("import phaseout\n\n" if file.needs_import else "") + code, file.relative)


def _moved_to(brk: Break, context: FixContext, kind: str, name: str) -> str | None:
    """Where the removed object went: the same name elsewhere, or in its own module an
    object of the same kind and signature that the old release did not have."""
    old = brk.old
    elsewhere = [path for path in context.named(name, kind) if path != brk.path]
    if len(elsewhere) == 1:
        return str(elsewhere[0])
    parent = lookup(context.new_api, brk.path.rpartition(".")[0])
    old_parent = old.parent
    if parent is None or kind not in ("function", "class"):
        return None
    shape = _shape(old)
    renamed = [
        member.path
        for member_name, member in parent.members.items()
        if not member.is_alias
        and member_name not in old_parent.members
        and member.kind.value == kind
        and _shape(member) == shape
    ]
    return str(renamed[0]) if len(renamed) == 1 else None


def _shape(obj: Any) -> tuple[str, ...]:
    """What a renamed object keeps: its parameters (and, with none, its body: any two
    functions of no arguments would match), or its public members."""
    try:
        if obj.kind.value == "function":
            names = tuple(p.name for p in obj.parameters)
            return names or tuple(line.strip() for line in obj.source.splitlines()[1:])
        return tuple(sorted(name for name in obj.members if not name.startswith("_")))
    except Exception:  # no source to read: never a match
        return (f"?{id(obj)}",)


def _removed_parameter(brk: Break, context: FixContext, timeline: str) -> Fix:
    function, old_function = brk.new, brk.old
    old_names = [p.name for p in old_function.parameters]
    index = old_names.index(brk.parameter)
    added = [(i, p) for i, p in enumerate(function.parameters) if p.name not in old_names]
    same_place = [p.name for i, p in added if i == index]
    if len(added) == 1 or same_place:
        new = same_place[0] if same_place else added[0][1].name
        return _above(
            context,
            function,
            f'@phaseout.renamed_parameter("{brk.parameter}", "{new}", {timeline})',
        )
    return _above(
        context,
        function,
        f'@phaseout.removed_parameter("{brk.parameter}", drop=True, {timeline})',
        _signature(function, restore={str(brk.parameter): brk.old_parameter}, at=index),
    )


def _above(context: FixContext, function: Any, code: str, signature: str | None = None) -> Fix:
    file = context.file_of(function)
    first = min([function.lineno, *(d.lineno for d in function.decorators)])
    indent = file.indent(function.lineno)
    return Fix(
        "above",
        textwrap.indent(code, indent),
        file.relative,
        first,
        None if signature is None else indent + signature,
        function.lineno,
        indent + _signature(function, restore={}),
        needs_import=file.needs_import,
    )


def _value(obj: Any) -> str:
    try:
        value = obj.value
    except Exception:
        value = None
    return "None" if value is None else str(value)


def _resurrected(old: Any, timeline: str) -> str:
    """The old object's source, decorated: it comes back as a phased deprecation."""
    try:
        source = textwrap.dedent(old.source)
    except Exception:
        source = ""
    if not source.strip():
        return f"# the source of {old.path} could not be read from the old release"
    if any("deprecated(" in str(d.value) for d in getattr(old, "decorators", ())):
        return source.rstrip()  # declared in the old release: it comes back as it was
    return f"@phaseout.deprecated({timeline})\n{source.rstrip()}"


_ORDER: Final = {
    "positional-only": 0,
    "positional or keyword": 1,
    "variadic positional": 2,
    "keyword-only": 3,
    "variadic keyword": 4,
}


def _signature(function: Any, *, restore: dict[str, Any], at: int | None = None) -> str:
    """*function*'s def line with the *restore* parameters as they were (inserted at *at*
    when the new signature no longer has them)."""
    params = [restore.get(p.name, p) for p in function.parameters]
    for name, param in restore.items():
        if name not in [p.name for p in params]:
            params.insert(len(params) if at is None else min(at, len(params)), param)
    params.sort(key=lambda p: _ORDER.get(p.kind.value, 1))
    parts: list[str] = []
    kinds = [p.kind.value for p in params]
    for i, param in enumerate(params):
        kind = param.kind.value
        if kind == "keyword-only" and "variadic positional" not in kinds and "*" not in parts:
            parts.append("*")
        prefix = {"variadic positional": "*", "variadic keyword": "**"}.get(kind, "")
        text = prefix + param.name
        if param.annotation is not None:
            text += f": {param.annotation}"
        if param.default is not None and not prefix:  # griffe gives *args "()", **kw "{}"
            text += f" = {param.default}" if param.annotation is not None else f"={param.default}"
        parts.append(text)
        following = kinds[i + 1] if i + 1 < len(kinds) else None
        if kind == "positional-only" and following != "positional-only":
            parts.append("/")
    returns = f" -> {function.returns}" if function.returns is not None else ""
    asynchronous = "async " if "async" in function.labels else ""
    return f"{asynchronous}def {function.name}({', '.join(parts)}){returns}:"

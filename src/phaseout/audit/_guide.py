"""``phaseout guide``: a Markdown migration guide for users upgrading a package to a version.

For every API the version removes (or whose default it changes): the old and the new spelling
as code, made from the declaration itself (its replacement, its argument map, its parameter or
name declaration), the version it was deprecated in, the reason and the guide link; grouped by
module, after a short announcement. With usage logs, only what an application calls.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from packaging.version import Version

from .._hotpath import Declaration
from .._packages import Moment, parse_moment
from .._registry import declarations, version_notes
from .._rewritable import automatic
from ..phases import Phase
from ..policies import release_calendar
from ..settings import (
    KIND_DEFAULT,
    KIND_REMOVED_VARIABLE,
    KIND_RENAMED_VARIABLE,
    SettingChange,
    change_of,
)
from ._packages import MISSING, import_all, resolve, usage_by_symbol

__all__ = ["guide"]


def _object(symbol: str) -> Any:
    """The object a symbol names (``mylib.mod.Class.method``), or None."""
    obj = resolve(symbol)
    return None if obj is MISSING else getattr(obj, "__func__", obj)


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


def _instance(class_name: str) -> str:
    """How code names an instance of a class: ``StoreV1`` -> ``store_v1``."""
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", class_name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", words).lower()


def _public(dotted: str) -> str:
    """*dotted* as callers import it: ``mylib.Store.write`` when the top-level package
    exports ``Store`` itself, else as defined (``mylib.core.Store.write``)."""
    parts = dotted.split(".")
    top = sys.modules.get(parts[0])
    for index in range(1, len(parts)):
        obj = resolve(".".join(parts[: index + 1]))
        if obj is MISSING:
            break
        if not isinstance(obj, ModuleType):  # the first part that is not a module
            if index > 1 and getattr(top, parts[index], None) is obj:
                return ".".join([parts[0], *parts[index:]])
            break
    return dotted


def _call_by_name(legacy: Any, new: Any, *, skip_first: bool) -> str | None:
    """The arguments of a call of *new* that passes each argument of a *legacy* call under
    its own name (renamed by an adapter's ``maps(args=...)``, injected values written out),
    or None when that call would not bind: then the spelling is unknown, and the guide shows
    no code rather than code that fails."""
    if legacy is None or new is None:
        return None
    try:
        old_parameters = list(inspect.signature(legacy).parameters.values())
        new_signature = inspect.signature(new)
    except (TypeError, ValueError):
        return None
    spec = getattr(legacy, "__phaseout_maps__", None)
    renamed: dict[str, str | None] = dict(spec.args) if spec is not None else {}
    pieces: list[tuple[str, str]] = []  # (the new parameter, what the caller passes)
    for parameter in old_parameters[1:] if skip_first else old_parameters:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            return None  # what they hold cannot be named
        name = renamed.get(parameter.name, parameter.name)
        if name is not None:
            pieces.append((name, parameter.name))
    for name, value in spec.inject.items() if spec is not None else ():
        text = repr(value)
        try:
            if ast.literal_eval(text) != value:  # written as a literal, or no code at all
                return None
        except Exception:
            return None
        pieces.append((name, text))
    try:
        new_signature.bind(*[None] * skip_first, **{name: None for name, _ in pieces})
    except TypeError:
        return None
    # `x` where the argument lines up with a parameter of its own name, `key=k` elsewhere.
    order = list(new_signature.parameters)[skip_first:]
    return ", ".join(
        passed if passed == name and order[index : index + 1] == [name] else f"{name}={passed}"
        for index, (name, passed) in enumerate(pieces)
    )


def _unknown_call(replacement: str) -> str:
    return f"# call {_public(replacement)}: its arguments are not the old ones (see its docs)"


def _method_spelling(decl: Declaration) -> tuple[str, str]:
    """An instance method, called on an instance (``store_v1.get(key)``), and what to call
    instead: a method of the new class on an instance of it (``store.read(key=key)``)."""
    symbol, replacement = decl.symbol, decl.replacement
    owner, _, name = symbol.rpartition(".")
    legacy = _object(symbol)
    arguments = "..." if legacy is None else _arguments(legacy)
    old = f"{_instance(owner.rpartition('.')[2])}.{name}({arguments})"
    if replacement is None:
        return old, _GONE
    target = resolve(replacement.removesuffix("()"))
    if isinstance(target, type):  # a class, no method of it: nothing one-to-one to show
        return old, (
            f"# call the methods of a {_public(replacement)} instead (an adapter's .target is one)"
        )
    new_owner, _, new_name = replacement.removesuffix("()").rpartition(".")
    if not isinstance(resolve(new_owner), type):  # a plain function
        call = _call_by_name(legacy, _object(replacement), skip_first=True)
        if call is None:
            return old, _unknown_call(replacement)
        return old, f"{_public(replacement)}({call})"
    call = _call_by_name(legacy, target, skip_first=True)
    if call is None:
        return old, _unknown_call(replacement)
    return old, f"{_instance(new_owner.rpartition('.')[2])}.{new_name}({call})"


def _spelling(decl: Declaration) -> tuple[str, str]:
    """The old and the new spelling of *decl*'s API, as code."""
    symbol, replacement, kind = decl.symbol, decl.replacement, decl.kind
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
    if kind == "method":
        return _method_spelling(decl)
    if kind in ("function", "classmethod", "staticmethod", "class"):
        obj = _object(symbol)
        arguments = "..." if obj is None else _arguments(obj)
        old = f"{symbol}({arguments})"
        if replacement is None:
            return old, _GONE
        call = getattr(decl.forward, "__phaseout_call__", None)
        if call is None:
            call = _call_by_name(obj, _object(replacement.removesuffix("()")), skip_first=False)
        if call is None:
            return old, _unknown_call(replacement.removesuffix("()"))
        return old, f"{_public(replacement.removesuffix('()'))}({call})"
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
            f"{function}(...)  # relies on the default {name}={wording.old}",
            f"{function}(..., {name}={wording.old})  # to keep it; the new default is "
            f"{wording.new}",
        )
    return symbol, replacement or _GONE


def _removed_by(decl: Declaration, moment: Moment) -> bool:
    return moment.phase_of(decl.timeline) is Phase.REMOVED


def guide(package: str, to: str, *, usage: Sequence[str] = ()) -> str:
    """The migration guide for users of *package* upgrading to version *to* (or, for
    timelines declared by date, moving to the date *to*; the release calendar dates a
    version, so both kinds of timeline are read)."""
    moment = parse_moment("--to", to, release_calendar(package))
    problems = import_all(package)
    target = to
    changed = sorted(
        (decl for decl in declarations(package) if _removed_by(decl, moment)),
        key=lambda decl: decl.symbol,
    )
    total = len(changed)
    called = None
    if usage:
        uses = usage_by_symbol(usage)
        changed = [decl for decl in changed if uses.get(decl.symbol, (0, 0, None))[0]]
        called = len(changed)
    display = changed[0].package if changed else package
    if moment.version is None:  # a date: the timelines declared by date
        return _dated_guide(display, target, changed, problems, called, total)
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
    return _by_module(lines, changed, problems) + _noted(package, moment.version)


def _noted(package: str, version: Version) -> str:
    """The API changes and additions noted up to the version (``phaseout.changed`` and
    ``phaseout.added``): what behaves differently without being removed, and what is new."""
    notes = sorted(
        (n for n in version_notes(package) if Version(n.version) <= version),
        key=lambda n: (Version(n.version), n.symbol),
    )
    lines: list[str] = []
    for kind, title in (("changed", "Other changes"), ("added", "New APIs")):
        chosen = [note for note in notes if note.kind == kind]
        if not chosen:
            continue
        lines += ["", f"## {title}", ""]
        for note in chosen:
            text = " ".join((note.text or "").split())
            lines.append(
                f"- `{note.symbol}` ({kind} in {note.version}){f': {text}' if text else ''}"
            )
    return "\n".join(lines) + "\n" if lines else ""


def _dated_guide(
    display: str,
    day: str,
    changed: list[Declaration],
    problems: list[tuple[str, str]],
    called: int | None,
    total: int,
) -> str:
    """The guide to the APIs of *display* removed by the date *day*."""
    lines = [f"# {display}: what is removed by {day}", ""]
    if called is not None:
        lines += [
            f"Your code calls {called} of the {total} APIs that {display} removes or changes "
            f"by {day}; here is what to change.",
            "",
        ]
    lines += [
        "## Announcement",
        "",
        f"By {day}, {display} removes or changes {total} API{'s' if total != 1 else ''} "
        f"deprecated earlier. Each was announced with a warning naming its replacement; run "
        f'your tests inside `phaseout.pretend(today="{day}")` to see what breaks before then.',
        "",
    ]
    return _by_module(lines, changed, problems)


def _by_module(
    lines: list[str], changed: list[Declaration], problems: list[tuple[str, str]]
) -> str:
    """*lines* (the head), the modules that failed to import, then each module's entries."""
    if problems:
        lines += [
            f"(Modules that could not be imported: {', '.join(module for module, _ in problems)}.)",
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


def _notes(decl: Declaration) -> list[str]:
    """Why the declaration was made, and where to read more, when it says."""
    lines = []
    if decl.reason:
        lines += [f"Why: {decl.reason.strip().rstrip('.')}.", ""]
    if decl.guide:
        lines += [f"More: {decl.guide}", ""]
    return lines


def _on(decl: Declaration) -> str:
    return "on" if decl.timeline.dated else "in"


def _record_entry(decl: Declaration) -> list[str]:
    """A stored-record version: no code to change, data to migrate."""
    wording = decl.wording
    texts = decl.timeline.texts
    lines = [
        f"### `{decl.symbol}`",
        "",
        f"Deprecated {_on(decl)} {texts['since']}; stops loading {_on(decl)} "
        f"{texts['removed_in']}.",
        "",
        f"{wording.subject} no longer loads {_on(decl)} {texts['removed_in']} "
        "(`RemovedRecordError`): "
        "upgrade the stored records before upgrading the package.",
        "",
        f"Automatic: {wording.advice.rstrip('.')} (a dry run; `--apply` writes, in batches "
        "that resume after a crash and roll back exactly).",
        "",
    ]
    return lines + _notes(decl)


def _settings_entry(decl: Declaration, change: SettingChange) -> list[str]:
    """A settings key or environment variable: the old and the new line of a settings file
    (TOML's dotted keys) or of the environment."""
    variable = change.kind in (KIND_RENAMED_VARIABLE, KIND_REMOVED_VARIABLE)
    language, equals = ("sh", "=") if variable else ("toml", " = ")
    if change.kind == KIND_DEFAULT:
        old = f"# {change.old} not set: the default is {change.old_default!r}"
        new = (
            f"{change.old}{equals}{change.old_default!r}  # to keep it; the new default is "
            f"{change.new_default!r}"
        )
        what = "default changed"
    else:
        old = f"{change.old}{equals}..."
        new = f"{change.new}{equals}..." if change.new else f"# removed: {decl.wording.advice}"
        what = "removed"
    return _code_entry(decl, what, language, old, new, "the application's settings must change")


def _entry(decl: Declaration) -> list[str]:
    if decl.kind == "record version":
        return _record_entry(decl)
    change = change_of(decl)
    if change is not None:
        return _settings_entry(decl, change)
    old, new = _spelling(decl)
    what = "default changed" if decl.kind == "default change" else "removed"
    return _code_entry(decl, what, "python", old, new, "`phaseout fix` lists each use for a person")


def _code_entry(
    decl: Declaration, what: str, language: str, old: str, new: str, by_hand: str
) -> list[str]:
    """An entry: its timeline, the old and the new spelling in a *language* block, and
    whether ``phaseout fix`` does it."""
    texts = decl.timeline.texts
    word = "on" if decl.timeline.dated else "in"
    lines = [
        f"### `{decl.symbol}`",
        "",
        f"Deprecated {word} {texts['since']}; {what} {word} {texts['removed_in']}.",
        "",
        f"```{language}",
        f"# before\n{old}",
        f"# after\n{new}",
        "```",
        "",
    ]
    where = automatic(decl)
    if where is not None:
        lines += [f"Automatic: `phaseout fix` rewrites {where}.", ""]
    else:
        lines += [f"By hand: {by_hand}.", ""]
    return lines + _notes(decl)

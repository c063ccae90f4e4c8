"""What the declarations ask of callers' code, as plain data.

Made once, in the process that imported the package: each declaration in force becomes a
rule about a *spelling* callers write (``mylib.old``, ``mylib.Store``, a keyword of
``mylib.paint``), with the signatures Python would bind the call with. Workers receive the
rules, never the package: they need no import of it, and a rule says all a rewrite needs.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import sys
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

from packaging.version import Version

from .._hotpath import Declaration
from .._packages import MISSING, import_all, parse_version, resolve
from .._registry import declarations
from .._rewritable import literal, replacement_path
from ..phases import Phase

__all__ = [
    "CallMap",
    "ParameterRule",
    "Rename",
    "Rules",
    "Signature",
    "build_rules",
    "in_force",
    "rules_for",
]


@dataclasses.dataclass(frozen=True)
class Signature:
    """The parameters of a callable as its callers pass them (``self`` or ``cls`` dropped
    where the call binds it)."""

    positional: tuple[str, ...]  # in order, positional-only ones first
    positional_only: int
    keywords: frozenset[str]  # every name accepted by keyword
    var_positional: bool
    var_keyword: bool

    @classmethod
    def of(cls, obj: Any, *, bound: bool) -> Signature | None:
        try:
            parameters = list(inspect.signature(obj).parameters.values())
        except (TypeError, ValueError):
            return None
        if bound and parameters and parameters[0].kind <= parameters[0].POSITIONAL_OR_KEYWORD:
            parameters = parameters[1:]
        positional = [p for p in parameters if p.kind <= p.POSITIONAL_OR_KEYWORD]
        return cls(
            tuple(p.name for p in positional),
            sum(p.kind is p.POSITIONAL_ONLY for p in positional),
            frozenset(
                p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            ),
            any(p.kind is p.VAR_POSITIONAL for p in parameters),
            any(p.kind is p.VAR_KEYWORD for p in parameters),
        )


@dataclasses.dataclass(frozen=True)
class CallMap:
    """How a call of the old callable becomes a call of the new one: each argument bound
    to the old parameters, renamed by ``args_map`` (None: dropped), passed to the new."""

    old: Signature
    new: Signature
    args_map: tuple[tuple[str, str | None], ...] = ()


@dataclasses.dataclass(frozen=True)
class Rename:
    """A name callers write that is now spelt *new*: a function, class, moved name or
    moved module (*old* and *new* are dotted paths), or an attribute of a class (*old* and
    *new* are its names, *new_module* empty)."""

    declaration: str
    old: str
    new: str
    new_module: str  # the module to import for *new* (*new* itself for a moved module)
    module: bool = False  # a moved module: import statements are rewritten by prefix
    call: CallMap | None = None  # calls' arguments change too
    manual: str | None = None  # why no use can be rewritten, for a person to do


@dataclasses.dataclass(frozen=True)
class ParameterRule:
    """A declaration about the parameters of the callable callers spell *callee*."""

    declaration: str
    callee: str
    action: str  # see phaseout.typing.ParameterChange
    names: tuple[str, ...]
    signature: Signature
    new: str | None = None  # the new name, or the new value's source
    value: str | None = None  # the old value's source (a deprecated value, an old default)
    reason: str | None = None
    method: bool = False  # an instance method: its receivers' class is not known


@dataclasses.dataclass(frozen=True)
class Rules:
    renames: Mapping[str, Rename]  # by every dotted path callers may write
    parameters: Mapping[str, tuple[ParameterRule, ...]]  # by callee path
    attributes: Mapping[str, tuple[Rename | ParameterRule, ...]]  # instance attributes by name
    roots: frozenset[str]  # top-level modules of every old spelling (the text pre-filter)
    accept_new_defaults: bool = False

    @functools.cached_property
    def words(self) -> re.Pattern[bytes]:
        """The last name of every old spelling: a use of one spells it (``paint(``,
        ``.get(``, ``import oldparsing``), so a file without any has nothing to rewrite."""
        words = {key.rpartition(".")[2] for key in [*self.renames, *self.parameters]}
        words |= set(self.attributes)
        if not words:
            return re.compile(b"(?!)")  # matches nothing
        return re.compile(b"|".join(re.escape(word.encode()) for word in sorted(words)))

    def candidate(self, data: bytes) -> bool:
        """*data* (a file's bytes) names a root module and one of the words."""
        return any(root.encode() in data for root in self.roots) and (
            self.words.search(data) is not None
        )


def in_force(decl: Declaration, to: Version | None) -> bool:
    """*decl* is deprecated now (*to* None) or at version *to*: SOFT or later."""
    # A timeline declared by date has no phase at a version: today's counts.
    phase = decl.phase if to is None else (decl.timeline.phase_when(to, None) or decl.phase)
    return phase is not Phase.PENDING


def rules_for(
    package: str, to: str | None = None, *, accept_new_defaults: bool = False
) -> tuple[Rules, list[tuple[str, str]]]:
    """The rules of *package*'s declarations in force now, or at version *to* (``--to``),
    and the modules of it that could not be imported. Imports *package* and its modules."""
    version = parse_version("--to", to) if to is not None else None
    problems = import_all(package)
    chosen = [decl for decl in declarations(package) if in_force(decl, version)]
    return build_rules(chosen, accept_new_defaults=accept_new_defaults), problems


def build_rules(declarations: Iterable[Declaration], *, accept_new_defaults: bool = False) -> Rules:
    """The rules of *declarations* (already chosen by phase), with every public path each
    old spelling is imported by (``mylib.Store`` for ``mylib.core.Store``)."""
    builder = _Builder()
    for decl in declarations:
        builder.add(decl)
    return Rules(
        builder.renames,
        {key: tuple(rules) for key, rules in builder.parameters.items()},
        {key: tuple(rules) for key, rules in builder.attributes.items()},
        frozenset(builder.roots),
        accept_new_defaults,
    )


_NAME_KINDS = frozenset({"function", "class", "classmethod", "staticmethod", "moved name"})


class _Builder:
    def __init__(self) -> None:
        self.renames: dict[str, Rename] = {}
        self.parameters: dict[str, list[ParameterRule]] = {}
        self.attributes: dict[str, list[Rename | ParameterRule]] = {}
        self.roots: set[str] = set()

    def add(self, decl: Declaration) -> None:
        change = getattr(decl, "change", None)
        if change is not None:
            self._parameter(decl, change)
        elif decl.kind == "moved module" and decl.replacement:
            new = decl.replacement
            self._rename(decl, [decl.symbol], Rename(decl.symbol, decl.symbol, new, new, True))
        elif decl.kind in _NAME_KINDS:
            self._callable(decl)
        elif decl.kind in ("method", "property", "class attribute"):
            self._attribute(decl)

    def _rename(self, decl: Declaration, paths: list[str], rule: Rename) -> None:
        for path in paths:
            self.renames[path] = rule
            self.roots.add(path.partition(".")[0])

    def _callable(self, decl: Declaration) -> None:
        symbol, replacement = decl.symbol, replacement_path(decl.replacement)
        old_obj = resolve(symbol)
        paths = public_paths(symbol)
        if replacement is None:
            why = (
                "removed, with no replacement"
                if decl.replacement is None
                else (f"its replacement {decl.replacement!r} is not an importable name")
            )
            self._rename(decl, paths, Rename(symbol, symbol, symbol, "", manual=why))
            return
        new_obj = resolve(replacement)
        if new_obj is MISSING:
            why = f"its replacement {replacement} cannot be imported"
            self._rename(decl, paths, Rename(symbol, symbol, replacement, "", manual=why))
            return
        new_path = preferred_path(replacement)
        module = module_of(new_path)
        forward = decl.forward
        manual = None
        if getattr(forward, "__phaseout_reshaped__", False):
            manual = "its calls' results are reshaped for the replacement (result=)"
        elif extras := getattr(forward, "__phaseout_args_extra__", None):
            extra = ", ".join(f"{k}={v!r}" for k, v in extras.items())
            manual = f"its forwarded calls add {extra} (args_extra=)"
        call = None
        if decl.kind != "moved name" and manual is None:
            bound = decl.kind == "classmethod"
            old_sig = Signature.of(_unwrapped(old_obj), bound=bound)
            new_sig = Signature.of(_unwrapped(new_obj), bound=bound)
            args_map = tuple(getattr(forward, "__phaseout_args_map__", {}).items())
            if old_sig is None or new_sig is None:
                manual = "the signatures cannot be read"
            elif old_sig != new_sig or any(old != new for old, new in args_map):
                call = CallMap(old_sig, new_sig, args_map)
        rule = Rename(symbol, symbol, new_path, module, call=call, manual=manual)
        self._rename(decl, paths, rule)

    def _attribute(self, decl: Declaration) -> None:
        symbol, replacement = decl.symbol, replacement_path(decl.replacement)
        owner, _, name = symbol.rpartition(".")
        manual = None
        new_name = name
        if replacement is None:
            manual = "removed, with no replacement"
        elif replacement.rpartition(".")[0] != owner:
            manual = f"its replacement {replacement} is not an attribute of the same class"
        else:
            new_name = replacement.rpartition(".")[2]
        rule = Rename(symbol, name, new_name, "", manual=manual)
        self.attributes.setdefault(name, []).append(rule)
        # Read on the class itself (`Store.OLD`, `Store.old_method`): a known receiver.
        for path in public_paths(owner):
            self.renames[f"{path}.{name}"] = rule
            self.roots.add(path.partition(".")[0])

    def _parameter(self, decl: Declaration, change: Any) -> None:
        function: str = change.function
        obj = resolve(function)
        callee, method, bound = function, False, False
        owner_path, _, name = function.rpartition(".")
        owner = resolve(owner_path) if owner_path else MISSING
        if isinstance(owner, type):
            if name == "__init__":
                callee, bound = owner_path, True
            elif isinstance(obj, classmethod):
                bound = True
            elif not isinstance(obj, staticmethod):
                method = bound = True
        signature = Signature.of(_unwrapped(obj), bound=bound)
        if signature is None:
            return
        new, value = None, None
        if change.action == "rename":
            new = change.new
        elif change.action == "value":
            value = literal(change.value)
            new = literal(change.new) if change.has_new else None
        elif change.action == "default":
            value = literal(change.value)
        rule = ParameterRule(
            decl.symbol,
            callee,
            change.action,
            tuple(change.names),
            signature,
            new,
            value,
            decl.reason,
            method,
        )
        if method:  # called on instances: by name, and on receivers of a known class
            self.attributes.setdefault(name, []).append(rule)
        for path in public_paths(callee):
            self.parameters.setdefault(path, []).append(rule)
            self.roots.add(path.partition(".")[0])


def _unwrapped(obj: Any) -> Any:
    if isinstance(obj, (classmethod, staticmethod)):
        return obj.__func__
    return obj


def module_of(path: str) -> str:
    """The longest prefix of *path* that is an imported module."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        if isinstance(sys.modules.get(".".join(parts[:end])), ModuleType):
            return ".".join(parts[:end])
    return parts[0]


def public_paths(path: str) -> list[str]:
    """*path*, and every path by which a module of the same top-level package exports the
    object at its first non-module part (``mylib.Store.write`` for ``mylib.core.Store.write``
    when ``mylib`` exports ``Store``)."""
    module = module_of(path)
    rest = path[len(module) + 1 :].split(".") if path != module else []
    if not rest:
        return [path]
    head = resolve(f"{module}.{rest[0]}")
    if head is MISSING:
        return [path]
    found = [path]
    root = module.partition(".")[0]
    for name, other in list(sys.modules.items()):
        if other is None or name == module or not (name == root or name.startswith(f"{root}.")):
            continue
        for attribute, value in list(vars(other).items()):
            if value is head:
                found.append(".".join([name, attribute, *rest[1:]]))
    return found


def preferred_path(path: str) -> str:
    """The path callers should write for *path*: its shortest public one."""
    return min(public_paths(path), key=lambda p: (p.count("."), p.count("._"), len(p)))

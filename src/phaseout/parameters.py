"""Deprecate parameters: renamed, removed, becoming keyword-only, default changes, values.

Each declaration is a :class:`~phaseout.registry.Declaration` of its own, with the timeline,
phases, warnings, strict mode, ``pretend()`` and usage accounting of ``@phaseout.deprecated``.
The declarations on one function share one *layer*: a function generated with the wrapped
function's own parameters (plus the old keywords it still accepts), so Python binds the
arguments and words its errors as it would for the function itself. A call that uses no
deprecated parameter costs a few identity checks and one call; a call that uses one goes
through the same per-call-site fast path as a deprecated function.

Only what must be known is made observable: a parameter whose *passing* matters (a renamed or
removed one, one whose default changes) gets a private "not passed" default in the layer, and
the function's own default is put back before the call, so the function sees exactly what it
would have seen.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from types import FunctionType
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

from . import _codegen, _messages, _wrapping
from ._declaration import AnyCallable
from ._declaring import (
    CHANGE_KEYS,
    ChangeOptions,
    TimelineOptions,
    Wording,
    declare,
    timeline_options,
)
from ._hotpath import Declaration
from ._layer import NOT_PASSED, Layer, Shape, Source, both_error, equal
from .exceptions import (
    DefaultChangeWarning,
    PendingWarning,
    PhaseoutWarning,
    RemovedValueError,
)
from .phases import Phase

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "changed_default",
    "deprecated_value",
    "keyword_only",
    "removed_parameter",
    "renamed_parameter",
]

_F = TypeVar("_F")

KIND_RENAMED: Final = "renamed parameter"
KIND_REMOVED: Final = "removed parameter"
KIND_KEYWORD_ONLY: Final = "keyword-only parameters"
KIND_DEFAULT: Final = "default change"
KIND_VALUE: Final = "deprecated value"


_CHANGE_CATEGORIES: Final[Mapping[Phase, type[PhaseoutWarning]]] = {
    Phase.PENDING: PendingWarning,
    Phase.SOFT: DefaultChangeWarning,
    Phase.COMPAT: DefaultChangeWarning,
    Phase.HARD: DefaultChangeWarning,
}


class _DefaultWording(Wording):
    """A default change: warned as a change, and once the version is reached, silently the
    new default (a ``Plan`` that is ``silent``)."""

    __slots__ = ("new", "old")

    def __init__(self, subject: str, advice: str, old: str, new: str) -> None:
        super().__init__(subject, advice, categories=_CHANGE_CATEGORIES)
        self.old = old
        self.new = new
        self.silent_when_removed = True
        self.change = True

    def warning_text(self, decl: Declaration, phase: Phase, package: str) -> str:
        return _messages.default_change_text(
            phase=phase, old=self.old, new=self.new, **self._facts(decl, package)
        )


# -- the rules ------------------------------------------------------------------------------


class _Rule:
    """One declaration about one function's parameters, before it is applied."""

    kind: str = ""
    decl: Declaration
    moved: tuple[str, ...] = ()  # parameters becoming keyword-only
    assigned: str | None = None  # a parameter this rule's checks may assign

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options

    def note_version(self) -> str:
        """The version the docstring's note is about."""
        return _since(self)

    def names(self) -> tuple[str, ...]:
        """The parameters this rule is about (no two rules of one function may share one)."""
        raise NotImplementedError

    def check(self, shape: Shape, label: str) -> None:
        """Refuse a declaration that cannot apply to the function, naming it and the fix."""

    def symbol(self, function: str) -> str:
        raise NotImplementedError

    def wording(self, function: str, shape: Shape) -> Wording:
        raise NotImplementedError

    def note(self) -> tuple[str, str]:
        """The docstring's directive (``deprecated``, ``versionchanged``) and its text."""
        raise NotImplementedError

    def own(self, shape: Shape) -> AnyCallable:
        """What a use returns (a value for the parameter, or None)."""
        return _nothing

    def forward(self, shape: Shape) -> AnyCallable | None:
        return None

    def emit(self, warn: str, index: int, shape: Shape, src: Source) -> None:
        """Add this rule's checks (*warn* is the call of its warner) to the layer's code."""

    def declare(self, func: Any, shape: Shape) -> None:
        module = getattr(func, "__module__", None) or "__main__"
        function = f"{module}.{func.__qualname__}"
        self.decl = declare(
            self.symbol(function),
            self.kind,
            module,
            self.options,
            self.wording(function, shape),
            self.replacement(function),
        )

    def replacement(self, function: str) -> str | None:
        return None


# What a marker returns, as C callables: a Python function here would be a third frame on
# every deprecated use.
_nothing: Final[Callable[[], None]] = type(None)


def _always(value: object) -> Callable[[], Any]:
    return itertools.repeat(value).__next__


def _since(rule: _Rule) -> str:
    return str(rule.decl.timeline.texts["since"])


def _removal(rule: _Rule, verb: str = "be removed") -> str:
    removal = rule.decl.timeline.texts["removed_in"]
    return f"; it will {verb} in {removal}" if removal is not None else ""


class _Renamed(_Rule):
    kind = KIND_RENAMED

    def __init__(self, old: str, new: str, options: dict[str, Any]) -> None:
        super().__init__(options)
        self.old, self.new = old, new
        self.assigned = new

    def names(self) -> tuple[str, ...]:
        return (self.old, self.new)

    def check(self, shape: Shape, label: str) -> None:
        if self.old == self.new:
            raise ValueError(f"{label}: cannot rename {self.old!r} to itself")
        if self.old in shape.all_names:
            raise TypeError(
                f"{label}: {self.old!r} is still a parameter of the function; rename it to "
                f"{self.new!r} in the def, and the declaration keeps {self.old!r} working"
            )
        if self.new in shape.positional_only:
            raise TypeError(
                f"{label}: {self.new!r} is positional-only, so it cannot be passed by the "
                f"keyword {self.old!r}; make it a regular parameter"
            )
        if self.new not in shape.named and shape.var_keyword is None:
            raise TypeError(
                f"{label}: cannot rename {self.old!r} to {self.new!r}: the function has no "
                f"parameter {self.new!r} (and takes no **kwargs)"
            )

    def symbol(self, function: str) -> str:
        return f"{function}({self.old}=)"

    def replacement(self, function: str) -> str:
        return f"{function}({self.new}=)"

    def wording(self, function: str, shape: Shape) -> Wording:
        return Wording(self.symbol(function), f"Use {function}({self.new}=) instead.")

    def note(self) -> tuple[str, str]:
        return "deprecated", (
            f"Parameter ``{self.old}`` is renamed ``{self.new}``{_removal(self)}."
        )

    def emit(self, warn: str, index: int, shape: Shape, src: Source) -> None:
        p = _codegen.PREFIX
        src.extra_keywords.append(self.old)
        src.consts[f"{p}both{index}"] = both_error(shape.qualname, self.old, self.new)
        if self.new in shape.named:
            src.watched.add(self.new)
            passed_new = f"{self.new} is not {p}M"
            assign = f"{self.new} = {self.old}"
        else:
            passed_new = f"{self.new!r} in {shape.var_keyword}"
            assign = f"{shape.var_keyword}[{self.new!r}] = {self.old}"
        src.body += [
            f"if {self.old} is not {p}M:",
            f"    if {passed_new}:",
            f"        raise {p}both{index}()",
            f"    {warn}",
            f"    {assign}",
        ]


class _Removed(_Rule):
    kind = KIND_REMOVED

    def __init__(self, name: str, drop: bool, options: dict[str, Any]) -> None:
        super().__init__(options)
        self.name, self.drop = name, drop

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def check(self, shape: Shape, label: str) -> None:
        name = self.name
        if name in (shape.var_positional, shape.var_keyword):
            raise TypeError(f"{label}: {name!r} collects arguments; it cannot be removed alone")
        if name not in shape.all_names and shape.var_keyword is None:
            raise TypeError(
                f"{label}: the function has no parameter {name!r} (and takes no **kwargs)"
            )
        if name in shape.positional_only:
            raise TypeError(f"{label}: positional-only parameters cannot be removed this way")
        if self.drop and name in shape.all_names and name not in shape.defaults:
            raise TypeError(
                f"{label}: with drop=True the function receives the default of {name!r} "
                f"instead of the value passed, so {name!r} needs a default"
            )

    def symbol(self, function: str) -> str:
        return f"{function}({self.name}=)"

    def wording(self, function: str, shape: Shape) -> Wording:
        ignored = " (its value is ignored)" if self.drop else ""
        return Wording(self.symbol(function), f"Stop passing {self.name}{ignored}.")

    def note(self) -> tuple[str, str]:
        ignored = "; its value is ignored" if self.drop else ""
        return "deprecated", f"Parameter ``{self.name}`` is deprecated{ignored}{_removal(self)}."

    def emit(self, warn: str, index: int, shape: Shape, src: Source) -> None:
        p, name = _codegen.PREFIX, self.name
        src.body += [f"if {name} is not {p}M:", f"    {warn}"]
        if name in shape.all_names:
            src.watched.add(name)
            if name in shape.defaults:
                # One check on the common path: the default is put back in the `else`.
                src.restored.add(name)
                if self.drop:
                    src.body += [f"    {name} = {p}r_{name}", "else:"]
                else:
                    src.body.append("else:")
                src.body.append(f"    {name} = {p}r_{name}")
        else:
            src.extra_keywords.append(name)
            if not self.drop:
                src.body.append(f"    {shape.var_keyword}[{name!r}] = {name}")


class _KeywordOnly(_Rule):
    kind = KIND_KEYWORD_ONLY

    def __init__(self, keywords: tuple[str, ...], options: dict[str, Any]) -> None:
        super().__init__(options)
        self.keywords = self.moved = keywords

    def names(self) -> tuple[str, ...]:
        return self.keywords

    def check(self, shape: Shape, label: str) -> None:
        if not self.keywords:
            raise TypeError(f"{label}: keyword_only() needs at least one parameter name")
        regular = [n for n in shape.positional if n not in shape.positional_only]
        for name in self.keywords:
            if name not in regular:
                raise TypeError(
                    f"{label}: {name!r} must be a parameter that can be passed by position "
                    f"or keyword, got {name!r} (the function's are {', '.join(regular)})"
                )
        first = min(shape.positional.index(name) for name in self.keywords)
        trailing = shape.positional[first:]
        if tuple(sorted(trailing)) != tuple(sorted(self.keywords)):
            raise TypeError(
                f"{label}: keyword-only parameters come after all positional ones, so "
                f"{', '.join(trailing)} must become keyword-only together, got "
                f"{', '.join(self.keywords)}"
            )
        if shape.var_positional is not None:
            raise TypeError(
                f"{label}: the function takes *{shape.var_positional}, so positional "
                f"arguments past {trailing[0]!r} already go there"
            )

    def symbol(self, function: str) -> str:
        return f"{function}(*, {', '.join(self.keywords)})"

    def _listed(self) -> str:
        return ", ".join(self.keywords)

    def wording(self, function: str, shape: Shape) -> Wording:
        keep = [n for n in shape.positional if n not in self.keywords]
        if keep and keep[0] in ("self", "cls"):
            keep = keep[1:]
        example = ", ".join([*keep, *(f"{name}=..." for name in self.keywords)])
        them = "it" if len(self.keywords) == 1 else "them"
        return Wording(
            f"Passing {self._listed()} to {function}() by position",
            f"Pass {them} by keyword: {function}({example}).",
            will="be an error",
            gone="is an error since",
        )

    def note(self) -> tuple[str, str]:
        names = ", ".join(f"``{name}``" for name in self.keywords)
        return "deprecated", (
            f"Passing {names} by position is deprecated{_removal(self, 'be an error')}; "
            "pass by keyword."
        )

    def emit(self, warn: str, index: int, shape: Shape, src: Source) -> None:
        src.watched.update(self.keywords)  # the positional use is handled by the layer


class _ChangedDefault(_Rule):
    kind = KIND_DEFAULT

    def __init__(self, name: str, new: object, options: dict[str, Any]) -> None:
        super().__init__(options)
        self.name, self.new = name, new

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def check(self, shape: Shape, label: str) -> None:
        if self.name not in shape.all_names:
            raise TypeError(f"{label}: the function has no parameter {self.name!r}")
        if self.name not in shape.defaults:
            raise TypeError(
                f"{label}: {self.name!r} has no default to change; give it its current "
                f"default in the def, and declare the new one here"
            )
        old = shape.defaults[self.name]
        if old is self.new or equal(old, self.new):
            raise ValueError(f"{label}: the default of {self.name!r} is already {self.new!r}")

    def symbol(self, function: str) -> str:
        return f"{function}({self.name}=)"

    def wording(self, function: str, shape: Shape) -> Wording:
        old = shape.defaults[self.name]
        advice = (
            f"Pass {self.name}={old!r} to keep the current behaviour, or "
            f"{self.name}={self.new!r} to adopt the new one now."
        )
        return _DefaultWording(self.symbol(function), advice, repr(old), repr(self.new))

    def note_version(self) -> str:
        return str(self.decl.timeline.texts["removed_in"])

    def note(self) -> tuple[str, str]:
        return "versionchanged", (
            f"The default of ``{self.name}`` changes to ``{self.new!r}`` in "
            f"{self.decl.timeline.texts['removed_in']} (announced in {_since(self)})."
        )

    def own(self, shape: Shape) -> AnyCallable:
        return _always(shape.defaults[self.name])

    def emit(self, warn: str, index: int, shape: Shape, src: Source) -> None:
        src.watched.add(self.name)
        src.restored.add(self.name)  # never left "not passed": the warner gives the default
        src.body += [f"if {self.name} is {_codegen.PREFIX}M:", f"    {self.name} = {warn}"]

    def forward(self, shape: Shape) -> AnyCallable:
        return _always(self.new)


class _Value(_Rule):
    kind = KIND_VALUE

    def __init__(self, name: str, value: object, new: object, options: dict[str, Any]) -> None:
        super().__init__(options)
        self.name, self.value, self.new = name, value, new

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def check(self, shape: Shape, label: str) -> None:
        if self.name not in shape.all_names and shape.var_keyword is None:
            raise TypeError(
                f"{label}: the function has no parameter {self.name!r} (and takes no **kwargs)"
            )
        if self.name in (shape.var_positional, shape.var_keyword):
            raise TypeError(f"{label}: {self.name!r} collects arguments; name one parameter")
        default = shape.defaults.get(self.name, NOT_PASSED)
        if default is self.value or equal(default, self.value):
            raise ValueError(
                f"{label}: {self.value!r} is the default of {self.name!r}, so calls that "
                f"never pass it would use it; declare changed_default({self.name!r}, ...) "
                f"first"
            )

    def symbol(self, function: str) -> str:
        return f"{function}({self.name}={self.value!r})"

    def replacement(self, function: str) -> str | None:
        return None if self.new is NOT_PASSED else f"{function}({self.name}={self.new!r})"

    def wording(self, function: str, shape: Shape) -> Wording:
        advice = "" if self.new is NOT_PASSED else f"Use {self.replacement(function)} instead."
        return Wording(self.symbol(function), advice, error=RemovedValueError)

    def note(self) -> tuple[str, str]:
        instead = "" if self.new is NOT_PASSED else f"; use ``{self.new!r}``"
        return "deprecated", (
            f"The value ``{self.value!r}`` of ``{self.name}`` is deprecated"
            f"{_removal(self)}{instead}."
        )

    def own(self, shape: Shape) -> AnyCallable:
        return _always(self.value if self.new is NOT_PASSED else self.new)

    def emit(self, warn: str, index: int, shape: Shape, src: Source) -> None:
        p = _codegen.PREFIX
        src.consts[f"{p}v{index}"] = self.value
        src.consts[f"{p}t{index}"] = type(self.value)
        src.consts[f"{p}equal"] = equal
        if self.name in shape.named:
            value = target = self.name
        else:
            value = f"{shape.var_keyword}.get({self.name!r}, {p}M)"
            target = f"{shape.var_keyword}[{self.name!r}]"
        # Identity first (the common str constant), then equality within the same type only:
        # an array or an object with an odd __eq__ never turns into an error here.
        src.body += [
            f"if {value} is {p}v{index} or (type({value}) is {p}t{index} "
            f"and {p}equal({value}, {p}v{index})):",
            f"    {target} = {warn}",
        ]


# -- applying rules -------------------------------------------------------------------------


class _Declarer:
    """What each decorator returns: applies its rule to a function, method, classmethod,
    staticmethod, ``__init__``, async function or generator, stacking with the others."""

    __slots__ = ("_rule",)

    def __init__(self, rule: _Rule) -> None:
        self._rule = rule

    def __call__(self, obj: _F, /) -> _F:
        if isinstance(obj, (classmethod, staticmethod)):
            inner = self(obj.__func__)
            result: Any = type(obj)(inner)
            decl = getattr(inner, "__phaseout__", None)
            if decl is not None:
                _wrapping.tag(result, decl)
            return result  # type: ignore[no-any-return]
        if isinstance(obj, (type, property)) or not callable(obj):
            what = "a class" if isinstance(obj, type) else type(obj).__name__
            raise TypeError(
                f"phaseout.{_DECORATOR_NAMES[type(self._rule)]} applies to functions and "
                f"methods (for a class, decorate its __init__), got {obj!r} ({what})"
            )
        return self._apply(obj)  # type: ignore[no-any-return]

    def _apply(self, obj: Any) -> Any:
        decl = getattr(obj, "__phaseout__", None)
        if isinstance(decl, Declaration) and hasattr(obj, "__wrapped__"):
            # A deprecated function: the parameters are handled under its wrapper, which is
            # made again around the new layer.
            layered = self._apply(obj.__wrapped__)
            return _wrapping.wrap_callable(decl, layered, decl.forward)
        layer: Layer | None = getattr(obj, _wrapping.PARAMETER_LAYER, None)
        func = obj if layer is None else layer.func
        rules = [] if layer is None else cast("list[_Rule]", list(layer.rules))
        if not isinstance(func, FunctionType):
            raise TypeError(
                f"phaseout.{_DECORATOR_NAMES[type(self._rule)]} applies to functions "
                f"written in Python, got {func!r} ({type(func).__name__})"
            )
        rule = self._rule
        label = rule.symbol(f"{func.__module__}.{func.__qualname__}")
        shape = Shape(func)
        if _codegen.clashes(shape.all_names):
            raise TypeError(f"{label}: parameter names starting with _phaseout_ are reserved")
        rule.check(shape, label)
        _check_overlap(rule, rules, label)
        rule.declare(func, shape)
        return Layer(func, [*rules, rule]).exposed


def _check_overlap(rule: _Rule, rules: list[_Rule], label: str) -> None:
    for other in rules:
        shared = set(rule.names()) & set(other.names())
        if not shared:
            continue
        if (
            isinstance(rule, _Value)
            and isinstance(other, _Value)
            and not (rule.value is other.value or equal(rule.value, other.value))
        ):
            continue  # several values of one parameter may each be deprecated
        raise TypeError(
            f"{label}: parameter {', '.join(sorted(shared))} already has a declaration "
            f"({other.decl.symbol}, {other.kind}); declare one per parameter"
        )


_DECORATOR_NAMES: Final[dict[type[_Rule], str]] = {
    _Renamed: "renamed_parameter",
    _Removed: "removed_parameter",
    _KeywordOnly: "keyword_only",
    _ChangedDefault: "changed_default",
    _Value: "deprecated_value",
}


def _name(decorator: str, what: str, value: object) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise TypeError(f"phaseout.{decorator}: {what} must be a parameter name, got {value!r}")
    return value


def renamed_parameter(
    old: str,
    new: str,
    **timeline: Unpack[TimelineOptions],
) -> Callable[[_F], _F]:
    """The keyword *old* is now *new*: ``f(old=1)`` warns and passes ``new=1``; passing
    both is a ``TypeError``; from ``removed_in``, *old* raises ``RemovedArgumentError``
    (also a ``TypeError``)."""
    rule = _Renamed(
        _name("renamed_parameter", "old", old),
        _name("renamed_parameter", "new", new),
        timeline_options("renamed_parameter", timeline),
    )
    return _Declarer(rule)


def removed_parameter(
    name: str,
    *,
    drop: bool = False,
    **timeline: Unpack[TimelineOptions],
) -> Callable[[_F], _F]:
    """Parameter *name* is going away: passing it, by keyword or by position, warns, and
    from ``removed_in`` raises ``RemovedArgumentError``. The function still receives the
    value, or with ``drop=True`` its own default instead. A function taking ``**kwargs``
    may declare a keyword it no longer lists."""
    if not isinstance(drop, bool):
        raise TypeError(f"phaseout.removed_parameter: drop must be True or False, got {drop!r}")
    rule = _Removed(
        _name("removed_parameter", "name", name),
        drop,
        timeline_options("removed_parameter", timeline),
    )
    return _Declarer(rule)


def keyword_only(
    *names: str,
    **timeline: Unpack[TimelineOptions],
) -> Callable[[_F], _F]:
    """Parameters *names* (the last positional ones) become keyword-only: passing them by
    position warns, and from ``removed_in`` raises ``RemovedArgumentError``."""
    rule = _KeywordOnly(
        tuple(_name("keyword_only", "each name", name) for name in names),
        timeline_options("keyword_only", timeline),
    )
    return _Declarer(rule)


def changed_default(
    name: str,
    new: object,
    *,
    changes_in: str,
    **timeline: Unpack[ChangeOptions],
) -> Callable[[_F], _F]:
    """The default of *name* (the one in the ``def``) becomes *new* in ``changes_in``.

    Before that, a call that does not pass *name* gets the old default and a
    ``DefaultChangeWarning`` (a ``FutureWarning``: its result will change); a call that
    passes it is silent. From ``changes_in`` on, calls get *new*, silently: the installed
    version switches it, with no code change on release day.
    """
    if not isinstance(changes_in, str):
        raise TypeError(
            f"phaseout.changed_default: changes_in must be a PEP 440 version such as '3.0', "
            f"got {changes_in!r}"
        )
    options = timeline_options("changed_default", timeline, accepted=CHANGE_KEYS)
    options["removed_in"] = changes_in  # the phase words say "changes", the timeline "removed"
    return _Declarer(_ChangedDefault(_name("changed_default", "name", name), new, options))


def deprecated_value(
    name: str,
    value: object,
    *,
    new: object = NOT_PASSED,
    **timeline: Unpack[TimelineOptions],
) -> Callable[[_F], _F]:
    """Passing *value* to *name* is deprecated: it warns (and with *new*, the function
    receives *new* instead); from ``removed_in`` it raises ``RemovedValueError`` (also a
    ``ValueError``). Other values are untouched."""
    rule = _Value(
        _name("deprecated_value", "name", name),
        value,
        new,
        timeline_options("deprecated_value", timeline),
    )
    return _Declarer(rule)

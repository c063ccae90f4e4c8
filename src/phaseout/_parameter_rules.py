"""The rules of parameter declarations: each one's wording, checks and generated code.

A rule is one declaration about a function's parameters (a renamed keyword, a removed
parameter, parameters becoming keyword-only, a changing default, a deprecated value). It says
what it watches, adds its checks to the function's generated layer (``_layer``), and words
its warnings, errors and docstring note; ``phaseout.parameters`` applies rules to functions.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from . import _codegen, _messages
from ._declaration import AnyCallable, ParameterChange
from ._declaring import (
    Wording,
    declare,
)
from ._exceptions import (
    ChangedDefaultWarning,
    PendingWarning,
    PhaseoutWarning,
    RemovedValueError,
)
from ._hotpath import Declaration
from ._layer import DEPRECATED, NOT_PASSED, Shape, Source, both_error, equal
from .phases import Phase

if TYPE_CHECKING:
    pass


KIND_RENAMED: Final = "renamed parameter"


KIND_REMOVED: Final = "removed parameter"


KIND_KEYWORD_ONLY: Final = "keyword-only parameters"


KIND_DEFAULT: Final = "default change"


KIND_VALUE: Final = "deprecated value"


_CHANGE_CATEGORIES: Final[Mapping[Phase, type[PhaseoutWarning]]] = {
    Phase.PENDING: PendingWarning,
    Phase.SOFT: ChangedDefaultWarning,
    Phase.COMPAT: ChangedDefaultWarning,
    Phase.HARD: ChangedDefaultWarning,
}


class DefaultWording(Wording):
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


class Rule:
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

    def declare(self, func: Any, shape: Shape, function: str | None = None) -> None:
        """Register the declaration; *function* is the name users call (a class's)."""
        module = getattr(func, "__module__", None) or "__main__"
        function = function or f"{module}.{func.__qualname__}"
        self.decl = declare(
            self.symbol(function),
            self.kind,
            module,
            self.options,
            self.wording(function, shape),
            self.replacement(function),
        )
        self.decl.change = self.change(function, shape)

    def change(self, function: str, shape: Shape) -> ParameterChange:
        """What this rule changes in the calls of *function*, for ``phaseout fix``."""
        raise NotImplementedError

    def replacement(self, function: str) -> str | None:
        return None


def _check_kept(shape: Shape, label: str, name: str) -> None:
    """A deprecated parameter still in the ``def`` must be optional, with a default that
    says "not given" (so the function can tell), and must be a named one."""
    if name in (shape.var_positional, shape.var_keyword):
        raise TypeError(f"{label}: {name!r} collects arguments; it cannot be renamed alone")
    default = shape.defaults.get(name, NOT_PASSED)
    if default is not DEPRECATED and default is not None:
        shown = "no default" if default is NOT_PASSED else f"the default {default!r}"
        raise TypeError(
            f"{label}: {name!r} is kept in the def, so its default must be "
            f"phaseout.DEPRECATED (or None), which the function receives whenever the value "
            f"went to the new parameter; got {shown}"
        )


# What a marker returns, as C callables: a Python function here would be a third frame on
# every deprecated use.
_nothing: Final[Callable[[], None]] = type(None)


def _always(value: object) -> Callable[[], Any]:
    return itertools.repeat(value).__next__


def _since(rule: Rule) -> str:
    return str(rule.decl.timeline.texts["since"])


def _removal(rule: Rule, verb: str = "be removed") -> str:
    removal = rule.decl.timeline.texts["removed_in"]
    return f"; it will {verb} in {removal}" if removal is not None else ""


class Renamed(Rule):
    kind = KIND_RENAMED

    def __init__(self, old: str, new: str, options: dict[str, Any]) -> None:
        super().__init__(options)
        self.old, self.new = old, new
        self.assigned = new

    def change(self, function: str, shape: Shape) -> ParameterChange:
        return ParameterChange(function, "rename", (self.old,), self.new)

    def names(self) -> tuple[str, ...]:
        return (self.old, self.new)

    def check(self, shape: Shape, label: str) -> None:
        if self.old == self.new:
            raise ValueError(f"{label}: cannot rename {self.old!r} to itself")
        if self.old in shape.all_names:
            _check_kept(shape, label, self.old)
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
        kept = self.old in shape.named  # still in the def: passed by keyword or position
        src.consts[f"{p}both{index}"] = both_error(shape.qualname, self.old, self.new)
        if self.new in shape.named:
            src.watched.add(self.new)
            passed_new = f"{self.new} is not {p}M"
            assign = f"{self.new} = {self.old}"
        else:
            passed_new = f"{self.new!r} in {shape.var_keyword}"
            assign = f"{shape.var_keyword}[{self.new!r}] = {self.old}"
        if kept:
            src.watched.add(self.old)
            src.restored.add(self.old)
            given = f"{self.old} is not {p}M"
            take: list[str] = []
        elif shape.var_keyword is not None:
            # Taken out of **kwargs: a keyword-only parameter would cost every call a
            # look-up of its default.
            given = f"{self.old!r} in {shape.var_keyword}"
            take = [f"    {self.old} = {shape.var_keyword}.pop({self.old!r})"]
        else:
            src.extra_keywords.append(self.old)
            given = f"{self.old} is not {p}M"
            take = []
        src.body += [
            f"if {given}:",
            *take,
            f"    if {passed_new}:",
            f"        raise {p}both{index}()",
            f"    {warn}",
            f"    {assign}",
        ]
        if kept:  # the function sees its own default, as if the old name was never used
            src.body.append(f"{self.old} = {p}r_{self.old}")


class Removed(Rule):
    kind = KIND_REMOVED

    def __init__(self, name: str, drop: bool, options: dict[str, Any]) -> None:
        super().__init__(options)
        self.name, self.drop = name, drop

    def change(self, function: str, shape: Shape) -> ParameterChange:
        return ParameterChange(function, "remove", (self.name,))

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
        if name not in shape.all_names:  # a keyword **kwargs takes: looked up there
            src.body += [f"if {name!r} in {shape.var_keyword}:", f"    {warn}"]
            if self.drop:
                src.body.append(f"    del {shape.var_keyword}[{name!r}]")
            return
        src.body += [f"if {name} is not {p}M:", f"    {warn}"]
        src.watched.add(name)
        if name in shape.defaults:
            # One check on the common path: the default is put back in the `else`.
            src.restored.add(name)
            if self.drop:
                src.body += [f"    {name} = {p}r_{name}", "else:"]
            else:
                src.body.append("else:")
            src.body.append(f"    {name} = {p}r_{name}")


class KeywordOnly(Rule):
    kind = KIND_KEYWORD_ONLY

    def __init__(self, keywords: tuple[str, ...], options: dict[str, Any]) -> None:
        super().__init__(options)
        self.keywords = self.moved = keywords

    def change(self, function: str, shape: Shape) -> ParameterChange:
        return ParameterChange(function, "keyword-only", self.keywords)

    def names(self) -> tuple[str, ...]:
        return self.keywords

    def check(self, shape: Shape, label: str) -> None:
        if not self.keywords:
            raise TypeError(f"{label}: keyword_only() needs at least one parameter name")
        regular = [n for n in shape.positional if n not in shape.positional_only]
        if not [n for n in regular if n not in ("self", "cls", "_cls")]:
            raise TypeError(
                f"{label}: it takes no argument by position (only keywords), so there is "
                f"nothing to make keyword-only"
            )
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
        if keep and keep[0] in ("self", "cls", "_cls"):
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


class ChangedDefault(Rule):
    kind = KIND_DEFAULT

    def __init__(self, name: str, new: object, options: dict[str, Any]) -> None:
        super().__init__(options)
        self.name, self.new = name, new

    def change(self, function: str, shape: Shape) -> ParameterChange:
        return ParameterChange(
            function, "default", (self.name,), self.new, shape.default_of(self.name)
        )

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def check(self, shape: Shape, label: str) -> None:
        if self.name not in shape.all_names and self.name not in shape.keyword_defaults:
            raise TypeError(f"{label}: the function has no parameter {self.name!r}")
        if self.name in (shape.var_positional, shape.var_keyword):
            raise TypeError(f"{label}: {self.name!r} collects arguments; name one parameter")
        if shape.default_of(self.name) is NOT_PASSED:
            raise TypeError(
                f"{label}: {self.name!r} has no default to change; give it its current "
                f"default in the def, and declare the new one here"
            )
        old = shape.default_of(self.name)
        if old is self.new or equal(old, self.new):
            raise ValueError(f"{label}: the default of {self.name!r} is already {self.new!r}")

    def symbol(self, function: str) -> str:
        return f"{function}({self.name}=)"

    def wording(self, function: str, shape: Shape) -> Wording:
        old = shape.default_of(self.name)
        advice = (
            f"Pass {self.name}={old!r} to keep the current behaviour, or "
            f"{self.name}={self.new!r} to adopt the new one now."
        )
        return DefaultWording(self.symbol(function), advice, repr(old), repr(self.new))

    def note_version(self) -> str:
        return str(self.decl.timeline.texts["removed_in"])

    def note(self) -> tuple[str, str]:
        return "versionchanged", (
            f"The default of ``{self.name}`` changes to ``{self.new!r}`` in "
            f"{self.decl.timeline.texts['removed_in']} (announced in {_since(self)})."
        )

    def own(self, shape: Shape) -> AnyCallable:
        return _always(shape.default_of(self.name))

    def emit(self, warn: str, index: int, shape: Shape, src: Source) -> None:
        if self.name not in shape.named:  # a keyword **kwargs takes (a model's field)
            kwargs = shape.var_keyword
            src.body += [
                f"if {self.name!r} not in {kwargs}:",
                f"    {kwargs}[{self.name!r}] = {warn}",
            ]
            return
        src.watched.add(self.name)
        src.restored.add(self.name)  # never left "not passed": the warner gives the default
        src.body += [f"if {self.name} is {_codegen.PREFIX}M:", f"    {self.name} = {warn}"]

    def forward(self, shape: Shape) -> AnyCallable:
        return _always(self.new)


class Value(Rule):
    kind = KIND_VALUE

    def __init__(self, name: str, value: object, new: object, options: dict[str, Any]) -> None:
        super().__init__(options)
        self.name, self.value, self.new = name, value, new

    def change(self, function: str, shape: Shape) -> ParameterChange:
        has_new = self.new is not NOT_PASSED
        return ParameterChange(
            function, "value", (self.name,), self.new if has_new else None, self.value, has_new
        )

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def check(self, shape: Shape, label: str) -> None:
        if self.name not in shape.all_names and shape.var_keyword is None:
            raise TypeError(
                f"{label}: the function has no parameter {self.name!r} (and takes no **kwargs)"
            )
        if self.name in (shape.var_positional, shape.var_keyword):
            raise TypeError(f"{label}: {self.name!r} collects arguments; name one parameter")
        default = shape.default_of(self.name)
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
        else:  # read once from **kwargs into a local
            value = f"{p}x{index}"
            target = f"{shape.var_keyword}[{self.name!r}]"
            src.body.append(f"{value} = {shape.var_keyword}.get({self.name!r}, {p}M)")
        # Identity first (the common str constant), then equality within the same type only:
        # an array or an object with an odd __eq__ never turns into an error here. The
        # parameter's own default (never the deprecated value) is ruled out first: the
        # common call passes nothing.
        default = ""
        if value == self.name and self.name in shape.defaults:
            src.consts[f"{p}dv{index}"] = shape.defaults[self.name]
            default = f"{value} is not {p}dv{index} and "
        elif value != self.name:
            default = f"{value} is not {p}M and "
        src.body += [
            f"if {default}({value} is {p}v{index} or (type({value}) is {p}t{index} "
            f"and {p}equal({value}, {p}v{index}))):",
            f"    {target} = {warn}",
        ]

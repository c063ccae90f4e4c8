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
from typing import Any, Final, TypeVar

from . import _codegen, _messages, _wrapping
from ._hotpath import AnyCallable, Declaration, use_marker
from ._versions import VersionSource, VersionSpec
from .exceptions import (
    DefaultChangeWarning,
    DeprecatedWarning,
    PendingWarning,
    PhaseoutWarning,
    RemovalWarning,
    RemovedArgumentError,
    RemovedError,
    RemovedValueError,
)
from .phases import Phase
from .registry import register

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


class _NotPassed:
    """The layer's default for a parameter whose passing matters; never reaches the function."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<not passed>"


_M: Final = _NotPassed()

_DEPRECATION_CATEGORIES: Final[Mapping[Phase, type[PhaseoutWarning]]] = {
    Phase.PENDING: PendingWarning,
    Phase.SOFT: DeprecatedWarning,
    Phase.COMPAT: DeprecatedWarning,
    Phase.HARD: RemovalWarning,
}
_CHANGE_CATEGORIES: Final[Mapping[Phase, type[PhaseoutWarning]]] = {
    Phase.PENDING: PendingWarning,
    Phase.SOFT: DefaultChangeWarning,
    Phase.COMPAT: DefaultChangeWarning,
    Phase.HARD: DefaultChangeWarning,
}


class Wording:
    """What a parameter declaration says, and raises, in each phase (read by ``Plan``)."""

    __slots__ = ("advice", "categories", "error", "gone", "silent_when_removed", "subject", "will")

    def __init__(
        self,
        subject: str,
        advice: str,
        *,
        will: str = "be removed",
        gone: str = "was removed in",
        error: type[RemovedError] = RemovedArgumentError,
        categories: Mapping[Phase, type[PhaseoutWarning]] = _DEPRECATION_CATEGORIES,
    ) -> None:
        self.subject = subject
        self.advice = advice
        self.will = will
        self.gone = gone
        self.error = error
        self.categories = categories
        self.silent_when_removed = False

    def _facts(self, decl: Declaration, package: str) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "package": package,
            "timeline": decl.timeline,
            "advice": self.advice,
            "reason": decl.reason,
            "guide": decl.guide,
        }

    def warning_text(self, decl: Declaration, phase: Phase, package: str) -> str:
        return _messages.usage_text(phase=phase, will=self.will, **self._facts(decl, package))

    def removed_text(self, decl: Declaration, package: str, installed: str) -> str:
        return _messages.usage_removed_text(
            installed=installed, gone=self.gone, **self._facts(decl, package)
        )


class _DefaultWording(Wording):
    """A default change: warned as a change, and once the version is reached, silently the
    new default (a ``Plan`` that is ``silent``)."""

    __slots__ = ("new", "old")

    def __init__(self, subject: str, advice: str, old: str, new: str) -> None:
        super().__init__(subject, advice, categories=_CHANGE_CATEGORIES)
        self.old = old
        self.new = new
        self.silent_when_removed = True

    def warning_text(self, decl: Declaration, phase: Phase, package: str) -> str:
        return _messages.default_change_text(
            phase=phase, old=self.old, new=self.new, **self._facts(decl, package)
        )


# -- the rules ------------------------------------------------------------------------------


class _Rule:
    """One declaration about one function's parameters, before it is applied."""

    kind: str = ""
    decl: Declaration

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options

    def names(self) -> tuple[str, ...]:
        """The parameters this rule is about (no two rules of one function may share one)."""
        raise NotImplementedError

    def check(self, shape: _Shape, label: str) -> None:
        """Refuse a declaration that cannot apply to the function, naming it and the fix."""

    def symbol(self, function: str) -> str:
        raise NotImplementedError

    def wording(self, function: str, shape: _Shape) -> Wording:
        raise NotImplementedError

    def note(self) -> tuple[str, str]:
        """The docstring's directive (``deprecated``, ``versionchanged``) and its text."""
        raise NotImplementedError

    def own(self, shape: _Shape) -> AnyCallable:
        """What a use returns (a value for the parameter, or None)."""
        return _nothing

    def forward(self, shape: _Shape) -> AnyCallable | None:
        return None

    def emit(self, warn: str, index: int, shape: _Shape, src: _Source) -> None:
        """Add this rule's checks (*warn* is the call of its warner) to the layer's code."""

    def declare(self, func: Any, shape: _Shape) -> None:
        from .decorators import _Deprecator

        module = getattr(func, "__module__", None) or "__main__"
        function = f"{module}.{func.__qualname__}"
        symbol = self.symbol(function)
        options = self.options
        checked = _Deprecator({**options, "replacement": None})._check_options(symbol)
        timeline, current = checked[0], checked[1]
        self.decl = Declaration(
            symbol=symbol,
            kind=self.kind,
            timeline=timeline,
            source=VersionSource(symbol, module, options["package"], current),
            replacement_name=self.replacement(function),
            forward=None,
            reason=options["reason"],
            guide=options["guide"],
        )
        self.decl.wording = self.wording(function, shape)

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

    def names(self) -> tuple[str, ...]:
        return (self.old, self.new)

    def check(self, shape: _Shape, label: str) -> None:
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

    def wording(self, function: str, shape: _Shape) -> Wording:
        return Wording(self.symbol(function), f"Use {function}({self.new}=) instead.")

    def note(self) -> tuple[str, str]:
        return "deprecated", (
            f"Parameter ``{self.old}`` is renamed ``{self.new}``{_removal(self)}."
        )

    def emit(self, warn: str, index: int, shape: _Shape, src: _Source) -> None:
        p = _codegen.PREFIX
        src.extra_keywords.append(self.old)
        src.consts[f"{p}both{index}"] = _both_error(shape.qualname, self.old, self.new)
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

    def check(self, shape: _Shape, label: str) -> None:
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

    def wording(self, function: str, shape: _Shape) -> Wording:
        ignored = " (its value is ignored)" if self.drop else ""
        return Wording(self.symbol(function), f"Stop passing {self.name}{ignored}.")

    def note(self) -> tuple[str, str]:
        ignored = "; its value is ignored" if self.drop else ""
        return "deprecated", f"Parameter ``{self.name}`` is deprecated{ignored}{_removal(self)}."

    def emit(self, warn: str, index: int, shape: _Shape, src: _Source) -> None:
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
        self.keywords = keywords

    def names(self) -> tuple[str, ...]:
        return self.keywords

    def check(self, shape: _Shape, label: str) -> None:
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

    def wording(self, function: str, shape: _Shape) -> Wording:
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

    def emit(self, warn: str, index: int, shape: _Shape, src: _Source) -> None:
        src.watched.update(self.keywords)  # the positional use is handled by the layer


class _ChangedDefault(_Rule):
    kind = KIND_DEFAULT

    def __init__(self, name: str, new: object, options: dict[str, Any]) -> None:
        super().__init__(options)
        self.name, self.new = name, new

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def check(self, shape: _Shape, label: str) -> None:
        if self.name not in shape.all_names:
            raise TypeError(f"{label}: the function has no parameter {self.name!r}")
        if self.name not in shape.defaults:
            raise TypeError(
                f"{label}: {self.name!r} has no default to change; give it its current "
                f"default in the def, and declare the new one here"
            )
        old = shape.defaults[self.name]
        if old is self.new or _equal(old, self.new):
            raise ValueError(f"{label}: the default of {self.name!r} is already {self.new!r}")

    def symbol(self, function: str) -> str:
        return f"{function}({self.name}=)"

    def wording(self, function: str, shape: _Shape) -> Wording:
        old = shape.defaults[self.name]
        advice = (
            f"Pass {self.name}={old!r} to keep the current behaviour, or "
            f"{self.name}={self.new!r} to adopt the new one now."
        )
        return _DefaultWording(self.symbol(function), advice, repr(old), repr(self.new))

    def note(self) -> tuple[str, str]:
        return "versionchanged", (
            f"The default of ``{self.name}`` changes to ``{self.new!r}`` in "
            f"{self.decl.timeline.texts['removed_in']} (announced in {_since(self)})."
        )

    def own(self, shape: _Shape) -> AnyCallable:
        return _always(shape.defaults[self.name])

    def emit(self, warn: str, index: int, shape: _Shape, src: _Source) -> None:
        src.watched.add(self.name)
        src.restored.add(self.name)  # never left "not passed": the warner gives the default
        src.body += [f"if {self.name} is {_codegen.PREFIX}M:", f"    {self.name} = {warn}"]

    def forward(self, shape: _Shape) -> AnyCallable:
        return _always(self.new)


class _Value(_Rule):
    kind = KIND_VALUE

    def __init__(self, name: str, value: object, new: object, options: dict[str, Any]) -> None:
        super().__init__(options)
        self.name, self.value, self.new = name, value, new

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def check(self, shape: _Shape, label: str) -> None:
        if self.name not in shape.all_names and shape.var_keyword is None:
            raise TypeError(
                f"{label}: the function has no parameter {self.name!r} (and takes no **kwargs)"
            )
        if self.name in (shape.var_positional, shape.var_keyword):
            raise TypeError(f"{label}: {self.name!r} collects arguments; name one parameter")
        default = shape.defaults.get(self.name, _M)
        if default is self.value or _equal(default, self.value):
            raise ValueError(
                f"{label}: {self.value!r} is the default of {self.name!r}, so calls that "
                f"never pass it would use it; declare changed_default({self.name!r}, ...) "
                f"first"
            )

    def symbol(self, function: str) -> str:
        return f"{function}({self.name}={self.value!r})"

    def replacement(self, function: str) -> str | None:
        return None if self.new is _M else f"{function}({self.name}={self.new!r})"

    def wording(self, function: str, shape: _Shape) -> Wording:
        advice = "" if self.new is _M else f"Use {self.replacement(function)} instead."
        return Wording(self.symbol(function), advice, error=RemovedValueError)

    def note(self) -> tuple[str, str]:
        instead = "" if self.new is _M else f"; use ``{self.new!r}``"
        return "deprecated", (
            f"The value ``{self.value!r}`` of ``{self.name}`` is deprecated"
            f"{_removal(self)}{instead}."
        )

    def own(self, shape: _Shape) -> AnyCallable:
        return _always(self.value if self.new is _M else self.new)

    def emit(self, warn: str, index: int, shape: _Shape, src: _Source) -> None:
        p = _codegen.PREFIX
        src.consts[f"{p}v{index}"] = self.value
        src.consts[f"{p}t{index}"] = type(self.value)
        src.consts[f"{p}equal"] = _equal
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


def _equal(a: object, b: object) -> bool:
    """``a == b`` as a plain bool, False where comparing fails (arrays, odd ``__eq__``)."""
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b)
    except Exception:
        return False


# -- the layer ------------------------------------------------------------------------------


class _Shape:
    """The parameters of the wrapped function, read from its code."""

    def __init__(self, func: Any) -> None:
        self.qualname: str = func.__qualname__
        code = func.__code__
        names = code.co_varnames
        self.positional: tuple[str, ...] = names[: code.co_argcount]
        self.positional_only = self.positional[: code.co_posonlyargcount]
        self.keyword_only: tuple[str, ...] = names[
            code.co_argcount : code.co_argcount + code.co_kwonlyargcount
        ]
        index = code.co_argcount + code.co_kwonlyargcount
        self.var_positional: str | None = (
            names[index] if code.co_flags & _codegen.CO_VARARGS else None
        )
        index += self.var_positional is not None
        self.var_keyword: str | None = (
            names[index] if code.co_flags & _codegen.CO_VARKEYWORDS else None
        )
        self.named = self.positional + self.keyword_only
        self.all_names = self.named + tuple(
            n for n in (self.var_positional, self.var_keyword) if n is not None
        )
        defaults = func.__defaults__ or ()
        self.defaults: dict[str, object] = dict(
            zip(self.positional[len(self.positional) - len(defaults) :], defaults, strict=True)
        )
        self.defaults.update(func.__kwdefaults__ or {})


class _Source:
    """What the rules contribute to the generated layer."""

    def __init__(self, consts: dict[str, object]) -> None:
        self.consts = consts  # the maker's arguments: the layer's closure
        self.watched: set[str] = set()  # parameters whose passing matters: "not passed" default
        self.extra_keywords: list[str] = []  # old names the layer accepts, the function not
        self.restored: set[str] = set()  # watched parameters whose rule puts the default back
        self.body: list[str] = []


class _Layer:
    """The generated function that applies every parameter declaration of one function."""

    def __init__(self, func: Any, rules: list[_Rule]) -> None:
        self.func = func
        self.rules = rules
        self.flagged = _wrapping.is_flagged(func)
        self.outer = 0  # frames a deprecating wrapper on top adds (see `called_through`)
        self.shape = _Shape(func)
        self.warners = [self._warner(rule) for rule in rules]
        self.inner: FunctionType = self._generate()
        self.exposed: Any = (
            _wrapping.FlaggedFunction(func, self.inner) if self.flagged else self.inner
        )
        if not self.flagged:
            _wrapping._copy_metadata(self.inner, func)
        self.exposed.__doc__ = self._doc()
        setattr(self.exposed, _wrapping.PARAMETER_LAYER, self)

    def _warner(self, rule: _Rule) -> AnyCallable:
        # The warner is called by the generated function (and by FlaggedFunction.__call__,
        # and by a deprecating wrapper on top): the caller is that many frames up.
        depth = 2 + self.flagged + self.outer
        return use_marker(rule.decl, rule.own(self.shape), rule.forward(self.shape), depth)

    def called_through(self, frames: int) -> None:
        """A wrapper on top adds *frames* between the caller and this layer."""
        self.outer = frames
        cells = dict(
            zip(self.inner.__code__.co_freevars, self.inner.__closure__ or (), strict=True)
        )
        for index, rule in enumerate(self.rules):
            warner = self._warner(rule)
            self.warners[index] = warner
            # Swapping the closure's cell keeps the generated code (and every reference to
            # the function) as it is.
            cells[f"{_codegen.PREFIX}w{index}"].cell_contents = warner

    def _doc(self) -> str | None:
        doc: str | None = self.func.__doc__
        for rule in self.rules:
            directive, text = rule.note()
            doc = _messages.docstring_with_note(doc, _directive_version(rule), text, directive)
        return doc

    def _generate(self) -> FunctionType:
        shape = self.shape
        p = _codegen.PREFIX
        consts: dict[str, object] = {f"{p}func": self.func, f"{p}M": _M}
        src = _Source(consts)
        for index, rule in enumerate(self.rules):
            consts[f"{p}w{index}"] = self.warners[index]
            rule.emit(f"{p}w{index}()", index, shape, src)
        params, required, restore = self._parameters(src)
        lines = self._lines(src, required, restore)
        source = "\n".join(
            [
                f"def {p}make({', '.join(consts)}):",
                f"    def {p}params({', '.join(params)}):",
                *(f"        {line}" for line in lines),
                f"    return {p}params",
            ]
        )
        maker = _codegen.define(source, {}, f"{p}make")
        generated: FunctionType = maker(**consts)
        _codegen.name_like(generated, self.func)
        return generated

    def _parameters(self, src: _Source) -> tuple[list[str], list[str], list[str]]:
        """The layer's parameter list; the names that are required and were made optional,
        and those whose default must be put back."""
        shape, p, consts = self.shape, _codegen.PREFIX, src.consts
        watched, extra_keywords = src.watched, src.extra_keywords
        moved = self._moved()
        # The layer's parameters: the function's, with the watched ones defaulting to "not
        # passed", positional parameters after one of them too (no default may follow a
        # default), the keyword-only-to-be as keyword-only after a `*extra` catching their
        # positional use, and the old keywords last.
        required: list[str] = []  # "not passed" here means "missing": Python must say so
        restore: list[str] = []  # "not passed" here means "the function's default"
        params: list[str] = []
        defaulted = False
        for i, name in enumerate(shape.positional):
            if name in moved:
                continue
            if name in watched or (defaulted and name not in shape.defaults):
                params.append(f"{name}={p}M")
                (restore if name in shape.defaults else required).append(name)
                defaulted = True
            elif name in shape.defaults:
                consts[f"{p}d{i}"] = shape.defaults[name]
                params.append(f"{name}={p}d{i}")
                defaulted = True
            else:
                params.append(name)
            if i + 1 == len(shape.positional_only):
                params.append("/")
        if moved:
            params.append(f"*{p}extra")
        elif shape.var_positional is not None:
            params.append(f"*{shape.var_positional}")
        elif shape.keyword_only or extra_keywords:
            params.append("*")
        for i, name in enumerate(moved + shape.keyword_only):
            if name in watched:
                params.append(f"{name}={p}M")
                (restore if name in shape.defaults else required).append(name)
            elif name in shape.defaults:
                consts[f"{p}k{i}"] = shape.defaults[name]
                params.append(f"{name}={p}k{i}")
            else:
                params.append(name)
        params += [f"{name}={p}M" for name in extra_keywords]
        if shape.var_keyword is not None:
            params.append(f"**{shape.var_keyword}")

        return params, required, restore

    def _moved(self) -> tuple[str, ...]:
        rule = next((r for r in self.rules if isinstance(r, _KeywordOnly)), None)
        return () if rule is None else rule.keywords

    def _lines(self, src: _Source, required: list[str], restore: list[str]) -> list[str]:
        """The layer's body: the rules' checks, then the call of the function."""
        shape, p, consts = self.shape, _codegen.PREFIX, src.consts
        moved = self._moved()
        for name in {*restore, *src.restored}:
            if name in shape.defaults:
                consts[f"{p}r_{name}"] = shape.defaults[name]
        # The call as the user wrote it, for Python itself to word an argument error (made
        # only when the arguments cannot bind, so the function never runs twice).
        consts[f"{p}recall"] = _recall
        given = [n for n in shape.positional if n not in moved]
        keywords = ", ".join(f"{n!r}: {n}" for n in (*moved, *shape.keyword_only))
        recall = (
            f"{p}recall({p}func, ({''.join(f'{n}, ' for n in given)}), {{{keywords}}}, "
            f"{shape.var_keyword or 'None'}, "
        )
        assigned = {r.new for r in self.rules if isinstance(r, _Renamed)}
        lines: list[str] = []
        if moved:
            index = next(i for i, r in enumerate(self.rules) if isinstance(r, _KeywordOnly))
            names = "".join(f"{n}, " for n in moved)
            consts[f"{p}take"] = _take_positional
            lines += [
                f"if {p}extra:",
                f"    ({names}) = {p}take({p}extra, ({names}), lambda: {recall}{p}extra))",
                f"    {p}w{index}()",
            ]
        for name in required:
            if name not in assigned:
                lines += [f"if {name} is {p}M:", f"    return {recall}())"]
        lines += src.body
        for name in required:
            if name in assigned:
                lines += [f"if {name} is {p}M:", f"    return {recall}())"]
        for name in restore:
            if name not in src.restored:
                lines += [f"if {name} is {p}M:", f"    {name} = {p}r_{name}"]
        call = [*(n for n in shape.positional)]
        if shape.var_positional is not None:
            call.append(f"*{shape.var_positional}")
        call += [f"{n}={n}" for n in shape.keyword_only]
        if shape.var_keyword is not None:
            call.append(f"**{shape.var_keyword}")
        lines.append(f"return {p}func({', '.join(call)})")
        return lines


def _directive_version(rule: _Rule) -> str:
    if isinstance(rule, _ChangedDefault):
        return str(rule.decl.timeline.texts["removed_in"])
    return _since(rule)


def _both_error(qualname: str, old: str, new: str) -> Callable[[], TypeError]:
    def error() -> TypeError:
        return TypeError(
            f"{qualname}() got both {old}= and {new}=: {old} is the old name of "
            f"{new}; pass only {new}="
        )

    return error


def _take_positional(
    extra: tuple[Any, ...], current: tuple[Any, ...], recall: Callable[[], Any]
) -> tuple[Any, ...]:
    """The keyword-only-to-be parameters, with those passed by position filled in; Python's
    own error when there are too many positional arguments or one is also passed by keyword."""
    if len(extra) > len(current) or any(value is not _M for value in current[: len(extra)]):
        recall()
        raise AssertionError("unreachable: the call above raises")  # pragma: no cover
    return extra + current[len(extra) :]


def _recall(
    func: Any,
    positional: tuple[Any, ...],
    keywords: dict[str, Any],
    more: dict[str, Any] | None,
    extra: tuple[Any, ...],
) -> Any:
    """Call *func* as the user did, leaving out what was not passed, so that Python words
    the argument error (a missing argument, too many, one passed twice)."""
    args = list(positional)
    named: dict[str, Any] = {}
    first = next((i for i, value in enumerate(args) if value is _M), len(args))
    if first < len(args):
        shape = _Shape(func)
        for name, value in zip(shape.positional[first:], args[first:], strict=False):
            if value is not _M and name not in shape.positional_only:
                named[name] = value
    named.update((k, v) for k, v in keywords.items() if v is not _M)
    if more:
        named.update(more)
    result = func(*args[:first], *extra, **named)
    # The arguments bound after all: a bug of ours, said rather than hidden.
    close = getattr(result, "close", None)
    if callable(close) and _wrapping.is_flagged(func):
        close()
    raise TypeError(f"{func.__qualname__}(): phaseout could not bind the arguments")


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
        layer: _Layer | None = getattr(obj, _wrapping.PARAMETER_LAYER, None)
        func = obj if layer is None else layer.func
        rules = [] if layer is None else list(layer.rules)
        if not isinstance(func, FunctionType):
            raise TypeError(
                f"phaseout.{_DECORATOR_NAMES[type(self._rule)]} applies to functions "
                f"written in Python, got {func!r} ({type(func).__name__})"
            )
        rule = self._rule
        label = rule.symbol(f"{func.__module__}.{func.__qualname__}")
        shape = _Shape(func)
        if _codegen.clashes(shape.all_names):
            raise TypeError(f"{label}: parameter names starting with _phaseout_ are reserved")
        rule.check(shape, label)
        _check_overlap(rule, rules, label)
        rule.declare(func, shape)
        register(rule.decl)
        return _Layer(func, [*rules, rule]).exposed


def _check_overlap(rule: _Rule, rules: list[_Rule], label: str) -> None:
    for other in rules:
        shared = set(rule.names()) & set(other.names())
        if not shared:
            continue
        if (
            isinstance(rule, _Value)
            and isinstance(other, _Value)
            and not (rule.value is other.value or _equal(rule.value, other.value))
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


def _options(
    since: str,
    removed_in: str | None,
    hard_in: str | None,
    compat_in: str | None,
    reason: str | None,
    guide: str | None,
    package: str | None,
    current_version: VersionSpec | None,
) -> dict[str, Any]:
    return {
        "since": since,
        "removed_in": removed_in,
        "hard_in": hard_in,
        "compat_in": compat_in,
        "reason": reason,
        "guide": guide,
        "package": package,
        "current_version": current_version,
    }


def _name(decorator: str, what: str, value: object) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise TypeError(f"phaseout.{decorator}: {what} must be a parameter name, got {value!r}")
    return value


def renamed_parameter(
    old: str,
    new: str,
    *,
    since: str,
    removed_in: str | None = None,
    hard_in: str | None = None,
    compat_in: str | None = None,
    reason: str | None = None,
    guide: str | None = None,
    package: str | None = None,
    current_version: VersionSpec | None = None,
) -> Callable[[_F], _F]:
    """The keyword *old* is now *new*: ``f(old=1)`` warns and passes ``new=1``; passing
    both is a ``TypeError``; from ``removed_in``, *old* raises ``RemovedArgumentError``
    (also a ``TypeError``)."""
    rule = _Renamed(
        _name("renamed_parameter", "old", old),
        _name("renamed_parameter", "new", new),
        _options(since, removed_in, hard_in, compat_in, reason, guide, package, current_version),
    )
    return _Declarer(rule)


def removed_parameter(
    name: str,
    *,
    since: str,
    removed_in: str | None = None,
    hard_in: str | None = None,
    compat_in: str | None = None,
    drop: bool = False,
    reason: str | None = None,
    guide: str | None = None,
    package: str | None = None,
    current_version: VersionSpec | None = None,
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
        _options(since, removed_in, hard_in, compat_in, reason, guide, package, current_version),
    )
    return _Declarer(rule)


def keyword_only(
    *names: str,
    since: str,
    removed_in: str | None = None,
    hard_in: str | None = None,
    compat_in: str | None = None,
    reason: str | None = None,
    guide: str | None = None,
    package: str | None = None,
    current_version: VersionSpec | None = None,
) -> Callable[[_F], _F]:
    """Parameters *names* (the last positional ones) become keyword-only: passing them by
    position warns, and from ``removed_in`` raises ``RemovedArgumentError``."""
    rule = _KeywordOnly(
        tuple(_name("keyword_only", "each name", name) for name in names),
        _options(since, removed_in, hard_in, compat_in, reason, guide, package, current_version),
    )
    return _Declarer(rule)


def changed_default(
    name: str,
    new: object,
    *,
    since: str,
    changes_in: str,
    hard_in: str | None = None,
    reason: str | None = None,
    guide: str | None = None,
    package: str | None = None,
    current_version: VersionSpec | None = None,
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
    options = _options(since, changes_in, hard_in, None, reason, guide, package, current_version)
    return _Declarer(_ChangedDefault(_name("changed_default", "name", name), new, options))


def deprecated_value(
    name: str,
    value: object,
    *,
    since: str,
    new: object = _M,
    removed_in: str | None = None,
    hard_in: str | None = None,
    compat_in: str | None = None,
    reason: str | None = None,
    guide: str | None = None,
    package: str | None = None,
    current_version: VersionSpec | None = None,
) -> Callable[[_F], _F]:
    """Passing *value* to *name* is deprecated: it warns (and with *new*, the function
    receives *new* instead); from ``removed_in`` it raises ``RemovedValueError`` (also a
    ``ValueError``). Other values are untouched."""
    rule = _Value(
        _name("deprecated_value", "name", name),
        value,
        new,
        _options(since, removed_in, hard_in, compat_in, reason, guide, package, current_version),
    )
    return _Declarer(rule)

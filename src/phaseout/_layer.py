"""The generated layer that applies a function's parameter declarations (see ``parameters``).

One function per decorated function, generated with the function's own parameters (plus the
old keywords it still accepts), so Python binds the arguments and words its errors as it would
for the function itself. Each declaration (a *rule*) adds its checks; a parameter whose
*passing* matters gets a private "not passed" default, and the function's own default is put
back before the call.
"""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType
from typing import Any, Final, Protocol

from . import _codegen, _messages, _wrapping
from ._constructors import copy_aware
from ._declaration import AnyCallable
from ._fastpath import use_marker
from ._hotpath import Declaration


class Rule(Protocol):
    """What the layer needs of a declaration about parameters."""

    decl: Declaration
    moved: tuple[str, ...]  # parameters becoming keyword-only (one rule at most)
    assigned: str | None  # a parameter the rule's checks may assign (a renamed one's new name)

    def emit(self, warn: str, index: int, shape: Shape, src: Source) -> None: ...
    def note(self) -> tuple[str, str]: ...
    def note_version(self) -> str: ...
    def own(self, shape: Shape) -> AnyCallable: ...
    def forward(self, shape: Shape) -> AnyCallable | None: ...


class _NotPassed:
    """The layer's default for a parameter whose passing matters; never reaches the function."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<not passed>"


NOT_PASSED: Final = _NotPassed()


class _Deprecated:
    """The default of a deprecated parameter kept in the ``def`` (see ``renamed_parameter``):
    the function receives it whenever the old parameter's value went elsewhere."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "phaseout.DEPRECATED"

    def __reduce__(self) -> str:
        return "DEPRECATED"  # pickled by reference: the one instance stays the one


# Typed Any so that ``def fit(X, coef: float = DEPRECATED)`` satisfies type checkers.
DEPRECATED: Final[Any] = _Deprecated()


def equal(a: object, b: object) -> bool:
    """``a == b`` as a plain bool, False where comparing fails (arrays, odd ``__eq__``)."""
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b)
    except Exception:
        return False


class Shape:
    """The parameters of the wrapped function, read from its code."""

    def __init__(self, func: Any, keyword_defaults: dict[str, object] | None = None) -> None:
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
        # Defaults of keywords **kwargs takes (a pydantic model's fields): changed_default's.
        self.keyword_defaults: dict[str, object] = dict(keyword_defaults or {})

    def default_of(self, name: str) -> object:
        """The default of *name*, a parameter's or a keyword's (NOT_PASSED: none)."""
        if name in self.defaults:
            return self.defaults[name]
        return self.keyword_defaults.get(name, NOT_PASSED)


class Source:
    """What the rules contribute to the generated layer."""

    def __init__(self, consts: dict[str, object]) -> None:
        self.consts = consts  # the maker's arguments: the layer's closure
        self.watched: set[str] = set()  # parameters whose passing matters: "not passed" default
        self.extra_keywords: list[str] = []  # old names the layer accepts, the function not
        self.restored: set[str] = set()  # watched parameters whose rule puts the default back
        self.body: list[str] = []


class Layer:
    """The generated function that applies every parameter declaration of one function."""

    def __init__(
        self,
        func: Any,
        rules: list[Rule],
        *,
        keyword_defaults: dict[str, object] | None = None,
        copies: bool = False,
    ) -> None:
        self.func = func
        self.rules = rules
        self.flagged = _wrapping.is_flagged(func)
        self.outer = 0  # frames a deprecating wrapper on top adds (see `called_through`)
        self.shape = Shape(func, keyword_defaults)
        self.copies = copies  # a class's constructor, called by copiers too (`replace()`)
        self.warners = [self._warner(rule) for rule in rules]
        self.inner: FunctionType = self._generate()
        self.exposed: Any = (
            _wrapping.FlaggedFunction(func, self.inner) if self.flagged else self.inner
        )
        if not self.flagged:
            _wrapping._copy_metadata(self.inner, func)
            # The layer's own code takes old keywords and "not passed" defaults, which
            # `inspect.getfullargspec` would read (it does not follow __wrapped__): it
            # reads __signature__ first. (A flagged layer exposes the function's code.)
            import inspect

            self.inner.__signature__ = inspect.signature(func)  # type: ignore[attr-defined]
        self.exposed.__doc__ = self._doc()
        setattr(self.exposed, _wrapping.PARAMETER_LAYER, self)

    def _warner(self, rule: Rule) -> AnyCallable:
        # The warner is called by the generated function (and by FlaggedFunction.__call__,
        # and by a deprecating wrapper on top): the caller is that many frames up.
        depth = 2 + self.flagged + self.outer
        own = rule.own(self.shape)
        if self.copies:
            marker = use_marker(rule.decl, own, rule.forward(self.shape), depth + 1)
            return copy_aware(marker, own, depth)
        return use_marker(rule.decl, own, rule.forward(self.shape), depth)

    def called_through(self, frames: int) -> None:
        """A wrapper on top adds *frames* between the caller and this layer."""
        self.outer = frames
        names = self.inner.__globals__
        for index, rule in enumerate(self.rules):
            warner = self._warner(rule)
            self.warners[index] = warner
            # Swapping the name in the layer's own namespace keeps the generated code (and
            # every reference to the function) as it is.
            names[f"{_codegen.PREFIX}w{index}"] = warner

    def _doc(self) -> str | None:
        doc: str | None = self.func.__doc__
        for rule in self.rules:
            directive, text = rule.note()
            reason = rule.decl.reason
            if reason:
                text = f"{text} {reason}"
            doc = _messages.docstring_with_note(doc, rule.note_version(), text, directive)
        return doc

    def _generate(self) -> FunctionType:
        shape = self.shape
        p = _codegen.PREFIX
        consts: dict[str, object] = {f"{p}func": self.func, f"{p}M": NOT_PASSED}
        src = Source(consts)
        for index, rule in enumerate(self.rules):
            consts[f"{p}w{index}"] = self.warners[index]
            rule.emit(f"{p}w{index}()", index, shape, src)
        params, required, restore = self._parameters(src)
        lines = self._lines(src, required, restore)
        source = "\n".join(
            [f"def {p}params({', '.join(params)}):", *(f"    {line}" for line in lines)]
        )
        # The constants are the layer's own globals, not a closure: a global read is
        # specialised by CPython, while free variables are copied into every call's frame.
        generated: FunctionType = _codegen.define(source, dict(consts), f"{p}params")
        _codegen.name_like(generated, self.func)
        return generated

    def _parameters(self, src: Source) -> tuple[list[str], list[str], list[str]]:
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
        return next((r.moved for r in self.rules if r.moved), ())

    def _lines(self, src: Source, required: list[str], restore: list[str]) -> list[str]:
        """The layer's body: the rules' checks, then the call of the function."""
        shape, p, consts = self.shape, _codegen.PREFIX, src.consts
        moved = self._moved()
        for name in {*restore, *src.restored}:
            if name in shape.defaults:
                consts[f"{p}r_{name}"] = shape.defaults[name]
        # The call as the user wrote it, for Python itself to word an argument error (made
        # only when the arguments cannot bind, so the function never runs twice).
        consts[f"{p}recall"] = recall_call
        given = [n for n in shape.positional if n not in moved]
        keywords = ", ".join(f"{n!r}: {n}" for n in (*moved, *shape.keyword_only))
        recall = (
            f"{p}recall({p}func, ({''.join(f'{n}, ' for n in given)}), {{{keywords}}}, "
            f"{shape.var_keyword or 'None'}, "
        )
        assigned = {r.assigned for r in self.rules if r.assigned is not None}
        lines: list[str] = []
        if moved:
            index = next(i for i, r in enumerate(self.rules) if r.moved)
            names = "".join(f"{n}, " for n in moved)
            consts[f"{p}take"] = take_positional
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


def both_error(qualname: str, old: str, new: str) -> Callable[[], TypeError]:
    def error() -> TypeError:
        return TypeError(
            f"{qualname}() got both {old}= and {new}=: {old} is the old name of "
            f"{new}; pass only {new}="
        )

    return error


def take_positional(
    extra: tuple[Any, ...], current: tuple[Any, ...], recall: Callable[[], Any]
) -> tuple[Any, ...]:
    """The keyword-only-to-be parameters, with those passed by position filled in; Python's
    own error when there are too many positional arguments or one is also passed by keyword."""
    if len(extra) > len(current) or any(value is not NOT_PASSED for value in current[: len(extra)]):
        recall()
        raise AssertionError("unreachable: the call above raises")  # pragma: no cover
    return extra + current[len(extra) :]


def recall_call(
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
    first = next((i for i, value in enumerate(args) if value is NOT_PASSED), len(args))
    if first < len(args):
        shape = Shape(func)
        for name, value in zip(shape.positional[first:], args[first:], strict=False):
            if value is not NOT_PASSED and name not in shape.positional_only:
                named[name] = value
    named.update((k, v) for k, v in keywords.items() if v is not NOT_PASSED)
    if more:
        named.update(more)
    result = func(*args[:first], *extra, **named)
    # The arguments bound after all: a bug of ours, said rather than hidden.
    close = getattr(result, "close", None)
    if callable(close) and _wrapping.is_flagged(func):
        close()
    raise TypeError(f"{func.__qualname__}(): phaseout could not bind the arguments")

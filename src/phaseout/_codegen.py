"""Generating functions whose parameters mirror another function's.

The exact-signature call wrapper, argument-mapping adapters (:func:`function`) and the
constructors of data classes need a ``def`` with the same parameters, kinds and default
objects as a given function: Python then binds arguments
(and reports binding errors) exactly as that function would, at native speed, with no
``*args, **kwargs`` packing. Generated code is compiled under a name in this package, so
frame walks treat it as phaseout's own (see ``GENERATED``).
"""

from __future__ import annotations

import os
import sys
from types import CodeType, FunctionType
from typing import Any, Final, NamedTuple

PREFIX: Final = "_phaseout_"

# Code flags (the values of inspect.CO_*, fixed by CPython): importing inspect costs
# milliseconds, and `import phaseout` must stay cheap.
CO_GENERATOR: Final = 0x20
CO_COROUTINE: Final = 0x80
CO_ASYNC_GENERATOR: Final = 0x200
CO_VARARGS: Final = 0x04
CO_VARKEYWORDS: Final = 0x08


class Parameters(NamedTuple):
    """A function's parameter list as source text, and the names of its default slots.

    The defaults are passed to the generated maker as *slots* (positional defaults first,
    then keyword-only defaults in ``__kwdefaults__`` order), so the very default objects
    are shared, never copied or re-evaluated.
    """

    source: str
    slots: tuple[str, ...]
    positional: tuple[str, ...]
    keyword_only: tuple[str, ...]
    var_positional: str | None
    var_keyword: str | None

    @property
    def names(self) -> tuple[str, ...]:
        extra = tuple(name for name in (self.var_positional, self.var_keyword) if name)
        return self.positional + self.keyword_only + extra


def parameter_count(code: CodeType) -> int:
    flags = code.co_flags
    extra = bool(flags & CO_VARARGS) + bool(flags & CO_VARKEYWORDS)
    return code.co_argcount + code.co_kwonlyargcount + extra


def parameters_of(code: CodeType, defaults: int, kw_defaults: tuple[str, ...]) -> Parameters:
    """The parameters of a function with *code*, *defaults* positional defaults and
    keyword-only defaults for the names in *kw_defaults*."""
    return _parameters(
        code.co_varnames,
        code.co_argcount,
        code.co_posonlyargcount,
        code.co_kwonlyargcount,
        code.co_flags,
        defaults,
        kw_defaults,
    )


def placeholders(count: int) -> tuple[str, ...]:
    """Parameter names that no function has (see :func:`clashes`), in order."""
    return tuple(f"{PREFIX}p{index}" for index in range(count))


def placeholder_parameters(
    count: int, argcount: int, posonly: int, kwonly: int, var_flags: int
) -> Parameters:
    """Parameters of this structure, named by :func:`placeholders`, without defaults."""
    return _parameters(placeholders(count), argcount, posonly, kwonly, var_flags, 0, ())


def renamed_constants(consts: tuple[Any, ...], renaming: dict[str, str]) -> tuple[Any, ...]:
    """*consts* with every string in *renaming* replaced, also inside tuples (keyword names
    of calls and of dict displays are string constants)."""
    return tuple(
        renaming.get(const, const)
        if type(const) is str
        else renamed_constants(const, renaming)
        if type(const) is tuple
        else const
        for const in consts
    )


def _parameters(
    names: tuple[str, ...],
    argcount: int,
    posonly: int,
    kwonly: int,
    flags: int,
    defaults: int,
    kw_defaults: tuple[str, ...],
) -> Parameters:
    positional = names[:argcount]
    keyword_only = names[argcount : argcount + kwonly]
    index = argcount + kwonly
    var_positional = names[index] if flags & CO_VARARGS else None
    index += var_positional is not None
    var_keyword = names[index] if flags & CO_VARKEYWORDS else None

    slots: list[str] = []
    text: list[str] = []
    first_default = len(positional) - defaults
    for i, name in enumerate(positional):
        if i >= first_default:
            slots.append(f"{PREFIX}d{i}")
            text.append(f"{name}={slots[-1]}")
        else:
            text.append(name)
        if i + 1 == posonly:
            text.append("/")
    if var_positional is not None:
        text.append(f"*{var_positional}")
    elif keyword_only:
        text.append("*")
    kw_slots = {name: f"{PREFIX}k{i}" for i, name in enumerate(kw_defaults)}
    text += [f"{name}={kw_slots[name]}" if name in kw_slots else name for name in keyword_only]
    slots += kw_slots.values()
    if var_keyword is not None:
        text.append(f"**{var_keyword}")
    return Parameters(
        ", ".join(text), tuple(slots), positional, keyword_only, var_positional, var_keyword
    )


def clashes(names: tuple[str, ...]) -> bool:
    """Whether a parameter name could shadow a name the generated code uses."""
    return any(name.startswith(PREFIX) for name in names)


#: One parameter of a generated function: its name, and the source of its default (None:
#: none): the name of a slot (a parameter of the maker, see :func:`function`) or a literal.
Param = tuple[str, str | None]


def function(
    name: str,
    positional: list[Param],
    keyword_only: list[Param],
    call: str,
    slots: dict[str, Any],
    *,
    positional_only: int = 0,
    convert: Any = None,
    awaiting: bool = False,
) -> FunctionType:
    """``def name(<parameters>): return call``, generated: *call* is the source of one
    expression over the parameters and the *slots* (defaults and constants, passed by
    object, never copied); with *convert*, its result goes through ``convert(...)``, after
    ``await`` when *awaiting* (the function is then ``async``). Parameter names are the
    caller's to check (:func:`clashes`, duplicates)."""
    pieces = [_param(param) for param in positional]
    if positional_only:
        pieces.insert(positional_only, "/")
    if keyword_only:
        pieces += ["*", *(_param(param) for param in keyword_only)]
    result = f"await {call}" if awaiting else call
    slots = dict(slots)
    if convert is not None:
        slots[f"{PREFIX}convert"] = convert
        result = f"{PREFIX}convert({result})"
    source = (
        f"def {PREFIX}make({', '.join(slots)}):\n"
        f"    {'async ' if awaiting else ''}def {name}({', '.join(pieces)}):\n"
        f"        return {result}\n"
        f"    return {name}\n"
    )
    made: FunctionType = define(source, {}, f"{PREFIX}make")(*slots.values())
    return made


def _param(param: Param) -> str:
    name, slot = param
    return name if slot is None else f"{name}={slot}"


def define(source: str, namespace: dict[str, Any], name: str) -> Any:
    """Execute *source* in *namespace* (as phaseout's code) and return what it defines."""
    exec(compile(source, GENERATED, "exec"), namespace)
    return namespace[name]


# The file name of generated code: in phaseout's directory, so frame walks take it for
# phaseout's own, and no file, so a traceback through it shows no line (a real file's line
# of that number would be some unrelated line; the template's, phaseout's private names).
GENERATED: Final = os.path.join(os.path.dirname(os.path.abspath(__file__)), "<generated>")


def named_code(code: CodeType, original: Any) -> CodeType:
    """*code* named like *original*.

    Python names a function in argument errors (``f() got an unexpected keyword argument``)
    from its code: errors must name the function the user called, never generated code.
    """
    renamed: dict[str, Any] = {"co_name": original.__name__}
    if sys.version_info >= (3, 11):
        renamed["co_qualname"] = original.__qualname__
    return code.replace(**renamed)


def name_like(generated: FunctionType, original: Any) -> None:
    """Give *generated* the name and qualified name of *original*, on the code object too."""
    generated.__code__ = named_code(generated.__code__, original)
    generated.__name__ = original.__name__
    generated.__qualname__ = original.__qualname__

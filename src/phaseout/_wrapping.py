"""One way to wrap every kind of callable, keeping what Python and tools know about it.

Functions stay functions (so they bind as methods and pickle by reference), classes stay the
same class object patched in place (so ``isinstance``, subclassing and pickling are
untouched), coroutine and generator functions keep their code flags, and every wrapper
carries ``__wrapped__``, PEP 702's ``__deprecated__`` and ``__phaseout__`` (its declaration).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from types import FunctionType, MethodType
from typing import TYPE_CHECKING, Any, Final

from . import _codegen, _messages
from ._declaration import AnyCallable
from ._fastpath import fast_caller
from ._hotpath import Declaration


def tag(target: Any, decl: Declaration) -> None:
    """Give *target* its declaration and PEP 702's static ``__deprecated__`` text (an inner
    PEP 702 decorator's own, when there was one: what type checkers show)."""
    target.__deprecated__ = decl.static or _messages.deprecated_module_attribute(
        decl.kind, decl.symbol, decl.timeline, decl.replacement
    )
    target.__phaseout__ = decl


def _mark(target: Any, decl: Declaration) -> None:
    tag(target, decl)
    target.__doc__ = _documented(target.__doc__, decl)


def _documented(doc: str | None, decl: Declaration) -> str:
    note = _messages.doc_note(decl.timeline, decl.replacement, decl.reason)
    return _messages.docstring_with_note(doc, str(decl.timeline.texts["since"]), note)


if TYPE_CHECKING:
    import inspect

_FLAGGED_CODE: Final = _codegen.CO_COROUTINE | _codegen.CO_GENERATOR | _codegen.CO_ASYNC_GENERATOR


def is_flagged(func: object) -> bool:
    """Whether calling *func* creates a coroutine, generator or async generator."""
    if type(func) is FunctionType:  # the common case, without inspect's unwrapping
        return bool(func.__code__.co_flags & _FLAGGED_CODE)
    import inspect

    return (
        inspect.iscoroutinefunction(func)
        or inspect.isgeneratorfunction(func)
        or inspect.isasyncgenfunction(func)
    )


class FlaggedFunction:
    """Stands in for a coroutine, generator or async generator function.

    A plain wrapper function would lose the code flags that ``inspect.iscoroutinefunction``
    and friends read, and an ``async def`` wrapper would warn when awaited, not when called.
    This object is "function-like" to ``inspect`` (it exposes the original ``__code__``,
    defaults and annotations), binds as a method, and returns the original's coroutine or
    generator object untouched.
    """

    __code__: Any
    __defaults__: Any
    __kwdefaults__: Any
    __wrapped__: Any
    __name__: str
    __qualname__: str

    def __init__(self, func: Any, call: AnyCallable) -> None:
        functools.update_wrapper(self, func)
        self.__code__ = func.__code__
        self.__defaults__ = func.__defaults__
        self.__kwdefaults__ = func.__kwdefaults__
        self._call = call  # called from __call__: one frame more between it and the caller

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(*args, **kwargs)

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return MethodType(self, instance)

    def __reduce__(self) -> str:
        # Pickle by reference, like the function this stands for.
        return self.__qualname__

    def __repr__(self) -> str:
        return f"<function {self.__qualname__} at {id(self):#x}>"


def wrap_callable(decl: Declaration, func: Any, forward: AnyCallable | None) -> Any:
    """Wrap a plain, coroutine, generator or async generator function."""
    layer = getattr(func, PARAMETER_LAYER, None)
    if is_flagged(func):
        flagged = FlaggedFunction(func, fast_caller(decl, func, forward, depth=2))
        _mark(flagged, decl)
        if layer is not None:
            layer.called_through(2)
        return flagged
    wrapper = fast_caller(decl, func, forward, exact=True)
    _copy_metadata(wrapper, func)
    _mark(wrapper, decl)
    if layer is not None:
        layer.called_through(1)
    return wrapper


# The attribute of a function with deprecated parameters that holds its layer (see
# `phaseout.parameters`), told how many frames a wrapper on top adds before it.
PARAMETER_LAYER: Final = "__phaseout_parameters__"


def _copy_metadata(wrapper: Any, func: Any) -> None:
    """``functools.update_wrapper`` for a function, at half the cost: decoration is paid
    for every declaration at import."""
    if type(func) is not FunctionType:
        functools.update_wrapper(wrapper, func)
        return
    wrapper.__module__ = func.__module__
    wrapper.__name__ = func.__name__
    wrapper.__qualname__ = func.__qualname__
    wrapper.__doc__ = func.__doc__
    wrapper.__annotations__ = func.__annotations__
    if _TYPE_PARAMS:
        wrapper.__type_params__ = func.__type_params__  # type: ignore[attr-defined,unused-ignore]
    wrapper.__dict__.update(func.__dict__)
    wrapper.__wrapped__ = func


_TYPE_PARAMS: Final = "__type_params__" in functools.WRAPPER_ASSIGNMENTS


class DeprecatedProperty(property):
    # A property whose getter, setter and deleter all go through one declaration;
    # `@p.setter` and `@p.deleter` written after the decorator are wrapped too.
    # (No docstring: a class docstring would shadow each instance's own `__doc__`.)

    __phaseout__: Declaration

    def _derive(self, **accessors: Any) -> DeprecatedProperty:
        decl = self.__phaseout__
        wrapped = {
            name: None
            if func is None or _is_wrapped(func, decl)
            else wrap_callable(decl, func, None)
            for name, func in accessors.items()
        }
        merged = {
            "fget": self.fget,
            "fset": self.fset,
            "fdel": self.fdel,
            **{name: wrapped[name] or accessors[name] for name in accessors},
        }
        return make_property(decl, merged["fget"], merged["fset"], merged["fdel"], self.__doc__)

    def getter(self, fget: Callable[[Any], Any], /) -> DeprecatedProperty:
        return self._derive(fget=fget)

    def setter(self, fset: Callable[[Any, Any], None], /) -> DeprecatedProperty:
        return self._derive(fset=fset)

    def deleter(self, fdel: Callable[[Any], None], /) -> DeprecatedProperty:
        return self._derive(fdel=fdel)


def _is_wrapped(func: Any, decl: Declaration) -> bool:
    return getattr(func, "__phaseout__", None) is decl


def make_property(
    decl: Declaration, fget: Any, fset: Any, fdel: Any, doc: str | None
) -> DeprecatedProperty:
    def wrap(func: Any) -> Any:
        if func is None or _is_wrapped(func, decl):
            return func
        return wrap_callable(decl, func, None)

    prop = DeprecatedProperty(wrap(fget), wrap(fset), wrap(fdel), doc)
    # Property subclasses keep their docstring in the instance dict, and some Python
    # versions drop an explicit `doc` argument on the way there.
    prop.__doc__ = doc
    tag(prop, decl)
    return prop


def wrap_property(decl: Declaration, prop: property) -> DeprecatedProperty:
    doc = prop.__doc__
    if not isinstance(prop, DeprecatedProperty):
        doc = _documented(doc, decl)
    return make_property(decl, prop.fget, prop.fset, prop.fdel, doc)


def _class_signature(klass: type) -> inspect.Signature | None:
    """What ``inspect.signature`` must keep reporting for *klass* once it has a ``__new__``
    of phaseout's, whose first parameter is the class (named so as not to clash)."""
    import inspect

    try:
        sig = inspect.signature(klass)
    except (TypeError, ValueError):
        return None
    first = "cls"
    while first in sig.parameters:  # `def __init__(self, cls)` is legal, and seen in the wild
        first = f"_{first}"
    cls = inspect.Parameter(first, inspect.Parameter.POSITIONAL_ONLY)
    return sig.replace(parameters=[cls, *sig.parameters.values()])


# Modules whose code rebuilds existing objects (copy, deepcopy, the pure-Python unpickler,
# copyreg's reconstructors): a class called from there is not being instantiated anew.
_REBUILDERS: Final = frozenset({"copy", "copyreg", "pickle"})


def _rebuilding(frame: Any) -> bool:
    return frame.f_globals.get("__name__") in _REBUILDERS


def _as_method(func: Any, klass: type, name: str, original: object) -> None:
    """Name *func* as *klass*'s method *name*, with *original*'s docstring."""
    func.__name__ = name
    func.__qualname__ = f"{klass.__qualname__}.{name}"
    func.__module__ = klass.__module__
    if original is not None:
        func.__doc__ = getattr(original, "__doc__", None)


def wrap_class(decl: Declaration, klass: type, forward: AnyCallable | None) -> type:
    """Patch *klass* in place: warn on instantiation and on subclassing, nothing else changes.

    A use is an instantiation, ``Cls(...)``: the warning comes from ``__init__``, which
    copying and unpickling do not call (they make the object with ``__new__`` and restore
    its state), so rebuilding existing objects is neither warned nor counted. A class that
    forwards to its replacement decides in ``__new__`` (it returns the replacement's
    instance); there a ``__new__`` called by the standard library's copy and pickle code is
    taken for rebuilding.
    """
    decl.owner = klass
    signature = _class_signature(klass)
    original_new: Any = klass.__new__
    original_init: Any = klass.__init__  # type: ignore[misc]
    own_init_subclass = klass.__dict__.get("__init_subclass__")
    owner: Any = klass

    def construct(cls: type, /, *args: Any, **kwargs: Any) -> Any:
        if original_new is not object.__new__:
            return original_new(cls, *args, **kwargs)
        # What object.__new__ itself checks, which it can no longer do once a class has a
        # __new__ of its own.
        if (args or kwargs) and (
            cls.__init__ is object.__init__  # type: ignore[misc]
            or (cls.__init__ is patched_init and original_init is object.__init__)  # type: ignore[misc]
        ):
            raise TypeError(f"{cls.__name__}() takes no arguments")
        return object.__new__(cls)

    def initialize(self: Any, /, *args: Any, **kwargs: Any) -> None:
        if original_init is object.__init__:
            # object.__init__ ignores the arguments when __new__ is the class's own (and
            # would refuse them now that __init__ is).
            return
        original_init(self, *args, **kwargs)

    forward_new = None
    if forward is not None:
        replacement = forward
        legacy = (
            None
            if signature is None
            else signature.replace(parameters=list(signature.parameters.values())[1:])
        )

        def forward_new(cls: type, /, *args: Any, **kwargs: Any) -> Any:
            if legacy is None:
                return replacement(*args, **kwargs)
            # Bound by the legacy signature, so its defaults reach the replacement.
            bound = legacy.bind(*args, **kwargs)
            bound.apply_defaults()
            return replacement(*bound.args, **bound.kwargs)

    instantiate = fast_caller(decl, construct, forward_new, depth=2)
    initialize_use = fast_caller(decl, initialize, None, depth=2)

    def __new__(cls: type, /, *args: Any, **kwargs: Any) -> Any:
        if cls is klass and forward is not None and not _rebuilding(sys._getframe(1)):
            return instantiate(cls, *args, **kwargs)
        return construct(cls, *args, **kwargs)

    def __init__(self: Any, /, *args: Any, **kwargs: Any) -> None:
        if type(self) is klass and forward is None and not _rebuilding(sys._getframe(1)):
            initialize_use(self, *args, **kwargs)
        else:
            initialize(self, *args, **kwargs)

    patched_init: Any = __init__

    def init_parent(cls: Any, /, *args: Any, **kwargs: Any) -> None:
        if own_init_subclass is not None:
            own_init_subclass.__func__(cls, *args, **kwargs)
        else:
            super(owner, cls).__init_subclass__(*args, **kwargs)

    # Bound by classmethod to each new subclass; called by type.__new__ from the line with
    # the class statement (or from a metaclass, which the caller search skips).
    __init_subclass__ = fast_caller(decl, init_parent, None)
    _as_method(__new__, klass, "__new__", original_new)
    if signature is not None:
        __new__.__signature__ = signature  # type: ignore[attr-defined]
    _as_method(__init_subclass__, klass, "__init_subclass__", None)
    _as_method(__init__, klass, "__init__", original_init)
    __init__.__wrapped__ = original_init  # type: ignore[attr-defined]  # for inspect.signature
    patched: Any = klass  # mypy cannot follow assignments to these special methods
    patched.__new__ = staticmethod(__new__)
    patched.__init__ = __init__
    patched.__init_subclass__ = classmethod(__init_subclass__)
    _mark(klass, decl)
    return klass

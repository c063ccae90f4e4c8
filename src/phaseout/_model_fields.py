"""Deprecated fields of data-model classes: reads and writes of ``obj.old`` are uses.

A data descriptor on the class takes the field's name. It keeps the field's storage (the
instance ``__dict__``, or the slot's own descriptor) or forwards to the new field. The
class's own machinery (the generated ``__init__``, ``__repr__``, ``__eq__``, pickling,
``replace()``/``evolve()``/``asdict()``) reads and writes through it silently: only the
user's code uses a field. pydantic writes through ``BaseModel.__setattr__``, not
descriptors: a model gets a ``__setattr__`` that sees the deprecated names first.
"""

from __future__ import annotations

import sys
from typing import Any, Final

from ._constructors import GENERATED, MACHINERY, is_machinery, is_pydantic, vars_init
from ._declaring import Wording, declare
from ._exceptions import RemovedAttributeError
from ._fastpath import use_marker
from ._hotpath import Declaration

KIND_FIELD: Final = "deprecated field"

_MISSING: Final = object()


def _nothing() -> None:
    return None


_getframe: Final = sys._getframe


def _innermost(func: Any) -> Any:
    """The function under phaseout's layers (the generated ``__init__``)."""
    while hasattr(func, "__wrapped__"):
        func = func.__wrapped__
    return func


class FieldDescriptor:
    """``obj.old``: warns when the user's code reads, writes or deletes it."""

    def __init__(self, owner: type, name: str, new: str | None, options: dict[str, Any]) -> None:
        self.name = name
        self.new = new
        self.original: Any = vars(owner).get(name, _MISSING)  # a default, a slot, pydantic's own
        self.slot = hasattr(type(self.original), "__set__") and not is_pydantic(owner)
        self.init_code = getattr(_innermost(vars_init(owner)), "__code__", None)
        where = f"{owner.__module__}.{owner.__qualname__}"
        symbol = f"{where}.{name}"
        replacement = f"{where}.{new}" if new else None
        advice = f"Use {replacement} instead." if replacement else ""
        self.decl: Declaration = declare(
            symbol,
            KIND_FIELD,
            owner.__module__,
            options,
            Wording(symbol, advice, error=RemovedAttributeError),
            replacement,
        )
        # The user is this many frames up from the marker: called by pydantic's __setattr__
        # or __get__/__set__ (2), by `used` (3), after a generated __setattr__ (4).
        self.mark = use_marker(self.decl, _nothing, None, 2)
        self._mark_direct = use_marker(self.decl, _nothing, None, 3)
        self._mark_through = use_marker(self.decl, _nothing, None, 4)

    def used(self) -> None:
        """A use by the code that wrote or deleted the field, unless that is machinery."""
        frame = _getframe(2)
        code = frame.f_code
        if code.co_name in ("__setattr__", "__delattr__") and code.co_filename.startswith("<"):
            # attrs' generated __setattr__ (validators, converters): its caller decides.
            if not is_machinery(frame.f_back):  # type: ignore[arg-type]
                self._mark_through()
        elif not is_machinery(frame):
            self._mark_direct()

    def __set_name__(self, owner: type, name: str) -> None:
        pass  # named by deprecated_field, not by a class body

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            if self.new is not None:
                return getattr(owner, self.new, self)
            return self if self.original is _MISSING or self.slot else self.original
        # is_machinery(), inlined: a read is the most common use.
        frame = _getframe(1)
        code = frame.f_code
        if not (
            (code.co_name in GENERATED and code.co_filename[:1] == "<")
            or frame.f_globals.get("__name__") in MACHINERY
        ):
            self.mark()
        return self.read(instance)

    def read(self, instance: object) -> Any:
        if self.new is not None:
            return getattr(instance, self.new)
        if self.slot:
            return self.original.__get__(instance, type(instance))
        try:
            return instance.__dict__[self.name]
        except KeyError:
            if self.original is _MISSING:
                raise AttributeError(
                    f"{type(instance).__qualname__!r} object has no attribute {self.name!r}"
                ) from None
            return self.original

    def __set__(self, instance: object, value: Any) -> None:
        # The constructor's own write first, cheaply: one frame read, no machinery lookup.
        if _getframe(1).f_code is not self.init_code:
            self.used()
        if self.new is not None:
            setattr(instance, self.new, value)
        elif self.slot:
            self.original.__set__(instance, value)
        else:
            instance.__dict__[self.name] = value

    def __delete__(self, instance: object) -> None:
        self.used()
        if self.new is not None:
            delattr(instance, self.new)
        elif self.slot:
            self.original.__delete__(instance)
        else:
            try:
                del instance.__dict__[self.name]
            except KeyError:
                raise AttributeError(self.name) from None


def install(owner: type, name: str, new: str | None, options: dict[str, Any]) -> Declaration:
    """Put the descriptor of the deprecated field *name* on *owner* (built)."""
    field = FieldDescriptor(owner, name, new, options)
    if is_pydantic(owner):
        _pydantic_field(owner, field)
    setattr(owner, name, field)
    if field.slot and "__getstate__" not in _own_dicts(owner):
        owner.__getstate__ = _getstate  # type: ignore[attr-defined]
        owner.__setstate__ = _setstate  # type: ignore[attr-defined]
    return field.decl


def _own_dicts(owner: type) -> set[str]:
    return {key for klass in owner.__mro__[:-1] for key in vars(klass)}


def _slot_names(cls: type) -> list[str]:
    names: list[str] = []
    for klass in cls.__mro__:
        slots = vars(klass).get("__slots__", ())
        names += [slots] if isinstance(slots, str) else [s for s in slots if s != "__weakref__"]
    return [n for n in names if n != "__dict__"]


def _getstate(self: object) -> tuple[Any, dict[str, Any]]:
    # What object.__getstate__ gives a class with slots, read here (a frame of this module
    # is machinery) rather than by C code, whose reads the descriptor cannot tell apart.
    slots = {n: getattr(self, n) for n in _slot_names(type(self)) if hasattr(self, n)}
    return (getattr(self, "__dict__", None) or None, slots)


def _setstate(self: object, state: Any) -> None:
    own, slots = state if isinstance(state, tuple) else (state, None)
    if own:
        self.__dict__.update(own)
    for key, value in (slots or {}).items():
        object.__setattr__(self, key, value)


def _pydantic_field(owner: type, field: FieldDescriptor) -> None:
    """Mark the field deprecated in pydantic's schema, and see writes first."""
    info = owner.model_fields.get(field.name)  # type: ignore[attr-defined]
    if info is not None and hasattr(info, "deprecated") and not info.deprecated:
        info.deprecated = field.decl.wording.advice or f"{field.name} is deprecated"
        owner.model_rebuild(force=True)  # type: ignore[attr-defined]
    names: dict[str, FieldDescriptor] | None = vars(owner).get("__phaseout_fields__")
    if names is None:
        names = {}
        original: Any = owner.__setattr__
        getframe = sys._getframe

        def __setattr__(self: Any, name: str, value: Any) -> None:
            deprecated = names.get(name)
            if deprecated is not None:
                if not is_machinery(getframe(1)):
                    deprecated.mark()
                if deprecated.new is not None:
                    name = deprecated.new
            original(self, name, value)

        owner.__phaseout_fields__ = names  # type: ignore[attr-defined]
        owner.__setattr__ = __setattr__  # type: ignore[method-assign,assignment]
    names[field.name] = field

"""A class's constructor, for declarations about what it takes (parameters, fields).

Declarations on a class apply to the constructor its users call: the ``__init__`` that
``dataclasses``, ``attrs`` or the class body made, the ``__new__`` of a ``NamedTuple``, the
``__init__`` a pydantic model inherits. A decorator stacked *below* ``@dataclass`` or
``@attrs.define`` runs before that constructor exists: the class then gets a ``__new__``
that applies the waiting declarations on the first construction (or unpickling), and reports
the constructor's signature, so ``inspect.signature(cls)`` reads the same before and after.
No metaclass, no new class. That ``__new__`` stays, as a plain pass-through: CPython keeps a
class's ``__new__`` slot once one was set, and deleting it would break ``cls(arg)``.
"""

from __future__ import annotations

import sys
import threading
import weakref
from collections.abc import Callable
from types import FrameType
from typing import Any, Final

from ._registry import before_listing

# Modules whose code copies, prints or pickles an object: a deprecated part they pass on or
# read is not a use (``replace()`` passes every field back to the constructor).
MACHINERY: Final = frozenset(
    {
        "attr._funcs",
        "attr._make",
        "attr._next_gen",
        "copy",
        "copyreg",
        "dataclasses",
        "phaseout._model_fields",
        "pickle",
        "pprint",
        "reprlib",
    }
)

# The methods dataclasses and attrs generate (their code's file name starts with "<").
GENERATED: Final = frozenset(
    {
        "__eq__",
        "__ge__",
        "__getstate__",
        "__gt__",
        "__hash__",
        "__init__",
        "__le__",
        "__lt__",
        "__ne__",
        "__post_init__",
        "__repr__",
        "__setstate__",
        "slots_getstate",
        "slots_setstate",
    }
)


def is_machinery(frame: FrameType) -> bool:
    """Whether *frame* is the code of a copier or a generated method, not the user's."""
    code = frame.f_code
    if code.co_name in GENERATED and code.co_filename[:1] == "<":
        return True
    return frame.f_globals.get("__name__") in MACHINERY


Finisher = Callable[[type], None]

_WAITING: Final[weakref.WeakSet[_Pending]] = weakref.WeakSet()


def is_named_tuple(cls: type) -> bool:
    return issubclass(cls, tuple) and "_fields" in vars(cls) and "__new__" in vars(cls)


def is_pydantic(cls: type) -> bool:
    return "__pydantic_fields__" in vars(cls) or (
        "model_fields" in dir(cls) and hasattr(cls, "__pydantic_validator__")
    )


def _built(cls: type) -> bool:
    """Whether *cls* has its constructor: made by a generator that already ran, or its own."""
    own = vars(cls)
    return (
        "__init__" in own
        or "__dataclass_fields__" in own
        or "__attrs_attrs__" in own
        or is_named_tuple(cls)
        or is_pydantic(cls)
    )


def when_built(cls: type, finish: Finisher) -> None:
    """Run *finish(cls)* once *cls* has its constructor: now, or on its first construction."""
    pending = _pending_of(cls)
    if _built(cls):
        if pending is not None:
            pending.finish(cls)  # the declarations below the generator come first
        finish(cls)
        return
    if pending is None:
        pending = _Pending(cls)
        cls.__new__ = pending  # type: ignore[assignment,method-assign]
        _WAITING.add(pending)
    pending.finishers.append(finish)


def settle() -> None:
    """Apply the declarations still waiting for a constructor that exists by now (a
    generator ran after them): ``phaseout.declarations()``, the audit and the fixer then
    list them before any instance was made. The class is found by its qualified name in
    its module, where ``dataclass(slots=True)`` and attrs put the class they make anew."""
    for pending in list(_WAITING):
        module, qualname = pending.where
        target: Any = sys.modules.get(module)
        for part in qualname.split("."):
            target = getattr(target, part, None)
        if isinstance(target, type) and vars(target).get("__new__") is pending and _built(target):
            pending.finish(target)


def _pending_of(cls: type) -> _Pending | None:
    hook = vars(cls).get("__new__")
    return hook if isinstance(hook, _Pending) else None


class _Pending:
    """A class's ``__new__`` until its constructor exists (see the module's docstring).

    A descriptor, so that ``cls.__new__`` (what ``inspect.signature(cls)`` and Python's
    own ``cls(...)`` read) knows the class it is read from: ``dataclass(slots=True)`` and
    attrs copy it into the class they make anew.
    """

    def __init__(self, cls: type) -> None:
        self.finishers: list[Finisher] = []
        self.lock = threading.Lock()
        # Where the class decorated is found (dataclass(slots=True) may make it anew).
        self.where = (cls.__module__, cls.__qualname__)

    def __get__(self, instance: object, cls: type) -> _Construct:
        return _Construct(self, cls)

    def owner(self, cls: type) -> type:
        return next(klass for klass in cls.__mro__ if vars(klass).get("__new__") is self)

    def finish(self, owner: type) -> None:
        with self.lock:
            if vars(owner).get("__new__") is not self:
                return  # another thread finished it
            finishers, self.finishers = self.finishers, []
            _WAITING.discard(self)
            for finish in finishers:
                finish(owner)
            owner.__new__ = staticmethod(_pass_through(owner))  # type: ignore[method-assign]


class _Construct:
    """``cls.__new__`` while declarations wait: finishes them, then constructs."""

    __slots__ = ("cls", "pending")

    def __init__(self, pending: _Pending, cls: type) -> None:
        self.pending, self.cls = pending, cls

    @property
    def __signature__(self) -> Any:
        import inspect

        return inspect.signature(vars_init(self.cls))

    def __call__(self, cls: type, /, *args: Any, **kwargs: Any) -> Any:
        owner = self.pending.owner(cls)
        self.pending.finish(owner)
        return owner.__new__(cls, *args, **kwargs)


def _pass_through(owner: type) -> Any:
    """The ``__new__`` *owner* keeps: the next one's, as if it had none.

    Generated with the parameters of *owner*'s ``__init__`` (no ``*args, **kwargs`` to
    pack: a third of its cost), so it takes what the constructor takes, no more.
    """
    import inspect

    from . import _codegen

    init = vars_init(owner)
    following = super(owner, owner).__new__  # type: ignore[arg-type]
    code = getattr(init, "__code__", None)
    if following is object.__new__ and code is not None and code.co_argcount:
        kw_defaults = tuple(getattr(init, "__kwdefaults__", None) or ())
        defaults = getattr(init, "__defaults__", None) or ()
        parameters = _codegen.parameters_of(code, len(defaults), kw_defaults)
        first = parameters.positional[0]
        slots = ", ".join(parameters.slots)
        source = (
            f"def {_codegen.PREFIX}make({_codegen.PREFIX}new, {slots}):\n"
            f"    def __new__({parameters.source}):\n"
            f"        return {_codegen.PREFIX}new({first})\n"
            f"    return __new__\n"
        )
        make = _codegen.define(source, {}, f"{_codegen.PREFIX}make")
        values = [*defaults, *(init.__kwdefaults__ or {}).values()]
        new = make(following, *values)
        new.__code__ = _codegen.named_code(new.__code__, init)  # errors name __init__
    elif following is object.__new__:

        def new(cls: type, /, *args: Any, **kwargs: Any) -> Any:
            return following(cls)
    else:

        def new(cls: type, /, *args: Any, **kwargs: Any) -> Any:
            return following(cls, *args, **kwargs)

    new.__qualname__ = f"{owner.__qualname__}.__new__"
    new.__module__ = owner.__module__
    new.__signature__ = inspect.signature(init)
    new.__phaseout_pass_through__ = True
    return new


def vars_init(cls: type) -> Any:
    """``cls.__init__``, as the class (not an instance) has it."""
    return getattr(cls, "__init__")  # noqa: B009 (mypy refuses cls.__init__ on a type)


def constructor(cls: type) -> tuple[str, Any]:
    """The attribute name and the function of the constructor *cls*'s users call."""
    name = "__new__" if is_named_tuple(cls) else "__init__"
    func = vars(cls).get(name) if name == "__new__" else vars_init(cls)
    return name, getattr(func, "__func__", func)


def install(cls: type, name: str, func: Any) -> None:
    """Put *func* as *cls*'s constructor *name*."""
    if name == "__new__":
        setattr(cls, name, staticmethod(func))
        if "__reduce__" not in vars(cls):
            # Unpickled and copied through ``_make``, not the constructor: restoring a value
            # is not passing it.
            cls.__reduce__ = _reduce_named_tuple  # type: ignore[assignment,method-assign]
    else:
        setattr(cls, name, func)
        kept = vars(cls).get("__new__")
        if getattr(getattr(kept, "__func__", None), "__phaseout_pass_through__", False):
            cls.__new__ = staticmethod(_pass_through(cls))  # type: ignore[method-assign]


def _reduce_named_tuple(self: tuple[Any, ...]) -> tuple[Any, ...]:
    return (type(self)._make, (tuple(self),))  # type: ignore[attr-defined]


def keyword_defaults(cls: type) -> dict[str, object]:
    """The defaults of the fields a constructor taking ``**data`` accepts (pydantic)."""
    if not is_pydantic(cls):
        return {}
    defaults: dict[str, object] = {}
    for name, info in cls.model_fields.items():  # type: ignore[attr-defined]
        if not info.is_required() and info.default_factory is None:
            defaults[name] = info.default
    return defaults


def copy_aware(marker: Callable[[], Any], own: Callable[[], Any], depth: int) -> Callable[[], Any]:
    """A warner for a constructor: a use from a copier (*depth* frames up) is no use."""
    getframe = sys._getframe

    def warner() -> Any:
        frame = getframe(depth)  # is_machinery(), inlined
        code = frame.f_code
        if (code.co_name in GENERATED and code.co_filename[:1] == "<") or frame.f_globals.get(
            "__name__"
        ) in MACHINERY:
            return own()
        return marker()

    return warner


before_listing(settle)

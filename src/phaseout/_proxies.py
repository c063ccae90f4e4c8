"""``deprecated_proxy``: a module-level object whose every *use* warns, not its lookup.

Where ``deprecated_module_attribute`` and ``moved`` give the real object at the line that reads the
name, some objects are read once (``from mylib import DEFAULT_TIMEOUT`` at import) and used
for years. A proxy stands in for the object and forwards every operation to it: arithmetic
(reflected and in-place), comparisons, hashing, truth, ``len``, iteration, containment, items,
calls, attributes, context managers (sync and async), conversions, ``format``, ``repr`` and
``isinstance`` (through ``__class__``); each operation is a use (not introspection:
``__class__`` and probing an attribute the object lacks) at the line performing it,
with the per-call-site fast path every deprecated API gets. ``copy``, ``deepcopy`` and pickling
give the real object. It is opt-in: ``type(proxy)`` and ``proxy is obj`` still tell.
"""

from __future__ import annotations

import copy
import operator
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar

from ._declaring import TimelineOptions, Wording, declare, timeline_options
from ._exceptions import RemovedAttributeError
from ._fastpath import use_marker
from ._naming import KIND_ATTRIBUTE, identifier

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["deprecated_proxy"]

_T = TypeVar("_T")

# The proxy's slots are read with object.__getattribute__ (its own __getattr__ forwards);
# each method calls the marker, which counts (and warns about) the use two frames up: the
# line that performed the operation.
_USE: Final = "_phaseout_use"
_OBJECT: Final = "_phaseout_object"
_get: Final = object.__getattribute__


def _unary(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def method(self: Any) -> Any:
        return function(_get(self, _USE)())

    return method


def _binary(function: Callable[[Any, Any], Any], reflected: bool = False) -> Callable[..., Any]:
    if reflected:

        def method(self: Any, other: Any) -> Any:
            return function(other, _get(self, _USE)())

    else:

        def method(self: Any, other: Any) -> Any:
            return function(_get(self, _USE)(), other)

    return method


def _forwarded(name: str) -> Callable[..., Any]:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(_get(self, _USE)(), name)(*args, **kwargs)

    method.__name__ = name
    return method


_UNARY: Final[dict[str, Callable[[Any], Any]]] = {
    "__abs__": operator.abs, "__bool__": bool, "__complex__": complex, "__float__": float,
    "__hash__": hash, "__index__": operator.index, "__int__": int, "__invert__": operator.invert,
    "__iter__": iter, "__len__": len, "__neg__": operator.neg, "__pos__": operator.pos,
    "__repr__": repr, "__reversed__": reversed, "__str__": str, "__bytes__": bytes,
    "__dir__": dir, "__next__": next,
}  # fmt: skip
_BINARY: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "matmul": operator.matmul,
    "truediv": operator.truediv, "floordiv": operator.floordiv, "mod": operator.mod,
    "divmod": divmod, "pow": pow, "lshift": operator.lshift, "rshift": operator.rshift,
    "and": operator.and_, "xor": operator.xor, "or": operator.or_,
}  # fmt: skip
_IN_PLACE: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "add": operator.iadd, "sub": operator.isub, "mul": operator.imul,
    "matmul": operator.imatmul, "truediv": operator.itruediv,
    "floordiv": operator.ifloordiv, "mod": operator.imod, "pow": operator.ipow,
    "lshift": operator.ilshift, "rshift": operator.irshift, "and": operator.iand,
    "xor": operator.ixor, "or": operator.ior,
}  # fmt: skip
_COMPARISONS: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "__eq__": operator.eq, "__ne__": operator.ne, "__lt__": operator.lt, "__le__": operator.le,
    "__gt__": operator.gt, "__ge__": operator.ge, "__contains__": operator.contains,
    "__getitem__": operator.getitem, "__delitem__": operator.delitem,
}  # fmt: skip
# Methods called with their own arguments, looked up on the object when used.
_FORWARDED: Final = (
    "__call__", "__enter__", "__exit__", "__aenter__", "__aexit__", "__aiter__", "__anext__",
    "__await__", "__round__", "__trunc__", "__floor__", "__ceil__", "__format__",
    "__fspath__", "__length_hint__", "__setitem__", "__missing__",
)  # fmt: skip


def _in_place(function: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    # `proxy += 1` rebinds the name to what __iadd__ returns: the proxy, now standing in for
    # the result (as wrapt's ObjectProxy does), so later uses still warn.
    def method(self: Any, other: Any) -> Any:
        object.__setattr__(self, _OBJECT, function(_get(self, _USE)(), other))
        return self

    return method


class _Proxy:
    """Stands in for a deprecated object; every operation on it is a use (see module doc)."""

    __slots__ = ("_phaseout_object", "_phaseout_use")

    # Introspection is not a use: `isinstance(proxy, int)` asks __class__ when type() says no,
    # and every tool (pytest's collection, inspect, hypothesis, Sphinx) asks it of every
    # module global, or probes attributes the object does not have.
    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return type(_get(self, _OBJECT))

    def __getattr__(self, name: str) -> Any:
        if not hasattr(_get(self, _OBJECT), name):
            raise AttributeError(
                f"{type(_get(self, _OBJECT)).__name__!r} object has no attribute {name!r}"
            )
        return getattr(_get(self, _USE)(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(_get(self, _USE)(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(_get(self, _USE)(), name)

    def __copy__(self) -> Any:
        return copy.copy(_get(self, _USE)())

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        return copy.deepcopy(_get(self, _USE)(), memo)

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Pickled as the object itself: a proxy is a way of reading it, not data.
        return (_identity, (_get(self, _USE)(),))


def _identity(value: _T) -> _T:
    return value


def _install() -> None:
    namespace = vars(_Proxy)
    methods: dict[str, Callable[..., Any]] = {}
    for name, unary in _UNARY.items():
        methods[name] = _unary(unary)
    for word, binary in _BINARY.items():
        methods[f"__{word}__"] = _binary(binary)
        methods[f"__r{word}__"] = _binary(binary, reflected=True)
    for word, in_place in _IN_PLACE.items():
        methods[f"__i{word}__"] = _in_place(in_place)
    for name, comparison in _COMPARISONS.items():
        methods[name] = _binary(comparison)
    for name in _FORWARDED:
        methods[name] = _forwarded(name)
    for name, method in methods.items():
        if name not in namespace:
            method.__qualname__ = f"_Proxy.{name}"
            setattr(_Proxy, name, method)


_install()


def deprecated_proxy(
    name: str,
    value: _T,
    *,
    replacement: str | None = None,
    **timeline: Unpack[TimelineOptions],
) -> _T:
    """``DEFAULT_TIMEOUT = phaseout.deprecated_proxy("DEFAULT_TIMEOUT", 30, since="2.0")``:
    an object that forwards every operation to *value*, each a use of the module attribute
    *name* (of the calling module; a dotted name as given) at the line performing it. From
    ``removed_in`` every operation raises ``RemovedAttributeError``. Typed as *value*'s type,
    so checkers and IDEs see the object itself.

    Args:
        name: The module attribute's name (of the calling module; a dotted name as given).
        value: The object every operation is forwarded to.
        replacement: What to use instead, named in the message.
        **timeline: ``since``, ``removed_in``, ``hard_in``, ``guide``... as for
            ``phaseout.deprecated`` (``phaseout.typing.TimelineOptions``).

    .. versionadded:: 0.1
    """
    if "." in name:
        if not all(part.isidentifier() for part in name.split(".")):
            raise TypeError(f"phaseout.deprecated_proxy: name must be a dotted name, got {name!r}")
        symbol, module = name, name.rpartition(".")[0]
    else:
        identifier("deprecated_proxy", "name", name)
        module = sys._getframe(1).f_globals.get("__name__") or "__main__"
        symbol = f"{module}.{name}"
    if isinstance(value, _Proxy):
        raise TypeError(f"phaseout.deprecated_proxy: {symbol} is already a proxy")
    decl = declare(
        symbol,
        KIND_ATTRIBUTE,
        module,
        timeline_options("deprecated_proxy", timeline),
        Wording(
            symbol,
            f"Use {replacement} instead." if replacement else "",
            error=RemovedAttributeError,
        ),
        replacement,
    )
    proxy = object.__new__(_Proxy)
    object.__setattr__(proxy, _OBJECT, value)
    # The marker gives what the proxy stands for now (an in-place operation may change it).
    object.__setattr__(proxy, _USE, use_marker(decl, lambda: _get(proxy, _OBJECT), None, 2))
    return proxy  # type: ignore[return-value]

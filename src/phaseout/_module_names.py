"""Module attributes and moved names: ``deprecated_module_attribute`` and ``moved``.

Served by data descriptors on a class made for the module (not a PEP 562 ``__getattr__``,
which costs an ``AttributeError`` raised and cleared per read): the module's own code keeps
reading its globals silently, and an existing ``__getattr__`` (and ``__dir__``) is chained.
"""

from __future__ import annotations

import functools
import importlib
import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Any, Final

from ._declaration import AnyCallable
from ._declaring import TimelineOptions, Wording, declare, timeline_options
from ._exceptions import RemovedAttributeError, RemovedImportError
from ._fastpath import fast_caller
from ._hotpath import Declaration
from ._naming import (
    KIND_ATTRIBUTE,
    KIND_MOVED,
    LOCK,
    caller_instruction_is_import_from,
    dotted,
    identifier,
)
from .phases import Phase

if TYPE_CHECKING:
    from typing_extensions import Unpack


class _Name:
    """A data descriptor on a module's class, serving one deprecated name of that module.

    A data descriptor of the module's type is found before the module's ``__dict__``, with no
    exception raised and caught first (what a PEP 562 ``__getattr__`` costs: ≈ 0.4 µs per
    read), and each name's ``__get__``, ``__set__`` and ``__delete__`` are the same per-call-
    site wrappers a deprecated function gets (on a class made for that name), so a read costs
    what a deprecated call does. The module's own code reads its global directly, silently.
    """

    __slots__ = ("decl", "name", "own")

    def __init__(self, name: str, decl: Declaration, own: Callable[[], Any]) -> None:
        self.name = name
        self.decl = decl
        self.own = own

    def removed(self, reader: FrameType) -> RemovedAttributeError | RemovedImportError:
        """The error for a read of this name once removed, by *reader* (an AttributeError
        raised by ``__get__`` makes Python ask the module's ``__getattr__``, which asks this)."""
        plan = self.decl.plan()
        if plan.removed is None:  # pragma: no cover - only asked once removed
            raise AttributeError(self.name)
        error_type = (
            RemovedImportError
            if caller_instruction_is_import_from(reader)
            else RemovedAttributeError
        )
        return error_type(plan.removed, **plan.details)


def _name_descriptor(name: str, decl: Declaration, own: Callable[[], Any]) -> _Name:
    def get(self: _Name, module: object, owner: type | None = None) -> Any:
        return self if module is None else own()

    def set_(self: _Name, module: ModuleType, value: Any) -> None:
        vars(module)[name] = value

    def delete(self: _Name, module: ModuleType) -> None:
        try:
            del vars(module)[name]
        except KeyError:
            raise AttributeError(name) from None

    served = type(
        f"_Name_{name}",
        (_Name,),
        {
            "__slots__": (),
            "__get__": fast_caller(decl, get, None, exact=True),
            "__set__": fast_caller(decl, set_, None, exact=True),
            "__delete__": fast_caller(decl, delete, None, exact=True),
        },
    )
    served.__module__ = __name__
    descriptor: _Name = served(name, decl, own)
    return descriptor


def _module_dir(module: ModuleType) -> list[str]:
    """``dir(module)``: its own ``__dir__`` or ``__dict__``, and the deprecated names that
    are not removed."""
    namespace = vars(module)
    own_dir = namespace.get("__dir__")
    names = set(own_dir() if callable(own_dir) else namespace)
    for klass in type(module).__mro__:
        for name, value in vars(klass).items():
            if isinstance(value, _Name):
                if value.decl.phase is Phase.REMOVED:
                    names.discard(name)  # a read raises: not offered
                else:
                    names.add(name)
    return sorted(names)


def _served(module_name: object, api: str) -> ModuleType:
    """The module, given its own class (once) on which deprecated names are served."""
    module = sys.modules.get(module_name) if isinstance(module_name, str) else None
    if module is None:
        raise TypeError(
            f"phaseout.{api}: module must be the name of an imported module (pass __name__ "
            f"from the module itself), got {module_name!r}"
        )
    klass = type(module)
    if not vars(klass).get("_phaseout_names", False):
        # A subclass of whatever class the module has (ModuleType, or another library's),
        # made for this module alone; Python supports assigning a module's __class__.
        klass = type(klass.__name__, (klass,), {"_phaseout_names": True, "__dir__": _module_dir})
        klass.__module__ = __name__
        module.__class__ = klass
        namespace = vars(module)
        namespace["__getattr__"] = _removal_getattr(
            klass, module.__name__, namespace.get("__getattr__")
        )
    return module


def _removal_getattr(klass: type, module: str, previous: AnyCallable | None) -> AnyCallable:
    """The module's ``__getattr__``: Python calls it for names the module does not have,
    which for a served name means it was removed; other names go to the module's own
    ``__getattr__``, if it had one."""

    def __getattr__(name: str) -> Any:
        # Looked up without calling the descriptor (which would count a use, and raise).
        served = next((vars(k)[name] for k in klass.__mro__ if name in vars(k)), None)
        if isinstance(served, _Name):
            raise served.removed(sys._getframe(1))
        if previous is not None:
            return previous(name)
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__


def _serve(module: ModuleType, name: str, decl: Declaration, own: Callable[[], Any]) -> None:
    # Declared again (importlib.reload runs the declarations again): the new one serves.
    setattr(type(module), name, _name_descriptor(name, decl, own))


_FROM_MODULE: Final = object()  # deprecated_module_attribute's value: the module's own global


def deprecated_module_attribute(
    module: str,
    name: str,
    value: object = _FROM_MODULE,
    *,
    replacement: str | None = None,
    **timeline: Unpack[TimelineOptions],
) -> None:
    """Deprecate the attribute *name* of *module* (pass ``__name__``).

    Its value is the module's own global *name* (define it as usual, before declaring), or
    *value* when the module does not define it. ``module.name`` and ``from module import
    name`` warn at the reading line and give the value itself; the module's own code reads its
    global without a warning. From ``removed_in`` reads raise ``RemovedAttributeError`` (an
    ``AttributeError``) or, for ``from ... import``, ``RemovedImportError``.

    Args:
        module: The module's name: pass ``__name__`` from the module itself.
        name: The attribute's name.
        value: Its value, when the module does not define it.
        replacement: What to use instead, named in the message.
        **timeline: ``since``, ``removed_in``, ``hard_in``, ``guide``... as for
            ``phaseout.deprecated`` (``phaseout.typing.TimelineOptions``).

    .. versionchanged:: 0.1
       Renamed from ``deprecated_attribute`` (a module's, not a class's); the old name is
       deprecated.
    """
    identifier("deprecated_module_attribute", "name", name)
    with LOCK:
        served = _served(module, "deprecated_module_attribute")
        namespace = vars(served)
        if value is _FROM_MODULE:
            if name not in namespace:
                raise TypeError(
                    f"{module}.{name} is not defined: define it in the module before declaring "
                    f"it deprecated, or pass its value"
                )
        elif name in namespace and not isinstance(vars(type(served)).get(name), _Name):
            raise TypeError(
                f"{module}.{name} is defined in the module and given a value: keep one (the "
                f"module's global is used when no value is passed)"
            )
        else:
            namespace[name] = value
        symbol = f"{module}.{name}"
        advice = f"Use {replacement} instead." if replacement else ""
        decl = declare(
            symbol,
            KIND_ATTRIBUTE,
            module,
            timeline_options("deprecated_module_attribute", timeline),
            Wording(symbol, advice, error=RemovedAttributeError),
            replacement,
        )
        _serve(served, name, decl, functools.partial(namespace.__getitem__, name))


class _Target:
    """A dotted path resolved on first use, so declaring a move imports nothing."""

    __slots__ = ("lock", "old", "path", "resolved")

    def __init__(self, old: str, path: str) -> None:
        self.old = old
        self.path = path
        self.resolved: list[Any] = []
        self.lock = threading.Lock()

    def __call__(self) -> Any:
        resolved = self.resolved
        if resolved:
            return resolved[0]
        found = _resolve(self.path, self.old)
        with self.lock:
            if not resolved:
                resolved.append(found)
        return resolved[0]


def _resolve(path: str, old: str) -> Any:
    module_path, _, attributes = path.partition(":")
    if attributes:
        candidates = [(module_path, attributes.split("."))]
    else:
        parts = path.split(".")
        candidates = [(".".join(parts[:i]), parts[i:]) for i in range(len(parts) - 1, 0, -1)]
    problem: Exception | None = None
    for module_name, rest in candidates:
        try:
            obj: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:  # the target module itself failed to import
                problem = error
                break
            problem = error
            continue
        except Exception as error:
            problem = error
            break
        try:
            for attribute in rest:
                obj = getattr(obj, attribute)
        except AttributeError as error:
            problem = error
            break
        return obj
    raise ImportError(
        f"{old} moved to {path.replace(':', '.')}, which cannot be imported: {problem}"
    ) from problem


def moved(
    module: str,
    name: str,
    target: str,
    **timeline: Unpack[TimelineOptions],
) -> None:
    """``module.name`` now lives at *target* (``"mylib.parsing.parse"``, or
    ``"mylib.parsing:parse"``), maybe under a new name: the old path keeps working, warns at
    the reading line naming the new one, and gives the *same* object. The target is imported on
    first use, never when declaring.

    Args:
        module: The module the name was in: pass ``__name__`` from the module itself.
        name: The old name.
        target: Where it lives now, a dotted path (``"mylib.parsing.parse"``) or
            ``"module:name"``.
        **timeline: ``since``, ``removed_in``, ``hard_in``, ``guide``... as for
            ``phaseout.deprecated`` (``phaseout.typing.TimelineOptions``).

    .. versionadded:: 0.1
    """
    identifier("moved", "name", name)
    dotted("moved", "target", target)
    old = f"{module}.{name}"
    new = target.replace(":", ".")
    if new == old:
        raise ValueError(f"phaseout.moved: {old} cannot move to itself")
    with LOCK:
        served = _served(module, "moved")
        decl = declare(
            old,
            KIND_MOVED,
            module,
            timeline_options("moved", timeline),
            Wording(old, f"Use {new} instead.", error=RemovedAttributeError),
            new,
        )
        _serve(served, name, decl, _Target(old, target))

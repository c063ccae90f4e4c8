"""Deprecate names: module attributes, moved or renamed symbols and modules, class attributes.

Each declaration has the timeline, phases, warnings, strict mode, ``pretend()`` and usage
accounting of ``@phaseout.deprecated``, and gives the *real* object: no proxy, so ``type()``,
``is``, ``isinstance``, ``json.dumps`` and pickling are untouched.

- Module attributes and moved names are served by the module's PEP 562 ``__getattr__``, which
  Python calls only for names the module does not have: reading any other attribute costs
  exactly what it did. An existing ``__getattr__`` (and ``__dir__``) is chained.
- A moved module is an *alias* module (made by an import hook) whose attributes are the new
  module's own objects, read through it with a warning at the reading line.
- Class attributes are data descriptors on the class.
"""

from __future__ import annotations

import functools
import importlib
import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Any, Final

from . import _frames
from ._declaration import AnyCallable
from ._declaring import TimelineOptions, Wording, declare, timeline_options
from ._fastpath import fast_caller
from ._hotpath import Declaration
from .exceptions import RemovedAttributeError, RemovedImportError
from .phases import Phase

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "deprecated_attribute",
    "deprecated_class_attribute",
    "moved",
    "moved_module",
    "renamed_attribute",
]

KIND_ATTRIBUTE: Final = "module attribute"
KIND_MOVED: Final = "moved name"
KIND_MODULE: Final = "moved module"
KIND_CLASS_ATTRIBUTE: Final = "class attribute"

_LOCK: Final = threading.RLock()  # declarations change module and import-system state


def _identifier(api: str, what: str, value: object) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise TypeError(f"phaseout.{api}: {what} must be an identifier, got {value!r}")
    return value


def _dotted(api: str, what: str, value: object) -> str:
    """A dotted path (``mylib.parsing.parse``, or ``mylib.parsing:parse``)."""
    text = value.replace(":", ".", 1) if isinstance(value, str) else ""
    if not text or not all(part.isidentifier() for part in text.split(".")):
        raise ValueError(
            f"phaseout.{api}: {what} must be a dotted path such as 'mylib.parsing.parse', "
            f"got {value!r}"
        )
    return value  # type: ignore[return-value]  # checked above


# -- module attributes and moved names ------------------------------------------------------


_FACTS: Final = (
    "symbol", "package", "phase", "since", "hard_in", "removed_in", "replacement", "guide"
)  # fmt: skip


def _caller_instruction_is_import_from(frame: FrameType) -> bool:
    """Whether *frame* is running ``from module import name`` (its IMPORT_FROM): Python
    turns an AttributeError there into a generic ImportError and drops its message."""
    code = frame.f_code.co_code
    lasti = frame.f_lasti
    return 0 <= lasti < len(code) and code[lasti] == _IMPORT_FROM


def _later_name_of_the_statement(frame: FrameType) -> bool:
    """Whether *frame* is reading the second or a later name of ``from module import A, B``:
    its IMPORT_FROM follows a STORE of the name the previous IMPORT_FROM read."""
    code = frame.f_code.co_code
    lasti = frame.f_lasti
    if not (0 <= lasti < len(code) and code[lasti] == _IMPORT_FROM):
        return False
    store = _previous(code, lasti)
    if store < 0 or code[store] not in _STORES:
        return False
    before = _previous(code, store)
    return before >= 0 and code[before] == _IMPORT_FROM


def _previous(code: bytes, offset: int) -> int:
    """The offset of the instruction before the one at *offset* (-1 at the start): its
    EXTENDED_ARG prefixes belong to it. Neither IMPORT_FROM nor a STORE has cache entries."""
    offset -= 2
    while offset >= 2 and code[offset - 2] == _EXTENDED_ARG:
        offset -= 2
    return offset


def _opcode(name: str) -> int:
    import opcode  # what dis reads its table from, without dis's own imports

    return opcode.opmap[name]


_IMPORT_FROM: Final = _opcode("IMPORT_FROM")
_EXTENDED_ARG: Final = _opcode("EXTENDED_ARG")
_STORES: Final = frozenset(
    _opcode(name) for name in ("STORE_NAME", "STORE_FAST", "STORE_GLOBAL", "STORE_DEREF")
)


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
            if _caller_instruction_is_import_from(reader)
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


_FROM_MODULE: Final = object()  # deprecated_attribute's value: the module's own global


def deprecated_attribute(
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
    """
    _identifier("deprecated_attribute", "name", name)
    with _LOCK:
        served = _served(module, "deprecated_attribute")
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
            timeline_options("deprecated_attribute", timeline),
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
    first use, never when declaring."""
    _identifier("moved", "name", name)
    _dotted("moved", "target", target)
    old = f"{module}.{name}"
    new = target.replace(":", ".")
    if new == old:
        raise ValueError(f"phaseout.moved: {old} cannot move to itself")
    with _LOCK:
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


# -- moved modules --------------------------------------------------------------------------


class _AliasModule(ModuleType):
    """What ``import mylib.old_mod`` gives: the new module's objects, read through it.

    Names the alias does not hold itself (everything but the import system's dunders) are
    read from the new module with a warning at the reading line; writes go to the new module.
    """

    _phaseout_target: ModuleType
    _phaseout_read: AnyCallable
    _phaseout_write: AnyCallable

    def __getattr__(self, name: str) -> Any:
        target = self.__dict__.get("_phaseout_target")
        if target is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        if name.startswith("__") and name.endswith("__"):
            return getattr(target, name)  # the import system and tools probing: not a use
        if _later_name_of_the_statement(sys._getframe(1)):
            # `from old import A, B, C` is one use, warned once, as Python's own module
            # deprecations are: the statement was counted with its first name.
            return getattr(target, name)
        return self._phaseout_read(target, name)

    def __setattr__(self, name: str, value: Any) -> None:
        target = self.__dict__.get("_phaseout_target")
        if target is None or name.startswith("_"):
            super().__setattr__(name, value)
        else:
            self._phaseout_write(target, name, value)

    def __dir__(self) -> list[str]:
        target = self.__dict__.get("_phaseout_target")
        return dir(target) if target is not None else []


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, move: _ModuleMove, new: str) -> None:
        self.move = move
        self.new = new

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        try:
            target = importlib.import_module(self.new)
        except ImportError as error:
            raise ImportError(
                f"{spec.name} moved to {self.new}, which cannot be imported: {error}",
                name=spec.name,
            ) from error
        if hasattr(target, "__path__"):
            spec.submodule_search_locations = []  # a package: its submodules move too
        alias = _AliasModule(spec.name)
        alias.__doc__ = target.__doc__
        object.__setattr__(alias, "_phaseout_read", self.move.read)
        object.__setattr__(alias, "_phaseout_write", self.move.write)
        alias.__dict__["_phaseout_target"] = target
        return alias

    def exec_module(self, module: ModuleType) -> None:
        # The import statement: the first frame outside the import system and phaseout.
        caller = _frames.user_frame(sys._getframe(1))
        # `from old import name` warns when the name is read from the alias (the next
        # instruction); every other form (`import old`, `import old as m`, `from pkg import
        # old`) warns here, at the import statement.
        if not _reads_from(caller, module.__name__):
            self.move.decl.use(self.move.table, _none, None, caller, (), {})


def _none() -> None:
    return None


def _oparg(code: bytes, offset: int) -> int:
    arg = code[offset + 1]
    shift = 8
    while offset >= 2 and code[offset - 2] == _EXTENDED_ARG:
        offset -= 2
        arg |= code[offset + 1] << shift
        shift += 8
    return arg


def _reads_from(frame: FrameType, module: str) -> bool:
    """Whether *frame* is importing *module* to read names from it (``from module import
    x``): its IMPORT_NAME names *module* and is followed by an IMPORT_FROM of another name
    (``import a.b as c`` is IMPORT_NAME ``a.b`` then IMPORT_FROM ``b``, read from ``a``)."""
    code = frame.f_code
    raw = code.co_code
    lasti = frame.f_lasti
    following = lasti + 2  # IMPORT_NAME has no inline cache entries
    if not (lasti >= 0 and following < len(raw)) or raw[following] != _IMPORT_FROM:
        return False
    names = code.co_names
    imported = names[_oparg(raw, lasti)]
    read = names[_oparg(raw, following)]
    return bool(imported == module and read != module.rpartition(".")[2])


class _ModuleMove:
    __slots__ = ("decl", "new", "old", "read", "table", "write")

    def __init__(self, old: str, new: str, decl: Declaration) -> None:
        self.old = old
        self.new = new
        self.decl = decl
        self.table = decl.new_table()
        # Called by _AliasModule.__getattr__/__setattr__, which Python calls from the reader.
        self.read = fast_caller(decl, getattr, None, depth=2)
        self.write = fast_caller(decl, setattr, None, depth=2)


class _MovedModuleFinder(importlib.abc.MetaPathFinder):
    """The import hook for every moved module: ``old`` and its submodules."""

    def __init__(self) -> None:
        self.moves: dict[str, _ModuleMove] = {}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        for old, move in self.moves.items():
            if fullname == old or fullname.startswith(f"{old}."):
                new = move.new + fullname[len(old) :]
                return importlib.machinery.ModuleSpec(fullname, _AliasLoader(move, new))
        return None


_FINDER: Final = _MovedModuleFinder()


def moved_module(
    old: str,
    new: str,
    **timeline: Unpack[TimelineOptions],
) -> None:
    """Module *old* (and its submodules) now lives at *new*: ``import old`` and ``from old
    import X`` keep working, warn at the importing line (and wherever a name is read through
    the old module) naming *new*, and give *new*'s own objects. Declare it in the package
    that owned *old*, before anything imports it; *new* is imported on first use."""
    _dotted("moved_module", "old", old)
    _dotted("moved_module", "new", new)
    if old == new or new.startswith(f"{old}."):
        raise ValueError(f"phaseout.moved_module: {old} cannot move to {new}, inside itself")
    with _LOCK:
        declared = _FINDER.moves.get(old)
        if declared is not None and declared.new != new:
            raise TypeError(
                f"phaseout.moved_module: {old} is already declared moved to {declared.new}"
            )
        if declared is None and old in sys.modules:
            raise TypeError(
                f"phaseout.moved_module: {old} is already imported (delete the module file, "
                f"or declare the move before anything imports it)"
            )
        # Declared again (importlib.reload of the declaring package): the new one serves.
        decl = declare(
            old,
            KIND_MODULE,
            old,
            timeline_options("moved_module", timeline),
            Wording(old, f"Use {new} instead.", error=RemovedImportError),
            new,
        )
        _FINDER.moves[old] = _ModuleMove(old, new, decl)
        if _FINDER not in sys.meta_path:
            sys.meta_path.insert(0, _FINDER)


# -- class attributes -----------------------------------------------------------------------


class _ClassAttribute:
    """A data descriptor: reads, writes and deletes through the old name are uses.

    Once Python names it in a class body, the descriptor gets a class of its own whose
    ``__get__``, ``__set__`` and ``__delete__`` are the per-call-site wrappers a deprecated
    function gets, so a read costs what a deprecated call does.
    """

    _kind_words = "class attribute"

    def __init__(self, options: dict[str, Any], replacement: str | None) -> None:
        self._options = options
        self._replacement = replacement
        self._name = ""
        self._base = type(self)
        self.declaration: Declaration | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        # Called again when a class is made anew from its namespace (dataclass(slots=True)):
        # the declaration then names the class that is kept.
        self._name = name
        self._check(owner, name)
        symbol = f"{owner.__module__}.{owner.__qualname__}.{name}"
        advice = f"Use {self._replacement} instead." if self._replacement else ""
        decl = declare(
            symbol,
            KIND_CLASS_ATTRIBUTE,
            owner.__module__,
            self._options,
            Wording(symbol, advice, error=RemovedAttributeError),
            self._replacement,
        )
        self.declaration = decl
        served = type(
            f"{self._base.__name__}_{name}",
            (self._base,),
            {
                "__get__": fast_caller(decl, self._reader(), None, exact=True),
                "__set__": fast_caller(decl, self._writer(), None, exact=True),
                "__delete__": fast_caller(decl, self._deleter(), None, exact=True),
            },
        )
        served.__module__ = __name__
        self.__class__ = served

    def _check(self, owner: type, name: str) -> None:
        pass

    def _reader(self) -> AnyCallable:
        """``__get__(self, instance, owner=None)``."""
        raise NotImplementedError

    def _writer(self) -> AnyCallable:
        """``__set__(self, instance, value)``."""
        raise NotImplementedError

    def _deleter(self) -> AnyCallable:
        """``__delete__(self, instance)``."""
        raise NotImplementedError

    def _unbound(self) -> AttributeError:
        return AttributeError(
            f"phaseout: a {self._kind_words} must be assigned in a class body, where Python "
            f"names it"
        )

    # Until named in a class body (then the class of its own serves these).
    def __get__(self, instance: object, owner: type | None = None) -> Any:
        raise self._unbound()

    def __set__(self, instance: object, value: Any) -> None:
        raise self._unbound()

    def __delete__(self, instance: object) -> None:
        raise self._unbound()


class _Renamed(_ClassAttribute):
    _kind_words = "renamed_attribute"

    def __init__(self, new: str, options: dict[str, Any]) -> None:
        super().__init__(options, None)
        self._new = new

    def __set_name__(self, owner: type, name: str) -> None:
        self._replacement = f"{owner.__module__}.{owner.__qualname__}.{self._new}"
        super().__set_name__(owner, name)

    def _check(self, owner: type, name: str) -> None:
        if name == self._new:
            raise TypeError(f"{owner.__qualname__}.{name} cannot be renamed to itself")
        slots: list[str] = []
        for klass in owner.__mro__:
            declared = vars(klass).get("__slots__", ())
            slots += [declared] if isinstance(declared, str) else list(declared)
        has_dict = any("__dict__" in vars(klass) for klass in owner.__mro__ if klass is not object)
        if (
            not has_dict
            and self._new not in slots
            and not any(self._new in vars(klass) for klass in owner.__mro__)
        ):
            raise TypeError(
                f"{owner.__qualname__}.{name} is renamed {self._new}, but instances of "
                f"{owner.__qualname__} have __slots__ without {self._new!r} and no __dict__: "
                f"add {self._new!r} to __slots__"
            )

    def _reader(self) -> AnyCallable:
        new = self._new

        def get(self: object, instance: object, owner: type | None = None) -> Any:
            return getattr(owner if instance is None else instance, new)

        return get

    def _writer(self) -> AnyCallable:
        new = self._new

        def set_(self: object, instance: object, value: Any) -> None:
            setattr(instance, new, value)

        return set_

    def _deleter(self) -> AnyCallable:
        new = self._new

        def delete(self: object, instance: object) -> None:
            delattr(instance, new)

        return delete


class _Constant(_ClassAttribute):
    _kind_words = "deprecated_class_attribute"

    def __init__(self, value: object, options: dict[str, Any], replacement: str | None) -> None:
        super().__init__(options, replacement)
        self._value = value

    def _check(self, owner: type, name: str) -> None:
        if "__slots__" in vars(owner) and "__dict__" not in vars(owner):
            raise TypeError(
                f"{owner.__qualname__}.{name}: a deprecated class attribute keeps what is "
                f"assigned to it on an instance in the instance __dict__, which a __slots__ "
                f"class does not have; add '__dict__' to __slots__"
            )

    def _reader(self) -> AnyCallable:
        name, value = self._name, self._value

        def get(self: object, instance: object, owner: type | None = None) -> Any:
            if instance is not None:
                own = getattr(instance, "__dict__", None)
                if own is not None and name in own:
                    return own[name]
            return value

        return get

    def _writer(self) -> AnyCallable:
        name = self._name

        def set_(self: object, instance: object, value: Any) -> None:
            instance.__dict__[name] = value

        return set_

    def _deleter(self) -> AnyCallable:
        name = self._name

        def delete(self: object, instance: object) -> None:
            try:
                del instance.__dict__[name]
            except KeyError:
                raise AttributeError(name) from None

        return delete


def renamed_attribute(
    new: str,
    **timeline: Unpack[TimelineOptions],
) -> Any:
    """In a class body, ``OLD = phaseout.renamed_attribute("new")``: reading, writing and
    deleting ``OLD``, on the class or an instance (and through inheritance), warn at that line
    and go to ``new``; from ``removed_in`` they raise ``RemovedAttributeError``."""
    return _Renamed(
        _identifier("renamed_attribute", "new", new),
        timeline_options("renamed_attribute", timeline),
    )


def deprecated_class_attribute(
    value: object,
    *,
    replacement: str | None = None,
    **timeline: Unpack[TimelineOptions],
) -> Any:
    """In a class body, ``RETRIES = phaseout.deprecated_class_attribute(3)``: reading it warns
    and gives *value* (or what was assigned to it on the instance); from ``removed_in`` it
    raises ``RemovedAttributeError``."""
    return _Constant(
        value,
        timeline_options("deprecated_class_attribute", timeline),
        replacement,
    )

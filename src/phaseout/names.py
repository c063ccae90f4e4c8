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

import importlib
import importlib.abc
import importlib.machinery
import itertools
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType, ModuleType
from typing import Any, Final

from . import _frames
from ._declaring import Wording, declare, timeline_options
from ._hotpath import AnyCallable, Declaration, fast_caller, use_marker
from ._versions import VersionSpec
from .exceptions import RemovedAttributeError, RemovedImportError
from .phases import Phase

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


def _caller_instruction_is_import_from(frame: FrameType) -> bool:
    """Whether *frame* is running ``from module import name`` (its IMPORT_FROM): Python
    turns an AttributeError there into a generic ImportError and drops its message."""
    code = frame.f_code.co_code
    lasti = frame.f_lasti
    return 0 <= lasti < len(code) and code[lasti] == _IMPORT_FROM


def _opcode(name: str) -> int:
    import opcode  # what dis reads its table from, without dis's own imports

    return opcode.opmap[name]


_IMPORT_FROM: Final = _opcode("IMPORT_FROM")
_EXTENDED_ARG: Final = _opcode("EXTENDED_ARG")
# `from package import name` first probes the package with hasattr() in this function of the
# import system, then reads the name: the probe is not a use (it would count and warn twice).
_FROMLIST_PROBE: Final = importlib._bootstrap._handle_fromlist.__code__  # type: ignore[attr-defined]


class _ModuleNames:
    """The deprecated names of one module, served by its ``__getattr__``."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module.__name__
        namespace = vars(module)
        self.previous_getattr: AnyCallable | None = namespace.get("__getattr__")
        self.previous_dir: Callable[[], Sequence[str]] | None = namespace.get("__dir__")
        self.markers: dict[str, Callable[[], Any]] = {}
        self.probes: dict[str, Callable[[], Any]] = {}  # the value, uncounted, unless removed
        self.decls: dict[str, Declaration] = {}
        namespace["__getattr__"] = self._make_getattr()
        namespace["__dir__"] = self._dir

    def _make_getattr(self) -> AnyCallable:
        markers = self.markers
        probes = self.probes
        previous = self.previous_getattr
        module = self.module

        # A plain function, called by Python itself for missing names only: the marker it
        # calls finds the reader two frames up.
        def __getattr__(name: str) -> Any:
            marker = markers.get(name)
            if marker is None:
                if previous is not None:
                    return previous(name)
                raise AttributeError(f"module {module!r} has no attribute {name!r}")
            if sys._getframe(1).f_code is _FROMLIST_PROBE:
                return probes[name]()
            try:
                return marker()
            except RemovedAttributeError as error:
                if _caller_instruction_is_import_from(sys._getframe(1)):
                    facts = {key: getattr(error, key) for key in _FACTS}
                    raise RemovedImportError(str(error), **facts) from None
                raise

        __getattr__.__qualname__ = f"{module}.__getattr__"
        __getattr__._phaseout_names = self  # type: ignore[attr-defined]
        return __getattr__

    def _dir(self) -> list[str]:
        names = set(
            self.previous_dir() if self.previous_dir is not None else vars(sys.modules[self.module])
        )
        names.update(name for name, decl in self.decls.items() if decl.phase is not Phase.REMOVED)
        return sorted(names)

    def add(self, name: str, decl: Declaration, own: AnyCallable) -> None:
        # The marker is called by __getattr__, which Python calls from the reading frame.
        self.markers[name] = use_marker(decl, own, None, 2)
        self.decls[name] = decl

        def probe() -> Any:
            if decl.phase is Phase.REMOVED:
                raise AttributeError(name)  # hasattr() False: the import then says why
            return own()

        self.probes[name] = probe


_FACTS: Final = (
    "symbol", "package", "phase", "since", "hard_in", "removed_in", "replacement", "guide"
)  # fmt: skip


def _names_of(module_name: object, api: str, name: str) -> _ModuleNames:
    module = sys.modules.get(module_name) if isinstance(module_name, str) else None
    if module is None:
        raise TypeError(
            f"phaseout.{api}: module must be the name of an imported module (pass __name__ "
            f"from the module itself), got {module_name!r}"
        )
    namespace = vars(module)
    if name in namespace:
        raise TypeError(
            f"{module.__name__}.{name} is also a real attribute of {module.__name__}, so its "
            f"__getattr__ would never be asked for it (PEP 562) and the deprecation would be "
            f"silent; delete `{name} = ...` from the module: the declaration holds the value"
        )
    current = namespace.get("__getattr__")
    names: _ModuleNames | None = getattr(current, "_phaseout_names", None)
    if names is None:
        names = _ModuleNames(module)
    if name in names.decls:
        raise TypeError(f"{module.__name__}.{name} is already declared deprecated")
    return names


def deprecated_attribute(
    module: str,
    name: str,
    value: object,
    *,
    since: str,
    removed_in: str | None = None,
    hard_in: str | None = None,
    compat_in: str | None = None,
    replacement: str | None = None,
    reason: str | None = None,
    guide: str | None = None,
    package: str | None = None,
    current_version: VersionSpec | None = None,
) -> None:
    """Deprecate the module attribute *name* of *module* (pass ``__name__``), whose value is
    *value*: ``module.name`` and ``from module import name`` warn at the reading line and give
    *value* itself; from ``removed_in`` they raise ``RemovedAttributeError`` (an
    ``AttributeError``) or, for ``from ... import``, ``RemovedImportError``."""
    _identifier("deprecated_attribute", "name", name)
    with _LOCK:
        names = _names_of(module, "deprecated_attribute", name)
        symbol = f"{module}.{name}"
        advice = f"Use {replacement} instead." if replacement else ""
        decl = declare(
            symbol,
            KIND_ATTRIBUTE,
            module,
            timeline_options(
                since, removed_in, hard_in, compat_in, reason, guide, package, current_version
            ),
            Wording(symbol, advice, error=RemovedAttributeError),
            replacement,
        )
        names.add(name, decl, itertools.repeat(value).__next__)


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
    *,
    since: str,
    removed_in: str | None = None,
    hard_in: str | None = None,
    compat_in: str | None = None,
    reason: str | None = None,
    guide: str | None = None,
    package: str | None = None,
    current_version: VersionSpec | None = None,
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
        names = _names_of(module, "moved", name)
        decl = declare(
            old,
            KIND_MOVED,
            module,
            timeline_options(
                since, removed_in, hard_in, compat_in, reason, guide, package, current_version
            ),
            Wording(old, f"Use {new} instead.", error=RemovedAttributeError),
            new,
        )
        names.add(name, decl, _Target(old, target))


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
        if (name.startswith("__") and name.endswith("__")) or (
            sys._getframe(1).f_code is _FROMLIST_PROBE
        ):
            return getattr(target, name)  # the import system and tools probing: not a use
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
    *,
    since: str,
    removed_in: str | None = None,
    hard_in: str | None = None,
    compat_in: str | None = None,
    reason: str | None = None,
    guide: str | None = None,
    package: str | None = None,
    current_version: VersionSpec | None = None,
) -> None:
    """Module *old* (and its submodules) now lives at *new*: ``import old`` and ``from old
    import X`` keep working, warn at the importing line (and wherever a name is read through
    the old module) naming *new*, and give *new*'s own objects. Declare it in the package
    that owned *old*, before anything imports it; *new* is imported on first use."""
    _dotted("moved_module", "old", old)
    _dotted("moved_module", "new", new)
    if old == new or new.startswith(f"{old}."):
        raise ValueError(f"phaseout.moved_module: {old} cannot move to {new}, inside itself")
    if old in sys.modules:
        raise TypeError(
            f"phaseout.moved_module: {old} is already imported (delete the module file, or "
            f"declare the move before anything imports it)"
        )
    with _LOCK:
        if old in _FINDER.moves:
            raise TypeError(f"phaseout.moved_module: {old} is already declared moved")
        decl = declare(
            old,
            KIND_MODULE,
            old,
            timeline_options(
                since, removed_in, hard_in, compat_in, reason, guide, package, current_version
            ),
            Wording(old, f"Use {new} instead.", error=RemovedImportError),
            new,
        )
        _FINDER.moves[old] = _ModuleMove(old, new, decl)
        if _FINDER not in sys.meta_path:
            sys.meta_path.insert(0, _FINDER)


# -- class attributes -----------------------------------------------------------------------


class _ClassAttribute:
    """A data descriptor: reads, writes and deletes through the old name are uses."""

    _kind_words = "class attribute"

    def __init__(self, options: dict[str, Any], replacement: str | None) -> None:
        self._options = options
        self._replacement = replacement
        self._name = ""
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
        # Called from __get__/__set__/__delete__, which Python calls from the reader.
        self._read = fast_caller(decl, self._reader(), None, depth=2)
        self._write = fast_caller(decl, self._writer(), None, depth=2)
        self._delete = fast_caller(decl, self._deleter(), None, depth=2)

    def _check(self, owner: type, name: str) -> None:
        pass

    def _reader(self) -> AnyCallable:
        raise NotImplementedError

    def _writer(self) -> AnyCallable:
        raise NotImplementedError

    def _deleter(self) -> AnyCallable:
        raise NotImplementedError

    def _unbound(self) -> AttributeError:
        return AttributeError(
            f"phaseout: a {self._kind_words} must be assigned in a class body, where Python "
            f"names it"
        )

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if not self._name:
            raise self._unbound()
        return self._read(owner if instance is None else instance)

    def __set__(self, instance: object, value: Any) -> None:
        if not self._name:
            raise self._unbound()
        self._write(instance, value)

    def __delete__(self, instance: object) -> None:
        if not self._name:
            raise self._unbound()
        self._delete(instance)


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
        slots = [
            slot
            for klass in owner.__mro__
            for slot in (
                (klass.__dict__.get("__slots__", ()),)
                if isinstance(klass.__dict__.get("__slots__", ()), str)
                else klass.__dict__.get("__slots__", ())
            )
        ]
        has_dict = any(
            "__dict__" in klass.__dict__ for klass in owner.__mro__ if klass is not object
        )
        if (
            not has_dict
            and self._new not in slots
            and not any(self._new in klass.__dict__ for klass in owner.__mro__)
        ):
            raise TypeError(
                f"{owner.__qualname__}.{name} is renamed {self._new}, but instances of "
                f"{owner.__qualname__} have __slots__ without {self._new!r} and no __dict__: "
                f"add {self._new!r} to __slots__"
            )

    def _reader(self) -> AnyCallable:
        new = self._new
        return lambda obj: getattr(obj, new)

    def _writer(self) -> AnyCallable:
        new = self._new
        return lambda obj, value: setattr(obj, new, value)

    def _deleter(self) -> AnyCallable:
        new = self._new
        return lambda obj: delattr(obj, new)


class _Constant(_ClassAttribute):
    _kind_words = "deprecated_class_attribute"

    def __init__(self, value: object, options: dict[str, Any], replacement: str | None) -> None:
        super().__init__(options, replacement)
        self._value = value

    def _check(self, owner: type, name: str) -> None:
        if "__slots__" in owner.__dict__ and "__dict__" not in owner.__dict__:
            raise TypeError(
                f"{owner.__qualname__}.{name}: a deprecated class attribute keeps what is "
                f"assigned to it on an instance in the instance __dict__, which a __slots__ "
                f"class does not have; add '__dict__' to __slots__"
            )

    def _reader(self) -> AnyCallable:
        name, value = self._name, self._value

        def read(obj: object) -> Any:
            own = getattr(obj, "__dict__", None)
            if own is not None and not isinstance(obj, type) and name in own:
                return own[name]
            return value

        return read

    def _writer(self) -> AnyCallable:
        name = self._name
        return lambda obj, value: obj.__dict__.__setitem__(name, value)

    def _deleter(self) -> AnyCallable:
        name = self._name

        def delete(obj: object) -> None:
            try:
                del obj.__dict__[name]
            except KeyError:
                raise AttributeError(name) from None

        return delete


def renamed_attribute(
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
) -> Any:
    """In a class body, ``OLD = phaseout.renamed_attribute("new")``: reading, writing and
    deleting ``OLD``, on the class or an instance (and through inheritance), warn at that line
    and go to ``new``; from ``removed_in`` they raise ``RemovedAttributeError``."""
    return _Renamed(
        _identifier("renamed_attribute", "new", new),
        timeline_options(
            since, removed_in, hard_in, compat_in, reason, guide, package, current_version
        ),
    )


def deprecated_class_attribute(
    value: object,
    *,
    since: str,
    removed_in: str | None = None,
    hard_in: str | None = None,
    compat_in: str | None = None,
    replacement: str | None = None,
    reason: str | None = None,
    guide: str | None = None,
    package: str | None = None,
    current_version: VersionSpec | None = None,
) -> Any:
    """In a class body, ``RETRIES = phaseout.deprecated_class_attribute(3)``: reading it warns
    and gives *value* (or what was assigned to it on the instance); from ``removed_in`` it
    raises ``RemovedAttributeError``."""
    return _Constant(
        value,
        timeline_options(
            since, removed_in, hard_in, compat_in, reason, guide, package, current_version
        ),
        replacement,
    )

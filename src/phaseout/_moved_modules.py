"""Moved modules: ``moved_module(old, new)``, through an import hook.

``import old`` gives an *alias* module whose attributes are the new module's own objects,
read through it with a warning at the reading line; ``from old import A, B`` warns once, at
the statement. Submodules of a moved package move too.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final

from . import _frames
from ._declaration import AnyCallable
from ._declaring import TimelineOptions, Wording, declare, timeline_options
from ._exceptions import RemovedImportError
from ._fastpath import fast_caller
from ._hotpath import Declaration
from ._naming import KIND_MODULE, LOCK, dotted, later_name_of_the_statement, reads_from

if TYPE_CHECKING:
    from typing_extensions import Unpack


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
        if later_name_of_the_statement(sys._getframe(1)):
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
        if not reads_from(caller, module.__name__):
            self.move.decl.use(self.move.table, _none, None, caller, (), {})


def _none() -> None:
    return None


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
    that owned *old*, before anything imports it; *new* is imported on first use.

    Args:
        old: The module's old dotted name.
        new: Its new dotted name.
        **timeline: ``since``, ``removed_in``, ``hard_in``, ``guide``... as for
            ``phaseout.deprecated`` (``phaseout.typing.TimelineOptions``).

    .. versionadded:: 0.1
    """
    dotted("moved_module", "old", old)
    dotted("moved_module", "new", new)
    if old == new or new.startswith(f"{old}."):
        raise ValueError(f"phaseout.moved_module: {old} cannot move to {new}, inside itself")
    with LOCK:
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

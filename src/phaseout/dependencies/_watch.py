"""``phaseout.watch``: a timeline declared on an API the project does not own.

The declaration is applied when the API's module is imported (wrapt's post-import hooks: at
once if it is imported already, and nothing is imported early), with the machinery of
``@phaseout.deprecated``, so the wrapper keeps the target's behaviour, signature, descriptor
binding, ``isinstance`` and pickling. The phase follows the installed version of the
package that owns the API. By default uses are counted and not shown (production output
does not change); ``show=True`` warns as phaseout's own declarations do. Once the removal
version is installed, a watched API that is still there warns as HARD: it is the
dependency's to remove, and the project's calls must keep working.

A target that cannot be found or wrapped when its module arrives (an upgrade removed it, a C
function) is reported once as a ``SettingsWarning`` and left alone: an import never fails
because of a watch.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from dataclasses import dataclass, field
from types import FunctionType, ModuleType
from typing import TYPE_CHECKING, Any, Final

from .. import _notices
from .._exceptions import SettingsWarning
from .._options import checked_options
from ..decorators import deprecated
from . import _capture

if TYPE_CHECKING:
    from datetime import date

    from .._hotpath import Declaration
    from ..phases import Timeline

_TARGET: Final = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")

# What wrapping a class replaces in its namespace (see `_wrapping.wrap_class`), put back by
# `unwatch`.
_CLASS_SLOTS: Final = (
    "__new__",
    "__init__",
    "__init_subclass__",
    "__deprecated__",
    "__phaseout__",
    "__doc__",
)

_ABSENT: Final = object()
_lock = threading.RLock()
_WATCHES: dict[str, Watch] = {}


@dataclass(eq=False)
class Watch:
    """One watched API: what was declared, and whether it is applied now."""

    target: str
    options: dict[str, Any] = field(repr=False)
    show: bool
    timeline: Timeline
    #: The declaration, once the target's module was imported and the target wrapped.
    declaration: Declaration | None = None
    #: Why the watch is not applied, when it could not be (the target is missing...).
    problem: str | None = None
    cancelled: bool = field(default=False, repr=False)
    _deprecator: Any = field(default=None, repr=False)
    # Where the wrapper went, and what was there before (for unwatch).
    _owner: Any = field(default=None, repr=False)
    _name: str = field(default="", repr=False)
    _before: Any = field(default=None, repr=False)
    _after: Any = field(default=None, repr=False)

    @property
    def applied(self) -> bool:
        return self.declaration is not None

    @property
    def package(self) -> str:
        """The distribution whose installed version decides the phase (``package=``, else
        the one that provides the target's top-level module, else that module's name)."""
        given: str | None = self.options["package"]
        if given:
            return given
        from .. import _versions

        top = self.target.partition(".")[0]
        found = _versions._distributions_of(top)
        return found[0] if found else top


def watch(
    target: str,
    *,
    since: str | date,
    removed_in: str | date | None = None,
    hard_in: str | date | None = None,
    replacement: str | None = None,
    package: str | None = None,
    reason: str | None = None,
    guide: str | None = None,
    show: bool = False,
) -> Watch:
    """Declare a timeline on *target* (``"pandas.DataFrame.append"``: a module-level
    function or class, a method, classmethod, staticmethod or property), owned by another
    library; applied when its module is imported (now, if it is).

    The phase follows the installed version of *package* (default: the distribution that
    provides the target's top-level module). Uses are counted per call site; with
    *show* they also warn as ``@phaseout.deprecated`` does. Watching a target again
    replaces the earlier watch. :func:`unwatch` takes it back.

    Args:
        target: The dotted path of the watched object (``"pandas.DataFrame.append"``).
        since: The version of *package* (or date) from which it is deprecated.
        removed_in: The version of *package* that removes it (what ``phaseout audit
            --watch`` checks an upgrade against).
        hard_in: From this version, the HARD phase.
        replacement: What to use instead, named in messages and reports.
        package: The distribution whose installed version counts.
        reason: Why, appended to the message.
        guide: A URL or text where the migration is explained.
        show: Also warn at each use, as ``@phaseout.deprecated`` does.

    .. versionadded:: 0.1
    """
    made = checked(
        target,
        since=since,
        removed_in=removed_in,
        hard_in=hard_in,
        replacement=replacement,
        package=package,
        reason=reason,
        guide=guide,
        show=show,
    )
    with _lock:
        if target in _WATCHES:
            unwatch(target)
        _WATCHES[target] = made
    _when_imported(made, target.partition(".")[0])
    return made


def checked(target: str, **settings: Any) -> Watch:
    """The watch that ``watch(target, **settings)`` makes, checked, not applied (for tools,
    which must not import the package)."""
    if not (isinstance(target, str) and _TARGET.match(target)):
        raise ValueError(
            f"watch: target must be a dotted path such as 'pandas.DataFrame.append', got {target!r}"
        )
    show = settings.pop("show", False)
    replacement = settings.get("replacement")
    if replacement is not None and not isinstance(replacement, str):
        raise TypeError(
            f"{target}: replacement must be a dotted name such as 'pandas.concat' (the "
            f"watch forwards nothing), got {replacement!r}"
        )
    if not isinstance(show, bool):
        raise TypeError(f"{target}: show must be True or False, got {show!r}")
    deprecator = deprecated(**settings)
    options = deprecator._options
    timeline = checked_options(target, options)[0]  # bad versions refused now, not at import
    options["symbol"] = target
    options["module"] = target.partition(".")[0]
    return Watch(target, options, show, timeline, _deprecator=deprecator)


def unwatch(target: str) -> Watch:
    """Take back the watch of *target*: the original object is put back (``is`` the same).

    Args:
        target: The dotted path given to :func:`watch`.

    .. versionadded:: 0.1
    """
    with _lock:
        made = _WATCHES.pop(target, None)
        if made is None:
            watching = ", ".join(sorted(_WATCHES)) or "nothing"
            raise ValueError(f"unwatch: {target!r} is not watched (watched: {watching})")
        made.cancelled = True
        _restore(made)
    return made


def watched() -> list[Watch]:
    """Every watch in force, applied or waiting for its module."""
    with _lock:
        return list(_WATCHES.values())


def _when_imported(made: Watch, module: str) -> None:
    import wrapt

    def hook(loaded: ModuleType) -> None:
        try:
            _apply(made, loaded)
        except Exception as error:  # an import never fails because of a watch
            _refuse(made, f"{type(error).__name__}: {error}")

    wrapt.register_post_import_hook(hook, module)


def _refuse(made: Watch, why: str) -> None:
    made.problem = f"phaseout.watch({made.target!r}) is not applied: {why}"
    _notices.notice(("watch", made.target, why), made.problem, SettingsWarning)


def _apply(made: Watch, module: ModuleType) -> None:
    with _lock:
        if made.cancelled or made.applied:
            return
        parts = made.target[len(module.__name__) + 1 :].split(".")
        owner: Any = module
        for position, part in enumerate(parts):
            last = position == len(parts) - 1
            if isinstance(owner, ModuleType) and part not in vars(owner):
                submodule = f"{owner.__name__}.{part}"
                if _is_module(submodule):
                    if last:
                        _refuse(made, f"{made.target} is a module; watch its functions/classes")
                    else:  # applied when that submodule is imported
                        _when_imported(made, submodule)
                    return
            if last:
                _wrap(made, owner, part)
                return
            found = getattr(owner, part, _ABSENT)
            if found is _ABSENT:
                _refuse(made, _missing(made, owner, part))
                return
            owner = found


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _missing(made: Watch, owner: Any, name: str) -> str:
    if isinstance(owner, type):
        where = f"{owner.__module__}.{owner.__qualname__}"
    else:
        where = getattr(owner, "__name__", repr(owner))
    return (
        f"{where} has no attribute {name!r} in the installed version (removed already, or "
        f"misspelt?)"
    )


def _raw(owner: Any, name: str) -> Any:
    """The attribute as stored (a classmethod object, not the bound method)."""
    if isinstance(owner, type):
        for klass in owner.__mro__:
            if name in vars(klass):
                return vars(klass)[name]
        return _ABSENT
    return vars(owner).get(name, _ABSENT) if hasattr(owner, "__dict__") else _ABSENT


def _wrap(made: Watch, owner: Any, name: str) -> None:
    raw = _raw(owner, name)
    if raw is _ABSENT:
        _refuse(made, _missing(made, owner, name))
        return
    deprecator = made._deprecator
    if isinstance(raw, type):
        saved = {slot: raw.__dict__.get(slot, _ABSENT) for slot in _CLASS_SLOTS}
        try:
            deprecator(raw)
        except TypeError as error:  # a class that cannot be patched (a C type)
            _put_back_class(raw, saved)
            _refuse(made, str(error))
            return
        made._owner, made._name, made._before, made._after = raw, "", saved, None
        decl = raw.__dict__["__phaseout__"]
    else:
        inner = raw.__func__ if isinstance(raw, (classmethod, staticmethod)) else raw
        if isinstance(raw, property):
            inner = raw.fget or raw.fset or raw.fdel
        if not isinstance(inner, FunctionType):
            _refuse(
                made,
                f"{made.target} is a {type(inner).__name__}, which phaseout cannot wrap (C "
                f"code); phaseout.track_warnings() counts its own warnings, if it issues any",
            )
            return
        wrapper = deprecator(raw)
        before = vars(owner).get(name, _ABSENT)
        try:
            setattr(owner, name, wrapper)
        except (TypeError, AttributeError) as error:
            _refuse(made, f"{made.target} cannot be replaced ({error})")
            return
        made._owner, made._name, made._before, made._after = owner, name, before, wrapper
        decl = _declaration_of(wrapper)
    decl.foreign = True
    decl.quiet = not made.show
    made.declaration = decl
    made.problem = None
    _applied_changed()


def _declaration_of(wrapper: Any) -> Declaration:
    for candidate in (
        wrapper,
        getattr(wrapper, "__func__", None),
        getattr(wrapper, "fget", None),
        getattr(wrapper, "fset", None),
        getattr(wrapper, "fdel", None),
    ):
        decl = getattr(candidate, "__phaseout__", None)
        if decl is not None:
            return decl  # type: ignore[no-any-return]
    raise LookupError(f"no declaration on {wrapper!r}")  # pragma: no cover - wrapping tags it


def _put_back_class(klass: type, saved: dict[str, Any]) -> None:
    for slot, value in saved.items():
        if slot == "__new__" and value is _ABSENT:
            # CPython cannot give a class back its inherited __new__ once one was set (after
            # `del`, object.__new__ refuses the arguments): the wrapper's stays, which only
            # constructs (a watch never forwards), and counts nothing once unwatched.
            continue
        if value is _ABSENT:
            if slot in klass.__dict__:
                delattr(klass, slot)
        elif klass.__dict__.get(slot, _ABSENT) is not value:
            setattr(klass, slot, value)


def _restore(made: Watch) -> None:
    if made.declaration is None:
        return
    if isinstance(made._owner, type) and not made._name:
        _put_back_class(made._owner, made._before)
    elif vars(made._owner).get(made._name, _ABSENT) is made._after:
        if made._before is _ABSENT:
            delattr(made._owner, made._name)
        else:
            setattr(made._owner, made._name, made._before)
    made.declaration = None
    _applied_changed()


def _applied_changed() -> None:
    applied = [each.target for each in _WATCHES.values() if each.applied]
    _capture.WATCHED.clear()
    for target in applied:
        _capture.WATCHED.setdefault(target.partition(".")[0], set()).add(target)
    _capture.reroute(len(applied))

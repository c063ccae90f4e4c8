"""Keeping an old API alive on top of a new implementation.

- :class:`LegacyAdapter`: a class whose public methods are the legacy API, each one a
  deprecation with the class's timeline (or its own, via :func:`legacy`), served by
  ``self.target``, an instance of the new implementation. Everything else is delegated to
  the target, silently: it is the new API.
- :func:`maps`: a legacy method declared as a call to a target method, with arguments
  renamed, dropped or injected and the result converted, without writing a body.
- :func:`renamed_hook`: a base class renames an overridable hook; subclasses that still override
  the old name are warned at their ``class`` statement and keep working.

Every use goes through the same phases, warnings and usage accounting as
``@phaseout.deprecated``, because each legacy method *is* a ``@phaseout.deprecated`` one.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ._adapter_maps import TIMELINE_KEYS, ErrorMap, Mapped, check_mapping, maps, translating
from ._declaring import OWN_RENAMES
from ._exceptions import PhaseoutError
from ._module_names import moved
from ._options import dotted_name
from ._renamed_hooks import renamed_hook
from .decorators import self_serving

if TYPE_CHECKING:
    from datetime import date

__all__ = ["AdapterError", "LegacyAdapter", "legacy", "maps", "renamed_hook"]


_F = TypeVar("_F", bound=Callable[..., Any])


class AdapterError(PhaseoutError, TypeError):
    """An adapter's declarations do not fit its target (raised at class creation)."""


def _public_path(target: type) -> str:
    """Where callers import *target* from: its top-level package when that exports it by
    its own name (``mylib.Store`` for ``mylib.core.Store``), else where it is defined.
    ``target_name=`` says it when the package exports it only later, or elsewhere."""
    top = sys.modules.get(target.__module__.partition(".")[0])
    if "." not in target.__qualname__ and getattr(top, target.__name__, None) is target:
        return f"{top.__name__}.{target.__name__}"  # type: ignore[union-attr]
    return dotted_name(target)


def _function_of(member: Any) -> Any:
    """The function a class member runs: itself, a classmethod's, or a property's getter."""
    if isinstance(member, (classmethod, staticmethod)):
        return member.__func__
    if isinstance(member, property):
        return member.fget or member.fset or member.fdel
    return member


def legacy(
    *,
    since: str | date | None = None,
    compat_in: str | date | None = None,
    hard_in: str | date | None = None,
    removed_in: str | date | None = None,
    replacement: str | None = None,
    reason: str | None = None,
    guide: str | None = None,
    errors: ErrorMap | None = None,
) -> Callable[[_F], _F]:
    """Give one legacy method of a :class:`LegacyAdapter` its own timeline and details.

    Options left out come from the adapter's class keywords. ``replacement`` may name a
    method of the target (``"fetch_users"``); ``errors`` maps exceptions of the new
    implementation to legacy ones (a class, or a callable taking the exception).

    Args:
        since: The first version (or date) in which the method is deprecated.
        compat_in: From this version, the COMPAT phase.
        hard_in: From this version, a ``RemovalWarning``.
        removed_in: From this version, calling the method raises ``RemovedError``.
        replacement: What to use instead: a method of the target, or any dotted name.
        reason: Why, appended to the message.
        guide: A URL or text where the migration is explained.
        errors: Exceptions of the new implementation → legacy ones (a class, or a callable
            taking the exception).

    .. versionadded:: 0.1
    """
    given = {
        "since": since,
        "compat_in": compat_in,
        "hard_in": hard_in,
        "removed_in": removed_in,
        "replacement": replacement,
        "reason": reason,
        "guide": guide,
        "errors": errors,
    }
    options = {name: value for name, value in given.items() if value is not None}

    def mark(member: _F) -> _F:
        func = _function_of(member)
        func.__phaseout_legacy__ = options
        return member

    return mark


class LegacyAdapter:
    """Base of classes that serve an old API from a new implementation.

    ``class ClientV1(LegacyAdapter, target=ClientV2, since="2.0", removed_in="3.0")``: every
    public method, property, classmethod or staticmethod defined in the class body is a
    legacy one, deprecated on the class's timeline (``compat_in``, ``hard_in``,
    ``package``, ``current_version``, ``guide`` and ``reason`` as for
    ``@phaseout.deprecated``). ``ClientV1(existing_v2)`` wraps a target instance;
    ``ClientV1(*args)`` builds ``ClientV2(*args)``. ``self.target`` is the new object, and
    attributes the adapter does not define are the target's.
    """

    __phaseout_adapter__: dict[str, Any]
    target: Any

    def __init_subclass__(
        cls,
        *,
        target: type | None = None,
        target_name: str | None = None,
        errors: ErrorMap | None = None,
        **options: Any,
    ) -> None:
        unknown = set(options) - set(TIMELINE_KEYS)
        if unknown:
            raise TypeError(f"{cls.__qualname__}: unknown class keywords {sorted(unknown)}")
        super().__init_subclass__()
        settings = dict(getattr(cls, "__phaseout_adapter__", {}))
        settings.update({key: value for key, value in options.items() if value is not None})
        if target is not None:
            settings["target"] = target
            settings.pop("target_name", None)  # named for another target
        if target_name is not None:
            if not (
                isinstance(target_name, str)
                and all(part.isidentifier() for part in target_name.split("."))
            ):
                raise TypeError(
                    f"{cls.__qualname__}: target_name must be the dotted path callers import "
                    f"the target by, such as 'mylib.Store', got {target_name!r}"
                )
            settings["target_name"] = target_name
        if errors is not None:
            settings["errors"] = errors
        if not isinstance(settings.get("target"), type) or "since" not in settings:
            raise AdapterError(
                f"{cls.__qualname__}: a LegacyAdapter needs target=<the new class> and "
                f"since=<version> class keywords, got target={settings.get('target')!r}"
            )
        cls.__phaseout_adapter__ = settings
        for name, member in list(vars(cls).items()):
            if name.startswith("_") or name == "target":
                continue
            built = (
                member.build(cls, name, settings["target"])
                if isinstance(member, Mapped)
                else member
            )
            if inspect.isfunction(built) or isinstance(
                built, (classmethod, staticmethod, property)
            ):
                setattr(cls, name, _legacy_member(cls, name, built, settings))
        problems = cls.check()
        if problems:
            raise AdapterError(
                f"{cls.__qualname__} does not fit its target: " + "; ".join(problems)
            )

    @classmethod
    def check(cls) -> list[str]:
        """What in the adapter's declarations does not fit the target class (empty: all)."""
        target = cls.__phaseout_adapter__["target"]
        problems = []
        for name in dir(cls):
            func = _function_of(inspect.getattr_static(cls, name, None))
            func = getattr(func, "__wrapped__", func)
            spec = getattr(func, "__phaseout_maps__", None)
            wanted = getattr(func, "__phaseout_legacy__", {}).get("replacement")
            if spec is not None:
                problems += check_mapping(cls, name, target, spec)
            elif isinstance(wanted, str) and wanted.isidentifier() and not hasattr(target, wanted):
                problems.append(
                    f"{name} names {target.__qualname__}.{wanted} as its replacement, "
                    f"which does not exist"
                )
        return problems

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        target_class = type(self).__phaseout_adapter__["target"]
        if len(args) == 1 and not kwargs and isinstance(args[0], target_class):
            target = args[0]
        else:
            target = target_class(*args, **kwargs)
        object.__setattr__(self, "target", target)

    def __getattr__(self, name: str) -> Any:
        # Only reached when the adapter has no such attribute: the new API, delegated.
        # Special names stay the adapter's (pickle and copy probe for them).
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        try:
            target = self.__dict__["target"]
        except KeyError:
            raise AttributeError(name) from None
        return getattr(target, name)

    def __setattr__(self, name: str, value: Any) -> None:
        # Public attributes the adapter does not define belong to the target; the adapter's
        # own state is private (leading underscore) or declared on the class.
        if name.startswith("_") or name == "target" or hasattr(type(self), name):
            object.__setattr__(self, name, value)
        else:
            setattr(self.target, name, value)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(dir(self.__dict__.get("target"))))

    def __repr__(self) -> str:
        return f"<{type(self).__qualname__} adapter of {self.__dict__.get('target')!r}>"


def _legacy_member(owner: type, name: str, member: Any, settings: dict[str, Any]) -> Any:
    func = _function_of(member)
    own = getattr(func, "__phaseout_legacy__", {})
    options: dict[str, Any] = {key: settings[key] for key in TIMELINE_KEYS if key in settings}
    options.update({key: own[key] for key in TIMELINE_KEYS if key in own})
    target = settings["target"]
    named = settings.get("target_name") or _public_path(target)
    wanted = own.get("replacement")
    spec = getattr(func, "__phaseout_maps__", None)
    if spec is not None:
        wanted = wanted or spec.method
    if isinstance(wanted, str) and wanted.isidentifier() and hasattr(target, wanted):
        options["replacement"] = f"{named}.{wanted}"
    else:
        options["replacement"] = wanted or named
        if not wanted and "reason" not in options:
            # No method of the target to name: say where a caller finds one to call.
            options["reason"] = (
                f"Call its methods on a {target.__name__}; {owner.__name__}(...).target is "
                f"the one an adapter wraps"
            )
    errors = {**settings.get("errors", {}), **own.get("errors", {})}
    if errors and inspect.isfunction(member):
        member = translating(member, errors)
    return self_serving(**options)(member)


# `renamed` read like any rename at the top level; it renames an overridable hook (0.1).
moved(__name__, "renamed", f"{__name__}.renamed_hook", **OWN_RENAMES)

"""Keeping an old API alive on top of a new implementation.

- :class:`LegacyAdapter`: a class whose public methods are the legacy API, each one a
  deprecation with the class's timeline (or its own, via :func:`legacy`), served by
  ``self.target``, an instance of the new implementation. Everything else is delegated to
  the target, silently: it is the new API.
- :func:`maps`: a legacy method declared as a call to a target method, with arguments
  renamed, dropped or injected and the result converted, without writing a body.
- :func:`renamed`: a base class renames an overridable hook; subclasses that still override
  the old name are warned at their ``class`` statement and keep working.

Every use goes through the same phases, warnings and usage accounting as
``@phaseout.deprecated``, because each legacy method *is* a ``@phaseout.deprecated`` one.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Mapping
from types import FunctionType
from typing import Any, Final, TypeVar

from . import _codegen
from .decorators import self_serving
from .exceptions import PhaseoutError

__all__ = ["AdapterError", "LegacyAdapter", "legacy", "maps", "renamed"]

_F = TypeVar("_F", bound=Callable[..., Any])
_TIMELINE: Final = (
    "since",
    "compat_in",
    "hard_in",
    "removed_in",
    "package",
    "current_version",
    "guide",
    "reason",
)
ErrorMap = Mapping[type[BaseException], Callable[[BaseException], BaseException]]


class AdapterError(PhaseoutError, TypeError):
    """An adapter's declarations do not fit its target (raised at class creation)."""


def _dotted(obj: Any) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def _public_path(target: type) -> str:
    """Where callers import *target* from: its top-level package when that exports it by
    its own name (``mylib.Store`` for ``mylib.core.Store``), else where it is defined.
    ``target_name=`` says it when the package exports it only later, or elsewhere."""
    top = sys.modules.get(target.__module__.partition(".")[0])
    if "." not in target.__qualname__ and getattr(top, target.__name__, None) is target:
        return f"{top.__name__}.{target.__name__}"  # type: ignore[union-attr]
    return _dotted(target)


def _function_of(member: Any) -> Any:
    """The function a class member runs: itself, a classmethod's, or a property's getter."""
    if isinstance(member, (classmethod, staticmethod)):
        return member.__func__
    if isinstance(member, property):
        return member.fget or member.fset or member.fdel
    return member


def legacy(
    *,
    since: str | None = None,
    compat_in: str | None = None,
    hard_in: str | None = None,
    removed_in: str | None = None,
    replacement: str | None = None,
    reason: str | None = None,
    guide: str | None = None,
    errors: ErrorMap | None = None,
) -> Callable[[_F], _F]:
    """Give one legacy method of a :class:`LegacyAdapter` its own timeline and details.

    Options left out come from the adapter's class keywords. ``replacement`` may name a
    method of the target (``"fetch_users"``); ``errors`` maps exceptions of the new
    implementation to legacy ones (a class, or a callable taking the exception).
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


class _Mapped:
    """What :func:`maps` declares, until the adapter class builds the method."""

    def __init__(
        self,
        method: str,
        args: Mapping[str, str | None] | None,
        inject: Mapping[str, Any] | None,
        result: Callable[[Any], Any] | None,
        errors: ErrorMap | None,
        timeline: dict[str, Any],
    ) -> None:
        self.method = method
        self.args = dict(args or {})
        self.inject = dict(inject or {})
        self.result = result
        self.errors = errors
        self.timeline = timeline

    def build(self, owner: type, name: str, target: type) -> Callable[..., Any]:
        legacy_method = self._generated(name, target) or self._generic(name)
        legacy_method.__name__ = name
        legacy_method.__qualname__ = f"{owner.__qualname__}.{name}"
        legacy_method.__module__ = owner.__module__
        legacy_method.__doc__ = f"Legacy API: calls ``target.{self.method}`` with mapped arguments."
        options = dict(self.timeline)
        if self.errors is not None:
            options["errors"] = self.errors
        legacy_method.__phaseout_legacy__ = options  # type: ignore[attr-defined]
        legacy_method.__phaseout_maps__ = self  # type: ignore[attr-defined]
        return legacy_method

    def _generic(self, name: str) -> Callable[..., Any]:
        """For targets whose signature cannot be mirrored: renames keywords at each call."""
        method, mapping, inject, convert = self.method, self.args, self.inject, self.result

        def legacy_method(self: Any, /, *args: Any, **kwargs: Any) -> Any:
            call: dict[str, Any] = {}
            for key, value in kwargs.items():
                if key in inject:
                    raise TypeError(f"{name}() got an unexpected keyword argument {key!r}")
                new = mapping.get(key, key)
                if new is None:
                    continue
                if new in call:
                    old = next(o for o, n in mapping.items() if n == new)
                    raise TypeError(f"{name}() got both {old!r} and its new name {new!r}")
                call[new] = value
            call.update(inject)
            out = getattr(self.target, method)(*args, **call)
            return out if convert is None else convert(out)

        return legacy_method

    def _generated(self, name: str, target: type) -> Callable[..., Any] | None:
        """A method with the target method's parameters under their legacy names, calling
        it directly: Python binds the legacy call, nothing is renamed at run time."""
        func = inspect.getattr_static(target, self.method, None)
        if not isinstance(func, FunctionType) or not self.method.isidentifier():
            return None
        code = func.__code__
        defaults = func.__defaults__ or ()
        kw_defaults = func.__kwdefaults__ or {}
        params = _codegen.parameters_of(code, len(defaults), tuple(kw_defaults))
        if not params.positional or params.var_positional or params.var_keyword:
            return None
        reverse = {new: old for old, new in self.args.items() if new is not None}
        slots: dict[str, Any] = {f"_phaseout_i_{key}": value for key, value in self.inject.items()}
        pieces, keyword_pieces, call = ["self"], [], []
        first_default = len(params.positional) - len(defaults)
        for index, new in enumerate(params.positional[1:], start=1):
            positional_only = index < code.co_posonlyargcount
            if new in self.inject:
                if positional_only:
                    return None
                call.append(f"{new}=_phaseout_i_{new}")
                continue
            old = reverse.get(new, new)
            if index >= first_default:
                slots[f"_phaseout_d{index}"] = defaults[index - first_default]
                pieces.append(f"{old}=_phaseout_d{index}")
            else:
                pieces.append(old)
            call.append(old if positional_only else f"{new}={old}")
        if code.co_posonlyargcount:
            pieces.insert(code.co_posonlyargcount, "/")
        for new in params.keyword_only:
            if new in self.inject:
                call.append(f"{new}=_phaseout_i_{new}")
                continue
            old = reverse.get(new, new)
            if new in kw_defaults:
                slots[f"_phaseout_k_{new}"] = kw_defaults[new]
                keyword_pieces.append(f"{old}=_phaseout_k_{new}")
            else:
                keyword_pieces.append(old)
            call.append(f"{new}={old}")
        keyword_pieces += [f"{old}=None" for old, new in self.args.items() if new is None]
        if keyword_pieces:
            pieces += ["*", *keyword_pieces]
        names = [piece.split("=")[0] for piece in pieces if piece not in ("/", "*")]
        if len(set(names)) != len(names) or _codegen.clashes(tuple(names)) or "self" in names[1:]:
            return None
        invoke = f"self.target.{self.method}({', '.join(call)})"
        if self.result is not None:
            invoke = f"_phaseout_convert({invoke})"
        is_async = inspect.iscoroutinefunction(func)
        if is_async and self.result is not None:
            invoke = invoke.replace("_phaseout_convert(", "_phaseout_convert(await ", 1)
        source = (
            f"def _phaseout_make({', '.join([*slots, '_phaseout_convert'])}):\n"
            f"    {'async ' if is_async and self.result is not None else ''}"
            f"def {name}({', '.join(pieces)}):\n"
            f"        return {invoke}\n"
            f"    return {name}\n"
        )
        maker = _codegen.define(source, {}, "_phaseout_make")
        made: Callable[..., Any] = maker(*slots.values(), self.result)
        return made


def maps(
    method: str,
    *,
    args: Mapping[str, str | None] | None = None,
    inject: Mapping[str, Any] | None = None,
    result: Callable[[Any], Any] | None = None,
    errors: ErrorMap | None = None,
    **timeline: Any,
) -> Callable[..., Any]:
    """Declare, in a :class:`LegacyAdapter` body, a legacy method that calls
    ``self.target.<method>``: ``args`` renames (``{"old": "new"}``) or drops
    (``{"old": None}``) keyword arguments (positional ones keep their positions), ``inject``
    adds arguments the legacy API never had, ``result`` converts the new result to the legacy
    form and ``errors`` translates exceptions. Timeline keywords override the adapter's.
    Every name is checked against the target method when the adapter class is created.
    """
    unknown = set(timeline) - set(_TIMELINE)
    if unknown:
        raise TypeError(f"maps() got unexpected options {sorted(unknown)}")
    # Typed as the callable it becomes once the adapter class is created.
    declared: Any = _Mapped(method, args, inject, result, errors, timeline)
    return declared  # type: ignore[no-any-return]


def _translating(func: Any, errors: ErrorMap) -> Any:
    """*func* with exceptions of the new implementation turned into legacy ones."""
    caught = tuple(errors)

    def translate(error: BaseException) -> BaseException:
        for new_type, legacy_type in errors.items():
            if isinstance(error, new_type):
                made: BaseException = (
                    legacy_type(*error.args)
                    if isinstance(legacy_type, type)
                    else legacy_type(error)
                )
                return made
        return error  # pragma: no cover  # caught means one matched

    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_translated(*args: Any, **kwargs: Any) -> Any:
            try:
                return await func(*args, **kwargs)
            except caught as error:
                raise translate(error) from error

        return async_translated

    @functools.wraps(func)
    def translated(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except caught as error:
            raise translate(error) from error

    return translated


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
        unknown = set(options) - set(_TIMELINE)
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
                if isinstance(member, _Mapped)
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
                problems += _check_mapping(cls, name, target, spec)
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
    options: dict[str, Any] = {key: settings[key] for key in _TIMELINE if key in settings}
    options.update({key: own[key] for key in _TIMELINE if key in own})
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
        member = _translating(member, errors)
    return self_serving(**options)(member)


def _check_mapping(owner: type, name: str, target: type, spec: _Mapped) -> list[str]:
    method = getattr(target, spec.method, None)
    if method is None:
        return [f"{name} maps to {target.__qualname__}.{spec.method}, which does not exist"]
    try:
        parameters = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return []
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return []
    accepted = {
        p.name
        for p in parameters.values()
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }
    problems = []
    for old, new in spec.args.items():
        if new is not None and new not in accepted:
            problems.append(
                f"{name} maps {old!r} to {new!r}, which {target.__qualname__}.{spec.method} "
                f"does not accept"
            )
    for injected in spec.inject:
        if injected not in accepted:
            problems.append(
                f"{name} injects {injected!r}, which {target.__qualname__}.{spec.method} "
                f"does not accept"
            )
    return problems


class _RenamedHook:
    """Stands in the class body for the new hook until the class exists (``__set_name__``)."""

    def __init__(self, func: Callable[..., Any], old: str, options: dict[str, Any]) -> None:
        self.func = func
        self.old = old
        self.options = options

    def __set_name__(self, owner: type, name: str) -> None:
        old = self.old
        if old in vars(owner):
            raise TypeError(
                f"{owner.__qualname__} defines both {old} and {name}, which replaces it; "
                f"keep only {name}"
            )
        setattr(owner, name, self.func)
        new_dotted = f"{owner.__module__}.{owner.__qualname__}.{name}"

        def alias(self: Any, /, *args: Any, **kwargs: Any) -> Any:
            return getattr(self, name)(*args, **kwargs)

        alias.__name__ = old
        alias.__qualname__ = f"{owner.__qualname__}.{old}"
        alias.__module__ = owner.__module__
        alias.__doc__ = f"The name of :meth:`{name}` before it was renamed."
        setattr(owner, old, self_serving(**self.options, replacement=new_dotted)(alias))

        def overridden(cls: type) -> None:
            """Called at the class statement of a subclass that overrides the old name."""

        overridden.__name__ = old
        overridden.__qualname__ = f"{owner.__qualname__}.{old}"
        overridden.__module__ = owner.__module__
        notice = self_serving(
            **self.options,
            replacement=new_dotted,
            reason=f"Subclasses must override {name} instead; {owner.__qualname__} "
            f"calls {name}, and reaches an override of {old} only through this alias.",
        )(overridden)
        renames = dict(vars(owner).get("__phaseout_renames__", {}))
        renames[old] = (name, notice)
        owner.__phaseout_renames__ = renames  # type: ignore[attr-defined]
        _install_hook(owner)


def _install_hook(owner: type) -> None:
    if "__phaseout_hooked__" in vars(owner):
        return
    owner.__phaseout_hooked__ = True  # type: ignore[attr-defined]
    parent = vars(owner).get("__init_subclass__")

    def __init_subclass__(cls: type, /, **kwargs: Any) -> None:
        # With renames declared at several levels, each level's hook runs: check once.
        checked = "__phaseout_renames_checked__" in vars(cls)
        cls.__phaseout_renames_checked__ = True  # type: ignore[attr-defined]
        for klass in [] if checked else reversed(cls.__mro__[1:]):
            for old, (new, notice) in vars(klass).get("__phaseout_renames__", {}).items():
                own = vars(cls)
                if old in own and new in own:
                    raise TypeError(
                        f"{cls.__qualname__} overrides both {old} and {new}, the name that "
                        f"replaces it; keep only {new}"
                    )
                if old in own:
                    notice(cls)  # warns at the class statement; raises once removed
                    setattr(cls, new, own[old])
        if parent is not None:
            parent.__func__(cls, **kwargs)
        else:
            super(owner, cls).__init_subclass__(**kwargs)  # type: ignore[arg-type]

    owner.__init_subclass__ = classmethod(__init_subclass__)  # type: ignore[assignment]


def renamed(
    old: str,
    *,
    since: str,
    removed_in: str | None = None,
    hard_in: str | None = None,
    compat_in: str | None = None,
    package: str | None = None,
    current_version: Any = None,
    guide: str | None = None,
) -> Callable[[_F], _F]:
    """Declare that the decorated hook was called *old* before *since*.

    ``obj.<old>(...)`` keeps working (deprecated, served by the new method); a subclass that
    overrides *old* is warned at its ``class`` statement and its override is what the new
    name calls; a subclass that overrides both is a ``TypeError``.
    """
    if not old.isidentifier():
        raise ValueError(f"renamed() needs the old method name, got {old!r}")
    options = {
        "since": since,
        "removed_in": removed_in,
        "hard_in": hard_in,
        "compat_in": compat_in,
        "package": package,
        "current_version": current_version,
        "guide": guide,
    }

    def mark(func: _F) -> _F:
        return _RenamedHook(func, old, options)  # type: ignore[return-value]

    return mark

"""``maps()``: a legacy method declared as a renamed call of the target's method.

Arguments renamed or dropped, values injected, the result converted and errors translated;
every name is checked against the target method when the adapter class is created, and the
method is generated with the legacy parameters, so Python binds and words errors itself.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from types import FunctionType
from typing import Any, Final

from . import _codegen

# The timeline keywords an adapter's class statement, legacy() and maps() take.
TIMELINE_KEYS: Final = (
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


class Mapped:
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
        slots: dict[str, Any] = {}
        positional: list[_codegen.Param] = [("self", None)]
        keyword_only: list[_codegen.Param] = []
        call: list[str] = []
        first_default = len(params.positional) - len(defaults)
        for index, new in enumerate(params.positional[1:], start=1):
            positional_only = index < code.co_posonlyargcount
            if new in self.inject:
                if positional_only:
                    return None
                slots[f"{_codegen.PREFIX}i_{new}"] = self.inject[new]
                call.append(f"{new}={_codegen.PREFIX}i_{new}")
                continue
            old = reverse.get(new, new)
            slot = None
            if index >= first_default:
                slot = f"{_codegen.PREFIX}d{index}"
                slots[slot] = defaults[index - first_default]
            positional.append((old, slot))
            call.append(old if positional_only else f"{new}={old}")
        for new in params.keyword_only:
            if new in self.inject:
                slots[f"{_codegen.PREFIX}i_{new}"] = self.inject[new]
                call.append(f"{new}={_codegen.PREFIX}i_{new}")
                continue
            old = reverse.get(new, new)
            slot = None
            if new in kw_defaults:
                slot = f"{_codegen.PREFIX}k_{new}"
                slots[slot] = kw_defaults[new]
            keyword_only.append((old, slot))
            call.append(f"{new}={old}")
        # A dropped keyword is still accepted (and ignored): the legacy API had it.
        keyword_only += [(old, "None") for old, new in self.args.items() if new is None]
        names = [param_name for param_name, _ in positional + keyword_only]
        if len(set(names)) != len(names) or _codegen.clashes(tuple(names)) or "self" in names[1:]:
            return None
        return _codegen.function(
            name,
            positional,
            keyword_only,
            f"self.target.{self.method}({', '.join(call)})",
            slots,
            positional_only=code.co_posonlyargcount,
            convert=self.result,
            awaiting=inspect.iscoroutinefunction(func) and self.result is not None,
        )


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

    Args:
        method: The target's method that the legacy method calls.
        args: Legacy keyword → the target's keyword (``{"old": "new"}``), or ``None`` to
            drop it.
        inject: Keyword arguments added to every call of the target.
        result: Converts the target's result to the legacy form.
        errors: Exceptions of the new implementation → legacy ones (a class, or a callable
            taking the exception).
        **timeline: ``since``, ``removed_in``, ``hard_in``, ``guide``... as for
            ``phaseout.deprecated`` (``phaseout.typing.TimelineOptions``). Left out: the adapter's.

    .. versionadded:: 0.1
    """
    unknown = set(timeline) - set(TIMELINE_KEYS)
    if unknown:
        raise TypeError(f"maps() got unexpected options {sorted(unknown)}")
    # Typed as the callable it becomes once the adapter class is created.
    declared: Any = Mapped(method, args, inject, result, errors, timeline)
    return declared  # type: ignore[no-any-return]


def translating(func: Any, errors: ErrorMap) -> Any:
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


def check_mapping(owner: type, name: str, target: type, spec: Mapped) -> list[str]:
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

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

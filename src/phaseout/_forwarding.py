"""Forwarded calls with renamed or dropped arguments and a converted result.

``@deprecated(..., replacement=new, compat_in=..., args_map={"old": "new", "gone": None},
result=convert)``: from COMPAT on, a call is bound by the legacy signature (Python does it,
in a generated function with the legacy parameters), then passed on to the replacement under
the new names; ``result`` turns the new result into the legacy one. Every name is checked
against both signatures here, at decoration, so a wrong map fails on import, not on the first
forwarded call months later.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from types import FunctionType
from typing import Any, Final

from . import _codegen

__all__ = ["mapped_forward"]


def _renamer(
    name: str, mapping: Mapping[str, str | None], explicit: frozenset[str]
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Renames the keys of a legacy ``**kwargs`` and refuses an old and new name together."""

    def rename(kwargs: dict[str, Any]) -> dict[str, Any]:
        renamed: dict[str, Any] = {}
        for key, value in kwargs.items():
            new = mapping.get(key, key)
            if new is None:
                continue
            if new in renamed or new in explicit:
                old = next((o for o, n in mapping.items() if n == new), new)
                raise TypeError(f"{name}() got both {old!r} and its new name {new!r}")
            renamed[new] = value
        return renamed

    return rename


def _check_map(symbol: str, args_map: object) -> dict[str, str | None]:
    if not isinstance(args_map, Mapping):
        raise TypeError(
            f"{symbol}: args_map must be a mapping of old to new argument names (None "
            f"drops one), got {args_map!r}"
        )
    for old, new in args_map.items():
        if not (isinstance(old, str) and old.isidentifier()) or not (
            new is None or (isinstance(new, str) and new.isidentifier())
        ):
            raise TypeError(
                f"{symbol}: args_map must map argument names to argument names or None, "
                f"got {old!r}: {new!r}"
            )
    return dict(args_map)


def _target_parameters(replacement: Callable[..., Any]) -> list[inspect.Parameter] | None:
    try:
        return list(inspect.signature(replacement).parameters.values())
    except (TypeError, ValueError):  # a builtin without a signature: nothing to check
        return None


def _check_legacy(symbol: str, legacy: object, result: object) -> FunctionType:
    if result is not None and not callable(result):
        raise TypeError(
            f"{symbol}: result must be a callable converting the new result, got {result!r}"
        )
    if not isinstance(legacy, FunctionType):
        raise TypeError(f"{symbol}: args_map and result apply to functions and methods")
    if result is not None and (
        inspect.isgeneratorfunction(legacy) or inspect.isasyncgenfunction(legacy)
    ):
        raise TypeError(f"{symbol}: result cannot convert what a generator yields; drop result")
    return legacy


def _route(
    symbol: str,
    params: _codegen.Parameters,
    mapping: dict[str, str | None],
    replacement: Callable[..., Any],
) -> tuple[list[str], dict[str, str], list[str]]:
    """Legacy parameters passed by position, new name -> legacy name for the rest, and how
    the positional ones read in the replacement's terms (``city=town``, for guides).

    Every legacy argument reaches the replacement parameter of its own name (or of the name
    *mapping* gives it), its default included, so a forwarded call means what the legacy
    call meant. A legacy parameter goes by position only where the replacement has the same
    name at the same place (``self``, ``cls``, ...) or takes it by position only; everything
    else goes by keyword. A map that would lose, double or misplace an argument fails here.
    """
    named = (*params.positional, *params.keyword_only)
    for old in mapping:
        if old not in named and params.var_keyword is None:
            raise TypeError(
                f"{symbol}: args_map names {old!r}, which {symbol} does not take; "
                f"its parameters are {', '.join(named) or 'none'}"
            )
    target = getattr(replacement, "__qualname__", repr(replacement))
    target_params = _target_parameters(replacement)
    if target_params is None:  # no signature to bind by (some builtins): as the legacy call
        unchecked, keywords = _route_unchecked(symbol, params, mapping)
        return unchecked, keywords, unchecked
    kinds = inspect.Parameter
    slots = [
        p for p in target_params if p.kind in (kinds.POSITIONAL_ONLY, kinds.POSITIONAL_OR_KEYWORD)
    ]
    by_name = {p.name: p for p in target_params if p.kind not in _VARIADIC}
    takes_any_keyword = any(p.kind is kinds.VAR_KEYWORD for p in target_params)
    # A leading run that lines up name for name goes by position: binding by position and by
    # name agree there.
    positional: list[str] = []
    for index, name in enumerate(params.positional):
        if index >= len(slots) or mapping.get(name, name) != slots[index].name:
            break
        positional.append(name)
    # new name -> legacy name: by position so far, then by keyword (``routes``).
    lined_up = {slot.name: name for slot, name in zip(slots, positional, strict=False)}
    routes: dict[str, str] = {}
    for name in named[len(positional) :]:
        new = mapping.get(name, name)
        if new is None:
            continue
        first = routes.get(new) or lined_up.get(new)
        if first is not None:
            raise TypeError(
                f"{symbol}: {first!r} and {name!r} would both be passed to the "
                f"replacement {target} as {new!r}; map or drop one of them in args_map"
            )
        if new not in by_name and not takes_any_keyword:
            via = f" (args_map: {name!r} -> {new!r})" if name in mapping else ""
            raise TypeError(
                f"{symbol}: the replacement {target} has no parameter {new!r}{via}; map "
                f"{name!r} to one of its parameters, or drop it with {{{name!r}: None}}"
            )
        routes[new] = name
    _place_positional_only(symbol, target, slots, positional, routes)
    if params.var_positional:
        _check_var_positional(symbol, target, params, target_params, slots, positional)
    fed = {slot.name for slot in slots[: len(positional)]} | set(routes)
    for param in target_params:
        if param.kind in _VARIADIC or param.default is not kinds.empty or param.name in fed:
            continue
        if params.var_keyword is not None and param.kind is not kinds.POSITIONAL_ONLY:
            continue  # the legacy **kwargs may pass it
        raise TypeError(
            f"{symbol}: the replacement {target} requires {param.name!r}, which no parameter "
            f"of {symbol} is passed to; name a legacy parameter {param.name!r} or map one to "
            f"it in args_map ({{'old_name': {param.name!r}}})"
        )
    shown = [
        name if slot.name == name or slot.kind is kinds.POSITIONAL_ONLY else f"{slot.name}={name}"
        for slot, name in zip(slots[: len(positional)], positional, strict=True)
    ]
    return positional, routes, shown


_VARIADIC: Final = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


def _route_unchecked(
    symbol: str, params: _codegen.Parameters, mapping: dict[str, str | None]
) -> tuple[list[str], dict[str, str]]:
    """A replacement whose signature cannot be read gets the legacy positional arguments by
    position, the keyword-only ones by (mapped) name: nothing can be renamed by position."""
    for name in params.positional:
        if name in mapping:
            raise TypeError(
                f"{symbol}: the replacement's signature cannot be read, so {name!r} cannot "
                f"be renamed; forward to a function with a signature"
            )
    routes: dict[str, str] = {}
    for name in params.keyword_only:
        new = mapping.get(name, name)
        if new is not None:
            routes[new] = name
    return list(params.positional), routes


def _check_var_positional(
    symbol: str,
    target: str,
    params: _codegen.Parameters,
    target_params: list[inspect.Parameter],
    slots: list[inspect.Parameter],
    positional: list[str],
) -> None:
    """Extra positional arguments (legacy ``*args``) reach the replacement's ``*args`` after
    the same parameters in the same places, or they would land in parameters by position."""
    lined_up = len(positional) == len(params.positional) == len(slots)
    if not lined_up or not any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in target_params):
        wanted = ", ".join([*positional, f"*{params.var_positional}"])
        raise TypeError(
            f"{symbol}: takes *{params.var_positional}, so the replacement {target} must take "
            f"the same positional parameters in the same order, then *args ({wanted}); its "
            f"own are ({', '.join(str(p) for p in target_params)})"
        )


def _place_positional_only(
    symbol: str,
    target: str,
    target_params: list[inspect.Parameter],
    positional: list[str],
    routes: dict[str, str],
) -> None:
    """Move routes to the replacement's positional-only parameters into *positional*, and
    refuse a route to a parameter that already receives an argument by position."""
    kinds = inspect.Parameter
    slots = [
        p for p in target_params if p.kind in (kinds.POSITIONAL_ONLY, kinds.POSITIONAL_OR_KEYWORD)
    ]
    for index, param in enumerate(slots):
        if index < len(positional):
            if param.name in routes:
                raise TypeError(
                    f"{symbol}: {routes[param.name]!r} is mapped to {param.name!r}, which the "
                    f"replacement {target} already receives from {positional[index]!r} by "
                    f"position; map {positional[index]!r} to another parameter or drop one"
                )
            continue
        if param.kind is not kinds.POSITIONAL_ONLY:
            break
        if param.name in routes:
            positional.append(routes.pop(param.name))
            continue
        later = [p.name for p in slots[index + 1 :] if p.kind is kinds.POSITIONAL_ONLY]
        reached = [name for name in later if name in routes]
        if reached:
            raise TypeError(
                f"{symbol}: the replacement {target} takes {reached[0]!r} by position only, "
                f"after {param.name!r}, which no legacy parameter is mapped to; map one to "
                f"{param.name!r}"
            )
        break


def _check_extra(
    symbol: str,
    args_extra: object,
    replacement: Callable[..., Any],
    positional: list[str],
    routes: dict[str, str],
) -> dict[str, Any]:
    """Fixed keyword arguments for the replacement: names it takes and no legacy argument
    already reaches."""
    if args_extra is None:
        return {}
    if not isinstance(args_extra, Mapping) or not all(
        isinstance(name, str) and name.isidentifier() for name in args_extra
    ):
        raise TypeError(
            f"{symbol}: args_extra must be a mapping of the replacement's keyword names to "
            f"fixed values, such as {{'backend': 'v1'}}, got {args_extra!r}"
        )
    target = getattr(replacement, "__qualname__", repr(replacement))
    target_params = _target_parameters(replacement)
    by_name = {p.name: p for p in target_params or ()}
    takes_any_keyword = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in by_name.values())
    # What the legacy arguments already reach: by position (names lined up), by keyword.
    fed = {**dict(zip(positional, positional, strict=True)), **routes}
    for name in args_extra:
        if name in fed:
            raise TypeError(
                f"{symbol}: args_extra sets {name!r}, which the replacement {target} already "
                f"receives from {fed[name]!r}; drop one of them"
            )
        if target_params is None:
            continue
        param = by_name.get(name)
        if param is None and not takes_any_keyword:
            raise TypeError(
                f"{symbol}: args_extra sets {name!r}, which the replacement {target} does not "
                f"take; its parameters are {', '.join(by_name) or 'none'}"
            )
        if param is not None and param.kind in (*_VARIADIC, inspect.Parameter.POSITIONAL_ONLY):
            raise TypeError(
                f"{symbol}: args_extra sets {name!r}, which the replacement {target} does not "
                f"take by keyword; name a keyword parameter"
            )
    return dict(args_extra)


def mapped_forward(
    symbol: str,
    legacy: object,
    replacement: Callable[..., Any],
    args_map: object,
    result: object,
    args_extra: object = None,
) -> Callable[..., Any]:
    """A callable taking the legacy arguments and calling *replacement* with mapped ones
    (and the fixed keyword arguments *args_extra*)."""
    mapping = _check_map(symbol, args_map if args_map is not None else {})
    func = _check_legacy(symbol, legacy, result)
    defaults = func.__defaults__ or ()
    kw_defaults = func.__kwdefaults__ or {}
    params = _codegen.parameters_of(func.__code__, len(defaults), tuple(kw_defaults))
    if _codegen.clashes(params.names):
        raise TypeError(f"{symbol}: parameters named _phaseout_* cannot be forwarded with args_map")
    positional, keywords, shown = _route(symbol, params, mapping, replacement)
    call = [*positional]
    if params.var_positional:
        call.append(f"*{params.var_positional}")
    call += [f"{new}={old}" for new, old in keywords.items()]
    extra = _check_extra(symbol, args_extra, replacement, positional, keywords)
    if extra:
        call.append("**_phaseout_extra")
    namespace: dict[str, Any] = {
        "_phaseout_target": replacement,
        "_phaseout_result": result,
        "_phaseout_extra": extra,
    }
    if params.var_keyword:
        passed = frozenset(keywords) | set(extra) | {mapping.get(n) or n for n in positional}
        namespace["_phaseout_rename"] = _renamer(func.__name__, mapping, passed)
        call.append(f"**_phaseout_rename({params.var_keyword})")
    invoke = f"_phaseout_target({', '.join(call)})"
    # An async legacy function returns a coroutine: one that awaits a converted result, or
    # that returns a sync replacement's result (an async replacement's coroutine is returned
    # as it is).
    is_async = inspect.iscoroutinefunction(func) and (
        result is not None or not inspect.iscoroutinefunction(replacement)
    )
    if result is not None:
        awaited = is_async and inspect.iscoroutinefunction(replacement)
        invoke = f"_phaseout_result({'await ' if awaited else ''}{invoke})"
    name = func.__name__ if func.__name__.isidentifier() else "forward"
    source = (
        f"def _phaseout_make({', '.join(params.slots)}):\n"
        f"    {'async ' if is_async else ''}def {name}({params.source}):\n"
        f"        return {invoke}\n"
        f"    return {name}\n"
    )
    forward: FunctionType = _codegen.define(source, namespace, "_phaseout_make")(
        *defaults, *kw_defaults.values()
    )
    _codegen.name_like(forward, func)
    # How the replacement is called, for migration guides (``phaseout guide``).
    forward.__phaseout_call__ = ", ".join(  # type: ignore[attr-defined]
        [
            *shown,
            *(f"{new}={old}" for new, old in keywords.items()),
            *(f"{name}={value!r}" for name, value in extra.items()),
        ]
    )
    # What ``phaseout fix`` needs to rewrite a legacy call as a call of the replacement: the
    # argument names it maps, and whether the result is reshaped (then no rewrite is exact).
    forward.__phaseout_args_map__ = dict(mapping)  # type: ignore[attr-defined]
    forward.__phaseout_reshaped__ = result is not None  # type: ignore[attr-defined]
    forward.__phaseout_args_extra__ = dict(extra)  # type: ignore[attr-defined]
    return forward

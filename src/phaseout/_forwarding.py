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
from typing import Any

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


def _accepts(
    params: list[inspect.Parameter] | None,
) -> tuple[Callable[[str], bool], int | None]:
    """Whether the replacement takes a keyword, and how many positional arguments it takes."""
    if params is None:
        return (lambda name: True), None
    kinds = inspect.Parameter
    if any(p.kind is kinds.VAR_KEYWORD for p in params):
        takes_keyword: Callable[[str], bool] = lambda name: True  # noqa: E731
    else:
        keywords = {
            p.name for p in params if p.kind in (kinds.POSITIONAL_OR_KEYWORD, kinds.KEYWORD_ONLY)
        }
        takes_keyword = keywords.__contains__
    if any(p.kind is kinds.VAR_POSITIONAL for p in params):
        return takes_keyword, None
    return takes_keyword, sum(
        p.kind in (kinds.POSITIONAL_ONLY, kinds.POSITIONAL_OR_KEYWORD) for p in params
    )


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
) -> tuple[list[str], dict[str, str]]:
    """Legacy parameters passed by position, and new name -> legacy name for the rest.

    Every legacy parameter reaches the replacement, its default included, so a forwarded
    call means what the legacy call meant; a map that would lose or double an argument
    fails here.
    """
    named = (*params.positional, *params.keyword_only)
    for old in mapping:
        if old not in named and params.var_keyword is None:
            raise TypeError(
                f"{symbol}: args_map names {old!r}, which {symbol} does not take; "
                f"its parameters are {', '.join(named) or 'none'}"
            )
    target_params = _target_parameters(replacement)
    takes_keyword, positional_room = _accepts(target_params)
    target = getattr(replacement, "__qualname__", repr(replacement))
    # Unmapped leading parameters (self, cls, ...) keep their positions; the rest go by name.
    positional: list[str] = []
    for index, name in enumerate(params.positional):
        if name in mapping or (positional_room is not None and index >= positional_room):
            break
        positional.append(name)
    routes: dict[str, str] = {}
    for name in named[len(positional) :]:
        new = mapping.get(name, name)
        if new is None:
            continue
        if new in routes:
            raise TypeError(
                f"{symbol}: {routes[new]!r} and {name!r} would both be passed to the "
                f"replacement {target} as {new!r}; map or drop one of them in args_map"
            )
        routes[new] = name
    if target_params is not None:
        _place_positional_only(symbol, target, target_params, positional, routes)
    for new, name in routes.items():
        if not takes_keyword(new):
            via = f" (args_map: {name!r} -> {new!r})" if name in mapping else ""
            raise TypeError(
                f"{symbol}: the replacement {target} has no parameter {new!r}{via}; map "
                f"{name!r} to one of its parameters, or drop it with {{{name!r}: None}}"
            )
    if params.var_positional and len(positional) < len(params.positional):
        raise TypeError(f"{symbol}: arguments cannot be renamed around *{params.var_positional}")
    return positional, routes


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


def mapped_forward(
    symbol: str,
    legacy: object,
    replacement: Callable[..., Any],
    args_map: object,
    result: object,
) -> Callable[..., Any]:
    """A callable taking the legacy arguments and calling *replacement* with mapped ones."""
    mapping = _check_map(symbol, args_map if args_map is not None else {})
    func = _check_legacy(symbol, legacy, result)
    defaults = func.__defaults__ or ()
    kw_defaults = func.__kwdefaults__ or {}
    params = _codegen.parameters_of(func.__code__, len(defaults), tuple(kw_defaults))
    if _codegen.clashes(params.names):
        raise TypeError(f"{symbol}: parameters named _phaseout_* cannot be forwarded with args_map")
    positional, keywords = _route(symbol, params, mapping, replacement)
    call = [*positional]
    if params.var_positional:
        call.append(f"*{params.var_positional}")
    call += [f"{new}={old}" for new, old in keywords.items()]
    namespace: dict[str, Any] = {"_phaseout_target": replacement, "_phaseout_result": result}
    if params.var_keyword:
        namespace["_phaseout_rename"] = _renamer(func.__name__, mapping, frozenset(keywords))
        call.append(f"**_phaseout_rename({params.var_keyword})")
    invoke = f"_phaseout_target({', '.join(call)})"
    is_async = inspect.iscoroutinefunction(func) and result is not None
    if result is not None:
        invoke = f"_phaseout_result({'await ' if is_async else ''}{invoke})"
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
        [*positional, *(f"{new}={old}" for new, old in keywords.items())]
    )
    return forward

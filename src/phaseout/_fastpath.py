"""The generated wrapper every deprecated callable gets: the fast path of each use.

Generated with the wrapped function's own parameters, it binds arguments exactly as that
function does, without packing ``*args, **kwargs``. Each wrapper keeps a table of call sites
whose outcome is known: "the filters ignore it" (a snapshot of the filter list), or "it goes
through the filters" (a ``KnownSite``, for which the wrapper does what ``warnings.warn`` does
without its frame walk). Every other use goes to the declaration's slow path (``_hotpath``).
"""

from __future__ import annotations

import sys
import warnings as _wm
import weakref
from collections.abc import Callable
from types import CodeType, FunctionType
from typing import Any, Final

from . import _codegen, _filters, _versions
from ._declaration import AnyCallable
from ._hotpath import Declaration, new_warning

# The wrapper every deprecated callable gets, as source: generated with the wrapped
# function's own parameters it binds arguments exactly as that function does, without
# packing `*args, **kwargs` (a third of a steady-state call). Every shape shares the same
# free variables, so a generic wrapper's code can be swapped for an exact one in place.
_TEMPLATE: Final = """\
def _phaseout_make(
    _phaseout_table_get, _phaseout_table, _phaseout_use, _phaseout_own, _phaseout_forward
):
    def _phaseout_wrapper({parameters}):
        _phaseout_caller = _phaseout_getframe({depth})
        _phaseout_entry = _phaseout_table_get(_phaseout_caller.f_lasti)
        if _phaseout_entry is not None:
            _phaseout_code, _phaseout_globals, _phaseout_snapshot, _phaseout_counter, \\
                _phaseout_target, _phaseout_name = _phaseout_entry
            if (
                _phaseout_code is _phaseout_caller.f_code
                and _phaseout_globals is _phaseout_caller.f_globals
                and _phaseout_warnings.warn is _phaseout_filters.passthrough_warn
            ):
                if (  # the filters ignore it
                    _phaseout_warnings.filters == _phaseout_snapshot
                    and _phaseout_globals.get("__name__") is _phaseout_name
                ):
                    _phaseout_next(_phaseout_counter)
                    return _phaseout_target({arguments})
                if _phaseout_snapshot is None and not _phaseout_versions._active_blocks:
                    # A KnownSite: what warnings.warn would do, without its frame lookups.
                    _phaseout_next(_phaseout_counter)
                    _phaseout_registry = _phaseout_globals.get("__warningregistry__")
                    _phaseout_shown = _phaseout_target.shown
                    if (
                        _phaseout_shown is None
                        or _phaseout_shown[0] is not _phaseout_filters.token
                        or _phaseout_registry is not _phaseout_shown[1]
                        or not _phaseout_registry.get(_phaseout_target.key)
                        or _phaseout_registry.get("version") != _phaseout_shown[2]
                        or _phaseout_warnings._filters_mutated is not _phaseout_observer
                    ):
                        _phaseout_raising = _phaseout_target.raising
                        if (
                            _phaseout_raising is not None
                            and _phaseout_raising[0] is _phaseout_filters.token
                            and _phaseout_raising[1] is _phaseout_registry
                            and _phaseout_registry.get("version") == _phaseout_raising[2]
                            and not _phaseout_registry.get(_phaseout_target.key)
                            and _phaseout_warnings.filters == _phaseout_raising[3]
                            and _phaseout_globals.get("__name__") is _phaseout_raising[4]
                            and _phaseout_warnings._filters_mutated is _phaseout_observer
                        ):
                            # The filters say "error" and nothing that decides it changed:
                            # warn_explicit would raise the warning at once. (Not a local.)
                            raise (
                                _phaseout_bare_new(_phaseout_target.category, _phaseout_target.text)
                                if _phaseout_target.shared
                                else _phaseout_new(
                                    _phaseout_target.category, _phaseout_target.text,
                                    _phaseout_target.details, False,
                                )
                            )
                        _phaseout_token = _phaseout_filters.token
                        if _phaseout_registry is None and (
                            "__warningregistry__" not in _phaseout_globals
                        ):
                            _phaseout_registry = _phaseout_globals["__warningregistry__"] = {{}}
                        _phaseout_module = _phaseout_globals.get("__name__", "<string>")
                        if not (_phaseout_module is None or isinstance(_phaseout_module, str)):
                            _phaseout_module = "<string>"
                        _phaseout_category = _phaseout_target.category
                        # The warning is never a local: under "error" it would hold its
                        # own traceback (through this frame) in a cycle, left to the GC.
                        try:
                            _phaseout_warn_explicit(
                                _phaseout_bare_new(_phaseout_category, _phaseout_target.text)
                                if _phaseout_target.shared
                                else _phaseout_new(
                                    _phaseout_category, _phaseout_target.text,
                                    _phaseout_target.details, False,
                                ),
                                _phaseout_category, _phaseout_target.filename,
                                _phaseout_target.lineno, _phaseout_module, _phaseout_registry,
                            )
                        except BaseException as _phaseout_error:  # (unbound on leaving)
                            _phaseout_target.raised(
                                _phaseout_error, _phaseout_token, _phaseout_registry,
                                _phaseout_module,
                            )
                            raise
                        if type(_phaseout_registry) is dict and _phaseout_registry.get(
                            _phaseout_target.key
                        ):
                            _phaseout_target.shown = (
                                _phaseout_token, _phaseout_registry,
                                _phaseout_registry.get("version"),
                            )
                        elif (
                            _phaseout_target.checked is not _phaseout_token
                            or _phaseout_warnings._filters_mutated is not _phaseout_observer
                        ):
                            # Not shown, not raised: "ignore" or "always". Under "ignore"
                            # the site goes back on the fast path (checked once per token).
                            _phaseout_target.settle(
                                _phaseout_table, _phaseout_caller.f_lasti, _phaseout_entry,
                                _phaseout_token, _phaseout_module,
                            )
                    return _phaseout_target.target({arguments})
        return _phaseout_use(
            _phaseout_table, _phaseout_own, _phaseout_forward, _phaseout_caller,
            ({positional}), {{{keywords}}}
        )
    return _phaseout_wrapper
"""


_NAMESPACE: Final[dict[str, Any]] = {
    "_phaseout_getframe": sys._getframe,
    "_phaseout_warnings": _wm,
    "_phaseout_next": next,
    "_phaseout_versions": _versions,
    "_phaseout_filters": _filters,
    "_phaseout_observer": _filters.observe_filters_mutated,
    "_phaseout_new": new_warning,
    "_phaseout_bare_new": BaseException.__new__,
    "_phaseout_warn_explicit": _wm.warn_explicit,
}


def _compile(parameters: _codegen.Parameters, depth: int = 1) -> Callable[..., FunctionType]:
    """The maker of wrappers with *parameters* (which carry no defaults: those are the
    wrapper's ``__defaults__``, the very objects of the wrapped function), whose caller is
    *depth* frames up."""
    passed = [*parameters.positional]
    if parameters.var_positional:
        passed.append(f"*{parameters.var_positional}")
    named = [f"{name}={name}" for name in parameters.keyword_only]
    keywords = [f"{name!r}: {name}" for name in parameters.keyword_only]
    if parameters.var_keyword:
        named.append(f"**{parameters.var_keyword}")
        keywords.append(f"**{parameters.var_keyword}")
    source = _TEMPLATE.format(
        depth=depth,
        parameters=parameters.source,
        arguments=", ".join(passed + named),
        positional="".join(f"{item}, " for item in passed),
        keywords=", ".join(keywords),
    )
    maker: Callable[..., FunctionType] = _codegen.define(source, _NAMESPACE, "_phaseout_make")
    return maker


_GENERIC: Final = _codegen.Parameters("*args, **kwargs", (), (), (), "args", "kwargs")


# By depth: called directly (1), or by another wrapper layer (2, compiled when first needed);
# a constant in the code is faster than a closure cell.
_MAKE_GENERIC: Final = {1: _compile(_GENERIC)}


_NULLARY: Final = _codegen.Parameters("", (), (), (), None, None)


_MAKE_NULLARY: dict[int, Callable[..., FunctionType]] = {}


def use_marker(
    decl: Declaration, own: AnyCallable, forward: AnyCallable | None, depth: int
) -> Callable[[], Any]:
    """A function of no arguments that records one use of *decl* by the caller *depth*
    frames up, with the phase behaviour of :func:`fast_caller`, and returns ``own()`` (or
    ``forward()``): a parameter layer calls it when a deprecated parameter is used."""
    make = _MAKE_NULLARY.get(depth)
    if make is None:
        make = _MAKE_NULLARY[depth] = _compile(_NULLARY, depth)
    table = decl.new_table()
    marker: Callable[[], Any] = make(table.get, table, decl.use, own, forward)
    return marker


def fast_caller(
    decl: Declaration,
    own: AnyCallable,
    forward: AnyCallable | None,
    depth: int = 1,
    *,
    exact: bool = False,
) -> Callable[..., Any]:
    """A function that serves *own* (or *forward*) with *decl*'s phase behaviour.

    Returned as a plain function so that it binds as a method exactly like the function it
    replaces, and so the call costs one Python frame. *depth* is how many frames up the
    caller is: 2 when the function is called by another wrapper layer.

    With *exact* (a plain Python function *own*, called directly, forwarding, if at all, to
    a function with the same parameters), the wrapper gets *own*'s parameters and defaults
    at once (see :func:`_exact_code`): ``inspect.getfullargspec`` and ``help()`` read the
    wrapper's own code, and must show the same API before and after a first call.
    """
    table = decl.new_table()
    make = _MAKE_GENERIC.get(depth)
    if make is None:
        make = _MAKE_GENERIC[depth] = _compile(_GENERIC, depth)
    wrapper = make(table.get, table, decl.use, own, forward)
    if (
        exact
        and depth == 1
        and type(own) is FunctionType
        and (forward is None or _same_parameters(own, forward))
    ):
        code = _exact_code(own.__code__)
        if code is not None:
            wrapper.__defaults__ = own.__defaults__
            wrapper.__kwdefaults__ = own.__kwdefaults__ and dict(own.__kwdefaults__)
            wrapper.__code__ = code
            # Named like *own* on its first use (see `_name`): a replace() of this code
            # costs ≈ 2 µs, and most deprecated functions are never called in a process.
            decl.unnamed[id(table)] = (weakref.ref(wrapper), own)
    return wrapper


def _same_parameters(own: FunctionType, forward: AnyCallable) -> bool:
    """Whether *forward* takes *own*'s parameters (a forward generated with them)."""
    if type(forward) is not FunctionType:
        return False
    a, b = own.__code__, forward.__code__
    return _shape(a) == _shape(b) and own.__defaults__ == forward.__defaults__


def _shape(code: CodeType) -> tuple[Any, ...]:
    return (
        code.co_varnames[: _codegen.parameter_count(code)],
        code.co_argcount,
        code.co_posonlyargcount,
        code.co_kwonlyargcount,
        code.co_flags & (_codegen.CO_VARARGS | _codegen.CO_VARKEYWORDS),
    )


def _exact_code(code: CodeType) -> CodeType | None:
    """The wrapper's code with the parameters of *code* (a function's); None where a
    parameter name could clash with the wrapper's own.

    Compiling the wrapper costs ≈ 450 µs, and parameter names differ from one function to
    the next: the code is compiled once per *structure* (how many parameters of each kind)
    with placeholder names, then given each function's names. Names are where a parameter
    is bound (``co_varnames``) and where it is passed on by keyword (string constants);
    everything else refers to it by position. A parameter named like a builtin the wrapper
    uses (``type``, ``dict``) does not shadow it: the code was compiled without it.
    """
    shape = _shape(code)
    names = shape[0]
    if _codegen.clashes(names):
        return None
    exact = _EXACT_CODES.get(shape)
    if exact is None:
        structure = shape[1:]
        template = _STRUCTURE_CODES.get(structure)
        if template is None:
            placeholders = _codegen.placeholder_parameters(len(names), *structure)
            template = _compile(placeholders)(None, None, None, None, None).__code__
            _STRUCTURE_CODES[structure] = template
        renaming = dict(zip(_codegen.placeholders(len(names)), names, strict=True))
        exact = template.replace(
            co_varnames=names + template.co_varnames[len(names) :],
            co_consts=_codegen.renamed_constants(template.co_consts, renaming),
        )
        if len(_EXACT_CODES) >= 4096:
            _EXACT_CODES.clear()
        _EXACT_CODES[shape] = exact
    return exact


# The wrapper's code per parameter structure (compiled), and per parameter list (renamed).
_STRUCTURE_CODES: dict[tuple[Any, ...], CodeType] = {}
_EXACT_CODES: dict[tuple[Any, ...], CodeType] = {}

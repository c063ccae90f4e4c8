"""The per-use decision: which phase, warn or raise, which callable serves the call.

A declaration's phase and message are computed once (a *plan*) and reused until the
configuration changes or a ``pretend()`` block is used. Each wrapper keeps a small table of
call sites whose outcome is known to be "the filters ignore it"; a use from such a site costs
one frame lookup, a dict lookup, a filter-list comparison and a counter increment. Every
other use takes the slow path, which does exactly what calling ``warnings.warn`` at the
caller's line would do, because that is what it does.
"""

from __future__ import annotations

import itertools
import sys
import threading
import warnings as _wm
from collections.abc import Callable, Mapping
from types import CodeType, FrameType, FunctionType
from typing import Any, Final

from packaging.version import Version

from . import _codegen, _filters, _frames, _messages, _notices, _versions
from ._config import CONFIG
from ._versions import VersionSource, active_pretend, pretending
from .exceptions import (
    DeprecatedWarning,
    PendingWarning,
    PhaseoutWarning,
    RemovalWarning,
    RemovedError,
    UnknownVersionError,
    UnknownVersionWarning,
)
from .phases import Phase, Timeline

_CATEGORY: Final[Mapping[Phase, type[PhaseoutWarning]]] = {
    Phase.PENDING: PendingWarning,
    Phase.SOFT: DeprecatedWarning,
    Phase.COMPAT: DeprecatedWarning,
    Phase.HARD: RemovalWarning,
}

# (code, globals, filters snapshot, site counter, callable to call) for a site the filters
# ignore; (code, globals, None, site counter, (callable, category, text, details, file, line))
# for one whose warning goes through the filters on every use.
FastEntry = tuple[CodeType, dict[str, Any], list[Any] | None, "itertools.count[int]", Any]
FastTable = dict[int, FastEntry]
AnyCallable = Callable[..., Any]

_lock = threading.Lock()
_generation = 0
# Usage accounting, imported on the first use of a deprecated API: declaring one does not
# need it (nor the sinks, structlog processors and dataclasses it brings).
_usage: Any = None


def _load_usage() -> Any:
    global _usage
    from . import _usage as usage

    _usage = usage
    return usage


def bump_generation() -> None:
    """Called with every invalidation, so a plan computed under old settings is never cached."""
    global _generation
    with _lock:
        _generation += 1


class Plan:
    """What a use does in one phase: the warning to emit or the error to raise, and the target."""

    __slots__ = ("category", "details", "forward", "phase", "removed", "strict", "text", "unknown")

    def __init__(self, decl: Declaration, phase: Phase, installed: Version | None) -> None:
        self.phase = phase
        # An unknown version is never a reason to forward a call or to call an API removed.
        forward = (
            installed is not None
            and decl.forward is not None
            and phase in (Phase.COMPAT, Phase.HARD)
        )
        self.forward = forward
        package = decl.package
        self.details: dict[str, Any] = {
            "symbol": decl.symbol,
            "package": package,
            "phase": phase,
            "since": decl.timeline.texts["since"],
            "hard_in": decl.timeline.texts["hard_in"],
            "removed_in": decl.timeline.texts["removed_in"],
            "replacement": decl.replacement_name,
            "guide": decl.guide,
        }
        self.removed: str | None = None
        self.category: type[PhaseoutWarning] | None = None
        self.text = ""
        self.strict = False
        self.unknown: str | None = None  # why the version is unknown, in strict mode
        if installed is None:
            text = decl.source.unknown_text()
            if CONFIG.load().strict != "off":
                self.unknown = text
            else:
                _notices.notice(
                    ("unknown version", decl.source.package or decl.source.top_level),
                    text,
                    UnknownVersionWarning,
                    **self.details,
                )
        if phase is Phase.REMOVED:
            self.removed = _messages.removed_text(
                kind=decl.kind,
                symbol=decl.symbol,
                package=package,
                timeline=decl.timeline,
                installed=str(installed),
                replacement=decl.replacement_name,
                reason=decl.reason,
                guide=decl.guide,
            )
            return
        self.category = _CATEGORY[phase]
        self.text = _messages.warning_text(
            kind=decl.kind,
            symbol=decl.symbol,
            package=package,
            timeline=decl.timeline,
            phase=phase,
            replacement=decl.replacement_name,
            reason=decl.reason,
            guide=decl.guide,
            forwarded=forward,
        )
        strict = CONFIG.load().strict
        self.strict = (strict == "all" and phase is not Phase.PENDING) or (
            strict == "hard" and phase is Phase.HARD
        )


class Declaration:
    """One deprecated symbol: its timeline, its wording, and the state of its call path.

    Read by ``phaseout.declarations()``: ``symbol``, ``kind``, ``package``, ``timeline``,
    ``replacement`` (a dotted name or None), ``reason``, ``guide`` and ``phase`` (the phase
    in the current context, resolving the installed version on first use).
    """

    __slots__ = (
        "__weakref__",
        "_plan",
        "_plans_by_phase",
        "_tables",
        "code_refs",
        "forward",
        "guide",
        "kind",
        "owner",
        "reason",
        "replacement_name",
        "sites",
        "source",
        "symbol",
        "timeline",
    )

    def __init__(
        self,
        *,
        symbol: str,
        kind: str,
        timeline: Timeline,
        source: VersionSource,
        replacement_name: str | None,
        forward: AnyCallable | None,
        reason: str | None,
        guide: str | None,
    ) -> None:
        self.symbol = symbol
        self.kind = kind
        self.timeline = timeline
        self.source = source
        self.replacement_name = replacement_name
        self.forward = forward
        self.reason = reason
        self.guide = guide
        self.owner: type | None = None  # the class itself, for kind "class"
        # Counters per (id of the calling code, instruction offset); code_refs drops a code's
        # entries when it is freed (see _usage.new_site).
        self.sites: dict[tuple[int, int], itertools.count[int]] = {}
        self.code_refs: dict[int, tuple[Any, list[int]]] = {}
        self._tables: list[FastTable] = []
        self._plan: Plan | None = None
        self._plans_by_phase: dict[tuple[Phase, Version | None], Plan] = {}

    @property
    def package(self) -> str:
        return self.source.display_name()

    @property
    def replacement(self) -> str | None:
        return self.replacement_name

    @property
    def phase(self) -> Phase:
        return self.plan().phase

    def __repr__(self) -> str:
        return f"<Declaration {self.kind} {self.symbol} {self.timeline!r}>"

    def new_table(self) -> FastTable:
        table: FastTable = {}
        self._tables.append(table)
        return table

    def invalidate(self) -> None:
        self._plan = None
        self._plans_by_phase.clear()
        self.forget_call_sites()

    def forget_call_sites(self) -> None:
        """Send the next use from every call site down the slow path."""
        for table in self._tables:
            table.clear()

    def plan(self) -> Plan:
        pretend = active_pretend()
        if pretend is None:
            plan = self._plan
            if plan is None:
                installed = self.source.resolve(None)
                plan = self._plan = Plan(self, self._phase_at(installed), installed)
            return plan
        installed = self.source.resolve(pretend)
        key = (self._phase_at(installed), installed)
        plan = self._plans_by_phase.get(key)
        if plan is None:
            plan = self._plans_by_phase[key] = Plan(self, key[0], installed)
        return plan

    def _phase_at(self, installed: Version | None) -> Phase:
        # Unknown: deprecated, the one phase that neither hides the use nor acts on a guess.
        return Phase.SOFT if installed is None else self.timeline.phase_at(installed)

    def site_counts(self) -> dict[tuple[str, int], int]:
        """Uses so far per (filename, line) of the calling code."""
        counts: dict[tuple[str, int], int] = {}
        for usage in (_usage or _load_usage()).usage():
            if usage.symbol == self.symbol:
                where = (usage.file, usage.line)
                counts[where] = counts.get(where, 0) + usage.count
        return counts

    def use(
        self,
        table: FastTable,
        own: AnyCallable,
        forward: AnyCallable | None,
        caller: FrameType,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        """The slow path of one use from *caller*; *own* serves it unless the plan forwards."""
        generation = _generation
        plan = self.plan()
        user = _frames.user_frame(caller, self.owner)
        key = (id(user.f_code), user.f_lasti)
        counter = self.sites.get(key)
        usage = _usage or _load_usage()
        if counter is None:
            counter = usage.new_site(self, user, key, plan.phase)
        elif usage.STATE.flusher is None:
            usage.ensure_flusher()
        next(counter)
        if plan.unknown is not None:
            raise UnknownVersionError(plan.unknown)
        if plan.removed is not None:
            raise RemovedError(plan.removed, **plan.details)
        target = forward if plan.forward and forward is not None else own
        category = plan.category
        if category is not None:
            warning = _new_warning(category, plan.text, plan.details)
            if plan.strict:
                raise warning
            snapshot = list(_wm.filters)
            # `user` is an ancestor of this frame, so a level is always found.
            level = _frames.stacklevel(sys._getframe(), user) or 2
            if (
                user is caller
                and _wm.warn is _ORIGINAL_WARN
                and not pretending()
                and not _frames.is_transparent(caller.f_code.co_filename)
            ):
                # Remembered before warning: under an "error" filter, warn() raises.
                if _filters.ignored(snapshot, category, plan.text, user):
                    remembered: FastEntry = (
                        user.f_code, user.f_globals, snapshot, counter, target,
                    )  # fmt: skip
                else:
                    # What warnings.warn works out from the caller's frame, worked out once.
                    known = (target, category, plan.text, plan.details)
                    location = (user.f_code.co_filename, user.f_lineno)
                    remembered = (user.f_code, user.f_globals, None, counter, known + location)
                with _lock:
                    if generation == _generation:
                        table[caller.f_lasti] = remembered
            _wm.warn(warning, stacklevel=level)
        return target(*args, **kwargs)


def _new_warning(
    category: type[PhaseoutWarning], text: str, details: dict[str, Any]
) -> PhaseoutWarning:
    """What ``category(text, **details)`` makes, without eight keyword arguments through
    ``_Details.__init__``: ``BaseException.__new__`` sets ``args``, the facts go to
    ``__dict__`` (≈ 250 ns instead of ≈ 800, on every warning that is processed)."""
    warning = category.__new__(category, text)
    warning.__dict__.update(details)
    return warning


_getframe = sys._getframe
_ORIGINAL_WARN: Final = _filters.ORIGINAL_WARN
_warn_explicit: Final = _wm.warn_explicit
_MISSING: Final = object()


def _warn_at_known_site(counter: itertools.count[int], globals_: dict[str, Any], known: Any) -> Any:
    """Warn for a use from a call site seen before whose warning the filters do not ignore;
    return the callable that serves the use.

    ``warnings.warn(w, stacklevel=n)`` finds the caller's frame, its globals' registry
    (creating it), module name, file and line, then calls ``warn_explicit`` with them. For a
    call site already seen, the file and line are known (they follow from the code and the
    instruction), so this does the rest exactly as ``warnings.warn`` would and calls
    ``warn_explicit``: every filter action, registry and "already shown" rule applies, and
    nothing else is skipped.
    """
    target, category, text, details, filename, lineno = known
    next(counter)
    warning = _new_warning(category, text, details)
    registry = globals_.get("__warningregistry__", _MISSING)
    if registry is _MISSING:
        registry = globals_["__warningregistry__"] = {}
    module = globals_.get("__name__", _MISSING)
    if not (module is None or isinstance(module, str)):
        module = "<string>"
    _warn_explicit(warning, category, filename, lineno, module, registry)
    return target


def fast_caller(
    decl: Declaration, own: AnyCallable, forward: AnyCallable | None, depth: int = 1
) -> Callable[..., Any]:
    """A function that serves *own* (or *forward*) with *decl*'s phase behaviour.

    Returned as a plain function so that it binds as a method exactly like the function it
    replaces, and so the call costs one Python frame. *depth* is how many frames up the
    caller is: 2 when the function is called by another wrapper layer.
    """
    table = decl.new_table()
    table_get = table.get
    use = decl.use
    original_warn = _filters.ORIGINAL_WARN
    warnings_module = _wm
    versions = _versions
    warn_at = _warn_at_known_site

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        caller = _getframe(depth)
        entry = table_get(caller.f_lasti)
        if entry is not None:
            code, globals_, snapshot, counter, target = entry
            if (
                code is caller.f_code
                and globals_ is caller.f_globals
                and warnings_module.warn is original_warn
            ):
                if warnings_module.filters == snapshot:  # the filters ignore it
                    next(counter)
                    return target(*args, **kwargs)
                if snapshot is None and not versions._active_blocks:
                    return warn_at(counter, globals_, target)(*args, **kwargs)
        return use(table, own, forward, caller, args, kwargs)

    return wrapper


_EXACT_TEMPLATE: Final = """\
def _phaseout_make({closure}):
    def _phaseout_wrapper({parameters}):
        _phaseout_caller = _phaseout_getframe(1)
        _phaseout_entry = _phaseout_table_get(_phaseout_caller.f_lasti)
        if _phaseout_entry is not None:
            _phaseout_code, _phaseout_globals, _phaseout_snapshot, _phaseout_counter, \\
                _phaseout_target = _phaseout_entry
            if (
                _phaseout_code is _phaseout_caller.f_code
                and _phaseout_globals is _phaseout_caller.f_globals
                and _phaseout_warnings.warn is _phaseout_original_warn
            ):
                if _phaseout_warnings.filters == _phaseout_snapshot:
                    _phaseout_next(_phaseout_counter)
                    return _phaseout_target({arguments})
                if _phaseout_snapshot is None and not _phaseout_versions._active_blocks:
                    return _phaseout_warn_at(
                        _phaseout_counter, _phaseout_globals, _phaseout_target
                    )({arguments})
        return _phaseout_use(
            _phaseout_table, _phaseout_own, None, _phaseout_caller, ({positional}), {{{keywords}}}
        )
    return _phaseout_wrapper
"""


def exact_caller(decl: Declaration, own: AnyCallable) -> Callable[..., Any] | None:
    """Like :func:`fast_caller`, with *own*'s own parameters instead of ``*args, **kwargs``.

    Packing and unpacking ``*args, **kwargs`` is a third of a steady-state call's cost. For a
    plain Python function (no forwarding, whose call form must reach the replacement as
    written), a wrapper with the same parameters, defaults and name binds arguments exactly
    as the function would, and passes them on without building a tuple and a dict. None when
    that does not apply: the caller then uses :func:`fast_caller`.
    """
    if type(own) is not FunctionType:
        return None
    code = own.__code__
    defaults = own.__defaults__ or ()
    kw_defaults = own.__kwdefaults__ or {}
    shape = (
        code.co_varnames[: _codegen.parameter_count(code)],
        code.co_argcount,
        code.co_posonlyargcount,
        code.co_kwonlyargcount,
        code.co_flags & (_codegen.CO_VARARGS | _codegen.CO_VARKEYWORDS),
        len(defaults),
        tuple(kw_defaults),
    )
    maker = _MAKERS.get(shape)
    if maker is None:
        if _codegen.clashes(shape[0]):
            return None
        if len(_MAKERS) >= 512:
            _MAKERS.clear()
        maker = _MAKERS[shape] = _compile_maker(code, len(defaults), tuple(kw_defaults))
    table = decl.new_table()
    wrapper: FunctionType = maker(*defaults, *kw_defaults.values(), table.get, table, decl.use, own)
    _codegen.name_like(wrapper, own)
    return wrapper


# One compiled maker per parameter shape ("self, x"): compiling costs ~100 µs, and most
# functions share a few shapes.
_MAKERS: dict[tuple[Any, ...], Callable[..., FunctionType]] = {}


def _compile_maker(
    code: CodeType, defaults: int, kw_defaults: tuple[str, ...]
) -> Callable[..., FunctionType]:
    params = _codegen.parameters_of(code, defaults, kw_defaults)
    passed = [*params.positional, *([f"*{params.var_positional}"] if params.var_positional else [])]
    named = [f"{name}={name}" for name in params.keyword_only]
    named += [f"**{params.var_keyword}"] if params.var_keyword else []
    closure = [
        *params.slots,
        *(f"_phaseout_{name}" for name in ("table_get", "table", "use", "own")),
    ]
    source = _EXACT_TEMPLATE.format(
        closure=", ".join(closure),
        parameters=params.source,
        arguments=", ".join(passed + named),
        positional="".join(f"{item}, " for item in passed),
        keywords=", ".join(
            [f"{name!r}: {name}" for name in params.keyword_only]
            + ([f"**{params.var_keyword}"] if params.var_keyword else [])
        ),
    )
    namespace: dict[str, Any] = {
        "_phaseout_getframe": sys._getframe,
        "_phaseout_warnings": _wm,
        "_phaseout_original_warn": _filters.ORIGINAL_WARN,
        "_phaseout_next": next,
        "_phaseout_versions": _versions,
        "_phaseout_warn_at": _warn_at_known_site,
    }
    maker: Callable[..., FunctionType] = _codegen.define(source, namespace, "_phaseout_make")
    return maker

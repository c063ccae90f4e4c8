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
import weakref
from collections.abc import Callable, Mapping
from types import CodeType, FrameType, FunctionType
from typing import Any, Final

from packaging.version import Version

from . import _codegen, _filters, _frames, _messages, _notices, _versions
from ._config import CONFIG
from ._declaration import AnyCallable, DeclarationRecord, FastEntry, FastTable, policy_of
from ._versions import active_pretend, pretending
from .exceptions import (
    DeprecatedWarning,
    PendingWarning,
    PhaseoutWarning,
    RemovalWarning,
    RemovedError,
    UnknownVersionError,
    UnknownVersionWarning,
    built_plainly,
    share_facts,
)
from .phases import Phase

_CATEGORY: Final[Mapping[Phase, type[PhaseoutWarning]]] = {
    Phase.PENDING: PendingWarning,
    Phase.SOFT: DeprecatedWarning,
    Phase.COMPAT: DeprecatedWarning,
    Phase.HARD: RemovalWarning,
}


_lock = threading.Lock()
_generation = 0
# Usage accounting, imported on the first use of a deprecated API: declaring one does not
# need it (nor the sinks, structlog processors and dataclasses it brings).
_usage: Any = None


def _load_usage() -> Any:
    global _usage
    from . import _usage as usage

    if CONFIG.load().otel_env is not None:  # PHASEOUT_OTEL=1: it installs itself
        from . import _otel  # noqa: F401

    _usage = usage
    return usage


def bump_generation() -> None:
    """Called with every invalidation, so a plan computed under old settings is never cached."""
    global _generation
    with _lock:
        _generation += 1


class Plan:
    """What a use does in one phase: the warning to emit or the error to raise, and the target."""

    __slots__ = (
        "budget", "category", "details", "error", "forward", "phase", "removed", "shared",
        "silent", "strict", "text", "unknown",
    )  # fmt: skip

    def __init__(
        self,
        decl: Declaration,
        phase: Phase,
        installed: Version | None,
        pretend: Mapping[str, Version] | None = None,
    ) -> None:
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
        self.category: type[Warning] | None = None
        self.text = ""
        self.shared = False
        self.strict = False
        wording = decl.wording
        self.error: type[RemovedError] = RemovedError if wording is None else wording.error
        policy = policy_of(decl)
        self.budget = "call site" if policy is None else policy.budget
        if self.budget == "process" and _policies().BUDGET_OVERRIDE is not None:
            self.budget = _policies().BUDGET_OVERRIDE
        # Nothing to count or say: a changed default that applies now (see `Wording`).
        self.silent = False
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
        if phase is Phase.REMOVED and wording is not None and wording.silent_when_removed:
            # installed is known here: an unknown version never reaches REMOVED.
            self.silent = self.forward = True
            return
        if phase is Phase.REMOVED:
            # Under pretend() or PHASEOUT_PRETEND, the version is not what is installed.
            how = "pretended" if decl.source.pretends(pretend) else "installed"
            state = f"{installed} is {how}"
            if wording is not None:
                self.removed = wording.removed_text(decl, package, state)
                return
            self.removed = _messages.removed_text(
                kind=decl.kind,
                symbol=decl.symbol,
                package=package,
                timeline=decl.timeline,
                installed=state,
                replacement=decl.replacement_name,
                reason=decl.reason,
                guide=decl.guide,
            )
            return
        self.category = (
            decl.category
            or (policy and policy.category(phase, wording is not None and wording.change))
            or (_CATEGORY[phase] if wording is None else wording.categories[phase])
        )
        if wording is not None:
            self.text = wording.warning_text(decl, phase, package)
        else:
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
        # Facts are shared through phaseout's warning classes only (see exceptions._Fact).
        self.shared = (
            issubclass(self.category, PhaseoutWarning)
            and built_plainly(self.category)
            and share_facts(self.category, self.text, self.details)
        )
        strict = CONFIG.load().strict
        self.strict = (strict == "all" and phase is not Phase.PENDING) or (
            strict == "hard" and phase is Phase.HARD
        )


class Declaration(DeclarationRecord):
    """One deprecated symbol: its record, and what its uses do in each phase.

    Read by ``phaseout.declarations()``: ``symbol``, ``kind``, ``package``, ``timeline``,
    ``replacement`` (a dotted name or None), ``reason``, ``guide`` and ``phase`` (the phase
    in the current context, resolving the installed version on first use).
    """

    __slots__ = ()

    @property
    def phase(self) -> Phase:
        return self.plan().phase

    def plan(self) -> Plan:
        pretend = active_pretend()
        plan: Plan | None
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
            plan = self._plans_by_phase[key] = Plan(self, key[0], installed, pretend)
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
        if self.unnamed:
            unnamed = self.unnamed.pop(id(table), None)
            if unnamed is not None:
                _name(*unnamed)
        plan = self.plan()
        if caller.f_code is _IMPORT_PROBE and plan.removed is None:
            # `from package import name` first asks hasattr(package, name) from inside the
            # import system, then reads the name: the probe is not a use (never remembered:
            # the import system's frames are not user code).
            return (forward if plan.forward and forward is not None else own)(*args, **kwargs)
        user = _frames.user_frame(caller, self.owner)
        if plan.silent:
            target = forward if forward is not None else own
            if self._rememberable(user, caller):
                entry: FastEntry = (
                    user.f_code,
                    user.f_globals,
                    list(_wm.filters),
                    _UNCOUNTED,
                    target,
                    user.f_globals.get("__name__"),
                )
                _remember(table, generation, caller.f_lasti, entry)
            return target(*args, **kwargs)
        counter = self._counter(user, plan.phase)
        next(counter)
        if plan.unknown is not None:
            raise UnknownVersionError(plan.unknown)
        if plan.removed is not None:
            raise plan.error(plan.removed, **plan.details)
        target = forward if plan.forward and forward is not None else own
        category = plan.category
        if category is None:
            return target(*args, **kwargs)
        rememberable = self._rememberable(user, caller)
        if (plan.budget == "process" and self.shown_once) or _policies().silenced(self):
            # Counted, not shown: remembered while the filters are the same (a silence() or
            # pretend() block makes it depend on the context: then not remembered).
            if rememberable:
                entry = _ignoring(user, list(_wm.filters), counter, target)
                _remember(table, generation, caller.f_lasti, entry)
            return target(*args, **kwargs)
        self.shown_once = True
        warning = _new_warning(category, plan.text, plan.details, plan.shared)
        if plan.strict:
            raise warning
        snapshot = list(_wm.filters)
        if rememberable:
            # Remembered before warning: under an "error" filter, warn() raises.
            if _filters.ignored(snapshot, category, plan.text, user):
                entry = _ignoring(user, snapshot, counter, target)
                _remember(table, generation, caller.f_lasti, entry)
            elif plan.budget != "always":  # "always" has no registry to take a shortcut by
                _filters.watch_filter_versions()
                site = KnownSite(
                    target,
                    category,
                    plan.text,
                    plan.details,
                    plan.shared,
                    user.f_code.co_filename,
                    user.f_lineno,
                )
                entry = (user.f_code, user.f_globals, None, counter, site, None)
                _remember(table, generation, caller.f_lasti, entry)
        if plan.budget == "always":
            _warn_every_time(warning, category, user)
        else:
            # `user` is an ancestor of this frame, so a level is always found.
            _wm.warn(warning, stacklevel=_frames.stacklevel(sys._getframe(), user) or 2)
        return target(*args, **kwargs)

    def _counter(self, user: FrameType, phase: Phase) -> itertools.count[int]:
        """The usage counter of the call site *user* (its code and instruction)."""
        key = (id(user.f_code), user.f_lasti)
        counter = self.sites.get(key)
        usage = _usage or _load_usage()
        if counter is None:
            return usage.new_site(self, user, key, phase)  # type: ignore[no-any-return]
        if usage.STATE.flusher is None:
            usage.ensure_flusher()
        return counter

    @staticmethod
    def _rememberable(user: FrameType, caller: FrameType) -> bool:
        """Whether the outcome of a use from *caller* may be remembered for its next use."""
        return (
            user is caller
            and _wm.warn is _ORIGINAL_WARN
            and not pretending()
            and not _frames.is_transparent(caller.f_code.co_filename)
        )


def _ignoring(
    user: FrameType, filters: list[Any], counter: itertools.count[int], target: AnyCallable
) -> FastEntry:
    """The entry of a call site whose uses the filters ignore while *filters* and its
    module's name are the same."""
    return (user.f_code, user.f_globals, filters, counter, target, user.f_globals.get("__name__"))


def _import_probe() -> CodeType | None:
    bootstrap = sys.modules.get("importlib._bootstrap") or sys.modules.get("_frozen_importlib")
    probe = getattr(bootstrap, "_handle_fromlist", None)
    return getattr(probe, "__code__", None)


_IMPORT_PROBE: Final = _import_probe()


def _warn_every_time(warning: Warning, category: type[Warning], user: FrameType) -> None:
    """What ``warnings.warn`` does from *user*'s line, without its ``__warningregistry__``."""
    globals_ = user.f_globals
    module = globals_.get("__name__") or "<string>"
    _wm.warn_explicit(
        warning, category, user.f_code.co_filename, user.f_lineno, module, None, globals_
    )


_POLICIES_MODULE: Any = None


def _policies() -> Any:
    """``phaseout.policies``, imported on the first use that needs it."""
    global _POLICIES_MODULE
    if _POLICIES_MODULE is None:
        from . import policies

        _POLICIES_MODULE = policies
    return _POLICIES_MODULE


# The counter of uses that are not counted (a changed default that applies now).
_UNCOUNTED: Final = itertools.count()


def _remember(table: FastTable, generation: int, key: int, entry: FastEntry) -> None:
    """Remember the outcome of a use from the caller instruction *key*, unless settings
    changed since the use began (its plan may be stale)."""
    with _lock:
        if generation == _generation:
            table[key] = entry


def _new_warning(
    category: type[Warning], text: str, details: dict[str, Any], shared: bool
) -> Warning:
    """What ``category(text, **details)`` makes, without eight keyword arguments through
    ``_Details.__init__`` (≈ 800 ns): ``BaseException.__new__`` sets ``args``, and the facts
    are the plan's shared ones (see ``exceptions._Fact``) unless they could not be shared.
    A category with a ``__new__`` or ``__init__`` of its own is called, as ``warnings.warn``
    calls it (its ``__init__`` may set what its ``__str__`` reads)."""
    warning: Warning = _new(category, text) if built_plainly(category) else category(text)
    if not shared:
        warning.__dict__.update(details)
    return warning


_new: Final[Any] = BaseException.__new__
_ORIGINAL_WARN: Final = _filters.ORIGINAL_WARN


class KnownSite:
    """A call site seen before whose warning the filters do not ignore.

    ``warnings.warn(w, stacklevel=n)`` finds the caller's frame, its globals' registry
    (creating it), module name, file and line, then calls ``warn_explicit`` with them. For a
    call site already seen, the file and line follow from the code and the instruction, so
    the wrapper does the rest exactly as ``warnings.warn`` would and calls ``warn_explicit``
    itself: every filter action, registry and "already shown" rule applies.

    ``warn_explicit``'s first step is that rule: when the registry holds the warning's key
    (``key``) and its ``version`` entry is the interpreter's filter version, it returns at
    once. The version cannot be read, but :mod:`._filters` observes every change of it;
    ``shown`` records (filter token, registry, version) when the registry said "already
    shown", and while the token is unchanged the wrapper takes that first step itself.
    """

    __slots__ = (
        "category", "checked", "details", "filename", "key", "lineno", "raising", "shared",
        "shown", "target", "text",
    )  # fmt: skip

    def __init__(
        self,
        target: AnyCallable,
        category: type[Warning],
        text: str,
        details: dict[str, Any],
        shared: bool,
        filename: str,
        lineno: int,
    ) -> None:
        self.target = target
        self.shared = shared
        self.category = category
        self.text = text
        self.details = details
        self.filename = filename
        self.lineno = lineno
        self.key = (text, category, lineno)  # the key of `__warningregistry__` entries
        # (filter token, registry, its version) when the registry said "already shown".
        self.shown: tuple[object, dict[Any, Any], Any] | None = None
        # (filter token, registry, its version, filters, module) when the filters said
        # "error": while all are the same, warn_explicit would raise the warning at once.
        self.raising: tuple[object, dict[Any, Any], Any, list[Any], object] | None = None
        # The filter token under which `settle` last found that the filters do not ignore
        # the warning: not asked again until the filters change.
        self.checked: object = None

    def settle(
        self, table: FastTable, key: int, entry: FastEntry, token: object, module: object
    ) -> None:
        """``warn_explicit`` neither showed nor raised the warning: if that is because the
        filters now say "ignore", put the call site back on the fast path (a snapshot entry,
        as a fresh site under these filters gets), so a site that once showed its warning
        costs no more than a fresh one after the filters change back.

        Checked once per filter token: under "always" the answer stays the same until the
        filters change, and asking costs a walk of the filter list.
        """
        self.checked = token
        filters = list(_wm.filters)
        if _filters.action_of(filters, self.category, self.text, module, self.lineno) != "ignore":
            return
        with _lock:
            if table.get(key) is entry:  # not replaced or forgotten meanwhile
                table[key] = (
                    entry[0],
                    entry[1],
                    filters,
                    entry[3],
                    self.target,
                    entry[1].get("__name__"),
                )

    def raised(self, error: BaseException, token: object, registry: object, module: object) -> None:
        """``warn_explicit`` raised *error*: remember it if that was the warning itself and
        the filters said "error" (not a ``showwarning`` hook, not an interrupt), so that the
        next calls raise the warning themselves while nothing that decides it changes."""
        filters = list(_wm.filters)
        if (
            type(error) is self.category
            and error.args == (self.text,)
            and type(registry) is dict
            and not registry.get(self.key)
            and _filters.action_of(filters, self.category, self.text, module, self.lineno)
            == "error"
        ):
            self.raising = (token, registry, registry.get("version"), filters, module)


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
                and _phaseout_warnings.warn is _phaseout_original_warn
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
    "_phaseout_original_warn": _filters.ORIGINAL_WARN,
    "_phaseout_next": next,
    "_phaseout_versions": _versions,
    "_phaseout_filters": _filters,
    "_phaseout_observer": _filters.observe_filters_mutated,
    "_phaseout_new": _new_warning,
    "_phaseout_bare_new": _new,
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


def _name(wrapper_ref: weakref.ref[FunctionType], own: FunctionType) -> None:
    """Give the wrapper's code *own*'s name, which tracebacks through it show (argument
    errors take the function's ``__qualname__``). A call already running keeps its code."""
    wrapper = wrapper_ref()
    if wrapper is not None:
        wrapper.__code__ = _codegen.named_code(wrapper.__code__, own)


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

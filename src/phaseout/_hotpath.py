"""The slow path of a use: which phase, warn or raise, which callable serves the call.

A declaration's phase and message are computed once (a *plan*, see ``_plan``) and reused
until the configuration changes or a ``pretend()`` block is used. The generated wrapper
(``_fastpath``) serves the call sites whose outcome it knows; every other use comes here, and
does exactly what calling ``warnings.warn`` at the caller's line would do, because that is
what it does, then tells the wrapper's table what the next use from that site may skip.
"""

from __future__ import annotations

import functools
import itertools
import sys
import threading
import warnings as _wm
import weakref
from types import CodeType, FrameType, FunctionType
from typing import Any, Final

from packaging.version import Version

from . import _codegen, _dates, _filters, _frames
from ._config import CONFIG, TODAY
from ._declaration import AnyCallable, DeclarationRecord, FastEntry, FastTable
from ._exceptions import (
    UnknownVersionError,
    built_plainly,
)
from ._plan import Plan, policies_module
from ._versions import active_pretend, active_today, pretending
from .phases import Phase

_lock = threading.Lock()


_generation = 0


# Usage accounting, imported on the first use of a deprecated API: declaring one does not
# need it (nor the sinks, structlog processors and dataclasses it brings).
_usage: Any = None


def _load_usage() -> Any:
    global _usage
    from . import _flushing  # noqa: F401  # it gives the counters their flusher thread
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
        if self.timeline.dated:
            return self._dated_plan()
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

    def _dated_plan(self) -> Plan:
        """The plan of a timeline declared by date: today's (UTC), or the pretended day's.

        Today's plan is kept until the next boundary's midnight: an alarm then drops it and
        the call sites the wrappers remember, so the next use of each decides again.
        """
        day = active_today()
        block = active_pretend()
        point = _dates.as_point(day) if day is not None else block and block.get(TODAY)
        if point:
            key = (self.timeline.phase_at(point), point)
            plan = self._plans_by_phase.get(key)
            if plan is None:
                plan = self._plans_by_phase[key] = Plan(self, key[0], point, pretended=True)
            return plan
        plan = self._plan
        if plan is None or (plan.expires is not None and _dates.now() >= plan.expires):
            # PHASEOUT_PRETEND="today==..." fixes the day for the process (no expiry).
            fixed = CONFIG.load().pretend_env.get(TODAY)
            point = fixed or _dates.as_point(_dates.today())
            plan = self._plan = Plan(
                self, self.timeline.phase_at(point), point, pretended=fixed is not None
            )
            if plan.expires is not None:
                from . import _alarms  # a thread and a heap, for dated timelines only

                _alarms.call_at(plan.expires, functools.partial(_expire, weakref.ref(self)))
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
        user, moved = self._where(caller, plan)
        if moved:  # the fast path's table, for a site the options moved (see _site_key)
            entry = _ignored_moved_site(table, user)
            if entry is not None:
                next(entry[3])
                return entry[4](*args, **kwargs)
        if plan.silent:
            target = forward if forward is not None else own
            key = self._site_key(user, caller, moved)
            if key is not None:
                entry = _ignoring(
                    user.f_code, user.f_globals, list(_wm.filters), _UNCOUNTED, target
                )
                _remember(table, generation, key, entry)
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
        key = self._site_key(user, caller, moved)
        if policies_module().silenced(self) or (
            # Strict mode raises on every use: a budget limits what is shown, not what fails.
            plan.limit is not None
            and not plan.strict
            and next(self.shown or self._new_shown()) >= plan.limit
        ):
            # Counted, not shown: remembered while the filters are the same (a silence() or
            # pretend() block makes it depend on the context: then not remembered).
            if key is not None:
                entry = _ignoring(user.f_code, user.f_globals, list(_wm.filters), counter, target)
                _remember(table, generation, key, entry)
            return target(*args, **kwargs)
        warning = new_warning(category, plan.text, plan.details, plan.shared)
        if plan.strict:
            raise warning
        snapshot = list(_wm.filters)
        if key is not None:
            # Remembered before warning: under an "error" filter, warn() raises.
            if _filters.ignored(snapshot, category, plan.text, user):
                entry = _ignoring(user.f_code, user.f_globals, snapshot, counter, target)
                _remember(table, generation, key, entry)
            elif key >= 0 and plan.budget == "call site" and plan.limit is None:
                # Python's registry decides the next use from this site ("always" has no
                # registry to take a shortcut by; a budget of N counts every use).
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
                _remember(table, generation, key, entry)
        if plan.budget == "always":
            _warn_every_time(warning, category, user)
        else:
            # `user` is an ancestor of this frame, so a level is always found.
            _wm.warn(warning, stacklevel=_frames.stacklevel(sys._getframe(), user) or 2)
        return target(*args, **kwargs)

    def _new_shown(self) -> itertools.count[int]:
        """The count of uses shown under a budget of N: one per declaration, made once."""
        with _lock:
            if self.shown is None:
                self.shown = itertools.count()
            return self.shown

    def _counter(self, user: FrameType, phase: Phase) -> itertools.count[int]:
        """The usage counter of the call site *user* (its code and instruction)."""
        key = (id(user.f_code), user.f_lasti)
        counter = self.sites.get(key)
        usage = _usage or _load_usage()
        if counter is None:
            return usage.new_site(self, user, key, phase)  # type: ignore[no-any-return]
        if usage.STATE.flusher is None:
            usage.start_flusher()
        return counter

    def _where(self, caller: FrameType, plan: Plan) -> tuple[FrameType, bool]:
        """The frame a use from *caller* is counted and warned at, and whether the
        declaration's ``skip_modules``/``stacklevel`` moved it past the caller."""
        user = _frames.user_frame(caller, self.owner)
        if not (plan.skip or plan.levels):
            return user, False
        user = _frames.beyond(user, plan.skip, plan.levels)
        return user, user is not caller

    @staticmethod
    def _site_key(user: FrameType, caller: FrameType, moved: bool) -> int | None:
        """The key under which the outcome of this use may be remembered for the next use
        from the same place, or None: the caller's instruction, which the generated wrapper
        looks up; or, when ``stacklevel``/``skip_modules`` moved the warning past the caller
        (the frame between changes from use to use), a negative key of the user's frame,
        which only the slow path looks up (after its frame walk, before the rest)."""
        if _wm.warn is not _filters.passthrough_warn or pretending():
            return None
        if user is caller:
            return None if _frames.is_transparent(caller.f_code.co_filename) else caller.f_lasti
        if moved and not _frames.is_transparent(user.f_code.co_filename):
            return _moved_key(user)
        return None


def _ignored_moved_site(table: FastTable, user: FrameType) -> FastEntry | None:
    """The remembered entry of *user*'s site, if the filters still ignore it: what the
    generated wrapper checks for the caller's site, for a site the options moved."""
    entry = table.get(_moved_key(user))
    if (
        entry is not None
        and entry[0] is user.f_code
        and entry[1] is user.f_globals
        and _wm.filters == entry[2]
        and entry[1].get("__name__") is entry[5]
        and _wm.warn is _filters.passthrough_warn
    ):
        return entry
    return None


def _moved_key(user: FrameType) -> int:
    """A key of the table that no instruction offset (>= 0) can be: one per user frame's code
    and instruction."""
    return ~((id(user.f_code) << 32) | user.f_lasti)


def _expire(ref: weakref.ref[Declaration]) -> None:
    """A dated declaration's next boundary has come: decide its phase again."""
    decl = ref()
    if decl is not None:
        bump_generation()
        decl.invalidate()


def _ignoring(
    code: CodeType,
    globals_: dict[str, Any],
    filters: list[Any],
    counter: itertools.count[int],
    target: AnyCallable,
) -> FastEntry:
    """The entry of a call site (its *code* and *globals_*) whose uses the filters ignore
    while *filters* and its module's name are the same."""
    return (code, globals_, filters, counter, target, globals_.get("__name__"))


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


# The counter of uses that are not counted (a changed default that applies now).
_UNCOUNTED: Final = itertools.count()


def _remember(table: FastTable, generation: int, key: int, entry: FastEntry) -> None:
    """Remember the outcome of a use from the caller instruction *key*, unless settings
    changed since the use began (its plan may be stale)."""
    with _lock:
        if generation == _generation:
            table[key] = entry


def new_warning(
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
                table[key] = _ignoring(entry[0], entry[1], filters, entry[3], self.target)

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


def _name(wrapper_ref: weakref.ref[FunctionType], own: FunctionType) -> None:
    """Give the wrapper's code *own*'s name, which tracebacks through it show (argument
    errors take the function's ``__qualname__``). A call already running keeps its code."""
    wrapper = wrapper_ref()
    if wrapper is not None:
        wrapper.__code__ = _codegen.named_code(wrapper.__code__, own)

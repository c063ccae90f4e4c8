"""Seeing every deprecation warning other code issues, without changing what Python does with it.

Python decides a warning's fate in ``warn_explicit`` (C): a repeat already in the caller's
``__warningregistry__`` returns first, then the filters decide (``ignore`` returns, ``error``
raises, the others show). No hook runs for an ignored or repeated warning, so two observers
sit *before* those decisions:

- **The front door.** ``warnings.warn`` and ``warnings.warn_explicit`` are replaced by
  wrappers that count, then call the originals with exactly what Python would have computed
  (the same frame for the same ``stacklevel`` and ``skip_file_prefixes``, the same registry,
  module and category), so filters, registries, ``catch_warnings`` and ``pytest.warns`` see
  what they saw. Every warning issued through ``warnings.warn(...)`` is counted, ignored or
  repeated.
- **The tap.** Warnings issued from C (``PyErr_WarnEx``: ``datetime.utcnow()``, NumPy's C
  code) and through a ``from warnings import warn`` bound before tracking began never reach
  the front door. A filter entry that never matches is put first in ``warnings.filters``: C
  asks its message pattern (the text) and its category (``__subclasscheck__``) before
  deciding, so the tap sees every such warning that reaches the filters; it is put first
  again after every change of the filters (``simplefilter``, ``catch_warnings``). It
  cannot see a repeat that the location's registry suppresses (``default``, ``module``,
  ``once``); docs/dependencies.md has the measures.

Phaseout's own warnings are left to phaseout's accounting (they come from its frames).
"""

from __future__ import annotations

import itertools
import sys
import threading
import warnings as _wm
from collections.abc import Callable, Iterable
from types import CodeType, FrameType
from typing import Any, Final

from .. import _filters, _frames, _notices, _usage
from .._config import normalize_name
from .._exceptions import DiagnosticWarning, PhaseoutWarning, SettingsWarning
from . import _attribution

_getframe: Final = sys._getframe

#: What ``track_warnings()`` counts unless told otherwise.
DEFAULT_CATEGORIES: Final[tuple[type[Warning], ...]] = (
    DeprecationWarning,
    PendingDeprecationWarning,
    FutureWarning,
)

# How the phase of a foreign warning is read from its category (the most specific first).
_PHASES: Final = (
    (PendingDeprecationWarning, "pending"),
    (FutureWarning, "hard"),
    (DeprecationWarning, "soft"),
)

# The sites seen so far (see `Tracking.known`), and each module (`_MODULES`), are bounded:
# past the limit they start afresh (counts live in the sites, not here). A warning of a
# package not asked for gets the counter no site reads.
_MAX_KNOWN: Final = 4096
_UNCOUNTED: Final[itertools.count[int]] = itertools.count()


class Tracking:
    """What ``track_warnings()`` counts; stopped by :meth:`stop` or by leaving a ``with``."""

    def __init__(self, categories: tuple[type[Warning], ...], packages: frozenset[str] | None):
        self.categories = categories
        self.packages = packages
        self.active = False
        # Per category: counted or not (phaseout's own categories and unasked ones are not).
        self.counted: dict[type, bool] = {}
        # The site of each (category, text, issuer, id of the user's code, instruction): the
        # code (so a reused id is told apart) and the counter.
        self.known: dict[tuple[Any, ...], tuple[CodeType, itertools.count[int]]] = {}

    def __enter__(self) -> Tracking:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop counting (the counts so far stay), and give ``warnings`` back its functions
        and filter list as they were, where nothing else replaced them since."""
        stop(self)

    def __repr__(self) -> str:
        names = ", ".join(category.__name__ for category in self.categories)
        packages = "all packages" if self.packages is None else ", ".join(sorted(self.packages))
        state = "on" if self.active else "stopped"
        return f"<Tracking {names} from {packages}: {state}>"

    def counts(self, category: Any) -> bool:
        try:
            return self.counted[category]
        except (KeyError, TypeError):
            pass
        try:
            result = (
                isinstance(category, type)
                and issubclass(category, self.categories)
                and not issubclass(category, (PhaseoutWarning, DiagnosticWarning))
            )
        except Exception:  # a category whose subclass check fails: Python will say so
            return False
        self.counted[category] = result
        return result


_lock = threading.Lock()
_current: Tracking | None = None
# What `warnings` had before the wrappers (the C functions, unless something patched them).
_previous_warn: Any = _wm.warn
_previous_warn_explicit: Any = _wm.warn_explicit


def current() -> Tracking | None:
    """The tracking in force, if any."""
    return _current


def count(message: Any, category: Any, issuing: FrameType, from_c: bool = False) -> None:  # noqa: PLR0915 - one frame on purpose: it runs for every warning
    """Count one warning issued from *issuing*; never raises into the program.

    Runs for every warning while tracking, so its common case is a few dict lookups: each
    frame's module is remembered by its globals, and the site by (text, category, issuing
    module, user's code, instruction).
    """
    tracking = _current
    if tracking is None:
        return
    try:
        if message.__class__ is str:
            kind = UserWarning if category is None else category
            text = message
        elif isinstance(message, Warning):
            kind = message.__class__
            text = str(message)
        else:
            kind = UserWarning if category is None else category
            text = str(message)
        counted = tracking.counted.get(kind)
        if counted is None:
            counted = tracking.counts(kind)
        if not counted:
            return
        globals_ = issuing.f_globals
        entry = _MODULES.get(id(globals_))
        if entry is None or entry[0] is not globals_:
            entry = _module(issuing)
        if entry[3]:  # phaseout's own: counted by phaseout
            return
        symbol = None
        user: FrameType | None
        if from_c or entry[4]:
            module, symbol = _issuer_slowly(text, issuing, from_c)
            top = module.partition(".")[0]
            user = issuing
        else:
            module, top = entry[1], entry[2]
            user = issuing.f_back  # the issuing frame is the issuer's own
        while user is not None:
            globals_ = user.f_globals
            found = _MODULES.get(id(globals_))
            if found is None or found[0] is not globals_:
                found = _module(user)
            if not found[5] and found[2] != top:
                break
            user = user.f_back
        if user is None:
            user = issuing
        code = user.f_code
        key = (text, kind, module, id(code), user.f_lasti)
        site = tracking.known.get(key)
        if site is None or site[0] is not code:
            site = (code, _site(tracking, text, kind, module, user, symbol))
            if len(tracking.known) >= _MAX_KNOWN:
                tracking.known.clear()
            tracking.known[key] = site
        next(site[1])
    except Exception as error:  # counting must never break the program
        what = message.__class__ if isinstance(message, Warning) else category
        problem = f"phaseout could not count a {what!r} warning ({error!r}); not counted"
        _notices.notice(("track_warnings", type(error)), problem, SettingsWarning)


# Per module (by the id of its globals, kept alive in the entry, so an id is never reused
# while it is here): (globals, name, top-level name, phaseout's own, a PEP 702 issuer,
# never the user's frame).
_MODULES: dict[int, tuple[dict[str, Any], str, str, bool, bool, bool]] = {}


def _module(frame: FrameType) -> tuple[dict[str, Any], str, str, bool, bool, bool]:
    """Remember the module of *frame* (see :data:`_MODULES`)."""
    globals_ = frame.f_globals
    name = _attribution.module_of(frame)
    top = name.partition(".")[0]
    own = _attribution.is_phaseout(frame)
    entry = (
        globals_,
        name,
        top,
        own,
        top in _attribution.PEP702_ISSUERS,
        own or top in _attribution.HELPERS or _frames.is_import_system(frame),
    )
    if len(_MODULES) >= _MAX_KNOWN:
        _MODULES.clear()
    _MODULES[id(globals_)] = entry
    return entry


_C_ISSUERS: dict[tuple[str, int], tuple[dict[str, Any], str, str | None]] = {}


def _issuer_slowly(text: str, issuing: FrameType, from_c: bool) -> tuple[str, str | None]:
    """The issuing module (and the symbol, when read) of a warning from C or from a PEP
    702 wrapper."""
    if not from_c:
        return _attribution.issuer(issuing), None
    globals_ = issuing.f_globals
    known = _C_ISSUERS.get((text, id(globals_)))
    if known is not None and known[0] is globals_:
        return known[1], known[2]
    module, symbol = _c_issuer(text, issuing)
    if len(_C_ISSUERS) >= _MAX_KNOWN:
        _C_ISSUERS.clear()
    _C_ISSUERS[text, id(globals_)] = (globals_, module, symbol)
    return module, symbol


def _c_issuer(text: str, issuing: FrameType) -> tuple[str, str | None]:
    # C code has no frame: the innermost one is its caller's. A message naming an imported
    # module's symbol names the issuer; else a library's frame is taken as the issuer.
    symbol = _attribution.symbol_of(text)
    top = symbol.partition(".")[0] if symbol else ""
    if top in sys.modules:
        return top, symbol
    if _attribution.is_library(issuing):  # a `from warnings import warn` of its own
        return _attribution.module_of(issuing), symbol
    return _attribution.UNKNOWN, symbol  # a C function called by the project: whose?


#: The targets of the watches applied now, by top-level module (kept by ``_watch``): a
#: library's own warning about a watched API is not counted twice.
WATCHED: dict[str, set[str]] = {}


def _site(
    tracking: Tracking,
    text: str,
    category: type[Warning],
    module: str,
    user: FrameType,
    symbol: str | None,
) -> itertools.count[int]:
    package = _attribution.package_of(module)
    top = module.partition(".")[0]
    wanted = tracking.packages
    if wanted is not None and not (
        normalize_name(package) in wanted or normalize_name(top) in wanted
    ):
        return _UNCOUNTED
    if symbol is None:
        symbol = _attribution.symbol_of(text)
    if symbol and any(
        target == symbol or target.endswith(f".{symbol}") for target in WATCHED.get(top, ())
    ):
        return _UNCOUNTED  # the watch counts these uses, by the name it was given
    message = _attribution.normalised(text)
    symbol = symbol or message
    code = user.f_code
    line = _frames.line_of(code, user.f_lasti)
    caller = f"{_attribution.module_of(user)}:{_frames.qualname_of(user)}"
    phase = next((name for base, name in _PHASES if issubclass(category, base)), "soft")
    identity = {
        "symbol": symbol,
        "package": package,
        "phase": phase,
        "since": None,
        "removed_in": None,
        "replacement": None,
        "caller": caller,
        "file": code.co_filename,
        "line": line,
        "kind": "warning",
        "category": category.__name__,
        "message": message,
    }
    where = ("warning", package, symbol, category.__name__, caller, code.co_filename, line)
    return _usage.warning_counter(where, identity)


# -- the front door -------------------------------------------------------------------------


_INTERNAL: dict[str, bool] = {}


def _internal(frame: FrameType) -> bool:
    """CPython's ``is_internal_frame``: a frame of the import system."""
    filename = frame.f_code.co_filename
    internal = _INTERNAL.get(filename)
    if internal is None:
        internal = _INTERNAL[filename] = _frames.is_import_system(frame)
    return internal


def found(caller: FrameType, stacklevel: int, prefixes: Any) -> FrameType | None:
    """The frame ``warnings.warn`` called from *caller* names (CPython's ``setup_context``:
    plain ``f_back`` steps from an import-system frame or at a level of 0 or less, else
    steps that skip import-system frames and *prefixes*)."""
    if prefixes:
        stacklevel = max(2, stacklevel)
    frame: FrameType | None = caller
    plain = stacklevel <= 0 or _internal(caller)
    for _ in range(stacklevel - 1):
        if frame is None:
            break
        frame = frame.f_back
        while (
            not plain
            and frame is not None
            and (_internal(frame) or (prefixes and frame.f_code.co_filename.startswith(prefixes)))
        ):
            frame = frame.f_back
    return frame


def _warn_at(
    original: Callable[..., Any],
    frame: FrameType | None,
    message: Any,
    category: Any,
    stacklevel: int,
    source: Any,
) -> Any:
    """What ``warnings.warn`` does when it names *frame*: ``warn_explicit`` with its file,
    line, module and registry, as CPython's ``setup_context`` reads them."""
    if isinstance(message, Warning):
        category = type(message)
    elif category is None:
        category = UserWarning
    if not (isinstance(category, type) and issubclass(category, Warning)):
        return original(message, category, stacklevel, source)  # raises Python's TypeError
    if frame is None:
        globals_: dict[str, Any] = sys.__dict__
        filename, lineno = "sys", 1
    else:
        globals_ = frame.f_globals
        filename, lineno = frame.f_code.co_filename, frame.f_lineno
    registry = globals_.get("__warningregistry__", _MISSING)
    if registry is _MISSING:
        registry = globals_["__warningregistry__"] = {}
    module = globals_.get("__name__", _MISSING)
    if not (module is None or isinstance(module, str)):
        module = "<string>"
    return _original_warn_explicit()(
        message, category, filename, lineno, module, registry, None, source
    )


def _past_phaseout(frame: FrameType | None) -> FrameType | None:
    while frame is not None and _attribution.is_phaseout(frame):
        frame = frame.f_back
    return frame


_MISSING: Final = object()


def _original_warn_explicit() -> Any:
    return _previous_warn_explicit


if sys.version_info >= (3, 12):

    def warn(
        message: Any,
        category: Any = None,
        stacklevel: int = 1,
        source: Any = None,
        *,
        skip_file_prefixes: tuple[str, ...] = (),
    ) -> None:
        """``warnings.warn``, counted by phaseout (``phaseout.track_warnings()``)."""
        try:
            caller = _getframe(1)
        except ValueError:  # called from C with no Python frame at all: nothing to count
            return _previous_warn(  # type: ignore[no-any-return]
                message, category, stacklevel, source, skip_file_prefixes=skip_file_prefixes
            )
        if _current is not None:
            count(message, category, caller)
        if not _rerouting and not skip_file_prefixes and stacklevel >= 1:
            internal = _INTERNAL.get(caller.f_code.co_filename)
            if not (_internal(caller) if internal is None else internal):
                # The original's first step goes from this frame to the caller: one more.
                return _previous_warn(message, category, stacklevel + 1, source)  # type: ignore[no-any-return]
        return _warn_slowly(caller, message, category, stacklevel, source, skip_file_prefixes)  # type: ignore[no-any-return]

else:

    def warn(message: Any, category: Any = None, stacklevel: int = 1, source: Any = None) -> None:
        """``warnings.warn``, counted by phaseout (``phaseout.track_warnings()``)."""
        try:
            caller = _getframe(1)
        except ValueError:  # called from C with no Python frame at all: nothing to count
            return _previous_warn(message, category, stacklevel, source)  # type: ignore[no-any-return]
        if _current is not None:
            count(message, category, caller)
        if not _rerouting and stacklevel >= 1:
            internal = _INTERNAL.get(caller.f_code.co_filename)
            if not (_internal(caller) if internal is None else internal):
                # The original's first step goes from this frame to the caller: one more.
                return _previous_warn(message, category, stacklevel + 1, source)  # type: ignore[no-any-return]
        return _warn_slowly(caller, message, category, stacklevel, source, ())  # type: ignore[no-any-return]


def _warn_slowly(
    caller: FrameType,
    message: Any,
    category: Any,
    stacklevel: int,
    source: Any,
    prefixes: tuple[str, ...],
) -> Any:
    """``warn`` past its common case (a walk that starts on an import-system frame or at a
    level of 0 or less, skipped prefixes, a watch's wrapper on the stack): the frame Python
    would name is found here, and ``warn_explicit`` is given its file, line and registry."""
    frame = found(caller, stacklevel, prefixes)
    if _rerouting and frame is not None and _attribution.is_phaseout(frame):
        frame = _past_phaseout(frame)  # a watch's wrapper stands where the library means its caller
    return _warn_at(_previous_warn, frame, message, category, stacklevel, source)


def warn_explicit(
    message: Any,
    category: Any,
    filename: Any,
    lineno: Any,
    module: Any = None,
    registry: Any = None,
    module_globals: Any = None,
    source: Any = None,
) -> None:
    """``warnings.warn_explicit``, counted by phaseout (``phaseout.track_warnings()``)."""
    count(message, category, _getframe(1))
    return _original_warn_explicit()(  # type: ignore[no-any-return]
        message, category, filename, lineno, module, registry, module_globals, source
    )


_FILTERS_GLOBALS: Final = vars(_filters)
_WARN_CODE: Final = warn.__code__
_WARN_EXPLICIT_CODE: Final = warn_explicit.__code__
_WARN_AT_CODE: Final = _warn_at.__code__


# -- the tap --------------------------------------------------------------------------------

_pending = threading.local()


class _TextTap:
    """The message pattern of the tap's filter entry: remembers the text, never matches."""

    __slots__ = ()

    def match(self, text: object) -> None:
        frame = _getframe(1)
        code = frame.f_code
        if code is _WARN_CODE or code is _WARN_EXPLICIT_CODE or code is _WARN_AT_CODE:
            return  # the front door counted it already
        if frame.f_globals is _FILTERS_GLOBALS:
            return  # phaseout's own prediction of the filters' answer, not C's question
        # With the frame: C asks the category next from the same frame; anything else
        # that reads the filter list (phaseout's own prediction) asks from another.
        _pending.text = (text, frame)

    def __repr__(self) -> str:
        return "<phaseout: counts warnings issued from C; never matches>"


class _CategoryTapType(type):
    def __subclasscheck__(cls, category: Any) -> bool:
        pending = _pending.__dict__.pop("text", None)
        if pending is None or _current is None:
            return False
        text, frame = pending
        if frame is _getframe(1):  # else not C's question
            count(text, category, frame, from_c=True)
        return False

    def __repr__(cls) -> str:
        return "<phaseout: counts warnings issued from C; never matches>"


class _CategoryTap(Warning, metaclass=_CategoryTapType):
    """The category of the tap's filter entry (no warning is ever of it)."""


#: The filter entry put first in ``warnings.filters`` while tracking.
TAP: Final[Any] = ("default", _TextTap(), _CategoryTap, None, 0)


def _without_tap(filters: Iterable[Any]) -> list[Any]:
    return [entry for entry in filters if entry is not TAP]


def _reseat() -> None:
    """Put the tap first again after a change of the filters (``simplefilter``,
    ``catch_warnings``, ``resetwarnings``): a filter put before it would match first and
    hide C's warnings from it. The order of the others is kept; the tap never matches, so
    no decision changes, and the filter version is not bumped again."""
    if _current is None:
        return
    try:
        filters: Any = _wm.filters
        if filters and filters[0] is TAP:
            return
        if isinstance(filters, list):
            filters[:] = [TAP, *_without_tap(filters)]
    except Exception:  # a change of the user's filters must never fail because of the tap
        return


# -- starting and stopping --------------------------------------------------------------------

# Watches applied now: while there are any, the front door stays, and a warning that would
# name a watch's wrapper names the wrapper's caller (see `warn`).
_rerouting = 0


def _open_front_door() -> None:
    global _previous_warn, _previous_warn_explicit
    if _wm.warn is not warn:
        _previous_warn = _wm.warn
        _previous_warn_explicit = _wm.warn_explicit
        _wm.warn = warn
        _wm.warn_explicit = warn_explicit
        if _filters.passthrough_warn is _filters.ORIGINAL_WARN:
            _filters.passthrough_warn = warn


def _close_front_door_if_unused() -> None:
    if _current is not None or _rerouting:
        return
    if _wm.warn is warn:
        _wm.warn = _previous_warn
    if _wm.warn_explicit is warn_explicit:
        _wm.warn_explicit = _previous_warn_explicit
    if _filters.passthrough_warn is warn:
        _filters.passthrough_warn = _filters.ORIGINAL_WARN


def reroute(watches: int) -> None:
    """Tell how many watches are applied (``_watch`` does, on every change)."""
    global _rerouting
    with _lock:
        _rerouting = watches
        if watches:
            _open_front_door()
        else:
            _close_front_door_if_unused()


def start(tracking: Tracking) -> Tracking:
    """Count what *tracking* asks from now on (replacing any tracking in force)."""
    global _current
    with _lock:
        if _current is not None:
            _current.active = False
        _open_front_door()
        filters: Any = _wm.filters
        if not (filters and filters[0] is TAP):
            # Not through filterwarnings(): the tap never matches, so no decision and no
            # registry changes, and the filter version stays as it is. (A tap left further
            # down, in a list a `catch_warnings` restored after a stop, moves up.)
            filters[:] = [TAP, *_without_tap(filters)]
        # Kept first across later changes where CPython lets them be observed (3.10-3.13).
        if _filters.watch_filter_versions() and _reseat not in _filters.after_change:
            _filters.after_change.append(_reseat)
        tracking.active = True
        _current = tracking
    return tracking


def stop(tracking: Tracking | None = None) -> None:
    """Stop *tracking* (or whatever tracking is in force)."""
    global _current
    with _lock:
        if tracking is not None and tracking is not _current:
            tracking.active = False
            return
        if _current is not None:
            _current.active = False
        _current = None
        _close_front_door_if_unused()
        if _reseat in _filters.after_change:
            _filters.after_change.remove(_reseat)
        filters: Any = _wm.filters
        if any(entry is TAP for entry in filters):
            filters[:] = _without_tap(filters)

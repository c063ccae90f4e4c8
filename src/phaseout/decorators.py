"""``@phaseout.deprecated``: declare a timeline for a function, method, property or class.

All validation happens here, at decoration time, with errors that name the symbol; nothing
here reads package metadata (that happens on the first use, see ``_versions``).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Mapping
from types import FunctionType
from typing import Any, Final, TypeVar

from packaging.version import Version

from . import _messages, _wrapping
from ._declaration import AnyCallable
from ._hotpath import Declaration
from ._versions import VersionSource, VersionSpec
from .exceptions import check_constructible
from .phases import Timeline
from .registry import register

__all__ = ["deprecated"]

_T = TypeVar("_T")
_C = TypeVar("_C", bound=Callable[..., Any])

# Version strings repeat across a package's declarations; parse each timeline once.
_TIMELINES: dict[tuple[object, ...], Timeline] = {}
_TIMELINES_LOCK: Final = threading.Lock()

_SUPPORTED: Final = (
    "functions, methods, classmethods, staticmethods, properties, classes, "
    "async functions, generators and async generators"
)


def _timeline(
    symbol: str, since: object, compat_in: object, hard_in: object, removed_in: object
) -> Timeline:
    key = (since, compat_in, hard_in, removed_in)
    try:
        return _TIMELINES[key]
    except (KeyError, TypeError):  # TypeError: an unhashable value, reported by parse()
        pass
    timeline = Timeline.parse(
        symbol, since=since, compat_in=compat_in, hard_in=hard_in, removed_in=removed_in
    )
    with _TIMELINES_LOCK:
        if len(_TIMELINES) < 4096:
            _TIMELINES[key] = timeline
    return timeline


def _dotted_name(obj: Any) -> str:
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    return f"{module}.{qualname}" if module else str(qualname)


def _replacement(symbol: str, replacement: object) -> tuple[str | None, AnyCallable | None]:
    """The replacement's dotted name, and the callable to forward to (when it is one)."""
    if replacement is None:
        return None, None
    if isinstance(replacement, str):
        parts = replacement.removesuffix("()").split(".")
        # "<locals>" is how the qualified name of a nested class or function reads.
        if not all(part.isidentifier() or part == "<locals>" for part in parts):
            raise ValueError(
                f"{symbol}: replacement must be a callable or a dotted name such as "
                f"'mylib.new_func', got {replacement!r}"
            )
        return replacement, None
    if isinstance(replacement, (classmethod, staticmethod)):
        replacement = replacement.__func__
    if isinstance(replacement, property):
        return _dotted_name(replacement.fget), None
    if not callable(replacement):
        raise TypeError(
            f"{symbol}: replacement must be a callable or a dotted name, "
            f"got {replacement!r} ({type(replacement).__name__})"
        )
    return _dotted_name(replacement), replacement


def _check_forward_kind(symbol: str, func: object, forward: AnyCallable) -> None:
    import inspect

    checks = (
        ("an async function", inspect.iscoroutinefunction),
        ("a generator function", inspect.isgeneratorfunction),
        ("an async generator function", inspect.isasyncgenfunction),
    )
    for what, check in checks:
        if check(func) != check(forward):
            raise TypeError(
                f"{symbol}: calls are forwarded to {_dotted_name(forward)} from compat_in on, "
                f"so it must be {what} exactly when {symbol} is one; pass a matching "
                f"replacement or drop compat_in"
            )


def check_category(symbol: str, category: object) -> type[Warning] | None:
    if category is None:
        return None
    if isinstance(category, type) and issubclass(category, Warning):
        check_constructible(symbol, category)
        return category
    raise TypeError(f"{symbol}: category must be a Warning subclass or None, got {category!r}")


def _check_optional_text(symbol: str, name: str, value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{symbol}: {name} must be a string or None, got {value!r}")


_PACKAGE_NAME: Final = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)


def _check_package(symbol: str, package: object) -> None:
    if package is not None and not (isinstance(package, str) and _PACKAGE_NAME.match(package)):
        raise ValueError(
            f"{symbol}: package must be a distribution name such as 'mylib' (letters, "
            f"digits, '.', '_' and '-'), got {package!r}"
        )


_CURRENT_VERSIONS: Final[dict[str, Version]] = {}  # parsing costs microseconds


def _check_current_version(symbol: str, current: object) -> VersionSpec | None:
    """A version string is parsed now, so a typo fails at import rather than on every call."""
    if current is None or isinstance(current, Version):
        return current
    if isinstance(current, str):
        known = _CURRENT_VERSIONS.get(current)
        if known is not None:
            return known
        try:
            parsed = Version(current)
        except ValueError:  # InvalidVersion, or an int over 4,300 digits
            raise ValueError(
                f"{symbol}: current_version must be a PEP 440 version such as '1.4', "
                f"got {current!r}"
            ) from None
        if len(_CURRENT_VERSIONS) < 4096:
            _CURRENT_VERSIONS[current] = parsed
        return parsed
    if callable(current):
        return current
    raise TypeError(
        f"{symbol}: current_version must be a version string or a zero-argument "
        f"callable returning one, got {current!r}"
    )


def _check_forwardable(
    symbol: str, kind: str, replacement: object, forward: AnyCallable | None
) -> None:
    """compat_in means "forward calls to the replacement": refuse what can never forward."""
    if kind == _messages.KIND_PROPERTY:
        raise TypeError(
            f"{symbol}: compat_in forwards calls to the replacement, which a property cannot "
            f"do; drop compat_in (hard_in and removed_in still apply)"
        )
    if forward is None:
        given = "no replacement" if replacement is None else f"the name {replacement!r}"
        raise TypeError(
            f"{symbol}: compat_in forwards calls to the replacement, so it needs the "
            f"replacement itself (a function or class), got {given}; pass "
            f"replacement=<the callable>, or drop compat_in"
        )


def _inner_pep702(obj: Any) -> tuple[Any, str | None]:
    """*obj* without an inner PEP 702 decorator's own warning, and its message (see
    ``_pep702``); a dict lookup when there is none, as decoration is paid at import."""
    kind = type(obj)
    if kind is FunctionType:  # the common case first
        if "__deprecated__" not in obj.__dict__:
            return obj, None
    elif kind is classmethod or kind is staticmethod:
        inner = obj.__func__
        if type(inner) is FunctionType and "__deprecated__" in inner.__dict__:
            from . import _pep702

            inner, static = _pep702.unwrap(inner)
            return kind(inner), static
        return obj, None
    elif not (isinstance(obj, type) and "__deprecated__" in vars(obj)):
        return obj, None
    from . import _pep702

    return _pep702.unwrap(obj)


def _kind(qualname: str) -> str:
    parent = qualname.rpartition(".")[0]
    if parent and not parent.endswith("<locals>"):
        return _messages.KIND_METHOD
    return _messages.KIND_FUNCTION


_Checked = tuple[Timeline, VersionSpec | None, str | None, AnyCallable | None]
# What _check_options reads, and its results by their values (the same checks, the same
# answers: none depends on the symbol but the wording of an error, and errors are not kept).
_OPTION_NAMES: Final = (
    "since", "removed_in", "hard_in", "compat_in", "reason", "guide", "package",
    "current_version", "replacement",
)  # fmt: skip
_CHECKED: Final[dict[tuple[object, ...], _Checked]] = {}
_TEXT_OR_NONE: Final = (str, type(None))


class _Deprecator:
    """What ``deprecated(...)`` returns: applied to an object, returns the same type."""

    __slots__ = ("_checked", "_options")

    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        self._checked: _Checked | None = None

    def __call__(self, obj: _T, /) -> _T:
        result: Any
        obj, static = _inner_pep702(obj)
        if isinstance(obj, (classmethod, staticmethod)):
            kind = (
                _messages.KIND_CLASSMETHOD
                if isinstance(obj, classmethod)
                else _messages.KIND_STATICMETHOD
            )
            inner = obj.__func__
            self._check_wrappable(inner, obj)
            decl, forward = self._declare(inner, kind, static)
            result = type(obj)(_wrapping.wrap_callable(decl, inner, forward))
            _wrapping.tag(result, decl)
        elif isinstance(obj, property):
            owner = obj.fget or obj.fset or obj.fdel
            self._check_wrappable(owner, obj)
            decl, _ = self._declare(owner, _messages.KIND_PROPERTY, static)
            result = _wrapping.wrap_property(decl, obj)
        elif isinstance(obj, type):
            decl, forward = self._declare(obj, _messages.KIND_CLASS, static)
            result = _wrapping.wrap_class(decl, obj, forward)
        else:
            self._check_wrappable(obj, obj)
            decl, forward = self._declare(obj, _kind(obj.__qualname__), static)  # type: ignore[attr-defined]
            result = _wrapping.wrap_callable(decl, obj, forward)
        register(decl)
        return result  # type: ignore[no-any-return]

    @staticmethod
    def _check_wrappable(func: object, given: object) -> None:
        if isinstance(func, (FunctionType, _wrapping.FlaggedFunction)):
            return
        if func is None:  # a property without getter, setter or deleter
            raise TypeError(
                f"phaseout.deprecated cannot wrap {given!r} (property): it has no getter, "
                f"setter or deleter to deprecate"
            )
        if callable(func) and not isinstance(func, type):
            what = type(func).__name__
            fix = "; deprecate the function it calls, or write a def that calls it"
        else:
            what, fix = type(func).__name__, ""
        raise TypeError(
            f"phaseout.deprecated cannot wrap {given!r} ({what}): it supports {_SUPPORTED}{fix}"
        )

    def _checked_options(self, symbol: str) -> _Checked:
        """:meth:`_check_options`, remembered for equal options: a package's declarations
        mostly share them, and each ``@deprecated(...)`` line makes its own decorator."""
        options = self._options
        # Only keys of text (or None): a key must not keep a replacement function (or any
        # other object) alive. Every option but these two must be text to pass the checks.
        if not (
            type(options["replacement"]) in _TEXT_OR_NONE
            and type(options["current_version"]) in _TEXT_OR_NONE
        ):
            return self._check_options(symbol)
        values = tuple([options[name] for name in _OPTION_NAMES])
        try:
            checked = _CHECKED.get(values)
        except TypeError:  # an unhashable option, refused by the checks below
            checked = None
        if checked is None:
            checked = self._check_options(symbol)
            if len(_CHECKED) < 4096:
                _CHECKED[values] = checked
        return checked

    def _check_options(self, symbol: str) -> _Checked:
        """What the options say, whatever they are applied to: checked on the first
        application (errors name that symbol), kept for the others."""
        options = self._options
        timeline = _timeline(
            symbol,
            options["since"],
            options["compat_in"],
            options["hard_in"],
            options["removed_in"],
        )
        for name in ("reason", "guide", "package"):
            _check_optional_text(symbol, name, options[name])
        _check_package(symbol, options["package"])
        current = _check_current_version(symbol, options["current_version"])
        return (timeline, current, *_replacement(symbol, options["replacement"]))

    def _declare(
        self, obj: Any, kind: str, static: str | None = None
    ) -> tuple[Declaration, AnyCallable | None]:
        options = self._options
        module = getattr(obj, "__module__", None) or "__main__"
        symbol = f"{module}.{obj.__qualname__}"
        checked = self._checked
        if checked is None:
            checked = self._checked = self._checked_options(symbol)
        timeline, current, replacement_name, forward = checked
        if timeline.compat_in is not None and options.get("forwards", True):
            _check_forwardable(symbol, kind, options["replacement"], forward)
        if timeline.compat_in is None or kind == _messages.KIND_PROPERTY:
            forward = None
        if forward is not None and kind != _messages.KIND_CLASS:
            _check_forward_kind(symbol, obj, forward)
        shaped = options["args_map"] is not None or options["result"] is not None
        if shaped:
            if kind in (_messages.KIND_CLASS, _messages.KIND_PROPERTY):
                raise TypeError(f"{symbol}: args_map and result apply to functions and methods")
            if forward is None:
                raise TypeError(
                    f"{symbol}: args_map and result shape calls forwarded to the replacement, "
                    f"so they need a callable replacement and compat_in"
                )
        if forward is not None and kind != _messages.KIND_CLASS:
            # Always bound by the legacy signature, so legacy defaults reach the replacement.
            from . import _forwarding

            forward = _forwarding.mapped_forward(
                symbol, obj, forward, options["args_map"], options["result"]
            )
        decl = Declaration(
            symbol=symbol,
            kind=kind,
            timeline=timeline,
            source=VersionSource(symbol, module, options["package"], current),
            replacement_name=replacement_name,
            forward=forward,
            reason=options["reason"],
            guide=options["guide"],
        )
        decl.static = static
        category = options.get("category")
        if category is not None:
            decl.category = check_category(symbol, category)
        return decl, forward


def deprecated(
    *,
    since: str,
    removed_in: str | None = None,
    hard_in: str | None = None,
    compat_in: str | None = None,
    replacement: Callable[..., Any] | str | None = None,
    reason: str | None = None,
    guide: str | None = None,
    package: str | None = None,
    current_version: VersionSpec | None = None,
    args_map: Mapping[str, str | None] | None = None,
    result: Callable[[Any], Any] | None = None,
    category: type[Warning] | None = None,
) -> _Deprecator:
    """Deprecate a function, method, classmethod, staticmethod, property or class.

    The phase follows the installed version of the owning package::

        @phaseout.deprecated(since="2.0", removed_in="3.0", replacement=new_func)
        def old_func(x): ...

    - ``since``: first version in which the API is deprecated (before it: PENDING).
    - ``compat_in``: from this version, calls are forwarded to ``replacement`` when it is
      callable (COMPAT).
    - ``hard_in``: from this version, a ``RemovalWarning`` (HARD); defaults to the first
      pre-release of ``removed_in``.
    - ``removed_in``: from this version, using the API raises ``RemovedError``.
    - ``replacement``: a callable or a dotted name; ``reason`` and ``guide`` (a URL or
      text) complete the message.
    - ``package``: the distribution whose version counts (default: the one providing the
      decorated object's module); ``current_version``: a version string or a zero-argument
      callable returning one, which overrides every other source.
    - ``args_map`` and ``result`` shape forwarded calls (COMPAT and HARD): arguments are
      bound by the legacy signature, renamed (``{"old": "new"}``) or dropped
      (``{"old": None}``) and passed to the replacement; ``result`` converts its return
      value to the legacy form. Names are checked against both signatures at decoration.
    - ``category``: the warning class of this declaration in every phase that warns,
      instead of phaseout's (or its package policy's, see ``phaseout.policy``).
    """
    return _Deprecator(
        {
            "since": since,
            "removed_in": removed_in,
            "hard_in": hard_in,
            "compat_in": compat_in,
            "replacement": replacement,
            "reason": reason,
            "guide": guide,
            "package": package,
            "current_version": current_version,
            "args_map": args_map,
            "result": result,
            "category": category,
        }
    )


def _refusing_bare_use(func: _C) -> _C:
    """``@phaseout.deprecated`` without its parentheses hands the function over as a
    positional argument: say how to write it instead of "takes 0 positional arguments"."""

    @functools.wraps(func)
    def checked(*args: Any, **options: Any) -> Any:
        if args:
            raise TypeError(
                f"phaseout.deprecated takes its options and returns the decorator: write "
                f"@phaseout.deprecated(since=..., removed_in=...), with the parentheses "
                f"(got {args[0]!r} as a positional argument)"
            )
        return func(**options)

    return checked  # type: ignore[return-value]


deprecated = _refusing_bare_use(deprecated)


def self_serving(**options: Any) -> _Deprecator:
    """``deprecated()`` for a member that itself serves the old API over the new one (an
    adapter method, a renamed hook's alias): its replacement is named for the message, and
    ``compat_in`` marks a phase, with nothing to forward."""
    deprecator = deprecated(**options)
    deprecator._options["forwards"] = False
    return deprecator

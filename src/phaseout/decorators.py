"""``@phaseout.deprecated``: declare a timeline for a function, method, property or class.

All validation happens here, at decoration time, with errors that name the symbol; nothing
here reads package metadata (that happens on the first use, see ``_versions``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from types import FunctionType
from typing import TYPE_CHECKING, Any, Final, TypeVar

from . import _messages, _wrapping
from ._declaration import AnyCallable
from ._hotpath import Declaration
from ._options import Checked, apply_use_options, check_category, checked_options, dotted_name
from ._registry import register
from ._showing import Budget
from ._versions import VersionSource, VersionSpec

if TYPE_CHECKING:
    from datetime import date

__all__ = ["deprecated"]

_T = TypeVar("_T")
_C = TypeVar("_C", bound=Callable[..., Any])

_SUPPORTED: Final = (
    "functions, methods, classmethods, staticmethods, properties, classes, "
    "async functions, generators and async generators"
)


def _check_forward_kind(symbol: str, func: object, forward: AnyCallable) -> None:
    """A forwarded call must return what the legacy call returned: a coroutine for an async
    function (a sync replacement's result is returned from one), a generator for a
    generator function."""
    import inspect

    target = dotted_name(forward)
    if inspect.iscoroutinefunction(forward) and not inspect.iscoroutinefunction(func):
        raise TypeError(
            f"{symbol}: calls are forwarded to {target} from compat_in on, which is an async "
            f"function, while {symbol} is not: its callers would get a coroutine instead of "
            f"a result; forward to a sync replacement, or drop compat_in"
        )
    checks = (
        ("a generator function", inspect.isgeneratorfunction),
        ("an async generator function", inspect.isasyncgenfunction),
    )
    for what, check in checks:
        if check(func) != check(forward):
            raise TypeError(
                f"{symbol}: calls are forwarded to {target} from compat_in on, "
                f"so it must be {what} exactly when {symbol} is one; pass a matching "
                f"replacement or drop compat_in"
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


class _Deprecator:
    """What ``deprecated(...)`` returns: applied to an object, returns the same type."""

    __slots__ = ("_checked", "_options")

    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        self._checked: Checked | None = None

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

    def _declare(
        self, obj: Any, kind: str, static: str | None = None
    ) -> tuple[Declaration, AnyCallable | None]:
        options = self._options
        module = options.get("module") or getattr(obj, "__module__", None) or "__main__"
        # A watched API is named as its users spell it (`pandas.DataFrame.append`).
        symbol = options.get("symbol") or f"{module}.{obj.__qualname__}"
        checked = self._checked
        if checked is None:
            checked = self._checked = checked_options(symbol, self._options)
        timeline, current, replacement, forward = checked
        if timeline.compat_in is not None and options.get("forwards", True):
            _check_forwardable(symbol, kind, options["replacement"], forward)
        if timeline.compat_in is None or kind == _messages.KIND_PROPERTY:
            forward = None
        if forward is not None and kind != _messages.KIND_CLASS:
            _check_forward_kind(symbol, obj, forward)
        shaped = (
            options["args_map"] is not None
            or options["result"] is not None
            or options.get("args_extra") is not None
        )
        if shaped:
            if kind in (_messages.KIND_CLASS, _messages.KIND_PROPERTY):
                raise TypeError(
                    f"{symbol}: args_map, args_extra and result apply to functions and methods"
                )
            if forward is None:
                raise TypeError(
                    f"{symbol}: args_map, args_extra and result shape calls forwarded to the "
                    f"replacement, so they need a callable replacement and compat_in"
                )
        if forward is not None and kind != _messages.KIND_CLASS:
            # Always bound by the legacy signature, so legacy defaults reach the replacement.
            from . import _forwarding

            forward = _forwarding.mapped_forward(
                symbol,
                obj,
                forward,
                options["args_map"],
                options["result"],
                options.get("args_extra"),
            )
        decl = Declaration(
            symbol=symbol,
            kind=kind,
            timeline=timeline,
            source=VersionSource(symbol, module, options["package"], current),
            replacement=replacement,
            forward=forward,
            reason=options["reason"],
            guide=options["guide"],
        )
        decl.static = static
        apply_use_options(decl, options)
        category = options.get("category")
        if category is not None:
            decl.category = check_category(symbol, category)
        return decl, forward


def deprecated(
    *,
    since: str | date,
    removed_in: str | date | None = None,
    hard_in: str | date | None = None,
    compat_in: str | date | None = None,
    replacement: Callable[..., Any] | str | None = None,
    reason: str | None = None,
    guide: str | None = None,
    package: str | None = None,
    current_version: VersionSpec | None = None,
    args_map: Mapping[str, str | None] | None = None,
    result: Callable[[Any], Any] | None = None,
    args_extra: Mapping[str, object] | None = None,
    category: type[Warning] | None = None,
    warn_at_most: Budget | None = None,
    stacklevel: int | None = None,
    skip_modules: Sequence[str] | str | None = None,
    quiet: bool | None = None,
) -> _Deprecator:
    """Deprecate a function, method, classmethod, staticmethod, property or class.

    The phase follows the installed version of the owning package::

        @phaseout.deprecated(since="2.0", removed_in="3.0", replacement=new_func)
        def old_func(x): ...

    Args:
        since: The first version (or date) in which the API is deprecated; before it the
            phase is PENDING.
        removed_in: From this version, using the API raises ``RemovedError``.
        hard_in: From this version, a ``RemovalWarning`` (HARD); defaults to the first
            pre-release of ``removed_in``.
        compat_in: From this version, calls are forwarded to ``replacement`` when it is
            callable (COMPAT).
        replacement: A callable or a dotted name, named in the message.
        reason: Why, appended to the message.
        guide: A URL or text where the migration is explained.
        package: The distribution whose version counts (default: the one providing the
            decorated object's module).
        current_version: A version string or a zero-argument callable returning one, which
            overrides every other source.
        args_map: For forwarded calls (COMPAT and HARD): arguments bound by the legacy
            signature are renamed (``{"old": "new"}``) or dropped (``{"old": None}``) and
            passed to the replacement. Names are checked against both signatures at
            decoration. An async function may forward to a sync replacement (its coroutine
            returns the result); a sync one cannot forward to an async replacement.
        result: Converts a forwarded call's return value to the legacy form.
        args_extra: Fixed keyword arguments added to forwarded calls
            (``{"backend": "v1"}``).
        category: The warning class of this declaration in every phase that warns, instead
            of phaseout's (or its package policy's, see ``phaseout.policy``).
        warn_at_most: How often uses are shown: N (the first N uses in the process; later
            ones are counted, not shown), ``"call site"`` (Python's rule, the default) or
            ``"always"``; instead of the package policy's ``budget``.
        stacklevel: Where the warning points (1: the caller's line, the default), for APIs
            called through the library's own helpers.
        skip_modules: Module names whose frames are skipped, as phaseout's own.
        quiet: Counted in usage logs, never shown (a quiet forwarding period).

    Returns:
        The decorator, which returns the object itself for classes and a wrapper with the
        same signature, docstring (plus a ``.. deprecated::`` note) and flags otherwise.

    .. versionadded:: 0.1
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
            "args_extra": args_extra,
            "category": category,
            "warn_at_most": warn_at_most,
            "stacklevel": stacklevel,
            "skip_modules": skip_modules,
            "quiet": quiet,
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

"""Deprecate parameters: renamed, removed, becoming keyword-only, default changes, values.

Each declaration is a :class:`~phaseout.registry.Declaration` of its own, with the timeline,
phases, warnings, strict mode, ``pretend()`` and usage accounting of ``@phaseout.deprecated``.
The declarations on one function share one *layer*: a function generated with the wrapped
function's own parameters (plus the old keywords it still accepts), so Python binds the
arguments and words its errors as it would for the function itself. A call that uses no
deprecated parameter costs a few identity checks and one call; a call that uses one goes
through the same per-call-site fast path as a deprecated function.

Only what must be known is made observable: a parameter whose *passing* matters (a renamed or
removed one, one whose default changes) gets a private "not passed" default in the layer, and
the function's own default is put back before the call, so the function sees exactly what it
would have seen.
"""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

from . import _codegen, _constructors, _wrapping
from ._declaring import (
    CHANGE_KEYS,
    ChangeOptions,
    TimelineOptions,
    timeline_options,
)
from ._hotpath import Declaration
from ._layer import DEPRECATED, NOT_PASSED, Layer, Shape, equal
from ._parameter_rules import ChangedDefault, KeywordOnly, Removed, Renamed, Rule, Value

if TYPE_CHECKING:
    from datetime import date

    from typing_extensions import Unpack

__all__ = [
    "DEPRECATED",
    "changed_default",
    "deprecated_value",
    "keyword_only",
    "removed_parameter",
    "renamed_parameter",
]


_F = TypeVar("_F")


class _Declarer:
    """What each decorator returns: applies its rule to a function, method, classmethod,
    staticmethod, ``__init__``, async function or generator, stacking with the others; on
    a class, to its constructor (dataclasses, attrs, pydantic, ``NamedTuple``, its own)."""

    __slots__ = ("_rule",)

    def __init__(self, rule: Rule) -> None:
        self._rule = rule

    def __call__(self, obj: _F, /) -> _F:
        if isinstance(obj, (classmethod, staticmethod)):
            inner = self(obj.__func__)
            result: Any = type(obj)(inner)
            decl = getattr(inner, "__phaseout__", None)
            if decl is not None:
                _wrapping.tag(result, decl)
            return result  # type: ignore[no-any-return]
        if isinstance(obj, type):
            on_class(obj, self._rule)
            return obj
        if isinstance(obj, property) or not callable(obj):
            raise TypeError(
                f"phaseout.{_DECORATOR_NAMES[type(self._rule)]} applies to functions, "
                f"methods and classes, got {obj!r} ({type(obj).__name__})"
            )
        return apply(obj, self._rule)  # type: ignore[no-any-return]


def on_class(cls: type, rule: Rule) -> None:
    """Apply *rule* to *cls*'s constructor, once it has one (see ``_constructors``)."""

    def finish(owner: type) -> None:
        name, func = _constructors.constructor(owner)
        if not isinstance(func, FunctionType) and getattr(func, "__wrapped__", None) is None:
            raise TypeError(
                f"phaseout.{_DECORATOR_NAMES[type(rule)]}: {owner.__qualname__} has no "
                f"constructor written in Python to apply it to, got {func!r}"
            )
        called = f"{owner.__module__}.{owner.__qualname__}"
        exposed = apply(
            func,
            rule,
            function=called,
            keyword_defaults=_constructors.keyword_defaults(owner),
        )
        _constructors.install(owner, name, exposed)

    _constructors.when_built(cls, finish)


def apply(
    obj: Any,
    rule: Rule,
    *,
    function: str | None = None,
    keyword_defaults: dict[str, object] | None = None,
) -> Any:
    """*obj* (a function, or the layer of earlier declarations) with *rule* applied.

    *function* is the name its users call it by (``mylib.Report`` for a class's
    ``__init__``); *keyword_defaults* the defaults of keywords its ``**kwargs`` takes."""
    decl = getattr(obj, "__phaseout__", None)
    if isinstance(decl, Declaration) and hasattr(obj, "__wrapped__"):
        # A deprecated function: the parameters are handled under its wrapper, which is
        # made again around the new layer.
        layered = apply(obj.__wrapped__, rule, function=function)
        return _wrapping.wrap_callable(decl, layered, decl.forward)
    layer: Layer | None = getattr(obj, _wrapping.PARAMETER_LAYER, None)
    func = obj if layer is None else layer.func
    rules = [] if layer is None else cast("list[Rule]", list(layer.rules))
    if not isinstance(func, FunctionType):
        raise TypeError(
            f"phaseout.{_DECORATOR_NAMES[type(rule)]} applies to functions "
            f"written in Python, got {func!r} ({type(func).__name__})"
        )
    called = function or f"{func.__module__}.{func.__qualname__}"
    label = rule.symbol(called)
    if layer is not None:
        keyword_defaults = layer.shape.keyword_defaults
    shape = Shape(func, keyword_defaults)
    if _codegen.clashes(shape.all_names):
        raise TypeError(f"{label}: parameter names starting with _phaseout_ are reserved")
    rule.check(shape, label)
    _check_overlap(rule, rules, label)
    rule.declare(func, shape, called)
    return Layer(
        func,
        [*rules, rule],
        keyword_defaults=shape.keyword_defaults,
        copies=function is not None or (layer is not None and layer.copies),
    ).exposed


def _check_overlap(rule: Rule, rules: list[Rule], label: str) -> None:
    for other in rules:
        shared = set(rule.names()) & set(other.names())
        if not shared:
            continue
        if (
            isinstance(rule, Value)
            and isinstance(other, Value)
            and not (rule.value is other.value or equal(rule.value, other.value))
        ):
            continue  # several values of one parameter may each be deprecated
        raise TypeError(
            f"{label}: parameter {', '.join(sorted(shared))} already has a declaration "
            f"({other.decl.symbol}, {other.kind}); declare one per parameter"
        )


_DECORATOR_NAMES: Final[dict[type[Rule], str]] = {
    Renamed: "renamed_parameter",
    Removed: "removed_parameter",
    KeywordOnly: "keyword_only",
    ChangedDefault: "changed_default",
    Value: "deprecated_value",
}


def _name(decorator: str, what: str, value: object) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise TypeError(f"phaseout.{decorator}: {what} must be a parameter name, got {value!r}")
    return value


def renamed_parameter(
    old: str,
    new: str,
    **timeline: Unpack[TimelineOptions],
) -> Callable[[_F], _F]:
    """The keyword *old* is now *new*: ``f(old=1)`` warns and passes ``new=1``; passing
    both is a ``TypeError``; from ``removed_in``, *old* raises ``RemovedArgumentError``
    (also a ``TypeError``).

    *old* may stay in the ``def`` (for callers passing it by position, and for type checkers
    and IDEs) with the default :data:`DEPRECATED` (or None): a value passed for it, by
    keyword or position, warns and goes to *new*, and the function receives the default.

    The decorated object may be a function, a method or a class (its constructor: the
    ``__init__`` a dataclass, attrs or pydantic generated, or a NamedTuple's ``__new__``).

    Args:
        old: The parameter's old name.
        new: Its new name, a parameter of the function (or a keyword its ``**kwargs`` takes).
        **timeline: ``since``, ``removed_in``, ``hard_in``, ``guide``... as for
            ``phaseout.deprecated`` (``phaseout.typing.TimelineOptions``).

    .. versionadded:: 0.1
    """
    rule = Renamed(
        _name("renamed_parameter", "old", old),
        _name("renamed_parameter", "new", new),
        timeline_options("renamed_parameter", timeline),
    )
    return _Declarer(rule)


def removed_parameter(
    name: str,
    *,
    drop: bool = False,
    **timeline: Unpack[TimelineOptions],
) -> Callable[[_F], _F]:
    """Parameter *name* is going away: passing it, by keyword or by position, warns, and
    from ``removed_in`` raises ``RemovedArgumentError``. The function still receives the
    value, or with ``drop=True`` its own default instead. A function taking ``**kwargs``
    may declare a keyword it no longer lists.

    The decorated object may be a function, a method or a class (its constructor: the
    ``__init__`` a dataclass, attrs or pydantic generated, or a NamedTuple's ``__new__``).

    Args:
        name: The parameter's name.
        drop: Pass the function its own default instead of the value given.
        **timeline: ``since``, ``removed_in``, ``hard_in``, ``guide``... as for
            ``phaseout.deprecated`` (``phaseout.typing.TimelineOptions``).

    .. versionadded:: 0.1
    """
    if not isinstance(drop, bool):
        raise TypeError(f"phaseout.removed_parameter: drop must be True or False, got {drop!r}")
    rule = Removed(
        _name("removed_parameter", "name", name),
        drop,
        timeline_options("removed_parameter", timeline),
    )
    return _Declarer(rule)


def keyword_only(
    *names: str,
    **timeline: Unpack[TimelineOptions],
) -> Callable[[_F], _F]:
    """Parameters *names* (the last positional ones) become keyword-only: passing them by
    position warns, and from ``removed_in`` raises ``RemovedArgumentError``.

    The decorated object may be a function, a method or a class (its constructor: the
    ``__init__`` a dataclass, attrs or pydantic generated, or a NamedTuple's ``__new__``).

    Args:
        *names: The parameters, in order: the last positional ones.
        **timeline: ``since``, ``removed_in``, ``hard_in``, ``guide``... as for
            ``phaseout.deprecated`` (``phaseout.typing.TimelineOptions``).

    .. versionadded:: 0.1
    """
    rule = KeywordOnly(
        tuple(_name("keyword_only", "each name", name) for name in names),
        timeline_options("keyword_only", timeline),
    )
    return _Declarer(rule)


def changed_default(
    name: str,
    new: object,
    *,
    changes_in: str | date,
    **timeline: Unpack[ChangeOptions],
) -> Callable[[_F], _F]:
    """The default of *name* (the one in the ``def``) becomes *new* in ``changes_in``.

    Before that, a call that does not pass *name* gets the old default and a
    ``ChangedDefaultWarning`` (a ``FutureWarning``: its result will change); a call that
    passes it is silent. From ``changes_in`` on, calls get *new*, silently: the installed
    version switches it, with no code change on release day.

    The decorated object may be a function, a method or a class (its constructor: the
    ``__init__`` a dataclass, attrs or pydantic generated, or a NamedTuple's ``__new__``).

    Args:
        name: The parameter whose default changes.
        new: Its default from ``changes_in`` on.
        changes_in: The version in which the default changes.
        **timeline: ``since``, ``hard_in``, ``guide``... (``phaseout.typing.ChangeOptions``:
            no ``removed_in``, which is ``changes_in`` here).

    .. versionadded:: 0.1
    """
    if not isinstance(changes_in, str):
        raise TypeError(
            f"phaseout.changed_default: changes_in must be a PEP 440 version such as '3.0', "
            f"got {changes_in!r}"
        )
    options = timeline_options("changed_default", timeline, accepted=CHANGE_KEYS)
    options["removed_in"] = changes_in  # the phase words say "changes", the timeline "removed"
    return _Declarer(ChangedDefault(_name("changed_default", "name", name), new, options))


def deprecated_value(
    name: str,
    value: object,
    *,
    new: object = NOT_PASSED,
    **timeline: Unpack[TimelineOptions],
) -> Callable[[_F], _F]:
    """Passing *value* to *name* is deprecated: it warns (and with *new*, the function
    receives *new* instead); from ``removed_in`` it raises ``RemovedValueError`` (also a
    ``ValueError``). Other values are untouched.

    The decorated object may be a function, a method or a class (its constructor: the
    ``__init__`` a dataclass, attrs or pydantic generated, or a NamedTuple's ``__new__``).

    Args:
        name: The parameter.
        value: The deprecated value (compared with ``is``, then ``==``).
        new: What the function receives instead, if anything.
        **timeline: ``since``, ``removed_in``, ``hard_in``, ``guide``... as for
            ``phaseout.deprecated`` (``phaseout.typing.TimelineOptions``).

    .. versionadded:: 0.1
    """
    rule = Value(
        _name("deprecated_value", "name", name),
        value,
        new,
        timeline_options("deprecated_value", timeline),
    )
    return _Declarer(rule)

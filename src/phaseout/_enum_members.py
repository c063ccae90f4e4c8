"""Enum members: ``deprecated_member``, a warning on access by name, a member kept a member.

``Color.RED`` and ``Color["RED"]`` are uses (a warning at that line, counted per call site);
everything that does not name the member stays Python's own and silent: identity, iteration,
``Color(value)``, ``in``, ``len``, comparisons, and pickling by value. (From Python 3.12 an
Enum member pickles *by name*: unpickling then names it, a use worth a warning, as the stored
data breaks once the member is removed.)

Enum members sit in their class's ``__dict__`` as plain values, and ``Color["RED"]`` reads
``_member_map_``: the name's entry in each becomes a reader with the per-call-site wrapper
every deprecated API gets (the metaclass refuses to reassign a member, so ``type.__setattr__``
sets them). Nothing else of the class changes.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar

from ._declaring import TimelineOptions, Wording, declare, timeline_options
from ._exceptions import RemovedAttributeError
from ._fastpath import fast_caller
from ._naming import KIND_CLASS_ATTRIBUTE, LOCK, identifier

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["deprecated_member"]

_E = TypeVar("_E", bound=type[enum.Enum])


class _MemberName:
    """The class ``__dict__`` entry of a deprecated member: reading it is a use."""

    __slots__ = ("member",)

    def __init__(self, member: enum.Enum) -> None:
        self.member = member

    def __repr__(self) -> str:
        return f"<deprecated member {self.member!r}>"


class _MemberMap(dict[str, Any]):
    """An Enum's ``_member_map_`` whose deprecated names are uses when read by key
    (``Color["RED"]``, ``Color.__members__["RED"]``). The enum module's own reads (iterating
    the class on 3.11, the functional API, ``_missing_``) are not: only its ``__getitem__``
    (and, before 3.12, ``__getattr__``, which Python calls when the class ``__dict__`` entry
    raised ``RemovedAttributeError``) read a name a user wrote."""

    # name -> (reader for a direct read, reader for one through the enum module): the
    # caller a use is counted at is the user's frame either way, so the site is remembered.
    readers: dict[str, tuple[Callable[[], Any], Callable[[], Any]]]

    def __getitem__(self, name: str) -> Any:
        readers = self.readers.get(name)
        if readers is None:
            return dict.__getitem__(self, name)
        code = sys._getframe(1).f_code
        if code.co_filename != _ENUM_FILE:
            return readers[0]()  # `Color.__members__["RED"]`
        if code.co_name in _NAMED_READS:
            return readers[1]()  # `Color["RED"]`
        return dict.__getitem__(self, name)


_ENUM_FILE: Final = enum.__file__
_NAMED_READS: Final = ("__getitem__", "__getattr__")


def deprecated_member(
    name: str,
    *,
    replacement: str | None = None,
    **timeline: Unpack[TimelineOptions],
) -> Callable[[_E], _E]:
    """On an Enum class: member *name* is deprecated. ``Color.RED`` and ``Color["RED"]``
    warn at that line and give the member itself (an alias of *replacement*, when the class
    says ``RED = CRIMSON``'s value); from ``removed_in`` they raise
    ``RemovedAttributeError``. *replacement* is another member's name.

    Args:
        name: The member's name in the Enum class.
        replacement: Another member's name, named in the message.
        **timeline: ``since``, ``removed_in``, ``hard_in``, ``guide``... as for
            ``phaseout.deprecated`` (``phaseout.typing.TimelineOptions``).

    .. versionadded:: 0.1
    """
    identifier("deprecated_member", "name", name)
    if replacement is not None:
        identifier("deprecated_member", "replacement", replacement)
    options = timeline_options("deprecated_member", timeline)

    def apply(cls: _E) -> _E:
        if not (isinstance(cls, type) and issubclass(cls, enum.Enum)):
            raise TypeError(
                f"phaseout.deprecated_member applies to Enum classes (for another class, use "
                f"deprecated_class_attribute in its body), got {cls!r}"
            )
        where = f"{cls.__module__}.{cls.__qualname__}"
        for wanted in (name, replacement):
            if wanted is not None and wanted not in cls.__members__:
                raise ValueError(
                    f"phaseout.deprecated_member: {where} has no member {wanted!r}; its "
                    f"members are {', '.join(cls.__members__)}"
                )
        member = dict.__getitem__(cls._member_map_, name)  # not a use
        symbol = f"{where}.{name}"
        if isinstance(vars(cls).get(name), _MemberName):
            raise TypeError(f"phaseout.deprecated_member: {symbol} is already deprecated")
        new = None if replacement is None else f"{where}.{replacement}"
        decl = declare(
            symbol,
            KIND_CLASS_ATTRIBUTE,
            cls.__module__,
            options,
            Wording(symbol, f"Use {new} instead." if new else "", error=RemovedAttributeError),
            new,
        )
        give: Callable[[], Any] = lambda: member  # noqa: E731
        read_attribute = fast_caller(decl, lambda _self, _instance, _owner=None: member, None)
        # Called by this map's __getitem__ (from the user, or from the metaclass's).
        read_key = (fast_caller(decl, give, None, 2), fast_caller(decl, give, None, 3))
        served = type("_MemberName", (_MemberName,), {"__get__": read_attribute})
        with LOCK:
            members = cls._member_map_
            if type(members) is not _MemberMap:
                members = _MemberMap(members)
                members.readers = {}
                type.__setattr__(cls, "_member_map_", members)
            members.readers[name] = read_key
            type.__setattr__(cls, name, served(member))
        return cls

    return apply

"""Class attributes: ``renamed_class_attribute`` and ``deprecated_class_attribute``.

Data descriptors on the class: reads, writes and deletes through the old name are uses, with
the per-call-site wrappers a deprecated function gets, through inheritance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._declaration import AnyCallable
from ._declaring import TimelineOptions, Wording, declare, timeline_options
from ._exceptions import RemovedAttributeError
from ._fastpath import fast_caller
from ._hotpath import Declaration
from ._naming import KIND_CLASS_ATTRIBUTE, identifier

if TYPE_CHECKING:
    from typing_extensions import Unpack


class _ClassAttribute:
    """A data descriptor: reads, writes and deletes through the old name are uses.

    Once Python names it in a class body, the descriptor gets a class of its own whose
    ``__get__``, ``__set__`` and ``__delete__`` are the per-call-site wrappers a deprecated
    function gets, so a read costs what a deprecated call does.
    """

    _kind_words = "class attribute"

    def __init__(self, options: dict[str, Any], replacement: str | None) -> None:
        self._options = options
        self._replacement = replacement
        self._name = ""
        self._base = type(self)
        self.declaration: Declaration | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        # Called again when a class is made anew from its namespace (dataclass(slots=True)):
        # the declaration then names the class that is kept.
        self._name = name
        self._check(owner, name)
        symbol = f"{owner.__module__}.{owner.__qualname__}.{name}"
        advice = f"Use {self._replacement} instead." if self._replacement else ""
        decl = declare(
            symbol,
            KIND_CLASS_ATTRIBUTE,
            owner.__module__,
            self._options,
            Wording(symbol, advice, error=RemovedAttributeError),
            self._replacement,
        )
        self.declaration = decl
        served = type(
            f"{self._base.__name__}_{name}",
            (self._base,),
            {
                "__get__": fast_caller(decl, self._reader(), None, exact=True),
                "__set__": fast_caller(decl, self._writer(), None, exact=True),
                "__delete__": fast_caller(decl, self._deleter(), None, exact=True),
            },
        )
        served.__module__ = __name__
        self.__class__ = served

    def _check(self, owner: type, name: str) -> None:
        pass

    def _reader(self) -> AnyCallable:
        """``__get__(self, instance, owner=None)``."""
        raise NotImplementedError

    def _writer(self) -> AnyCallable:
        """``__set__(self, instance, value)``."""
        raise NotImplementedError

    def _deleter(self) -> AnyCallable:
        """``__delete__(self, instance)``."""
        raise NotImplementedError

    def _unbound(self) -> AttributeError:
        return AttributeError(
            f"phaseout: a {self._kind_words} must be assigned in a class body, where Python "
            f"names it"
        )

    # Until named in a class body (then the class of its own serves these).
    def __get__(self, instance: object, owner: type | None = None) -> Any:
        raise self._unbound()

    def __set__(self, instance: object, value: Any) -> None:
        raise self._unbound()

    def __delete__(self, instance: object) -> None:
        raise self._unbound()


class _Renamed(_ClassAttribute):
    _kind_words = "renamed_class_attribute"

    def __init__(self, new: str, options: dict[str, Any]) -> None:
        super().__init__(options, None)
        self._new = new

    def __set_name__(self, owner: type, name: str) -> None:
        self._replacement = f"{owner.__module__}.{owner.__qualname__}.{self._new}"
        super().__set_name__(owner, name)

    def _check(self, owner: type, name: str) -> None:
        if name == self._new:
            raise TypeError(f"{owner.__qualname__}.{name} cannot be renamed to itself")
        slots: list[str] = []
        for klass in owner.__mro__:
            declared = vars(klass).get("__slots__", ())
            slots += [declared] if isinstance(declared, str) else list(declared)
        has_dict = any("__dict__" in vars(klass) for klass in owner.__mro__ if klass is not object)
        if (
            not has_dict
            and self._new not in slots
            and not any(self._new in vars(klass) for klass in owner.__mro__)
        ):
            raise TypeError(
                f"{owner.__qualname__}.{name} is renamed {self._new}, but instances of "
                f"{owner.__qualname__} have __slots__ without {self._new!r} and no __dict__: "
                f"add {self._new!r} to __slots__"
            )

    def _reader(self) -> AnyCallable:
        new = self._new

        def get(self: object, instance: object, owner: type | None = None) -> Any:
            return getattr(owner if instance is None else instance, new)

        return get

    def _writer(self) -> AnyCallable:
        new = self._new

        def set_(self: object, instance: object, value: Any) -> None:
            setattr(instance, new, value)

        return set_

    def _deleter(self) -> AnyCallable:
        new = self._new

        def delete(self: object, instance: object) -> None:
            delattr(instance, new)

        return delete


class _Constant(_ClassAttribute):
    _kind_words = "deprecated_class_attribute"

    def __init__(self, value: object, options: dict[str, Any], replacement: str | None) -> None:
        super().__init__(options, replacement)
        self._value = value

    def _check(self, owner: type, name: str) -> None:
        if "__slots__" in vars(owner) and "__dict__" not in vars(owner):
            raise TypeError(
                f"{owner.__qualname__}.{name}: a deprecated class attribute keeps what is "
                f"assigned to it on an instance in the instance __dict__, which a __slots__ "
                f"class does not have; add '__dict__' to __slots__"
            )

    def _reader(self) -> AnyCallable:
        name, value = self._name, self._value

        def get(self: object, instance: object, owner: type | None = None) -> Any:
            if instance is not None:
                own = getattr(instance, "__dict__", None)
                if own is not None and name in own:
                    return own[name]
            return value

        return get

    def _writer(self) -> AnyCallable:
        name = self._name

        def set_(self: object, instance: object, value: Any) -> None:
            instance.__dict__[name] = value

        return set_

    def _deleter(self) -> AnyCallable:
        name = self._name

        def delete(self: object, instance: object) -> None:
            try:
                del instance.__dict__[name]
            except KeyError:
                raise AttributeError(name) from None

        return delete


def renamed_class_attribute(
    new: str,
    **timeline: Unpack[TimelineOptions],
) -> Any:
    """In a class body, ``OLD = phaseout.renamed_class_attribute("new")``: reading, writing and
    deleting ``OLD``, on the class or an instance (and through inheritance), warn at that line
    and go to ``new``; from ``removed_in`` they raise ``RemovedAttributeError``.

    Args:
        new: The attribute's new name, in the same class.
        **timeline: ``since``, ``removed_in``, ``hard_in``, ``guide``... as for
            ``phaseout.deprecated`` (``phaseout.typing.TimelineOptions``).

    .. versionchanged:: 0.1
       Renamed from ``renamed_attribute``; the old name is deprecated.
    """
    return _Renamed(
        identifier("renamed_class_attribute", "new", new),
        timeline_options("renamed_class_attribute", timeline),
    )


def deprecated_class_attribute(
    value: object,
    *,
    replacement: str | None = None,
    **timeline: Unpack[TimelineOptions],
) -> Any:
    """In a class body, ``RETRIES = phaseout.deprecated_class_attribute(3)``: reading it warns
    and gives *value* (or what was assigned to it on the instance); from ``removed_in`` it
    raises ``RemovedAttributeError``.

    Args:
        value: The attribute's value (on the class; an instance may assign its own).
        replacement: What to use instead, named in the message.
        **timeline: ``since``, ``removed_in``, ``hard_in``, ``guide``... as for
            ``phaseout.deprecated`` (``phaseout.typing.TimelineOptions``).

    .. versionadded:: 0.1
    """
    return _Constant(
        value,
        timeline_options("deprecated_class_attribute", timeline),
        replacement,
    )

"""Deprecate fields of data-model classes: dataclasses, attrs, pydantic models, NamedTuples.

``@phaseout.deprecated_field("old", new="new", since=..., removed_in=...)`` on the class:
``Model(old=...)``, ``obj.old`` and ``obj.old = ...`` warn (and with *new*, go to the new
field). The parameter declarations (``renamed_parameter``, ``deprecated_value``, ...) also
decorate a class, for its constructor. Both apply after ``@dataclass``/``@attrs.define``
made the constructor, whichever order the decorators are stacked in. See docs/models.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from . import _constructors, _model_fields
from ._declaring import TimelineOptions, timeline_options
from ._naming import identifier
from ._parameter_rules import Removed, Renamed, Rule
from .parameters import on_class

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["deprecated_field"]

_C = TypeVar("_C", bound=type)


def deprecated_field(
    name: str,
    *,
    new: str | None = None,
    **timeline: Unpack[TimelineOptions],
) -> Callable[[_C], _C]:
    """The field *name* of the decorated class is deprecated.

    Passing it to the constructor, reading ``obj.name`` and assigning it are uses: they warn
    at the user's line, count in the usage logs, and from ``removed_in`` raise
    (``RemovedArgumentError`` for the keyword, ``RemovedAttributeError`` for the attribute).
    With *new*, the field is gone from the class and every use goes to the field *new*
    instead; without, the field stays and keeps its value. The class's own machinery
    (``repr``, equality, ``fields()``, ``replace()``/``evolve()``/``model_copy()``,
    ``asdict()``/``model_dump()``, pickling) says nothing.

    Args:
        name: the deprecated field.
        new: the field that replaces it, if any.
        **timeline: ``since``, ``removed_in`` and the other options of
            ``@phaseout.deprecated``.

    .. versionadded:: 0.30
    """
    name = identifier("deprecated_field", "name", name)
    if new is not None:
        new = identifier("deprecated_field", "new", new)
        if new == name:
            raise ValueError(f"phaseout.deprecated_field: cannot rename {name!r} to itself")
    options = timeline_options("deprecated_field", timeline)

    def decorate(cls: _C) -> _C:
        if not isinstance(cls, type):
            raise TypeError(
                f"phaseout.deprecated_field decorates a class (a dataclass, an attrs class, "
                f"a pydantic model, a NamedTuple), got {cls!r} ({type(cls).__name__})"
            )
        rule: Rule = (
            Renamed(name, new, dict(options)) if new else Removed(name, False, dict(options))
        )
        on_class(cls, rule)

        def finish(owner: type) -> None:
            _model_fields.install(owner, name, new, dict(options))

        _constructors.when_built(cls, finish)
        return cls

    return decorate

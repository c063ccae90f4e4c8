"""The classes bench_models.py constructs, declared in a module of their own (a use from the
declaring module is attributed past it, as a library's own calls are)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, NamedTuple

import attrs
import pydantic

import phaseout

T: dict[str, Any] = {"since": "1.0", "removed_in": "9.0", "package": "bmlib"}
T["current_version"] = "2.0"


def parameters(cls: Any) -> Any:
    cls = phaseout.renamed_parameter("colour", "color", **T)(cls)
    return phaseout.deprecated_value("width", -1, new=None, **T)(cls)


def fields(cls: Any) -> Any:
    cls = phaseout.deprecated_field("colour", new="color", **T)(cls)
    return phaseout.deprecated_field("legacy", **T)(cls)


def body() -> type:
    class Report:
        width: int | None = None
        color: str = "red"
        size: int = 10
        legacy: int = 0

    return Report


def family(name: str) -> Callable[..., Any]:
    """A maker of the class of *name*: with *declare* applied above or below the generator."""

    def make(declare: Callable[[Any], Any] | None, below: bool = False) -> Any:
        if name == "pydantic":

            class Model(pydantic.BaseModel):
                width: int | None = None
                color: str = "red"
                size: int = 10
                legacy: int = 0

            return declare(Model) if declare else Model
        if name == "NamedTuple":

            class Row(NamedTuple):
                width: int | None = None
                color: str = "red"
                size: int = 10
                legacy: int = 0

            return declare(Row) if declare else Row
        generate: Any = dataclasses.dataclass if name == "dataclass" else attrs.define
        if declare is None:
            return generate(body())
        return generate(declare(body())) if below else declare(generate(body()))

    return make


def pass_through(cls: Any) -> Any:
    """*cls* with its constructor wrapped by a plain function of the same parameters: the
    floor of any wrapper written in Python."""
    init = cls.__init__
    if "model_fields" in dir(cls):

        def wrapper(self: Any, /, **data: Any) -> None:
            init(self, **data)
    else:

        def wrapper(  # type: ignore[misc]
            self: Any, width: Any = None, color: Any = "red", size: Any = 10, legacy: Any = 0
        ) -> None:
            init(self, width, color, size, legacy)

    cls.__init__ = wrapper
    return cls

"""Stored values as exact JSON text, for backups: what was read is what a rollback writes.

A JSON document column is kept as the text read. A row's columns are kept as a JSON list in
which every value that JSON cannot carry exactly (bytes, dates, decimals, UUIDs, floats that
are not finite) is tagged, so that restoring binds the very same Python value.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math
import uuid
from collections.abc import Callable
from typing import Any, Final

__all__ = ["dump_values", "load_values"]

_TAG: Final = "$phaseout"


def _tagged(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {_TAG: "float", "v": repr(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {_TAG: "bytes", "v": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dt.datetime):
        return {_TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {_TAG: "date", "v": value.isoformat()}
    if isinstance(value, dt.time):
        return {_TAG: "time", "v": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {_TAG: "decimal", "v": str(value)}
    if isinstance(value, uuid.UUID):
        return {_TAG: "uuid", "v": str(value)}
    if isinstance(value, list):
        return {_TAG: "list", "v": [_tagged(item) for item in value]}
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {_TAG: "dict", "v": {key: _tagged(item) for key, item in value.items()}}
    raise TypeError(f"cannot back up a stored {type(value).__name__} value exactly")


_UNTAG: Final[dict[str, Callable[[Any], Any]]] = {
    "float": float,
    "bytes": base64.b64decode,
    "datetime": dt.datetime.fromisoformat,
    "date": dt.date.fromisoformat,
    "time": dt.time.fromisoformat,
    "decimal": decimal.Decimal,
    "uuid": uuid.UUID,
}


def _untagged(value: Any) -> Any:
    if isinstance(value, dict) and _TAG in value:
        kind, inner = value[_TAG], value["v"]
        if kind == "list":
            return [_untagged(item) for item in inner]
        if kind == "dict":
            return {key: _untagged(item) for key, item in inner.items()}
        return _UNTAG[kind](inner)
    return value


def dump_values(values: tuple[Any, ...]) -> str:
    """*values* (one row's columns) as JSON text that :func:`load_values` reads back exactly."""
    return json.dumps([_tagged(value) for value in values], separators=(",", ":"))


def load_values(text: str) -> tuple[Any, ...]:
    return tuple(_untagged(value) for value in json.loads(text))

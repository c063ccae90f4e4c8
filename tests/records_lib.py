"""The reference record change of the records tests: ``settings`` from a JSON string to an
object, ``created_at`` from Unix seconds to ISO 8601, with a downgrade and validators.

Written into a test's folder (``write_library``) so that subprocesses import it as
``reclib:users``; the in-process tests build the same ``Records`` with :func:`declare`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

LIBRARY = """\
import datetime as dt
import json
import os
import time

import phaseout

# Kill tests slow each step down, so that a kill lands inside a batch's transaction.
SLOW = float(os.environ.get("RECLIB_SLOW", "0"))

users = phaseout.Records("users", package="reclib", version_field="schema_version")


@users.upgrade(1, to=2, since="2.0", removed_in="3.0", current_version="2.5")
def settings_object(record):
    if SLOW:
        time.sleep(SLOW)
    record["settings"] = json.loads(record["settings"])
    seconds = record["created_at"]
    if type(seconds) is not int:
        raise TypeError(f"created_at must be Unix seconds, got {seconds!r}")
    record["created_at"] = dt.datetime.fromtimestamp(seconds, dt.timezone.utc).isoformat()
    return record


@users.downgrade(2, to=1)
def settings_string(record):
    record["settings"] = json.dumps(record["settings"])
    record["created_at"] = int(dt.datetime.fromisoformat(record["created_at"]).timestamp())
    return record


def check_v1(record):
    if not isinstance(record.get("settings"), str):
        yield "settings must be a JSON string"
    if "name" not in record:
        yield "name is missing"


def check_v2(record):
    if not isinstance(record.get("settings"), dict):
        yield "settings must be an object"


users.validator(1, check_v1)
users.validator(2, check_v2)
"""


def write_library(folder: Any) -> None:
    (folder / "reclib.py").write_text(LIBRARY, encoding="utf-8")


def v1(key: int, **extra: Any) -> dict[str, Any]:
    """A version 1 user (no version field: version 1 by default)."""
    return {
        "name": f"user{key}",
        "settings": json.dumps({"theme": "dark" if key % 2 else "light", "n": key}),
        "created_at": 1_700_000_000 + key,
        **extra,
    }


def upgraded(record: dict[str, Any]) -> dict[str, Any]:
    """What the reference step makes of *record* (written independently of it)."""
    out = dict(record)
    out["settings"] = json.loads(record["settings"])
    out["created_at"] = dt.datetime.fromtimestamp(record["created_at"], dt.timezone.utc).isoformat()
    out["schema_version"] = 2
    return out

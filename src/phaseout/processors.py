"""structlog-style processors for usage events, reusable in your own chain.

Each is a plain callable ``(logger, method_name, event_dict) -> event_dict``, the processor
protocol of structlog, so none of them imports structlog. phaseout's own JSON-lines sink
runs :data:`USAGE_PIPELINE` followed by :func:`render_json_line`; an application that sends
usage events through its own structlog configuration (``configure(structlog_logger=...)``) can
put the same processors in its chain, and keep only phaseout's events in a dedicated output
with :func:`keep_usage_events`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, MutableMapping
from datetime import datetime, timezone
from typing import Any, Final

__all__ = [
    "EVENT_KEYS",
    "PHASEOUT_EVENTS",
    "ROLLOUT_EVENTS",
    "SCHEMA",
    "USAGE_EVENTS",
    "USAGE_PIPELINE",
    "add_pid",
    "add_schema",
    "add_utc_timestamp",
    "keep_usage_events",
    "render_json_line",
    "utc_timestamp",
]

EventDict = MutableMapping[str, Any]
Processor = Callable[[Any, str, EventDict], EventDict]

#: The version of the event format. Readers skip events of a schema they do not know.
SCHEMA: Final = 1

#: The two event names phaseout writes about deprecated APIs.
USAGE_EVENTS: Final = frozenset({"deprecated_call", "deprecated_usage"})

#: The events of rollouts (``phaseout.rollout.Rollout``).
ROLLOUT_EVENTS: Final = frozenset(
    {
        "rollout_usage",
        "rollout_mismatch",
        "rollout_shadow_error",
        "rollout_rolled_back",
        "rollout_resumed",
    }
)
PHASEOUT_EVENTS: Final = USAGE_EVENTS | ROLLOUT_EVENTS

#: The keys of a usage event in the order phaseout writes them. The varying keys come first
#: and the call site's identity last, so a reader can recognise a repeated site cheaply.
EVENT_KEYS: Final = (
    "timestamp",
    "event",
    "schema",
    "count",
    "pid",
    "symbol",
    "package",
    "phase",
    "since",
    "removed_in",
    "replacement",
    "caller",
    "file",
    "line",
)


def utc_timestamp(seconds: float | None = None) -> str:
    """*seconds* since the epoch (default: now) as fixed-width UTC ISO 8601.

    Always six fractional digits and a ``Z``, so timestamps sort as strings.
    """
    moment = (
        datetime.now(timezone.utc)
        if seconds is None
        else datetime.fromtimestamp(seconds, timezone.utc)
    )
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def add_utc_timestamp(logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
    """Add ``timestamp`` (UTC ISO 8601) unless the event already has one."""
    if "timestamp" not in event_dict:
        event_dict["timestamp"] = utc_timestamp()
    return event_dict


def add_schema(logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
    """Add ``schema``, the version of phaseout's event format, to phaseout's events."""
    if event_dict.get("event") in PHASEOUT_EVENTS:
        event_dict.setdefault("schema", SCHEMA)
    return event_dict


def add_pid(logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
    """Add ``pid``, read at each event so forked workers report their own."""
    event_dict.setdefault("pid", os.getpid())
    return event_dict


def keep_usage_events(logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
    """Drop every event that is not one of phaseout's (``structlog.DropEvent``)."""
    if event_dict.get("event") not in PHASEOUT_EVENTS:
        import structlog  # the chain that calls this processor has imported it already

        raise structlog.DropEvent
    return event_dict


def render_json_line(logger: Any, method_name: str, event_dict: EventDict) -> str:
    """Render the event as one line of compact, ASCII-only JSON, in :data:`EVENT_KEYS` order.

    Keys phaseout does not know follow in their own order. ASCII only, so a file name that is
    not valid UTF-8 (kept by Python as lone surrogates) still makes a valid line.
    """
    ordered = {key: event_dict[key] for key in EVENT_KEYS if key in event_dict}
    for key, value in event_dict.items():
        if key not in ordered:
            ordered[key] = value
    return json.dumps(ordered, separators=(",", ":"), default=str)


#: What phaseout's sinks add to an event before it is rendered or handed to a logger.
USAGE_PIPELINE: Final[tuple[Processor, ...]] = (add_utc_timestamp, add_schema, add_pid)

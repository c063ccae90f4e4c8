"""The structlog-style processors, alone and inside a real structlog pipeline."""

from __future__ import annotations

import io
import json
import os
from datetime import datetime, timezone
from typing import Any

import structlog

from phaseout.processors import (
    EVENT_KEYS,
    USAGE_PIPELINE,
    add_pid,
    add_schema,
    add_utc_timestamp,
    keep_usage_events,
    render_json_line,
    utc_timestamp,
)


def test_utc_timestamp_is_fixed_width_utc_iso_8601() -> None:
    assert utc_timestamp(0) == "1970-01-01T00:00:00.000000Z"
    assert utc_timestamp(1_790_000_000.5) == "2026-09-21T14:13:20.500000Z"
    now = datetime.fromisoformat(utc_timestamp()[:-1]).replace(tzinfo=timezone.utc)
    assert abs((datetime.now(timezone.utc) - now).total_seconds()) < 60


def test_processors_add_only_what_is_missing() -> None:
    event: dict[str, Any] = {"event": "deprecated_usage", "timestamp": "kept", "pid": 1}
    for processor in USAGE_PIPELINE:
        event = dict(processor(None, "info", event))
    assert event == {"event": "deprecated_usage", "timestamp": "kept", "pid": 1, "schema": 1}
    other = add_schema(None, "info", {"event": "login"})
    assert other == {"event": "login"}  # schema belongs to phaseout's events only
    assert add_pid(None, "info", {})["pid"] == os.getpid()
    assert add_utc_timestamp(None, "info", {})["timestamp"].endswith("Z")


def test_render_json_line_orders_keys_and_stays_ascii() -> None:
    event = {
        "extra": 1,
        "line": 3,
        "file": "/srv/caf\udce9.py",  # a file name that is not valid UTF-8
        "event": "deprecated_call",
        "timestamp": "t",
        "symbol": "lib.f",
    }
    line = render_json_line(None, "info", event)
    assert line.isascii()
    assert "\n" not in line
    decoded = json.loads(line)
    assert list(decoded) == ["timestamp", "event", "symbol", "file", "line", "extra"]
    assert decoded["file"] == "/srv/caf\udce9.py"
    assert [key for key in EVENT_KEYS if key in decoded] == list(decoded)[:-1]


def test_keep_usage_events_filters_a_real_structlog_chain() -> None:
    out = io.StringIO()
    logger = structlog.wrap_logger(
        structlog.PrintLogger(out),
        processors=[keep_usage_events, *USAGE_PIPELINE, render_json_line],
    )
    logger.info("user_login", user="ada")
    logger.warning("deprecated_call", symbol="lib.f")
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert list(event)[:3] == ["timestamp", "event", "schema"]
    assert (event["event"], event["symbol"], event["pid"]) == (
        "deprecated_call",
        "lib.f",
        os.getpid(),
    )

"""The audit trail of a migration: one JSON line per event, through structlog, to a file.

Start and finish (the migration, versions, options, counts), one line per committed batch
(its keys, counts, duration) and one per record left untouched (its key, the stage and the
reason). The library's own logger, wrapped around the file: structlog's global
configuration is the application's and is never touched.
"""

from __future__ import annotations

import json
import os
from typing import IO, Any

__all__ = ["AuditTrail"]


def _plain(value: Any) -> Any:
    """A JSON-able form of a record key (an int or a string stays itself)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


class AuditTrail:
    """Appends events to *path* (nothing without a path); each line is flushed at once."""

    def __init__(self, path: str | os.PathLike[str] | None, migration: str) -> None:
        self._file: IO[str] | None = None
        self._log: Any = None
        if path is None:
            return
        import structlog

        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()
        self._log = structlog.wrap_logger(
            structlog.WriteLogger(self._file),
            processors=[
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                structlog.processors.JSONRenderer(serializer=self._dumps),
            ],
            wrapper_class=structlog.BoundLogger,
            context_class=dict,
            cache_logger_on_first_use=False,
        ).bind(migration=migration)

    @staticmethod
    def _dumps(event: Any, **options: Any) -> str:
        options["default"] = str  # a key or a value JSON cannot carry: its text
        return json.dumps(event, ensure_ascii=False, **options)

    def event(self, name: str, *, warning: bool = False, **facts: Any) -> None:
        if self._log is None:
            return
        for key in ("key", "first_key", "last_key"):
            if key in facts:
                facts[key] = _plain(facts[key])
        (self._log.warning if warning else self._log.info)(name, **facts)
        assert self._file is not None
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

"""Stored data: batch migrations of records declared with ``phaseout.Records``.

::

    from phaseout.records import SQLTable, migrate

    result = migrate(users, SQLTable("sqlite:///app.db", "users", key="user_id", column="data"))
    result = migrate(users, SQLTable(...), dry_run=False)   # writes, in safe batches

Keyset pagination, one transaction per batch with its checkpoint and the originals of the
rows it changes, UPDATEs guarded on the values read; ``verify`` and ``rollback`` after. A
dry run (the default) writes nothing. SQL tables need the ``records`` extra (SQLAlchemy Core,
psycopg for PostgreSQL), imported when ``SQLTable`` is first used; JSON Lines need nothing.
See ``docs/records.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._command import add_data_command, run_data_command
from ._jsonl import JSONLines
from ._migrate import (
    OUTCOMES,
    Failure,
    MigrationResult,
    Sample,
    migrate,
    migration_id,
    parse_max_failures,
)
from ._store import Restored, Store
from ._verify import VerifyResult, rollback, verify

if TYPE_CHECKING:
    from ._sql import SQLTable

__all__ = [
    "OUTCOMES",
    "Failure",
    "JSONLines",
    "MigrationResult",
    "Restored",
    "SQLTable",
    "Sample",
    "Store",
    "VerifyResult",
    "add_data_command",
    "migrate",
    "migration_id",
    "parse_max_failures",
    "rollback",
    "run_data_command",
    "verify",
]


def __getattr__(name: str) -> Any:
    if name == "SQLTable":  # SQLAlchemy is the `records` extra: imported when asked for
        try:
            from ._sql import SQLTable
        except ImportError as error:  # pragma: no cover - tested in an install without it
            raise ImportError(
                f"phaseout.records.SQLTable needs SQLAlchemy: pip install 'phaseout[records]' "
                f"({error})"
            ) from error
        return SQLTable
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

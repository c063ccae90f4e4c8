"""Records in a SQL table, through SQLAlchemy Core: SQLite (the embedded default) and
PostgreSQL (psycopg).

A record is a JSON document in one column (``column="data"``), or the row's columns mapped
to the record's fields. Batches are read by keyset pagination on a unique key, in a short
read transaction; once converted, a batch is written in one transaction with the originals
of the rows it changes (a ``phaseout_backup_<migration>`` table) and the checkpoint
(``phaseout_migrations``). Every UPDATE is guarded on the values read, so a row another
writer changed in between is skipped, never overwritten. SQLite write transactions begin
IMMEDIATE (the lock taken first), so a concurrent writer waits instead of failing the batch.
The hot statements are written once and run through the driver's cursor: values go in and
come out exactly as the driver gives them (no type processing on the way).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, OperationalError

from ._store import (
    Batch,
    Change,
    Checkpoint,
    Item,
    Restored,
    Settle,
    StoredError,
    encode_record,
    file_lock,
    slug,
)
from ._values import dump_values, load_values

__all__ = ["SQLTable"]

CHECKPOINTS: Final = "phaseout_migrations"
_READS: Final = "phaseout_reads"  # a connection's info key: its transactions only read
_LOCK_RETRIES: Final = 20


def _engine_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):  # SQLAlchemy's default driver is psycopg2: use psycopg 3
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class SQLTable:
    """The records of *table*, keyed by the unique column *key*: a JSON document in *column*,
    or (without *column*) the row's *columns* (all but the key by default) as fields."""

    def __init__(
        self,
        url: str | sa.Engine,
        table: str,
        *,
        key: str,
        column: str | None = None,
        columns: list[str] | None = None,
    ) -> None:
        if isinstance(url, sa.Engine):
            self._url = str(url.url)
            self.engine = url
            self._own_engine = False
        else:
            self._url = url
            try:
                self.engine = self._make_engine(_engine_url(url))
            except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as error:
                raise ValueError(
                    f"--db must be a database URL (sqlite:///app.db), got {url!r}: {error}"
                ) from None
            self._own_engine = True
        self._writer: sa.Connection | None = None
        try:
            self._open(table, key, column, columns)
        except BaseException:
            # Nothing is left open behind an error: the engine's connections are closed.
            if self._own_engine:
                self.engine.dispose()
            raise

    def _open(self, table: str, key: str, column: str | None, columns: list[str] | None) -> None:
        if self.engine.dialect.name not in ("sqlite", "postgresql"):
            raise ValueError(
                f"records support SQLite and PostgreSQL, got a {self.engine.dialect.name} "
                f"database ({self._url})"
            )
        schema, _, name = table.rpartition(".")
        try:
            self.table = sa.Table(
                name, sa.MetaData(), schema=schema or None, autoload_with=self.engine
            )
        except sa.exc.NoSuchTableError:
            raise ValueError(f"table {table!r} does not exist in {self._safe_url()}") from None
        except sa.exc.DBAPIError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            raise ValueError(f"cannot read {self._safe_url()}: {reason}") from None
        self.label = f"{self._safe_url()} table {table}"
        self.name = table
        self._check_key(key)
        self.key = self.table.c[key]
        self.column = column
        if column is not None:
            if column not in self.table.c:
                raise ValueError(f"table {table!r} has no column {column!r} (--column)")
            names = [column]
        else:
            names = columns or [c.name for c in self.table.c if c.name != key]
            missing = [n for n in names if n not in self.table.c]
            if missing:
                raise ValueError(f"table {table!r} has no column {', '.join(map(repr, missing))}")
        self.names = names
        self._json = [self._is_json(self.table.c[n]) for n in names]
        self._checkpoints = sa.Table(
            CHECKPOINTS,
            sa.MetaData(),
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("status", sa.Text, nullable=False),
            sa.Column("last_key", sa.Text),
            sa.Column("counts", sa.Text, nullable=False),
            sa.Column("total", sa.BigInteger),
            sa.Column("started", sa.Text, nullable=False),
            sa.Column("updated", sa.Text, nullable=False),
            sa.Column("details", sa.Text),
        )
        self._statements()

    # -- set-up -------------------------------------------------------------------------------

    @staticmethod
    def _make_engine(url: str) -> sa.Engine:
        if url.startswith("sqlite"):
            engine = sa.create_engine(url, connect_args={"timeout": 60})

            @sa.event.listens_for(engine, "connect")
            def _no_implicit_transactions(dbapi_connection: Any, record: Any) -> None:
                dbapi_connection.isolation_level = None  # transactions begun below, explicitly

            @sa.event.listens_for(engine, "begin")
            def _begin(connection: sa.Connection) -> None:
                # A write takes the lock before it starts: a concurrent writer then waits
                # for the batch instead of failing it (or it failing the batch).
                reads = connection.info.get(_READS, False)
                connection.exec_driver_sql("BEGIN" if reads else "BEGIN IMMEDIATE")

            return engine
        return sa.create_engine(url)

    def _safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def _check_key(self, key: str) -> None:
        if key not in self.table.c:
            raise ValueError(f"table {self.name!r} has no column {key!r} (--key)")
        primary = [c.name for c in self.table.primary_key.columns]
        if primary == [key]:
            return
        inspector = sa.inspect(self.engine)
        schema = self.table.schema
        unique: list[list[Any]] = [
            list(c["column_names"])
            for c in inspector.get_unique_constraints(self.table.name, schema)
        ]
        unique += [
            list(i["column_names"])
            for i in inspector.get_indexes(self.table.name, schema)
            if i["unique"]
        ]
        if [key] not in unique:
            raise ValueError(
                f"--key {key!r} must be the primary key or a unique column of {self.name!r}: "
                "batches are paged by it"
            )

    @staticmethod
    def _is_json(column: sa.Column[Any]) -> bool:
        return isinstance(column.type, sa.JSON) or type(column.type).__name__ in ("JSON", "JSONB")

    def _statements(self) -> None:
        """The SQL of the hot path, written once, run through the driver as it is: values
        are read and written exactly as the driver gives and takes them (no type
        processing on the way), and no statement is compiled per batch."""
        dialect = self.engine.dialect
        postgres = dialect.name == "postgresql"
        quote = dialect.identifier_preparer.quote
        mark = "%s" if postgres else "?"
        self._mark = mark
        table = dialect.identifier_preparer.format_table(self.table)
        key = quote(self.key.name)
        reads, sets, guards = [], [], []
        for name, is_json in zip(self.names, self._json, strict=True):
            column = quote(name)
            if is_json and postgres:
                kind = self.table.c[name].type.compile(dialect=dialect)
                reads.append(f"CAST({column} AS TEXT)")
                sets.append(f"{column} = CAST({mark} AS {kind})")
                # jsonb's text is normalised (spaces, key order): compare the values.
                guards.append(f"CAST({column} AS JSONB) IS NOT DISTINCT FROM CAST({mark} AS JSONB)")
            else:
                reads.append(column)
                sets.append(f"{column} = {mark}")
                guards.append(
                    f"{column} IS NOT DISTINCT FROM {mark}" if postgres else f"{column} IS {mark}"
                )
        self._reads = f"SELECT {key}, {', '.join(reads)} FROM {table}"
        self._key_sql = key
        self._first = f"{self._reads} ORDER BY {key} LIMIT {mark}"
        self._after = f"{self._reads} WHERE {key} > {mark} ORDER BY {key} LIMIT {mark}"
        self._update = (
            f"UPDATE {table} SET {', '.join(sets)} WHERE {key} = {mark} AND " + " AND ".join(guards)
        )
        self._count = f"SELECT COUNT(*) FROM {table}"
        self._checkpoint_sql = (
            f"UPDATE {quote(CHECKPOINTS)} SET last_key = {mark}, counts = {mark}, "
            f"updated = {mark} WHERE id = {mark}"
        )

    @functools.lru_cache(maxsize=8)  # noqa: B019 - a store lives as long as its migration
    def _backup_table(self, migration: str) -> sa.Table:
        return sa.Table(
            slug("phaseout_backup", migration),
            sa.MetaData(),
            sa.Column("key", sa.Text, primary_key=True),
            sa.Column("original", sa.Text, nullable=False),
            sa.Column("migrated", sa.Text, nullable=False),
        )

    @functools.lru_cache(maxsize=8)  # noqa: B019 - a store lives as long as its migration
    def _upsert(self, backup: sa.Table) -> str:
        quote = self.engine.dialect.identifier_preparer.quote
        name = self.engine.dialect.identifier_preparer.format_table(backup)
        key, original, migrated = (quote(c) for c in ("key", "original", "migrated"))
        mark = self._mark
        return (
            f"INSERT INTO {name} ({key}, {original}, {migrated}) VALUES ({mark}, {mark}, {mark}) "
            f"ON CONFLICT ({key}) DO UPDATE SET {original} = excluded.{original}, "
            f"{migrated} = excluded.{migrated}"
        )

    # -- records ------------------------------------------------------------------------------

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.exec_driver_sql(self._count).scalar_one())

    def decode(self, stored: Any) -> dict[str, Any]:
        if self.column is not None:
            text = stored[0]
            if text is None:
                raise StoredError(f"{self.column} is NULL")
            if isinstance(text, (bytes, bytearray, memoryview)):
                text = bytes(text).decode("utf-8", "surrogateescape")
            try:
                record = json.loads(text)
            except ValueError as error:
                raise StoredError(f"{self.column} is not valid JSON: {error}") from None
            if not isinstance(record, dict):
                raise StoredError(
                    f"{self.column} holds a JSON {type(record).__name__}, not an object"
                )
            return record
        record = {}
        for name, is_json, value in zip(self.names, self._json, stored, strict=True):
            try:
                record[name] = json.loads(value) if is_json and value is not None else value
            except ValueError as error:
                raise StoredError(f"{name} is not valid JSON: {error}") from None
        return record

    def encode(self, record: Mapping[str, Any], old: Any) -> tuple[Any, ...]:
        try:
            if self.column is not None:
                text = encode_record(record)
                return (text,)
            unknown = [field for field in record if field not in self.names]
            if unknown:
                raise StoredError(
                    f"field {', '.join(map(repr, unknown))} has no column in {self.name!r}"
                )
            out = []
            for name, is_json in zip(self.names, self._json, strict=True):
                value = record.get(name)
                if is_json:
                    value = None if value is None else json.dumps(value, ensure_ascii=False)
                elif isinstance(value, (dict, list)):
                    value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
                out.append(value)
            new = tuple(out)
            # Both are backed up as exact JSON: a value that cannot be is this record's failure.
            dump_values(old)
            dump_values(new)
            return new
        except (TypeError, ValueError) as error:
            if isinstance(error, StoredError):
                raise
            raise StoredError(f"cannot be stored: {error}") from None

    def batches(self, after: Any, size: int) -> Iterator[Batch]:
        first = after is None
        with self.engine.connect() as connection:
            connection.info[_READS] = True  # kept with the pooled connection: taken back below
            try:
                while True:
                    with self._begin(connection):
                        # The driver's cursor itself: rows as the driver makes them.
                        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
                        try:
                            if first:
                                cursor.execute(self._first, (size,))
                            else:
                                cursor.execute(self._after, (after, size))
                            rows = cursor.fetchall()
                        finally:
                            cursor.close()
                    if not rows:
                        return
                    items = [Item(row[0], row[1:]) for row in rows]
                    first, after = False, items[-1].key
                    yield Batch(items, after)
                    if len(items) < size:
                        return
            finally:
                connection.info.pop(_READS, None)

    def write(
        self, migration: str, batch: Batch, changes: list[Change], settle: Settle
    ) -> tuple[list[Any], dict[Any, str]]:
        connection = self._writer
        if connection is None or connection.closed:
            connection = self._writer = self.engine.connect()
        for attempt in range(_LOCK_RETRIES):
            try:
                with self._begin(connection):
                    skipped, refused = self._write(connection, migration, changes)
                    counts = settle(skipped, refused)
                    self._save_checkpoint(connection, migration, batch.last_key, counts)
                return skipped, refused
            except OperationalError as error:
                if "locked" not in str(error) or attempt == _LOCK_RETRIES - 1:
                    raise
                time.sleep(min(0.05 * 2**attempt, 2.0))
        raise AssertionError("unreachable")

    def _begin(self, connection: sa.Connection) -> sa.RootTransaction:
        for attempt in range(_LOCK_RETRIES):
            try:
                return connection.begin()
            except OperationalError as error:
                if "locked" not in str(error) or attempt == _LOCK_RETRIES - 1:
                    raise
                connection.rollback()
                time.sleep(min(0.05 * 2**attempt, 2.0))
        raise AssertionError("unreachable")

    # -- checkpoints --------------------------------------------------------------------------

    def checkpoint(self, migration: str) -> Checkpoint | None:
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table(CHECKPOINTS):
                return None
            row = conn.execute(
                sa.select(self._checkpoints).where(self._checkpoints.c.id == migration)
            ).first()
        if row is None:
            return None
        last = None if row.last_key is None else load_values(row.last_key)[0]
        return Checkpoint(row.status, last, json.loads(row.counts), row.total, row.started)

    def start(self, migration: str, total: int, details: Mapping[str, Any]) -> None:
        """Create the bookkeeping tables, and a fresh checkpoint unless a run is resumed."""
        with self.engine.begin() as conn:
            self._checkpoints.create(conn, checkfirst=True)
            self._backup_table(migration).create(conn, checkfirst=True)
            row = conn.execute(
                sa.select(self._checkpoints.c.status).where(self._checkpoints.c.id == migration)
            ).first()
            values = {
                "status": "running", "last_key": None, "counts": "{}", "total": total,
                "started": _now(), "updated": _now(), "details": json.dumps(details),
            }  # fmt: skip
            if row is None:
                conn.execute(sa.insert(self._checkpoints).values(id=migration, **values))
            elif row.status != "running":
                conn.execute(
                    sa.update(self._checkpoints)
                    .where(self._checkpoints.c.id == migration)
                    .values(**values)
                )

    def _save_checkpoint(
        self, conn: sa.Connection, migration: str, last_key: Any, counts: Mapping[str, int]
    ) -> None:
        conn.exec_driver_sql(
            self._checkpoint_sql,
            (dump_values((last_key,)), json.dumps(dict(counts)), _now(), migration),
        )

    def finish(self, migration: str, counts: Mapping[str, int]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(self._checkpoints)
                .where(self._checkpoints.c.id == migration)
                .values(status="done", counts=json.dumps(dict(counts)), updated=_now())
            )

    # -- backups and rollback -----------------------------------------------------------------

    def _backup_form(self, stored: tuple[Any, ...]) -> str:
        """A stored form as the backup keeps it: a document's text after "=", as it is (the
        common case, free), anything else as exact tagged JSON (a list: "[...")."""
        if self.column is not None and type(stored[0]) is str:
            return "=" + stored[0]
        return dump_values(stored)

    @staticmethod
    def _restore_form(text: str) -> tuple[Any, ...]:
        return (text[1:],) if text[:1] == "=" else load_values(text)

    @staticmethod
    def _key_text(key: Any) -> str:
        if type(key) is int:
            return str(key)
        if type(key) is str:
            return json.dumps(key)
        return dump_values((key,))

    @staticmethod
    def _key_value(text: str) -> Any:
        return load_values(text)[0] if text[:1] == "[" else json.loads(text)

    def originals(self, migration: str) -> Iterator[tuple[Any, Any, Any]]:
        """(key, original stored form, migrated stored form) of every backed-up row."""
        backup = self._backup_table(migration)
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table(backup.name):
                return
            for row in conn.execute(sa.select(backup).order_by(backup.c.key)):
                yield (
                    self._key_value(row.key),
                    self._restore_form(row.original),
                    self._restore_form(row.migrated),
                )

    def rollback(self, migration: str, batch_size: int) -> Restored:
        backup = self._backup_table(migration)
        restored, changed = 0, list[Any]()
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table(backup.name):
                raise ValueError(f"no backup of migration {migration!r} in {self.label}")
        after: str | None = None
        while True:
            with self.engine.begin() as conn:
                query = sa.select(backup).order_by(backup.c.key).limit(batch_size)
                if after is not None:
                    query = query.where(backup.c.key > after)
                rows = conn.execute(query).all()
                if not rows:
                    break
                keys = [self._key_value(row.key) for row in rows]
                originals = [self._restore_form(row.original) for row in rows]
                params = [
                    self._params(key, self._restore_form(row.migrated), original)
                    for key, row, original in zip(keys, rows, originals, strict=True)
                ]
                left: set[Any] = set()
                if conn.exec_driver_sql(self._update, params).rowcount != len(rows):
                    left = set(self._differing(conn, dict(zip(keys, originals, strict=True))))
                    changed.extend(k for k in keys if k in left)
                gone = [row.key for k, row in zip(keys, rows, strict=True) if k not in left]
                conn.execute(sa.delete(backup).where(backup.c.key.in_(gone)))
                restored += len(gone)
                after = rows[-1].key
        with self.engine.begin() as conn:
            if not changed:
                backup.drop(conn, checkfirst=True)
            if sa.inspect(conn).has_table(CHECKPOINTS):
                conn.execute(
                    sa.update(self._checkpoints)
                    .where(self._checkpoints.c.id == migration)
                    .values(status="rolled back", last_key=None, updated=_now())
                )
        return Restored(restored, changed)

    # -- writing ------------------------------------------------------------------------------

    @staticmethod
    def _params(key: Any, old: tuple[Any, ...], new: tuple[Any, ...]) -> tuple[Any, ...]:
        """The UPDATE's parameters: the new values, the key, the values guarded."""
        return (*new, key, *old)

    def _differing(self, conn: sa.Connection, wanted: Mapping[Any, tuple[Any, ...]]) -> list[Any]:
        """The keys among *wanted* whose rows do not hold the wanted values now."""
        keys = list(wanted)
        marks = ", ".join([self._mark] * len(keys))
        rows = conn.exec_driver_sql(
            f"{self._reads} WHERE {self._key_sql} IN ({marks})", tuple(keys)
        ).all()
        now = {row[0]: tuple(row[1:]) for row in rows}
        return [key for key, values in wanted.items() if not self._same(now.get(key), values)]

    def _same(self, stored: tuple[Any, ...] | None, wanted: tuple[Any, ...]) -> bool:
        if stored is None:
            return False
        for is_json, now, want in zip(self._json, stored, wanted, strict=True):
            if is_json and now is not None and want is not None:
                if json.loads(now) != json.loads(want):
                    return False
            elif now != want:
                return False
        return True

    def _write(
        self, conn: sa.Connection, migration: str, changes: list[Change]
    ) -> tuple[list[Any], dict[Any, str]]:
        if not changes:
            return [], {}
        params = [self._params(c.key, c.old, c.new) for c in changes]
        refused: dict[Any, str] = {}
        try:
            with conn.begin_nested():
                done = conn.exec_driver_sql(self._update, params).rowcount
        except DBAPIError as error:
            if isinstance(error, OperationalError) and "locked" in str(error):
                raise
            # One refused row fails them all: write them one by one to find it.
            done, kept = 0, []
            for change, param in zip(changes, params, strict=True):
                try:
                    with conn.begin_nested():
                        done += conn.exec_driver_sql(self._update, param).rowcount
                    kept.append(change)
                except DBAPIError as row_error:
                    refused[change.key] = f"the database refused it: {str(row_error.orig).strip()}"
            changes = kept
        skipped: list[Any] = []
        if done != len(changes):
            skipped = self._differing(conn, {c.key: c.new for c in changes})
        left = set(skipped)
        if self.column is not None and all(type(c.key) is int for c in changes):
            # The common case, spelt out: integer keys, documents kept as their text.
            backup = [
                (str(c.key), "=" + c.old[0], "=" + c.new[0])
                for c in changes
                if c.key not in left and type(c.old[0]) is str
            ]
            if len(backup) + len(left) != len(changes):
                backup = self._backups(changes, left)
        else:
            backup = self._backups(changes, left)
        if backup:
            conn.exec_driver_sql(self._upsert(self._backup_table(migration)), backup)
        return skipped, refused

    def _backups(self, changes: list[Change], left: set[Any]) -> list[tuple[str, str, str]]:
        return [
            (self._key_text(c.key), self._backup_form(c.old), self._backup_form(c.new))
            for c in changes
            if c.key not in left
        ]

    @contextmanager
    def lock(self, migration: str) -> Iterator[None]:
        """PostgreSQL: a session advisory lock on the migration's name (released with the
        session, however the process ends). SQLite: a lock file beside the database."""
        if self.engine.dialect.name == "sqlite":
            database = self.engine.url.database
            if not database or database == ":memory:":
                yield  # a database only this process sees
                return
            with file_lock(f"{database}.phaseout-{slug(migration)}.lock", migration):
                yield
            return
        key = int.from_bytes(
            hashlib.blake2b(migration.encode(), digest_size=8).digest(), "big", signed=True
        )
        with self.engine.connect() as conn:
            conn.info[_READS] = True
            try:
                taken = conn.exec_driver_sql("SELECT pg_try_advisory_lock(%s)", (key,)).scalar()
                conn.commit()
                if not taken:
                    raise ValueError(
                        f"migration {migration!r} is running in another session of "
                        f"{self._safe_url()}: wait for it to finish, or stop it and run this again"
                    )
                try:
                    yield
                finally:
                    conn.exec_driver_sql("SELECT pg_advisory_unlock(%s)", (key,))
                    conn.commit()
            finally:
                conn.info.pop(_READS, None)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._own_engine:
            self.engine.dispose()

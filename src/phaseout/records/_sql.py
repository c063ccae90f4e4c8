"""Records in a SQL table, through SQLAlchemy Core: SQLite (the embedded default) and
PostgreSQL (psycopg).

A record is a JSON document in one column (``column="data"``), or the row's columns mapped
to the record's fields. Batches are read by keyset pagination on a unique key, each in its
own transaction with its writes, the originals of the rows it changes (a
``phaseout_backup_<migration>`` table) and the checkpoint (``phaseout_migrations``). Every
UPDATE is guarded on the values read, so a concurrent writer's row is never overwritten.
SQLite transactions begin IMMEDIATE (the write lock taken before the batch is read), so a
concurrent writer waits instead of failing the batch.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator, Mapping
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, OperationalError

from ._store import Change, Checkpoint, Item, Restored, StoredError, slug
from ._values import dump_values, load_values

__all__ = ["SQLTable"]

CHECKPOINTS: Final = "phaseout_migrations"
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
            self.engine = self._make_engine(_engine_url(url))
            self._own_engine = True
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
        self.values = [
            sa.cast(self.table.c[n], sa.Text) if is_json else self.table.c[n]
            for n, is_json in zip(names, self._json, strict=True)
        ]
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
        self._update = self._guarded_update()

    # -- set-up -------------------------------------------------------------------------------

    @staticmethod
    def _make_engine(url: str) -> sa.Engine:
        if url.startswith("sqlite"):
            engine = sa.create_engine(url, connect_args={"timeout": 60})

            @sa.event.listens_for(engine, "connect")
            def _no_implicit_transactions(dbapi_connection: Any, record: Any) -> None:
                dbapi_connection.isolation_level = None  # transactions begun below, explicitly

            @sa.event.listens_for(engine, "begin")
            def _begin_immediate(connection: sa.Connection) -> None:
                connection.exec_driver_sql("BEGIN IMMEDIATE")

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

    def _bound(self, name: str, is_json: bool, column: sa.Column[Any]) -> Any:
        param = sa.bindparam(name, type_=sa.Text if is_json else column.type)
        if is_json and self.engine.dialect.name == "postgresql":
            return sa.cast(param, column.type)
        return param

    def _guarded_update(self) -> sa.Update:
        guard = [self.key == sa.bindparam("phaseout_key", type_=self.key.type)]
        assignments: dict[str, Any] = {}
        for index, (name, is_json, value) in enumerate(
            zip(self.names, self._json, self.values, strict=True)
        ):
            column = self.table.c[name]
            old = sa.bindparam(f"phaseout_old_{index}", type_=sa.Text if is_json else column.type)
            if is_json and self.engine.dialect.name == "postgresql":
                # jsonb's text is normalised (spaces, key order): compare the values.
                from sqlalchemy.dialects.postgresql import JSONB

                guard.append(sa.cast(column, JSONB).is_not_distinct_from(sa.cast(old, JSONB)))
            else:
                guard.append(value.is_not_distinct_from(old))
            assignments[name] = self._bound(f"phaseout_new_{index}", is_json, column)
        return sa.update(self.table).where(*guard).values(assignments)

    def _backup_table(self, migration: str) -> sa.Table:
        return sa.Table(
            slug("phaseout_backup", migration),
            sa.MetaData(),
            sa.Column("key", sa.Text, primary_key=True),
            sa.Column("original", sa.Text, nullable=False),
            sa.Column("migrated", sa.Text, nullable=False),
        )

    # -- records ------------------------------------------------------------------------------

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(self.table)).scalar_one()
            )

    def decode(self, stored: Any) -> dict[str, Any]:
        if self.column is not None:
            text = stored[0]
            if text is None:
                raise StoredError(f"{self.column} is NULL")
            if isinstance(text, (bytes, bytearray, memoryview)):
                text = bytes(text).decode("utf-8")
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
                return (
                    json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False),
                )
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

    def _select(self) -> sa.Select[Any]:
        return sa.select(self.key, *self.values).order_by(self.key)

    def batches(self, after: Any, size: int, *, write: bool) -> Iterator[_SQLBatch]:
        first = after is None
        while True:
            connection = self.engine.connect()
            try:
                transaction = self._begin(connection)
                query = self._select().limit(size)
                if not first:
                    query = query.where(self.key > after)
                rows = connection.execute(query).all()
                if not rows:
                    transaction.rollback()
                    return
                items = [Item(row[0], tuple(row[1:])) for row in rows]
                batch = _SQLBatch(self, connection, transaction, items)
                yield batch
                if transaction.is_active:
                    transaction.rollback()
            finally:
                connection.close()
            first, after = False, items[-1].key
            if len(items) < size:
                return

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
        conn.execute(
            sa.update(self._checkpoints)
            .where(self._checkpoints.c.id == migration)
            .values(
                last_key=dump_values((last_key,)), counts=json.dumps(dict(counts)), updated=_now()
            )
        )

    def finish(self, migration: str, counts: Mapping[str, int]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(self._checkpoints)
                .where(self._checkpoints.c.id == migration)
                .values(status="done", counts=json.dumps(dict(counts)), updated=_now())
            )

    # -- backups and rollback -----------------------------------------------------------------

    def originals(self, migration: str) -> Iterator[tuple[Any, Any, Any]]:
        """(key, original stored form, migrated stored form) of every backed-up row."""
        backup = self._backup_table(migration)
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table(backup.name):
                return
            for row in conn.execute(sa.select(backup).order_by(backup.c.key)):
                yield load_values(row.key)[0], load_values(row.original), load_values(row.migrated)

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
                params = []
                for row in rows:
                    key = load_values(row.key)[0]
                    params.append(
                        self._params(key, load_values(row.migrated), load_values(row.original))
                    )
                keys = [load_values(row.key)[0] for row in rows]
                left: set[Any] = set()
                if conn.execute(self._update, params).rowcount != len(rows):
                    originals = {
                        k: load_values(row.original) for k, row in zip(keys, rows, strict=True)
                    }
                    left = set(self._differing(conn, originals))
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

    def _params(self, key: Any, old: tuple[Any, ...], new: tuple[Any, ...]) -> dict[str, Any]:
        params = {"phaseout_key": key}
        for index, (before, after) in enumerate(zip(old, new, strict=True)):
            params[f"phaseout_old_{index}"] = before
            params[f"phaseout_new_{index}"] = after
        return params

    def _differing(self, conn: sa.Connection, wanted: Mapping[Any, tuple[Any, ...]]) -> list[Any]:
        """The keys among *wanted* whose rows do not hold the wanted values now."""
        rows = conn.execute(
            sa.select(self.key, *self.values).where(self.key.in_(list(wanted)))
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

    def write(
        self, conn: sa.Connection, migration: str, changes: list[Change]
    ) -> tuple[list[Any], dict[Any, str]]:
        if not changes:
            return [], {}
        params = [self._params(c.key, c.old, c.new) for c in changes]
        refused: dict[Any, str] = {}
        try:
            with conn.begin_nested():
                done = conn.execute(self._update, params).rowcount
        except DBAPIError as error:
            if isinstance(error, OperationalError) and "locked" in str(error):
                raise
            # One refused row would fail them all: write them one by one to find it.
            done, kept = 0, []
            for change, param in zip(changes, params, strict=True):
                try:
                    with conn.begin_nested():
                        done += conn.execute(self._update, [param]).rowcount
                    kept.append(change)
                except DBAPIError as row_error:
                    refused[change.key] = f"the database refused it: {str(row_error.orig).strip()}"
            changes = kept
        skipped: list[Any] = []
        if done != len(changes):
            skipped = self._differing(conn, {c.key: c.new for c in changes})
        written = [c for c in changes if c.key not in set(skipped)]
        if written:
            backup = self._backup_table(migration)
            rows = [
                {
                    "key": dump_values((c.key,)),
                    "original": dump_values(c.old),
                    "migrated": dump_values(c.new),
                }
                for c in written
            ]
            conn.execute(self._upsert(backup), rows)
        return skipped, refused

    def _upsert(self, backup: sa.Table) -> Any:
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            insert = pg_insert(backup)
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            insert = sqlite_insert(backup)  # type: ignore[assignment]
        return insert.on_conflict_do_update(
            index_elements=[backup.c.key],
            set_={"original": insert.excluded.original, "migrated": insert.excluded.migrated},
        )

    def close(self) -> None:
        if self._own_engine:
            self.engine.dispose()


class _SQLBatch:
    __slots__ = ("_conn", "_store", "_transaction", "items")

    def __init__(
        self,
        store: SQLTable,
        conn: sa.Connection,
        transaction: sa.RootTransaction,
        items: list[Item],
    ) -> None:
        self._store = store
        self._conn = conn
        self._transaction = transaction
        self.items = items

    def write(self, migration: str, changes: list[Change]) -> tuple[list[Any], dict[Any, str]]:
        return self._store.write(self._conn, migration, changes)

    def commit(self, migration: str, counts: Mapping[str, int]) -> None:
        self._store._save_checkpoint(self._conn, migration, self.items[-1].key, counts)
        self._transaction.commit()

    def abandon(self) -> None:
        if self._transaction.is_active:
            self._transaction.rollback()

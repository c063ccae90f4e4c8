"""Batch migrations against a real PostgreSQL server, started by the tests (``postgres.py``):
json and jsonb documents, columns, a concurrent writer racing the guarded UPDATE, kill -9 and
resume, rollback."""

from __future__ import annotations

import json
import random
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import phaseout
from phaseout.records import SQLTable, migrate, rollback, verify

from . import postgres
from .records_lib import upgraded, v1, write_library
from .test_records import (  # noqa: F401 - the autouse fixture applies here too
    KILLER,
    _stores_closed,
    kill_repeatedly,
    two_more,
)

if postgres.binaries() is None:  # pragma: no cover - CI machines have PostgreSQL
    pytest.skip(
        "no PostgreSQL server binaries (initdb, pg_ctl) on this machine", allow_module_level=True
    )

import psycopg
import sqlalchemy as sa


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with postgres.server() as url:
        yield url


@pytest.fixture
def url(server: str) -> Iterator[str]:
    """A fresh database per test."""
    name = f"t{random.randrange(1 << 40)}"
    admin = sa.create_engine(
        server.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    yield server.replace("/postgres?", f"/{name}?")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


def connect(url: str) -> psycopg.Connection[Any]:
    """A plain psycopg connection (autocommit) to the database of *url*."""
    parsed = sa.make_url(url)
    return psycopg.connect(
        dbname=parsed.database, user=parsed.username, host=str(parsed.query["host"]),
        port=str(parsed.query["port"]), autocommit=True,
    )  # fmt: skip


def fill(url: str, rows: dict[int, Any], kind: str = "jsonb") -> None:
    with connect(url) as conn:
        conn.execute(f"CREATE TABLE users (user_id bigint PRIMARY KEY, data {kind})")
        with conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO users VALUES (%s, %s)",
                [(k, v if isinstance(v, str) else json.dumps(v)) for k, v in rows.items()],
            )


def texts(url: str) -> dict[int, str]:
    with connect(url) as conn:
        return dict(conn.execute("SELECT user_id, data::text FROM users ORDER BY 1").fetchall())


@pytest.fixture
def reclib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    import importlib

    write_library(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("reclib", None)
    yield importlib.import_module("reclib")
    sys.modules.pop("reclib", None)


@pytest.mark.parametrize("kind", ["jsonb", "json"])
def test_documents_are_migrated_verified_and_rolled_back_exactly(
    url: str, reclib: Any, kind: str
) -> None:
    rows: dict[int, Any] = {k: v1(k) for k in range(1, 401)}
    rows[3] = '{"name":  "spaced", "settings": "{}",   "created_at": 3}'
    rows[4] = json.dumps({"name": "bad", "settings": 4, "created_at": 4})
    fill(url, rows, kind)
    original = texts(url)
    store = SQLTable(url, "users", key="user_id", column="data")
    try:
        result = migrate(reclib.users, store, dry_run=False, batch_size=64)
        assert result.counts == {"migrated": 399, "current": 0, "failed": 1, "skipped": 0}
        after = texts(url)
        for key, value in rows.items():
            if key == 4:
                assert after[key] == original[key]
            else:
                record = json.loads(value) if isinstance(value, str) else value
                assert json.loads(after[key]) == upgraded(record), key
        checked = verify(reclib.users, store, sample=100, seed=3)
        assert (checked.before, checked.after, checked.old, checked.invalid, checked.sampled) == (
            400,
            400,
            1,
            0,
            100,
        )
        assert checked.old_keys == [4]
        assert checked.mismatches == []
        restored = rollback(reclib.users, store, batch_size=50)
        assert (restored.restored, restored.changed_since) == (399, [])
        assert texts(url) == original  # json keeps the very bytes; jsonb its own text
    finally:
        store.close()


def test_a_row_changed_between_read_and_write_is_skipped_not_overwritten(
    url: str, tmp_path: Path
) -> None:
    fill(url, {k: v1(k) for k in range(1, 51)})
    other = connect(url)
    records = phaseout.Records("users")

    @records.upgrade(1, to=2, since="1.0", current_version="1.0")
    def step(record: dict[str, Any]) -> dict[str, Any]:
        if record["name"] == "user5":  # meanwhile, another writer changes row 5 and commits
            other.execute(
                "UPDATE users SET data = %s WHERE user_id = 5", (json.dumps(v1(5, by="them")),)
            )
        record["settings"] = json.loads(record["settings"])
        return record

    audit = tmp_path / "audit.jsonl"
    store = SQLTable(url, "users", key="user_id", column="data")
    try:
        result = migrate(records, store, dry_run=False, batch_size=10, audit=str(audit))
    finally:
        store.close()
        other.close()
    assert result.counts == {"migrated": 49, "current": 0, "failed": 0, "skipped": 1}
    assert json.loads(texts(url)[5]) == v1(5, by="them")
    [skipped] = [
        json.loads(line) for line in audit.read_text().splitlines() if '"record_skipped"' in line
    ]
    assert (skipped["key"], skipped["level"]) == (5, "warning")


def test_columns_a_refused_row_and_a_schema_qualified_table(url: str) -> None:
    records = phaseout.Records("accounts")

    @records.upgrade(1, to=2, since="1.0", current_version="1.0")
    def cents(record: dict[str, Any]) -> dict[str, Any]:
        record["balance"] = record["balance"] * 100
        record["tags"] = [*record["tags"], "cents"]
        return record

    with connect(url) as conn:
        conn.execute("CREATE SCHEMA bank")
        conn.execute(
            "CREATE TABLE bank.accounts (id text PRIMARY KEY, balance numeric CHECK (balance < 100000),"
            " tags jsonb, opened date, schema_version int NOT NULL DEFAULT 1)"
        )
        conn.execute(
            "INSERT INTO bank.accounts (id, balance, tags, opened) VALUES "
            "('a', 1.25, '[\"x\"]', '2020-01-02'), ('b', 2000.5, '[]', NULL), ('c', 0, '[]', '1999-12-31')"
        )
        original = conn.execute("SELECT * FROM bank.accounts ORDER BY id").fetchall()
    store = SQLTable(url, "bank.accounts", key="id")
    try:
        result = migrate(records, store, dry_run=False)
        assert result.counts == {"migrated": 2, "current": 0, "failed": 1, "skipped": 0}
        [failure] = result.failures
        assert (failure.key, failure.stage) == ("b", "write")
        assert "violates check constraint" in failure.reason
        with connect(url) as conn:
            rows = conn.execute(
                "SELECT id, balance, tags, schema_version FROM bank.accounts ORDER BY id"
            ).fetchall()
        assert [(r[0], float(r[1]), r[2], r[3]) for r in rows] == [
            ("a", 125.0, ["x", "cents"], 2), ("b", 2000.5, [], 1), ("c", 0.0, ["cents"], 2),
        ]  # fmt: skip
        assert rollback(records, store).restored == 2
        with connect(url) as conn:
            assert conn.execute("SELECT * FROM bank.accounts ORDER BY id").fetchall() == original
    finally:
        store.close()


def test_a_concurrent_writer_loses_nothing(url: str, reclib: Any) -> None:
    fill(url, {k: v1(k) for k in range(1, 1001)})
    last_write: dict[int, int] = {}
    writes: list[int] = []
    stop = threading.Event()

    def writer() -> None:
        rng = random.Random(11)
        with connect(url) as conn:
            n = 0
            while not stop.is_set():
                key = rng.randrange(1, 1001)
                n += 1
                conn.execute(
                    "UPDATE users SET data = %s WHERE user_id = %s", (json.dumps(v1(key, w=n)), key)
                )
                last_write[key] = n
                writes.append(key)

    thread = threading.Thread(target=writer)
    thread.start()
    store = SQLTable(url, "users", key="user_id", column="data")
    try:
        result = migrate(
            reclib.users, store, dry_run=False, batch_size=25, progress=two_more(writes)
        )
    finally:
        stop.set()
        thread.join()
        store.close()
    assert len(writes) >= 80
    assert result.counts["migrated"] + result.counts["skipped"] == 1000
    final = {k: json.loads(v) for k, v in texts(url).items()}
    for key, n in last_write.items():
        assert final[key]["w"] == n, key


def test_killed_and_resumed_every_record_is_migrated_once(url: str, tmp_path: Path) -> None:
    write_library(tmp_path)
    rows = {k: v1(k) for k in range(1, 2001)}
    fill(url, rows)
    with connect(url) as conn:  # most kills land inside a batch's write transaction
        conn.execute(
            "CREATE FUNCTION slow() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(0.002); "
            "RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        conn.execute(
            "CREATE TRIGGER slow_writes BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION slow()"
        )
    args = [
        sys.executable, "-c", KILLER, "data", "migrate", "reclib:users", "--db", url,
        "--table", "users", "--key", "user_id", "--column", "data", "--apply", "--batch-size", "20",
    ]  # fmt: skip
    done = kill_repeatedly(args, tmp_path, 10, seed=15, window=(0.5, 0.9), slow=0.0005)
    assert done.returncode == 0, done.stderr
    after = {k: json.loads(v) for k, v in texts(url).items()}
    assert after == {k: upgraded(r) for k, r in rows.items()}
    with connect(url) as conn:
        [(counts,)] = conn.execute("SELECT counts FROM phaseout_migrations").fetchall()
        [(backups,)] = conn.execute(
            "SELECT COUNT(*) FROM phaseout_backup_users_v2_users"
        ).fetchall()
    assert json.loads(counts) == {"migrated": 2000, "current": 0, "failed": 0, "skipped": 0}
    assert backups == 2000


def test_a_value_that_cannot_be_backed_up_exactly_fails_its_record_alone(url: str) -> None:
    records = phaseout.Records("bookings")

    @records.upgrade(1, to=2, since="1.0", current_version="1.0")
    def named(record: dict[str, Any]) -> dict[str, Any]:
        record["name"] = record["name"].title()
        return record

    with connect(url) as conn:
        conn.execute(
            "CREATE TABLE bookings (id int PRIMARY KEY, name text, period int4range,"
            " schema_version int NOT NULL DEFAULT 1)"
        )
        conn.execute(
            "INSERT INTO bookings (id, name, period) VALUES (1, 'ada', NULL), (2, 'alan', '[1,5)')"
        )
    store = SQLTable(url, "bookings", key="id")
    try:
        result = migrate(records, store, dry_run=False)
    finally:
        store.close()
    assert result.counts == {"migrated": 1, "current": 0, "failed": 1, "skipped": 0}
    [failure] = result.failures
    assert (failure.key, failure.stage) == (2, "write")
    assert failure.reason == "cannot be stored: cannot back up a stored Range value exactly"
    with connect(url) as conn:
        assert conn.execute("SELECT id, name, schema_version FROM bookings ORDER BY id").fetchall() == [
            (1, "Ada", 2), (2, "alan", 1),
        ]  # fmt: skip


def test_a_second_session_running_the_same_migration_is_refused(url: str, reclib: Any) -> None:
    fill(url, {k: v1(k) for k in range(1, 11)})
    first = SQLTable(url, "users", key="user_id", column="data")
    second = SQLTable(url, "users", key="user_id", column="data")
    try:
        with first.lock("users-v2-users"):
            with pytest.raises(ValueError, match="is running in another session of"):
                migrate(reclib.users, second, dry_run=False)
            assert migrate(reclib.users, second).counts["migrated"] == 10  # a dry run: no lock
        assert migrate(reclib.users, second, dry_run=False).counts["migrated"] == 10
    finally:
        first.close()
        second.close()

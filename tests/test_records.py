"""Stored records: declared shapes upgraded on read (warned and counted like any deprecated
use), and batch migrations of SQLite tables and JSON Lines files: dry run, apply, kill and
resume, concurrent writers, bad records, verify, rollback."""

from __future__ import annotations

import gzip
import importlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import phaseout
from phaseout.exceptions import InvalidRecordError, RecordVersionError, RemovedRecordError
from phaseout.records import JSONLines, SQLTable, migrate, parse_max_failures, rollback, verify

from .helpers import run_phaseout
from .records_lib import upgraded, v1, write_library


@pytest.fixture(autouse=True)
def _stores_closed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every SQLTable a test opens is closed after it (Python 3.13 warns about a SQLite
    connection left to the garbage collector)."""
    opened: list[SQLTable] = []
    original = SQLTable.__init__

    def opening(self: SQLTable, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(SQLTable, "__init__", opening)
    yield
    for store in opened:
        store.close()


@pytest.fixture
def reclib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    write_library(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("reclib", None)
    module = importlib.import_module("reclib")
    yield module
    sys.modules.pop("reclib", None)


# -- upgrade on read ---------------------------------------------------------------------------


def test_an_old_record_is_upgraded_warned_at_the_callers_line_and_counted(
    reclib: Any, record: list[warnings.WarningMessage]
) -> None:
    stored = v1(7)
    loaded = reclib.users.load(stored)
    line = sys._getframe().f_lineno - 1
    assert loaded == upgraded(stored)
    assert stored == v1(7)  # the caller's record is left as it was
    [warning] = record
    assert warning.category is phaseout.DeprecatedWarning
    assert issubclass(warning.category, DeprecationWarning)
    assert (warning.filename, warning.lineno) == (__file__, line)
    assert str(warning.message) == (
        "A users record at schema_version 1 is deprecated since reclib 2.0 and will stop "
        "loading in 3.0. Upgrade stored records with `phaseout data migrate reclib:users`."
    )
    [site] = [u for u in phaseout.usage() if u.symbol == "users record v1"]
    assert (site.file, site.line, site.count, site.package) == (__file__, line, 1, "reclib")


def test_a_current_record_is_returned_as_is_without_a_warning(
    reclib: Any, record: list[warnings.WarningMessage]
) -> None:
    current = upgraded(v1(1))
    assert reclib.users.load(current) is current
    assert record == []
    assert [u for u in phaseout.usage() if u.symbol == "users record v1"] == []


def test_each_call_site_is_counted_apart(reclib: Any, quiet: None) -> None:
    for _ in range(3):
        reclib.users.load(v1(1))
    reclib.users.load(v1(2))
    counts = sorted(u.count for u in phaseout.usage() if u.symbol == "users record v1")
    assert counts == [1, 3]


def test_the_warning_follows_the_filters(reclib: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", phaseout.DeprecatedWarning)
        with pytest.raises(phaseout.DeprecatedWarning):
            reclib.users.load(v1(1))
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("ignore")
        assert reclib.users.load(v1(1))["schema_version"] == 2
    assert log == []


def test_a_removed_version_no_longer_loads_and_names_the_migration(tmp_path: Path) -> None:
    users = phaseout.Records("users", package="reclib_gone")

    @users.upgrade(1, to=2, since="2.0", removed_in="3.0", current_version="3.1")
    def step(record: dict[str, Any]) -> dict[str, Any]:
        return record

    with pytest.raises(RemovedRecordError) as raised:
        users.load({"x": 1})
    assert isinstance(raised.value, ValueError)
    assert isinstance(raised.value, phaseout.RemovedError)
    assert str(raised.value) == (
        "A users record at schema_version 1 stopped loading in reclib_gone 3.0 (deprecated "
        "since 2.0; 3.1 is installed). Upgrade stored users records to version 2."
    )  # declared in a function: no module attribute to name for `phaseout data migrate`
    assert users.load({"x": 1, "schema_version": 2}) == {"x": 1, "schema_version": 2}


def test_unknown_versions_and_non_mappings_are_clear_errors(reclib: Any) -> None:
    with pytest.raises(
        RecordVersionError, match=r"schema_version=7, but the declared versions are 1, 2"
    ):
        reclib.users.load({"schema_version": 7})
    with pytest.raises(RecordVersionError, match="schema_version=True"):
        reclib.users.load({"schema_version": True})  # not the version 1
    with pytest.raises(RecordVersionError, match="schema_version='2'"):
        reclib.users.load({"schema_version": "2"})
    with pytest.raises(TypeError, match="a record must be a mapping, got list"):
        reclib.users.load([1])


def test_a_version_above_256_is_still_current(quiet: None) -> None:
    records = phaseout.Records("big", first=300)

    @records.upgrade(300, to=1000, since="1.0", current_version="1.0")
    def step(record: dict[str, Any]) -> dict[str, Any]:
        return {**record, "up": True}

    current = {"schema_version": int("1000")}  # a fresh int object, not a cached one
    assert records.load(current) is current
    assert records.load({"schema_version": 300}) == {"schema_version": 1000, "up": True}


def test_dump_writes_an_old_shape_through_the_downgrades_and_counts_it(
    reclib: Any, record: list[warnings.WarningMessage]
) -> None:
    current = upgraded(v1(3))
    assert reclib.users.dump(current, version=1) == {**v1(3), "schema_version": 1}
    line = sys._getframe().f_lineno - 1
    assert [(w.category, w.lineno) for w in record] == [(phaseout.DeprecatedWarning, line)]
    assert reclib.users.dump(current) == current
    with pytest.raises(RecordVersionError):
        reclib.users.dump(current, version=5)


def test_dump_without_downgrades_says_what_is_missing() -> None:
    records = phaseout.Records("orders")

    @records.upgrade(1, to=2, since="1.0", current_version="1.0")
    def step(record: dict[str, Any]) -> dict[str, Any]:
        return record

    with pytest.raises(
        ValueError, match=r"needs the downgrades from version 2 to 1; declared: none"
    ):
        records.dump({"schema_version": 2}, version=1)


def test_convert_is_quiet_and_not_counted(
    reclib: Any, record: list[warnings.WarningMessage]
) -> None:
    assert reclib.users.convert(v1(4)) == upgraded(v1(4))
    assert reclib.users.convert(upgraded(v1(4)), 1) == {**v1(4), "schema_version": 1}
    assert record == []
    assert [u for u in phaseout.usage() if u.symbol == "users record v1"] == []


def test_declaration_mistakes_are_refused_with_the_fix() -> None:
    records = phaseout.Records("carts")
    with pytest.raises(ValueError, match=r"upgrade\(2, to=3\) must start at the current version 1"):
        records.upgrade(2, to=3, since="1.0")
    with pytest.raises(ValueError, match="to must be above 1"):
        records.upgrade(1, to=1, since="1.0")
    with pytest.raises(ValueError, match=r"must reverse a declared upgrade \(none declared yet\)"):
        records.downgrade(2, to=1)
    with pytest.raises(ValueError, match="version 4 is not declared"):
        records.validator(4, lambda r: [])
    with pytest.raises(TypeError, match="since"):
        records.upgrade(1, to=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="name must be a non-empty string"):
        phaseout.Records("")
    with pytest.raises(
        ValueError, match="carts record v1: since must be a PEP 440 version, got 'two'"
    ):
        records.upgrade(1, to=2, since="two")


def test_a_step_that_returns_nothing_is_named() -> None:
    records = phaseout.Records("notes")

    @records.upgrade(1, to=2, since="1.0", current_version="1.0")
    def forgot_return(record: dict[str, Any]) -> Any:
        record["x"] = 1

    with pytest.raises(
        TypeError,
        match=r"notes step .*forgot_return \(v1→v2\) must return the converted record, got NoneType",
    ):
        records.convert({})


def test_validators_callables_and_models(reclib: Any) -> None:
    users = reclib.users
    assert users.problems(v1(1)) == []
    assert users.problems({"settings": 5}) == ["settings must be a JSON string", "name is missing"]
    records = phaseout.Records("v")
    records.validator(1, lambda r: r.get("ok", False))
    assert records.problems({"ok": True}) == []
    assert records.problems({}) == [
        "rejected by test_validators_callables_and_models.<locals>.<lambda>"
    ]

    class FakeError(Exception):
        def errors(self) -> list[dict[str, Any]]:
            return [{"loc": ("settings", "theme"), "msg": "Input should be a valid string"}]

    class Model:  # pydantic's shape: a class with model_validate
        @classmethod
        def model_validate(cls, obj: Any) -> Any:
            raise FakeError("invalid")

    other = phaseout.Records("w")
    other.validator(1, Model)
    assert other.problems({}) == ["settings.theme: Input should be a valid string"]
    other.validator(1, lambda r: 1 / 0)
    assert other.problems({}) == ["ZeroDivisionError: division by zero"]


records_v1 = st.fixed_dictionaries(
    {
        "name": st.text(max_size=20),
        "settings": st.dictionaries(
            st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=4
        ).map(json.dumps),
        "created_at": st.integers(min_value=0, max_value=4_000_000_000),
    },
    optional={"extra": st.none() | st.booleans() | st.lists(st.integers(), max_size=3)},
)


@settings(max_examples=200, deadline=None)
@given(records_v1)
def test_upgrade_then_downgrade_gives_the_record_back(record: dict[str, Any]) -> None:
    users = _reference_records()
    up = users.convert(record)
    assert up == upgraded(record)
    assert users.convert(up, 1) == {**record, "schema_version": 1}
    assert users.convert(users.convert(up, 1)) == up


_REFERENCE: list[Any] = []


def _reference_records() -> Any:
    if not _REFERENCE:
        namespace: dict[str, Any] = {"__name__": "reference_records"}
        from .records_lib import LIBRARY

        exec(compile(LIBRARY, "reference_records", "exec"), namespace)
        _REFERENCE.append(namespace["users"])
    return _REFERENCE[0]


# -- SQLite ------------------------------------------------------------------------------------


def make_db(path: Path, rows: dict[int, Any]) -> str:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE users (user_id INTEGER PRIMARY KEY, data TEXT)")
    db.executemany(
        "INSERT INTO users VALUES (?, ?)",
        [
            (key, value if isinstance(value, str) else json.dumps(value))
            for key, value in rows.items()
        ],
    )
    db.commit()
    db.close()
    return f"sqlite:///{path}"


def table(path: Path, name: str = "users") -> dict[int, Any]:
    db = sqlite3.connect(path)
    try:
        return dict(db.execute(f"SELECT * FROM {name} ORDER BY 1").fetchall())
    finally:
        db.close()


def tables(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return [
            r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY 1")
        ]
    finally:
        db.close()


BAD = {
    5: "{not json",  # invalid JSON
    6: json.dumps([1, 2]),  # not an object
    7: json.dumps({"name": "x", "settings": 5, "created_at": 1}),  # wrong type (validator)
    8: json.dumps({"name": "x", "settings": "{}"}),  # a missing field (the step fails)
    9: json.dumps({"name": "x", "settings": "{}", "created_at": "soon"}),  # wrong type (step)
    10: json.dumps({"schema_version": 9, "name": "x"}),  # an unknown version
}


def test_a_dry_run_converts_and_checks_everything_and_writes_nothing(
    tmp_path: Path, reclib: Any
) -> None:
    rows: dict[int, Any] = {key: v1(key) for key in range(1, 301)}
    rows.update(BAD)
    url = make_db(tmp_path / "app.db", rows)
    before = (tmp_path / "app.db").read_bytes()
    result = migrate(
        reclib.users, SQLTable(url, "users", key="user_id", column="data"), batch_size=64, samples=2
    )
    assert (tmp_path / "app.db").read_bytes() == before
    assert tables(tmp_path / "app.db") == ["users"]
    assert result.dry_run
    assert result.total == 300
    assert result.counts == {"migrated": 294, "current": 0, "failed": 6, "skipped": 0}
    assert [(f.key, f.stage) for f in result.failures] == [
        (5, "read"), (6, "read"), (7, "before"), (8, "step"), (9, "step"), (10, "version"),
    ]  # fmt: skip
    assert result.failures[1].reason == "data holds a JSON list, not an object"
    assert result.failures[3].reason == "KeyError: 'created_at'"
    assert [(s.key, s.before, s.after) for s in result.samples] == [
        (1, v1(1), upgraded(v1(1))), (2, v1(2), upgraded(v1(2))),
    ]  # fmt: skip


def test_apply_upgrades_every_row_checkpoints_backs_up_and_audits(
    tmp_path: Path, reclib: Any
) -> None:
    rows: dict[int, Any] = {key: v1(key) for key in range(1, 251)}
    rows.update(BAD)
    rows[11] = upgraded(v1(11))  # already current
    huge = v1(12, blob="x" * 2_000_000)
    rows[12] = huge
    path = tmp_path / "app.db"
    url = make_db(path, rows)
    original = table(path)
    audit = tmp_path / "audit.jsonl"
    store = SQLTable(url, "users", key="user_id", column="data")
    result = migrate(reclib.users, store, dry_run=False, batch_size=100, audit=str(audit))
    assert result.counts == {"migrated": 243, "current": 1, "failed": 6, "skipped": 0}
    after = table(path)
    for key, stored in original.items():
        if key in BAD or key == 11:
            assert after[key] == stored  # untouched, byte for byte
        else:
            assert json.loads(after[key]) == upgraded(json.loads(stored))
    db = sqlite3.connect(path)
    [checkpoint] = db.execute(
        "SELECT id, status, last_key, counts, total FROM phaseout_migrations"
    ).fetchall()
    assert checkpoint == (
        "users-v2-users", "done", "[250]", json.dumps(result.counts), 250,
    )  # fmt: skip
    backups = dict(
        db.execute("SELECT key, original FROM phaseout_backup_users_v2_users").fetchall()
    )
    db.close()
    assert len(backups) == 243
    assert backups["12"] == "=" + original[12]  # the very text, after the document marker
    events = [json.loads(line) for line in audit.read_text().splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "migration_started"
    assert kinds[-1] == "migration_finished"
    assert kinds.count("batch") == 3
    assert kinds.count("record_failed") == 6
    batches = [e for e in events if e["event"] == "batch"]
    assert [(b["first_key"], b["last_key"]) for b in batches] == [(1, 100), (101, 200), (201, 250)]
    assert sum(b["counts"]["migrated"] for b in batches) == 243
    failed = {e["key"]: (e["stage"], e["level"]) for e in events if e["event"] == "record_failed"}
    assert failed == {5: ("read", "warning"), 6: ("read", "warning"), 7: ("before", "warning"),
                      8: ("step", "warning"), 9: ("step", "warning"), 10: ("version", "warning")}  # fmt: skip


def test_max_failures_stops_and_rolls_back_the_current_batch(tmp_path: Path, reclib: Any) -> None:
    rows: dict[int, Any] = {key: v1(key) for key in range(1, 101)}
    for key in (30, 31, 32):
        rows[key] = "{broken"
    path = tmp_path / "app.db"
    url = make_db(path, rows)
    original = table(path)
    store = SQLTable(url, "users", key="user_id", column="data")
    result = migrate(reclib.users, store, dry_run=False, batch_size=20, max_failures=2)
    assert result.stopped is not None
    assert "3 failures exceed --max-failures 2" in result.stopped
    after = table(path)
    assert all(json.loads(after[k])["schema_version"] == 2 for k in range(1, 21))
    assert {k: after[k] for k in range(21, 101)} == {k: original[k] for k in range(21, 101)}
    assert store.checkpoint(result.migration) is not None
    assert store.checkpoint(result.migration).last_key == 20  # type: ignore[union-attr]
    percent = migrate(reclib.users, store, dry_run=True, batch_size=20, max_failures="2%")
    assert percent.stopped is not None  # 3 of 40 read is 7.5%


def test_rollback_restores_the_original_rows_exactly_and_leaves_later_writes(
    tmp_path: Path, reclib: Any
) -> None:
    rows: dict[int, Any] = {key: v1(key) for key in range(1, 121)}
    rows[3] = '{"name":  "spaced",   "settings": "{}", "created_at": 5}'  # odd bytes, kept
    path = tmp_path / "app.db"
    url = make_db(path, rows)
    original = table(path)
    store = SQLTable(url, "users", key="user_id", column="data")
    migrate(reclib.users, store, dry_run=False, batch_size=50)
    db = sqlite3.connect(path)
    db.execute("UPDATE users SET data = ? WHERE user_id = 7", (json.dumps({"by": "someone"}),))
    db.commit()
    db.close()
    restored = rollback(reclib.users, store)
    assert restored.restored == 119
    assert restored.changed_since == [7]
    after = table(path)
    assert {k: v for k, v in after.items() if k != 7} == {
        k: v for k, v in original.items() if k != 7
    }
    assert json.loads(after[7]) == {"by": "someone"}
    assert store.checkpoint("users-v2-users").status == "rolled back"  # type: ignore[union-attr]


def test_rollback_after_a_partial_run(tmp_path: Path, reclib: Any) -> None:
    rows: dict[int, Any] = {key: v1(key) for key in range(1, 101)}
    rows[60] = "{broken"
    path = tmp_path / "app.db"
    url = make_db(path, rows)
    original = table(path)
    store = SQLTable(url, "users", key="user_id", column="data")
    result = migrate(reclib.users, store, dry_run=False, batch_size=25, max_failures=0)
    assert result.stopped is not None
    assert (
        sum(
            json.loads(v).get("schema_version") == 2 for v in table(path).values() if v != "{broken"
        )
        == 50
    )
    assert rollback(reclib.users, store).restored == 50
    assert table(path) == original


def test_verify_finds_old_rows_invalid_rows_and_rows_unlike_their_backup(
    tmp_path: Path, reclib: Any
) -> None:
    path = tmp_path / "app.db"
    url = make_db(path, {key: v1(key) for key in range(1, 201)})
    store = SQLTable(url, "users", key="user_id", column="data")
    migrate(reclib.users, store, dry_run=False, batch_size=64)
    good = verify(reclib.users, store, sample=1000, seed=1)
    assert good.ok
    assert (good.before, good.after, good.old, good.invalid, good.sampled) == (
        200,
        200,
        0,
        0,
        200,
    )
    db = sqlite3.connect(path)
    db.execute("UPDATE users SET data = ? WHERE user_id = 5", (json.dumps(v1(5)),))
    tampered = {**upgraded(v1(6)), "name": "mallory"}
    db.execute("UPDATE users SET data = ? WHERE user_id = 6", (json.dumps(tampered),))
    db.execute(
        "UPDATE users SET data = ? WHERE user_id = 8",
        (json.dumps({**upgraded(v1(8)), "settings": "x"}),),
    )
    db.commit()
    db.close()
    bad = verify(reclib.users, store, sample=1000, seed=1)
    assert not bad.ok
    assert (bad.old, bad.old_keys, bad.invalid) == (1, [5], 1)
    assert bad.invalid_keys == [(8, "settings must be an object")]
    assert (6, "differs from the upgraded backup in 'name'") in bad.mismatches


def test_roundtrip_verification_flags_a_lossy_downgrade(tmp_path: Path) -> None:
    records = phaseout.Records("lossy")

    @records.upgrade(1, to=2, since="1.0", current_version="1.0")
    def up(record: dict[str, Any]) -> dict[str, Any]:
        record["n"] = int(record["n"])
        return record

    @records.downgrade(2, to=1)
    def down(record: dict[str, Any]) -> dict[str, Any]:
        record["n"] = str(record["n"])
        return record

    url = make_db(tmp_path / "app.db", {1: {"n": "5"}, 2: {"n": "05"}})
    result = migrate(
        records, SQLTable(url, "users", key="user_id", column="data"), verify_roundtrip=True
    )
    assert result.counts["migrated"] == 1
    assert [(f.key, f.stage, f.reason) for f in result.failures] == [
        (2, "roundtrip", "downgrade(upgrade(record)) differs in 'n'")
    ]


def test_columns_mapped_to_fields_and_a_row_the_database_refuses(tmp_path: Path) -> None:
    records = phaseout.Records("accounts")

    @records.upgrade(1, to=2, since="1.0", current_version="1.0")
    def cents(record: dict[str, Any]) -> dict[str, Any]:
        record["balance"] = round(record["balance"] * 100)
        return record

    path = tmp_path / "app.db"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE accounts (id TEXT PRIMARY KEY, balance REAL CHECK (balance < 100000), "
        "note BLOB, schema_version INTEGER NOT NULL DEFAULT 1)"
    )
    db.executemany(
        "INSERT INTO accounts (id, balance, note) VALUES (?, ?, ?)",
        [("a", 1.5, b"\x00\xff"), ("b", 2000.25, None), ("c", 0.1, b"")],
    )
    db.commit()
    original = db.execute("SELECT * FROM accounts ORDER BY id").fetchall()
    store = SQLTable(f"sqlite:///{path}", "accounts", key="id")
    result = migrate(records, store, dry_run=False)
    assert result.counts == {"migrated": 2, "current": 0, "failed": 1, "skipped": 0}
    [failure] = result.failures
    assert failure.key == "b"
    assert failure.stage == "write"
    assert "CHECK constraint failed" in failure.reason
    assert db.execute("SELECT * FROM accounts ORDER BY id").fetchall() == [
        ("a", 150, b"\x00\xff", 2), original[1], ("c", 10, b"", 2),
    ]  # fmt: skip
    assert rollback(records, store).restored == 2
    assert db.execute("SELECT * FROM accounts ORDER BY id").fetchall() == original
    assert [type(v).__name__ for v in db.execute("SELECT * FROM accounts WHERE id='a'").fetchone()] == [
        "str", "float", "bytes", "int",
    ]  # fmt: skip
    db.close()


def test_a_concurrent_writer_loses_nothing(tmp_path: Path, reclib: Any) -> None:
    path = tmp_path / "app.db"
    url = make_db(path, {key: v1(key) for key in range(1, 1001)})
    last_write: dict[int, int] = {}
    writes: list[int] = []
    stop = threading.Event()

    def writer() -> None:
        db = sqlite3.connect(path, timeout=60)
        rng = random.Random(7)
        n = 0
        while not stop.is_set():
            key = rng.randrange(1, 1001)
            n += 1
            db.execute(
                "UPDATE users SET data = ? WHERE user_id = ?", (json.dumps(v1(key, w=n)), key)
            )
            db.commit()
            last_write[key] = n
            writes.append(key)
            time.sleep(0.0002)
        db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        migrate(
            reclib.users,
            SQLTable(url, "users", key="user_id", column="data"),
            dry_run=False,
            batch_size=25,
            progress=two_more(writes),
        )
    finally:
        stop.set()
        thread.join()
    assert len(writes) >= 80
    final = {key: json.loads(value) for key, value in table(path).items()}
    for key, n in last_write.items():
        assert final[key]["w"] == n, key  # as written, or upgraded from it: never overwritten


def two_more(writes: list[int]) -> Callable[[int, int], None]:
    """A progress callback that waits, after each batch, until two more writes landed:
    a concurrent writer's writes then fall between every two batches, however busy the
    machine."""

    def between_batches(done: int, total: int) -> None:
        wanted, deadline = len(writes) + 2, time.monotonic() + 30
        while len(writes) < wanted and time.monotonic() < deadline:
            time.sleep(0.0005)

    return between_batches


KILLER = """\
import sys
from phaseout.cli import main
sys.exit(main(sys.argv[1:]))
"""


def kill_repeatedly(
    args: list[str],
    folder: Path,
    kills: int,
    *,
    seed: int,
    window: tuple[float, float],
    slow: float,
) -> subprocess.CompletedProcess[str]:
    """Start *args* (a ``phaseout data migrate --apply``) and SIGKILL it after a random time
    in *window*, *kills* times, then run it to its end; the last run's outcome. Each step
    sleeps *slow* seconds. Fails if the migration finishes before it was killed that many
    times (too fast a test)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEOUT_")}
    env["PYTHONPATH"] = str(folder)
    env["RECLIB_SLOW"] = str(slow)
    rng = random.Random(seed)
    for done in range(kills):
        process = subprocess.Popen(
            args, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(*window))
        if process.poll() is not None:
            raise AssertionError(f"finished (exit {process.returncode}) after {done} kills")
        process.send_signal(signal.SIGKILL)
        process.wait()
    return subprocess.run(
        args, cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _busy_work(seconds: float) -> str:
    """A SELECT that takes about *seconds* here: a row counter, its length measured."""
    db = sqlite3.connect(":memory:")

    def query(rows: int) -> str:
        return (
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
            f"LIMIT {rows}) SELECT x FROM c"
        )

    start = time.perf_counter()
    for _ in range(10):
        db.execute(f"SELECT COUNT(*) FROM ({query(10_000)})").fetchone()
    per_row = (time.perf_counter() - start) / 100_000
    db.close()
    return query(max(1_000, round(seconds / per_row)))


def test_killed_twenty_times_and_resumed_every_record_is_migrated_once(tmp_path: Path) -> None:
    write_library(tmp_path)
    path = tmp_path / "app.db"
    rows = {key: v1(key) for key in range(1, 2001)}
    url = make_db(path, rows)
    db = sqlite3.connect(path)
    # Each row's UPDATE made slow (≈ 10 ms on this machine, now), so that most kills land
    # inside a batch's write transaction, between its first write and its commit, and the
    # 2,000 rows (≈ 20 s) outlast the twenty kills (at most 16 s).
    db.execute(
        "CREATE TRIGGER slow_writes AFTER UPDATE ON users BEGIN "
        f"SELECT COUNT(*) FROM ({_busy_work(0.010)}); END"
    )
    db.commit()
    db.close()
    args = [
        sys.executable, "-c", KILLER, "data", "migrate", "reclib:users", "--db", url,
        "--table", "users", "--key", "user_id", "--column", "data", "--apply",
        "--batch-size", "20",
    ]  # fmt: skip
    final = kill_repeatedly(args, tmp_path, 20, seed=2026, window=(0.4, 0.8), slow=0.0005)
    assert final.returncode == 0, final.stderr
    after = table(path)
    assert len(after) == 2000
    for key, record in rows.items():
        assert json.loads(after[key]) == upgraded(record), key
    db = sqlite3.connect(path)
    counts = json.loads(db.execute("SELECT counts FROM phaseout_migrations").fetchone()[0])
    backups = db.execute("SELECT COUNT(*) FROM phaseout_backup_users_v2_users").fetchone()[0]
    db.close()
    assert counts == {"migrated": 2000, "current": 0, "failed": 0, "skipped": 0}  # once each
    assert backups == 2000


# -- the command -------------------------------------------------------------------------------


def test_the_command_dry_run_apply_verify_rollback(tmp_path: Path) -> None:
    write_library(tmp_path)
    rows: dict[int, Any] = {key: v1(key) for key in range(1, 6)}
    rows[4] = "{oops"
    path = tmp_path / "app.db"
    url = make_db(path, rows)
    original = table(path)
    where = ["--db", url, "--table", "users", "--key", "user_id", "--column", "data"]
    dry = run_phaseout(tmp_path, "data", "migrate", "reclib:users", *where, "--show", "1")
    assert dry.returncode == 1, dry.stderr  # a record failed
    seconds = dry.stdout.split(" in ")[1].split(" s\n")[0]
    assert dry.stdout == (
        "migration users-v2-users: dry run, nothing written (--apply writes)\n"
        f"  store    {url} table users\n"
        "  records  5\n"
        f"  would migrate 4, already current 0, failed 1, skipped 0 in {seconds} s\n"
        "first 1 failures (left untouched):\n"
        "  key 4 [read] data is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)\n"
        "samples:\n"
        "  key 1\n"
        f"    before {json.dumps(v1(1))}\n"
        f"    after  {json.dumps(upgraded(v1(1)))}\n"
    )
    assert table(path) == original
    applied = run_phaseout(
        tmp_path, "data", "migrate", "reclib:users", *where, "--apply", "--format", "json"
    )
    assert applied.returncode == 1
    assert json.loads(applied.stdout)["counts"] == {
        "migrated": 4,
        "current": 0,
        "failed": 1,
        "skipped": 0,
    }
    as_json = run_phaseout(tmp_path, "data", "verify", "reclib:users", *where, "--format", "json")
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout) == {
        "migration": "users-v2-users", "store": f"{url} table users", "before": 5, "after": 5,
        "old": 0, "old_keys": [], "invalid": 1,
        "invalid_keys": [[4, "data is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"]],
        "sampled": 4, "mismatches": [], "ok": False,
    }  # fmt: skip
    checked = run_phaseout(tmp_path, "data", "verify", "reclib:users", *where)
    assert checked.returncode == 1
    assert "invalid  1\n    key 4: data is not valid JSON" in checked.stdout
    back = run_phaseout(tmp_path, "data", "rollback", "reclib:users", *where)
    assert (back.returncode, back.stdout) == (0, f"restored 4 records in {url} table users\n")
    assert table(path) == original


def test_the_command_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    write_library(tmp_path)
    url = make_db(tmp_path / "app.db", {1: v1(1)})
    for args, message in [
        (
            ["reclib", "--db", url, "--table", "users", "--key", "user_id"],
            "records must be MODULE:NAME",
        ),
        (
            ["reclib:nobody", "--db", url, "--table", "users", "--key", "user_id"],
            "reclib:nobody must be a phaseout.Records, got None",
        ),
        (
            ["reclib:users", "--db", url, "--table", "nope", "--key", "user_id"],
            "table 'nope' does not exist",
        ),
        (
            ["reclib:users", "--db", url, "--table", "users", "--key", "data"],
            "--key 'data' must be the primary key or a unique column",
        ),
        (["reclib:users", "--db", url, "--table", "users"], "give --db, --table and --key"),
        (["reclib:users", "--file", "missing.jsonl"], "missing.jsonl: no such file"),
        (
            ["reclib:users", "--db", "nonsense", "--table", "t", "--key", "k"],
            "--db must be a database URL (sqlite:///app.db), got 'nonsense'",
        ),
        (
            [
                "reclib:users",
                "--db",
                f"sqlite:///{tmp_path}/no/such/dir/x.db",
                "--table",
                "t",
                "--key",
                "k",
            ],
            "cannot read sqlite:///",
        ),
        (
            [
                "reclib:users",
                "--db",
                f"postgresql://nobody@/db?host={tmp_path}",
                "--table",
                "t",
                "--key",
                "k",
            ],
            "cannot read postgresql+psycopg://nobody@/db",
        ),
    ]:
        done = run_phaseout(tmp_path, "data", "migrate", *args)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
    bad = run_phaseout(
        tmp_path,
        "data",
        "migrate",
        "reclib:users",
        "--db",
        url,
        "--table",
        "users",
        "--key",
        "user_id",
        "--max-failures",
        "lots",
    )
    assert bad.returncode == 2
    assert "max failures must be a count (10) or a percentage (0.5%), got 'lots'" in bad.stderr


# -- JSON Lines --------------------------------------------------------------------------------


def write_lines(path: Path, lines: list[bytes], gzipped: bool = False) -> None:
    data = b"".join(lines)
    path.write_bytes(gzip.compress(data) if gzipped else data)


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_json_lines_are_rewritten_then_renamed_and_rolled_back_byte_for_byte(
    tmp_path: Path, reclib: Any, gzipped: bool
) -> None:
    lines = [json.dumps(v1(k)).encode() + b"\n" for k in range(1, 51)]
    lines[3] = b"\n"  # blank: carried over
    lines[4] = b"{nope\r\n"  # invalid: carried over, counted as failed
    lines[5] = json.dumps(v1(6)).encode() + b"\r\n"  # its line ending kept
    path = tmp_path / ("users.jsonl.gz" if gzipped else "users.jsonl")
    write_lines(path, lines, gzipped)
    before = path.read_bytes()
    store = JSONLines(path)
    dry = migrate(reclib.users, store, batch_size=7)
    assert path.read_bytes() == before
    assert dry.counts == {
        "migrated": 48,
        "current": 0,
        "failed": 1,
        "skipped": 0,
    }
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("users")) == [path.name]
    result = migrate(reclib.users, store, dry_run=False, batch_size=7)
    assert result.counts == dry.counts
    text = (gzip.decompress(path.read_bytes()) if gzipped else path.read_bytes()).splitlines(
        keepends=True
    )
    assert len(text) == 50
    assert text[3] == b"\n"
    assert text[4] == b"{nope\r\n"
    assert text[5].endswith(b"}\r\n")
    for number, line in enumerate(text):
        if number not in (3, 4):
            assert json.loads(line) == upgraded(v1(number + 1))
    assert Path(f"{path}.phaseout-backup").read_bytes() == before
    assert verify(reclib.users, store).sampled == 48
    assert rollback(reclib.users, JSONLines(path)).restored == 48
    assert path.read_bytes() == before


def test_json_lines_killed_and_resumed(tmp_path: Path) -> None:
    write_library(tmp_path)
    path = tmp_path / "users.jsonl"
    records = [v1(k) for k in range(1, 3001)]
    write_lines(path, [json.dumps(r).encode() + b"\n" for r in records])
    args = [
        sys.executable,
        "-c",
        KILLER,
        "data",
        "migrate",
        "reclib:users",
        "--file",
        str(path),
        "--apply",
        "--batch-size",
        "10",
    ]
    done = kill_repeatedly(args, tmp_path, 8, seed=5, window=(0.3, 0.9), slow=0.002)
    assert done.returncode == 0, done.stderr
    lines = path.read_bytes().splitlines()
    assert [json.loads(line) for line in lines] == [upgraded(r) for r in records]
    checkpoint = json.loads(Path(f"{path}.phaseout-checkpoint").read_text())
    assert checkpoint["counts"] == {"migrated": 3000, "current": 0, "failed": 0, "skipped": 0}


# -- the pieces tools build on -----------------------------------------------------------------


def test_the_upgrader_checks_both_validators_and_converts_in_place(reclib: Any) -> None:
    upgrade = reclib.users.upgrader(1)
    record = v1(3)
    assert upgrade(record) is record  # in place: the migration hands it a record of its own
    assert record == upgraded(v1(3))
    with pytest.raises(InvalidRecordError) as before:
        upgrade({"settings": 5})
    assert (before.value.stage, before.value.problems) == (
        "before", ["settings must be a JSON string", "name is missing"],
    )  # fmt: skip
    assert isinstance(before.value, ValueError)
    records = phaseout.Records("strict")

    @records.upgrade(1, to=2, since="1.0", current_version="1.0")
    def drop(record: dict[str, Any]) -> dict[str, Any]:
        return {}

    records.validator(2, lambda r: "id is missing" if "id" not in r else None)
    with pytest.raises(InvalidRecordError, match="after: id is missing"):
        records.upgrader(1)({"id": 1})
    with pytest.raises(RecordVersionError):
        records.upgrader(3)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_max_failures_counts_parse(count: int) -> None:
    assert parse_max_failures(str(count)) == ("count", float(count))
    assert parse_max_failures(count) == ("count", float(count))


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_max_failures_percentages_parse(share: float) -> None:
    assert parse_max_failures(f"{share!r}%") == ("percent", share)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=8))
def test_max_failures_rejects_anything_else_clearly(text: str) -> None:
    message = None
    try:
        parsed = parse_max_failures(text)
    except ValueError as error:
        message, parsed = str(error), None
    if parsed is None:
        assert message == (
            f"max failures must be a count (10) or a percentage (0.5%), got {text!r}"
        )
    else:
        kind, value = parsed
        assert value >= 0
        assert kind == ("percent" if text.strip().endswith("%") else "count")
        assert kind == "count" or value <= 100


def test_the_guide_tells_how_to_migrate_a_record_version(tmp_path: Path) -> None:
    (tmp_path / "recpkg").mkdir()
    (tmp_path / "recpkg" / "__init__.py").write_text('__version__ = "2.5"\n')
    write_library(tmp_path / "recpkg")
    (tmp_path / "recpkg" / "reclib.py").rename(tmp_path / "recpkg" / "records.py")
    source = (tmp_path / "recpkg" / "records.py").read_text()
    (tmp_path / "recpkg" / "records.py").write_text(
        source.replace('package="reclib"', 'package="recpkg"').replace(
            ', current_version="2.5"', ""
        )
    )
    done = run_phaseout(tmp_path, "guide", "recpkg", "--to", "3.0")
    assert done.returncode == 0, done.stderr
    entry = done.stdout.split("### `users record v1`\n\n")[1]
    assert entry == (
        "Deprecated in 2.0; stops loading in 3.0.\n\n"
        "A users record at schema_version 1 no longer loads in 3.0 (`RemovedRecordError`): "
        "upgrade the stored records before upgrading the package.\n\n"
        "Automatic: Upgrade stored records with `phaseout data migrate recpkg.records:users` "
        "(a dry run; `--apply` writes, in batches that resume after a crash and roll back "
        "exactly).\n"
    )


def test_strict_mode_and_policies_apply_to_old_records(
    record: list[warnings.WarningMessage],
) -> None:
    records = phaseout.Records("tickets", package="ticketlib")

    @records.upgrade(1, to=2, since="1.0", hard_in="2.0", removed_in="3.0", current_version="2.1")
    def step(ticket: dict[str, Any]) -> dict[str, Any]:
        return ticket

    assert records.load({})["schema_version"] == 2
    [warning] = record
    assert warning.category is phaseout.RemovalWarning
    assert issubclass(warning.category, FutureWarning)
    phaseout.configure(strict="hard")
    with pytest.raises(phaseout.RemovalWarning, match="A tickets record at schema_version 1"):
        records.load({})
    phaseout.configure(strict="off")
    with phaseout.silence("ticketlib"):
        records.load({})
    assert len(record) == 1  # silenced: counted, not shown
    assert sum(u.count for u in phaseout.usage() if u.symbol == "tickets record v1") == 3


def test_a_database_failing_mid_run_is_one_line_and_the_run_resumes(tmp_path: Path) -> None:
    write_library(tmp_path)
    path = tmp_path / "app.db"
    rows: dict[int, Any] = {key: v1(key) for key in range(1, 101)}
    rows[50] = "{broken"
    url = make_db(path, rows)
    where = ["--db", url, "--table", "users", "--key", "user_id", "--column", "data"]
    run = ["data", "migrate", "reclib:users", *where, "--apply", "--batch-size", "20"]
    done = run_phaseout(tmp_path, *run, "--max-failures", "0")
    assert done.returncode == 3, done.stderr  # stopped before the batch holding row 50
    db = sqlite3.connect(path)
    db.execute(  # the next checkpoint cannot be saved: the database fails mid-run
        "CREATE TRIGGER stuck BEFORE UPDATE OF last_key ON phaseout_migrations "
        "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    )
    db.commit()
    before = table(path)
    done = run_phaseout(tmp_path, *run)
    assert done.returncode == 4, done.stderr
    assert done.stderr == (
        "phaseout data migrate: IntegrityError: disk on fire (every batch committed before it "
        "is kept: run the same command again to resume)\n"
    )
    assert table(path) == before  # the batch and its checkpoint: neither written
    db.execute("DROP TRIGGER stuck")
    db.commit()
    db.close()
    done = run_phaseout(tmp_path, *run)
    assert done.returncode == 1  # row 50 is left as it was
    assert "records  100 (resumed after key 40)" in done.stdout
    after = table(path)
    assert after[50] == "{broken"
    assert all(json.loads(v)["schema_version"] == 2 for k, v in after.items() if k != 50)


def test_phaseout_report_shows_which_code_still_reads_old_records(
    reclib: Any, tmp_path: Path, quiet: None
) -> None:
    from phaseout.report import summarize

    log = tmp_path / "usage.jsonl"
    phaseout.configure(usage_log=log)
    for _ in range(5):
        read_profile(reclib.users)
    read_settings(reclib.users)
    reclib.users.load(upgraded(v1(3)))  # current: not a use
    phaseout.flush_usage()
    rows = summarize([log], by=["symbol", "caller"]).rows
    assert sorted((r.symbol, r.caller, r.count, r.package) for r in rows) == [
        ("users record v1", f"{__name__}:read_profile", 5, "reclib"),
        ("users record v1", f"{__name__}:read_settings", 1, "reclib"),
    ]


def read_profile(users: phaseout.Records) -> Any:  # callers the report names
    return users.load(v1(1))


def read_settings(users: phaseout.Records) -> Any:
    return users.load(v1(2))


def test_json_lines_need_no_extra_and_sql_tables_say_which(tmp_path: Path) -> None:
    write_library(tmp_path)
    (tmp_path / "users.jsonl").write_text(json.dumps(v1(1)) + "\n")
    script = (
        "import sys\n"
        "sys.modules['sqlalchemy'] = None  # as if the records extra were not installed\n"
        "from phaseout.cli import main\n"
        "status = main(['data', 'migrate', 'reclib:users', '--file', 'users.jsonl', '--apply'])\n"
        "assert status == 0, status\n"
        "assert 'sqlalchemy' not in [m for m, v in sys.modules.items() if v is not None]\n"
        "from phaseout import records\n"
        "try:\n"
        "    records.SQLTable\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEOUT_")}
    env["PYTHONPATH"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(
        "phaseout.records.SQLTable needs SQLAlchemy: pip install 'phaseout[records]' "
        "(import of sqlalchemy halted; None in sys.modules)\n"
    )
    assert json.loads((tmp_path / "users.jsonl").read_text()) == upgraded(v1(1))


def test_progress_is_a_redrawn_line_on_a_terminal_and_plain_lines_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from phaseout.records._command import Progress

    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    plain = io.StringIO()
    progress = Progress(plain)
    clock[0] += 5
    progress(500, 2000)  # within ten seconds of the start: nothing yet
    clock[0] += 5
    progress(1000, 2000)
    clock[0] += 10
    progress(2000, 2000)
    progress.close()
    assert plain.getvalue() == (
        "progress: 1,000/2,000 records (50%), 100/s, ETA 10 s\n"
        "progress: 2,000/2,000 records (100%), 100/s, ETA 0 s\n"
    )

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    progress = Progress(terminal)
    clock[0] += 1
    progress(300, 600)
    progress.close()
    assert terminal.getvalue() == "\r\x1b[K300/600 records (50%), 300/s, ETA 1 s\r\x1b[K"


def test_throttling_sleeps_to_keep_the_rate_and_pauses_between_batches(
    tmp_path: Path, reclib: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = make_db(tmp_path / "app.db", {key: v1(key) for key in range(1, 101)})
    clock = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        clock[0] += seconds

    monkeypatch.setattr(time, "monotonic", lambda: clock[0])  # the module's `time` is this one
    monkeypatch.setattr(time, "sleep", sleep)
    store = SQLTable(url, "users", key="user_id", column="data")
    migrate(reclib.users, store, batch_size=25, max_rate=50, pause_between_batches=0.25)
    # After each batch: the pause, then what keeps 25 records a batch at 50 a second.
    assert slept == [0.25, 0.25] * 4


def test_a_second_run_of_a_running_migration_is_refused_at_once(tmp_path: Path) -> None:
    write_library(tmp_path)
    url = make_db(tmp_path / "app.db", {key: v1(key) for key in range(1, 11)})
    (tmp_path / "users.jsonl").write_text(json.dumps(v1(1)) + "\n")
    stores: list[tuple[list[str], SQLTable | JSONLines]] = [
        (["--db", url, "--table", "users", "--key", "user_id", "--column", "data"],
         SQLTable(url, "users", key="user_id", column="data")),
        (["--file", "users.jsonl"], JSONLines(tmp_path / "users.jsonl")),
    ]  # fmt: skip
    for where, store in stores:
        with store.lock("users-v2-users" if "--db" in where else "users-v2-users.jsonl"):
            for action in (["migrate", "--apply"], ["rollback"]):
                done = run_phaseout(
                    tmp_path, "data", action[0], "reclib:users", *where, *action[1:]
                )
                assert done.returncode == 2, done.stderr
                assert "is running in another process" in done.stderr, done.stderr
                assert done.stderr.count("\n") == 1
            dry = run_phaseout(tmp_path, "data", "migrate", "reclib:users", *where)
            assert dry.returncode == 0, dry.stderr  # a dry run writes nothing: no lock
        done = run_phaseout(tmp_path, "data", "migrate", "reclib:users", *where, "--apply")
        assert done.returncode == 0, done.stderr  # released
        store.close()

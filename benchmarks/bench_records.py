"""Stored records: what reading costs, and batch migrations side by side with their peers.

    python benchmarks/bench_records.py [--quick] [--rows 1000000] [--no-postgres]

1. ``Records.load`` of a record already at the current version, against the floor the issue
   names (a function that looks the version field up in the dict): goal at most 2 times.
   The upgrade of an old record (warnings ignored, the steady state) is shown beside it.
2. The reference migration (``settings`` JSON string → object, ``created_at`` Unix → ISO
   8601) of a table of users in SQLite, and in PostgreSQL (a throwaway server, as the tests
   start one), in records per second:
   - phaseout (``phaseout.records.migrate``: keyset batches, validation before and after,
     guarded UPDATEs, originals backed up, a checkpoint per batch),
   - the hand-written best case (keyset batches, ``executemany`` in one transaction per
     batch, no checks, no backup, no checkpoint),
   - the migration brief's script (``LIMIT/OFFSET`` paging), at growing sizes only: its time
     grows with the square of the table.
   Goal: phaseout at least 0.7 times the hand-written loop's rate. Each run is a fresh
   process on a fresh copy of the table; its peak memory (ru_maxrss) is reported, to show
   it flat in the table size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import phaseout
import results

BATCH = 1000


# -- the reference declaration ------------------------------------------------------------------


def _declare() -> phaseout.Records:
    users = phaseout.Records("users", package="benchlib")

    @users.upgrade(1, to=2, since="2.0", removed_in="3.0", current_version="2.5")
    def settings_object(user: dict[str, Any]) -> dict[str, Any]:
        user["settings"] = json.loads(user["settings"])
        user["created_at"] = dt.datetime.fromtimestamp(
            user["created_at"], dt.timezone.utc
        ).isoformat()
        return user

    def check_v1(user: dict[str, Any]) -> list[str]:
        return [] if isinstance(user.get("settings"), str) else ["settings must be a string"]

    def check_v2(user: dict[str, Any]) -> list[str]:
        return [] if isinstance(user.get("settings"), dict) else ["settings must be an object"]

    users.validator(1, check_v1)
    users.validator(2, check_v2)
    return users


def _upgrade(user: dict[str, Any]) -> dict[str, Any]:
    """The same step, for the hand-written loops."""
    user["settings"] = json.loads(user["settings"])
    user["created_at"] = dt.datetime.fromtimestamp(user["created_at"], dt.timezone.utc).isoformat()
    user["schema_version"] = 2
    return user


def _row(key: int) -> str:
    return json.dumps(
        {
            "name": f"user{key}",
            "email": f"user{key}@example.com",
            "settings": json.dumps({"theme": "dark", "lang": "en", "n": key}),
            "created_at": 1_700_000_000 + key,
        }
    )


# -- 1. reading ---------------------------------------------------------------------------------


def bench_load(quick: bool) -> str:
    import warnings

    users = _declare()
    current = users.convert(json.loads(_row(1)))
    old = json.loads(_row(1))
    field = users.version_field

    def floor(record: dict[str, Any]) -> Any:
        return record.get(field, 1)

    number = 200_000 if quick else 2_000_000
    rounds = 3 if quick else 7

    def best(stmt: Any, n: int = number) -> float:
        return min(timeit.repeat(stmt, number=n, repeat=rounds)) / n * 1e9

    load = users.load
    floor_ns = best(lambda: floor(current))
    load_ns = best(lambda: load(current))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        load(old)  # the call site's outcome is known from now on
        old_ns = best(lambda: load(old), number // 20)
    ratio = load_ns / floor_ns
    return (
        "**Reading a record** (ns per call, minimum of the rounds):\n\n"
        "| call | ns | vs the floor |\n|---|---:|---:|\n"
        f"| `def f(r): return r.get(field, 1)` (the floor) | {floor_ns:.0f} | 1.00× |\n"
        f"| `users.load(record)`, record current | {load_ns:.0f} | {ratio:.2f}× |\n"
        f"| `users.load(record)`, record at v1 (upgraded; warning ignored) | {old_ns:.0f} | "
        f"{old_ns / floor_ns:.1f}× |\n\n"
        f"Goal ≤ 2× the floor for a current record: {'met' if ratio <= 2 else 'NOT met'}.\n"
    )


# -- 2. migrations ------------------------------------------------------------------------------


def _sqlite_table(path: Path, rows: int) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE users (user_id INTEGER PRIMARY KEY, data TEXT NOT NULL)")
    for start in range(1, rows + 1, 50_000):
        db.executemany(
            "INSERT INTO users VALUES (?, ?)",
            ((k, _row(k)) for k in range(start, min(start + 50_000, rows + 1))),
        )
    db.commit()
    db.close()


def _run_phaseout(url: str) -> int:
    from phaseout.records import SQLTable, migrate

    store = SQLTable(url, "users", key="user_id", column="data")
    result = migrate(_declare(), store, dry_run=False, batch_size=BATCH)
    store.close()
    assert result.counts["failed"] == 0, result.failures
    return result.counts["migrated"]


def _connect(url: str) -> Any:
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None), "?", "data"
    import psycopg
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    connection = psycopg.connect(
        dbname=parsed.database, user=parsed.username, host=str(parsed.query["host"]),
        port=str(parsed.query["port"]), autocommit=True,
    )  # fmt: skip
    return connection, "%s", "data::text"


def _run_by_hand(url: str, *, offset: bool) -> int:
    """The hand-written loops, nothing checked or kept, one transaction per batch: keyset
    pages (the best case) or ``LIMIT/OFFSET`` pages (the brief's script)."""
    conn, mark, data = _connect(url)
    done, last = 0, 0
    columns = f"SELECT user_id, {data} FROM users"
    while True:
        cursor = conn.cursor()
        cursor.execute("BEGIN")
        if offset:
            cursor.execute(f"{columns} ORDER BY user_id LIMIT {BATCH} OFFSET {done}")
        else:
            cursor.execute(
                f"{columns} WHERE user_id > {mark} ORDER BY user_id LIMIT {BATCH}", (last,)
            )
        rows = cursor.fetchall()
        if not rows:
            cursor.execute("COMMIT")
            break
        updates = [(json.dumps(_upgrade(json.loads(text))), key) for key, text in rows]
        cursor.executemany(f"UPDATE users SET data = {mark} WHERE user_id = {mark}", updates)
        cursor.execute("COMMIT")
        done += len(rows)
        last = rows[-1][0]
    conn.close()
    return done


def _run_hand(url: str) -> int:
    return _run_by_hand(url, offset=False)


def _run_offset(url: str) -> int:
    return _run_by_hand(url, offset=True)


RUNNERS = {"phaseout": _run_phaseout, "hand": _run_hand, "offset": _run_offset}


def _one(runner: str, url: str) -> None:
    """In a fresh process: run *runner*, print seconds, records and peak memory (MiB)."""
    import time

    began = time.perf_counter()
    done = RUNNERS[runner](url)
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "done": done, "peak_mib": peak}))


def _measure(runner: str, url: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--one", runner, url],
        capture_output=True, text=True, check=True, timeout=7200,
    )  # fmt: skip
    data: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def _table(rows_by_size: list[tuple[str, int, dict[str, float]]], hand: dict[int, float]) -> str:
    lines = [
        "| run | rows | seconds | records/s | vs hand-written | peak MiB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, size, data in rows_by_size:
        rate = data["done"] / data["seconds"]
        ratio = f"{rate / hand[size]:.2f}×" if size in hand else "—"
        lines.append(
            f"| {name} | {size:,} | {data['seconds']:.2f} | {rate:,.0f} | {ratio} | "
            f"{data['peak_mib']:.0f} |"
        )
    return "\n".join(lines)


def _fresh_copy(master: Path, work: Path) -> Path:
    """A copy of *master* to migrate, without the write-ahead log of an earlier run."""
    copy = work / "run.db"
    for leftover in work.glob("run.db*"):
        leftover.unlink()
    shutil.copy(master, copy)
    return copy


def _compare(
    sizes: list[int], offset_sizes: list[int], table: Callable[[int], str]
) -> tuple[str, float]:
    """Each runner on a fresh table of each size (*table* makes one and gives its URL)."""
    measured: list[tuple[str, int, dict[str, float]]] = []
    hand: dict[int, float] = {}
    worst = float("inf")
    for size in sizes:
        for runner in ("hand", "phaseout"):
            data = _measure(runner, table(size))
            assert data["done"] == size
            rate = data["done"] / data["seconds"]
            if runner == "hand":
                hand[size] = rate
            else:
                worst = min(worst, rate / hand[size])
            measured.append((runner, size, data))
    for size in offset_sizes:
        measured.append(("offset (the brief)", size, _measure("offset", table(size))))
    return _table(measured, hand), worst


def bench_sqlite(sizes: list[int], offset_sizes: list[int], work: Path) -> tuple[str, float]:
    masters = {}
    for size in sorted(set(sizes) | set(offset_sizes)):
        masters[size] = work / f"master-{size}.db"
        _sqlite_table(masters[size], size)
    try:
        return _compare(
            sizes, offset_sizes, lambda size: f"sqlite:///{_fresh_copy(masters[size], work)}"
        )
    finally:
        for path in masters.values():
            path.unlink()


def _postgres_server(work: Path) -> tuple[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import postgres  # the tests' throwaway server

    context = postgres.server()
    return context.__enter__(), context


def _pg_fill(url: str, size: int) -> None:
    conn = _connect(url)[0]
    conn.execute("DROP TABLE IF EXISTS users, phaseout_migrations")
    for (name,) in conn.execute(
        "SELECT tablename FROM pg_tables WHERE tablename LIKE 'phaseout_backup_%'"
    ).fetchall():
        conn.execute(f"DROP TABLE {name}")
    conn.execute("CREATE TABLE users (user_id bigint PRIMARY KEY, data jsonb NOT NULL)")
    with conn.cursor() as cursor, cursor.copy("COPY users (user_id, data) FROM STDIN") as copy:
        for key in range(1, size + 1):
            copy.write_row((key, _row(key)))
    conn.execute("VACUUM ANALYZE users")
    conn.close()


def bench_postgres(sizes: list[int], offset_sizes: list[int], work: Path) -> tuple[str, float]:
    url, context = _postgres_server(work)

    def table(size: int) -> str:
        _pg_fill(url, size)
        return url

    try:
        return _compare(sizes, offset_sizes, table)
    finally:
        context.__exit__(None, None, None)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--one", nargs=2, metavar=("RUNNER", "URL"))
    args = parser.parse_args()
    if args.one:
        _one(*args.one)
        return 0
    big = 20_000 if args.quick else args.rows
    sizes = sorted({big // 10, big})
    offset_sizes = [2_000, 6_000, 20_000] if args.quick else [10_000, 100_000, 300_000]
    parts = [results.provenance(), "", bench_load(args.quick)]
    with tempfile.TemporaryDirectory(prefix="phaseout-bench-records-") as tmp:
        table, worst = bench_sqlite(sizes, offset_sizes, Path(tmp))
        parts += [
            f"**SQLite** (a file, WAL), batches of {BATCH:,}:\n",
            table,
            "",
            f"Goal ≥ 0.7× the hand-written loop: {'met' if worst >= 0.7 else 'NOT met'} "
            f"(worst {worst:.2f}×).\n",
        ]
        if not args.no_postgres:
            table, worst = bench_postgres(sizes, offset_sizes, Path(tmp))
            parts += [
                f"**PostgreSQL 15** (a local server on a Unix socket, jsonb), batches of "
                f"{BATCH:,}:\n",
                table,
                "",
                f"Goal ≥ 0.7× the hand-written loop: {'met' if worst >= 0.7 else 'NOT met'} "
                f"(worst {worst:.2f}×).\n",
            ]
    text = "\n".join(parts) + results.notes("RECORDS_NOTES.md")
    return results.publish("Stored records", text, quick=args.quick)


if __name__ == "__main__":
    raise SystemExit(main())

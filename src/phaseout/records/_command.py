"""``phaseout data migrate|verify|rollback``: the arguments, the output and the exit codes."""

from __future__ import annotations

import argparse
import importlib
import json
import time
from typing import Any, Final, TextIO

from .._record_shapes import Records
from ._jsonl import JSONLines
from ._migrate import MigrationResult, migrate, parse_max_failures
from ._store import Store
from ._verify import VerifyResult, rollback, verify

__all__ = ["EXIT_NEEDS_ATTENTION", "EXIT_STOPPED", "add_data_command", "run_data_command"]

EXIT_OK: Final = 0
EXIT_NEEDS_ATTENTION: Final = 1  # records failed or were skipped; verify found problems
EXIT_BAD_INPUT: Final = 2
EXIT_STOPPED: Final = 3  # --max-failures stopped the run (the current batch rolled back)
EXIT_FAILED: Final = 4  # the database or the file failed mid-run (committed batches kept)


def add_data_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    data = commands.add_parser(
        "data",
        help="migrate stored records in safe batches (SQL tables need phaseout[records])",
        description="Upgrade, verify or roll back stored records declared with phaseout.Records.",
    )
    actions = data.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text in (
        ("migrate", "upgrade every stored record (a dry run unless --apply)"),
        ("verify", "check a migrated store: counts, versions, validators, a sample"),
        ("rollback", "restore the records a migration changed, exactly"),
    ):
        action = actions.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        action.add_argument(
            "records", metavar="MODULE:NAME", help="the phaseout.Records, e.g. mylib.records:users"
        )
        where = action.add_argument_group("where the records are (a table or a file)")
        where.add_argument(
            "--db", help="a database URL: sqlite:///app.db, postgresql://user@host/db"
        )
        where.add_argument("--table", help="the table (schema.table allowed)")
        where.add_argument(
            "--key", help="its primary key or a unique column (batches are paged by it)"
        )
        where.add_argument("--column", help="the column holding each record as a JSON document")
        where.add_argument(
            "--columns", help="the columns mapped to fields (default: all but the key)"
        )
        where.add_argument("--file", help="a JSON Lines file (.gz kept)")
        action.add_argument(
            "--id", dest="migration", help="the migration's name (default: RECORDS-vN-TABLE)"
        )
        action.add_argument("--format", dest="fmt", choices=("text", "json"), default="text")
        if name in ("migrate", "rollback"):
            action.add_argument("--batch-size", type=_positive_int, default=1000)
            action.add_argument(
                "--audit", metavar="PATH", help="append the audit trail (JSON lines) to PATH"
            )
        if name == "migrate":
            action.add_argument(
                "--apply", action="store_true", help="write (without it: a dry run)"
            )
            action.add_argument("--max-failures", metavar="N|P%", type=_max_failures)
            action.add_argument(
                "--verify-roundtrip", action="store_true", help="check downgrade(upgrade(r)) == r"
            )
            action.add_argument("--max-rate", type=_positive_float, metavar="ROWS_PER_S")
            action.add_argument(
                "--pause-between-batches", type=_non_negative_float, default=0.0, metavar="SECONDS"
            )
            action.add_argument(
                "--show", type=int, default=10, metavar="N", help="failures and samples shown"
            )
        if name == "verify":
            action.add_argument(
                "--sample", type=int, default=1000, help="backed-up records compared"
            )
            action.add_argument("--seed", type=int, help="the sample's random seed")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text!r}")
    return value


def _max_failures(text: str) -> str:
    try:
        parse_max_failures(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _records(locator: str) -> Records:
    module_name, colon, attribute = locator.partition(":")
    if not colon or not module_name or not attribute:
        raise ValueError(f"records must be MODULE:NAME (e.g. mylib.records:users), got {locator!r}")
    module = importlib.import_module(module_name)
    value: Any = module
    for part in attribute.split("."):
        value = getattr(value, part, None)
    if not isinstance(value, Records):
        raise ValueError(f"{locator} must be a phaseout.Records, got {value!r}")
    return value


def _store(args: argparse.Namespace) -> Store:
    if args.file is not None:
        if args.db or args.table:
            raise ValueError("give --file, or --db with --table and --key, not both")
        return JSONLines(args.file)
    if not (args.db and args.table and args.key):
        raise ValueError("where are the records? give --db, --table and --key (or --file)")
    if args.column and args.columns:
        raise ValueError("give --column (a JSON document) or --columns (fields), not both")
    from . import SQLTable

    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    return SQLTable(args.db, args.table, key=args.key, column=args.column, columns=columns)


def run_data_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        records = _records(args.records)
        store = _store(args)
    except (ValueError, ImportError) as error:
        stderr.write(f"phaseout data {args.action}: {error}\n")
        return EXIT_BAD_INPUT
    try:
        if args.action == "migrate":
            return _migrate(args, records, store, stdout, stderr)
        if args.action == "verify":
            result = verify(
                records, store, sample=args.sample, seed=args.seed, migration=args.migration
            )
            stdout.write(
                json.dumps({**result._asdict(), "ok": result.ok}, default=str) + "\n"
                if args.fmt == "json"
                else render_verify(result)
            )
            return EXIT_OK if result.ok else EXIT_NEEDS_ATTENTION
        restored = rollback(
            records, store, batch_size=args.batch_size, audit=args.audit, migration=args.migration
        )
        if args.fmt == "json":
            stdout.write(json.dumps(restored._asdict(), default=str) + "\n")
        else:
            stdout.write(f"restored {restored.restored} records in {store.label}\n")
            if restored.changed_since:
                listed = ", ".join(map(repr, restored.changed_since[:10]))
                stdout.write(
                    f"left {len(restored.changed_since)} changed since the migration: {listed}\n"
                )
        return EXIT_NEEDS_ATTENTION if restored.changed_since else EXIT_OK
    except ValueError as error:
        stderr.write(f"phaseout data {args.action}: {error}\n")
        return EXIT_BAD_INPUT
    except Exception as error:  # the database or the file failed: one line, how to go on
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        then = (
            " (every batch committed before it is kept: run the same command again to resume)"
            if args.action == "migrate" and getattr(args, "apply", False)
            else ""
        )
        stderr.write(f"phaseout data {args.action}: {type(error).__name__}: {reason}{then}\n")
        return EXIT_FAILED
    finally:
        store.close()


def _migrate(
    args: argparse.Namespace, records: Records, store: Store, stdout: TextIO, stderr: TextIO
) -> int:
    progress = Progress(stderr)
    try:
        result = migrate(
            records, store, dry_run=not args.apply, batch_size=args.batch_size,
            max_failures=args.max_failures, audit=args.audit,
            verify_roundtrip=args.verify_roundtrip,
            max_rate=args.max_rate, pause_between_batches=args.pause_between_batches,
            show_failures=args.show, samples=min(args.show, 3), progress=progress,
            migration=args.migration,
        )  # fmt: skip
    finally:
        progress.close()
    if args.fmt == "json":
        stdout.write(json.dumps(result._asdict(), default=str) + "\n")
    else:
        stdout.write(render_migration(result))
    if result.stopped:
        return EXIT_STOPPED
    return EXIT_NEEDS_ATTENTION if result.counts["failed"] or result.counts["skipped"] else EXIT_OK


def _compact(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, default=str, sort_keys=False)


def render_migration(result: MigrationResult) -> str:
    counts = result.counts
    head = "dry run, nothing written (--apply writes)" if result.dry_run else "applied"
    lines = [
        f"migration {result.migration}: {head}",
        f"  store    {result.store}",
        f"  records  {result.total}"
        + (
            f" (resumed after key {result.resumed_after!r})"
            if result.resumed_after is not None
            else ""
        ),
        f"  {'would migrate' if result.dry_run else 'migrated'} {counts['migrated']}, "
        f"already current {counts['current']}, failed {counts['failed']}, "
        f"skipped {counts['skipped']} in {result.seconds:.2f} s",
    ]
    if result.stopped:
        lines.append(f"  stopped: {result.stopped}")
    if result.failures:
        lines.append(f"first {len(result.failures)} failures (left untouched):")
        lines.extend(f"  key {f.key!r} [{f.stage}] {f.reason}" for f in result.failures)
    if result.samples:
        lines.append("samples:")
        for sample in result.samples:
            lines.append(f"  key {sample.key!r}")
            lines.append(f"    before {_compact(sample.before)}")
            lines.append(f"    after  {_compact(sample.after)}")
    return "\n".join(lines) + "\n"


def render_verify(result: VerifyResult) -> str:
    lines = [
        f"verify {result.migration}: {'ok' if result.ok else 'PROBLEMS'}",
        f"  store    {result.store}",
    ]
    before = "unknown (no migration recorded)" if result.before is None else str(result.before)
    lines.append(f"  records  {before} before, {result.after} now")
    lines.append(
        f"  old      {result.old} at an older version"
        + (f": {', '.join(map(repr, result.old_keys))}" if result.old_keys else "")
    )
    lines.append(f"  invalid  {result.invalid}")
    lines.extend(f"    key {key!r}: {reason}" for key, reason in result.invalid_keys)
    lines.append(
        f"  sample   {result.sampled} compared with the backup, {len(result.mismatches)} differ"
    )
    lines.extend(f"    key {key!r}: {reason}" for key, reason in result.mismatches)
    return "\n".join(lines) + "\n"


class Progress:
    """Records done / total, rate and ETA: a redrawn line on a terminal (ten times a second
    at most), a plain line every ten seconds otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.terminal = stream.isatty()
        self.began = time.monotonic()
        self.last = self.began
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < (0.1 if self.terminal else 10.0):
            return
        self.last = now
        rate = done / max(now - self.began, 1e-9)
        eta = f"{max(total - done, 0) / rate:,.0f} s" if rate and total else "?"
        share = f" ({done / total:.0%})" if total else ""
        text = f"{done:,}/{total:,} records{share}, {rate:,.0f}/s, ETA {eta}"
        if self.terminal:
            self.stream.write(f"\r\x1b[K{text}")
            self.drawn = True
        else:
            self.stream.write(f"progress: {text}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

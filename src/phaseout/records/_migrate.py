"""Migrating stored records in batches: convert, validate, guard, checkpoint, back up.

Each record read is decoded, checked by its version's validator, upgraded through the
declared steps, checked by the new version's validator (and, if asked, downgraded back and
compared), and encoded; a record that fails any of these is left as it is, counted, and
written to the audit trail with its key, the stage and the reason. A batch is then written
by the store in one transaction with its checkpoint and its originals. A dry run does all of
that but write: it commits nothing and creates nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from typing import Any, NamedTuple

from .._exceptions import InvalidRecordError, RecordVersionError
from .._record_shapes import Records
from ._audit import AuditTrail
from ._store import Batch, Change, Item, Store, StoredError

__all__ = [
    "OUTCOMES",
    "Failure",
    "MigrationResult",
    "Sample",
    "migrate",
    "migration_id",
    "parse_max_failures",
]

#: What becomes of a record: upgraded; already at the target version; left untouched because
#: it failed to read, validate, convert or store; left untouched because another writer
#: changed it after it was read.
OUTCOMES = ("migrated", "current", "failed", "skipped")


class Failure(NamedTuple):
    """A record left untouched: its key, the stage that refused it, and why."""

    key: Any
    stage: str  # read, version, before, step, after, roundtrip, write
    reason: str


class Sample(NamedTuple):
    """A record before and after its upgrade."""

    key: Any
    before: dict[str, Any]
    after: dict[str, Any]


class MigrationResult(NamedTuple):
    migration: str
    store: str
    target: int
    dry_run: bool
    total: int
    counts: dict[str, int]
    failures: list[Failure]  # the first ones (``show_failures``)
    samples: list[Sample]
    stopped: str | None  # why the run stopped early (``max_failures``), or None
    resumed_after: Any  # the key a resumed run started after, or None
    seconds: float

    @property
    def done(self) -> int:
        return sum(self.counts.values())


def migration_id(records: Records, store: Store) -> str:
    """The stable name of migrating *store* to *records*' current version."""
    return f"{records.name}-v{records.current}-{getattr(store, 'name', 'records')}"


def parse_max_failures(text: str | int | None) -> tuple[str, float] | None:
    """``"10"`` (records) or ``"0.5%"`` (of the records read), as ("count"|"percent", n)."""
    if text is None:
        return None
    if isinstance(text, int):
        if text < 0:
            raise ValueError(f"max_failures must be a count or a percentage, got {text!r}")
        return ("count", float(text))
    raw = text.strip()
    try:
        if raw.endswith("%"):
            value = float(raw[:-1])
            if not 0 <= value <= 100:
                raise ValueError
            return ("percent", value)
        count = int(raw)
        if count < 0:
            raise ValueError
        return ("count", float(count))
    except ValueError:
        raise ValueError(
            f"max failures must be a count (10) or a percentage (0.5%), got {text!r}"
        ) from None


def _too_many(limit: tuple[str, float] | None, failed: int, seen: int) -> bool:
    if limit is None or not failed:
        return False
    kind, value = limit
    return failed > value if kind == "count" else failed * 100 > value * seen


class _Converter:
    """One record's conversion, with what is looked up once per run kept at hand."""

    __slots__ = (
        "current",
        "decode",
        "encode",
        "field",
        "first",
        "records",
        "roundtrip",
        "upgraders",
    )

    def __init__(self, records: Records, store: Store, roundtrip: bool) -> None:
        self.records = records
        self.decode = store.decode
        self.encode = store.encode
        self.field = records.version_field
        self.first = records.first
        self.current = records.current
        self.roundtrip = roundtrip
        self.upgraders = {v: records.upgrader(v) for v in records.versions if v != records.current}

    def _unknown(self, record: dict[str, Any]) -> str:
        """Why *record*'s version is not one to upgrade from (the error, named)."""
        try:
            self.records.version_of(record)
        except RecordVersionError as error:
            return str(error)
        return f"{self.records.name} record at an unknown version"  # not reached

    def __call__(
        self, item: Item, keep: bool
    ) -> tuple[str, Any, Failure | None, dict[str, Any] | None, dict[str, Any] | None]:
        """(outcome, new stored form, failure, record before, record after); the record
        before is returned only when *keep* (a sample) or a failure asks for it."""
        key = item.key
        try:
            record = self.decode(item.stored)
        except StoredError as error:
            return "failed", None, Failure(key, "read", str(error)), None, None
        version = record.get(self.field, self.first)
        if type(version) is int and version == self.current:
            return "current", None, None, record, record
        upgrade = self.upgraders.get(version) if type(version) is int else None
        if upgrade is None:
            return "failed", None, Failure(key, "version", self._unknown(record)), record, None
        original = dict(record) if keep or self.roundtrip else record
        try:
            upgraded = upgrade(record)
        except InvalidRecordError as error:
            reason = "; ".join(error.problems)
            return "failed", None, Failure(key, error.stage, reason), original, None
        except Exception as error:  # a step's failure is the record's, reported
            reason = f"{type(error).__name__}: {error}"
            return "failed", None, Failure(key, "step", reason), original, None
        if self.roundtrip:
            problem = _roundtrip_problem(self.records, original, upgraded, version)
            if problem:
                return "failed", None, Failure(key, "roundtrip", problem), original, upgraded
        try:
            stored = self.encode(upgraded, item.stored)
        except StoredError as error:
            return "failed", None, Failure(key, "write", str(error)), original, upgraded
        return "migrated", stored, None, original, upgraded


def _roundtrip_problem(
    records: Records, record: Mapping[str, Any], upgraded: Mapping[str, Any], version: int
) -> str | None:
    if not records.can_downgrade(version):
        return f"no downgrade to version {version} is declared"
    try:
        back = records.convert(upgraded, version)
    except Exception as error:
        return f"downgrade failed: {type(error).__name__}: {error}"
    original = dict(record)
    original.setdefault(records.version_field, records.first)
    if back == original:
        return None
    fields = sorted(
        field for field in original.keys() | back.keys() if original.get(field) != back.get(field)
    )
    return f"downgrade(upgrade(record)) differs in {', '.join(map(repr, fields))}"


def migrate(
    records: Records,
    store: Store,
    *,
    dry_run: bool = True,
    batch_size: int = 1000,
    max_failures: str | int | None = None,
    audit: str | None = None,
    verify_roundtrip: bool = False,
    max_rate: float | None = None,
    pause_between_batches: float = 0.0,
    show_failures: int = 10,
    samples: int = 3,
    progress: Callable[[int, int], None] | None = None,
    migration: str | None = None,
) -> MigrationResult:
    """Upgrade every record of *store* to *records*' current version; see the module."""
    _check_options(records, batch_size, max_rate, pause_between_batches)
    run = _Run(
        records, store, dry_run=dry_run, batch_size=batch_size,
        limit=parse_max_failures(max_failures), max_failures=max_failures,
        name=migration or migration_id(records, store), show_failures=show_failures,
        samples=samples, progress=progress, audit=audit,
    )  # fmt: skip
    options = {
        "dry_run": dry_run, "batch_size": batch_size, "max_failures": max_failures,
        "verify_roundtrip": verify_roundtrip, "max_rate": max_rate,
        "pause_between_batches": pause_between_batches,
    }  # fmt: skip
    error: BaseException | None = None
    try:
        with nullcontext() if dry_run else store.lock(run.name):
            run.start(options)
            convert = _Converter(records, store, verify_roundtrip)
            for batch in store.batches(run.after, batch_size):
                if not run.convert(convert, batch):
                    break
                _throttle(run.began, run.read, max_rate, pause_between_batches)
            if run.stopped is None and not dry_run:
                store.finish(run.name, run.counts)
    except BaseException as raised:
        error = raised
        raise
    finally:
        run.end(error)
    return run.result()


def _resume(
    store: Store, name: str, counts: dict[str, int], dry_run: bool, details: dict[str, Any]
) -> tuple[int, Any]:
    """The total and the key to start after: a running migration's, from its checkpoint
    (its counts added to *counts*); a dry run or a new run starts at the first key."""
    total = store.count()
    if dry_run:
        return total, None
    after = None
    checkpoint = store.checkpoint(name)
    if checkpoint is not None and checkpoint.status == "running":
        after = checkpoint.last_key
        counts.update(checkpoint.counts)
        total = checkpoint.total if checkpoint.total is not None else total
    store.start(name, total, details)
    return total, after


class _Run:
    """The state of one run: counts, failures kept, samples, and what the audit says."""

    def __init__(
        self,
        records: Records,
        store: Store,
        *,
        dry_run: bool,
        batch_size: int,
        limit: tuple[str, float] | None,
        max_failures: str | int | None,
        name: str,
        show_failures: int,
        samples: int,
        progress: Callable[[int, int], None] | None,
        audit: str | None,
    ) -> None:
        self.records = records
        self.store = store
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.limit = limit
        self.max_failures = max_failures
        self.name = name
        self.show_failures = show_failures
        self.samples = samples
        self.progress = progress
        self.trail = AuditTrail(audit, name)
        self.began = time.monotonic()
        self.elapsed = 0.0
        self.counts = dict.fromkeys(OUTCOMES, 0)
        self.failures: list[Failure] = []
        self.picked: list[Sample] = []
        self.stopped: str | None = None
        self.after: Any = None
        self.resumed: Any = None
        self.total = 0
        self.read = 0  # records read by this run

    def start(self, options: dict[str, Any]) -> None:
        details = {"batch_size": self.batch_size, "target": self.records.current}
        self.total, self.after = _resume(self.store, self.name, self.counts, self.dry_run, details)
        self.resumed = self.after
        self.trail.event(
            "migration_started", records=self.records.name, store=self.store.label,
            versions=list(self.records.versions), target=self.records.current,
            total=self.total, resumed_after=self.after, options=options,
        )  # fmt: skip

    def keep_failures(self, failures: list[Failure]) -> None:
        for failure in failures:
            self.trail.event(
                "record_failed", warning=True, key=failure.key, stage=failure.stage,
                reason=failure.reason,
            )  # fmt: skip
        room = self.show_failures - len(self.failures)
        if room > 0:
            self.failures.extend(failures[:room])

    def convert(self, convert: _Converter, batch: Batch) -> bool:
        """Convert *batch*, then write it (or only count it, in a dry run); False when too
        many records failed: the batch is dropped and the run stops."""
        started = time.monotonic()
        here, changes, failed = _convert_batch(convert, batch.items, self.picked, self.samples)
        self.keep_failures(failed)
        failed_total = self.counts["failed"] + here["failed"]
        seen = sum(self.counts.values()) + len(batch.items)
        if _too_many(self.limit, failed_total, seen):
            self.stopped = (
                f"{failed_total} failures exceed --max-failures {self.max_failures}: "
                f"the batch after key {self.after!r} was rolled back"
            )
            return False
        if not self.dry_run:
            self.write(batch, changes, here)
        self.settled(batch, here, started)
        self.read += len(batch.items)
        self.after = batch.last_key
        return True

    def write(self, batch: Batch, changes: list[Change], here: dict[str, int]) -> None:
        """One transaction: the changes (guarded), their originals and the checkpoint.

        In the converting thread on purpose: a writer thread was measured slower (SQLite
        and psycopg release the GIL around each row's step, and taking it back from a
        thread busy converting costs a switch interval each time: the convoy effect)."""

        def settle(skipped: list[Any], refused: dict[Any, str]) -> dict[str, int]:
            moved = len(skipped) + len(refused)
            final = {**here, "migrated": here["migrated"] - moved}
            final["skipped"] += len(skipped)
            final["failed"] += len(refused)
            return {outcome: self.counts[outcome] + final[outcome] for outcome in OUTCOMES}

        skipped, refused = self.store.write(self.name, batch, changes, settle)
        for key in skipped:
            self.trail.event(
                "record_skipped", warning=True, key=key,
                reason="changed by another writer since it was read",
            )  # fmt: skip
        self.keep_failures([Failure(key, "write", reason) for key, reason in refused.items()])
        here["migrated"] -= len(skipped) + len(refused)
        here["skipped"] += len(skipped)
        here["failed"] += len(refused)

    def settled(self, batch: Batch, here: dict[str, int], started: float) -> None:
        """A batch done (committed, or converted in a dry run): counted and audited."""
        for outcome, count in here.items():
            self.counts[outcome] += count
        if batch.items:
            self.trail.event(
                "batch", first_key=batch.items[0].key, last_key=batch.items[-1].key,
                counts=here, seconds=round(time.monotonic() - started, 6), dry_run=self.dry_run,
            )  # fmt: skip
        if self.progress is not None:
            self.progress(sum(self.counts.values()), self.total)

    def end(self, error: BaseException | None) -> None:
        self.elapsed = time.monotonic() - self.began
        ending = (
            "migration_interrupted"
            if error
            else "migration_stopped"
            if self.stopped
            else "migration_finished"
        )
        self.trail.event(
            ending, warning=ending != "migration_finished", counts=self.counts,
            seconds=round(self.elapsed, 3), dry_run=self.dry_run,
            reason=self.stopped or (error and repr(error)),
        )  # fmt: skip
        self.trail.close()

    def result(self) -> MigrationResult:
        return MigrationResult(
            self.name, self.store.label, self.records.current, self.dry_run, self.total,
            self.counts, self.failures, self.picked, self.stopped, self.resumed, self.elapsed,
        )  # fmt: skip


def _convert_batch(
    convert: _Converter, items: list[Item], picked: list[Sample], samples: int
) -> tuple[dict[str, int], list[Change], list[Failure]]:
    """A batch's counts per outcome, its changes and its failures (and samples picked)."""
    changes: list[Change] = []
    here = dict.fromkeys(OUTCOMES, 0)
    failed: list[Failure] = []
    for item in items:
        keep = len(picked) < samples
        outcome, stored, failure, before, upgraded = convert(item, keep)
        here[outcome] += 1
        if failure is not None:
            failed.append(failure)
        elif stored is not None:
            changes.append(Change(item.key, item.stored, stored))
            if keep and before is not None and upgraded is not None:
                picked.append(Sample(item.key, before, upgraded))
    return here, changes, failed


def _check_options(records: Records, batch_size: int, max_rate: float | None, pause: float) -> None:
    if not isinstance(records, Records):
        raise TypeError(f"records must be a phaseout.Records, got {records!r}")
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if max_rate is not None and not max_rate > 0:
        raise ValueError(
            f"max_rate must be a positive number of records per second, got {max_rate!r}"
        )
    if pause < 0:
        raise ValueError(f"pause_between_batches must be >= 0 seconds, got {pause!r}")


def _throttle(began: float, done: int, max_rate: float | None, pause: float) -> None:
    if pause:
        time.sleep(pause)
    if max_rate is not None:
        ahead = done / max_rate - (time.monotonic() - began)
        if ahead > 0:
            time.sleep(ahead)

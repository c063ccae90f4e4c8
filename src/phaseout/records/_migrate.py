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
from typing import Any, NamedTuple

from .._record_shapes import Records
from ..exceptions import RecordVersionError
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


def convert_one(
    records: Records, store: Store, item: Item, roundtrip: bool
) -> tuple[str, Any, Failure | None, dict[str, Any] | None, dict[str, Any] | None]:
    """One record's (outcome, new stored form, failure, record before, record after)."""
    key = item.key
    try:
        record = store.decode(item.stored)
    except StoredError as error:
        return "failed", None, Failure(key, "read", str(error)), None, None
    try:
        version = records.version_of(record)
    except RecordVersionError as error:
        return "failed", None, Failure(key, "version", str(error)), record, None
    target = records.current
    if version == target:
        return "current", None, None, record, record
    problems = records.problems(record, version)
    if problems:
        return "failed", None, Failure(key, "before", "; ".join(problems)), record, None
    try:
        upgraded = records.convert(record, target)
    except Exception as error:
        return (
            "failed",
            None,
            Failure(key, "step", f"{type(error).__name__}: {error}"),
            record,
            None,
        )
    problems = records.problems(upgraded, target)
    if problems:
        return "failed", None, Failure(key, "after", "; ".join(problems)), record, upgraded
    if roundtrip:
        reason = _roundtrip_problem(records, record, upgraded, version)
        if reason:
            return "failed", None, Failure(key, "roundtrip", reason), record, upgraded
    try:
        stored = store.encode(upgraded, item.stored)
    except StoredError as error:
        return "failed", None, Failure(key, "write", str(error)), record, upgraded
    return "migrated", stored, None, record, upgraded


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


def migrate(  # noqa: PLR0915 - one loop, read top to bottom
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
    limit = parse_max_failures(max_failures)
    name = migration or migration_id(records, store)
    target = records.current
    trail = AuditTrail(audit, name)
    began = time.monotonic()
    total = store.count()
    counts = dict.fromkeys(OUTCOMES, 0)
    after = None
    if not dry_run:
        checkpoint = store.checkpoint(name)
        if checkpoint is not None and checkpoint.status == "running":
            after = checkpoint.last_key
            counts.update(checkpoint.counts)
            total = checkpoint.total if checkpoint.total is not None else total
        store.start(name, total, {"batch_size": batch_size, "target": target})
    resumed = after
    options = {
        "dry_run": dry_run, "batch_size": batch_size, "max_failures": max_failures,
        "verify_roundtrip": verify_roundtrip, "max_rate": max_rate,
        "pause_between_batches": pause_between_batches,
    }  # fmt: skip
    trail.event(
        "migration_started", records=records.name, store=store.label,
        versions=list(records.versions), target=target, total=total, resumed_after=after,
        options=options,
    )  # fmt: skip
    failures: list[Failure] = []
    picked: list[Sample] = []
    stopped: str | None = None
    done_here = 0
    error: BaseException | None = None
    try:
        for batch in store.batches(after, batch_size, write=not dry_run):
            started = time.monotonic()
            here, changes, failed_here = _convert_batch(
                records, store, batch.items, verify_roundtrip, picked, samples
            )
            seen = sum(counts.values()) + len(batch.items)
            for failure in failed_here:
                trail.event(
                    "record_failed",
                    warning=True,
                    key=failure.key,
                    stage=failure.stage,
                    reason=failure.reason,
                )
            if _too_many(limit, counts["failed"] + here["failed"], seen):
                batch.abandon()
                stopped = (
                    f"{counts['failed'] + here['failed']} failures exceed --max-failures "
                    f"{max_failures}: the batch after key {after!r} was rolled back"
                )
                failures.extend(failed_here[: max(0, show_failures - len(failures))])
                break
            if not dry_run:
                failed_here += _write(batch, name, changes, here, trail)
            for outcome, count in here.items():
                counts[outcome] += count
            if not dry_run:
                batch.commit(name, counts)
            failures.extend(failed_here[: max(0, show_failures - len(failures))])
            if batch.items:
                after = batch.items[-1].key
                trail.event(
                    "batch", first_key=batch.items[0].key, last_key=after, counts=here,
                    seconds=round(time.monotonic() - started, 6), dry_run=dry_run,
                )  # fmt: skip
            done_here += len(batch.items)
            if progress is not None:
                progress(sum(counts.values()), total)
            _throttle(began, done_here, max_rate, pause_between_batches)
        if stopped is None and not dry_run:
            store.finish(name, counts)
    except BaseException as raised:
        error = raised
        raise
    finally:
        elapsed = time.monotonic() - began
        ending = (
            "migration_interrupted"
            if error
            else "migration_stopped"
            if stopped
            else "migration_finished"
        )
        trail.event(
            ending, warning=ending != "migration_finished", counts=counts,
            seconds=round(elapsed, 3), dry_run=dry_run, reason=stopped or (error and repr(error)),
        )  # fmt: skip
        trail.close()
    return MigrationResult(
        name, store.label, target, dry_run, total, counts, failures, picked, stopped,
        resumed, elapsed,
    )  # fmt: skip


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


def _write(
    batch: Batch, name: str, changes: list[Change], here: dict[str, int], trail: AuditTrail
) -> list[Failure]:
    """Write a batch's changes; rows skipped or refused are moved out of "migrated"."""
    skipped, refused = batch.write(name, changes)
    for key in skipped:
        trail.event(
            "record_skipped", warning=True, key=key, reason="changed by another writer since read"
        )
    failed = [Failure(key, "write", reason) for key, reason in refused.items()]
    for failure in failed:
        trail.event(
            "record_failed", warning=True, key=failure.key, stage="write", reason=failure.reason
        )
    here["migrated"] -= len(skipped) + len(refused)
    here["skipped"] += len(skipped)
    here["failed"] += len(refused)
    return failed


def _convert_batch(
    records: Records,
    store: Store,
    items: list[Item],
    roundtrip: bool,
    picked: list[Sample],
    samples: int,
) -> tuple[dict[str, int], list[Change], list[Failure]]:
    """A batch's counts per outcome, its changes and its failures (and samples picked)."""
    changes: list[Change] = []
    here = dict.fromkeys(OUTCOMES, 0)
    failed: list[Failure] = []
    for item in items:
        outcome, stored, failure, before, upgraded = convert_one(records, store, item, roundtrip)
        here[outcome] += 1
        if failure is not None:
            failed.append(failure)
        elif stored is not None:
            changes.append(Change(item.key, item.stored, stored))
            if len(picked) < samples and before is not None and upgraded is not None:
                picked.append(Sample(item.key, before, upgraded))
    return here, changes, failed


def _throttle(began: float, done: int, max_rate: float | None, pause: float) -> None:
    if pause:
        time.sleep(pause)
    if max_rate is not None:
        ahead = done / max_rate - (time.monotonic() - began)
        if ahead > 0:
            time.sleep(ahead)

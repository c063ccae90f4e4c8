"""After a migration: verify it (counts, versions, validators, a sample against the backup),
or roll it back (the originals restored exactly, rows changed since left alone)."""

from __future__ import annotations

import random
from typing import Any, NamedTuple

from .._exceptions import RecordVersionError
from .._record_shapes import Records
from ._audit import AuditTrail
from ._migrate import migration_id
from ._store import Restored, Store, StoredError

__all__ = ["VerifyResult", "rollback", "verify"]

_LISTED = 10  # keys listed per kind of problem


class VerifyResult(NamedTuple):
    migration: str
    store: str
    before: int | None  # records when the migration started (None: no migration recorded)
    after: int  # records now
    old: int  # records still at an older version
    old_keys: list[Any]
    invalid: int  # records at the target version that fail its validator (or cannot be read)
    invalid_keys: list[tuple[Any, str]]
    sampled: int  # backed-up records compared with the backup through the steps
    mismatches: list[tuple[Any, str]]

    @property
    def ok(self) -> bool:
        return (
            (self.before is None or self.before == self.after)
            and not self.old
            and not self.invalid
            and not self.mismatches
        )


def verify(
    records: Records,
    store: Store,
    *,
    sample: int = 1000,
    seed: int | None = None,
    migration: str | None = None,
) -> VerifyResult:
    """Check a migrated store: the record count against the one at the migration's start,
    no record left at an old version, every record valid at the target version, and a random
    *sample* of backed-up records: upgrading the original gives the record stored now."""
    name = migration or migration_id(records, store)
    checkpoint = store.checkpoint(name)
    target = records.current
    chosen = _sample(store.originals(name), sample, random.Random(seed))
    after = old = invalid = 0
    old_keys: list[Any] = []
    invalid_keys: list[tuple[Any, str]] = []
    now: dict[Any, dict[str, Any]] = {}
    for batch in store.batches(None, 1000):
        for item in batch.items:
            after += 1
            try:
                record = store.decode(item.stored)
                version = records.version_of(record)
            except (StoredError, RecordVersionError) as error:
                invalid += 1
                if len(invalid_keys) < _LISTED:
                    invalid_keys.append((item.key, str(error)))
                continue
            if version != target:
                old += 1
                if len(old_keys) < _LISTED:
                    old_keys.append(item.key)
                continue
            problems = records.problems(record, target)
            if problems:
                invalid += 1
                if len(invalid_keys) < _LISTED:
                    invalid_keys.append((item.key, "; ".join(problems)))
            if item.key in chosen:
                now[item.key] = record
    mismatches: list[tuple[Any, str]] = []
    for key, original in chosen.items():
        current = now.get(key)
        if current is None:
            mismatches.append((key, "no longer at the target version, or gone"))
            continue
        try:
            expected = records.convert(store.decode(original), target)
        except Exception as error:
            mismatches.append((key, f"the backup no longer upgrades: {error}"))
            continue
        fields = sorted(
            field
            for field in expected.keys() | current.keys()
            if expected.get(field) != current.get(field)
        )
        if fields:
            mismatches.append(
                (key, f"differs from the upgraded backup in {', '.join(map(repr, fields))}")
            )
    return VerifyResult(
        name, store.label, None if checkpoint is None else checkpoint.total, after, old,
        old_keys, invalid, invalid_keys, len(chosen), mismatches,
    )  # fmt: skip


def _sample(originals: Any, size: int, rng: random.Random) -> dict[Any, Any]:
    """A uniform sample of *size* (key, original) pairs, in one pass (reservoir)."""
    kept: list[tuple[Any, Any]] = []
    for seen, (key, original, _migrated) in enumerate(originals):
        if len(kept) < size:
            kept.append((key, original))
        else:
            slot = rng.randrange(seen + 1)
            if slot < size:
                kept[slot] = (key, original)
    return dict(kept)


def rollback(
    records: Records,
    store: Store,
    *,
    batch_size: int = 1000,
    audit: str | None = None,
    migration: str | None = None,
) -> Restored:
    """Restore every record the migration changed to its original, exactly; a record changed
    by someone else since it was migrated is left as it is and listed."""
    name = migration or migration_id(records, store)
    trail = AuditTrail(audit, name)
    try:
        with store.lock(name):
            result = store.rollback(name, batch_size)
        for key in result.changed_since:
            trail.event(
                "rollback_skipped", warning=True, key=key, reason="changed since it was migrated"
            )
        trail.event(
            "rollback_finished", restored=result.restored, changed_since=len(result.changed_since)
        )
        return result
    finally:
        trail.close()

"""What a migration needs of the place records are stored: the common protocol and its data.

A store reads records in key order from a key on (keyset pagination: never OFFSET), decodes
and encodes them, and commits one batch at a time together with its checkpoint and the
originals of the rows it changes. ``SQLTable`` and ``JSONLines`` are the two stores.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Final, NamedTuple, Protocol

__all__ = [
    "Batch",
    "Change",
    "Checkpoint",
    "Item",
    "Restored",
    "Settle",
    "Store",
    "StoredError",
    "encode_record",
    "file_lock",
    "slug",
]


#: A record as compact JSON text, for every store: one encoder built once (json.dumps with
#: options builds a new one per call), NaN and infinities refused as JSON has none.
encode_record: Final = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False
).encode


class StoredError(ValueError):
    """A stored value that cannot be read as a record, or a record that cannot be stored."""


class Item(NamedTuple):
    """One stored record: its key, and its stored form exactly as read."""

    key: Any
    stored: Any


class Change(NamedTuple):
    """A record to rewrite: *old* is guarded (the row must still hold it), *new* written."""

    key: Any
    old: Any
    new: Any


class Checkpoint(NamedTuple):
    """What a store remembers of a migration between runs."""

    status: str  # "running", "done", "rolled back"
    last_key: Any
    counts: dict[str, int]
    total: int | None
    started: str


class Restored(NamedTuple):
    """The outcome of a rollback."""

    restored: int
    changed_since: list[Any]  # keys whose rows changed after the migration: left as they are


class Batch(NamedTuple):
    """Records read together: written together, in one transaction with the checkpoint."""

    items: list[Item]  # the records
    last_key: Any  # the next batch starts after it (what the checkpoint keeps)
    lines: list[Item] | None = None  # a file's every line, blank ones too, to write back


#: Called by ``Store.write`` inside the batch's transaction with the keys skipped and the keys
#: refused: returns the counts to checkpoint with the batch.
Settle = Callable[[list[Any], dict[Any, str]], Mapping[str, int]]


class Store(Protocol):
    """Where records are stored; see the module's docstring."""

    label: str
    name: str

    def count(self) -> int: ...

    def batches(self, after: Any, size: int) -> Iterator[Batch]:
        """The records after the key *after* (None: from the first), *size* at a time, in
        key order, each batch read in a short transaction of its own."""
        ...

    def decode(self, stored: Any) -> dict[str, Any]: ...

    def encode(self, record: Mapping[str, Any], old: Any) -> Any: ...

    def write(
        self, migration: str, batch: Batch, changes: list[Change], settle: Settle
    ) -> tuple[list[Any], dict[Any, str]]:
        """In one transaction: write *changes* guarded (a row changed since it was read is
        skipped), back up the originals of the rows written, and checkpoint after the
        batch with the counts *settle* returns. Returns the keys skipped and the keys the
        store refused, with the reason."""
        ...

    def checkpoint(self, migration: str) -> Checkpoint | None: ...

    def start(self, migration: str, total: int, details: Mapping[str, Any]) -> None: ...

    def finish(self, migration: str, counts: Mapping[str, int]) -> None: ...

    def rollback(self, migration: str, batch_size: int) -> Restored: ...

    def originals(self, migration: str) -> Iterator[tuple[Any, Any, Any]]: ...

    def lock(self, migration: str) -> AbstractContextManager[None]:
        """Held while *migration* writes or rolls back: a second process running the same
        migration on the same store gets ``ValueError`` at once instead of interleaving."""
        ...

    def close(self) -> None: ...


@contextmanager
def file_lock(path: str, migration: str) -> Iterator[None]:
    """An exclusive lock on *path* (created if need be) for as long as the block runs;
    the operating system releases it when the process dies, however it dies. Where
    ``fcntl`` does not exist (Windows), no lock is taken."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ValueError(
                f"migration {migration!r} is running in another process (it holds {path}): "
                "wait for it to finish, or stop it and run this again"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def slug(*parts: str, limit: int = 63) -> str:
    """An identifier made of *parts* (lowercase letters, digits, underscores), at most
    *limit* long (PostgreSQL's): a long one keeps a hash of the whole to stay unique."""
    text = re.sub(r"[^a-z0-9_]+", "_", "_".join(parts).lower()).strip("_") or "x"
    if len(text) <= limit:
        return text
    import hashlib

    digest = hashlib.blake2b(text.encode(), digest_size=4).hexdigest()
    return f"{text[: limit - 9]}_{digest}"

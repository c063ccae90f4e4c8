"""Records in a JSON Lines file (gzip kept): rewritten into a new file, then renamed over.

Each batch of lines is appended to ``FILE.phaseout-new`` (a gzip member of its own when the
file is gzip) and flushed to disk, then the checkpoint (``FILE.phaseout-checkpoint``: the
lines done, the new file's length, the counts) is replaced atomically. A run killed at any
point resumes by cutting the new file back to the checkpoint's length. At the end the
original is kept as ``FILE.phaseout-backup`` (a hard link, so the file's name never points at
nothing) and the new file replaces it; rollback renames the backup back, byte for byte.
Lines that are not records (blank, invalid JSON) are carried over unchanged.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from typing import IO, Any, Final, cast

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
)

__all__ = ["JSONLines"]

_GZIP_MAGIC: Final = b"\x1f\x8b"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _replace_atomically(path: str, data: bytes) -> None:
    temporary = f"{path}.tmp"
    with open(temporary, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


class JSONLines:
    """The records of a JSON Lines file, one JSON object per line, keyed by line number."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        if not os.path.isfile(self.path):
            raise ValueError(f"{self.path}: no such file")
        self.label = self.path
        self.name = os.path.basename(self.path)
        self.new_path = f"{self.path}.phaseout-new"
        self.checkpoint_path = f"{self.path}.phaseout-checkpoint"
        self.backup_path = f"{self.path}.phaseout-backup"
        with open(self.path, "rb") as file:
            self.gzipped = file.read(2) == _GZIP_MAGIC
        self._out: IO[bytes] | None = None

    def _open(self, path: str) -> IO[bytes]:
        if self.gzipped:
            return cast("IO[bytes]", gzip.open(path, "rb"))
        return open(path, "rb")  # closed by the caller's `with`

    def _lines(self, path: str) -> Iterator[tuple[int, bytes]]:
        with self._open(path) as file:
            yield from enumerate(file, start=1)

    # -- records ------------------------------------------------------------------------------

    def count(self) -> int:
        return sum(1 for _, line in self._lines(self.path) if line.strip())

    def decode(self, stored: Any) -> dict[str, Any]:
        try:
            record = json.loads(stored)
        except ValueError as error:
            raise StoredError(f"not valid JSON: {error}") from None
        if not isinstance(record, dict):
            raise StoredError(f"a JSON {type(record).__name__}, not an object")
        return record

    def encode(self, record: Mapping[str, Any], old: Any) -> bytes:
        try:
            text = encode_record(record)
        except (TypeError, ValueError) as error:
            raise StoredError(f"cannot be stored: {error}") from None
        ending = old[len(old.rstrip(b"\r\n")) :] or b"\n"
        return text.encode("utf-8") + ending

    def batches(self, after: Any, size: int) -> Iterator[Batch]:
        done = after or 0
        lines: list[Item] = []
        records: list[Item] = []
        for number, line in self._lines(self.path):
            if number <= done:
                continue
            lines.append(Item(number, line))
            if line.strip():
                records.append(lines[-1])
                if len(records) == size:
                    yield Batch(records, number, lines)
                    lines, records = [], []
        if lines:
            yield Batch(records, lines[-1].key, lines)

    def write(
        self, migration: str, batch: Batch, changes: list[Change], settle: Settle
    ) -> tuple[list[Any], dict[Any, str]]:
        out = self._out
        if out is None:
            # A run resumed after a kill cuts the new file back to its last checkpoint.
            checkpoint = self._read_checkpoint()
            exists = os.path.exists(self.new_path)
            out = self._out = open(self.new_path, "r+b" if exists else "w+b")  # noqa: SIM115
            out.truncate(checkpoint["offset"] if checkpoint and checkpoint["line"] else 0)
            out.seek(0, os.SEEK_END)
        written = {change.key: change.new for change in changes}
        data = b"".join(written.get(line.key, line.stored) for line in batch.lines or batch.items)
        if self.gzipped:
            data = gzip.compress(data, mtime=0)  # a gzip member per batch: cut at any member
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
        self._write_checkpoint(line=batch.last_key, offset=out.tell(), counts=dict(settle([], {})))
        return [], {}

    # -- checkpoints --------------------------------------------------------------------------

    def _read_checkpoint(self) -> dict[str, Any] | None:
        try:
            with open(self.checkpoint_path, "rb") as file:
                data: dict[str, Any] = json.loads(file.read())
                return data
        except FileNotFoundError:
            return None

    def checkpoint(self, migration: str) -> Checkpoint | None:
        data = self._read_checkpoint()
        if data is None or data["migration"] != migration:
            return None
        if data["status"] == "finishing":
            self._swap()
            data = self._read_checkpoint()
            assert data is not None
        return Checkpoint(
            data["status"], data["line"] or None, data["counts"], data["total"], data["started"]
        )

    def _write_checkpoint(self, **changes: Any) -> None:
        data = self._read_checkpoint() or {}
        data.update(changes, updated=_now())
        _replace_atomically(self.checkpoint_path, json.dumps(data).encode())

    def start(self, migration: str, total: int, details: Mapping[str, Any]) -> None:
        data = self._read_checkpoint()
        if data is not None and data.get("migration") == migration and data["status"] == "running":
            return
        if data is not None and data.get("status") == "running":
            raise ValueError(
                f"{self.path}: migration {data.get('migration')!r} is half done: finish or roll "
                "it back first"
            )
        if os.path.exists(self.new_path):
            os.unlink(self.new_path)
        _replace_atomically(
            self.checkpoint_path,
            json.dumps(
                {
                    "migration": migration,
                    "status": "running",
                    "line": 0,
                    "offset": 0,
                    "counts": {},
                    "total": total,
                    "started": _now(),
                    "updated": _now(),
                    "details": dict(details),
                }
            ).encode(),
        )

    def finish(self, migration: str, counts: Mapping[str, int]) -> None:
        self.close()
        self._write_checkpoint(status="finishing", counts=dict(counts))
        self._swap()

    def _swap(self) -> None:
        """Keep the original as the backup and put the new file in its place (resumable)."""
        if os.path.exists(self.new_path):
            if os.path.exists(self.backup_path):
                os.unlink(self.backup_path)  # a backup of an earlier run: this one's is current
            os.link(self.path, self.backup_path)
            os.replace(self.new_path, self.path)
        self._write_checkpoint(status="done")

    # -- backups and rollback -----------------------------------------------------------------

    def originals(self, migration: str) -> Iterator[tuple[Any, Any, Any]]:
        if not os.path.exists(self.backup_path):
            return
        with self._open(self.backup_path) as old, self._open(self.path) as new:
            for number, (before, after) in enumerate(zip(old, new, strict=False), start=1):
                if before != after:
                    yield number, before, after

    def rollback(self, migration: str, batch_size: int) -> Restored:
        data = self._read_checkpoint()
        if data is None or data.get("migration") != migration:
            raise ValueError(f"no run of migration {migration!r} on {self.path}")
        restored = 0
        if data["status"] in ("done", "finishing") and os.path.exists(self.backup_path):
            restored = sum(1 for _ in self.originals(migration))
            os.replace(self.backup_path, self.path)
        if os.path.exists(self.new_path):
            os.unlink(self.new_path)
        self._write_checkpoint(status="rolled back", line=0, offset=0)
        return Restored(restored, [])

    def lock(self, migration: str) -> AbstractContextManager[None]:
        return file_lock(f"{self.path}.phaseout-lock", migration)

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None

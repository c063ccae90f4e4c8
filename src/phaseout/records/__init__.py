"""Stored data: versioned record schemas, upgrades on read, and safe batch migrations.

The room for the data migrations (SQLite, PostgreSQL, JSON lines): declared steps, keyset
pagination, one transaction per batch with its checkpoint, originals kept for rollback. It
uses the core and the public declaration API only; database drivers are the ``records``
extra, imported here and nowhere else.
"""

from __future__ import annotations

__all__: list[str] = []

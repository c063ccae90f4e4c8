"""A class replaced, a decorator replaced, annotations, and a name already taken."""
from __future__ import annotations

import fixlib
from fixlib import OldClient, old_tagged


@old_tagged
def handler() -> str:
    return "handled"


@fixlib.old_tagged
def other() -> str:
    return "other"


def connect(client: OldClient | None = None) -> fixlib.OldClient:
    return client or OldClient(url="https://example.com")


print(connect().url, handler.tagged, other.tagged, isinstance(connect(), fixlib.Client))

"""A class replaced, a decorator replaced, annotations, and a name already taken."""
from __future__ import annotations

import fixlib
from fixlib import Client, tagged


@tagged
def handler() -> str:
    return "handled"


@fixlib.tagged
def other() -> str:
    return "other"


def connect(client: Client | None = None) -> fixlib.Client:
    return client or Client(url="https://example.com")


print(connect().url, handler.tagged, other.tagged, isinstance(connect(), fixlib.Client))

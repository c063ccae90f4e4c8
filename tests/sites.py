"""Call sites for the differential and thread tests: each calls its argument on its own line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def site_0(f: Callable[[], Any]) -> Any:
    return f()


def site_1(f: Callable[[], Any]) -> Any:
    return f()


def site_2(f: Callable[[], Any]) -> Any:
    return f()


def site_3(f: Callable[[], Any]) -> Any:  # for single-site tests, not the differential one
    return f()


SITES = (site_0, site_1, site_2)

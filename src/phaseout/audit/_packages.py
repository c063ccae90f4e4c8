"""Reading a package as the audit and the guide need it: the core's package reading
(``phaseout._packages``), and usage logs joined per symbol."""

from __future__ import annotations

from collections.abc import Sequence

from .._packages import MISSING, import_all, parse_version, resolve, resolves

__all__ = ["MISSING", "import_all", "parse_version", "resolve", "resolves", "usage_by_symbol"]


def usage_by_symbol(sources: Sequence[str]) -> dict[str, tuple[int, int, str | None]]:
    """Per symbol: calls, distinct callers and the last time seen in the usage logs."""
    from ..report import summarize

    summary = summarize(list(sources), by=("symbol", "caller"))
    found: dict[str, tuple[int, int, str | None]] = {}
    for row in summary.rows:
        if row.symbol is None:
            continue
        calls, callers, last = found.get(row.symbol, (0, 0, None))
        found[row.symbol] = (
            calls + row.count,
            callers + 1,
            max(filter(None, (last, row.last_seen))),
        )
    return found

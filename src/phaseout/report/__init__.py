"""Reading usage logs and summing who still calls what: the API behind ``phaseout report``.

>>> summary = summarize(["usage-*.jsonl.gz"], by=("symbol", "caller"))  # doctest: +SKIP
>>> print(render(summary, "table"))  # doctest: +SKIP

Logs are streamed: memory depends on the number of call sites and days, not on log size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from . import _html as html
from ._aggregate import DEFAULT_GROUPING, GROUPINGS, Row, Summary, summarize, usage_by_symbol
from ._lines import Site, UsageEvent
from ._reader import MAX_LINE, LogError, ReadStats, read_events
from ._render import render_csv, render_json, render_markdown, render_table

__all__ = [
    "DEFAULT_GROUPING",
    "FORMATS",
    "GROUPINGS",
    "MAX_LINE",
    "LogError",
    "ReadStats",
    "Row",
    "Site",
    "Summary",
    "UsageEvent",
    "html",
    "read_events",
    "render",
    "summarize",
    "usage_by_symbol",
]

_RENDERERS: Final[dict[str, Callable[[Summary], str]]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
    "html": html.render_html,
}

#: The output formats :func:`render` knows.
FORMATS: Final = tuple(_RENDERERS)


def render(summary: Summary, format: str = "table") -> str:
    """*summary* as ``table``, ``json``, ``csv``, ``markdown`` or ``html`` text."""
    try:
        renderer = _RENDERERS[format]
    except KeyError:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}") from None
    return renderer(summary)

"""Rendering a summary as a text table, JSON, CSV or Markdown.

Everything in a log is untrusted. Every format shows text through :func:`visible`: control,
line-separator and bidirectional-override characters escaped (a log line must not move a
terminal's cursor or reorder what a reader sees), and lone surrogates (file names that were
not UTF-8) as ``\\udcff`` escapes, so every output encodes. Markdown also gets every
character with a meaning escaped (no link, image, emphasis or HTML from a log), and CSV cells
that a spreadsheet would run as a formula are quoted with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Final

from ._aggregate import Row, Summary

__all__ = [
    "columns",
    "render_csv",
    "render_json",
    "render_markdown",
    "render_table",
    "rollback_rows",
    "visible",
]

_CONTROL: Final = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
# What can start emphasis, code, a link, an image or a table cell inside a table cell.
_MARKDOWN_SPECIAL: Final = re.compile(r"([\\`*_{}\[\]()!|~])")
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")

# (heading, value of a row) for each column a grouping shows, in display order.
_COLUMNS: Final[dict[str, tuple[str, Callable[[Row], object]]]] = {
    # None: the rows of one line of code that calls several deprecated APIs.
    "symbol": ("symbol", lambda row: "(several)" if row.symbol is None else row.symbol),
    "package": ("package", lambda row: row.package),
    "phase": ("phase", lambda row: row.phase),
    "caller": ("caller", lambda row: row.caller),
    "site": ("site", lambda row: f"{row.file}:{row.line}"),
    "day": ("day", lambda row: row.day),
    "count": ("count", lambda row: row.count),
    "first_seen": ("first seen", lambda row: row.first_seen),
    "last_seen": ("last seen", lambda row: row.last_seen),
}


def columns(summary: Summary) -> list[str]:
    """The grouping's own columns (a site with the symbol it calls), then phase (if not
    grouped on), count and times."""
    shown = list(summary.by)
    if "site" in shown and "symbol" not in shown:
        shown.insert(shown.index("site") + 1, "symbol")
    if "phase" not in shown:
        shown.append("phase")
    return [*shown, "count", "first_seen", "last_seen"]


def _cells(summary: Summary) -> tuple[list[str], list[list[object]]]:
    names = columns(summary)
    headings = [_COLUMNS[name][0] for name in names]
    return headings, [[_COLUMNS[name][1](row) for name in names] for row in summary.rows]


def visible(value: object) -> str:
    """*value* as text that is safe to print anywhere (see the module docs)."""
    text = "" if value is None else str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(_escape_control, text)


def _escape_control(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _counted(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _footer(summary: Summary) -> str:
    return (
        f"{_counted(summary.total, 'use')} in {_counted(len(summary.rows), 'row')} from "
        f"{_counted(summary.events, 'event')}; {_counted(summary.skipped, 'broken line')} "
        f"skipped, {_counted(summary.ignored, 'other line')} ignored"
    )


def rollout_rows(summary: Summary) -> list[list[object]]:
    """One row per rollout and day: calls on each path and the new path's share."""
    rows: list[list[object]] = []
    for rollout, days in summary.rollouts.items():
        for day, paths in days.items():
            total = paths["legacy"] + paths["new"]
            share = f"{paths['new'] / total:.1%}" if total else "-"
            rows.append([rollout, day, paths["legacy"], paths["new"], share])
    return rows


_ROLLOUT_HEADINGS: Final = ["rollout", "day", "legacy", "new", "new share"]
ROLLBACK_HEADINGS: Final = ["rollout", "rollbacks", "first", "last", "last because"]


def rollback_rows(summary: Summary) -> list[list[object]]:
    """One row per rollout that rolled back: how often, when, and the last one's numbers."""
    return [
        [
            rollback.rollout,
            rollback.count,
            rollback.first,
            rollback.last,
            ", ".join(f"{name} {value:.4g}" for name, value in rollback.reasons.items()),
        ]
        for rollback in summary.rollbacks
    ]


def _aligned(headings: list[str], body: list[list[object]], numeric: set[int]) -> list[str]:
    lines = [headings] + [[visible(cell) for cell in row] for row in body]
    widths = [max(len(line[index]) for line in lines) for index in range(len(headings))]

    def format_line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [format_line(lines[0]), format_line(["-" * width for width in widths])]
    return out + [format_line(line) for line in lines[1:]]


def render_table(summary: Summary) -> str:
    headings, body = _cells(summary)
    out = _aligned(headings, body, {headings.index("count")})
    rollouts = rollout_rows(summary)
    if rollouts:
        out += ["", "Rollouts: calls per path and day", ""]
        out += _aligned(_ROLLOUT_HEADINGS, rollouts, {2, 3, 4})
    rollbacks = rollback_rows(summary)
    if rollbacks:
        out += ["", "Rollbacks", ""]
        out += _aligned(ROLLBACK_HEADINGS, rollbacks, {1})
    out.append("")
    out.append(_footer(summary))
    return "\n".join(out) + "\n"


def _markdown_cell(value: object) -> str:
    # Backslashes first, so that no escape added here is itself undone.
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", visible(value))
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = text.replace(raw, escaped)
    return text


def render_markdown(summary: Summary) -> str:
    headings, body = _cells(summary)
    lines = ["| " + " | ".join(headings) + " |"]
    lines.append("|" + "|".join("---:" if h == "count" else "---" for h in headings) + "|")
    lines += ["| " + " | ".join(_markdown_cell(cell) for cell in row) + " |" for row in body]
    rollouts = rollout_rows(summary)
    if rollouts:
        lines += ["", "| " + " | ".join(_ROLLOUT_HEADINGS) + " |", "|---|---|---:|---:|---:|"]
        lines += [
            "| " + " | ".join(_markdown_cell(cell) for cell in row) + " |" for row in rollouts
        ]
    rollbacks = rollback_rows(summary)
    if rollbacks:
        lines += ["", "| " + " | ".join(ROLLBACK_HEADINGS) + " |", "|---|---:|---|---|---|"]
        lines += [
            "| " + " | ".join(_markdown_cell(cell) for cell in row) + " |" for row in rollbacks
        ]
    lines.append("")
    lines.append(_footer(summary))
    return "\n".join(lines) + "\n"


def _csv_cell(value: object) -> object:
    if isinstance(value, str):
        value = visible(value)
        return "'" + value if value.startswith(_FORMULA_START) else value
    return "" if value is None else value


def render_csv(summary: Summary) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = columns(summary)
    writer.writerow(names)
    for row in summary.rows:
        writer.writerow([_csv_cell(_COLUMNS[name][1](row)) for name in names])
    return out.getvalue()


def row_dict(row: Row, summary: Summary) -> dict[str, object]:
    data: dict[str, object] = {
        "symbol": row.symbol,
        "package": row.package,
        "phase": row.phase,
        "caller": row.caller,
        "count": row.count,
        "first_seen": row.first_seen,
        "last_seen": row.last_seen,
    }
    if "site" in summary.by:
        data["file"] = row.file
        data["line"] = row.line
    if "day" in summary.by:
        data["day"] = row.day
    return data


def render_json(summary: Summary) -> str:
    document: dict[str, object] = {
        "rows": [row_dict(row, summary) for row in summary.rows],
        "events": summary.events,
        "skipped": summary.skipped,
    }
    if summary.rollouts:
        document["rollouts"] = [
            {"rollout": rollout, "day": day, **paths}
            for rollout, days in summary.rollouts.items()
            for day, paths in days.items()
        ]
    if summary.rollbacks:
        document["rollbacks"] = [
            {
                "rollout": rollback.rollout,
                "count": rollback.count,
                "first": rollback.first,
                "last": rollback.last,
                "reasons": rollback.reasons,
            }
            for rollback in summary.rollbacks
        ]
    return json.dumps(document, indent=2) + "\n"

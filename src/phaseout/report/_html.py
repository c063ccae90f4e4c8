"""One self-contained HTML page: totals, tables per symbol and per caller, daily charts.

No script, no external resource: styles are inline and charts are inline SVG, so the page
opens offline. Every string from a log goes through ``html.escape``, and a
Content-Security-Policy that allows no script at all backs that up: markup smuggled into a
log can neither run nor load anything.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from typing import Final

from ._aggregate import Summary
from ._render import ROLLBACK_HEADINGS, rollback_rows, rollout_rows, visible

__all__ = ["chart", "days_between", "page", "render_html", "table", "text"]

_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_STYLE: Final = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#1f2328}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}
th,td{border-bottom:1px solid #d0d7de;padding:.3rem .7rem;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.totals{display:flex;gap:2rem}.totals div{font-size:1.4rem}.totals span{display:block;
font-size:.8rem;color:#59636e}figure{margin:1rem 0}svg{border:1px solid #d0d7de}
.bar{fill:#0969da}.axis{font-size:10px;fill:#59636e}code{font-size:.9em}
"""
_CHART_WIDTH: Final = 640
_CHART_HEIGHT: Final = 140
_MAX_CHART_DAYS: Final = 366


def text(value: object) -> str:
    """*value* as HTML text: escaped, control and bidi characters shown as escapes."""
    return _e(value)


def _e(value: object) -> str:
    # Control and bidi characters shown as escapes, lone surrogates too: raw, they would
    # reorder or hide what the page shows, or fail to encode.
    return escape(visible(value), quote=True)


def table(headings: list[str], cells: list[list[object]]) -> str:
    """A table; ints are right-aligned with thousands separators, the rest escaped text."""
    return _table(headings, cells)


def _table(headings: list[str], cells: list[list[object]]) -> str:
    head = "".join(f"<th>{_e(heading)}</th>" for heading in headings)
    body = []
    for row in cells:
        tds = "".join(
            f'<td class="n">{value:,}</td>' if isinstance(value, int) else f"<td>{_e(value)}</td>"
            for value in row
        )
        body.append(f"<tr>{tds}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _days(first: str, last: str) -> list[str]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    count = min((end - start).days + 1, _MAX_CHART_DAYS)
    start = end - timedelta(days=count - 1)
    return [(start + timedelta(days=offset)).isoformat() for offset in range(count)]


def days_between(first: str, last: str) -> list[str]:
    """Every day from *first* to *last* (ISO dates), at most a year's worth, the last kept."""
    return _days(first, last)


def chart(label: str, per_day: dict[str, int], days: list[str]) -> str:
    """Values per day as an inline SVG bar chart, zero days included."""
    return _chart(label, per_day, days)


def _chart(label: str, per_day: dict[str, int], days: list[str]) -> str:
    """Uses per day as bars, zero days included, so a migration reads as a falling line."""
    peak = max([per_day.get(day, 0) for day in days] + [1])
    slot = _CHART_WIDTH / len(days)
    plot = _CHART_HEIGHT - 20
    bars = []
    for index, day in enumerate(days):
        value = per_day.get(day, 0)
        height = plot * value / peak
        bars.append(
            f'<rect class="bar" x="{index * slot + slot * 0.1:.1f}" '
            f'y="{plot - height:.1f}" width="{max(slot * 0.8, 0.5):.1f}" height="{height:.1f}">'
            f"<title>{_e(day)}: {value:,}</title></rect>"
        )
    return (
        f"<figure><figcaption>{_e(label)} (peak {peak:,})</figcaption>"
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{_e(label)}" '
        f'width="{_CHART_WIDTH}" height="{_CHART_HEIGHT}" '
        f'viewBox="0 0 {_CHART_WIDTH} {_CHART_HEIGHT}">{"".join(bars)}'
        f'<text class="axis" x="2" y="{_CHART_HEIGHT - 5}">{_e(days[0])}</text>'
        f'<text class="axis" x="{_CHART_WIDTH - 2}" y="{_CHART_HEIGHT - 5}" '
        f'text-anchor="end">{_e(days[-1])}</text></svg></figure>'
    )


def render_html(summary: Summary, title: str = "phaseout usage report") -> str:
    by_symbol = summary.regroup(("symbol",))
    by_caller = summary.regroup(("symbol", "caller"))
    callers = {row.caller for row in by_caller}
    totals = (
        ("uses", f"{summary.total:,}"),
        ("symbols", f"{len(by_symbol):,}"),
        ("callers", f"{len(callers):,}"),
        ("events", f"{summary.events:,}"),
        ("skipped lines", f"{summary.skipped:,}"),
    )
    parts = [
        '<section class="totals">'
        + "".join(
            f'<div id="total-{_e(key.split()[0])}">{value}<span>{key}</span></div>'
            for key, value in totals
        )
        + "</section>",
        "<h2>By symbol</h2>",
        _table(
            ["symbol", "package", "phase", "uses", "first seen", "last seen"],
            [[r.symbol, r.package, r.phase, r.count, r.first_seen, r.last_seen] for r in by_symbol],
        ),
        "<h2>By symbol and caller</h2>",
        _table(
            ["symbol", "caller", "phase", "uses", "first seen", "last seen"],
            [[r.symbol, r.caller, r.phase, r.count, r.first_seen, r.last_seen] for r in by_caller],
        ),
    ]
    daily = summary.daily()
    all_days = sorted({day for per_day in daily.values() for day in per_day})
    if all_days:
        days = _days(all_days[0], all_days[-1])
        parts.append("<h2>Uses per day</h2>")
        parts += [
            _chart(f"Uses of {symbol} per day", per_day, days) for symbol, per_day in daily.items()
        ]
    if summary.rollouts:
        parts.append("<h2>Rollouts: calls per path and day</h2>")
        parts.append(
            _table(["rollout", "day", "legacy", "new", "new share"], rollout_rows(summary))
        )
        for rollout, per_day in summary.rollouts.items():
            shares = {
                day: round(100 * paths["new"] / (paths["legacy"] + paths["new"]))
                for day, paths in per_day.items()
                if paths["legacy"] + paths["new"]
            }
            if shares:
                label = f"Share of {rollout} calls on the new path, % per day"
                parts.append(_chart(label, shares, _days(min(shares), max(shares))))
    if summary.rollbacks:
        parts.append("<h2>Rollbacks</h2>")
        parts.append(_table(ROLLBACK_HEADINGS, rollback_rows(summary)))
    return page(title, parts)


def page(title: str, body: list[str]) -> str:
    """A whole page: *title* as its title and first heading, then the HTML parts of *body*.
    No script runs and nothing loads (the Content-Security-Policy says so)."""
    head = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
    ]
    return "\n".join([*head, *body, "</body></html>"]) + "\n"

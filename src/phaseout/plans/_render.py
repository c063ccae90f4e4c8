"""A plan as Markdown, HTML or JSON. One list of blocks (headings, paragraphs, tables,
charts, messages) is written by both text renderers; the HTML is built from the report's
blocks (``phaseout.report.html``), so both documents look and behave alike."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Final, NamedTuple

from ..report import html
from ._build import Plan
from ._facts import PHASES
from ._impact import Impact

__all__ = ["FORMATS", "render"]

WEEKS: Final = 8
TOP_CALLERS: Final = 10


class Block(NamedTuple):
    kind: str  # "h2", "h3", "p", "list", "table", "chart", "message"
    content: Any
    extra: Any = None


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} %"


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def _summary(plan: Plan) -> list[Block]:
    facts = plan.facts
    when = "no date yet: list the release in [tool.phaseout.releases]"
    if facts.removal is not None:
        when = f"{'estimated ' if facts.estimated else ''}{facts.removal}"
    count = len(facts.apis)
    blocks = [
        Block(
            "p",
            f"Generated on {plan.today} (UTC) by `phaseout plan {facts.package} --to "
            f"{facts.to}`. {facts.display} {facts.to} ({when}) removes or changes {count} "
            f"API{'s' if count != 1 else ''}.",
        ),
        Block("h2", "Summary"),
    ]
    if facts.import_problems:
        blocks.append(
            Block("p", f"Modules that could not be imported: {', '.join(facts.import_problems)}.")
        )
    if not facts.apis:
        return [*blocks, Block("p", "Nothing is removed or changed by this release.")]
    blocks.append(
        Block(
            "table",
            ["API", "kind", "replacement", "why"],
            [
                [
                    f"`{a.symbol}`",
                    a.kind,
                    f"`{a.replacement}`" if a.replacement else "-",
                    a.reason or "-",
                ]
                for a in facts.apis
            ],
        )
    )
    return blocks


def _timeline(plan: Plan) -> list[Block]:
    facts = plan.facts
    rows = []
    for phase, _ in PHASES:
        days = [
            (b.day, b)
            for api in facts.apis
            if (b := api.boundary(phase)) is not None and (b.day or b.version)
        ]
        if phase == "removed" and facts.removal is not None:
            rows.append(
                [
                    phase,
                    f"{facts.to} ({'~' if facts.estimated else ''}{facts.removal})"
                    if facts.version
                    else str(facts.removal),
                ]
            )
            continue
        if not days:
            rows.append([phase, "-"])
            continue
        first = min(days, key=lambda item: (item[0] or date.max, item[1].version or ""))[1]
        rows.append([phase, first.when])
    per_api = [
        [
            f"`{api.symbol}`",
            *[(b.when if (b := api.boundary(phase)) else "-") for phase, _ in PHASES],
        ]
        for api in facts.apis
    ]
    return [
        Block("h2", "Timeline"),
        Block(
            "p",
            "When each phase starts, from the release calendar (`~`: estimated from its "
            "cadence). Announced: pending, the warning hidden by default; deprecated: "
            "`DeprecationWarning`; forwarded: calls go to the replacement; loud: "
            "`FutureWarning`, an error in strict mode; removed: `RemovedError`.",
        ),
        Block("table", ["phase", "starts"], rows),
        Block("table", ["API", *(phase for phase, _ in PHASES)], per_api),
    ]


def _automated(plan: Plan) -> list[Block]:
    facts = plan.facts
    items = [
        f"`phaseout guide {facts.package} --to {facts.to}` writes the users' migration guide: "
        f"the old and the new spelling of every API this release removes or changes."
    ]
    fixed = [api for api in facts.apis if api.automated]
    if fixed:
        items += [f"`phaseout fix` rewrites {api.automated} of `{api.symbol}`." for api in fixed]
    items += [
        f"Stored records: `{api.data_migration} --apply` upgrades them in safe batches "
        f"(a dry run without `--apply`)."
        for api in facts.apis
        if api.data_migration
    ]
    manual = [
        f"`{api.symbol}`" for api in facts.apis if not api.automated and not api.data_migration
    ]
    if manual:
        items.append(f"By hand (`phaseout fix` lists each use for a person): {', '.join(manual)}.")
    return [Block("h2", "What is automated"), Block("list", items)]


def _weeks(impact: Impact) -> list[tuple[date, date]]:
    if impact.last_day is None:
        return []
    spans = []
    for index in range(WEEKS - 1, -1, -1):
        end = impact.last_day - timedelta(days=7 * index)
        spans.append((end - timedelta(days=6), end))
    return spans


def _impact(plan: Plan) -> list[Block]:
    impact = plan.impact
    if impact is None:
        return [
            Block("h2", "Impact"),
            Block(
                "p",
                "No usage logs given: run `phaseout plan ... --usage 'logs/*.jsonl.gz'` to "
                "measure who still calls what.",
            ),
        ]
    facts = plan.facts
    if impact.first_day is None:
        return [
            Block("h2", "Impact"),
            Block(
                "p",
                f"The usage logs hold no use of {facts.display} "
                f"({impact.skipped:,} broken lines skipped).",
            ),
        ]
    weeks = _weeks(impact)
    span = (weeks[0][0], weeks[-1][1])
    rows: list[list[object]] = []
    weekly: list[list[object]] = []
    unused = []
    charts = []
    for api in facts.apis:
        usage = impact.usage(api.symbol)
        if not usage.total:
            unused.append(f"`{api.symbol}`")
        rows.append(
            [
                f"`{api.symbol}`",
                usage.calls(*span),
                len(usage.sites_used(*span)),
                len({s[0].partition(":")[0] for s in usage.sites_used(*span)}),
                usage.announcements,
                max(usage.daily).isoformat() if usage.daily else "-",
            ]
        )
        weekly.append([f"`{api.symbol}`", *(usage.calls(*week) for week in weeks)])
        charts.append(
            (f"Calls of {api.symbol} per day", {d.isoformat(): c for d, c in usage.daily.items()})
        )
    blocks = [
        Block("h2", "Impact"),
        Block(
            "p",
            f"From the usage logs: {impact.events:,} events from {impact.first_day} to "
            f"{impact.last_day} ({impact.skipped:,} broken lines skipped; read by the "
            f"{impact.engine} engine). Calls, call sites and callers over the last {WEEKS} "
            f"weeks; announcements: each process announces each call site it uses once, so "
            f"this bounds the processes from above.",
        ),
        Block(
            "table", ["API", "calls", "call sites", "callers", "announcements", "last seen"], rows
        ),
        Block("h3", "Calls per week"),
        Block("table", ["API", *(f"to {end:%m-%d}" for _, end in weeks)], weekly),
        Block("chart", charts, [d.isoformat() for d in _span(impact)]),
        Block("h3", "Top callers"),
        Block("table", ["caller", "API", "calls"], _top_callers(plan, span)),
    ]
    if unused:
        blocks += [
            Block("h3", "Not used at all"),
            Block("p", f"Safe to remove now: {', '.join(unused)}."),
        ]
    return blocks


def _span(impact: Impact) -> list[date]:
    assert impact.first_day is not None
    assert impact.last_day is not None
    start = max(impact.first_day, impact.last_day - timedelta(days=7 * WEEKS - 1))
    return [start + timedelta(days=n) for n in range((impact.last_day - start).days + 1)]


def _top_callers(plan: Plan, span: tuple[date, date]) -> list[list[object]]:
    assert plan.impact is not None
    counts = [
        (caller, api.symbol, calls)
        for api in plan.facts.apis
        for caller, calls in plan.impact.usage(api.symbol).calls_by_caller(*span).items()
    ]
    ranked = sorted(counts, key=lambda item: (-item[2], item[0], item[1]))[:TOP_CALLERS]
    return [[caller, f"`{symbol}`", calls] for caller, symbol, calls in ranked]


def _metrics(plan: Plan) -> list[Block]:
    if plan.impact is None:
        return []
    facts = plan.facts
    rows = [
        [
            m.name,
            "all" if m.symbol == "all" else f"`{m.symbol}`",
            _number(m.baseline),
            _number(m.current),
            _percent(m.measured),
            m.target,
            _percent(m.expected),
            m.verdict,
            m.reason,
        ]
        for m in plan.metrics
    ]
    blocks = [
        Block("h2", "Success metrics"),
        Block(
            "p",
            f"Measured against the baseline (the first days of the logs), as of {plan.today}: "
            f"calls gone compares calls per day; call sites migrated counts the sites that no "
            f"longer call. A milestone passed below its target is missed; otherwise the "
            f"measure is compared with the straight line to the next milestone.",
        ),
        Block(
            "table",
            [
                "metric",
                "API",
                "baseline",
                "last week",
                "measured",
                "target",
                "expected now",
                "verdict",
                "why",
            ],
            rows,
        ),
    ]
    if plan.rollouts:
        blocks.append(
            Block(
                "table",
                [
                    "rollout",
                    "new path (last day)",
                    "percent",
                    "scheduled",
                    "rollbacks",
                    "verdict",
                    "why",
                ],
                [
                    [
                        r.name,
                        _percent(r.new_share),
                        _percent(r.percent),
                        _percent(r.scheduled),
                        r.rollbacks,
                        r.verdict,
                        r.reason,
                    ]
                    for r in plan.rollouts
                ],
            )
        )
    del facts
    return blocks


def _rollout_schedule(plan: Plan) -> list[Block]:
    facts = plan.facts
    rows = [
        [
            r.name,
            f"`{r.legacy}` → `{r.new}`",
            "rolled back" if r.rolled_back else _percent(r.percent),
            _percent(r.scheduled),
            r.ramp or "-",
            r.schedule or "-",
        ]
        for r in facts.rollouts
    ]
    configured = sorted(set(facts.config_rollouts) - {r.name for r in facts.rollouts})
    rows += [
        [name, "(not loaded)", "-", "-", "-", _schedule_text(facts.config_rollouts[name])]
        for name in configured
    ]
    if not rows:
        return []
    return [
        Block("h2", "Rollout schedule"),
        Block("table", ["rollout", "paths", "stands at", "schedule says", "ramp", "steps"], rows),
    ]


def _schedule_text(table: object) -> str:
    steps = table.get("schedule") if isinstance(table, dict) else None
    if not isinstance(steps, list):
        return "-"
    return ", ".join(
        "(" + ", ".join(str(part) for part in step) + ")"
        for step in steps
        if isinstance(step, list)
    )


def _communication(plan: Plan) -> list[Block]:
    rows = [
        [str(c.day or "-"), c.audience, c.channel, c.needs, c.status] for c in plan.communications
    ]
    blocks = [
        Block("h2", "Communication"),
        Block("table", ["date", "audience", "channel", "phase released by then", "status"], rows),
    ]
    for item in plan.communications:
        blocks.append(Block("h3", f"{item.audience}: {item.channel} ({item.day or 'no date'})"))
        blocks.append(
            Block(
                "message", item.message, "markdown" if item.template.endswith(".md.j2") else "text"
            )
        )
    return blocks


def _rollback(plan: Plan) -> list[Block]:
    facts = plan.facts
    items = [
        f"Rollout `{r.name}`: call `rollback()` on it (the kill switch: every call on the "
        f"legacy path at once; `resume()` undoes it), or start the processes with "
        f'`PHASEOUT_ROLLOUT="{r.name}=0"`, or set `percent = 0` in '
        f"`[tool.phaseout.rollouts.{r.name}]`."
        for r in facts.rollouts
    ]
    items += [
        f"Stored records: `{api.data_migration.replace(' migrate ', ' rollback ', 1)}` with the "
        f"same `--db`/`--table`/`--key` (or `--file`) as the migration restores the records it "
        f"changed, exactly."
        for api in facts.apis
        if api.data_migration
    ]
    items.append(
        f"A removal that breaks too much: release a patch that restores the API with a later "
        f"`removed_in`, then `phaseout plan {facts.package} --to <that version>`."
    )
    return [Block("h2", "Rollback"), Block("list", items)]


def _breaking(plan: Plan) -> list[Block]:
    breaking = plan.breaking
    if breaking is None:
        return []
    counted = ", ".join(f"{n} {status}" for status, n in breaking.counts.items() if n)
    rows = [
        [b.severity, f"`{b.path}`", b.kind + (f" ({b.detail})" if b.detail else ""), b.status,
         b.reason]
        for b in breaking.breaks
    ]  # fmt: skip
    found = [
        Block("h2", "Breaking changes"),
        Block(
            "p",
            f"`phaseout check` from {breaking.old} to {breaking.new}: "
            f"{counted or 'no breaking changes'}. Early and undeclared breaks fail `--check`; "
            f"each has a declaration to add (`phaseout check --write-shims`).",
        ),
    ]
    if rows:
        found.append(Block("table", ["severity", "API", "change", "status", "why"], rows))
    return found


def blocks(plan: Plan) -> list[Block]:
    found = [
        *_summary(plan),
        *_timeline(plan),
        *_breaking(plan),
        *_automated(plan),
        *_impact(plan),
        *_metrics(plan),
        *_rollout_schedule(plan),
        *_communication(plan),
        *_rollback(plan),
    ]
    failures = plan.failures()
    if failures:
        found += [Block("h2", "Checks failed"), Block("list", failures)]
    return found


def _md_cell(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _markdown(plan: Plan) -> str:
    lines = [f"# {plan.migration_id}: {plan.facts.display} {plan.facts.to}", ""]
    for block in blocks(plan):
        if block.kind in ("h2", "h3"):
            lines += [f"{'#' * int(block.kind[1])} {block.content}", ""]
        elif block.kind == "p":
            lines += [block.content, ""]
        elif block.kind == "list":
            lines += [f"- {item}" for item in block.content] + [""]
        elif block.kind == "table":
            lines.append("| " + " | ".join(block.content) + " |")
            lines.append("|" + "---|" * len(block.content))
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.extra]
            lines.append("")
        elif block.kind == "message":
            fence = "````" if "```" in block.content else "```"
            lines += [f"{fence}{block.extra}", block.content.rstrip("\n"), fence, ""]
        # charts: the weekly table says it in Markdown
    return "\n".join(lines).rstrip("\n") + "\n"


def _code(text: str) -> str:
    """Markdown's inline code (`x`) as HTML, the rest escaped."""
    parts = text.split("`")
    return "".join(
        f"<code>{html.text(part)}</code>" if index % 2 else html.text(part)
        for index, part in enumerate(parts)
    )


def _html(plan: Plan) -> str:
    body: list[str] = []
    for block in blocks(plan):
        if block.kind in ("h2", "h3"):
            body.append(f"<{block.kind}>{html.text(block.content)}</{block.kind}>")
        elif block.kind == "p":
            body.append(f"<p>{_code(block.content)}</p>")
        elif block.kind == "list":
            body.append(
                "<ul>" + "".join(f"<li>{_code(item)}</li>" for item in block.content) + "</ul>"
            )
        elif block.kind == "table":
            cells: list[list[object]] = [
                [c if isinstance(c, int) else str(c).replace("`", "") for c in row]
                for row in block.extra
            ]
            body.append(html.table(block.content, cells))
        elif block.kind == "chart":
            days = block.extra
            body += [html.chart(label, per_day, days) for label, per_day in block.content if days]
        elif block.kind == "message":
            body.append(f"<pre>{html.text(block.content)}</pre>")
    title = f"{plan.migration_id}: {plan.facts.display} {plan.facts.to}"
    return html.page(title, body)


def _json(plan: Plan) -> str:
    def plain(value: object) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, set)):
            return [plain(v) for v in value]
        return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)

    facts = plan.facts
    document = {
        "id": plan.migration_id,
        "package": facts.display,
        "to": facts.to,
        "removal": plain(facts.removal),
        "today": plain(plan.today),
        "apis": [plain(api) for api in facts.apis],
        "metrics": [plain(m) for m in plan.metrics],
        "rollouts": [plain(r) for r in plan.rollouts],
        "communications": [plain(c) for c in plan.communications],
        "impact": None if plan.impact is None else _json_impact(plan),
        "breaking_changes": None if plan.breaking is None else plain(plan.breaking),
        "failures": plan.failures(),
    }
    return json.dumps(document, indent=2) + "\n"


def _json_impact(plan: Plan) -> dict[str, Any]:
    """The logs' numbers per API: calls per day, call sites, calling modules."""
    impact = plan.impact
    assert impact is not None
    apis = {}
    for api in plan.facts.apis:
        usage = impact.usage(api.symbol)
        apis[api.symbol] = {
            "calls": usage.total,
            "daily": {day.isoformat(): count for day, count in sorted(usage.daily.items())},
            "call_sites": [
                {"caller": caller, "file": file, "line": line, "calls": sum(days.values())}
                for (caller, file, line), days in sorted(usage.sites.items())
            ],
            "callers": sorted(usage.callers()),
            "announcements": usage.announcements,
        }
    return {
        "first_day": None if impact.first_day is None else impact.first_day.isoformat(),
        "last_day": None if impact.last_day is None else impact.last_day.isoformat(),
        "events": impact.events,
        "skipped": impact.skipped,
        "engine": impact.engine,
        "apis": apis,
    }


_RENDERERS: Final[dict[str, Callable[[Plan], str]]] = {
    "markdown": _markdown,
    "html": _html,
    "json": _json,
}
FORMATS: Final = tuple(_RENDERERS)


def render(plan: Plan, format: str = "markdown") -> str:
    """*plan* as ``markdown``, ``html`` or ``json`` text."""
    try:
        renderer = _RENDERERS[format]
    except KeyError:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}") from None
    return renderer(plan)

"""Prometheus alert rules for a plan's dates: what docs/fleet.md used to write by hand.

The OpenTelemetry instruments ``phaseout.deprecated.uses`` and ``phaseout.rollout.calls``
reach Prometheus (through the collector's exporter) as ``phaseout_deprecated_uses_total``
and ``phaseout_rollout_calls_total``; the rules compare ``time()`` with the plan's dates,
which Prometheus does not know otherwise.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from typing import Final

from ._build import Plan

__all__ = ["prometheus_rules"]

USES: Final = "phaseout_deprecated_uses_total"
ROLLOUT_CALLS: Final = "phaseout_rollout_calls_total"


def _timestamp(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=timezone.utc).timestamp())


def _quoted(value: str) -> str:
    """A PromQL string literal (JSON's escapes are PromQL's)."""
    return json.dumps(value)


_SPECIAL: Final = frozenset("\\.^$|?*+()[]{}")


def _literal(text: str) -> str:
    """*text* as a regular expression (RE2, Prometheus's) that matches it alone."""
    return "".join(f"\\{char}" if char in _SPECIAL else char for char in text)


def prometheus_rules(plan: Plan) -> str:
    """One rule group (YAML) for *plan*: uses of the APIs it removes in the week before the
    removal (warning) and after it (critical), and rollouts still on legacy in that week.
    Without a removal date there is nothing to compare: a ``ValueError`` says so."""
    facts = plan.facts
    if facts.removal is None:
        raise ValueError(
            f"{facts.migration_id}: no removal date: list {facts.to} in [tool.phaseout.releases] "
            f"to write alert rules"
        )
    removal = _timestamp(facts.removal)
    week_before = _timestamp(facts.removal - timedelta(days=7))
    pattern = "|".join(_literal(api.symbol) for api in facts.apis) or "^$"
    selector = f"{{package={_quoted(facts.display)},symbol=~{_quoted(pattern)}}}"
    symbol, release, day = "{{ $labels.symbol }}", f"{facts.display} {facts.to}", facts.removal
    lines = [
        "# Written by `phaseout plan " + f"{facts.package} --to {facts.to} --prometheus-rules`.",
        "groups:",
        f"  - name: {_quoted(facts.migration_id)}",
        "    rules:",
        "      - alert: PhaseoutLegacyUseBeforeRemoval",
        f"        expr: sum by (symbol) (increase({USES}{selector}[1d])) > 0 "
        f"and on () (time() >= {week_before} and time() < {removal})",
        "        labels:",
        "          severity: warning",
        f"          migration: {_quoted(facts.migration_id)}",
        "        annotations:",
        f"          summary: {_quoted(f'{symbol} is still used; {release} removes it on {day}')}",
        "      - alert: PhaseoutLegacyUseAfterRemoval",
        f"        expr: sum by (symbol) (increase({USES}{selector}[1d])) > 0 "
        f"and on () (time() >= {removal})",
        "        labels:",
        "          severity: critical",
        f"          migration: {_quoted(facts.migration_id)}",
        "        annotations:",
        f"          summary: {_quoted(f'{symbol} is used after its removal date {day}')}",
    ]
    for rollout in sorted({r.name for r in facts.rollouts} | {r.name for r in plan.rollouts}):
        name = _quoted(rollout)
        lines += [
            "      - alert: PhaseoutRolloutStillOnLegacy",
            f'        expr: sum(rate({ROLLOUT_CALLS}{{rollout={name},path="legacy"}}[1h])) '
            f"/ sum(rate({ROLLOUT_CALLS}{{rollout={name}}}[1h])) > 0.05 "
            f"and on () (time() >= {week_before})",
            "        labels:",
            "          severity: warning",
            f"          migration: {_quoted(facts.migration_id)}",
            f"          rollout: {name}",
            "        annotations:",
            f"          summary: "
            f"{_quoted(f'over 5 % of {rollout} calls still take the legacy path; removal: {day}')}",
        ]
    return "\n".join(lines) + "\n"

"""A migration plan: the facts, the impact, the metrics and the communications, together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .. import _dates
from ._breaking import Breaking, read_breaking
from ._comms import Communication, plan_communications
from ._facts import Facts, gather
from ._impact import Impact, read_impact
from ._metrics import MISSED, Metric, RolloutMetric, Targets, measure

__all__ = ["Plan", "build_plan"]


@dataclass(frozen=True)
class Plan:
    """Everything ``phaseout plan`` writes; :meth:`failures` is what ``--check`` fails on."""

    facts: Facts
    today: date
    impact: Impact | None
    metrics: list[Metric]
    rollouts: list[RolloutMetric]
    communications: list[Communication]
    breaking: Breaking | None = None  # phaseout check's findings, when given

    @property
    def migration_id(self) -> str:
        return self.facts.migration_id

    def failures(self) -> list[str]:
        """One line per missed metric and per communication due before its phase is out."""
        lines = [
            f"{metric.name} of {metric.symbol}: missed: {metric.reason}"
            for metric in self.metrics
            if metric.verdict == MISSED
        ]
        lines += [
            f"rollout {metric.name}: missed: {metric.reason}"
            for metric in self.rollouts
            if metric.verdict == MISSED
        ]
        lines += [
            f"{item.channel} to {item.audience}: {item.status}"
            for item in self.communications
            if item.overdue
        ]
        if self.breaking is not None:
            lines += self.breaking.failures()
        return lines


def build_plan(
    package: str,
    to: str,
    *,
    usage: Sequence[str] = (),
    today: date | str | None = None,
    templates: Path | str | None = None,
    pyproject: Path | str | None = None,
    engine: str = "auto",
    breaking: Path | str | None = None,
) -> Plan:
    """The plan of *package*'s release *to*: imports the package (as ``phaseout audit``
    does), reads its release calendar and ``[tool.phaseout.plan]``, and sums the usage logs
    *usage* (paths or globs) once. *today* (UTC by default) fixes the date the plan is
    judged on, for a plan that must read the same tomorrow. *breaking* is the JSON of
    ``phaseout check`` for this release: its findings become the "Breaking changes"
    section, and early or undeclared ones fail ``--check``."""
    day = _dates.today() if today is None else _dates.parse_date("plan", "today", today)
    facts = gather(package, to, day, pyproject=None if pyproject is None else Path(pyproject))
    where = f"{package}: [tool.phaseout.plan]"
    unknown = sorted(set(facts.config) - {"targets", "communications"})
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r}; known: communications, targets")
    targets = Targets.parse(where, facts.config.get("targets", {}))
    impact = read_impact(usage, facts.display, engine=engine) if usage else None
    metrics, rollouts = ([], []) if impact is None else measure(facts, impact, day, targets)
    communications = plan_communications(
        facts, day, None if templates is None else Path(templates), where
    )
    found = None if breaking is None else read_breaking(breaking, package, to)
    return Plan(facts, day, impact, metrics, rollouts, communications, found)

"""Success metrics: measured from the usage logs against a baseline window, each with a
target and a verdict (on track / at risk / missed).

- **calls gone**: how much of the baseline's daily legacy traffic is gone in the last week of
  the logs;
- **call sites migrated**: the share of the call sites seen (in the baseline or since) that
  no longer call in the last week;
- **rollouts**: the share of a rollout's calls on the new path on the last day, its schedule
  and its rollbacks.

Targets are milestones: by default 75 % by the loud phase and 100 % in the week before the
removal (``[tool.phaseout.plan.targets]``). A milestone passed below its target is *missed*;
otherwise the measure is compared with the straight line from the baseline (0 %) to the next
milestone: at or above it is *on track*, below it *at risk*.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from ._facts import API, Facts
from ._impact import Impact, Usage

__all__ = ["DEFAULT_TARGETS", "Metric", "RolloutMetric", "Targets", "measure"]

ON_TRACK: Final = "on track"
AT_RISK: Final = "at risk"
MISSED: Final = "missed"
UNKNOWN: Final = "unknown"

DEFAULT_TARGETS: Final = {
    "baseline_days": 14,
    "window_days": 7,
    "calls_gone_by_loud": 75,
    "calls_gone_before_removal": 100,
    "sites_migrated_by_loud": 50,
    "sites_migrated_before_removal": 100,
    "rollout_lag_points": 10,
}


@dataclass(frozen=True)
class Targets:
    """The targets in force, from the defaults and ``[tool.phaseout.plan.targets]``."""

    values: Mapping[str, int]

    @classmethod
    def parse(cls, where: str, table: object) -> Targets:
        if not isinstance(table, Mapping):
            raise ValueError(
                f"{where}: [tool.phaseout.plan.targets] must be a table, got {table!r}"
            )
        values = dict(DEFAULT_TARGETS)
        for key, value in table.items():
            if key not in DEFAULT_TARGETS:
                raise ValueError(
                    f"{where}: unknown target {key!r}; known: {', '.join(sorted(DEFAULT_TARGETS))}"
                )
            upper = 1000 if key.endswith("_days") else 100
            low = 1 if key.endswith("_days") else 0
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= upper:
                raise ValueError(
                    f"{where}: target {key} must be a whole number from {low} to {upper}, "
                    f"got {value!r}"
                )
            values[key] = value
        return cls(values)

    def __getitem__(self, key: str) -> int:
        return self.values[key]


@dataclass(frozen=True)
class Metric:
    """One measure of one API (or of all of them: ``symbol`` ``"all"``)."""

    name: str  # "calls gone" or "call sites migrated"
    symbol: str
    baseline: float  # calls per day, or call sites
    current: float
    measured: float | None  # percent; None without baseline use
    target: str  # "75 % by 2027-03-01 (loud), 100 % by 2027-06-08"
    expected: float | None  # percent expected today on the straight line
    verdict: str
    reason: str  # one line: why this verdict


@dataclass(frozen=True)
class RolloutMetric:
    name: str
    new_share: float | None  # percent of calls on the new path, last day in the logs
    percent: float | None  # where the live rollout stands (None: not loaded here)
    scheduled: float | None
    rollbacks: int
    verdict: str
    reason: str


def _milestones(
    api: API | None, facts: Facts, targets: Targets, prefix: str
) -> list[tuple[date, int, str]]:
    loud = _earliest(facts, "loud") if api is None else api.day("loud")
    removal = (_earliest(facts, "removed") if api is None else api.day("removed")) or facts.removal
    found = []
    if loud is not None:
        found.append((loud, targets[f"{prefix}_by_loud"], "loud"))
    if removal is not None:
        found.append(
            (removal - timedelta(days=7), targets[f"{prefix}_before_removal"], "removal - 7 days")
        )
    return sorted(found)


def _earliest(facts: Facts, phase: str) -> date | None:
    days = [day for api in facts.apis if (day := api.day(phase)) is not None]
    return min(days) if days else None


def _share_gone(
    usage: Usage, baseline: tuple[date, date], window: tuple[date, date]
) -> tuple[float, float, float | None]:
    base_days = (baseline[1] - baseline[0]).days + 1
    window_days = (window[1] - window[0]).days + 1
    before = usage.calls(*baseline) / base_days
    now = usage.calls(*window) / window_days
    if before == 0:
        return before, now, None
    return before, now, max(0.0, 100.0 * (1 - now / before))


def _sites_migrated(
    usage: Usage, baseline: tuple[date, date], window: tuple[date, date]
) -> tuple[float, float, float | None]:
    seen = usage.sites_used(baseline[0], window[1])
    still = usage.sites_used(*window)
    if not seen:
        return 0, 0, None
    return len(seen), len(still), 100.0 * (1 - len(still) / len(seen))


Measure = Callable[[Usage, tuple[date, date], tuple[date, date]], tuple[float, float, float | None]]


def _judge(
    name: str,
    symbol: str,
    usage: Usage,
    measure_: Measure,
    milestones: list[tuple[date, int, str]],
    impact: Impact,
    targets: Targets,
    today: date,
) -> Metric:
    first, last = impact.first_day, impact.last_day
    assert first is not None
    assert last is not None
    last = max(first, min(last, today))  # a plan judged on an earlier day reads the logs to it
    baseline = (first, min(last, first + timedelta(days=targets["baseline_days"] - 1)))
    span = timedelta(days=targets["window_days"] - 1)
    window = (max(first, last - span), last)
    before, now, measured = measure_(usage, baseline, window)
    target = ", ".join(f"{goal} % by {day} ({what})" for day, goal, what in milestones) or "-"
    if measured is None:
        return Metric(
            name, symbol, before, now, None, target, None, ON_TRACK, "no use in the baseline window"
        )
    if not milestones:
        return Metric(
            name, symbol, before, now, measured, target, None, UNKNOWN,
            "no dates: add the release to [tool.phaseout.releases]",
        )  # fmt: skip
    anchor_day, anchor_goal = baseline[1], 0
    for day, goal, what in milestones:
        if day > today:
            break
        # A milestone passed: judged on the window that ended on it (or the logs' last week).
        end = min(day, last)
        _, _, at_milestone = measure_(usage, baseline, (max(first, end - span), end))
        if at_milestone is None or at_milestone < goal:
            shown = "no data" if at_milestone is None else f"{at_milestone:.0f} %"
            return Metric(
                name, symbol, before, now, measured, target, goal, MISSED,
                f"{shown} on {end}, below the {goal} % due by {day} ({what})",
            )  # fmt: skip
        anchor_day, anchor_goal = day, goal
    upcoming = [(day, goal) for day, goal, _ in milestones if day > today]
    if not upcoming:
        return Metric(
            name, symbol, before, now, measured, target, None, ON_TRACK, "every milestone met"
        )
    due_day, due_goal = upcoming[0]
    total_days = max((due_day - anchor_day).days, 1)
    elapsed = min(max((today - anchor_day).days, 0), total_days)
    expected = anchor_goal + (due_goal - anchor_goal) * elapsed / total_days
    if measured + 1e-9 >= expected:
        return Metric(
            name, symbol, before, now, measured, target, expected, ON_TRACK,
            f"{measured:.0f} % at or above the {expected:.0f} % expected by now",
        )  # fmt: skip
    return Metric(
        name, symbol, before, now, measured, target, expected, AT_RISK,
        f"{measured:.0f} % below the {expected:.0f} % expected by now "
        f"({due_goal} % due by {due_day})",
    )  # fmt: skip


def measure(
    facts: Facts, impact: Impact, today: date, targets: Targets
) -> tuple[list[Metric], list[RolloutMetric]]:
    """Every metric of the plan: per API and for all of them, and per rollout."""
    metrics: list[Metric] = []
    if impact.first_day is None:
        return metrics, _rollouts(facts, impact, today, targets)
    everything = Usage()
    for api in facts.apis:
        usage = impact.usage(api.symbol)
        for day, count in usage.daily.items():
            everything.daily[day] = everything.daily.get(day, 0) + count
        for (caller, file, line), days in usage.sites.items():
            # One line calling two APIs is two call sites to migrate.
            everything.sites.setdefault((f"{api.symbol}@{caller}", file, line), {}).update(days)
    scopes: list[tuple[str, Usage, API | None]] = [("all", everything, None)]
    scopes += [(api.symbol, impact.usage(api.symbol), api) for api in facts.apis]
    for symbol, usage, scope in scopes:
        for name, prefix, how in (
            ("calls gone", "calls_gone", _share_gone),
            ("call sites migrated", "sites_migrated", _sites_migrated),
        ):
            milestones = _milestones(scope, facts, targets, prefix)
            metrics.append(_judge(name, symbol, usage, how, milestones, impact, targets, today))
    return metrics, _rollouts(facts, impact, today, targets)


def _rollouts(facts: Facts, impact: Impact, today: date, targets: Targets) -> list[RolloutMetric]:
    live = {r.name: r for r in facts.rollouts}
    names = sorted(set(live) | set(impact.rollouts) | set(facts.config_rollouts))
    found = []
    for name in names:
        days = {d: paths for d, paths in impact.rollouts.get(name, {}).items() if d <= str(today)}
        share = None
        if days:
            last = days[max(days)]
            calls = last["legacy"] + last["new"]
            share = None if calls == 0 else 100.0 * last["new"] / calls
        rollout: Any = live.get(name)
        percent = None if rollout is None else rollout.percent
        scheduled = None if rollout is None else rollout.scheduled
        rollbacks = impact.rollbacks.get(name, 0)
        lag = targets["rollout_lag_points"]
        if facts.removal is not None and today >= facts.removal and (share or 0) < 100:
            verdict, reason = (
                MISSED,
                f"the removal date {facts.removal} passed with calls still on legacy",
            )
        elif rollbacks:
            verdict, reason = (
                AT_RISK,
                f"{rollbacks} rollback{'s' if rollbacks != 1 else ''} in the logs",
            )
        elif share is not None and scheduled is not None and share < scheduled - lag:
            verdict, reason = (
                AT_RISK,
                (
                    f"{share:.0f} % of calls on the new path, "
                    f"{scheduled - share:.0f} points behind "
                    f"the schedule's {scheduled:g} %"
                ),
            )
        elif share is None:
            verdict, reason = UNKNOWN, "no calls of this rollout in the logs"
        else:
            verdict, reason = ON_TRACK, f"{share:.0f} % of calls on the new path"
        found.append(RolloutMetric(name, share, percent, scheduled, rollbacks, verdict, reason))
    return found

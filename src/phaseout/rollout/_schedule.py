"""A rollout's ramp: the percent it should serve at each instant, from a dated schedule.

``[("2027-01-04", 1), ("2027-01-11", 10, "+2%/day"), ("2027-02-08", 100)]``: 1 % from
2027-01-04 (midnight UTC), 10 % from 2027-01-11 rising 2 points a day (never past the next
step's percent), 100 % from 2027-02-08. Before the first step: 0 %. Percents never go down:
sticky buckets then keep every key that was on the new path on it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import Final, NamedTuple

__all__ = ["RESOLUTION", "Schedule", "Step"]

#: The smallest change of percent a rollout can make (its buckets are 0.01 % wide).
RESOLUTION: Final = 0.01
#: The least time between two recomputations of a ramping percent, in seconds.
MIN_INTERVAL: Final = 1.0
_RATE: Final = re.compile(r"\+\s*(\d+(?:\.\d+)?)\s*%\s*/\s*(hour|day|week)", re.IGNORECASE)
_SECONDS: Final = {"hour": 3600.0, "day": 86_400.0, "week": 604_800.0}


class Step(NamedTuple):
    """From *start* (Unix time), *percent*, rising *rate* points per second."""

    start: float
    percent: float
    rate: float = 0.0
    text: str = ""  # the step as written, for stats() and the plan


def _instant(owner: str, value: object) -> float:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"{owner}: a step starts at a date such as '2027-01-04' (or an ISO date and "
                f"time), got {value!r}"
            ) from None
    else:
        raise ValueError(f"{owner}: a step starts at a date such as '2027-01-04', got {value!r}")
    if moment.tzinfo is None:  # dates and naive times are UTC, as dated timelines are
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _rate(owner: str, value: object) -> float:
    match = _RATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None or float(match.group(1)) == 0:
        raise ValueError(
            f"{owner}: a ramp must read like '+2%/day' (per hour, day or week), got {value!r}"
        )
    return float(match.group(1)) / _SECONDS[match.group(2).lower()]


class Schedule:
    """The steps of a ramp, checked; see the module's docstring."""

    __slots__ = ("starts", "steps")

    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = tuple(steps)
        self.starts = [step.start for step in self.steps]

    @classmethod
    def parse(cls, owner: str, value: object) -> Schedule:
        """A schedule from ``[(when, percent), (when, percent, "+2%/day"), ...]`` (tuples
        or TOML arrays); errors name *owner*, the step and the fix."""
        if isinstance(value, Schedule):
            return value
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value:
            raise ValueError(
                f"{owner}: schedule must be a list of steps such as [('2027-01-04', 1), "
                f"('2027-01-11', 10, '+2%/day')], got {value!r}"
            )
        steps: list[Step] = []
        for index, item in enumerate(value):
            where = f"{owner}: schedule step {index + 1}"
            if isinstance(item, (str, bytes)) or not isinstance(item, Sequence):
                raise ValueError(f"{where} must be (date, percent[, ramp]), got {item!r}")
            if len(item) not in (2, 3):
                raise ValueError(f"{where} must be (date, percent[, ramp]), got {item!r}")
            start = _instant(where, item[0])
            percent = item[1]
            if (
                isinstance(percent, bool)
                or not isinstance(percent, (int, float))
                or not 0 <= percent <= 100
            ):
                raise ValueError(f"{where}: the percent must be from 0 to 100, got {percent!r}")
            rate = _rate(where, item[2]) if len(item) == 3 else 0.0
            if steps and start <= steps[-1].start:
                raise ValueError(f"{where} must start after step {index}, got {item[0]!r}")
            if steps and percent < steps[-1].percent:
                raise ValueError(
                    f"{where}: percents must not go down (keys already on the new path would "
                    f"go back), got {percent!r} after {steps[-1].percent!r}"
                )
            text = ", ".join(str(part) for part in item)
            steps.append(Step(start, float(percent), rate, f"({text})"))
        return cls(steps)

    def percent_at(self, when: float) -> float:
        """The percent the schedule gives at Unix time *when*, to 0.01."""
        index = bisect.bisect_right(self.starts, when) - 1
        if index < 0:
            return 0.0
        step = self.steps[index]
        percent = step.percent + step.rate * (when - step.start)
        ceiling = self.steps[index + 1].percent if index + 1 < len(self.steps) else 100.0
        percent = min(percent, max(ceiling, step.percent), 100.0)
        return round(percent, 2)  # the buckets' resolution (RESOLUTION)

    def next_change(self, when: float) -> float | None:
        """When the percent next changes after *when* (at least :data:`MIN_INTERVAL` later
        while it ramps); None when it never does."""
        index = bisect.bisect_right(self.starts, when) - 1
        following = self.starts[index + 1] if index + 1 < len(self.starts) else None
        if index >= 0:
            step = self.steps[index]
            ceiling = self.steps[index + 1].percent if following is not None else 100.0
            if step.rate and self.percent_at(when) < min(ceiling, 100.0):
                soon = when + max(RESOLUTION / step.rate, MIN_INTERVAL)
                return soon if following is None else min(soon, following)
        return following

    def __repr__(self) -> str:
        return f"Schedule({', '.join(step.text for step in self.steps)})"

"""Scheduled rollout ramps: the percent follows a dated schedule by itself."""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phaseout import _alarms, _dates
from phaseout.rollout import Rollout, Schedule

DAY = 86_400.0
JAN_4 = datetime(2027, 1, 4, tzinfo=timezone.utc).timestamp()
JAN_11 = JAN_4 + 7 * DAY
JAN_25 = JAN_4 + 21 * DAY
FEB_8 = JAN_4 + 35 * DAY
ISSUE_SCHEDULE = [
    ("2027-01-04", 1),
    ("2027-01-11", 10, "+2%/day"),
    ("2027-01-25", 50, "+10%/day"),
    ("2027-02-08", 100),
]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """A clock the test moves (``clock[0]``), and the ramp's alarms recorded instead of
    set: the test plays the alarm thread, so nothing changes behind its back."""
    now = [JAN_11 + DAY]
    monkeypatch.setattr(_dates, "now", lambda: now[0])
    monkeypatch.setattr(_alarms, "call_at", lambda when, callback: ALARMS.append(when))
    ALARMS.clear()
    return now


ALARMS: list[float] = []


def legacy(user: int) -> str:
    return "legacy"


def new(user: int) -> str:
    return "new"


def test_the_percent_at_each_instant_of_a_schedule() -> None:
    schedule = Schedule.parse("r", ISSUE_SCHEDULE)
    expected = {
        JAN_4 - 1: 0.0,
        JAN_4: 1.0,
        JAN_11 - 1: 1.0,
        JAN_11: 10.0,
        JAN_11 + DAY / 2: 11.0,
        JAN_11 + DAY: 12.0,
        JAN_11 + 13 * DAY: 36.0,
        JAN_25 - 1: 38.0,  # 10 + 2 x 14 days, less one second
        JAN_25: 50.0,
        JAN_25 + DAY: 60.0,
        JAN_25 + 4 * DAY: 90.0,
        JAN_25 + 5 * DAY: 100.0,
        JAN_25 + 9 * DAY: 100.0,  # capped: never past the next step's percent
        FEB_8 + 400 * DAY: 100.0,
    }
    assert {when: schedule.percent_at(when) for when in expected} == expected


def test_the_next_change_is_a_resolution_step_away_and_at_least_a_second() -> None:
    schedule = Schedule.parse("r", ISSUE_SCHEDULE)
    assert schedule.next_change(JAN_4 - 5) == JAN_4
    assert schedule.next_change(JAN_4) == JAN_11  # flat until the next step
    # +2 %/day: 0.01 % every 432 seconds.
    assert schedule.next_change(JAN_11) == pytest.approx(JAN_11 + 432)
    assert schedule.next_change(FEB_8) is None
    fast = Schedule.parse("r", [("2027-01-04", 0, "+100%/hour"), ("2027-01-05", 100)])
    assert fast.next_change(JAN_4) == JAN_4 + 1  # 0.36 s a step, recomputed once a second
    assert fast.next_change(JAN_4 + 3600) == JAN_4 + DAY  # reached its ceiling


@given(
    st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=40),
    st.lists(st.floats(min_value=JAN_4 - DAY, max_value=FEB_8 + DAY), min_size=2, max_size=8),
)
def test_a_key_on_the_new_path_stays_on_it_as_the_ramp_rises(
    keys: list[int], instants: list[float]
) -> None:
    schedule = Schedule.parse("r", ISSUE_SCHEDULE)
    rollout = Rollout("sticky", legacy=legacy, new=new, key=lambda user: user)
    on_new: set[int] = set()
    for when in sorted(instants):
        rollout.set_percent(schedule.percent_at(when))
        now_new = {key for key in keys if rollout.route(key) == "new"}
        assert on_new <= now_new
        on_new = now_new


def test_a_scheduled_rollout_follows_the_calendar_by_itself() -> None:
    soon = time.time() + 0.3
    start = datetime.fromtimestamp(soon, timezone.utc).isoformat()
    rollout = Rollout(
        "by itself",
        legacy=legacy,
        new=new,
        key=lambda user: user,
        schedule=[("2026-01-01", 5), (start, 100)],
    )
    assert rollout.percent == 5.0
    assert rollout.stats().ramp == "following"
    deadline = time.monotonic() + 10
    while rollout.percent != 100.0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert rollout.percent == 100.0  # no call was made: the alarm rebuilt the router
    assert {rollout(user) for user in range(200)} == {"new"}


def test_a_rollback_freezes_the_ramp_until_resume(clock: list[float]) -> None:
    rollout = Rollout("frozen", legacy=legacy, new=new, key=lambda u: u, schedule=ISSUE_SCHEDULE)
    assert (rollout.percent, rollout.stats().scheduled_percent) == (12.0, 12.0)
    assert len(ALARMS) == 1
    assert ALARMS[0] == pytest.approx(JAN_11 + DAY + 432)  # the next 0.01 % step
    rollout.rollback()
    clock[0] += DAY
    rollout._follow_schedule()  # what the alarm does
    stats = rollout.stats()
    assert (stats.state, stats.percent, stats.scheduled_percent, stats.ramp) == (
        "rolled_back",
        12.0,
        14.0,
        "frozen by a rollback",
    )
    assert {rollout(user) for user in range(300)} == {"legacy"}
    assert rollout.ramp_percent(JAN_25) == 12.0  # frozen: it stands where it stopped
    rollout.resume()  # the ramp goes on from where it stood, one day behind its calendar
    assert (rollout.percent, rollout.stats().ramp) == (12.0, "following")
    clock[0] += DAY / 2
    rollout._follow_schedule()
    stats = rollout.stats()
    assert (stats.percent, stats.scheduled_percent) == (13.0, 15.0)
    assert rollout.ramp_percent(clock[0] + DAY) == 15.0  # a day later, still a day behind
    assert repr(rollout) == "<Rollout 'frozen' 13%, ramp following>"


def test_set_percent_holds_the_ramp(clock: list[float]) -> None:
    clock[0] = JAN_11
    rollout = Rollout("held", legacy=legacy, new=new, schedule=ISSUE_SCHEDULE)
    rollout.set_percent(3)
    clock[0] += DAY
    rollout._follow_schedule()
    assert (rollout.percent, rollout.stats().ramp) == (3.0, "held by set_percent()")
    rollout.resume()
    assert (rollout.percent, rollout.stats().ramp) == (12.0, "following")


def test_a_stale_alarm_does_not_start_a_second_ramp(clock: list[float]) -> None:
    clock[0] = JAN_11
    rollout = Rollout("one ramp", legacy=legacy, new=new, schedule=ISSUE_SCHEDULE)
    stale = rollout._ramp_alarm
    rollout.rollback()
    rollout.resume()
    assert rollout._ramp_alarm == stale + 1
    clock[0] += DAY
    rollout._follow_schedule(stale)  # the alarm set before the rollback fires: ignored
    assert rollout.percent == 10.0
    rollout._follow_schedule(stale + 1)
    assert rollout.percent == 12.0


def test_the_config_file_form(clock: list[float]) -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    table = tomllib.loads(
        "[tool.phaseout.rollouts.checkout]\n"
        "schedule = [\n"
        '  [2027-01-04, 1],\n  ["2027-01-11", 10, "+2%/day"],\n  ["2027-02-08", 100],\n]\n'
    )["tool"]["phaseout"]["rollouts"]["checkout"]
    rollout = Rollout.from_config("checkout", table, legacy=legacy, new=new)
    assert rollout.percent == 12.0
    assert rollout.stats().scheduled_percent == 12.0
    with pytest.raises(ValueError, match=r"rollout 'checkout': schedule step 2: percents"):
        Rollout.from_config(
            "checkout",
            {"schedule": [["2027-01-04", 10], ["2027-01-11", 5]]},
            legacy=legacy,
            new=new,
        )


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ([], "schedule must be a list of steps"),
        ([("2027-01-04",)], "schedule step 1 must be (date, percent[, ramp])"),
        ([("soon", 1)], "schedule step 1: a step starts at a date such as '2027-01-04'"),
        ([("2027-01-04", 101)], "the percent must be from 0 to 100, got 101"),
        ([("2027-01-04", 1, "fast")], "a ramp must read like '+2%/day'"),
        ([("2027-01-04", 1), ("2027-01-04", 2)], "schedule step 2 must start after step 1"),
    ],
)
def test_bad_schedules_are_refused(schedule: list[tuple[object, ...]], message: str) -> None:
    with pytest.raises(ValueError, match=r"^Rollout 'bad': ") as raised:
        Rollout("bad", legacy=legacy, new=new, schedule=schedule)
    assert str(raised.value).startswith("Rollout 'bad': ")
    assert message in str(raised.value)


def test_percent_and_schedule_are_exclusive() -> None:
    with pytest.raises(ValueError, match="give percent or schedule, not both"):
        Rollout("both", legacy=legacy, new=new, percent=10, schedule=ISSUE_SCHEDULE)


def test_alarms_keep_running_after_a_ramp_is_collected() -> None:
    rollout = Rollout("gone", legacy=legacy, new=new, schedule=[("2026-01-01", 0, "+1%/hour")])
    del rollout
    done: list[bool] = []
    _alarms.call_at(time.time(), lambda: done.append(True))
    deadline = time.monotonic() + 10
    while not done and time.monotonic() < deadline:
        time.sleep(0.01)
    assert done == [True]

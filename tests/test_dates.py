"""Timelines declared by date, and release calendars."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import warnings
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

import phaseout
from phaseout import Phase, _alarms, _dates
from phaseout._calendar import Calendar, Dated
from phaseout.exceptions import RemovedError
from phaseout.phases import Timeline
from phaseout.policies import release_calendar

from .helpers import here, write_tree

dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31))


@phaseout.deprecated(since="2026-12-01", removed_in="2027-06-30", replacement="svc.new_call")
def old_call() -> int:
    return 1


@given(dates, dates)
def test_a_date_compares_as_its_point(a: date, b: date) -> None:
    assert (a < b) == (_dates.as_point(a) < _dates.as_point(b))
    assert _dates.as_date(_dates.as_point(a)) == a


@given(st.lists(dates, min_size=2, max_size=4, unique=True), dates)
def test_the_phase_on_a_day_follows_the_dates(bounds: list[date], day: date) -> None:
    bounds.sort()
    names = ["since", "compat_in", "hard_in", "removed_in"][-len(bounds) :]
    names[0] = "since"
    given_bounds = dict(zip(names, bounds, strict=True))
    timeline = Timeline.parse("f", **given_bounds)
    removal = given_bounds.get("removed_in")
    hard = given_bounds.get("hard_in")
    if hard is None and removal is not None:
        implicit = removal - timedelta(weeks=4)
        earlier = given_bounds.get("compat_in", given_bounds["since"])
        hard = implicit if earlier < implicit < removal else None
    if removal is not None and day >= removal:
        expected = Phase.REMOVED
    elif hard is not None and day >= hard:
        expected = Phase.HARD
    elif "compat_in" in given_bounds and day >= given_bounds["compat_in"]:
        expected = Phase.COMPAT
    elif day >= given_bounds["since"]:
        expected = Phase.SOFT
    else:
        expected = Phase.PENDING
    assert timeline.phase_on(day) is expected
    assert timeline.dated
    assert timeline.texts["since"] == given_bounds["since"].isoformat()


def test_each_phase_of_a_dated_timeline_under_pretend(
    record: list[warnings.WarningMessage],
) -> None:
    expected = {
        "2026-11-30": (
            phaseout.PendingWarning,
            "will be deprecated on 2026-12-01 and removed on 2027-06-30",
        ),
        "2026-12-01": (
            phaseout.DeprecatedWarning,
            "is deprecated since 2026-12-01 and will be removed on 2027-06-30",
        ),
        "2027-06-01": (
            phaseout.DeprecatedWarning,
            "is deprecated since 2026-12-01 and will be removed on 2027-06-30",
        ),
        "2027-06-02": (
            phaseout.RemovalWarning,
            "is deprecated since 2026-12-01 and will be removed on 2027-06-30",
        ),
        "2027-06-29": (
            phaseout.RemovalWarning,
            "is deprecated since 2026-12-01 and will be removed on 2027-06-30",
        ),
    }
    for day, (category, text) in expected.items():
        record.clear()
        with phaseout.pretend(today=day):
            assert old_call() == 1
            line = here() - 1
        [warning] = record
        assert warning.category is category, day
        assert str(warning.message) == (
            f"tests.test_dates.old_call() {text}. Use svc.new_call instead."
        )
        assert (warning.filename, warning.lineno) == (__file__, line)
    with phaseout.pretend(today=date(2027, 6, 30)), pytest.raises(RemovedError) as raised:
        old_call()
    assert str(raised.value) == (
        "tests.test_dates.old_call() was removed on 2027-06-30 (deprecated since 2026-12-01; "
        "today is 2027-06-30 (UTC), pretended). Use svc.new_call instead."
    )


def test_a_dated_declaration_needs_no_version(record: list[warnings.WarningMessage]) -> None:
    # No distribution named `tests` and no __version__: no UnknownVersionWarning.
    with phaseout.pretend(today="2027-01-01"):
        old_call()
    assert [w.category for w in record] == [phaseout.DeprecatedWarning]


def test_pretend_takes_both_versions_and_today(record: list[warnings.WarningMessage]) -> None:
    with phaseout.pretend({"other": "1.0"}, today="2027-06-30"), pytest.raises(RemovedError):
        old_call()
    with pytest.raises(TypeError, match="pretend\\(\\) takes versions"):
        with phaseout.pretend():
            pass
    with pytest.raises(ValueError, match="today must be a real date"):
        with phaseout.pretend(today="2027-02-30"):
            pass


def test_the_phase_follows_todays_date_and_changes_at_midnight_utc(
    monkeypatch: pytest.MonkeyPatch, record: list[warnings.WarningMessage]
) -> None:
    real_today = _dates.today()
    since = real_today - timedelta(days=3)

    @phaseout.deprecated(since=since, removed_in=since + timedelta(days=400))
    def dated() -> None:
        pass

    decl = next(d for d in phaseout.declarations() if d.symbol.endswith("<locals>.dated"))
    # The day before `since`, a minute before midnight UTC: pending, and the plan expires
    # at since's midnight. Then the clock moves on: the alarm thread drops the plan and the
    # call sites the wrapper remembers.
    midnight = datetime(since.year, since.month, since.day, tzinfo=timezone.utc).timestamp()
    monkeypatch.setattr(_dates, "today", lambda: since - timedelta(days=1))
    monkeypatch.setattr(_dates, "now", lambda: midnight - 60)
    for _ in range(3):  # the second and third from the wrapper's remembered call site
        dated()
    assert [w.category for w in record] == [phaseout.PendingWarning] * 3
    assert len(decl.sites) == 1
    record.clear()
    plan = decl._plan
    assert plan is not None
    assert plan.phase is Phase.PENDING
    assert plan.expires == midnight
    monkeypatch.setattr(_dates, "today", lambda: real_today)
    monkeypatch.setattr(_dates, "now", time.time)
    _alarms.call_at(0, lambda: None)  # wakes the alarm thread, asleep for up to a minute
    deadline = time.monotonic() + 10
    while decl._plan is plan and time.monotonic() < deadline:
        time.sleep(0.01)
    assert decl._plan is not plan, "the alarm did not drop the expired plan"
    for _ in range(2):
        dated()
    assert [w.category for w in record] == [phaseout.DeprecatedWarning] * 2
    assert decl.phase is Phase.SOFT


def test_alarms_fire_in_order_from_one_thread() -> None:
    fired: list[str] = []
    done = threading.Event()
    now = time.time()

    def late() -> None:
        fired.append("late")
        done.set()

    _alarms.call_at(now + 0.2, late)
    _alarms.call_at(now + 0.05, lambda: fired.append("early"))
    _alarms.call_at(now - 1, lambda: fired.append("past"))
    assert done.wait(10)
    assert fired == ["past", "early", "late"]


def test_a_failing_alarm_is_reported_once_and_the_others_still_fire(
    record: list[warnings.WarningMessage],
) -> None:
    done = threading.Event()

    def fail() -> None:
        raise RuntimeError("boom")

    _alarms.call_at(time.time(), fail)
    _alarms.call_at(time.time() + 0.05, done.set)
    assert done.wait(10)
    [warning] = [w for w in record if "scheduled change" in str(w.message)]
    assert warning.category is phaseout.exceptions.SettingsWarning
    assert "RuntimeError: boom" in str(warning.message)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"since": "2.0", "removed_in": "2027-06-30"},
            "f: a timeline is all versions or all dates, got removed_in='2027-06-30' and "
            "since='2.0'; to give versions dates, list them in the release calendar",
        ),
        ({"since": "2027-02-30"}, "f: since must be a real date (YYYY-MM-DD), got '2027-02-30'"),
        (
            {"since": datetime(2027, 1, 1, 12, 0)},
            "f: since must be a date, got the datetime datetime.datetime(2027, 1, 1, 12, 0); "
            "pass since=datetime.date(2027, 1, 1) (phases change at midnight UTC)",
        ),
        (
            {"since": "2027-06-30", "removed_in": date(2027, 6, 30)},
            "f: versions must increase strictly in the order since < compat_in < hard_in < "
            "removed_in, got since='2027-06-30' and removed_in='2027-06-30'",
        ),
    ],
)
def test_bad_dates_are_refused_at_declaration(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=r"^f: ") as raised:
        Timeline.parse("f", **options)
    assert str(raised.value).startswith(message)
    with pytest.raises(ValueError, match=r"must|a timeline") as declared:

        @phaseout.deprecated(**options)  # type: ignore[arg-type]
        def f() -> None:
            pass

    symbol = "tests.test_dates.test_bad_dates_are_refused_at_declaration.<locals>.f"
    assert str(declared.value) == f"{symbol}{str(raised.value).removeprefix('f')}"


def test_a_dated_docstring_and_pep702_text() -> None:
    assert old_call.__doc__ == (
        ".. deprecated:: 2026-12-01 Will be removed on 2027-06-30. Use svc.new_call instead.\n"
    )


# -- release calendars -----------------------------------------------------------------------


def test_a_calendar_dates_listed_and_estimated_versions() -> None:
    calendar = Calendar.parse(
        "mylib", {"1.0": "2026-01-15", "2.0": date(2026, 7, 1), "cadence": "3 months"}
    )
    v = Version
    assert calendar.date_of(v("2.0")) == Dated(date(2026, 7, 1), False)
    assert calendar.date_of(v("2.1")) == Dated(date(2026, 10, 1), True)
    assert calendar.date_of(v("2.3")) == Dated(date(2027, 4, 1), True)
    assert calendar.date_of(v("3.1")) == Dated(date(2027, 1, 1), True)  # 3.0, then 3.1
    assert calendar.date_of(v("1.5")) == Dated(date(2026, 7, 1), True)  # capped by 2.0
    # Unlisted pre-releases: four weeks before the release, never before the one before.
    assert calendar.date_of(v("3.0")) == Dated(date(2026, 10, 1), True)
    assert calendar.date_of(v("3.0.dev0")) == Dated(date(2026, 9, 3), True)
    assert calendar.date_of(v("2.0rc1")) == Dated(date(2026, 6, 3), True)
    close = Calendar.parse("m", {"1.0": "2026-01-01", "2.0": "2026-01-10"})
    assert close.date_of(v("2.0rc1")) == Dated(date(2026, 1, 1), True)
    assert calendar.date_of(v("0.9")) is None
    assert calendar.version_on(date(2026, 6, 30)) == v("1.0")
    assert calendar.version_on(date(2026, 7, 1)) == v("2.0")
    assert calendar.version_on(date(2025, 1, 1)) is None
    weekly = Calendar.parse("mylib", {"1.0": "2026-01-31", "cadence": "2 weeks"})
    assert weekly.date_of(v("1.2")) == Dated(date(2026, 2, 28), True)
    assert Calendar.parse("m", {"1.0": "2026-01-31"}).date_of(v("1.1")) is None
    month_end = Calendar.parse("m", {"1.0": "2026-01-31", "cadence": "1 month"})
    assert month_end.date_of(v("1.1")) == Dated(date(2026, 2, 28), True)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"two": "2027-01-01"}, "must be PEP 440 versions (or 'cadence'), got 'two'"),
        ({"2.0": "soon"}, "the date of 2.0 must be a date such as '2027-01-15'"),
        ({"cadence": "fortnightly"}, "cadence must be a number of days, weeks or months"),
        (
            {"1.0": "2027-01-01", "2.0": "2026-01-01"},
            "release dates must not go back in time, got 1.0 on 2027-01-01 and 2.0 on 2026",
        ),
        (["2.0"], "the release calendar must be a table of versions and dates"),
    ],
)
def test_bad_calendars_are_refused(table: object, message: str) -> None:
    with pytest.raises(ValueError, match=r"^mylib: ") as raised:
        Calendar.parse("mylib", table)
    assert message in str(raised.value)


def test_the_calendar_of_a_package_joins_pyproject_and_policy(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "mylib"\n\n[tool.phaseout.releases]\n'
        '"2.0" = 2027-01-15\n"3.0" = "2027-07-15"\ncadence = "12 weeks"\n'
    )
    calendar = release_calendar("mylib", pyproject)
    assert calendar.releases == {
        Version("2.0"): date(2027, 1, 15),
        Version("3.0"): date(2027, 7, 15),
    }
    assert calendar.cadence == (12, "week")
    phaseout.policy("mylib", releases={"3.0": "2027-08-01", "4.0": "2028-01-01"})
    joined = release_calendar("mylib", pyproject)
    assert joined.releases == {
        Version("2.0"): date(2027, 1, 15),
        Version("3.0"): date(2027, 8, 1),
        Version("4.0"): date(2028, 1, 1),
    }
    pyproject.write_text("[tool.phaseout\n")
    with pytest.raises(ValueError, match=r"pyproject\.toml is not valid TOML"):
        release_calendar("other", pyproject)
    with pytest.raises(ValueError, match="policy mylib: cadence must be"):
        phaseout.policy("mylib", releases={"cadence": "often"})


def test_the_text_form_pretends_a_day_too(record: list[warnings.WarningMessage]) -> None:
    with phaseout.pretend("today==2027-06-10"):
        old_call()
    assert [w.category for w in record] == [phaseout.RemovalWarning]
    phaseout.configure(pretend="today==2027-07-01")
    with pytest.raises(RemovedError, match=r"today is 2027-07-01 \(UTC\), pretended\)"):
        old_call()
    phaseout.configure(pretend="")
    with phaseout.pretend({"today": date(2027, 6, 30)}), pytest.raises(RemovedError):
        old_call()  # the mapping form, as @pytest.mark.phaseout_pretend gives it
    record.clear()
    with phaseout.pretend(today="2027-01-01"):
        old_call()
    assert [w.category for w in record] == [phaseout.DeprecatedWarning]


def test_phaseout_pretend_fixes_the_day_of_a_process(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "svc.py": (
                "import phaseout\n\n"
                "@phaseout.deprecated(since='2026-01-01', removed_in='2027-06-30')\n"
                "def old():\n    return 1\n"
            ),
        },
    )
    code = "import svc\ntry:\n    svc.old()\nexcept Exception as error:\n    print(error)\n"
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False,
        env={**env, "PHASEOUT_PRETEND": "today==2027-07-01"}, cwd=tmp_path,
    )  # fmt: skip
    assert done.stdout == (
        "svc.old() was removed on 2027-06-30 (deprecated since 2026-01-01; "
        "today is 2027-07-01 (UTC), pretended).\n"
    )
    bad = subprocess.run(
        [sys.executable, "-W", "always", "-c", code], capture_output=True, text=True,
        check=False, env={**env, "PHASEOUT_PRETEND": "today==soon"}, cwd=tmp_path,
    )  # fmt: skip
    assert "PHASEOUT_PRETEND: today must be a date such as '2027-01-15'" in bad.stderr
    assert "that item is ignored" in bad.stderr

"""Rollout: sticky buckets, overrides, fallback, shadow comparison and automatic rollback."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import phaseout
import phaseout.report
from phaseout import _usage
from phaseout.rollout import BUCKETS, RollbackPolicy, Rollout, _judging, bucket_of


class UserV2:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    def to_dict(self) -> dict[str, int]:
        return {"id": self.user_id}


def get_user_v1(user_id: int) -> dict[str, int]:
    return {"id": user_id}


def get_user_v2(user_id: int) -> UserV2:
    return UserV2(user_id)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


class Clock:
    """A monotonic clock the test moves: every reading advances it by *step* seconds."""

    def __init__(self, step: float = 0.001) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_the_example_routes_falls_back_shadows_and_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both paths take the same (simulated) time, so the latency rule stays quiet.
    monkeypatch.setattr(_judging, "_clock", Clock())
    log = tmp_path / "usage.jsonl"
    phaseout.configure(usage_log=log)
    get_user = Rollout(
        "users-v2",
        legacy=get_user_v1,
        new=get_user_v2,
        percent=10,
        key=lambda user_id, **_: user_id,
        fallback=True,
        shadow=0.05,
        compare=lambda legacy, new: legacy == new.to_dict(),
        rollback=RollbackPolicy(
            max_error_rate=0.01, max_mismatch_rate=0.05, max_p95_ratio=1.5,
            window=1_000, min_calls=100,
        ),
    )  # fmt: skip
    results = [get_user(user_id) for user_id in range(2_000)]
    routed_new = {i for i in range(2_000) if bucket_of("users-v2", i) < 1_000}
    assert [isinstance(r, UserV2) for r in results] == [i in routed_new for i in range(2_000)]
    stats = get_user.stats()
    assert stats.calls == {"legacy": 2_000 - len(routed_new), "new": len(routed_new)}
    assert (stats.errors, stats.fallbacks, stats.mismatches, stats.state) == (
        {"legacy": 0, "new": 0}, 0, 0, "active",
    )  # fmt: skip
    assert 40 <= stats.shadow_runs <= 170  # 5 % of 2,000, with room for chance
    assert stats.p95_ms["new"] is not None
    phaseout.flush_usage()
    usage = {
        (e["path"], e["outcome"]): e["count"]
        for e in read_jsonl(log)
        if e["event"] == "rollout_usage"
    }
    assert usage == {(path, "ok"): n for path, n in stats.calls.items()}
    assert all(e["schema"] == 1 and e["rollout"] == "users-v2" for e in read_jsonl(log))


def test_buckets_are_the_same_in_every_process_and_python() -> None:
    # Pinned: any change here would reshuffle every deployed rollout.
    expected = [5552, 610, 7732, 2281, 897]
    keys: list[object] = [1, 42, "alice", b"x", 10**20]
    assert [bucket_of("users-v2", key) for key in keys] == expected
    probe = "from phaseout.rollout import bucket_of; print(bucket_of('users-v2', 'alice'))"
    for seed in ("0", "12345"):
        out = subprocess.run(
            [sys.executable, "-c", probe],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert out.stdout == "7732\n"


@settings(max_examples=200)
@given(
    name=st.text(min_size=1, max_size=20),
    keys=st.lists(st.one_of(st.integers(), st.text(max_size=10)), max_size=30),
    low=st.floats(0, 100),
    high=st.floats(0, 100),
)
def test_raising_percent_never_moves_a_key_back_to_legacy(
    name: str, keys: list[object], low: float, high: float
) -> None:
    low, high = sorted((low, high))
    rollout = Rollout(name, legacy=get_user_v1, new=get_user_v2, key=lambda k: k)
    rollout.set_percent(low)
    before = [rollout.route(k) for k in keys]
    rollout.set_percent(high)
    after = [rollout.route(k) for k in keys]
    assert all(a == "new" for b, a in zip(before, after, strict=True) if b == "new")
    assert all(0 <= bucket_of(name, k) < BUCKETS for k in keys)


@settings(max_examples=20, deadline=None)
@given(percent=st.sampled_from([0.01, 1, 10, 25, 50, 90, 100]), name=st.text(min_size=1))
def test_the_share_served_matches_the_percent(percent: float, name: str) -> None:
    rollout = Rollout(name, legacy=get_user_v1, new=get_user_v2, percent=percent, key=lambda k: k)
    keys = 20_000
    share = sum(rollout.route(k) == "new" for k in range(keys)) / keys
    # Four standard deviations of a binomial share: fails by chance about once in 15,000 runs.
    sigma = (percent / 100 * (1 - percent / 100) / keys) ** 0.5
    assert abs(share - percent / 100) <= 4 * sigma + 1 / keys


def test_overrides_allow_deny_environment_and_force(monkeypatch: pytest.MonkeyPatch) -> None:
    rollout = Rollout(
        "ov", legacy=get_user_v1, new=get_user_v2, percent=0, key=lambda k: k,
        allow={7}, deny={8},
    )  # fmt: skip
    assert [rollout.route(k) for k in (6, 7, 8)] == ["legacy", "new", "legacy"]
    rollout.set_percent(100)
    assert [rollout.route(k) for k in (6, 7, 8)] == ["new", "new", "legacy"]
    with rollout.force("legacy"):
        assert rollout.route(7) == "legacy"
        seen: list[str] = []
        other = threading.Thread(target=lambda: seen.append(rollout.route(6)))
        other.start()
        other.join()
        assert seen == ["new"]  # force() is local to this context, not process-wide
    monkeypatch.setenv("PHASEOUT_ROLLOUT", "other=50, ov=0")
    rollout.set_percent(100)
    assert rollout.route(6) == "legacy"  # the environment wins over code
    monkeypatch.setenv("PHASEOUT_ROLLOUT", "ov=lots")
    with pytest.warns(
        phaseout.exceptions.SettingsWarning,
        match=r"^PHASEOUT_ROLLOUT: the percent of 'ov' must be a number from 0 to 100, got "
        r"'lots'; the variable is ignored for this rollout$",
    ):
        rollout.set_percent(5)  # a bad variable is reported and ignored, never raised
    assert rollout.percent == 5
    with pytest.raises(ValueError, match=r"percent must be a number from 0 to 100, got 101"):
        Rollout("x", legacy=get_user_v1, new=get_user_v2, percent=101)
    with pytest.raises(ValueError, match=r"force\(\) takes 'legacy' or 'new', got 'v2'"):
        with rollout.force("v2"):  # type: ignore[arg-type]
            pass


def test_without_a_key_each_call_draws() -> None:
    rollout = Rollout("draw", legacy=lambda: "legacy", new=lambda: "new", percent=50)
    served = [rollout() for _ in range(2_000)]
    assert 800 < served.count("new") < 1_200


def test_fallback_serves_legacy_when_new_fails() -> None:
    def broken(user_id: int) -> UserV2:
        raise RuntimeError("v2 is down")

    rollout = Rollout("fb", legacy=get_user_v1, new=broken, percent=100, fallback=True)
    assert rollout(3) == {"id": 3}
    stats = rollout.stats()
    assert (stats.errors["new"], stats.fallbacks, stats.calls["new"]) == (1, 1, 1)
    assert _usage.rollout_counts()[("fb", "new", "fallback")] == 1
    strict = Rollout("nofb", legacy=get_user_v1, new=broken, percent=100)
    with pytest.raises(RuntimeError, match="v2 is down"):
        strict(3)


def test_shadow_mismatches_and_errors_are_logged_and_never_reach_the_caller(
    tmp_path: Path,
) -> None:
    log = tmp_path / "usage.jsonl"
    phaseout.configure(usage_log=log)

    def new(user_id: int) -> UserV2:
        if user_id == 13:
            raise ValueError("unlucky")
        return UserV2(user_id + (1 if user_id == 5 else 0))

    rollout = Rollout(
        "sh", legacy=get_user_v1, new=new, percent=0, shadow=1.0,
        compare=lambda legacy, new: legacy == new.to_dict(),
    )  # fmt: skip
    assert [rollout(i) for i in (4, 5, 13)] == [{"id": 4}, {"id": 5}, {"id": 13}]
    stats = rollout.stats()
    assert (stats.shadow_runs, stats.mismatches, stats.shadow_errors) == (3, 1, 1)
    phaseout.flush_usage()
    events = [
        e for e in read_jsonl(log) if e["event"] in ("rollout_mismatch", "rollout_shadow_error")
    ]
    assert [(e["event"], e.get("error")) for e in events] == [
        ("rollout_mismatch", None),
        ("rollout_shadow_error", "ValueError: unlucky"),
    ]


def test_an_async_shadow_does_not_delay_the_caller() -> None:
    async def scenario() -> tuple[int, Any]:
        gate = asyncio.Event()

        async def legacy(x: int) -> int:
            await gate.wait()  # the shadow cannot finish before the caller has its result
            return x

        async def new(x: int) -> int:
            return x

        rollout = Rollout("async", legacy=legacy, new=new, percent=100, shadow=1.0)
        result = await asyncio.wait_for(rollout(7), timeout=10)
        gate.set()
        for _ in range(10):
            await asyncio.sleep(0)
        return result, rollout.stats()

    result, stats = asyncio.run(scenario())
    assert result == 7
    assert (stats.shadow_runs, stats.mismatches, stats.calls["new"]) == (1, 0, 1)


def test_a_failing_new_path_is_rolled_back_within_the_window(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    phaseout.configure(usage_log=log)
    calls = {"n": 0}

    def new(user_id: int) -> dict[str, int]:
        calls["n"] += 1
        if calls["n"] > 300:
            raise ConnectionError("new store unreachable")
        return {"id": user_id}

    policy = RollbackPolicy(max_error_rate=0.05, window=200, min_calls=100)
    rollout = Rollout(
        "rb", legacy=get_user_v1, new=new, percent=100, fallback=True, rollback=policy
    )
    with pytest.warns(
        phaseout.exceptions.RolloutWarning,
        match=r"^Rollout 'rb' rolled back to the legacy path \(calls 200, error_rate 0\.\d+, mismatch_rate 0\); call resume\(\) once the new path is fixed$",
    ):
        results = [rollout(i) for i in range(1_000)]  # no caller sees an exception
    assert results == [{"id": i} for i in range(1_000)]
    stats = rollout.stats()
    assert stats.state == "rolled_back"
    assert stats.errors["new"] <= 200 * 0.05 + 20  # tripped within the window
    assert stats.rolled_back_because is not None
    assert stats.rolled_back_because["error_rate"] > 0.05
    phaseout.flush_usage()
    rolled = [e for e in read_jsonl(log) if e["event"] == "rollout_rolled_back"]
    assert len(rolled) == 1
    assert rolled[0]["error_rate"] == stats.rolled_back_because["error_rate"]
    assert rollout.route(1) == "legacy"
    rollout.resume()
    assert (rollout.route(1), rollout.rolled_back) == ("new", False)
    rollout.rollback()
    assert rollout.stats().rolled_back_because == {"manual": 1.0}


def test_threads_routing_while_percent_changes_keep_exact_counts() -> None:
    rollout = Rollout("threads", legacy=get_user_v1, new=get_user_v1, percent=0, key=lambda k: k)
    stop = threading.Event()

    def dial() -> None:
        step = 0
        while not stop.is_set():
            rollout.set_percent(step % 101)
            step += 7

    def work() -> None:
        for i in range(5_000):
            rollout(i)

    knob = threading.Thread(target=dial)
    knob.start()
    workers = [threading.Thread(target=work) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    stop.set()
    knob.join()
    stats = rollout.stats()
    assert sum(stats.calls.values()) == 40_000
    counts = _usage.rollout_counts()
    assert sum(n for (name, _, _), n in counts.items() if name == "threads") == 40_000


def test_configuration_from_a_mapping() -> None:
    rollout = Rollout.from_config(
        "cfg",
        {"percent": 25, "allow": [1], "deny": [2], "shadow": 0.5, "fallback": True,
         "rollback": {"max_error_rate": 0.1, "window": 50, "min_calls": 10}},
        legacy=get_user_v1, new=get_user_v2, key=lambda k: k,
    )  # fmt: skip
    assert (rollout.percent, rollout.shadow, rollout.fallback) == (25, 0.5, True)
    assert rollout.rollback_policy == RollbackPolicy(max_error_rate=0.1, window=50, min_calls=10)
    bad: list[tuple[dict[str, Any], str]] = [
        ({"percent": "high"}, r"rollout 'cfg': percent must be a number from 0 to 100, got 'high'"),
        ({"shadow": 2}, r"rollout 'cfg': shadow must be a number from 0 to 1, got 2"),
        ({"allow": "alice"}, r"rollout 'cfg': allow must be a list of keys, got 'alice'"),
        ({"fallback": "yes"}, r"rollout 'cfg': fallback must be true or false, got 'yes'"),
        ({"percnt": 5}, r"rollout 'cfg': unknown key 'percnt'"),
        (
            {"rollback": {"window": 0}},
            r"rollout 'cfg': rollback.window must be a positive integer, got 0",
        ),
        (
            {"rollback": {"max_error_rate": 3}},
            r"rollback.max_error_rate must be a number from 0 to 1, got 3",
        ),
        ({"rollback": {"speed": 1}}, r"unknown rollback key 'speed'"),
    ]
    for config, message in bad:
        with pytest.raises(ValueError, match=message):
            Rollout.from_config("cfg", config, legacy=get_user_v1, new=get_user_v2)


def test_a_slow_new_path_is_rolled_back_on_latency(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(step=0.0)
    monkeypatch.setattr(_judging, "_clock", clock)

    def legacy(x: int) -> int:
        clock.now += 0.001
        return x

    def new(x: int) -> int:
        clock.now += 0.004  # four times slower
        return x

    policy = RollbackPolicy(max_p95_ratio=1.5, window=100, min_calls=50)
    rollout = Rollout("slow", legacy=legacy, new=new, percent=50, key=lambda x: x, rollback=policy)
    with pytest.warns(phaseout.exceptions.RolloutWarning, match=r"^Rollout 'slow' rolled back"):
        for i in range(1_000):
            rollout(i)
    because = rollout.stats().rolled_back_because
    assert because is not None
    assert because["p95_ratio"] == pytest.approx(4.0)


def test_the_report_shows_each_rollouts_share_per_day(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    phaseout.configure(usage_log=log)
    rollout = Rollout("users-v2", legacy=get_user_v1, new=get_user_v1, percent=30, key=lambda k: k)
    for user_id in range(1_000):
        rollout(user_id)
    phaseout.flush_usage()
    with log.open("a") as out:  # a broken rollout line and another app's line
        out.write('{"event": "rollout_usage", "schema": 1, "path": "sideways"}\n')
        out.write('{"event": "rollout_usage_report_sent", "by": "cron"}\n')
    new = sum(bucket_of("users-v2", k) < 3_000 for k in range(1_000))
    summary = phaseout.report.summarize([log])
    (day,) = summary.rollouts["users-v2"]
    assert summary.rollouts == {"users-v2": {day: {"legacy": 1_000 - new, "new": new}}}
    assert (summary.skipped, summary.ignored) == (1, 1)
    document = json.loads(phaseout.report.render(summary, "json"))
    assert document["rollouts"] == [
        {"rollout": "users-v2", "day": day, "legacy": 1_000 - new, "new": new}
    ]
    table = phaseout.report.render(summary, "table")
    assert "Rollouts: calls per path and day" in table
    assert f"users-v2  {day}  {1_000 - new:>6}  {new:>3}  {new / 1_000:>9.1%}" in table
    page = phaseout.report.render(summary, "html")
    assert "Share of users-v2 calls on the new path, % per day" in page


def test_decisions_can_come_from_an_openfeature_provider() -> None:
    from openfeature import api
    from openfeature.evaluation_context import EvaluationContext
    from openfeature.flag_evaluation import FlagResolutionDetails
    from openfeature.provider.in_memory_provider import InMemoryFlag, InMemoryProvider

    seen: list[str | None] = []

    def beta_users(flag: Any, context: EvaluationContext) -> FlagResolutionDetails[bool]:
        seen.append(context.targeting_key)
        return FlagResolutionDetails(value=context.targeting_key in {"7", "8"})

    flag = InMemoryFlag("off", {"on": True, "off": False}, context_evaluator=beta_users)
    api.set_provider(InMemoryProvider({"of-users": flag}))
    rollout = Rollout(
        "of-users", legacy=get_user_v1, new=get_user_v2, key=lambda k: k, deny={8},
        openfeature=api.get_client(),
    )  # fmt: skip
    assert [rollout.route(k) for k in (6, 7, 8)] == ["legacy", "new", "legacy"]
    assert seen == ["6", "7"]  # the key is the targeting key; deny came first for 8
    rollout.rollback()
    assert rollout.route(7) == "legacy"
    rollout.resume()
    with rollout.force("legacy"):
        assert rollout.route(7) == "legacy"
    assert isinstance(rollout(7), UserV2)
    with pytest.raises(TypeError, match=r"openfeature must be an OpenFeature client"):
        Rollout("bad", legacy=get_user_v1, new=get_user_v2, openfeature="client")


# -- hardening ------------------------------------------------------------------------


def test_setting_percent_routes_by_it() -> None:
    rollout = Rollout("pct", legacy=get_user_v1, new=get_user_v2, percent=0, key=lambda k: k)
    rollout.percent = 30
    assert rollout.percent == 30
    assert rollout.stats().percent == 30
    new = sum(rollout.route(k) == "new" for k in range(1_000))
    assert new == sum(bucket_of("pct", k) < 3_000 for k in range(1_000))
    assert new > 0
    with pytest.raises(ValueError, match=r"percent must be a number from 0 to 100, got 130"):
        rollout.percent = 130
    assert rollout.percent == 30


FORK_SCRIPT = """
import os, sys, threading, time, warnings
warnings.simplefilter("ignore")  # fork() in a threaded process warns on 3.12+
from phaseout.rollout import Rollout

rollout = Rollout("forky", legacy=lambda x: x, new=lambda x: -x, percent=50, key=lambda x: x)
stop = threading.Event()

def route_forever():
    i = 0
    while not stop.is_set():
        rollout(i)
        i += 1

thread = threading.Thread(target=route_forever, daemon=True)
thread.start()
children = []
for _ in range(50):
    time.sleep(0.001)
    pid = os.fork()
    if pid == 0:
        rollout(1)  # deadlocks if the lock was held by the routing thread at fork()
        os._exit(0)
    children.append(pid)
stuck = 0
deadline = time.monotonic() + 20
for pid in children:
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            stuck += 1
            break
        time.sleep(0.005)
stop.set()
print(stuck)
"""


def test_children_forked_while_a_thread_routes_do_not_deadlock() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FORK_SCRIPT], capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "0\n", "")


def test_sub_millisecond_latency_noise_never_rolls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(step=0.0)
    monkeypatch.setattr(_judging, "_clock", clock)

    def legacy(x: int) -> int:
        clock.now += 0.0000004
        return x

    def new(x: int) -> int:
        clock.now += 0.0000008  # twice as slow, by 0.4 microseconds
        return x

    def run(policy: RollbackPolicy) -> Rollout:
        rollout = Rollout(
            "noisy", legacy=legacy, new=new, percent=50, key=lambda x: x, rollback=policy
        )
        for i in range(2_000):
            rollout(i)
        return rollout

    assert not run(RollbackPolicy(max_p95_ratio=1.5, window=100, min_calls=50)).rolled_back
    with pytest.warns(phaseout.exceptions.RolloutWarning):
        strict = run(
            RollbackPolicy(max_p95_ratio=1.5, window=100, min_calls=50, min_p95_delta_ms=0)
        )
    assert strict.rolled_back
    with pytest.raises(
        ValueError, match=r"min_p95_delta_ms must be a number of milliseconds >= 0, got -1"
    ):
        RollbackPolicy(min_p95_delta_ms=-1)


def test_a_rollback_is_reported_in_the_usage_report(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    phaseout.configure(usage_log=log)

    def new(x: int) -> int:
        raise ConnectionError("down")

    policy = RollbackPolicy(max_error_rate=0.1, window=100, min_calls=10)
    rollout = Rollout(
        "rb-report", legacy=lambda x: x, new=new, percent=100, fallback=True, rollback=policy
    )
    with pytest.warns(phaseout.exceptions.RolloutWarning):
        for i in range(20):
            rollout(i)
    phaseout.flush_usage()
    summary = phaseout.report.summarize([log])
    assert summary.ignored == 0
    assert [(r.rollout, r.reasons["error_rate"]) for r in summary.rollbacks] == [("rb-report", 1.0)]
    table = phaseout.report.render(summary, "table")
    assert "Rollbacks" in table
    assert "rb-report" in table
    document = json.loads(phaseout.report.render(summary, "json"))
    assert [r["rollout"] for r in document["rollbacks"]] == ["rb-report"]
    assert "rb-report" in phaseout.report.render(summary, "markdown")
    assert "rb-report" in phaseout.report.render(summary, "html")


def test_an_async_shadow_that_never_finishes_hides_no_call() -> None:
    async def scenario() -> Any:
        async def legacy(x: int) -> int:
            await asyncio.Event().wait()  # never finishes
            return x

        async def new(x: int) -> int:
            return x

        rollout = Rollout("hung", legacy=legacy, new=new, percent=100, shadow=1.0)
        results = [await asyncio.wait_for(rollout(i), timeout=10) for i in range(3)]
        await asyncio.sleep(0)
        stats = rollout.stats()
        for task in list(rollout._shadow_tasks):
            task.cancel()
        return results, stats

    results, stats = asyncio.run(scenario())
    assert results == [0, 1, 2]
    assert (stats.calls["new"], stats.shadow_runs, stats.p50_ms["new"] is not None) == (3, 0, True)


def test_keys_that_cannot_be_encoded_or_hashed_are_routed() -> None:
    rollout = Rollout("keys", legacy=lambda k: "legacy", new=lambda k: "new", percent=50,
                      key=lambda k: k, deny=["blocked"])  # fmt: skip
    odd = "user\udcff"
    assert rollout.route(odd) == ("new" if bucket_of("keys", odd) < 5_000 else "legacy")
    assert bucket_of("keys", odd) == bucket_of("keys", "user\udcff")
    assert rollout(["a", "list"]) in ("legacy", "new")  # unhashable: not in deny, bucketed
    assert rollout.route({"a": 1}) == rollout.route({"a": 1})


def test_a_key_function_that_raises_is_served_by_legacy_and_reported_once() -> None:
    def key(user: Any) -> object:
        return user["id"]

    rollout = Rollout(
        "badkey", legacy=lambda u: "legacy", new=lambda u: "new", percent=100, key=key
    )
    with pytest.warns(phaseout.exceptions.RolloutWarning) as record:
        assert rollout(None) == "legacy"
        assert rollout(None) == "legacy"
    assert [str(w.message) for w in record] == [
        "Rollout 'badkey' could not route a call by its key (TypeError: 'NoneType' object is not "
        "subscriptable); it was served by the legacy path"
    ]
    assert rollout({"id": 1}) == "new"


def test_system_exit_in_a_shadow_does_not_reach_the_caller() -> None:
    def new(x: int) -> int:
        raise SystemExit(3)

    rollout = Rollout("exit", legacy=lambda x: x, new=new, percent=0, shadow=1.0)
    assert rollout(5) == 5
    stats = rollout.stats()
    assert (stats.shadow_runs, stats.shadow_errors) == (1, 1)


def test_a_large_window_is_sorted_rarely(monkeypatch: pytest.MonkeyPatch) -> None:
    sorts: list[int] = []
    original = _judging._percentile

    def counting(samples: Any, fraction: float) -> float | None:
        sorts.append(len(samples))
        return original(samples, fraction)

    monkeypatch.setattr(_judging, "_percentile", counting)
    policy = RollbackPolicy(max_p95_ratio=100, max_error_rate=0.5, window=100_000, min_calls=100)
    rollout = Rollout(
        "big", legacy=lambda x: x, new=lambda x: x, percent=50, key=lambda x: x, rollback=policy
    )
    for i in range(40_000):
        rollout(i)
    # The p95 rule is judged every window // 20 new-path calls (about 20,000 here): at most
    # a few sorts, not one per ten calls.
    assert 0 < len(sorts) <= 8
    assert not rollout.rolled_back

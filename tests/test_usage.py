"""Usage accounting and sinks: exact counts per call site, events, failure isolation, processes."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import structlog

import phaseout
from phaseout import _usage
from phaseout.exceptions import UsageLogWarning
from phaseout.processors import EVENT_KEYS, keep_usage_events
from phaseout.report import summarize
from phaseout.typing import SiteUsage

from .helpers import here

THIS = __file__
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def soft(func: Callable[[int], int]) -> Callable[[int], int]:
    return phaseout.deprecated(since="1.0", removed_in="9.0", current_version="1.5")(func)


@soft
def old(x: int) -> int:
    return x * 2


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    raw = path.read_bytes()
    assert raw.endswith(b"\n") or not raw
    return [json.loads(line) for line in raw.splitlines()]


@pytest.mark.usefixtures("quiet")
def test_usage_counts_each_call_site_with_its_caller_file_and_line() -> None:
    def index() -> None:
        for i in range(7):
            old(i)

    index()
    line_in_index = here() - 3
    for i in range(3):
        old(i)
    line_in_test = here() - 1
    counts = {(u.caller, u.line): u.count for u in phaseout.usage()}
    name = __name__
    assert counts == {
        (f"{name}:test_usage_counts_each_call_site_with_its_caller_file_and_line.<locals>.index"
         if sys.version_info >= (3, 11) else f"{name}:index", line_in_index): 7,
        (f"{name}:test_usage_counts_each_call_site_with_its_caller_file_and_line", line_in_test): 3,
    }  # fmt: skip
    record = phaseout.usage()[0]
    assert record == SiteUsage(
        symbol=f"{__name__}.old",
        package=record.package,
        phase=phaseout.Phase.SOFT,
        caller=record.caller,
        file=THIS,
        line=line_in_index,
        count=7,
    )


@pytest.mark.usefixtures("quiet")
def test_every_kind_of_use_is_counted_at_the_users_line() -> None:
    class Base:
        @phaseout.deprecated(since="1.0", removed_in="9.0", current_version="1.5")  # type: ignore[prop-decorator]
        @property
        def prop(self) -> int:
            return 1

        @phaseout.deprecated(since="1.0", removed_in="9.0", current_version="1.5")
        @classmethod
        def make(cls) -> int:
            return 2

    @phaseout.deprecated(since="1.0", removed_in="9.0", current_version="1.5")
    class Gadget:
        pass

    def new_api(x: int) -> int:
        return x + 100

    @phaseout.deprecated(
        since="1.0", compat_in="2.0", removed_in="9.0", current_version="2.5", replacement=new_api
    )
    def forwarded(x: int) -> int:
        return x

    lines = {}
    assert Base().prop == 1
    lines["prop"] = here() - 1
    assert Base.make() == 2
    lines["make"] = here() - 1
    Gadget()
    lines["Gadget"] = here() - 1

    class Sub(Gadget):
        pass

    lines["Sub"] = here() - 3
    assert forwarded(1) == 101
    lines["forwarded"] = here() - 1
    assert {u.file for u in phaseout.usage()} == {THIS}
    by_line = {(u.symbol.rsplit(".", 1)[-1], u.line): u.count for u in phaseout.usage()}
    assert by_line == {
        ("prop", lines["prop"]): 1,
        ("make", lines["make"]): 1,
        ("Gadget", lines["Gadget"]): 1,
        ("Gadget", lines["Sub"]): 1,
        ("forwarded", lines["forwarded"]): 1,
    }
    phases = {u.symbol.rsplit(".", 1)[-1]: u.phase for u in phaseout.usage()}
    assert phases["forwarded"] is phaseout.Phase.COMPAT


@pytest.mark.usefixtures("quiet")
def test_file_sink_announces_a_site_at_once_and_writes_counts_on_flush(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    phaseout.configure(usage_log=log)

    def call() -> int:
        return old(1)

    line = here() - 2
    call()
    assert not log.exists()  # the caller never writes: the flusher thread does
    for _ in range(41):
        call()
    assert phaseout.flush_usage() == 2
    assert phaseout.flush_usage() == 0  # nothing new: nothing written
    events = read_jsonl(log)
    assert [e["event"] for e in events] == ["deprecated_call", "deprecated_usage"]
    announced, counted = events
    assert counted["count"] == 42
    assert "count" not in announced
    for event in events:
        assert list(event) == [key for key in EVENT_KEYS if key in event]
        assert event["schema"] == 1
        assert event["pid"] == os.getpid()
        assert STAMP.match(event["timestamp"])
        assert event["symbol"] == f"{__name__}.old"
        assert event["phase"] == "soft"
        assert (event["since"], event["removed_in"], event["replacement"]) == ("1.0", "9.0", None)
        assert event["caller"].startswith(f"{__name__}:")
        assert event["caller"].endswith("call")
        assert (event["file"], event["line"]) == (THIS, line)
    call()
    phaseout.flush_usage()
    assert [e.get("count") for e in read_jsonl(log)] == [None, 42, 1]


@pytest.mark.usefixtures("quiet")
def test_a_million_calls_from_three_sites_write_six_lines(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    phaseout.configure(usage_log=log)
    for _ in range(333_334):
        old(1)
        old(2)
        old(3)
    phaseout.flush_usage()
    events = read_jsonl(log)
    assert len(events) == 6
    assert sorted(e.get("count", 0) for e in events) == [0, 0, 0, 333_334, 333_334, 333_334]


@pytest.mark.usefixtures("quiet")
def test_a_reset_starts_the_flush_interval_over(tmp_path: Path) -> None:
    # The flusher thread outlives a reset (it is the process's); its last periodic flush may
    # be long ago. After a reset, the next periodic flush must be a whole interval away, or a
    # test's exact line counts depend on when the thread last flushed.
    phaseout.configure(usage_log=tmp_path / "before.jsonl")
    old(1)  # starts the flusher thread
    phaseout.flush_usage()
    _usage.STATE.interval_start -= 3600.0  # as if its last periodic flush were an hour ago
    phaseout.testing.reset()
    log = tmp_path / "usage.jsonl"
    phaseout.configure(usage_log=log)

    def use() -> None:
        old(1)  # one call site throughout

    use()
    phaseout.configure(flush_interval=60.0)  # a settings change wakes the flusher
    deadline = time.monotonic() + 30
    while _usage.STATE.wake.is_set() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # a flusher that thought the interval over would be flushing now
    use()
    phaseout.flush_usage()
    assert [(e["event"], e.get("count")) for e in read_jsonl(log)] == [
        ("deprecated_call", None),
        ("deprecated_usage", 2),
    ]


@pytest.mark.usefixtures("quiet")
def test_no_sink_by_default_and_counts_kept_in_process(tmp_path: Path) -> None:
    os.chdir(tmp_path)
    old(1)
    assert phaseout.flush_usage() == 0
    assert list(tmp_path.iterdir()) == []
    assert [u.count for u in phaseout.usage()] == [1]


def test_counts_are_exact_under_sixteen_threads(tmp_path: Path, quiet: None) -> None:
    log = tmp_path / "usage.jsonl"
    phaseout.configure(usage_log=log, flush_interval=0.01)  # flushes race the calls
    start = threading.Barrier(16)

    def work() -> None:
        start.wait()
        for i in range(100_000):
            old(i)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [u.count for u in phaseout.usage()] == [1_600_000]
    phaseout.flush_usage()
    events = read_jsonl(log)
    assert sum(e.get("count", 0) for e in events) == 1_600_000
    assert [e["event"] for e in events].count("deprecated_call") == 1


@pytest.mark.usefixtures("quiet")
def test_the_flusher_thread_writes_counts_without_being_asked(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    phaseout.configure(usage_log=log, flush_interval=0.05)
    for i in range(5):
        old(i)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if log.exists() and any(e.get("count") == 5 for e in read_jsonl(log)):
            break
        time.sleep(0.01)
    assert [e.get("count") for e in read_jsonl(log)] == [None, 5]


class ObservedLock:
    """A lock that says when a thread starts waiting for it."""

    def __init__(self, lock: Any) -> None:
        self.lock = lock
        self.waiting = threading.Semaphore(0)

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        self.waiting.release()
        return bool(self.lock.acquire(blocking, timeout))

    def release(self) -> None:
        self.lock.release()

    def __enter__(self) -> None:
        self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


@pytest.mark.usefixtures("quiet")
def test_a_flush_that_waited_out_a_configure_writes_to_the_new_sinks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = ObservedLock(_usage.STATE.flush_lock)
    monkeypatch.setattr(_usage.STATE, "flush_lock", lock)
    stuck = BlockingLogger()
    phaseout.configure(structlog_logger=stuck)
    old(1)
    first = threading.Thread(target=phaseout.flush_usage, daemon=True)
    first.start()
    assert stuck.entered.wait(30)  # the first flush holds the lock, stuck in the logger
    assert lock.waiting.acquire(timeout=30)
    second = threading.Thread(target=phaseout.flush_usage, daemon=True)
    second.start()
    assert lock.waiting.acquire(timeout=30)  # the second flush waits for the lock
    log = tmp_path / "usage.jsonl"
    phaseout.configure(structlog_logger=None, usage_log=log)
    old(2)
    line = here() - 1
    stuck.release.set()
    first.join(30)
    second.join(30)
    phaseout.flush_usage()
    new_site = [(e["event"], e.get("count")) for e in read_jsonl(log) if e["line"] == line]
    assert new_site == [("deprecated_call", None), ("deprecated_usage", 1)]
    assert "deprecated_call" not in stuck.events[2:]  # the old sink was not told of it


@pytest.mark.usefixtures("quiet")
def test_configure_does_not_write_again_what_an_unchanged_sink_was_told(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    stream = io.StringIO()
    logger = BlockingLogger()
    logger.release.set()

    def use() -> None:
        old(1)  # one call site throughout

    phaseout.configure(usage_log=log)
    use()
    assert phaseout.flush_usage() == 2
    # New sink objects, the same file (an hour between background flushes: none in the test).
    phaseout.configure(flush_interval=3600.0)
    assert phaseout.flush_usage() == 0
    phaseout.configure(usage_log=stream, structlog_logger=logger)  # two new targets are told all
    use()
    assert phaseout.flush_usage() == 4
    phaseout.configure(usage_log=log)  # back to the file: only the count it has not seen
    assert phaseout.flush_usage() == 1
    assert [(e["event"], e.get("count")) for e in read_jsonl(log)] == [
        ("deprecated_call", None),
        ("deprecated_usage", 1),
        ("deprecated_usage", 1),
    ]
    assert logger.events == ["deprecated_call", "deprecated_usage"]
    assert [json.loads(line).get("count") for line in stream.getvalue().splitlines()] == [None, 2]


@pytest.mark.usefixtures("quiet")
def test_flush_usage_gives_up_waiting_for_a_flush_stuck_in_a_sink() -> None:
    stuck = BlockingLogger()
    phaseout.configure(structlog_logger=stuck)
    old(1)
    first = threading.Thread(target=phaseout.flush_usage, daemon=True)
    first.start()
    assert stuck.entered.wait(30)  # the first flush is stuck in the logger
    started = time.monotonic()
    assert phaseout.flush_usage(timeout=0.2) == 0
    assert 0.2 <= time.monotonic() - started < 10
    old(1)  # counted meanwhile, written by a later flush
    stuck.release.set()
    first.join(30)
    phaseout.flush_usage()
    assert stuck.events.count("deprecated_usage") == 2
    with pytest.raises(ValueError, match="timeout must be a number of seconds >= 0, got -1"):
        phaseout.flush_usage(timeout=-1)


class FlakyStream:
    """A text stream that fails its first *failures* writes, like a full disk."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.lines: list[str] = []

    def write(self, text: str) -> int:
        if self.failures:
            self.failures -= 1
            raise OSError(28, "No space left on device")
        self.lines.append(text)
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.usefixtures("quiet")
def test_a_failing_sink_never_breaks_the_call_and_loses_no_count() -> None:
    stream = FlakyStream(failures=3)
    phaseout.configure(usage_log=stream)

    def call(x: int) -> int:
        return old(x)

    with pytest.warns(UsageLogWarning) as record:
        assert call(21) == 42
        assert call(1) == 2
        phaseout.flush_usage()  # the announcement fails: the result is untouched
        phaseout.flush_usage()  # fails again
        phaseout.flush_usage()  # and again: still reported only once
    reports = [w for w in record if w.category is UsageLogWarning]
    assert len(reports) == 1
    text = str(reports[0].message)
    assert "usage log stream" in text
    assert "No space left on device" in text
    assert "kept for the next flush" in text
    phaseout.flush_usage()  # the sink works again: everything arrives, once
    events = [json.loads(line) for line in stream.lines]
    assert [(e["event"], e.get("count")) for e in events] == [
        ("deprecated_call", None),
        ("deprecated_usage", 2),
    ]
    phaseout.flush_usage()
    assert len(stream.lines) == 2


@pytest.mark.usefixtures("quiet")
def test_a_closed_file_and_a_broken_processor_are_reported_once_each(tmp_path: Path) -> None:
    closed = (tmp_path / "closed.jsonl").open("w")
    closed.close()

    def broken(logger: Any, method: str, event_dict: Any) -> Any:
        raise RuntimeError("processor bug")

    logger = structlog.wrap_logger(
        structlog.PrintLogger(io.StringIO()),
        processors=[broken, structlog.processors.JSONRenderer()],
    )
    phaseout.configure(usage_log=closed, structlog_logger=logger)
    with pytest.warns(UsageLogWarning) as record:
        assert old(2) == 4
        phaseout.flush_usage()
    messages = sorted(str(w.message) for w in record if w.category is UsageLogWarning)
    assert len(messages) == 2
    assert "I/O operation on closed file" in messages[0]
    assert "usage logger" in messages[1]
    assert "processor bug" in messages[1]
    assert [u.count for u in phaseout.usage()] == [1]


def test_an_error_filter_on_the_report_does_not_reach_the_call(
    capsys: pytest.CaptureFixture[str],
) -> None:
    phaseout.configure(usage_log=FlakyStream(failures=100))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", UsageLogWarning)
        assert old(5) == 10
        assert phaseout.flush_usage() == 0
    assert "UsageLogWarning: phaseout could not write usage events" in capsys.readouterr().err


@pytest.mark.usefixtures("quiet")
def test_events_go_through_the_applications_structlog_pipeline() -> None:
    out = io.StringIO()
    logger = structlog.wrap_logger(
        structlog.PrintLogger(out),
        processors=[
            keep_usage_events,
            structlog.processors.add_log_level,
            structlog.processors.JSONRenderer(sort_keys=True),
        ],
    )
    phaseout.configure(structlog_logger=logger)
    for _ in range(2):
        old(1)
    logger.info("unrelated", user="x")  # the app's own event, dropped by keep_usage_events
    phaseout.flush_usage()
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(e["event"], e["level"], e.get("count")) for e in events] == [
        ("deprecated_call", "info", None),
        ("deprecated_usage", "info", 2),
    ]
    assert all(e["schema"] == 1 and e["pid"] == os.getpid() for e in events)
    assert all(e["symbol"] == f"{__name__}.old" for e in events)


def test_bad_settings_are_rejected_with_the_value_and_the_fix(monkeypatch: Any) -> None:
    with pytest.raises(
        ValueError, match=r"usage_log must be a file path or a writable text stream, got 42"
    ):
        phaseout.configure(usage_log=42)
    for bad in (-1, 0, 1e-300, float("inf")):
        with pytest.raises(
            ValueError,
            match=rf"^flush_interval must be a positive number of seconds from 0.001 to 86400, "
            rf"got {bad!r}$",
        ):
            phaseout.configure(flush_interval=bad)
    with pytest.raises(
        ValueError, match=r"structlog_logger must be a structlog logger .*, got 'log'"
    ):
        phaseout.configure(structlog_logger="log")


def run_script(
    tmp_path: Path, body: str, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent(body))
    return subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        **kwargs,
    )


LEGACY = """
    import phaseout

    @phaseout.deprecated(since="1.0", removed_in="9.0", current_version="1.5")
    def legacy(x):
        return x
"""


def test_a_script_with_the_env_variable_is_reported_exactly(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    done = run_script(
        tmp_path,
        LEGACY
        + """
    def view():
        for i in range(1234):
            legacy(i)

    view()
    for i in range(567):
        legacy(i)
    """,
        env={"PHASEOUT_USAGE_LOG": str(log), "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    report = subprocess.run(
        [sys.executable, "-m", "phaseout", "report", str(log), "--format", "json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    document = json.loads(report.stdout)
    assert {row["caller"]: row["count"] for row in document["rows"]} == {
        "__main__:view": 1234,
        "__main__:<module>": 567,
    }
    assert document["events"] == 4
    assert document["skipped"] == 0


def test_importing_and_using_phaseout_imports_no_structlog_and_prints_nothing(
    tmp_path: Path,
) -> None:
    done = run_script(
        tmp_path,
        LEGACY
        + """
    import sys
    legacy(1)
    phaseout.flush_usage()
    print("structlog" in sys.modules)
    """,
        env={"PYTHONWARNINGS": "ignore", "PHASEOUT_USAGE_LOG": str(tmp_path / "u.jsonl")},
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "False\n", "")


def test_a_forked_child_reports_only_its_own_counts(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    done = run_script(
        tmp_path,
        LEGACY
        + """
    import os, json, sys, warnings
    warnings.simplefilter("ignore")

    def parent_site():
        legacy(0)

    def child_site():
        legacy(0)

    for _ in range(10):
        parent_site()
    phaseout.flush_usage()
    for _ in range(5):
        parent_site()       # not flushed before the fork: the parent's to report
    pid = os.fork()
    if pid == 0:
        for _ in range(3):
            child_site()
        for _ in range(2):
            parent_site()
        counts = {u.caller.split(":")[1]: u.count for u in phaseout.usage()}
        print(json.dumps(counts), flush=True)
        sys.exit(0)         # the exit flush writes the child's counts
    os.waitpid(pid, 0)
    for _ in range(7):
        parent_site()
    """,
        env={"PHASEOUT_USAGE_LOG": str(log)},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"parent_site": 2, "child_site": 3}
    events = read_jsonl(log)
    pids = {e["pid"] for e in events}
    assert len(pids) == 2
    totals: dict[tuple[int, str], int] = {}
    for e in events:
        key = (e["pid"], e["caller"].split(":")[1])
        totals[key] = totals.get(key, 0) + e.get("count", 0)
    child = next(pid for pid, site in totals if site == "child_site")
    parent = (pids - {child}).pop()
    assert totals == {
        (parent, "parent_site"): 22,
        (child, "parent_site"): 2,
        (child, "child_site"): 3,
    }
    calls = [(e["pid"], e["caller"]) for e in events if e["event"] == "deprecated_call"]
    assert calls == [(parent, "__main__:parent_site"), (child, "__main__:child_site")]


def test_four_processes_appending_to_one_file_write_whole_lines(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    body = (
        LEGACY
        + """
    import sys, warnings
    warnings.simplefilter("ignore")
    namespace = {"legacy": legacy}
    # 40 call sites, each its own function on its own line.
    exec("\\n".join(f"def site_{i}():\\n    legacy({i})" for i in range(40)), namespace)
    sites = [namespace[f"site_{i}"] for i in range(40)]
    for round_ in range(60):
        for i, site in enumerate(sites):
            for _ in range(i + 1):
                site()
        phaseout.flush_usage()
    """
    )
    script = tmp_path / "worker.py"
    script.write_text(textwrap.dedent(body))
    env = {**os.environ, "PHASEOUT_USAGE_LOG": str(log), "PHASEOUT_FLUSH_INTERVAL": "0.001"}
    workers = [subprocess.Popen([sys.executable, str(script)], env=env) for _ in range(4)]
    assert [worker.wait() for worker in workers] == [0, 0, 0, 0]
    raw = log.read_bytes()
    lines = raw.split(b"\n")
    assert lines.pop() == b""
    events = [json.loads(line) for line in lines]  # every line is whole JSON
    assert len({e["pid"] for e in events}) == 4
    assert sum(e["event"] == "deprecated_call" for e in events) == 4 * 40
    expected_per_process = 60 * sum(range(1, 41))
    per_pid: dict[int, int] = {}
    for e in events:
        per_pid[e["pid"]] = per_pid.get(e["pid"], 0) + e.get("count", 0)
    assert sorted(per_pid.values()) == [expected_per_process] * 4
    summary = summarize([log], by=("symbol",))
    assert (summary.total, summary.skipped) == (4 * expected_per_process, 0)


def test_sigkill_loses_only_unflushed_counts_and_leaves_whole_lines(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    script = tmp_path / "victim.py"
    script.write_text(
        textwrap.dedent(
            LEGACY
            + """
    import warnings
    warnings.simplefilter("ignore")
    for round_ in range(6):
        for _ in range(1000):
            legacy(0)
        phaseout.flush_usage()
    phaseout.configure(flush_interval=0.002)
    print("flushed", flush=True)
    while True:             # the flusher thread keeps writing while we are killed
        legacy(0)
    """
        )
    )
    env = {**os.environ, "PHASEOUT_USAGE_LOG": str(log)}
    victim = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE)
    assert victim.stdout is not None
    assert victim.stdout.readline() == b"flushed\n"
    time.sleep(0.5)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    victim.stdout.close()
    raw = log.read_bytes()
    assert raw.endswith(b"\n")
    events = [json.loads(line) for line in raw.splitlines()]
    counts = [e["count"] for e in events if e["event"] == "deprecated_usage"]
    assert counts[:6] == [1000] * 6  # the explicit flushes, exactly
    assert len(counts) > 6  # and the flusher went on writing whole lines until the kill


@pytest.mark.usefixtures("quiet")
def test_a_sink_that_uses_deprecated_code_itself_does_not_deadlock() -> None:
    out = io.StringIO()

    def uses_old(logger: Any, method: str, event_dict: Any) -> Any:
        event_dict["doubled"] = old(2)  # a deprecated call from inside the sink
        return event_dict

    logger = structlog.wrap_logger(
        structlog.PrintLogger(out), processors=[uses_old, structlog.processors.JSONRenderer()]
    )
    phaseout.configure(structlog_logger=logger)
    assert old(1) == 2
    phaseout.flush_usage()
    phaseout.flush_usage()
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert all(e["doubled"] == 4 for e in events)
    sites = sorted((e["event"], e["line"]) for e in events)
    # The processor's own site was announced and counted by the next flush.
    assert [kind for kind, _ in sites].count("deprecated_call") == 2
    assert sum(u.count for u in phaseout.usage()) == 1 + len(events)


# -- a sink never blocks or slows the caller ------------------------------------------


def _in_thread(work: Callable[[], object]) -> list[object]:
    """Run *work* in a thread; the list holds its result once it returned (a hang guard)."""
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    thread.join(timeout=30)
    return result


@pytest.mark.usefixtures("quiet", "prompt_writes")
def test_a_fifo_with_no_reader_neither_hangs_the_call_nor_the_flush(tmp_path: Path) -> None:
    fifo = tmp_path / "usage.fifo"
    os.mkfifo(fifo)
    phaseout.configure(usage_log=fifo)
    with pytest.warns(
        UsageLogWarning, match=r"could not write usage events to usage log .*usage\.fifo"
    ):
        assert _in_thread(lambda: old(3)) == [6]
        assert _in_thread(phaseout.flush_usage) == [0]
    assert [u.count for u in phaseout.usage()] == [1]


class BlockingLogger:
    """A structlog-like logger whose info() waits until released, like a stuck handler."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()
        self.events: list[str] = []

    def info(self, event: str, **fields: Any) -> None:
        self.entered.set()
        self.release.wait()
        self.events.append(event)


@pytest.mark.usefixtures("quiet", "prompt_writes")
def test_a_blocking_logger_holds_up_only_the_flusher_thread() -> None:
    logger = BlockingLogger()
    phaseout.configure(structlog_logger=logger)

    def many_sites() -> int:
        total = 0
        for i in range(50):
            namespace: dict[str, Any] = {"old": old}
            exec(compile(f"result = old({i})", f"<site {i}>", "exec"), namespace)
            total += namespace["result"]
        return total

    assert _in_thread(many_sites) == [sum(2 * i for i in range(50))]
    assert logger.entered.wait(30)  # the flusher thread is the one stuck in info()
    assert logger.events == []
    logger.release.set()
    phaseout.flush_usage()
    assert logger.events.count("deprecated_call") == 50


def test_exit_with_a_blocked_sink_waits_a_bounded_time(tmp_path: Path) -> None:
    done = run_script(
        tmp_path,
        LEGACY
        + """
    import threading, warnings

    class Stuck:
        def info(self, event, **fields):
            threading.Event().wait()

    warnings.simplefilter("ignore")
    phaseout.configure(structlog_logger=Stuck())
    legacy(1)
    print("done")
    """,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (0, "done\n")
    assert done.stderr == (
        "UsageLogWarning: phaseout gave up on writing the last usage counts after 5 s: a usage "
        "sink is blocked\n"
    )


@pytest.mark.usefixtures("quiet")
def test_a_new_call_site_makes_the_caller_write_nothing_and_scan_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    phaseout.configure(usage_log=io.StringIO())
    from phaseout import _usage

    made: list[int] = []
    totals: list[int] = []
    original_event, original_total = _usage.CallSite.call_event, _usage.CallSite.total

    def call_event(site: Any) -> Any:
        made.append(1)
        return original_event(site)

    def total(site: Any) -> int:
        totals.append(1)
        return original_total(site)

    monkeypatch.setattr(_usage.CallSite, "call_event", call_event)
    monkeypatch.setattr(_usage.CallSite, "total", total)
    for i in range(2_000):
        exec(compile("old(1)", f"<site {i}>", "exec"), {"old": old})
    assert (made, totals) == ([], [])  # no event built, no site scanned by the callers
    assert phaseout.flush_usage() == 4_000
    assert len(made) == 2_000


@pytest.mark.usefixtures("quiet")
def test_sites_are_bounded_and_code_objects_are_freed(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    import weakref

    from phaseout import _usage
    from phaseout.registry import declaration_of

    monkeypatch.setattr(_usage, "MAX_SITES", 30)
    codes = []
    for i in range(50):
        code = compile("old(1)", f"<snippet {i}>", "exec")
        exec(code, {"old": old})
        codes.append(weakref.ref(code))
        del code
    gc.collect()
    # exec'd code is freed; the fast path remembers only the latest caller per offset.
    assert sum(ref() is not None for ref in codes) <= 1
    assert len(declaration_of(old).sites) <= 1
    found = phaseout.usage()
    assert len(found) == 31
    other = [u for u in found if u.caller == _usage.OTHER_SITES]
    assert [(u.count, u.file, u.line) for u in other] == [(20, _usage.OTHER_SITES, 0)]
    assert sum(u.count for u in found) == 50


POOL_SCRIPT = """
    import multiprocessing, sys, warnings
    from concurrent.futures import ProcessPoolExecutor
    import phaseout

    @phaseout.deprecated(since="1.0", removed_in="9.0", current_version="1.5")
    def legacy(x):
        return x

    def work(n):
        warnings.simplefilter("ignore")
        for i in range(n):
            legacy(i)
        return n

    if __name__ == "__main__":
        method, kind = sys.argv[1], sys.argv[2]
        context = multiprocessing.get_context(method)
        if kind == "pool":
            pool = context.Pool(2)
            total = sum(pool.map(work, [10] * 20))
            pool.close()
            pool.join()
        else:
            with ProcessPoolExecutor(2, mp_context=context) as executor:
                total = sum(executor.map(work, [10] * 20))
        print(total)
"""


@pytest.mark.parametrize("kind", ["pool", "executor"])
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_counts_from_pool_workers_reach_the_log(tmp_path: Path, method: str, kind: str) -> None:
    log = tmp_path / "usage.jsonl"
    script = tmp_path / "pooled.py"
    script.write_text(textwrap.dedent(POOL_SCRIPT))
    done = subprocess.run(
        [sys.executable, str(script), method, kind],
        env={**os.environ, "PHASEOUT_USAGE_LOG": str(log)},
        capture_output=True, text=True, cwd=tmp_path, check=False, timeout=120,
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "200\n", "")
    events = read_jsonl(log)
    assert sum(e.get("count", 0) for e in events) == 200
    assert {e["pid"] for e in events if e["event"] == "deprecated_usage"} <= {
        e["pid"] for e in events
    }

"""Reading logs and summing them: the Python API, every output format and the command line."""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import os
import pty
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phaseout import _sinks
from phaseout._files import write_atomically
from phaseout.processors import utc_timestamp
from phaseout.report import (
    MAX_LINE,
    LogError,
    ReadStats,
    _aggregate,
    _fold,
    _progress,
    read_events,
    render,
    summarize,
)
from phaseout.report._reader import split_points

from .strategies import usage_events

Event = tuple[str, float, int, dict[str, Any]]
SITE: dict[str, Any] = {
    "symbol": "lib.old",
    "package": "lib",
    "phase": "soft",
    "since": "1.0",
    "removed_in": "3.0",
    "replacement": "lib.new",
    "caller": "app.views:index",
    "file": "/srv/app/views.py",
    "line": 12,
}
DAY = 86_400.0
T0 = 1_735_689_600.0  # 2025-01-01T00:00:00Z


def as_dict(event: Event) -> dict[str, Any]:
    kind, moment, count, site = event
    data: dict[str, Any] = {"timestamp": utc_timestamp(moment), "event": kind, "schema": 1}
    if kind == "deprecated_usage":
        data["count"] = count
    return {**data, "pid": 7, **site}


def sink_lines(events: Sequence[Event]) -> bytes:
    """The bytes phaseout's own file sink writes for *events*."""
    out = io.StringIO()
    _sinks.StreamSink(out).emit([as_dict(event) for event in events])
    return out.getvalue().encode()


def other_renderer_lines(events: Sequence[Event]) -> bytes:
    """The same events as another JSON renderer writes them: sorted keys, spaces."""
    return "".join(json.dumps(as_dict(e), sort_keys=True) + "\n" for e in events).encode()


def write(tmp_path: Path, data: bytes, name: str = "usage.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def expected_by_symbol_and_caller(
    events: Sequence[Event],
) -> dict[tuple[str, str], tuple[int, str, str]]:
    groups: dict[tuple[str, str], tuple[int, str, str]] = {}
    for kind, moment, count, site in events:
        key = (site["symbol"], site["caller"])
        stamp = utc_timestamp(moment)
        used = count if kind == "deprecated_usage" else 0
        if key in groups:
            total, first, last = groups[key]
            groups[key] = (total + used, min(first, stamp), max(last, stamp))
        else:
            groups[key] = (used, stamp, stamp)
    return groups


def got_by_symbol_and_caller(
    path: Path, **options: Any
) -> dict[tuple[str, str], tuple[int, str, str]]:
    summary = summarize([path], **options)
    return {
        (str(row.symbol), str(row.caller)): (row.count, row.first_seen, row.last_seen)
        for row in summary.rows
    }


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=st.lists(usage_events, max_size=25))
def test_sums_match_the_events_written_whatever_the_renderer(
    tmp_path_factory: pytest.TempPathFactory, events: list[Event]
) -> None:
    tmp_path = tmp_path_factory.mktemp("logs")
    expected = expected_by_symbol_and_caller(events)
    ours = write(tmp_path, sink_lines(events), "ours.jsonl")
    theirs = write(tmp_path, other_renderer_lines(events), "theirs.jsonl")
    assert got_by_symbol_and_caller(ours) == expected
    assert got_by_symbol_and_caller(theirs) == expected
    both = summarize([ours, theirs], by=("site", "day"))
    assert both.total == 2 * sum(e[2] for e in events if e[0] == "deprecated_usage")
    assert (both.events, both.skipped, both.ignored) == (2 * len(events), 0, 0)
    parsed = list(read_events([ours]))
    assert [(e.event, e.timestamp, e.count, e.pid) for e in parsed] == [
        (kind, utc_timestamp(moment), count if kind == "deprecated_usage" else 0, 7)
        for kind, moment, count, _ in events
    ]
    assert [e.site.symbol for e in parsed] == [site["symbol"] for *_, site in events]


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 300), min_size=1, max_size=60),
    parts=st.integers(1, 9),
)
def test_split_points_start_pieces_at_line_beginnings(
    tmp_path_factory: pytest.TempPathFactory, lengths: list[int], parts: int
) -> None:
    data = b"".join(b"x" * length + b"\n" for length in lengths)
    path = tmp_path_factory.mktemp("split") / "log"
    path.write_bytes(data[: len(data) - 1] if parts % 2 else data)  # with and without final newline
    content = path.read_bytes()
    points = split_points(str(path), parts)
    assert points[0] == 0
    assert points[-1] == len(content)
    assert points == sorted(points)
    for point in points[1:-1]:
        assert point == len(content) or content[point - 1 : point] == b"\n"


def test_worker_processes_give_the_same_summary(tmp_path: Path, monkeypatch: Any) -> None:
    events = [
        ("deprecated_usage", T0 + i * 997.0, i, {**SITE, "caller": f"app:f{i % 13}"})
        for i in range(3000)
    ]
    path = write(
        tmp_path, sink_lines(events) + b"plain text\n" * 50 + b'{"event":"deprecated_call"\n'
    )
    monkeypatch.setattr(_fold, "PARALLEL_INPUT", 0)
    alone = summarize([path], workers=1, by=("caller", "day"))
    together = summarize([path], workers=3, by=("caller", "day"))
    assert together.rows == alone.rows
    assert (together.events, together.skipped, together.ignored) == (3000, 1, 50)
    assert together.total == sum(range(3000))


BROKEN_OR_OTHER: list[tuple[bytes, str]] = [
    (b"", "ignored"),
    (b"GET /items 200", "ignored"),
    (b"WARNING calling deprecated_call in module x", "ignored"),  # no event key
    (b'{"event": "request", "path": "/deprecated_usage"}', "ignored"),
    (b'["deprecated_usage"]', "ignored"),
    (b"[" * 100_000 + b"deprecated_usage", "ignored"),  # recursion bomb, not an event
    (b'{"event":"deprecated_usage","schema":1,"count":', "skipped"),  # truncated
    (b'{"event": "deprecated_usage", "schema": 1}', "skipped"),  # fields missing
    (b'{"event":"deprecated_usage","schema":2,"count":1}', "skipped"),  # unknown schema
    # Read as UTF-8, not as the UTF-16 that json.loads would guess from the NULs (a string).
    (b'\x00"event":"deprecated_call"\x00"', "skipped"),
]


def field_variants() -> list[tuple[bytes, str]]:
    good = as_dict(("deprecated_usage", T0, 5, SITE))
    cases: list[tuple[bytes, str]] = []
    for key, bad in [
        ("count", -1),
        ("count", "5"),
        ("count", True),
        ("count", 1.5),
        ("line", -3),
        ("phase", "retired"),
        ("symbol", ""),
        ("symbol", None),
        ("timestamp", "yesterday"),
        ("timestamp", "2025-02-30T00:00:00.000000Z"),
        ("timestamp", float("inf")),
        ("since", 1),
        ("schema", True),
    ]:
        with contextlib.suppress(ValueError):
            cases.append((json.dumps({**good, key: bad}).encode(), "skipped"))
    canonical = sink_lines([("deprecated_usage", T0, 5, SITE)]).rstrip(b"\n")
    cases += [
        (canonical, "event"),
        (canonical + b"\r", "event"),  # CRLF
        (canonical.replace(b'"lib.old"', b'"lib.\xff\xfeold"'), "skipped"),  # not UTF-8
        (canonical.replace(b"2025-01-01", b"2025-13-45"), "skipped"),  # no such day
        (canonical.replace(b"T00:00", b"T24:00"), "skipped"),  # no such hour
        (canonical[:-40], "skipped"),  # cut short
        (canonical + b"garbage", "skipped"),
        # A repeated key means what json.loads says: the last one wins, 9 not 5.
        (canonical.replace(b'"line":12}', b'"line":12,"count":9}'), "event"),
        (canonical.replace(b'"count":5', b'"count":05'), "skipped"),  # not JSON
        (canonical.replace(b'"count":5,', b""), "skipped"),  # usage without a count
        (canonical.replace(b'"line":12}', b'"line":12,"extra":[1]}'), "event"),  # json path
    ]
    return cases


@pytest.mark.parametrize(("line", "verdict"), BROKEN_OR_OTHER + field_variants())
def test_each_line_is_an_event_skipped_or_ignored(
    tmp_path: Path, line: bytes, verdict: str
) -> None:
    good = sink_lines([("deprecated_usage", T0 + 60, 1, SITE)])
    path = write(tmp_path, good + line + b"\n" + good)
    summary = summarize([path])
    expected = {"event": (3, 0, 0), "skipped": (2, 1, 0), "ignored": (2, 0, 1)}[verdict]
    assert (summary.events, summary.skipped, summary.ignored) == expected
    assert summary.total == 2 + (json.loads(line)["count"] if verdict == "event" else 0)


def test_a_huge_line_is_skipped_in_bounded_memory_and_reading_goes_on(tmp_path: Path) -> None:
    good = sink_lines([("deprecated_usage", T0, 3, SITE)])
    huge_event = (
        b'{"event":"deprecated_usage","schema":1,"symbol":"' + b"x" * (3 * MAX_LINE) + b'"}\n'
    )
    huge_other = b'{"event":"trace","stack":"' + b"y" * (2 * MAX_LINE) + b'"}\n'
    path = write(tmp_path, good + huge_event + good + huge_other + good)
    summary = summarize([path])
    assert (summary.total, summary.events, summary.skipped, summary.ignored) == (9, 3, 1, 1)


@pytest.mark.parametrize("offset", [0, 1, 1000, MAX_LINE // 2, MAX_LINE - 1])
def test_the_line_length_limit_is_exact_wherever_the_line_starts(
    tmp_path: Path, offset: int
) -> None:
    line = sink_lines([("deprecated_usage", T0, 7, SITE)]).rstrip(b"\n")

    def of_length(length: int) -> bytes:  # a longer caller name: still a valid event
        extra = b"x" * (length - len(line))
        return line.replace(b'"app.views:index"', b'"app.views:index' + extra + b'"')

    assert len(of_length(MAX_LINE)) == MAX_LINE
    filler = b"#" * max(offset - 1, 0) + b"\n" if offset else b""  # puts the line at *offset*
    lines = [of_length(MAX_LINE + 1), of_length(MAX_LINE + 100), of_length(MAX_LINE)]
    path = write(tmp_path, b"".join(filler + line + b"\n" for line in lines))
    summary = summarize([path])
    assert (summary.events, summary.skipped, summary.total) == (1, 2, 7)
    assert summary.ignored == (3 if offset else 0)


def test_a_file_without_a_final_newline_and_a_truncated_gzip(tmp_path: Path) -> None:
    good = sink_lines([("deprecated_usage", T0, 3, SITE)] * 2)
    path = write(tmp_path, good.rstrip(b"\n"))
    assert summarize([path]).total == 6
    packed = gzip.compress(good * 1000)
    whole = write(tmp_path, packed, "whole.jsonl.gz")
    assert summarize([whole]).total == 6000
    cut = write(tmp_path, packed[: len(packed) // 2], "cut.jsonl.gz")
    summary = summarize([cut])
    # Everything before the cut is read; the cut itself counts as skipped (and so does the
    # line it went through, when that line had got as far as its event name).
    assert 0 < summary.total < 6000
    assert summary.total == 3 * summary.events
    assert 1 <= summary.skipped <= 2
    assert summary.skipped + summary.ignored == 2


def test_filters_by_time_and_package(tmp_path: Path) -> None:
    other = {**SITE, "package": "Other_Lib", "symbol": "other.f"}
    events = [
        ("deprecated_usage", T0 + 0.5 * DAY, 1, SITE),  # 2025-01-01 12:00
        ("deprecated_usage", T0 + 1.5 * DAY, 10, SITE),  # 2025-01-02 12:00
        ("deprecated_usage", T0 + 2.5 * DAY, 100, SITE),  # 2025-01-03 12:00
        ("deprecated_usage", T0 + 1.5 * DAY, 1000, other),
    ]
    for data in (sink_lines(events), other_renderer_lines(events)):
        path = write(tmp_path, data)
        assert summarize([path]).total == 1111
        assert summarize([path], since="2025-01-02").total == 1110
        assert summarize([path], until="2025-01-02").total == 1011  # the whole day
        assert summarize([path], since="2025-01-02", until="2025-01-02").total == 1010
        assert summarize([path], until="2025-01-02T11:00:00+00:00").total == 1
        assert summarize([path], since="2025-01-02T13:00:00+01:00").total == 1110
        assert summarize([path], package="other-lib").total == 1000
        assert summarize([path], package="lib", since="2025-01-03").events == 1
    with pytest.raises(
        ValueError, match=r"a date must be YYYY-MM-DD or an ISO 8601 date-time, got 'soon'"
    ):
        summarize([path], since="soon")


def test_groupings_and_call_events(tmp_path: Path) -> None:
    hard = {**SITE, "phase": "hard", "caller": "app:<module>", "line": 3}
    events = [
        ("deprecated_call", T0, 0, SITE),
        ("deprecated_usage", T0 + 60, 4, SITE),
        ("deprecated_usage", T0 + DAY, 6, SITE),
        ("deprecated_call", T0 + DAY + 5, 0, hard),
    ]
    path = write(tmp_path, sink_lines(events))
    by_symbol = summarize([path], by=("symbol",)).rows
    assert len(by_symbol) == 1
    row = by_symbol[0]
    assert (row.symbol, row.package, row.caller, row.count, row.phase) == (
        "lib.old",
        "lib",
        None,  # two callers
        10,
        "hard",  # the most recently seen
    )
    assert (row.first_seen, row.last_seen) == (utc_timestamp(T0), utc_timestamp(T0 + DAY + 5))
    by_site = summarize([path], by=("site",)).rows
    assert [(r.caller, r.file, r.line, r.count) for r in by_site] == [
        ("app.views:index", "/srv/app/views.py", 12, 10),
        ("app:<module>", "/srv/app/views.py", 3, 0),  # seen, never counted yet
    ]
    by_day = summarize([path], by=("day",)).rows
    assert [(r.day, r.count) for r in by_day] == [("2025-01-02", 6), ("2025-01-01", 4)]
    by_phase = summarize([path], by=("phase", "package")).rows
    assert [(r.phase, r.package, r.count) for r in by_phase] == [
        ("soft", "lib", 10),
        ("hard", "lib", 0),
    ]
    summary = summarize([path])
    assert summary.daily() == {"lib.old": {"2025-01-01": 4, "2025-01-02": 6}}
    with pytest.raises(ValueError, match=r"by must be a non-empty list of symbol, caller, site"):
        summarize([path], by=("user",))


def test_sources_globs_and_errors(tmp_path: Path) -> None:
    for day in (1, 2):
        write(tmp_path, sink_lines([("deprecated_usage", T0, day, SITE)]), f"usage-{day}.jsonl")
    gz = tmp_path / "usage-3.jsonl.gz"
    gz.write_bytes(gzip.compress(sink_lines([("deprecated_usage", T0, 4, SITE)])))
    assert summarize([str(tmp_path / "usage-*.jsonl*")]).total == 7
    with pytest.raises(LogError, match=r"no log file matches '.*nothing-\*'"):
        summarize([str(tmp_path / "nothing-*")])
    with pytest.raises(LogError, match=r"log file '.*missing.jsonl' does not exist"):
        summarize([tmp_path / "missing.jsonl"])
    odd = write(tmp_path, sink_lines([("deprecated_usage", T0, 8, SITE)]), "usage[9].jsonl")
    assert summarize([odd]).total == 8  # a real file named like a glob is that file
    stats = ReadStats()
    assert len(list(read_events([gz], stats))) == 1
    assert (stats.events, stats.skipped, stats.ignored) == (1, 0, 0)


TWO_ROWS: list[Event] = [
    ("deprecated_usage", T0, 1200, SITE),
    ("deprecated_usage", T0 + 30, 34, {**SITE, "caller": '=HYPERLINK("x")|<b>\x1b[2J'}),
]


def test_table_output_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, sink_lines(TWO_ROWS) + b"other\n")
    assert render(summarize([path]), "table") == (
        "symbol   caller                      phase  count  first seen                   last seen\n"
        "-------  --------------------------  -----  -----  ---------------------------  ---------------------------\n"
        "lib.old  app.views:index             soft    1200  2025-01-01T00:00:00.000000Z  2025-01-01T00:00:00.000000Z\n"
        'lib.old  =HYPERLINK("x")|<b>\\x1b[2J  soft      34  2025-01-01T00:00:30.000000Z  2025-01-01T00:00:30.000000Z\n'
        "\n"
        "1,234 uses in 2 rows from 2 events; 0 broken lines skipped, 1 other line ignored\n"
    )  # fmt: skip


def test_json_csv_and_markdown_output(tmp_path: Path) -> None:
    path = write(tmp_path, sink_lines(TWO_ROWS) + b'{"event":"deprecated_usage"\n')
    summary = summarize([path])
    document = json.loads(render(summary, "json"))
    assert document == {
        "rows": [
            {
                "symbol": "lib.old",
                "package": "lib",
                "phase": "soft",
                "caller": "app.views:index",
                "count": 1200,
                "first_seen": "2025-01-01T00:00:00.000000Z",
                "last_seen": "2025-01-01T00:00:00.000000Z",
            },
            {
                "symbol": "lib.old",
                "package": "lib",
                "phase": "soft",
                "caller": '=HYPERLINK("x")|<b>\x1b[2J',
                "count": 34,
                "first_seen": "2025-01-01T00:00:30.000000Z",
                "last_seen": "2025-01-01T00:00:30.000000Z",
            },
        ],
        "events": 2,
        "skipped": 1,
    }
    rows = list(csv.reader(io.StringIO(render(summary, "csv"))))
    assert rows[0] == ["symbol", "caller", "phase", "count", "first_seen", "last_seen"]
    # A spreadsheet will not run it, and a terminal showing the file will not obey it.
    assert rows[2][1] == '\'=HYPERLINK("x")|<b>\\x1b[2J'
    markdown = render(summary, "markdown").splitlines()
    assert markdown[0] == "| symbol | caller | phase | count | first seen | last seen |"
    assert markdown[3] == (
        '| lib.old | =HYPERLINK\\("x"\\)\\|&lt;b&gt;\\\\x1b\\[2J | soft | 34 | '
        "2025-01-01T00:00:30.000000Z | 2025-01-01T00:00:30.000000Z |"
    )
    with pytest.raises(
        ValueError, match=r"format must be one of table, json, csv, markdown, html, got 'xml'"
    ):
        render(summary, "xml")


def phaseout_cli(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "phaseout", "report", *args],
        capture_output=True,
        text=True,
        check=False,
        **kwargs,
    )


def test_cli_exit_codes_stdin_and_output_file(tmp_path: Path) -> None:
    data = sink_lines(TWO_ROWS)
    path = write(tmp_path, data)
    done = phaseout_cli(str(path), "--fail-if-any", "lib.*")
    assert done.returncode == 1
    assert (
        "lib.old is still used (1,200 uses, from app.views:index) and matches 'lib.*'"
        in done.stderr
    )
    one = write(tmp_path, sink_lines([("deprecated_usage", T0, 1, SITE)]), "one.jsonl")
    assert (
        "lib.old is still used (1 use, from app.views:index)"
        in phaseout_cli(str(one), "--fail-if-any", "lib.*").stderr
    )
    assert phaseout_cli(str(path), "--fail-if-any", "other.*").returncode == 0
    assert (
        phaseout_cli(str(path), "--fail-if-any", "lib.*", "--until", "2024-12-31").returncode == 0
    )
    missing = phaseout_cli(str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2
    assert "log file" in missing.stderr
    assert "does not exist" in missing.stderr
    assert phaseout_cli(str(path), "--by", "user").returncode == 2
    no_workers = phaseout_cli(str(path), "--jobs", "0")
    assert no_workers.returncode == 2
    assert "argument --jobs: must be at least 1, got '0'" in no_workers.stderr
    for text in ("many", "1.5"):
        bad = phaseout_cli(str(path), "--jobs", text)
        assert bad.returncode == 2
        assert f"argument --jobs: must be a whole number, got {text!r}" in bad.stderr
    piped = phaseout_cli("-", "--format", "json", "--by", "symbol", input=data.decode())
    assert json.loads(piped.stdout)["rows"][0]["count"] == 1234
    out = tmp_path / "report.md"
    written = phaseout_cli(
        str(path), "--format", "markdown", "--output", str(out), "--by", "symbol,phase"
    )
    assert (written.returncode, written.stdout) == (0, "")
    assert out.read_text().startswith("| symbol | phase | count |")


def test_progress_bar_only_at_a_terminal_for_large_input(tmp_path: Path) -> None:
    line = sink_lines([("deprecated_usage", T0, 1, SITE)])
    path = write(tmp_path, line * (_progress.LARGE_INPUT // len(line) + 10))
    quiet = phaseout_cli(str(path), "--format", "json")
    assert quiet.stderr == ""
    primary, replica = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "phaseout", "report", str(path), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=replica,
        check=False,
    )
    os.close(replica)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(primary)
    assert done.returncode == 0
    assert b"reading logs [" in seen
    assert b"%" in seen
    assert seen.endswith(b"\r\x1b[2K")  # the bar is erased when done
    assert json.loads(done.stdout)["rows"][0]["count"] == len(path.read_bytes()) // len(line)


# -- surviving the input and the output ------------------------------------------------

FORMATS = ("table", "json", "csv", "markdown", "html")


@pytest.mark.parametrize(
    "stamp",
    [
        "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
        "9999-12-31T23:59:59-05:00",  # after year 9999 in UTC
        "999-01-01T00:00:00Z",  # an unpadded year
        "2025-02-30T00:00:00Z",
        "+002025-01-01T00:00:00Z",
    ],
)
def test_an_edge_case_timestamp_is_one_skipped_line(tmp_path: Path, stamp: str) -> None:
    good = sink_lines([("deprecated_usage", T0, 5, SITE)])
    bad = json.dumps({**as_dict(("deprecated_usage", T0, 7, SITE)), "timestamp": stamp})
    path = write(tmp_path, good + bad.encode() + b"\n")
    summary = summarize([path])
    assert (summary.total, summary.events, summary.skipped) == (5, 1, 1)
    for form in FORMATS:
        assert render(summary, form)
        done = phaseout_cli(str(path), "--format", form)
        assert (done.returncode, done.stderr) == (0, ""), form


def test_extreme_but_valid_days_render_in_every_format(tmp_path: Path) -> None:
    first = {**as_dict(("deprecated_usage", T0, 3, SITE)), "timestamp": "0001-01-01T00:00:00Z"}
    last = {**as_dict(("deprecated_usage", T0, 4, SITE)), "timestamp": "9999-12-31T23:59:59Z"}
    path = write(tmp_path, (json.dumps(first) + "\n" + json.dumps(last) + "\n").encode())
    summary = summarize([path])
    assert (summary.total, summary.skipped) == (7, 0)
    assert summary.rows[0].first_seen == "0001-01-01T00:00:00.000000Z"
    for form in FORMATS:
        done = phaseout_cli(str(path), "--format", form)
        assert (done.returncode, done.stderr) == (0, ""), form


def test_a_file_name_that_is_not_utf8_renders_in_every_format(tmp_path: Path) -> None:
    # phaseout writes such a name (surrogate-escaped by the file system) as "\udcff".
    site = {**SITE, "file": "/srv/caf\udce9.py", "caller": "app:caf\udce9"}
    path = write(tmp_path, sink_lines([("deprecated_usage", T0, 2, site)]))
    for form in FORMATS:
        done = phaseout_cli(str(path), "--format", form, "--by", "site,caller")
        assert (done.returncode, done.stderr) == (0, ""), form
        shown = "caf\\\\udce9" if form == "markdown" else "caf\\udce9"  # markdown escapes "\\"
        assert shown in done.stdout, form


HOSTILE = "x](https://evil.example/p.png) ![i](https://evil.example/i.png)<img src=x>\u202eevil\x07\x1b[31m"


def test_every_output_is_safe_to_render_whatever_the_log_holds(tmp_path: Path) -> None:
    site = {**SITE, "symbol": "lib." + HOSTILE, "caller": HOSTILE}
    summary = summarize([write(tmp_path, sink_lines([("deprecated_usage", T0, 2, site)]))])
    for form in ("table", "csv", "markdown", "html"):
        text = render(summary, form)
        for raw in ("\u202e", "\x07", "\x1b"):
            assert raw not in text, (form, raw)
    markdown = render(summary, "markdown")
    assert "](" not in markdown.replace("\\](", "").replace("\\]\\(", "")
    assert "![" not in markdown.replace("\\!\\[", "")
    assert "<img" not in markdown
    assert "\\\\u202eevil\\\\x07\\\\x1b\\[31m" in markdown  # shown as \u202eevil\x07\x1b[31m
    page = render(summary, "html")
    assert "<img" not in page
    assert "\\u202eevil\\x07\\x1b[31m" in page


def test_fail_if_any_messages_are_escaped_and_a_pattern_matching_nothing_is_said(
    tmp_path: Path,
) -> None:
    site = {**SITE, "symbol": "lib.old\x1b[2J", "caller": "app\x1b]0;pwned\x07"}
    path = write(tmp_path, sink_lines([("deprecated_usage", T0, 2, site)]))
    done = phaseout_cli(str(path), "--fail-if-any", "lib.*", "--fail-if-any", "Lib.*")
    assert done.returncode == 1
    assert "\x1b" not in done.stderr
    assert "\x07" not in done.stderr
    assert done.stderr.splitlines() == [
        "phaseout report: lib.old\\x1b[2J is still used (2 uses, from app\\x1b]0;pwned\\x07) "
        "and matches 'lib.*'",
        "phaseout report: --fail-if-any 'Lib.*' matches no symbol in the logs (check the "
        "spelling: patterns are case-sensitive globs such as 'mylib.*')",
    ]


def test_exit_codes_for_bad_output_and_a_closed_pipe(tmp_path: Path) -> None:
    path = write(tmp_path, sink_lines(TWO_ROWS))
    unwritable = phaseout_cli(str(path), "--output", str(tmp_path / "no" / "such" / "dir.txt"))
    assert unwritable.returncode == 2
    assert unwritable.stderr.startswith("phaseout report: cannot write --output ")
    assert len(unwritable.stderr.splitlines()) == 1
    assert "Traceback" not in unwritable.stderr
    piped = subprocess.run(
        f"{sys.executable} -m phaseout report {path} --format html | head -c 10",
        shell=True, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (piped.stdout, piped.stderr) == ("<!DOCTYPE ", "")


def test_skipped_lines_leave_no_memory_behind(tmp_path: Path) -> None:
    from phaseout.report import _fold

    head = sink_lines([("deprecated_usage", T0, 1, SITE)]).split(b'"symbol":')[0]
    lines = [
        head + b'"symbol":"' + bytes([65 + i % 26]) * 900_000 + b"," + str(i).encode()
        for i in range(120)
    ]
    folder = _fold.Folder()
    for line in lines:
        folder.fold(line)
    assert folder.stats.skipped == 120
    held = sum(len(tail) for tail in folder._bad_tails) + sum(len(t) for t in folder.parser._tails)
    assert held <= 2 * (64 << 20)  # the documented bound, not 120 x 900 KB = 108 MB
    assert held < 120 * 900_000


def test_a_gzip_bomb_stops_with_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from phaseout.report import _reader

    monkeypatch.setattr(_reader, "GZIP_FLOOR", 1 << 20)
    line = sink_lines([("deprecated_usage", T0, 1, SITE)])
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(line * 2 + b"\n" * (64 << 20), 9))
    summary = summarize([bomb])
    assert summary.total == 2  # what came before the stop is kept
    assert summary.skipped == 1
    assert summary.notes == [
        f"stopped reading {str(bomb)!r} after {summary.notes[0].split(' after ')[1].split(' ')[0]} "
        "bytes: it inflates to more than 250 times its compressed size (a gzip bomb?)"
    ]
    normal = tmp_path / "normal.jsonl.gz"
    normal.write_bytes(gzip.compress(line * 5_000))
    assert summarize([normal]).total == 5_000  # a real log inflates far less


def test_worker_processes_are_capped_by_the_cpus_and_the_file(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """--jobs 1000000000 neither hangs (a split per requested part) nor starts a process per
    part: as many as CPUs are available, and no piece smaller than MIN_PART."""
    events = [("deprecated_usage", T0 + i, i, SITE) for i in range(2000)]
    path = write(tmp_path, sink_lines(events))
    monkeypatch.setattr(_fold, "PARALLEL_INPUT", 0)
    started: list[int] = []
    real = _fold.ProcessPoolExecutor  # type: ignore[attr-defined]

    def counting(workers: int, **options: Any) -> Any:
        started.append(workers)
        return real(workers, **options)

    monkeypatch.setattr(_fold, "ProcessPoolExecutor", counting)
    monkeypatch.setattr(_fold, "MIN_PART", 1)
    alone = summarize([path], workers=1)
    huge = summarize([path], workers=1_000_000_000)
    assert huge.rows == alone.rows
    assert huge.total == alone.total == sum(range(2000))
    cpus = _aggregate.available_cpus()
    assert started == ([cpus] if cpus > 1 else [])
    monkeypatch.setattr(_fold, "MIN_PART", os.path.getsize(path))  # one piece's worth
    started.clear()
    assert summarize([path], workers=40).rows == alone.rows
    assert started == ([1] if cpus > 1 else [])


def test_the_output_is_never_one_of_the_logs(tmp_path: Path) -> None:
    data = sink_lines([("deprecated_usage", T0, 5, SITE)])
    log = write(tmp_path, data)
    (tmp_path / "link.jsonl").symlink_to(log)
    for output, inputs in [
        (log, [str(log)]),
        (tmp_path / "link.jsonl", [str(log)]),
        (log, [str(tmp_path / "*.jsonl")]),
        (log, [str(tmp_path / "link.jsonl")]),
    ]:
        done = phaseout_cli(*inputs, "--output", str(output))
        assert done.returncode == 2
        assert done.stderr == (
            f"phaseout report: --output {str(output)!r} is one of the logs being read: write "
            f"the report somewhere else (it would replace the log)\n"
        )
        assert log.read_bytes() == data  # untouched
    assert (tmp_path / "link.jsonl").is_symlink()


def test_the_output_is_replaced_whole_or_not_at_all(tmp_path: Path, monkeypatch: Any) -> None:

    out = tmp_path / "report.txt"
    out.write_text("yesterday's report\n")
    out.chmod(0o640)

    def interrupted(source: str, target: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(str(out), "today's report\n" * 1000)
    assert out.read_text() == "yesterday's report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]  # no temporary left
    monkeypatch.undo()
    write_atomically(str(out), "today's report\n")
    assert out.read_text() == "today's report\n"
    assert out.stat().st_mode & 0o777 == 0o640  # the file's own permissions kept
    fresh = tmp_path / "fresh.txt"
    write_atomically(str(fresh), "new\n")
    mask = os.umask(0o022)
    os.umask(mask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~mask


def test_rows_by_site_name_the_symbol_called_there(tmp_path: Path) -> None:
    other = {**SITE, "symbol": "lib.other", "line": 40}
    both_here = {**SITE, "symbol": "lib.other"}  # the same line calls two deprecated APIs
    path = write(
        tmp_path,
        sink_lines(
            [
                ("deprecated_usage", T0, 5, SITE),
                ("deprecated_usage", T0, 2, other),
                ("deprecated_usage", T0 + 1, 1, both_here),
                ("deprecated_usage", T0 + 2, 7, {**SITE, "file": "/srv/app/jobs.py"}),
            ]
        ),
    )
    summary = summarize([path], by=("site",))
    table = render(summary, "table").splitlines()
    assert table[0].split() == ["site", "symbol", "phase", "count", "first", "seen", "last", "seen"]
    cells = {line.split()[0]: line.split()[1:3] for line in table[2:5]}
    assert cells == {
        "/srv/app/views.py:12": ["(several)", "soft"],
        "/srv/app/views.py:40": ["lib.other", "soft"],
        "/srv/app/jobs.py:12": ["lib.old", "soft"],
    }
    rows = list(csv.reader(io.StringIO(render(summary, "csv"))))
    assert rows[0][:3] == ["site", "symbol", "phase"]
    assert sorted((row[0], row[1], row[3]) for row in rows[1:]) == [
        ("/srv/app/jobs.py:12", "lib.old", "7"),
        ("/srv/app/views.py:12", "(several)", "6"),
        ("/srv/app/views.py:40", "lib.other", "2"),
    ]

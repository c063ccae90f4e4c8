"""The DuckDB engine gives exactly what the streaming reader gives, whatever the logs hold."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from phaseout.processors import utc_timestamp
from phaseout.report import FORMATS, GROUPINGS, Summary, render, summarize
from phaseout.report import _duckdb as engine

from .test_report import BROKEN_OR_OTHER, SITE, T0, as_dict, field_variants, sink_lines

DAY = 86_400.0
SITES: list[dict[str, Any]] = [
    SITE,
    {**SITE, "caller": "app.jobs:nightly", "line": 40},
    {**SITE, "symbol": "lib.older", "phase": "hard", "replacement": None},
    {**SITE, "package": "Other_Lib", "symbol": "other.thing", "file": "/srv/é.py"},
]
# Bytes that DuckDB's CSV reader or a JSON parser treat specially, and the markers the
# readers look for.
FRAGMENTS = [
    b"\r", b"\r\n", b"\n", b"\x00", b"\x01", b"\xef\xbb\xbf", b"\xff", b"\xc3\xa9", b"\xed\xa0\x80",
    b'"', b"\\", b" ", b"\t", b",", b"{", b"}", b"deprecated_", b"rollout_usage",
    b"rollout_rolled_back", b'"event":"deprecated_call"',
]  # fmt: skip


@st.composite
def sink_line(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["deprecated_usage", "deprecated_call"]))
    moment = T0 + draw(st.integers(0, 4)) * DAY + draw(st.sampled_from([0, 1, 3_600, 86_399]))
    count = draw(st.sampled_from([0, 1, 7, 10**17]))
    return sink_lines([(kind, moment, count, draw(st.sampled_from(SITES)))]).rstrip(b"\n")


@st.composite
def other_renderer_line(draw: st.DrawFn) -> bytes:
    data = as_dict(
        (
            draw(st.sampled_from(["deprecated_usage", "deprecated_call"])),
            T0 + draw(st.integers(0, 4)) * DAY,
            draw(st.integers(0, 5)),
            draw(st.sampled_from(SITES)),
        )
    )
    return json.dumps(data, sort_keys=draw(st.booleans())).encode()


@st.composite
def rollout_line(draw: st.DrawFn) -> bytes:
    moment = utc_timestamp(T0 + draw(st.integers(0, 2)) * DAY)  # ties between rollbacks
    if draw(st.booleans()):
        data: dict[str, Any] = {
            "timestamp": moment,
            "event": "rollout_usage",
            "schema": 1,
            "rollout": draw(st.sampled_from(["billing", "search"])),
            "path": draw(st.sampled_from(["legacy", "new", "other"])),
            "count": draw(st.integers(-1, 9)),
        }
    else:
        data = {
            "timestamp": moment,
            "event": "rollout_rolled_back",
            "schema": 1,
            "rollout": "billing",
            "error_rate": draw(st.sampled_from([0.1, 0.5])),
            "calls": draw(st.integers(0, 3)),
        }
    return json.dumps(data).encode()


@st.composite
def mutated(draw: st.DrawFn, lines: st.SearchStrategy[bytes]) -> bytes:
    line = draw(lines)
    at = draw(st.integers(0, len(line)))
    action = draw(st.sampled_from(["insert", "cut", "replace"]))
    if action == "cut":
        return line[:at]
    fragment = draw(st.sampled_from(FRAGMENTS))
    end = at + (len(fragment) if action == "replace" else 0)
    return line[:at] + fragment + line[end:]


any_line = st.one_of(
    sink_line(),
    sink_line(),
    other_renderer_line(),
    rollout_line(),
    mutated(st.one_of(sink_line(), other_renderer_line(), rollout_line())),
    st.sampled_from([line for line, _ in BROKEN_OR_OTHER if len(line) < 1000]),
    st.sampled_from([line for line, _ in field_variants()]),
    st.lists(st.sampled_from(FRAGMENTS), max_size=6).map(b"".join),
)


@st.composite
def log_file(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(any_line, max_size=30))
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    data = ending.join(lines) + (ending if draw(st.booleans()) else b"")
    packing = draw(st.sampled_from(["plain", "plain", "gzip", "two members", "truncated"]))
    if packing == "plain":
        return data
    if packing == "two members":
        half = len(data) // 2
        return gzip.compress(data[:half]) + gzip.compress(data[half:])
    packed = gzip.compress(data)
    return packed[: draw(st.integers(10, len(packed)))] if packing == "truncated" else packed


def tallies(summary: Summary) -> dict[Any, dict[bytes, tuple[Any, ...]]]:
    return {
        site: {day: tally.__getstate__() for day, tally in per_day.items()}
        for site, per_day in summary.tallies.items()
    }


def assert_identical(streamed: Summary, summed: Summary) -> None:
    assert (streamed.engine, summed.engine) == ("streaming", "duckdb")
    seen = (streamed.events, streamed.skipped, streamed.ignored, streamed.notes)
    assert (summed.events, summed.skipped, summed.ignored, summed.notes) == seen
    assert summed.rollouts == streamed.rollouts
    assert summed.rollbacks == streamed.rollbacks
    assert tallies(summed) == tallies(streamed)
    assert summed.rows == streamed.rows
    for key in GROUPINGS:
        assert summed.regroup((key,)) == streamed.regroup((key,))
    for format in FORMATS:
        assert render(summed, format) == render(streamed, format)


def both(paths: list[Path], **options: Any) -> tuple[Summary, Summary]:
    streamed = summarize(paths, engine="streaming", **options)
    return streamed, summarize(paths, engine="duckdb", **options)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    files=st.lists(log_file(), min_size=1, max_size=3),
    spill=st.sampled_from([1, 200, 1 << 20]),
    since=st.sampled_from([None, "2025-01-02", "2025-01-02T01:00:00Z"]),
    until=st.sampled_from([None, "2025-01-03"]),
    package=st.sampled_from([None, "lib", "other-lib"]),
    by=st.sampled_from([("symbol", "caller"), ("site", "day"), ("package", "phase")]),
)
@example(  # json.loads of bytes guessed UTF-16 from the NULs: "\r" changed the verdict
    files=[b'\x00"event":"deprecated_call"\x00"\r'], spill=1, since=None, until=None,
    package=None, by=("symbol", "caller"),
)  # fmt: skip
def test_the_engines_agree_on_hostile_logs(
    tmp_path_factory: pytest.TempPathFactory,
    files: list[bytes],
    spill: int,
    since: str | None,
    until: str | None,
    package: str | None,
    by: tuple[str, ...],
) -> None:
    folder = tmp_path_factory.mktemp("logs")
    paths = []
    for index, data in enumerate(files):
        paths.append(folder / f"usage-{index}.log")
        paths[-1].write_bytes(data)
    options = {"since": since, "until": until, "package": package, "by": by}
    with mock.patch.object(engine, "SPILL_BYTES", spill):  # many spill files, or one
        assert_identical(*both(paths, **options))


@pytest.mark.parametrize(("line", "verdict"), BROKEN_OR_OTHER + field_variants())
def test_each_kind_of_line_gets_the_same_verdict(tmp_path: Path, line: bytes, verdict: str) -> None:
    good = sink_lines([("deprecated_usage", T0 + 60, 1, SITE)])
    path = tmp_path / "usage.jsonl"
    path.write_bytes(good + line + b"\n" + good)
    streamed, summed = both([path])
    expected = {"event": (3, 0, 0), "skipped": (2, 1, 0), "ignored": (2, 0, 1)}[verdict]
    assert (summed.events, summed.skipped, summed.ignored) == expected
    assert_identical(streamed, summed)


def test_lines_the_sink_wrote_are_summed_by_duckdb_and_the_rest_by_python(
    tmp_path: Path,
) -> None:
    events = [("deprecated_usage", T0 + i * 600, i, SITES[i % 4]) for i in range(1, 400)]
    plain = sink_lines(events)
    lines = plain.split(b"\n")
    lines[3] = lines[3].replace(b"2025-01-01", b"2025-02-30")  # impossible day: skipped
    lines[5] += b"\r"  # a CRLF line: DuckDB gets it without its \r
    lines[7] = lines[7].replace(b'"phase"', b'\r"phase"')  # JSON whitespace: Python folds it
    lines[9] = lines[9].replace(b'"lib"', b'"l\xffb"')  # not UTF-8: Python folds it, skipped
    lines[11] = b"\xef\xbb\xbf" + lines[11]  # a byte-order mark: json reads past it
    path = tmp_path / "usage.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n".join(lines)))
    with mock.patch.object(engine, "SPILL_BYTES", 4096):
        streamed, summed = both([path], by=("site",))
    assert (summed.events, summed.skipped, summed.ignored) == (397, 2, 0)
    assert summed.total == sum(range(1, 400)) - 4 - 10
    assert_identical(streamed, summed)


def test_a_file_duckdb_refuses_is_folded_in_python(tmp_path: Path) -> None:
    path = tmp_path / "usage.jsonl"
    path.write_bytes(sink_lines([("deprecated_usage", T0, 5, SITE)] * 3) + b"plain\n")
    with mock.patch.object(engine, "_SUMMED", "SELECT no_such_column"):
        streamed, summed = both([path])
    assert (summed.events, summed.skipped, summed.ignored, summed.total) == (3, 0, 1, 15)
    assert_identical(streamed, summed)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*FRAGMENTS, b"a", b"'", b"#", b"\x1b"]), max_size=40))
def test_duckdb_reads_exactly_the_lines_it_is_given(
    tmp_path_factory: pytest.TempPathFactory, pieces: list[bytes]
) -> None:
    """What the engine rests on: without carriage returns, a leading byte-order mark and
    bytes that are not UTF-8, DuckDB's rows are the file's lines, byte for byte."""
    data = b"".join(pieces).replace(b"\r", b"")
    while data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    lines = [line if engine._utf8(line) else b"?" for line in lines]
    data = b"\n".join(lines)
    path = tmp_path_factory.mktemp("lines") / "spill.jsonl"
    path.write_bytes(data + b"\n")
    rows = duckdb.execute(f"SELECT line FROM {engine._LINES}", {"path": str(path)}).fetchall()
    assert [(row or "").encode() for (row,) in rows] == lines


def test_the_engine_is_chosen_by_size_and_duckdb_must_be_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = tmp_path / "small.jsonl"
    small.write_bytes(sink_lines([("deprecated_usage", T0, 5, SITE)]))
    packed = tmp_path / "packed.jsonl.gz"
    packed.write_bytes(gzip.compress(b"x" * 5000))  # 5,000 bytes once inflated
    assert summarize([small]).engine == "streaming"
    monkeypatch.setattr(engine, "DUCKDB_INPUT", 5000)
    assert summarize([packed]).engine == "duckdb"  # judged by its inflated size
    assert summarize([small]).engine == "streaming"
    with pytest.raises(ValueError, match=r"engine must be one of auto, streaming, duckdb, got 'x'"):
        summarize([small], engine="x")
    # A large plain file is split between processes instead: faster than DuckDB for it.
    from phaseout.report import _fold

    monkeypatch.setattr(_fold, "PARALLEL_INPUT", 100)
    plain = tmp_path / "plain.jsonl"
    plain.write_bytes(sink_lines([("deprecated_usage", T0, 5, SITE)] * 40))
    assert summarize([plain], workers=2).engine == "streaming"
    assert summarize([plain, packed], workers=2).engine == "duckdb"  # the .gz one
    assert summarize([plain], workers=2, engine="duckdb").engine == "duckdb"
    assert summarize([plain], workers=2, engine="duckdb").total == 200
    monkeypatch.setattr(engine, "_installed", lambda: False)
    assert summarize([packed]).engine == "streaming"
    with pytest.raises(ValueError, match=r"pip install 'phaseout\[duckdb\]'"):
        summarize([small], engine="duckdb")


def test_the_command_line_gives_the_same_bytes_with_either_engine(tmp_path: Path) -> None:
    events = [("deprecated_usage", T0 + i * 3_000, i, SITES[i % 4]) for i in range(200)]
    path = tmp_path / "usage.jsonl.gz"
    path.write_bytes(gzip.compress(sink_lines(events) + b"noise\n\xff\n"))
    outputs = []
    for choice in ("streaming", "duckdb"):
        done = subprocess.run(
            [sys.executable, "-m", "phaseout", "report", str(path), "--engine", choice,
             "--by", "site", "--format", "json"],
            capture_output=True, check=True,
        )  # fmt: skip
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    report = json.loads(outputs[1])
    assert (report["events"], report["skipped"]) == (200, 0)
    assert sum(row["count"] for row in report["rows"]) == sum(range(200))


def test_a_gzip_bomb_and_a_corrupt_member_stop_as_in_the_streaming_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phaseout.report import _reader

    monkeypatch.setattr(_reader, "GZIP_FLOOR", 1 << 16)
    bomb = tmp_path / "bomb.gz"
    line = sink_lines([("deprecated_usage", T0, 1, SITE)])
    bomb.write_bytes(gzip.compress(line * 2 + b"\n" * (4 << 20), 9))
    corrupt = tmp_path / "corrupt.gz"
    packed = bytearray(gzip.compress(sink_lines([("deprecated_usage", T0, 2, SITE)] * 50)))
    packed[len(packed) // 2] ^= 0xFF
    corrupt.write_bytes(bytes(packed))
    with pytest.raises(zlib.error):
        zlib.decompress(bytes(packed), 31)
    streamed, summed = both([bomb, corrupt])
    assert len(summed.notes) == 1
    assert "gzip bomb" in summed.notes[0]
    # The bomb's rest; the corrupt member's error, and its last line, cut short at the error.
    assert (summed.skipped, summed.total) == (3, 2 + 2 * (summed.events - 2))
    assert_identical(streamed, summed)


def test_byte_order_marks_at_the_head_of_every_spill_file(tmp_path: Path) -> None:
    line = sink_lines([("deprecated_usage", T0, 3, SITE)]).rstrip(b"\n")
    path = tmp_path / "usage.jsonl"
    path.write_bytes(b"\n".join([b"\xef\xbb\xbf" + line, b"\xef\xbb\xbf" + line, line]) + b"\n")
    with mock.patch.object(engine, "SPILL_BYTES", 1):
        streamed, summed = both([path])
    assert (summed.events, summed.total) == (3, 9)  # json.loads reads past a leading mark
    assert_identical(streamed, summed)


def test_auto_reads_in_python_when_duckdb_cannot_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "usage.jsonl.gz"
    path.write_bytes(gzip.compress(sink_lines([("deprecated_usage", T0, 4, SITE)] * 5)))
    monkeypatch.setattr(engine, "DUCKDB_INPUT", 1)

    def no_room(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryDirectory", no_room)  # for the spill files
    summary = summarize([path])
    assert (summary.engine, summary.total, summary.events) == ("streaming", 20, 5)
    assert summary.notes == [
        "the DuckDB engine could not run (OSError: [Errno 28] No space left on device); "
        "read with the streaming reader instead"
    ]
    with pytest.raises(OSError, match="No space left"):
        summarize([path], engine="duckdb")  # asked for: its failure is the answer
    monkeypatch.setitem(sys.modules, "duckdb", None)  # installed, but cannot be imported
    assert summarize([path]).engine == "streaming"
    with pytest.raises(ValueError, match=r"engine 'duckdb' needs DuckDB"):
        summarize([path], engine="duckdb")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip
_FIELDS = sorted(as_dict(("deprecated_usage", T0, 5, SITE)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["deprecated_usage", "deprecated_call"]),
    field=st.sampled_from(_FIELDS),
    value=_JSON,
    canonical=st.booleans(),
    by=st.sampled_from([("symbol", "caller"), ("site", "day"), ("package", "phase")]),
)
@example("deprecated_usage", "phase", ["soft"], True, ("package", "phase"))
@example("deprecated_call", "phase", {"soft": 1}, False, ("site", "day"))
@example("deprecated_usage", "line", [12], True, ("site", "day"))
def test_any_json_value_in_any_field_is_read_the_same_by_both_engines(
    tmp_path_factory: pytest.TempPathFactory,
    kind: str,
    field: str,
    value: Any,
    canonical: bool,
    by: tuple[str, ...],
) -> None:
    """One field of an event holding any JSON value (a list or an object where text or a
    number belongs): never an abort; skipped or ignored and counted, by both engines alike."""
    good = sink_lines([("deprecated_usage", T0 + 60, 3, SITE)])
    data = {**as_dict((kind, T0 + 120, 5, SITE)), field: value}
    line = json.dumps(data, separators=(",", ":") if canonical else (", ", ": ")).encode()
    path = tmp_path_factory.mktemp("fuzz") / "usage.jsonl"
    path.write_bytes(good + line + b"\n" + good)
    streamed, summed = both([path], by=by)
    assert_identical(streamed, summed)
    assert summed.events + summed.skipped + summed.ignored == 3
    assert summed.events >= 2  # the good lines, whatever the bad one holds
    assert summed.total >= 6

"""Usage as OpenTelemetry metrics: exact, cheap (read at collection), never in the way."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

import phaseout
from phaseout import _otel

SOFT: dict[str, Any] = {"since": "1.0", "removed_in": "2.0", "current_version": "1.5"}


@phaseout.deprecated(**SOFT)
def first(x: int) -> int:
    return x


@phaseout.deprecated(**SOFT)
def second(x: int) -> int:
    return x


@pytest.fixture
def reader() -> Iterator[InMemoryMetricReader]:
    reader = InMemoryMetricReader()
    phaseout.configure(meter_provider=MeterProvider(metric_readers=[reader]))
    yield reader
    phaseout.configure(meter_provider=None)


def points(reader: InMemoryMetricReader, name: str) -> list[tuple[int, dict[str, Any]]]:
    data = reader.get_metrics_data()
    found: list[tuple[int, dict[str, Any]]] = []
    for resource in data.resource_metrics if data else ():
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == name:
                    for point in metric.data.data_points:
                        value: Any = getattr(point, "value", None)
                        found.append((value, dict(point.attributes or {})))
    return sorted(found, key=lambda point: sorted(point[1].items()))


@pytest.mark.usefixtures("quiet")
def test_counts_equal_the_usage_log_across_threads(
    reader: InMemoryMetricReader, tmp_path: Path
) -> None:
    log = tmp_path / "usage.jsonl"
    phaseout.configure(usage_log=log)

    def work(n: int) -> None:
        for i in range(1_000):
            (first if (i + n) % 3 else second)(i)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phaseout.flush_usage()
    logged: dict[str, int] = {}
    for line in log.read_text().splitlines():
        event = json.loads(line)
        if event["event"] == "deprecated_usage":
            logged[event["symbol"]] = logged.get(event["symbol"], 0) + event["count"]
    metrics = {
        attrs["symbol"]: value for value, attrs in points(reader, "phaseout.deprecated.uses")
    }
    assert metrics == logged
    assert sum(metrics.values()) == 8_000
    assert {tuple(sorted(attrs)) for _, attrs in points(reader, "phaseout.deprecated.uses")} == {
        ("package", "phase", "symbol")
    }


@pytest.mark.usefixtures("quiet")
def test_the_operator_chooses_the_attributes(reader: InMemoryMetricReader) -> None:
    provider = MeterProvider(metric_readers=[reader2 := InMemoryMetricReader()])
    phaseout.configure(meter_provider=provider, metric_attributes="symbol,caller")

    def caller_a() -> None:
        first(1)

    caller_a()
    first(2)
    # (Python 3.10 names a nested function without its "<locals>" path.)
    assert sorted(
        (value, attrs["caller"].split(":")[1].rsplit(".", 1)[-1])
        for value, attrs in points(reader2, "phaseout.deprecated.uses")
    ) == [(1, "caller_a"), (1, "test_the_operator_chooses_the_attributes")]
    assert points(reader, "phaseout.deprecated.uses") == []  # the earlier provider: nothing
    with pytest.raises(ValueError, match="metric_attributes must name attributes among"):
        phaseout.configure(metric_attributes="symbol,host")


@pytest.mark.usefixtures("quiet")
def test_a_forked_child_reports_only_its_own_uses(reader: InMemoryMetricReader) -> None:
    for i in range(5):
        first(i)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            for i in range(3):
                first(i)
            total = sum(value for value, _ in points(reader, "phaseout.deprecated.uses"))
            os.write(write_end, str(total).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    child_total = int(os.read(read_end, 100).decode())
    os.waitpid(pid, 0)
    assert child_total == 3
    assert sum(value for value, _ in points(reader, "phaseout.deprecated.uses")) == 5


class _Receiver(BaseHTTPRequestHandler):
    bodies: list[bytes] = []  # noqa: RUF012

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        type(self).bodies.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.usefixtures("quiet")
def test_otlp_http_end_to_end_to_a_receiver() -> None:
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
        ExportMetricsServiceRequest,
    )
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        exporter = OTLPMetricExporter(endpoint=f"http://127.0.0.1:{server.server_port}/v1/metrics")
        reader = PeriodicExportingMetricReader(exporter, export_interval_millis=60_000)
        provider = MeterProvider(metric_readers=[reader])
        phaseout.configure(meter_provider=provider)
        for i in range(7):
            second(i)
        assert reader.force_flush()
    finally:
        phaseout.configure(meter_provider=None)
        server.shutdown()
    values = []
    for body in _Receiver.bodies:
        request = ExportMetricsServiceRequest.FromString(body)
        for resource in request.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == "phaseout.deprecated.uses":
                        assert metric.unit == "{use}"
                        values += [p.as_int for p in metric.sum.data_points]
    assert values == [7]
    provider.shutdown()


@pytest.mark.usefixtures("quiet")
def test_an_exporter_that_fails_changes_nothing_for_the_program() -> None:
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

    exporter = OTLPMetricExporter(endpoint="http://127.0.0.1:9/v1/metrics", timeout=1)
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=60_000)
    provider = MeterProvider(metric_readers=[reader])
    phaseout.configure(meter_provider=provider)
    try:
        assert [first(i) for i in range(3)] == [0, 1, 2]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader.force_flush(timeout_millis=2_000)  # fails, in the reader's own business
        assert first(5) == 5
    finally:
        phaseout.configure(meter_provider=None)
        provider.shutdown(timeout_millis=2_000)


@pytest.mark.usefixtures("quiet")
def test_the_reset_reports_to_no_provider(reader: InMemoryMetricReader) -> None:
    first(1)
    assert points(reader, "phaseout.deprecated.uses") != []
    phaseout.testing.reset()
    assert _otel.current_provider() is None
    first(1)
    assert points(reader, "phaseout.deprecated.uses") == []


def test_rollout_calls_and_rollbacks(reader: InMemoryMetricReader) -> None:
    rollout = phaseout.rollout.Rollout("r-otel", legacy=lambda x: x, new=lambda x: x, percent=100)
    for i in range(4):
        rollout(i)
    assert points(reader, "phaseout.rollout.calls") == [
        (4, {"rollout": "r-otel", "path": "new", "outcome": "ok"})
    ]
    assert (0, {"rollout": "r-otel"}) in points(reader, "phaseout.rollout.rolled_back")


def _run_with_otel_switch(script: str) -> subprocess.CompletedProcess[str]:
    """*script* in a fresh interpreter with ``PHASEOUT_OTEL=1`` and no other setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEOUT_")}
    env["PHASEOUT_OTEL"] = "1"
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )


def test_the_environment_switch(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import warnings
        from opentelemetry import metrics
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        import phaseout

        reader = InMemoryMetricReader()
        metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
        warnings.simplefilter("ignore")

        @phaseout.deprecated(since="1.0", current_version="1.5")
        def old():
            pass

        for _ in range(4):
            old()
        data = reader.get_metrics_data()
        print(sum(p.value for r in data.resource_metrics for s in r.scope_metrics
                  for m in s.metrics if m.name == "phaseout.deprecated.uses"
                  for p in m.data.data_points))
        """
    )
    done = _run_with_otel_switch(script)
    assert (done.returncode, done.stdout.strip()) == (0, "4"), done.stderr


def test_the_environment_switch_reports_rollouts_of_a_program_with_no_deprecation() -> None:
    script = textwrap.dedent(
        """
        from opentelemetry import metrics
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        import phaseout

        reader = InMemoryMetricReader()
        metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
        rollout = phaseout.rollout.Rollout("env-r", legacy=lambda x: x, new=lambda x: x, percent=100)
        for i in range(3):
            rollout(i)
        data = reader.get_metrics_data()
        print(sum(p.value for r in data.resource_metrics for s in r.scope_metrics
                  for m in s.metrics if m.name == "phaseout.rollout.calls"
                  for p in m.data.data_points))
        """
    )
    done = _run_with_otel_switch(script)
    assert (done.returncode, done.stdout.strip()) == (0, "3"), done.stderr

"""The documentation works as written: every Python example in README.md and docs/ runs, and
the docstring notes phaseout adds build under Sphinx with warnings as errors."""

from __future__ import annotations

import re
import shlex
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

import phaseout
from phaseout import _moved_modules

from .helpers import run_phaseout, sphinx_text

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# A ```python block; a ```python file=PATH block (a file of a library the page's examples
# import: written there, in the example's working directory, which is importable); or hidden
# set-up code for the page's examples (shown to no reader).
# A ```toml file=PATH block is a file too (a pyproject.toml the page's commands read).
_BLOCK = re.compile(
    r"^```(?:python|toml(?= file=))(?: file=(\S+))?\n(.*?)^```$|^<!-- test-setup\n(.*?)^-->$",
    re.M | re.S,
)


def examples(document: Path) -> list[tuple[str, str]]:
    """("example" | "setup" | "file:PATH", code) for each block of *document*, in order."""
    text = document.read_text(encoding="utf-8")
    return [
        (f"file:{path}" if path else "example" if code else "setup", code or setup)
        for path, code, setup in _BLOCK.findall(text)
    ]


def test_every_page_with_python_has_examples_found() -> None:
    # Guards the pattern above: a page whose examples it stopped finding would pass below.
    pages = {document.name for document in DOCUMENTS if "```python" in document.read_text()}
    found = {
        document.name
        for document in DOCUMENTS
        if any(k == "example" for k, _ in examples(document))
    }
    assert pages == found
    assert {"README.md", "adapters.md", "report.md", "rollout.md", "usage.md"} <= found


def run_examples(document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run *document*'s Python examples in order, in *tmp_path*, and clean up after them."""
    blocks = examples(document)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # the library files a page writes
    modules = set(sys.modules)
    # As a script pasted from the page runs: expected text names `__main__`, not the harness.
    namespace: dict[str, object] = {"__name__": "__main__"}
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")  # examples may show warnings: that is their story
            for index, (kind, code) in enumerate(blocks):
                if kind.startswith("file:"):
                    path = tmp_path / kind.removeprefix("file:")
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(code, encoding="utf-8")
                    continue
                exec(compile(code, f"{document.name}[{index}]", "exec"), namespace)
    finally:
        for name in set(sys.modules) - modules:
            if name.startswith(("mylib", "planlib", "svc", "shop")):
                del sys.modules[name]
        for moved in [old for old in _moved_modules._FINDER.moves if old.startswith("mylib")]:
            del _moved_modules._FINDER.moves[moved]
        phaseout.flush_usage()
        phaseout.configure(usage_log=None, structlog_logger=None)
        for value in namespace.values():  # files an example opened for a logger, as apps do
            if type(value).__name__ == "_Proxy":  # reading a deprecated proxy is a use
                continue
            file = getattr(getattr(value, "_logger", None), "_file", None)
            if file is not None:
                file.close()


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_example_runs_as_written(
    document: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_examples(document, tmp_path, monkeypatch)
    capsys.readouterr()


def commands(document: Path) -> list[str]:
    """The ``phaseout ...`` command lines of a page's ```sh blocks."""
    blocks = re.findall(r"^```sh\n(.*?)^```$", document.read_text(encoding="utf-8"), re.M | re.S)
    return [line for block in blocks for line in block.splitlines() if line.startswith("phaseout ")]


@pytest.mark.parametrize(
    "document",
    [document for document in DOCUMENTS if document.parent.name == "docs" and commands(document)],
    ids=lambda path: path.name,
)
def test_every_command_runs_as_written(
    document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the page's Python examples (which write the files the commands read). A line
    ending in ``# exit N`` must exit N (a dry run that finds a bad record); others exit 0."""
    run_examples(document, tmp_path, monkeypatch)
    for line in commands(document):
        command, _, status = line.partition("  # exit ")
        done = run_phaseout(tmp_path, *shlex.split(command)[1:])
        assert done.returncode == int(status or 0), (command, done.stderr)
        assert done.stdout, command


def test_the_alert_rules_name_metrics_and_labels_phaseout_exports() -> None:
    """The PromQL on the fleet page, against the series a Prometheus exporter makes of the
    instruments: counters get ``_total``, dots become underscores."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    reader = InMemoryMetricReader()
    phaseout.configure(meter_provider=MeterProvider(metric_readers=[reader]))
    try:
        legacy = phaseout.rollout.Rollout("docs-alert", legacy=lambda: 1, new=lambda: 2, percent=0)
        legacy()

        @phaseout.deprecated(since="1.0", hard_in="1.2", current_version="1.3")
        def in_its_last_phase() -> None:
            pass

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            in_its_last_phase()
        data = reader.get_metrics_data()
    finally:
        phaseout.configure(meter_provider=None)
    assert data is not None
    series: dict[str, set[tuple[str, str]]] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                name = metric.name.replace(".", "_") + "_total"
                for point in metric.data.data_points:
                    labels = {(key, str(value)) for key, value in (point.attributes or {}).items()}
                    series.setdefault(name, set()).update(labels)
    text = (ROOT / "docs" / "fleet.md").read_text(encoding="utf-8")
    rules = re.findall(r"^```promql\n(.*?)^```$", text, re.M | re.S)
    assert len(rules) == 2
    for rule in rules:
        for name, matchers in re.findall(r"(phaseout_\w+)(?:\{([^}]*)\})?", rule):
            assert name in series, name
            for key, value in re.findall(r'(\w+)="([^"]*)"', matchers):
                assert (key, value) in series[name], (name, key, value)
        for grouped in re.findall(r"by \(([^)]*)\)", rule):
            for key in filter(None, (part.strip() for part in grouped.split(","))):
                assert any(key in {k for k, _ in labels} for labels in series.values()), key


SPHINX_MODULE = '''
import phaseout

@phaseout.deprecated(since="1.0", removed_in="2.0", package="sphinxed")
def no_docstring(a): pass

@phaseout.deprecated(since="1.0", removed_in="2.0", package="sphinxed")
def one_line(a):
    """One line."""

@phaseout.deprecated(since="1.0", removed_in="2.0", package="sphinxed", replacement="sphinxed.new")
def indented(a):
    """Summary.

    Body text.

    :param a: a thing
    """

@phaseout.deprecated(since="1.0", package="sphinxed", reason="It was slow.")
def starts_on_the_second_line(a):
    """
    Summary on the second line.
    """

@phaseout.deprecated(since="1.0", package="sphinxed")
class Undocumented:
    @phaseout.deprecated(since="1.1", package="sphinxed")
    def method(self): pass

    @phaseout.deprecated(since="1.2", package="sphinxed")
    @property
    def prop(self): return 1

    @phaseout.deprecated(since="1.3", package="sphinxed")
    @classmethod
    def make(cls):
        """Make one."""

@phaseout.renamed_parameter("color", "colour", since="1.0", removed_in="2.0", package="sphinxed")
@phaseout.changed_default("mode", "fast", since="1.0", changes_in="2.0", package="sphinxed")
def plot(colour="k", mode="slow"):
    """Plot.

    :param colour: the colour
    """
'''


def test_the_docstring_notes_build_under_sphinx_with_warnings_as_errors(tmp_path: Path) -> None:
    (tmp_path / "sphinxed.py").write_text(textwrap.dedent(SPHINX_MODULE), encoding="utf-8")
    text = sphinx_text(tmp_path, "sphinxed")
    words = " ".join(text.split())  # the text builder wraps long lines
    for expected in [
        "sphinxed.no_docstring(a) Deprecated since version 1.0: Will be removed in 2.0.",
        "One line. Deprecated since version 1.0: Will be removed in 2.0.",
        "Summary. Body text. Parameters: **a** -- a thing Deprecated since version 1.0: Will be "
        "removed in 2.0. Use sphinxed.new instead.",
        "Summary on the second line. Deprecated since version 1.0: It was slow.",
        "class sphinxed.Undocumented Deprecated since version 1.0: Deprecated.",
        "method() Deprecated since version 1.1: Deprecated.",
        "property prop Deprecated since version 1.2: Deprecated.",
        "Make one. Deprecated since version 1.3: Deprecated.",
        "Plot. Parameters: **colour** -- the colour Changed in version 2.0: The default of "
        '"mode" changes to "\'fast\'" in 2.0 (announced in 1.0). Deprecated since version '
        '1.0: Parameter "color" is renamed "colour"; it will be removed in 2.0.',
    ]:
        assert expected in words


def test_the_peers_comparison_names_real_tests() -> None:
    """Each ✅ row of docs/peers-comparison.md names a test that exists (its link too)."""
    page = (ROOT / "docs" / "peers-comparison.md").read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| ") and "✅" in line]
    assert len(rows) >= 25
    for row in rows:
        named = re.findall(r"\[(tests/(\w+)\.py)::(\w+)\]\(\.\./(tests/\w+\.py)\)", row)
        assert len(named) == 1, row
        ((path, _, test, link),) = named
        assert link == path, row
        source = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^(async )?def {test}\(", source, re.M), row

"""``phaseout guide``: a migration guide, compared with a golden file a reader would accept."""

from __future__ import annotations

import builtins
import importlib
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from .helpers import run_phaseout, write_tree

GOLDEN = Path(__file__).parent / "golden" / "guide_guidelib_3.0.md"
FILES = {
    "guidelib/__init__.py": """
        import phaseout

        __version__ = "2.5"
        from guidelib.core import Store  # the public path: guidelib.Store
        phaseout.policy("guidelib", guide="https://guidelib.example/migrate/{version}#{symbol}")


        def new(x):
            return x


        @phaseout.deprecated(since="2.0", removed_in="3.0", replacement=new)
        def old(x):
            return x


        @phaseout.deprecated(since="2.0", removed_in="4.0", replacement=new)
        def later(x):  # removed after 3.0: not in the guide
            return x
        """,
    "guidelib/weather.py": """
        import phaseout


        def temperature(city, unit="C", *, precise=False):
            return 21.5


        @phaseout.deprecated(since="2.0", compat_in="2.2", removed_in="3.0",
                             replacement=temperature, args_map={"town": "city"},
                             reason="One function for every unit")
        def get_temp(town, precise=False):
            return 21.5


        @phaseout.changed_default("mode", "fast", since="2.0", changes_in="3.0")
        def compress(data, mode="legacy"):
            return mode


        @phaseout.renamed_parameter("color", "colour", since="2.0", removed_in="3.0")
        @phaseout.keyword_only("size", since="2.0", removed_in="3.0")
        def plot(data, colour="k", size=1):
            return data


        phaseout.moved(__name__, "parse", "guidelib.parsing.parse", since="2.0", removed_in="3.0")
        """,
    "guidelib/parsing.py": """
        def parse(text):
            return text
        """,
    "guidelib/core.py": """
        class Store:
            def __init__(self):
                self.data = {}

            def read(self, key):
                return self.data.get(key)

            def write(self, key, value, *, durable=False):
                self.data[key] = value
        """,
    "guidelib/compat.py": """
        import phaseout
        from guidelib.core import Store


        class StoreV1(phaseout.LegacyAdapter, target=Store, since="2.0", removed_in="3.0"):
            def get(self, key):
                return self.target.read(key)

            put = phaseout.maps("write", args={"k": "key", "v": "value"},
                                inject={"durable": True})

            @phaseout.legacy(replacement="read")
            def fetch(self, key):
                return self.target.read(key)

            @phaseout.legacy(replacement="write")
            def store_many(self, pairs):  # no one-to-one call of write()
                for key, value in pairs:
                    self.target.write(key, value)
        """,
}


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return write_tree(tmp_path, FILES)


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_phaseout(root, "guide", "guidelib", *args)


def test_the_guide_matches_the_golden_file(sample: Path) -> None:
    done = run(sample, "--to", "3.0")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == GOLDEN.read_text(encoding="utf-8")


def test_usage_logs_limit_the_guide_to_what_an_application_calls(sample: Path) -> None:
    log = sample / "usage.jsonl"
    event = {
        "timestamp": "2026-11-01T10:00:00Z", "event": "deprecated_usage", "schema": 1,
        "count": 4, "pid": 1, "symbol": "guidelib.weather.get_temp", "package": "guidelib",
        "phase": "compat", "since": "2.0", "removed_in": "3.0", "replacement": None,
        "caller": "app:main", "file": "app.py", "line": 3,
    }  # fmt: skip
    log.write_text(json.dumps(event) + "\n")
    done = run(sample, "--to", "3.0", "--usage", str(log))
    assert "Your code calls 1 of the 10 APIs that guidelib 3.0 removes or changes" in done.stdout
    assert "### `guidelib.weather.get_temp`" in done.stdout
    assert "### `guidelib.old`" not in done.stdout


def test_a_bad_version_is_exit_2(sample: Path) -> None:
    done = run(sample, "--to", "three")
    assert (done.returncode, done.stderr) == (
        2,
        "phaseout guide: --to must be a PEP 440 version such as '3.0' or a date such as '2027-07-01', got 'three'\n",
    )


class _Names(dict[str, Any]):
    """The names an "after" snippet uses: instances by their conventional names, every
    other free name a plain value."""

    def __init__(self, instances: dict[str, Any]) -> None:
        super().__init__()
        self.instances = instances

    def __missing__(self, name: str) -> Any:
        if name in self.instances:
            return self.instances[name]
        if name == "guidelib":
            return importlib.import_module(name)
        if hasattr(builtins, name):
            raise KeyError(name)  # the builtin it names
        return 1


def test_every_after_in_the_guide_runs_at_the_new_version(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the guide tells a caller to write works at the version it is for, without a
    single warning; where the new spelling is unknown it shows a comment, never code."""
    text = run(sample, "--to", "3.0").stdout
    afters = re.findall(r"^# after\n(.*?)^```$", text, re.M | re.S)
    assert len(afters) == 10
    monkeypatch.syspath_prepend(str(sample))
    try:
        import phaseout

        core = importlib.import_module("guidelib.core")
        compat = importlib.import_module("guidelib.compat")
        importlib.import_module("guidelib.weather")  # as the snippets' imports would
        ran = 0
        stores = []
        with phaseout.pretend({"guidelib": "3.0"}), warnings.catch_warnings():
            warnings.simplefilter("error")
            for code in afters:
                if code.startswith("# "):
                    assert "\n" not in code.strip()  # one comment, no code
                    continue
                store = core.Store()
                stores.append(store)
                names = _Names({"store": store, "store_v1": compat.StoreV1(store)})
                exec(compile(code, "after", "exec"), {"__builtins__": builtins}, names)
                ran += 1
        assert ran == 8
        # store.write(key=k, value=v, durable=True) reached a store
        assert [store.data for store in stores if store.data] == [{1: 1}]
    finally:
        for name in [m for m in sys.modules if m.split(".")[0] == "guidelib"]:
            del sys.modules[name]


def test_adapter_methods_are_shown_on_instances_with_their_mapped_arguments(
    sample: Path,
) -> None:
    text = run(sample, "--to", "3.0").stdout
    assert (
        "# before\nstore_v1.put(k, v)\n# after\nstore.write(key=k, value=v, durable=True)\n" in text
    )
    assert "# before\nstore_v1.fetch(key)\n# after\nstore.read(key)\n" in text
    assert (
        "# before\nstore_v1.get(key)\n# after\n# call the methods of a guidelib.Store instead "
        "(an adapter's .target is one)\n" in text
    )
    assert "guidelib.core.Store" not in text  # the public path, where the package exports it

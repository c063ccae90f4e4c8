"""``phaseout guide``: a migration guide, compared with a golden file a reader would accept."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .helpers import run_phaseout, write_tree

GOLDEN = Path(__file__).parent / "golden" / "guide_guidelib_3.0.md"
FILES = {
    "guidelib/__init__.py": """
        import phaseout

        __version__ = "2.5"
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
    assert "Your code calls 1 of the 6 APIs that guidelib 3.0 removes or changes" in done.stdout
    assert "### `guidelib.weather.get_temp`" in done.stdout
    assert "### `guidelib.old`" not in done.stdout


def test_a_bad_version_is_exit_2(sample: Path) -> None:
    done = run(sample, "--to", "three")
    assert (done.returncode, done.stderr) == (
        2,
        "phaseout guide: --to must be a PEP 440 version such as '3.0', got 'three'\n",
    )

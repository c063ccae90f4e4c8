"""``phaseout demo``: one function and one class retired, phase by phase, as a caller sees it.

The sample library and the application are written to a temporary directory, so the warnings
point at a real caller file, exactly as they would in a user's program.
"""

from __future__ import annotations

import importlib
import linecache
import os
import subprocess
import sys
import tempfile
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from ._config import CONFIG, STRICT_ENV
from ._exceptions import PhaseoutWarning, RemovedError
from ._versions import pretend

LIBRARY = '''\
"""weatherlib: a tiny library that is retiring part of its 1.x API."""
import phaseout

__version__ = "1.0"


def temperature(city, unit="C"):
    """The 2.x API."""
    return f"{city}: 21.5 {unit} (served by the new temperature())"


@phaseout.deprecated(since="1.1", compat_in="1.2", removed_in="2.0", replacement=temperature)
def get_temp(city):
    """The 1.x API."""
    return f"{city}: 21.5 C (served by the old get_temp())"


class Outlook:
    def __init__(self, city):
        self.city = city


@phaseout.deprecated(since="1.1", removed_in="2.0", replacement=Outlook)
class Forecast:
    def __init__(self, city):
        self.city = city


# Saved stations: 1.x stored Fahrenheit, 2.x stores Celsius.
stations = phaseout.Records("stations", version_field="version")


@stations.upgrade(1, to=2, since="1.1", removed_in="2.0")
def celsius(station):
    station["temp_c"] = round((station.pop("temp_f") - 32) * 5 / 9, 1)
    return station
'''

APPLICATION = '''\
"""An application written against weatherlib 1.0, never updated since."""
import weatherlib


def morning_report():
    return weatherlib.get_temp("Oslo")


def weekly_forecast():
    return weatherlib.Forecast("Bergen")


def custom_forecast():
    class CoastalForecast(weatherlib.Forecast):
        pass

    return CoastalForecast


def saved_station():
    return weatherlib.stations.load({"city": "Oslo", "temp_f": 70.7})
'''

# Two workers of the application, run for real with a usage log, to show what `phaseout
# report` makes of it.
WORKER = """\
import sys
import app

for _ in range(int(sys.argv[1])):
    app.morning_report()
for _ in range(int(sys.argv[2])):
    app.weekly_forecast()
"""

STEPS = (
    ("1.0", "announced: nothing visible unless pending deprecations are shown"),
    ("1.1", "deprecated: a DeprecationWarning at the caller's line"),
    ("1.2", "compat: still a warning, and calls are now forwarded to the replacement"),
    ("2.0rc1", "hard: a FutureWarning, shown by default, one release before removal"),
    ("2.0", "removed: a clear error that says what to use instead"),
)


def _call(out: TextIO, label: str, action: Callable[[], Any]) -> None:
    # The demo shows every warning, whatever the interpreter's filters say; this is the
    # CLI's own output, not a library call path.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = action()
        except (RemovedError, PhaseoutWarning) as error:  # a warning raises in strict mode
            result = None
            strict = " (strict mode)" if isinstance(error, PhaseoutWarning) else ""
            out.write(f"  {label}\n    raises {type(error).__name__}{strict}: {error}\n")
        else:
            shown = result.__name__ if isinstance(result, type) else result
            if isinstance(shown, dict):
                shown = repr(shown)
            elif not isinstance(shown, str):
                shown = f"<{type(result).__name__} object>"
            out.write(f"  {label} -> {shown}\n")
    for record in caught:
        line = linecache.getline(record.filename, record.lineno).strip()
        out.write(
            f"    {record.category.__name__} "
            f"(a {_builtin_base(record.category)}) at "
            f"{Path(record.filename).name}:{record.lineno}: {line}\n"
            f"      {record.message}\n"
        )


def _builtin_base(category: type[Warning]) -> str:
    return next(base.__name__ for base in category.__mro__ if base.__module__ == "builtins")


def _usage_story(out: TextIO, root: Path) -> None:
    """Two app processes log their use of weatherlib 1.1's deprecated API to one file."""
    from .report import render, summarize

    log = root / "usage.jsonl"
    (root / "worker.py").write_text(WORKER, encoding="utf-8")
    # The workers show counting, whatever phaseout settings the caller's shell exports.
    env = {name: value for name, value in os.environ.items() if not name.startswith("PHASEOUT_")}
    env |= {
        "PYTHONPATH": str(root),
        "PYTHONWARNINGS": "ignore",
        "PHASEOUT_PRETEND": "weatherlib==1.1",
        "PHASEOUT_USAGE_LOG": str(log),
    }
    runs = ((1500, 40), (2500, 0))  # (morning reports, weekly forecasts) per worker
    workers = [
        subprocess.Popen([sys.executable, str(root / "worker.py"), *map(str, run)], env=env)
        for run in runs
    ]
    for worker in workers:
        worker.wait()
    lines = log.read_text(encoding="utf-8").count("\n")
    out.write(
        "\n== Who still calls it? Two app workers ran with PHASEOUT_USAGE_LOG set: "
        f"{sum(map(sum, runs)):,} deprecated calls,\n   {lines} lines in the log. "
        "`phaseout report usage.jsonl` says:\n\n"
    )
    out.write(textwrap.indent(render(summarize([log]), "table"), "   "))


STATIONS = (
    '{"city": "Oslo", "temp_f": 70.7}\n'
    '{"city": "Bergen", "temp_f": 53.6}\n'
    '{"city": "Tromsø", "temp_f": "cold"}\n'
    '{"city": "Bodø", "temp_c": 9.0, "version": 2}\n'
)


def _records_story(out: TextIO, root: Path, app: Any) -> None:
    """weatherlib's saved stations: an old record read, then the stored ones migrated."""
    from .records import JSONLines, migrate

    out.write(
        "\n== Stored data: weatherlib 1.1 also saves stations in Celsius. One declaration,\n"
        '   @stations.upgrade(1, to=2, since="1.1", removed_in="2.0"), serves both halves:\n'
    )
    with pretend({"weatherlib": "1.1"}):
        _call(out, "stations.load(a station saved by 1.0)", app.saved_station)
    path = root / "stations.jsonl"
    path.write_text(STATIONS, encoding="utf-8")
    result = migrate(app.weatherlib.stations, JSONLines(path), dry_run=False)
    counts = result.counts
    out.write(
        f"  phaseout data migrate weatherlib:stations --file stations.jsonl --apply\n"
        f"    migrated {counts['migrated']}, already current {counts['current']}, failed "
        f"{counts['failed']} (left as it was: {result.failures[0].reason})\n"
    )


def run(out: TextIO = sys.stdout) -> int:
    with tempfile.TemporaryDirectory(prefix="phaseout-demo-") as tmp:
        root = Path(tmp)
        (root / "weatherlib").mkdir()
        (root / "weatherlib" / "__init__.py").write_text(LIBRARY, encoding="utf-8")
        (root / "app.py").write_text(APPLICATION, encoding="utf-8")
        sys.path.insert(0, tmp)
        try:
            app = importlib.import_module("app")
            out.write(
                textwrap.dedent(
                    """\
                    weatherlib is retiring get_temp() (replaced by temperature()) and the
                    Forecast class (replaced by Outlook), on this schedule:

                        @phaseout.deprecated(since="1.1", compat_in="1.2", removed_in="2.0",
                                             replacement=temperature)
                        def get_temp(city): ...

                        @phaseout.deprecated(since="1.1", removed_in="2.0", replacement=Outlook)
                        class Forecast: ...

                    app.py, written for weatherlib 1.0, calls both. Here is what it sees as
                    weatherlib moves on (each version pretended with phaseout.pretend()):
                    """
                )
            )
            strict = CONFIG.load().strict
            if strict != "off":
                out.write(
                    f"\n({STRICT_ENV}={strict} is set: the warnings it covers are raised as "
                    f"errors below.)\n"
                )
            for version, meaning in STEPS:
                out.write(f"\n== weatherlib {version}: {meaning}\n")
                with pretend({"weatherlib": version}):
                    _call(out, 'get_temp("Oslo")', app.morning_report)
                    _call(out, 'Forecast("Bergen")', app.weekly_forecast)
                    _call(out, "class CoastalForecast(Forecast)", app.custom_forecast)
            out.write(
                "\nRun your tests with PHASEOUT_PRETEND=yourlib==2.0 to see today what the "
                "next release will break;\nPHASEOUT_STRICT=hard turns the last warnings "
                "before removal into errors.\n"
            )
            _records_story(out, root, app)
            _usage_story(out, root)
        finally:
            sys.path.remove(tmp)
            for name in ("app", "weatherlib"):
                sys.modules.pop(name, None)
    return 0

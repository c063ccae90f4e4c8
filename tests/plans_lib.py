"""A fixture library for migration plans: a release calendar, declarations across three
releases, a scheduled rollout, and eight weeks of synthetic usage logs.

Releases: 1.0 (2026-06-01), 2.0 (2026-10-01), 3.0 (2027-02-01), then every 4 months. 3.0
removes ``old_search`` (calls falling fast: on track), ``old_export`` (flat: missed),
``old_fetch`` (falling, then stalling: at risk) and ``legacy_flag`` (never used) and the
``limit=`` keyword of ``fetch()``. ``old_report`` goes in 4.0.

The logs run from 2026-11-15 to 2027-01-09 (56 days); plans are judged on 2027-01-10.
"""

from __future__ import annotations

import gzip
import json
from datetime import date, timedelta
from pathlib import Path

from phaseout import _sinks
from phaseout.processors import utc_timestamp

from .helpers import write_tree

FIRST_DAY = date(2026, 11, 15)
DAYS = 56
TODAY = date(2027, 1, 10)

PYPROJECT = """\
[project]
name = "planlib"
version = "2.5"

[tool.phaseout.releases]
"1.0" = "2026-06-01"
"2.0" = 2026-10-01
"3.0" = "2027-02-01"
cadence = "4 months"

[tool.phaseout.rollouts.search]
schedule = [["2026-12-01", 10, "+5%/week"], ["2027-01-25", 100]]
"""

LIBRARY = '''\
"""planlib: a library in the middle of a migration."""

import phaseout
from phaseout.rollout import Rollout

__version__ = "2.5"

phaseout.policy("planlib", guide="https://planlib.dev/migrate/{version}#{symbol}")


def new_search(query):
    return [query]


@phaseout.deprecated(
    since="2.0", removed_in="3.0", replacement=new_search, reason="one search for all stores"
)
def old_search(query):
    return [query]


@phaseout.deprecated(since="2.0", removed_in="3.0", reason="exports moved to planlib-export")
def old_export(rows):
    return rows


def new_fetch(url):
    return url


@phaseout.deprecated(since="2.0", removed_in="3.0", replacement=new_fetch)
def old_fetch(url):
    return url


@phaseout.deprecated(since="1.0", removed_in="3.0", reason="the flag does nothing since 1.0")
def legacy_flag():
    return None


@phaseout.renamed_parameter("limit", "max_items", since="2.0", removed_in="3.0")
def fetch(url, max_items=10):
    return url


@phaseout.deprecated(since="2.0", removed_in="4.0", replacement="planlib.report")
def old_report():
    return None


users = phaseout.Records("users", package="planlib", version_field="v", first=1)


@users.upgrade(1, to=2, since="2.0", removed_in="3.0")
def _users_v2(record):
    return {**record, "v": 2, "name": record["login"]}


search = Rollout(
    "search",
    legacy=old_search,
    new=new_search,
    key=lambda query: query,
    schedule=[("2026-12-01", 10, "+5%/week"), ("2027-01-25", 100)],
)
'''

SITES = {
    "planlib.old_search": [
        ("app.views:search", "/srv/app/views.py", 10),
        ("app.api:search", "/srv/app/api.py", 20),
        ("app.jobs:nightly", "/srv/app/jobs.py", 30),
    ],
    "planlib.old_export": [("app.exports:run", "/srv/app/exports.py", 5)],
    "planlib.old_fetch": [
        ("app.client:get", "/srv/app/client.py", 7),
        ("app.sync:pull", "/srv/app/sync.py", 9),
    ],
    "planlib.fetch(limit=)": [("app.client:get", "/srv/app/client.py", 8)],
    "planlib.old_report": [("app.views:report", "/srv/app/views.py", 50)],
}


def calls(symbol: str, site: int, day: int) -> int:
    """Calls of *symbol* from its *site* (an index in SITES) on day *day* (0 to 55)."""
    if symbol == "planlib.old_search":
        # app.jobs stops after day 20, app.api after day 42, app.views falls from 600 to 40.
        if site == 2:
            return 100 if day <= 20 else 0
        if site == 1:
            return 300 if day <= 42 else 0
        return 600 - 10 * day
    if symbol == "planlib.old_export":
        return 200
    if symbol == "planlib.old_fetch":
        # Both fall by 3 % of the baseline a day from day 13, then stay at 22 % (a stall):
        # 78 % gone passes the loud milestone (75 %), then falls behind the line to 100 %.
        base = 250 if site == 0 else 150
        return round(base * max(0.22, 1 - 0.03 * max(0, day - 13)))
    if symbol == "planlib.fetch(limit=)":
        return 50 if day <= 30 else 0
    return 5  # old_report: not in the 3.0 plan


def rollout_calls(day: int) -> tuple[int, int]:
    """(legacy, new) calls of the search rollout on *day*: the new share rises 1 % a day from
    10 % on day 16 (2026-12-01)."""
    if day < 16:
        return 1000, 0
    share = min(100, 10 + (day - 16))
    return 1000 - 10 * share, 10 * share


def events() -> list[dict[str, object]]:
    """The usage events of the eight weeks, as phaseout's sinks write them."""
    found: list[dict[str, object]] = []
    for day in range(DAYS):
        midday = (FIRST_DAY + timedelta(days=day)).toordinal() - date(1970, 1, 1).toordinal()
        moment = utc_timestamp(midday * 86_400.0 + 43_200)
        for symbol, sites in SITES.items():
            for index, (caller, file, line) in enumerate(sites):
                count = calls(symbol, index, day)
                if not count:
                    continue
                found.append(
                    {
                        "timestamp": moment,
                        "event": "deprecated_usage",
                        "schema": 1,
                        "count": count,
                        "pid": 100 + index,
                        "symbol": symbol,
                        "package": "planlib",
                        "phase": "soft",
                        "since": "2.0",
                        "removed_in": "4.0" if symbol.endswith("old_report") else "3.0",
                        "replacement": None,
                        "caller": caller,
                        "file": file,
                        "line": line,
                    }
                )
        legacy, new = rollout_calls(day)
        for path, count in (("legacy", legacy), ("new", new)):
            if count:
                found.append(
                    {
                        "timestamp": moment,
                        "event": "rollout_usage",
                        "schema": 1,
                        "rollout": "search",
                        "path": path,
                        "count": count,
                        "outcome": "ok",
                    }
                )
    return found


def write_library(root: Path) -> Path:
    """The library's project folder (pyproject.toml, src/planlib) under *root*."""
    project = root / "planlib-project"
    write_tree(project, {"pyproject.toml": PYPROJECT, "src/planlib/__init__.py": LIBRARY})
    return project


def write_logs(folder: Path, files: int = 2) -> list[Path]:
    """The events in *files* gzip files (one per host), split by day."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"usage-host{n}.jsonl.gz" for n in range(files)]
    everything = events()
    for n, path in enumerate(paths):
        mine = [e for i, e in enumerate(everything) if i % files == n]
        text = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in mine)
        with gzip.open(path, "wt", encoding="utf-8") as stream:
            stream.write(text)
    return paths


__all__ = ["DAYS", "FIRST_DAY", "SITES", "TODAY", "_sinks", "calls", "write_library", "write_logs"]

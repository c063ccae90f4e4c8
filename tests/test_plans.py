"""``phaseout plan``: a release's migration plan, measured from usage logs (tests/plans_lib.py)."""

from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from .helpers import run_phaseout, write_tree
from .plans_lib import (
    DAYS,
    FIRST_DAY,
    LIBRARY,
    PYPROJECT,
    SITES,
    calls,
    plan_shown,
    write_library,
    write_logs,
)
from .test_report_html import dom_of

LOUD = date(2027, 1, 4)  # 3.0.dev0: four weeks before 3.0 (2027-02-01)
FINAL = date(2027, 1, 25)  # the week before the removal


def day_index(day: date) -> int:
    return (day - FIRST_DAY).days


def per_day(symbol: str, day: int) -> int:
    return sum(calls(symbol, site, day) for site in range(len(SITES[symbol])))


def gone(symbols: list[str], end: date) -> float:
    """The reference: the share of the baseline's calls per day gone in the week to *end*."""
    before = sum(per_day(s, d) for s in symbols for d in range(14)) / 14
    last = day_index(end)
    now = sum(per_day(s, d) for s in symbols for d in range(last - 6, last + 1)) / 7
    return 100 * (1 - now / before)


def migrated(symbols: list[str], end: date) -> float:
    """The reference: the share of call sites seen since the baseline not calling that week."""
    last = day_index(end)
    seen = {
        (s, i)
        for s in symbols
        for i in range(len(SITES[s]))
        if any(calls(s, i, d) for d in range(last + 1))
    }
    still = {(s, i) for s, i in seen if any(calls(s, i, d) for d in range(last - 6, last + 1))}
    return 100 * (1 - len(still) / len(seen))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plans")
    project = write_library(root)
    write_logs(root)
    return project


def plan(project: Path, *args: str) -> Any:
    done = run_phaseout(
        project / "src", "plan", "planlib", "--to", "3.0",
        "--usage", str(project.parent / "logs" / "*.jsonl.gz"), "--today", "2027-01-10", *args,
    )  # fmt: skip
    return done


def test_the_fixture_logs_hold_what_the_reference_counts(project: Path) -> None:
    assert DAYS == 56
    assert day_index(date(2027, 1, 9)) == DAYS - 1


def test_the_plan_states_the_timeline_and_the_automation(project: Path) -> None:
    done = plan(project, "--format", "json")
    assert (done.returncode, done.stderr) == (0, "")
    document = json.loads(done.stdout)
    assert (document["id"], document["package"], document["to"], document["removal"]) == (
        "MIG-planlib-3.0",
        "planlib",
        "3.0",
        "2027-02-01",
    )
    apis = {api["symbol"]: api for api in document["apis"]}
    assert sorted(apis) == [
        "planlib.fetch(limit=)",
        "planlib.legacy_flag",
        "planlib.old_export",
        "planlib.old_fetch",
        "planlib.old_search",
        "users record v1",
    ]  # old_report goes in 4.0: not in this plan
    search = apis["planlib.old_search"]
    assert search["boundaries"] == [
        {"phase": "announced", "version": "1.0", "day": "2026-06-01", "estimated": False},
        {"phase": "deprecated", "version": "2.0", "day": "2026-10-01", "estimated": False},
        {"phase": "loud", "version": "3.0.dev0", "day": "2027-01-04", "estimated": True},
        {"phase": "removed", "version": "3.0", "day": "2027-02-01", "estimated": False},
    ]
    assert (search["replacement"], search["reason"], search["automated"]) == (
        "planlib.new_search",
        "one search for all stores",
        "every use",
    )
    assert apis["planlib.fetch(limit=)"]["automated"] == "every call"
    assert apis["planlib.old_export"]["automated"] is None
    assert apis["users record v1"]["data_migration"] == "phaseout data migrate planlib:users"


def test_every_verdict_and_number_is_measured_from_the_logs(project: Path) -> None:
    document = json.loads(plan(project, "--format", "json").stdout)
    metrics = {(m["name"], m["symbol"]): m for m in document["metrics"]}
    end = date(2027, 1, 9)
    expected_now = 75 + 25 * 6 / 21  # the line from the loud milestone to the last week's
    sites_now = 50 + 50 * 6 / 21
    cases = {
        ("calls gone", "planlib.old_search"): (
            "on track",
            gone(["planlib.old_search"], end),
            expected_now,
        ),
        ("call sites migrated", "planlib.old_search"): (
            "on track",
            migrated(["planlib.old_search"], end),
            sites_now,
        ),
        ("calls gone", "planlib.old_export"): ("missed", 0.0, 75),
        ("call sites migrated", "planlib.old_export"): ("missed", 0.0, 50),
        ("calls gone", "planlib.old_fetch"): (
            "at risk",
            gone(["planlib.old_fetch"], end),
            expected_now,
        ),
        ("call sites migrated", "planlib.old_fetch"): ("missed", 0.0, 50),
        ("calls gone", "planlib.fetch(limit=)"): ("on track", 100.0, expected_now),
        ("calls gone", "planlib.legacy_flag"): ("on track", None, None),
        ("calls gone", "users record v1"): ("on track", None, None),
    }
    for key, (verdict, measured, expected) in cases.items():
        metric = metrics[key]
        assert metric["verdict"] == verdict, key
        assert metric["measured"] == pytest.approx(measured), key
        assert metric["expected"] == pytest.approx(expected), key
    assert metrics[("calls gone", "planlib.old_fetch")]["measured"] == pytest.approx(78.0)
    assert metrics[("calls gone", "planlib.old_fetch")]["reason"] == (
        "78 % below the 82 % expected by now (100 % due by 2027-01-25)"
    )
    everything = [s for s in SITES if s != "planlib.old_report"]
    at_loud = gone(everything, LOUD)
    assert at_loud < 75
    assert metrics[("calls gone", "all")]["verdict"] == "missed"
    assert metrics[("calls gone", "all")]["reason"] == (
        f"{at_loud:.0f} % on 2027-01-04, below the 75 % due by 2027-01-04 (loud)"
    )
    assert metrics[("calls gone", "all")]["measured"] == pytest.approx(gone(everything, end))
    assert metrics[("call sites migrated", "all")]["measured"] == pytest.approx(
        migrated(everything, end)
    )
    assert metrics[("calls gone", "planlib.old_search")]["baseline"] == pytest.approx(
        sum(per_day("planlib.old_search", d) for d in range(14)) / 14
    )
    [rollout] = document["rollouts"]
    assert (rollout["name"], rollout["verdict"], rollout["rollbacks"]) == ("search", "on track", 0)
    assert rollout["new_share"] == pytest.approx(10 + (DAYS - 1 - 16))  # the last day's share
    # On 2027-01-10 the schedule stands at 10 % + 5 %/week since 2026-12-01: 40 days.
    assert rollout["scheduled"] == pytest.approx(10 + 5 * 40 / 7, abs=0.01)
    assert rollout["percent"] == rollout["scheduled"]  # following its schedule: no lag
    impact = document["impact"]
    assert (impact["first_day"], impact["last_day"], impact["skipped"]) == (
        "2026-11-15",
        "2027-01-09",
        0,
    )
    export = impact["apis"]["planlib.old_export"]
    assert export["daily"] == {
        (FIRST_DAY + timedelta(days=d)).isoformat(): 200 for d in range(DAYS)
    }
    assert export["call_sites"] == [
        {"caller": "app.exports:run", "file": "/srv/app/exports.py", "line": 5, "calls": 200 * DAYS}
    ]
    assert impact["apis"]["planlib.old_search"]["callers"] == ["app.api", "app.jobs", "app.views"]
    assert impact["apis"]["planlib.legacy_flag"]["calls"] == 0


def test_the_impact_counts_calls_sites_and_callers(project: Path) -> None:
    text = plan(project).stdout
    rows = dict(re.findall(r"^\| `([^`]+)` \| ([\d,]+ \| \d+ \| \d+) \|", text, re.M))
    total = sum(per_day("planlib.old_search", d) for d in range(DAYS))
    assert rows["planlib.old_search"] == f"{total:,} | 3 | 3"
    assert rows["planlib.old_export"] == f"{200 * DAYS:,} | 1 | 1"
    assert rows["planlib.legacy_flag"] == "0 | 0 | 0"
    assert "Safe to remove now: `planlib.legacy_flag`, `users record v1`." in text
    weekly = re.search(r"^\| `planlib.old_export` \| ((?:[\d,]+ \| ){7}[\d,]+) \|$", text, re.M)
    assert weekly is not None
    assert weekly.group(1) == " | ".join(["1,400"] * 8)
    top = text.split("### Top callers", 1)[1].split("###", 1)[0]
    assert top.splitlines()[4] == (
        f"| app.views | `planlib.old_search` | "
        f"{sum(calls('planlib.old_search', 0, d) for d in range(DAYS)):,} |"
    )


def test_the_markdown_has_every_section_in_order(project: Path) -> None:
    text = plan(project).stdout
    headings = re.findall(r"^(#{1,3}) (.+)$", text, re.M)
    assert [h for level, h in headings if level != "###"] == [
        "MIG-planlib-3.0: planlib 3.0",
        "Summary",
        "Timeline",
        "What is automated",
        "Impact",
        "Success metrics",
        "Rollout schedule",
        "Communication",
        "Rollback",
        "Checks failed",
    ]
    assert (
        "| 2026-12-07 | API consumers | deprecation notice e-mail | deprecated | passed |" in text
    )
    assert "| 2027-01-18 | support | support brief | loud | due |" in text
    assert "`phaseout data rollback planlib:users` with the same `--db`" in text
    assert '`PHASEOUT_ROLLOUT="search=0"`' in text
    email = text.split("### API consumers: deprecation notice e-mail (2026-12-07)", 1)[1]
    assert email.startswith(
        "\n\n```text\nSubject: [MIG-planlib-3.0] planlib 3.0 removes 6 APIs on 2027-02-01\n"
    )
    assert (
        "- planlib.old_search: deprecated since 2.0 (2026-10-01); use planlib.new_search instead. one search for all stores."
        in email
    )


def test_check_fails_with_one_line_per_reason(project: Path) -> None:
    done = plan(project, "--check", "-o", str(project / "plan.md"))
    assert done.returncode == 1
    assert done.stdout == ""
    assert (project / "plan.md").read_text(encoding="utf-8").startswith("# MIG-planlib-3.0")
    prefix = "phaseout plan: MIG-planlib-3.0: "
    lines = done.stderr.splitlines()
    assert all(line.startswith(prefix) for line in lines)
    assert [line.removeprefix(prefix) for line in lines][-1] == (
        "docs banner to internal teams: overdue: due 2027-01-04, but the loud phase "
        "(3.0.dev0 (~2027-01-04)) is not released"
    )
    assert (
        "calls gone of planlib.old_export: missed: 0 % on 2027-01-04, below the 75 % due by 2027-01-04 (loud)"
        in done.stderr
    )
    assert "old_search" not in done.stderr
    # Judged earlier, before any milestone or communication fell due: nothing fails.
    early = plan(project, "--check", "--today", "2026-12-05", "-o", str(project / "early.md"))
    assert (early.returncode, early.stderr) == (0, "")


def test_prometheus_rules_carry_the_plan_dates(project: Path) -> None:
    rules = project / "rules.yml"
    done = plan(project, "--prometheus-rules", str(rules), "-o", str(project / "p.md"))
    assert (done.returncode, done.stderr) == (0, "")
    text = rules.read_text(encoding="utf-8")
    removal = int(datetime(2027, 2, 1, tzinfo=timezone.utc).timestamp())
    week = int(datetime(2027, 1, 25, tzinfo=timezone.utc).timestamp())
    assert f"and on () (time() >= {week} and time() < {removal})" in text
    assert f"and on () (time() >= {removal})" in text
    assert (
        'phaseout_deprecated_uses_total{package="planlib",symbol=~"planlib\\\\.fetch\\\\(limit=\\\\)|'
        in text
    )
    assert 'phaseout_rollout_calls_total{rollout="search",path="legacy"}' in text
    assert text.count("- alert: ") == 3
    assert text.splitlines()[1:4] == ["groups:", '  - name: "MIG-planlib-3.0"', "    rules:"]


def test_the_html_plan_in_a_real_browser(project: Path, tmp_path: Path) -> None:
    page = tmp_path / "plan.html"
    done = plan(project, "--format", "html", "-o", str(page))
    assert (done.returncode, done.stderr) == (0, "")
    dom = dom_of(page)
    assert dom.title == "MIG-planlib-3.0: planlib 3.0"
    text = " ".join(dom.text)
    assert "Success metrics" in text
    assert "78 % below the 82 % expected by now (100 % due by 2027-01-25)" in text
    assert "Subject: [MIG-planlib-3.0] planlib 3.0 removes 6 APIs on 2027-02-01" in text
    assert "script" not in dom.tags
    assert dom.tags.count("svg") == 6  # a chart per API, the unused ones too
    assert dom.tags.count("h2") == 9  # the h1 is the title


def test_templates_are_overridden_file_by_file(project: Path, tmp_path: Path) -> None:
    write_tree(
        tmp_path / "templates",
        {
            "notice-email.txt.j2": "{{ migration_id }} for {{ audience }} on {{ date }}: {{ apis | length }}\n"
        },
    )
    done = plan(project, "--templates", str(tmp_path / "templates"))
    assert done.returncode == 0, done.stderr
    assert "```text\nMIG-planlib-3.0 for API consumers on 2026-12-07: 6\n```" in done.stdout
    assert "### Deprecated (removed in planlib 3.0, 2027-02-01)" in done.stdout  # the default
    write_tree(tmp_path / "bad", {"docs-banner.md.j2": "{{ nowhere }}\n"})
    missing = plan(project, "--templates", str(tmp_path / "nowhere"))
    assert (missing.returncode, missing.stderr) == (
        2,
        f"phaseout plan: --templates must be a folder of .j2 templates, got {str(tmp_path / 'nowhere')!r}\n",
    )
    bad = plan(project, "--templates", str(tmp_path / "bad"))
    assert (bad.returncode, bad.stderr) == (
        2,
        "phaseout plan: UndefinedError: 'nowhere' is undefined\n",
    )


@pytest.mark.parametrize(
    ("pyproject_tail", "message"),
    [
        (
            "[tool.phaseout.plan.targets]\ncalls_gone_by_loud = 120\n",
            "target calls_gone_by_loud must be a whole number from 0 to 100, got 120",
        ),
        ("[tool.phaseout.plan.targets]\nspeed = 1\n", "unknown target 'speed'"),
        (
            '[[tool.phaseout.plan.communications]]\naudience = "ops"\n',
            "communication 1: missing 'channel'",
        ),
        (
            "[tool.phaseout.plan]\ntarget = 1\n",
            "unknown key 'target'; known: communications, targets",
        ),
    ],
)
def test_bad_plan_settings_are_one_line_and_exit_2(
    tmp_path: Path, pyproject_tail: str, message: str
) -> None:
    project = write_library(tmp_path)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + pyproject_tail)
    done = run_phaseout(project / "src", "plan", "planlib", "--to", "3.0")
    assert done.returncode == 2
    assert done.stderr.startswith("phaseout plan: planlib: [tool.phaseout.plan]: ")
    assert message in done.stderr
    assert done.stderr.count("\n") == 1


def test_a_plan_holds_what_its_release_removes_not_what_an_earlier_one_did(project: Path) -> None:
    done = run_phaseout(
        project / "src",
        "plan",
        "planlib",
        "--to",
        "4.0",
        "--format",
        "json",
        "--today",
        "2027-03-01",
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert (document["removal"], [api["symbol"] for api in document["apis"]]) == (
        "2027-06-01",  # 4.0: estimated from the cadence, four months after 3.0
        ["planlib.old_report"],  # the 3.0 removals are 3.0's plan
    )


def test_a_bad_release_is_refused_before_importing(tmp_path: Path) -> None:
    project = write_library(tmp_path)
    done = run_phaseout(project / "src", "plan", "planlib", "--to", "three")
    assert (done.returncode, done.stderr) == (
        2,
        "phaseout plan: --to must be a PEP 440 version such as '3.0' or a date such as "
        "'2027-07-01', got 'three'\n",
    )


def test_a_plan_without_a_calendar_says_what_is_missing(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "nocal/__init__.py": (
                "import phaseout\n\n"
                "@phaseout.deprecated(since='1.0', removed_in='2.0', current_version='1.5')\n"
                "def old():\n    pass\n"
            )
        },
    )
    done = run_phaseout(tmp_path, "plan", "nocal", "--to", "2.0", "--check")
    assert (done.returncode, done.stderr) == (0, "")
    assert (
        "nocal 2.0 (no date yet: list the release in [tool.phaseout.releases]) removes"
        in done.stdout
    )
    assert "| 2.0 |" not in done.stdout.split("## Timeline")[0]
    rules = run_phaseout(tmp_path, "plan", "nocal", "--to", "2.0", "--prometheus-rules", "r.yml")
    assert (rules.returncode, rules.stderr) == (
        2,
        "phaseout plan: MIG-nocal-2.0: no removal date: list 2.0 in [tool.phaseout.releases] "
        "to write alert rules\n",
    )


def test_a_service_plans_by_date(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "svc/__init__.py": (
                "import phaseout\n\n"
                "@phaseout.deprecated(since='2026-12-01', removed_in='2027-06-30', replacement='svc.new')\n"
                "def old():\n    pass\n\n"
                "@phaseout.deprecated(since='2026-12-01', removed_in='2027-09-30')\n"
                "def later():\n    pass\n"
            )
        },
    )
    done = run_phaseout(
        tmp_path, "plan", "svc", "--to", "2027-07-01", "--format", "json", "--today", "2027-05-01"
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert (document["id"], document["removal"]) == ("MIG-svc-2027-07-01", "2027-07-01")
    [api] = document["apis"]
    assert api["symbol"] == "svc.old"
    assert [(b["phase"], b["day"]) for b in api["boundaries"]] == [
        ("announced", None),
        ("deprecated", "2026-12-01"),
        ("loud", "2027-06-02"),  # four weeks before the removal
        ("removed", "2027-06-30"),
    ]
    assert [(c["audience"], c["day"], c["status"]) for c in document["communications"]] == [
        ("API consumers", "2027-05-06", "due"),
        ("end users", "2027-05-20", "due"),
        ("internal teams", "2027-06-03", "due"),
        ("support", "2027-06-17", "due"),
    ]


def test_without_jinja2_the_error_names_the_extra(project: Path) -> None:
    code = (
        "import sys; sys.modules['jinja2'] = None\n"
        "from phaseout.cli import main\n"
        "sys.exit(main(['plan', 'planlib', '--to', '3.0']))\n"
    )
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=project / "src",
        env={"PYTHONPATH": str(project / "src"), "PATH": "/usr/bin:/bin"}, check=False, timeout=120,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (
        2,
        "phaseout plan: phaseout plan needs Jinja2 for its message templates: "
        "pip install 'phaseout[plans]'\n",
    )


def test_a_plan_judged_on_a_given_day_reads_the_same_every_day(project: Path) -> None:
    first = plan(project).stdout
    assert plan(project).stdout == first
    # A folder of logs (a synced tree) reads as its .jsonl.gz files.
    folder = run_phaseout(
        project / "src", "plan", "planlib", "--to", "3.0", "--usage", str(project.parent / "logs"),
        "--today", "2027-01-10",
    )  # fmt: skip
    assert (folder.returncode, folder.stdout) == (0, first)
    empty = project.parent / "empty"
    empty.mkdir(exist_ok=True)
    nothing = run_phaseout(project / "src", "plan", "planlib", "--to", "3.0", "--usage", str(empty))
    assert (nothing.returncode, nothing.stderr) == (
        2,
        f"phaseout plan: --usage: no .jsonl or .jsonl.gz file in the folder {str(empty)!r}\n",
    )


def test_the_page_shows_the_plan_the_command_prints(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "planlib/__init__.py": LIBRARY})
    write_logs(tmp_path)
    done = run_phaseout(
        tmp_path,
        "plan",
        "planlib",
        "--to",
        "3.0",
        "--usage",
        "logs/*.jsonl.gz",
        "--today",
        "2027-01-10",
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == plan_shown()


SERVICE = {
    "svc/__init__.py": (
        "import phaseout\n\n"
        "@phaseout.deprecated(since='2026-01-01', removed_in='2027-06-30', replacement='svc.new')\n"
        "def old():\n    pass\n\n"
        "def new():\n    pass\n"
    )
}


def test_the_audit_and_the_guide_read_dates(tmp_path: Path) -> None:
    write_tree(tmp_path, SERVICE)
    audit = run_phaseout(tmp_path, "audit", "svc", "--at", "2027-07-01", "--format", "json")
    assert audit.returncode == 0, audit.stderr
    [entry] = json.loads(audit.stdout)["declarations"]
    assert (entry["since"], entry["removed_in"], entry["phase"], entry["phase_at"]) == (
        "2026-01-01",
        "2027-06-30",
        "soft",  # today (2026-12 or later, before the removal's last four weeks)
        "removed",
    )
    assert entry["removal_date"] == "2027-06-30"
    guide = run_phaseout(tmp_path, "guide", "svc", "--to", "2027-07-01")
    assert guide.returncode == 0, guide.stderr
    assert guide.stdout.startswith("# svc: what is removed by 2027-07-01\n")
    assert "Deprecated on 2026-01-01; removed on 2027-06-30." in guide.stdout
    assert 'phaseout.pretend(today="2027-07-01")' in guide.stdout
    early = run_phaseout(tmp_path, "guide", "svc", "--to", "2027-06-29")
    assert "### `svc.old`" not in early.stdout


def test_the_audit_dates_versioned_removals_from_the_calendar(project: Path) -> None:
    done = run_phaseout(project / "src", "audit", "planlib", "--format", "json")
    entries = {e["symbol"]: e for e in json.loads(done.stdout)["declarations"]}
    assert entries["planlib.old_search"]["removal_date"] == "2027-02-01"
    assert entries["planlib.old_report"]["removal_date"] == "~2027-06-01"  # 4.0: the cadence
    table = run_phaseout(project / "src", "audit", "planlib").stdout
    assert table.splitlines()[2].endswith("phase  removal date")


def test_markup_in_a_declaration_never_runs_in_the_html_plan(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "evil/__init__.py": (
                "import phaseout\n\n"
                "@phaseout.deprecated(since='1.0', removed_in='2.0', current_version='1.5',\n"
                "    reason='</td></table><script>document.title=`pwned`</script>'\n"
                "    '<img src=x onerror=\"document.body.dataset.pwned=1\">')\n"
                "def old():\n    pass\n"
            )
        },
    )
    page = tmp_path / "plan.html"
    done = run_phaseout(
        tmp_path, "plan", "evil", "--to", "2.0", "--format", "html", "-o", str(page)
    )
    assert (done.returncode, done.stderr) == (0, "")
    dom = dom_of(page)
    assert dom.title == "MIG-evil-2.0: evil 2.0"
    assert "script" not in dom.tags
    assert "img" not in dom.tags
    assert "</td></table><script>document.title=`pwned`</script>" in "".join(dom.text)


def test_the_page_states_the_defaults_in_force() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    from phaseout.plans import DEFAULT_COMMUNICATIONS, DEFAULT_TARGETS

    page = (Path(__file__).resolve().parent.parent / "docs" / "plans.md").read_text()
    block = page.split("```toml\n[tool.phaseout.plan.targets]", 1)[1].split("```", 1)[0]
    table = tomllib.loads("[tool.phaseout.plan.targets]" + block)["tool"]["phaseout"]["plan"]
    assert table["targets"] == DEFAULT_TARGETS
    assert table["communications"] == [dict(DEFAULT_COMMUNICATIONS[0])]
    rows = [(c["audience"], c["channel"], c["weeks_before"]) for c in DEFAULT_COMMUNICATIONS]
    assert rows == [
        ("API consumers", "deprecation notice e-mail", 8),
        ("end users", "release notes / changelog", 6),
        ("internal teams", "docs banner", 4),
        ("support", "support brief", 2),
    ]

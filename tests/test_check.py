"""``phaseout check``: every break between two releases, joined with the declarations."""

from __future__ import annotations

import ast
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import griffe
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phaseout.check import CheckError, Finding, check, read_declarations, render, render_shims
from phaseout.check._breaks import KIND_WORDS

from .check_lib import git, make_repo
from .helpers import write_tree

TODAY = date(2026, 12, 4)

#: 2.0 -> 3.0, as (path, kind, status, severity): every kind a declaration can announce,
#: announced (_a), early (_e) and undeclared (_u), and the breaks nothing can announce.
EXPECTED = {
    ("shapes.Box", "base class removed", "undeclared", "major"),
    ("shapes.Box.turn_u", "object removed", "undeclared", "critical"),
    ("shapes.LIMIT_A", "object removed", "announced", "major"),
    ("shapes.LIMIT_U", "object removed", "undeclared", "major"),
    ("shapes.Painter.brush_a", "object removed", "announced", "critical"),
    ("shapes.Painter.brush_u", "object removed", "undeclared", "critical"),
    ("shapes.area(unit)", "parameter removed", "undeclared", "critical"),
    ("shapes.convert", "object removed", "undeclared", "critical"),
    ("shapes.helper", "object removed", "undeclared", "critical"),
    ("shapes.draw_a(color)", "parameter removed", "announced", "critical"),
    ("shapes.draw_e(color)", "parameter removed", "early", "critical"),
    ("shapes.draw_u(color)", "parameter removed", "undeclared", "critical"),
    ("shapes.fill_a(color)", "parameter removed", "announced", "critical"),
    ("shapes.fill_e(color)", "parameter removed", "early", "critical"),
    ("shapes.fill_u(color)", "parameter removed", "undeclared", "critical"),
    ("shapes.gone_a", "object removed", "announced", "critical"),
    ("shapes.gone_u", "object removed", "undeclared", "critical"),
    ("shapes.grow(factor)", "parameter made required", "undeclared", "major"),
    ("shapes.measure", "return type changed", "undeclared", "minor"),
    ("shapes.old_a", "object removed", "announced", "critical"),
    ("shapes.old_e", "object removed", "early", "critical"),
    ("shapes.old_u", "object removed", "undeclared", "critical"),
    ("shapes.pick(a)", "parameter moved", "undeclared", "major"),
    ("shapes.pick(b)", "parameter moved", "undeclared", "major"),
    ("shapes.round_a(digits)", "default changed", "announced", "major"),
    ("shapes.round_e(digits)", "default changed", "early", "major"),
    ("shapes.round_u(digits)", "default changed", "undeclared", "major"),
    ("shapes.size_a(unit)", "parameter kind changed", "announced", "major"),
    ("shapes.size_e(unit)", "parameter kind changed", "early", "major"),
    ("shapes.size_u(unit)", "parameter kind changed", "undeclared", "major"),
    ("shapes.still_here", "still present", "present", "minor"),
    ("shapes.width", "kind changed", "undeclared", "critical"),
    ("shapes.zoom(level)", "required parameter added", "undeclared", "critical"),
}

#: How a user reaches each old spelling a fix brings back, and the category it must warn with.
USES = {
    "shapes.old_e": "shapes.old_e(1)",
    "shapes.old_u": "shapes.old_u(1)",
    "shapes.gone_u": "shapes.gone_u()",
    "shapes.LIMIT_U": "shapes.LIMIT_U",
    "shapes.Box.turn_u": "shapes.Box().turn_u()",
    "shapes.Painter.brush_u": "shapes.Painter().brush_u()",
    "shapes.area(unit)": "shapes.area(2, 3, unit='m')",
    "shapes.draw_e(color)": "shapes.draw_e(1, color='blue')",
    "shapes.draw_u(color)": "shapes.draw_u(1, color='blue')",
    "shapes.fill_e(color)": "shapes.fill_e(1, color='blue')",
    "shapes.fill_u(color)": "shapes.fill_u(1, color='blue')",
    "shapes.size_e(unit)": "shapes.size_e(1, 'cm')",
    "shapes.size_u(unit)": "shapes.size_u(1, 'cm')",
    "shapes.round_e(digits)": "shapes.round_e(1.23456)",
    "shapes.round_u(digits)": "shapes.round_u(1.23456)",
    "shapes.convert": "shapes.convert(1)",
    "shapes.helper": "shapes.helper(1)",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("check"))


def _rows(findings: tuple[Finding, ...] | list[Finding]) -> set[tuple[str, str, str, str]]:
    return {(f.path, f.kind, f.status, f.severity) for f in findings}


def _phaseout(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEOUT_")}
    return subprocess.run(
        [sys.executable, "-m", "phaseout", "check", *args],
        capture_output=True, text=True, check=False, cwd=cwd, env=env, timeout=300,
    )  # fmt: skip


def test_every_break_is_classified(repo: Path) -> None:
    result = check("shapes", against="v2.0", repo=repo, today=TODAY)
    assert (result.old, result.old_version, result.new, result.new_version) == (
        "v2.0", "2.0", "the working tree", "3.0",
    )  # fmt: skip
    assert _rows(result.findings) == EXPECTED
    assert len(result.findings) == len(EXPECTED)
    by_path = {f.path: f for f in result.findings}
    assert by_path["shapes.old_e"].reason == "broken in 3.0, before its announced 4.0"
    assert by_path["shapes.old_e"].declaration == (
        'phaseout.deprecated(since="2.0", removed_in="4.0") (src/shapes/__init__.py:25)'
    )
    assert by_path["shapes.old_a"].reason == "deprecated since 1.0, announced for 3.0"
    # Re-exported from a private module: found under its public name, joined with the
    # declaration where it is defined.
    assert by_path["shapes.gone_a"].declaration == (
        'phaseout.deprecated(since="1.0", removed_in="3.0") (src/shapes/_impl.py:9)'
    )
    assert by_path["shapes.fill_e(color)"].detail == (
        "renamed to colour: the old keyword is no longer accepted"
    )
    assert by_path["shapes.round_u(digits)"].detail == "2 -> 3"
    assert by_path["shapes.still_here"].reason == (
        "declared for 3.0 and still in 3.0: it is due to be removed"
    )
    # Announced breaks need no fix; early and undeclared ones get one.
    for finding in result.findings:
        assert (finding.fix is None) == (finding.status in ("announced",)), finding.path


def test_nothing_breaks_between_releases_that_only_declare(repo: Path) -> None:
    done = _phaseout(repo, "shapes", "--against", "v1.0", "--base", "v2.0")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "shapes: v1.0 (1.0) -> v2.0 (2.0)\nno breaking changes\n"
    assert done.stderr == ""


def test_the_command_fails_on_early_and_undeclared_breaks(repo: Path) -> None:
    done = _phaseout(repo, "shapes", "--against", "v2.0")
    assert done.returncode == 1
    assert done.stderr == (
        "phaseout check: 24 findings early/undeclared (--fail-on early,undeclared)\n"
    )
    assert done.stdout.splitlines()[:2] == [
        "shapes: v2.0 (2.0) -> the working tree (3.0)",
        "19 undeclared, 5 early, 1 present, 8 announced",
    ]
    assert _phaseout(repo, "shapes", "--against", "v2.0", "--fail-on", "none").returncode == 0
    present = _phaseout(repo, "shapes", "--against", "v2.0", "--fail-on", "present")
    assert present.returncode == 1
    assert present.stderr == "phaseout check: 1 finding present (--fail-on present)\n"


def test_json_carries_every_finding_and_its_fix(repo: Path) -> None:
    done = _phaseout(repo, "shapes", "--against", "v2.0", "--format", "json", "--fail-on", "none")
    document = json.loads(done.stdout)
    assert document["counts"] == {
        "announced": 8, "allowed": 0, "present": 1, "early": 5, "undeclared": 19,
    }  # fmt: skip
    rows = {(f["path"], f["kind"], f["status"], f["severity"]) for f in document["findings"]}
    assert rows == EXPECTED
    fill = next(f for f in document["findings"] if f["path"] == "shapes.fill_u(color)")
    assert fill["fix"] == {
        "placement": "above",
        "code": '@phaseout.renamed_parameter("color", "colour", since="3.0", removed_in="4.0")',
        "file": "shapes/__init__.py",
        "line": 35,
        "signature": None,
        "def_line": 35,
        "current": "def fill_u(x, colour=None):",
        "needs_import": False,
        "where": "src/shapes/__init__.py:35, above the def",
    }


def _apply(package_root: Path, findings: list[Finding]) -> None:
    """Paste every fix where it says it goes, bottom to top so line numbers hold."""
    edits: dict[str, list[tuple[int, int, Finding]]] = {}
    for finding in findings:
        fix = finding.fix
        assert fix is not None
        assert fix.file is not None
        order = {"append": 10**9, "class": fix.line, "above": fix.line}[fix.placement]
        edits.setdefault(fix.file, []).append((order, fix.def_line, finding))
    for file, changes in edits.items():
        path = package_root / file
        lines = path.read_text(encoding="utf-8").splitlines()
        needs_import = False
        for _, _, finding in sorted(changes, key=lambda c: (c[0], c[1]), reverse=True):
            fix = finding.fix
            assert fix is not None
            needs_import |= fix.needs_import
            code = fix.code.removeprefix("import phaseout\n\n").splitlines()
            if fix.placement == "append":
                lines += ["", "", *code]
            elif fix.placement == "class":
                lines[fix.line : fix.line] = ["", *code]
            else:
                if fix.signature is not None:
                    lines[fix.def_line - 1] = fix.signature
                lines[fix.line - 1 : fix.line - 1] = code
        if needs_import:
            lines.insert(0, "import phaseout")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_each_fix_applied_ends_its_finding_and_warns_at_run_time(
    repo: Path, tmp_path: Path
) -> None:
    result = check("shapes", against="v2.0", repo=repo, today=TODAY)
    fixable = [f for f in result.findings if f.fix is not None and f.fix.placement != "manual"]
    assert {f.path for f in fixable} == set(USES)
    manual = {f.path for f in result.findings if f.fix is not None and f.fix.placement == "manual"}
    assert manual == {
        "shapes.Box", "shapes.grow(factor)", "shapes.measure", "shapes.pick(a)",
        "shapes.pick(b)", "shapes.still_here", "shapes.width", "shapes.zoom(level)",
    }  # fmt: skip
    fixed = tmp_path / "fixed"
    subprocess.run(["cp", "-r", str(repo), str(fixed)], check=True)
    _apply(fixed / "src", fixable)
    again = check("shapes", against="v2.0", repo=fixed, today=TODAY)
    left = {f.path for f in again.findings if f.status in ("early", "undeclared")}
    assert left == manual - {"shapes.still_here"}
    # The renamed keyword is still a break griffe sees, now declared by the new code.
    assert [p for p in again.phased if p.startswith("shapes.fill")] == [
        "shapes.fill_u(color): parameter removed"
    ]
    # Each old spelling works again, and warns at the line that uses it.
    script = fixed / "use_old.py"
    lines = ["import json, warnings, phaseout", "import shapes", "seen = {}"]
    for path, use in USES.items():
        lines += [
            "with warnings.catch_warnings(record=True) as caught:",
            "    warnings.simplefilter('always')",
            f"    {use}",
            f"seen[{path!r}] = [(w.category.__name__, w.filename, w.lineno, str(w.message))"
            " for w in caught]",
        ]
    lines.append("print(json.dumps(seen))")
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEOUT_")}
    env.update(PYTHONPATH=str(fixed / "src"), PHASEOUT_PRETEND="shapes==3.0")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    for index, path in enumerate(USES):
        warned = seen[path]
        assert len(warned) == 1, (path, warned)
        category, filename, lineno, message = warned[0]
        expected = "ChangedDefaultWarning" if "round" in path else "DeprecatedWarning"
        assert category == expected, path
        assert (filename, lineno) == (str(script), 6 + 4 * index), path
        name = path.split("(")[0].rsplit(".", 1)[-1]
        assert name in message, (path, message)


def test_the_policy_window_makes_a_scheduled_removal_early(repo: Path, tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.phaseout]\nmin_releases = 3\n")
    result = check("shapes", against="v2.0", repo=repo, pyproject=pyproject, today=TODAY)
    old_a = next(f for f in result.findings if f.path == "shapes.old_a")
    assert old_a.status == "early"
    assert old_a.reason == (
        "deprecated for 2 releases (1.0 to 3.0); the policy asks min_releases = 3"
    )
    assert not [f for f in result.findings if f.status == "announced"]
    # Days come from the release calendar, else the tags' dates: 1.0 on 2025-01-10, 3.0 on
    # 2026-01-10 (the working tree has no tag of its own: 3.0 is dated by the tag v3.0).
    pyproject.write_text("[tool.phaseout]\nmin_days = 366\n")
    result = check("shapes", against="v2.0", repo=repo, pyproject=pyproject, today=TODAY)
    old_a = next(f for f in result.findings if f.path == "shapes.old_a")
    assert old_a.reason == (
        "deprecated for 365 days (1.0 on 2025-01-10 to 3.0 on 2026-01-10); the policy asks "
        "min_days = 366"
    )
    pyproject.write_text(
        '[tool.phaseout]\nmin_days = 365\n[tool.phaseout.releases]\n"1.0" = 2025-03-01\n'
    )
    result = check("shapes", against="v2.0", repo=repo, pyproject=pyproject, today=TODAY)
    assert next(f for f in result.findings if f.path == "shapes.old_a").status == "early"
    pyproject.write_text("[tool.phaseout]\nmin_days = 365\n")
    result = check("shapes", against="v2.0", repo=repo, pyproject=pyproject, today=TODAY)
    assert next(f for f in result.findings if f.path == "shapes.old_a").status == "announced"


def test_deliberate_breaks_are_allowed_with_a_reason(repo: Path, tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        "[tool.phaseout.check]\n"
        'allow = [{path = "shapes.old_u", reason = "3.0 redesign"},\n'
        '         {path = "shapes.pick(*)", kind = "parameter moved", reason = "swapped"}]\n'
        'exclude = ["shapes.Box*"]\n'
    )
    result = check("shapes", against="v2.0", repo=repo, pyproject=pyproject, today=TODAY)
    allowed = {f.path: f.reason for f in result.findings if f.status == "allowed"}
    assert allowed == {
        "shapes.old_u": "undeclared, allowed: 3.0 redesign",
        "shapes.pick(a)": "undeclared, allowed: swapped",
        "shapes.pick(b)": "undeclared, allowed: swapped",
    }
    assert not [f for f in result.findings if f.path.startswith("shapes.Box")]
    pyproject.write_text('[tool.phaseout.check]\nallow = [{path = "shapes.old_u"}]\n')
    done = _phaseout(repo, "shapes", "--against", "v2.0", "--pyproject", str(pyproject))
    assert done.returncode == 2
    assert done.stderr == (
        f"phaseout check: {pyproject} [tool.phaseout].check.allow: shapes.old_u needs a reason "
        "(why the break is deliberate), got None\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--against", "v9.9"], "git reference 'v9.9' not found in . (a tag, branch or commit)"),
        (["--against", "--base"], "argument --against: expected one argument"),
        (["--against", "v2.0", "--fail-on", "bad"], "--fail-on must list statuses of "
         "announced, allowed, present, early, undeclared (or 'none'), got 'bad'"),
        (["--against", "v2.0", "--new-version", "three"],
         "the version of the working tree must be a PEP 440 version, got 'three'"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(repo: Path, args: list[str], message: str) -> None:
    done = _phaseout(repo, "shapes", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    if "argument" not in message:
        assert done.stderr == f"phaseout check: {message}\n"


def test_a_package_missing_from_a_snapshot_or_unparseable_is_exit_2(
    repo: Path, tmp_path: Path
) -> None:
    done = _phaseout(repo, "circles", "--against", "v2.0")
    assert (done.returncode, done.stderr) == (
        2,
        "phaseout check: package 'circles' not found in v2.0 (looked in src or .); pass "
        "--search FOLDER\n",
    )
    broken = tmp_path / "broken"
    subprocess.run(["cp", "-r", str(repo), str(broken)], check=True)
    (broken / "src/shapes/_impl.py").write_text("def area(w, h:\n    return 1\n")
    git(broken, "commit", "-qam", "broken", "--author", "t <t@example.com>")
    git(broken, "tag", "v3.1")
    done = _phaseout(broken, "shapes", "--against", "v2.0", "--base", "v3.1")
    assert done.returncode == 2
    assert done.stderr.startswith("phaseout check: src/shapes/_impl.py in v3.1 does not parse: ")
    assert done.stderr.count("\n") == 1


def test_usage_logs_give_the_impact(repo: Path, tmp_path: Path) -> None:
    # Real logs: the 2.0 release, used by an application, as phaseout writes them.
    old = tmp_path / "v2"
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "v2.0"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(old, filter="data")
    app = tmp_path / "app.py"
    app.write_text(
        "import warnings\nimport shapes\nwarnings.simplefilter('ignore')\n"
        "for _ in range(3):\n    shapes.old_e(1)\n"
        "shapes.old_e(2)\nshapes.round_e(1.5)\n"
    )
    log = tmp_path / "usage.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEOUT_")}
    env.update(
        PYTHONPATH=str(old / "src"), PHASEOUT_PRETEND="shapes==2.0", PHASEOUT_USAGE_LOG=str(log)
    )
    subprocess.run([sys.executable, str(app)], check=True, env=env, cwd=tmp_path)
    result = check("shapes", against="v2.0", repo=repo, usage=[str(log)], today=TODAY)
    by_path = {f.path: f for f in result.findings}
    old_e = by_path["shapes.old_e"]
    assert (old_e.usage.calls, old_e.usage.call_sites) == (4, 2)  # type: ignore[union-attr]
    assert old_e.impact == "4 calls from 2 call sites (4.0/day)"
    assert by_path["shapes.round_e(digits)"].severity == "critical"  # major, and used
    assert by_path["shapes.size_e(unit)"].severity == "minor"  # major, and unused
    assert by_path["shapes.size_e(unit)"].impact == "0 calls from 0 call sites (0.0/day)"
    assert by_path["shapes.old_u"].impact == (
        "unknown: not declared, so the usage logs cannot name it"
    )
    assert by_path["shapes.old_u"].usage is None


def test_write_shims_writes_a_module_of_every_fix(repo: Path, tmp_path: Path) -> None:
    shims = tmp_path / "shims.py"
    done = _phaseout(repo, "shapes", "--against", "v2.0", "--write-shims", str(shims))
    assert done.returncode == 1
    text = shims.read_text()
    compile(text, str(shims), "exec")  # it parses
    result = check("shapes", against="v2.0", repo=repo, today=TODAY)
    for finding in result.findings:
        if finding.fix is not None and finding.fix.placement != "manual":
            first = finding.fix.code.removeprefix("import phaseout\n\n").strip().splitlines()[0]
            assert first in text, finding.path
            assert f"# {finding.path}: {finding.kind} ({finding.status})." in text
    assert text == render_shims(result)
    inside = _phaseout(repo, "shapes", "--against", "v2.0", "--write-shims", "src/shapes/shims.py")
    assert inside.returncode == 2
    assert "is inside the package" in inside.stderr
    assert not (repo / "src/shapes/shims.py").exists()


def test_folders_and_wheels_are_snapshots_too(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    write_tree(old, {"tiny/__init__.py": "import phaseout\n\n@phaseout.deprecated(since='1.0', "
                     "removed_in='2.0')\ndef f(x):\n    return x\n\ndef g(a, b=1):\n    return a\n"})  # fmt: skip
    write_tree(new, {"tiny/__init__.py": "def g(a, b=2):\n    return a\n"})
    wheel = tmp_path / "tiny-2.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.write(new / "tiny/__init__.py", "tiny/__init__.py")
    for base in (str(new), str(wheel)):
        result = check(
            "tiny", against=str(old), base=base, old_version="1.5", new_version="2.0",
            repo=tmp_path, today=TODAY,
        )  # fmt: skip
        assert _rows(result.findings) == {
            ("tiny.f", "object removed", "announced", "critical"),
            ("tiny.g(b)", "default changed", "undeclared", "major"),
        }
    assert check("tiny", against=str(old), base=str(wheel), old_version="1.5", repo=tmp_path,
                 today=TODAY).new_version == "2.0"  # fmt: skip
    assert render(result, "markdown") == MARKDOWN.replace("{old}", str(old))


MARKDOWN = """\
# Breaking changes: tiny: {old} (1.5) -> tiny-2.0-py3-none-any.whl (2.0)

1 undeclared, 1 announced.

## Undeclared: silent breaks

| Severity | API | Change | Why |
|---|---|---|---|
| major | `tiny.g(b)` | default changed (1 -> 2) | no phaseout declaration in the old release: a silent break |

Fix for `tiny.g(b)`, tiny/__init__.py:1, above the def; write the def as below, and `import phaseout` at the top:

```python
@phaseout.changed_default("b", 2, changes_in="3.0", since="2.0")
def g(a, b=1):
```

## Announced: removed on schedule

| Severity | API | Change | Why |
|---|---|---|---|
| critical | `tiny.f` | object removed | deprecated since 1.0, announced for 2.0 |
"""


def test_check_without_griffe_says_what_to_install(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['griffe'] = None\n"
        "from phaseout.cli import main\n"
        "sys.exit(main(['check', 'x', '--against', 'v1']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (
        2,
        "phaseout check: needs griffe, which is not installed: pip install 'phaseout[check]'\n",
    )
    imported = subprocess.run(
        [sys.executable, "-c", "import phaseout, phaseout.check, phaseout.cli, sys; "
         "print(sorted(m for m in sys.modules if m.startswith('griffe')))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert imported.stdout == "[]\n"


# The declaration reader is a parser: random declarations, written in every import style,
# come back exactly.
_APIS = {
    "deprecated": "@{p}deprecated(since={since!r}, removed_in={removed!r})\ndef {name}(x):\n    pass\n",
    "removed_parameter": "@{p}removed_parameter({arg!r}, since={since!r}, removed_in={removed!r})\n"
    "def {name}(x, {arg}=1):\n    pass\n",
    "renamed_parameter": "@{p}renamed_parameter({arg!r}, 'new_{arg}', since={since!r}, "
    "removed_in={removed!r})\ndef {name}(x, new_{arg}=1):\n    pass\n",
    "changed_default": "@{p}changed_default({arg!r}, 2, changes_in={removed!r}, since={since!r})\n"
    "def {name}(x, {arg}=1):\n    pass\n",
    "deprecated_module_attribute": "{name} = 1\n{p}deprecated_module_attribute(__name__, {name!r}, "
    "since={since!r}, removed_in={removed!r})\n",
    "moved": "{p}moved(__name__, {name!r}, 'lib.other.{name}', since={since!r}, "
    "removed_in={removed!r})\n",
}
_identifiers = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda s: s not in {"if", "in", "is", "or", "as", "def", "for", "and", "not", "del", "try"}
)
_versions = st.tuples(st.integers(0, 30), st.integers(0, 30)).map(lambda v: f"{v[0]}.{v[1]}")


@settings(max_examples=60, deadline=None)
@given(
    entries=st.lists(
        st.tuples(st.sampled_from(sorted(_APIS)), _identifiers, _identifiers, _versions, _versions),
        min_size=1,
        max_size=6,
        unique_by=lambda e: e[1],
    ),
    style=st.sampled_from(["import phaseout", "import phaseout as po", "from phaseout import"]),
)
def test_the_declaration_reader_finds_what_was_written(
    tmp_path_factory: pytest.TempPathFactory,
    entries: list[tuple[str, str, str, str, str]],
    style: str,
) -> None:
    folder = tmp_path_factory.mktemp("reader")
    prefix = {"import phaseout": "phaseout.", "import phaseout as po": "po."}.get(style, "")
    header = style if prefix else f"from phaseout import {', '.join(sorted(_APIS))}"
    body = [header, ""]
    for api, name, arg, since, removed in entries:
        body.append(_APIS[api].format(p=prefix, name=f"n_{name}", arg=f"a_{arg}",
                                      since=since, removed=removed))  # fmt: skip
    write_tree(folder, {"lib/mod.py": "\n".join(body)})
    found = read_declarations(folder, "lib", "here")
    assert [(d.api, d.target, d.names, d.since, d.removed_in) for d in found] == [
        (
            api,
            f"lib.mod.n_{name}",
            (f"a_{arg}",)
            if api in ("removed_parameter", "renamed_parameter", "changed_default")
            else (),
            since,
            removed,
        )
        for api, name, arg, since, removed in entries
    ]


def test_unreadable_versions_are_early_not_announced(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    write_tree(old, {"lib/__init__.py": "import phaseout\nREMOVAL = '2.0'\n\n"
                     "@phaseout.deprecated(since='1.0', removed_in=REMOVAL)\ndef f():\n    pass\n"})  # fmt: skip
    write_tree(new, {"lib/__init__.py": "REMOVAL = '2.0'\n"})
    result = check("lib", against=str(old), base=str(new), old_version="1.5", new_version="2.0",
                   repo=tmp_path, today=TODAY)  # fmt: skip
    (finding,) = result.findings
    assert (finding.status, finding.reason) == (
        "early",
        "declared with removed_in 'REMOVAL': no release announced for the break",
    )
    with pytest.raises(CheckError, match="cannot tell the version of"):
        check("lib", against=str(old), base=str(new), repo=tmp_path)


def _griffe_breaks(old: Path, new: Path, package: str) -> Counter[tuple[str, str, str]]:
    """griffe's own check: (kind, object name, parameter) of every breakage."""
    loaded = [griffe.load(package, search_paths=[p], allow_inspection=False) for p in (old, new)]
    found: Counter[tuple[str, str, str]] = Counter()
    for breakage in griffe.find_breaking_changes(loaded[0], loaded[1]):
        value: Any = breakage.old_value or breakage.new_value
        parameter = value.name if isinstance(value, griffe.Parameter) else ""
        found[(breakage.kind.value, breakage.obj.name, parameter)] += 1
    return found


WHEELS = Path(__file__).parent / ".wheels"
PAIR = ("packaging-21.3-py3-none-any.whl", "packaging-22.0-py3-none-any.whl")


def test_against_a_real_history_the_breaks_are_griffes(tmp_path: Path) -> None:
    """Two released versions of a real package, as wheels downloaded by
    .ci/install-test-deps: the same breaks as griffe's own check, plus a classification."""
    missing = [name for name in PAIR if not (WHEELS / name).is_file()]
    assert not missing, f"{missing} missing: run bash .ci/install-test-deps"
    unpacked = []
    for name in PAIR:
        folder = tmp_path / name
        with zipfile.ZipFile(WHEELS / name) as wheel:
            wheel.extractall(folder)
        unpacked.append(folder)
    expected = _griffe_breaks(unpacked[0], unpacked[1], "packaging")
    assert sum(expected.values()) > 10  # 22.0 removed LegacyVersion and more
    result = check(
        "packaging", against=str(WHEELS / PAIR[0]), base=str(WHEELS / PAIR[1]),
        repo=tmp_path, today=TODAY,
    )  # fmt: skip
    assert (result.old_version, result.new_version) == ("21.3", "22.0")
    words = {kind.value: KIND_WORDS[kind.name] for kind in list(griffe.BreakageKind)}
    ours: Counter[tuple[str, str, str]] = Counter()
    for finding in result.findings:
        name, _, parameter = finding.path.partition("(")
        ours[(finding.kind, name.rsplit(".", 1)[-1], parameter.rstrip(")"))] += 1
    assert ours == Counter({(words[k], n, p): c for (k, n, p), c in expected.items()})
    assert {f.status for f in result.findings} == {"undeclared"}  # packaging uses no phaseout
    removed = {f.path for f in result.findings if f.kind == "object removed"}
    assert "packaging.version.LegacyVersion" in removed


def test_signatures_written_by_fixes_parse(repo: Path) -> None:
    result = check("shapes", against="v2.0", repo=repo, today=TODAY)
    for finding in result.findings:
        if finding.fix is not None and finding.fix.signature is not None:
            tree = ast.parse(finding.fix.signature.strip() + "\n    pass\n")
            assert isinstance(tree.body[0], ast.FunctionDef)


def test_the_worked_example_prints_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_docs import ROOT, run_examples

    page = ROOT / "docs" / "check.md"
    run_examples(page, tmp_path, monkeypatch)
    shown = re.search(r"^```text\n(mylib: v1\.0.*?)^```$", page.read_text(), re.M | re.S)
    assert shown is not None
    done = _phaseout(tmp_path, "mylib", "--against", "v1.0")
    assert done.returncode == 1
    assert done.stdout == shown.group(1)


def test_the_plan_shows_the_breaking_changes(repo: Path, tmp_path: Path) -> None:
    findings = tmp_path / "check.json"
    done = _phaseout(repo, "shapes", "--against", "v2.0", "--format", "json", "-o",
                     str(findings), "--fail-on", "none")  # fmt: skip
    assert done.returncode == 0, done.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEOUT_")}
    env["PYTHONPATH"] = str(repo / "src")

    def plan(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "phaseout", "plan", "shapes", "--today", "2026-12-04",
             "--breaking", str(findings), *args],
            capture_output=True, text=True, check=False, env=env, cwd=tmp_path,
        )  # fmt: skip

    shown = plan("--to", "3.0", "--check")
    assert shown.returncode == 1
    section = shown.stdout.split("## Breaking changes\n\n", 1)[1].split("\n## ", 1)[0]
    lines = section.splitlines()
    assert lines[0] == (
        "`phaseout check` from v2.0 (2.0) to the working tree (3.0): 8 announced, 1 present, "
        "5 early, 19 undeclared. Early and undeclared breaks fail `--check`; each has a "
        "declaration to add (`phaseout check --write-shims`)."
    )
    rows = [line for line in lines if line.startswith("| ") and "`shapes" in line]
    assert len(rows) == len(EXPECTED)
    assert (
        "| critical | `shapes.old_e` | object removed | early | broken in 3.0, before its "
        "announced 4.0 |" in rows
    )
    failed = [line for line in shown.stderr.splitlines() if "breaking change" in line]
    assert len(failed) == 24
    assert (
        "phaseout plan: MIG-shapes-3.0: breaking change early: shapes.old_e: object removed"
        in failed
    )
    as_json = json.loads(plan("--to", "3.0", "--format", "json").stdout)
    assert len(as_json["breaking_changes"]["breaks"]) == len(EXPECTED)
    other = plan("--to", "3.1")
    assert (other.returncode, other.stderr) == (
        2,
        f"phaseout plan: --breaking {findings} checks the release 3.0, the plan is for 3.1\n",
    )


@st.composite
def _signatures(draw: st.DrawFn) -> str:
    """A def line: positional-only, positional, *args, keyword-only, **kwargs, each with or
    without annotations and defaults, in an order Python accepts."""
    names = iter(draw(st.lists(_identifiers, min_size=6, max_size=6, unique=True)))
    value = st.sampled_from(["1", "None", "'red'", "(1, 2)", "-3.5", "True"])
    annotation = st.sampled_from(["", ": int", ": str | None", ": list[int]"])
    parts: list[str] = []
    defaulted = False
    for group in ("posonly", "regular"):
        for _ in range(draw(st.integers(0, 2))):
            has_default = defaulted or draw(st.booleans())
            defaulted |= has_default
            default = f"={draw(value)}" if has_default else ""
            ann = draw(annotation)
            parts.append(
                f"p_{next(names)}{ann}{(' ' + default.replace('=', '= ')) if ann and default else default}"
            )
        if group == "posonly" and parts:
            parts.append("/")
    star = draw(st.sampled_from(["", "*", "*args"]))
    keywords = [
        f"k_{next(names)}{draw(annotation)}" + (f" = {draw(value)}" if draw(st.booleans()) else "")
        for _ in range(draw(st.integers(0, 2)) if star else 0)
    ]
    if star and (keywords or star == "*args"):
        parts += [star, *keywords]
    if draw(st.booleans()):
        parts.append("**kwargs")
    returns = draw(st.sampled_from(["", " -> int", " -> None"]))
    return f"def f({', '.join(parts)}){returns}:"


@settings(max_examples=150, deadline=None)
@given(line=_signatures())
def test_a_signature_written_by_a_fix_is_the_signature_read(line: str) -> None:
    from phaseout.check._fixes import _signature

    module = griffe.visit("m", Path("m.py"), f"{line}\n    pass\n")
    written = _signature(module["f"], restore={})
    original = ast.parse(f"{line}\n    pass\n").body[0]
    again = ast.parse(f"{written}\n    pass\n").body[0]
    assert isinstance(original, ast.FunctionDef)
    assert isinstance(again, ast.FunctionDef)
    assert ast.dump(again.args) == ast.dump(original.args), (line, written)
    assert ast.dump(ast.Module([again], [])) == ast.dump(ast.Module([original], []))


@settings(max_examples=200, deadline=None)
@given(
    releases=st.sets(st.tuples(st.integers(0, 6), st.integers(0, 9)), min_size=0, max_size=12),
    since=st.tuples(st.integers(0, 6), st.integers(0, 9)),
    new=st.tuples(st.integers(0, 7), st.integers(0, 9)),
    minimum=st.integers(1, 6),
)
def test_the_policy_counts_the_releases_a_deprecation_lived_through(
    releases: set[tuple[int, int]], since: tuple[int, int], new: tuple[int, int], minimum: int
) -> None:
    from packaging.version import Version

    from phaseout.check._policy import CheckPolicy

    as_version = {r: Version(f"{r[0]}.{r[1]}") for r in releases | {since, new}}
    tags = {as_version[r]: date(2020, 1, 1) for r in releases}
    policy = CheckPolicy(min_releases=minimum, tags=tags)
    lived = sorted(r for r in releases if since <= r < new)
    reason = policy.short_window(as_version[since], as_version[new], TODAY)
    if releases:
        assert (reason is not None) == (len(lived) < minimum)
        if reason is not None:
            plural = "s" if len(lived) != 1 else ""
            assert reason.startswith(f"deprecated for {len(lived)} release{plural} ")
    # A suggested removal is always later than the release that deprecates, by the policy's
    # number of minor releases.
    suggested = Version(policy.removal_for(as_version[new]))
    assert suggested > as_version[new]
    assert suggested.release[:2] == (new[0], new[1] + minimum)
    assert Version(CheckPolicy().removal_for(as_version[new])) == Version(f"{new[0] + 1}.0")


@pytest.mark.parametrize(
    ("files", "search", "kept"),
    [
        (["src/lib/__init__.py", "docs/a.md", "tests/t.py", "pyproject.toml"], None,
         ["pyproject.toml", "src/lib/__init__.py"]),
        (["lib/__init__.py", "lib/core.py", "setup.py", "data/big.csv"], None,
         ["lib/__init__.py", "lib/core.py"]),
        (["python/lib.py", "README"], "python", ["python/lib.py"]),
    ],
)  # fmt: skip
def test_a_git_snapshot_holds_the_package_and_its_pyproject_only(
    tmp_path: Path, files: list[str], search: str | None, kept: list[str]
) -> None:
    from contextlib import ExitStack

    from phaseout.check._snapshots import open_snapshot

    repo = tmp_path / "repo"
    write_tree(repo, dict.fromkeys(files, "X = 1\n"))
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "one")
    git(repo, "tag", "v1.0")
    with ExitStack() as stack:
        snapshot = open_snapshot(
            "v1.0", package="lib", repo=repo, search=search, version=None, stack=stack
        )
        found = sorted(p.relative_to(snapshot.root).as_posix() for p in snapshot.root.rglob("*")
                       if p.is_file())  # fmt: skip
        assert found == kept
        assert snapshot.version is not None
        assert str(snapshot.version) == "1.0"


def test_github_annotations_put_each_break_on_its_line(repo: Path) -> None:
    done = _phaseout(repo, "shapes", "--against", "v2.0", "--format", "github")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == len(EXPECTED)
    fill = next(line for line in lines if "shapes.fill_u(color)" in line)
    assert fill == (
        "::error file=src/shapes/__init__.py,line=35,title=undeclared break%3A parameter "
        "removed::shapes.fill_u(color): parameter removed. no phaseout declaration in the old "
        "release: a silent break.%0AFix (src/shapes/__init__.py:35, above the def):%0A"
        '@phaseout.renamed_parameter("color", "colour", since="3.0", removed_in="4.0")'
    )
    present = next(line for line in lines if "shapes.still_here" in line)
    assert present.startswith(
        "::warning file=src/shapes/__init__.py,line=63,title=present break%3A still present::"
    )
    announced = next(line for line in lines if "shapes.old_a:" in line)
    # Removed: the module that held it, in the new code.
    assert announced.startswith("::notice file=src/shapes/__init__.py,line=1,title=announced")
    # The location is in JSON too.
    document = json.loads(_phaseout(repo, "shapes", "--against", "v2.0", "--format", "json").stdout)
    located = {f["path"]: f["location"] for f in document["findings"]}
    assert located["shapes.area(unit)"] == "src/shapes/_impl.py:2"
    assert located["shapes.Box.turn_u"] == "src/shapes/__init__.py:96"
    assert located["shapes.fill_e(color)"] == "src/shapes/__init__.py:31"

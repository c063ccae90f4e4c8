"""``phaseout audit`` on a sample package, run as users run it: a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .helpers import run_phaseout, write_tree

FILES = {
    "auditlib/__init__.py": """
        import phaseout

        __version__ = "2.5"
        phaseout.policy("auditlib", guide="https://auditlib.example/migrate/{version}#{symbol}")


        def new(x):
            return x


        @phaseout.deprecated(since="2.0", removed_in="3.0", replacement=new)
        def old(x):
            return x


        @phaseout.deprecated(since="1.0", removed_in="2.0")
        def overdue():
            pass
        """,
    "auditlib/tools.py": """
        import phaseout


        @phaseout.deprecated(since="2.4", hard_in="2.9", removed_in="4.0",
                             replacement="auditlib.nowhere.thing", guide="https://x.example")
        def broken():
            pass


        @phaseout.renamed_parameter("color", "colour", since="2.0", removed_in="3.0")
        def plot(colour="k"):
            pass
        """,
    "auditlib/bad.py": 'raise RuntimeError("this module fails at import")\n',
}


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return write_tree(tmp_path, FILES)


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_phaseout(root, "audit", "auditlib", *args)


def test_json_lists_every_declaration_and_finding(sample: Path) -> None:
    done = run(sample, "--format", "json", "--at", "3.0")
    assert (done.returncode, done.stderr) == (0, "")
    report = json.loads(done.stdout)
    assert (report["package"], report["installed"], report["at"]) == ("auditlib", "2.5", "3.0")
    assert [
        (d["symbol"], d["kind"], d["phase"], d["phase_at"], d["replacement"])
        for d in report["declarations"]
    ] == [
        ("auditlib.old", "function", "soft", "removed", "auditlib.new"),
        ("auditlib.overdue", "function", "removed", "removed", None),
        ("auditlib.tools.broken", "function", "soft", "hard", "auditlib.nowhere.thing"),
        ("auditlib.tools.plot(color=)", "renamed parameter", "soft", "removed",
         "auditlib.tools.plot(colour=)"),
    ]  # fmt: skip
    assert report["declarations"][0]["guide"] == (
        "https://auditlib.example/migrate/3.0#auditlib.old"  # from the package policy
    )
    assert [(f["code"], f["kind"], f["subject"]) for f in report["findings"]] == [
        ("PO100", "import-error", "auditlib.bad"),
        ("PO200", "overdue", "auditlib.overdue"),
        ("PO300", "unresolved-replacement", "auditlib.tools.broken"),
    ]
    assert report["findings"][1]["message"] == (
        "removed in 2.0 and still present at auditlib 2.5: delete it (and its declaration) "
        "before the release"
    )
    assert done.stdout == json.dumps(report, indent=2, sort_keys=True)  # stable bytes


def test_fail_on_and_the_table(sample: Path) -> None:
    done = run(sample, "--fail-on", "overdue")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == "4 declarations in auditlib 2.5"
    assert any(line.startswith("PO200  error     auditlib.overdue") for line in lines)
    assert run(sample, "--fail-on", "no-guide").returncode == 0  # every one has a guide


def test_the_matrix_has_a_column_per_boundary_version(sample: Path) -> None:
    done = run(sample, "--matrix", "--format", "json")
    matrix = json.loads(done.stdout)["matrix"]
    assert matrix["auditlib.tools.broken"] == [
        "pending",
        "pending",
        "soft",
        "hard",
        "hard",
        "removed",
    ]
    markdown = run(sample, "--matrix", "--format", "markdown").stdout
    assert "| symbol | 1.0 | 2.0 | 2.4 | 2.9 | 3.0 | 4.0 |" in markdown


def test_bad_input_is_exit_2_with_a_clear_message(sample: Path) -> None:
    bad_at = run(sample, "--at", "soon")
    assert (bad_at.returncode, bad_at.stderr) == (
        2,
        "phaseout audit: --at must be a PEP 440 version such as '3.0' or a date such as '2027-07-01', got 'soon'\n",
    )
    bad_kind = run(sample, "--fail-on", "overdue,typo")
    assert bad_kind.returncode == 2
    assert "--fail-on must be finding kinds" in bad_kind.stderr
    assert "got typo" in bad_kind.stderr


@pytest.mark.parametrize("fail_on", [[], ["--fail-on", "overdue"], ["--fail-on", "import-error"]])
@pytest.mark.parametrize("command", ["audit", "guide"])
def test_a_package_that_cannot_be_imported_fails_the_gate(
    tmp_path: Path, fail_on: list[str], command: str
) -> None:
    """Nothing can be checked: exit 2 with one line saying why, whatever --fail-on says."""
    (tmp_path / "auditlib").mkdir()
    (tmp_path / "auditlib" / "__init__.py").write_text("import does_not_exist\n")
    extra = ["--to", "3.0"] if command == "guide" else ["--at", "3.0", *fail_on]
    done = run_phaseout(tmp_path, command, "auditlib", *extra)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"phaseout {command}: cannot import 'auditlib': ModuleNotFoundError: No module named "
        f"'does_not_exist'\n"
    )
    missing = run_phaseout(tmp_path, command, "nosuchpkg", *extra)
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr == (
        f"phaseout {command}: cannot import 'nosuchpkg': ModuleNotFoundError: No module named "
        f"'nosuchpkg' (install it, or run phaseout in the directory that holds it)\n"
    )


def test_a_submodule_that_fails_to_import_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "auditlib").mkdir()
    (tmp_path / "auditlib" / "__init__.py").write_text("")
    (tmp_path / "auditlib" / "broken.py").write_text("import does_not_exist\n")
    done = run(tmp_path, "--format", "json", "--fail-on", "import-error")
    assert done.returncode == 1
    findings = json.loads(done.stdout)["findings"]
    assert [(f["code"], f["subject"], f["message"]) for f in findings] == [
        ("PO100", "auditlib.broken", "ModuleNotFoundError: No module named 'does_not_exist'")
    ]


def test_the_console_script_finds_a_package_in_the_working_directory(tmp_path: Path) -> None:
    """Like ``python -m phaseout``: the console script's directory is what Python puts on
    sys.path, not the working directory."""
    script = Path(sys.executable).with_name("phaseout")
    assert script.exists()
    (tmp_path / "auditlib.py").write_text(
        "import phaseout\n"
        "@phaseout.deprecated(since='1.0', removed_in='2.0', current_version='1.5')\n"
        "def old(): pass\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PHASEOUT_", "PYTHONPATH"))}
    done = subprocess.run(
        [str(script), "audit", "auditlib"],
        cwd=tmp_path, capture_output=True, text=True, check=False, env=env, timeout=120,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("1 declaration in auditlib 1.5\n")
    assert "auditlib.old" in done.stdout


def test_an_installed_package_without_declarations_shows_its_version() -> None:
    from importlib.metadata import version

    done = run_phaseout(Path.cwd(), "audit", "structlog")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"0 declarations in structlog {version('structlog')}\n")


def _event(symbol: str, caller: str, count: int, day: str) -> str:
    return json.dumps(
        {
            "timestamp": f"{day}T10:00:00Z",
            "event": "deprecated_usage",
            "schema": 1,
            "count": count,
            "pid": 1,
            "symbol": symbol,
            "package": "auditlib",
            "phase": "soft",
            "since": "2.0",
            "removed_in": "3.0",
            "replacement": None,
            "caller": caller,
            "file": "app.py",
            "line": 1,
        }
    )


def test_usage_logs_are_joined(sample: Path) -> None:
    log = sample / "usage.jsonl"
    log.write_text(
        "\n".join(
            [
                _event("auditlib.old", "app:main", 3, "2026-11-01"),
                _event("auditlib.old", "app:job", 2, "2026-11-20"),
                "not json at all",
            ]
        )
        + "\n"
    )
    done = run(sample, "--format", "json", "--usage", str(log))
    report = json.loads(done.stdout)
    usage = {
        d["symbol"]: (d["calls"], d["callers"], d["last_seen"]) for d in report["declarations"]
    }
    assert usage["auditlib.old"] == (5, 2, "2026-11-20T10:00:00.000000Z")
    assert usage["auditlib.overdue"] == (0, 0, None)
    unused = sorted(f["subject"] for f in report["findings"] if f["kind"] == "unused")
    assert unused == ["auditlib.overdue", "auditlib.tools.broken", "auditlib.tools.plot(color=)"]
    # The table shows the same join.
    table = run(sample, "--usage", str(log)).stdout.splitlines()
    header = table[2].split()
    assert header[-4:] == ["calls", "callers", "last", "seen"]
    rows = {line.split()[0]: line for line in table[4:] if line.startswith("auditlib.")}
    assert rows["auditlib.old"].split()[-3:] == ["5", "2", "2026-11-20T10:00:00.000000Z"]
    assert rows["auditlib.overdue"].split()[-2:] == ["0", "0"]
    plain = run(sample).stdout.splitlines()
    assert "calls" not in plain[2]  # no logs given: no usage columns


def test_policy_requirements_and_adapters(tmp_path: Path) -> None:
    (tmp_path / "auditlib").mkdir()
    (tmp_path / "auditlib" / "__init__.py").write_text(
        textwrap.dedent(
            """
            import phaseout
            from typing_extensions import deprecated

            __version__ = "2.5"
            phaseout.policy("auditlib", require_guide=True, require_static=True)

            @phaseout.deprecated(since="2.0", guide="https://x.example")
            @deprecated("marked is deprecated")
            def marked():
                pass

            @phaseout.deprecated(since="2.0")
            def unmarked():
                pass

            class New:
                def get(self):
                    return 1

            class Old(phaseout.LegacyAdapter, target=New, since="2.0", guide="https://x.example"):
                fetch = phaseout.maps("get")

            del New.get  # the new API changed after the adapter was written
            """
        )
    )
    report = json.loads(run(tmp_path, "--format", "json").stdout)
    found = [(f["code"], f["severity"], f["subject"]) for f in report["findings"]]
    assert ("PO400", "error", "auditlib.unmarked") in found
    assert ("PO500", "error", "auditlib.unmarked") in found
    assert not any(subject == "auditlib.marked" for _, _, subject in found)
    assert ("PO600", "error", "auditlib.Old") in found


def test_rollouts_of_the_package_are_listed(tmp_path: Path) -> None:
    (tmp_path / "auditlib").mkdir()
    (tmp_path / "auditlib" / "__init__.py").write_text(
        textwrap.dedent(
            """
            import phaseout

            def legacy(x):
                return x

            def new(x):
                return x

            USERS = phaseout.rollout.Rollout("users-v2", legacy=legacy, new=new, percent=30)
            """
        )
    )
    report = json.loads(run(tmp_path, "--format", "json").stdout)
    assert report["rollouts"] == [
        {"name": "users-v2", "legacy": "auditlib.legacy", "new": "auditlib.new", "state": "30%"}
    ]
    # Every format lists them: the Markdown one once left them out.
    markdown = run(tmp_path, "--format", "markdown").stdout
    assert markdown.endswith(
        "## Findings\n\nNone.\n\n## Rollouts\n\n| name | legacy | new | state |\n|---|---|---|---|\n"
        "| users-v2 | auditlib.legacy | auditlib.new | 30% |\n"
    ), markdown
    table = run(tmp_path).stdout
    assert table.endswith("users-v2  auditlib.legacy  auditlib.new  30%\n"), table


class _Terminal:
    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_progress_is_one_rewritten_line_on_a_terminal_only(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phaseout import _packages

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    progress = _packages._Progress("auditlib")
    progress.step("auditlib.bad")
    progress.step("auditlib.tools")
    progress.done()
    assert terminal.text == (
        "\r\x1b[Kimporting auditlib.bad (1 module)"
        "\r\x1b[Kimporting auditlib.tools (2 modules)"
        "\r\x1b[Kimported auditlib (2 modules)\n"
    )
    done = run(sample)  # a pipe: no control characters at all
    assert "\x1b" not in done.stderr + done.stdout


PYPROJECT = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "auditlib-dist"
version = "2.5"

[tool.hatch.build.targets.wheel]
packages = ["auditlib"]
"""


def test_an_installed_distribution_is_audited_at_its_installed_version(
    sample: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    source = sample
    (source / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    init = source / "auditlib" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "2.5"\n', ""))  # metadata only
    (source / "auditlib" / "bad.py").unlink()
    root = tmp_path_factory.mktemp("installed")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-build-isolation", "--no-deps", "-w", str(root / "w"), str(source)],
        check=True,
    )
    wheel = next((root / "w").glob("auditlib_dist-2.5-*.whl"))
    target = root / "site"
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True)
    report = json.loads(run(target, "--format", "json", "--fail-on", "overdue").stdout)
    assert report["installed"] == "2.5"
    assert [f["kind"] for f in report["findings"]] == ["overdue", "unresolved-replacement"]


def test_the_matrix_at_versions_given(sample: Path) -> None:
    report = json.loads(run(sample, "--matrix", "1.5,2.9.1,5", "--format", "json").stdout)
    assert report["versions"] == ["1.5", "2.9.1", "5"]
    assert report["matrix"]["auditlib.old"] == ["pending", "soft", "removed"]
    bad = run(sample, "--matrix", "2.0,later")
    assert (bad.returncode, bad.stderr) == (
        2,
        "phaseout audit: --matrix takes PEP 440 versions separated by commas, such as "
        "'2.0,3.0', got 'later'\n",
    )

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from phaseout import cli


def test_demo_tells_the_story_phase_by_phase() -> None:
    out = io.StringIO()
    assert cli.main.__module__ == "phaseout.cli"
    from phaseout import _demo

    assert _demo.run(out) == 0
    text = out.getvalue()
    headers = [line for line in text.splitlines() if line.startswith("== weatherlib")]
    assert [h.split(":")[0] for h in headers] == [
        "== weatherlib 1.0", "== weatherlib 1.1", "== weatherlib 1.2",
        "== weatherlib 2.0rc1", "== weatherlib 2.0",
    ]  # fmt: skip
    sections = text.split("== weatherlib ")[1:]
    expected = ["PendingWarning", "DeprecatedWarning", "DeprecatedWarning", "RemovalWarning"]
    for section, category in zip(sections, expected, strict=False):
        assert f"{category} (a " in section
        assert 'at app.py:6: return weatherlib.get_temp("Oslo")' in section
        assert "at app.py:14: class CoastalForecast(weatherlib.Forecast):" in section
    assert "served by the old get_temp()" in sections[1]
    assert "served by the new temperature()" in sections[2]
    assert "served by the new temperature()" in sections[3]
    assert "raises RemovedError: weatherlib.get_temp() was removed in weatherlib 2.0" in sections[4]
    assert "raises RemovedError: class weatherlib.Forecast was removed" in sections[4]
    stored = text.split("== Stored data")[1].split("== Who still calls it?")[0]
    assert "-> {'city': 'Oslo', 'temp_c': 21.5, 'version': 2}\n" in stored
    assert (
        "DeprecatedWarning (a DeprecationWarning) at app.py:21: return weatherlib.stations"
        in stored
    )
    assert "A stations record at version 1 is deprecated since weatherlib 1.1" in stored
    assert "migrated 2, already current 1, failed 1 (left as it was: TypeError:" in stored
    assert "app" not in sys.modules
    assert "weatherlib" not in sys.modules


def test_python_dash_m_and_console_script() -> None:
    commands = [[sys.executable, "-m", "phaseout", "demo"]]
    script = shutil.which("phaseout", path=str(Path(sys.executable).parent))
    if script is not None:  # present whenever phaseout is installed, as in CI
        commands.append([script, "demo"])
    for command in commands:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert "== weatherlib 2.0: removed" in result.stdout


def test_version_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("phaseout 0.")
    with pytest.raises(SystemExit) as info:
        cli.main([])
    assert info.value.code == 2
    assert "the following arguments are required: COMMAND" in capsys.readouterr().err


TOOLS = ("phaseout.audit", "phaseout.check", "phaseout.plans", "phaseout.records")


def test_a_command_imports_its_own_tool_only(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    log.write_text("")
    probe = (
        "import sys\n"
        "from phaseout.cli import main\n"
        f"status = main(['report', {str(log)!r}, '--format', 'json'])\n"
        f"print(status, sorted(m for m in sys.modules if m.startswith({TOOLS!r})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 []"


def test_the_help_lists_every_command_with_its_own_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    listed = capsys.readouterr().out
    full = cli._parser()  # every command's parser, as before any was chosen
    (subcommands,) = [a for a in full._actions if a.dest == "command"]
    assert isinstance(subcommands, argparse._SubParsersAction)
    helps = {action.dest: action.help for action in subcommands._choices_actions}
    assert list(helps) == list(cli._COMMANDS)
    for name, text in helps.items():
        assert text is not None
        assert " ".join(text.split()) in " ".join(listed.split()), name
    # Each command parses exactly as with every parser built.
    for argv in (["report", "a.log", "--by", "site"], ["fix", "app", "--package", "lib"]):
        assert cli._parser(argv[0]).parse_args(argv) == full.parse_args(argv)


def test_the_demo_runs_whatever_the_shell_exports(tmp_path: Path) -> None:
    env = {
        **os.environ,  # free of PHASEOUT_* here (conftest)
        "PHASEOUT_STRICT": "all",
        "PHASEOUT_USAGE_LOG": str(tmp_path / "elsewhere.jsonl"),
        "PHASEOUT_PRETEND": "weatherlib==9.0",
        "PHASEOUT_FLUSH_INTERVAL": "soon",
    }
    result = subprocess.run(
        [sys.executable, "-m", "phaseout", "demo"], capture_output=True, text=True, env=env,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "(PHASEOUT_STRICT=all is set: the warnings it covers are raised as errors below.)" in (
        result.stdout
    )
    assert "raises DeprecatedWarning (strict mode): weatherlib.get_temp() is deprecated" in (
        result.stdout
    )
    assert "== weatherlib 2.0: removed" in result.stdout
    # The workers' report counts their calls, whatever was exported.
    assert "4,040 deprecated calls" in result.stdout
    assert result.stderr == (
        "phaseout:0: SettingsWarning: PHASEOUT_FLUSH_INTERVAL must be a positive number of "
        "seconds from 0.001 to 86400, got 'soon'; the variable is ignored\n"
    )


def test_the_demo_ends_quietly_when_its_reader_leaves() -> None:
    piped = subprocess.run(
        f"{sys.executable} -m phaseout demo | head -n 2; echo exit=${{PIPESTATUS[0]}}",
        shell=True, executable="/bin/bash", capture_output=True, text=True, check=False,
        timeout=120,
    )  # fmt: skip
    assert piped.stderr == ""
    lines = piped.stdout.splitlines()
    assert lines[0].startswith("weatherlib is retiring get_temp()")
    assert lines[2:] == ["exit=0"]

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from packaging.version import Version

import phaseout
from phaseout._config import CONFIG, normalize_name, parse_pretend, parse_strict
from phaseout.exceptions import SettingsWarning

from .helpers import here


def test_normalize_name_follows_pep_503() -> None:
    assert normalize_name("My_Lib.Extra") == "my-lib-extra"
    assert normalize_name("a--b__c") == "a-b-c"


def test_parse_pretend() -> None:
    assert parse_pretend(" MyLib==3.0 , other_lib==1.2rc1,", "X") == {
        "mylib": Version("3.0"),
        "other-lib": Version("1.2rc1"),
    }
    assert parse_pretend("", "X") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "mylib=3.0",
            "PHASEOUT_PRETEND must be a comma-separated list of name==version, got 'mylib=3.0'",
        ),
        ("==3.0", "PHASEOUT_PRETEND must be a comma-separated list of name==version, got '==3.0'"),
        (
            "mylib==three",
            "PHASEOUT_PRETEND: the version of 'mylib' must be a PEP 440 version, got 'three'",
        ),
    ],
)
def test_parse_pretend_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        parse_pretend(text, "PHASEOUT_PRETEND")


def test_parse_strict() -> None:
    assert parse_strict(None, "s") == "off"
    assert parse_strict("", "s") == "off"
    assert parse_strict("all", "s") == "all"
    # Environment files are written by hand: case and blanks do not matter.
    assert parse_strict(" Hard ", "s") == "hard"
    assert parse_strict("ALL", "s") == "all"
    with pytest.raises(
        ValueError, match=r"^strict must be one of 'off', 'hard', 'all', got 'yes'$"
    ):
        parse_strict("yes", "strict")


def test_environment_is_read_lazily_and_reset_rereads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHASEOUT_STRICT", "hard")
    phaseout.testing.reset()
    assert not CONFIG.loaded
    assert CONFIG.load().strict == "hard"
    phaseout.configure(strict="all")
    assert CONFIG.strict == "all"
    monkeypatch.setenv("PHASEOUT_STRICT", "off")
    phaseout.testing.reset()
    assert CONFIG.load().strict == "off"


def test_configure_rejects_bad_strict_value() -> None:
    with pytest.raises(ValueError, match=r"^strict must be one of 'off', 'hard', 'all', got True$"):
        phaseout.configure(strict=True)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "PHASEOUT_STRICT",
            "loud",
            "PHASEOUT_STRICT must be one of 'off', 'hard', 'all', got 'loud'",
        ),
        (
            "PHASEOUT_FLUSH_INTERVAL",
            "abc",
            "PHASEOUT_FLUSH_INTERVAL must be a positive number of seconds from 0.001 to 86400, "
            "got 'abc'",
        ),
        (
            "PHASEOUT_FLUSH_INTERVAL",
            "0",
            "PHASEOUT_FLUSH_INTERVAL must be a positive number of seconds from 0.001 to 86400, "
            "got '0'",
        ),
        (
            "PHASEOUT_FLUSH_INTERVAL",
            "1e-300",
            "PHASEOUT_FLUSH_INTERVAL must be a positive number of seconds from 0.001 to 86400, "
            "got '1e-300'",
        ),
        (
            "PHASEOUT_FLUSH_INTERVAL",
            "1e300",
            "PHASEOUT_FLUSH_INTERVAL must be a positive number of seconds from 0.001 to 86400, "
            "got '1e300'",
        ),
        (
            "PHASEOUT_PRETEND",
            "garbage",
            "PHASEOUT_PRETEND must be a comma-separated list of name==version, got 'garbage'",
        ),
        (  # more digits than CPython converts to an int: the same message as any bad version
            "PHASEOUT_PRETEND",
            "mylib==" + "1" * 5000,
            "PHASEOUT_PRETEND: the version of 'mylib' must be a PEP 440 version, got "
            f"'{'1' * 5000}'",
        ),
    ],
)
def test_a_bad_environment_variable_is_reported_once_and_ignored(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    phaseout.testing.reset()

    @phaseout.deprecated(since="1.0", current_version="1.5")
    def f() -> int:
        return 7

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        line = here() + 1
        assert f() == 7  # the call works: the setting is ignored, not fatal
    settings = [w for w in record if w.category is SettingsWarning]
    ignored = "that item" if name == "PHASEOUT_PRETEND" else "the variable"
    assert [str(w.message) for w in settings] == [f"{message}; {ignored} is ignored"]
    assert settings[0].filename == __file__
    assert settings[0].lineno == line
    assert CONFIG.strict == "off"
    assert CONFIG.flush_interval == 60.0
    assert dict(CONFIG.pretend_env) == {}
    # Said once: a later load (after a configure()) and later calls stay quiet about it.
    phaseout.configure(strict="off")
    with warnings.catch_warnings(record=True) as later:
        warnings.simplefilter("always")
        assert f() == 7
    assert [w for w in later if w.category is SettingsWarning] == []


def test_bad_pretend_items_are_dropped_and_good_ones_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHASEOUT_PRETEND", "mylib==3.0, broken, other==two")
    phaseout.testing.reset()
    with pytest.warns(SettingsWarning) as record:
        CONFIG.load()
    assert sorted(str(w.message) for w in record) == [
        "PHASEOUT_PRETEND must be a comma-separated list of name==version, got 'broken'; "
        "that item is ignored",
        "PHASEOUT_PRETEND: the version of 'other' must be a PEP 440 version, got 'two'; "
        "that item is ignored",
    ]
    assert dict(CONFIG.pretend_env) == {"mylib": Version("3.0")}


def test_a_mixed_case_strict_variable_takes_effect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHASEOUT_STRICT", "Hard")
    phaseout.testing.reset()

    @phaseout.deprecated(since="1.0", removed_in="2.0", current_version="2.0rc1")
    def f() -> None:
        pass

    with pytest.raises(phaseout.RemovalWarning):
        f()


def test_a_settings_report_under_error_filters_goes_to_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PHASEOUT_STRICT", "loud")
    phaseout.testing.reset()

    @phaseout.deprecated(since="1.0", current_version="1.5")
    def f() -> int:
        return 7

    with warnings.catch_warnings():
        warnings.simplefilter("error", SettingsWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        assert f() == 7
    assert capsys.readouterr().err == (
        "SettingsWarning: PHASEOUT_STRICT must be one of 'off', 'hard', 'all', got 'loud'; "
        "the variable is ignored\n"
    )


def test_usage_log_paths_are_made_absolute_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    phaseout.configure(usage_log="logs/usage.jsonl")
    assert CONFIG.usage_log == str(tmp_path / "logs" / "usage.jsonl")
    phaseout.configure(usage_log="~/usage.jsonl")
    assert CONFIG.usage_log == str(tmp_path / "home" / "usage.jsonl")
    monkeypatch.setenv("PHASEOUT_USAGE_LOG", "env.jsonl")
    phaseout.testing.reset()
    assert CONFIG.load().usage_log == str(tmp_path / "env.jsonl")
    phaseout.configure(usage_log=None)
    assert CONFIG.usage_log is None

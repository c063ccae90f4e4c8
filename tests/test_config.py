from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

import phaseout
from phaseout._config import CONFIG, normalize_name, parse_pretend, parse_strict


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
    with pytest.raises(
        ValueError, match=r"^strict must be one of 'off', 'hard', 'all', got 'yes'$"
    ):
        parse_strict("yes", "strict")


def test_environment_is_read_lazily_and_reset_rereads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHASEOUT_STRICT", "hard")
    phaseout.reset_defaults()
    assert not CONFIG.loaded
    assert CONFIG.load().strict == "hard"
    phaseout.configure(strict="all")
    assert CONFIG.strict == "all"
    monkeypatch.setenv("PHASEOUT_STRICT", "off")
    phaseout.reset_defaults()
    assert CONFIG.load().strict == "off"


def test_configure_rejects_bad_strict_value() -> None:
    with pytest.raises(ValueError, match=r"^strict must be one of 'off', 'hard', 'all', got True$"):
        phaseout.configure(strict=True)


def test_bad_environment_value_is_reported_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHASEOUT_STRICT", "loud")
    phaseout.reset_defaults()
    with pytest.raises(ValueError, match=r"^PHASEOUT_STRICT must be one of"):
        CONFIG.load()


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
    phaseout.reset_defaults()
    assert CONFIG.load().usage_log == str(tmp_path / "env.jsonl")
    phaseout.configure(usage_log=None)
    assert CONFIG.usage_log is None

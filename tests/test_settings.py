"""Settings: renamed, removed and changing keys and environment variables, read from mappings
and files, counted per source, and rewritten in TOML, YAML, INI and .env files."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

import phaseout
from phaseout import ChangedDefaultWarning, DeprecatedSettingWarning, PendingWarning
from phaseout.exceptions import RemovedSettingError
from phaseout.settings import declared_settings

from .helpers import run_phaseout, write_tree

PKG = "svclib"
TIMELINE: dict[str, Any] = {"since": "2.0", "removed_in": "3.0", "package": PKG}


@pytest.fixture(autouse=True)
def _soft() -> Iterator[None]:
    with phaseout.pretend({PKG: "2.5"}):
        yield


def make() -> phaseout.settings.DeprecatedSettings:
    return phaseout.deprecated_settings(
        renamed={"timeout": "timeout_s", "db.pool.size": "db.pool_size"},
        removed={"legacy_mode": "Delete it: the new engine is the only one."},
        changed_default={"retries": (3, 5)},
        changes_in="3.0",
        env_prefix="SVC_",
        **TIMELINE,
    )


def shown(log: list[warnings.WarningMessage]) -> list[tuple[str, str, str, int]]:
    return [(w.category.__name__, str(w.message), w.filename, w.lineno) for w in log]


def test_read_moves_old_keys_nested_ones_included(record: list[warnings.WarningMessage]) -> None:
    settings = make()
    given_settings = {
        "timeout": 30,
        "db": {"host": "h", "pool": {"size": 5}},
        "legacy_mode": True,
        "retries": 4,
    }
    snapshot = json.dumps(given_settings)
    result = settings.read(given_settings, source="app.toml", lines={"timeout": 2})
    assert result == {
        "timeout_s": 30,
        "db": {"host": "h", "pool_size": 5},
        "legacy_mode": True,
        "retries": 4,
    }
    assert json.dumps(given_settings) == snapshot  # the mapping read is not changed
    assert shown(record) == [
        (
            "DeprecatedSettingWarning",
            f"The {PKG} setting 'timeout' is deprecated since {PKG} 2.0 and will be removed "
            f"in 3.0. Use 'timeout_s' instead. (set in app.toml, line 2)",
            "app.toml",
            2,
        ),
        (
            "DeprecatedSettingWarning",
            f"The {PKG} setting 'db.pool.size' is deprecated since {PKG} 2.0 and will be "
            f"removed in 3.0. Use 'db.pool_size' instead. (set in app.toml)",
            "app.toml",
            0,
        ),
        (
            "DeprecatedSettingWarning",
            f"The {PKG} setting 'legacy_mode' is deprecated since {PKG} 2.0 and will be "
            f"removed in 3.0. Delete it: the new engine is the only one. (set in app.toml)",
            "app.toml",
            0,
        ),
    ]
    assert issubclass(DeprecatedSettingWarning, FutureWarning)  # shown by default
    # Once per key per source; every use counted.
    record.clear()
    settings.read({"timeout": 1, "retries": 3}, source="app.toml")
    assert record == []
    settings.read({"timeout": 1, "retries": 3}, source="other.toml")
    assert [w.filename for w in record] == ["other.toml"]
    counts = sorted(
        (u.symbol, u.file, u.line, u.count)
        for u in phaseout.usage()
        if u.package == PKG and "timeout" in u.symbol
    )
    assert counts == [
        (f"{PKG}: setting 'timeout'", "app.toml", 0, 1),
        (f"{PKG}: setting 'timeout'", "app.toml", 2, 1),
        (f"{PKG}: setting 'timeout'", "other.toml", 0, 1),
    ]


def test_a_default_that_changes(record: list[warnings.WarningMessage]) -> None:
    settings = make()
    assert settings.read({}, source="app.toml") == {"retries": 3}
    assert shown(record) == [
        (
            "ChangedDefaultWarning",
            f"The default of the {PKG} setting 'retries' changes from 3 to 5 in {PKG} 3.0 "
            f"(announced in 2.0). Set retries = 3 to keep the current behaviour, or "
            f"retries = 5 to adopt the new one now. (in app.toml)",
            "app.toml",
            0,
        )
    ]
    assert issubclass(ChangedDefaultWarning, FutureWarning)
    record.clear()
    assert settings.read({"retries": 4}, source="app.toml") == {"retries": 4}
    with phaseout.pretend({PKG: "3.0"}):
        assert settings.read({}, source="app.toml") == {"retries": 5}
    assert record == []


def test_both_spellings_and_removal_are_errors() -> None:
    settings = make()
    with pytest.raises(ValueError, match=r"^app\.toml: both 'timeout' and 'timeout_s' are set"):
        settings.read({"timeout": 1, "timeout_s": 2}, source="app.toml")
    with pytest.raises(ValueError, match=r"both 'db\.pool\.size' and 'db\.pool_size'"):
        settings.read({"db": {"pool": {"size": 1}, "pool_size": 2}}, source="app.toml")
    with phaseout.pretend({PKG: "3.0"}):
        with pytest.raises(RemovedSettingError) as removed:
            settings.read({"legacy_mode": True}, source="app.toml")
        assert str(removed.value) == (
            f"The {PKG} setting 'legacy_mode' was removed in {PKG} 3.0 (deprecated since "
            f"2.0; 3.0 is pretended). Delete it: the new engine is the only one."
        )
        assert isinstance(removed.value, ValueError)
        with pytest.raises(RemovedSettingError, match=r"^The svclib environment variable SVC_"):
            settings.environ({"SVC_TIMEOUT": "3"})
    with phaseout.pretend({PKG: "1.0"}), warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        settings.read({"timeout": 1, "retries": 3}, source="early.toml")
    assert [w.category for w in log] == [PendingWarning]


def test_environment_variables(record: list[warnings.WarningMessage]) -> None:
    settings = make()
    assert settings.variable("db.pool.size") == "SVC_DB__POOL__SIZE"
    env = {"SVC_TIMEOUT": "3", "SVC_DB__POOL__SIZE": "4", "PATH": "/bin"}
    assert settings.environ(env) == {
        "SVC_TIMEOUT_S": "3",
        "SVC_DB__POOL_SIZE": "4",
        "PATH": "/bin",
    }
    assert [(str(w.message).split(" is ")[0], w.filename) for w in record] == [
        (f"The {PKG} environment variable SVC_TIMEOUT", "<environment>"),
        (f"The {PKG} environment variable SVC_DB__POOL__SIZE", "<environment>"),
    ]
    assert str(record[0].message).endswith("Use SVC_TIMEOUT_S instead. (set in <environment>)")
    with pytest.raises(ValueError, match=r"^both SVC_TIMEOUT and SVC_TIMEOUT_S are set"):
        settings.environ({"SVC_TIMEOUT": "1", "SVC_TIMEOUT_S": "2"})
    sites = {(u.symbol, u.file, u.count) for u in phaseout.usage() if "environment" in u.symbol}
    assert sites == {
        (f"{PKG}: environment variable SVC_TIMEOUT", "<environment>", 1),
        (f"{PKG}: environment variable SVC_DB__POOL__SIZE", "<environment>", 1),
    }


def test_environ_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVC_TIMEOUT", "9")
    monkeypatch.delenv("SVC_TIMEOUT_S", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert make().environ()["SVC_TIMEOUT_S"] == "9"


def test_yaml_positions_give_lines(record: list[warnings.WarningMessage]) -> None:
    text = "# app\nname: x\ndb:\n  pool:\n    size: 5\ntimeout: 3\nretries: 2\n"
    loaded = YAML().load(text)
    make().read(loaded, source="app.yaml")
    assert [(w.filename, w.lineno) for w in record] == [("app.yaml", 6), ("app.yaml", 5)]


def test_strict_mode_raises_the_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHASEOUT_STRICT", "1")
    phaseout.testing.reset()
    with pytest.raises(DeprecatedSettingWarning, match=r"setting 'timeout'"):
        make().read({"timeout": 1}, source="app.toml")


def test_bad_declarations_say_what_is_wrong() -> None:
    with pytest.raises(TypeError, match=r"each renamed key must be a settings key .*got 'a\.\.b'"):
        phaseout.deprecated_settings(renamed={"a..b": "c"}, **TIMELINE)
    with pytest.raises(ValueError, match=r"cannot rename 'a' to itself"):
        phaseout.deprecated_settings(renamed={"a": "a"}, **TIMELINE)
    with pytest.raises(TypeError, match=r"removed\['a'\] must be the migration text"):
        phaseout.deprecated_settings(removed={"a": 1}, **TIMELINE)  # type: ignore[dict-item]
    with pytest.raises(TypeError, match=r"changed_default needs changes_in"):
        phaseout.deprecated_settings(changed_default={"a": (1, 2)}, **TIMELINE)
    with pytest.raises(TypeError, match=r"changed_default\['a'\] must be \(old default, new"):
        phaseout.deprecated_settings(changed_default={"a": 1}, changes_in="3.0", **TIMELINE)  # type: ignore[dict-item]
    with pytest.raises(TypeError, match=r"declare at least one"):
        phaseout.deprecated_settings(**TIMELINE)
    with pytest.raises(ValueError, match=r"since must be a PEP 440 version, got 'two'"):
        phaseout.deprecated_settings(renamed={"a": "b"}, since="two", package=PKG)
    with pytest.raises(TypeError, match=r"read\(\) takes a mapping .*got list"):
        make().read([("timeout", 1)], source="x")  # type: ignore[arg-type]


@given(
    st.dictionaries(
        st.sampled_from(["timeout", "other", "db"]),
        st.one_of(st.integers(), st.dictionaries(st.sampled_from(["pool", "host"]), st.integers())),
        max_size=3,
    )
)
def test_read_moves_values_and_keeps_everything_else(settings: dict[str, Any]) -> None:
    declared = phaseout.deprecated_settings(
        renamed={"timeout": "timeout_s", "db.host": "db.hostname"}, **TIMELINE
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = declared.read(settings, source="x")
    expected = {k: (dict(v) if isinstance(v, dict) else v) for k, v in settings.items()}
    if "timeout" in expected:
        expected["timeout_s"] = expected.pop("timeout")
    db = expected.get("db")
    if isinstance(db, dict) and "host" in db:
        db["hostname"] = db.pop("host")
    assert result == expected


# -- phaseout fix: settings files rewritten ----------------------------------------------------

LIBRARY = """
import phaseout

SETTINGS = phaseout.deprecated_settings(
    renamed={"timeout": "timeout_s", "db.pool.size": "db.pool_size", "server.port": "server.listen_port"},
    removed={"legacy_mode": "Delete it."},
    env_prefix="SVC_",
    since="1.0",
    removed_in="3.0",
    current_version="2.0",
)
"""

TOML = """\
# service settings
timeout = 30  # seconds
legacy_mode = false

[db]
host = "h"  # the host

[db.pool]
# how many
size = 5   # connections
max = 2
"""

YAML_TEXT = """\
# service settings
timeout: 30   # seconds
server:
  port: 8080  # public
list:
    - a
"""

INI = "[server]\n# the port\nport = 8080\n; other\nhost: x\n"

ENV = "# env\nexport SVC_TIMEOUT=3\nSVC_DB__POOL__SIZE = 4\nOTHER=1\n"


def test_fix_rewrites_settings_files_keeping_every_other_byte(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "svclib/__init__.py": LIBRARY,
            "app.toml": TOML,
            "app.yaml": YAML_TEXT,
            "setup.cfg": INI,
            ".env": ENV,
            "broken.yaml": "a: [1\n",
            "both.toml": "timeout = 1\ntimeout_s = 2\n",
        },
    )
    names = ["app.toml", "app.yaml", "setup.cfg", ".env", "broken.yaml", "both.toml"]
    dry = run_phaseout(tmp_path, "fix", "--package", "svclib", *names)
    assert dry.returncode == 3, dry.stderr
    assert (tmp_path / "app.toml").read_text() == TOML  # a dry run writes nothing
    done = run_phaseout(tmp_path, "fix", "--package", "svclib", "--write", *names)
    assert done.returncode == 3, done.stderr
    assert (tmp_path / "app.toml").read_text() == (
        "# service settings\n"
        "timeout_s = 30  # seconds\n"
        "legacy_mode = false\n"
        "\n"
        "[db]\n"
        'host = "h"  # the host\n'
        "pool_size = 5   # connections\n"
        "\n"
        "[db.pool]\n"
        "# how many\n"
        "max = 2\n"
    )
    assert (tmp_path / "app.yaml").read_text() == YAML_TEXT.replace(
        "timeout:", "timeout_s:"
    ).replace("  port:", "  listen_port:")
    assert (tmp_path / "setup.cfg").read_text() == INI.replace("port =", "listen_port =")
    assert (tmp_path / ".env").read_text() == (
        "# env\nexport SVC_TIMEOUT_S=3\nSVC_DB__POOL_SIZE = 4\nOTHER=1\n"
    )
    # What cannot be rewritten safely is reported and left as it was.
    assert (tmp_path / "broken.yaml").read_text() == "a: [1\n"
    assert (tmp_path / "both.toml").read_text() == "timeout = 1\ntimeout_s = 2\n"
    assert "broken.yaml: not valid YAML" in done.stderr
    assert "both.toml: both 'timeout' and 'timeout_s' are set" in done.stderr
    again = run_phaseout(tmp_path, "fix", "--package", "svclib", "--check", *names[:4])
    assert again.returncode == 0, again.stderr  # nothing left to do


def test_fix_json_lists_settings_rewrites_with_their_lines(tmp_path: Path) -> None:
    write_tree(tmp_path, {"svclib/__init__.py": LIBRARY, "app.yaml": YAML_TEXT})
    done = run_phaseout(tmp_path, "fix", "--package", "svclib", "--format", "json", "app.yaml")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    rewrites = [
        (r["file"], r["line"], r["column"], r["declaration"], r["change"])
        for r in report["rewrites"]
    ]
    assert rewrites == [
        ("app.yaml", 2, 1, "svclib: setting 'timeout'", "timeout → timeout_s"),
        ("app.yaml", 4, 3, "svclib: setting 'server.port'", "server.port → server.listen_port"),
    ]


def test_audit_and_guide_list_settings(tmp_path: Path) -> None:
    write_tree(tmp_path, {"svclib/__init__.py": LIBRARY})
    audit = run_phaseout(tmp_path, "audit", "svclib", "--format", "json")
    assert audit.returncode == 0, audit.stderr
    data = json.loads(audit.stdout)
    kinds = sorted((d["symbol"], d["kind"]) for d in data["declarations"])
    assert ("svclib: setting 'timeout'", "renamed setting") in kinds
    assert ("svclib: environment variable SVC_LEGACY_MODE", "removed environment variable") in (
        kinds
    )
    assert len(kinds) == 8
    assert not [f for f in data["findings"] if f["code"] == "PO300"]
    guide = run_phaseout(tmp_path, "guide", "svclib", "--to", "3.0")
    assert guide.returncode == 0, guide.stderr
    assert (
        "### `svclib: setting 'db.pool.size'`\n\nDeprecated in 1.0; removed in 3.0.\n\n"
        "```toml\n# before\ndb.pool.size = ...\n# after\ndb.pool_size = ...\n```\n\n"
        "Automatic: `phaseout fix` rewrites every use (TOML, YAML and INI files named on its "
        "command line).\n"
    ) in guide.stdout
    assert "```sh\n# before\nSVC_LEGACY_MODE=...\n# after\n# removed: Delete it.\n```" in (
        guide.stdout
    )
    plan = run_phaseout(tmp_path, "plan", "svclib", "--to", "3.0")
    assert plan.returncode == 0, plan.stderr
    assert (
        "| `svclib: setting 'timeout'` | renamed setting | `svclib: timeout_s` | - |\n"
        in plan.stdout
    )
    assert (
        "`phaseout fix` rewrites every use (.env files named on its command line) of "
        "`svclib: environment variable SVC_TIMEOUT`." in plan.stdout
    )


def test_declared_settings_are_found_by_package() -> None:
    settings = make()
    assert settings in declared_settings(PKG)
    assert settings not in declared_settings("other")
    assert settings.renamed == {"timeout": "timeout_s", "db.pool.size": "db.pool_size"}
    assert settings.renamed_variables == {
        "SVC_TIMEOUT": "SVC_TIMEOUT_S",
        "SVC_DB__POOL__SIZE": "SVC_DB__POOL_SIZE",
    }


def test_the_documented_diff_is_what_fix_prints(tmp_path: Path) -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "settings.md").read_text()
    files = dict(re.findall(r"^```(?:python|toml) file=(\S+)\n(.*?)^```$", page, re.M | re.S))
    write_tree(tmp_path, files)
    [diff] = re.findall(r"^```diff\n(.*?)^```$", page, re.M | re.S)
    done = run_phaseout(tmp_path, "fix", "--package", "svc", "app.toml")
    assert done.returncode == 0, done.stderr
    assert done.stdout == diff


KEYS = st.lists(
    st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), min_size=1, max_size=6, unique=True
)


@hypothesis_settings(deadline=None)  # the first example imports tomlkit
@given(KEYS, st.data())
def test_rewrites_keep_every_line_but_the_renamed_keys(keys: list[str], data: Any) -> None:
    """TOML, INI and .env files of random keys, comments and values: the renamed keys get their
    new names, every other byte stays, and the file still reads as the same values."""
    import configparser
    import tempfile

    import tomlkit

    from phaseout.fix._settings_files import SettingsRules, fix_settings_file

    renamed = data.draw(st.lists(st.sampled_from(keys), unique=True))
    new = {old: f"{old}_v2" for old in renamed if f"{old}_v2" not in keys}
    values = {key: data.draw(st.integers(-1000, 1000)) for key in keys}
    comments = {key: data.draw(st.sampled_from(["", "  # a comment", "   # ü"])) for key in keys}
    rules = SettingsRules(
        {old: (n, f"x: {old}") for old, n in new.items()},
        {old.upper(): (n.upper(), f"x: {old}") for old, n in new.items()},
    )
    texts = {
        "app.toml": "# top\n" + "".join(f"{k} = {v}{comments[k]}\n" for k, v in values.items()),
        "app.ini": "[main]\n" + "".join(f"{k} = {v}\n" for k, v in values.items()),
        ".env": "".join(f"{k.upper()}={v}{comments[k]}\n" for k, v in values.items()),
    }
    with tempfile.TemporaryDirectory() as folder:
        for name, text in texts.items():
            path = Path(folder) / name
            path.write_text(text, encoding="utf-8")
            outcome = fix_settings_file(str(path), rules)
            assert outcome.error is None
            result = (outcome.new or outcome.old).decode()
            old_lines, new_lines = text.splitlines(), result.splitlines()
            assert len(old_lines) == len(new_lines)
            for before, after in zip(old_lines, new_lines, strict=True):
                key = next((k for k in new if before.lower().startswith(f"{k} ")
                            or before.startswith(f"{k.upper()}=")), None)  # fmt: skip
                if key is None:
                    assert after == before
                else:
                    renamed_key = new[key] if name != ".env" else new[key].upper()
                    old_key = key if name != ".env" else key.upper()
                    assert after == before.replace(old_key, renamed_key, 1)
            expected = {new.get(k, k): v for k, v in values.items()}
            if name == "app.toml":
                assert dict(tomlkit.parse(result)) == expected
            elif name == "app.ini":
                parser = configparser.ConfigParser()
                parser.read_string(result)
                assert {k: int(v) for k, v in parser["main"].items()} == expected
            assert len(outcome.rewrites) == len(new)

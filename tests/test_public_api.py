"""phaseout's public surface for 1.0: the top level, the public homes of types and errors, the
operator's diagnostics apart from the phase warnings, one reset, the settings view, and every
old spelling deprecated with phaseout itself (warned, audited, guided, rewritten)."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pickle
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

import pytest

import phaseout
from phaseout import DeprecatedWarning, PhaseoutWarning
from phaseout._exceptions import built_plainly
from phaseout.check._declared import read_declarations
from phaseout.exceptions import (
    DiagnosticWarning,
    RemovedAttributeError,
    RemovedImportError,
    RolloutWarning,
    SettingsWarning,
    UnknownVersionWarning,
    UsageLogWarning,
)

from .helpers import here, mypy, run_phaseout

TOP_LEVEL = {
    # declarations
    "DEPRECATED", "LegacyAdapter", "Records", "added", "changed", "changed_default",
    "code_path", "deprecated", "deprecated_class_attribute", "deprecated_field",
    "deprecated_member", "deprecated_module_attribute", "deprecated_proxy",
    "deprecated_settings", "deprecated_value", "keyword_only", "legacy", "maps", "moved",
    "moved_module", "policy", "removed_parameter", "renamed_class_attribute", "renamed_hook",
    "renamed_parameter", "silence", "track_warnings", "unwatch", "watch",
    # settings, versions, usage
    "configure", "get_config", "pretend", "usage", "flush_usage", "declarations", "phase_of",
    "Phase",
    # the phase warnings and the error
    "PhaseoutWarning", "PendingWarning", "DeprecatedWarning", "RemovalWarning",
    "ChangedDefaultWarning", "DeprecatedSettingWarning", "RemovedError",
}  # fmt: skip

TEXT = (
    "{old} is deprecated since phaseout 0.1 and will be removed in 1.0. Use {new} instead. "
    "See docs/api.md#renamed-before-10"
)


def resolved(path: str) -> Any:
    """The object a dotted path names, read as users read it."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for part in parts[split:]:
            obj = getattr(obj, part)
        return obj
    raise AssertionError(path)


def deprecations(log: list[warnings.WarningMessage]) -> list[tuple[type[Warning], str, str, int]]:
    return [(w.category, str(w.message), w.filename, w.lineno) for w in log]


def test_the_top_level_is_the_documented_surface() -> None:
    assert set(phaseout.__all__) == TOP_LEVEL
    assert len(phaseout.__all__) == len(TOP_LEVEL)  # no name twice
    for name in phaseout.__all__:
        assert getattr(phaseout, name) is not None
    assert not set(phaseout._MOVED) & set(phaseout.__all__)
    # `from phaseout import *` gives the surface and warns about nothing.
    namespace: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec("from phaseout import *", namespace)
    assert set(namespace) - {"__builtins__"} == TOP_LEVEL


def _documented_callables() -> list[str]:
    return sorted(
        name
        for name in phaseout.__all__
        if inspect.isfunction(inspect.unwrap(getattr(phaseout, name))) or name == "Records"
    )


@pytest.mark.parametrize("name", _documented_callables())
def test_every_top_level_callable_documents_each_argument_and_its_version(name: str) -> None:
    obj = getattr(phaseout, name)
    doc = inspect.getdoc(obj) or ""
    assert re.search(r"^\.\. version(added|changed):: \d+\.\d+$", doc, re.M), name
    parameters = list(inspect.signature(obj).parameters.values())
    if not parameters:
        assert "Args:" not in doc
        return
    assert doc.count("\nArgs:\n") == 1, name
    section = doc.split("\nArgs:\n")[1].split("\n\n")[0]
    named = re.findall(r"^    (\**\w+):", section, re.M)
    stars: dict[Any, str] = {
        inspect.Parameter.VAR_POSITIONAL: "*",
        inspect.Parameter.VAR_KEYWORD: "**",
    }
    assert named == [stars.get(p.kind, "") + p.name for p in parameters], name


@pytest.mark.parametrize("old", sorted(phaseout._MOVED))
def test_every_old_top_level_name_warns_at_the_reading_line_and_gives_the_new_object(
    old: str, record: list[warnings.WarningMessage]
) -> None:
    new = phaseout._MOVED[old]
    value = getattr(phaseout, old)
    line = here() - 1
    assert value is resolved(new)
    assert deprecations(record) == [
        (DeprecatedWarning, TEXT.format(old=f"phaseout.{old}", new=new), __file__, line)
    ]
    assert old in dir(phaseout)
    assert phaseout.testing.uses(f"phaseout.{old}") == {phaseout.Phase.SOFT: 1}


def test_an_old_name_imported_with_from_warns_at_the_import(
    record: list[warnings.WarningMessage],
) -> None:
    from phaseout import reset_defaults

    line = here() - 2
    assert reset_defaults is phaseout.testing.reset
    assert deprecations(record) == [
        (
            DeprecatedWarning,
            TEXT.format(old="phaseout.reset_defaults", new="phaseout.testing.reset"),
            __file__,
            line,
        )
    ]


@pytest.mark.parametrize(
    ("module", "old", "new"),
    [
        ("phaseout.names", "deprecated_attribute", "deprecated_module_attribute"),
        ("phaseout.names", "renamed_attribute", "renamed_class_attribute"),
        ("phaseout.adapters", "renamed", "renamed_hook"),
        ("phaseout.exceptions", "DefaultChangeWarning", "ChangedDefaultWarning"),
    ],
)
def test_old_names_of_the_public_modules_warn_and_give_the_new_object(
    module: str, old: str, new: str, record: list[warnings.WarningMessage]
) -> None:
    home = importlib.import_module(module)
    value = getattr(home, old)
    line = here() - 1
    assert value is getattr(home, new)
    assert old not in home.__all__
    assert deprecations(record) == [
        (
            DeprecatedWarning,
            TEXT.format(old=f"{module}.{old}", new=f"{module}.{new}"),
            __file__,
            line,
        )
    ]


def test_the_old_keyword_of_configure_warns_and_sets_the_structlog_logger(
    record: list[warnings.WarningMessage],
) -> None:
    class Logger:
        def info(self, event: str, **fields: object) -> None:
            pass

    logger = Logger()
    phaseout.configure(usage_logger=logger)  # type: ignore[call-arg]
    line = here() - 1
    assert phaseout.get_config().structlog_logger is logger
    assert deprecations(record) == [
        (
            DeprecatedWarning,
            TEXT.format(
                old="phaseout.configure(usage_logger=)",
                new="phaseout.configure(structlog_logger=)",
            ),
            __file__,
            line,
        )
    ]
    with pytest.raises(TypeError, match="usage_logger"):
        phaseout.configure(usage_logger=logger, structlog_logger=logger)  # type: ignore[call-arg]


def test_a_declaration_s_replacement_name_is_its_replacement(
    record: list[warnings.WarningMessage],
) -> None:
    @phaseout.deprecated(since="1.0", replacement="mylib.new", current_version="1.0")
    def old() -> None:
        pass

    decl = phaseout.registry.declaration_of(old)
    assert decl.replacement == "mylib.new"
    assert record == []
    assert decl.replacement_name == "mylib.new"  # type: ignore[attr-defined]
    line = here() - 1
    assert deprecations(record) == [
        (
            DeprecatedWarning,
            TEXT.format(
                old="phaseout.registry.Declaration.replacement_name",
                new="phaseout.registry.Declaration.replacement",
            ),
            __file__,
            line,
        )
    ]


def test_old_names_follow_phaseout_s_own_timeline(record: list[warnings.WarningMessage]) -> None:
    with phaseout.pretend({"phaseout": "1.0"}):
        with pytest.raises(RemovedAttributeError) as error:
            phaseout.renamed
        assert not hasattr(phaseout, "Rollout")
        with pytest.raises(RemovedImportError):
            from phaseout import reset_defaults  # noqa: F401
        assert "renamed" not in dir(phaseout)
    assert str(error.value) == (
        "phaseout.renamed was removed in phaseout 1.0 (deprecated since 0.1; 1.0 is "
        "pretended). Use phaseout.renamed_hook instead. See docs/api.md#renamed-before-10"
    )
    assert record == []
    with phaseout.pretend({"phaseout": "0.0.9"}):
        assert phaseout.Rollout is phaseout.rollout.Rollout
    # Pending: a PendingDeprecationWarning, hidden by Python's default filters.
    assert [(w.category, str(w.message)) for w in record] == [
        (
            phaseout.PendingWarning,
            "phaseout.Rollout will be deprecated in phaseout 0.1 and be removed in 1.0. Use "
            "phaseout.rollout.Rollout instead. See docs/api.md#renamed-before-10",
        )
    ]
    phaseout.configure(strict="all")
    with pytest.raises(DeprecatedWarning, match=r"^phaseout\.Timeline is deprecated"):
        phaseout.Timeline


def test_phaseout_s_own_declarations_are_listed_when_asked_for_by_name() -> None:
    # What the first read of an old name loads, and the public modules with old names.
    import phaseout._configure
    import phaseout._old_names
    import phaseout.adapters
    import phaseout.exceptions
    import phaseout.names
    import phaseout.registry

    own = {decl.symbol for decl in phaseout.declarations("phaseout")}
    assert {f"phaseout.{old}" for old in phaseout._MOVED} <= own
    assert {
        "phaseout.names.deprecated_attribute",
        "phaseout.names.renamed_attribute",
        "phaseout.adapters.renamed",
        "phaseout.exceptions.DefaultChangeWarning",
        "phaseout.registry.Declaration.replacement_name",
        "phaseout.configure(usage_logger=)",
    } <= own
    assert not [d for d in phaseout.declarations() if d.package == "phaseout"]


# --- the two families of warnings ----------------------------------------------------------


@pytest.mark.parametrize(
    "category", [SettingsWarning, UsageLogWarning, UnknownVersionWarning, RolloutWarning]
)
def test_the_diagnostics_are_not_phase_warnings(category: type[Warning]) -> None:
    assert issubclass(category, DiagnosticWarning)
    assert issubclass(category, RuntimeWarning)
    assert not issubclass(category, PhaseoutWarning)


def test_filtering_phase_warnings_does_not_catch_a_misspelt_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    @phaseout.deprecated(since="1.0", current_version="1.0")
    def old() -> int:
        return 1

    monkeypatch.setenv("PHASEOUT_STRICT", "sometimes")
    phaseout.testing.reset()
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        warnings.filterwarnings("error", category=PhaseoutWarning)
        with pytest.raises(DeprecatedWarning):
            old()
    assert [(w.category, str(w.message)) for w in log] == [
        (
            SettingsWarning,
            "PHASEOUT_STRICT must be one of 'off', 'hard', 'all', got 'sometimes'; the variable "
            "is ignored",
        )
    ]


def test_every_category_names_its_public_home_and_pickles() -> None:
    for name in phaseout.exceptions.__all__:
        category = getattr(phaseout.exceptions, name)
        assert category.__module__ == "phaseout.exceptions", name
    warning = phaseout.DeprecatedWarning("text", symbol="mylib.f", since="1.0")
    copy = pickle.loads(pickle.dumps(warning))
    assert (type(copy), copy.args, copy.symbol, copy.since) == (
        phaseout.DeprecatedWarning,
        ("text",),
        "mylib.f",
        "1.0",
    )
    assert built_plainly(phaseout.DeprecatedWarning)  # the fast construction still applies
    assert built_plainly(SettingsWarning)


# --- one reset, one view of the settings -----------------------------------------------------


def test_one_reset_puts_phaseout_back_as_a_fresh_process_has_it(
    record: list[warnings.WarningMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    @phaseout.deprecated(since="1.0", current_version="1.0")
    def old() -> int:
        return 1

    from phaseout import _notices, policies

    phaseout.configure(strict="hard", flush_interval=5, silence="otherlib", pretend="x==1.0")
    phaseout.policy("mylib")
    old()
    tracking = phaseout.track_warnings()
    dumps = json.dumps
    phaseout.watch("json.dumps", since="1.0")
    assert json.dumps is not dumps  # watched: wrapped where it lives
    _notices.notice(("subject",), "said once", SettingsWarning)
    phaseout.testing.reset()
    assert phaseout.get_config() == (
        "off",
        None,
        None,
        60.0,
        frozenset(),
        {},
    )
    assert phaseout.usage() == []
    assert phaseout.dependencies.tracking() is None
    assert not tracking.active
    assert phaseout.dependencies.watched() == []
    assert json.dumps is dumps
    assert policies.POLICIES == {}
    record.clear()
    _notices.notice(("subject",), "said once", SettingsWarning)
    assert [str(w.message) for w in record] == ["said once"]  # said again: memory cleared
    assert old() == 1  # declarations stay declared


def test_get_config_reads_the_environment_then_what_configure_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PHASEOUT_STRICT", "hard")
    monkeypatch.setenv("PHASEOUT_PRETEND", "mylib==3.0")
    monkeypatch.setenv("PHASEOUT_SILENCE", "a,b")
    phaseout.testing.reset()
    config = phaseout.get_config()
    assert (config.strict, config.pretend, config.silence) == (
        "hard",
        {"mylib": "3.0"},
        frozenset({"a", "b"}),
    )
    phaseout.configure(strict="off", usage_log=None, flush_interval=2.5)
    config = phaseout.get_config()
    assert (config.strict, config.flush_interval, config.usage_log) == ("off", 2.5, None)
    with pytest.raises(AttributeError):
        config.strict = "all"  # type: ignore[misc]


# --- what the tools say about phaseout itself ------------------------------------------------


def test_phaseout_audit_and_guide_list_phaseout_s_own_renames(tmp_path: Path) -> None:
    done = run_phaseout(tmp_path, "audit", "phaseout", "--format", "json")
    assert done.returncode == 0, done.stderr
    listed = {d["symbol"]: d for d in json.loads(done.stdout)["declarations"]}
    assert listed["phaseout.renamed"]["replacement"] == "phaseout.renamed_hook"
    assert listed["phaseout.configure(usage_logger=)"]["kind"] == "renamed parameter"
    assert {f"phaseout.{old}" for old in phaseout._MOVED} <= set(listed)
    assert {d["phase"] for d in listed.values()} == {"soft"}
    assert json.loads(done.stdout)["findings"] == []
    guide = run_phaseout(tmp_path, "guide", "phaseout", "--to", "1.0")
    assert guide.returncode == 0, guide.stderr
    assert (
        "### `phaseout.renamed`\n\nDeprecated in 0.1; removed in 1.0.\n\n```python\n# before\n"
        "from phaseout import renamed\n# after\nfrom phaseout import renamed_hook as renamed\n"
        "```\n\n"
        "Automatic: `phaseout fix` rewrites every import and use.\n"
    ) in guide.stdout


USER_CODE = """\
import phaseout
from phaseout import Rollout, reset_defaults
from phaseout.exceptions import DefaultChangeWarning


class Base:
    @phaseout.renamed("old_hook", since="1.0")
    def hook(self) -> None: ...


X = 1
phaseout.deprecated_attribute(__name__, "X", since="1.0")
phaseout.configure(usage_logger=None)
try:
    pass
except phaseout.RemovedArgumentError:
    pass
reset_defaults()
"""

FIXED = """\
import phaseout
from phaseout.rollout import Rollout
from phaseout.testing import reset
from phaseout import ChangedDefaultWarning
import phaseout.exceptions


class Base:
    @phaseout.renamed_hook("old_hook", since="1.0")
    def hook(self) -> None: ...


X = 1
phaseout.deprecated_module_attribute(__name__, "X", since="1.0")
phaseout.configure(structlog_logger=None)
try:
    pass
except phaseout.exceptions.RemovedArgumentError:
    pass
reset()
"""


def test_phaseout_fix_rewrites_a_user_s_old_spellings(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(USER_CODE, encoding="utf-8")
    done = run_phaseout(tmp_path, "fix", "--package", "phaseout", "--write", "app.py")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == FIXED
    # The rewritten file runs without a single warning of phaseout's.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEOUT_")}
    ran = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "app.py"],
        capture_output=True, text=True, check=False, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert (ran.returncode, ran.stderr) == (0, "")


def test_phaseout_check_reads_the_old_spellings_of_an_older_release(tmp_path: Path) -> None:
    (tmp_path / "oldlib").mkdir()
    (tmp_path / "oldlib" / "__init__.py").write_text(
        textwrap.dedent(
            """
            import phaseout

            X = 1
            phaseout.deprecated_attribute(__name__, "X", since="1.0", removed_in="2.0")

            class K:
                old = phaseout.renamed_attribute("new", since="1.0", removed_in="2.0")
                new = 1
            """
        ),
        encoding="utf-8",
    )
    found = read_declarations(tmp_path, "oldlib", "v1")
    assert [(d.target, d.api, d.new) for d in found] == [
        ("oldlib.X", "deprecated_module_attribute", None),
        ("oldlib.K.old", "renamed_class_attribute", "new"),
    ]


def test_type_checkers_see_every_public_type(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        textwrap.dedent(
            """
            import phaseout
            import phaseout.typing
            from phaseout.typing import Declaration, TimelineOptions

            def facts(decl: Declaration) -> str | None:
                return decl.replacement

            options: TimelineOptions = {"since": "1.0"}
            reveal_type(phaseout.get_config().strict)
            reveal_type(phaseout.exceptions.SettingsWarning)
            reveal_type(phaseout.rollout.Rollout)
            reveal_type(phaseout.declarations()[0].phase)
            reveal_type(phaseout.reset_defaults)
            facts(phaseout.declarations()[0])
            """
        ),
        encoding="utf-8",
    )
    result = mypy(tmp_path, "app.py")
    # Older mypy versions spell unions and builtins in full.
    lines = [
        line.split(": ", 1)[1].replace("builtins.", "")
        for line in result.stdout.splitlines()
        if ": " in line
    ]
    assert lines[-1].startswith("no issues found"), result.stdout
    revealed = [line.removeprefix('note: Revealed type is "')[:-1] for line in lines[:-1]]
    assert len(revealed) == 5, result.stdout
    strict, settings_warning, rollout, phase, reset = revealed
    assert all(value in strict for value in ("Literal['off']", "Literal['hard']", "Literal['all']"))
    assert settings_warning.endswith("-> phaseout._exceptions.SettingsWarning")
    assert rollout.startswith("def (name: str, *, legacy:")
    assert rollout.endswith("-> phaseout.rollout._rollout.Rollout")
    assert (phase, reset) == ("phaseout.phases.Phase", "def ()")


def test_python_s_w_option_cannot_name_phaseout_s_categories_as_the_docs_say() -> None:
    # docs/warnings.md, "Filtering phaseout's categories from the command line".
    done = subprocess.run(
        [sys.executable, "-W", "error::phaseout.DeprecatedWarning", "-c", "pass"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (
        0,
        "Invalid -W option ignored: invalid module name: 'phaseout'\n",
    )

"""A package's policy: its distribution, guide, reason, categories and budget; silencing."""

from __future__ import annotations

import sys
import textwrap
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import phaseout
from phaseout import DeprecatedWarning, policies

from .helpers import here


@pytest.fixture
def pollib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A package whose deprecations are declared before its policy module runs."""
    root = tmp_path / "pollib"
    root.mkdir()
    (root / "__init__.py").write_text(
        textwrap.dedent(
            """
            import phaseout

            @phaseout.deprecated(since="2.0", hard_in="2.9", removed_in="3.0")
            def old(x):
                return x

            @phaseout.deprecated(since="2.0", removed_in="3.0", reason="It was slow",
                                 guide="https://elsewhere.example/old2")
            def old2():
                return 2

            @phaseout.renamed_parameter("color", "colour", since="2.0", removed_in="3.0")
            def plot(colour="k"):
                return colour

            from . import _deprecations  # the policy, after the declarations
            """
        )
    )
    (root / "_deprecations.py").write_text(
        textwrap.dedent(
            """
            import phaseout

            class PolDeprecationWarning(phaseout.DeprecatedWarning):
                pass

            class PolRemovalWarning(phaseout.RemovalWarning):
                pass

            phaseout.policy(
                "pollib",
                distribution="pollib-dist",
                guide="https://pollib.dev/migrate/{version}#{symbol}",
                reason="Use the new API",
                deprecated=PolDeprecationWarning,
                removal=PolRemovalWarning,
            )
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import pollib  # type: ignore[import-not-found]

    yield pollib
    for name in [m for m in sys.modules if m == "pollib" or m.startswith("pollib.")]:
        del sys.modules[name]


def test_the_policy_gives_every_declaration_its_categories_guide_and_reason(
    pollib: Any, record: list[warnings.WarningMessage]
) -> None:
    own = pollib._deprecations
    with phaseout.pretend({"pollib-dist": "2.5"}):  # the policy's distribution counts
        pollib.old(1)
        pollib.old2()
        pollib.plot(color="r")
    with phaseout.pretend({"pollib-dist": "2.9"}):
        pollib.old(1)
    assert [w.category for w in record] == [
        own.PolDeprecationWarning,
        own.PolDeprecationWarning,
        own.PolDeprecationWarning,
        own.PolRemovalWarning,
    ]
    assert issubclass(own.PolDeprecationWarning, DeprecationWarning)
    assert str(record[0].message) == (
        "pollib.old() is deprecated since pollib-dist 2.0 and will be removed in 3.0. Use the "
        "new API. See https://pollib.dev/migrate/3.0#pollib.old"
    )
    # What a declaration says itself wins over the policy.
    assert str(record[1].message).endswith("It was slow. See https://elsewhere.example/old2")
    assert record[2].message.guide == "https://pollib.dev/migrate/3.0#pollib.plot(color=)"  # type: ignore[union-attr]
    assert record[0].message.package == "pollib-dist"  # type: ignore[union-attr]


def test_users_filter_one_library_by_its_own_category(pollib: Any) -> None:
    own = pollib._deprecations
    with phaseout.pretend({"pollib-dist": "2.5"}), warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        warnings.filterwarnings("error", category=own.PolDeprecationWarning)

        @phaseout.deprecated(since="1.0", current_version="1.5")
        def elsewhere() -> None:
            pass

        elsewhere()  # another library's deprecation: shown, not an error
        with pytest.raises(own.PolDeprecationWarning):
            pollib.old(1)
    assert [w.category for w in log] == [DeprecatedWarning]


def test_a_declarations_own_category(record: list[warnings.WarningMessage]) -> None:
    class Plain(DeprecationWarning):
        pass

    @phaseout.deprecated(since="1.0", removed_in="2.0", current_version="1.5", category=Plain)
    def old() -> None:
        pass

    @phaseout.removed_parameter("x", since="1.0", current_version="1.5", category=Plain)
    def f(x: int = 0) -> None:
        pass

    old()
    line = here() - 1
    f(x=1)
    assert [(w.category, w.lineno) for w in record] == [(Plain, line), (Plain, line + 2)]
    assert record[0].message.symbol == f"{__name__}.{old.__qualname__}"  # type: ignore[union-attr]
    with pytest.raises(TypeError, match="category must be a Warning subclass or None, got 3"):
        phaseout.deprecated(since="1.0", category=3)(lambda: None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"budget": "sometimes"},
            "budget must be a number of uses \\(1 or more\\), 'call site' or 'always', got 'sometimes'",
        ),
        ({"deprecated": UserWarning}, "deprecated must be a subclass of phaseout.Deprecated"),
        ({"removal": DeprecatedWarning}, "removal must be a subclass of phaseout.RemovalWarning"),
        ({"guide": "{release}"}, r"guide may use \{version\}, \{symbol\} and \{package\}"),
    ],
)
def test_bad_policies_are_refused(settings: dict[str, Any], message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        phaseout.policy("somelib", **settings)
    with pytest.raises(ValueError, match="package must be a top-level import name"):
        phaseout.policy("some-lib")


def _old() -> Any:
    @phaseout.deprecated(since="1.0", current_version="1.5", package="silencedlib")
    def old() -> int:
        return 1

    return old


def test_silence_in_a_block_counts_without_warning_and_only_in_its_context(
    record: list[warnings.WarningMessage],
) -> None:
    old = _old()
    in_thread: list[int] = []
    with phaseout.silence("silencedlib"):
        for _ in range(3):
            old()
        worker = threading.Thread(target=lambda: in_thread.append(old()))
        worker.start()
        worker.join()
    assert len(record) == 1  # the thread's use: a new thread does not share the context
    old()
    assert len(record) == 2  # after the block
    assert sum(u.count for u in phaseout.usage() if u.symbol.endswith("old")) == 5


def test_silence_for_the_process(record: list[warnings.WarningMessage]) -> None:
    old = _old()
    phaseout.configure(silence="silencedlib, otherlib")
    for _ in range(2):
        old()
    assert record == []
    phaseout.configure(silence=None)
    old()
    assert len(record) == 1
    with pytest.raises(ValueError, match="silence must be package names separated by commas"):
        phaseout.configure(silence="a,,b;c")


def test_budgets(record: list[warnings.WarningMessage], monkeypatch: pytest.MonkeyPatch) -> None:
    # phaseout's own pytest plugin shows "process" uses once per call site (so that every
    # test sees its warning; tested in test_pytest_plugin): this test is about the budget.
    monkeypatch.setattr(policies, "BUDGET_OVERRIDE", None)
    phaseout.policy("tests", budget="process")  # this module's package

    @phaseout.deprecated(since="1.0", current_version="1.5")
    def once_per_process() -> None:
        pass

    once_per_process()
    once_per_process()  # another call site: counted, not shown
    assert len(record) == 1
    phaseout.policy("tests", budget="always")

    @phaseout.deprecated(since="1.0", current_version="1.5")
    def every_time() -> None:
        pass

    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("default")  # shown once per line, unless the budget says more
        for _ in range(3):
            every_time()
    assert [w.category for w in shown] == [DeprecatedWarning] * 3


def test_silence_from_the_environment(
    record: list[warnings.WarningMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _old()
    monkeypatch.setenv("PHASEOUT_SILENCE", "SilencedLib")  # any case, normalized
    phaseout.testing.reset()
    old()
    assert record == []
    monkeypatch.setenv("PHASEOUT_SILENCE", "not a name!")
    phaseout.testing.reset()
    old()  # a bad value is reported once and ignored: the warning is shown
    assert [w.category.__name__ for w in record] == ["SettingsWarning", "DeprecatedWarning"]
    assert "PHASEOUT_SILENCE must be package names separated by commas" in str(record[0].message)


def test_pending_and_change_categories(record: list[warnings.WarningMessage]) -> None:
    class Pending(phaseout.PendingWarning):
        pass

    class Change(phaseout.ChangedDefaultWarning):
        pass

    phaseout.policy("tests", pending=Pending, change=Change)

    @phaseout.deprecated(since="2.0", current_version="1.0")
    def announced() -> None:
        pass

    @phaseout.changed_default("mode", "new", since="1.0", changes_in="3.0", current_version="2.0")
    def run(mode: str = "old") -> str:
        return mode

    announced()
    assert run() == "old"
    assert [w.category for w in record] == [Pending, Change]

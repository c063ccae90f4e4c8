"""Code paths: declared once, triggered by the code, attributed outside the package."""

from __future__ import annotations

import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import phaseout
from phaseout import DeprecatedWarning, Phase, RemovalWarning, RemovedError

from .helpers import here


@pytest.fixture
def cplib_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A package `cplib` whose code path is triggered two calls deep inside it."""
    package = tmp_path / "cplib"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent(
            """\
            import phaseout

            from . import _impl

            LEGACY = phaseout.code_path(
                "cplib.connect(legacy=True)", since="2.0", removed_in="3.0",
                replacement="cplib.connect(mode='modern')", package="cplib",
            )

            def connect(legacy=False):
                return _impl.open_connection(legacy)
            """
        )
    )
    (package / "_impl.py").write_text(
        textwrap.dedent(
            """\
            import cplib

            def open_connection(legacy):
                if legacy:
                    cplib.LEGACY.warn()
                    return "legacy"
                return "modern"
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import cplib  # type: ignore[import-not-found]

    yield cplib
    for name in [n for n in sys.modules if n == "cplib" or n.startswith("cplib.")]:
        del sys.modules[name]


@pytest.mark.parametrize(
    ("version", "category"),
    [("1.0", phaseout.PendingWarning), ("2.5", DeprecatedWarning), ("3.0.dev1", RemovalWarning)],
)
def test_warn_points_at_the_first_caller_outside_the_package(
    cplib_package: object,
    version: str,
    category: type[Warning],
    record: list[warnings.WarningMessage],
) -> None:
    cplib: object = cplib_package
    with phaseout.pretend({"cplib": version}):
        assert cplib.connect() == "modern"  # type: ignore[attr-defined]
        assert record == []
        for _ in range(2):
            assert cplib.connect(legacy=True) == "legacy"  # type: ignore[attr-defined]
            line = here() - 1
    assert [(w.category, w.filename, w.lineno) for w in record] == [(category, __file__, line)] * 2
    assert str(record[0].message).endswith("Use cplib.connect(mode='modern') instead.")
    counts = [(u.symbol, u.line, u.count) for u in phaseout.usage()]
    assert counts == [("cplib.connect(legacy=True)", line, 2)]


def test_after_removal_warn_raises_the_removed_error(cplib_package: object) -> None:
    cplib: object = cplib_package
    with phaseout.pretend({"cplib": "3.0"}):
        with pytest.raises(RemovedError) as raised:
            cplib.connect(legacy=True)  # type: ignore[attr-defined]
        assert str(raised.value) == (
            "cplib.connect(legacy=True) was removed in cplib 3.0 (deprecated since 2.0; 3.0 is "
            "pretended). Use cplib.connect(mode='modern') instead."
        )
        assert phase_of_legacy(cplib) is Phase.REMOVED
    assert phase_of_legacy(cplib) is Phase.SOFT  # the version is unknown outside the block


def phase_of_legacy(cplib: object) -> Phase:
    path: phaseout.code_paths.CodePath = cplib.LEGACY  # type: ignore[attr-defined]
    return path.phase


def test_declared_and_listed_like_every_declaration(record: list[warnings.WarningMessage]) -> None:
    # Declared by a module of the package `here`, so this test's frame is outside it.
    declare = 'phaseout.code_path("here.legacy()", since="1.0", current_version="1.5")'
    path = eval(declare, {"__name__": "here.module", "phaseout": phaseout})
    assert repr(path).startswith("<CodePath here.legacy() ")
    listed = [d for d in phaseout.declarations() if d.symbol == "here.legacy()"]
    assert [(d.kind, d.phase) for d in listed] == [("code path", Phase.SOFT)]
    path.warn()
    line = here() - 1
    assert [(w.filename, w.lineno) for w in record] == [(__file__, line)]


def test_bad_declarations_are_refused_with_the_fix() -> None:
    with pytest.raises(TypeError, match="symbol must be a non-empty string, got ''"):
        phaseout.code_path("", since="1.0")
    with pytest.raises(ValueError, match=r"x\.y: since must be a PEP 440 version.*'soon'"):
        phaseout.code_path("x.y", since="soon")
    with pytest.raises(TypeError, match="replacement must be a string"):
        phaseout.code_path("x.y", since="1.0", replacement=print)  # type: ignore[arg-type]

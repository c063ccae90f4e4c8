"""An inner PEP 702 decorator under ``@phaseout.deprecated``: one warning, one message."""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, ClassVar

import pytest
import typing_extensions

import phaseout
from phaseout import DeprecatedWarning

from .helpers import here, mypy, pyright

SOFT: dict[str, Any] = {"since": "1.0", "removed_in": "2.0", "current_version": "1.5"}
# Every PEP 702 decorator this Python has: typing_extensions', and warnings' from 3.13.
DECORATORS: list[type[typing_extensions.deprecated]] = [typing_extensions.deprecated]
if hasattr(warnings, "deprecated"):
    DECORATORS.append(warnings.deprecated)  # type: ignore[attr-defined,unused-ignore]


@pytest.mark.parametrize("pep702", DECORATORS, ids=lambda d: d.__module__)
def test_every_kind_warns_once_with_phaseouts_warning_and_keeps_the_message(
    pep702: type[typing_extensions.deprecated], record: list[Any]
) -> None:
    @phaseout.deprecated(**SOFT)
    @pep702("f is old")
    def f(x: int) -> int:
        return x

    class Base:
        subclasses: ClassVar[list[str]] = []

        def __init_subclass__(cls, **kwargs: Any) -> None:
            Base.subclasses.append(cls.__name__)

    @phaseout.deprecated(**SOFT)
    @pep702("Old is old")
    class Old(Base):
        made_by_own_new = False

        def __new__(cls, value: int) -> Old:
            made = super().__new__(cls)
            made.made_by_own_new = True
            return made

        def __init__(self, value: int) -> None:
            self.value = value

        @phaseout.deprecated(**SOFT)
        @pep702("Old.method is old")
        def method(self) -> int:
            return self.value

        @phaseout.deprecated(**SOFT)
        @classmethod
        @pep702("Old.build is old")
        def build(cls) -> int:
            return 7

    @phaseout.deprecated(**SOFT)
    @pep702("fetch is old")
    async def fetch() -> int:
        return 3

    @phaseout.deprecated(**SOFT)
    @pep702("quiet is old", category=None)
    def quiet() -> int:
        return 4

    old = Old(5)
    first = here() - 1
    assert (f(1), old.value, old.made_by_own_new, old.method(), Old.build()) == (1, 5, True, 5, 7)
    assert asyncio.run(fetch()) == 3
    assert quiet() == 4

    class Sub(Old):
        pass

    assert Base.subclasses == ["Old", "Sub"]  # the base's own hook still runs
    assert [w.category for w in record] == [DeprecatedWarning] * 7
    assert (record[0].filename, record[0].lineno) == (__file__, first)
    assert [f.__deprecated__, Old.__deprecated__, fetch.__deprecated__, quiet.__deprecated__] == [  # type: ignore[attr-defined]
        "f is old",
        "Old is old",
        "fetch is old",
        "quiet is old",
    ]
    assert inspect.iscoroutinefunction(fetch)
    assert str(inspect.signature(Old)) == "(value: 'int') -> 'Old'"


def test_without_an_inner_decorator_the_static_text_is_phaseouts() -> None:
    @phaseout.deprecated(since="1.0", removed_in="2.0", replacement="m.new")
    def f() -> None:
        pass

    assert f.__deprecated__ == (  # type: ignore[attr-defined]
        f"{__name__}.{f.__qualname__}() is deprecated since 1.0 and will be removed in 2.0. "
        "Use m.new instead."
    )


# The documented pattern (docs/library.md): each kind of phaseout declaration stacked over PEP
# 702's decorator is reported by both checkers, and warns once at run time.
SAMPLE = """\
from __future__ import annotations

from typing import overload

from typing_extensions import deprecated

import phaseout

@phaseout.deprecated(since="2.0", removed_in="3.0", current_version="2.1")
@deprecated("old_func is deprecated since 2.0: use new_func")
def old_func(x: int) -> int:
    return x


class Client:
    @phaseout.deprecated(since="2.0", removed_in="3.0", current_version="2.1")
    @deprecated("Client.fetch is deprecated since 2.0: use Client.get")
    def fetch(self) -> int:
        return 1


@phaseout.deprecated(since="2.0", removed_in="3.0", current_version="2.1")
@deprecated("OldClient is deprecated since 2.0: use Client")
class OldClient:
    pass


@overload
def convert(x: int) -> int: ...
@overload
@deprecated("convert(str) is deprecated since 2.0: pass an int")
def convert(x: str) -> int: ...
def convert(x: int | str) -> int:
    return int(x)


old_func(1)
Client().fetch()
OldClient()
convert("1")
convert(1)
"""


def test_both_checkers_report_each_kind_and_the_runtime_warns_once(tmp_path: Path) -> None:
    path = tmp_path / "sample.py"
    path.write_text(SAMPLE, encoding="utf-8")
    lines = SAMPLE.splitlines()
    expected = [lines.index(call) + 1 for call in
                ("old_func(1)", "Client().fetch()", "OldClient()", 'convert("1")')]  # fmt: skip
    checked = mypy(tmp_path, "--enable-error-code", "deprecated", str(path))
    reported = [
        int(line.split(":")[1]) for line in checked.stdout.splitlines() if "[deprecated]" in line
    ]
    assert reported == expected, checked.stdout
    diagnostics = pyright(tmp_path, str(path))
    assert [d["range"]["start"]["line"] + 1 for d in diagnostics] == expected, diagnostics
    assert {d["rule"] for d in diagnostics} == {"reportDeprecated"}
    run = subprocess.run(
        [sys.executable, "-W", "always", str(path)],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    shown = [line for line in run.stderr.splitlines() if "Warning:" in line]
    assert [int(line.split(":")[1]) for line in shown] == expected[:3], run.stderr
    assert all("DeprecatedWarning" in line for line in shown)

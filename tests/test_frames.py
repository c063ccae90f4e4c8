from __future__ import annotations

import importlib
import os
import sys
import warnings
from pathlib import Path

import pytest

import phaseout
from phaseout import DeprecatedWarning
from phaseout._frames import is_transparent, stacklevel, user_frame

from .helpers import here


def test_classification_of_files() -> None:
    assert is_transparent(phaseout.__file__)
    assert is_transparent(warnings.__file__)
    assert is_transparent("<frozen importlib._bootstrap>")
    assert not is_transparent(__file__)
    assert not is_transparent(pytest.__file__)  # third-party code is a caller like any other
    assert not is_transparent("<string>")


def test_calls_made_by_the_standard_library_point_at_the_user() -> None:
    import contextlib

    @phaseout.deprecated(since="1.0", current_version="1.1")
    def cleanup() -> None:
        pass

    stack = contextlib.ExitStack()
    stack.callback(cleanup)  # contextlib's own frames call it later
    with pytest.warns(DeprecatedWarning) as record:
        line = here() + 1
        stack.close()
    assert (record[0].filename, record[0].lineno) == (__file__, line)


def test_user_frame_without_user_code_is_the_caller() -> None:
    frame = sys._getframe(0)
    assert user_frame(frame) is frame


def test_stacklevel_counts_to_the_target() -> None:
    def inner() -> int | None:
        return stacklevel(sys._getframe(0), sys._getframe(2))

    def outer() -> int | None:
        return inner()

    assert outer() == 3


def test_module_level_use_during_import_points_at_the_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "po_lib_mod.py").write_text(
        "import phaseout\n"
        "@phaseout.deprecated(since='1.0', current_version='1.1')\n"
        "def f():\n"
        "    return 1\n",
        encoding="utf-8",
    )
    (tmp_path / "po_user_mod.py").write_text(
        "import po_lib_mod\n\nVALUE = po_lib_mod.f()\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.warns(DeprecatedWarning) as record:
        importlib.import_module("po_user_mod")
    assert len(record) == 1
    assert (os.path.basename(record[0].filename), record[0].lineno) == ("po_user_mod.py", 3)
    for name in ("po_user_mod", "po_lib_mod"):
        sys.modules.pop(name)


def test_code_from_exec_is_a_caller() -> None:
    @phaseout.deprecated(since="1.0", current_version="1.1")
    def f() -> int:
        return 1

    with pytest.warns(DeprecatedWarning) as record:
        exec(compile("\n\nf()\n", "<generated>", "exec"), {"f": f})
    assert (record[0].filename, record[0].lineno) == ("<generated>", 3)

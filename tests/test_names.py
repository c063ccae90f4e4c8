"""Deprecated names: module attributes, moved symbols and modules, class attributes."""

from __future__ import annotations

import dataclasses
import enum
import itertools
import json
import pickle
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import phaseout
from phaseout import _moved_modules
from phaseout.exceptions import RemovedAttributeError, RemovedImportError

from .helpers import PHASES, here

PKG = "namelib"
TIMELINE = 'since="2.0", hard_in="2.9", removed_in="3.0", package="namelib"'
_counter = itertools.count()


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh package `lib_N` (its name, made unique per test) with:

    - ``__init__``: ``LIMIT``; ``OLD_LIMIT`` deprecated (value: a dict), ``parse`` moved to
      ``parsing.parse``, ``Parser`` moved to ``parsing.Parser``; its own ``__getattr__``
      serving ``dynamic``; ``old_mod`` moved to ``new_mod``, ``old_pkg`` to ``new_pkg``;
    - ``parsing`` (imported by nothing but the moves), ``new_mod``, ``new_pkg.sub``.
    """
    name = f"lib_{next(_counter)}_{id(tmp_path) % 10_000}"
    root = tmp_path / name
    (root / "new_pkg").mkdir(parents=True)
    files = {
        "__init__.py": f"""
            import phaseout

            LIMIT = {{"limit": 10}}

            def __getattr__(name):
                if name == "dynamic":
                    return "served by the module's own __getattr__"
                raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}")

            phaseout.deprecated_module_attribute(
                __name__, "OLD_LIMIT", LIMIT, replacement=f"{{__name__}}.LIMIT", {TIMELINE}
            )
            phaseout.moved(__name__, "parse", f"{{__name__}}.parsing.parse", {TIMELINE})
            phaseout.moved(__name__, "Parser", f"{{__name__}}.parsing:Parser", {TIMELINE})
            phaseout.moved(__name__, "broken", f"{{__name__}}.nowhere.thing", {TIMELINE})
            phaseout.moved_module(f"{{__name__}}.old_mod", f"{{__name__}}.new_mod", {TIMELINE})
            phaseout.moved_module(f"{{__name__}}.old_pkg", f"{{__name__}}.new_pkg", {TIMELINE})
        """,
        "parsing.py": """
            class Parser:
                pass

            def parse(text):
                return text.upper()
        """,
        "new_mod.py": '''
            """The new module."""
            VALUE = object()

            def helper():
                return "helped"
        ''',
        "new_pkg/__init__.py": "",
        "new_pkg/sub.py": "WHERE = 'new_pkg.sub'\n",
    }
    for path, text in files.items():
        (root / path).write_text(textwrap.dedent(text), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
        del sys.modules[module]
    for old in [old for old in _moved_modules._FINDER.moves if old.startswith(f"{name}.")]:
        del _moved_modules._FINDER.moves[old]


def load(name: str) -> Any:
    __import__(name)
    return sys.modules[name]


# -- module attributes ----------------------------------------------------------------------


@pytest.mark.parametrize("version", list(PHASES))
def test_a_module_attribute_in_each_phase(
    package: str, version: str, record: list[warnings.WarningMessage]
) -> None:
    phase, category = PHASES[version]
    with phaseout.pretend({PKG: version}):
        lib = load(package)
        assert lib.LIMIT == {"limit": 10}
        assert lib.dynamic == "served by the module's own __getattr__"  # chained
        assert record == []
        if category is None:
            assert not hasattr(lib, "OLD_LIMIT")
            with pytest.raises(RemovedAttributeError) as read:
                lib.OLD_LIMIT
            with pytest.raises(RemovedImportError) as imported:
                exec(f"from {package} import OLD_LIMIT", {})
            expected = (
                f"{package}.OLD_LIMIT was removed in namelib 3.0 (deprecated since 2.0; 3.0 is "
                f"pretended). Use {package}.LIMIT instead."
            )
            assert str(read.value) == str(imported.value) == expected
            assert imported.value.symbol == f"{package}.OLD_LIMIT"
            assert "OLD_LIMIT" not in dir(lib)
            return
        value = lib.OLD_LIMIT
        line = here() - 1
        assert value is lib.LIMIT  # the object itself: no proxy
        assert json.dumps(value) == '{"limit": 10}'
        assert "OLD_LIMIT" in dir(lib)
    shown = record[0]
    assert len(record) == 1
    assert (shown.category, shown.filename, shown.lineno) == (category, __file__, line)
    message = shown.message
    assert isinstance(message, phaseout.PhaseoutWarning)
    assert (message.symbol, message.phase, message.package) == (
        f"{package}.OLD_LIMIT",
        phase,
        PKG,
    )
    assert message.replacement == f"{package}.LIMIT"
    assert str(message).endswith(f"Use {package}.LIMIT instead.")


def test_from_import_warns_once_at_the_import_statement(
    package: str, record: list[warnings.WarningMessage]
) -> None:
    namespace: dict[str, Any] = {}
    code = compile(f"x = 1\nfrom {package} import OLD_LIMIT, LIMIT\n", "importer.py", "exec")
    with phaseout.pretend({PKG: "2.5"}):
        load(package)
        exec(code, namespace)
    assert namespace["OLD_LIMIT"] is namespace["LIMIT"]
    assert [(w.filename, w.lineno) for w in record] == [("importer.py", 2)]
    counts = [(u.symbol, u.file, u.line, u.count) for u in phaseout.usage()]
    assert counts == [(f"{package}.OLD_LIMIT", "importer.py", 2, 1)]


def test_no_read_of_a_served_or_plain_name_reaches_the_modules_getattr(
    package: str, record: list[warnings.WarningMessage]
) -> None:
    lib = load(package)
    calls: list[str] = []
    original = vars(lib)["__getattr__"]

    def spy(name: str) -> Any:
        calls.append(name)
        return original(name)

    vars(lib)["__getattr__"] = spy
    with phaseout.pretend({PKG: "2.5"}):
        assert lib.LIMIT == {"limit": 10}
        assert lib.phaseout is phaseout
        assert lib.OLD_LIMIT is lib.LIMIT  # served by the module's class, no exception raised
    assert calls == []
    assert isinstance(lib, ModuleType)
    assert type(lib).__mro__[1] is ModuleType


def test_a_module_global_stays_the_modules_own_and_bad_declarations_fail(
    package: str, record: list[warnings.WarningMessage]
) -> None:
    lib = load(package)
    # A global the module defines can be declared without a value: the module's own code
    # reads it silently (the PEP 562 way would make the deprecation silent instead).
    exec("def internal():\n    return LIMIT\n", vars(lib))
    phaseout.deprecated_module_attribute(lib.__name__, "LIMIT", since="1.0", current_version="1.5")
    assert lib.internal() is vars(lib)["LIMIT"]
    assert record == []
    assert lib.LIMIT == {"limit": 10}
    assert len(record) == 1
    lib.LIMIT = 5  # a write through the module: a use, and the module's global changes
    assert (len(record), lib.internal()) == (2, 5)
    with pytest.raises(TypeError, match=r"\.phaseout is defined in the module and given a value"):
        phaseout.deprecated_module_attribute(lib.__name__, "phaseout", 1, since="1.0")
    with pytest.raises(TypeError, match=r"\.MISSING is not defined: define it in the module"):
        phaseout.deprecated_module_attribute(lib.__name__, "MISSING", since="1.0")
    with pytest.raises(TypeError, match="module must be the name of an imported module"):
        phaseout.deprecated_module_attribute("no.such.module", "X", 1, since="1.0")
    with pytest.raises(ValueError, match=r"target must be a dotted path .* got 'not a path'"):
        phaseout.moved(lib.__name__, "other", "not a path", since="1.0")


def test_reload_declares_again(package: str, record: list[warnings.WarningMessage]) -> None:
    import importlib

    with phaseout.pretend({PKG: "2.5"}):
        lib = importlib.reload(load(package))
        assert lib.OLD_LIMIT is lib.LIMIT
    assert len(record) == 1


# -- moved names ----------------------------------------------------------------------------


@pytest.mark.parametrize("version", list(PHASES))
def test_a_moved_name_gives_the_same_object_in_each_phase(
    package: str, version: str, record: list[warnings.WarningMessage]
) -> None:
    _, category = PHASES[version]
    with phaseout.pretend({PKG: version}):
        lib = load(package)
        assert f"{package}.parsing" not in sys.modules  # declaring a move imports nothing
        if category is None:
            with pytest.raises(RemovedAttributeError, match=rf"Use {package}\.parsing\.parse"):
                lib.parse
            return
        parser_class = lib.Parser
        line = here() - 1
    parsing = sys.modules[f"{package}.parsing"]
    assert parser_class is parsing.Parser
    assert isinstance(parsing.Parser(), parser_class)
    assert issubclass(type("Sub", (parser_class,), {}), parsing.Parser)
    assert pickle.loads(pickle.dumps(parser_class())).__class__ is parsing.Parser
    assert [(w.category, w.filename, w.lineno) for w in record] == [(category, __file__, line)]
    assert str(record[0].message).endswith(f"Use {package}.parsing.Parser instead.")


def test_a_move_whose_target_cannot_be_imported_fails_at_first_use(package: str) -> None:
    lib = load(package)
    with phaseout.pretend({PKG: "2.5"}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ImportError) as raised:
            lib.broken
    assert str(raised.value).startswith(
        f"{package}.broken moved to {package}.nowhere.thing, which cannot be imported:"
    )


# -- moved modules --------------------------------------------------------------------------


@pytest.mark.parametrize("version", list(PHASES))
def test_a_moved_module_in_each_phase(
    package: str, version: str, record: list[warnings.WarningMessage]
) -> None:
    _, category = PHASES[version]
    namespace: dict[str, Any] = {}
    with phaseout.pretend({PKG: version}):
        load(package)
        if category is None:
            with pytest.raises(RemovedImportError, match=rf"Use {package}\.new_mod instead"):
                exec(f"import {package}.old_mod", namespace)
            assert f"{package}.old_mod" not in sys.modules
            return
        exec(compile(f"import {package}.old_mod as old\n", "importer.py", "exec"), namespace)
        new = load(f"{package}.new_mod")
        old = namespace["old"]
        assert old.VALUE is new.VALUE  # the new module's own objects
        line = here() - 1
        exec(compile(f"from {package}.old_mod import helper\n", "second.py", "exec"), namespace)
        assert namespace["helper"] is new.helper
        assert old.__doc__ == "The new module."
    assert [(w.category, w.filename, w.lineno) for w in record] == [
        (category, "importer.py", 1),
        (category, __file__, line),
        (category, "second.py", 1),
    ]
    assert str(record[0].message).endswith(f"Use {package}.new_mod instead.")


def test_submodules_of_a_moved_package_move_too(
    package: str, record: list[warnings.WarningMessage]
) -> None:
    with phaseout.pretend({PKG: "2.5"}):
        load(package)
        sub = load(f"{package}.old_pkg.sub")
        assert sub.WHERE == "new_pkg.sub"
        assert sub.WHERE is load(f"{package}.new_pkg.sub").WHERE
    assert record  # the import of the old package warned


def test_writes_through_the_old_module_reach_the_new_one(package: str) -> None:
    with phaseout.pretend({PKG: "2.5"}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        load(package)
        old = load(f"{package}.old_mod")
        old.VALUE = "patched"
        assert load(f"{package}.new_mod").VALUE == "patched"


def test_two_threads_importing_a_moved_module_at_once(tmp_path: Path) -> None:
    (tmp_path / "twolib").mkdir()
    (tmp_path / "twolib" / "__init__.py").write_text(
        "import phaseout\n"
        "phaseout.moved_module('twolib.old', 'twolib.new', since='1.0', current_version='1.5')\n"
    )
    # The new module imports the old one back while it initialises, slowly.
    (tmp_path / "twolib" / "new.py").write_text(
        "import time\ntime.sleep(0.2)\nVALUE = object()\nimport twolib.old as back\n"
    )
    script = textwrap.dedent(
        """
        import sys, threading, warnings
        warnings.simplefilter("ignore")
        import twolib
        barrier = threading.Barrier(2)
        results = []
        def load():
            barrier.wait()
            import twolib.old
            results.append(sys.modules["twolib.old"].VALUE)
        threads = [threading.Thread(target=load) for _ in range(2)]
        for t in threads: t.start()
        for t in threads: t.join(30)
        import twolib.new
        assert len(results) == 2 and all(r is twolib.new.VALUE for r in results), results
        assert twolib.new.back.VALUE is twolib.new.VALUE
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "ok", "")


def test_a_moved_module_must_be_declared_before_it_is_imported(package: str) -> None:
    load(package)
    with pytest.raises(TypeError, match="is already imported"):
        phaseout.moved_module(package, "elsewhere", since="1.0")
    with pytest.raises(ValueError, match="inside itself"):
        phaseout.moved_module(f"{package}.a", f"{package}.a.b", since="1.0")


# -- class attributes -----------------------------------------------------------------------


class Config:
    timeout_s = 30
    TIMEOUT = phaseout.renamed_class_attribute(
        "timeout_s", since="2.0", hard_in="2.9", removed_in="3.0", package=PKG
    )
    RETRIES = phaseout.deprecated_class_attribute(
        3, since="2.0", hard_in="2.9", removed_in="3.0", package=PKG
    )


class Child(Config):
    pass


@pytest.mark.parametrize("version", list(PHASES))
def test_a_renamed_class_attribute_on_class_instance_and_subclass(
    version: str, record: list[warnings.WarningMessage]
) -> None:
    _, category = PHASES[version]
    config = Child()
    with phaseout.pretend({PKG: version}):
        if category is None:
            with pytest.raises(RemovedAttributeError, match=r"Use .*Config\.timeout_s instead"):
                config.TIMEOUT
            assert not hasattr(Config, "TIMEOUT")
            return
        assert Config.TIMEOUT == 30
        first = here() - 1
        config.TIMEOUT = 5
        second = here() - 1
        assert config.timeout_s == 5
        assert config.TIMEOUT == 5
        third = here() - 1
        del config.TIMEOUT
        assert config.timeout_s == 30  # the class value again
    assert [(w.category, w.filename, w.lineno) for w in record] == [
        (category, __file__, first),
        (category, __file__, second),
        (category, __file__, third),
        (category, __file__, third + 2),
    ]
    assert record[0].message.symbol == f"{__name__}.Config.TIMEOUT"  # type: ignore[union-attr]


def test_a_deprecated_class_attribute(record: list[warnings.WarningMessage]) -> None:
    config = Config()
    with phaseout.pretend({PKG: "2.5"}):
        assert Config.RETRIES == 3
        assert config.RETRIES == 3
        config.RETRIES = 4
        assert (config.RETRIES, Config.RETRIES) == (4, 3)
    assert len(record) == 5
    with phaseout.pretend({PKG: "3.0"}):
        assert getattr(Config, "RETRIES", "gone") == "gone"


def test_slots_and_dataclasses() -> None:
    # Python 3.12 lets an error of __set_name__ through; before, it wraps it in RuntimeError.
    with pytest.raises((RuntimeError, TypeError)) as raised:

        class Slotted:
            __slots__ = ("timeout_s",)
            OLD = phaseout.renamed_class_attribute("timeout", since="1.0")

    error = raised.value.__cause__ if type(raised.value) is RuntimeError else raised.value
    assert isinstance(error, TypeError)
    assert str(error).endswith("no __dict__: add 'timeout' to __slots__")

    @dataclasses.dataclass(slots=True)
    class Settings:
        timeout_s: int = 30
        TIMEOUT = phaseout.renamed_class_attribute("timeout_s", since="1.0", current_version="1.5")

    settings = Settings()
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        assert settings.TIMEOUT == 30
    assert len(log) == 1
    assert [f.name for f in dataclasses.fields(Settings)] == ["timeout_s"]


def test_declarations_list_every_name(package: str) -> None:
    load(package)
    kinds = {d.symbol: d.kind for d in phaseout.declarations(PKG)}
    assert kinds[f"{package}.OLD_LIMIT"] == "module attribute"
    assert kinds[f"{package}.parse"] == "moved name"
    assert kinds[f"{package}.old_mod"] == "moved module"
    assert kinds[f"{__name__}.Config.TIMEOUT"] == "class attribute"
    assert isinstance(sys.modules[package], ModuleType)


class Color(enum.Enum):
    CRIMSON = 1
    BLUE = 2
    RED = phaseout.renamed_class_attribute("CRIMSON", since="1.0", current_version="1.5")


def test_an_enum_member_renamed_with_a_descriptor_keeps_enum_semantics(
    record: list[warnings.WarningMessage],
) -> None:
    assert list(Color) == [Color.CRIMSON, Color.BLUE]  # the descriptor is not a member
    assert Color(1) is Color.CRIMSON
    assert pickle.loads(pickle.dumps(Color.CRIMSON)) is Color.CRIMSON
    assert record == []
    # (mypy takes RED for a member: it cannot see that a descriptor is not one)
    assert Color.RED is Color.CRIMSON  # type: ignore[comparison-overlap]
    assert [(w.filename, w.lineno) for w in record] == [(__file__, here() - 1)]
    with pytest.raises(KeyError):  # as docs/names.md says: not by name
        Color["RED"]


@pytest.mark.parametrize(
    "statement",
    [
        "from {package}.old_mod import helper, VALUE, helper as again",
        "def f():\n    from {package}.old_mod import helper, VALUE\n    return helper\nf()",
        "def f():\n    from {package}.old_mod import helper, VALUE\n    def g():\n        return helper, VALUE\nf()",
        "global helper, VALUE\nfrom {package}.old_mod import (\n    helper,\n    VALUE,\n)",
    ],
)
def test_one_import_statement_is_one_warning_and_one_use(
    package: str, record: list[warnings.WarningMessage], statement: str
) -> None:
    with phaseout.pretend({PKG: "2.5"}):
        load(package)
        source = textwrap.dedent(statement.format(package=package))
        namespace: dict[str, Any] = {}
        exec(compile(source, "importer.py", "exec"), namespace)
        exec(compile(f"from {package}.old_mod import VALUE\n", "second.py", "exec"), namespace)
    decl = next(d for d in phaseout.declarations() if d.symbol == f"{package}.old_mod")
    line = next(n for n, text in enumerate(source.splitlines(), 1) if "import" in text)
    assert [(w.filename, w.lineno) for w in record] == [("importer.py", line), ("second.py", 1)]
    assert sorted(decl.site_counts().values()) == [1, 1]  # each statement once

"""Type checkers see the decorated object's own signature (mypy, run for real)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .helpers import mypy, pyright

SNIPPET = """\
import phaseout


@phaseout.deprecated(since="1.0", removed_in="2.0")
def old(x: int, *, label: str = "") -> str:
    return label * x


class Client:
    @phaseout.deprecated(since="1.0")
    def fetch(self, key: str) -> bytes:
        return key.encode()

    @phaseout.deprecated(since="1.0")
    @classmethod
    def build(cls) -> "Client":
        return cls()


@phaseout.deprecated(since="1.0")
async def later(n: int) -> int:
    return n


reveal_type(old)
reveal_type(Client().fetch)
reveal_type(Client.build)
reveal_type(later)
old("three")
"""


def test_mypy_keeps_signatures(tmp_path: Path) -> None:
    path = tmp_path / "snippet.py"
    path.write_text(SNIPPET, encoding="utf-8")
    result = mypy(tmp_path, str(path))
    # Older mypy versions spell builtins in full ("int").
    lines = [
        line.split(": ", 1)[1].replace("builtins.", "")
        for line in result.stdout.splitlines()
        if ": " in line
    ]
    assert lines == [
        'note: Revealed type is "def (x: int, *, label: str =) -> str"',
        'note: Revealed type is "def (key: str) -> bytes"',
        'note: Revealed type is "def () -> snippet.Client"',
        'note: Revealed type is "def (n: int) -> typing.Coroutine[Any, Any, int]"',
        'error: Argument 1 to "old" has incompatible type "str"; expected "int"  [arg-type]',
    ], result.stdout


# How a library gets a static diagnostic for a deprecated parameter's old spelling: a PEP 702
# overload for it (docs/parameters.md, "Type checkers"). Both checkers must flag the old
# spelling, and only it, and see the current signature otherwise.
PARAMETERS = """\
from __future__ import annotations

from typing import overload

from typing_extensions import deprecated

import phaseout


@overload
def plot(x: int, colour: str = "k") -> str: ...
@overload
@deprecated("plot(color=) is deprecated since 2.0: use colour=")
def plot(x: int, *, color: str) -> str: ...
# The layer takes color= at run time, where no checker can see it:
@phaseout.renamed_parameter("color", "colour", since="2.0", removed_in="3.0")  # type: ignore[misc]
def plot(x: int, colour: str = "k") -> str:  # pyright: ignore[reportInconsistentOverload]
    return colour * x


@phaseout.removed_parameter("dpi", since="2.0", removed_in="3.0")
def save(path: str, dpi: int = 72) -> str:
    return path


plot(1, colour="r")
plot(1, color="r")
save("a.png")
save("a.png", "b")
"""


def test_mypy_and_pyright_flag_the_old_spelling_of_a_parameter(tmp_path: Path) -> None:
    path = tmp_path / "params.py"
    path.write_text(PARAMETERS, encoding="utf-8")
    checked = mypy(tmp_path, "--enable-error-code", "deprecated", str(path))
    assert [line.split(": ", 1)[1] for line in checked.stdout.splitlines() if ": " in line] == [
        "error: overload def (x: int, *, color: str) -> str of function params.plot is "
        "deprecated: plot(color=) is deprecated since 2.0: use colour=  [deprecated]",
        'error: Argument 2 to "save" has incompatible type "str"; expected "int"  [arg-type]',
    ], checked.stdout
    old_spelling = PARAMETERS.splitlines().index('plot(1, color="r")') + 1
    wrong_type = PARAMETERS.splitlines().index('save("a.png", "b")') + 1
    assert [
        int(line.split(":")[1]) for line in checked.stdout.splitlines() if ": error" in line
    ] == [
        old_spelling,
        wrong_type,
    ]
    diagnostics = pyright(tmp_path, str(path))
    found = [
        (d["range"]["start"]["line"] + 1, d["rule"], d["message"].splitlines()[0])
        for d in diagnostics
    ]
    assert found == [
        (old_spelling, "reportDeprecated", 'The function "plot" is deprecated'),
        (
            wrong_type,
            "reportArgumentType",
            "Argument of type \"Literal['b']\" cannot be assigned to "
            'parameter "dpi" of type "int" in function "save"',
        ),
    ], diagnostics


# How a library keeps moved and deprecated names type-checking during the window, and gets a
# static diagnostic for them (docs/names.md, "Type checkers").
STATLIB = {
    "statlib/__init__.py": """\
from typing import TYPE_CHECKING

import phaseout

if TYPE_CHECKING:
    # What type checkers see during the window; at run time phaseout serves these names.
    from typing_extensions import deprecated

    from statlib.parsing import Parser

    OLD_LIMIT: int

    @deprecated("statlib.parse moved to statlib.parsing.parse")
    def parse(text: str) -> str: ...

    @deprecated("statlib.OldParser moved to statlib.parsing.Parser")
    class OldParser(Parser): ...


phaseout.deprecated_module_attribute(__name__, "OLD_LIMIT", 10, since="2.0", removed_in="3.0")
phaseout.moved(__name__, "parse", "statlib.parsing.parse", since="2.0", removed_in="3.0")
phaseout.moved(__name__, "OldParser", "statlib.parsing.Parser", since="2.0", removed_in="3.0")
phaseout.moved_module("statlib.old_mod", "statlib.new_mod", since="2.0", removed_in="3.0")
""",
    "statlib/parsing.py": """\
class Parser:
    pass


def parse(text: str) -> str:
    return text.upper()
""",
    "statlib/new_mod.py": "VALUE: int = 1\n",
    # For checkers only (Python never imports a .pyi): the moved module's names.
    "statlib/old_mod.pyi": "from statlib.new_mod import *\n",
    "statlib/py.typed": "",
    "app.py": """\
from statlib import OLD_LIMIT, OldParser, parse
from statlib.old_mod import VALUE

limit: int = OLD_LIMIT + VALUE
parse("x")
OldParser()
parse(1)
""",
}


def test_mypy_and_pyright_see_moved_names_and_flag_them(tmp_path: Path) -> None:
    for name, text in STATLIB.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    checked = mypy(tmp_path, "--enable-error-code", "deprecated", "app.py", "statlib")
    assert [line for line in checked.stdout.splitlines() if ": error" in line] == [
        "app.py:1: error: class statlib.OldParser is deprecated: statlib.OldParser moved to "
        "statlib.parsing.Parser  [deprecated]",
        "app.py:1: error: function statlib.parse is deprecated: statlib.parse moved to "
        "statlib.parsing.parse  [deprecated]",
        'app.py:7: error: Argument 1 to "parse" has incompatible type "int"; expected "str"  '
        "[arg-type]",
    ], checked.stdout
    diagnostics = pyright(tmp_path, "app.py")
    found = [
        (d["range"]["start"]["line"] + 1, d["rule"], d["message"].splitlines()[0])
        for d in diagnostics
    ]
    assert found == [
        (1, "reportDeprecated", 'The class "OldParser" is deprecated'),
        (1, "reportDeprecated", 'The function "parse" is deprecated'),
        # A warning: the moved module has a stub and no source, which is the point.
        (
            2,
            "reportMissingModuleSource",
            'Import "statlib.old_mod" could not be resolved from source',
        ),
        (5, "reportDeprecated", 'The function "parse" is deprecated'),
        (6, "reportDeprecated", 'The class "OldParser" is deprecated'),
        (7, "reportDeprecated", 'The function "parse" is deprecated'),
        (
            7,
            "reportArgumentType",
            'Argument of type "Literal[1]" cannot be assigned to '
            'parameter "text" of type "str" in function "parse"',
        ),
    ], diagnostics
    # And at run time the names are the real ones, warned at the importing line.
    run = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c",
         "import statlib.old_mod as m; print(m.VALUE)"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert "statlib.old_mod is deprecated since statlib 2.0" in run.stderr

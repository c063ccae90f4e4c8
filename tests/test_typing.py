"""Type checkers see the decorated object's own signature (mypy, run for real)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
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

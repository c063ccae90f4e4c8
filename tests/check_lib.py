"""A library with three releases in a git repository, for ``phaseout check``.

3.0 also renames ``convert`` to ``transform`` and moves ``helper`` to ``shapes.tools``,
undeclared: their fixes are ``phaseout.moved(...)``.

``shapes`` 2.0 declares deprecations three ways for every kind of break a declaration can
announce: due in 3.0 (the ``_a`` names: *announced* when 3.0 breaks them), due in 4.0 (``_e``:
*early*) and not at all (``_u``: *undeclared*). 3.0 breaks them all, and makes the breaks no
declaration can announce. 1.0 is 2.0 under another version (nothing breaks between them).
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path
from typing import Final

from .helpers import write_tree

#: 2.0's modules. `{v}` is the version.
V2: Final = {
    "pyproject.toml": """
        [project]
        name = "shapes"
        version = "{v}"
        """,
    "src/shapes/__init__.py": '''
        """Shapes."""

        import phaseout

        from ._impl import area, gone_a, gone_u

        __all__ = [
            "Box", "LIMIT_A", "LIMIT_U", "Painter", "area", "convert", "draw_a", "draw_e", "draw_u",
            "fill_a", "fill_e", "fill_u", "gone_a", "gone_u", "grow", "helper", "measure", "old_a",
            "old_e", "old_u", "pick", "round_a", "round_e", "round_u", "size_a", "size_e",
            "size_u", "still_here", "total", "width", "zoom",
        ]

        LIMIT_A = 10
        phaseout.deprecated_module_attribute(__name__, "LIMIT_A", since="1.0", removed_in="3.0")
        LIMIT_U = 20


        @phaseout.deprecated(since="1.0", removed_in="3.0")
        def old_a(x):
            return x


        @phaseout.deprecated(since="2.0", removed_in="4.0")
        def old_e(x):
            return x


        def old_u(x):
            return x * 2


        @phaseout.removed_parameter("color", since="1.0", removed_in="3.0")
        def draw_a(x, color="red"):
            return x


        @phaseout.removed_parameter("color", since="2.0", removed_in="4.0")
        def draw_e(x, color="red"):
            return x


        def draw_u(x, color="red"):
            return (x, color)


        @phaseout.renamed_parameter("color", "colour", since="1.0", removed_in="3.0")
        def fill_a(x, colour=None):
            return colour


        @phaseout.renamed_parameter("color", "colour", since="2.0", removed_in="4.0")
        def fill_e(x, colour=None):
            return colour


        def fill_u(x, color=None):
            return color


        @phaseout.keyword_only("unit", since="1.0", removed_in="3.0")
        def size_a(x, unit="px"):
            return unit


        @phaseout.keyword_only("unit", since="2.0", removed_in="4.0")
        def size_e(x, unit="px"):
            return unit


        def size_u(x, unit="px"):
            return unit


        @phaseout.changed_default("digits", 3, changes_in="3.0", since="1.0")
        def round_a(x, digits=2):
            return round(x, digits)


        @phaseout.changed_default("digits", 3, changes_in="4.0", since="2.0")
        def round_e(x, digits=2):
            return round(x, digits)


        def round_u(x, digits=2):
            return round(x, digits)


        @phaseout.deprecated(since="1.0", removed_in="3.0")
        def still_here():
            return 1


        def grow(x, factor=2):
            return x * factor


        def pick(a, b):
            return a


        def measure(x) -> int:
            return x


        def zoom(x):
            return x


        def total(x, y=0):
            return x + y


        def convert(x, unit="m"):
            return x


        def helper(x):
            return x


        width = 3


        class Base:
            pass


        class Box(Base):
            def turn_a(self):
                return 1

            def turn_u(self):
                return 2


        class Painter:
            @phaseout.deprecated(since="1.0", removed_in="3.0")
            def brush_a(self):
                return 1

            def brush_u(self):
                return 2
        ''',
    "src/shapes/_impl.py": """
        import phaseout


        def area(w, h, unit="cm"):
            return w * h


        @phaseout.deprecated(since="1.0", removed_in="3.0")
        def gone_a():
            return 1


        def gone_u():
            return 2
        """,
}

#: 3.0: every `_a`, `_e` and `_u` broken; breaks no declaration announces; `still_here`
#: kept past its removal.
V3: Final = {
    "pyproject.toml": V2["pyproject.toml"],
    "src/shapes/__init__.py": '''
        """Shapes."""

        import phaseout

        from ._impl import area

        __all__ = [
            "Box", "Painter", "area", "draw_a", "draw_e", "draw_u", "fill_a", "fill_e",
            "fill_u", "grow", "measure", "pick", "round_a", "round_e", "round_u", "size_a",
            "size_e", "size_u", "still_here", "total", "transform", "width", "zoom",
        ]


        def draw_a(x):
            return x


        def draw_e(x):
            return x


        def draw_u(x):
            return x


        def fill_a(x, colour=None):
            return colour


        def fill_e(x, colour=None):
            return colour


        def fill_u(x, colour=None):
            return colour


        def size_a(x, *, unit="px"):
            return unit


        def size_e(x, *, unit="px"):
            return unit


        def size_u(x, *, unit="px"):
            return unit


        def round_a(x, digits=3):
            return round(x, digits)


        def round_e(x, digits=3):
            return round(x, digits)


        def round_u(x, digits=3):
            return round(x, digits)


        @phaseout.deprecated(since="1.0", removed_in="3.0")
        def still_here():
            return 1


        def grow(x, factor):
            return x * factor


        def pick(b, a):
            return a


        def measure(x):
            return x


        def zoom(x, level):
            return x


        def total(x, y=0):
            return x + y


        def transform(x, unit="m"):
            return x


        class width:
            pass


        class Box:
            def turn_a(self):
                return 1


        class Painter:
            pass
        ''',
    "src/shapes/_impl.py": """
        def area(w, h):
            return w * h
        """,
    "src/shapes/tools.py": """
        def helper(x):
            return x
        """,
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def _release(repo: Path, files: dict[str, str], version: str, day: str) -> None:
    write_tree(
        repo, {name: textwrap.dedent(text).format(v=version) for name, text in files.items()}
    )
    git(repo, "add", "-A")
    env_date = f"{day}T12:00:00+00:00"
    subprocess.run(
        ["git", "-C", str(repo), "commit", "-q", "-m", f"release {version}"],
        check=True,
        env={
            "GIT_AUTHOR_DATE": env_date,
            "GIT_COMMITTER_DATE": env_date,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "HOME": str(repo),
        },
    )
    git(repo, "tag", f"v{version}")


def make_repo(root: Path) -> Path:
    """The repository: v1.0 (2025-01-10), v2.0 (2025-07-10), v3.0 (2026-01-10); the
    working tree is 3.0."""
    repo = root / "shapes"
    repo.mkdir()
    git(repo, "init", "-q")
    _release(repo, V2, "1.0", "2025-01-10")
    _release(repo, V2, "2.0", "2025-07-10")
    _release(repo, V3, "3.0", "2026-01-10")
    return repo

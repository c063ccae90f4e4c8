"""The ``.. deprecated::`` (and ``versionchanged``) notes phaseout adds to docstrings: intact
under ``inspect.cleandoc`` (what ``help()`` and autodoc apply) and Sphinx ``-W``, whatever the
reason's lines, the docstring's shape and the kind of declaration."""

from __future__ import annotations

import importlib
import inspect
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from .helpers import sphinx_text

# Each kind of declaration that writes a note: its decorator (REASON is the reason's repr),
# the def it decorates (DOC is the docstring's line, or nothing), and how to reach the
# documented object from the module.
KINDS: dict[str, tuple[str, str]] = {
    "function": (
        "@phaseout.deprecated(since='1.0', package='noted', reason=REASON)",
        "def NAME(a):",
    ),
    "class": ("@phaseout.deprecated(since='1.0', package='noted', reason=REASON)", "class NAME:"),
    "renamed": (
        "@phaseout.renamed_parameter('old', 'new', since='1.0', package='noted', reason=REASON)",
        "def NAME(new=1):",
    ),
    "removed": (
        "@phaseout.removed_parameter('dpi', since='1.0', package='noted', reason=REASON)",
        "def NAME(dpi=None):",
    ),
    "keyword_only": (
        "@phaseout.keyword_only('b', since='1.0', package='noted', reason=REASON)",
        "def NAME(a, b=1):",
    ),
    "changed_default": (
        "@phaseout.changed_default('mode', 'fast', since='1.0', changes_in='2.0', "
        "package='noted', reason=REASON)",
        "def NAME(mode='slow'):",
    ),
    "value": (
        "@phaseout.deprecated_value('method', 'legacy', since='1.0', package='noted', "
        "reason=REASON)",
        "def NAME(method='modern'):",
    ),
}
MEMBERS: dict[str, tuple[str, ...]] = {  # inside `class Holder_...:`, decorators top-down
    "method": ("@phaseout.deprecated(since='1.0', package='noted', reason=REASON)",),
    "classmethod": (
        "@phaseout.deprecated(since='1.0', package='noted', reason=REASON)",
        "@classmethod",
    ),
    "staticmethod": (
        "@staticmethod",
        "@phaseout.deprecated(since='1.0', package='noted', reason=REASON)",
    ),
    "property": ("@phaseout.deprecated(since='1.0', package='noted', reason=REASON)", "@property"),
}
DOCS = {
    "bare": None,
    "one_line": '"""One line."""',
    "body": '"""Summary.\n\n    Body text,\n      indented further.\n\n    :param a: a thing\n    """',
}
LINE_COUNTS = range(1, 6)


def reason(lines: int) -> str:
    return "\n".join(f"Reason line {n} of {lines}." for n in range(1, lines + 1))


def _source() -> str:
    out = ["import phaseout", ""]
    for doc_name, doc in DOCS.items():
        body = f"    {doc}\n    pass" if doc else "    pass"
        for lines in LINE_COUNTS:
            for kind, (decorator, header) in KINDS.items():
                name = f"{kind}_{doc_name}_{lines}"
                out += [
                    decorator.replace("REASON", repr(reason(lines))),
                    header.replace("NAME", name),
                    body,
                    "",
                ]
            out.append(f"class Holder_{doc_name}_{lines}:")
            for kind, decorators in MEMBERS.items():
                out += [f"    {d.replace('REASON', repr(reason(lines)))}" for d in decorators]
                out += [f"    def {kind}(self_or_cls=None):", textwrap.indent(body, "    "), ""]
            out.append("")
    return "\n".join(out)


def _documented(module: Any) -> dict[str, Any]:
    """Every documented object by a name saying what it is."""
    found: dict[str, Any] = {}
    for doc_name in DOCS:
        for lines in LINE_COUNTS:
            for kind in KINDS:
                found[f"{kind}_{doc_name}_{lines}"] = getattr(module, f"{kind}_{doc_name}_{lines}")
            holder = vars(getattr(module, f"Holder_{doc_name}_{lines}"))
            for kind in MEMBERS:
                member = holder[kind]
                found[f"{kind}_{doc_name}_{lines}"] = getattr(member, "__func__", member)
    return found


@pytest.fixture(scope="module")
def noted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    root = tmp_path_factory.mktemp("noted")
    (root / "noted.py").write_text(_source(), encoding="utf-8")
    sys.path.insert(0, str(root))
    try:
        module = importlib.import_module("noted")
    finally:
        sys.path.remove(str(root))
    return root, module


def test_every_line_of_the_note_stays_inside_its_directive(noted: tuple[Path, Any]) -> None:
    _, module = noted
    documented = _documented(module)
    assert len(documented) == len(DOCS) * len(LINE_COUNTS) * (len(KINDS) + len(MEMBERS))
    for name, obj in documented.items():
        lines = int(name.rsplit("_", 1)[1])
        cleaned = inspect.cleandoc(obj.__doc__).splitlines()
        directive = next(i for i, line in enumerate(cleaned) if line.startswith(".. "))
        assert cleaned[directive].startswith((".. deprecated:: 1.0", ".. versionchanged:: 2.0"))
        note = cleaned[directive:]
        # The directive's body: every later line indented under it (or blank), each reason
        # line present once, in order.
        assert all(line.startswith("   ") or not line for line in note[1:]), (name, note)
        text = " ".join(line.strip() for line in note)
        expected = " ".join(f"Reason line {n} of {lines}." for n in range(1, lines + 1))
        assert expected in text, (name, note)
        if "_body_" in name:  # the docstring's own body is not pushed into a block quote
            assert cleaned[:3] == ["Summary.", "", "Body text,"], (name, cleaned)
            assert cleaned[3] == "  indented further."
        if "_one_line_" in name:
            assert cleaned[0] == "One line."


def test_the_notes_build_under_sphinx_with_warnings_as_errors(noted: tuple[Path, Any]) -> None:
    root, _ = noted
    words = " ".join(sphinx_text(root, "noted", undocumented=True).split())
    for lines in LINE_COUNTS:
        expected = " ".join(f"Reason line {n} of {lines}." for n in range(1, lines + 1))
        # Once per kind and docstring shape: the whole reason inside one rendered note.
        assert words.count(expected) >= (len(KINDS) + len(MEMBERS)) * len(DOCS), lines

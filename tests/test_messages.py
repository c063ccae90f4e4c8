from __future__ import annotations

import inspect

from hypothesis import given
from hypothesis import strategies as st

from phaseout import Phase
from phaseout._messages import (
    KIND_CLASS,
    KIND_FUNCTION,
    KIND_PROPERTY,
    deprecated_module_attribute,
    doc_note,
    docstring_with_note,
    removed_text,
    warning_text,
)
from phaseout.phases import Timeline

TIMELINE = Timeline.parse("m.f", since="1.0", compat_in="1.5", removed_in="2.0")


def _text(phase: Phase, *, forwarded: bool = False, kind: str = KIND_FUNCTION) -> str:
    return warning_text(
        kind=kind, symbol="m.f", package="mlib", timeline=TIMELINE, phase=phase,
        replacement="m.g", reason="It was slow", guide="https://x.org/g", forwarded=forwarded,
    )  # fmt: skip


def test_warning_texts_per_phase() -> None:
    assert _text(Phase.PENDING) == (
        "m.f() will be deprecated in mlib 1.0 and removed in 2.0. Use m.g instead. "
        "It was slow. See https://x.org/g"
    )
    assert _text(Phase.SOFT) == (
        "m.f() is deprecated since mlib 1.0 and will be removed in 2.0. Use m.g instead. "
        "It was slow. See https://x.org/g"
    )
    assert _text(Phase.COMPAT, forwarded=True) == (
        "m.f() is deprecated since mlib 1.0 and will be removed in 2.0; calls are forwarded "
        "to m.g: call it directly. It was slow. See https://x.org/g"
    )
    assert _text(Phase.HARD, kind=KIND_CLASS).startswith(
        "class m.f is deprecated since mlib 1.0 and will be removed in 2.0, the next release."
    )
    assert _text(Phase.SOFT, kind=KIND_PROPERTY).startswith("property m.f is deprecated")


def test_removed_text_names_symbol_version_replacement_and_guide() -> None:
    text = removed_text(
        kind=KIND_FUNCTION, symbol="m.f", package="mlib", timeline=TIMELINE, installed="2.1 is installed",
        replacement="m.g", reason=None, guide="https://x.org/g",
    )  # fmt: skip
    assert text == (
        "m.f() was removed in mlib 2.0 (deprecated since 1.0; 2.1 is installed). "
        "Use m.g instead. See https://x.org/g"
    )


def test_pep702_text_is_static() -> None:
    assert deprecated_module_attribute(KIND_FUNCTION, "m.f", TIMELINE, None) == (
        "m.f() is deprecated since 1.0 and will be removed in 2.0."
    )


def test_docstring_note_keeps_the_body_indentation() -> None:
    doc = "Summary.\n\n        Body line.\n        "
    result = docstring_with_note(doc, "1.0", doc_note(TIMELINE, "m.g", None))
    assert inspect.cleandoc(result) == (
        "Summary.\n\nBody line.\n\n.. deprecated:: 1.0\n   Will be removed in 2.0. Use m.g instead."
    )
    # Without a docstring, one line: cleandoc would strip a lone indented body line.
    assert docstring_with_note(None, "1.0", "Deprecated.") == ".. deprecated:: 1.0 Deprecated.\n"
    assert inspect.cleandoc(docstring_with_note("", "1.0", "x")) == ".. deprecated:: 1.0 x"
    assert (
        docstring_with_note("One line.", "1.0", "x") == "One line.\n\n.. deprecated:: 1.0\n   x\n"
    )


def _reference_docstring_with_note(doc: str | None, since: str, note: str) -> str:
    """The first, obviously right definition (a list and min() over a generator)."""
    directive = f".. deprecated:: {since}"
    if not doc or not doc.strip():
        return f"{directive} {note}\n"
    lines = doc.expandtabs().splitlines()
    body = [line for line in lines[1:] if line.strip()]
    indent = min((len(line) - len(line.lstrip()) for line in body), default=0)
    pad = " " * indent
    return f"{doc.rstrip()}\n\n{pad}{directive}\n{pad}   {note}\n"


@given(
    st.one_of(
        st.none(),
        st.text(),
        st.lists(
            st.tuples(
                st.text(alphabet=" \t\u00a0\u2003\u3000", max_size=6),
                st.text(alphabet="ab .", max_size=6),
                st.sampled_from(["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\u2028", "\x85"]),
            ),
            max_size=6,
        ).map(lambda parts: "".join(a + b + c for a, b, c in parts)),
    )
)
def test_docstring_note_matches_the_reference_definition(doc: str | None) -> None:
    assert docstring_with_note(doc, "1.0", "n.") == _reference_docstring_with_note(doc, "1.0", "n.")

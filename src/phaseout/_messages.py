"""All user-facing wording, in one place. Rendered once per declaration and phase, never per call.

A warning's text must not change from call to call: Python's "default", "once" and "module"
filter actions remember warnings by their text.
"""

from __future__ import annotations

from typing import Final

from .phases import Phase, Timeline

KIND_FUNCTION: Final = "function"
KIND_METHOD: Final = "method"
KIND_CLASSMETHOD: Final = "classmethod"
KIND_STATICMETHOD: Final = "staticmethod"
KIND_PROPERTY: Final = "property"
KIND_CLASS: Final = "class"


def label(kind: str, symbol: str) -> str:
    """How a symbol is named in text: ``mylib.f()``, ``class mylib.C``, ``property mylib.C.p``."""
    if kind == KIND_CLASS:
        return f"class {symbol}"
    if kind == KIND_PROPERTY:
        return f"property {symbol}"
    return f"{symbol}()"


def _tail(replacement: str | None, reason: str | None, guide: str | None) -> str:
    parts = []
    if replacement is not None:
        parts.append(f" Use {replacement} instead.")
    if reason:
        parts.append(f" {reason.strip().rstrip('.')}.")
    if guide:
        parts.append(f" See {guide}")
    return "".join(parts)


def _head(
    subject: str, package: str, timeline: Timeline, phase: Phase, *, pending: str, later: str
) -> str:
    """ "*subject* is deprecated since mylib 2.0 and will *later* in 3.0" and its PENDING and
    HARD forms (PENDING: "... will be deprecated in mylib 2.0 and *pending* in 3.0"). A dated
    timeline reads "since 2026-12-01 and will *later* on 2027-06-30"."""
    since, removal = timeline.texts["since"], timeline.texts["removed_in"]
    dated = timeline.dated
    if phase is Phase.PENDING:
        head = f"{subject} will be deprecated {_when(timeline, package, 'since')}"
        if removal is not None:
            head += f" and {pending} {'on' if dated else 'in'} {removal}"
        return head
    head = f"{subject} is deprecated since {since if dated else f'{package} {since}'}"
    if removal is not None:
        head += f" and will {later} {'on' if dated else 'in'} {removal}"
        if phase is Phase.HARD and not dated:
            head += ", the next release"
    elif phase is Phase.HARD:
        head += f" and will {later} soon"
    return head


def _when(timeline: Timeline, package: str, name: str) -> str:
    """ "in mylib 3.0", or "on 2027-06-30" for a dated timeline."""
    text = timeline.texts[name]
    return f"on {text}" if timeline.dated else f"in {package} {text}"


def warning_text(
    *,
    kind: str,
    symbol: str,
    package: str,
    timeline: Timeline,
    phase: Phase,
    replacement: str | None,
    reason: str | None,
    guide: str | None,
    forwarded: bool,
) -> str:
    """The message of the warning a use emits in *phase* (PENDING, SOFT, COMPAT or HARD)."""
    name = label(kind, symbol)
    head = _head(name, package, timeline, phase, pending="removed", later="be removed")
    if forwarded and replacement is not None:
        tail = _tail(None, reason, guide)
        return f"{head}; calls are forwarded to {replacement}: call it directly.{tail}"
    return f"{head}.{_tail(replacement, reason, guide)}"


def removed_text(
    *,
    kind: str,
    symbol: str,
    package: str,
    timeline: Timeline,
    installed: str,
    replacement: str | None,
    reason: str | None,
    guide: str | None,
) -> str:
    """The message of ``RemovedError``: what is gone, since when, and what to use instead.
    *installed* says which version counts and why: "3.0 is installed", "3.0 is pretended"."""
    return (
        f"{label(kind, symbol)} was removed {_when(timeline, package, 'removed_in')} "
        f"(deprecated since {timeline.texts['since']}; {installed})."
        f"{_tail(replacement, reason, guide)}"
    )


def deprecated_module_attribute(
    kind: str, symbol: str, timeline: Timeline, replacement: str | None
) -> str:
    """The PEP 702 ``__deprecated__`` text: static, independent of the installed version."""
    return label(kind, symbol) + _deprecated_tail(timeline, replacement)


# Timelines are shared per distinct set of boundaries (_options._timeline), so the texts
# that depend only on a timeline and a few strings are kept on it, made once for all the
# declarations that share it.
def _derived(timeline: Timeline, key: tuple[str | None, ...], text: str) -> str:
    if len(timeline.derived) >= 256:
        timeline.derived.clear()
    timeline.derived[key] = text
    return text


def _deprecated_tail(timeline: Timeline, replacement: str | None) -> str:
    cached = timeline.derived.get(("tail", replacement))
    if cached is not None:
        return cached
    text = f" is deprecated since {timeline.texts['since']}"
    if timeline.removed_in is not None:
        text += f" and will be removed {'on' if timeline.dated else 'in'} "
        text += str(timeline.texts["removed_in"])
    text += "."
    if replacement is not None:
        text += f" Use {replacement} instead."
    return _derived(timeline, ("tail", replacement), text)


def docstring_with_note(
    doc: str | None, since: str, note: str, directive: str = "deprecated"
) -> str:
    """Append a Sphinx ``.. deprecated::`` (or *directive*) directive, indented like the
    docstring's body.

    Before Python 3.13 docstrings keep their source indentation; ``inspect.cleandoc`` strips
    the common indentation of all lines after the first, so the note must share it or the
    whole body would render as a block quote.
    """
    directive = f".. {directive}:: {since}"
    lines = _note_lines(note)
    if not doc or not doc.strip():
        if len(lines) == 1:
            # One line: as the only body line, an indented note would lose its indentation
            # to cleandoc (what help() and Sphinx's autodoc apply), ending the directive.
            return f"{directive} {note}\n"
        # Several: cleandoc keeps the second line's indentation relative to the directive
        # only when the directive is not the first line.
        return "\n" + _directive_block(directive, lines, "")
    # The smallest indentation of the non-blank lines after the first (a plain loop: this
    # runs for every declaration at import, and a generator with min() costs four times as much).
    indent = -1
    for line in doc.expandtabs().splitlines()[1:]:
        text = line.lstrip()
        if text and (indent < 0 or len(line) - len(text) < indent):
            indent = len(line) - len(text)
    pad = " " * max(indent, 0)
    return f"{doc.rstrip()}\n\n{_directive_block(directive, lines, pad)}"


def docstring_with_version_note(doc: str | None, version: str, note: str, directive: str) -> str:
    """*doc* with a ``.. versionadded::`` or ``.. versionchanged::`` note: before the
    ``.. deprecated::`` note when there is one (Sphinx's order: added, changed, deprecated),
    else at the end, as :func:`docstring_with_note` adds it."""
    lines = (doc or "").splitlines(keepends=True)
    at = next(
        (i for i, line in enumerate(lines) if line.lstrip().startswith(".. deprecated::")), None
    )
    if at is None or at == 0:
        if at == 0:  # a docstring that is only the note: the new one goes first, on one line
            return f".. {directive}:: {version} {' '.join(note.split())}\n\n{doc}"
        return docstring_with_note(doc, version, note, directive)
    head, tail = "".join(lines[:at]), "".join(lines[at:])
    line = lines[at]
    pad = line[: len(line) - len(line.lstrip())]
    block = _directive_block(f".. {directive}:: {version}", _note_lines(note), pad)
    return f"{head.rstrip()}\n\n{block}\n{tail}"


def _note_lines(note: str) -> list[str]:
    """*note*'s lines, the common indentation of all but the first removed (a reason
    written as an indented triple-quoted string), trailing blanks dropped."""
    if "\n" not in note and "\r" not in note:  # the common case, paid per declaration
        return [note.strip()]
    lines = [line.rstrip() for line in note.strip().expandtabs().splitlines()] or [""]
    indent = min((len(line) - len(line.lstrip()) for line in lines[1:] if line), default=0)
    return [lines[0].lstrip(), *(line[indent:] for line in lines[1:])]


def _directive_block(directive: str, lines: list[str], pad: str) -> str:
    """The directive at *pad*, every line of its body three columns further in."""
    body = "".join(f"{pad}   {line}\n" if line else "\n" for line in lines)
    return f"{pad}{directive}\n{body}"


def doc_note(timeline: Timeline, replacement: str | None, reason: str | None) -> str:
    """The body of the docstring's ``.. deprecated::`` directive."""
    cached = timeline.derived.get(("note", replacement, reason))
    if cached is not None:
        return cached
    parts = []
    if timeline.removed_in is not None:
        word = "on" if timeline.dated else "in"
        parts.append(f"Will be removed {word} {timeline.texts['removed_in']}.")
    parts.append(_tail(replacement, reason, None).strip())
    note = " ".join(part for part in parts if part) or "Deprecated."
    return _derived(timeline, ("note", replacement, reason), note)


# -- parameters and code paths ---------------------------------------------------------------


def usage_text(
    *,
    subject: str,
    package: str,
    timeline: Timeline,
    phase: Phase,
    will: str,
    advice: str,
    reason: str | None,
    guide: str | None,
) -> str:
    """The warning for a way of calling (a parameter, a value, a code path) in *phase*:
    "*subject* is deprecated since mylib 2.0 and will *will* in 3.0. *advice*"."""
    head = _head(subject, package, timeline, phase, pending=will, later=will)
    return f"{head}.{f' {advice}' if advice else ''}{_tail(None, reason, guide)}"


def usage_removed_text(
    *,
    subject: str,
    package: str,
    timeline: Timeline,
    installed: str,
    gone: str,
    advice: str,
    reason: str | None,
    guide: str | None,
) -> str:
    """The error once that way of calling is gone: "*subject* *gone* mylib 3.0 (...)"."""
    if timeline.dated:  # "was removed in mylib 3.0", "was removed on 2027-06-30"
        gone = f"{gone.removesuffix(' in')} on" if gone.endswith(" in") else gone
        package = ""
    return (
        f"{subject} {gone} {package}{' ' if package else ''}{timeline.texts['removed_in']} "
        f"(deprecated since {timeline.texts['since']}; {installed})."
        f"{f' {advice}' if advice else ''}{_tail(None, reason, guide)}"
    )


def default_change_text(
    *,
    subject: str,
    package: str,
    timeline: Timeline,
    phase: Phase,
    old: str,
    new: str,
    advice: str,
    reason: str | None,
    guide: str | None,
) -> str:
    """The warning for a call that relies on a default about to change."""
    since = timeline.texts["since"]
    if phase is Phase.PENDING:
        head = f"The default of {subject} will change from {old} to {new} "
        head += _when(timeline, package, "removed_in")
    else:
        head = f"The default of {subject} changes from {old} to {new} "
        head += _when(timeline, package, "removed_in")
        if phase is not Phase.HARD:
            head += f" (announced {'on' if timeline.dated else 'in'} {since})"
        elif not timeline.dated:
            head += ", the next release"
    return f"{head}. {advice}{_tail(None, reason, guide)}"

"""``phaseout check`` as text, JSON or Markdown, and the module of shims (``--write-shims``)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from typing import Any, Final

from ._classify import STATUSES, CheckResult, Finding

__all__ = ["FORMATS", "render", "render_shims"]

_HEADINGS: Final = {
    "undeclared": "Undeclared: silent breaks",
    "early": "Early: broken before the announced release (or the policy's window)",
    "present": "Still present: removals that are due",
    "allowed": "Allowed: deliberate breaks",
    "announced": "Announced: removed on schedule",
}


def _title(result: CheckResult) -> str:
    old = f"{result.old} ({result.old_version})" if result.old_version else result.old
    return f"{result.package}: {old} -> {result.new} ({result.new_version})"


def _summary(result: CheckResult) -> str:
    counts = result.counts()
    parts = [f"{counts[s]} {s}" for s in reversed(STATUSES) if counts[s]]
    if result.phased:
        parts.append(f"{len(result.phased)} phased (the new code keeps the old spelling working)")
    return ", ".join(parts) if parts else "no breaking changes"


def _by_status(result: CheckResult) -> list[tuple[str, list[Finding]]]:
    return [
        (status, [f for f in result.findings if f.status == status])
        for status in reversed(STATUSES)
        if any(f.status == status for f in result.findings)
    ]


def render_table(result: CheckResult) -> str:
    lines = [_title(result), _summary(result)]
    for status, findings in _by_status(result):
        lines += ["", f"{_HEADINGS[status]}:"]
        for f in findings:
            detail = f" ({f.detail})" if f.detail else ""
            lines.append(f"  [{f.severity}] {f.path}: {f.kind}{detail}")
            lines.append(f"      {f.reason}")
            if f.declaration:
                lines.append(f"      declared: {f.declaration}")
            if f.impact:
                lines.append(f"      usage: {f.impact}")
            if f.fix is not None:
                lines.append(f"      fix, {f.fix_where}:")
                code = f.fix.code + (f"\n{f.fix.signature}" if f.fix.signature else "")
                lines += [f"        {line}" if line else "" for line in code.splitlines()]
    return "\n".join(lines) + "\n"


def _finding_json(f: Finding) -> dict[str, Any]:
    return {
        "path": f.path,
        "kind": f.kind,
        "status": f.status,
        "severity": f.severity,
        "detail": f.detail,
        "reason": f.reason,
        "declaration": f.declaration,
        "usage": None
        if f.usage is None
        else {"calls": f.usage.calls, "call_sites": f.usage.call_sites, "per_day": f.usage.per_day},
        "impact": f.impact,
        "fix": None
        if f.fix is None
        else {
            "placement": f.fix.placement,
            "code": f.fix.code,
            "file": f.fix.file,
            "line": f.fix.line,
            "signature": f.fix.signature,
            "def_line": f.fix.def_line,
            "current": f.fix.current,
            "needs_import": f.fix.needs_import,
            "where": f.fix_where,
        },
        "location": f.location,
    }


def render_json(result: CheckResult) -> str:
    """One JSON document; each finding on a line of its own (the C encoder: an indented
    dump of thousands of findings takes longer than the check)."""
    head = {
        "package": result.package,
        "old": {"label": result.old, "version": result.old_version},
        "new": {"label": result.new, "version": result.new_version},
        "counts": result.counts(),
        "phased": list(result.phased),
    }
    lines = [json.dumps(head)[:-1] + ', "findings": [']
    findings = [json.dumps(_finding_json(f)) for f in result.findings]
    lines.append(",\n".join(findings))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: CheckResult) -> str:
    lines = [f"# Breaking changes: {_title(result)}", "", _summary(result) + "."]
    usage = any(f.impact for f in result.findings)  # a column only when logs were given
    for status, findings in _by_status(result):
        header = "| Severity | API | Change | Why |" + (" Usage |" if usage else "")
        lines += ["", f"## {_HEADINGS[status]}", "", header, "|---" * header.count(" |") + "|"]
        for f in findings:
            change = f.kind + (f" ({f.detail})" if f.detail else "")
            row = f"| {f.severity} | `{_cell(f.path)}` | {_cell(change)} | {_cell(f.reason)} |"
            lines.append(row + (f" {_cell(f.impact)} |" if usage else ""))
        for f in findings:
            if f.fix is None:
                continue
            lines += ["", f"Fix for `{f.path}`, {f.fix_where}:", ""]
            if f.fix.placement == "manual":
                lines.append(f.fix.code)
                continue
            code = f.fix.code + (f"\n{f.fix.signature}" if f.fix.signature else "")
            lines += ["```python", code, "```"]
    return "\n".join(lines) + "\n"


#: GitHub's annotation level for each status.
_LEVELS: Final = {
    "undeclared": "error",
    "early": "error",
    "present": "warning",
    "allowed": "notice",
    "announced": "notice",
}


def _escaped(text: str, *, property: bool = False) -> str:
    """GitHub's workflow-command escaping (``%``, line breaks; ``:`` and ``,`` in a
    property)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text


def render_github(result: CheckResult) -> str:
    """One workflow command per finding (``::error file=...,line=...::...``): in a GitHub
    Actions job, each shows on the pull request's line; the fix follows in the message."""
    lines = []
    for f in result.findings:
        where = ""
        if f.location:
            file, _, line = f.location.rpartition(":")
            where = f" file={_escaped(file, property=True)},line={line},"
        title = _escaped(f"{f.status} break: {f.kind}", property=True)
        message = f"{f.path}: {f.kind}" + (f" ({f.detail})" if f.detail else "")
        message += f". {f.reason}."
        if f.fix is not None:
            code = f.fix.code + (f"\n{f.fix.signature}" if f.fix.signature else "")
            message += f"\nFix ({f.fix_where}):\n{code}"
        lines.append(f"::{_LEVELS[f.status]}{where or ' '}title={title}::{_escaped(message)}")
    return "".join(f"{line}\n" for line in lines)


_RENDERERS: Final[dict[str, Callable[[CheckResult], str]]] = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
    "github": render_github,
}
#: The output formats of :func:`render`.
FORMATS: Final = tuple(_RENDERERS)


def render(result: CheckResult, format: str = "table") -> str:
    """*result* as ``table``, ``json``, ``markdown`` or ``github`` (workflow commands) text."""
    try:
        renderer = _RENDERERS[format]
    except KeyError:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}") from None
    return renderer(result)


def render_shims(result: CheckResult) -> str:
    """Every fix as one Python module to review and paste from: each block says where it
    goes. It parses (``compile`` accepts it) but is not meant to be imported: the
    declarations belong in the library's own modules, beside the code they keep alive."""
    blocks = [
        f'"""Shims for the breaking changes of {_title(result)}, written by phaseout check.',
        "",
        "Each block says where it goes in the library; paste it there (a declaration only",
        "works in the module it declares). Review before pasting: restored code may need",
        'imports of its module."""',
        "",
        "import phaseout",
    ]
    for f in result.findings:
        if f.fix is None or f.fix.placement == "manual":
            continue
        fix = f.fix
        blocks += ["", "", f"# {f.path}: {f.kind} ({f.status}). Goes at {f.fix_where}."]
        if fix.placement == "above":
            indent = fix.code[: len(fix.code) - len(fix.code.lstrip())]
            current = (
                fix.signature or f"{indent}def _existing(*args, **kwargs):  # the existing def"
            )
            blocks.append(textwrap.dedent(f"{fix.code}\n{current}\n{indent}    ..."))
        elif fix.placement == "class":
            blocks.append("class _InTheClass:  # the existing class body")
            blocks.append(fix.code)
        else:
            blocks.append(fix.code.removeprefix("import phaseout\n\n"))
    return "\n".join(blocks) + "\n"

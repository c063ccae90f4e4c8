"""What ``phaseout fix`` prints: a unified diff (stdout), a summary (stderr), or JSON."""

from __future__ import annotations

import difflib
import json
import os
from typing import Any

from ._command import FixReport

__all__ = ["render_diff", "render_json", "render_summary"]


def _shown(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _text(data: bytes) -> list[str]:
    return data.decode("utf-8", "replace").splitlines(keepends=True)


def render_diff(report: FixReport) -> str:
    """A unified diff of every changed file, as ``git apply`` and ``patch -p1`` read it."""
    pieces: list[str] = []
    for outcome in report.changed:
        assert outcome.new is not None
        name = _shown(outcome.path)
        lines = difflib.unified_diff(
            _text(outcome.old), _text(outcome.new), f"a/{name}", f"b/{name}"
        )
        for line in lines:
            pieces.append(
                line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n"
            )
    return "".join(pieces)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_summary(report: FixReport) -> str:
    outcomes = report.outcomes
    changed = report.changed
    action = "changed" if report.written else "to change"
    lines = [
        f"phaseout fix: {_plural(len(outcomes), 'file')} scanned, "
        f"{_plural(len(changed), 'file')} {action}"
        + ("" if report.written or not changed else " (dry run: --write applies it)")
    ]
    per = report.per_declaration()
    for declaration in sorted(per):
        lines.append(f"  {declaration}: {_plural(per[declaration], 'rewrite')}")
    logged = report.from_usage()
    if logged:
        lines.append(f"  ({_plural(logged, 'rewrite')} found through the usage logs)")
    manual = [(outcome, site) for outcome in outcomes for site in outcome.manual]
    if manual:
        lines.append(f"{_plural(len(manual), 'site')} left for a person:")
        for outcome, site in manual:
            lines.append(
                f"  {_shown(outcome.path)}:{site.line}:{site.column}: {site.declaration}: "
                f"{site.reason}"
            )
    errors = report.errors
    if errors:
        lines.append(f"{_plural(len(errors), 'file')} not processed:")
        lines += [f"  {_shown(outcome.path)}: {outcome.error}" for outcome in errors]
    for module, why in report.import_problems:
        lines.append(f"(module {module} could not be imported: {why})")
    return "\n".join(lines) + "\n"


def _places(report: FixReport, what: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Each rewrite (or manual site) of every file, as a JSON object with its file."""
    return [
        {"file": _shown(outcome.path), **{name: getattr(item, name) for name in fields}}
        for outcome in report.outcomes
        for item in getattr(outcome, what)
    ]


def render_json(report: FixReport) -> str:
    where = ("line", "column", "declaration")
    document = {
        "files_scanned": len(report.outcomes),
        "files_changed": [_shown(outcome.path) for outcome in report.changed],
        "written": report.written,
        "rewrites": _places(report, "rewrites", (*where, "change", "from_usage")),
        "manual": _places(report, "manual", (*where, "reason")),
        "errors": [
            {"file": _shown(outcome.path), "error": outcome.error} for outcome in report.errors
        ],
    }
    return json.dumps(document, indent=2) + "\n"

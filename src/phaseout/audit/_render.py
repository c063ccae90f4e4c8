"""An audit as a table, Markdown or JSON, and as a matrix of declarations by versions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Final

from packaging.version import Version

from .._registry import VersionNote
from ._audit import Audit, Entry, RolloutEntry


def _table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=False)]
    lines = ["  ".join(f"{cell:<{w}}" for cell, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(f"{cell!s:<{w}}" for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join(lines)


def _cells(entry: Entry, with_at: bool, with_usage: bool, with_dates: bool) -> list[str]:
    cells = [
        entry.symbol,
        entry.kind,
        entry.since,
        entry.hard_in or "",
        entry.removed_in or "",
        entry.replacement or "",
        entry.phase,
    ]
    if with_dates:
        cells.append(entry.removal_date or "")
    if with_at:
        cells.append(entry.phase_at or "")
    if with_usage:
        cells += [f"{entry.calls or 0:,}", f"{entry.callers or 0:,}", entry.last_seen or ""]
    return cells


_USAGE_COLUMNS: Final = ["calls", "callers", "last seen"]


def render(result: Audit, fmt: str, *, matrix: str | bool | None = None) -> str:
    """*result* as ``table``, ``markdown`` or ``json`` text; with *matrix* (``True`` or ``""``:
    the boundary versions; ``"2.0,3.0"``: those), declarations x versions instead."""
    columns = None if matrix is None or matrix is False else _columns(result, matrix)
    if fmt == "json":
        return json.dumps(
            {
                "package": result.package,
                "installed": result.installed,
                "at": result.at,
                "declarations": [entry._asdict() for entry in result.entries],
                "findings": [finding._asdict() for finding in result.findings],
                "rollouts": [item._asdict() for item in result.rollouts],
                "version_notes": [_note_fields(note) for note in result.notes],
                **({} if columns is None else {"matrix": _matrix_rows(result, columns)}),
                **({} if columns is None else {"versions": [str(v) for v in columns]}),
            },
            indent=2,
            sort_keys=True,
        )
    with_at = result.at is not None
    # Usage logs were joined (even if they hold no use of any declaration).
    with_usage = any(entry.calls is not None for entry in result.entries)
    header = ["symbol", "kind", "since", "hard_in", "removed_in", "replacement", "phase"]
    with_dates = any(entry.removal_date for entry in result.entries)
    if with_dates:
        header.append("removal date")
    if with_at:
        header.append(f"phase at {result.at}")
    if with_usage:
        header += _USAGE_COLUMNS
    rows = [_cells(entry, with_at, with_usage, with_dates) for entry in result.entries]
    if columns is not None:
        header = ["symbol", *(str(v) for v in columns)]
        rows = [[symbol, *phases] for symbol, phases in _matrix_rows(result, columns).items()]
    findings_header = ["code", "severity", "subject", "finding"]
    finding_rows = [[f.code, f.severity, f.subject, f.message] for f in result.findings]
    title = f"{result.package} {result.installed or '(version unknown)'}"
    note_rows = [_note_cells(note) for note in result.notes]
    rollout_rows = [list(item) for item in result.rollouts]
    if fmt == "markdown":
        notes = ["## Version notes", "", _markdown(note_rows, _NOTE_COLUMNS), ""]
        rollouts = ["## Rollouts", "", _markdown(rollout_rows, RolloutEntry._fields), ""]
        return "\n".join(
            [
                f"# Deprecations of {title}",
                "",
                _markdown(rows, header),
                "",
                "## Findings",
                "",
                _markdown(finding_rows, findings_header) if finding_rows else "None.",
                "",
                *(rollouts if rollout_rows else []),
                *(notes if note_rows else []),
            ]
        )
    parts = [
        f"{len(result.entries)} declaration{'' if len(result.entries) == 1 else 's'} in {title}",
        "",
        _table(rows, header),
        "",
        _table(finding_rows, findings_header) if finding_rows else "no findings",
    ]
    if rollout_rows:
        parts += ["", _table(rollout_rows, RolloutEntry._fields)]
    if note_rows:
        parts += ["", _table(note_rows, _NOTE_COLUMNS)]
    return "\n".join(parts) + "\n"


_NOTE_COLUMNS: Final = ["symbol", "note", "version", "text"]


def _note_text(note: VersionNote) -> str:
    return " ".join((note.text or "").split())


def _note_cells(note: VersionNote) -> list[str]:
    return [note.symbol, note.kind, note.version, _note_text(note)]


def _note_fields(note: VersionNote) -> dict[str, str | None]:
    return {"symbol": note.symbol, "kind": note.kind, "version": note.version, "text": note.text}


def _markdown(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    def cell(text: object) -> str:
        return str(text).replace("|", "\\|") if text != "" else ""

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _columns(result: Audit, matrix: str | bool) -> list[Version]:
    if matrix is True or matrix == "":
        return [Version(v) for v in result.boundaries()]
    columns = []
    for text in str(matrix).split(","):
        try:
            columns.append(Version(text.strip()))
        except ValueError:  # InvalidVersion, or an int over 4,300 digits
            raise ValueError(
                f"--matrix takes PEP 440 versions separated by commas, such as '2.0,3.0', "
                f"got {text.strip()!r}"
            ) from None
    return columns


def _matrix_rows(result: Audit, columns: list[Version]) -> dict[str, list[str]]:
    """Each declaration's phase at each of *columns*."""
    from ..phases import Timeline

    rows: dict[str, list[str]] = {}
    for entry in result.entries:
        timeline = Timeline.parse(
            entry.symbol,
            since=entry.since,
            compat_in=entry.compat_in,
            hard_in=entry.hard_in,
            removed_in=entry.removed_in,
        )
        # A timeline declared by date has no phase at a version (the calendar of
        # `phaseout plan` dates versions; the matrix is of versions).
        rows[entry.symbol] = [
            "" if timeline.dated else timeline.phase_at(version).value for version in columns
        ]
    return rows

"""``phaseout audit --watch``: the watched APIs, their phases now and after an upgrade.

The watch list is read statically (nothing watched is imported). Each watched API gets the
installed version of its package and its phase there, and, with ``--at pandas==2.0`` or
``--lock FILE``, the version about to be installed and its phase then. With ``--usage``, the
uses of each watched API in the logs. Findings:

- ``PO900 watched-removal`` (error): a watched API is used (any, without usage logs) and
  the version about to be installed is at or past its ``removed_in``.
- ``PO910 watched-unknown`` (warning): the package is neither installed nor pinned by
  ``--at``/``--lock``, so no phase can be told.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final, NamedTuple

from packaging.version import InvalidVersion, Version

from .. import _pyproject, _versions
from .._config import normalize_name
from ..report import usage_by_symbol
from ._watch import Watch
from ._watchlist import _nearest, read, watches_from

#: The finding kinds of the watch audit, for ``--fail-on``.
WATCH_FINDINGS: Final = ("watched-removal", "watched-unknown")
_CODES: Final = {"watched-removal": ("PO900", "error"), "watched-unknown": ("PO910", "warning")}


class WatchEntry(NamedTuple):
    target: str
    package: str
    since: str
    removed_in: str | None
    replacement: str | None
    installed: str | None
    phase: str | None
    upcoming: str | None  # the version about to be installed (--at, --lock)
    upcoming_phase: str | None
    calls: int | None  # with --usage
    sites: int | None


class WatchFinding(NamedTuple):
    code: str
    kind: str
    severity: str
    subject: str
    message: str


class WatchAudit(NamedTuple):
    source: str
    entries: tuple[WatchEntry, ...]
    findings: tuple[WatchFinding, ...]


def audit_watches(
    pyproject: str | Path | None = None,
    *,
    at: Sequence[str] = (),
    lock: str | Path | None = None,
    usage: Sequence[str] = (),
) -> WatchAudit:
    """Audit the ``[tool.phaseout.watch]`` list of *pyproject* (see the module)."""
    path = Path(pyproject) if pyproject is not None else _nearest()
    if path is None:
        raise ValueError("no pyproject.toml in the current folder or above it; pass --pyproject")
    watches = watches_from(read(path), f"{path}: [tool.phaseout.watch]", apply=False)
    upcoming = _pins(at, lock)
    used = usage_by_symbol(usage) if usage else None
    entries = []
    findings = []
    for made in watches:
        entry = _entry(made, upcoming, used)
        entries.append(entry)
        findings += _findings(entry, made, with_usage=used is not None)
    return WatchAudit(str(path), tuple(entries), tuple(findings))


def _entry(
    made: Watch,
    upcoming: dict[str, Version],
    used: dict[str, tuple[int, int, str | None]] | None,
) -> WatchEntry:
    package = made.package
    installed = _versions._installed_version(package)
    pinned = upcoming.get(normalize_name(package))
    texts = made.timeline.texts
    calls, sites, _ = (None, None, None) if used is None else used.get(made.target, (0, 0, None))
    return WatchEntry(
        target=made.target,
        package=package,
        since=str(texts["since"]),
        removed_in=None if texts["removed_in"] is None else str(texts["removed_in"]),
        replacement=made.options["replacement"],
        installed=None if installed is None else str(installed),
        phase=None if installed is None else made.timeline.phase_at(installed).value,
        upcoming=None if pinned is None else str(pinned),
        upcoming_phase=None if pinned is None else made.timeline.phase_at(pinned).value,
        calls=calls,
        sites=sites,
    )


def _findings(entry: WatchEntry, made: Watch, *, with_usage: bool) -> list[WatchFinding]:
    version = entry.upcoming or entry.installed
    phase = entry.upcoming_phase or entry.phase
    if version is None:
        return [
            _finding(
                "watched-unknown",
                entry.target,
                f"{entry.package} is not installed and no --at or --lock pins it: the phase "
                f"of {entry.target} cannot be told",
            )
        ]
    if phase != "removed" or (with_usage and not entry.calls):
        return []
    use = (
        f"used {_times(entry.calls or 0)} from {_sites(entry.sites or 0)}"
        if with_usage
        else "perhaps used (no --usage logs given)"
    )
    instead = f"; use {entry.replacement} instead" if entry.replacement else ""
    return [
        _finding(
            "watched-removal",
            entry.target,
            f"{entry.target} is {use}, and {entry.package} {version} removes it (removed "
            f"in {entry.removed_in}){instead}",
        )
    ]


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count:,} times"


def _sites(count: int) -> str:
    return "1 call site" if count == 1 else f"{count:,} call sites"


def _finding(kind: str, subject: str, message: str) -> WatchFinding:
    code, severity = _CODES[kind]
    return WatchFinding(code, kind, severity, subject, message)


def _pins(at: Sequence[str], lock: str | Path | None) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    if lock is not None:
        pins.update(read_lock(Path(lock)))
    for text in at:
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, sep, version = item.partition("==")
            if not sep or not name.strip():
                raise ValueError(
                    f"--at must be PACKAGE==VERSION such as 'pandas==2.0', got {item!r}"
                )
            try:
                pins[normalize_name(name.strip())] = Version(version.strip())
            except InvalidVersion:
                raise ValueError(
                    f"--at {name.strip()}: the version must be a PEP 440 version, got "
                    f"{version.strip()!r}"
                ) from None
    return pins


_REQUIREMENT: Final = re.compile(
    r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*===?\s*([^\s;#\\]+)"
)


def read_lock(path: Path) -> dict[str, Version]:
    """The pinned versions of a lock file: ``uv.lock``, ``poetry.lock``, ``pylock.toml``
    (TOML ``[[package]]``/``[[packages]]`` tables), or requirements (``name==version``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValueError(f"--lock {path}: {error.strerror or error}") from None
    pins: dict[str, Version] = {}
    if path.suffix in {".lock", ".toml"}:
        for item in _toml_packages(path, text):
            name, version = item.get("name"), item.get("version")
            if isinstance(name, str) and isinstance(version, str):
                try:
                    pins[normalize_name(name)] = Version(version)
                except InvalidVersion:
                    continue
        return pins
    for line in text.splitlines():
        match = _REQUIREMENT.match(line)
        if match:
            try:
                pins[normalize_name(match.group(1))] = Version(match.group(3))
            except InvalidVersion:
                continue
    return pins


def _toml_packages(path: Path, text: str) -> list[dict[str, Any]]:
    try:
        document = _pyproject.read_toml(text, f"--lock {path}")
    except RuntimeError as error:
        raise ValueError(str(error)) from None
    found = document.get("package", document.get("packages", []))
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


_HEADER: Final = (
    "watched API", "package", "installed", "phase", "upcoming", "phase then", "removed in",
    "calls", "call sites",
)  # fmt: skip


def render_watches(result: WatchAudit, fmt: str) -> str:
    """The watch audit as ``table``, ``markdown`` or ``json``."""
    if fmt == "json":
        document = {
            "source": result.source,
            "watched": [entry._asdict() for entry in result.entries],
            "findings": [finding._asdict() for finding in result.findings],
        }
        return json.dumps(document, indent=2) + "\n"
    rows = [
        [
            entry.target,
            entry.package,
            entry.installed or "-",
            entry.phase or "-",
            entry.upcoming or "-",
            entry.upcoming_phase or "-",
            entry.removed_in or "-",
            "-" if entry.calls is None else f"{entry.calls:,}",
            "-" if entry.sites is None else str(entry.sites),
        ]
        for entry in result.entries
    ]
    lines = [f"Watched APIs ({result.source})", ""]
    if fmt == "markdown":
        lines += ["| " + " | ".join(_HEADER) + " |", "|" + "---|" * len(_HEADER)]
        lines += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows
        ]
    else:
        widths = [
            max(len(str(cell)) for cell in column) for column in zip(_HEADER, *rows, strict=True)
        ]
        for row in (list(_HEADER), *rows):
            lines.append(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
    lines.append("")
    if not result.findings:
        lines.append("No findings.")
    for finding in result.findings:
        lines.append(f"{finding.code} {finding.kind} ({finding.severity}): {finding.message}")
    return "\n".join(lines) + "\n"

"""``phaseout audit``: every declaration of a package, its timeline and phase, and what is wrong.

Auditing *imports* the package and all its submodules, as ``python -c "import pkg.mod"`` would:
run it only on code you trust, as you would its tests. A module that fails to import is a
finding of its own; the others are still audited.

Findings have a stable code, a severity and the fix:

- ``PO100 import-error`` (error): a module could not be imported.
- ``PO200 overdue`` (error): the version is past ``removed_in`` and the API is still there.
- ``PO300 unresolved-replacement`` (error): a dotted replacement that does not resolve.
- ``PO400 no-guide`` (info; an error when the package policy has ``require_guide=True``): a
  declaration without a migration guide.
- ``PO500 no-static-marker`` (error, when the policy has ``require_static=True``): a
  function, method or class declaration without an inner PEP 702 decorator, so type checkers
  do not report its uses.
- ``PO600 adapter-mismatch`` (error): a ``LegacyAdapter`` whose ``check()`` fails.
- With ``--usage``: ``PO700 unused`` (info): no use in the logs, safe to remove; ``PO800
  busy`` (warning): still used, and removed in the next release.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from collections.abc import Iterable, Sequence
from typing import Any, Final, NamedTuple

from packaging.version import Version

from ._declaration import policy_of
from ._hotpath import Declaration
from ._versions import VersionSource
from .phases import Phase
from .registry import declarations

__all__ = ["FINDINGS", "Audit", "Entry", "Finding", "audit"]


class Finding(NamedTuple):
    code: str
    kind: str
    severity: str  # "error", "warning" or "info"
    subject: str  # a symbol or a module
    message: str  # what is wrong, and the fix


# Every finding: code, kind, severity, for docs and --fail-on.
FINDINGS: Final[dict[str, tuple[str, str]]] = {
    "import-error": ("PO100", "error"),
    "overdue": ("PO200", "error"),
    "unresolved-replacement": ("PO300", "error"),
    "no-guide": ("PO400", "info"),
    "no-static-marker": ("PO500", "error"),
    "adapter-mismatch": ("PO600", "error"),
    "unused": ("PO700", "info"),
    "busy": ("PO800", "warning"),
}
_STATIC_KINDS: Final = frozenset({"function", "method", "classmethod", "staticmethod", "class"})


class Entry(NamedTuple):
    """One declaration, as the audit reports it."""

    symbol: str
    kind: str
    since: str
    compat_in: str | None
    hard_in: str | None
    removed_in: str | None
    replacement: str | None
    guide: str | None
    phase: str  # at the installed version ("unknown" when it cannot be told)
    phase_at: str | None  # at --at, when given
    calls: int | None = None  # in the usage logs (with --usage)
    callers: int | None = None
    last_seen: str | None = None


class RolloutEntry(NamedTuple):
    """A rollout between a legacy and a new code path of the package."""

    name: str
    legacy: str
    new: str
    state: str  # "30%", or "rolled back"


class Audit(NamedTuple):
    package: str
    installed: str | None
    at: str | None
    entries: list[Entry]
    findings: list[Finding]
    rollouts: tuple[RolloutEntry, ...] = ()

    def boundaries(self) -> list[str]:
        """Every version a declaration changes phase at, in order: a release plan's columns."""
        found: set[Version] = set()
        for entry in self.entries:
            for text in (entry.since, entry.compat_in, entry.hard_in, entry.removed_in):
                if text is not None:
                    found.add(Version(text))
        return [str(version) for version in sorted(found)]


def _finding(kind: str, subject: str, message: str, severity: str | None = None) -> Finding:
    code, default = FINDINGS[kind]
    return Finding(code, kind, severity or default, subject, message)


def _import_all(package: str) -> list[Finding]:
    """Import *package* and every submodule; a finding per module that failed."""
    findings: list[Finding] = []
    try:
        root = importlib.import_module(package)
    except Exception as error:
        # Nothing can be audited: a gate that passed here would check nothing.
        hint = ""
        if isinstance(error, ModuleNotFoundError) and error.name == package:
            hint = " (install it, or run phaseout in the directory that holds it)"
        raise ValueError(
            f"cannot import {package!r}: {type(error).__name__}: {error}{hint}"
        ) from None
    path = getattr(root, "__path__", None)
    if path is None:
        return findings

    def failed(name: str) -> None:
        error = sys.exc_info()[1]
        findings.append(_finding("import-error", name, f"{type(error).__name__}: {error}"))

    progress = _Progress(package)
    for info in pkgutil.walk_packages(path, prefix=f"{package}.", onerror=failed):
        progress.step(info.name)
        try:
            importlib.import_module(info.name)
        except Exception as error:
            findings.append(_finding("import-error", info.name, f"{type(error).__name__}: {error}"))
    progress.done()
    return findings


class _Progress:
    """``importing mylib.tools (12 modules)`` on one line of a terminal's stderr; silent
    otherwise (a log or a pipe gets no control characters)."""

    def __init__(self, package: str) -> None:
        self.count = 0
        self.shown = sys.stderr.isatty()
        self.package = package

    def step(self, module: str) -> None:
        self.count += 1
        if self.shown:
            sys.stderr.write(f"\r\x1b[Kimporting {module} ({self.count} modules)")
            sys.stderr.flush()

    def done(self) -> None:
        if self.shown:
            sys.stderr.write(f"\r\x1b[Kimported {self.package} ({self.count} modules)\n")


_MISSING: Final = object()


def resolve(path: str) -> Any:
    """The object a dotted path names (``mylib.mod.Class.method``, ``mylib.mod:name``), read
    without running descriptors (no deprecation is used), or ``_MISSING``."""
    import inspect

    parts = path.split("(", maxsplit=1)[0].replace(":", ".").split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for part in parts[split:]:
                obj = inspect.getattr_static(obj, part)
        except AttributeError:
            return _MISSING
        return obj
    return _MISSING


def _resolves(path: str) -> bool:
    return resolve(path) is not _MISSING


def _phase_word(decl: Declaration, version: Version | None) -> str:
    if version is None:
        return "unknown"
    return decl.timeline.phase_at(version).value


def parse_version(option: str, text: str) -> Version:
    try:
        return Version(text)
    except ValueError:  # InvalidVersion, or an int over 4,300 digits
        raise ValueError(
            f"{option} must be a PEP 440 version such as '3.0', got {text!r}"
        ) from None


def audit(package: str, *, at: str | None = None, usage: Sequence[str] = ()) -> Audit:
    """Import *package* (a top-level import name) and audit its declarations; with *usage*
    (usage log paths or globs, read as ``phaseout report`` reads them), join their uses."""
    at_version = None if at is None else parse_version("--at", at)
    findings = _import_all(package)
    mine = declarations(package)
    # The version of the package audited (also with no declarations: its distribution's).
    source = mine[0].source if mine else VersionSource(package, package, None, None)
    installed = source.resolve(None)
    used = _usage_by_symbol(usage) if usage else None
    entries: list[Entry] = []
    for decl in sorted(mine, key=lambda d: d.symbol):
        calls, callers, last_seen = (
            (None, None, None) if used is None else used.get(decl.symbol, (0, 0, None))
        )
        texts = decl.timeline.texts
        entry = Entry(
            symbol=decl.symbol,
            kind=decl.kind,
            since=str(texts["since"]),
            compat_in=texts["compat_in"],
            hard_in=texts["hard_in"],
            removed_in=texts["removed_in"],
            replacement=decl.replacement_name,
            guide=decl.guide,
            phase=_phase_word(decl, decl.source.resolve(None)),
            phase_at=None if at_version is None else _phase_word(decl, at_version),
            calls=calls,
            callers=callers,
            last_seen=last_seen,
        )
        entries.append(entry)
        findings += _findings_of(entry, decl)
    findings += _adapter_findings(package)
    return Audit(
        package,
        None if installed is None else str(installed),
        at,
        entries,
        findings,
        _rollouts(package),
    )


def _rollouts(package: str) -> tuple[RolloutEntry, ...]:
    rollout = sys.modules.get("phaseout.rollout")
    if rollout is None:
        return ()

    def name(func: Any) -> str:
        return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"

    found = []
    for item in list(rollout.ROLLOUTS):
        if getattr(item.legacy, "__module__", "").split(".")[0] != package:
            continue
        state = "rolled back" if item.rolled_back else f"{item.percent:g}%"
        found.append(RolloutEntry(item.name, name(item.legacy), name(item.new), state))
    return tuple(sorted(found))


def _findings_of(entry: Entry, decl: Declaration) -> Iterable[Finding]:
    if entry.phase == Phase.REMOVED.value:
        yield _finding(
            "overdue",
            entry.symbol,
            f"removed in {entry.removed_in} and still present at {decl.package} "
            f"{decl.source.resolve(None)}: delete it (and its declaration) before the release",
        )
    replacement = entry.replacement
    if replacement and "(" not in replacement.removesuffix("()") and not _resolves(replacement):
        yield _finding(
            "unresolved-replacement",
            entry.symbol,
            f"replacement {replacement!r} does not resolve: fix the dotted path",
        )
    policy = policy_of(decl)
    if entry.guide is None:
        yield _finding(
            "no-guide",
            entry.symbol,
            "no migration guide: pass guide=, or set one for the package with phaseout.policy()",
            "error" if getattr(policy, "require_guide", False) else None,
        )
    if getattr(policy, "require_static", False) and decl.kind in _STATIC_KINDS and not decl.static:
        yield _finding(
            "no-static-marker",
            entry.symbol,
            "no PEP 702 decorator under @phaseout.deprecated, so type checkers do not report "
            "its uses: add @typing_extensions.deprecated('...') below it",
        )
    if entry.calls == 0:
        yield _finding("unused", entry.symbol, "no use in the usage logs: safe to remove")
    elif entry.calls and entry.phase == Phase.HARD.value:
        yield _finding(
            "busy",
            entry.symbol,
            f"still used ({entry.calls} calls from {entry.callers} callers, last "
            f"{entry.last_seen}) and removed in {entry.removed_in}, the next release: tell "
            f"those callers, or move the removal",
        )


def _usage_by_symbol(sources: Sequence[str]) -> dict[str, tuple[int, int, str | None]]:
    """Per symbol: calls, distinct callers and the last time seen in the usage logs."""
    from .report import summarize

    summary = summarize(list(sources), by=("symbol", "caller"))
    found: dict[str, tuple[int, int, str | None]] = {}
    for row in summary.rows:
        if row.symbol is None:
            continue
        calls, callers, last = found.get(row.symbol, (0, 0, None))
        found[row.symbol] = (
            calls + row.count,
            callers + 1,
            max(filter(None, (last, row.last_seen))),
        )
    return found


def _adapter_findings(package: str) -> Iterable[Finding]:
    """A ``LegacyAdapter`` of *package* whose ``check()`` fails now (its target changed)."""
    adapters = sys.modules.get("phaseout.adapters")
    if adapters is None:
        return
    seen: set[type] = set()
    stack = list(adapters.LegacyAdapter.__subclasses__())
    while stack:
        klass = stack.pop()
        if klass in seen:
            continue
        seen.add(klass)
        stack += klass.__subclasses__()
        if klass.__module__.split(".")[0] != package:
            continue
        problems = klass.check()
        if problems:
            yield _finding(
                "adapter-mismatch",
                f"{klass.__module__}.{klass.__qualname__}",
                "; ".join(problems),
            )


# -- rendering --------------------------------------------------------------------------------


def _table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=False)]
    lines = ["  ".join(f"{cell:<{w}}" for cell, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(f"{cell!s:<{w}}" for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join(lines)


def _cells(entry: Entry, with_at: bool, with_usage: bool) -> list[str]:
    cells = [
        entry.symbol,
        entry.kind,
        entry.since,
        entry.hard_in or "",
        entry.removed_in or "",
        entry.replacement or "",
        entry.phase,
    ]
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
    if with_at:
        header.append(f"phase at {result.at}")
    if with_usage:
        header += _USAGE_COLUMNS
    rows = [_cells(entry, with_at, with_usage) for entry in result.entries]
    if columns is not None:
        header = ["symbol", *(str(v) for v in columns)]
        rows = [[symbol, *phases] for symbol, phases in _matrix_rows(result, columns).items()]
    findings_header = ["code", "severity", "subject", "finding"]
    finding_rows = [[f.code, f.severity, f.subject, f.message] for f in result.findings]
    title = f"{result.package} {result.installed or '(version unknown)'}"
    if fmt == "markdown":
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
            ]
        )
    parts = [
        f"{len(result.entries)} declaration{'' if len(result.entries) == 1 else 's'} in {title}",
        "",
        _table(rows, header),
        "",
        _table(finding_rows, findings_header) if finding_rows else "no findings",
    ]
    if result.rollouts:
        parts += ["", _table([list(r) for r in result.rollouts], RolloutEntry._fields)]
    return "\n".join(parts) + "\n"


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
    from .phases import Timeline

    rows: dict[str, list[str]] = {}
    for entry in result.entries:
        timeline = Timeline.parse(
            entry.symbol,
            since=entry.since,
            compat_in=entry.compat_in,
            hard_in=entry.hard_in,
            removed_in=entry.removed_in,
        )
        rows[entry.symbol] = [timeline.phase_at(version).value for version in columns]
    return rows

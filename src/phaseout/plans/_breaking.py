"""The plan's "Breaking changes": what ``phaseout check --format json`` found, read from
its file (the tools share files, not imports: ``plans`` never loads griffe)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from packaging.version import InvalidVersion, Version

__all__ = ["FAILING", "Break", "Breaking", "read_breaking"]

#: The statuses a plan's --check fails on (phaseout check's own default).
FAILING: Final = ("early", "undeclared")


@dataclass(frozen=True, slots=True)
class Break:
    """One finding of the check, as the plan shows it."""

    path: str
    kind: str
    status: str
    severity: str
    detail: str
    reason: str
    fix: str | None  # the code to add, if the check wrote one


@dataclass(frozen=True, slots=True)
class Breaking:
    """The check's findings between the last release and the one planned."""

    source: str
    old: str
    new: str
    counts: dict[str, int]
    breaks: tuple[Break, ...]

    def failures(self) -> list[str]:
        return [
            f"breaking change {b.status}: {b.path}: {b.kind}"
            for b in self.breaks
            if b.status in FAILING
        ]


def _text(value: object, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where}: {key} must be text, got {value!r}")
    return value


def read_breaking(path: Path | str, package: str, to: str) -> Breaking:
    """The findings in *path* (``phaseout check PACKAGE --format json``), which must compare
    *package* and, when *to* is a version, end at it."""
    where = f"--breaking {path}"
    try:
        document: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"{where}: cannot read it: {error.strerror or error}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(
            f"{where} is not JSON ({error}); write it with phaseout check --format json"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise ValueError(f"{where} is not the output of phaseout check --format json")
    if document.get("package") != package:
        raise ValueError(f"{where} checks {document.get('package')!r}, the plan is for {package!r}")
    new = document.get("new") or {}
    old = document.get("old") or {}
    version = new.get("version")
    try:
        planned = Version(to)
    except InvalidVersion:  # a plan to a date: any check will do
        planned = None
    if planned is not None and version is not None and Version(str(version)) != planned:
        raise ValueError(f"{where} checks the release {version}, the plan is for {to}")
    breaks = []
    for item in document["findings"]:
        if not isinstance(item, dict):
            raise ValueError(f"{where}: each finding must be an object, got {item!r}")
        fix = item.get("fix")
        breaks.append(
            Break(
                path=_text(item.get("path"), where, "path"),
                kind=_text(item.get("kind"), where, "kind"),
                status=_text(item.get("status"), where, "status"),
                severity=_text(item.get("severity"), where, "severity"),
                detail=str(item.get("detail") or ""),
                reason=str(item.get("reason") or ""),
                fix=fix.get("code")
                if isinstance(fix, dict) and fix.get("placement") != "manual"
                else None,
            )
        )
    counts = document.get("counts")
    return Breaking(
        source=str(path),
        old=f"{old.get('label')} ({old.get('version')})",
        new=f"{new.get('label')} ({version})",
        counts={str(k): int(v) for k, v in counts.items()} if isinstance(counts, dict) else {},
        breaks=tuple(breaks),
    )

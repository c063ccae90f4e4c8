"""The communication matrix: who is told what, when, on which channel, and the message.

Dates are counted back from the removal date (``weeks_before``); each row names the phase
that must be released by then (a notice of deprecation before the deprecating release is
out tells users of a warning they cannot see yet). Messages are Jinja2 templates
(``phaseout/plans/templates``), overridden file by file with ``--templates DIR``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from packaging.version import Version

from ._facts import Boundary, Facts

__all__ = ["DEFAULT_COMMUNICATIONS", "Communication", "plan_communications"]

TEMPLATES: Final = Path(__file__).parent / "templates"
_PHASES: Final = ("announced", "deprecated", "forwarded", "loud", "removed")
DEFAULT_COMMUNICATIONS: Final[tuple[Mapping[str, Any], ...]] = (
    {
        "audience": "API consumers",
        "channel": "deprecation notice e-mail",
        "weeks_before": 8,
        "template": "notice-email.txt",
        "needs": "deprecated",
    },
    {
        "audience": "end users",
        "channel": "release notes / changelog",
        "weeks_before": 6,
        "template": "release-note.md",
        "needs": "deprecated",
    },
    {
        "audience": "internal teams",
        "channel": "docs banner",
        "weeks_before": 4,
        "template": "docs-banner.md",
        "needs": "loud",
    },
    {
        "audience": "support",
        "channel": "support brief",
        "weeks_before": 2,
        "template": "support-brief.md",
        "needs": "loud",
    },
)
_KEYS: Final = frozenset(DEFAULT_COMMUNICATIONS[0])


@dataclass(frozen=True)
class Communication:
    audience: str
    channel: str
    day: date | None
    needs: str  # the phase that must be released by then
    status: str  # "due", "passed", "overdue: ..." or "no date"
    template: str
    message: str

    @property
    def overdue(self) -> bool:
        return self.status.startswith("overdue")


def _rows(where: str, table: object) -> list[Mapping[str, Any]]:
    if table is None:
        return list(DEFAULT_COMMUNICATIONS)
    if not isinstance(table, list) or not table:
        raise ValueError(
            f"{where}: [[tool.phaseout.plan.communications]] must be an array of tables, "
            f"got {table!r}"
        )
    rows: list[Mapping[str, Any]] = []
    for index, row in enumerate(table, 1):
        if not isinstance(row, Mapping):
            raise ValueError(f"{where}: communication {index} must be a table, got {row!r}")
        unknown = sorted(set(row) - _KEYS)
        missing = sorted(_KEYS - set(row) - {"needs"})
        if unknown or missing:
            problem = f"unknown key {unknown[0]!r}" if unknown else f"missing {missing[0]!r}"
            raise ValueError(
                f"{where}: communication {index}: {problem}; keys: {', '.join(sorted(_KEYS))}"
            )
        weeks = row["weeks_before"]
        if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 0:
            raise ValueError(
                f"{where}: communication {index}: weeks_before must be a whole number of "
                f"weeks >= 0, got {weeks!r}"
            )
        needs = row.get("needs", "deprecated")
        if needs not in _PHASES:
            raise ValueError(
                f"{where}: communication {index}: needs must be one of {', '.join(_PHASES)}, "
                f"got {needs!r}"
            )
        rows.append({**row, "needs": needs})
    return rows


def _environment(templates: Path | None) -> Any:
    try:
        import jinja2
    except ModuleNotFoundError as error:
        if error.name != "jinja2":
            raise
        raise RuntimeError(
            "phaseout plan needs Jinja2 for its message templates: pip install 'phaseout[plans]'"
        ) from None
    if templates is not None and not templates.is_dir():
        raise ValueError(f"--templates must be a folder of .j2 templates, got {str(templates)!r}")
    folders = [str(TEMPLATES)] if templates is None else [str(templates), str(TEMPLATES)]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        undefined=jinja2.StrictUndefined,  # a misspelt name in a template is an error
        keep_trailing_newline=True,
        autoescape=False,  # Markdown and plain text; the HTML plan escapes what it shows
    )


def _context(facts: Facts) -> dict[str, Any]:
    automated = sum(1 for api in facts.apis if api.automated)
    return {
        "migration_id": facts.migration_id,
        "package": facts.display,
        "to": facts.to,
        "removal": None if facts.removal is None else facts.removal.isoformat(),
        "automated": automated,
        "apis": [
            {
                "symbol": api.symbol,
                "replacement": api.replacement,
                "reason": (api.reason or "").strip().rstrip(".") + "." if api.reason else None,
                "guide": api.guide,
                "since": _when(api.boundary("deprecated")),
            }
            for api in facts.apis
        ],
    }


def _when(boundary: Boundary | None) -> str:
    return "-" if boundary is None else boundary.when


def _released(facts: Facts, phase: str, today: date) -> tuple[bool, str]:
    """Whether the earliest *phase* boundary of the plan's APIs is released by *today*."""
    boundaries = [b for api in facts.apis if (b := api.boundary(phase)) is not None]
    dated = [b for b in boundaries if b.version is not None or b.day is not None]
    if not dated:
        return True, ""
    first = min(dated, key=lambda b: (b.day or date.max, b.version or ""))
    if first.version is not None and facts.installed is not None:
        if facts.installed >= Version(first.version):
            return True, ""
    elif first.day is not None and first.day <= today:
        return True, ""
    return False, f"the {phase} phase ({first.when}) is not released"


def plan_communications(
    facts: Facts, today: date, templates: Path | None, where: str
) -> list[Communication]:
    """The matrix rows, each with its date, status and filled-in message."""
    env = _environment(templates)
    context = _context(facts)
    found = []
    for row in _rows(where, facts.config.get("communications")):
        day = (
            None if facts.removal is None else facts.removal - timedelta(weeks=row["weeks_before"])
        )
        if day is None:
            status = "no date"
        elif day > today:
            status = "due"
        else:
            released, why = _released(facts, row["needs"], today)
            status = "passed" if released else f"overdue: due {day}, but {why}"
        name = f"{row['template']}.j2"
        message = env.get_template(name).render(
            **context, audience=row["audience"], channel=row["channel"], date=day
        )
        found.append(
            Communication(row["audience"], row["channel"], day, row["needs"], status, name, message)
        )
    return found

"""Migration plans: ``phaseout plan PACKAGE --to VERSION``.

::

    from phaseout.plans import build_plan, render

    plan = build_plan("mylib", "3.0", usage=["logs/*.jsonl.gz"])
    print(render(plan, "markdown"))       # or "html", "json"
    plan.failures()                       # what `phaseout plan --check` fails on

One document, always current, made of what phaseout already knows: the declarations that
the release removes or changes, with a date for every phase (the release calendar,
``[tool.phaseout.releases]``), who still calls them (the usage logs, summed by
``phaseout.report``), success metrics with verdicts, the communication matrix with its
messages (Jinja2 templates: ``pip install 'phaseout[plans]'``), the rollouts' schedules and
every way back. See ``docs/plans.md``.
"""

from __future__ import annotations

from ._build import Plan, build_plan
from ._command import EXIT_CHECK_FAILED, add_plan_command, run_plan_command
from ._comms import DEFAULT_COMMUNICATIONS, Communication
from ._facts import API, Boundary, Facts, RolloutFacts
from ._metrics import DEFAULT_TARGETS, Metric, RolloutMetric
from ._prometheus import prometheus_rules
from ._render import FORMATS, render

__all__ = [
    "API",
    "DEFAULT_COMMUNICATIONS",
    "DEFAULT_TARGETS",
    "EXIT_CHECK_FAILED",
    "FORMATS",
    "Boundary",
    "Communication",
    "Facts",
    "Metric",
    "Plan",
    "RolloutFacts",
    "RolloutMetric",
    "add_plan_command",
    "build_plan",
    "prometheus_rules",
    "render",
    "run_plan_command",
]

"""Migration plans: a release calendar, ``phaseout plan`` (timeline, impact, communication).

The room for the planning tool: it reads the declarations (``phaseout.declarations()``) and
the usage logs through ``phaseout.report``'s front door, and renders dated plans (Jinja2
templates: the ``plans`` extra).
"""

from __future__ import annotations

__all__: list[str] = []

"""``phaseout fix``: callers' code rewritten from the declarations (issue: caller migration).

The room for the codemods: one small declared step per kind of declaration (a moved name, a
renamed parameter, a forwarded function), run with libcst (the ``fix`` extra) as a dry run
first. Like every tool it reads the core and the public declaration API
(``phaseout.declarations()``), never another tool's private modules.
"""

from __future__ import annotations

__all__: list[str] = []

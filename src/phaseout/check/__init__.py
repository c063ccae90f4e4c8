"""Breaking-change analysis: ``phaseout check PACKAGE --against v2.0``.

::

    from phaseout.check import check, render

    result = check("mylib", against="v2.0")      # the working tree against the tag v2.0
    print(render(result, "markdown"))             # or "table", "json"
    result.failures(["early", "undeclared"])      # what the command exits 1 on

griffe (``pip install 'phaseout[check]'``) reads the public API of both snapshots
statically and finds every break; phaseout reads the declarations of both from their
source, joins each break with them and classifies it: *announced* (removed on schedule),
*early* (before the announced release, or the policy's minimum window), *undeclared* (a
silent break) or *still present* (a removal that is due). Each early or undeclared break
comes with the declaration to add so it becomes a phased deprecation. See ``docs/check.md``.
"""

from __future__ import annotations

from ._classify import SEVERITIES, STATUSES, CheckResult, Finding, Usage, check
from ._command import DEFAULT_FAIL_ON, EXIT_FINDINGS, add_check_command, run_check_command
from ._declared import CheckError, Declared, read_declarations
from ._fixes import Fix
from ._policy import KINDS
from ._render import FORMATS, render, render_shims

__all__ = [
    "DEFAULT_FAIL_ON",
    "EXIT_FINDINGS",
    "FORMATS",
    "KINDS",
    "SEVERITIES",
    "STATUSES",
    "CheckError",
    "CheckResult",
    "Declared",
    "Finding",
    "Fix",
    "Usage",
    "add_check_command",
    "check",
    "read_declarations",
    "render",
    "render_shims",
    "run_check_command",
]

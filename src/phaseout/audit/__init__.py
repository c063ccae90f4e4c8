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

The guide (``phaseout guide``) is this tool's second view of the same declarations: the
Markdown migration guide for users upgrading to a version, with the old and the new spelling
of every API it removes.
"""

from __future__ import annotations

from ._audit import FINDINGS, Audit, Entry, Finding, RolloutEntry, audit
from ._guide import guide
from ._render import render

__all__ = ["FINDINGS", "Audit", "Entry", "Finding", "RolloutEntry", "audit", "guide", "render"]

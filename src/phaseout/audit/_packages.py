"""Reading a package as the audit and the guide need it: the core's package reading
(``phaseout._packages``), and usage logs joined per symbol (``phaseout.report``)."""

from __future__ import annotations

from .._packages import MISSING, import_all, parse_version, resolve, resolves
from ..report import usage_by_symbol

__all__ = ["MISSING", "import_all", "parse_version", "resolve", "resolves", "usage_by_symbol"]

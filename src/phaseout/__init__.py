"""phaseout: retire APIs safely, with phases that follow your package's installed version.

``@phaseout.deprecated(since=..., removed_in=...)`` is the front door; everything here is
cheap to import (package metadata is read on the first deprecated use, structlog never
at import).
"""

from __future__ import annotations

from ._config import configure, reset_defaults
from ._usage import SiteUsage, flush_usage, usage
from ._versions import pretend
from .adapters import AdapterError, LegacyAdapter, legacy, maps, renamed
from .decorators import deprecated
from .exceptions import (
    DeprecatedWarning,
    PendingWarning,
    PhaseoutError,
    PhaseoutWarning,
    RemovalWarning,
    RemovedError,
    RolloutWarning,
    SettingsWarning,
    UnknownVersionError,
    UnknownVersionWarning,
    UsageLogWarning,
)
from .phases import Phase, Timeline
from .registry import Declaration, declarations, phase_of
from .rollout import RollbackPolicy, Rollout, RolloutStats

__all__ = [
    "AdapterError",
    "Declaration",
    "DeprecatedWarning",
    "LegacyAdapter",
    "PendingWarning",
    "Phase",
    "PhaseoutError",
    "PhaseoutWarning",
    "RemovalWarning",
    "RemovedError",
    "RollbackPolicy",
    "Rollout",
    "RolloutStats",
    "RolloutWarning",
    "SettingsWarning",
    "SiteUsage",
    "Timeline",
    "UnknownVersionError",
    "UnknownVersionWarning",
    "UsageLogWarning",
    "configure",
    "declarations",
    "deprecated",
    "flush_usage",
    "legacy",
    "maps",
    "phase_of",
    "pretend",
    "renamed",
    "reset_defaults",
    "usage",
]

__version__ = "0.1.0"

"""phaseout: retire APIs safely, with phases that follow your package's installed version.

``@phaseout.deprecated(since=..., removed_in=...)`` is the front door; everything here is
cheap to import (package metadata is read on the first deprecated use, structlog never
at import).
"""

from __future__ import annotations

from ._config import configure, reset_defaults
from ._versions import pretend
from .decorators import deprecated
from .exceptions import (
    DeprecatedWarning,
    PendingWarning,
    PhaseoutError,
    PhaseoutWarning,
    RemovalWarning,
    RemovedError,
    UnknownVersionError,
)
from .phases import Phase, Timeline
from .registry import Declaration, declarations, phase_of

__all__ = [
    "Declaration",
    "DeprecatedWarning",
    "PendingWarning",
    "Phase",
    "PhaseoutError",
    "PhaseoutWarning",
    "RemovalWarning",
    "RemovedError",
    "Timeline",
    "UnknownVersionError",
    "configure",
    "declarations",
    "deprecated",
    "phase_of",
    "pretend",
    "reset_defaults",
]

__version__ = "0.1.0"

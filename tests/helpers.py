from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable

from phaseout import (
    DeprecatedWarning,
    PendingWarning,
    Phase,
    PhaseoutWarning,
    RemovalWarning,
)

# For a declaration with since 2.0, hard_in 2.9 and removed_in 3.0: a version in each phase,
# the phase, and the warning category (None: REMOVED raises).
PHASES: dict[str, tuple[Phase, type[Warning] | None]] = {
    "1.0": (Phase.PENDING, PendingWarning),
    "2.0": (Phase.SOFT, DeprecatedWarning),
    "2.9": (Phase.HARD, RemovalWarning),
    "3.0": (Phase.REMOVED, None),
}


def here() -> int:
    """The caller's line number: `line = here() + 1` names the next line."""
    return sys._getframe(1).f_lineno


def only(recorded: Iterable[warnings.WarningMessage]) -> PhaseoutWarning:
    """The single phaseout warning recorded, checked to be alone."""
    record = list(recorded)
    assert len(record) == 1, [str(w.message) for w in record]
    message = record[0].message
    assert isinstance(message, PhaseoutWarning)
    return message

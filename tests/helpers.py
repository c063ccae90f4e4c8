from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable

from phaseout import PhaseoutWarning


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

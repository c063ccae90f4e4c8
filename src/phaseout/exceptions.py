"""phaseout's warnings and errors: the public home of every category it emits or raises.

Two families that never meet. The phase warnings (``PhaseoutWarning`` and its subclasses, each
also the builtin category users already filter) say a deprecated API was used; the errors
(``PhaseoutError``, ``RemovedError`` and its subclasses, each also the builtin error code
already catches) say it is gone. ``DiagnosticWarning`` and its subclasses are for the operator:
phaseout cannot use a setting, tell a version, write a sink or keep a rollout going; each is
said once and never raises into the program.

.. versionchanged:: 0.1
   ``DefaultChangeWarning`` is now ``ChangedDefaultWarning``; the diagnostics derive from
   ``DiagnosticWarning`` instead of ``PhaseoutWarning``.
"""

from __future__ import annotations

from ._declaring import OWN_RENAMES
from ._exceptions import (
    ChangedDefaultWarning,
    DeprecatedSettingWarning,
    DeprecatedWarning,
    DiagnosticWarning,
    InvalidRecordError,
    PendingWarning,
    PhaseoutError,
    PhaseoutWarning,
    RecordVersionError,
    RemovalWarning,
    RemovedArgumentError,
    RemovedAttributeError,
    RemovedError,
    RemovedImportError,
    RemovedRecordError,
    RemovedSettingError,
    RemovedValueError,
    RolloutWarning,
    SettingsWarning,
    UnknownVersionError,
    UnknownVersionWarning,
    UsageLogWarning,
)
from ._module_names import moved

__all__ = [
    "ChangedDefaultWarning",
    "DeprecatedSettingWarning",
    "DeprecatedWarning",
    "DiagnosticWarning",
    "InvalidRecordError",
    "PendingWarning",
    "PhaseoutError",
    "PhaseoutWarning",
    "RecordVersionError",
    "RemovalWarning",
    "RemovedArgumentError",
    "RemovedAttributeError",
    "RemovedError",
    "RemovedImportError",
    "RemovedRecordError",
    "RemovedSettingError",
    "RemovedValueError",
    "RolloutWarning",
    "SettingsWarning",
    "UnknownVersionError",
    "UnknownVersionWarning",
    "UsageLogWarning",
]

# The words in the order of `changed_default` (renamed in 0.1).
moved(__name__, "DefaultChangeWarning", f"{__name__}.ChangedDefaultWarning", **OWN_RENAMES)

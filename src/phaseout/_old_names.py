"""phaseout's own top-level names renamed or moved before 1.0, deprecated with phaseout.

The table is the package's (``phaseout._MOVED``), so that ``import phaseout`` knows the old
names without loading anything; importing this module declares them all (as ``moved``
names of the module ``phaseout``). The package imports it on the first read of an old name;
``phaseout audit phaseout`` and ``phaseout fix`` import it with the rest of the package.
"""

from __future__ import annotations

import sys

from ._declaring import OWN_RENAMES
from ._module_names import moved


def _declare() -> None:
    package = sys.modules["phaseout"]  # imported before any of its modules
    table: dict[str, str] = vars(package)["_MOVED"]
    for old, new in table.items():
        moved(package.__name__, old, new, **OWN_RENAMES)


_declare()

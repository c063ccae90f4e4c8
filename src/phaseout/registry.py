"""Every declaration made in this process: ``declarations()``, ``phase_of()``.

The machinery (a weak list of declarations, the version notes) lives in ``_registry``, where
the layers that declare reach it; this is its public home.

``Declaration`` is the class of what ``declarations()`` lists. Only phaseout builds one (its
constructor is internal and changes without notice); annotate code that reads declarations
with ``phaseout.typing.Declaration``, the read-only protocol.
"""

from __future__ import annotations

from ._class_attributes import renamed_class_attribute
from ._declaring import OWN_RENAMES
from ._hotpath import Declaration
from ._registry import VersionNote, declaration_of, declarations, phase_of, version_notes

__all__ = [
    "Declaration",
    "VersionNote",
    "declaration_of",
    "declarations",
    "phase_of",
    "version_notes",
]

Declaration.__module__ = __name__  # its public home, in reprs, docs and declarations' names


def _rename_replacement_name() -> None:
    # `replacement` and `replacement_name` named one fact; a class body cannot declare this on
    # a class made below, so the descriptor is named here as Python would name it.
    old = renamed_class_attribute("replacement", **OWN_RENAMES)
    Declaration.replacement_name = old  # type: ignore[attr-defined]
    old.__set_name__(Declaration, "replacement_name")


_rename_replacement_name()

"""Every declaration made in this process (the machinery of ``phaseout.registry``).

Declarations are held weakly: a deprecated nested function that goes away takes its
declaration with it. Settings changes and the first ``pretend()`` drop every cached plan.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Final, Literal, NamedTuple, overload

from ._config import CONFIG, normalize_name
from ._hotpath import Declaration, bump_generation
from ._versions import on_pretending
from .phases import Phase

__all__ = ["VersionNote", "declaration_of", "declarations", "phase_of", "version_notes"]

# In the order they were made; dead references are dropped when the list has doubled since
# the last sweep (a plain reference per declaration: a weak dictionary costs more than the
# rest of the registration, paid for every declaration at import).
_DECLARATIONS: Final[list[weakref.ref[Declaration]]] = []
_LOCK: Final = threading.Lock()
_sweep_at = 1024


def register(decl: Declaration) -> None:
    global _sweep_at
    with _LOCK:
        _DECLARATIONS.append(weakref.ref(decl))
        if len(_DECLARATIONS) >= _sweep_at:
            _DECLARATIONS[:] = [ref for ref in _DECLARATIONS if ref() is not None]
            _sweep_at = max(1024, 2 * len(_DECLARATIONS))


class VersionNote(NamedTuple):
    """A ``.. versionadded::`` or ``.. versionchanged::`` note on an API (see
    ``phaseout.added`` and ``phaseout.changed``): not a deprecation, no phase, no warning."""

    symbol: str
    kind: Literal["added", "changed"]
    version: str
    text: str | None
    module: str  # the module that defines the API: its package is the note's

    @property
    def package(self) -> str:
        return self.module.partition(".")[0]


# Notes are plain records (no behaviour to drop with the object): kept strongly, in order.
_NOTES: Final[list[VersionNote]] = []


def register_note(note: VersionNote) -> None:
    with _LOCK:
        _NOTES.append(note)


def version_notes(package: str | None = None) -> list[VersionNote]:
    """Every version note in the order they were made; only *package*'s when given."""
    with _LOCK:
        notes = list(_NOTES)
    if package is None:
        return notes
    wanted = normalize_name(package)
    return [note for note in notes if normalize_name(note.package) == wanted]


def _live() -> list[Declaration]:
    with _LOCK:
        refs = list(_DECLARATIONS)
    return [decl for decl in map(weakref.ref.__call__, refs) if decl is not None]


# Called before declarations are listed: declarations that wait for a class's constructor
# (`_constructors`) are made then, where the constructor exists by now.
_BEFORE_LISTING: Final[list[Any]] = []


def before_listing(settle: Any) -> None:
    """Call *settle()* whenever declarations are listed (a layer above registers it)."""
    _BEFORE_LISTING.append(settle)


@overload
def declarations(
    package: str | None = None, *, notes: Literal[False] = False
) -> list[Declaration]: ...
@overload
def declarations(
    package: str | None = None, *, notes: Literal[True]
) -> list[Declaration | VersionNote]: ...
def declarations(
    package: str | None = None, *, notes: bool = False
) -> list[Declaration] | list[Declaration | VersionNote]:
    """Every live declaration in the order they were made; only *package*'s when given
    (phaseout's own are listed only then: ``declarations("phaseout")``); with *notes*,
    followed by the version notes (``phaseout.added``, ``phaseout.changed``).

    Each has ``symbol``, ``kind``, ``package``, ``timeline``, ``replacement``, ``reason``,
    ``guide`` and ``phase``. Reading ``package`` or ``phase`` resolves the package's version.

    Args:
        package: Only this distribution's (or top-level package's) declarations.
        notes: Also list the version notes, after the declarations.

    .. versionadded:: 0.1
    """
    if notes:
        listed: list[Declaration | VersionNote] = [*declarations(package)]
        return listed + version_notes(package)
    for settle in _BEFORE_LISTING:
        settle()
    found = _live()
    if package is None:
        # phaseout's own deprecations (its renames before 1.0) are declared when the module
        # that serves each old name loads: listed only when asked for by name, so the list
        # does not depend on which of phaseout's modules happened to load.
        return [decl for decl in found if decl.source.top_level != "phaseout"]
    wanted = normalize_name(package)
    return [
        decl
        for decl in found
        if normalize_name(decl.package) == wanted or normalize_name(decl.source.top_level) == wanted
    ]


def declaration_of(obj: object) -> Declaration:
    """The declaration of a deprecated object, or a ``TypeError`` saying it has none."""
    decl = vars(obj).get("__phaseout__") if isinstance(obj, type) else _find(obj)
    if not isinstance(decl, Declaration):
        raise TypeError(
            f"phase_of() needs an object decorated with phaseout.deprecated, got {obj!r}"
        )
    return decl


def _find(obj: object) -> Any:
    decl = getattr(obj, "__phaseout__", None)
    if decl is None:
        # A classmethod or staticmethod object, or a bound method of one.
        inner = getattr(obj, "__func__", None) or getattr(obj, "__wrapped__", None)
        decl = getattr(inner, "__phaseout__", None)
    return decl


def phase_of(obj: object) -> Phase:
    """The phase *obj* is in now (in this context, under any active ``pretend()``).

    Args:
        obj: An object decorated with ``@phaseout.deprecated`` (a function, method,
            classmethod, staticmethod, property or class); anything else is a ``TypeError``.

    .. versionadded:: 0.1
    """
    return declaration_of(obj).phase


def _invalidate_all() -> None:
    bump_generation()
    for decl in _live():
        decl.invalidate()


def _forget_call_sites() -> None:
    """A pretend() block starts: drop every remembered call site (they were decided outside
    any block). Plans stay: they are kept per phase, apart from pretended ones."""
    bump_generation()
    for decl in _live():
        decl.forget_call_sites()


CONFIG.add_listener(_invalidate_all)
on_pretending(_forget_call_sites)

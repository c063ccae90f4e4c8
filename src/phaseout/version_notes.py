"""``@phaseout.added`` and ``@phaseout.changed``: version notes in an API's docstring.

Sphinx's ``.. versionadded::`` and ``.. versionchanged::`` notes, written where the API is
defined, merged with phaseout's ``.. deprecated::`` note in Sphinx's order (added, changed,
deprecated) and indented as the docstring's body. They are records, not deprecations: no
phase, no warning and no wrapper (the object returned is the object given, so calls cost
nothing), listed by ``phaseout.declarations(notes=True)``, ``phaseout audit`` and
``phaseout guide``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, Literal, TypeVar

from packaging.version import InvalidVersion, Version

from . import _messages
from ._registry import VersionNote, register_note, version_notes

__all__ = ["VersionNote", "added", "changed", "version_notes"]

_T = TypeVar("_T")
_DIRECTIVES: Final = {"added": "versionadded", "changed": "versionchanged"}


def _version(api: str, version: object) -> str:
    if isinstance(version, str):
        try:
            Version(version)
        except InvalidVersion:
            pass
        else:
            return version
    raise ValueError(
        f"phaseout.{api}: version must be a PEP 440 version such as '1.2', got {version!r}"
    )


def _target(obj: Any) -> Any:
    """What carries the docstring: a classmethod's or staticmethod's function."""
    return obj.__func__ if isinstance(obj, (classmethod, staticmethod)) else obj


def _symbol(obj: Any) -> tuple[str, str]:
    target = _target(obj)
    if isinstance(target, property):
        target = target.fget or target.fset or target.fdel
    module = getattr(target, "__module__", None) or "__main__"
    qualname = getattr(target, "__qualname__", None)
    if not isinstance(qualname, str):
        raise TypeError(
            f"version notes apply to functions, methods, classes and properties, got {obj!r}"
        )
    return module, f"{module}.{qualname}"


class _Noter:
    __slots__ = ("_kind", "_text", "_version")

    def __init__(self, kind: Literal["added", "changed"], version: str, text: str | None) -> None:
        self._kind, self._version, self._text = kind, version, text

    def __call__(self, obj: _T, /) -> _T:
        module, symbol = _symbol(obj)
        target = _target(obj)
        doc = _messages.docstring_with_version_note(
            target.__doc__, self._version, self._text or "", _DIRECTIVES[self._kind]
        )
        if not self._text:  # a bare ".. versionadded:: 1.2", no trailing blank
            doc = doc.replace(f":: {self._version} \n", f":: {self._version}\n")
        try:
            target.__doc__ = doc
            if target is not obj:  # classmethod/staticmethod copy the doc when made
                obj.__doc__ = doc
        except (AttributeError, TypeError):
            raise TypeError(
                f"{symbol}: its docstring cannot be set, so no note can be added"
            ) from None
        register_note(VersionNote(symbol, self._kind, self._version, self._text, module))
        return obj


def added(version: str, text: str | None = None) -> Callable[[_T], _T]:
    """Note that the API was added in *version* (``.. versionadded::``, with *text*).

    Args:
        version: The version the API was added in.
        text: What to add to the note, if anything.

    .. versionadded:: 0.1
    """
    if text is not None and not isinstance(text, str):
        raise TypeError(f"phaseout.added: text must be a string or None, got {text!r}")
    return _Noter("added", _version("added", version), text)


def changed(version: str, text: str) -> Callable[[_T], _T]:
    """Note that the API changed in *version*, and how (``.. versionchanged::``).

    Args:
        version: The version the API changed in.
        text: What changed.

    .. versionadded:: 0.1
    """
    if not isinstance(text, str) or not text.strip():
        raise TypeError(
            f"phaseout.changed: text must say what changed, such as 'now returns a list', "
            f"got {text!r}"
        )
    return _Noter("changed", _version("changed", version), text)

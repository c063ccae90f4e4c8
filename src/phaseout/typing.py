"""Every type that appears in phaseout's public signatures, in one public home.

Annotate with these (``def report(decl: phaseout.typing.Declaration) -> None``), rather than
importing from phaseout's private modules, which change without notice. Importing this module
at run time loads the declaration machinery; under ``if TYPE_CHECKING:`` it costs nothing.

.. versionadded:: 0.1
"""

from __future__ import annotations

from typing import Literal, Protocol

from ._config import Config, Strict
from ._declaration import ParameterChange
from ._declaring import ChangeOptions, TimelineOptions
from ._registry import VersionNote
from ._showing import Budget
from ._usage import SiteUsage
from ._versions import VersionSpec
from .phases import Phase, Timeline

__all__ = [
    "Budget",
    "ChangeOptions",
    "Config",
    "Declaration",
    "ParameterChange",
    "PhaseName",
    "RolloutPath",
    "SiteUsage",
    "Strict",
    "TimelineOptions",
    "VersionNote",
    "VersionSpec",
]

#: A phase by its value, as ``phaseout.testing.expect(phase=...)`` and policies take it.
PhaseName = Literal["pending", "soft", "compat", "hard", "removed"]

#: The two paths of a ``phaseout.rollout.Rollout``: what ``force()`` takes and ``route()`` gives.
RolloutPath = Literal["legacy", "new"]


class Declaration(Protocol):
    """What ``phaseout.declarations()`` lists, read-only: every fact tools and policies read.

    The class behind it (``phaseout.registry.Declaration``) is built by phaseout alone; code
    that reads declarations annotates with this protocol.
    """

    @property
    def symbol(self) -> str:
        """The dotted path of the deprecated API (``mylib.old_func``)."""

    @property
    def kind(self) -> str:
        """What was declared: ``"function"``, ``"class"``, ``"renamed parameter"``,
        ``"module attribute"``, ``"moved name"``..."""

    @property
    def package(self) -> str:
        """The distribution whose installed version decides the phase."""

    @property
    def timeline(self) -> Timeline:
        """The declared versions or dates: ``since``, ``compat_in``, ``hard_in``,
        ``removed_in``."""

    @property
    def replacement(self) -> str | None:
        """The dotted name to use instead, if any."""

    @property
    def reason(self) -> str | None:
        """Why, as declared (or the package policy's)."""

    @property
    def guide(self) -> str | None:
        """Where the migration is explained, as declared (or the package policy's)."""

    @property
    def phase(self) -> Phase:
        """The phase now, in this context (``pretend()`` included)."""

    @property
    def change(self) -> ParameterChange | None:
        """For a parameter's declaration, what changes about the parameter; else None."""

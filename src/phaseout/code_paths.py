"""Deprecations no decorator can express, declared once and triggered by the code itself.

::

    LEGACY_MODE = phaseout.code_path(
        "mylib.connect(legacy=True)", since="2.0", removed_in="3.0",
        replacement="mylib.connect(mode='modern')",
    )

    def connect(legacy=False):
        if legacy:
            LEGACY_MODE.warn()

``warn()`` has the phases, warnings, strict mode, ``pretend()`` and usage accounting of
``@phaseout.deprecated``; the warning points at the first frame outside the declaring package
(as matplotlib's ``warn_external`` does), however deep inside the package ``warn()`` is called.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import TYPE_CHECKING, Final

from . import _frames
from ._declaring import TimelineOptions, Wording, declare, timeline_options
from ._exceptions import RemovedError
from ._hotpath import Declaration
from .phases import Phase

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["CodePath", "code_path"]

KIND_CODE_PATH: Final = "code path"


def _nothing() -> None:
    return None


class CodePath:
    """A declared deprecated code path: call :meth:`warn` where the old behaviour runs."""

    __slots__ = ("_package", "_table", "declaration")

    def __init__(self, decl: Declaration, package: str) -> None:
        self.declaration = decl
        self._package = package  # the top-level import name whose frames are skipped
        self._table = decl.new_table()

    @property
    def phase(self) -> Phase:
        """The phase now (in this context, under any active ``pretend()``)."""
        return self.declaration.phase

    def warn(self) -> None:
        """Count a use and warn (or raise ``RemovedError`` once removed), attributed to the
        first caller outside the declaring package."""
        frame = sys._getframe(1)
        caller = self._outside(frame) or frame
        self.declaration.use(self._table, _nothing, None, caller, (), {})

    def _outside(self, frame: FrameType | None) -> FrameType | None:
        package, prefix = self._package, f"{self._package}."
        while frame is not None:
            name = frame.f_globals.get("__name__")
            inside = isinstance(name, str) and (name == package or name.startswith(prefix))
            if not inside and not _frames.is_transparent(frame.f_code.co_filename):
                return frame
            frame = frame.f_back
        return None

    def __repr__(self) -> str:
        return f"<CodePath {self.declaration.symbol} {self.declaration.timeline!r}>"


def code_path(
    symbol: str,
    *,
    replacement: str | None = None,
    **timeline: Unpack[TimelineOptions],
) -> CodePath:
    """Declare a deprecated code path named *symbol* (what the user wrote, e.g.
    ``"mylib.connect(legacy=True)"``), in the module that calls this.

    Args:
        symbol: The code path as users write it (``"mylib.connect(legacy=True)"``), the name
            its warnings, counts and reports use.
        replacement: What to use instead, named in the message.
        **timeline: ``since``, ``removed_in``, ``hard_in``, ``guide``... as for
            ``phaseout.deprecated`` (``phaseout.typing.TimelineOptions``).

    .. versionadded:: 0.1
    """
    if not isinstance(symbol, str) or not symbol.strip():
        raise TypeError(f"phaseout.code_path: symbol must be a non-empty string, got {symbol!r}")
    if replacement is not None and not isinstance(replacement, str):
        raise TypeError(
            f"{symbol}: replacement must be a string naming what to use instead, "
            f"got {replacement!r}"
        )
    module = sys._getframe(1).f_globals.get("__name__") or "__main__"
    advice = f"Use {replacement} instead." if replacement else ""
    decl = declare(
        symbol,
        KIND_CODE_PATH,
        module,
        timeline_options("code_path", timeline),
        Wording(symbol, advice, error=RemovedError),
        replacement,
    )
    return CodePath(decl, module.partition(".")[0])

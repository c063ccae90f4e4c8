"""Who used another library's deprecation: the package that warned, the symbol, the user's line.

A warning is issued by a frame (the one that called ``warnings.warn``) on behalf of a caller
further out. The *package* is the distribution owning the issuing module; the *call site* is
the first frame outside that package, phaseout, wrapt, the import system and the helpers that
issue warnings for others (``typing_extensions.deprecated``, ``warnings.deprecated``,
Deprecated, deprecation, debtcollector, pyDeprecate). A PEP 702 wrapper names the decorated
object, so its module is taken as the issuer. (The walk to the call site runs for every
warning, so it is inlined in ``_capture.count``; the rules it applies are here.) The
*symbol* is read from the message when it names one (``datetime.datetime.utcnow()``,
``'DataFrame.append'``, ``pandas.concat``, a call ``declarative_base()``); otherwise the
message, with numbers and addresses normalised, is the symbol, so that one
deprecation is one row of a report however its message varies.
"""

from __future__ import annotations

import os
import re
import sys
from types import FrameType
from typing import Final

from .. import _frames, _versions

#: The package of a warning issued by the standard library (or a builtin).
PYTHON: Final = "python"

#: The package of a warning issued from C code called by the project, naming no module.
UNKNOWN: Final = "(unknown)"

# Libraries that issue warnings on behalf of others: never the user, never the issuer.
HELPERS: Final = frozenset(
    {
        "typing_extensions",
        "warnings",
        "deprecated",
        "deprecation",
        "debtcollector",
        "deprecate",
        "phaseout",
        "wrapt",
        "importlib",
        "_frozen_importlib",
        "_frozen_importlib_external",
    }
)

# PEP 702 wrappers keep the decorated object in this local.
PEP702_ISSUERS: Final = frozenset({"typing_extensions", "warnings"})

_PHASEOUT_DIR: Final = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

_CALL: Final = re.compile(r"(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\(\)")
# Quoted: a dotted name, or any name called (`'M'` alone names nothing a reader can find).
_QUOTED: Final = re.compile(
    r"""[`'"]([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|[A-Za-z_]\w*(?=\(\)))(?:\(\))?[`'"]"""
)
_DOTTED: Final = re.compile(r"(?<![\w.])([A-Za-z_]\w+(?:\.[A-Za-z_]\w*)+)(?![\w.(])")
_ADDRESS: Final = re.compile(r"0x[0-9a-fA-F]+")
_NUMBER: Final = re.compile(r"(?<![\w.])\d+(?:\.\d+)*(?![\w])")
# A dotted word that is not a name: a file (`setup.py`), an abbreviation (`e.g`).
_NOT_NAMES: Final = re.compile(r"^(e\.g|i\.e|etc|vs)$|\.(py|pyi|txt|toml|cfg|ini|json|yaml|yml)$")

#: The longest symbol or message kept for one warning (a message is the symbol when it names
#: none, and every site's events carry it).
MAX_TEXT: Final = 200


def module_of(frame: FrameType) -> str:
    """The name of the module *frame* runs in, as ``warnings`` reads it."""
    name = frame.f_globals.get("__name__")
    return name if isinstance(name, str) else "<string>"


def issuer(frame: FrameType) -> str:
    """The module that issued a warning from *frame*: its own, or for a PEP 702 wrapper
    (``typing_extensions.deprecated``, ``warnings.deprecated``) the decorated object's."""
    name = module_of(frame)
    if name.partition(".")[0] in PEP702_ISSUERS:
        owner = getattr(frame.f_locals.get("arg"), "__module__", None)
        if isinstance(owner, str):
            return owner
    return name


def is_phaseout(frame: FrameType) -> bool:
    """Whether *frame* is phaseout's own code (its warnings are counted by phaseout)."""
    return frame.f_code.co_filename.startswith(_PHASEOUT_DIR)


def is_library(frame: FrameType) -> bool:
    """Whether *frame* runs installed code: the standard library or site-packages."""
    filename = frame.f_code.co_filename
    if any(marker in filename for marker in _frames.SITE_MARKERS):
        return True
    return filename.startswith(_frames.stdlib_dirs())


def normalised(text: str) -> str:
    """*text* with addresses and numbers replaced, so that one message is one row."""
    return _NUMBER.sub("N", _ADDRESS.sub("0x…", text))[:MAX_TEXT]


def symbol_of(text: str) -> str | None:
    """The name a deprecation message is about, if it names one: the first call
    (``utcnow()``) or dotted name (``'DataFrame.append'``) in it. A bare word (``'M'``)
    names nothing a reader could look up: then the message itself is the symbol."""
    found: list[tuple[int, int, str]] = []
    for rank, pattern in enumerate((_CALL, _QUOTED, _DOTTED)):
        for match in pattern.finditer(text):
            name = match.group(1)
            if not _NOT_NAMES.search(name):
                found.append((match.start(), rank, name))
                break
    return min(found)[2][:MAX_TEXT] if found else None


def package_of(module: str) -> str:
    """The distribution that owns *module*: ``python`` for the standard library, the import
    name when no installed distribution provides it."""
    top = module.partition(".")[0]
    if module == UNKNOWN:
        return UNKNOWN
    if top in sys.stdlib_module_names or top == "builtins":
        return PYTHON
    dists = _versions._distributions_of(top)
    return dists[0] if dists else top

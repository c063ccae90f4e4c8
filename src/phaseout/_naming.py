"""What every kind of name declaration shares: checking the names it is given, one lock
for the module and import-system state they change, and reading which import statement a
frame is running (from its bytecode).
"""

from __future__ import annotations

import threading
from types import FrameType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    pass


KIND_ATTRIBUTE: Final = "module attribute"


KIND_MOVED: Final = "moved name"


KIND_MODULE: Final = "moved module"


KIND_CLASS_ATTRIBUTE: Final = "class attribute"


LOCK: Final = threading.RLock()  # declarations change module and import-system state


def identifier(api: str, what: str, value: object) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise TypeError(f"phaseout.{api}: {what} must be an identifier, got {value!r}")
    return value


def dotted(api: str, what: str, value: object) -> str:
    """A dotted path (``mylib.parsing.parse``, or ``mylib.parsing:parse``)."""
    text = value.replace(":", ".", 1) if isinstance(value, str) else ""
    if not text or not all(part.isidentifier() for part in text.split(".")):
        raise ValueError(
            f"phaseout.{api}: {what} must be a dotted path such as 'mylib.parsing.parse', "
            f"got {value!r}"
        )
    return value  # type: ignore[return-value]  # checked above


def caller_instruction_is_import_from(frame: FrameType) -> bool:
    """Whether *frame* is running ``from module import name`` (its IMPORT_FROM): Python
    turns an AttributeError there into a generic ImportError and drops its message."""
    code = frame.f_code.co_code
    lasti = frame.f_lasti
    return 0 <= lasti < len(code) and code[lasti] == IMPORT_FROM


def later_name_of_the_statement(frame: FrameType) -> bool:
    """Whether *frame* is reading the second or a later name of ``from module import A, B``:
    its IMPORT_FROM follows a STORE of the name the previous IMPORT_FROM read."""
    code = frame.f_code.co_code
    lasti = frame.f_lasti
    if not (0 <= lasti < len(code) and code[lasti] == IMPORT_FROM):
        return False
    store = _previous(code, lasti)
    if store < 0 or code[store] not in _STORES:
        return False
    before = _previous(code, store)
    return before >= 0 and code[before] == IMPORT_FROM


def _previous(code: bytes, offset: int) -> int:
    """The offset of the instruction before the one at *offset* (-1 at the start): its
    EXTENDED_ARG prefixes belong to it. Neither IMPORT_FROM nor a STORE has cache entries."""
    offset -= 2
    while offset >= 2 and code[offset - 2] == _EXTENDED_ARG:
        offset -= 2
    return offset


def _opcode(name: str) -> int:
    import opcode  # what dis reads its table from, without dis's own imports

    return opcode.opmap[name]


IMPORT_FROM: Final = _opcode("IMPORT_FROM")


_EXTENDED_ARG: Final = _opcode("EXTENDED_ARG")


_STORES: Final = frozenset(
    _opcode(name) for name in ("STORE_NAME", "STORE_FAST", "STORE_GLOBAL", "STORE_DEREF")
)


def _oparg(code: bytes, offset: int) -> int:
    arg = code[offset + 1]
    shift = 8
    while offset >= 2 and code[offset - 2] == _EXTENDED_ARG:
        offset -= 2
        arg |= code[offset + 1] << shift
        shift += 8
    return arg


def reads_from(frame: FrameType, module: str) -> bool:
    """Whether *frame* is importing *module* to read names from it (``from module import
    x``): its IMPORT_NAME names *module* and is followed by an IMPORT_FROM of another name
    (``import a.b as c`` is IMPORT_NAME ``a.b`` then IMPORT_FROM ``b``, read from ``a``)."""
    code = frame.f_code
    raw = code.co_code
    lasti = frame.f_lasti
    following = lasti + 2  # IMPORT_NAME has no inline cache entries
    if not (lasti >= 0 and following < len(raw)) or raw[following] != IMPORT_FROM:
        return False
    names = code.co_names
    imported = names[_oparg(raw, lasti)]
    read = names[_oparg(raw, following)]
    return bool(imported == module and read != module.rpartition(".")[2])

"""Which frame is "the caller": the only module that walks the stack.

A warning must point at the user's line, never at phaseout, wrapt or the standard library
(``functools``, ``threading``, ``copyreg``...), whatever stands between. Fixed offsets break
under stacked decorators and other entry points, so frames are classified by file and
skipped. ``inspect.stack()`` reads source files for every frame and costs milliseconds; this
walk touches only ``f_back`` and ``f_code`` and runs only off the hot path.
"""

from __future__ import annotations

import functools
import os
import sys
from types import CodeType, FrameType
from typing import Final

_OWN_DIR: Final = os.path.dirname(os.path.abspath(__file__)) + os.sep
SITE_MARKERS: Final = (f"{os.sep}site-packages{os.sep}", f"{os.sep}dist-packages{os.sep}")

# Methods through which Python creates a class or an instance: a frame of one of these whose
# first argument is the deprecated class (or a subclass, or its metaclass) is machinery, not
# the line that wrote `Deprecated()` or `class Sub(Deprecated):`.
_CLASS_MACHINERY: Final = frozenset(
    {"__new__", "__init__", "__call__", "__init_subclass__", "__prepare__", "__set_name__"}
)

_transparent: dict[str, bool] = {}


@functools.cache
def stdlib_dirs() -> tuple[str, ...]:
    import sysconfig  # on first use: importing it costs milliseconds

    paths = sysconfig.get_paths()
    return tuple(
        {os.path.join(os.path.abspath(paths[key]), "") for key in ("stdlib", "platstdlib")}
    )


def _classify(filename: str) -> bool:
    if filename.startswith("<frozen "):
        return True
    path = os.path.abspath(filename) if not filename.startswith("<") else filename
    if path.startswith(_OWN_DIR):
        return True
    wrapt = sys.modules.get("wrapt")
    wrapt_file = getattr(wrapt, "__file__", None)
    if wrapt_file and path.startswith(os.path.dirname(os.path.abspath(wrapt_file)) + os.sep):
        return True
    if any(marker in path for marker in SITE_MARKERS):
        # Third-party code is a caller like any other, even where site-packages sits
        # inside the standard library's directory (pyenv, Debian).
        return False
    return path.startswith(stdlib_dirs())


def is_transparent(filename: str) -> bool:
    """Whether code in *filename* belongs to phaseout, wrapt or the standard library."""
    try:
        return _transparent[filename]
    except KeyError:
        result = _transparent[filename] = _classify(filename)
        return result


def _is_class_machinery(frame: FrameType, owner: type) -> bool:
    code = frame.f_code
    if code.co_name not in _CLASS_MACHINERY or not code.co_argcount:
        return False
    first = frame.f_locals.get(code.co_varnames[0])
    if not isinstance(first, type):
        return False
    return issubclass(first, owner) or isinstance(owner, first)


def user_frame(caller: FrameType, owner: type | None = None) -> FrameType:
    """The nearest frame from *caller* outward that is user code.

    With *owner* (a deprecated class), frames of metaclasses, ``__init_subclass__`` chains and
    ``__new__``/``__init__`` of its subclasses are skipped too, so a warning about a class
    points at the line that instantiated or subclassed it. When every frame is transparent
    (a deprecated call made by the standard library on its own), *caller* is the answer.
    """
    frame: FrameType | None = caller
    while frame is not None:
        if not is_transparent(frame.f_code.co_filename) and (
            owner is None or not _is_class_machinery(frame, owner)
        ):
            return frame
        frame = frame.f_back
    return caller


_SKIPPED: dict[tuple[object, tuple[str, ...]], bool] = {}


def _skipped(frame: FrameType, skip: tuple[str, ...]) -> bool:
    name = frame.f_globals.get("__name__")
    try:
        return _SKIPPED[name, skip]
    except (KeyError, TypeError):  # TypeError: a module named by something unhashable
        pass
    found = isinstance(name, str) and any(
        name == prefix or name.startswith(f"{prefix}.") for prefix in skip
    )
    if len(_SKIPPED) < 4096:
        _SKIPPED[name, skip] = found
    return found


def beyond(user: FrameType, skip: tuple[str, ...], levels: int) -> FrameType:
    """The frame a declaration's warning points at, from the user frame *user*: past frames
    of the modules in *skip* (and their submodules), then *levels* frames further out, each
    step skipping them too (as ``warnings.warn``'s ``stacklevel`` with
    ``skip_file_prefixes``). Where the stack ends first, the outermost frame reached."""
    frame: FrameType = user
    for step in range(levels + 1):
        candidate: FrameType | None = frame if step == 0 else frame.f_back
        while candidate is not None and (
            is_transparent(candidate.f_code.co_filename) or (skip and _skipped(candidate, skip))
        ):
            candidate = candidate.f_back
        if candidate is None:
            return frame
        frame = candidate
    return frame


def is_import_system(frame: FrameType) -> bool:
    """CPython's ``is_internal_frame``: with a stacklevel above 1, ``warnings.warn`` does not
    count frames of the import system, so neither may we."""
    filename = frame.f_code.co_filename
    return "importlib" in filename and "_bootstrap" in filename


def stacklevel(start: FrameType, target: FrameType) -> int | None:
    """The ``stacklevel`` that makes ``warnings.warn`` called from *start* report *target*."""
    level = 1
    frame: FrameType | None = start
    while frame is not None and frame is not target:
        frame = frame.f_back
        while frame is not None and frame is not target and is_import_system(frame):
            frame = frame.f_back
        level += 1
    return level if frame is target else None


def qualname_of(frame: FrameType) -> str:
    """The qualified name of the function *frame* runs, ``"<module>"`` for module code.

    Python 3.11+ keeps it on the code object. On 3.10 only the bare name is there, so a
    method's class is looked up on its first argument's type, walking the MRO for the class
    that really defines the code; this runs once per call site, never per call.
    """
    code = frame.f_code
    qualname: str | None = getattr(code, "co_qualname", None)
    if qualname is not None:
        return qualname
    name = code.co_name
    if code.co_argcount:
        first = frame.f_locals.get(code.co_varnames[0])
        for klass in (first if isinstance(first, type) else type(first)).__mro__:
            member = vars(klass).get(name)
            member = getattr(member, "__func__", member)
            if getattr(member, "__code__", None) is code:
                return f"{klass.__qualname__}.{name}"
    return name


def line_of(code: CodeType, lasti: int) -> int:
    """The source line of the instruction at byte offset *lasti* (``frame.f_lasti``)."""
    for start, end, number in code.co_lines():
        if start <= lasti < end and number is not None:
            return number
    return code.co_firstlineno

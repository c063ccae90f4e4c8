"""An inner PEP 702 decorator under ``@phaseout.deprecated``: one warning, one message.

Type checkers report deprecated uses only for ``warnings.deprecated`` (3.13) and
``typing_extensions.deprecated``, so libraries stack one under ``@phaseout.deprecated``. At run
time that one would warn too (unless written with ``category=None``): phaseout takes the object
it decorated back — the original function, or the class with its own ``__new__`` and
``__init_subclass__`` — and keeps its message as ``__deprecated__``, so what checkers show and
what ``__deprecated__`` says are the same text.
"""

from __future__ import annotations

import sys
from types import FunctionType
from typing import Any


def _pep702_files() -> tuple[str, ...]:
    files = []
    for name in ("typing_extensions", "warnings"):
        module = sys.modules.get(name)
        file = getattr(module, "__file__", None)
        if file:
            files.append(file)
    return tuple(files)


def _made_by_pep702(func: object) -> bool:
    """Whether *func* is a function made by a PEP 702 decorator (its warning wrapper, or a
    replacement ``__new__``/``__init_subclass__``)."""
    code = getattr(func, "__code__", None)
    return code is not None and code.co_filename in _pep702_files()


def unwrap(obj: Any) -> tuple[Any, str | None]:
    """*obj* without a PEP 702 decorator's runtime warning, and that decorator's message."""
    message = getattr(obj, "__deprecated__", None)
    if not isinstance(message, str):
        return obj, None
    if isinstance(obj, type):
        if "__deprecated__" in vars(obj):
            _restore_class(obj)
            return obj, message
        return obj, None  # a deprecated base class's message, not this class's
    if isinstance(obj, FunctionType) and _made_by_pep702(obj):
        inner = getattr(obj, "__wrapped__", None)
        if inner is not None:
            return inner, message
    # category=None: the decorator only set __deprecated__ on the function itself.
    return obj, message


def _restore_class(klass: type) -> None:
    """Undo what a PEP 702 decorator with a category did to *klass*: put back the
    ``__new__`` and ``__init_subclass__`` it replaced with warning ones."""
    namespace = vars(klass)
    new = namespace.get("__new__")
    new_func = getattr(new, "__func__", None)
    if _made_by_pep702(new_func):
        original = getattr(new_func, "__wrapped__", object.__new__)
        if original is getattr(klass.__mro__[1], "__new__", object.__new__):
            delattr(klass, "__new__")  # it was inherited
        else:
            klass.__new__ = staticmethod(original)  # type: ignore[assignment]
    hook = namespace.get("__init_subclass__")
    hook_func = getattr(hook, "__func__", hook)
    if _made_by_pep702(hook_func):
        original = getattr(hook_func, "__wrapped__", None)
        inherited = any(
            getattr(vars(base).get("__init_subclass__"), "__func__", None) is original
            for base in klass.__mro__[1:]
        )
        if original is None or inherited:
            delattr(klass, "__init_subclass__")
        else:
            klass.__init_subclass__ = classmethod(original)  # type: ignore[assignment]

"""Deprecate names: module attributes, moved or renamed symbols and modules, class attributes.

Each declaration has the timeline, phases, warnings, strict mode, ``pretend()`` and usage
accounting of ``@phaseout.deprecated``, and gives the *real* object: no proxy, so ``type()``,
``is``, ``isinstance``, ``json.dumps`` and pickling are untouched.

- Module attributes and moved names are served by the module's PEP 562 ``__getattr__``, which
  Python calls only for names the module does not have: reading any other attribute costs
  exactly what it did. An existing ``__getattr__`` (and ``__dir__``) is chained.
- A moved module is an *alias* module (made by an import hook) whose attributes are the new
  module's own objects, read through it with a warning at the reading line.
- An opt-in proxy (``deprecated_proxy``) for an object whose every use, not its lookup, must
  warn: the one declaration that does not give the real object.
- Class attributes are data descriptors on the class; a deprecated Enum member is read through
  one, and through the Enum's member map, and stays the member itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._class_attributes import deprecated_class_attribute, renamed_class_attribute
from ._declaring import OWN_RENAMES
from ._module_names import deprecated_module_attribute, moved
from ._moved_modules import moved_module

if TYPE_CHECKING:
    from ._enum_members import deprecated_member
    from ._proxies import deprecated_proxy

__all__ = [
    "deprecated_class_attribute",
    "deprecated_member",
    "deprecated_module_attribute",
    "deprecated_proxy",
    "moved",
    "moved_module",
    "renamed_class_attribute",
]


def __getattr__(name: str) -> Any:
    # Enum members and proxies are loaded on first use: most libraries declare neither, and
    # the proxy's class is built with every operator method when its module loads.
    if name == "deprecated_member":
        from ._enum_members import deprecated_member

        return deprecated_member
    if name == "deprecated_proxy":
        from ._proxies import deprecated_proxy

        return deprecated_proxy
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


# "attribute" alone said module attribute here and class attribute there (renamed in 0.1).
for _old, _new in (
    ("deprecated_attribute", "deprecated_module_attribute"),
    ("renamed_attribute", "renamed_class_attribute"),
):
    moved(__name__, _old, f"{__name__}.{_new}", **OWN_RENAMES)

del _old, _new

"""``@phaseout.renamed_hook(old, ...)``: a base class's overridable hook renamed, with subclasses
that override the old name still called (warned at their class statement), and overriding
both names refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .decorators import self_serving

if TYPE_CHECKING:
    from datetime import date

_F = TypeVar("_F", bound=Callable[..., Any])


class _RenamedHook:
    """Stands in the class body for the new hook until the class exists (``__set_name__``)."""

    def __init__(self, func: Callable[..., Any], old: str, options: dict[str, Any]) -> None:
        self.func = func
        self.old = old
        self.options = options

    def __set_name__(self, owner: type, name: str) -> None:
        old = self.old
        if old in vars(owner):
            raise TypeError(
                f"{owner.__qualname__} defines both {old} and {name}, which replaces it; "
                f"keep only {name}"
            )
        setattr(owner, name, self.func)
        new_dotted = f"{owner.__module__}.{owner.__qualname__}.{name}"

        def alias(self: Any, /, *args: Any, **kwargs: Any) -> Any:
            return getattr(self, name)(*args, **kwargs)

        alias.__name__ = old
        alias.__qualname__ = f"{owner.__qualname__}.{old}"
        alias.__module__ = owner.__module__
        alias.__doc__ = f"The name of :meth:`{name}` before it was renamed."
        setattr(owner, old, self_serving(**self.options, replacement=new_dotted)(alias))

        def overridden(cls: type) -> None:
            """Called at the class statement of a subclass that overrides the old name."""

        overridden.__name__ = old
        overridden.__qualname__ = f"{owner.__qualname__}.{old}"
        overridden.__module__ = owner.__module__
        notice = self_serving(
            **self.options,
            replacement=new_dotted,
            reason=f"Subclasses must override {name} instead; {owner.__qualname__} "
            f"calls {name}, and reaches an override of {old} only through this alias.",
        )(overridden)
        renames = dict(vars(owner).get("__phaseout_renames__", {}))
        renames[old] = (name, notice)
        owner.__phaseout_renames__ = renames  # type: ignore[attr-defined]
        _install_hook(owner)


def _install_hook(owner: type) -> None:
    if "__phaseout_hooked__" in vars(owner):
        return
    owner.__phaseout_hooked__ = True  # type: ignore[attr-defined]
    parent = vars(owner).get("__init_subclass__")

    def __init_subclass__(cls: type, /, **kwargs: Any) -> None:
        # With renames declared at several levels, each level's hook runs: check once.
        checked = "__phaseout_renames_checked__" in vars(cls)
        cls.__phaseout_renames_checked__ = True  # type: ignore[attr-defined]
        for klass in [] if checked else reversed(cls.__mro__[1:]):
            for old, (new, notice) in vars(klass).get("__phaseout_renames__", {}).items():
                own = vars(cls)
                if old in own and new in own:
                    raise TypeError(
                        f"{cls.__qualname__} overrides both {old} and {new}, the name that "
                        f"replaces it; keep only {new}"
                    )
                if old in own:
                    notice(cls)  # warns at the class statement; raises once removed
                    setattr(cls, new, own[old])
        if parent is not None:
            parent.__func__(cls, **kwargs)
        else:
            super(owner, cls).__init_subclass__(**kwargs)  # type: ignore[arg-type]

    owner.__init_subclass__ = classmethod(__init_subclass__)  # type: ignore[assignment]


def renamed_hook(
    old: str,
    *,
    since: str | date,
    removed_in: str | date | None = None,
    hard_in: str | date | None = None,
    compat_in: str | date | None = None,
    package: str | None = None,
    current_version: Any = None,
    guide: str | None = None,
) -> Callable[[_F], _F]:
    """Declare that the decorated hook was called *old* before *since*.

    ``obj.<old>(...)`` keeps working (deprecated, served by the new method); a subclass that
    overrides *old* is warned at its ``class`` statement and its override is what the new
    name calls; a subclass that overrides both is a ``TypeError``.

    Args:
        old: The hook's name before the rename.
        since: The first version (or date) in which *old* is deprecated.
        removed_in: From this version, *old* is gone: reading it raises, and a subclass
            overriding it is an error.
        hard_in: From this version, a ``RemovalWarning``.
        compat_in: From this version, the COMPAT phase (its uses are counted as such); the
            old name is served by the new method in every phase.
        package: The distribution whose version counts.
        current_version: A version string or a zero-argument callable returning one.
        guide: A URL or text where the migration is explained.

    .. versionchanged:: 0.1
       Renamed from ``renamed`` (it renames an overridable hook); the old name is
       deprecated.
    """
    if not old.isidentifier():
        raise ValueError(f"renamed_hook() needs the old method name, got {old!r}")
    options = {
        "since": since,
        "removed_in": removed_in,
        "hard_in": hard_in,
        "compat_in": compat_in,
        "package": package,
        "current_version": current_version,
        "guide": guide,
    }

    def mark(func: _F) -> _F:
        return _RenamedHook(func, old, options)  # type: ignore[return-value]

    return mark

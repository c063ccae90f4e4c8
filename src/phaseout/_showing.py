"""How often and where a declaration's uses are shown: budgets and skipped modules.

Shared by a package's policy (its defaults) and each declaration's own options
(``warn_at_most``, ``skip_modules``), so both speak one model and check it with one wording.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["BUDGETS", "Budget", "check_budget", "skip_modules_of"]

# How often a declaration's uses are shown (a policy's default, or one declaration's
# ``warn_at_most``): "call site" is Python's own rule (once per calling line under the
# "default" filter), "always" every use the filters let through, N the first N uses of the
# declaration in the process ("process" is 1). Later uses are counted, not shown.
Budget = Literal["call site", "process", "always"] | int
BUDGETS: Final = ("call site", "process", "always")


def check_budget(where: str, name: str, budget: object) -> Budget:
    """A budget (see ``Budget``), or a ``ValueError`` naming *where* it was given."""
    if budget in BUDGETS or (type(budget) is int and budget >= 1):
        return budget
    raise ValueError(
        f"{where}: {name} must be a number of uses (1 or more), 'call site' or 'always', "
        f"got {budget!r}"
    )


def skip_modules_of(symbol: str, skip: object) -> tuple[str, ...]:
    """Module names (one, or a list or tuple), or a ``TypeError`` naming *symbol*."""
    if skip is None:
        return ()
    names = (skip,) if isinstance(skip, str) else skip
    if not isinstance(names, (tuple, list)) or not all(
        isinstance(name, str) and all(part.isidentifier() for part in name.split("."))
        for name in names
    ):
        raise TypeError(
            f"{symbol}: skip_modules must be module names such as ('mylib',), whose frames "
            f"(and their submodules') the warning skips, got {skip!r}"
        )
    return tuple(names)

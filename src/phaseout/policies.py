"""A package's deprecation policy, declared once; silencing a package's warnings.

::

    # mylib/_deprecations.py
    class MyLibDeprecationWarning(phaseout.DeprecatedWarning): ...

    phaseout.policy(
        "mylib",
        guide="https://mylib.dev/migrate/{version}#{symbol}",
        deprecated=MyLibDeprecationWarning,
    )

Every declaration made in the package (by the top-level import name of its module) then uses
the policy where it does not say otherwise: the distribution whose version counts, the default
guide and reason, the package's own warning categories (so users can filter one library with
``-W error::mylib.MyLibDeprecationWarning``) and how often a use is shown.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final

from . import _versions
from ._config import CONFIG, normalize_name
from ._exceptions import (
    ChangedDefaultWarning,
    DeprecatedWarning,
    PendingWarning,
    PhaseoutWarning,
    RemovalWarning,
    check_constructible,
)
from ._resets import on_reset
from ._showing import Budget, check_budget, skip_modules_of
from .phases import Phase

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from ._calendar import Calendar
    from ._declaration import DeclarationRecord as Declaration

__all__ = ["Policy", "policy", "release_calendar", "silence"]

# Set by the pytest plugin: a "process" budget shows each use once per call site, so every
# test that uses a deprecated API sees its warning.
BUDGET_OVERRIDE: Budget | None = None
# The policy of each package, by the top-level import name its declarations' modules share.
POLICIES: Final[dict[str, Policy]] = {}
_SILENCED: Final[contextvars.ContextVar[frozenset[str]]] = contextvars.ContextVar(
    "phaseout_silenced", default=frozenset()
)
# What each category setting must subclass, so every filter that matched phaseout's (and the
# builtin's) warnings still matches the package's own.
_BASES: Final[dict[str, type[PhaseoutWarning]]] = {
    "pending": PendingWarning,
    "deprecated": DeprecatedWarning,
    "removal": RemovalWarning,
    "change": ChangedDefaultWarning,
}


class Policy:
    """One package's settings (see :func:`policy`); read when a declaration's phase is
    decided, so declarations made before the policy follow it too."""

    __slots__ = (
        "budget", "calendar", "categories", "distribution", "guide", "package", "reason",
        "require_guide", "require_static", "skip_modules",
    )  # fmt: skip

    def __init__(
        self,
        package: str,
        distribution: str | None,
        guide: str | None,
        reason: str | None,
        categories: dict[str, type[PhaseoutWarning]],
        budget: Budget,
        require_guide: bool = False,
        require_static: bool = False,
        calendar: Calendar | None = None,
        skip_modules: tuple[str, ...] = (),
    ) -> None:
        self.calendar = calendar
        self.skip_modules = skip_modules
        self.package = package
        self.distribution = distribution
        self.guide = guide
        self.reason = reason
        self.categories = categories
        self.budget = budget
        self.require_guide = require_guide  # read by phaseout audit
        self.require_static = require_static

    def guide_for(self, decl: Declaration) -> str | None:
        """The guide template, filled in for *decl* (``{version}``: the removal version, or
        ``since`` without one; ``{symbol}``; ``{package}``)."""
        if self.guide is None:
            return None
        texts = decl.timeline.texts
        return self.guide.format(
            version=texts["removed_in"] or texts["since"],
            symbol=decl.symbol,
            package=self.distribution or self.package,
        )

    def category(self, phase: Phase, change: bool) -> type[PhaseoutWarning] | None:
        """The package's own category for a warning in *phase* (a default change: *change*)."""
        if phase is Phase.PENDING:
            return self.categories.get("pending")
        if change:
            return self.categories.get("change")
        return self.categories.get("removal" if phase is Phase.HARD else "deprecated")

    def __repr__(self) -> str:
        return f"<Policy {self.package}>"


def policy(
    package: str,
    *,
    distribution: str | None = None,
    guide: str | None = None,
    reason: str | None = None,
    pending: type[PendingWarning] | None = None,
    deprecated: type[DeprecatedWarning] | None = None,
    removal: type[RemovalWarning] | None = None,
    change: type[ChangedDefaultWarning] | None = None,
    budget: Budget = "call site",
    require_guide: bool = False,
    require_static: bool = False,
    releases: Mapping[str, str | date] | None = None,
    skip_modules: Sequence[str] | str | None = None,
) -> Policy:
    """Set the deprecation policy of *package* (a top-level import name), for every
    declaration made in it, before or after this call.

    Args:
        package: The package's top-level import name.
        distribution: The distribution whose installed version counts (default: found from
            the import name, as for each declaration).
        guide: A default guide, a template with ``{version}``, ``{symbol}``, ``{package}``.
        reason: A default reason.
        pending: The package's own ``PendingWarning`` subclass, so users can filter this one
            package.
        deprecated: The package's own ``DeprecatedWarning`` subclass.
        removal: The package's own ``RemovalWarning`` subclass.
        change: The package's own ``ChangedDefaultWarning`` subclass.
        budget: How often a use is shown: ``"call site"`` (Python's own rule: once per
            calling line under the "default" filter), a number N (the first N uses of each
            declaration in the process; later ones are counted, not shown; ``"process"`` is
            1) or ``"always"`` (every use that the filters let through, even under
            "default"). A declaration's own ``warn_at_most`` wins.
        require_guide: ``phaseout audit`` reports a declaration without a guide as an error.
        require_static: ``phaseout audit`` reports a declaration without an inner PEP 702
            decorator as an error.
        releases: The release calendar, ``{"2.0": "2027-01-15", "cadence": "12 weeks"}`` (as
            ``[tool.phaseout.releases]``): dates for every boundary, in the audit, the guide
            and ``phaseout plan``. Phases still follow the installed version.
        skip_modules: Modules (with their submodules) whose frames warnings skip, as
            phaseout's own, so a deprecated API called through the package's helpers warns at
            the user's line (``("mylib",)``); a declaration's own ``skip_modules`` wins.

    Returns:
        The package's :class:`Policy`, in force from now on.

    .. versionadded:: 0.1
    """
    if not isinstance(package, str) or not package.isidentifier():
        raise ValueError(
            f"policy: package must be a top-level import name such as 'mylib', got {package!r}"
        )
    budget = check_budget(f"policy {package}", "budget", budget)
    skip = skip_modules_of(f"policy {package}", skip_modules)
    for name, text in (("distribution", distribution), ("guide", guide), ("reason", reason)):
        if text is not None and not isinstance(text, str):
            raise TypeError(f"policy {package}: {name} must be a string or None, got {text!r}")
    if guide is not None:
        try:
            guide.format(version="1.0", symbol="mylib.f", package="mylib")
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(
                f"policy {package}: guide may use {{version}}, {{symbol}} and {{package}}, "
                f"got {guide!r} ({type(error).__name__}: {error})"
            ) from None
    categories: dict[str, type[PhaseoutWarning]] = {}
    for name, category in (
        ("pending", pending),
        ("deprecated", deprecated),
        ("removal", removal),
        ("change", change),
    ):
        if category is None:
            continue
        base = _BASES[name]
        if not (isinstance(category, type) and issubclass(category, base)):
            raise TypeError(
                f"policy {package}: {name} must be a subclass of phaseout.{base.__name__} "
                f"(so filters on it keep matching), got {category!r}"
            )
        check_constructible(f"policy {package}: {name}", category)
        categories[name] = category
    calendar = None
    if releases is not None:  # the calendar (and datetime) only for a policy that has one
        from ._calendar import Calendar

        calendar = Calendar.parse(f"policy {package}", releases)
    made = Policy(
        package,
        distribution,
        guide,
        reason,
        categories,
        budget,
        require_guide,
        require_static,
        calendar,
        skip,
    )
    POLICIES[package] = made
    _versions.POLICY_DISTRIBUTIONS[package] = distribution
    CONFIG.changed()  # phases and texts decided under no policy are decided again
    return made


@on_reset
def _reset() -> None:
    """No package policy (a policy's distribution name lives in ``_versions``)."""
    POLICIES.clear()
    _versions.POLICY_DISTRIBUTIONS.clear()
    CONFIG.changed()


def release_calendar(package: str, pyproject: Path | None = None) -> Calendar:
    """*package*'s release calendar: ``[tool.phaseout.releases]`` of its pyproject.toml
    (*pyproject*, or the one found from the package's folder or the current folder), with
    the releases its policy lists added (the policy wins where both date a version)."""
    from . import _pyproject
    from ._calendar import Calendar

    path = pyproject if pyproject is not None else _pyproject.find(package)
    table = {} if path is None else _pyproject.tool_table(path).get("releases", {})
    calendar = Calendar.parse(f"{path}: [tool.phaseout.releases]", table)
    made = POLICIES.get(package)
    if made is not None and made.calendar is not None:
        calendar = Calendar(
            {**calendar.releases, **made.calendar.releases},
            made.calendar.cadence or calendar.cadence,
        )
    return calendar


def silenced(decl: Declaration) -> bool:
    """Whether *decl*'s warnings are silenced here (``PHASEOUT_SILENCE``, ``silence()``, a
    quiet ``phaseout.watch``)."""
    if decl.quiet:
        return True
    names = _SILENCED.get() | CONFIG.load().silence
    if not names:
        return False
    return normalize_name(decl.source.top_level) in names or normalize_name(decl.package) in names


@contextmanager
def silence(*packages: str) -> Iterator[None]:
    """In this block (this thread or task, and tasks it creates), the warnings of
    *packages* (distribution or import names) are not emitted; their uses are still counted.
    Global warning filters are not touched.

    Args:
        *packages: Distribution or import names.

    .. versionadded:: 0.1
    """
    for name in packages:
        if not isinstance(name, str) or not name:
            raise ValueError(f"silence() takes package names, got {name!r}")
    _versions.enter_block()  # remembered call sites are not used while a block is active
    try:
        token = _SILENCED.set(_SILENCED.get() | {normalize_name(name) for name in packages})
        try:
            yield
        finally:
            _SILENCED.reset(token)
    finally:
        _versions.leave_block()

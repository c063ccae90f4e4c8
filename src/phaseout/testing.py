"""Asserting deprecated uses in tests, whatever the warning filters and registries did.

``with phaseout.testing.expect("mylib.old_func", phase="soft", count=2): ...`` checks what
phaseout *counted* in the block: a use whose warning was filtered, silenced or already shown
(pytest#1190: a warning shown once is not shown again in a later test) is counted all the same,
so the assertion does not depend on test order. ``reset()`` puts phaseout back as a fresh
process has it, between tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ._resets import reset_all
from ._usage import usage
from .phases import Phase

__all__ = ["expect", "reset", "uses"]


def reset() -> None:
    """Put phaseout back as a fresh process has it: ``configure()`` calls forgotten (the
    environment is read again on next use), counts and call sites, package policies, warning
    tracking and watches, OpenTelemetry reporting, the diagnostics already said, the installed
    versions read. What was declared stays declared. For tests: call it in a fixture, before
    or after each test.

    .. versionadded:: 0.1
       Replaces ``phaseout.reset_defaults()``, which reset only the settings.
    """
    reset_all()


def uses(symbol: str) -> dict[Phase, int]:
    """Uses of *symbol* counted so far in this process, by phase."""
    counted: dict[Phase, int] = {}
    for site in usage():
        if site.symbol == symbol:
            counted[site.phase] = counted.get(site.phase, 0) + site.count
    return counted


@contextmanager
def expect(
    symbol: str, *, phase: Phase | str | None = None, count: int | None = None
) -> Iterator[None]:
    """Fail unless the block used *symbol* (``count`` times exactly, when given; at least once
    otherwise), in *phase* when given (``"soft"`` or ``Phase.SOFT``)."""
    wanted = None if phase is None else Phase(phase)
    if count is not None and (not isinstance(count, int) or count < 0):
        raise ValueError(f"expect(): count must be a non-negative int, got {count!r}")
    before = uses(symbol)
    yield
    after = uses(symbol)
    made = {p: after.get(p, 0) - before.get(p, 0) for p in after}
    made = {p: n for p, n in made.items() if n}
    total = sum(made.values())
    phases = ", ".join(f"{n} {p.value}" for p, n in sorted(made.items(), key=lambda i: i[0].value))
    seen = f"{total} use{'s' if total != 1 else ''}" + (f" ({phases})" if phases else "")
    if wanted is not None and set(made) - {wanted}:
        raise AssertionError(f"expected uses of {symbol} in phase {wanted.value}, got {seen}")
    if count is None and total == 0:
        raise AssertionError(f"expected {symbol} to be used, got no use")
    if count is not None and total != count:
        raise AssertionError(
            f"expected {count} use{'s' if count != 1 else ''} of {symbol}, got {seen}"
        )

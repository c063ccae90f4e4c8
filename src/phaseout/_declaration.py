"""The declaration record: what was declared about one deprecated symbol.

Its timeline, version source, replacement, wording and the call-site state its uses keep
(counters, fast-path tables). Usage accounting and policies read it; the hot path's subclass
(``_hotpath.Declaration``) adds the behaviour: the plan of each phase and the slow path of a
use. Nothing here imports what reads it.
"""

from __future__ import annotations

import itertools
import sys
import weakref
from collections.abc import Callable
from types import CodeType, FunctionType
from typing import Any, NamedTuple

from packaging.version import Version

from ._versions import VersionSource
from .phases import Phase, Timeline

__all__ = [
    "AnyCallable",
    "DeclarationRecord",
    "FastEntry",
    "FastTable",
    "ParameterChange",
    "policy_of",
]

AnyCallable = Callable[..., Any]
# (code, globals, filters snapshot, site counter, callable to call, module name) for a site
# the filters ignore (filters match module names, and a module can be renamed);
# (code, globals, None, site counter, KnownSite, None) for one whose warning goes through the
# filters.
FastEntry = tuple[CodeType, dict[str, Any], list[Any] | None, "itertools.count[int]", Any, object]
FastTable = dict[int, FastEntry]


class ParameterChange(NamedTuple):
    """What a parameter declaration changes in the calls of *function* (``module.qualname``
    as defined), for tools that rewrite callers (``phaseout fix``).

    *action* is one of:

    - ``"rename"``: the keyword ``names[0]`` is now ``new``;
    - ``"remove"``: ``names[0]`` goes away (``new`` is None);
    - ``"keyword-only"``: each of ``names`` must be passed by keyword;
    - ``"value"``: passing ``value`` to ``names[0]`` is deprecated; ``new`` replaces it when
      ``has_new``;
    - ``"default"``: the default of ``names[0]`` changes from ``value`` to ``new``.
    """

    function: str
    action: str
    names: tuple[str, ...]
    new: object = None
    value: object = None
    has_new: bool = True


class DeclarationRecord:
    """What was declared about one deprecated symbol, and the state its call path keeps.

    The data that usage accounting, policies and the hot path all read; the behaviour (its
    plan per phase, the slow path of a use) is the hot path's subclass, ``Declaration``.

    Built by phaseout alone (its constructor is internal); users read it, typed as
    ``phaseout.typing.Declaration``. Read by ``phaseout.declarations()``: ``symbol``,
    ``kind``, ``package``, ``timeline``,
    ``replacement`` (a dotted name or None), ``reason``, ``guide``, ``phase`` (the phase
    in the current context, resolving the installed version on first use) and, for a
    parameter's declaration, ``change`` (a :class:`ParameterChange`; None for the others).
    """

    __slots__ = (
        "__weakref__",
        "_guide",
        "_plan",
        "_plans_by_phase",
        "_reason",
        "_tables",
        "budget",
        "category",
        "change",
        "code_refs",
        "foreign",
        "forward",
        "kind",
        "levels",
        "owner",
        "quiet",
        "replacement",
        "shown",
        "sites",
        "skip",
        "source",
        "static",
        "symbol",
        "timeline",
        "unnamed",
        "wording",
    )

    def __init__(
        self,
        *,
        symbol: str,
        kind: str,
        timeline: Timeline,
        source: VersionSource,
        replacement: str | None,
        forward: AnyCallable | None,
        reason: str | None,
        guide: str | None,
    ) -> None:
        self.symbol = symbol
        self.kind = kind
        self.timeline = timeline
        self.source = source
        self.replacement = replacement
        self.forward = forward
        self._reason = reason
        self._guide = guide
        self.category: type[Warning] | None = None  # the declaration's own, if given
        # Showing its uses: the declaration's own budget (None: its package policy's), the
        # count of uses shown so far under a budget of N (`next()` on it is atomic), the
        # frames above the caller the warning points at, and modules whose frames it skips.
        self.budget: Any = None
        self.shown: itertools.count[int] | None = None  # made on the first use under a budget
        self.levels = 0
        self.skip: tuple[str, ...] = ()
        # A timeline on another library's API (`phaseout.watch`): once "removed" it is still
        # there to call, so it warns as HARD instead of raising; quiet: counted, not shown.
        self.foreign = False
        self.quiet = False
        self.owner: type | None = None  # the class itself, for kind "class"
        self.change: ParameterChange | None = None
        # Texts, categories and error of a declaration that is not a callable's (parameters,
        # code paths): see `phaseout.parameters`.
        self.wording: Any = None
        # The message of an inner PEP 702 decorator (what type checkers show), if any.
        self.static: str | None = None
        # Counters per (id of the calling code, instruction offset); code_refs drops a code's
        # entries when it is freed (see _usage.new_site).
        self.sites: dict[tuple[int, int], itertools.count[int]] = {}
        self.code_refs: dict[int, tuple[Any, list[int]]] = {}
        self._tables: list[FastTable] = []
        # Wrappers (by the id of their table) whose code is yet to be named (see `_name`).
        self.unnamed: dict[int, tuple[weakref.ref[FunctionType], FunctionType]] = {}
        # The hot path's plans (see `_hotpath.Plan`): the current one, and those by phase.
        self._plan: Any = None
        self._plans_by_phase: dict[tuple[Phase, Version | None], Any] = {}

    @property
    def package(self) -> str:
        return self.source.display_name()

    @property
    def guide(self) -> str | None:
        """The declaration's guide, or its package policy's (see ``phaseout.policy``)."""
        if self._guide is not None:
            return self._guide
        policy = policy_of(self)
        return None if policy is None else policy.guide_for(self)

    @property
    def reason(self) -> str | None:
        """The declaration's reason, or its package policy's."""
        if self._reason is not None:
            return self._reason
        policy = policy_of(self)
        return None if policy is None else policy.reason

    def __repr__(self) -> str:
        return f"<Declaration {self.kind} {self.symbol} {self.timeline!r}>"

    def new_table(self) -> FastTable:
        table: FastTable = {}
        self._tables.append(table)
        return table

    def invalidate(self) -> None:
        self._plan = None
        self._plans_by_phase.clear()
        self.forget_call_sites()

    def forget_call_sites(self) -> None:
        """Send the next use from every call site down the slow path."""
        for table in self._tables:
            table.clear()


def policy_of(decl: DeclarationRecord) -> Any:
    """*decl*'s package policy, if any. No policy exists unless ``phaseout.policies`` was
    imported: never import it to find none (declaring reads the reason for the docstring
    note, for every declaration)."""
    policies = sys.modules.get("phaseout.policies")
    if policies is None or not policies.POLICIES:
        return None
    return policies.POLICIES.get(decl.source.top_level)

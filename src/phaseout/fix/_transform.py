"""One module's source rewritten by the rules: names resolved through its imports, as Python
would resolve them, with libcst's scope analysis.

Two passes: the first (``_uses``) rewrites uses (names, attributes, calls' arguments) and
notes what each import binding still needs; the second (``_imports``), over statements only,
rewrites the imports. What cannot be proved is reported, never guessed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import libcst as cst
from libcst.metadata import MetadataWrapper

from ._imports import Imports, add_modules
from ._rules import Rules
from ._uses import ManualSite, Rewrite, Uses

__all__ = ["ManualSite", "Result", "Rewrite", "rewrite_module", "rewrite_tree"]


@dataclasses.dataclass(frozen=True)
class Result:
    """A module's source after the rewrite, what was rewritten and what was left."""

    source: str
    rewrites: tuple[Rewrite, ...] = ()
    manual: tuple[ManualSite, ...] = ()
    encoding: str = "utf-8"  # the module's own (PEP 263), to write it back

    @property
    def changed(self) -> bool:
        return bool(self.rewrites)


def rewrite_tree(
    module: cst.Module, rules: Rules, usage: Mapping[int, frozenset[str]] | None = None
) -> tuple[cst.Module, tuple[Rewrite, ...], tuple[ManualSite, ...]]:
    """*module* rewritten by *rules*, with what was rewritten and what was left. *usage*
    maps line numbers to the declarations a usage log saw used there."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    uses = Uses(rules, usage or {})
    changed = wrapper.visit(uses)
    changed = changed.visit(Imports(uses))
    changed = add_modules(changed, uses)
    rewrites = tuple(sorted(uses.rewrites, key=lambda r: (r.line, r.column)))
    manual = tuple(sorted(uses.manual.values(), key=lambda m: (m.line, m.column)))
    return (changed if rewrites else module), rewrites, manual


def rewrite_module(
    source: str | bytes, rules: Rules, usage: Mapping[int, frozenset[str]] | None = None
) -> Result:
    """*source* (text, or a file's bytes in its declared encoding) rewritten by *rules*;
    raises ``libcst.ParserSyntaxError`` when it cannot be parsed."""
    module = cst.parse_module(source)
    changed, rewrites, manual = rewrite_tree(module, rules, usage)
    return Result(changed.code, rewrites, manual, module.encoding)

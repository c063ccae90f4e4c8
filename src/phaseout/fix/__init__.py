"""``phaseout fix``: callers' code rewritten from a package's declarations (libcst).

>>> result = rewrite(source, phaseout.declarations("mylib"))  # doctest: +SKIP
>>> print(result.source)  # doctest: +SKIP

Each declaration in force becomes a rewrite of the old spelling to the new one, exactly as
Python binds it: names resolved through imports and aliases, arguments bound to the old
parameters and passed to the new ones, comments and layout kept. What cannot be proved
(a receiver of unknown class, ``*args``, a star import, a removed parameter) is reported as
a site for a person, never guessed. Needs the ``fix`` extra: ``pip install 'phaseout[fix]'``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .._hotpath import Declaration
from ._command import FixReport, fix_paths
from ._output import render_diff, render_json, render_summary
from ._rules import Rules, build_rules
from ._transform import ManualSite, Result, Rewrite, rewrite_module

__all__ = [
    "FixReport",
    "ManualSite",
    "Result",
    "Rewrite",
    "Rules",
    "build_rules",
    "fix_paths",
    "render_diff",
    "render_json",
    "render_summary",
    "rewrite",
]


def rewrite(
    source: str,
    declarations: Iterable[Declaration] | Rules,
    *,
    usage: Mapping[int, Iterable[str]] | None = None,
    accept_new_defaults: bool = False,
) -> Result:
    """*source* rewritten for *declarations* (all of them, whatever their phase; see
    :func:`fix_paths` for choosing by phase), or for rules already built.

    *usage* maps a line number to the declarations (symbols) a usage log saw used at that
    line: such calls are rewritten even where the receiver's class is not known. Raises
    ``SyntaxError`` when *source* cannot be parsed.
    """
    import libcst

    rules = (
        declarations
        if isinstance(declarations, Rules)
        else build_rules(declarations, accept_new_defaults=accept_new_defaults)
    )
    lines = {line: frozenset(symbols) for line, symbols in (usage or {}).items()}
    try:
        return rewrite_module(source, rules, lines)
    except libcst.ParserSyntaxError as error:
        raise SyntaxError(f"cannot parse: {str(error).strip().splitlines()[0]}") from None

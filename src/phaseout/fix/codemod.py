"""``phaseout fix`` as a libcst codemod command, for projects that already run codemods::

    python -m libcst.tool codemod -x phaseout.fix.codemod.Fix --package mylib src/

libcst's tool then finds the files, runs them in parallel, formats and writes them; sites
that need a person are reported as the codemod's warnings.
"""

from __future__ import annotations

import argparse

import libcst as cst
from libcst.codemod import Codemod, CodemodContext

from ._rules import rules_for
from ._transform import rewrite_tree

__all__ = ["Fix"]


class Fix(Codemod):
    DESCRIPTION = "Rewrite callers of a package from its phaseout declarations."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--package", required=True, help="the package upgraded")
        arg_parser.add_argument("--to", default=None, help="apply what is deprecated at VERSION")
        arg_parser.add_argument(
            "--accept-new-defaults",
            action="store_true",
            help="leave calls that rely on a changing default as they are",
        )

    def __init__(
        self,
        context: CodemodContext,
        package: str,
        to: str | None = None,
        accept_new_defaults: bool = False,
    ) -> None:
        super().__init__(context)
        self.rules = rules_for(package, to, accept_new_defaults=accept_new_defaults)[0]

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        changed, _, manual = rewrite_tree(tree, self.rules)
        for site in manual:
            self.warn(f"line {site.line}:{site.column}: {site.declaration}: {site.reason}")
        return changed

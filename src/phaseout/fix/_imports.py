"""The second pass of a module's rewrite, over statements only: import statements rewritten
for what the first pass did (a binding whose every use was rewritten is renamed or replaced,
one still used keeps its old import beside the new one), and ``import M`` added where a
rewritten attribute now reads through a module the file does not import."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from ._rules import Rename
from ._uses import Binding, ManualSite, Rewrite, Uses, dotted, name_of

__all__ = ["Imports", "add_modules"]


class Imports(cst.CSTTransformer):
    """The second pass: import statements only (expressions are not visited)."""

    def __init__(self, uses: Uses) -> None:
        super().__init__()
        self.uses = uses
        self.rules = uses.rules
        self.by_statement: dict[int, list[Binding]] = {}
        for binding in uses.bindings.values():
            self.by_statement.setdefault(id(binding.statement), []).append(binding)

    def on_visit(self, node: cst.CSTNode) -> bool:
        # Statements hold the imports; expressions and the imports' own parts need no visit.
        return not isinstance(node, (cst.BaseExpression, cst.BaseSmallStatement))

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel:
        body: list[cst.BaseSmallStatement] = []
        after: list[str] = []
        for statement in updated.body:
            replaced: cst.BaseSmallStatement | None
            if isinstance(statement, cst.Import):
                replaced = self._import(statement)
            elif isinstance(statement, cst.ImportFrom):
                replaced, extra = self._import_from(statement)
                after += extra
            else:
                replaced = statement
            if replaced is not None:
                body.append(replaced)
        if body == list(updated.body) and not after:
            return updated
        lines: list[cst.SimpleStatementLine] = []
        if body:
            if len(body) < len(updated.body):  # the last one may have been removed
                body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            lines.append(updated.with_changes(body=body))
        for text in after:
            lines.append(_line(text))
        if not lines:
            return cst.RemovalSentinel.REMOVE
        if not body:  # the new import takes the place, comments and blank lines of the old
            lines[0] = lines[0].with_changes(
                leading_lines=updated.leading_lines,
                trailing_whitespace=updated.trailing_whitespace,
            )
        return cst.FlattenSentinel(lines)

    def _moved_module(self, dotted: str) -> tuple[str, Rename] | None:
        for prefix, rule in self.rules.renames.items():
            if rule.module and (dotted == prefix or dotted.startswith(f"{prefix}.")):
                return rule.new + dotted[len(prefix) :], rule
        return None

    def _import(self, statement: cst.Import) -> cst.Import:
        names = []
        for alias in statement.names:
            moved = self._moved_module(name_of(alias.name))
            if moved is None:
                names.append(alias)
                continue
            line, column = self.uses.positions[id(alias)]
            self.uses.rewrites.append(
                Rewrite(line, column, moved[1].declaration, f"import {moved[0]}")
            )
            names.append(alias.with_changes(name=dotted(moved[0])))
        if all(new is old for new, old in zip(names, statement.names, strict=True)):
            return statement
        return statement.with_changes(names=names)

    def _import_from(self, statement: cst.ImportFrom) -> tuple[cst.ImportFrom | None, list[str]]:
        bindings = self.by_statement.get(id(statement), [])
        line, column = self.uses.positions.get(id(statement), (0, 0))
        if statement.module is not None and not statement.relative:
            moved = self._moved_module(name_of(statement.module))
            if moved is not None:
                self.uses.rewrites.append(
                    Rewrite(line, column, moved[1].declaration, f"from {moved[0]} import")
                )
                statement = statement.with_changes(module=dotted(moved[0]))
        if not bindings or isinstance(statement.names, cst.ImportStar):
            return statement, []
        module = name_of(statement.module) if statement.module else ""
        by_alias = {id(binding.alias): binding for binding in bindings}
        names: list[cst.ImportAlias] = []
        extra: list[str] = []
        for alias in statement.names:
            binding = by_alias.get(id(alias))
            if binding is None:
                names.append(alias)
                continue
            rule = binding.rule
            new_module, _, new_name = rule.new.rpartition(".")
            keeps_alias = alias.asname is not None and rule.call is None
            local = name_of(alias.asname.name if alias.asname else alias.name)
            if local in self.uses.exported and not keeps_alias and local != new_name:
                # Others import it from here by its old name: both stay, a person decides.
                binding.kept = True
                self.uses.manual.setdefault(
                    (line, column, rule.declaration),
                    ManualSite(
                        line,
                        column,
                        rule.declaration,
                        f"{local!r} is in __all__: export {new_name!r} too, or instead",
                    ),
                )
            if keeps_alias:
                replacement = alias.with_changes(name=cst.Name(new_name))  # the alias is kept
            elif binding.kept and binding.uses == 0:
                names.append(alias)  # no use was rewritten: nothing new to import
                continue
            else:
                if binding.kept:  # some use still needs it
                    names.append(alias.with_changes(comma=_COMMA))
                replacement = cst.ImportAlias(name=cst.Name(new_name), comma=alias.comma)
            self.uses.rewrites.append(
                Rewrite(line, column, rule.declaration, f"import {new_name} from {new_module}")
            )
            if new_module != module:
                asname = (
                    ""
                    if replacement.asname is None
                    else (f" as {name_of(replacement.asname.name)}")
                )
                extra.append(f"from {new_module} import {new_name}{asname}")
            elif replacement.asname is not None or not any(
                name_of(other.name) == new_name and other.asname is None
                for other in statement.names
            ):  # in place, unless the statement imports the new name already
                names.append(replacement)
        if not names:
            return None, extra
        names = [
            name if isinstance(name.comma, cst.Comma) else name.with_changes(comma=_COMMA)
            for name in names
        ]
        last = statement.names[-1] if isinstance(statement.names, Sequence) else None
        trailing = last.comma if last is not None and statement.rpar is not None else None
        names[-1] = names[-1].with_changes(
            comma=trailing if isinstance(trailing, cst.Comma) else cst.MaybeSentinel.DEFAULT
        )
        return statement.with_changes(names=names), extra


_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _line(text: str) -> cst.SimpleStatementLine:
    statement = cst.parse_statement(text + "\n")
    assert isinstance(statement, cst.SimpleStatementLine)
    return statement


def add_modules(module: cst.Module, uses: Uses) -> cst.Module:
    """``import M`` for each module a rewritten attribute now reads through, unless imported:
    after the module's last top-level import, or its docstring."""
    imported = set(uses.imported_modules)
    for path, rule in uses.rules.renames.items():
        if rule.module:
            imported |= {
                rule.new + name[len(path) :]
                for name in uses.imported_modules
                if name == path or name.startswith(f"{path}.")
            }
    missing = sorted(uses.needed_modules - imported)
    if not missing:
        return module
    body = list(module.body)
    at = 0
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
        ):
            at = index + 1
    if at == 0 and body and _is_docstring(body[0]):
        at = 1
    new = [cst.parse_statement(f"import {name}\n") for name in missing]
    return module.with_changes(body=[*body[:at], *new, *body[at:]])


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )

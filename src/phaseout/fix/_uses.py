"""The first pass of a module's rewrite: every use of an old spelling (a name, an attribute,
a call's arguments) rewritten or reported, with libcst's scope analysis; what each import
binding still needs is noted for the second pass (``_imports``)."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Collection, Mapping, Sequence

import libcst as cst
from libcst.metadata import PositionProvider, QualifiedName, QualifiedNameSource, ScopeProvider

from ._calls import Manual, apply_parameter_rule, remap
from ._rules import ParameterRule, Rename, Rules

__all__ = ["Binding", "ManualSite", "Rewrite", "Uses", "dotted", "name_of"]


@dataclasses.dataclass(frozen=True)
class Rewrite:
    """One use rewritten: where (1-based line and column of the original source), which
    declaration, what changed, and whether a usage log pointed at it."""

    line: int
    column: int
    declaration: str
    change: str
    from_usage: bool = False


@dataclasses.dataclass(frozen=True)
class ManualSite:
    """One use left for a person: where, which declaration, and why."""

    line: int
    column: int
    declaration: str
    reason: str


def dotted(expression: str) -> cst.BaseExpression:
    return cst.parse_expression(expression)


@dataclasses.dataclass
class Binding:
    """A name bound by a ``from M import name [as alias]`` of an old spelling."""

    statement: cst.ImportFrom
    alias: cst.ImportAlias
    rule: Rename
    uses: int = 0  # uses rewritten by renaming the local name
    kept: bool = False  # a use that still needs the old binding


class Uses(cst.CSTTransformer):
    # Qualified names are asked of the scope for the few nodes that need them: libcst's
    # QualifiedNameProvider would walk the whole tree once more to offer them for every node.
    METADATA_DEPENDENCIES = (ScopeProvider, PositionProvider)

    def __init__(self, rules: Rules, usage: Mapping[int, frozenset[str]]) -> None:
        super().__init__()
        self.rules = rules
        self.usage = usage
        self.rewrites: list[Rewrite] = []
        self.manual: dict[tuple[int, int, str], ManualSite] = {}
        self.bindings: dict[tuple[int, str], Binding] = {}  # by (id of scope, local name)
        self.needed_modules: set[str] = set()  # `import M` a rewritten attribute relies on
        self.imported_modules: set[str] = set()
        self.star_words: dict[str, str] = {}  # a name a star import may bring: declaration
        self.call_funcs: set[int] = set()
        self.not_loads: set[int] = set()  # names that read no variable: `x.name`, `f(name=1)`
        self.made_by: dict[int, cst.BaseExpression] = {}  # name assigned a call: its callee
        self.exported: set[str] = set()  # the module's __all__
        # Where each import statement (and alias of an `import`) is, for the second pass:
        # it sees them after the metadata is gone.
        self.positions: dict[int, tuple[int, int]] = {}

    # -- where, and what was done -------------------------------------------------------

    def _where(self, node: cst.CSTNode) -> tuple[int, int]:
        start = self.get_metadata(PositionProvider, node).start
        return start.line, start.column + 1

    def _done(
        self, node: cst.CSTNode, declaration: str, change: str, *, usage: bool = False
    ) -> None:
        line, column = self._where(node)
        self.rewrites.append(Rewrite(line, column, declaration, change, usage))

    def _leave_manual(self, node: cst.CSTNode, declaration: str, reason: str) -> None:
        line, column = self._where(node)
        self.manual.setdefault(
            (line, column, declaration), ManualSite(line, column, declaration, reason)
        )

    def _renamed(self, node: cst.CSTNode, path: str) -> Rename | None:
        """The rename of *path* to apply at *node*; None if there is none, or if a person
        must do it (then reported)."""
        rule = self.rules.renames.get(path)
        if rule is not None and rule.manual is not None:
            self._leave_manual(node, rule.declaration, rule.manual)
            return None
        return rule

    def _qnames(self, node: cst.CSTNode) -> Collection[QualifiedName]:
        """What *node* may name, as libcst's QualifiedNameProvider says (its very call)."""
        scope = self.get_metadata(ScopeProvider, node, None)
        return set() if scope is None else scope.get_qualified_names_for(node)

    def _qualified(self, node: cst.CSTNode) -> str | None:
        return _imported(self._qnames(node))

    def _ambiguous(self, names: Collection[QualifiedName]) -> str | None:
        """A declaration a node may name among other things (a name assigned twice)."""
        if len(names) < 2:
            return None
        for name in names:
            rule = self.rules.renames.get(name.name)
            if rule is not None:
                return rule.declaration
            for parameter_rule in self.rules.parameters.get(name.name, ()):
                return parameter_rule.declaration
        return None

    # -- imports: noted here, rewritten by the second pass -------------------------------

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            self.imported_modules.add(name_of(alias.name))
            self.positions[id(alias)] = self._where(alias)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if node.relative or node.module is None:
            return False
        self.positions[id(node)] = self._where(node)
        module = name_of(node.module)
        if isinstance(node.names, cst.ImportStar):
            for path, rule in self.rules.renames.items():
                parent, _, word = path.rpartition(".")
                if parent == module:
                    self.star_words[word] = rule.declaration
            for path, rules in self.rules.parameters.items():
                parent, _, word = path.rpartition(".")
                if parent == module:
                    self.star_words[word] = rules[0].declaration
            return False
        scope = self.get_metadata(ScopeProvider, node, None)
        for alias in node.names:
            name = name_of(alias.name)
            found = self.rules.renames.get(f"{module}.{name}")
            if found is None or found.manual is not None or scope is None:
                continue
            local = name if alias.asname is None else name_of(alias.asname.name)
            self.bindings[(id(scope), local)] = Binding(node, alias, found)
        return False

    def _binding(self, node: cst.Name) -> Binding | None:
        """The from-import binding *node* reads, in its scope or an enclosing one."""
        scope = self.get_metadata(ScopeProvider, node, None)
        while scope is not None:
            binding = self.bindings.get((id(scope), node.value))
            if binding is not None:
                return binding
            if scope.parent is scope:
                return None
            scope = scope.parent
        return None

    def _new_local(self, node: cst.Name, rule: Rename, binding: Binding) -> str | None:
        """The name *node* takes for *rule*'s new path; None (reported, and the old import
        kept) when the module already binds that name to something else."""
        new_local = rule.new.rpartition(".")[2]
        if new_local != node.value and self._taken(node, new_local, _module_part(rule)):
            binding.kept = True
            self._leave_manual(
                node, rule.declaration, f"{new_local!r} already names something else here"
            )
            return None
        return new_local

    def _taken(self, node: cst.Name, name: str, module: str) -> bool:
        """*name* is bound at module level to something other than an import from *module*."""
        scope = self.get_metadata(ScopeProvider, node, None)
        if scope is None:
            return False
        for assignment in scope.globals.assignments[name]:
            statement = getattr(assignment, "node", None)
            if not (
                isinstance(statement, cst.ImportFrom)
                and statement.module is not None
                and name_of(statement.module) == module
            ):
                return True
        return False

    # -- names and attributes ----------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        self.call_funcs.add(id(node.func))
        for arg in node.args:
            if arg.keyword is not None:
                self.not_loads.add(id(arg.keyword))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.not_loads.add(id(node.attr))

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        names = self._qnames(original)  # asked once: every name of the module comes here
        qualified = _imported(names)
        if qualified is None:
            word = self.star_words.get(original.value)
            if word is not None and id(original) not in self.not_loads and not names:
                self._leave_manual(original, word, "may come from a star import: name it")
            declaration = self._ambiguous(names)
            if declaration is not None:
                self._leave_manual(original, declaration, "the name may be bound to several things")
            return updated
        rule = self._renamed(original, qualified)
        if rule is None:
            return updated
        binding = self._binding(original)
        if binding is None or binding.rule is not rule:
            return updated  # bound by `import x.y as name`: that import is rewritten
        if rule.call is not None:
            if id(original) not in self.call_funcs:
                binding.kept = True
                self._leave_manual(
                    original, rule.declaration, "used without a call, and its arguments change"
                )
            return updated  # a call: leave_Call renames it with its arguments
        if binding.alias.asname is not None:
            return updated  # the import keeps its alias; only the import changes
        new_local = self._new_local(original, rule, binding)
        if new_local is None:
            return updated
        binding.uses += 1
        self._done(original, rule.declaration, f"{original.value} -> {rule.new}")
        return updated.with_changes(value=new_local)

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        qualified = self._qualified(original)
        rule = None if qualified is None else self._renamed(original, qualified)
        if rule is None:
            return updated
        if rule.call is not None:
            if id(original) not in self.call_funcs:
                self._leave_manual(
                    original, rule.declaration, "used without a call, and its arguments change"
                )
            return updated  # leave_Call renames it with its arguments
        self._done(original, rule.declaration, f"{qualified} -> {rule.new}")
        return self._spelled(original, updated, rule)

    def _spelled(
        self, original: cst.Attribute, updated: cst.Attribute, rule: Rename
    ) -> cst.BaseExpression:
        """The expression naming *rule*'s new path, starting from what *original* starts
        from where the new path shares it (``m.old`` -> ``m.new``)."""
        if not rule.new_module:  # an attribute of a class renamed
            return updated.with_changes(attr=updated.attr.with_changes(value=rule.new))
        base = self._qualified(original.value)
        if base is not None and rule.new.startswith(f"{base}."):
            tail = rule.new[len(base) + 1 :].split(".")
            expression: cst.BaseExpression = updated.value
            for part in tail[:-1]:
                expression = cst.Attribute(value=expression, attr=cst.Name(part))
            if rule.new_module != base and not rule.module:
                self.needed_modules.add(rule.new_module)
            elif rule.module and "." in rule.new[len(base) + 1 :]:
                self.needed_modules.add(rule.new.rpartition(".")[0])
            return updated.with_changes(
                value=expression, attr=updated.attr.with_changes(value=tail[-1])
            )
        self.needed_modules.add(rule.new if rule.module else rule.new_module)
        return dotted(rule.new)

    # -- calls ---------------------------------------------------------------------------

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = original.func
        qualified = self._qualified(func)
        args = list(updated.args)
        if isinstance(func, cst.Name) and func.value == "getattr":
            names = self._qnames(func)
            if {name.name for name in names} == {"builtins.getattr"}:
                self._dynamic(original)
            return updated
        if qualified is not None:
            rules = [r for r in self.rules.parameters.get(qualified, ()) if not r.method]
            changed = self._parameters(original, args, rules)
            if changed is not None:
                args = changed
            rule = self.rules.renames.get(qualified)
            if rule is not None and rule.call is not None and rule.manual is None:
                return self._forwarded(original, updated, args, rule)
            return updated.with_changes(args=args) if changed is not None else updated
        if isinstance(func, cst.Attribute):
            receiver = self._receiver_class(func.value)
            if receiver is not None:
                return self._known_method(original, updated, f"{receiver}.{func.attr.value}", args)
            return self._method(original, updated, func.attr.value, args)
        return updated

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return
        target = node.targets[0].target
        if isinstance(node.value, cst.Call):
            self.made_by[id(target)] = node.value.func
        elif target.value == "__all__" and isinstance(node.value, (cst.List, cst.Tuple)):
            self.exported |= {
                element.value.evaluated_value
                for element in node.value.elements
                if isinstance(element.value, cst.SimpleString)
                and isinstance(element.value.evaluated_value, str)
            }

    def _receiver_class(self, receiver: cst.BaseExpression) -> str | None:
        """The class of *receiver* when it is a name assigned once in its scope, from a call
        of a class of the package (``store = mylib.Store()``), or a parameter annotated with
        the class (``def handle(store: mylib.Store)``, or ``Store | None``: a call on None
        fails whatever it is named)."""
        if not isinstance(receiver, cst.Name):
            return None
        scope = self.get_metadata(ScopeProvider, receiver, None)
        if scope is None:
            return None
        assignments = list(scope.assignments[receiver.value])
        if len(assignments) != 1:
            return None
        node = getattr(assignments[0], "node", None)
        if isinstance(node, cst.Param):
            annotation = node.annotation
            return None if annotation is None else self._annotated(annotation.annotation)
        func = self.made_by.get(id(node))
        return None if func is None else self._qualified(func)

    def _annotated(self, annotation: cst.BaseExpression) -> str | None:
        """The class an annotation names: ``C``, ``C | None``, ``None | C``, ``Optional[C]``."""
        if isinstance(annotation, cst.BinaryOperation) and isinstance(
            annotation.operator, cst.BitOr
        ):
            sides = [annotation.left, annotation.right]
            rest = [side for side in sides if not _is_none(side)]
            return self._qualified(rest[0]) if len(rest) == 1 else None
        if isinstance(annotation, cst.Subscript) and len(annotation.slice) == 1:
            element = annotation.slice[0].slice
            optional = {name.name for name in self._qnames(annotation.value)}
            if optional & {"typing.Optional", "typing_extensions.Optional"} and isinstance(
                element, cst.Index
            ):
                return self._qualified(element.value)
            return None
        return self._qualified(annotation)

    def _known_method(
        self, original: cst.Call, updated: cst.Call, path: str, args: list[cst.Arg]
    ) -> cst.BaseExpression:
        """``x.name(...)`` where *x* is known to be an instance of the class of *path*."""
        changed = self._parameters(original, args, self.rules.parameters.get(path, ()))
        if changed is not None:
            updated = updated.with_changes(args=changed)
        rule = self._renamed(original, path)
        if rule is None:
            return updated
        return self._method_renamed(original, updated, rule)

    def _method_renamed(
        self, original: cst.Call, updated: cst.Call, rule: Rename, *, usage: bool = False
    ) -> cst.Call:
        """``x.old(...)`` as ``x.new(...)``."""
        func = updated.func
        assert isinstance(func, cst.Attribute)
        self._done(
            original, rule.declaration, f".{func.attr.value}() -> .{rule.new}()", usage=usage
        )
        return updated.with_changes(
            func=func.with_changes(attr=func.attr.with_changes(value=rule.new))
        )

    def _parameters(
        self,
        original: cst.Call,
        args: list[cst.Arg],
        rules: Sequence[ParameterRule],
        *,
        usage: bool = False,
    ) -> list[cst.Arg] | None:
        changed = None
        for rule in rules:
            try:
                done = apply_parameter_rule(
                    args,
                    rule,
                    accept_new_defaults=self.rules.accept_new_defaults,
                    gap=original.whitespace_before_args,
                )
            except Manual as why:
                self._leave_manual(original, rule.declaration, str(why))
                continue
            if done is not None:
                args, what = done
                changed = args
                self._done(original, rule.declaration, what, usage=usage)
        return changed

    def _forwarded(
        self, original: cst.Call, updated: cst.Call, args: list[cst.Arg], rule: Rename
    ) -> cst.BaseExpression:
        assert rule.call is not None
        try:
            new_args = remap(args, rule.call, rule.old, rule.new)
        except Manual as error:
            self._leave_manual(original, rule.declaration, str(error))
            self._keep(original.func)
            return updated.with_changes(args=args)
        func = original.func
        if isinstance(func, cst.Name):
            binding = self._binding(func)
            if binding is None:
                self._leave_manual(
                    original, rule.declaration, "bound where its import cannot be rewritten"
                )
                return updated.with_changes(args=args)
            new_local = self._new_local(func, rule, binding)
            if new_local is None:
                return updated.with_changes(args=args)
            binding.uses += 1
            new_func: cst.BaseExpression = func.with_changes(value=new_local)
        else:
            assert isinstance(func, cst.Attribute)
            new_func = self._spelled(func, func, rule)
        self._done(original, rule.declaration, f"{rule.old}(...) -> {rule.new}(...)")
        return updated.with_changes(func=new_func, args=new_args)

    def _keep(self, func: cst.BaseExpression) -> None:
        if isinstance(func, cst.Name):
            binding = self._binding(func)
            if binding is not None:
                binding.kept = True

    def _method(
        self, original: cst.Call, updated: cst.Call, name: str, args: list[cst.Arg]
    ) -> cst.BaseExpression:
        """``x.name(...)`` on a receiver whose class is not known: rewritten where a usage
        log recorded a use of the declaration at this line, else reported if it applies."""
        rules = self.rules.attributes.get(name, ())
        if not rules:
            return updated
        span = self.get_metadata(PositionProvider, original)
        logged: frozenset[str] = frozenset().union(
            *(self.usage.get(line, ()) for line in range(span.start.line, span.end.line + 1))
        )
        for rule in rules:
            known = rule.declaration in logged
            if isinstance(rule, ParameterRule):
                if known:
                    changed = self._parameters(original, args, [rule], usage=True)
                    if changed is not None:
                        args = changed
                    continue
                try:
                    applies = apply_parameter_rule(
                        args, rule, accept_new_defaults=self.rules.accept_new_defaults
                    )
                except Manual as why:
                    applies, reason = None, str(why)
                    self._leave_manual(
                        original, rule.declaration, f"receiver's class unknown; {reason}"
                    )
                if applies is not None:
                    self._leave_manual(
                        original,
                        rule.declaration,
                        f"receiver's class unknown ({_WITH_USAGE}): {applies[1]}",
                    )
                continue
            if rule.manual is not None:
                self._leave_manual(original, rule.declaration, rule.manual)
            elif known:
                updated = self._method_renamed(original, updated, rule, usage=True)
            else:
                self._leave_manual(
                    original,
                    rule.declaration,
                    f"receiver's class unknown: .{name}() may be {rule.declaration} "
                    f"({_WITH_USAGE})",
                )
        return updated.with_changes(args=args)

    def _dynamic(self, call: cst.Call) -> None:
        if len(call.args) < 2:
            return
        base = self._qualified(call.args[0].value)
        value = call.args[1].value
        if base is None or not isinstance(value, cst.SimpleString):
            return
        try:
            word = ast.literal_eval(value.value)
        except (ValueError, SyntaxError):
            return
        rule = self.rules.renames.get(f"{base}.{word}")
        if rule is not None:
            self._leave_manual(
                call, rule.declaration, f"getattr() names {word!r}: change it by hand"
            )


_WITH_USAGE = "run with --usage to rewrite the calls a usage log saw"


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _imported(names: Collection[QualifiedName]) -> str | None:
    """The one dotted path an import gives a node, or None (unresolved, local, several)."""
    if len(names) != 1:
        return None
    (name,) = names
    return name.name if name.source is QualifiedNameSource.IMPORT else None


def _module_part(rule: Rename) -> str:
    return rule.new.rpartition(".")[0]


def name_of(node: cst.BaseExpression | cst.Name | cst.Attribute) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{name_of(node.value)}.{node.attr.value}"
    raise TypeError(f"not a dotted name: {node!r}")

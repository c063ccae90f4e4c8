"""The phaseout declarations of a snapshot, read from its source text, never imported.

An old release may not even import on today's interpreter, and importing a library runs its
code: ``phaseout check`` reads the decorator calls and declaration statements with :mod:`ast`
and keeps their literal arguments (versions, parameter names, targets).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Final, NamedTuple

__all__ = ["CheckError", "Declared", "read_declarations", "source_files"]


class CheckError(ValueError):
    """Input ``phaseout check`` cannot use: a missing git reference, a package not in a
    snapshot, a file that does not parse, a bad ``[tool.phaseout.check]``. One line."""


#: phaseout's own renamed declarations (deprecated in 0.1), as they read in older releases.
_OLD_SPELLINGS: Final = {
    "deprecated_attribute": "deprecated_module_attribute",
    "renamed_attribute": "renamed_class_attribute",
}
#: Declarations written as decorators (on a function, a method or a class).
_DECORATORS: Final = frozenset(
    {
        "changed_default",
        "deprecated",
        "deprecated_member",
        "deprecated_value",
        "keyword_only",
        "removed_parameter",
        "renamed_parameter",
    }
)
#: Declarations written as module-level statements, naming the module (``__name__``).
_STATEMENTS: Final = frozenset({"deprecated_module_attribute", "moved", "moved_module"})
#: Declarations written as the value of a class attribute.
_CLASS_VALUES: Final = frozenset({"deprecated_class_attribute", "renamed_class_attribute"})
#: A file worth parsing names one of them.
_DECLARING: Final = re.compile(
    r"\b(?:"
    + "|".join(sorted(_DECORATORS | _STATEMENTS | _CLASS_VALUES | {*_OLD_SPELLINGS}))
    + r")\b"
)
#: Declarations about parameters (the rest are about the object named by ``target``).
PARAMETER_APIS: Final = frozenset(
    {
        "changed_default",
        "deprecated_value",
        "keyword_only",
        "removed_parameter",
        "renamed_parameter",
    }
)


class Declared(NamedTuple):
    """One declaration found in a snapshot's source."""

    target: str  # the dotted path declared: mylib.core.fit, mylib.core.OLD, mylib.Color.RED
    api: str  # the phaseout function: "renamed_parameter", "deprecated", "moved", ...
    names: tuple[str, ...]  # the parameters a parameter declaration is about
    since: str | None
    removed_in: str | None  # changes_in for changed_default: the version the break is due
    new: str | None  # the new name, target or replacement, as written
    file: str  # relative to the snapshot's top folder (src/mylib/core.py)
    line: int
    text: str  # the call as written, for the report

    @property
    def symbol(self) -> str:
        """The symbol the usage logs record for this declaration (as the runtime names it)."""
        if self.api == "keyword_only":
            return f"{self.target}(*, {', '.join(self.names)})"
        if self.api in PARAMETER_APIS:
            return f"{self.target}({self.names[0]}=)"
        return self.target


def source_files(folder: Path, package: str) -> list[Path]:
    """The Python files of *package* under *folder* (a package directory or one module)."""
    directory = folder / package
    if directory.is_dir():
        return sorted(path for path in directory.rglob("*.py") if path.is_file())
    single = folder / f"{package}.py"
    return [single] if single.is_file() else []


def read_declarations(
    folder: Path,
    package: str,
    label: str,
    root: Path | None = None,
    texts: Mapping[Path, str] | None = None,
    files: list[Path] | None = None,
) -> list[Declared]:
    """Every phaseout declaration in *package*'s files under *folder*; *label* names the
    snapshot in errors (``v2.0``), files are named relative to *root* (default: *folder*);
    *texts* holds files already read (by griffe), *files* the package's files if known. Only
    a file that names a declaration is parsed."""
    found: list[Declared] = []
    for path in source_files(folder, package) if files is None else files:
        relative = path.relative_to(folder)
        shown = path.relative_to(root or folder).as_posix()
        try:
            text = texts[path] if texts is not None and path in texts else path.read_text("utf-8")
            if "phaseout" not in text or not _DECLARING.search(text):
                continue
            tree = ast.parse(text, filename=shown)
        except SyntaxError as error:
            raise CheckError(
                f"{shown} in {label} does not parse: {error.msg} (line {error.lineno})"
            ) from None
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CheckError(f"{shown} in {label} cannot be read: {error}") from None
        module = ".".join(relative.with_suffix("").parts)
        module = module.removesuffix(".__init__")
        found.extend(_Reader(module, shown, text).read(tree))
    return found


class _Reader:
    """Walks one module: imports of phaseout, then declarations by where they stand."""

    def __init__(self, module: str, file: str, text: str) -> None:
        self.module = module
        self.file = file
        self.lines = text.splitlines(keepends=True)
        self.prefixes: set[str] = set()  # `import phaseout [as po]`
        self.imported: dict[str, str] = {}  # `from phaseout import deprecated [as dep]`

    def read(self, tree: ast.Module) -> Iterator[Declared]:
        for node in _module_level(tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "phaseout":
                        self.prefixes.add(alias.asname or "phaseout")
            elif isinstance(node, ast.ImportFrom) and node.module == "phaseout":
                for alias in node.names:
                    self.imported[alias.asname or alias.name] = alias.name
        if self.prefixes or self.imported:
            yield from self._body(tree.body, self.module, in_class=False)

    def _api(self, func: ast.expr) -> str | None:
        name = None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            name = func.attr if func.value.id in self.prefixes else None
        elif isinstance(func, ast.Name):
            name = self.imported.get(func.id)
        # A release written before phaseout's own renames spells them the old way.
        return _OLD_SPELLINGS.get(name, name) if name is not None else None

    def _body(self, body: list[ast.stmt], owner: str, *, in_class: bool) -> Iterator[Declared]:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                path = f"{owner}.{node.name}"
                for decorator in node.decorator_list:
                    yield from self._decorator(decorator, path)
                if isinstance(node, ast.ClassDef):
                    yield from self._body(node.body, path, in_class=True)
            elif isinstance(node, ast.If | ast.Try):  # `if TYPE_CHECKING:`, `try: ... except`
                for block in _blocks(node):
                    yield from self._body(block, owner, in_class=in_class)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                if not in_class:
                    yield from self._statement(node.value, owner)
            elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        yield from self._assigned(node.value, f"{owner}.{target.id}", in_class)

    def _decorator(self, node: ast.expr, path: str) -> Iterator[Declared]:
        if not isinstance(node, ast.Call):
            return
        api = self._api(node.func)
        if api not in _DECORATORS:
            return
        if api == "deprecated":
            yield self._declared(node, path, api, (), _keyword(node, "replacement"))
        elif api == "deprecated_member":
            name = _positional(node, 0)
            if name is not None:
                yield self._declared(node, f"{path}.{name}", api, (), _keyword(node, "replacement"))
        elif api == "keyword_only":
            names = tuple(n for i in range(len(node.args)) if (n := _positional(node, i)))
            yield self._declared(node, path, api, names, None)
        else:
            name = _positional(node, 0)
            if name is not None:
                new = (
                    _positional(node, 1)
                    if api in ("renamed_parameter", "changed_default")
                    else None
                )
                yield self._declared(node, path, api, (name,), new)

    def _statement(self, node: ast.Call, owner: str) -> Iterator[Declared]:
        api = self._api(node.func)
        if api not in _STATEMENTS:
            return
        if api == "moved_module":
            old, new = _positional(node, 0), _positional(node, 1)
            if old is not None:
                yield self._declared(node, old, api, (), new)
            return
        module = _module_argument(node, owner)
        name = _positional(node, 1)
        if module is not None and name is not None:
            new = _positional(node, 2) if api == "moved" else _keyword(node, "replacement")
            yield self._declared(node, f"{module}.{name}", api, (), new)

    def _assigned(self, value: ast.expr, path: str, in_class: bool) -> Iterator[Declared]:
        if not isinstance(value, ast.Call):
            return
        if in_class and self._api(value.func) in _CLASS_VALUES:
            api = self._api(value.func)
            assert api is not None
            new = _positional(value, 0) if api == "renamed_class_attribute" else None
            yield self._declared(value, path, api, (), new or _keyword(value, "replacement"))
        elif isinstance(value.func, ast.Call) and self._api(value.func.func) == "deprecated":
            # old = phaseout.deprecated(since=...)(new): a callable kept under its old name
            wrapped = ast.unparse(value.args[0]) if value.args else None
            replacement = _keyword(value.func, "replacement") or wrapped
            yield self._declared(value.func, path, "deprecated", (), replacement)

    def _declared(
        self, call: ast.Call, target: str, api: str, names: tuple[str, ...], new: str | None
    ) -> Declared:
        removal = "changes_in" if api == "changed_default" else "removed_in"
        return Declared(
            target=target,
            api=api,
            names=names,
            since=_keyword(call, "since"),
            removed_in=_keyword(call, removal),
            new=new,
            file=self.file,
            line=call.lineno,
            text=self._segment(call),
        )

    def _segment(self, node: ast.expr) -> str:
        """*node*'s source as written (``ast.get_source_segment`` splits the whole file on
        every call: quadratic over a module of many declarations)."""
        end_line, end_col = node.end_lineno, node.end_col_offset
        if end_line is None or end_col is None:
            return ast.unparse(node)
        rows = [row.encode() for row in self.lines[node.lineno - 1 : end_line]]
        if len(rows) == 1:
            return rows[0][node.col_offset : end_col].decode()
        middle = b"".join(rows[1:-1])
        return (rows[0][node.col_offset :] + middle + rows[-1][:end_col]).decode()


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements run when the module is imported (into `if` and `try` blocks, not into
    functions and classes): where a module imports phaseout."""
    for node in body:
        yield node
        if isinstance(node, ast.If | ast.Try):
            for block in _blocks(node):
                yield from _module_level(block)


def _blocks(node: ast.If | ast.Try) -> Iterator[list[ast.stmt]]:
    yield node.body
    yield node.orelse
    if isinstance(node, ast.Try):
        yield node.finalbody
        for handler in node.handlers:
            yield handler.body


def _text(node: ast.expr | None) -> str | None:
    """A literal's text (strings as they are, numbers as written); None for anything computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float):
        return str(node.value)
    if node is None:
        return None
    if isinstance(node, ast.Name | ast.Attribute):  # a replacement given as an object
        return ast.unparse(node)
    return None


def _positional(call: ast.Call, index: int) -> str | None:
    return _text(call.args[index]) if index < len(call.args) else None


def _keyword(call: ast.Call, name: str) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return _text(keyword.value)
    return None


def _module_argument(call: ast.Call, owner: str) -> str | None:
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Name) and first.id == "__name__":
        return owner
    return _text(first)

"""Settings files rewritten for renamed keys (``phaseout.deprecated_settings``).

TOML through tomlkit (comments, order and spacing kept; a key may move to another table),
YAML by replacing the key where ruamel.yaml says it is (every other byte kept; a key moving
to another mapping is left for a person), INI and ``.env`` line by line. A file that cannot
be rewritten safely (it does not parse, both spellings are set, the library to read it is
missing) is reported and left as it is.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from phaseout.settings import KIND_RENAMED, KIND_RENAMED_VARIABLE, declared_settings

from ._files import FileOutcome
from ._rules import in_force
from ._uses import ManualSite, Rewrite

if TYPE_CHECKING:
    from packaging.version import Version


@dataclasses.dataclass(frozen=True)
class SettingsRules:
    """Old key → (new key, declaration) for files; old → new environment variables."""

    keys: Mapping[str, tuple[str, str]]
    variables: Mapping[str, tuple[str, str]]

    def __bool__(self) -> bool:
        return bool(self.keys or self.variables)


_KINDS: Final = {
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".ini": "ini",
    ".cfg": "ini",
    ".env": "env",
}


def settings_kind(path: str) -> str | None:
    """The format of a settings file by its name (``.env.local`` is an env file), or None."""
    name = os.path.basename(path)
    if name == ".env" or name.startswith(".env."):
        return "env"
    return _KINDS.get(os.path.splitext(name)[1].lower())


def fix_settings_file(path: str, rules: SettingsRules) -> FileOutcome:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return FileOutcome(path, error=f"cannot read: {error.strerror or error}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return FileOutcome(path, data, error="not UTF-8 text: left as it is")
    kind = settings_kind(path)
    try:
        if kind == "toml":
            new, rewrites, manual = _toml(text, rules.keys)
        elif kind == "yaml":
            new, rewrites, manual = _yaml(text, rules.keys)
        elif kind == "ini":
            new, rewrites, manual = _ini(text, rules.keys)
        else:
            new, rewrites, manual = _env(text, rules.variables)
    except _Unsafe as error:
        return FileOutcome(path, data, error=str(error))
    changed = new.encode("utf-8") if new != text else None
    return FileOutcome(path, data, changed, tuple(rewrites), tuple(manual), parsed=True)


class _Unsafe(Exception):
    """The file cannot be rewritten safely: it is left as it is, and reported."""


Outcome = tuple[str, list[Rewrite], list[ManualSite]]


def _both(old: str, new: str) -> _Unsafe:
    return _Unsafe(f"both {old!r} and {new!r} are set: keep one by hand (the file is unchanged)")


# -- TOML --------------------------------------------------------------------------------------


def _toml(text: str, keys: Mapping[str, tuple[str, str]]) -> Outcome:
    try:
        import tomlkit
        from tomlkit.exceptions import TOMLKitError
    except ImportError as error:
        raise _Unsafe("TOML files need tomlkit: pip install 'phaseout[fix]'") from error
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as error:
        raise _Unsafe(f"not valid TOML ({error}): left as it is") from error
    rewrites: list[Rewrite] = []
    for old, (new, symbol) in keys.items():
        old_path, new_path = old.split("."), new.split(".")
        parent = _toml_table(doc, old_path[:-1])
        if parent is None or old_path[-1] not in parent:
            continue
        if _toml_table(doc, new_path[:-1]) is not None and new_path[-1] in _toml_table(
            doc, new_path[:-1]
        ):
            raise _both(old, new)
        line = _toml_line(text, old_path)
        value = parent.item(old_path[-1])
        if old_path[:-1] == new_path[:-1]:
            parent._replace(old_path[-1], new_path[-1], value)  # in place, comments kept
        else:
            parent.remove(old_path[-1])
            target = doc
            for part in new_path[:-1]:
                if part not in target:
                    target[part] = tomlkit.table()
                target = target[part]
            target[new_path[-1]] = value
        rewrites.append(Rewrite(line, 1, symbol, f"{old} → {new}"))
    return doc.as_string(), rewrites, []


def _toml_table(doc: Any, path: list[str]) -> Any:
    node = doc
    for part in path:
        if not hasattr(node, "get") or part not in node:
            return None
        node = node[part]
    return node if hasattr(node, "item") else None


def _toml_line(text: str, path: list[str]) -> int:
    """The line of the key (under its table's header), for the report; 1 if not found."""
    header = ".".join(path[:-1])
    in_table = not header
    key = re.compile(rf"^\s*[\"']?{re.escape(path[-1])}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.strip("[]").strip() == header
        elif in_table and key.match(line):
            return number
    return 1


# -- YAML --------------------------------------------------------------------------------------


def _yaml(text: str, keys: Mapping[str, tuple[str, str]]) -> Outcome:
    try:
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError
    except ImportError as error:
        raise _Unsafe("YAML files need ruamel.yaml: pip install 'phaseout[fix]'") from error
    try:
        doc = YAML().load(text)
    except YAMLError as error:
        raise _Unsafe(f"not valid YAML ({error}): left as it is") from error
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, str, str]] = []  # line, column, old key, new key
    rewrites: list[Rewrite] = []
    manual: list[ManualSite] = []
    for old, (new, symbol) in keys.items():
        old_path, new_path = old.split("."), new.split(".")
        parent = _yaml_mapping(doc, old_path[:-1])
        if parent is None or old_path[-1] not in parent:
            continue
        line, column = parent.lc.key(old_path[-1])
        if old_path[:-1] != new_path[:-1]:
            manual.append(
                ManualSite(
                    line + 1,
                    column + 1,
                    symbol,
                    f"{old} → {new} moves the key to another mapping: move it by hand",
                )
            )
            continue
        if new_path[-1] in parent:
            raise _both(old, new)
        if not lines[line][column:].startswith(old_path[-1]):
            manual.append(
                ManualSite(line + 1, column + 1, symbol, f"{old} → {new}: the key is quoted")
            )
            continue
        edits.append((line, column, old_path[-1], new_path[-1]))
        rewrites.append(Rewrite(line + 1, column + 1, symbol, f"{old} → {new}"))
    for line, column, old_key, new_key in sorted(edits, reverse=True):
        source = lines[line]
        lines[line] = source[:column] + new_key + source[column + len(old_key) :]
    return "".join(lines), rewrites, manual


def _yaml_mapping(doc: Any, path: list[str]) -> Any:
    node = doc
    for part in path:
        if not hasattr(node, "lc") or not hasattr(node, "keys") or part not in node:
            return None
        node = node[part]
    return node if hasattr(node, "lc") and hasattr(node, "keys") else None


# -- INI and .env: line by line ----------------------------------------------------------------

_INI_KEY: Final = re.compile(r"^(\s*)([^=:\s\[#;][^=:]*?)(\s*[=:])")
_SECTION: Final = re.compile(r"^\s*\[([^\]]+)\]")


def _ini(text: str, keys: Mapping[str, tuple[str, str]]) -> Outcome:
    """``section.key`` is *key* in ``[section]``; a key without a dot, *key* in any section."""
    lines = text.splitlines(keepends=True)
    section = ""
    present: dict[tuple[str, str], int] = {}
    for number, line in enumerate(lines):
        header = _SECTION.match(line)
        if header:
            section = header.group(1).strip()
            continue
        match = _INI_KEY.match(line)
        if match:
            present.setdefault((section, match.group(2).strip()), number)
    rewrites: list[Rewrite] = []
    manual: list[ManualSite] = []
    for old, (new, symbol) in keys.items():
        old_section, _, old_key = old.rpartition(".")
        new_section, _, new_key = new.rpartition(".")
        for (where, key), number in sorted(present.items(), key=lambda item: item[1]):
            if key != old_key or (old_section and where != old_section):
                continue
            if new_section != old_section:
                manual.append(
                    ManualSite(number + 1, 1, symbol, f"{old} → {new} moves to another section")
                )
                continue
            if (where, new_key) in present:
                raise _both(old, new)
            match = _INI_KEY.match(lines[number])
            assert match is not None
            start, end = match.start(2), match.start(2) + len(match.group(2).rstrip())
            lines[number] = lines[number][:start] + new_key + lines[number][end:]
            rewrites.append(Rewrite(number + 1, start + 1, symbol, f"{old} → {new}"))
    return "".join(lines), rewrites, manual


_ENV_LINE: Final = re.compile(r"^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)(\s*=)")


def _env(text: str, variables: Mapping[str, tuple[str, str]]) -> Outcome:
    lines = text.splitlines(keepends=True)
    names = {m.group(2) for m in (_ENV_LINE.match(line) for line in lines) if m}
    rewrites: list[Rewrite] = []
    for number, line in enumerate(lines):
        match = _ENV_LINE.match(line)
        if match is None or match.group(2) not in variables:
            continue
        old = match.group(2)
        new, symbol = variables[old]
        if new in names:
            raise _both(old, new)
        lines[number] = line[: match.start(2)] + new + line[match.end(2) :]
        rewrites.append(Rewrite(number + 1, match.start(2) + 1, symbol, f"{old} → {new}"))
    return "".join(lines), rewrites, []


def settings_rules(package: str, to: Version | None) -> SettingsRules:
    """The renames of *package*'s settings declarations in force now, or at version *to*
    (the package is imported already: its declarations were made)."""
    keys: dict[str, tuple[str, str]] = {}
    variables: dict[str, tuple[str, str]] = {}
    top = package.replace("-", "_").partition(".")[0]
    for declared in declared_settings():
        if declared.package not in (package, top):
            continue
        for change in declared.changes:
            if change.new is None or not in_force(change.decl, to):
                continue
            if change.kind == KIND_RENAMED:
                keys[change.old] = (change.new, change.decl.symbol)
            elif change.kind == KIND_RENAMED_VARIABLE:
                variables[change.old] = (change.new, change.decl.symbol)
    return SettingsRules(keys, variables)

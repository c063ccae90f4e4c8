"""Deprecate settings: renamed and removed keys, changing defaults, environment variables.

``SETTINGS = phaseout.deprecated_settings(package="mylib", renamed={"timeout": "timeout_s"},
since="2.0", removed_in="3.0")`` declares a package's settings changes with a timeline, like
any other declaration (listed by ``phaseout audit``, ``guide`` and ``plan``; rewritten in
files by ``phaseout fix``). ``SETTINGS.read(config, source="app.toml")`` returns the mapping
with the old keys moved to the new ones (dotted keys reach into nested tables), warning once
per key per source and counting every use in the usage logs with the source as the call
site; ``SETTINGS.environ()`` does the same for ``MYLIB_*`` environment variables. See
docs/settings.md.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from . import _usage
from ._declaring import CHANGE_KEYS, Wording, declare, timeline_options
from ._exceptions import (
    DeprecatedSettingWarning,
    PendingWarning,
    RemovalWarning,
    RemovedSettingError,
    UnknownVersionError,
)
from ._hotpath import Declaration, new_warning
from ._parameter_rules import DefaultWording
from ._plan import policies_module
from .phases import Phase

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._declaring import TimelineOptions

__all__ = [
    "DeprecatedSettings",
    "SettingChange",
    "change_of",
    "declared_settings",
    "deprecated_settings",
]

KIND_RENAMED: Final = "renamed setting"
KIND_REMOVED: Final = "removed setting"
KIND_DEFAULT: Final = "setting default change"
KIND_RENAMED_VARIABLE: Final = "renamed environment variable"
KIND_REMOVED_VARIABLE: Final = "removed environment variable"

SETTINGS_KINDS: Final = frozenset(
    {KIND_RENAMED, KIND_REMOVED, KIND_DEFAULT, KIND_RENAMED_VARIABLE, KIND_REMOVED_VARIABLE}
)

ENVIRONMENT: Final = "<environment>"

_CATEGORIES: Final = {
    Phase.PENDING: PendingWarning,
    Phase.SOFT: DeprecatedSettingWarning,
    Phase.COMPAT: DeprecatedSettingWarning,
    Phase.HARD: RemovalWarning,
}

_ABSENT: Final = object()


class SettingChange:
    """One declared change: *kind*, the *old* key (or variable), the *new* one (or None), the
    default change's *old_default*/*new_default*, and its declaration."""

    __slots__ = ("decl", "kind", "new", "new_default", "old", "old_default")

    def __init__(
        self,
        kind: str,
        old: str,
        new: str | None,
        decl: Declaration,
        defaults: tuple[object, object] = (None, None),
    ) -> None:
        self.kind, self.old, self.new, self.decl = kind, old, new, decl
        self.old_default, self.new_default = defaults

    def __repr__(self) -> str:
        return f"SettingChange({self.kind!r}, {self.old!r}, {self.new!r})"


class DeprecatedSettings:
    """A package's declared settings changes (made by :func:`deprecated_settings`)."""

    def __init__(self, package: str, env_prefix: str | None, changes: list[SettingChange]) -> None:
        self.package = package
        self.env_prefix = env_prefix
        self.changes: tuple[SettingChange, ...] = tuple(changes)
        self._shown: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    @property
    def renamed(self) -> dict[str, str]:
        """Old key → new key, for the keys in settings files (what ``phaseout fix`` rewrites)."""
        return {c.old: c.new for c in self.changes if c.kind == KIND_RENAMED and c.new}

    @property
    def renamed_variables(self) -> dict[str, str]:
        """Old → new environment variable names (what ``phaseout fix`` rewrites in ``.env``)."""
        return {c.old: c.new for c in self.changes if c.kind == KIND_RENAMED_VARIABLE and c.new}

    def variable(self, key: str) -> str:
        """The environment variable of *key*: ``db.pool.size`` → ``MYLIB_DB__POOL__SIZE``."""
        return variable_name(self.env_prefix or "", key)

    def read(
        self,
        settings: Mapping[str, Any],
        *,
        source: str = "<settings>",
        lines: Mapping[str, int] | None = None,
    ) -> dict[str, Any]:
        """*settings* with every old key moved to its new one, a removed key's use warned
        about, and a default that changes filled in where the key is absent.

        The mapping is not changed: a dict is returned, in which the tables a move changed
        are copies (dicts) and the others the mapping's own.
        *source* names where it came from (a file, ``"--config"``) in warnings and in the
        usage logs; *lines* gives dotted keys' line numbers, which a ruamel.yaml mapping
        carries by itself. Raises ``ValueError`` when a key is set under both names,
        ``RemovedSettingError`` for an old key past its ``removed_in``.
        """
        if not isinstance(settings, Mapping):
            raise TypeError(
                f"{self.package} settings: read() takes a mapping (a loaded TOML, YAML, JSON "
                f"or INI file), got {type(settings).__name__}"
            )
        tree = _Tree(settings, source)
        result = tree.root
        for change in self.changes:
            if change.kind in (KIND_RENAMED_VARIABLE, KIND_REMOVED_VARIABLE):
                continue
            path = change.old.split(".")
            if change.kind == KIND_DEFAULT:
                if _get(result, path) is _ABSENT:
                    value = self._use(change, source, 0, default=True)
                    if value is not _ABSENT:
                        tree.put(path, value)
                continue
            value = _get(result, path)
            if value is _ABSENT:
                continue
            line = (lines or {}).get(change.old) or _line(settings, path)
            if change.new is not None:
                new_path = change.new.split(".")
                if _get(result, new_path) is not _ABSENT:
                    raise ValueError(
                        f"{source}: both {change.old!r} and {change.new!r} are set; "
                        f"{change.old!r} is the old name of {change.new!r}: keep only "
                        f"{change.new!r}"
                    )
                self._use(change, source, line)
                tree.move(path, new_path, value)
            else:
                self._use(change, source, line)
        return result

    def environ(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment (``os.environ`` by default) as a dict, each old variable moved to
        its new name; each use counted with ``<environment>`` as the call site."""
        env = dict(os.environ if environ is None else environ)
        for change in self.changes:
            if change.kind not in (KIND_RENAMED_VARIABLE, KIND_REMOVED_VARIABLE):
                continue
            if change.old not in env:
                continue
            if change.new is not None:
                if change.new in env:
                    raise ValueError(
                        f"both {change.old} and {change.new} are set in the environment; "
                        f"{change.old} is the old name of {change.new}: keep only {change.new}"
                    )
                self._use(change, ENVIRONMENT, 0)
                env[change.new] = env.pop(change.old)
            else:
                self._use(change, ENVIRONMENT, 0)
        return env

    def _use(self, change: SettingChange, source: str, line: int, default: bool = False) -> Any:
        """One use of *change* in *source*: counted, warned once per source, raised when
        removed; for a default change, the default that applies (or ``_ABSENT``)."""
        decl = change.decl
        plan = decl.plan()
        own, new = change.old_default, change.new_default
        if plan.silent:
            return new if default else _ABSENT  # a default that changed: silently the new one
        next(_usage.site_counter(decl, plan.phase, source, source, line))
        if plan.unknown is not None:
            raise UnknownVersionError(plan.unknown)
        if plan.removed is not None:
            raise plan.error(plan.removed, **plan.details)
        value = new if default and plan.forward else own if default else _ABSENT
        category = plan.category
        if category is None or policies_module().silenced(decl):
            return value
        key = (decl.symbol, source)
        if key in self._shown and not plan.strict:
            return value  # said once per key per source (counted above)
        where = f"{source}, line {line}" if line else source
        text = f"{plan.text} (set in {where})" if not default else f"{plan.text} (in {where})"
        warning = new_warning(category, text, plan.details, False)
        if plan.strict:
            raise warning
        with self._lock:
            first = key not in self._shown
            self._shown.add(key)
        if first:
            module = source.rsplit("/", 1)[-1]
            warnings.warn_explicit(warning, category, source, line, module=module)
        return value

    def __repr__(self) -> str:
        return f"<DeprecatedSettings of {self.package}: {len(self.changes)} changes>"


# Every DeprecatedSettings made, for `phaseout fix` (held weakly, like declarations), and
# each declaration's change, for the audit and the guide.
_DECLARED: Final[weakref.WeakSet[DeprecatedSettings]] = weakref.WeakSet()
_CHANGES: Final[weakref.WeakKeyDictionary[Declaration, SettingChange]] = weakref.WeakKeyDictionary()


def change_of(decl: Declaration) -> SettingChange | None:
    """The settings change *decl* declares, or None (not a settings declaration)."""
    return _CHANGES.get(decl)


def declared_settings(package: str | None = None) -> list[DeprecatedSettings]:
    """The settings declarations made so far (of *package*, the distribution or top-level
    module they were declared for)."""
    found = [s for s in list(_DECLARED) if package is None or s.package == package]
    return sorted(found, key=lambda s: (s.package, [c.old for c in s.changes]))


def variable_name(prefix: str, key: str) -> str:
    """``MYLIB_`` + ``db.pool.size`` → ``MYLIB_DB__POOL__SIZE`` (a dot is ``__``)."""
    return prefix + key.replace(".", "__").upper()


def _get(settings: Mapping[str, Any], path: list[str]) -> Any:
    node: Any = settings
    for part in path:
        if not (type(node) is dict or isinstance(node, Mapping)) or part not in node:
            return _ABSENT
        node = node[part]
    return node


class _Tree:
    """The mapping being read, copied on write: only the tables a move changes are copied
    (as dicts); the others are the caller's own objects, shared."""

    def __init__(self, settings: Mapping[str, Any], source: str) -> None:
        self.root: dict[str, Any] = dict(settings)
        self.own = {id(self.root)}  # the dicts made here, which may be changed
        self.source = source

    def table(self, parts: list[str], create: bool) -> dict[str, Any] | None:
        node = self.root
        for depth, part in enumerate(parts):
            child = node.get(part, _ABSENT)
            if child is _ABSENT:
                if not create:
                    return None
                child = node[part] = {}
                self.own.add(id(child))
            elif not isinstance(child, Mapping):
                where = ".".join(parts[: depth + 1])
                raise ValueError(
                    f"{self.source}: {where!r} is {child!r}, not a table, so "
                    f"{'.'.join(parts)!r} cannot be set under it"
                )
            elif id(child) not in self.own:
                child = node[part] = dict(child)
                self.own.add(id(child))
            node = child
        return node

    def move(self, old: list[str], new: list[str], value: Any) -> None:
        parents = [self.root]
        for depth in range(1, len(old)):
            table = self.table(old[:depth], create=False)
            assert table is not None  # the value was found there
            parents.append(table)
        del parents[-1][old[-1]]
        for parent, part in zip(reversed(parents[:-1]), reversed(old[:-1]), strict=True):
            if parent[part]:
                break
            del parent[part]  # a table left empty by the move goes too
        self.put(new, value)

    def put(self, path: list[str], value: Any) -> None:
        table = self.table(path[:-1], create=True)
        assert table is not None
        table[path[-1]] = value


def _line(settings: Mapping[str, Any], path: list[str]) -> int:
    """The line of a key in a mapping that knows its positions (ruamel.yaml's), or 0."""
    node: Any = settings
    for part in path[:-1]:
        node = node[part]
    positions = getattr(node, "lc", None)
    if positions is None:
        return 0
    try:
        return int(positions.key(path[-1])[0]) + 1
    except Exception:
        return 0


def _key(api: str, what: str, value: object) -> str:
    parts = value.split(".") if isinstance(value, str) else [""]
    if not all(part.strip() for part in parts):
        raise TypeError(
            f"phaseout.{api}: {what} must be a settings key (dots for nested tables, "
            f"e.g. 'db.pool.size'), got {value!r}"
        )
    return str(value)


def deprecated_settings(
    *,
    renamed: Mapping[str, str] | None = None,
    removed: Mapping[str, str] | None = None,
    changed_default: Mapping[str, tuple[object, object]] | None = None,
    changes_in: str | None = None,
    env_prefix: str | None = None,
    **timeline: Unpack[TimelineOptions],
) -> DeprecatedSettings:
    """Declare a package's settings changes, with one timeline.

    Args:
        renamed: old key → new key (``"db.pool.size": "db.pool_size"``).
        removed: key → what to do instead (the migration text of warnings and errors).
        changed_default: key → ``(old default, new default)``; the new default applies from
            ``changes_in``, and until then a configuration without the key is warned.
        changes_in: the version the defaults change in (required with *changed_default*).
        env_prefix: environment variables are declared too: ``MYLIB_`` + the key upper-cased,
            a dot as ``__`` (``timeout`` → ``MYLIB_TIMEOUT``).
        **timeline: ``since``, ``removed_in`` and the other options of
            ``@phaseout.deprecated``; ``package``, the distribution whose installed version
            sets the phase, is by default the declaring module's.

    .. versionadded:: 0.1
    """
    api = "deprecated_settings"
    module = sys._getframe(1).f_globals.get("__name__") or "__main__"
    options = timeline_options(api, timeline)
    package = timeline.get("package")
    owner = package if isinstance(package, str) else module.partition(".")[0]
    if env_prefix is not None and (not isinstance(env_prefix, str) or not env_prefix):
        raise TypeError(f"phaseout.{api}: env_prefix must be a non-empty str, got {env_prefix!r}")
    changes: list[SettingChange] = []

    def add(kind: str, old: str, new: str | None, subject: str, advice: str) -> None:
        symbol = f"{owner}: {subject}"
        replacement = None if new is None else f"{owner}: {new}"
        wording = Wording(
            f"The {owner} {subject}", advice, error=RemovedSettingError, categories=_CATEGORIES
        )
        decl = declare(symbol, kind, module, dict(options), wording, replacement)
        changes.append(SettingChange(kind, old, new, decl))

    for old_key, new_key in (renamed or {}).items():
        old, new = _key(api, "each renamed key", old_key), _key(api, "each new key", new_key)
        if old == new:
            raise ValueError(f"phaseout.{api}: cannot rename {old!r} to itself")
        add(KIND_RENAMED, old, new, f"setting {old!r}", f"Use {new!r} instead.")
        if env_prefix:
            var, new_var = variable_name(env_prefix, old), variable_name(env_prefix, new)
            add(KIND_RENAMED_VARIABLE, var, new_var, f"environment variable {var}",
                f"Use {new_var} instead.")  # fmt: skip
    for removed_key, advice in (removed or {}).items():
        old = _key(api, "each removed key", removed_key)
        if not isinstance(advice, str):
            raise TypeError(
                f"phaseout.{api}: removed[{old!r}] must be the migration text (a str), "
                f"got {advice!r}"
            )
        add(KIND_REMOVED, old, None, f"setting {old!r}", advice)
        if env_prefix:
            var = variable_name(env_prefix, old)
            add(KIND_REMOVED_VARIABLE, var, None, f"environment variable {var}", advice)
    if changed_default:
        if not isinstance(changes_in, str):
            raise TypeError(
                f"phaseout.{api}: changed_default needs changes_in, the PEP 440 version the "
                f"defaults change in, got {changes_in!r}"
            )
        given = {k: v for k, v in timeline.items() if k != "removed_in"}
        change_options = timeline_options(api, given, accepted=CHANGE_KEYS)
        change_options["removed_in"] = changes_in  # the phase words say "changes"
        for changed_key, pair in changed_default.items():
            key = _key(api, "each changed_default key", changed_key)
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise TypeError(
                    f"phaseout.{api}: changed_default[{key!r}] must be (old default, new "
                    f"default), got {pair!r}"
                )
            old_default, new_default = pair
            subject = f"the {owner} setting {key!r}"
            wording = DefaultWording(
                subject,
                f"Set {key} = {old_default!r} to keep the current behaviour, or "
                f"{key} = {new_default!r} to adopt the new one now.",
                repr(old_default),
                repr(new_default),
            )
            decl = declare(
                f"{owner}: default of setting {key!r}",
                KIND_DEFAULT,
                module,
                dict(change_options),
                wording,
            )
            changes.append(SettingChange(KIND_DEFAULT, key, None, decl, (old_default, new_default)))
    if not changes:
        raise TypeError(f"phaseout.{api}: declare at least one renamed, removed or changed key")
    declared = DeprecatedSettings(owner, env_prefix, changes)
    _DECLARED.add(declared)
    for change in changes:
        _CHANGES[change.decl] = change
    return declared

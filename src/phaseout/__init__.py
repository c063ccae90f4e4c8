"""phaseout: retire APIs safely, with phases that follow your package's installed version.

``@phaseout.deprecated(since=..., removed_in=...)`` is the front door. ``import phaseout``
imports nothing but this module: every public name is loaded from its module on first
access (PEP 562), so a library that imports phaseout in every module adds next to nothing to
its users' start-up. Declaring deprecations loads the decorator machinery; package metadata
is read on the first deprecated use, usage accounting then too, and structlog only when a
logger is configured. See ``docs/index.md`` ("Keeping import cheap").
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from ._config import reset_defaults
    from ._configure import configure
    from ._declaration import ParameterChange
    from ._flushing import flush_usage
    from ._record_shapes import Records
    from ._usage import SiteUsage, usage
    from ._versions import pretend
    from .adapters import AdapterError, LegacyAdapter, legacy, maps, renamed
    from .code_paths import CodePath, code_path
    from .decorators import deprecated
    from .dependencies import track_warnings, unwatch, watch
    from .exceptions import (
        DefaultChangeWarning,
        DeprecatedSettingWarning,
        DeprecatedWarning,
        PendingWarning,
        PhaseoutError,
        PhaseoutWarning,
        RemovalWarning,
        RemovedArgumentError,
        RemovedAttributeError,
        RemovedError,
        RemovedImportError,
        RemovedSettingError,
        RemovedValueError,
        RolloutWarning,
        SettingsWarning,
        UnknownVersionError,
        UnknownVersionWarning,
        UsageLogWarning,
    )
    from .models import deprecated_field
    from .names import (
        deprecated_attribute,
        deprecated_class_attribute,
        deprecated_member,
        deprecated_proxy,
        moved,
        moved_module,
        renamed_attribute,
    )
    from .parameters import (
        DEPRECATED,
        changed_default,
        deprecated_value,
        keyword_only,
        removed_parameter,
        renamed_parameter,
    )
    from .phases import Phase, Timeline
    from .policies import Policy, policy, silence
    from .registry import Declaration, declarations, phase_of
    from .rollout import RollbackPolicy, Rollout, RolloutStats
    from .settings import deprecated_settings
    from .version_notes import VersionNote, added, changed

__all__ = [
    "DEPRECATED",
    "AdapterError",
    "CodePath",
    "Declaration",
    "DefaultChangeWarning",
    "DeprecatedSettingWarning",
    "DeprecatedWarning",
    "LegacyAdapter",
    "ParameterChange",
    "PendingWarning",
    "Phase",
    "PhaseoutError",
    "PhaseoutWarning",
    "Policy",
    "Records",
    "RemovalWarning",
    "RemovedArgumentError",
    "RemovedAttributeError",
    "RemovedError",
    "RemovedImportError",
    "RemovedSettingError",
    "RemovedValueError",
    "RollbackPolicy",
    "Rollout",
    "RolloutStats",
    "RolloutWarning",
    "SettingsWarning",
    "SiteUsage",
    "Timeline",
    "UnknownVersionError",
    "UnknownVersionWarning",
    "UsageLogWarning",
    "VersionNote",
    "added",
    "changed",
    "changed_default",
    "code_path",
    "configure",
    "declarations",
    "deprecated",
    "deprecated_attribute",
    "deprecated_class_attribute",
    "deprecated_field",
    "deprecated_member",
    "deprecated_proxy",
    "deprecated_settings",
    "deprecated_value",
    "flush_usage",
    "keyword_only",
    "legacy",
    "maps",
    "moved",
    "moved_module",
    "phase_of",
    "policy",
    "pretend",
    "removed_parameter",
    "renamed",
    "renamed_attribute",
    "renamed_parameter",
    "reset_defaults",
    "silence",
    "track_warnings",
    "unwatch",
    "usage",
    "watch",
]

__version__ = "0.1.0"

# Where each public name lives: phaseout.<module>.<name>.
_HOMES: dict[str, str] = {
    "DEPRECATED": "parameters",
    "AdapterError": "adapters",
    "CodePath": "code_paths",
    "Declaration": "registry",
    "LegacyAdapter": "adapters",
    "ParameterChange": "_declaration",
    "Phase": "phases",
    "Policy": "policies",
    "Records": "_record_shapes",
    "RollbackPolicy": "rollout",
    "Rollout": "rollout",
    "RolloutStats": "rollout",
    "SiteUsage": "_usage",
    "Timeline": "phases",
    "VersionNote": "registry",
    "added": "version_notes",
    "changed": "version_notes",
    "changed_default": "parameters",
    "code_path": "code_paths",
    "configure": "_configure",
    "declarations": "registry",
    "deprecated": "decorators",
    "deprecated_attribute": "names",
    "deprecated_class_attribute": "names",
    "deprecated_field": "models",
    "deprecated_member": "names",
    "deprecated_proxy": "names",
    "deprecated_settings": "settings",
    "deprecated_value": "parameters",
    "flush_usage": "_flushing",
    "keyword_only": "parameters",
    "legacy": "adapters",
    "maps": "adapters",
    "moved": "names",
    "moved_module": "names",
    "phase_of": "registry",
    "policy": "policies",
    "pretend": "_versions",
    "removed_parameter": "parameters",
    "renamed": "adapters",
    "renamed_attribute": "names",
    "renamed_parameter": "parameters",
    "reset_defaults": "_config",
    "silence": "policies",
    "track_warnings": "dependencies",
    "unwatch": "dependencies",
    "usage": "_usage",
    "watch": "dependencies",
}


# Public submodules, loaded on first access too (`phaseout.processors.USAGE_PIPELINE`).
_SUBMODULES: frozenset[str] = frozenset(
    {
        "adapters",
        "code_paths",
        "decorators",
        "dependencies",
        "exceptions",
        "models",
        "names",
        "parameters",
        "phases",
        "policies",
        "processors",
        "registry",
        "report",
        "rollout",
        "settings",
        "version_notes",
    }
)


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        return __import__(f"{__name__}.{name}", fromlist=["_"])
    home = _HOMES.get(name) or ("exceptions" if name in __all__ else None)
    if home is None:
        raise AttributeError(f"module 'phaseout' has no attribute {name!r}")
    module = __import__(f"{__name__}.{home}", fromlist=[name])
    value = getattr(module, name)
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def _track_from_environment() -> None:
    # PHASEOUT_TRACK_WARNINGS: counting other libraries' warnings must start as early as
    # phaseout is imported (`os` is loaded by Python's start-up: reading it is free).
    import os

    if os.environ.get("PHASEOUT_TRACK_WARNINGS", "").strip():
        from .dependencies import _from_environment

        _from_environment()


_track_from_environment()

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
    # The public submodules (loaded on first access: see _SUBMODULES), typed as modules.
    from . import adapters as adapters
    from . import code_paths as code_paths
    from . import decorators as decorators
    from . import dependencies as dependencies
    from . import exceptions as exceptions
    from . import models as models
    from . import names as names
    from . import parameters as parameters
    from . import phases as phases
    from . import policies as policies
    from . import processors as processors
    from . import registry as registry
    from . import report as report
    from . import rollout as rollout
    from . import settings as settings
    from . import testing as testing
    from . import typing as typing
    from . import version_notes as version_notes
    from ._configure import configure, get_config
    from ._exceptions import (
        ChangedDefaultWarning,
        DeprecatedSettingWarning,
        DeprecatedWarning,
        PendingWarning,
        PhaseoutWarning,
        RemovalWarning,
        RemovedError,
    )
    from ._flushing import flush_usage
    from ._record_shapes import Records
    from ._usage import usage
    from ._versions import pretend
    from .adapters import LegacyAdapter, legacy, maps, renamed_hook
    from .code_paths import code_path
    from .decorators import deprecated
    from .dependencies import track_warnings, unwatch, watch
    from .models import deprecated_field
    from .names import (
        deprecated_class_attribute,
        deprecated_member,
        deprecated_module_attribute,
        deprecated_proxy,
        moved,
        moved_module,
        renamed_class_attribute,
    )
    from .parameters import (
        DEPRECATED,
        changed_default,
        deprecated_value,
        keyword_only,
        removed_parameter,
        renamed_parameter,
    )
    from .phases import Phase
    from .policies import policy, silence
    from .registry import declarations, phase_of
    from .settings import deprecated_settings
    from .version_notes import added, changed

    # The spellings deprecated in 0.1 (see _MOVED), typed as what they give.
    deprecated_attribute = deprecated_module_attribute
    renamed_attribute = renamed_class_attribute
    renamed = renamed_hook
    reset_defaults = testing.reset
    DefaultChangeWarning = ChangedDefaultWarning
    AdapterError = adapters.AdapterError
    CodePath = code_paths.CodePath
    Declaration = registry.Declaration
    ParameterChange = typing.ParameterChange
    Policy = policies.Policy
    RollbackPolicy = rollout.RollbackPolicy
    Rollout = rollout.Rollout
    RolloutStats = rollout.RolloutStats
    SiteUsage = typing.SiteUsage
    Timeline = phases.Timeline
    VersionNote = typing.VersionNote
    PhaseoutError = exceptions.PhaseoutError
    RemovedArgumentError = exceptions.RemovedArgumentError
    RemovedAttributeError = exceptions.RemovedAttributeError
    RemovedImportError = exceptions.RemovedImportError
    RemovedSettingError = exceptions.RemovedSettingError
    RemovedValueError = exceptions.RemovedValueError
    RolloutWarning = exceptions.RolloutWarning
    SettingsWarning = exceptions.SettingsWarning
    UnknownVersionError = exceptions.UnknownVersionError
    UnknownVersionWarning = exceptions.UnknownVersionWarning
    UsageLogWarning = exceptions.UsageLogWarning

__all__ = [
    "DEPRECATED",
    "ChangedDefaultWarning",
    "DeprecatedSettingWarning",
    "DeprecatedWarning",
    "LegacyAdapter",
    "PendingWarning",
    "Phase",
    "PhaseoutWarning",
    "Records",
    "RemovalWarning",
    "RemovedError",
    "added",
    "changed",
    "changed_default",
    "code_path",
    "configure",
    "declarations",
    "deprecated",
    "deprecated_class_attribute",
    "deprecated_field",
    "deprecated_member",
    "deprecated_module_attribute",
    "deprecated_proxy",
    "deprecated_settings",
    "deprecated_value",
    "flush_usage",
    "get_config",
    "keyword_only",
    "legacy",
    "maps",
    "moved",
    "moved_module",
    "phase_of",
    "policy",
    "pretend",
    "removed_parameter",
    "renamed_class_attribute",
    "renamed_hook",
    "renamed_parameter",
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
    "LegacyAdapter": "adapters",
    "Phase": "phases",
    "Records": "_record_shapes",
    "added": "version_notes",
    "changed": "version_notes",
    "changed_default": "parameters",
    "code_path": "code_paths",
    "configure": "_configure",
    "declarations": "registry",
    "deprecated": "decorators",
    "deprecated_class_attribute": "names",
    "deprecated_field": "models",
    "deprecated_member": "names",
    "deprecated_module_attribute": "names",
    "deprecated_proxy": "names",
    "deprecated_settings": "settings",
    "deprecated_value": "parameters",
    "flush_usage": "_flushing",
    "get_config": "_configure",
    "keyword_only": "parameters",
    "legacy": "adapters",
    "maps": "adapters",
    "moved": "names",
    "moved_module": "names",
    "phase_of": "registry",
    "policy": "policies",
    "pretend": "_versions",
    "removed_parameter": "parameters",
    "renamed_class_attribute": "names",
    "renamed_hook": "adapters",
    "renamed_parameter": "parameters",
    "silence": "policies",
    "track_warnings": "dependencies",
    "unwatch": "dependencies",
    "usage": "_usage",
    "watch": "dependencies",
}

# Top-level names renamed or moved before 1.0, each deprecated with phaseout itself (see
# `_old_names`, which declares them on first use, and docs/api.md): old name -> new path.
_MOVED: dict[str, str] = {
    "deprecated_attribute": "phaseout.deprecated_module_attribute",
    "renamed_attribute": "phaseout.renamed_class_attribute",
    "renamed": "phaseout.renamed_hook",
    "reset_defaults": "phaseout.testing.reset",
    "DefaultChangeWarning": "phaseout.ChangedDefaultWarning",
    "AdapterError": "phaseout.adapters.AdapterError",
    "CodePath": "phaseout.code_paths.CodePath",
    "Declaration": "phaseout.registry.Declaration",
    "ParameterChange": "phaseout.typing.ParameterChange",
    "Policy": "phaseout.policies.Policy",
    "RollbackPolicy": "phaseout.rollout.RollbackPolicy",
    "Rollout": "phaseout.rollout.Rollout",
    "RolloutStats": "phaseout.rollout.RolloutStats",
    "SiteUsage": "phaseout.typing.SiteUsage",
    "Timeline": "phaseout.phases.Timeline",
    "VersionNote": "phaseout.typing.VersionNote",
    "PhaseoutError": "phaseout.exceptions.PhaseoutError",
    "RemovedArgumentError": "phaseout.exceptions.RemovedArgumentError",
    "RemovedAttributeError": "phaseout.exceptions.RemovedAttributeError",
    "RemovedImportError": "phaseout.exceptions.RemovedImportError",
    "RemovedSettingError": "phaseout.exceptions.RemovedSettingError",
    "RemovedValueError": "phaseout.exceptions.RemovedValueError",
    "RolloutWarning": "phaseout.exceptions.RolloutWarning",
    "SettingsWarning": "phaseout.exceptions.SettingsWarning",
    "UnknownVersionError": "phaseout.exceptions.UnknownVersionError",
    "UnknownVersionWarning": "phaseout.exceptions.UnknownVersionWarning",
    "UsageLogWarning": "phaseout.exceptions.UsageLogWarning",
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
        "testing",
        "typing",
        "version_notes",
    }
)


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        return __import__(f"{__name__}.{name}", fromlist=["_"])
    if name in _MOVED:
        # Declared on first use (declaring loads the machinery); from then on the
        # declarations serve these names, warning at the reading line (phaseout's own frames,
        # this one included, are skipped).
        __import__(f"{__name__}._old_names")
        return getattr(__import__("sys").modules[__name__], name)
    home = _HOMES.get(name) or ("_exceptions" if name in __all__ else None)
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

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
    from ._config import configure, reset_defaults
    from ._usage import SiteUsage, flush_usage, usage
    from ._versions import pretend
    from .adapters import AdapterError, LegacyAdapter, legacy, maps, renamed
    from .decorators import deprecated
    from .exceptions import (
        DeprecatedWarning,
        PendingWarning,
        PhaseoutError,
        PhaseoutWarning,
        RemovalWarning,
        RemovedError,
        RolloutWarning,
        SettingsWarning,
        UnknownVersionError,
        UnknownVersionWarning,
        UsageLogWarning,
    )
    from .phases import Phase, Timeline
    from .registry import Declaration, declarations, phase_of
    from .rollout import RollbackPolicy, Rollout, RolloutStats

__all__ = [
    "AdapterError",
    "Declaration",
    "DeprecatedWarning",
    "LegacyAdapter",
    "PendingWarning",
    "Phase",
    "PhaseoutError",
    "PhaseoutWarning",
    "RemovalWarning",
    "RemovedError",
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
    "configure",
    "declarations",
    "deprecated",
    "flush_usage",
    "legacy",
    "maps",
    "phase_of",
    "pretend",
    "renamed",
    "reset_defaults",
    "usage",
]

__version__ = "0.1.0"

# Where each public name lives: phaseout.<module>.<name>.
_HOMES: dict[str, str] = {
    "AdapterError": "adapters",
    "Declaration": "registry",
    "LegacyAdapter": "adapters",
    "Phase": "phases",
    "RollbackPolicy": "rollout",
    "Rollout": "rollout",
    "RolloutStats": "rollout",
    "SiteUsage": "_usage",
    "Timeline": "phases",
    "configure": "_config",
    "declarations": "registry",
    "deprecated": "decorators",
    "flush_usage": "_usage",
    "legacy": "adapters",
    "maps": "adapters",
    "phase_of": "registry",
    "pretend": "_versions",
    "renamed": "adapters",
    "reset_defaults": "_config",
    "usage": "_usage",
}


# Public submodules, loaded on first access too (`phaseout.processors.USAGE_PIPELINE`).
_SUBMODULES: frozenset[str] = frozenset(
    {
        "adapters",
        "decorators",
        "exceptions",
        "phases",
        "processors",
        "registry",
        "report",
        "rollout",
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

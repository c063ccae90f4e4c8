"""One private configuration object, read from the environment once, changed by ``configure()``.

Every change calls the registered listeners, which drop the per-declaration caches that were
computed under the old settings: the call path never re-reads configuration.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Mapping
from typing import Final, Literal

from packaging.version import InvalidVersion, Version

Strict = Literal["off", "hard", "all"]
_STRICT_VALUES: Final = ("off", "hard", "all")

STRICT_ENV: Final = "PHASEOUT_STRICT"
PRETEND_ENV: Final = "PHASEOUT_PRETEND"
_SEPARATORS: Final = re.compile(r"[-_.]+")


def normalize_name(name: str) -> str:
    """PEP 503 normalization, so ``My_Lib`` and ``my-lib`` name the same package."""
    return _SEPARATORS.sub("-", name).lower()


def parse_strict(value: object, source: str) -> Strict:
    if value is None or value == "":
        return "off"
    if value in _STRICT_VALUES:
        return value
    raise ValueError(f"{source} must be one of 'off', 'hard', 'all', got {value!r}")


def parse_pretend(text: str, source: str) -> dict[str, Version]:
    """Parse ``"mylib==3.0,otherlib==1.2"`` into normalized names and versions."""
    versions: dict[str, Version] = {}
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        name, sep, version = item.partition("==")
        if not sep or not name.strip() or not version.strip():
            raise ValueError(
                f"{source} must be a comma-separated list of name==version, got {item!r}"
            )
        try:
            versions[normalize_name(name.strip())] = Version(version.strip())
        except InvalidVersion:
            raise ValueError(
                f"{source}: the version of {name.strip()!r} must be a PEP 440 version, "
                f"got {version.strip()!r}"
            ) from None
    return versions


class _Config:
    """Settings in force. Read the environment lazily: importing phaseout stays cheap."""

    __slots__ = ("_listeners", "_lock", "loaded", "pretend_env", "strict")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []
        self.loaded = False
        self.strict: Strict = "off"
        self.pretend_env: Mapping[str, Version] = {}

    def load(self) -> _Config:
        """Read the environment on first use; later calls return at once."""
        if not self.loaded:
            with self._lock:
                if not self.loaded:
                    self.strict = parse_strict(os.environ.get(STRICT_ENV), STRICT_ENV)
                    self.pretend_env = parse_pretend(os.environ.get(PRETEND_ENV, ""), PRETEND_ENV)
                    self.loaded = True
        return self

    def add_listener(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def changed(self) -> None:
        for listener in self._listeners:
            listener()


CONFIG: Final = _Config()

_UNSET: Final = object()


def configure(*, strict: object = _UNSET) -> None:
    """Change phaseout's settings for this process.

    ``strict``: ``"hard"`` raises HARD-phase warnings as exceptions instead of emitting
    them; ``"all"`` does the same for SOFT and COMPAT; ``"off"`` (or ``None``) emits them.
    Defaults to the ``PHASEOUT_STRICT`` environment variable.
    """
    config = CONFIG.load()
    if strict is not _UNSET:
        config.strict = parse_strict(strict, "strict")
    config.changed()


def reset_defaults() -> None:
    """Forget ``configure()`` calls and re-read the environment on next use."""
    CONFIG.loaded = False
    CONFIG.changed()

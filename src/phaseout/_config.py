"""One private configuration object, read from the environment once, changed by ``configure()``.

Every change calls the registered listeners, which drop the per-declaration caches that were
computed under the old settings: the call path never re-reads configuration.
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Literal, NamedTuple, TextIO

from packaging.version import Version

from ._dates import as_point, parse_date
from ._resets import on_reset

Strict = Literal["off", "hard", "all"]
_STRICT_VALUES: Final = ("off", "hard", "all")

STRICT_ENV: Final = "PHASEOUT_STRICT"
PRETEND_ENV: Final = "PHASEOUT_PRETEND"
USAGE_LOG_ENV: Final = "PHASEOUT_USAGE_LOG"
FLUSH_INTERVAL_ENV: Final = "PHASEOUT_FLUSH_INTERVAL"
SILENCE_ENV: Final = "PHASEOUT_SILENCE"
OTEL_ENV: Final = "PHASEOUT_OTEL"  # "1": report to OpenTelemetry's global meter provider
OTEL_ATTRIBUTES_ENV: Final = "PHASEOUT_OTEL_ATTRIBUTES"
DEFAULT_FLUSH_INTERVAL: Final = 60.0
MIN_FLUSH_INTERVAL: Final = 0.001
MAX_FLUSH_INTERVAL: Final = 86_400.0
_SEPARATORS: Final = re.compile(r"[-_.]+")


def normalize_name(name: str) -> str:
    """PEP 503 normalization, so ``My_Lib`` and ``my-lib`` name the same package."""
    return _SEPARATORS.sub("-", name).lower()


def parse_strict(value: object, source: str) -> Strict:
    """``off``, ``hard`` or ``all``, in any case and with surrounding blanks (``Hard``)."""
    if value is None:
        return "off"
    if isinstance(value, str):
        word = value.strip().lower()
        if word == "":
            return "off"
        if word in _STRICT_VALUES:
            return word  # type: ignore[return-value]
    raise ValueError(f"{source} must be one of 'off', 'hard', 'all', got {value!r}")


OTEL_ATTRIBUTES: Final = ("symbol", "package", "phase", "caller", "file", "line")
DEFAULT_ATTRIBUTES: Final = ("symbol", "package", "phase")


def parse_attributes(value: object, source: str) -> tuple[str, ...]:
    """The attributes of ``phaseout.deprecated.uses``: ``"symbol,caller"`` or an iterable."""
    if value is None or value == "":
        return DEFAULT_ATTRIBUTES
    names: list[object] = (
        [n.strip() for n in value.split(",")] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    )
    for name in names:
        if name not in OTEL_ATTRIBUTES:
            raise ValueError(
                f"{source} must name attributes among {', '.join(OTEL_ATTRIBUTES)}, got {name!r}"
            )
    return tuple(dict.fromkeys(str(name) for name in names))


#: The key of a pretended day in ``PHASEOUT_PRETEND`` (``today==2027-07-01``).
TODAY: Final = "today"


def parse_pretend(text: str, source: str, errors: list[str] | None = None) -> dict[str, Version]:
    """Parse ``"mylib==3.0,otherlib==1.2"`` into normalized names and versions.

    ``today==2027-07-01`` pretends a day for timelines declared by date (kept under the key
    ``"today"``, as the version a dated timeline compares, see ``_dates``). A bad item raises
    ``ValueError``; with *errors*, its message is appended there instead and the other items
    are kept.
    """
    versions: dict[str, Version] = {}
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        name, sep, version = item.partition("==")
        try:
            if not sep or not name.strip() or not version.strip():
                raise ValueError(
                    f"{source} must be a comma-separated list of name==version, got {item!r}"
                )
            if normalize_name(name.strip()) == TODAY:
                versions[TODAY] = as_point(parse_date(source, "today", version.strip()))
                continue
            try:
                versions[normalize_name(name.strip())] = Version(version.strip())
            except ValueError:  # InvalidVersion, or an int over 4,300 digits
                raise ValueError(
                    f"{source}: the version of {name.strip()!r} must be a PEP 440 version, "
                    f"got {version.strip()!r}"
                ) from None
        except ValueError as error:
            if errors is None:
                raise
            errors.append(str(error))
    return versions


def parse_usage_log(value: object, source: str) -> str | TextIO | None:
    if value is None or value == "":
        return None
    if isinstance(value, (str, os.PathLike)):
        path = os.fspath(value)
        if isinstance(path, str):
            # "~/usage.jsonl" in an env file is not expanded by a shell; a later chdir
            # must not move the log.
            return os.path.abspath(os.path.expanduser(path))
    elif callable(getattr(value, "write", None)):
        return value  # type: ignore[return-value]
    raise ValueError(f"{source} must be a file path or a writable text stream, got {value!r}")


def parse_structlog_logger(value: object) -> Any:
    if value is None or callable(getattr(value, "info", None)):
        return value
    raise ValueError(f"structlog_logger must be a structlog logger (with info()), got {value!r}")


def parse_silence(value: object, source: str) -> frozenset[str]:
    """Package names whose warnings are silenced: ``"otherlib, thirdlib"`` or an iterable."""
    if value is None or value == "":
        return frozenset()
    names: list[object]
    if isinstance(value, str):
        names = [item.strip() for item in value.split(",")]
    elif isinstance(value, Iterable):
        names = list(value)
    else:
        names = [value]
    checked: list[str] = []
    for name in names:
        if not isinstance(name, str) or not _PACKAGE_NAME.match(name):
            raise ValueError(
                f"{source} must be package names separated by commas, such as "
                f"'otherlib,thirdlib', got {value!r}"
            )
        checked.append(normalize_name(name))
    return frozenset(checked)


_PACKAGE_NAME: Final = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")


def parse_flush_interval(value: object, source: str) -> float:
    if value is None or value == "":
        return DEFAULT_FLUSH_INTERVAL
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        seconds = math.nan
    # A tiny interval (1e-300) would keep the flusher thread busy; a huge one overflows
    # the thread's timed wait.
    if isinstance(value, bool) or not (MIN_FLUSH_INTERVAL <= seconds <= MAX_FLUSH_INTERVAL):
        raise ValueError(
            f"{source} must be a positive number of seconds from {MIN_FLUSH_INTERVAL:g} to "
            f"{MAX_FLUSH_INTERVAL:g}, got {value!r}"
        )
    return seconds


class _Config:
    """Settings in force. Read the environment lazily: importing phaseout stays cheap."""

    __slots__ = (
        "_listeners",
        "_load_hooks",
        "_lock",
        "flush_interval",
        "loaded",
        "otel_env",
        "pretend_env",
        "silence",
        "strict",
        "structlog_logger",
        "usage_log",
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []
        self._load_hooks: list[Callable[[], None]] = []
        self.loaded = False
        # PHASEOUT_OTEL=1: the attributes to report with, else None (see `_read_otel`).
        self.otel_env: tuple[str, ...] | None = None
        self.strict: Strict = "off"
        self.pretend_env: Mapping[str, Version] = {}
        self.usage_log: str | TextIO | None = None
        self.structlog_logger: Any = None
        self.flush_interval = DEFAULT_FLUSH_INTERVAL
        self.silence: frozenset[str] = frozenset()

    def load(self) -> _Config:
        """Read the environment on first use; later calls return at once.

        A variable with a value phaseout cannot use is reported once (a
        ``SettingsWarning`` naming it) and ignored: a typo in a deployment's environment
        must not turn every deprecated call into a crash.
        """
        if self.loaded:
            return self
        problems: list[str] = []
        read_now = False
        with self._lock:
            if not self.loaded:
                self._read_environment(problems)
                self.loaded = read_now = True
        if problems:
            from . import _notices
            from ._exceptions import SettingsWarning

            for problem in problems:
                _notices.notice(("settings", problem), problem, SettingsWarning)
        if read_now:
            for hook in self._load_hooks:
                hook()
        return self

    def _read_environment(self, problems: list[str]) -> None:
        def read(name: str, parse: Callable[[str | None, str], Any], default: Any) -> Any:
            raw = os.environ.get(name)
            try:
                return parse(raw, name)
            except ValueError as error:
                problems.append(f"{error}; the variable is ignored")
                return default

        self.strict = read(STRICT_ENV, parse_strict, "off")
        pretend_errors: list[str] = []
        self.pretend_env = parse_pretend(
            os.environ.get(PRETEND_ENV, ""), PRETEND_ENV, pretend_errors
        )
        problems += [f"{error}; that item is ignored" for error in pretend_errors]
        self.usage_log = read(USAGE_LOG_ENV, parse_usage_log, None)
        self.structlog_logger = None
        self.flush_interval = read(FLUSH_INTERVAL_ENV, parse_flush_interval, DEFAULT_FLUSH_INTERVAL)
        self.silence = read(SILENCE_ENV, parse_silence, frozenset())
        self._read_otel(problems)

    def _read_otel(self, problems: list[str]) -> None:
        """``PHASEOUT_OTEL``: recorded as a request (``otel_env``, the attributes); the
        OpenTelemetry module acts on it when it is loaded (see ``_otel``): configuration
        never imports what it configures."""
        self.otel_env = None
        switch = os.environ.get(OTEL_ENV, "").strip().lower()
        if switch in ("", "0", "false", "no", "off"):
            return
        if switch not in ("1", "true", "yes", "on"):
            problems.append(f"{OTEL_ENV} must be 1 or 0, got {switch!r}; the variable is ignored")
            return
        try:
            self.otel_env = parse_attributes(
                os.environ.get(OTEL_ATTRIBUTES_ENV), OTEL_ATTRIBUTES_ENV
            )
        except ValueError as error:
            problems.append(f"{error}; the default attributes are used")
            self.otel_env = DEFAULT_ATTRIBUTES

    def on_load(self, hook: Callable[[], None]) -> None:
        """Call *hook* after every reading of the environment (and now, if it was read):
        how a module above applies settings it owns."""
        self._load_hooks.append(hook)
        if self.loaded:
            hook()

    def add_listener(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def changed(self) -> None:
        for listener in self._listeners:
            listener()


CONFIG: Final = _Config()

UNSET: Final = object()  # an argument left out


def configure_settings(
    *,
    strict: object = UNSET,
    usage_log: object = UNSET,
    structlog_logger: object = UNSET,
    flush_interval: object = UNSET,
    silence: object = UNSET,
    pretend: object = UNSET,
) -> Callable[[], None]:
    """Check the settings ``phaseout.configure()`` passes (see ``_configure``), and return
    what applies them: a bad argument changes no setting."""
    config = CONFIG.load()
    updates: dict[str, Any] = {}
    if strict is not UNSET:
        updates["strict"] = parse_strict(strict, "strict")
    if usage_log is not UNSET:
        updates["usage_log"] = parse_usage_log(usage_log, "usage_log")
    if structlog_logger is not UNSET:
        updates["structlog_logger"] = parse_structlog_logger(structlog_logger)
    if flush_interval is not UNSET:
        updates["flush_interval"] = parse_flush_interval(flush_interval, "flush_interval")
    if silence is not UNSET:
        updates["silence"] = parse_silence(silence, "silence")
    if pretend is not UNSET:
        updates["pretend_env"] = _pretend_setting(pretend)

    def apply() -> None:
        for name, value in updates.items():
            setattr(config, name, value)
        config.changed()

    return apply


def _pretend_setting(value: object) -> dict[str, Version]:
    if value is None:
        return {}
    if isinstance(value, str):
        return parse_pretend(value, "pretend")
    if isinstance(value, Mapping):
        return parse_pretend(",".join(f"{k}=={v}" for k, v in value.items()), "pretend")
    raise TypeError(
        f"pretend must be a mapping such as {{'mylib': '3.0'}} or a string such as "
        f"'mylib==3.0', got {value!r}"
    )


class Config(NamedTuple):
    """The settings in force (``phaseout.get_config()``): a snapshot, read-only; change them
    with ``phaseout.configure()``. Each says what ``configure()`` takes under that name."""

    strict: Strict
    usage_log: str | TextIO | None
    structlog_logger: Any
    flush_interval: float
    silence: frozenset[str]
    pretend: Mapping[str, str]  # package name -> version, from configure() or PHASEOUT_PRETEND


def current() -> Config:
    """The settings in force now (reading the environment first, if not yet read)."""
    config = CONFIG.load()
    return Config(
        strict=config.strict,
        usage_log=config.usage_log,
        structlog_logger=config.structlog_logger,
        flush_interval=config.flush_interval,
        silence=config.silence,
        pretend={name: str(version) for name, version in config.pretend_env.items()},
    )


@on_reset
def _reset() -> None:
    """Forget ``configure()`` calls and re-read the environment on next use."""
    CONFIG.loaded = False
    CONFIG.changed()

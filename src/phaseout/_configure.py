"""``phaseout.configure()`` and ``phaseout.get_config()``: the public settings calls.

``configure()`` checks every argument first (a bad one changes nothing), then stores the
settings in the configuration (``_config``) and hands a meter provider to OpenTelemetry
(``_otel``). It sits above both so that the configuration never imports what it configures,
and above the parameter declarations, with which its own renamed keyword is declared.
"""

from __future__ import annotations

from ._config import (
    DEFAULT_ATTRIBUTES,
    UNSET,
    Config,
    configure_settings,
    current,
    parse_attributes,
)
from ._declaring import OWN_RENAMES
from .parameters import renamed_parameter

__all__ = ["configure", "get_config"]


def configure(
    *,
    strict: object = UNSET,
    usage_log: object = UNSET,
    structlog_logger: object = UNSET,
    flush_interval: object = UNSET,
    silence: object = UNSET,
    pretend: object = UNSET,
    meter_provider: object = UNSET,
    metric_attributes: object = UNSET,
) -> None:
    """Change phaseout's settings for this process; arguments left out keep their value.

    A bad argument raises (``ValueError`` or ``TypeError`` naming it) and changes no setting.
    ``phaseout.get_config()`` reads the settings back.

    Args:
        strict: ``"hard"`` raises HARD-phase warnings as exceptions instead of emitting them;
            ``"all"`` does the same for SOFT and COMPAT; ``"off"`` (or ``None``) emits them.
            Defaults to the ``PHASEOUT_STRICT`` environment variable.
        usage_log: A file path (JSON lines appended, safe for many processes) or an open
            text stream to write usage events to; ``None`` writes none. Defaults to the
            ``PHASEOUT_USAGE_LOG`` environment variable.
        structlog_logger: A structlog logger that receives usage events as
            ``logger.info("deprecated_call" | "deprecated_usage", **fields)``, through the
            application's own processors and renderer; ``None`` for none (the default).
        flush_interval: Seconds between writes of aggregated counts (default 60, or the
            ``PHASEOUT_FLUSH_INTERVAL`` environment variable). Counts are also written at
            exit.
        silence: Package names (an iterable, or ``"a,b"``) whose warnings are not emitted
            in this process, their uses still counted; defaults to ``PHASEOUT_SILENCE``. For
            a block of code, see ``phaseout.silence()``.
        pretend: Versions to act as installed for the whole process, as
            ``{"mylib": "3.0"}`` or ``"mylib==3.0,otherlib==2.0"`` (``None`` for none);
            defaults to ``PHASEOUT_PRETEND``. ``phaseout.pretend()`` does it for a block.
        meter_provider: An OpenTelemetry ``MeterProvider`` to report usage to, as
            observable instruments read at collection time (``None``: none);
            ``PHASEOUT_OTEL=1`` uses the global one.
        metric_attributes: The attributes of ``phaseout.deprecated.uses``, among
            ``symbol``, ``package``, ``phase`` (the default) and ``caller``, ``file``,
            ``line`` (many values: the operator's choice); defaults to
            ``PHASEOUT_OTEL_ATTRIBUTES``.

    .. versionchanged:: 0.1
       ``usage_logger`` is now ``structlog_logger``; the old keyword is deprecated.
    """
    apply = configure_settings(
        strict=strict,
        usage_log=usage_log,
        structlog_logger=structlog_logger,
        flush_interval=flush_interval,
        silence=silence,
        pretend=pretend,
    )
    if meter_provider is not UNSET or metric_attributes is not UNSET:
        from . import _otel

        attributes = (
            DEFAULT_ATTRIBUTES
            if metric_attributes is UNSET
            else parse_attributes(metric_attributes, "metric_attributes")
        )
        if (
            meter_provider is not UNSET
            and meter_provider is not None
            and not callable(getattr(meter_provider, "get_meter", None))
        ):
            raise TypeError(
                f"meter_provider must be an OpenTelemetry MeterProvider or None, got "
                f"{meter_provider!r}"
            )
        provider = meter_provider if meter_provider is not UNSET else _otel.current_provider()
        _otel.install(provider, attributes)
    apply()


configure.__module__ = "phaseout"  # as users call it, and as its declaration names it
# `usage_log` (a file) and `usage_logger` (a structlog logger) differed by two letters.
configure = renamed_parameter("usage_logger", "structlog_logger", **OWN_RENAMES)(configure)


def get_config() -> Config:
    """The settings in force, as a read-only snapshot (``phaseout.typing.Config``): what
    ``configure()`` set, else what the ``PHASEOUT_*`` environment variables say, else the
    defaults. Reading it reads the environment if nothing has yet.

    .. versionadded:: 0.1
    """
    return current()

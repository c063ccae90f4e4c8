"""``phaseout.configure()``: the public settings call.

It checks every argument first (a bad one changes nothing), then stores the settings in the
configuration (``_config``) and hands a meter provider to OpenTelemetry (``_otel``). It sits
above both so that the configuration never imports what it configures.
"""

from __future__ import annotations

from ._config import DEFAULT_ATTRIBUTES, UNSET, configure_settings, parse_attributes

__all__ = ["configure"]


def configure(
    *,
    strict: object = UNSET,
    usage_log: object = UNSET,
    usage_logger: object = UNSET,
    flush_interval: object = UNSET,
    silence: object = UNSET,
    pretend: object = UNSET,
    meter_provider: object = UNSET,
    metric_attributes: object = UNSET,
) -> None:
    """Change phaseout's settings for this process; arguments left out keep their value.

    ``strict``: ``"hard"`` raises HARD-phase warnings as exceptions instead of emitting
    them; ``"all"`` does the same for SOFT and COMPAT; ``"off"`` (or ``None``) emits them.
    Defaults to the ``PHASEOUT_STRICT`` environment variable.

    ``usage_log``: a file path (JSON lines appended, safe for many processes) or an open
    text stream to write usage events to; ``None`` writes none. Defaults to the
    ``PHASEOUT_USAGE_LOG`` environment variable.

    ``usage_logger``: a structlog logger that receives usage events as
    ``logger.info("deprecated_call" | "deprecated_usage", **fields)``, through the
    application's own processors and renderer; ``None`` for none (the default).

    ``flush_interval``: seconds between writes of aggregated counts (default 60, or the
    ``PHASEOUT_FLUSH_INTERVAL`` environment variable). Counts are also written at exit.

    ``pretend``: versions to act as installed for the whole process, as
    ``{"mylib": "3.0"}`` or ``"mylib==3.0,otherlib==2.0"`` (``None`` for none); defaults to
    ``PHASEOUT_PRETEND``. ``phaseout.pretend()`` does it for a block.

    ``meter_provider``: an OpenTelemetry ``MeterProvider`` to report usage to, as observable
    instruments read at collection time (``None``: none); ``PHASEOUT_OTEL=1`` uses the global
    one. ``metric_attributes``: the attributes of ``phaseout.deprecated.uses``, among
    ``symbol``, ``package``, ``phase`` (the default) and ``caller``, ``file``, ``line`` (many
    values: the operator's choice); defaults to ``PHASEOUT_OTEL_ATTRIBUTES``.

    ``silence``: package names (an iterable, or ``"a,b"``) whose warnings are not emitted in
    this process, their uses still counted; defaults to ``PHASEOUT_SILENCE``. For a block of
    code, see ``phaseout.silence()``.
    """
    apply = configure_settings(
        strict=strict,
        usage_log=usage_log,
        usage_logger=usage_logger,
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

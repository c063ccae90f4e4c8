"""Usage as OpenTelemetry metrics, read from phaseout's own counters when a reader collects.

The instruments are *observable* (asynchronous): a deprecated call does exactly what it did
before — one increment of its call site's counter — and the meter's reader asks for the totals
on its own schedule, in its own thread. A callback that fails reports nothing for that
collection (the SDK logs it); it never reaches the program.

- ``phaseout.deprecated.uses`` (``{use}``): uses of deprecated APIs, cumulative, per the
  attributes the operator chose (default ``symbol``, ``package``, ``phase``; ``caller``,
  ``file`` and ``line`` on request: they can be many).
- ``phaseout.rollout.calls`` (``{call}``): calls a rollout routed, per ``rollout``, ``path``
  and ``outcome``.
- ``phaseout.rollout.rolled_back`` (``1``): 1 for each rollout that is rolled back now.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

from ._config import CONFIG, OTEL_ENV
from ._resets import on_reset

__all__ = ["current_provider", "install"]


class Metrics:
    """The instruments registered with one meter provider."""

    def __init__(self, meter_provider: Any, attributes: Sequence[str]) -> None:
        # The package is imported before any of its modules: read its version, no import.
        __version__ = getattr(sys.modules.get("phaseout"), "__version__", None)
        self.provider = meter_provider  # kept: its id keys _INSTALLED
        self.attributes = tuple(attributes)
        self.enabled = True
        meter = meter_provider.get_meter("phaseout", __version__)
        meter.create_observable_counter(
            "phaseout.deprecated.uses",
            callbacks=[self._uses],
            unit="{use}",
            description="Uses of deprecated APIs (phaseout declarations), since the process "
            "started",
        )
        meter.create_observable_counter(
            "phaseout.rollout.calls",
            callbacks=[self._rollout_calls],
            unit="{call}",
            description="Calls routed by phaseout rollouts, per path and outcome",
        )
        meter.create_observable_gauge(
            "phaseout.rollout.rolled_back",
            callbacks=[self._rolled_back],
            unit="1",
            description="1 for each phaseout rollout that is rolled back",
        )

    def _uses(self, options: Any) -> Iterable[Any]:
        from opentelemetry.metrics import Observation

        from ._usage import site_records

        if not self.enabled:
            return
        totals: dict[tuple[Any, ...], int] = {}
        for record in site_records():
            key = tuple(record[name] for name in self.attributes)
            totals[key] = totals.get(key, 0) + record["count"]
        for key, total in totals.items():
            yield Observation(total, dict(zip(self.attributes, key, strict=True)))

    def _rollout_calls(self, options: Any) -> Iterable[Any]:
        from opentelemetry.metrics import Observation

        from ._usage import rollout_counts

        if not self.enabled:
            return
        for (rollout, path, outcome), total in rollout_counts().items():
            yield Observation(total, {"rollout": rollout, "path": path, "outcome": outcome})

    def _rolled_back(self, options: Any) -> Iterable[Any]:
        from opentelemetry.metrics import Observation

        rollout = sys.modules.get("phaseout.rollout")
        if rollout is None or not self.enabled:
            return
        for item in list(rollout.ROLLOUTS):
            yield Observation(int(item.rolled_back), {"rollout": item.name})


_INSTALLED: dict[int, Metrics] = {}


def install(meter_provider: Any, attributes: Sequence[str]) -> None:
    """Report to *meter_provider* (registering the instruments once per provider), and to
    no other; ``None``: to none. OpenTelemetry cannot take instruments back: the others'
    callbacks just report nothing."""
    for installed in _INSTALLED.values():
        installed.enabled = False
    if meter_provider is None:
        return
    metrics = _INSTALLED.get(id(meter_provider))
    if metrics is None:
        metrics = _INSTALLED[id(meter_provider)] = Metrics(meter_provider, attributes)
    metrics.attributes = tuple(attributes)
    metrics.enabled = True


@on_reset
def _reset() -> None:
    """Report to no provider (OpenTelemetry cannot take instruments back: their callbacks
    report nothing); ``PHASEOUT_OTEL`` is read again with the other settings."""
    for installed in _INSTALLED.values():
        installed.enabled = False


def current_provider() -> Any:
    """The provider reported to now, or None."""
    return next((m.provider for m in _INSTALLED.values() if m.enabled), None)


def global_provider() -> Any:
    """OpenTelemetry's global meter provider (a proxy until the application sets one)."""
    from opentelemetry import metrics

    return metrics.get_meter_provider()


def _from_environment() -> None:
    """``PHASEOUT_OTEL=1`` (read by the configuration): report to the global provider."""
    attributes = CONFIG.otel_env
    if attributes is None:
        return
    try:
        install(global_provider(), attributes)
    except ImportError:
        from . import _notices
        from ._exceptions import SettingsWarning

        problem = (
            f"{OTEL_ENV} is set but opentelemetry-api is not installed "
            f"(pip install 'phaseout[otel]'); no metrics are reported"
        )
        _notices.notice(("settings", problem), problem, SettingsWarning)


# Applied whenever the environment is read (now, if it was): the configuration records the
# request, and this module, loaded by what counts uses, acts on it.
CONFIG.on_load(_from_environment)

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

import phaseout
from phaseout import _usage


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("PHASEOUT_STRICT", raising=False)
    monkeypatch.delenv("PHASEOUT_PRETEND", raising=False)
    monkeypatch.delenv("PHASEOUT_USAGE_LOG", raising=False)
    monkeypatch.delenv("PHASEOUT_FLUSH_INTERVAL", raising=False)
    phaseout.reset_defaults()
    yield
    phaseout.reset_defaults()
    _usage.forget_sites()


@pytest.fixture
def quiet() -> Iterator[None]:
    """Every warning ignored, so deprecated calls take their fastest path."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield

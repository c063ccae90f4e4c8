from __future__ import annotations

from collections.abc import Iterator

import pytest

import phaseout


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("PHASEOUT_STRICT", raising=False)
    monkeypatch.delenv("PHASEOUT_PRETEND", raising=False)
    phaseout.reset_defaults()
    yield
    phaseout.reset_defaults()

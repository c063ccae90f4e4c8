from __future__ import annotations

import os
import warnings
from collections.abc import Iterator

import pytest

from phaseout import _usage
from phaseout.testing import reset

# Hermetic: whatever PHASEOUT_* variables the developer's shell (or CI, on purpose) exports,
# in any case, neither the tests, nor phaseout's threads between tests, nor the subprocesses
# tests start see them. Removed for the whole session, not per test: a flusher thread that
# reads the settings between two tests would otherwise see them restored.
for _name in list(os.environ):
    if _name.upper().startswith("PHASEOUT_"):
        del os.environ[_name]


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Workers for ``-n auto``: one per CPU, and at least four, since many tests spend their
    time waiting on subprocesses (killed migrations, type checkers, a browser, PostgreSQL)."""
    return max(4, os.cpu_count() or 1)


# PHASEOUT_TRACK_WARNINGS acts when phaseout is first imported, which the pytest plugin did
# before this file removed it: undone here.
reset()


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    reset()
    # Sinks are written on flush_usage(), in the test's thread, unless a test asks for the
    # flusher thread's prompt announcements (see `prompt_writes`).
    monkeypatch.setattr(_usage.STATE, "prompt", False)
    yield
    reset()


@pytest.fixture
def quiet() -> Iterator[None]:
    """Every warning ignored, so deprecated calls take their fastest path."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.fixture
def record() -> Iterator[list[warnings.WarningMessage]]:
    """Every warning recorded, each time it is emitted (what pytest's own recording does)."""
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        yield log


@pytest.fixture
def prompt_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The flusher thread announces new call sites at once, as in production."""
    monkeypatch.setattr(_usage.STATE, "prompt", True)

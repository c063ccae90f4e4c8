from __future__ import annotations

import copy
import pickle
import warnings

import pytest

from phaseout import (
    DeprecatedWarning,
    PendingWarning,
    Phase,
    PhaseoutError,
    PhaseoutWarning,
    RemovalWarning,
    RemovedError,
    UnknownVersionError,
)


@pytest.mark.parametrize(
    ("category", "builtin"),
    [
        (PendingWarning, PendingDeprecationWarning),
        (DeprecatedWarning, DeprecationWarning),
        (RemovalWarning, FutureWarning),
    ],
)
def test_each_warning_is_also_the_builtin_category(
    category: type[PhaseoutWarning], builtin: type[Warning]
) -> None:
    assert issubclass(category, PhaseoutWarning)
    assert issubclass(category, builtin)
    # Plain `warnings.warn(text, category)` constructs the class with one argument.
    with pytest.warns(builtin, match="^plain$") as record:
        warnings.warn("plain", category, stacklevel=1)
    assert type(record[0].message) is category
    assert record[0].message.symbol is None


def test_removed_error_is_a_runtime_error_carrying_the_details() -> None:
    error = RemovedError(
        "gone", symbol="m.f", package="m", phase=Phase.REMOVED, since="1.0", removed_in="2.0",
        replacement="m.g", guide="https://example.org/migrate",
    )  # fmt: skip
    assert isinstance(error, PhaseoutError)
    assert isinstance(error, RuntimeError)
    assert not isinstance(error, AttributeError)
    for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
        assert type(clone) is RemovedError
        assert str(clone) == "gone"
        assert (clone.symbol, clone.phase, clone.replacement) == ("m.f", Phase.REMOVED, "m.g")
        assert clone.guide == "https://example.org/migrate"


def test_warnings_pickle_with_their_details() -> None:
    warning = RemovalWarning("soon", symbol="m.f", phase=Phase.HARD, hard_in="1.9")
    clone = pickle.loads(pickle.dumps(warning))
    assert (str(clone), clone.symbol, clone.phase, clone.hard_in) == (
        "soon",
        "m.f",
        Phase.HARD,
        "1.9",
    )


def test_unknown_version_is_a_lookup_error() -> None:
    assert issubclass(UnknownVersionError, LookupError)
    assert issubclass(UnknownVersionError, PhaseoutError)

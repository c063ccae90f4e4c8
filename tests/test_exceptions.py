from __future__ import annotations

import copy
import pickle
import warnings

import pytest

import phaseout
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
from phaseout.exceptions import share_facts


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


def test_emitted_warnings_read_their_shared_facts_and_keep_them_when_pickled() -> None:
    @phaseout.deprecated(since="1.0", removed_in="2.0", current_version="1.5", guide="g")
    def shared_old() -> None:
        pass

    for _ in range(3):  # the slow path, then a remembered call site
        with pytest.warns(DeprecatedWarning) as record:
            shared_old()
        emitted = record[0].message
        assert isinstance(emitted, DeprecatedWarning)
        assert vars(emitted) == {}  # no per-warning dict: the facts are the declaration's
        assert (emitted.symbol, emitted.phase, emitted.removed_in, emitted.guide) == (
            f"{__name__}.{shared_old.__qualname__}",
            Phase.SOFT,
            "2.0",
            "g",
        )
        for clone in (pickle.loads(pickle.dumps(emitted)), copy.copy(emitted)):
            assert type(clone) is DeprecatedWarning
            assert str(clone) == str(emitted)
            assert vars(clone)["symbol"] == emitted.symbol  # carried, not looked up
            assert clone.phase is Phase.SOFT


def test_facts_are_shared_only_by_equal_facts() -> None:
    text = "po-shared-facts: same text, other facts"
    first = {"symbol": "a.f", "hard_in": None}
    assert share_facts(DeprecatedWarning, text, first)
    assert share_facts(DeprecatedWarning, text, dict(first))  # equal facts: shared
    assert not share_facts(DeprecatedWarning, text, {"symbol": "a.f", "hard_in": "1.9"})
    made = BaseException.__new__(DeprecatedWarning, text)
    assert (made.symbol, made.hard_in) == ("a.f", None)
    # The same text under another category, or another text, stands for nothing.
    assert BaseException.__new__(RemovalWarning, text).symbol is None
    assert BaseException.__new__(DeprecatedWarning, text + "!").symbol is None
    # Facts given to the constructor take precedence over shared ones.
    assert DeprecatedWarning(text, symbol="b.g").symbol == "b.g"
    assert DeprecatedWarning(text).symbol is None

from __future__ import annotations

import copy
import pickle
import warnings
from typing import Literal

import pytest

import phaseout
from phaseout import (
    DeprecatedWarning,
    PendingWarning,
    Phase,
    PhaseoutWarning,
    RemovalWarning,
    RemovedError,
)
from phaseout._exceptions import share_facts
from phaseout.exceptions import PhaseoutError, UnknownVersionError


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


class NotedWarning(DeprecationWarning):
    """A category whose ``__str__`` reads what its ``__init__`` sets."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.note = f"[noted] {message}"

    def __str__(self) -> str:
        return self.note


class SlottedWarning(DeprecationWarning):
    __slots__ = ("extra",)

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.extra = len(message)


class NeedsTwo(DeprecationWarning):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class ViaNew(phaseout.DeprecatedWarning):
    def __new__(cls, message: str) -> ViaNew:
        made = super().__new__(cls, message)
        made.seen_new = True  # type: ignore[attr-defined]
        return made


@pytest.mark.parametrize("category", [NotedWarning, SlottedWarning, ViaNew])
@pytest.mark.parametrize("action", ["always", "default", "error"])
def test_a_category_of_ones_own_is_built_as_warnings_warn_builds_it(
    category: type[Warning], action: Literal["always", "default", "error"]
) -> None:
    @phaseout.deprecated(since="1.0", current_version="1.5", category=category)
    def old() -> int:
        return 1

    for _ in range(3):  # the slow path, then the call site's fast one
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter(action)
            try:
                old()
                shown = [w.message for w in record]
            except Warning as raised:
                shown = [raised]
        assert len(shown) == 1
        (warning,) = shown
        assert type(warning) is category
        with warnings.catch_warnings(record=True) as reference:  # what warnings.warn makes
            warnings.simplefilter("always")
            warnings.warn(str(warning.args[0]), category, stacklevel=1)
        assert str(warning) == str(reference[0].message)
        assert warning.symbol.endswith("old")  # type: ignore[attr-defined]
        assert warning.phase is phaseout.Phase.SOFT  # type: ignore[attr-defined]
        if category is NotedWarning:
            assert str(warning).startswith("[noted] ")
        if category is SlottedWarning:
            assert warning.extra == len(warning.args[0])  # type: ignore[attr-defined]
        if category is ViaNew:
            assert warning.seen_new  # type: ignore[attr-defined]


def test_a_category_that_needs_more_than_the_message_is_refused_at_declaration() -> None:
    with pytest.raises(
        TypeError,
        match=r"\.old: category tests\.test_exceptions\.NeedsTwo must be constructible from the "
        r"message alone, as warnings\.warn builds it \(category\(message\)\); calling it "
        r"failed with TypeError: .*missing 1 required positional argument: 'code'",
    ):

        @phaseout.deprecated(since="1.0", current_version="1.5", category=NeedsTwo)
        def old() -> None:
            pass

    class NeedsTwoToo(phaseout.DeprecatedWarning):
        def __init__(self, message: str, code: int) -> None:
            super().__init__(message)

    with pytest.raises(
        TypeError, match=r"policy needs_two: deprecated: category .*NeedsTwoToo must"
    ):
        phaseout.policy("needs_two", deprecated=NeedsTwoToo)

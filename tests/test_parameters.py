"""Parameter deprecations: every kind, on every kind of callable, in every phase."""

from __future__ import annotations

import asyncio
import inspect
import pickle
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FunctionType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import phaseout
from phaseout import ChangedDefaultWarning, DeprecatedWarning, PendingWarning, Phase, RemovedError
from phaseout.exceptions import RemovedArgumentError, RemovedValueError

from .helpers import PHASES, here

PKG = "paramlib"
# since 2.0, hard from 2.9, removed (or changed) in 3.0
TIMELINE: dict[str, Any] = {"since": "2.0", "hard_in": "2.9", "removed_in": "3.0", "package": PKG}
SOFT: dict[str, Any] = {"since": "2.0", "removed_in": "3.0", "current_version": "2.5"}


def one(log: list[warnings.WarningMessage]) -> warnings.WarningMessage:
    assert len(log) == 1, [str(w.message) for w in log]
    return log.pop()


# -- the five kinds, on a function, in each phase ---------------------------------------------


@phaseout.renamed_parameter("color", "colour", **TIMELINE)
@phaseout.removed_parameter("dpi", **TIMELINE)
def plot(x: int, colour: str = "k", dpi: int = 72, *, size: int = 1) -> tuple[Any, ...]:
    """Plot *x*."""
    return (x, colour, dpi, size)


@phaseout.keyword_only("b", "c", **TIMELINE)
def span(a: int, b: int = 2, c: int = 3) -> tuple[int, int, int]:
    return (a, b, c)


@phaseout.changed_default("mode", "fast", since="2.0", hard_in="2.9", changes_in="3.0", package=PKG)
def run(mode: str = "legacy") -> str:
    return mode


@phaseout.deprecated_value("method", "legacy", new="modern", **TIMELINE)
def solve(method: str = "auto") -> str:
    return method


@pytest.mark.parametrize("version", list(PHASES))
def test_a_renamed_keyword_in_each_phase(
    version: str, record: list[warnings.WarningMessage]
) -> None:
    phase, category = PHASES[version]
    with phaseout.pretend({PKG: version}):
        assert plot(1, colour="r") == (1, "r", 72, 1)  # the new name: silent
        assert record == []
        if category is None:
            with pytest.raises(RemovedArgumentError) as raised:
                plot(1, color="r")  # type: ignore[call-arg]
            line = here() - 1
            assert isinstance(raised.value, TypeError)
            assert str(raised.value) == (
                f"{__name__}.plot(color=) was removed in {PKG} 3.0 (deprecated since 2.0; "
                f"3.0 is pretended). Use {__name__}.plot(colour=) instead."
            )
            assert raised.value.symbol == f"{__name__}.plot(color=)"
            assert raised.traceback[-1].lineno + 1 != line  # raised from the layer
            return
        assert plot(1, color="r") == (1, "r", 72, 1)  # type: ignore[call-arg]
        line = here() - 1
    shown = one(record)
    assert shown.category is category
    assert (shown.filename, shown.lineno) == (__file__, line)
    message = shown.message
    assert isinstance(message, category)
    assert message.symbol == f"{__name__}.plot(color=)"  # type: ignore[attr-defined]
    assert message.phase is phase  # type: ignore[attr-defined]
    assert message.replacement == f"{__name__}.plot(colour=)"  # type: ignore[attr-defined]
    when = {
        Phase.PENDING: "will be deprecated in paramlib 2.0 and be removed in 3.0",
        Phase.SOFT: "is deprecated since paramlib 2.0 and will be removed in 3.0",
        Phase.HARD: "is deprecated since paramlib 2.0 and will be removed in 3.0, the next release",
    }[phase]
    assert str(message) == (
        f"{__name__}.plot(color=) {when}. Use {__name__}.plot(colour=) instead."
    )


@pytest.mark.parametrize("version", list(PHASES))
def test_a_removed_parameter_by_keyword_or_position_in_each_phase(
    version: str, record: list[warnings.WarningMessage]
) -> None:
    _, category = PHASES[version]
    with phaseout.pretend({PKG: version}):
        assert plot(1, "r") == (1, "r", 72, 1)
        assert record == []
        calls: list[Callable[[], tuple[Any, ...]]] = [
            lambda: plot(1, dpi=90),
            lambda: plot(1, "r", 90),
        ]
        for call in calls:
            if category is None:
                with pytest.raises(RemovedArgumentError, match=r"plot\(dpi=\) was removed in"):
                    call()
                continue
            assert call()[2] == 90  # the function still receives it
            shown = one(record)
            assert shown.category is category
            assert str(shown.message).endswith("Stop passing dpi.")


@pytest.mark.parametrize("version", list(PHASES))
def test_positional_use_of_keyword_only_to_be_parameters_in_each_phase(
    version: str, record: list[warnings.WarningMessage]
) -> None:
    _, category = PHASES[version]
    with phaseout.pretend({PKG: version}):
        assert span(1, b=5, c=6) == (1, 5, 6)
        assert span(1) == (1, 2, 3)
        assert record == []
        if category is None:
            with pytest.raises(RemovedArgumentError) as raised:
                span(1, 5)
            assert str(raised.value) == (
                f"Passing b, c to {__name__}.span() by position is an error since {PKG} 3.0 "
                f"(deprecated since 2.0; 3.0 is pretended). Pass them by keyword: "
                f"{__name__}.span(a, b=..., c=...)."
            )
            return
        assert span(1, 5) == (1, 5, 3)
        line = here() - 1
        shown = one(record)
        assert shown.category is category
        assert (shown.filename, shown.lineno) == (__file__, line)
        assert "Pass them by keyword: " in str(shown.message)
        assert span(1, 5, 6) == (1, 5, 6)
        one(record)


def test_keyword_only_to_be_parameters_keep_pythons_own_errors(
    record: list[warnings.WarningMessage],
) -> None:
    with phaseout.pretend({PKG: "2.0"}):
        with pytest.raises(TypeError) as too_many:
            span(1, 2, 3, 4)  # type: ignore[call-arg]
        with pytest.raises(TypeError) as twice:
            span(1, 2, b=3)  # type: ignore[misc]
    assert str(too_many.value) == "span() takes from 1 to 3 positional arguments but 4 were given"
    assert str(twice.value) == "span() got multiple values for argument 'b'"
    assert record == []  # an argument error is not a deprecated use


@pytest.mark.parametrize("version", list(PHASES))
def test_a_default_change_switches_by_itself_with_the_version(
    version: str, record: list[warnings.WarningMessage]
) -> None:
    phase, _ = PHASES[version]
    with phaseout.pretend({PKG: version}):
        assert run("legacy") == "legacy"
        assert run("fast") == "fast"
        assert record == []
        result = run()
        line = here() - 1
    if phase is Phase.REMOVED:
        assert result == "fast"
        assert record == []
        return
    assert result == "legacy"
    shown = one(record)
    assert shown.category is (PendingWarning if phase is Phase.PENDING else ChangedDefaultWarning)
    assert issubclass(ChangedDefaultWarning, FutureWarning)
    assert (shown.filename, shown.lineno) == (__file__, line)
    head = {
        Phase.PENDING: "will change from 'legacy' to 'fast' in paramlib 3.0",
        Phase.SOFT: "changes from 'legacy' to 'fast' in paramlib 3.0 (announced in 2.0)",
        Phase.HARD: "changes from 'legacy' to 'fast' in paramlib 3.0, the next release",
    }[phase]
    assert str(shown.message) == (
        f"The default of {__name__}.run(mode=) {head}. Pass mode='legacy' to keep the current "
        f"behaviour, or mode='fast' to adopt the new one now."
    )


def test_a_changed_default_that_applies_costs_no_count_and_stays_quiet() -> None:
    with phaseout.pretend({PKG: "3.0"}), warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [run() for _ in range(3)] == ["fast"] * 3
    assert [u for u in phaseout.usage() if u.symbol.endswith("run(mode=)")] == []


@pytest.mark.parametrize("version", list(PHASES))
def test_a_deprecated_value_in_each_phase(
    version: str, record: list[warnings.WarningMessage]
) -> None:
    _, category = PHASES[version]
    with phaseout.pretend({PKG: version}):
        assert solve("other") == "other"
        assert solve() == "auto"
        assert record == []
        if category is None:
            with pytest.raises(RemovedValueError) as raised:
                solve("legacy")
            assert isinstance(raised.value, ValueError)
            assert isinstance(raised.value, RemovedError)
            return
        assert solve("legacy") == "modern"  # mapped to its replacement
        shown = one(record)
        assert shown.category is category
        assert str(shown.message).endswith(f"Use {__name__}.solve(method='modern') instead.")


def test_values_compare_safely_and_only_within_their_type(
    record: list[warnings.WarningMessage],
) -> None:
    class Weird:
        def __eq__(self, other: object) -> bool:
            raise RuntimeError("no comparisons")

        __hash__ = object.__hash__

    @phaseout.deprecated_value("level", 1, **SOFT)
    def f(level: object = 0) -> object:
        return level

    weird = Weird()
    assert f(weird) is weird
    assert f(True) is True  # True == 1, but it is not the value 1
    assert f(1.0) == 1.0
    assert record == []
    assert f(1) == 1
    one(record)


# -- every kind of callable ---------------------------------------------------------------------


class Widget:
    @phaseout.renamed_parameter("color", "colour", **SOFT)
    def __init__(self, colour: str = "k") -> None:
        self.colour = colour

    @phaseout.renamed_parameter("color", "colour", **SOFT)
    def paint(self, colour: str = "k") -> str:
        return colour

    @phaseout.renamed_parameter("color", "colour", **SOFT)
    @classmethod
    def make(cls, colour: str = "k") -> str:
        return f"{cls.__name__}:{colour}"

    @phaseout.renamed_parameter("color", "colour", **SOFT)
    @staticmethod
    def check(colour: str = "k") -> str:
        return colour


@phaseout.renamed_parameter("color", "colour", **SOFT)
async def fetch(colour: str = "k") -> str:
    return colour


@phaseout.renamed_parameter("color", "colour", **SOFT)
def colours(colour: str = "k") -> Iterator[str]:
    yield colour


CALLS: dict[str, tuple[Callable[[], Any], str, Any]] = {
    "constructor": (lambda: Widget(color="r").colour, "Widget.__init__", "r"),  # type: ignore[call-arg]
    "method": (lambda: Widget().paint(color="r"), "Widget.paint", "r"),  # type: ignore[call-arg]
    "classmethod": (lambda: Widget.make(color="r"), "Widget.make", "Widget:r"),  # type: ignore[call-arg]
    "classmethod on instance": (lambda: Widget().make(color="r"), "Widget.make", "Widget:r"),  # type: ignore[call-arg]
    "staticmethod": (lambda: Widget.check(color="r"), "Widget.check", "r"),  # type: ignore[call-arg]
    "async function": (lambda: asyncio.run(fetch(color="r")), "fetch", "r"),  # type: ignore[call-arg]
    "generator": (lambda: list(colours(color="r")), "colours", ["r"]),  # type: ignore[call-arg]
}


@pytest.mark.parametrize("kind", list(CALLS))
def test_every_kind_of_callable_warns_at_the_callers_line(
    kind: str, record: list[warnings.WarningMessage]
) -> None:
    call, name, expected = CALLS[kind]
    assert call() == expected
    line = here() - 1
    shown = one(record)
    assert shown.category is DeprecatedWarning
    assert shown.message.symbol == f"{__name__}.{name}(color=)"  # type: ignore[union-attr]
    assert shown.filename == __file__
    # The lambda's line in CALLS, for the frames phaseout skips are its own.
    assert shown.lineno != line or kind == ""


def test_the_kind_of_callable_is_kept() -> None:
    assert inspect.iscoroutinefunction(fetch)
    assert inspect.isgeneratorfunction(colours)
    assert isinstance(inspect.getattr_static(Widget, "make"), classmethod)
    assert isinstance(inspect.getattr_static(Widget, "check"), staticmethod)
    assert pickle.loads(pickle.dumps(plot)) is plot


# -- the current API is what Python and tools see -----------------------------------------------


def test_signature_and_docstring_show_the_current_api() -> None:
    assert str(inspect.signature(plot)) == (
        "(x: 'int', colour: 'str' = 'k', dpi: 'int' = 72, *, size: 'int' = 1) -> 'tuple[Any, ...]'"
    )
    assert (
        str(inspect.signature(span))
        == "(a: 'int', b: 'int' = 2, c: 'int' = 3) -> 'tuple[int, int, int]'"
    )
    assert plot.__name__ == "plot"
    assert plot.__doc__ == (
        "Plot *x*.\n\n.. deprecated:: 2.0\n   Parameter ``dpi`` is deprecated; it will be "
        "removed in 3.0.\n\n.. deprecated:: 2.0\n   Parameter ``color`` is renamed "
        "``colour``; it will be removed in 3.0.\n"
    )
    assert run.__doc__ == (
        ".. versionchanged:: 3.0 The default of ``mode`` changes to ``'fast'`` in 3.0 "
        "(announced in 2.0).\n"
    )


def test_passing_both_names_is_a_type_error_naming_both(
    record: list[warnings.WarningMessage],
) -> None:
    with pytest.raises(TypeError) as raised:
        plot(1, "r", color="b")  # type: ignore[call-arg]
    assert str(raised.value) == (
        "plot() got both color= and colour=: color is the old name of colour; pass only colour="
    )
    assert record == []


def test_argument_errors_read_like_pythons_own() -> None:
    def bare(x: int, colour: str = "k", dpi: int = 72, *, size: int = 1) -> None:
        pass

    for args, kwargs in [((), {}), ((1, 2, 3, 4), {}), ((1,), {"bogus": 1}), ((1,), {"x": 2})]:
        with pytest.raises(TypeError) as ours:
            plot(*args, **kwargs)  # type: ignore[arg-type]
        with pytest.raises(TypeError) as pythons:
            bare(*args, **kwargs)  # type: ignore[arg-type]
        assert str(ours.value) == str(pythons.value).replace(f"{bare.__qualname__}()", "plot()")


def _reference(
    a: int, b: int = 2, /, c: int = 3, *args: int, d: int, e: int = 5, **kw: int
) -> tuple[Any, ...]:
    return (a, b, c, args, d, e, sorted(kw.items()))


@phaseout.renamed_parameter("old_c", "c", **SOFT)
@phaseout.removed_parameter("e", **SOFT)
@phaseout.changed_default("b", 20, since="2.0", changes_in="3.0", current_version="1.0")
def _layered(
    a: int, b: int = 2, /, c: int = 3, *args: int, d: int, e: int = 5, **kw: int
) -> tuple[Any, ...]:
    return (a, b, c, args, d, e, sorted(kw.items()))


@given(
    positional=st.lists(st.integers(0, 9), max_size=6),
    keywords=st.dictionaries(st.sampled_from(["a", "b", "c", "d", "x", "y"]), st.integers(0, 9)),
)
def test_calls_that_use_no_deprecated_parameter_bind_exactly_as_the_function(
    positional: list[int], keywords: dict[str, int]
) -> None:
    def outcome(func: Callable[..., Any]) -> object:
        try:
            return func(*positional, **keywords)
        except TypeError as error:
            return str(error).replace("_reference(", "_layered(")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # b's default change is pending: quiet
        assert outcome(_layered) == outcome(_reference)


# -- bad declarations fail at decoration --------------------------------------------------------


def _decorate(decorator: Callable[[Any], Any]) -> None:
    def f(a: int, b: int = 1, *, c: int) -> None:
        pass

    decorator(f)


@pytest.mark.parametrize(
    ("decorator", "message"),
    [
        (
            phaseout.renamed_parameter("x", "nope", **SOFT),
            r"cannot rename 'x' to 'nope': the function has no parameter 'nope' \(and takes "
            r"no \*\*kwargs\)",
        ),
        (
            phaseout.renamed_parameter("a", "b", **SOFT),
            r"'a' is kept in the def, so its default must be phaseout.DEPRECATED \(or None\).*"
            r"got no default",
        ),
        (
            phaseout.removed_parameter("zzz", **SOFT),
            r"f\(zzz=\): the function has no parameter 'zzz'",
        ),
        (
            phaseout.removed_parameter("a", drop=True, **SOFT),
            r"with drop=True the function receives the default of 'a'.*needs a default",
        ),
        (phaseout.keyword_only("a", **SOFT), r"'b' must become keyword-only together|a, b"),
        (phaseout.keyword_only("c", **SOFT), r"'c' must be a parameter that can be passed"),
        (
            phaseout.changed_default("a", 2, since="1.0", changes_in="2.0"),
            r"'a' has no default to change",
        ),
        (
            phaseout.changed_default("b", 1, since="1.0", changes_in="2.0"),
            r"the default of 'b' is already 1",
        ),
        (
            phaseout.deprecated_value("b", 1, **SOFT),
            r"1 is the default of 'b'.*changed_default\('b', \.\.\.\)",
        ),
        (
            phaseout.renamed_parameter("x", "b", since="two"),
            r"since must be a PEP 440 version.*got 'two'",
        ),
    ],
)
def test_bad_declarations_fail_at_decoration_naming_the_symbol(
    decorator: Callable[[Any], Any], message: str
) -> None:
    with pytest.raises((TypeError, ValueError), match=message) as raised:
        _decorate(decorator)
    assert "test_parameters" in str(raised.value) or "f(" in str(raised.value)


def test_overlapping_declarations_for_one_parameter_are_refused() -> None:
    with pytest.raises(TypeError, match=r"parameter colour already has a declaration"):

        @phaseout.removed_parameter("colour", **SOFT)
        @phaseout.renamed_parameter("color", "colour", **SOFT)
        def f(colour: str = "k") -> None:
            pass

    @phaseout.deprecated_value("m", "a", **SOFT)
    @phaseout.deprecated_value("m", "b", **SOFT)  # two values of one parameter: fine
    def g(m: str = "c") -> str:
        return m

    # A class is decorated through its constructor, named as users call it.
    with pytest.raises(
        TypeError, match=r"^tests\.test_parameters\.Widget\(a=\): cannot rename 'a' to 'b': the "
    ):
        phaseout.renamed_parameter("a", "b", **SOFT)(Widget)
    with pytest.raises(
        TypeError, match=r"applies to functions, methods and classes, got <property object"
    ):
        phaseout.renamed_parameter("a", "b", **SOFT)(property(lambda self: 1))


def test_kwargs_functions_take_renamed_and_removed_keywords(
    record: list[warnings.WarningMessage],
) -> None:
    @phaseout.renamed_parameter("old", "new", **SOFT)
    @phaseout.removed_parameter("gone", drop=True, **SOFT)
    @phaseout.deprecated_value("mode", "x", new="y", **SOFT)
    def f(**options: Any) -> dict[str, Any]:
        return options

    assert f(new=1, other=2) == {"new": 1, "other": 2}
    assert record == []
    assert f(old=1) == {"new": 1}
    assert f(gone=1) == {}
    assert f(mode="x") == {"mode": "y"}
    assert len(record) == 3
    with pytest.raises(TypeError, match="got both old= and new="):
        f(old=1, new=2)


# -- stacking, accounting, declarations ---------------------------------------------------------


@pytest.mark.parametrize("order", ["deprecated outside", "deprecated inside"])
def test_stacks_with_deprecated_in_either_order_and_stays_on_the_fast_path(
    order: str, record: list[warnings.WarningMessage]
) -> None:
    if order == "deprecated outside":

        @phaseout.deprecated(**SOFT)
        @phaseout.renamed_parameter("old", "new", **SOFT)
        def f(new: int = 0) -> int:
            return new

    else:

        @phaseout.renamed_parameter("old", "new", **SOFT)
        @phaseout.deprecated(**SOFT)
        def f(new: int = 0) -> int:
            return new

    for _ in range(3):
        assert f(old=4) == 4  # type: ignore[call-arg]
        line = here() - 1
    assert [(w.category, w.filename, w.lineno) for w in record] == [
        (DeprecatedWarning, __file__, line)
    ] * 6
    assert sorted(str(w.message).split(" is ")[0] for w in record[:2]) == [
        f"{__name__}.{f.__qualname__}()",
        f"{__name__}.{f.__qualname__}(old=)",
    ]
    assert phaseout.phase_of(f) is Phase.SOFT
    assert inspect.signature(f).parameters["new"].default == 0
    # Both declarations counted at this line.
    counts = {u.symbol: (u.line, u.count) for u in phaseout.usage() if f.__qualname__ in u.symbol}
    assert counts == {
        f"{__name__}.{f.__qualname__}": (line, 3),
        f"{__name__}.{f.__qualname__}(old=)": (line, 3),
    }


def test_each_declaration_is_listed_and_counted_per_call_site() -> None:
    with phaseout.pretend({PKG: "2.5"}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(4):
            plot(1, color="r", dpi=3)  # type: ignore[call-arg]
        line = here() - 1
    counted = {u.symbol: (u.line, u.count, u.phase) for u in phaseout.usage()}
    assert counted[f"{__name__}.plot(color=)"] == (line, 4, Phase.SOFT)
    assert counted[f"{__name__}.plot(dpi=)"] == (line, 4, Phase.SOFT)
    listed = {d.symbol: d.kind for d in phaseout.declarations(PKG)}
    assert listed[f"{__name__}.plot(color=)"] == "renamed parameter"
    assert listed[f"{__name__}.span(*, b, c)"] == "keyword-only parameters"
    assert listed[f"{__name__}.run(mode=)"] == "default change"
    assert listed[f"{__name__}.solve(method='legacy')"] == "deprecated value"


def test_strict_mode_raises_the_warning(record: list[warnings.WarningMessage]) -> None:
    phaseout.configure(strict="all")
    with phaseout.pretend({PKG: "2.5"}), pytest.raises(DeprecatedWarning, match="plot"):
        plot(1, color="r")  # type: ignore[call-arg]


# -- the full matrix: every kind, on every kind of callable, in every phase ---------------------

RULES: dict[str, Callable[[Callable[..., Any]], Callable[..., Any]]] = {
    "renamed": phaseout.renamed_parameter("color", "colour", **TIMELINE),
    "removed": phaseout.removed_parameter("dpi", **TIMELINE),
    "keyword-only": phaseout.keyword_only("b", **TIMELINE),
    "default change": phaseout.changed_default(
        "mode", "fast", since="2.0", hard_in="2.9", changes_in="3.0", package=PKG
    ),
    "value": phaseout.deprecated_value("method", "legacy", new="modern", **TIMELINE),
}


def _values(
    colour: str = "k", dpi: int = 72, mode: str = "legacy", method: str = "auto", b: int = 2
) -> tuple[Any, ...]:
    return (colour, dpi, mode, method, b)


# One signature for every kind of callable, generated rather than written out seven times.
_SIGNATURE = 'colour="k", dpi=72, mode="legacy", method="auto", b=2'
_BODY = "_values(colour, dpi, mode, method, b)"
_SOURCES = {
    "function": f"def target({_SIGNATURE}):\n    return {_BODY}",
    "async function": f"async def target({_SIGNATURE}):\n    return {_BODY}",
    "generator": f"def target({_SIGNATURE}):\n    yield {_BODY}",
    "method": f"class Owner:\n    def target(self, {_SIGNATURE}):\n        return {_BODY}",
    "classmethod": (
        f"class Owner:\n    @classmethod\n    def target(cls, {_SIGNATURE}):\n"
        f"        return {_BODY}"
    ),
    "staticmethod": (
        f"class Owner:\n    @staticmethod\n    def target({_SIGNATURE}):\n        return {_BODY}"
    ),
    "constructor": (
        f"class Owner:\n    def __init__(self, {_SIGNATURE}):\n        self.values = {_BODY}"
    ),
}


def _build(rule: str, kind: str) -> Callable[..., Any]:
    """A callable of *kind* with *rule* applied, taking `_values`' parameters."""
    namespace: dict[str, Any] = {"_values": _values, "__name__": __name__}
    exec(_SOURCES[kind], namespace)
    decorate = RULES[rule]
    if "Owner" not in namespace:
        return decorate(namespace["target"])
    owner = namespace["Owner"]
    name = "__init__" if kind == "constructor" else "target"
    setattr(owner, name, decorate(owner.__dict__[name]))
    if kind == "constructor":
        return owner  # type: ignore[no-any-return]
    return getattr(owner() if kind == "method" else owner, name)  # type: ignore[no-any-return]


def _deprecated_use(rule: str, func: Callable[..., Any]) -> tuple[Any, int]:
    """Make *rule*'s deprecated use of *func*; its result, and the line that made it."""
    if rule == "renamed":
        return func(color="r"), here()
    if rule == "removed":
        return func("k", 90), here()  # by position
    if rule == "keyword-only":
        return func("k", 72, "legacy", "auto", 5), here()
    if rule == "default change":
        return func(), here()
    return func(method="legacy"), here()


EXPECTED = {  # the values the function receives after each deprecated use
    "renamed": ("r", 72, "legacy", "auto", 2),
    "removed": ("k", 90, "legacy", "auto", 2),
    "keyword-only": ("k", 72, "legacy", "auto", 5),
    "default change": ("k", 72, "legacy", "auto", 2),
    "value": ("k", 72, "legacy", "modern", 2),
}
KINDS = [
    "function",
    "method",
    "classmethod",
    "staticmethod",
    "constructor",
    "async function",
    "generator",
]


def _result(kind: str, value: Any) -> Any:
    if kind == "constructor":
        return value.values
    if kind == "async function":
        return asyncio.run(value)
    if kind == "generator":
        return next(value)
    return value


@pytest.mark.parametrize("version", list(PHASES))
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rule", list(RULES))
def test_every_kind_on_every_callable_in_every_phase(
    rule: str, kind: str, version: str, record: list[warnings.WarningMessage]
) -> None:
    func = _build(rule, kind)
    phase, category = PHASES[version]
    if rule == "default change" and category is not None:
        category = PendingWarning if phase is Phase.PENDING else ChangedDefaultWarning
    with phaseout.pretend({PKG: version}):
        if category is None and rule != "default change":
            with pytest.raises(RemovedError) as raised:
                _deprecated_use(rule, func)
            error = RemovedValueError if rule == "value" else RemovedArgumentError
            assert type(raised.value) is error
            assert raised.value.phase is Phase.REMOVED
            return
        value, line = _deprecated_use(rule, func)
        result = _result(kind, value)
    if category is None:  # a default change that applies: the new default, silently
        assert result == ("k", 72, "fast", "auto", 2)
        assert record == []
        return
    assert result == EXPECTED[rule]
    shown = one(record)
    assert (shown.category, shown.filename, shown.lineno) == (category, __file__, line)
    message = shown.message
    assert isinstance(message, phaseout.PhaseoutWarning)
    assert (message.package, message.phase, message.since) == (PKG, phase, "2.0")
    assert message.removed_in == "3.0"
    assert message.symbol is not None
    assert message.symbol.startswith(f"{__name__}.")
    named = message.symbol.split("(*")[0] + "()" if rule == "keyword-only" else message.symbol
    assert named in str(message)


def test_parameter_uses_are_rows_of_their_own_in_the_report(tmp_path: Path) -> None:
    from phaseout.report import summarize

    log = tmp_path / "usage.jsonl"
    phaseout.configure(usage_log=log)
    with phaseout.pretend({PKG: "2.5"}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(3):
            plot(1, color="r")  # type: ignore[call-arg]
        span(1, 5)
    phaseout.flush_usage()
    summary = summarize([log], by=("symbol",))
    assert sorted((row.symbol or "", row.count, row.phase) for row in summary.rows) == [
        (f"{__name__}.plot(color=)", 3, "soft"),
        (f"{__name__}.span(*, b, c)", 1, "soft"),
    ]


def _spec_subject(a: int, b: int = 2, *, c: int = 3, dpi: Any = None, mode: str = "slow") -> int:
    return a


_LAYERS: dict[str, Callable[[Any], Any]] = {
    "renamed_parameter": phaseout.renamed_parameter(
        "colour", "c", since="1.0", current_version="1.5"
    ),
    "removed_parameter": phaseout.removed_parameter("dpi", since="1.0", current_version="1.5"),
    "keyword_only": phaseout.keyword_only("b", since="1.0", current_version="1.5"),
    "changed_default": phaseout.changed_default(
        "mode", "fast", since="1.0", changes_in="3.0", current_version="1.5"
    ),
    "deprecated_value": phaseout.deprecated_value(
        "mode", "old", since="1.0", current_version="1.5"
    ),
}


@pytest.mark.parametrize("layer", sorted(_LAYERS))
@pytest.mark.parametrize("stacking", ["alone", "under deprecated", "over deprecated"])
def test_introspection_shows_the_functions_own_api_before_and_after_calls(
    layer: str, stacking: str
) -> None:
    """``getfullargspec`` reads a wrapper's own code and defaults (not ``__wrapped__``): the
    layer's old keywords and "not passed" defaults must not show, before or after a call."""
    deprecate = phaseout.deprecated(since="1.0", current_version="1.5")
    copy = FunctionType(
        _spec_subject.__code__, globals(), "_spec_subject", _spec_subject.__defaults__
    )
    copy.__kwdefaults__ = dict(_spec_subject.__kwdefaults__ or {})
    copy.__annotations__ = dict(_spec_subject.__annotations__)
    if stacking == "alone":
        func = _LAYERS[layer](copy)
    elif stacking == "under deprecated":
        func = deprecate(_LAYERS[layer](copy))
    else:
        func = _LAYERS[layer](deprecate(copy))
    expected = inspect.getfullargspec(_spec_subject)
    assert inspect.getfullargspec(func) == expected
    assert inspect.signature(func) == inspect.signature(_spec_subject)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert func(1, 2, c=3, mode="old") == 1
        assert func(1) == 1
    assert inspect.getfullargspec(func) == expected
    assert "not passed" not in str(inspect.getfullargspec(func))

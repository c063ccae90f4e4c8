"""The call path behaves exactly like `warnings.warn` at the caller, however filters change."""

from __future__ import annotations

import contextlib
import inspect
import threading
import warnings
from collections.abc import Callable
from typing import Any, Literal, cast
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import phaseout
from phaseout import DeprecatedWarning, PendingWarning, PhaseoutWarning, RemovalWarning
from phaseout import _filters as filter_state
from phaseout.registry import declaration_of

from . import sites


@phaseout.deprecated(since="1.0", current_version="0.5")
def pending() -> int:
    return 0


@phaseout.deprecated(since="1.0", removed_in="3.0", current_version="1.5")
def soft() -> int:
    return 1


@phaseout.deprecated(since="1.0", removed_in="3.0", current_version="3.0rc1")
def hard() -> int:
    return 2


TARGETS: dict[str, Callable[[], int]] = {"pending": pending, "soft": soft, "hard": hard}


# The warnings module as the tests drive it: typeshed types `filters` as a read-only
# sequence and leaves out `defaultaction`, both of which programs do change.
_WARNINGS: Any = warnings


def _filters() -> list[Any]:
    return cast("list[Any]", warnings.filters)


def _reference_for(target: Callable[[], int]) -> Callable[[], int]:
    """A function that calls `warnings.warn` directly with the same warning."""
    plan = declaration_of(target).plan()
    category, text, details = plan.category, plan.text, plan.details
    assert category is not None
    value: int = target.__wrapped__()  # type: ignore[attr-defined]

    def reference() -> int:
        warnings.warn(category(text, **details), stacklevel=2)
        return value

    return reference


SITE_LINES = [site.__code__.co_firstlineno + 1 for site in sites.SITES]
# Python's own default filters, with the exact-string module that only C code creates.
DEFAULT_FILTERS: list[Any] = [
    ("default", None, DeprecationWarning, "__main__", 0),
    ("ignore", None, DeprecationWarning, None, 0),
    ("ignore", None, PendingDeprecationWarning, None, 0),
    ("ignore", None, ImportWarning, None, 0),
    ("ignore", None, ResourceWarning, None, 0),
]

actions = st.sampled_from(["ignore", "always", "default", "once", "module", "error"])
categories = st.sampled_from(
    [Warning, DeprecationWarning, PendingDeprecationWarning, FutureWarning, UserWarning,
     PhaseoutWarning, DeprecatedWarning, RemovalWarning, PendingWarning]
)  # fmt: skip
simple_op = st.tuples(st.just("simple"), actions, categories, st.booleans())
filter_op = st.tuples(
    st.just("filter"),
    actions,
    st.sampled_from(["", ".*deprecated", "tests", "nomatch"]),
    categories,
    st.sampled_from(["", "tests.sites", "tests", "other", "tests.sites.x"]),
    st.sampled_from([0, *SITE_LINES, 1]),
    st.booleans(),
)
call_op = st.tuples(st.just("call"), st.integers(0, len(sites.SITES) - 1))
other_op = st.sampled_from(
    [
        ("reset",), ("pop",), ("default=ignore",), ("default=default",),
        # What tests do to see a warning again: clear or drop the module's registry, or
        # the "once" registry.
        ("clear-registry",), ("drop-registry",), ("clear-once",),
        # A filter-version change with no filter change (what every catch_warnings exit
        # does), and the version observer taken away, then put back by a later slow path.
        ("bump",), ("unwatch",), ("rewatch",),
        # The registry edited by hand: the warning marked as shown, a stale version; and the
        # calling module renamed (filters match module names).
        ("mark-registry",), ("stale-version",), ("rename",), ("unrename",),
    ]
)  # fmt: skip
# The registry keys of the warning under test at each call site, for "mark-registry".
_KEYS: list[tuple[str, type[Warning], int]] = []
operation = st.one_of(call_op, call_op, simple_op, filter_op, other_op)
program = st.lists(
    st.one_of(operation, st.tuples(st.just("block"), st.lists(operation, max_size=6))),
    max_size=25,
)

Event = tuple[Any, ...]


def _execute(
    ops: list[Any], target: Callable[[], int], record: list[Any], out: list[Event]
) -> None:
    for op in ops:
        name = op[0]
        if name == "call":
            try:
                sites.SITES[op[1]](target)
            except Warning as raised:
                out.append(("raised", type(raised), str(raised)))
            out.extend(("shown", w.category, str(w.message), w.filename, w.lineno) for w in record)
            record.clear()
        elif name == "simple":
            warnings.simplefilter(op[1], op[2], append=op[3])
        elif name == "filter":
            _, action, message, category, module, lineno, append = op
            warnings.filterwarnings(action, message, category, module, lineno, append)
        elif name == "reset":
            warnings.resetwarnings()
        elif name == "pop":
            if warnings.filters:
                _filters().pop(0)  # a direct mutation, as some programs do
        elif name.startswith("default="):
            _WARNINGS.defaultaction = name.partition("=")[2]
        elif name == "clear-registry":
            vars(sites).get("__warningregistry__", {}).clear()
        elif name == "drop-registry":
            vars(sites).pop("__warningregistry__", None)
        elif name == "clear-once":
            _WARNINGS.onceregistry.clear()
        elif name == "mark-registry":
            registry = vars(sites).setdefault("__warningregistry__", {})
            registry.update(dict.fromkeys(_KEYS, True))
        elif name == "stale-version":
            vars(sites).setdefault("__warningregistry__", {})["version"] = -1
        elif name in ("rename", "unrename"):
            sites.__name__ = "other" if name == "rename" else "tests.sites"
        elif name == "bump":
            _WARNINGS._filters_mutated()
        elif name == "unwatch":
            _WARNINGS._filters_mutated = filter_state._ORIGINAL_MUTATED
        elif name == "rewatch":
            filter_state.watch_filter_versions()
        elif name == "block":
            with warnings.catch_warnings():
                _execute(op[1], target, record, out)


def _run(ops: list[Any], target: Callable[[], int]) -> list[Event]:
    out: list[Event] = []
    saved_default = _WARNINGS.defaultaction
    with warnings.catch_warnings(record=True) as record:
        _filters()[:] = DEFAULT_FILTERS
        warnings._filters_mutated()  # type: ignore[attr-defined]
        warnings.onceregistry.clear()  # type: ignore[attr-defined]
        vars(sites).pop("__warningregistry__", None)
        try:
            _execute(ops, target, record, out)
        finally:
            _WARNINGS.defaultaction = saved_default
            sites.__name__ = "tests.sites"
            filter_state.watch_filter_versions()
    return out


# Under "error", a call site raises by itself while nothing that decides it changes: each of
# these changes one such thing after it has raised twice (random programs rarely do).
_RAISING = [("simple", "error", Warning, False), ("call", 0), ("call", 0)]


@settings(max_examples=500, deadline=None)
@given(program, st.sampled_from(sorted(TARGETS)))
@example([*_RAISING, ("pop",), ("call", 0), ("call", 0)], "soft")  # the list, changed directly
@example([*_RAISING, ("mark-registry",), ("call", 0)], "soft")  # the registry says "shown"
@example([*_RAISING, ("stale-version",), ("call", 0), ("mark-registry",), ("call", 0)], "hard")
@example(  # the module renamed: the "error" filter named it
    [("filter", "error", "", Warning, "tests.sites", 0, False), ("call", 1), ("call", 1),
     ("rename",), ("call", 1), ("unrename",), ("call", 1)],
    "soft",
)  # fmt: skip
@example(  # renamed before the first call: an "ignore" decided for "other" must not stay
    [("filter", "error", "", Warning, "tests.sites", 0, False), ("rename",), ("call", 1),
     ("call", 1), ("unrename",), ("call", 1)],
    "soft",
)  # fmt: skip
@example(  # shown, then ignored again: back on the fast path, still exact after a rename
    [("simple", "default", Warning, False), ("call", 0), ("simple", "ignore", Warning, False),
     ("call", 0), ("call", 0), ("filter", "error", "", Warning, "tests.sites", 0, True),
     ("rename",), ("call", 0), ("unrename",), ("call", 0)],
    "hard",
)  # fmt: skip
def test_filters_behave_exactly_as_with_warnings_warn(ops: list[Any], which: str) -> None:
    target = TARGETS[which]
    plan = declaration_of(target).plan()
    assert plan.category is not None
    _KEYS[:] = [(plan.text, plan.category, line) for line in SITE_LINES]
    expected = _run(ops, _reference_for(target))
    assert _run(ops, target) == expected
    # Once more: now every call site may have a remembered decision ("ignore", or where its
    # warning goes), made under other filters and registries.
    assert _run(ops, target) == expected
    # And with every call site remembered under the starting filters first.
    declaration_of(target).forget_call_sites()
    warm = [("call", index) for index in range(len(sites.SITES))] * 2
    assert _run(warm + ops, target) == _run(warm + ops, _reference_for(target))


@pytest.mark.usefixtures("quiet")
def test_a_filter_change_is_seen_on_the_next_call() -> None:
    for _ in range(3):
        sites.site_0(soft)  # remembered: ignored
    warnings.simplefilter("always", DeprecatedWarning)
    with pytest.warns(DeprecatedWarning) as record:
        sites.site_0(soft)
    assert (record[0].filename, record[0].lineno) == (sites.__file__, SITE_LINES[0])
    # A direct mutation of the list, without any warnings function, is seen too.
    _filters().insert(0, ("error", None, DeprecatedWarning, None, 0))
    with pytest.raises(DeprecatedWarning):
        sites.site_0(soft)


@pytest.mark.usefixtures("quiet")
def test_patched_warn_receives_every_call() -> None:
    for _ in range(3):
        sites.site_1(soft)
    with mock.patch("warnings.warn") as patched:
        for _ in range(5):
            assert sites.site_1(soft) == 1
    assert patched.call_count == 5
    warning = patched.call_args.args[0]
    assert type(warning) is DeprecatedWarning
    assert warning.symbol == f"{__name__}.soft"


@pytest.mark.usefixtures("quiet")
def test_counts_per_call_site_are_exact_under_threads() -> None:
    @phaseout.deprecated(since="1.0", current_version="1.5")
    def counted() -> None:
        pass

    threads, calls = 16, 20_000
    barrier = threading.Barrier(threads)

    def work(index: int) -> None:
        site = sites.SITES[index % 2]
        barrier.wait()
        for _ in range(calls):
            site(counted)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert declaration_of(counted).site_counts() == {
        (sites.__file__, SITE_LINES[0]): threads // 2 * calls,
        (sites.__file__, SITE_LINES[1]): threads // 2 * calls,
    }


def test_another_threads_filter_change_reaches_a_hot_loop() -> None:
    seen: list[BaseException] = []
    warmed = threading.Event()

    def loop() -> None:
        try:
            for i in range(10_000_000):
                sites.site_2(soft)
                if i == 1000:
                    warmed.set()
        except DeprecatedWarning as error:
            seen.append(error)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        worker = threading.Thread(target=loop)
        worker.start()
        assert warmed.wait(30)
        warnings.simplefilter("error", DeprecatedWarning)
        worker.join(60)
    assert not worker.is_alive()
    assert [type(error) for error in seen] == [DeprecatedWarning]


def test_pytest_warns_and_catch_warnings_see_every_call() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(3):
            sites.site_0(soft)
    for _ in range(2):
        with pytest.warns(DeprecatedWarning, match=r"soft\(\) is deprecated since"):
            sites.site_0(soft)


@pytest.mark.parametrize(
    "ignore_elsewhere",
    [
        {"lineno": 1},
        {"module": "other"},
        {"module": "tests"},  # a prefix: the regex must match the whole name only when written so
        {"message": "nomatch"},
        {"category": UserWarning},
    ],
)
def test_an_ignore_filter_for_something_else_is_not_remembered(
    ignore_elsewhere: dict[str, Any],
) -> None:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", **ignore_elsewhere)
        for _ in range(3):
            sites.site_0(soft)
    expected_shown = 0 if ignore_elsewhere == {"module": "tests"} else 3
    assert [(w.filename, w.lineno) for w in record] == [(sites.__file__, SITE_LINES[0])] * (
        expected_shown
    )


def test_a_warning_shown_once_is_shown_again_after_any_filter_version_change() -> None:
    """What `warnings.warn` does under "default": shown once per site, then again after
    anything that changes the interpreter's filter version, even with equal filters."""
    reference = _reference_for(soft)

    def remembered_as_shown() -> bool:
        entries = [
            entry for table in declaration_of(soft)._tables for entry in table.values()
            if entry[0] is sites.site_3.__code__
        ]  # fmt: skip
        shown = entries[0][4].shown if entries else None
        return shown is not None and shown[0] is filter_state.token

    skipping: list[bool] = []

    def shown(target: Callable[[], int]) -> list[int]:
        counts = []
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("default")
            for change in (None, "block", "simplefilter", "bump", None):
                for _ in range(3):
                    sites.site_3(target)
                counts.append(len(record))  # shown so far, before this change
                if change == "block":
                    with warnings.catch_warnings():
                        pass
                elif change == "simplefilter":
                    warnings.simplefilter("default")  # the same filter, a new version
                elif change == "bump":
                    _WARNINGS._filters_mutated()
            skipping.append(remembered_as_shown())
        return counts

    vars(sites).pop("__warningregistry__", None)
    expected = shown(reference)
    assert expected == [1, 1, 2, 3, 4]
    vars(sites).pop("__warningregistry__", None)
    assert shown(soft) == expected
    # ...and the repeats in between skipped warn_explicit: the site knows it was shown.
    assert skipping == [False, True]


@pytest.mark.parametrize("shown_under", ["default", "module", "once", "always", "error"])
def test_a_site_that_showed_its_warning_is_fast_again_when_the_filters_ignore_it(
    shown_under: Literal["default", "module", "once", "always", "error"],
) -> None:
    """ignore -> shown (any action) -> ignore: the call site ends with the entry a fresh
    site gets under "ignore" (a filter snapshot), not the slow "goes through the filters"
    one; and it leaves it again when the filters change back."""
    decl = declaration_of(soft)

    def entry() -> tuple[Any, ...]:
        found = [
            entry for table in decl._tables for entry in table.values()
            if entry[0] is sites.site_3.__code__
        ]  # fmt: skip
        assert len(found) == 1
        return found[0]

    decl.forget_call_sites()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("ignore")
        sites.site_3(soft)
        sites.site_3(soft)
        assert entry()[2] == warnings.filters  # ignored: a snapshot
        warnings.simplefilter(shown_under)
        with contextlib.suppress(phaseout.DeprecatedWarning):
            sites.site_3(soft)
        assert entry()[2] is None  # its warning goes through the filters
        assert len(record) == (0 if shown_under == "error" else 1)
        warnings.simplefilter("ignore")
        sites.site_3(soft)  # warn_explicit finds "ignore": the site settles
        assert entry()[2] == list(warnings.filters)  # back on the fast path
        before = dict(usage_counts())
        sites.site_3(soft)
        assert usage_counts()[SITE_3] == before[SITE_3] + 1  # still counted
        warnings.simplefilter("always")
        sites.site_3(soft)  # and off it again when the filters change
        assert [w.lineno for w in record[-1:]] == [SITE_3[1]]


SITE_3 = (sites.__file__, sites.site_3.__code__.co_firstlineno + 1)


def usage_counts() -> dict[tuple[str, int], int]:
    return declaration_of(soft).site_counts()


def test_filter_changes_made_while_the_observer_was_away_are_not_missed() -> None:
    reference = _reference_for(soft)

    def shown(target: Callable[[], int]) -> int:
        vars(sites).pop("__warningregistry__", None)
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("default")
            sites.site_3(target)
            sites.site_3(target)  # remembered as shown
            _WARNINGS._filters_mutated = filter_state._ORIGINAL_MUTATED
            try:
                warnings.simplefilter("default")  # a new filter version, unseen
                hard()  # a slow path (its registry is this module's) puts the observer back
            finally:
                filter_state.watch_filter_versions()
            sites.site_3(target)  # shown again, as warnings.warn would
            return sum(w.category is DeprecatedWarning for w in record)

    assert shown(reference) == 2
    assert shown(soft) == 2


@pytest.mark.usefixtures("quiet")
def test_the_wrapper_has_the_functions_own_parameters_from_the_start() -> None:
    def original(x: int, y: list[int] = SHARED_DEFAULT, *, z: int = 3) -> tuple[Any, ...]:
        return (x, y, z)

    wrapped = phaseout.deprecated(since="1.0", current_version="0.5")(original)
    # Introspection reads the wrapper's own code: the same API before any call.
    assert inspect.getfullargspec(wrapped) == inspect.getfullargspec(original)
    assert inspect.signature(wrapped) == inspect.signature(original)
    threads = 16
    barrier = threading.Barrier(threads)
    results: list[Any] = []

    def first_calls(index: int) -> None:
        barrier.wait()
        results.append(wrapped(index))
        results.append(wrapped(index, z=index))

    workers = [threading.Thread(target=first_calls, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(results, key=lambda r: (r[0], r[2])) == sorted(
        [(i, SHARED_DEFAULT, 3) for i in range(threads)]
        + [(i, SHARED_DEFAULT, i) for i in range(threads)],
        key=lambda r: (r[0], r[2]),
    )
    assert all(result[1] is SHARED_DEFAULT for result in results)
    assert wrapped.__code__.co_name == "original"
    assert wrapped.__defaults__ == (SHARED_DEFAULT,)
    assert wrapped.__kwdefaults__ == {"z": 3}
    assert inspect.getfullargspec(wrapped) == inspect.getfullargspec(original)  # after calls
    with pytest.raises(TypeError, match=r"original\(\) missing 1 required positional"):
        wrapped()  # type: ignore[call-arg]


def shadowing(type: Any, dict: Any = None, *, isinstance: Any = None) -> Any:
    return (type, dict, isinstance)


@pytest.mark.parametrize("action", ["default", "always", "error", "ignore"])
def test_parameters_named_like_builtins_do_not_shadow_the_wrappers_own(
    action: Literal["default", "always", "error", "ignore"],
) -> None:
    """The wrapper uses ``type``, ``dict`` and ``isinstance``: a function whose parameters
    bear those names must still warn exactly as any other (under every filter action)."""
    wrapped = phaseout.deprecated(since="1.0", current_version="1.5")(shadowing)
    for _ in range(3):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter(action)
            try:
                assert wrapped("t", {"d": 1}, isinstance=2) == ("t", {"d": 1}, 2)
            except DeprecatedWarning:
                assert action == "error"
        assert len(record) == (1 if action in ("default", "always") else 0)


SHARED_DEFAULT: list[int] = []


def shape_plain(a, b=SHARED_DEFAULT, /, c=2, *rest, d, e=5, **kw):  # type: ignore[no-untyped-def]
    return (a, b, c, rest, d, e, kw)


def shape_simple(x, y=1):  # type: ignore[no-untyped-def]
    return (x, y)


def shape_keywords(*, only):  # type: ignore[no-untyped-def]
    return only


def shape_varargs(*args, **kwargs):  # type: ignore[no-untyped-def]
    return (args, kwargs)


def shape_clash(_phaseout_caller, table=None):  # type: ignore[no-untyped-def]
    return (_phaseout_caller, table)


CALL_FORMS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((), {}),
    ((1,), {}),
    ((1, 2), {}),
    ((1, 2, 3, 4, 5), {"d": 0}),
    ((1,), {"d": 4}),
    ((1,), {"d": 4, "c": 9, "z": 1}),
    ((1, 2, 3), {"c": 4, "d": 1}),
    ((), {"x": 1, "y": 2}),
    ((1,), {"x": 2}),
    ((), {"only": 3}),
    ((3,), {"only": 3}),
    ((), {"a": 1, "d": 2}),
    ((1, 2, 3, 4), {}),
]


def _outcome(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        return ("returned", func(*args, **kwargs))
    except TypeError as error:
        return ("TypeError", str(error))


@pytest.mark.usefixtures("quiet")
@pytest.mark.parametrize(
    "shape", [shape_plain, shape_simple, shape_keywords, shape_varargs, shape_clash]
)
def test_wrappers_bind_arguments_exactly_as_the_function(shape: Callable[..., Any]) -> None:
    wrapped = phaseout.deprecated(since="1.0", removed_in="9.0", current_version="1.5")(shape)
    for args, kwargs in CALL_FORMS:
        for _ in range(2):  # the slow path, then the remembered fast path
            assert _outcome(wrapped, args, kwargs) == _outcome(shape, args, kwargs), (args, kwargs)
    if shape is shape_plain:
        assert wrapped(1, d=0)[1] is SHARED_DEFAULT  # the very default object, not a copy
    # A parameter named like the wrapper's own locals takes the generic *args wrapper.
    exact = shape is not shape_clash
    assert (wrapped.__code__.co_name == shape.__name__) is exact
    assert inspect.signature(wrapped) == inspect.signature(shape)


@pytest.mark.usefixtures("quiet")
def test_calls_after_a_pretend_block_take_the_fast_path_again() -> None:
    @phaseout.deprecated(since="1.0", removed_in="2.0", package="po-fast-again")
    def f() -> int:
        return 1

    decl = declaration_of(f)

    def remembered() -> int:
        return sum(len(table) for table in decl._tables)

    with phaseout.pretend({"po-fast-again": "1.5"}):
        assert f() == 1
        assert remembered() == 0  # inside a block, every use is decided for its context
        with phaseout.pretend({"po-fast-again": "2.0"}), pytest.raises(phaseout.RemovedError):
            f()
    for _ in range(3):  # outside any block (the version is unknown here: SOFT)
        assert f() == 1
    assert remembered() == 1  # the call site is remembered again: the fast path is back
    entered, leave = threading.Event(), threading.Event()

    def hold_a_block() -> None:
        with phaseout.pretend({"po-fast-again": "2.0"}):
            entered.set()
            leave.wait(30)

    other = threading.Thread(target=hold_a_block)
    other.start()
    assert entered.wait(30)
    try:
        # A block open in another thread sends every use down the slow path, which decides
        # it for this thread's own context.
        assert remembered() == 0
        assert f() == 1
        assert remembered() == 0
    finally:
        leave.set()
        other.join()
    f()
    assert remembered() == 1


def test_a_filter_change_in_another_thread_applies_to_the_next_call() -> None:
    def change_in_thread(action: Literal["error", "ignore", "always"]) -> None:
        other = threading.Thread(target=lambda: warnings.simplefilter(action, DeprecatedWarning))
        other.start()
        other.join()

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("default")
        for _ in range(3):  # shown once, then remembered as a site whose warning is not ignored
            sites.site_2(soft)
        assert len(record) == 1
        change_in_thread("error")
        with pytest.raises(DeprecatedWarning):
            sites.site_2(soft)
        change_in_thread("ignore")
        for _ in range(3):  # remembered as ignored
            sites.site_2(soft)
        change_in_thread("always")
        sites.site_2(soft)
        sites.site_2(soft)
    assert [(w.filename, w.lineno) for w in record] == [(sites.__file__, SITE_LINES[2])] * 3


@pytest.mark.usefixtures("quiet")
def test_a_raised_warning_shows_no_generated_source_in_its_traceback() -> None:
    import traceback

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecatedWarning)
        for call in range(3):  # the slow path, warn_explicit from a known site, by itself
            with pytest.raises(DeprecatedWarning) as raised:
                sites.site_3(soft)
            text = "".join(traceback.format_exception(raised.value))
            assert "return f()" in text  # the caller's line
            assert "_codegen.py" not in text
            if call:  # after the first call: only the wrapper, named as the function
                assert "_phaseout_" not in text
                last = traceback.extract_tb(raised.value.__traceback__)[-1]
                assert (last.name, last.line) == ("soft", "")

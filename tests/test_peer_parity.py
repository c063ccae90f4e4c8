"""What users of pyDeprecate, Deprecated, deprecation and debtcollector can express, on phaseout.

Each section is one row of docs/peers-comparison.md, with tests written in the spirit of that
peer's own (not copied): the behaviour a user switching from it would check first.
"""

from __future__ import annotations

import asyncio
import enum
import inspect
import itertools
import json
import pickle
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import phaseout
from phaseout import DeprecatedWarning
from phaseout.exceptions import RemovedArgumentError

from .helpers import here, only

SOFT: dict[str, Any] = {"since": "1.0", "removed_in": "3.0", "current_version": "2.0"}
COMPAT: dict[str, Any] = {**SOFT, "compat_in": "1.5"}


def uses(symbol: str) -> int:
    return sum(site.count for site in phaseout.usage() if site.symbol == symbol)


# -- 1. a deprecated parameter kept in the signature (pyDeprecate) --------------------------


@phaseout.renamed_parameter("coef", "new_coef", **SOFT)
def fit(
    X: int, y: int | None = None, coef: float = phaseout.DEPRECATED, new_coef: float = 1
) -> tuple[Any, ...]:
    return (X, y, coef, new_coef)


def test_a_renamed_parameter_kept_in_the_def_moves_a_keyword_value(
    record: list[warnings.WarningMessage],
) -> None:
    line = here() + 1
    assert fit(1, coef=5) == (1, None, phaseout.DEPRECATED, 5)
    warning = only(record)
    assert type(warning) is DeprecatedWarning
    assert str(warning) == (
        f"{__name__}.fit(coef=) is deprecated since tests 1.0 and will be removed in "
        f"3.0. Use {__name__}.fit(new_coef=) instead."
    )
    assert (record[0].filename, record[0].lineno) == (__file__, line)


def test_a_renamed_parameter_kept_in_the_def_moves_a_positional_value(
    record: list[warnings.WarningMessage],
) -> None:
    assert fit(1, 2, 3) == (1, 2, phaseout.DEPRECATED, 3)
    assert "fit(coef=) is deprecated" in str(only(record))


def test_not_passing_the_kept_parameter_is_free(record: list[warnings.WarningMessage]) -> None:
    assert fit(1, new_coef=4) == (1, None, phaseout.DEPRECATED, 4)
    assert fit(1) == (1, None, phaseout.DEPRECATED, 1)
    assert record == []


def test_passing_both_spellings_is_a_type_error_naming_both() -> None:
    with pytest.raises(
        TypeError,
        match=r"^fit\(\) got both coef= and new_coef=: coef is the old name of new_coef",
    ):
        fit(1, 2, 3, new_coef=4)
    with pytest.raises(TypeError, match=r"got both coef= and new_coef="):
        fit(1, coef=3, new_coef=4)


def test_the_signature_still_shows_the_kept_parameter() -> None:
    assert str(inspect.signature(fit)) == (
        "(X: 'int', y: 'int | None' = None, coef: 'float' = phaseout.DEPRECATED, "
        "new_coef: 'float' = 1) -> 'tuple[Any, ...]'"
    )
    assert inspect.getfullargspec(fit).args == ["X", "y", "coef", "new_coef"]
    assert pickle.loads(pickle.dumps(phaseout.DEPRECATED)) is phaseout.DEPRECATED


def test_the_kept_parameter_raises_once_removed() -> None:
    @phaseout.renamed_parameter("old", "new", since="1.0", removed_in="2.0", current_version="2.0")
    def f(old: int | None = None, new: int = 0) -> int:
        return new

    assert f(new=3) == 3
    with pytest.raises(RemovedArgumentError, match=r"f\(old=\) was removed in tests 2.0"):
        f(old=1)
    with pytest.raises(RemovedArgumentError, match=r"f\(old=\) was removed"):
        f(1)


@pytest.mark.parametrize(
    ("default", "shown"), [(2, "the default 2"), (inspect.Parameter.empty, "no default")]
)
def test_a_kept_parameter_needs_a_sentinel_default(default: object, shown: str) -> None:
    namespace: dict[str, Any] = {}
    tail = "" if default is inspect.Parameter.empty else f"={default!r}"
    exec(f"def g(new=1, *, old{tail}): pass", namespace)
    with pytest.raises(
        TypeError,
        match=rf"g\(old=\): 'old' is kept in the def, so its default must be "
        rf"phaseout.DEPRECATED \(or None\).*got {shown}$",
    ):
        phaseout.renamed_parameter("old", "new", **SOFT)(namespace["g"])


def test_a_removed_parameter_kept_in_the_def_warns_by_position_and_drops_the_value(
    record: list[warnings.WarningMessage],
) -> None:
    @phaseout.removed_parameter("verbose", drop=True, **SOFT)
    def run(job: str, verbose: bool | None = None) -> tuple[str, bool | None]:
        return (job, verbose)

    assert run("a", True) == ("a", None)
    assert "run(verbose=) is deprecated" in str(only(record))
    record.clear()
    assert run("a") == ("a", None)
    assert record == []


def test_forwarding_maps_onto_a_replacement_that_keeps_the_old_name(
    record: list[warnings.WarningMessage],
) -> None:
    @phaseout.deprecated(**COMPAT, replacement=fit, args_map={"coef": "new_coef"})
    def old_fit(X: int, y: int | None = None, coef: float = 1) -> Any:
        raise AssertionError("forwarded")

    assert old_fit(1, 2, 7) == (1, 2, phaseout.DEPRECATED, 7)
    # One warning, about old_fit: the replacement's own deprecated keyword is not used.
    assert "old_fit() is deprecated" in str(only(record))


# -- 2. a warning budget per declaration (pyDeprecate num_warns) ----------------------------


def test_warn_at_most_shows_the_first_uses_and_counts_all(
    record: list[warnings.WarningMessage],
) -> None:
    @phaseout.deprecated(**SOFT, warn_at_most=2)
    def old() -> int:
        return 1

    lines = []
    for _ in range(5):
        lines.append(here() + 1)
        old()
    assert [w.lineno for w in record] == lines[:2]
    phaseout.flush_usage()
    assert uses(f"{__name__}.{old.__qualname__}") == 5


def test_warn_at_most_applies_to_every_declaration_kind(
    record: list[warnings.WarningMessage],
) -> None:
    @phaseout.removed_parameter("dpi", **SOFT, warn_at_most=1)
    def plot(dpi: int = 72) -> int:
        return dpi

    for value in (1, 2, 3):
        assert plot(dpi=value) == value
    assert len(record) == 1


def test_warn_at_most_is_exact_under_threads() -> None:
    @phaseout.deprecated(**SOFT, warn_at_most=3)
    def old() -> None:
        pass

    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        for _ in range(200):
            old()

    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(shown) == 3
    phaseout.flush_usage()
    assert uses(f"{__name__}.{old.__qualname__}") == 1600


def test_a_policy_budget_of_n_is_the_same_model(
    record: list[warnings.WarningMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(phaseout.policies, "BUDGET_OVERRIDE", None)
    phaseout.policy("tests", budget=2)

    @phaseout.deprecated(**SOFT)
    def by_policy() -> None:
        pass

    @phaseout.deprecated(**SOFT, warn_at_most="always")
    def own_budget() -> None:
        pass

    for _ in range(4):
        by_policy()
        own_budget()
    assert [str(w.message).split("(")[0].rsplit(".", 1)[1] for w in record] == [
        "by_policy", "own_budget", "by_policy", "own_budget", "own_budget", "own_budget",
    ]  # fmt: skip


def test_strict_mode_raises_on_every_use_whatever_the_budget() -> None:
    @phaseout.deprecated(**SOFT, warn_at_most=1)
    def old() -> None:
        pass

    phaseout.configure(strict="all")
    for _ in range(3):
        with pytest.raises(DeprecatedWarning):
            old()


@pytest.mark.parametrize("bad", [0, -1, 1.5, "sometimes", True])
def test_a_bad_budget_is_refused_naming_the_symbol(bad: object) -> None:
    with pytest.raises(
        ValueError,
        match=rf"\.f: warn_at_most must be a number of uses \(1 or more\), 'call site' or "
        rf"'always', got {bad!r}",
    ):

        @phaseout.deprecated(**SOFT, warn_at_most=bad)  # type: ignore[arg-type]
        def f() -> None:
            pass


# -- 5. silent forwarding and fixed extra arguments (pyDeprecate stream=None, args_extra) ---


def render(text: str, *, backend: str = "v2") -> str:
    return f"{backend}:{text}"


def test_quiet_forwarding_forwards_and_counts_without_a_warning(
    record: list[warnings.WarningMessage],
) -> None:
    @phaseout.deprecated(**COMPAT, replacement=render, quiet=True)
    def old_render(text: str) -> str:
        raise AssertionError("forwarded")

    assert old_render("a") == "v2:a"
    assert old_render("b") == "v2:b"
    assert record == []
    phaseout.flush_usage()
    assert uses(f"{__name__}.{old_render.__qualname__}") == 2


def test_args_extra_adds_fixed_keywords_to_forwarded_calls(
    record: list[warnings.WarningMessage],
) -> None:
    @phaseout.deprecated(**COMPAT, replacement=render, args_extra={"backend": "v1"})
    def old_render(text: str) -> str:
        raise AssertionError("forwarded")

    assert old_render("a") == "v1:a"
    assert "old_render() is deprecated" in str(only(record))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"colour": 1}, r"args_extra sets 'colour', which the replacement render does not take"),
        ({"text": "x"}, r"args_extra sets 'text', which the replacement render already receives"),
        (["backend"], r"args_extra must be a mapping of the replacement's keyword names"),
    ],
)
def test_args_extra_is_checked_at_decoration(extra: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):

        @phaseout.deprecated(**COMPAT, replacement=render, args_extra=extra)  # type: ignore[arg-type]
        def old_render(text: str) -> str:
            return text


# -- 6. forwarding between async and sync functions (pyDeprecate) ---------------------------


def test_an_async_legacy_function_forwards_to_a_sync_replacement(
    record: list[warnings.WarningMessage],
) -> None:
    @phaseout.deprecated(**COMPAT, replacement=render)
    async def old_render(text: str) -> str:
        raise AssertionError("forwarded")

    assert inspect.iscoroutinefunction(old_render)
    line = here() + 1
    coroutine = old_render("a")
    assert record[0].lineno == line  # warned when called, not when awaited
    assert asyncio.run(coroutine) == "v2:a"


def test_a_sync_legacy_function_cannot_forward_to_an_async_replacement() -> None:
    async def fetch(url: str) -> str:
        return url

    with pytest.raises(
        TypeError,
        match=r"forwarded to .*fetch from compat_in on, which is an async function, while "
        r".*old_fetch is not: its callers would get a coroutine instead of a result",
    ):

        @phaseout.deprecated(**COMPAT, replacement=fetch)
        def old_fetch(url: str) -> str:
            return url


# -- 7. where the warning points: stacklevel and skip_modules (Deprecated, matplotlib) ------


def _helper(func: Any) -> Any:
    return func()  # a library's own helper calling its deprecated API


def test_stacklevel_points_past_the_helper(record: list[warnings.WarningMessage]) -> None:
    @phaseout.deprecated(**SOFT, stacklevel=2)
    def old() -> int:
        return 1

    line = here() + 1
    assert _helper(old) == 1
    assert (record[0].filename, record[0].lineno) == (__file__, line)


def test_skip_modules_points_at_the_first_frame_outside_them(
    record: list[warnings.WarningMessage],
) -> None:
    namespace: dict[str, Any] = {"__name__": "mylib.plotting"}
    exec(compile("def call(f):\n    return f()\n", "mylib/plotting.py", "exec"), namespace)

    @phaseout.deprecated(**SOFT, skip_modules=("mylib",))
    def old() -> int:
        return 1

    line = here() + 1
    assert namespace["call"](old) == 1
    assert (record[0].filename, record[0].lineno) == (__file__, line)
    line = here() + 1
    assert old() == 1  # called directly: the caller's line, as without the option
    assert record[1].lineno == line
    phaseout.flush_usage()
    assert {site.line for site in phaseout.usage() if site.symbol.endswith("old")} == {
        line - 3,
        line,
    }


def test_a_policy_skips_the_package_modules_for_every_declaration(
    record: list[warnings.WarningMessage],
) -> None:
    phaseout.policy("tests", skip_modules="mylib")
    namespace: dict[str, Any] = {"__name__": "mylib"}
    exec(compile("def call(f):\n    return f(color=1)\n", "mylib/__init__.py", "exec"), namespace)

    @phaseout.renamed_parameter("color", "colour", **SOFT)
    def plot(colour: int = 0) -> int:
        return colour

    line = here() + 1
    assert namespace["call"](plot) == 1
    assert record[0].lineno == line


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"stacklevel": 0}, r"stacklevel must be 1 \(the caller's line\) or more, got 0"),
        ({"skip_modules": ["my-lib"]}, r"skip_modules must be module names such as"),
        ({"skip_modules": 0}, r"skip_modules must be module names such as"),
        ({"quiet": "yes"}, r"quiet must be True or False, got 'yes'"),
    ],
)
def test_bad_use_options_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):

        @phaseout.deprecated(**SOFT, **options)
        def f() -> None:
            pass


# -- 3. version notes in docs (deprecation's versionadded/versionchanged, Sphinx practice) --


class Store:
    @phaseout.changed("2.0", "now returns a list\n        of rows, not a tuple")
    @phaseout.added("1.2")
    @phaseout.deprecated(since="3.0", removed_in="4.0", current_version="2.0")
    def rows(self) -> list[int]:
        """Read every row.

        More about rows.
        """
        return [1]

    @phaseout.added("1.5", "as a classmethod")
    @classmethod
    def make(cls) -> Store:
        return cls()


def test_notes_merge_in_sphinx_order_before_the_deprecated_note() -> None:
    assert inspect.cleandoc(Store.rows.__doc__ or "") == (
        "Read every row.\n\nMore about rows.\n\n"
        ".. versionadded:: 1.2\n\n"
        ".. versionchanged:: 2.0\n   now returns a list\n   of rows, not a tuple\n\n"
        ".. deprecated:: 3.0\n   Will be removed in 4.0."
    )
    assert Store.make.__doc__ == ".. versionadded:: 1.5 as a classmethod\n"


def test_notes_read_as_sphinx_directives(tmp_path: Path) -> None:
    from .helpers import sphinx_text, write_tree

    write_tree(
        tmp_path,
        {
            "noted.py": """\
                import phaseout

                @phaseout.changed("2.0", "now returns a list\\n    of rows, not a tuple")
                @phaseout.added("1.2")
                @phaseout.deprecated(since="3.0", removed_in="4.0", current_version="2.0")
                def rows():
                    \"\"\"Read every row.

                    More about rows.
                    \"\"\"
            """
        },
    )
    text = " ".join(sphinx_text(tmp_path, "noted").split())
    assert "More about rows. Added in version 1.2." in text or "New in version 1.2." in text
    assert "Changed in version 2.0: now returns a list of rows, not a tuple" in text
    assert "Deprecated since version 3.0: Will be removed in 4.0." in text


def test_notes_cost_nothing_per_call() -> None:
    def plain() -> int:
        return 1

    noted = phaseout.added("1.0")(plain)
    assert noted is plain  # no wrapper
    assert plain.__doc__ == ".. versionadded:: 1.0\n"


def test_notes_are_listed_with_the_declarations() -> None:
    listed = phaseout.declarations("tests", notes=True)
    notes = [item for item in listed if isinstance(item, phaseout.typing.VersionNote)]
    mine = [(n.symbol.rsplit(".", 2)[-2:], n.kind, n.version) for n in notes if "Store" in n.symbol]
    assert mine == [
        (["Store", "rows"], "added", "1.2"),
        (["Store", "rows"], "changed", "2.0"),
        (["Store", "make"], "added", "1.5"),
    ]
    assert not any(
        isinstance(item, phaseout.typing.VersionNote) for item in phaseout.declarations()
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: phaseout.added("two"),
            r"phaseout.added: version must be a PEP 440 version such as '1.2', got 'two'",
        ),
        (lambda: phaseout.changed("2.0", ""), r"phaseout.changed: text must say what changed"),
        (
            lambda: phaseout.added("1.0", 3),  # type: ignore[arg-type]
            r"phaseout.added: text must be a string or None, got 3",
        ),
    ],
)
def test_bad_notes_are_refused(make: Any, message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        make()


# -- 4. enum members and class attributes reached through the class --------------------------


@phaseout.deprecated_member("RED", replacement="CRIMSON", **SOFT)
@phaseout.deprecated_member("GREEN", **SOFT)
class Color(enum.Enum):
    CRIMSON = 1
    RED = 1  # an alias of CRIMSON  # noqa: PIE796
    GREEN = 2
    BLUE = 3


def test_an_enum_member_warns_when_named(record: list[warnings.WarningMessage]) -> None:
    line = here() + 1
    assert Color.RED is Color.CRIMSON  # type: ignore[comparison-overlap]
    assert Color["GREEN"] is Color(2)
    assert Color.__members__["GREEN"] is Color(2)
    assert [str(w.message) for w in record] == [
        f"{__name__}.Color.RED is deprecated since tests 1.0 and will be removed in 3.0. Use "
        f"{__name__}.Color.CRIMSON instead.",
        f"{__name__}.Color.GREEN is deprecated since tests 1.0 and will be removed in 3.0.",
        f"{__name__}.Color.GREEN is deprecated since tests 1.0 and will be removed in 3.0.",
    ]
    assert [(w.filename, w.lineno - line) for w in record] == [(__file__, i) for i in range(3)]
    assert all(type(w.message) is DeprecatedWarning for w in record)


def test_an_enum_member_stays_a_member_and_everything_else_is_silent(
    record: list[warnings.WarningMessage],
) -> None:
    green = Color(2)
    assert list(Color) == [Color.CRIMSON, green, Color(3)]
    assert isinstance(green, Color)
    assert (green.name, green.value) == ("GREEN", 2)
    assert green in Color
    assert len(Color) == 3
    assert list(Color.__members__) == ["CRIMSON", "RED", "GREEN", "BLUE"]
    assert pickle.loads(pickle.dumps(Color(3))) is Color(3)
    assert repr(green) == "<Color.GREEN: 2>"
    assert record == []


def test_a_removed_enum_member_raises_an_attribute_error() -> None:
    @phaseout.deprecated_member("OLD", since="1.0", removed_in="2.0", current_version="2.0")
    class Mode(enum.IntEnum):
        NEW = 1
        OLD = 2

    with pytest.raises(
        phaseout.exceptions.RemovedAttributeError, match=r"Mode.OLD was removed in tests 2.0"
    ):
        Mode.OLD
    assert not hasattr(Mode, "OLD")
    assert Mode(2).name == "OLD"  # by value: the member is still there


def test_deprecated_member_refuses_what_it_cannot_apply_to() -> None:
    with pytest.raises(TypeError, match=r"applies to Enum classes"):
        phaseout.deprecated_member("A", **SOFT)(Store)  # type: ignore[type-var]
    with pytest.raises(
        ValueError, match=r"Color has no member 'PINK'; its members are CRIMSON, RED"
    ):
        phaseout.deprecated_member("PINK", **SOFT)(Color)
    with pytest.raises(TypeError, match=r"Color.GREEN is already deprecated$"):
        phaseout.deprecated_member("GREEN", **SOFT)(Color)


def test_a_moved_read_only_property_is_read_through_the_class_with_a_warning(
    record: list[warnings.WarningMessage],
) -> None:
    class Box:
        @property
        def size(self) -> int:
            return 3

        length = phaseout.renamed_class_attribute("size", **SOFT)

    line = here() + 1
    assert Box.length is Box.__dict__["size"]  # the property itself, as Python gives it
    assert Box().length == 3
    assert [w.lineno for w in record] == [line, line + 1]
    with pytest.raises(
        AttributeError,
        match=r"property 'size' of '.*Box' object has no setter|can't set attribute 'size'",
    ):
        Box().length = 4


# -- 8. proxies for deprecated objects that are not callables (debtcollector, pyDeprecate) ---

TIMEOUT = phaseout.deprecated_proxy("TIMEOUT", 30, replacement="mylib.TIMEOUT_S", **SOFT)


def test_a_proxy_forwards_every_operation_and_each_warns_at_its_line(
    record: list[warnings.WarningMessage],
) -> None:
    line = here() + 1
    assert TIMEOUT + 1 == 31
    assert 1 + TIMEOUT == 31
    assert TIMEOUT == 30
    assert TIMEOUT < 31
    assert hash(TIMEOUT) == hash(30)
    assert isinstance(TIMEOUT, int)  # introspection: silent
    assert f"{TIMEOUT:>4}" == "  30"
    assert TIMEOUT.bit_length() == 5
    assert [w.lineno - line for w in record] == [0, 1, 2, 3, 4, 6, 7]
    with pytest.raises(AttributeError, match=r"^'int' object has no attribute 'nope'$"):
        TIMEOUT.nope  # type: ignore[attr-defined]  # probing a missing attribute: silent
    assert len(record) == 7
    assert str(record[0].message) == (
        f"{__name__}.TIMEOUT is deprecated since tests 1.0 and will be removed in 3.0. Use "
        "mylib.TIMEOUT_S instead."
    )


def test_a_proxy_of_a_container_iterates_indexes_and_updates_in_place(
    record: list[warnings.WarningMessage],
) -> None:
    items = phaseout.deprecated_proxy("ITEMS", [1, 2], **SOFT)
    assert list(items) == [1, 2]
    assert len(items) == 2
    assert 2 in items
    assert items[0] == 1
    items[0] = 5
    items += [3]
    assert type(items).__name__ == "_Proxy"  # still the proxy: later uses still warn
    assert items == [5, 2, 3]
    assert len(record) == 8


def test_a_proxy_of_a_context_manager_and_a_callable(record: list[warnings.WarningMessage]) -> None:
    import contextlib

    @contextlib.contextmanager
    def opened() -> Iterator[str]:
        yield "handle"

    manager = phaseout.deprecated_proxy("OPENED", opened(), **SOFT)
    with manager as handle:
        assert handle == "handle"

    def double(x: int) -> int:
        return x * 2

    call = phaseout.deprecated_proxy("CALL", double, **SOFT)
    assert call(4) == 8
    assert len(record) == 3


def test_a_proxy_copies_and_pickles_as_the_object(record: list[warnings.WarningMessage]) -> None:
    import copy

    rows = phaseout.deprecated_proxy("ROWS", [[1]], **SOFT)
    assert type(pickle.loads(pickle.dumps(TIMEOUT))) is int
    deep = copy.deepcopy(rows)
    assert type(deep) is list
    assert deep == [[1]]
    assert type(copy.copy(rows)) is list


def test_a_removed_proxy_raises_on_use() -> None:
    gone = phaseout.deprecated_proxy(
        "GONE", 1, since="1.0", removed_in="2.0", current_version="2.0"
    )
    with pytest.raises(
        phaseout.exceptions.RemovedAttributeError, match=r"GONE was removed in tests 2.0"
    ):
        gone + 1


def test_a_proxy_counts_its_uses_per_line() -> None:
    counted = phaseout.deprecated_proxy("COUNTED", 2, **SOFT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(3):
            counted * 2
    phaseout.flush_usage()
    assert uses(f"{__name__}.COUNTED") == 3


NOTED = {
    "notedlib/__init__.py": """
        import phaseout

        __version__ = "2.5"


        @phaseout.changed("2.0", "returns a list\\n    instead of a tuple")
        @phaseout.added("1.2")
        def rows():
            return []


        @phaseout.added("3.0", "the streaming reader")
        def stream():
            return iter(())


        @phaseout.deprecated(since="2.0", removed_in="3.0", replacement=stream)
        def old_rows():
            return []
        """,
}


def test_the_audit_lists_version_notes_in_every_format(tmp_path: Path) -> None:
    from .helpers import run_phaseout, write_tree

    root = write_tree(tmp_path, NOTED)
    table = run_phaseout(root, "audit", "notedlib")
    assert table.returncode == 0, table.stderr
    assert table.stdout.endswith(
        "symbol           note     version  text\n"
        "---------------  -------  -------  ---------------------------------\n"
        "notedlib.rows    added    1.2\n"
        "notedlib.rows    changed  2.0      returns a list instead of a tuple\n"
        "notedlib.stream  added    3.0      the streaming reader\n"
    )
    data = json.loads(run_phaseout(root, "audit", "notedlib", "--format", "json").stdout)
    assert data["version_notes"] == [
        {"symbol": "notedlib.rows", "kind": "added", "version": "1.2", "text": None},
        {
            "symbol": "notedlib.rows",
            "kind": "changed",
            "version": "2.0",
            "text": "returns a list\n    instead of a tuple",
        },
        {
            "symbol": "notedlib.stream",
            "kind": "added",
            "version": "3.0",
            "text": "the streaming reader",
        },
    ]
    markdown = run_phaseout(root, "audit", "notedlib", "--format", "markdown").stdout
    assert markdown.endswith(
        "## Version notes\n\n"
        "| symbol | note | version | text |\n|---|---|---|---|\n"
        "| notedlib.rows | added | 1.2 |  |\n"
        "| notedlib.rows | changed | 2.0 | returns a list instead of a tuple |\n"
        "| notedlib.stream | added | 3.0 | the streaming reader |\n"
    )


def test_the_guide_lists_changes_and_additions_up_to_the_version(tmp_path: Path) -> None:
    from .helpers import run_phaseout, write_tree

    root = write_tree(tmp_path, NOTED)
    done = run_phaseout(root, "guide", "notedlib", "--to", "3.0")
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(
        "## Other changes\n\n"
        "- `notedlib.rows` (changed in 2.0): returns a list instead of a tuple\n\n"
        "## New APIs\n\n"
        "- `notedlib.rows` (added in 1.2)\n"
        "- `notedlib.stream` (added in 3.0): the streaming reader\n"
    )
    earlier = run_phaseout(root, "guide", "notedlib", "--to", "2.0").stdout
    assert "notedlib.stream" not in earlier.split("## Other changes")[1]


# -- properties: budgets and frames, against the simplest model and Python's own stacklevel --


def _callers(count: int) -> list[Any]:
    """*count* functions, each calling its argument from a line of its own."""
    namespace: dict[str, Any] = {"__name__": "tests.sites"}
    source = "".join(f"def site{i}(f):\n    return f()\n" for i in range(count))
    exec(compile(source, "tests/sites_generated.py", "exec"), namespace)
    return [namespace[f"site{i}"] for i in range(count)]


SITES = _callers(4)
_EXAMPLES = itertools.count()


@settings(max_examples=60, deadline=None)
@given(budget=st.integers(1, 5), calls=st.lists(st.integers(0, 3), max_size=15))
def test_a_budget_shows_exactly_the_first_uses_and_counts_every_one(
    budget: int, calls: list[int]
) -> None:
    def old() -> int:
        return 7

    old.__qualname__ = f"old_{next(_EXAMPLES)}"  # a symbol of its own per example
    old = phaseout.deprecated(**SOFT, warn_at_most=budget)(old)
    symbol = f"{__name__}.{old.__qualname__}"
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        assert [SITES[i](old) for i in calls] == [7] * len(calls)
    expected = [SITES[i].__code__.co_firstlineno + 1 for i in calls[:budget]]
    assert [w.lineno for w in shown] == expected
    phaseout.flush_usage()
    counts = {site.line: site.count for site in phaseout.usage() if site.symbol == symbol}
    assert counts == {SITES[i].__code__.co_firstlineno + 1: calls.count(i) for i in set(calls)}


def _chain(depth: int, body: str, env: dict[str, Any]) -> Any:
    """A chain of *depth* helpers above a function running *body*, each in its own line."""
    namespace: dict[str, Any] = {"__name__": "tests.chain", "warnings": warnings, **env}
    lines = [f"def h0():\n    {body}\n"]
    lines += [f"def h{i}():\n    return h{i - 1}()\n" for i in range(1, depth + 1)]
    exec(compile("".join(lines), "tests/chain_generated.py", "exec"), namespace)
    return namespace[f"h{depth}"]


@settings(max_examples=40, deadline=None)
@given(depth=st.integers(0, 4), level=st.integers(1, 5))
def test_stacklevel_points_where_warnings_warn_would(depth: int, level: int) -> None:
    """phaseout's stacklevel N is ``warnings.warn``'s N written at the line calling the
    deprecated function: the same file and line, whatever the helpers in between."""

    @phaseout.deprecated(**SOFT, stacklevel=level)
    def old() -> None:
        pass

    places = []
    for body, env in (
        ("return OLD()", {"OLD": old}),
        (f"return warnings.warn('x', stacklevel={level})", {}),
    ):
        chain = _chain(depth, body, env)
        with warnings.catch_warnings(record=True) as log:
            warnings.simplefilter("always")
            chain()  # both from this line
        places.append([(w.filename, w.lineno) for w in log])
    assert places[0] == places[1]
    assert len(places[0]) == 1


FIXED = {
    "fxlib/__init__.py": """
        import enum

        import phaseout

        __version__ = "2.5"


        @phaseout.deprecated_member("RED", replacement="CRIMSON", since="2.0", removed_in="3.0")
        class Color(enum.Enum):
            CRIMSON = 1
            RED = 1


        @phaseout.renamed_parameter("coef", "new_coef", since="2.0", removed_in="3.0")
        def fit(X, coef=phaseout.DEPRECATED, new_coef=1.0, tol=0.1):
            return new_coef
        """,
    "app/main.py": """
        from fxlib import Color, fit

        a = Color.RED
        b = fit([1], coef=0.5)
        c = fit([1], 0.5)
        d = fit([1], 0.5, tol=0.2)
        e = fit([1], new_coef=0.5)
        """,
}


def test_phaseout_fix_rewrites_enum_members_and_kept_parameters_by_position(
    tmp_path: Path,
) -> None:
    from .helpers import run_phaseout, write_tree

    root = write_tree(tmp_path, FIXED)
    done = run_phaseout(root, "fix", "app", "--package", "fxlib", "--write")
    assert done.returncode == 0, done.stderr
    assert (root / "app" / "main.py").read_text(encoding="utf-8") == (
        "\nfrom fxlib import Color, fit\n"
        "\n"
        "a = Color.CRIMSON\n"
        "b = fit([1], new_coef=0.5)\n"
        "c = fit([1], new_coef=0.5)\n"
        "d = fit([1], new_coef=0.5, tol=0.2)\n"
        "e = fit([1], new_coef=0.5)\n"
    )


def test_a_site_the_options_moved_is_remembered_until_the_filters_change(
    record: list[warnings.WarningMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    from phaseout import _filters

    decided: list[int] = []
    ignored = _filters.ignored

    def counted(*args: Any) -> bool:
        decided.append(1)
        return ignored(*args)

    monkeypatch.setattr(_filters, "ignored", counted)
    namespace: dict[str, Any] = {"__name__": "mylib.helpers"}
    exec(compile("def call(f):\n    return f()\n", "mylib/helpers.py", "exec"), namespace)

    @phaseout.deprecated(**SOFT, skip_modules=("mylib",))
    def old() -> int:
        return 1

    def use(times: int) -> int:
        return sum(namespace["call"](old) for _ in range(times))  # the user's line

    line = use.__code__.co_firstlineno + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert use(5) == 5  # the first use decides; the next four are remembered
    assert record == []
    assert len(decided) == 1
    assert use(2) == 2  # "always" again: shown, each time
    assert [(w.filename, w.lineno) for w in record] == [(__file__, line)] * 2
    phaseout.flush_usage()
    assert [(s.line, s.count) for s in phaseout.usage() if s.symbol.endswith(".old")] == [(line, 7)]

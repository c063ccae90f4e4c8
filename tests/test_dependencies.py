"""Dependencies' deprecations: other libraries' warnings counted (``track_warnings``), and
timelines declared on APIs the project does not own (``watch``)."""

from __future__ import annotations

import datetime
import json
import os
import pickle
import re
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import structlog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import phaseout
from phaseout import _filters, dependencies
from phaseout.dependencies import _attribution, _capture

from .helpers import here, run_phaseout, write_tree

pytest_plugins = ["pytester"]

ACTIONS = ("error", "ignore", "once", "default", "always", "module")


def uses(kind: str = "warning") -> list[phaseout.typing.SiteUsage]:
    return sorted(
        (use for use in phaseout.usage() if use.kind == kind), key=lambda u: (u.symbol, u.line)
    )


def shown(record: list[warnings.WarningMessage]) -> list[tuple[Any, ...]]:
    return [(w.category, str(w.message), w.filename, w.lineno) for w in record]


@pytest.fixture
def tracking() -> Iterator[dependencies.Tracking]:
    with phaseout.track_warnings() as made:
        yield made


# -- what the user sees is unchanged ------------------------------------------------------------

FILES = ("/app/user.py", "/lib/pkg/mod.py", "/lib/pkg/other.py", "/py/importlib/_bootstrap.py")


def chain(files: list[str], call: str) -> tuple[Callable[[], None], list[dict[str, Any]]]:
    """Functions f0 -> f1 -> ... each compiled as if from files[i]; the innermost runs *call*.
    Each has module globals of its own, so registries land where Python puts them."""
    spaces: list[dict[str, Any]] = []
    inner: Any = None
    for index in reversed(range(len(files))):
        body = call if inner is None else "inner()"
        namespace: dict[str, Any] = {
            "__name__": f"mod{index}",
            "inner": inner,
            "warnings": warnings,
        }
        exec(compile(f"def f():\n    {body}\n", files[index], "exec"), namespace)
        inner = namespace["f"]
        spaces.insert(0, namespace)
    return inner, spaces


def observed(
    files: list[str], call: str, action: Any
) -> tuple[list[tuple[Any, ...]], list[list[Any]]]:
    run, spaces = chain(files, call)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter(action)
        for _ in range(2):
            run()
    registries = [
        sorted(repr(k) for k in space.get("__warningregistry__", {}) if k != "version")
        for space in spaces
    ]
    return shown(record), registries


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.lists(st.sampled_from(FILES), min_size=1, max_size=5),
    stacklevel=st.integers(-1, 7),
    prefixes=st.sets(st.sampled_from(["/lib/pkg", "/app", "/nowhere"]), max_size=2),
    action=st.sampled_from(["always", "default", "module"]),
    explicit=st.booleans(),
)
def test_the_front_door_finds_the_frame_python_finds(
    files: list[str], stacklevel: int, prefixes: set[str], action: str, explicit: bool
) -> None:
    """Same filename, line, registry and category, with and without tracking, whatever the
    stack (import-system frames, skipped prefixes on 3.12+) and the stacklevel."""
    if explicit:
        call = "warnings.warn_explicit('told', DeprecationWarning, 'x.py', 7, 'mod', {})"
    elif sys.version_info >= (3, 12):
        call = (
            f"warnings.warn('told', DeprecationWarning, stacklevel={stacklevel}, "
            f"skip_file_prefixes={tuple(sorted(prefixes))!r})"
        )
    else:
        call = f"warnings.warn('told', DeprecationWarning, stacklevel={stacklevel})"
    counted = sum(use.count for use in uses())
    results = []
    for tracked in (False, True):  # from one line: frames past the chain are the same
        made = phaseout.track_warnings() if tracked else None
        try:
            results.append(observed(files, call, action))
        finally:
            if made is not None:
                made.stop()
    assert results[1] == results[0]
    assert sum(use.count for use in uses()) - counted == 2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.lists(st.sampled_from(FILES), min_size=1, max_size=5),
    stacklevel=st.integers(-1, 7),
    prefixes=st.sets(st.sampled_from(["/lib/pkg", "/app", "/nowhere"]), max_size=2),
)
def test_the_frame_walk_is_pythons(files: list[str], stacklevel: int, prefixes: set[str]) -> None:
    """``found`` (used to see past a watch's wrapper) names the frame Python names."""
    given_prefixes = tuple(sorted(prefixes)) if sys.version_info >= (3, 12) else ()
    extra = f", skip_file_prefixes={given_prefixes!r}" if given_prefixes else ""
    call = (
        f"seen.append(where(found(sys._getframe(0), {stacklevel}, {given_prefixes!r}))); "
        f"warnings.warn('x', stacklevel={stacklevel}{extra})"
    )
    seen: list[Any] = []
    run, spaces = chain(files, call)
    for space in spaces:
        space.update(seen=seen, found=_capture.found, sys=sys, where=_where)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        run()
    assert [(w.filename, w.lineno) for w in record] == seen


def _where(frame: Any) -> tuple[str, int]:
    return ("sys", 1) if frame is None else (frame.f_code.co_filename, frame.f_lineno)


@pytest.mark.parametrize("action", ACTIONS)
def test_real_libraries_show_what_they_showed_and_every_use_is_counted(action: Any) -> None:
    """pandas (FutureWarning, from Python and Cython) and structlog (DeprecationWarning),
    four threads each, under every action: the records are identical, the counts exact."""
    series = pd.Series([1, 2], index=["a", "b"])
    line = here() + 5

    def user() -> None:
        for _ in range(25):
            with pytest.raises(FutureWarning) if action == "error" else _nothing():
                series[0]
        with pytest.raises(DeprecationWarning) if action == "error" else _nothing():
            structlog.__description__

    def run() -> list[tuple[Any, ...]]:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter(action)
            threads = [threading.Thread(target=user) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        return sorted(shown(record), key=repr)

    before = run()
    with phaseout.track_warnings():
        after = run()
    assert after == before
    counted = {(use.symbol, use.package, use.line, use.file): use.count for use in uses()}
    assert counted == {
        ("Series.__getitem__", "pandas", line, __file__): 100,
        ("structlog.__description__", "structlog", line + 2, __file__): 4,
    }


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_a_warning_inside_a_library_is_the_users_line(tracking: dependencies.Tracking) -> None:
    """SQLAlchemy issues it deep inside its own helpers: the site is the line below."""
    from sqlalchemy.ext.declarative import declarative_base

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        line = here() + 1
        declarative_base()
    (use,) = uses()
    assert (use.symbol, use.package, use.phase, use.file, use.line, use.count) == (
        "declarative_base",
        "SQLAlchemy",
        phaseout.Phase.SOFT,
        __file__,
        line,
        1,
    )
    assert use.caller == f"{__name__}:test_a_warning_inside_a_library_is_the_users_line"
    assert [(w.filename, w.lineno) for w in record] == [(__file__, line)]


def _c_deprecations() -> list[tuple[str, Callable[[], object], str, str]]:
    """Warnings issued from C on this Python: the call, the symbol and package counted."""
    found: list[tuple[str, Callable[[], object], str, str]] = [
        (
            "bool(NotImplemented)",
            lambda: bool(NotImplemented),
            "NotImplemented should not be used in a boolean context",
            _attribution.UNKNOWN,
        )
    ]
    if sys.version_info >= (3, 12):
        found.append(
            (
                "datetime.utcnow()",
                lambda: datetime.datetime.utcnow(),
                "datetime.datetime.utcnow",
                "python",
            )
        )
    return found


@pytest.mark.parametrize("case", _c_deprecations(), ids=lambda case: case[0])
def test_warnings_from_c_are_seen_by_the_tap(
    case: tuple[str, Callable[[], object], str, str], tracking: dependencies.Tracking
) -> None:
    """Under "ignore" every one (no registry); under "default" the first per line: a repeat
    the registry suppresses runs no Python code at all (the documented limit)."""
    _, call, symbol, package = case
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("ignore")
        for _ in range(3):
            call()
        warnings.simplefilter("default")  # put before the tap, which goes first again
        assert warnings.filters[0] is _capture.TAP
        for _ in range(3):
            call()
    assert len(record) == 1
    (use,) = uses()
    assert (use.symbol, use.package, use.count) == (symbol, package, 3 + 1)
    assert (use.file, use.line) == (__file__, record[0].lineno)


def test_phaseout_own_warnings_are_counted_once_and_keep_the_fast_path(
    tracking: dependencies.Tracking,
) -> None:
    @phaseout.deprecated(since="1.0", current_version="1.5")
    def old() -> int:
        return 1

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for _ in range(3):
            old()
    assert len(record) == 3
    assert [use.count for use in phaseout.usage()] == [3]
    assert uses() == []
    assert _filters.passthrough_warn is warnings.warn is _capture.warn


def test_the_tap_stays_first_whatever_the_filters_do(tracking: dependencies.Tracking) -> None:
    with warnings.catch_warnings():
        warnings.resetwarnings()
        assert warnings.filters == [_capture.TAP]
        warnings.filterwarnings("error", category=DeprecationWarning)
        warnings.simplefilter("ignore", append=True)
        assert warnings.filters[0] is _capture.TAP
        assert [entry[0] for entry in warnings.filters[1:]] == ["error", "ignore"]
        with pytest.raises(DeprecationWarning):  # the user's "error" still decides
            bool(NotImplemented)
    assert [(use.symbol, use.count) for use in uses()] == [
        ("NotImplemented should not be used in a boolean context", 1)
    ]


def test_a_tap_left_behind_by_a_restored_filter_list_moves_first() -> None:
    """A stop inside ``catch_warnings`` cleans the copy; the restored list keeps the tap,
    which never matches; the next start puts it first (not a second one)."""
    with warnings.catch_warnings():
        made = phaseout.track_warnings()
    assert warnings.filters[0] is _capture.TAP
    with warnings.catch_warnings():
        made.stop()
    filters: Any = warnings.filters
    filters.append(filters.pop(0))  # the tap, now last
    try:
        phaseout.track_warnings().stop()
        again = phaseout.track_warnings()
        assert warnings.filters[0] is _capture.TAP
        assert sum(entry is _capture.TAP for entry in warnings.filters) == 1
        again.stop()
    finally:
        filters[:] = [entry for entry in filters if entry is not _capture.TAP]
    assert all(entry is not _capture.TAP for entry in warnings.filters)


def test_stopping_gives_warnings_back_its_own() -> None:
    before = (warnings.warn, warnings.warn_explicit, list(warnings.filters))
    made = phaseout.track_warnings(packages="pandas")
    assert repr(made) == (
        "<Tracking DeprecationWarning, PendingDeprecationWarning, FutureWarning from pandas: on>"
    )
    assert warnings.filters[0] is _capture.TAP
    made.stop()
    assert (warnings.warn, warnings.warn_explicit, list(warnings.filters)) == before
    assert dependencies.tracking() is None
    assert repr(made).endswith(": stopped>")


def test_only_the_packages_asked_for_are_counted() -> None:
    with phaseout.track_warnings(packages=["structlog"]), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.Series([1], index=["a"])[0]
        structlog.__description__
    assert [(use.symbol, use.package) for use in uses()] == [
        ("structlog.__description__", "structlog")
    ]


def test_categories_choose_what_is_counted() -> None:
    with phaseout.track_warnings(categories=[UserWarning]), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.warn("use 'thing.new' from now on", UserWarning, stacklevel=1)
        warnings.warn("old.thing() is deprecated", DeprecationWarning, stacklevel=1)
    assert [(use.symbol, use.phase) for use in uses()] == [("thing.new", phaseout.Phase.SOFT)]


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"categories": [int]}, "track_warnings: categories must be Warning subclasses"),
        ({"categories": []}, "track_warnings: categories must name at least one"),
        ({"packages": ["bad name"]}, "track_warnings: packages must be distribution or import"),
    ],
)
def test_bad_arguments_are_refused_with_the_fix(arguments: dict[str, Any], error: str) -> None:
    with pytest.raises((TypeError, ValueError), match=error):
        phaseout.track_warnings(**arguments)
    assert dependencies.tracking() is None


def test_a_message_that_cannot_be_read_is_reported_once_and_python_still_decides() -> None:
    class Broken(DeprecationWarning):
        def __str__(self) -> str:
            raise RuntimeError("no text")

    with phaseout.track_warnings(), warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("always", phaseout.exceptions.SettingsWarning)
        for _ in range(2):
            with pytest.raises(RuntimeError, match="no text"):  # Python's own str() of it
                warnings.warn(Broken("x"), stacklevel=1)
    assert [str(w.message) for w in record] == [
        "phaseout could not count a <class 'tests.test_dependencies."
        "test_a_message_that_cannot_be_read_is_reported_once_and_python_still_decides."
        "<locals>.Broken'> warning (RuntimeError('no text')); not counted"
    ]
    assert uses() == []


# -- the symbol, the message and the package ------------------------------------------------------

NAMES = st.from_regex(r"[a-z][a-z0-9_]{1,8}(\.[A-Za-z][a-z0-9_]{1,8}){0,3}", fullmatch=True)
DOTTED = st.from_regex(r"[a-z][a-z0-9_]{1,8}(\.[A-Za-z][a-z0-9_]{1,8}){1,3}", fullmatch=True)


@given(
    name=NAMES,
    template=st.sampled_from(["{}() is deprecated", "Call {}() instead of x", "`{}()` is old"]),
)
def test_a_call_in_the_message_is_the_symbol(name: str, template: str) -> None:
    assert _attribution.symbol_of(template.format(name)) == name


@given(
    name=DOTTED,
    template=st.sampled_from(["'{}' is deprecated", "`{}` is deprecated", "{} is deprecated"]),
)
def test_a_dotted_name_in_the_message_is_the_symbol(name: str, template: str) -> None:
    assert _attribution.symbol_of(template.format(name)) == name


def test_a_bare_quoted_word_is_not_a_symbol() -> None:
    text = "'M' is deprecated and will be removed in a future version, please use 'ME' instead."
    assert _attribution.symbol_of(text) is None


@given(number=st.integers(0, 10**9), address=st.integers(0, 2**48))
def test_numbers_and_addresses_do_not_split_one_deprecation(number: int, address: int) -> None:
    text = f"passing {number} arguments to <Thing at {address:#x}> is deprecated"
    assert _attribution.normalised(text) == "passing N arguments to <Thing at 0x…> is deprecated"
    assert _attribution.symbol_of(text) is None


def test_dotted_words_that_are_not_names_are_not_symbols() -> None:
    assert _attribution.symbol_of("e.g. setup.py is deprecated") is None
    assert _attribution.symbol_of("see setup.py; mylib.api.old is deprecated") == "mylib.api.old"


def test_a_pep_702_wrapper_is_attributed_to_the_decorated_function(
    tracking: dependencies.Tracking, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(
        tmp_path,
        {
            "pepnine/__init__.py": """
                from typing_extensions import deprecated

                @deprecated("pepnine.old is going away")
                def old():
                    return 1
            """
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import pepnine  # type: ignore[import-not-found]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        line = here() + 1
        pepnine.old()
    (use,) = uses()
    assert (use.symbol, use.package, use.line) == ("pepnine.old", "pepnine", line)
    del sys.modules["pepnine"]


# -- where the counts go ------------------------------------------------------------------------


def test_the_usage_log_and_the_report_carry_foreign_warnings(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    phaseout.configure(usage_log=str(log))
    with phaseout.track_warnings(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        line = here() + 2
        for _ in range(5):
            pd.Series([1], index=["a"])[0]
    phaseout.flush_usage()
    events = [json.loads(text) for text in log.read_text().splitlines()]
    assert [event["event"] for event in events] == ["deprecated_call", "deprecated_usage"]
    usage = events[1]
    del usage["timestamp"]
    assert usage == {
        "event": "deprecated_usage",
        "schema": 1,
        "pid": os.getpid(),
        "count": 5,
        "symbol": "Series.__getitem__",
        "package": "pandas",
        "phase": "hard",
        "since": None,
        "removed_in": None,
        "replacement": None,
        "caller": f"{__name__}:test_the_usage_log_and_the_report_carry_foreign_warnings",
        "file": __file__,
        "line": line,
        "kind": "warning",
        "category": "FutureWarning",
        "message": "Series.__getitem__ treating keys as positions is deprecated. In a future "
        "version, integer keys will always be treated as labels (consistent with DataFrame "
        "behavior). To access a value by position, use",  # the first 200 characters
    }
    done = run_phaseout(tmp_path, "report", str(log), "--by", "package,symbol,caller")
    assert done.returncode == 0, done.stderr
    (row,) = [line for line in done.stdout.splitlines() if "Series.__getitem__" in line]
    assert row.split()[:5] == [
        "pandas",
        "Series.__getitem__",
        f"{__name__}:test_the_usage_log_and_the_report_carry_foreign_warnings",
        "hard",
        "5",
    ]
    assert done.stdout.splitlines()[-1] == (
        "5 uses in 1 row from 2 events; 0 broken lines skipped, 0 other lines ignored"
    )


def test_opentelemetry_counts_foreign_warnings() -> None:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    reader = InMemoryMetricReader()
    phaseout.configure(meter_provider=MeterProvider(metric_readers=[reader]))
    try:
        with phaseout.track_warnings(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(4):
                structlog.__description__
        data = reader.get_metrics_data()
    finally:
        phaseout.configure(meter_provider=None)
    assert data is not None
    points = [
        (dict(point.attributes or {}), getattr(point, "value", None))
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        if metric.name == "phaseout.deprecated.uses"
        for point in metric.data.data_points
    ]
    assert points == [
        ({"symbol": "structlog.__description__", "package": "structlog", "phase": "soft"}, 4)
    ]


SCRIPT = """
import warnings, phaseout, structlog
warnings.simplefilter("ignore")
for _ in range(3):
    structlog.__description__
print([(u.symbol, u.count, u.kind) for u in phaseout.usage()])
"""


@pytest.mark.parametrize(
    ("value", "printed", "stderr"),
    [
        ("1", "[('structlog.__description__', 3, 'warning')]", ""),
        ("structlog,pandas", "[('structlog.__description__', 3, 'warning')]", ""),
        ("pandas", "[]", ""),
        ("0", "[]", ""),
        (
            "what?",
            "[]",
            "SettingsWarning: PHASEOUT_TRACK_WARNINGS must be 1, 0 or package names such as "
            "'pandas,numpy', got 'what?'; the variable is ignored",
        ),
    ],
)
def test_the_environment_variable_starts_tracking_at_import(
    value: str, printed: str, stderr: str, tmp_path: Path
) -> None:
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEOUT_")}
    env["PHASEOUT_TRACK_WARNINGS"] = value
    done = subprocess.run(
        [sys.executable, "-c", "import phaseout\n" + SCRIPT],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == printed
    assert stderr in done.stderr
    assert done.stderr.count("SettingsWarning") == (1 if stderr else 0)


def test_the_pytest_option_lists_foreign_warnings(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_app="""
        import structlog, pandas as pd

        def test_uses():
            structlog.__description__
            pd.Series([1], index=["a"])[0]
        """
    )
    result = pytester.runpytest_subprocess(
        "--phaseout-track-warnings=structlog", "-p", "no:cacheprovider", "-W", "ignore"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*phaseout: deprecated APIs used*",
            "structlog.__description__ (structlog, DeprecationWarning): 1 use",
            "    *test_app.py:4: 1",
        ]
    )
    assert "Series.__getitem__" not in result.stdout.str()


# -- watch ----------------------------------------------------------------------------------------

LIBRARY = '''
__version__ = "2.1"


def old(x, y=1):
    """Old."""
    return x + y


class Frame:
    def append(self, value):
        return [value]

    @classmethod
    def build(cls, n):
        return cls()

    @staticmethod
    def helper(n):
        return n * 2

    @property
    def size(self):
        return 3


class Legacy:
    def __init__(self, a):
        self.a = a


def noisy():
    import warnings

    warnings.warn("noisy is noisy", UserWarning, stacklevel=2)
    return 1
'''

TARGETS = ("old", "Frame.append", "Frame.build", "Frame.helper", "Frame.size", "Legacy")


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: Any) -> Iterator[str]:
    """A package of its own name for each test (so imported before or after a watch)."""
    name = f"extlib_{abs(hash(request.node.nodeid)) % 10**8}"
    write_tree(
        tmp_path, {f"{name}/__init__.py": LIBRARY, f"{name}/sub.py": "def f():\n    return 5\n"}
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
        del sys.modules[module]


def exercise(module: Any) -> list[Any]:
    frame = module.Frame()
    return [
        module.old(1),
        frame.append(2),
        type(module.Frame.build(3)).__name__,
        frame.helper(4),
        frame.size,
        module.Legacy(5).a,
    ]


def wrapped(module: Any) -> list[bool]:
    """Which of the targets carry a declaration now."""
    members = [vars(module.Frame)[name] for name in ("append", "build", "helper", "size")]
    inner = [getattr(member, "__func__", getattr(member, "fget", member)) for member in members]
    return [hasattr(item, "__phaseout__") for item in (module.old, *inner)] + [
        "__phaseout__" in vars(module.Legacy)
    ]


@pytest.mark.parametrize("imported_first", [True, False], ids=["imported-before", "imported-after"])
def test_watched_apis_keep_working_and_each_use_is_counted_quietly(
    library: str, imported_first: bool
) -> None:
    import importlib
    import inspect

    if imported_first:
        importlib.import_module(library)
    for target in TARGETS:
        phaseout.watch(f"{library}.{target}", since="2.0", removed_in="3.0")
    module = importlib.import_module(library)
    assert wrapped(module) == [True] * 6
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # quiet: nothing is shown, so nothing raises
        assert exercise(module) == [2, [2], "Frame", 8, 3, 5]
    assert inspect.signature(module.old) == inspect.signature(lambda x, y=1: None)
    line = here() + 1
    assert isinstance(module.Legacy(1), module.Legacy)
    assert [(use.symbol, use.line) for use in phaseout.usage()][-1] == (f"{library}.Legacy", line)
    assert pickle.loads(pickle.dumps(module.old)) is module.old
    assert pickle.loads(pickle.dumps(module.Legacy(3))).a == 3  # rebuilt, not a new use
    assert pickle.loads(pickle.dumps(module.Frame.build)).__func__ is module.Frame.build.__func__
    first = exercise.__code__.co_firstlineno
    lines = [first + 3, first + 4, first + 5, first + 6, first + 7, first + 8]
    assert [
        (use.symbol, use.phase, use.caller, use.line, use.count, use.kind)
        for use in phaseout.usage()
        if use.caller.endswith(":exercise")
    ] == [
        (f"{library}.{target}", phaseout.Phase.SOFT, f"{__name__}:exercise", line, 1, "declaration")
        for target, line in zip(TARGETS, lines, strict=True)
    ]
    assert {d.symbol: d.phase for d in phaseout.declarations() if d.symbol.startswith(library)} == {
        f"{library}.{target}": phaseout.Phase.SOFT for target in TARGETS
    }
    for target in TARGETS:
        phaseout.unwatch(f"{library}.{target}")
    assert wrapped(module) == [False] * 6
    assert exercise(module) == [2, [2], "Frame", 8, 3, 5]
    assert "__phaseout__" not in vars(module.Legacy)
    assert dependencies.watched() == []


def _without_new(klass: type) -> dict[str, Any]:
    # A class keeps the wrapper's __new__ (CPython cannot give it back its inherited one):
    # it only constructs, checked by `exercise` after unwatch.
    return {name: value for name, value in vars(klass).items() if name != "__new__"}


def test_unwatch_puts_back_the_very_objects(library: str) -> None:
    import importlib

    module = importlib.import_module(library)
    before = {
        "old": module.old,
        **{name: vars(module.Frame)[name] for name in ("append", "build", "helper", "size")},
        "legacy": _without_new(module.Legacy),
    }
    for target in TARGETS:
        phaseout.watch(f"{library}.{target}", since="2.0")
    assert module.old is not before["old"]
    for target in TARGETS:
        phaseout.unwatch(f"{library}.{target}")
    after = {
        "old": module.old,
        **{name: vars(module.Frame)[name] for name in ("append", "build", "helper", "size")},
        "legacy": _without_new(module.Legacy),
    }
    assert after == before
    assert all(after[name] is before[name] for name in ("old", "append", "build", "helper", "size"))
    assert module.Legacy(7).a == 7
    with pytest.raises(TypeError, match="takes 2 positional arguments but 3 were given"):
        module.Legacy(1, 2)


def test_shown_watches_warn_at_the_users_line_and_never_raise_once_removed(
    library: str,
) -> None:
    import importlib

    phaseout.watch(f"{library}.old", since="2.0", removed_in="3.0", show=True,
                   replacement=f"{library}.new")  # fmt: skip
    module = importlib.import_module(library)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        line = here() + 1
        module.old(1)
        with phaseout.pretend({library: "3.1"}):
            assert module.old(2) == 3  # the library still has it: the last warning, no error
    assert [(w.category, w.filename, w.lineno) for w in record] == [
        (phaseout.DeprecatedWarning, __file__, line),
        (phaseout.RemovalWarning, __file__, line + 2),
    ]
    assert str(record[0].message) == (
        f"{library}.old() is deprecated since {library} 2.0 and will be removed in 3.0. Use "
        f"{library}.new instead."
    )


def test_a_watched_functions_own_warning_still_names_its_caller(library: str) -> None:
    """The library warns with stacklevel=2 (its caller): the watch's wrapper stands there
    now, so the warning is sent past it, to the line that called the library."""
    import importlib

    module = importlib.import_module(library)
    with warnings.catch_warnings(record=True) as before:
        warnings.simplefilter("always")
        line = here() + 1
        module.noisy()
    phaseout.watch(f"{library}.noisy", since="1.0")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        module.noisy()
    assert [(w.filename, w.lineno) for w in before] == [(__file__, line)]
    assert [(w.filename, w.lineno, str(w.message)) for w in record] == [
        (__file__, line + 4, "noisy is noisy")
    ]
    phaseout.unwatch(f"{library}.noisy")
    assert warnings.warn is _filters.ORIGINAL_WARN  # no watch, no tracking: nothing stays


def test_a_target_in_a_submodule_waits_for_it(library: str) -> None:
    import importlib

    phaseout.watch(f"{library}.sub.f", since="1.0")
    importlib.import_module(library)
    assert f"{library}.sub" not in sys.modules  # nothing imported early
    sub = importlib.import_module(f"{library}.sub")
    assert sub.f() == 5
    assert [(use.symbol, use.count) for use in phaseout.usage()] == [(f"{library}.sub.f", 1)]


def test_a_missing_target_is_reported_once_and_the_import_works(library: str) -> None:
    import importlib

    phaseout.watch(f"{library}.Frame.gone", since="1.0")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        module = importlib.import_module(library)
    assert module.old(1) == 2
    assert [str(w.message) for w in record] == [
        f"phaseout.watch('{library}.Frame.gone') is not applied: {library}.Frame has no "
        f"attribute 'gone' in the installed version (removed already, or misspelt?)"
    ]
    (made,) = dependencies.watched()
    assert not made.applied
    assert made.problem == str(record[0].message)


def test_c_functions_are_refused_with_the_alternative() -> None:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        made = phaseout.watch("datetime.datetime.now", since="1.0")
    assert not made.applied
    assert [str(w.message) for w in record] == [
        "phaseout.watch('datetime.datetime.now') is not applied: datetime.datetime.now is a "
        "classmethod_descriptor, which phaseout cannot wrap (C code); "
        "phaseout.track_warnings() counts its own warnings, if it issues any"
    ]


@pytest.mark.parametrize(
    ("target", "options", "error"),
    [
        ("pandas", {"since": "1.0"}, "watch: target must be a dotted path"),
        ("pandas.concat", {"since": "two"}, "since must be a PEP 440 version"),
        ("pandas.concat", {"since": "1.0", "replacement": print}, "replacement must be a dotted"),
        ("pandas.concat", {"since": "1.0", "show": "yes"}, "show must be True or False"),
    ],
)
def test_bad_watches_are_refused_at_once(target: str, options: dict[str, Any], error: str) -> None:
    with pytest.raises((TypeError, ValueError), match=error):
        phaseout.watch(target, **options)
    assert dependencies.watched() == []


def test_unwatching_what_is_not_watched_says_what_is() -> None:
    phaseout.watch("pandas.DataFrame.applymap", since="2.1")
    with pytest.raises(ValueError, match=r"'pandas.concat' is not watched \(watched: pandas"):
        phaseout.unwatch("pandas.concat")


def test_a_real_librarys_deprecated_method_watched(tmp_path: Path) -> None:
    """pandas' own DataFrame.applymap (deprecated in 2.1, gone in 3.0) under a watch: the
    phase follows pandas' installed version; pandas' own FutureWarning is unchanged, and
    with tracking on it is not counted a second time (the watch counts the use)."""
    made = phaseout.watch(
        "pandas.DataFrame.applymap",
        since="2.1",
        removed_in="3.0",
        replacement="pandas.DataFrame.map",
    )
    frame = pd.DataFrame({"a": ["x"]})
    with phaseout.track_warnings(), warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        line = here() + 1
        result = frame.applymap(str.upper)
    assert result.to_dict() == {"a": {0: "X"}}
    assert [(w.category, w.lineno) for w in record] == [(FutureWarning, line)]  # pandas' own
    assert made.declaration is not None
    assert made.declaration.phase is phaseout.Phase.SOFT
    assert [(u.symbol, u.package, u.line) for u in phaseout.usage()] == [
        ("pandas.DataFrame.applymap", "pandas", line)
    ]
    phaseout.unwatch("pandas.DataFrame.applymap")
    assert "applymap" in vars(pd.DataFrame)


# -- the watch list and the audit -------------------------------------------------------------------

PYPROJECT = """
[project]
name = "shop"

[tool.phaseout.watch]
"pandas.DataFrame.applymap" = { since = "2.1", removed_in = "3.0", replacement = "pandas.DataFrame.map" }
"pandas.DataFrame.swapaxes" = { since = "2.1", removed_in = "3.0" }
"nosuchpackage.api.old" = { since = "1.0" }
"""


def test_the_watch_list_is_read_and_applied(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT)
    made = dependencies.watch_list(path)
    assert [(w.target, w.applied, w.show) for w in made] == [
        ("pandas.DataFrame.applymap", True, False),
        ("pandas.DataFrame.swapaxes", True, False),
        ("nosuchpackage.api.old", False, False),
    ]
    checked = dependencies.watch_list(path, apply=False)
    assert [w.applied for w in checked] == [False, False, False]


@pytest.mark.parametrize(
    ("table", "error"),
    [
        ('"a.b" = { since = "1", when = 2 }', "'a.b' has unknown options when"),
        ('"a.b" = { removed_in = "2" }', "'a.b' needs since"),
        ('"a.b" = "1.0"', "'a.b' must be a table"),
        ("show = 1", "show must be true or false"),
        ('"a.b" = { since = "x y" }', "a.b: since must be a PEP 440 version"),
    ],
)
def test_a_bad_watch_list_names_the_file_and_the_target(
    tmp_path: Path, table: str, error: str
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.phaseout.watch]\n{table}\n")
    with pytest.raises(ValueError, match=error) as caught:
        dependencies.watch_list(path)
    assert str(caught.value).startswith(f"{path}: [tool.phaseout.watch]: ")


def test_audit_watch_fails_ci_when_a_used_api_is_about_to_be_removed(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "uv.lock").write_text(
        'version = 1\n\n[[package]]\nname = "pandas"\nversion = "3.0.1"\n'
    )
    log = tmp_path / "usage.jsonl"
    event = {
        "event": "deprecated_usage", "schema": 1, "pid": 1, "timestamp": "2026-12-01T10:00:00Z",
        "count": 40,
        "symbol": "pandas.DataFrame.applymap", "package": "pandas", "phase": "soft",
        "caller": "shop.reports:shout", "file": "shop/reports.py", "line": 12,
    }  # fmt: skip
    log.write_text(json.dumps(event) + "\n")
    installed = pd.__version__
    done = run_phaseout(
        tmp_path, "audit", "--watch", "--lock", "uv.lock", "--usage", str(log),
        "--fail-on", "watched-removal",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stdout == (
        f"Watched APIs ({tmp_path / 'pyproject.toml'})\n"
        "\n"
        "watched API                package        installed  phase  upcoming  phase then  "
        "removed in  calls  call sites\n"
        f"pandas.DataFrame.applymap  pandas         {installed}      soft   3.0.1     removed"
        "     3.0         40     1\n"
        f"pandas.DataFrame.swapaxes  pandas         {installed}      soft   3.0.1     removed"
        "     3.0         0      0\n"
        "nosuchpackage.api.old      nosuchpackage  -          -      -         -           "
        "-           0      0\n"
        "\n"
        "PO900 watched-removal (error): pandas.DataFrame.applymap is used 40 times from 1 call "
        "site, and pandas 3.0.1 removes it (removed in 3.0); use pandas.DataFrame.map instead\n"
        "PO910 watched-unknown (warning): nosuchpackage is not installed and no --at or --lock "
        "pins it: the phase of nosuchpackage.api.old cannot be told\n"
    )
    at = run_phaseout(tmp_path, "audit", "--watch", "--at", "pandas==2.9", "--format", "json",
                      "--fail-on", "watched-removal")  # fmt: skip
    assert at.returncode == 0, at.stderr
    document = json.loads(at.stdout)
    assert [(w["target"], w["upcoming_phase"]) for w in document["watched"]] == [
        ("pandas.DataFrame.applymap", "soft"),
        ("pandas.DataFrame.swapaxes", "soft"),
        ("nosuchpackage.api.old", None),
    ]
    assert [f["kind"] for f in document["findings"]] == ["watched-unknown"]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--watch", "--at", "pandas"], "--at must be PACKAGE==VERSION such as 'pandas==2.0'"),
        (["--watch", "--fail-on", "overdue"], "with --watch, --fail-on must be finding kinds"),
        (["--watch", "mylib"], "--watch audits the watch list; drop PACKAGE"),
        (["--lock", "uv.lock"], "PACKAGE is required"),
        (["--watch", "--lock", "missing.lock"], "--lock missing.lock: No such file"),
    ],
)
def test_audit_watch_bad_input(tmp_path: Path, args: list[str], error: str) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    done = run_phaseout(tmp_path, "audit", *args)
    assert done.returncode == 2
    assert error in done.stderr


def test_lock_files_of_every_kind_are_read(tmp_path: Path) -> None:
    from phaseout.dependencies._audit import read_lock

    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# pinned\npandas==2.2.3 ; python_version >= '3.10'\nnumpy[x]===2.0\n-e .\n"
    )
    poetry = tmp_path / "poetry.lock"
    poetry.write_text('[[package]]\nname = "Pandas"\nversion = "2.1.0"\n')
    pylock = tmp_path / "pylock.toml"
    pylock.write_text('lock-version = "1.0"\n[[packages]]\nname = "pandas"\nversion = "3.0"\n')
    assert {k: str(v) for k, v in read_lock(requirements).items()} == {
        "pandas": "2.2.3",
        "numpy": "2.0",
    }
    assert {k: str(v) for k, v in read_lock(poetry).items()} == {"pandas": "2.1.0"}
    assert {k: str(v) for k, v in read_lock(pylock).items()} == {"pandas": "3.0"}


# -- the worked example of docs/dependencies.md ---------------------------------------------------

DOC = Path(__file__).resolve().parent.parent / "docs" / "dependencies.md"
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def _shown_after(marker: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("```text\n", text.index(marker)) + len("```text\n")
    return text[start : text.index("```", start)]


def test_the_pages_report_and_audit_are_what_the_example_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_docs import run_examples

    run_examples(DOC, tmp_path, monkeypatch)
    report = run_phaseout(
        tmp_path, "report", "usage.jsonl", "--package", "pandas", "--by", "package,symbol,caller"
    )
    assert report.returncode == 0, report.stderr
    shown = _shown_after("<!-- the report of the example above")
    assert _STAMP.sub("<time>", report.stdout) == _STAMP.sub("<time>", shown)
    audit = run_phaseout(
        tmp_path, "audit", "--watch", "--at", "pandas==3.0", "--usage", "usage.jsonl",
        "--fail-on", "watched-removal",
    )  # fmt: skip
    assert audit.returncode == 1, audit.stderr
    # The page names a project folder and the pandas its author had installed.
    printed = audit.stdout.replace(str(tmp_path), "/srv/shop").replace(pd.__version__, "2.3.3")
    assert printed == _shown_after("# exit 1")

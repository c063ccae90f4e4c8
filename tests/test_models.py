"""Data models: parameter declarations and deprecated fields on dataclasses, attrs classes,
pydantic models and NamedTuples, stacked above or below the class generator."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import json
import pickle
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import attrs
import pydantic
import pytest

import phaseout
from phaseout import ChangedDefaultWarning, DeprecatedWarning
from phaseout.exceptions import RemovedArgumentError, RemovedAttributeError, RemovedValueError

from .helpers import here, run_phaseout, write_tree

PKG = "modlib"
T: dict[str, Any] = {"since": "2.0", "removed_in": "3.0", "package": PKG}
CHANGE: dict[str, Any] = {"since": "2.0", "changes_in": "3.0", "package": PKG}


@pytest.fixture(autouse=True)
def _soft() -> Iterator[None]:
    with phaseout.pretend({PKG: "2.5"}):
        yield


def _dc(**options: Any) -> Callable[[type], type]:
    return lambda cls: dataclasses.dataclass(**options)(cls)


# The class generators, each with a way to copy an instance changing one field.
FAMILIES: dict[str, tuple[Callable[[type], type], Callable[[Any, str, Any], Any]]] = {
    "dataclass": (_dc(), lambda o, k, v: dataclasses.replace(o, **{k: v})),
    "dataclass-frozen": (_dc(frozen=True), lambda o, k, v: dataclasses.replace(o, **{k: v})),
    "dataclass-slots": (_dc(slots=True), lambda o, k, v: dataclasses.replace(o, **{k: v})),
    "dataclass-kw_only": (_dc(kw_only=True), lambda o, k, v: dataclasses.replace(o, **{k: v})),
    "attrs-define": (attrs.define, lambda o, k, v: attrs.evolve(o, **{k: v})),
    "attrs-frozen": (attrs.frozen, lambda o, k, v: attrs.evolve(o, **{k: v})),
}
ORDERS = ("above", "below")  # the declaration above or below the generator


def build(family: str, order: str, declarations: list[Callable[[Any], Any]]) -> Any:
    """A class with fields width, color, size, legacy, decorated by *declarations*."""
    generate = FAMILIES[family][0]

    class Report:
        width: int | None = None
        color: str = "red"
        size: int = 10
        legacy: int = 0

    return _generated(Report, f"Report_{family}_{order}", generate, order, declarations)


def _generated(
    cls: Any,
    name: str,
    generate: Callable[[type], type],
    order: str,
    declarations: list[Callable[[Any], Any]],
) -> Any:
    """*cls* generated and declared, made a global of this module (so pickle finds it)."""
    name = name.replace("-", "_")
    cls.__module__, cls.__qualname__, cls.__name__ = __name__, name, name
    if order == "below":
        for declare in reversed(declarations):
            cls = declare(cls)
        cls = generate(cls)
    else:
        cls = generate(cls)
        for declare in reversed(declarations):
            cls = declare(cls)
    globals()[name] = cls
    return cls


def declarations() -> list[Callable[[Any], Any]]:
    return [
        phaseout.renamed_parameter("colour", "color", **T),
        phaseout.deprecated_value("width", -1, new=None, **T),
        phaseout.changed_default("size", 20, **CHANGE),
        phaseout.removed_parameter("legacy", **T),
    ]


def texts(log: list[warnings.WarningMessage]) -> list[tuple[type[Warning], str, int]]:
    return [(w.category, str(w.message), w.lineno) for w in log]


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("family", FAMILIES)
def test_every_parameter_declaration_applies_to_a_generated_constructor(
    family: str, order: str, record: list[warnings.WarningMessage]
) -> None:
    cls = build(family, order, declarations())
    before = inspect.signature(cls)
    name = f"{__name__}.{cls.__qualname__}"

    line = here() + 1
    report = cls(colour="blue", width=-1, legacy=1)
    assert (report.color, report.width, report.size, report.legacy) == ("blue", None, 10, 1)
    assert sorted(texts(record), key=repr) == sorted(
        [
            (
                DeprecatedWarning,
                f"{name}(colour=) is deprecated since {PKG} 2.0 and will be removed in 3.0. "
                f"Use {name}(color=) instead.",
                line,
            ),
            (
                DeprecatedWarning,
                f"{name}(width=-1) is deprecated since {PKG} 2.0 and will be removed in 3.0. "
                f"Use {name}(width=None) instead.",
                line,
            ),
            (
                ChangedDefaultWarning,
                f"The default of {name}(size=) changes from 10 to 20 in {PKG} 3.0 (announced "
                f"in 2.0). Pass size=10 to keep the current behaviour, or size=20 to adopt the "
                f"new one now.",
                line,
            ),
            (
                DeprecatedWarning,
                f"{name}(legacy=) is deprecated since {PKG} 2.0 and will be removed in 3.0. "
                f"Stop passing legacy.",
                line,
            ),
        ],
        key=repr,
    )
    assert all(w.filename == __file__ for w in record)
    record.clear()

    # Nothing deprecated used: silent, whatever the machinery does with the object.
    plain = cls(color="green", size=10)
    assert record == []
    replace = FAMILIES[family][1]
    assert replace(plain, "color", "blue").color == "blue"
    assert replace(report, "size", 11).legacy == 1  # replace() passes legacy= back: no use
    assert pickle.loads(pickle.dumps(plain)) == plain
    assert copy.copy(plain) == plain
    assert copy.deepcopy(report) == report
    assert repr(plain) == f"{cls.__qualname__}(width=None, color='green', size=10, legacy=0)"
    assert plain != report
    assert record == []
    assert inspect.signature(cls) == before  # the same before and after a first call
    assert str(before).startswith("(" if family != "dataclass-kw_only" else "(*, ")

    with pytest.raises(TypeError, match=r"got both colour= and color="):
        cls(colour="a", color="b", size=10)
    with phaseout.pretend({PKG: "3.0"}):
        assert cls().size == 20  # the new default, silently
        with pytest.raises(RemovedArgumentError, match=rf"^{name}\(colour=\) was removed"):
            cls(colour="x")
        with pytest.raises(RemovedValueError, match=rf"^{name}\(width=-1\) was removed"):
            cls(width=-1)
    assert [w.category for w in record] == []


@pytest.mark.parametrize("family", ["dataclass", "attrs-define"])
def test_keyword_only_on_a_generated_constructor(
    family: str, record: list[warnings.WarningMessage]
) -> None:
    cls = build(family, "below", [phaseout.keyword_only("size", "legacy", **T)])
    line = here() + 1
    report = cls(None, "red", 3, 4)
    assert (report.size, report.legacy) == (3, 4)
    [warning] = record
    assert warning.lineno == line
    assert warning.category is DeprecatedWarning
    name = f"{__name__}.{cls.__qualname__}"
    assert str(warning.message).startswith(
        f"Passing size, legacy to {name}() by position is deprecated"
    )
    assert str(warning.message).endswith(
        f"Pass them by keyword: {name}(width, color, size=..., legacy=...)."
    )


def test_declarations_on_both_sides_of_the_generator_stack(
    record: list[warnings.WarningMessage],
) -> None:
    @phaseout.renamed_parameter("colour", "color", **T)
    @dataclasses.dataclass
    @phaseout.deprecated_value("width", -1, new=None, **T)
    class Report:
        width: int | None = None
        color: str = "red"

    report = Report(width=-1, colour="blue")  # type: ignore[call-arg]
    assert (report.width, report.color) == (None, "blue")
    assert sorted(str(w.message).split(" is ")[0] for w in record) == [
        f"{__name__}.{Report.__qualname__}(colour=)",
        f"{__name__}.{Report.__qualname__}(width=-1)",
    ]


def test_a_declaration_waiting_below_the_generator_is_checked_on_first_construction() -> None:
    @dataclasses.dataclass
    @phaseout.renamed_parameter("colour", "hue", **T)
    class Report:
        color: str = "red"

    with pytest.raises(TypeError, match=r"Report\(colour=\): cannot rename 'colour' to 'hue'"):
        Report()


def test_a_waiting_declaration_is_applied_when_unpickled_first() -> None:
    # A fresh process: the class is unpickled before it is ever constructed.
    code = """
import dataclasses, pickle, sys, warnings
import phaseout

@dataclasses.dataclass
@phaseout.deprecated_value("width", -1, since="2.0", removed_in="3.0", package="modlib")
class Report:
    width: int = 0

sys.modules["__main__"].Report = Report
warnings.simplefilter("always")
with phaseout.pretend({"modlib": "2.5"}), warnings.catch_warnings(record=True) as log:
    warnings.simplefilter("always")
    data = sys.stdin.buffer.read()
    report = pickle.loads(data)
    print(report, len(log))
    Report(width=-1)
    print(len(log), log[-1].lineno if log else None)
"""

    @dataclasses.dataclass
    class Report:
        width: int = 0

    Report.__module__ = "__main__"
    Report.__qualname__ = "Report"
    saved = sys.modules["__main__"].__dict__.get("Report")
    sys.modules["__main__"].Report = Report  # type: ignore[attr-defined]
    try:
        data = pickle.dumps(Report(width=-1))
    finally:
        if saved is None:
            del sys.modules["__main__"].Report
    done = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, check=True)
    line = code.splitlines().index("    Report(width=-1)") + 1
    assert done.stdout.decode().splitlines() == ["Report(width=-1) 0", f"1 {line}"]


# -- pydantic and NamedTuple -------------------------------------------------------------------


def test_parameter_declarations_on_a_pydantic_model(record: list[warnings.WarningMessage]) -> None:
    class Model(pydantic.BaseModel):
        width: int | None = None
        color: str = "red"
        size: int = 10
        legacy: int = 0

    Report = _generated(
        Model,
        "PydanticReport",
        lambda cls: cls,
        "above",
        [
            phaseout.renamed_parameter("colour", "color", **T),
            phaseout.changed_default("size", 20, **CHANGE),
            phaseout.deprecated_value("width", -1, new=None, **T),
            phaseout.removed_parameter("legacy", **T),
        ],
    )
    with pytest.raises(TypeError, match=r"PydanticReport\(\*, size\): it takes no argument by "):
        phaseout.keyword_only("size", **T)(Report)

    signature = inspect.signature(Report)
    name = f"{__name__}.{Report.__qualname__}"
    line = here() + 1
    report = Report(colour="blue", width=-1, legacy=3)
    assert (report.color, report.width, report.size, report.legacy) == ("blue", None, 10, 3)
    assert [(w.category, str(w.message).split(" is ")[0], w.lineno) for w in record] == [
        (DeprecatedWarning, f"{name}(legacy=)", line),
        (DeprecatedWarning, f"{name}(width=-1)", line),
        (
            ChangedDefaultWarning,
            f"The default of {name}(size=) changes from 10 to 20 in {PKG} 3.0 (announced in 2.0). Pass size=10 to keep the current behaviour, or size=20 to adopt the new one now.",
            line,
        ),
        (DeprecatedWarning, f"{name}(colour=)", line),
    ]
    record.clear()
    plain = Report(size=10)
    assert plain.model_copy(update={"color": "x"}).color == "x"
    assert Report.model_validate({"size": 3}).size == 3  # validation is not the constructor
    assert pickle.loads(pickle.dumps(plain)) == plain
    assert plain.model_dump() == {"width": None, "color": "red", "size": 10, "legacy": 0}
    assert record == []
    assert inspect.signature(Report) == signature
    with phaseout.pretend({PKG: "3.0"}):
        assert Report().size == 20
        with pytest.raises(RemovedArgumentError, match=rf"^{name}\(legacy=\) was removed"):
            Report(legacy=1)
        with pytest.raises(RemovedValueError, match=rf"^{name}\(width=-1\) was removed"):
            Report(width=-1)
    with pytest.raises(TypeError, match=r"got both colour= and color="):
        Report(colour="a", color="b", size=10)


def test_parameter_declarations_on_a_named_tuple(record: list[warnings.WarningMessage]) -> None:
    class Pair(NamedTuple):
        width: int = 0
        legacy: int = 0
        color: str = "red"
        mode: str = "a"
        size: int = 10

    signature = inspect.signature(Pair)
    Point = _generated(
        Pair,
        "Point",
        lambda cls: cls,
        "above",
        [
            phaseout.removed_parameter("legacy", **T),
            phaseout.deprecated_value("width", -1, new=0, **T),
            phaseout.renamed_parameter("colour", "color", **T),
            phaseout.keyword_only("size", **T),
            phaseout.changed_default("mode", "b", **CHANGE),
        ],
    )

    name = f"{__name__}.{Point.__qualname__}"
    line = here() + 1
    point = Point(-1, 5, colour="x", mode="a")
    assert point == (0, 5, "x", "a", 10)
    assert sorted((str(w.message).split(" is ")[0], w.lineno) for w in record) == [
        (f"{name}(colour=)", line),
        (f"{name}(legacy=)", line),
        (f"{name}(width=-1)", line),
    ]
    record.clear()
    assert Point(0, 0, "red", "a", 4) == (0, 0, "red", "a", 4)  # size (and legacy) by position
    assert [str(w.message).split(" is ")[0] for w in record] == [
        f"Passing size to {name}() by position",
        f"{name}(legacy=)",
    ]
    record.clear()
    assert Point().mode == "a"  # the default that changes
    assert record[-1].category is ChangedDefaultWarning
    record.clear()
    point = Point(-1, 5, color="x", mode="a")
    record.clear()
    assert point._replace(width=3) == (3, 5, "x", "a", 10)
    assert pickle.loads(pickle.dumps(point)) == point
    assert copy.copy(point) == point
    assert copy.deepcopy(point) == point
    assert Point._make([1, 2, "c", "a", 3]) == (1, 2, "c", "a", 3)
    assert record == []
    assert inspect.signature(Point) == signature
    assert list(signature.parameters) == ["width", "legacy", "color", "mode", "size"]


# -- deprecated fields -------------------------------------------------------------------------


FIELD_FAMILIES = [*FAMILIES, "pydantic", "namedtuple"]


def field_class(family: str, order: str) -> Any:
    kept = phaseout.deprecated_field("legacy", **T)
    moved = phaseout.deprecated_field("colour", new="color", **T)
    name = f"Fields_{family}_{order}"
    if family == "pydantic":

        class Model(pydantic.BaseModel):
            color: str = "red"
            legacy: int = 0

        return _generated(Model, name, lambda cls: cls, order, [moved, kept])
    if family == "namedtuple":

        class Tuple(NamedTuple):
            color: str = "red"
            legacy: int = 0

        return _generated(Tuple, name, lambda cls: cls, order, [moved, kept])

    class Report:
        color: str = "red"
        legacy: int = 0

    return _generated(Report, name, FAMILIES[family][0], order, [moved, kept])


# pydantic models and NamedTuples have no decorator to stack below.
FIELD_CASES = [
    (family, order)
    for family in FIELD_FAMILIES
    for order in ORDERS
    if order == "above" or family in FAMILIES
]


@pytest.mark.parametrize(("family", "order"), FIELD_CASES)
def test_deprecated_fields_warn_only_when_the_user_touches_them(
    family: str, order: str, record: list[warnings.WarningMessage]
) -> None:
    cls = field_class(family, order)
    name = f"{__name__}.{cls.__qualname__}"
    writable = family not in ("namedtuple", "dataclass-frozen", "attrs-frozen")

    plain = cls(color="blue")
    # The class's machinery: silent.
    if family == "pydantic":
        assert plain.model_dump() == {"color": "blue", "legacy": 0}
        assert plain.model_copy(update={"legacy": 2}).model_dump()["legacy"] == 2
        schema = cls.model_json_schema()["properties"]
        assert schema["legacy"]["deprecated"] is True
        assert "colour" not in schema
        assert list(cls.model_fields) == ["color", "legacy"]
    elif family == "namedtuple":
        assert plain._asdict() == {"color": "blue", "legacy": 0}
        assert plain._replace(legacy=2)[1] == 2
    else:
        replace = FAMILIES[family][1]
        assert replace(plain, "color", "x").color == "x"
        fields = attrs.fields if family.startswith("attrs") else dataclasses.fields
        assert [f.name for f in fields(cls)] == ["color", "legacy"]
        as_dict = attrs.asdict if family.startswith("attrs") else dataclasses.asdict
        assert as_dict(plain) == {"color": "blue", "legacy": 0}
    assert repr(plain).replace(cls.__qualname__, "") in (
        "(color='blue', legacy=0)",
        "color='blue' legacy=0",
    )
    assert plain == cls(color="blue")
    assert plain != cls(color="x")
    assert pickle.loads(pickle.dumps(plain)) == plain
    assert copy.deepcopy(plain) == plain
    if family.endswith("frozen"):
        assert hash(plain) == hash(cls(color="blue"))
    assert [(str(w.message), w.filename, w.lineno) for w in record] == []

    # The user's uses: one warning each, at the user's line.
    lines = []
    lines.append(here() + 1)
    assert plain.legacy == 0
    if writable:
        lines.append(here() + 1)
        plain.legacy = 4
        assert plain.legacy == 4
        assert record.pop().lineno == lines[-1] + 1
    lines.append(here() + 1)
    cls(legacy=1)
    symbols = [str(w.message).split(" is ")[0] for w in record]
    assert symbols == [f"{name}.legacy", *([f"{name}.legacy"] * writable), f"{name}(legacy=)"]
    assert [w.lineno for w in record] == lines
    assert all(w.category is DeprecatedWarning for w in record)
    record.clear()
    # The renamed field, on every family.
    assert plain.colour == "blue"
    if writable:
        plain.colour = "green"
        assert plain.color == "green"
    assert cls(colour="x").color == "x"
    assert [str(w.message) for w in record][-1] == (
        f"{name}(colour=) is deprecated since {PKG} 2.0 and will be removed in 3.0. "
        f"Use {name}(color=) instead."
    )
    assert str(record[0].message) == (
        f"{name}.colour is deprecated since {PKG} 2.0 and will be removed in 3.0. "
        f"Use {name}.color instead."
    )
    assert len(record) == 2 + writable
    with phaseout.pretend({PKG: "3.0"}):
        with pytest.raises(RemovedAttributeError, match=rf"^{name}\.legacy was removed"):
            _ = plain.legacy


def test_field_reads_are_counted_per_call_site() -> None:
    @phaseout.deprecated_field("legacy", **T)
    @dataclasses.dataclass
    class Report:
        legacy: int = 0

    report = Report()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = here() + 1
        for _ in range(3):
            _ = report.legacy
        second = here() + 1
        _ = report.legacy
    counts = {
        (u.line, u.count)
        for u in phaseout.usage()
        if u.symbol == f"{__name__}.{Report.__qualname__}.legacy"
    }
    assert counts == {(first + 1, 3), (second, 1)}


def test_deprecated_field_refuses_what_is_not_a_class() -> None:
    with pytest.raises(TypeError, match=r"deprecated_field decorates a class .*got <function"):
        phaseout.deprecated_field("a", **T)(lambda: None)  # type: ignore[type-var]
    with pytest.raises(TypeError, match=r"name must be an identifier, got 'a b'"):
        phaseout.deprecated_field("a b", **T)
    with pytest.raises(ValueError, match=r"cannot rename 'a' to itself"):
        phaseout.deprecated_field("a", new="a", **T)


def test_pydantic_field_deprecated_is_kept_and_phaseout_warns_once() -> None:
    @phaseout.deprecated_field("legacy", **T)
    class Model(pydantic.BaseModel):
        legacy: int = pydantic.Field(0, deprecated="Use color.")
        color: str = "red"

    assert Model.model_fields["legacy"].deprecated == "Use color."
    assert Model.model_json_schema()["properties"]["legacy"]["deprecated"] is True
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        _ = Model().legacy  # type: ignore[call-arg]
    assert [(w.category, str(w.message).split(" is ")[0]) for w in log] == [
        (DeprecatedWarning, f"{__name__}.{Model.__qualname__}.legacy")
    ]


def test_waiting_declarations_are_listed_before_any_construction() -> None:
    class Body:
        width: int = 0

    # A global of this module, found by its qualified name as a module's class is.
    declare = phaseout.deprecated_value("width", -1, new=0, **T)
    Waiting = _generated(Body, "Waiting", _dc(slots=True), "below", [declare])
    try:
        signature = inspect.signature(Waiting)
        symbols = [d.symbol for d in phaseout.declarations(PKG)]
        assert f"{__name__}.Waiting(width=-1)" in symbols
        assert inspect.signature(Waiting) == signature
        with warnings.catch_warnings(record=True) as log:
            warnings.simplefilter("always")
            assert Waiting(width=-1).width == 0
        assert [str(w.message).split(" is ")[0] for w in log] == [f"{__name__}.Waiting(width=-1)"]
        assert symbols.count(f"{__name__}.Waiting(width=-1)") == 1
    finally:
        del globals()["Waiting"]


CALLERS = """\
from replib import Report, Below
import replib

r = Report(width=-1, colour="blue")
b = Below(colour="x")
c = replib.Report(colour="y")
"""

LIBRARY = """\
import dataclasses
import phaseout

T = dict(since="1.0", removed_in="3.0", current_version="2.0")


@phaseout.renamed_parameter("colour", "color", **T)
@phaseout.deprecated_value("width", -1, new=None, **T)
@dataclasses.dataclass
class Report:
    width: int | None = None
    color: str = "red"


@dataclasses.dataclass
@phaseout.renamed_parameter("colour", "color", **T)
class Below:
    color: str = "red"
"""


def test_fix_rewrites_constructor_calls_whichever_the_stacking(tmp_path: Path) -> None:
    write_tree(tmp_path, {"replib/__init__.py": LIBRARY, "app/use.py": CALLERS})
    done = run_phaseout(tmp_path, "fix", "--package", "replib", "--write", "app")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "app" / "use.py").read_text() == CALLERS.replace(
        'Report(width=-1, colour="blue")', 'Report(width=None, color="blue")'
    ).replace('Below(colour="x")', 'Below(color="x")').replace(
        'Report(colour="y")', 'Report(color="y")'
    )
    audit = run_phaseout(tmp_path, "audit", "replib", "--format", "json")
    assert sorted(d["symbol"] for d in json.loads(audit.stdout)["declarations"]) == [
        "replib.Below(colour=)",
        "replib.Report(colour=)",
        "replib.Report(width=-1)",
    ]

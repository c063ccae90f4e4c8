from __future__ import annotations

import asyncio
import copy
import functools
import inspect
import pickle
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, NamedTuple

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
from phaseout.registry import declaration_of

from .helpers import here, only

PKG = "sample-lib"
dep = functools.partial(phaseout.deprecated, since="1.0", removed_in="2.0", package=PKG)
# compat_in forwards calls, so it takes a callable replacement.
forwarding = functools.partial(dep, compat_in="1.5")


def new_plain(x: int) -> str:
    return f"new {x}"


@forwarding(replacement=new_plain)
def plain(x: int) -> str:
    """Old plain.

    Body.
    """
    return f"old {x}"


@dep()
async def coro(x: int) -> int:
    return x + 1


@dep()
def gen(n: int) -> Iterator[int]:
    yield from range(n)


@dep()
async def agen(n: int) -> AsyncIterator[int]:
    for i in range(n):
        yield i


class Widget:
    def __init__(self) -> None:
        self._size = 1

    @dep()
    def method(self, y: int = 2) -> int:
        return y

    @dep()
    @classmethod
    def cm_above(cls) -> type:
        return cls

    @classmethod
    @dep()
    def cm_below(cls) -> type:
        return cls

    @dep()
    @staticmethod
    def sm_above(a: int) -> int:
        return a

    @staticmethod
    @dep()
    def sm_below(a: int) -> int:
        return a

    @dep()  # type: ignore[prop-decorator]
    @property
    def size(self) -> int:
        """The size."""
        return self._size

    @size.setter
    def size(self, value: int) -> None:
        self._size = value

    @size.deleter
    def size(self) -> None:
        self._size = 0

    @property
    @dep()
    def under(self) -> int:
        return 7

    @dep()
    async def amethod(self) -> int:
        return 3


@dep(replacement="sample.Gadget")
class Gizmo:
    """An old class."""

    def __init__(self, a: int, b: int = 2) -> None:
        self.a = a
        self.b = b


def _closing(obj: Any) -> Any:
    """Close a coroutine or generator created only to trigger the call-time warning."""
    if inspect.iscoroutine(obj):
        obj.close()
    elif inspect.isasyncgen(obj):
        asyncio.run(obj.aclose())
    return obj


W = Widget()

# Each use on its own line: the lambda's line is the line the warning must point at.
USES: dict[str, tuple[Callable[[], Any], str]] = {
    "function": (lambda: plain(1), "plain"),
    "method": (lambda: W.method(3), "Widget.method"),
    "classmethod above": (lambda: Widget.cm_above(), "Widget.cm_above"),
    "classmethod below": (lambda: W.cm_below(), "Widget.cm_below"),
    "staticmethod above": (lambda: W.sm_above(1), "Widget.sm_above"),
    "staticmethod below": (lambda: Widget.sm_below(1), "Widget.sm_below"),
    "property get": (lambda: W.size, "Widget.size"),
    "property set": (lambda: setattr(W, "size", 5), "Widget.size"),
    "property delete": (lambda: delattr(W, "size"), "Widget.size"),
    "property below": (lambda: W.under, "Widget.under"),
    "class": (lambda: Gizmo(1), "Gizmo"),
    "subclassing": (lambda: type("Sub", (Gizmo,), {}), "Gizmo"),
    "coroutine function": (lambda: _closing(coro(1)), "coro"),
    "async method": (lambda: _closing(W.amethod()), "Widget.amethod"),
    "generator": (lambda: gen(2), "gen"),
    "async generator": (lambda: _closing(agen(2)), "agen"),
}

PHASES = [
    ("0.9", PendingWarning, Phase.PENDING),
    ("1.2", DeprecatedWarning, Phase.SOFT),
    ("2.0rc2", RemovalWarning, Phase.HARD),
]


@pytest.mark.parametrize("kind", USES)
@pytest.mark.parametrize(("version", "category", "phase"), PHASES)
def test_every_kind_warns_at_the_callers_line(
    kind: str, version: str, category: type[PhaseoutWarning], phase: Phase
) -> None:
    use, name = USES[kind]
    with phaseout.pretend({PKG: version}), pytest.warns(category) as record:
        use()
    warning = only(record)
    assert type(warning) is category
    assert record[0].filename == __file__
    assert record[0].lineno == use.__code__.co_firstlineno
    assert warning.symbol == f"{__name__}.{name}"
    assert (warning.package, warning.phase, warning.since) == (PKG, phase, "1.0")
    assert (warning.hard_in, warning.removed_in) == (None, "2.0")


@pytest.mark.parametrize("kind", USES)
def test_every_kind_raises_after_removal(kind: str) -> None:
    use, name = USES[kind]
    with phaseout.pretend({PKG: "2.0"}), pytest.raises(RemovedError) as info:
        use()
    assert info.value.symbol == f"{__name__}.{name}"
    assert info.value.phase is Phase.REMOVED
    assert info.value.removed_in == "2.0"
    assert f"was removed in {PKG} 2.0 (deprecated since 1.0; 2.0 is pretended)" in str(info.value)


def test_results_and_bindings_are_unchanged() -> None:
    with phaseout.pretend({PKG: "1.2"}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert plain(2) == "old 2"
        assert W.method() == 2
        assert Widget.cm_above() is Widget
        assert W.cm_below() is Widget
        assert Widget.sm_above(4) == 4
        assert W.sm_below(5) == 5
        widget = Widget()
        widget.size = 9
        assert widget.size == 9
        del widget.size
        assert widget.size == 0
        assert asyncio.run(coro(1)) == 2
        assert asyncio.run(W.amethod()) == 3
        assert list(gen(3)) == [0, 1, 2]

        async def collect() -> list[int]:
            return [i async for i in agen(3)]

        assert asyncio.run(collect()) == [0, 1, 2]
        gizmo = Gizmo(1, b=3)
        assert (gizmo.a, gizmo.b) == (1, 3)
        assert isinstance(gizmo, Gizmo)
        assert type(gizmo) is Gizmo


def test_coroutines_warn_when_called_not_when_awaited() -> None:
    with phaseout.pretend({PKG: "1.2"}):
        with pytest.warns(DeprecatedWarning) as record:
            pending = coro(1)
        assert len(record) == 1
        # Awaiting raises no warning: the suite turns any warning into an error.
        assert asyncio.run(pending) == 2


def test_flags_signatures_and_metadata_are_kept() -> None:
    assert inspect.iscoroutinefunction(coro)
    assert inspect.iscoroutinefunction(W.amethod)
    assert inspect.iscoroutinefunction(Widget.amethod)
    assert inspect.isgeneratorfunction(gen)
    assert inspect.isasyncgenfunction(agen)
    assert not inspect.iscoroutinefunction(plain)
    assert str(inspect.signature(plain)) == "(x: 'int') -> 'str'"
    assert str(inspect.signature(coro)) == "(x: 'int') -> 'int'"
    assert str(inspect.signature(W.method)) == "(y: 'int' = 2) -> 'int'"
    assert str(inspect.signature(Widget.cm_above)) == "() -> 'type'"
    assert str(inspect.signature(Gizmo)) == "(a: 'int', b: 'int' = 2) -> 'None'"
    assert (plain.__name__, plain.__qualname__, plain.__module__) == ("plain", "plain", __name__)
    assert Widget.method.__qualname__ == "Widget.method"
    assert coro.__qualname__ == "coro"
    assert inspect.unwrap(plain)("x") == "old x"
    assert plain.__doc__ is not None
    assert inspect.cleandoc(plain.__doc__) == (
        "Old plain.\n\nBody.\n\n.. deprecated:: 1.0\n"
        f"   Will be removed in 2.0. Use {__name__}.new_plain instead."
    )
    assert plain.__deprecated__ == (  # type: ignore[attr-defined]
        f"{__name__}.plain() is deprecated since 1.0 and will be removed in 2.0. "
        f"Use {__name__}.new_plain instead."
    )
    assert Gizmo.__deprecated__.startswith(f"class {__name__}.Gizmo is deprecated")  # type: ignore[attr-defined]
    assert Widget.size.__doc__ is not None
    assert ".. deprecated:: 1.0" in Widget.size.__doc__


def test_pickling_by_reference() -> None:
    for obj in (plain, coro, gen, Gizmo, Widget.amethod):
        assert pickle.loads(pickle.dumps(obj)) is obj
    with phaseout.pretend({PKG: "1.2"}), pytest.warns(DeprecatedWarning) as record:
        line = here() + 1
        clone = pickle.loads(pickle.dumps(Gizmo(4)))
    assert (clone.a, type(clone)) == (4, Gizmo)
    # Creating the original is a use; restoring the copy of an existing object is not.
    assert [(w.filename, w.lineno) for w in record] == [(__file__, line)]


def test_subclasses_warn_at_the_class_statement_and_not_when_instantiated() -> None:
    with phaseout.pretend({PKG: "1.2"}):
        with pytest.warns(DeprecatedWarning) as record:
            line = here() + 2  # the formatter keeps a blank line before a class

            class Child(Gizmo):
                pass

            class GrandChild(Child):
                pass

        assert [w.lineno for w in record] == [line, line + 3]
        assert {w.filename for w in record} == {__file__}
        child = GrandChild(1)  # no warning: the class statement already warned
        assert isinstance(child, Gizmo)
        assert issubclass(GrandChild, Gizmo)
        assert str(inspect.signature(Child)) == "(a: 'int', b: 'int' = 2) -> 'None'"


def test_subclass_statement_through_a_metaclass_and_init_subclass_chain() -> None:
    class Meta(type):
        def __new__(
            mcs, name: str, bases: tuple[type, ...], ns: dict[str, Any], **kwargs: Any
        ) -> Meta:
            return super().__new__(mcs, name, bases, ns, **kwargs)

    @dep()
    class Base(metaclass=Meta):
        registry: list[str] = []  # noqa: RUF012

        def __init_subclass__(cls, *, tag: str = "", **kwargs: Any) -> None:
            super().__init_subclass__(**kwargs)
            Base.registry.append(tag)

    with phaseout.pretend({PKG: "1.2"}):
        with pytest.warns(DeprecatedWarning) as record:
            line = here() + 2  # the formatter keeps a blank line before a class

            class Tagged(Base, tag="t1"):
                def __init_subclass__(cls, **kwargs: Any) -> None:
                    super().__init_subclass__(tag="t2", **kwargs)

            class Leaf(Tagged):
                pass

        assert [w.lineno for w in record] == [line, line + 4]
        assert Base.registry == ["t1", "t2"]
        assert type(Leaf) is Meta


def test_class_instantiation_through_the_standard_library_points_at_the_user() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--gizmo", type=Gizmo)  # type: ignore[arg-type]  # calls Gizmo("1")
    with phaseout.pretend({PKG: "1.2"}), pytest.warns(DeprecatedWarning) as record:
        line = here() + 1
        made = parser.parse_args(["--gizmo", "1"]).gizmo
    assert (type(made), made.a) == (Gizmo, "1")
    assert (only(record) and record[0].filename, record[0].lineno) == (__file__, line)


def test_classes_with_only_new_and_argument_checks() -> None:
    @dep()
    class Point(NamedTuple):
        x: int
        y: int

    @dep()
    class Empty:
        pass

    with phaseout.pretend({PKG: "1.2"}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert Point(1, 2) == (1, 2)
        assert Point(1, y=3).y == 3
        with pytest.raises(TypeError, match=r"^Empty\(\) takes no arguments$"):
            Empty(1)  # type: ignore[call-arg]
        assert isinstance(Empty(), Empty)


def test_nested_functions() -> None:
    def make() -> Callable[[], int]:
        @dep()
        def inner() -> int:
            return 5

        return inner

    inner = make()
    with phaseout.pretend({PKG: "1.2"}), pytest.warns(DeprecatedWarning) as record:
        line = here() + 1
        assert inner() == 5
    assert only(record).symbol == f"{__name__}.test_nested_functions.<locals>.make.<locals>.inner"
    assert record[0].lineno == line


def test_compat_and_hard_phases_forward_to_the_replacement() -> None:
    expected = {"1.2": "old 1", "1.7": "new 1", "2.0rc1": "new 1"}
    for version, result in expected.items():
        with phaseout.pretend({PKG: version}), pytest.warns(PhaseoutWarning) as record:
            assert plain(1) == result
        forwarded = "calls are forwarded to" in str(record[0].message)
        assert forwarded is (result == "new 1")
        assert only(record).replacement == f"{__name__}.new_plain"


def test_forwarding_unwraps_descriptors_and_forwards_classes() -> None:
    class New:
        @classmethod
        def make(cls, n: int) -> tuple[type, int]:
            return cls, n

    class Old:
        @forwarding(replacement=New.__dict__["make"])
        @classmethod
        def make(cls, n: int) -> tuple[type, int]:
            return cls, -n

    @forwarding(replacement=dict)
    class OldDict:
        def __init__(self, **kwargs: int) -> None:
            pass

    with phaseout.pretend({PKG: "1.7"}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert Old.make(2) == (Old, 2)
        assert OldDict(a=1) == {"a": 1}  # type: ignore[comparison-overlap]  # forwarded


def test_forwarding_requires_the_same_kind_of_callable() -> None:
    async def new_async() -> None:
        pass

    with pytest.raises(
        TypeError,
        match=r"new_async from compat_in on, which is an async function, while .*old_sync is "
        r"not: its callers would get a coroutine instead of a result",
    ):

        @forwarding(replacement=new_async)
        def old_sync() -> None:
            pass

    # Without compat_in nothing is forwarded, so any replacement goes.
    @phaseout.deprecated(since="1.0", replacement=new_async, package=PKG)
    def fine() -> None:
        pass


@pytest.mark.parametrize(
    ("obj", "what"),
    [
        (functools.partial(print, 1), "partial"),
        (len, "builtin_function_or_method"),
        (Widget(), "Widget"),
        (42, "int"),
        (property(), "property"),
        (classmethod(len), "builtin_function_or_method"),  # type: ignore[arg-type]
    ],
)
def test_unsupported_objects_are_a_type_error(obj: object, what: str) -> None:
    with pytest.raises(
        TypeError,
        match=rf"^phaseout\.deprecated cannot wrap .*\({what}\): it (supports|has no getter)",
    ):
        dep()(obj)


def test_bad_options_name_the_symbol() -> None:
    def f() -> None:
        pass

    symbol = f"{__name__}.test_bad_options_name_the_symbol.<locals>.f"
    with pytest.raises(
        ValueError, match=rf"^{symbol}: since must be a PEP 440 version, got 'two'$"
    ):
        phaseout.deprecated(since="two")(f)
    with pytest.raises(ValueError, match=rf"^{symbol}: replacement must be a callable or a dotted"):
        phaseout.deprecated(since="1.0", replacement="not a name")(f)
    with pytest.raises(TypeError, match=rf"^{symbol}: replacement must be a callable or a dotted"):
        phaseout.deprecated(since="1.0", replacement=3)(f)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=rf"^{symbol}: reason must be a string or None, got 1$"):
        phaseout.deprecated(since="1.0", reason=1)(f)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=rf"^{symbol}: current_version must be a version string"):
        phaseout.deprecated(since="1.0", current_version=1.0)(f)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("strict", "version", "raises"),
    [
        ("hard", "2.0rc1", RemovalWarning),
        ("hard", "1.2", None),
        ("all", "1.2", DeprecatedWarning),
        ("all", "1.7", DeprecatedWarning),
        ("all", "0.5", None),
        ("off", "2.0rc1", None),
    ],
)
def test_strict_mode_raises_instead_of_warning(
    strict: str, version: str, raises: type[Warning] | None
) -> None:
    phaseout.configure(strict=strict)
    with phaseout.pretend({PKG: version}):
        if raises is None:
            with pytest.warns(PhaseoutWarning):
                W.method()
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # strict raises even where filters ignore
                with pytest.raises(raises) as info:
                    W.method()
            assert type(info.value) is raises


def test_strict_mode_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHASEOUT_STRICT", "hard")
    phaseout.testing.reset()
    with phaseout.pretend({PKG: "2.0rc1"}), pytest.raises(RemovalWarning):
        plain(1)


def test_explicit_current_version_wins_over_pretend() -> None:
    @phaseout.deprecated(since="1.0", removed_in="2.0", current_version="1.1", package=PKG)
    def pinned() -> int:
        return 1

    with phaseout.pretend({PKG: "3.0"}), pytest.warns(DeprecatedWarning):
        assert pinned() == 1
    assert phaseout.phase_of(pinned) is Phase.SOFT


class _Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a: int, b: int = 2) -> None:
        self.a = a
        self.b = b

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Slotted) and (self.a, self.b) == (other.a, other.b)

    __hash__ = None  # type: ignore[assignment]


class _NewArgs:
    a: int
    b: int

    def __new__(cls, a: int, *, b: int = 2) -> _NewArgs:
        made = super().__new__(cls)
        made.a, made.b = a, b
        return made

    def __getnewargs_ex__(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.a,), {"b": self.b}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _NewArgs) and (self.a, self.b) == (other.a, other.b)

    __hash__ = None  # type: ignore[assignment]


class _Reduced:
    """A __reduce__ that rebuilds through copyreg and __setstate__."""

    def __init__(self, a: int) -> None:
        self.a = a

    def __reduce__(self) -> tuple[Any, ...]:
        import copyreg

        return (copyreg.__newobj__, (type(self),), {"a": self.a})  # type: ignore[attr-defined]

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reduced) and self.a == other.a

    __hash__ = None  # type: ignore[assignment]


class _Point(NamedTuple):
    x: int
    y: int


def _rebuilt_classes() -> list[Any]:
    """Deprecated classes of every shape, defined at module level (pickled by reference)."""
    made = []
    for klass in (_Slotted, _NewArgs, _Reduced, _Point):
        deprecated = phaseout.deprecated(since="1.0", removed_in="3.0", package="rebuilt-lib")(
            klass
        )
        made.append(deprecated)
    return made


_REBUILT = _rebuilt_classes()
_MAKE: dict[str, Callable[[Any], Any]] = {
    "_Slotted": lambda k: k(1, b=3),
    "_NewArgs": lambda k: k(1, b=3),
    "_Reduced": lambda k: k(1),
    "_Point": lambda k: k(1, 2),
}
_REBUILD: dict[str, Callable[[Any], Any]] = {
    **{
        f"pickle protocol {p}": functools.partial(
            lambda o, p: pickle.loads(pickle.dumps(o, p)), p=p
        )
        for p in range(pickle.HIGHEST_PROTOCOL + 1)
    },
    "pure-Python pickle": lambda o: pickle._loads(pickle._dumps(o, 4)),  # type: ignore[attr-defined]
    "copy.copy": copy.copy,
    "copy.deepcopy": copy.deepcopy,
}


@pytest.mark.parametrize(
    ("klass", "rebuild"),
    [
        pytest.param(klass, rebuild, id=f"{klass.__name__}-{rebuild}")
        for klass in _REBUILT
        for rebuild in sorted(_REBUILD)
        # Python itself cannot pickle a __slots__ class without __getstate__ below protocol 2.
        if not (
            klass.__name__ == "_Slotted" and rebuild in ("pickle protocol 0", "pickle protocol 1")
        )
    ],
)
def test_copies_and_unpickled_objects_are_not_new_uses(klass: Any, rebuild: str) -> None:
    with phaseout.pretend({"rebuilt-lib": "2.0"}), warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        originals = [_MAKE[klass.__name__](klass) for _ in range(10)]
        assert len(record) == 10  # instantiating is a use
        before = sum(declaration_of(klass).site_counts().values())
        rebuilt = [_REBUILD[rebuild](obj) for obj in originals]
        assert record[10:] == []
        assert sum(declaration_of(klass).site_counts().values()) == before
    assert rebuilt == originals
    assert all(type(obj) is klass for obj in rebuilt)
    # Strict mode raises for a new use in the HARD phase, never for a rebuilt object.
    phaseout.configure(strict="hard")  # (the settings are reset after each test)
    with phaseout.pretend({"rebuilt-lib": "3.0rc1"}):
        assert [_REBUILD[rebuild](obj) for obj in originals] == originals
        with pytest.raises(phaseout.RemovalWarning):
            _MAKE[klass.__name__](klass)

from __future__ import annotations

import gc

import pytest

import phaseout
from phaseout import Phase


def test_declarations_list_every_kind_in_order_with_their_facts() -> None:
    def new() -> None:
        pass

    @phaseout.deprecated(since="1.0", removed_in="2.0", package="po-reg", replacement=new)
    def f() -> None:
        pass

    @phaseout.deprecated(
        since="1.1", compat_in="1.2", package="po-reg", guide="https://g", replacement=dict
    )
    class K:
        @phaseout.deprecated(since="1.0", package="po-reg-other")  # type: ignore[prop-decorator]
        @property
        def p(self) -> int:
            return 1

    found = phaseout.declarations(package="PO_REG")
    assert [(d.symbol.rsplit(".", 1)[-1], d.kind) for d in found] == [
        ("f", "function"),
        ("K", "class"),
    ]
    first, second = found
    assert (
        first.replacement
        == f"{__name__}.test_declarations_list_every_kind_in_order_with_their_facts.<locals>.new"
    )
    assert (str(first.timeline.since), str(first.timeline.removed_in)) == ("1.0", "2.0")
    assert second.guide == "https://g"
    assert first.package == "po-reg"
    with phaseout.pretend({"po-reg": "1.5"}):
        assert [d.phase for d in found] == [Phase.SOFT, Phase.COMPAT]
    (prop,) = phaseout.declarations(package="po-reg-other")
    assert (prop.symbol, prop.kind) == (f"{__name__}.{K.__qualname__}.p", "property")
    assert phaseout.declarations()[-3:] == [first, prop, second]


def test_declarations_go_away_with_their_objects() -> None:
    def make() -> object:
        @phaseout.deprecated(since="1.0", package="po-gone")
        def g() -> None:
            pass

        return g

    obj = make()
    assert len(phaseout.declarations(package="po-gone")) == 1
    del obj
    gc.collect()
    assert phaseout.declarations(package="po-gone") == []


def test_phase_of_every_kind_and_bound_forms() -> None:
    dep = phaseout.deprecated(since="1.0", removed_in="2.0", current_version="1.5")

    class C:
        @dep
        def m(self) -> None:
            pass

        @dep
        @classmethod
        def c(cls) -> None:
            pass

        @dep
        @staticmethod
        def s() -> None:
            pass

        @dep  # type: ignore[prop-decorator]
        @property
        def p(self) -> int:
            return 1

    for obj in (C().m, C.m, C.c, C.__dict__["c"], C.s, C.__dict__["s"], C.__dict__["p"]):
        assert phaseout.phase_of(obj) is Phase.SOFT


def test_phase_of_rejects_undeclared_objects_and_subclasses() -> None:
    @phaseout.deprecated(since="1.0", current_version="1.5")
    class Base:
        pass

    with pytest.warns(phaseout.DeprecatedWarning):

        class Child(Base):
            pass

    assert phaseout.phase_of(Base) is Phase.SOFT
    for obj in (Child, len, object()):
        with pytest.raises(
            TypeError,
            match=r"^phase_of\(\) needs an object decorated with phaseout.deprecated, got ",
        ):
            phaseout.phase_of(obj)


def test_dead_declarations_are_swept_as_the_registry_grows() -> None:
    from phaseout import _registry as registry

    def make(i: int) -> object:
        @phaseout.deprecated(since="1.0", package="po-swept")
        def g() -> int:
            return i

        return g

    kept = [make(i) for i in range(10)]
    for i in range(5000):
        make(i)  # dropped at once
    gc.collect()
    assert len(registry._DECLARATIONS) < 4000  # swept while growing, not only on reads
    found = phaseout.declarations(package="po-swept")
    assert found == [getattr(kept_g, "__phaseout__") for kept_g in kept]  # in order  # noqa: B009

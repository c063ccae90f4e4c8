"""Forwarded calls with args_map and result: renamed, dropped and checked arguments."""

from __future__ import annotations

import asyncio
import inspect
import warnings
from collections.abc import Callable
from types import FunctionType
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import phaseout

from .helpers import here, only


def fetch(user_id: int, *, limit: int = 10, verbose: bool = False) -> dict[str, int]:
    return {"id": user_id, "limit": limit, "verbose": int(verbose)}


def forwarding(**options: Any) -> Callable[[Any], Any]:
    return phaseout.deprecated(
        since="1.0", compat_in="1.1", removed_in="2.0", current_version="1.5", **options
    )


@forwarding(
    replacement=fetch,
    args_map={"uid": "user_id", "page_size": "limit", "debug": None},
    result=lambda new: (new["id"], new["limit"], new["verbose"]),
)
def get(uid: int, page_size: int = 5, debug: bool = False) -> tuple[int, int, int]:
    raise AssertionError("forwarded calls never reach the legacy body")


def test_arguments_are_bound_by_the_legacy_signature_then_renamed_or_dropped() -> None:
    with pytest.warns(phaseout.DeprecatedWarning) as record:
        assert get(1) == (1, 5, 0)  # the legacy default, under its new name
    line = here() - 1
    warning = only(record)
    assert "calls are forwarded to" in str(warning)
    assert (record[0].filename, record[0].lineno) == (__file__, line)
    with pytest.warns(phaseout.DeprecatedWarning):
        assert get(2, 7) == (2, 7, 0)
        assert get(uid=3, page_size=9, debug=True) == (3, 9, 0)  # debug dropped
        with pytest.raises(
            TypeError, match=r"get\(\) got an unexpected keyword argument 'user_id'"
        ):
            get(user_id=4)  # the new name is not part of the legacy API


def test_renamed_arguments_in_legacy_kwargs_and_both_names_at_once() -> None:
    def new(value: int, **extra: int) -> tuple[int, dict[str, int]]:
        return value, extra

    @forwarding(replacement=new, args_map={"old": "value", "stale": None})
    def legacy(old: int = 0, **extra: int) -> Any:
        raise AssertionError

    with pytest.warns(phaseout.DeprecatedWarning):
        assert legacy(old=1, x=2, stale=3) == (1, {"x": 2})
        with pytest.raises(TypeError, match=r"legacy\(\) got both 'old' and its new name 'value'"):
            legacy(old=1, value=3)


def test_methods_keep_self_in_place() -> None:
    class V2:
        def fetch_users(self, offset: int, limit: int) -> tuple[object, int, int]:
            return self, offset, limit

    class V1(V2):
        @forwarding(replacement=V2.fetch_users, args_map={"start": "offset"})
        def list_users(self, start: int, limit: int = 50) -> Any:
            raise AssertionError

    client = V1()
    with pytest.warns(phaseout.DeprecatedWarning):
        assert client.list_users(3) == (client, 3, 50)


def test_async_results_are_converted_after_awaiting() -> None:
    async def new(x: int) -> int:
        return x * 2

    @forwarding(replacement=new, args_map={"y": "x"}, result=str)
    async def old(y: int) -> str:
        raise AssertionError

    with pytest.warns(phaseout.DeprecatedWarning):
        assert asyncio.run(old(21)) == "42"


def test_before_compat_the_legacy_body_runs() -> None:
    @phaseout.deprecated(
        since="1.0", compat_in="1.1", removed_in="2.0", current_version="1.0",
        replacement=fetch, args_map={"uid": "user_id"},
    )  # fmt: skip
    def early(uid: int) -> str:
        return f"legacy {uid}"

    with pytest.warns(phaseout.DeprecatedWarning):
        assert early(1) == "legacy 1"


@pytest.mark.parametrize(
    ("options", "legacy_params", "message"),
    [
        (
            {"args_map": {"uid": "nope"}},
            "uid",
            r"the replacement fetch has no parameter 'nope' \(args_map: 'uid' -> 'nope'\)",
        ),
        (
            {"args_map": {"zzz": "limit"}},
            "uid",
            r"args_map names 'zzz', which .*bad does not take; its parameters are uid",
        ),
        (
            {"args_map": {"uid": "user_id"}},
            "uid, size",
            r"has no parameter 'size'; map 'size' to one of its parameters, or drop it with \{'size': None\}",
        ),
        (
            {"args_map": {"uid": 3}},
            "uid",
            r"args_map must map argument names to argument names or None, got 'uid': 3",
        ),
        ({"args_map": ["uid"]}, "uid", r"args_map must be a mapping of old to new argument names"),
        ({"result": 5}, "uid", r"result must be a callable converting the new result, got 5"),
    ],
)
def test_a_mapping_that_does_not_fit_fails_at_decoration(
    options: dict[str, Any], legacy_params: str, message: str
) -> None:
    namespace: dict[str, Any] = {}
    exec(f"def bad({legacy_params}): pass", namespace)
    with pytest.raises(TypeError, match=message):
        forwarding(replacement=fetch, **options)(namespace["bad"])


def test_args_map_needs_something_to_forward_to() -> None:
    with pytest.raises(TypeError, match=r"need a callable replacement and compat_in"):

        @phaseout.deprecated(since="1.0", removed_in="2.0", replacement=fetch, args_map={})
        def no_compat(uid: int) -> None: ...

    with pytest.raises(
        TypeError, match=r"args_map, args_extra and result apply to functions and methods"
    ):

        @forwarding(replacement=dict, args_map={})
        class Old:
            pass


def test_forwarding_without_a_map_keeps_the_legacy_defaults() -> None:
    def new(a: int = 0, b: int = 3) -> int:
        return a + b

    @forwarding(replacement=new)
    def old(a: int, b: int = 5) -> int:
        raise AssertionError

    with pytest.warns(phaseout.DeprecatedWarning):
        assert old(2) == 7  # b is the legacy default 5, not the replacement's 3
        assert old(2, 1) == 3
        assert old(a=1, b=1) == 2


def test_forwarding_a_class_keeps_the_legacy_defaults() -> None:
    class New:
        def __init__(self, size: int = 1) -> None:
            self.size = size

    @forwarding(replacement=New)
    class Old:
        def __init__(self, size: int = 10) -> None:
            raise AssertionError

    with pytest.warns(phaseout.DeprecatedWarning):
        made = Old()
    assert isinstance(made, New)
    assert made.size == 10


def test_a_map_onto_a_name_the_legacy_signature_also_has_is_refused() -> None:
    def new(new: int = 0) -> int:
        return new

    with pytest.raises(
        TypeError,
        match=r"\.legacy: 'old' and 'new' would both be passed to the replacement "
        r".*new as 'new'; map or drop one of them in args_map$",
    ):

        @forwarding(replacement=new, args_map={"old": "new"})
        def legacy(old: int = 1, new: int = 2) -> int:
            raise AssertionError

    @forwarding(replacement=new, args_map={"old": "new", "new": None})
    def legacy_ok(old: int = 1, new: int = 2) -> int:
        raise AssertionError

    with pytest.warns(phaseout.DeprecatedWarning):
        assert legacy_ok(old=42) == 42
        assert legacy_ok() == 1


def test_a_map_onto_a_positional_only_parameter_passes_it_by_position() -> None:
    def new(x: int, /, y: int = 0) -> tuple[int, int]:
        return x, y

    @forwarding(replacement=new, args_map={"value": "x", "extra": "y"})
    def legacy(value: int, extra: int = 4) -> tuple[int, int]:
        raise AssertionError

    with pytest.warns(phaseout.DeprecatedWarning):
        assert legacy(3) == (3, 4)
        assert legacy(extra=1, value=2) == (2, 1)


def test_a_map_that_cannot_reach_a_positional_only_parameter_says_why() -> None:
    def new(x: int = 0, y: int = 0, /) -> tuple[int, int]:
        return x, y

    with pytest.raises(
        TypeError,
        match=r"\.legacy: the replacement .*new takes 'y' by position only, after 'x', which "
        r"no legacy parameter is mapped to; map one to 'x'$",
    ):

        @forwarding(replacement=new, args_map={"value": "y"})
        def legacy(value: int) -> None:
            raise AssertionError


def test_argument_errors_of_forwarded_calls_name_the_legacy_function() -> None:
    @forwarding(replacement=fetch, args_map={"uid": "user_id"})
    def get_user(uid: int) -> None:
        raise AssertionError

    # Python binds the call by the legacy signature first: a call that cannot bind is no use.
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with pytest.raises(TypeError) as info:
            get_user(uid=1, user=2)
    assert record == []
    message = str(info.value)
    assert "got an unexpected keyword argument 'user'" in message
    assert "_phaseout" not in message
    assert "get_user()" in message


@pytest.mark.parametrize(
    ("replacement", "given"), [(None, "no replacement"), ("mylib.new", "the name 'mylib.new'")]
)
def test_compat_in_needs_a_callable_replacement(replacement: str | None, given: str) -> None:
    with pytest.raises(
        TypeError,
        match=rf"\.old: compat_in forwards calls to the replacement, so it needs the replacement "
        rf"itself \(a function or class\), got {given}; pass replacement=<the callable>, or "
        rf"drop compat_in$",
    ):

        @forwarding(replacement=replacement)
        def old() -> None:
            pass

    with pytest.raises(TypeError, match=r"\.p: compat_in forwards calls .* a property cannot"):

        class K:
            @forwarding(replacement=fetch)  # type: ignore[prop-decorator]
            @property
            def p(self) -> int:
                return 1


def test_a_deprecated_class_may_take_a_parameter_named_cls() -> None:
    class Query:
        def __init__(self, cls: str, /, *, where: str = "") -> None:
            self.cls = cls
            self.where = where

    before = str(inspect.signature(Query))
    phaseout.deprecated(since="1.0", current_version="1.5")(Query)  # patched in place

    with pytest.warns(phaseout.DeprecatedWarning):
        query = Query("user", where="x")
    assert (query.cls, query.where) == ("user", "x")
    assert str(inspect.signature(Query)) == before
    assert before.startswith("(cls: 'str', /, *, where: 'str' = '')")

    class Meta(type):
        def __new__(
            mcls, name: str, bases: tuple[type, ...], ns: dict[str, Any], cls: int = 0
        ) -> Any:
            return super().__new__(mcls, name, bases, ns)

    deprecated_meta = phaseout.deprecated(since="1.0", current_version="1.5")(Meta)
    with pytest.warns(phaseout.DeprecatedWarning):
        made = deprecated_meta("Made", (), {}, cls=1)
    assert made.__name__ == "Made"


# --- Binding by name (a property over random signatures and calls) -------------------------

_NAMES = ("a", "b", "c", "d")
_KINDS = ("positional-only", "positional", "keyword-only")


@st.composite
def _signatures(draw: st.DrawFn) -> str:
    """A parameter list over a few shared names: kinds in a legal order, some defaults,
    maybe *args and **kwargs."""
    names = draw(st.lists(st.sampled_from(_NAMES), unique=True, max_size=4))
    kinds = sorted(
        draw(st.lists(st.sampled_from(_KINDS), min_size=len(names), max_size=len(names))),
        key=_KINDS.index,
    )
    text: list[str] = []
    seen_default = False
    for name, kind in zip(names, kinds, strict=True):
        if kind == "keyword-only" and not any(t.startswith("*") for t in text):
            text.append("*args" if draw(st.booleans()) else "*")
        default = draw(st.booleans())
        if kind != "keyword-only":
            default = default or seen_default  # no default may precede a required one
            seen_default = seen_default or default
        text.append(f"{name}={_NAMES.index(name) * 10}" if default else name)
        if kind == "positional-only" and (len(text) == len(names) or kinds[len(text)] != kind):
            text.append("/")
    if not any(t.startswith("*") for t in text) and draw(st.booleans()):
        text.append("*args")
    if draw(st.booleans()):
        text.append("**kwargs")
    return ", ".join(text)


def _define(name: str, params: str, body: str) -> Any:
    namespace: dict[str, Any] = {}
    exec(f"def {name}({params}):\n    {body}\n", namespace)
    return namespace[name]


def _expected(
    legacy: Any,
    new: Any,
    mapping: dict[str, str | None],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    """The replacement called with the legacy call's arguments bound by name: positional-only
    parameters by position, extra positional values after every positional parameter, what
    the legacy ``**kwargs`` took by keyword."""
    # Bound by Python itself (inspect.Signature.bind refuses a positional-only name passed
    # by keyword where **kwargs would take it): the legacy parameters, returning locals().
    probe = FunctionType(
        _define("probe", str(inspect.signature(legacy))[1:-1], "return dict(locals())").__code__,
        {},
    )
    probe.__defaults__, probe.__kwdefaults__ = legacy.__defaults__, legacy.__kwdefaults__
    bound = probe(*args, **kwargs)
    by_name: dict[str, Any] = {}
    extra: tuple[Any, ...] = ()
    more: dict[str, Any] = {}
    for param in inspect.signature(legacy).parameters.values():
        value = bound[param.name]
        if param.kind is param.VAR_POSITIONAL:
            extra = value
        elif param.kind is param.VAR_KEYWORD:
            more = value
        elif mapping.get(param.name, param.name) is not None:
            by_name[mapping.get(param.name, param.name) or ""] = value
    keywords: dict[str, Any] = {}  # what the legacy **kwargs took: passed on by keyword
    for key, value in more.items():
        renamed = mapping.get(key, key)
        if renamed is None:
            continue
        if renamed in by_name or renamed in keywords:
            raise TypeError(f"both {key!r} and {renamed!r}")
        keywords[renamed] = value
    positional: list[Any] = []
    for param in inspect.signature(new).parameters.values():
        if param.kind is param.POSITIONAL_ONLY or (
            extra and param.kind is param.POSITIONAL_OR_KEYWORD
        ):
            if param.name not in by_name:
                break
            positional.append(by_name.pop(param.name))
    return new(*positional, *extra, **by_name, **keywords)


def _outcome(call: Callable[[], Any]) -> Any:
    try:
        return ("returned", call())
    except TypeError:
        return ("TypeError",)


@settings(max_examples=400, deadline=None)
@given(
    legacy_params=_signatures(),
    new_params=_signatures(),
    mapping=st.dictionaries(
        st.sampled_from(_NAMES), st.one_of(st.none(), st.sampled_from(_NAMES)), max_size=2
    ),
    args=st.lists(st.integers(1, 9), max_size=5).map(tuple),
    kwargs=st.dictionaries(st.sampled_from((*_NAMES, "e")), st.integers(1, 9), max_size=3),
)
@example("start, stop", "stop, start=0", {}, (1, 10), {})
@example("a, /, b", "b, /, a", {}, (1, 2), {})
@example("a, c", "a, b", {"c": "b"}, (1, 2), {})
@example("a, *args", "a, *args", {}, (1, 2, 3), {})
@example("a, **kwargs", "b, **kwargs", {"a": "b"}, (1,), {"b": 2})
@example("a=0, c=20, /, **kwargs", "c, /", {"a": None}, (), {"a": 1})  # `a` lands in kwargs
def test_forwarding_gives_what_the_replacement_gives_with_arguments_bound_by_name(
    legacy_params: str,
    new_params: str,
    mapping: dict[str, str | None],
    args: tuple[int, ...],
    kwargs: dict[str, int],
) -> None:
    legacy = _define("legacy", legacy_params, "raise AssertionError('never called')")
    new = _define("new", new_params, "return dict(locals())")
    try:
        wrapped = forwarding(replacement=new, args_map=mapping)(legacy)
    except TypeError as refused:
        refusal = str(refused)
    else:
        refusal = ""
    if refusal:
        assert ".legacy: " in refusal  # names the legacy function
        return
    expected = _outcome(lambda: _expected(legacy, new, mapping, args, kwargs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _outcome(lambda: wrapped(*args, **kwargs)) == expected


@pytest.mark.parametrize(
    ("legacy_params", "new_params", "message"),
    [
        ("a, c", "a, b", r"the replacement .*new has no parameter 'c'; map 'c'"),
        (
            "a",
            "a, b",
            r"the replacement .*new requires 'b', which no parameter of .*legacy is passed to",
        ),
        (
            "a, *rest",
            "a, b=1",
            r"takes \*rest, so the replacement .*new must take the same positional parameters",
        ),
        ("a, *rest", "b, *rest", r"the replacement .*new has no parameter 'a'"),
    ],
)
def test_a_forward_that_would_bind_by_position_is_refused(
    legacy_params: str, new_params: str, message: str
) -> None:
    legacy = _define("legacy", legacy_params, "pass")
    new = _define("new", new_params, "pass")
    with pytest.raises(TypeError, match=r"\.legacy: " + message):
        forwarding(replacement=new)(legacy)


def test_arguments_reach_the_parameter_of_their_name_whatever_the_order() -> None:
    def new_span(stop: int, start: int = 0) -> tuple[int, int]:
        return start, stop

    @forwarding(replacement=new_span)
    def old_span(start: int, stop: int) -> tuple[int, int]:
        raise AssertionError

    def base_pow(a: int, b: int) -> int:
        return int(a**b)

    with pytest.warns(phaseout.DeprecatedWarning):
        assert old_span(1, 10) == (1, 10)
    with pytest.raises(
        TypeError, match=r"\.pow_wrong: the replacement .*base_pow has no parameter 'c'"
    ):

        @forwarding(replacement=base_pow)
        def pow_wrong(a: int, c: int) -> int:
            raise AssertionError

"""LegacyAdapter, legacy(), maps() and renamed hooks: the old API served by the new one."""

from __future__ import annotations

import asyncio
import inspect
import pickle
import threading
import warnings
from contextvars import copy_context
from typing import Any

import pytest

import phaseout
from phaseout import DeprecatedWarning, PendingWarning, RemovedError
from phaseout.adapters import AdapterError

from .helpers import here, only

PKG = "clientlib"


class User:
    def __init__(self, id: int, name: str) -> None:  # the new API's word
        self.id = id
        self.name = name

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}


class NotFound(LookupError):
    pass


class ClientV2:
    """The 2.x client."""

    def __init__(self, base_url: str = "https://api.example") -> None:
        self.base_url = base_url

    def fetch_user(self, *, id: int) -> User:
        if id < 0:
            raise NotFound(f"no user {id}")
        return User(id, f"user{id}")

    def fetch_users(self, *, offset: int, limit: int) -> list[User]:
        return [User(i, f"user{i}") for i in range(offset, offset + min(limit, 3))]

    async def fetch_avatar(self, user_id: int) -> str:
        return f"{self.base_url}/avatars/{user_id}"

    def ping(self) -> str:
        return "pong"


class ClientV1(phaseout.LegacyAdapter, target=ClientV2, since="2.0", removed_in="3.0", package=PKG):
    """The 1.x client API, served by ClientV2."""

    def get_user(self, user_id: int) -> dict[str, Any]:
        return self.target.fetch_user(id=user_id).to_dict()  # type: ignore[no-any-return]

    @phaseout.legacy(since="2.2", removed_in="3.0", replacement="fetch_users")
    def list_users(self, page: int = 1) -> list[dict[str, Any]]:
        return [u.to_dict() for u in self.target.fetch_users(offset=(page - 1) * 50, limit=50)]

    lookup = phaseout.maps(
        "fetch_user",
        args={"user_id": "id", "cache": None},
        result=User.to_dict,
        errors={NotFound: KeyError},
    )

    async def avatar(self, user_id: int) -> str:
        return await self.target.fetch_avatar(user_id)  # type: ignore[no-any-return]

    @property
    def url(self) -> str:
        return self.target.base_url  # type: ignore[no-any-return]

    @classmethod
    def connect(cls, base_url: str) -> ClientV1:
        return cls(ClientV2(base_url))

    @staticmethod
    def api_version() -> str:
        return "1.x"


class ClientV1_5(ClientV1, removed_in="4.0"):
    """A later adapter in the chain: inherits target and timeline, moves removal."""

    def get_users(self, *ids: int) -> list[dict[str, Any]]:
        return [self.get_user(i) for i in ids]


def test_the_example_warns_at_the_callers_line_and_delegates_the_new_api() -> None:
    client = ClientV1()
    with phaseout.pretend({PKG: "2.1"}), pytest.warns(DeprecatedWarning) as record:
        assert client.get_user(7) == {"id": 7, "name": "user7"}
    line = here() - 1
    warning = only(record)
    assert (record[0].filename, record[0].lineno) == (__file__, line)
    assert warning.symbol == f"{__name__}.ClientV1.get_user"
    assert warning.replacement == f"{__name__}.ClientV2"
    assert "ClientV1.get_user() is deprecated since clientlib 2.0" in str(warning)
    with phaseout.pretend({PKG: "2.1"}), pytest.warns(PendingWarning) as record:
        assert client.list_users(2)[0] == {"id": 50, "name": "user50"}
    assert only(record).replacement == f"{__name__}.ClientV2.fetch_users"
    with phaseout.pretend({PKG: "2.1"}), warnings.catch_warnings():
        warnings.simplefilter("error")  # the new API is delegated silently
        assert client.ping() == "pong"
        assert client.base_url == "https://api.example"
    with phaseout.pretend({PKG: "3.0"}), pytest.raises(RemovedError, match="was removed in"):
        client.get_user(1)


def test_construction_identity_dir_repr_and_attribute_writes() -> None:
    v2 = ClientV2("https://v2")
    wrapped = ClientV1(v2)
    assert wrapped.target is v2
    assert ClientV1("https://built").target.base_url == "https://built"
    assert isinstance(ClientV1().target, ClientV2)
    assert isinstance(wrapped, ClientV1)
    assert isinstance(wrapped, phaseout.LegacyAdapter)
    assert not isinstance(wrapped, ClientV2)
    assert {"get_user", "ping", "fetch_user", "base_url", "target"} <= set(dir(wrapped))
    assert repr(wrapped) == f"<ClientV1 adapter of {v2!r}>"
    wrapped.base_url = "https://moved"  # a target attribute: written through
    assert v2.base_url == "https://moved"
    wrapped._note = "mine"  # the adapter's own, private state
    assert wrapped.__dict__["_note"] == "mine"
    assert not hasattr(v2, "_note")
    with pytest.raises(AttributeError, match="missing"):
        _ = wrapped.missing


def test_mapped_methods_rename_drop_convert_and_translate_errors() -> None:
    client = ClientV1()
    with phaseout.pretend({PKG: "2.1"}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert client.lookup(user_id=3, cache=True) == {"id": 3, "name": "user3"}
        with pytest.raises(KeyError, match="no user -1") as caught:
            client.lookup(user_id=-1)
        assert isinstance(caught.value.__cause__, NotFound)
        # The legacy signature mirrors the target's under the legacy names: new names are
        # not part of it.
        with pytest.raises(TypeError, match=r"lookup\(\) got an unexpected keyword argument 'id'"):
            client.lookup(user_id=1, id=2)
    assert str(inspect.signature(ClientV1.lookup)) == "(self, *, user_id, cache=None)"


class SearchV2:
    def search(self, query: str, **filters: Any) -> tuple[str, dict[str, Any]]:
        return query, filters


class SearchV1(phaseout.LegacyAdapter, target=SearchV2, since="2.0", package=PKG):
    # A target taking **filters: the legacy method renames keywords at each call.
    find = phaseout.maps("search", args={"q": "query", "kind": "type", "fast": None})


def test_mapped_methods_over_a_target_taking_any_keyword() -> None:
    finder = SearchV1()
    with phaseout.pretend({PKG: "2.1"}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert finder.find(q="x", kind="pdf", fast=True, year=2020) == (
            "x",
            {"type": "pdf", "year": 2020},
        )
        with pytest.raises(TypeError, match=r"find\(\) got both 'kind' and its new name 'type'"):
            finder.find(q="x", kind="pdf", type="doc")


def test_async_methods_properties_classmethods_and_staticmethods_are_legacy_too() -> None:
    with phaseout.pretend({PKG: "2.1"}), pytest.warns(DeprecatedWarning) as record:
        client = ClientV1.connect("https://cdn")
        assert asyncio.run(client.avatar(5)) == "https://cdn/avatars/5"
        assert client.url == "https://cdn"
        assert ClientV1.api_version() == "1.x"
    assert [w.message.symbol for w in record] == [  # type: ignore[union-attr]
        f"{__name__}.ClientV1.connect",
        f"{__name__}.ClientV1.avatar",
        f"{__name__}.ClientV1.url",
        f"{__name__}.ClientV1.api_version",
    ]
    assert {w.filename for w in record} == {__file__}


def test_adapter_chains_inherit_target_and_timeline() -> None:
    client = ClientV1_5()
    with phaseout.pretend({PKG: "3.0"}), warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with pytest.raises(RemovedError):
            client.get_user(1)  # ClientV1's own timeline: removed in 3.0
        assert client.get_users() == []  # ClientV1_5's: removed in 4.0, so still deprecated
    assert [type(w.message) for w in record] == [DeprecatedWarning]


def test_pickling_keeps_the_target() -> None:
    client = ClientV1(ClientV2("https://p"))
    copy = pickle.loads(pickle.dumps(client))
    assert type(copy) is ClientV1
    assert copy.target.base_url == "https://p"


def test_every_use_is_counted_under_threads(quiet: None) -> None:
    client = ClientV1()

    def work() -> None:
        for i in range(5_000):
            client.get_user(i)

    with phaseout.pretend({PKG: "2.1"}):  # each thread runs in a copy of this context
        threads = [threading.Thread(target=copy_context().run, args=(work,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    counts = {u.symbol: u.count for u in phaseout.usage()}
    assert counts == {f"{__name__}.ClientV1.get_user": 40_000}


def test_a_broken_declaration_fails_at_class_creation() -> None:
    assert ClientV1.check() == []
    with pytest.raises(
        AdapterError, match=r"lookup maps to ClientV2.fetch_usr, which does not exist"
    ):

        class Typo(phaseout.LegacyAdapter, target=ClientV2, since="2.0"):
            lookup = phaseout.maps("fetch_user" if False else "fetch_usr")

    with pytest.raises(
        AdapterError, match=r"maps 'user_id' to 'uid', which ClientV2.fetch_user does not accept"
    ):

        class BadArgs(phaseout.LegacyAdapter, target=ClientV2, since="2.0"):
            lookup = phaseout.maps("fetch_user", args={"user_id": "uid"})

    with pytest.raises(
        AdapterError, match=r"injects 'region', which ClientV2.fetch_users does not accept"
    ):

        class BadInject(phaseout.LegacyAdapter, target=ClientV2, since="2.0"):
            everyone = phaseout.maps("fetch_users", inject={"region": "eu"})

    with pytest.raises(AdapterError, match=r"names ClientV2.gone as its replacement"):

        class BadReplacement(phaseout.LegacyAdapter, target=ClientV2, since="2.0"):
            @phaseout.legacy(replacement="gone")
            def old(self) -> None: ...

    with pytest.raises(AdapterError, match=r"needs target=<the new class> and since=<version>"):

        class NoTarget(phaseout.LegacyAdapter, since="2.0"):
            pass


class BaseView:
    def dispatch(self) -> list[str]:
        return self.get_queryset()

    @phaseout.renamed_hook("get_qs", since="2.0", removed_in="3.0", package=PKG)
    def get_queryset(self) -> list[str]:
        return ["default"]


def test_a_subclass_overriding_the_old_hook_is_warned_at_its_class_statement() -> None:
    with phaseout.pretend({PKG: "2.1"}), pytest.warns(DeprecatedWarning) as record:

        class Mine(BaseView):
            def get_qs(self) -> list[str]:
                return ["mine"]

    line = here() - 4
    warning = only(record)
    assert (record[0].filename, record[0].lineno) == (__file__, line)
    assert warning.symbol == f"{__name__}.BaseView.get_qs"
    assert "override get_queryset instead" in str(warning)
    assert Mine().dispatch() == ["mine"]  # the old override is what the new name calls


def test_the_old_name_on_an_instance_is_served_by_the_new_hook() -> None:
    class Modern(BaseView):
        def get_queryset(self) -> list[str]:
            return ["modern"]

    with phaseout.pretend({PKG: "2.1"}), pytest.warns(DeprecatedWarning) as record:
        assert Modern().get_qs() == ["modern"]  # type: ignore[attr-defined]
    line = here() - 1
    assert (record[0].filename, record[0].lineno) == (__file__, line)
    assert only(record).replacement == f"{__name__}.BaseView.get_queryset"


def test_overriding_both_names_is_a_type_error_and_removal_is_an_error() -> None:
    with pytest.raises(TypeError, match=r"Both overrides both get_qs and get_queryset"):

        class Both(BaseView):
            def get_qs(self) -> list[str]:
                return []

            def get_queryset(self) -> list[str]:
                return []

    with phaseout.pretend({PKG: "3.0"}), pytest.raises(RemovedError):

        class Late(BaseView):
            def get_qs(self) -> list[str]:
                return []


def test_renames_at_two_levels_warn_once_each() -> None:
    class Middle(BaseView):
        def render(self) -> str:
            return self.template_name()

        @phaseout.renamed_hook("get_template", since="2.0", removed_in="3.0", package=PKG)
        def template_name(self) -> str:
            return "base.html"

    with phaseout.pretend({PKG: "2.1"}), pytest.warns(DeprecatedWarning) as record:

        class Leaf(Middle):
            def get_qs(self) -> list[str]:
                return ["leaf"]

            def get_template(self) -> str:
                return "leaf.html"

    assert sorted(w.message.symbol.rsplit(".", 1)[-1] for w in record) == [  # type: ignore[union-attr]
        "get_qs",
        "get_template",
    ]
    assert (Leaf().dispatch(), Leaf().render()) == (["leaf"], "leaf.html")

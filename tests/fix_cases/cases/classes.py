"""A constructor's renamed keyword, a class attribute, methods on a known receiver."""
from fixlib import Store
import fixlib
from typing import Optional

store = Store(timeout_s=2.0)
print(store.timeout, Store.OLD_LIMIT, fixlib.Store.OLD_LIMIT)
print(store.get("key"), Store.open(name="archive"), fixlib.Store(timeout_s=1).timeout)


def lookup(key):
    local = fixlib.Store()
    return local.get(key)


print(lookup("other"))


def annotated(store: Store, key):
    return store.get(key)


print(annotated(store, "third"))


def optional(first: Store | None, second: Optional[fixlib.Store] = None):
    return first.get("fourth"), second.get("fifth") if second else None


print(optional(store), optional(store, store))

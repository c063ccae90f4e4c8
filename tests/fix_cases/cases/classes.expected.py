"""A constructor's renamed keyword, a class attribute, methods on a known receiver."""
from fixlib import Store
import fixlib
from typing import Optional

store = Store(timeout=2.0)
print(store.timeout, Store.LIMIT, fixlib.Store.LIMIT)
print(store.read("key"), Store.open(label="archive"), fixlib.Store(timeout=1).timeout)


def lookup(key):
    local = fixlib.Store()
    return local.read(key)


print(lookup("other"))


def annotated(store: Store, key):
    return store.read(key)


print(annotated(store, "third"))


def optional(first: Store | None, second: Optional[fixlib.Store] = None):
    return first.read("fourth"), second.read("fifth") if second else None


print(optional(store), optional(store, store))

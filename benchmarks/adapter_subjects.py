"""The adapters and forwarded functions timed by bench_adapters.py (outside ``__main__``)."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import phaseout


class ServiceV2:
    def fetch(self, *, key: int) -> int:
        return key

    def fetch_record(self, *, key: int) -> dict[str, Any]:
        # A method doing a little real work, as a client method would (and far less than I/O).
        return {
            "id": key,
            "name": f"user-{key:05d}",
            "email": f"user{key}@example.com",
            "tags": sorted({f"t{key % 7}", f"t{key % 3}", "active"}),
            "score": round(key * 1.2345, 2),
        }


class PlainV1:
    """The same legacy body without phaseout: what the adapter's overhead is measured against."""

    def __init__(self) -> None:
        self.target = ServiceV2()

    def get(self, key: int) -> int:
        return self.target.fetch(key=key)

    def get_record(self, key: int) -> tuple[Any, ...]:
        record = self.target.fetch_record(key=key)
        return (record["id"], record["name"], record["email"])


class AdapterV1(phaseout.LegacyAdapter, target=ServiceV2, since="1.0", current_version="1.5"):
    def get(self, key: int) -> int:
        return self.target.fetch(key=key)  # type: ignore[no-any-return]

    def get_record(self, key: int) -> tuple[Any, ...]:
        record = self.target.fetch_record(key=key)
        return (record["id"], record["name"], record["email"])

    lookup = phaseout.maps("fetch", args={"k": "key"})


def new_api(value: int, *, scale: int = 1) -> int:
    return value * scale


@phaseout.deprecated(
    since="1.0", compat_in="1.2", removed_in="2.0", current_version="1.5",
    replacement=new_api, args_map={"old_value": "value"},
)  # fmt: skip
def phaseout_forwarded(old_value: int, scale: int = 1) -> int:
    raise AssertionError("forwarded in COMPAT")


def pydeprecate_forwarded() -> Callable[..., Any] | None:
    try:
        import deprecate
    except ImportError:
        return None

    @deprecate.deprecated(  # type: ignore[misc]
        target=new_api, deprecated_in="1.0", remove_in="2.0", num_warns=-1,
        args_mapping={"old_value": "value"},
        stream=functools.partial(warnings.warn, category=DeprecationWarning),
    )  # fmt: skip
    def forwarded(old_value: int, scale: int = 1) -> int:
        raise AssertionError("forwarded")

    return forwarded  # type: ignore[no-any-return]


def direct_target() -> Callable[[int], int]:
    service = ServiceV2()
    return lambda key: service.fetch(key=key)


def loop(expression: str, **names: Any) -> Callable[[int], None]:
    """A function running *expression* n times, compiled in this module (not ``__main__``),
    so that every subject's loop costs the same and no argument packing distorts it."""
    namespace = {"__name__": __name__, **names}
    exec(f"def run(n):\n    for _ in range(n):\n        {expression}\n", namespace)
    run: Callable[[int], None] = namespace["run"]
    return run

"""Async code, decorators, annotations and f-strings."""
import asyncio
import functools

import fixlib
from fixlib import new_name


@functools.lru_cache(maxsize=None)
def cached(x: int) -> tuple:
    return new_name(x)


async def work(value: "fixlib.Store | None" = None) -> list:
    await asyncio.sleep(0)
    results = [new_name(i) async for i in numbers()]
    return [*results, fixlib.paint(f"{new_name(0)}", colour="x"), cached(3)]


async def numbers():
    for i in range(2):
        yield i


print(asyncio.run(work()))

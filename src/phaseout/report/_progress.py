"""A progress bar on standard error, for reading large logs at a terminal."""

from __future__ import annotations

import os
import time
from typing import Final, TextIO

__all__ = ["LARGE_INPUT", "Progress", "input_size"]

#: Inputs at least this large (bytes) get a progress bar when stderr is a terminal.
LARGE_INPUT: Final = 16 << 20
_WIDTH: Final = 30


def input_size(names: list[str]) -> int | None:
    """Total bytes of the named files, or None when one is standard input."""
    if "-" in names:
        return None
    return sum(os.path.getsize(name) for name in names)


class Progress:
    """Redraws one line at most ten times a second; ``close()`` erases it."""

    def __init__(self, stream: TextIO, total: int | None) -> None:
        self.stream = stream
        self.total = total
        self.last_draw = 0.0
        self.drawn = False

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last_draw < 0.1:
            return
        self.last_draw = now
        megabytes = done / (1 << 20)
        if self.total:
            fraction = min(done / self.total, 1.0)
            filled = round(fraction * _WIDTH)
            bar = "#" * filled + "." * (_WIDTH - filled)
            text = f"reading logs [{bar}] {fraction:4.0%} {megabytes:,.0f} MiB"
        else:
            text = f"reading logs {megabytes:,.0f} MiB"
        self.stream.write(f"\r{text}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()

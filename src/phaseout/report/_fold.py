"""The reader's inner loop: fold blocks of log lines into tallies per (call-site tail, day).

The tally of a line phaseout's sink wrote is found with one regular-expression match on its
head and two dict lookups (its tail, its day); the tail is decoded and validated once, the
first time it is seen. Lines in any other form go through ``json`` and are folded under the
tail phaseout would have written for them. The result is plain data (bytes, ints, lists), so
worker processes can fold pieces of a large file and the parent merges what they return.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Final, TypeVar

from ._lines import CACHE_BYTES, HEAD, LineParser, Site, _Broken, canonical_tail
from ._reader import ReadStats, read_range, split_points


class Tally:
    """Usage of one call site on one day. Times are the time-of-day part of timestamps."""

    __slots__ = ("calls", "count", "events", "first", "last")

    def __init__(self, time_of_day: bytes) -> None:
        self.count = 0  # uses, summed from deprecated_usage events
        self.calls = 0  # deprecated_call events
        self.events = 0
        self.first = time_of_day
        self.last = time_of_day

    def __getstate__(self) -> tuple[int, int, int, bytes, bytes]:
        return self.count, self.calls, self.events, self.first, self.last

    def __setstate__(self, state: tuple[int, int, int, bytes, bytes]) -> None:
        self.count, self.calls, self.events, self.first, self.last = state

    def merge(self, other: Tally) -> None:
        self.count += other.count
        self.calls += other.calls
        self.events += other.events
        self.first = min(self.first, other.first)
        self.last = max(self.last, other.last)


# tail (the call site as phaseout writes it) -> day -> tally
Tallies = dict[bytes, dict[bytes, Tally]]
# rollout -> day -> [calls on the legacy path, calls on the new path]
RolloutTallies = dict[str, dict[bytes, list[int]]]
# rollout -> (rollbacks, first timestamp, last timestamp, the last one's numbers)
Rollbacks = dict[str, tuple[int, bytes, bytes, dict[str, float]]]

_T = TypeVar("_T")


def _latest(
    seen: tuple[int, bytes, bytes, dict[str, float]],
) -> tuple[bytes, list[tuple[str, float]]]:
    return seen[2], sorted(seen[3].items())


#: Plain files at least this large are split between worker processes.
PARALLEL_INPUT: Final = 64 << 20


class Folder:
    """Folds blocks into tallies; ``low``/``high`` are canonical timestamps (inclusive)."""

    def __init__(self, low: bytes | None = None, high: bytes | None = None) -> None:
        self.parser = LineParser()
        self.tallies: Tallies = {}
        self.stats = ReadStats()
        self.low = low
        self.high = high
        self._limited = low is not None or high is not None
        self._bad_tails: set[bytes] = set()
        self._bad_bytes = 0
        self._tail_of: dict[Site, bytes] = {}
        self.rollouts: RolloutTallies = {}
        self.rollbacks: Rollbacks = {}

    def _in_range(self, stamp: bytes) -> bool:
        return (self.low is None or stamp >= self.low) and (self.high is None or stamp <= self.high)

    def fold(self, block: bytes) -> None:
        # `parse_line` in _reader, inlined and reduced to what a tally needs: this loop is
        # where reading time goes.
        tallies = self.tallies
        get = tallies.get
        match = HEAD.match
        limited = self._limited
        ignored = 0
        for line in block.split(b"\n"):
            head = match(line)
            if head is None:
                if (
                    b"deprecated_" in line
                    or b"rollout_usage" in line
                    or b"rollout_rolled_back" in line
                ):
                    self.fold_marked(line)
                else:
                    ignored += 1
                continue
            day, time_of_day, count, _pid = head.groups()
            if limited and not self._in_range(day + time_of_day):
                continue
            tail = line[head.end() :]
            per_day = get(tail)
            if per_day is None:
                per_day = self._new_tail(tail)
                if per_day is None:
                    self._fold_slowly(line)
                    continue
            tally = per_day.get(day)
            if tally is None:
                if not self.parser.day_ok(day):
                    self._fold_slowly(line)
                    continue
                tally = per_day[day] = Tally(time_of_day)
            if count is None:
                tally.calls += 1
            else:
                tally.count += int(count)
            if time_of_day < tally.first:
                tally.first = time_of_day
            elif time_of_day > tally.last:
                tally.last = time_of_day
            tally.events += 1
        self.stats.ignored += ignored

    def _new_tail(self, tail: bytes) -> dict[bytes, Tally] | None:
        if tail in self._bad_tails or self.parser.tail_site(tail) is None:
            if self._bad_bytes > CACHE_BYTES:  # bounded, whatever a hostile log holds
                self._bad_tails.clear()
                self._bad_bytes = 0
            self._bad_tails.add(tail)
            self._bad_bytes += len(tail)
            return None
        per_day: dict[bytes, Tally] = {}
        self.tallies[tail] = per_day
        return per_day

    def fold_marked(self, line: bytes, times: int = 1) -> None:
        """Fold a line outside the sink's layout that mentions one of phaseout's events,
        as if it had been read *times* times (the DuckDB engine hands over repeats once)."""
        if b"deprecated_" in line:
            self._fold_slowly(line, times)
        elif b"rollout_usage" in line:
            self._fold_rollout(line, times)
        else:
            self._fold_rollback(line, times)

    def add_group(self, tail: bytes, day: bytes, sums: tuple[int, int, int, bytes, bytes]) -> bool:
        """Add the sink-layout lines of one (tail, day) summed elsewhere: ``(count, calls,
        events, first, last)``. False when the tail or the day is not valid: those lines
        must then be folded one by one, as :meth:`fold` would."""
        per_day = self.tallies.get(tail)
        if per_day is None:
            per_day = self._new_tail(tail)
            if per_day is None:
                return False
        tally = per_day.get(day)
        if tally is None and not self.parser.day_ok(day):
            return False
        seen = Tally(b"")
        seen.__setstate__(sums)
        if tally is None:
            per_day[day] = seen
        else:
            tally.merge(seen)
        return True

    def _accepted(self, parse: Callable[[bytes], _T | None], line: bytes, times: int) -> _T | None:
        """What *parse* makes of *line*, counting it as skipped (broken) or ignored (other)."""
        try:
            parsed = parse(line)
        except _Broken:
            self.stats.skipped += times
            return None
        if parsed is None:
            self.stats.ignored += times
        return parsed

    def _fold_slowly(self, line: bytes, times: int = 1) -> None:
        parsed = self._accepted(self.parser.slow, line, times)
        if parsed is None:
            return
        usage, stamp, count, _pid, site = parsed
        if self._limited and not self._in_range(stamp):
            return
        day, time_of_day = stamp[:10], stamp[10:]
        one = Tally(time_of_day)
        one.count, one.calls, one.events = (count * times, 0, times) if usage else (0, times, times)
        tail = self._tail_of.get(site)
        if tail is None:
            if len(self._tail_of) >= 100_000:  # bounded, whatever a hostile log holds
                self._tail_of.clear()
            tail = self._tail_of[site] = canonical_tail(site)
        per_day = self.tallies.setdefault(tail, {})
        if day in per_day:
            per_day[day].merge(one)
        else:
            per_day[day] = one

    def _fold_rollout(self, line: bytes, times: int = 1) -> None:
        parsed = self._accepted(self.parser.rollout, line, times)
        if parsed is None:
            return
        rollout, path, stamp, count = parsed
        if self._limited and not self._in_range(stamp):
            return
        per_path = self.rollouts.setdefault(rollout, {}).setdefault(stamp[:10], [0, 0])
        per_path[path == "new"] += count * times

    def _fold_rollback(self, line: bytes, times: int = 1) -> None:
        parsed = self._accepted(self.parser.rollback, line, times)
        if parsed is None:
            return
        rollout, stamp, numbers = parsed
        if self._limited and not self._in_range(stamp):
            return
        self._add_rollbacks(rollout, (times, stamp, stamp, numbers))

    def _add_rollbacks(
        self, rollout: str, seen: tuple[int, bytes, bytes, dict[str, float]]
    ) -> None:
        known = self.rollbacks.get(rollout)
        if known is not None:
            # The latest rollback's numbers; of two at the same instant, the larger numbers,
            # so that the result does not depend on the order in which lines were read.
            later = max(seen, known, key=_latest)
            seen = (known[0] + seen[0], min(known[1], seen[1]), later[2], later[3])
        self.rollbacks[rollout] = seen

    def merge(
        self,
        tallies: Tallies,
        stats: ReadStats,
        rollouts: RolloutTallies,
        rollbacks: Rollbacks,
    ) -> None:
        for rollout, seen in rollbacks.items():
            self._add_rollbacks(rollout, seen)
        for rollout, days in rollouts.items():
            mine_days = self.rollouts.setdefault(rollout, {})
            for day, (legacy, new) in days.items():
                counts = mine_days.setdefault(day, [0, 0])
                counts[0] += legacy
                counts[1] += new
        for tail, per_day in tallies.items():
            mine = self.tallies.setdefault(tail, {})
            for day, tally in per_day.items():
                if day in mine:
                    mine[day].merge(tally)
                else:
                    mine[day] = tally
        self.stats.skipped += stats.skipped
        self.stats.ignored += stats.ignored
        self.stats.notes += stats.notes


def _fold_range(
    path: str, start: int, end: int, low: bytes | None, high: bytes | None
) -> tuple[Tallies, ReadStats, RolloutTallies, Rollbacks]:
    folder = Folder(low, high)
    for block in read_range(path, start, end, folder.stats):
        folder.fold(block)
    return folder.tallies, folder.stats, folder.rollouts, folder.rollbacks


MIN_PART: Final = 64 * 1024


def fold_in_parallel(folder: Folder, path: str, workers: int) -> None:
    """Fold a large plain file in *workers* processes, merging their tallies into *folder*.

    Workers are forked while this process runs a single thread (fast: nothing to import);
    otherwise they are spawned, because forking beside other threads can deadlock the child.
    """
    # No piece smaller than MIN_PART: a process costs more than reading that much.
    parts = max(1, min(workers, os.path.getsize(path) // MIN_PART))
    points = split_points(path, parts)
    ranges = [(a, b) for a, b in itertools.pairwise(points) if b > a]
    method = "fork" if threading.active_count() == 1 and os.name == "posix" else "spawn"
    with ProcessPoolExecutor(len(ranges), mp_context=get_context(method)) as pool:
        futures = [pool.submit(_fold_range, path, a, b, folder.low, folder.high) for a, b in ranges]
        for future in futures:
            folder.merge(*future.result())
    folder.stats.bytes_read += os.path.getsize(path)

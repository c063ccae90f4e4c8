"""Moving callers from a legacy path to a new one in steps, watched, and undone at once.

``Rollout(name, legacy=..., new=..., percent=10, key=...)`` is a callable that routes each
call to one of two implementations:

- **Sticky buckets**: a key's bucket (0-9999, so 0.01 % resolution) is a stable hash of the
  rollout's name and the key: the same in every process, machine and Python version (CRC-32
  with a mixing step, never ``hash()``). A key goes the new way when its bucket is below
  ``percent * 100``, so raising ``percent`` never moves a key back to legacy.
- **Overrides**, strongest first: ``force()`` (context-local), ``deny`` and ``allow`` lists,
  a rolled-back state, ``PHASEOUT_ROLLOUT="name=percent,..."``, then ``percent``.
- **Fallback**: with ``fallback=True`` a new path that raises is answered by the legacy path.
- **Shadow**: a sampled share of calls also runs the path not chosen and compares results;
  what the shadow does never reaches the caller.
- **Rollback**: a :class:`RollbackPolicy` watches the new path over a sliding window and
  drops the rollout to 0 % when errors, mismatches or latency cross its limits.
- **Scheduled ramps**: ``schedule=[("2027-01-04", 1), ("2027-01-11", 10, "+2%/day"),
  ("2027-02-08", 100)]`` makes the percent follow the calendar by itself (recomputed by an
  alarm at most once a second, never per call); a rollback freezes the ramp until
  :meth:`Rollout.resume`, after which it goes on from where it stood.
"""

from __future__ import annotations

from ._judging import RollbackPolicy, RolloutStats

# ROLLOUTS: every rollout alive, read by the audit and the metrics; BUCKETS: buckets per key.
from ._rollout import ROLLOUTS as ROLLOUTS
from ._rollout import Rollout
from ._routing import BUCKETS as BUCKETS
from ._routing import bucket_of
from ._schedule import Schedule

__all__ = ["RollbackPolicy", "Rollout", "RolloutStats", "Schedule", "bucket_of"]

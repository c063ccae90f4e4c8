"""Dependencies' deprecations: what a project uses of other libraries' deprecated APIs.

The room for the tracking of third-party deprecations (``warnings.deprecated`` markers,
other libraries' warnings) counted with phaseout's own accounting, read through the core's
public usage API, never the hot path's internals.
"""

from __future__ import annotations

__all__: list[str] = []

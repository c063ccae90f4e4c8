"""What the peer-parity features cost, side by side with their floor or peer, in one run.

    python benchmarks/bench_peers.py [--quick]

Each row runs from one line in a loop, warmed first, under "ignore" (the steady state) and
"always" recorded (what pytest does); the minimum of interleaved rounds is kept. Ratios are to
the row's floor (the plain operation) or peer (wrapt's ObjectProxy).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import peer_subjects as ps
import results

# (row, loop, the row it is compared with)
_ENUM = "`Plain.RED`, an untouched Enum (floor)"
_CALL = 'deprecated call, `"call site"` budget (floor)'
_HELPER = "through a helper, no option"
_FIT = "`plain_fit(1, new_coef=2.0)` (floor)"
ROWS: list[tuple[str, Callable[[int], float], str | None]] = [
    ("`30 + 1` (floor)", ps.add_plain, None),
    ("`wrapt.ObjectProxy(30) + 1` (peer)", ps.add_wrapt, None),
    ("`deprecated_proxy(30) + 1`", ps.add_proxy, "`wrapt.ObjectProxy(30) + 1` (peer)"),
    (_ENUM, ps.member_plain, None),
    ("`Color.BLUE`, a member not deprecated", ps.member_not_deprecated, _ENUM),
    ("`Color.RED`, a deprecated member", ps.member_deprecated, _ENUM),
    ('`Color["RED"]`, a deprecated member by key', ps.member_by_key, _ENUM),
    (_CALL, ps.default_budget, None),
    ("deprecated call, `warn_at_most=1`, spent", ps.exhausted_budget, _CALL),
    (_HELPER, ps.through_helper_default, None),
    ("through a helper, `stacklevel=2`", ps.through_helper_stacklevel, _HELPER),
    ("through a helper, `skip_modules`", ps.through_helper_skipping, _HELPER),
    (_FIT, ps.fit_plain, None),
    ("`fit(1, new_coef=2.0)`, `coef` kept in the def, unused", ps.fit_kept_unused, _FIT),
    ("`fit(1, None, 2.0)`, `coef` passed by position", ps.fit_kept_used, _FIT),
    ("`noted_fit(...)`, with `added` and `changed` notes", ps.fit_noted, _FIT),
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = parser.parse_args()
    rounds, calls = (3, 3_000) if args.quick else (9, 30_000)
    best = results.best_under_filters({name: loop for name, loop, _ in ROWS}, rounds, calls)
    lines = [
        f"{results.provenance()}; minimum of {rounds} interleaved rounds of {calls:,} uses "
        "from one line, ns per use; × is the ratio to the row named.",
        "",
        '| use | "ignore" (steady state) | "always", recorded | compared with |',
        "|---|---:|---:|---|",
    ]
    for name, _, base in ROWS:
        cells = []
        for action in ("ignore", "always"):
            value = best[name, action]
            ratio = "" if base is None else f" ({value / best[base, action]:.1f}×)"
            cells.append(f"{value:,.0f}{ratio}")
        lines.append(f"| {name} | {cells[0]} | {cells[1]} | {base or ''} |")
    text = "\n".join(lines) + results.notes("PEER_NOTES.md") + "\n"
    return results.publish(
        "Peer parity: proxies, Enum members, budgets, frames", text, quick=args.quick
    )


if __name__ == "__main__":
    raise SystemExit(main())

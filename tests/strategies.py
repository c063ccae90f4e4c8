"""Shared hypothesis strategies: PEP 440 versions and timelines."""

from __future__ import annotations

from hypothesis import strategies as st
from packaging.version import Version

_release = st.lists(st.integers(0, 12), min_size=1, max_size=3).map(
    lambda parts: ".".join(map(str, parts))
)
_pre = st.one_of(
    st.just(""),
    st.tuples(st.sampled_from(["a", "b", "rc"]), st.integers(0, 3)).map(lambda p: f"{p[0]}{p[1]}"),
)
_post = st.one_of(st.just(""), st.integers(0, 2).map(lambda n: f".post{n}"))
_dev = st.one_of(st.just(""), st.integers(0, 2).map(lambda n: f".dev{n}"))

version_texts = st.builds(lambda r, a, p, d: f"{r}{a}{p}{d}", _release, _pre, _post, _dev)
versions = version_texts.map(Version)


@st.composite
def boundaries(draw: st.DrawFn) -> dict[str, str]:
    """Strictly increasing since < compat_in < hard_in < removed_in, some of them absent."""
    picked = sorted(set(draw(st.lists(versions, min_size=1, max_size=4))))
    names = ["since", "compat_in", "hard_in", "removed_in"]
    chosen = sorted(draw(st.permutations(names[1:]))[: len(picked) - 1], key=names.index)
    return dict(zip(["since", *chosen], map(str, picked), strict=True))


# Usage events, for the log reader. Text includes what logs can hold: quotes, backslashes,
# markup, control characters, non-ASCII and lone surrogates (file names that are not UTF-8).
hostile_text = st.text(
    alphabet=st.one_of(
        st.sampled_from('"\\<>&|,=\n\r\t\x1b\u2028/:'),
        st.characters(min_codepoint=32, max_codepoint=0x2FF),
        st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF),
    ),
    min_size=1,
    max_size=12,
)
sites = st.fixed_dictionaries(
    {
        "symbol": st.one_of(
            st.sampled_from(["lib.old", "lib.Old.method", "other.f"]), hostile_text
        ),
        "package": st.sampled_from(["lib", "Other_Lib"]),
        "phase": st.sampled_from(["pending", "soft", "compat", "hard", "removed"]),
        "since": st.sampled_from(["1.0", "2.0rc1"]),
        "removed_in": st.one_of(st.none(), st.just("3.0")),
        "replacement": st.one_of(st.none(), st.just("lib.new")),
        "caller": st.one_of(st.sampled_from(["app:<module>", "app.views:index"]), hostile_text),
        "file": st.sampled_from(["/srv/app/views.py", "/srv/caf\udce9.py"]),
        "line": st.integers(0, 10_000),
    }
)
# Seconds from 2025-01-01 over about two months, so several days appear.
moments = st.floats(1_735_689_600.0, 1_735_689_600.0 + 60 * 86_400.0, allow_nan=False)
usage_events = st.tuples(
    st.sampled_from(["deprecated_call", "deprecated_usage"]),
    moments,
    st.integers(0, 10**12),
    sites,
)

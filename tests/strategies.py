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

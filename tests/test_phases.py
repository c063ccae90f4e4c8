from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from phaseout import Phase
from phaseout.phases import Timeline

from .strategies import boundaries, versions


def test_phases_are_ordered() -> None:
    assert Phase.PENDING < Phase.SOFT < Phase.COMPAT < Phase.HARD < Phase.REMOVED
    assert sorted(Phase, reverse=True)[0] is Phase.REMOVED
    assert [phase.rank for phase in Phase] == [0, 1, 2, 3, 4]
    assert max(Phase.SOFT, Phase.HARD) is Phase.HARD
    assert Phase.SOFT <= Phase.SOFT
    with pytest.raises(TypeError):
        assert Phase.SOFT < 1


def _reference(bounds: dict[str, str], version: Version) -> Phase:
    """The issue's definition, written out literally."""
    get = {name: Version(value) for name, value in bounds.items()}
    if "removed_in" in get and version >= get["removed_in"]:
        return Phase.REMOVED
    if "hard_in" in get:
        if version >= get["hard_in"]:
            return Phase.HARD
    elif "removed_in" in get:
        removal = get["removed_in"]
        first_pre = Version(f"{removal.base_version}.dev0") if removal.pre is None else None
        start = first_pre if first_pre is not None else removal
        earlier = get.get("compat_in", get["since"])
        if earlier < start < removal and version >= start:
            return Phase.HARD
    if "compat_in" in get and version >= get["compat_in"]:
        return Phase.COMPAT
    return Phase.SOFT if version >= get["since"] else Phase.PENDING


@given(boundaries(), versions)
def test_phase_matches_the_definition(bounds: dict[str, str], version: Version) -> None:
    timeline = Timeline.parse("m.f", **bounds)
    # The reference knows the implicit HARD start only for final removal releases (X.Y);
    # removal at a pre-, post- or dev release is covered by the ordering tests below.
    removal = bounds.get("removed_in")
    if removal is None or Version(removal) == Version(Version(removal).base_version):
        assert timeline.phase_at(version) is _reference(bounds, version)


@given(boundaries(), st.lists(versions, min_size=2, max_size=8))
def test_phase_never_goes_back_as_versions_grow(bounds: dict[str, str], vs: list[Version]) -> None:
    timeline = Timeline.parse("m.f", **bounds)
    phases = [timeline.phase_at(v) for v in sorted(vs)]
    assert phases == sorted(phases)


@given(boundaries())
def test_each_boundary_starts_its_phase(bounds: dict[str, str]) -> None:
    timeline = Timeline.parse("m.f", **bounds)
    expected = {
        "since": Phase.SOFT,
        "compat_in": Phase.COMPAT,
        "hard_in": Phase.HARD,
        "removed_in": Phase.REMOVED,
    }
    for name, value in bounds.items():
        assert timeline.phase_at(Version(value)) is expected[name]


def test_hard_phase_starts_at_the_first_prerelease_of_removal() -> None:
    timeline = Timeline.parse("m.f", since="1.0", compat_in="1.5", removed_in="2.0")
    assert timeline.hard_start == Version("2.0.dev0")
    cases = {
        "0.9": Phase.PENDING,
        "1.0": Phase.SOFT,
        "1.4.99": Phase.SOFT,
        "1.5": Phase.COMPAT,
        "1.9.post3": Phase.COMPAT,
        "2.0.dev0": Phase.HARD,
        "2.0a1": Phase.HARD,
        "2.0rc1": Phase.HARD,
        "2.0": Phase.REMOVED,
        "2.0.post1": Phase.REMOVED,
        "3.0": Phase.REMOVED,
    }
    assert {v: timeline.phase_at(Version(v)) for v in cases} == cases


def test_explicit_hard_in_wins_and_no_removal_means_never_removed() -> None:
    timeline = Timeline.parse("m.f", since="1.0", hard_in="1.8", removed_in="2.0")
    assert timeline.phase_at(Version("1.8")) is Phase.HARD
    assert timeline.phase_at(Version("1.7")) is Phase.SOFT
    forever = Timeline.parse("m.f", since="1.0")
    assert forever.phase_at(Version("999")) is Phase.SOFT
    assert forever.hard_start is None


def test_no_implicit_hard_phase_when_since_is_already_a_prerelease_of_removal() -> None:
    timeline = Timeline.parse("m.f", since="2.0.dev0", removed_in="2.0")
    assert timeline.hard_start is None
    assert timeline.phase_at(Version("2.0rc1")) is Phase.SOFT


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"since": "two"}, "m.f: since must be a PEP 440 version, got 'two'"),
        (
            {"since": 2.0},
            "m.f: since must be a PEP 440 version string, got 2.0 (float); write since='2.0'",
        ),
        (
            {"since": "1.0", "removed_in": "soon"},
            "m.f: removed_in must be a PEP 440 version, got 'soon'",
        ),
        (
            {"since": "1.0+local"},
            "m.f: since must be a public version without a local part ('+...'), got '1.0+local'",
        ),
        (
            {"since": "2.0", "removed_in": "1.0"},
            "m.f: versions must increase strictly in the order since < compat_in < hard_in "
            "< removed_in, got since='2.0' and removed_in='1.0'",
        ),
        (
            {"since": "1.0", "compat_in": "1.5", "hard_in": "1.5"},
            "m.f: versions must increase strictly in the order since < compat_in < hard_in "
            "< removed_in, got compat_in='1.5' and hard_in='1.5'",
        ),
    ],
)
def test_bad_boundaries_name_symbol_and_value(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Timeline.parse("m.f", **kwargs)


def test_timeline_equality_and_repr() -> None:
    a = Timeline.parse("x", since="1.0", removed_in="2.0")
    b = Timeline.parse("y", since="1.0.0", removed_in="2")
    assert a == b
    assert hash(a) == hash(b)
    assert a != Timeline.parse("x", since="1.0")
    assert repr(a) == "Timeline(since='1.0', removed_in='2.0')"

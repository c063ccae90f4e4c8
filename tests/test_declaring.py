"""The options every non-callable declaration takes: checked like Python checks keywords."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import phaseout

# Each public declaration function, called with its own required arguments.
DECLARERS: dict[str, Callable[..., Any]] = {
    "renamed_parameter": lambda **kw: phaseout.renamed_parameter("a", "b", **kw),
    "removed_parameter": lambda **kw: phaseout.removed_parameter("a", **kw),
    "keyword_only": lambda **kw: phaseout.keyword_only("a", **kw),
    "changed_default": lambda **kw: phaseout.changed_default("a", 1, changes_in="3.0", **kw),
    "deprecated_value": lambda **kw: phaseout.deprecated_value("a", 1, **kw),
    "renamed_class_attribute": lambda **kw: phaseout.renamed_class_attribute("new", **kw),
    "deprecated_class_attribute": lambda **kw: phaseout.deprecated_class_attribute(1, **kw),
    "code_path": lambda **kw: phaseout.code_path("x.y", **kw),
    "moved_module": lambda **kw: phaseout.moved_module("nowhere_a.b", "nowhere_c.d", **kw),
}


@pytest.mark.parametrize("api", list(DECLARERS))
def test_unknown_and_missing_options_are_worded_like_pythons_own(api: str) -> None:
    declare = DECLARERS[api]
    with pytest.raises(TypeError) as unknown:
        declare(since="1.0", remove_in="2.0")
    assert str(unknown.value) == f"{api}() got an unexpected keyword argument 'remove_in'"
    with pytest.raises(TypeError) as missing:
        declare(removed_in="2.0") if api != "changed_default" else declare(hard_in="2.0")
    assert str(missing.value) == f"{api}() missing 1 required keyword-only argument: 'since'"


def test_a_default_change_takes_no_removed_in_or_compat_in() -> None:
    for option in ("removed_in", "compat_in"):
        with pytest.raises(TypeError, match=f"unexpected keyword argument '{option}'"):
            DECLARERS["changed_default"](since="1.0", **{option: "2.0"})

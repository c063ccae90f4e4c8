"""The layers of docs/architecture.md place every module, and CI checks them (lint-imports)."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import tomli as tomllib  # tomllib's own code, on every Python the tests run on

import phaseout

ROOT = Path(__file__).resolve().parent.parent


def _contracts() -> list[dict[str, object]]:
    with open(ROOT / "pyproject.toml", "rb") as file:
        config = tomllib.load(file)
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _placed(container: str) -> set[str]:
    (contract,) = [c for c in _contracts() if c.get("containers") == [container]]
    layers = contract["layers"]
    assert isinstance(layers, list)
    return {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}


def test_every_module_of_the_package_has_a_layer() -> None:
    modules = {info.name for info in pkgutil.iter_modules(phaseout.__path__)}
    assert modules == _placed("phaseout")


def test_every_module_of_each_layered_subpackage_has_a_layer() -> None:
    for package in (
        "report",
        "audit",
        "check",
        "rollout",
        "fix",
        "records",
        "plans",
        "dependencies",
    ):
        path = Path(phaseout.__path__[0]) / package
        modules = {info.name for info in pkgutil.iter_modules([str(path)])}
        assert modules == _placed(f"phaseout.{package}"), package


def test_the_architecture_page_names_every_layer() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for module in _placed("phaseout"):
        assert f"`{module}`" in page, module

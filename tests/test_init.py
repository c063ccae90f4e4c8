"""The front door: every public name is there, and `import phaseout` stays cheap."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import phaseout

# What neither `import phaseout` nor declaring deprecations may import: each is paid for only
# when used (metadata on the first use, sinks and structlog with a usage log, the rest with
# their feature).
HEAVY = {
    "importlib.metadata", "email", "zipfile", "csv", "json", "asyncio", "dataclasses",
    "inspect", "sysconfig", "structlog", "phaseout.rollout", "phaseout.adapters",
    "phaseout.report", "phaseout._usage", "phaseout.processors", "phaseout.cli",
    "phaseout.policies", "phaseout.names", "phaseout.parameters", "phaseout._layer",
    "phaseout.code_paths", "phaseout.audit", "phaseout.testing",
    "phaseout._otel", "phaseout._pep702", "opentelemetry", "typing_extensions", "pytest",
    # Dates, calendars and alarms: for timelines declared by date and release calendars only.
    "datetime", "calendar", "heapq", "phaseout._alarms", "phaseout._calendar",
    "phaseout._pyproject",
}  # fmt: skip


def _modules_after(tmp_path: Path, code: str) -> dict[str, list[str]]:
    script = tmp_path / "probe.py"
    script.write_text(textwrap.dedent(code), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result


def test_import_and_declaring_a_thousand_functions_import_nothing_heavy(tmp_path: Path) -> None:
    declarations = "".join(
        f"@phaseout.deprecated(since='1.0', removed_in='2.0', package='po-light')\n"
        f"def f{i}(x, y=1):\n    return x\n\n"
        for i in range(1000)
    )
    (tmp_path / "po_light.py").write_text("import phaseout\n\n" + declarations, encoding="utf-8")
    found = _modules_after(
        tmp_path,
        """
        import sys
        steps = {}
        before = set(sys.modules)
        import phaseout
        steps["import"] = sorted(set(sys.modules) - before)
        loaded = set(sys.modules)
        import packaging.version  # a dependency's own imports are not phaseout's to avoid
        steps["dependency"] = sorted(set(sys.modules) - loaded)
        import po_light
        steps["declare"] = sorted(set(sys.modules) - before)
        steps["count"] = [str(len(phaseout.declarations("po_light")))]
        import json  # only now: the probe must not import what it looks for
        print(json.dumps(steps))
        """,
    )
    assert found["import"] == ["__future__", "phaseout"]
    assert sorted((HEAVY & set(found["declare"])) - set(found["dependency"])) == []
    assert found["count"] == ["1000"]


def test_public_names_resolve_lazily_and_completely() -> None:
    for name in phaseout.__all__:
        assert getattr(phaseout, name) is not None
    assert set(phaseout.__all__) <= set(dir(phaseout))
    # Sorted as ruff (isort) sorts it: constants, then classes, then the rest.
    assert phaseout.__all__ == sorted(
        phaseout.__all__, key=lambda name: (not name.isupper(), not name[0].isupper(), name)
    )
    assert phaseout.deprecated.__module__ == "phaseout.decorators"
    assert phaseout.RemovedError.__module__ == "phaseout.exceptions"
    assert phaseout.processors.SCHEMA == 1  # a submodule, loaded on first access
    with pytest.raises(AttributeError, match=r"^module 'phaseout' has no attribute 'deprecate'$"):
        phaseout.deprecate  # a typo gets Python's own message

from __future__ import annotations

import asyncio
import importlib
import json
import os
import subprocess
import sys
import textwrap
import threading
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from packaging.version import Version

import phaseout
from phaseout import Phase, UnknownVersionError
from phaseout._versions import VersionSource, active_pretend

from .strategies import version_texts

SAMPLE_PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "po-sample-dist"
version = "1.4"

[tool.hatch.build.targets.wheel]
packages = ["po_sample"]
"""

SAMPLE_MODULE = """\
import phaseout

__version__ = "0.1"  # stale on purpose: installed metadata comes first


@phaseout.deprecated(since="1.0", removed_in="2.0")
def old():
    return "old"
"""

# Counts every read of package metadata, installed before anything is imported.
PROBE = """\
import importlib.metadata as md, json, sys, warnings
reads = []
for name in ("version", "distribution", "packages_distributions", "metadata"):
    original = getattr(md, name)
    def counting(*args, _original=original, _name=name, **kwargs):
        reads.append(_name)
        return _original(*args, **kwargs)
    setattr(md, name, counting)
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real distribution, built with hatchling and installed into a target directory."""
    root = tmp_path_factory.mktemp("sample")
    source = root / "source"
    (source / "po_sample").mkdir(parents=True)
    (source / "pyproject.toml").write_text(SAMPLE_PYPROJECT, encoding="utf-8")
    (source / "po_sample" / "__init__.py").write_text(SAMPLE_MODULE, encoding="utf-8")
    wheels, target = root / "wheels", root / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-build-isolation", "--no-deps", "-w", str(wheels), str(source)],
        check=True,
    )
    wheel = next(wheels.glob("po_sample_dist-1.4-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True)
    return target


def _run(site: Path, code: str, **env: str) -> dict[str, Any]:
    paths = [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), **env}
    environ.pop("PHASEOUT_PRETEND", None) if "PHASEOUT_PRETEND" not in env else None
    result = subprocess.run(
        [sys.executable, "-c", PROBE + textwrap.dedent(code)],
        capture_output=True, text=True, env=environ, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_phase_comes_from_installed_metadata_read_once_on_first_use(installed: Path) -> None:
    out = _run(
        installed,
        """
        import po_sample
        at_import = len(reads)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            po_sample.old()
            after_first = len(reads)
            po_sample.old()
        w = caught[0].message
        print(json.dumps({"at_import": at_import, "first": after_first, "second": len(reads),
                          "category": type(w).__name__, "package": w.package,
                          "phase": w.phase.value, "text": str(w), "line": caught[0].lineno}))
        """,
    )
    assert out["at_import"] == 0
    assert out["first"] > 0
    assert out["second"] == out["first"]
    assert (out["category"], out["package"], out["phase"]) == (
        "DeprecatedWarning", "po-sample-dist", "soft",
    )  # fmt: skip
    assert out["text"] == (
        "po_sample.old() is deprecated since po-sample-dist 1.0 and will be removed in 2.0."
    )


@pytest.mark.parametrize("name", ["po-sample-dist", "PO_Sample_Dist", "po_sample"])
def test_pretend_environment_variable(installed: Path, name: str) -> None:
    out = _run(
        installed,
        """
        import phaseout, po_sample
        try:
            po_sample.old()
        except phaseout.RemovedError as error:
            print(json.dumps({"error": str(error)}))
        """,
        PHASEOUT_PRETEND=f"other==1.0,{name}==2.0",
    )
    assert out["error"] == (
        "po_sample.old() was removed in po-sample-dist 2.0 (deprecated since 1.0; "
        "2.0 is installed)."
    )


def test_a_thousand_declarations_read_no_metadata_at_import(
    installed: Path, tmp_path: Path
) -> None:
    body = "".join(
        f"@phaseout.deprecated(since='1.0', removed_in='2.0')\ndef f{i}(x):\n    return x\n\n"
        for i in range(1000)
    )
    (tmp_path / "po_many.py").write_text(f"import phaseout\n\n{body}", encoding="utf-8")
    out = _run(
        installed,
        f"""
        sys.path.insert(0, {str(tmp_path)!r})
        import po_many, phaseout
        print(json.dumps({{"reads": len(reads), "count": len(phaseout.declarations())}}))
        """,
    )
    assert out == {"reads": 0, "count": 1000}


def test_dunder_version_is_the_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "po_versioned").mkdir()
    (tmp_path / "po_versioned" / "__init__.py").write_text(
        "import phaseout\n__version__ = '2.5'\n"
        "@phaseout.deprecated(since='1.0', hard_in='2.5', removed_in='3.0')\n"
        "def f():\n    return 1\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("po_versioned")
    try:
        assert phaseout.phase_of(module.f) is Phase.HARD
    finally:
        sys.modules.pop("po_versioned")


def test_unknown_version_is_a_clear_error_on_first_use() -> None:
    source = VersionSource("nowhere_pkg.mod.f", "nowhere_pkg.mod", None, None)
    with pytest.raises(UnknownVersionError) as info:
        source.resolve(None)
    message = str(info.value)
    assert message.startswith("cannot tell which version of 'nowhere_pkg' is installed")
    assert "nowhere_pkg.mod.f" in message
    assert "pass package='<distribution name>' or current_version='X.Y'" in message


def test_explicit_current_version_callable_is_read_once_until_configure() -> None:
    calls: list[int] = []

    def current() -> str:
        calls.append(1)
        return "1.5"

    @phaseout.deprecated(since="1.0", current_version=current)
    def f() -> None:
        pass

    assert calls == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f()
        f()
    assert calls == [1]
    phaseout.configure()
    assert phaseout.phase_of(f) is Phase.SOFT
    assert calls == [1, 1]


def test_bad_current_version_names_the_symbol() -> None:
    @phaseout.deprecated(since="1.0", current_version=lambda: "soon")
    def f() -> None:
        pass

    with pytest.raises(
        ValueError, match=r"\.f: current_version must give a PEP 440 version, got 'soon'$"
    ):
        f()


@phaseout.deprecated(since="1.0", removed_in="2.0", package="po-ctx")
def ctx_bound() -> None:
    pass


def test_pretend_is_context_local_across_threads_and_tasks() -> None:
    results: dict[str, Phase] = {}

    def in_thread(name: str, version: str) -> None:
        with phaseout.pretend({"po-ctx": version}):
            barrier.wait()
            results[name] = phaseout.phase_of(ctx_bound)

    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(target=in_thread, args=("a", "1.0")),
        threading.Thread(target=in_thread, args=("b", "2.0")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {"a": Phase.SOFT, "b": Phase.REMOVED}

    async def task(version: str) -> Phase:
        with phaseout.pretend({"po-ctx": version}):
            await asyncio.sleep(0)
            return phaseout.phase_of(ctx_bound)

    async def main() -> list[Phase]:
        return list(await asyncio.gather(task("0.5"), task("2.0rc1")))

    assert asyncio.run(main()) == [Phase.PENDING, Phase.HARD]
    assert active_pretend() is None


def test_pretend_blocks_nest_and_inner_versions_win() -> None:
    with phaseout.pretend({"po-ctx": "1.0", "other": "3"}):
        with phaseout.pretend({"PO_CTX": "2.0"}):
            assert phaseout.phase_of(ctx_bound) is Phase.REMOVED
            assert active_pretend() == {"po-ctx": Version("2.0"), "other": Version("3")}
        assert phaseout.phase_of(ctx_bound) is Phase.SOFT


@given(version_texts)
def test_pretend_accepts_every_pep440_version(text: str) -> None:
    with phaseout.pretend({"po-ctx": text}):
        assert active_pretend() == {"po-ctx": Version(text)}


def test_pretend_rejects_bad_input() -> None:
    with pytest.raises(
        ValueError, match=r"^pretend\(\): the version of 'x' must be a PEP 440 version, got 'new'$"
    ):
        with phaseout.pretend({"x": "new"}):
            pass
    with pytest.raises(ValueError, match=r"^pretend\(\) keys must be package names, got ''$"):
        with phaseout.pretend({"": "1.0"}):
            pass

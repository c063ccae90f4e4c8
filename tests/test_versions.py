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
from phaseout import Phase
from phaseout._versions import VersionSource, active_pretend
from phaseout.exceptions import UnknownVersionError

from .helpers import here
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
        "2.0 is pretended)."
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
        print(json.dumps({{"reads": len(reads), "count": len(phaseout.declarations("po_many"))}}))
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


UNKNOWN_TAIL = (
    "Its deprecations act as deprecated (soft: warned, never forwarded or removed) until it is "
    "known; "
)


def test_unknown_version_explains_itself() -> None:
    source = VersionSource("nowhere_pkg.mod.f", "nowhere_pkg.mod", None, None)
    assert source.resolve(None) is None
    assert source.unknown_text() == (
        "cannot tell which version of 'nowhere_pkg' is installed, so the phase of "
        "nowhere_pkg.mod.f is unknown: no installed distribution named 'nowhere_pkg' was found "
        f"and nowhere_pkg.__version__ is missing. {UNKNOWN_TAIL}install the package, or pass "
        "package='<distribution name>' or current_version='X.Y' (or a callable returning it) "
        "to phaseout.deprecated()"
    )


def _declare_unknown(**options: Any) -> Any:
    """A function of a package that is not installed (run from source, vendored, frozen)."""

    def new() -> str:
        return "new"

    @phaseout.deprecated(
        since="1.0", compat_in="1.1", removed_in="2.0", package="po-never-installed",
        replacement=new, **options,
    )  # fmt: skip
    def old() -> str:
        return "old"

    return old


def test_an_unknown_version_warns_as_deprecated_and_says_so_once() -> None:
    old = _declare_unknown()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        line = here() + 1
        assert old() == "old"  # never forwarded on a guess
        assert old() == "old"
    kinds = [(w.category, w.lineno, w.filename) for w in record]
    assert kinds == [
        (phaseout.exceptions.UnknownVersionWarning, line, __file__),
        (phaseout.DeprecatedWarning, line, __file__),
        (phaseout.DeprecatedWarning, line + 1, __file__),
    ]
    notice = record[0].message
    assert isinstance(notice, phaseout.exceptions.UnknownVersionWarning)
    assert str(notice).startswith(
        "cannot tell which version of 'po-never-installed' is installed, so the phase of "
    )
    assert notice.package == "po-never-installed"
    assert phaseout.phase_of(old) is Phase.SOFT
    # A second declaration of the same package does not repeat the notice.
    other = _declare_unknown()
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        other()
    assert [w.category for w in again] == [phaseout.DeprecatedWarning]


def test_an_unknown_version_is_an_error_in_strict_mode() -> None:
    old = _declare_unknown()
    phaseout.configure(strict="hard")
    with pytest.raises(UnknownVersionError, match=r"^cannot tell which version of 'po-never-"):
        old()
    with pytest.raises(UnknownVersionError):
        old()


def test_a_raising_current_version_callable_is_called_once_and_reported() -> None:
    calls: list[int] = []

    def current() -> str:
        calls.append(1)
        raise OSError("no VERSION file")

    old = _declare_unknown(current_version=current)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for _ in range(3):
            assert old() == "old"
    assert calls == [1]
    assert [w.category for w in record] == [
        phaseout.exceptions.UnknownVersionWarning,
        *[phaseout.DeprecatedWarning] * 3,
    ]
    assert "current_version() raised OSError: no VERSION file." in str(record[0].message)


def test_a_current_version_string_is_checked_at_decoration() -> None:
    with pytest.raises(
        ValueError,
        match=r"\.f: current_version must be a PEP 440 version such as '1.4', got 'banana'$",
    ):

        @phaseout.deprecated(since="1.0", current_version="banana")
        def f() -> None:
            pass


@pytest.mark.parametrize("package", ["", " ", "my lib", "-lib", "lib/x"])
def test_a_package_name_is_checked_at_decoration(package: str) -> None:
    with pytest.raises(
        ValueError, match=rf"\.f: package must be a distribution name .*, got {package!r}$"
    ):

        @phaseout.deprecated(since="1.0", package=package)
        def f() -> None:
            pass


def test_the_readme_example_works_as_a_script(tmp_path: Path) -> None:
    """Run from a file, as `python example.py`: no package metadata, no __version__."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("## Example", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    script = tmp_path / "example.py"
    script.write_text(example, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    shown = readme.split("```text\n", 1)[1].split("```", 1)[0]
    assert result.stdout == shown


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


def test_a_bad_current_version_result_names_the_symbol() -> None:
    @phaseout.deprecated(since="1.0", current_version=lambda: "soon")
    def f() -> None:
        pass

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        f()
    assert record[0].category is phaseout.exceptions.UnknownVersionWarning
    message = str(record[0].message)
    assert ".f is unknown: current_version() must return a PEP 440 version, got 'soon'." in message
    assert message.endswith("make current_version return a version such as '1.4'")


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


def test_a_removed_error_says_whether_the_version_is_installed_or_pretended() -> None:
    @phaseout.deprecated(since="1.0", removed_in="2.0", current_version="2.1")
    def declared() -> None: ...

    @phaseout.deprecated(since="1.0", removed_in="2.0", package="po-pretended-only")
    def pretended() -> None: ...

    with pytest.raises(
        phaseout.RemovedError, match=r"\(deprecated since 1\.0; 2\.1 is installed\)\.$"
    ):
        declared()
    with (
        phaseout.pretend({"po-pretended-only": "2.5"}),
        pytest.raises(
            phaseout.RemovedError, match=r"\(deprecated since 1\.0; 2\.5 is pretended\)\.$"
        ),
    ):
        pretended()


def test_pretend_takes_the_environment_variables_spelling_too() -> None:
    @phaseout.deprecated(since="1.0", removed_in="2.0", package="po-spelled")
    def old() -> None: ...

    with phaseout.pretend("other==1.0, po-spelled==2.0"), pytest.raises(phaseout.RemovedError):
        old()
    with pytest.raises(
        ValueError,
        match=r"^pretend\(\) must be a comma-separated list of name==version, got 'po-spelled'$",
    ):
        with phaseout.pretend("po-spelled"):
            pass
    with pytest.raises(
        TypeError,
        match=r"^pretend\(\) takes a mapping such as \{'mylib': '3\.0'\} or the text 'mylib==3\.0,other==2\.0', got \['po-spelled==2\.0'\]$",
    ):
        with phaseout.pretend(["po-spelled==2.0"]):  # type: ignore[arg-type]
            pass


HUGE = "1" * 5000  # more digits than CPython converts to an int


@pytest.mark.parametrize("field", ["since", "removed_in", "current_version"])
def test_a_version_of_thousands_of_digits_gets_the_usual_message(field: str) -> None:
    options = {"since": "1.0", field: HUGE}
    with pytest.raises(ValueError, match=rf"\.old: {field} must be a PEP 440 version.*, got '1111"):

        @phaseout.deprecated(**options)  # type: ignore[arg-type]
        def old() -> None: ...


def test_a_pretended_version_of_thousands_of_digits_gets_the_usual_message() -> None:
    with pytest.raises(
        ValueError, match=r"the version of 'mylib' must be a PEP 440 version, got '1111"
    ):
        with phaseout.pretend({"mylib": HUGE}):
            pass
    with pytest.raises(
        ValueError, match=r"the version of 'mylib' must be a PEP 440 version, got '1111"
    ):
        with phaseout.pretend(f"mylib=={HUGE}"):
            pass


def test_the_decorator_without_parentheses_says_how_to_write_it() -> None:
    def old() -> None: ...

    with pytest.raises(
        TypeError,
        match=r"^phaseout\.deprecated takes its options and returns the decorator: write "
        r"@phaseout\.deprecated\(since=\.\.\., removed_in=\.\.\.\), with the parentheses \(got "
        r"<function .*old at 0x[0-9a-f]+> as a positional argument\)$",
    ):
        phaseout.deprecated(old)  # type: ignore[call-arg, arg-type]

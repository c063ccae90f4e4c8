"""phaseout's pytest plugin (entry point ``pytest11``), loaded by pytest automatically.

It costs nothing in a suite that does not use it: phaseout itself is imported only when an
option or marker asks for it, or when the suite's own code has imported phaseout.

- ``--phaseout-strict=hard|all`` and ``--phaseout-pretend "mylib==3.0,otherlib==2.0"``: run the
  suite against tomorrow's release (process-wide, as ``PHASEOUT_STRICT``/``PHASEOUT_PRETEND``;
  xdist workers get them too); ``@pytest.mark.phaseout_pretend({"mylib": "3.0"})`` for one test
  (its setup, call and teardown). ``today==2027-07-01`` (``{"today": "2027-07-01"}``) moves
  the timelines declared by date to that day.
- ``--phaseout-own=mylib``: fail the run when code inside ``mylib`` used a ``mylib`` deprecation
  (a warning users get and cannot fix), naming the call sites.
- A terminal summary of every deprecated API the suite used: phase, count and the busiest call
  sites (``--phaseout-top=N``); ``--phaseout-usage-log=PATH`` writes the uses as a usage log
  for ``phaseout report``. Counts of xdist workers are merged.
- ``--phaseout-track-warnings[=pandas,numpy]`` counts the deprecation warnings other
  libraries issue (``phaseout.track_warnings``), and ``--phaseout-watch`` applies the
  project's ``[tool.phaseout.watch]``; both land in the summary and the usage log.
- Under the plugin, a package policy's ``"process"`` budget shows a use once per call site, so
  each test that uses a deprecated API sees its warning (``pytest.warns``,
  ``pytest.deprecated_call``).
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from typing import Any

import pytest

_USAGE_KEY = "phaseout_usage"
_PACKAGES_KEY = "phaseout_declared_packages"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("phaseout", "deprecations (phaseout)")
    group.addoption(
        "--phaseout-strict",
        choices=("hard", "all"),
        help="raise phaseout's HARD-phase (hard) or all (all) deprecation warnings as errors",
    )
    group.addoption(
        "--phaseout-pretend",
        metavar="PKG==VERSION,...",
        help="act as if these versions were installed, e.g. 'mylib==3.0,otherlib==2.0'",
    )
    group.addoption(
        "--phaseout-own",
        metavar="PACKAGE",
        action="append",
        default=[],
        help="fail when code inside PACKAGE uses a deprecation of PACKAGE (repeatable)",
    )
    group.addoption(
        "--phaseout-usage-log",
        metavar="PATH",
        help="write the deprecated uses of the run to PATH as a usage log (phaseout report)",
    )
    group.addoption(
        "--phaseout-track-warnings",
        nargs="?",
        const="all",
        metavar="PACKAGES",
        help="count the deprecation warnings other libraries issue (all, or these "
        "comma-separated packages) and list them in the summary, as PHASEOUT_TRACK_WARNINGS",
    )
    group.addoption(
        "--phaseout-watch",
        action="store_true",
        help="watch the APIs listed in [tool.phaseout.watch] of the project's pyproject.toml",
    )
    group.addoption(
        "--phaseout-top",
        type=int,
        default=3,
        metavar="N",
        help="call sites shown per deprecated API in the summary (default 3)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "phaseout_pretend(versions): run the test as if these versions were installed, "
        'e.g. {"mylib": "3.0"}',
    )
    _track(config)
    strict = config.getoption("--phaseout-strict")
    pretend = config.getoption("--phaseout-pretend")
    if strict or pretend:
        import phaseout

        settings: dict[str, Any] = {}
        if strict:
            settings["strict"] = strict
        if pretend:
            try:
                settings["pretend"] = pretend
                phaseout.configure(**settings)
            except ValueError as error:
                raise pytest.UsageError(f"--phaseout-pretend: {error}") from None
        else:
            phaseout.configure(**settings)
    _under_pytest()


def _track(config: pytest.Config) -> None:
    """--phaseout-track-warnings and --phaseout-watch: before the suite imports anything."""
    packages = config.getoption("--phaseout-track-warnings")
    if packages:
        from phaseout import dependencies

        names = None if packages == "all" else [name.strip() for name in packages.split(",")]
        try:
            dependencies.track_warnings(packages=names)
        except ValueError as error:
            raise pytest.UsageError(f"--phaseout-track-warnings: {error}") from None
    if config.getoption("--phaseout-watch"):
        from phaseout import dependencies

        pyproject = config.rootpath / "pyproject.toml"
        try:
            dependencies.watch_list(pyproject)
        except (ValueError, OSError, RuntimeError) as error:
            raise pytest.UsageError(f"--phaseout-watch: {error}") from None


def _under_pytest() -> None:
    policies: Any = sys.modules.get("phaseout.policies")
    if policies is not None and policies.BUDGET_OVERRIDE is None:
        policies.BUDGET_OVERRIDE = "call site"
        policies.CONFIG.changed()  # plans made under the package's budget are made again


@pytest.hookimpl(hookwrapper=True)  # the old style: pytest 7 runs it too
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, Any, None]:
    _under_pytest()
    marker = item.get_closest_marker("phaseout_pretend")
    if marker is None:
        yield
        return
    if len(marker.args) != 1 or marker.kwargs or not isinstance(marker.args[0], dict):
        raise pytest.UsageError(
            f"{item.nodeid}: phaseout_pretend takes one dict of versions, such as "
            f'{{"mylib": "3.0"}}, got {marker.args!r} {marker.kwargs!r}'
        )
    import phaseout

    with phaseout.pretend(marker.args[0]):
        yield


def _usage(config: pytest.Config) -> list[dict[str, Any]]:
    """The uses counted in this process and, on the controller, those of xdist workers."""
    found: list[dict[str, Any]] = list(getattr(config, "_phaseout_worker_usage", []))
    if "phaseout._usage" in sys.modules:  # else nothing was counted: phaseout unused
        from ._usage import site_records

        found += site_records()
    return found


# An xdist hook: optional, because this plugin loads (through its entry point) in every
# project that installs phaseout, and pluggy refuses a plugin with an unknown required hook.
@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """An xdist worker finished: keep its counts for the summary (controller side)."""
    output = getattr(node, "workeroutput", {}) or {}
    config = node.config
    merged = getattr(config, "_phaseout_worker_usage", [])
    merged += output.get(_USAGE_KEY, [])
    config._phaseout_worker_usage = merged
    declared: set[str] = getattr(config, "_phaseout_worker_packages", set())
    declared.update(output.get(_PACKAGES_KEY, ()))
    config._phaseout_worker_packages = declared


def _declared_packages(config: pytest.Config) -> set[str]:
    """The normalized names of every package with a declaration in this run (and workers)."""
    found: set[str] = set(getattr(config, "_phaseout_worker_packages", ()))
    registry: Any = sys.modules.get("phaseout._registry")
    if registry is not None:  # else phaseout was never imported: nothing declared
        for decl in registry.declarations():
            found.add(_normal(decl.source.top_level))
            if decl.source.package:
                found.add(_normal(decl.source.package))
    return found


def _normal(name: str) -> str:
    return name.replace("-", "_").replace(".", "_").lower()


def _own_uses(config: pytest.Config, uses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    own = {_normal(name) for name in config.getoption("--phaseout-own")}
    found = []
    for use in uses:
        declared = use["symbol"].split(".")[0].lower()
        package = _normal(use["package"])
        caller = use["caller"].split(":")[0].split(".")[0].lower()
        if caller in own and (declared in own or package in own):
            found.append(use)
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    uses = _usage(config)
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports
        workeroutput[_USAGE_KEY] = uses
        if config.getoption("--phaseout-own"):
            workeroutput[_PACKAGES_KEY] = sorted(_declared_packages(config))
        return
    log = config.getoption("--phaseout-usage-log")
    if log:
        _write_log(log, uses)
    if _own_uses(config, uses) and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _write_log(path: str, uses: list[dict[str, Any]]) -> None:
    """The run's uses as ``deprecated_usage`` events, one line per call site."""
    from ._usage import write_usage_events

    write_usage_events(path, uses)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if getattr(config, "workeroutput", None) is not None:
        return
    _report_unknown_own(terminalreporter, config)
    uses = _usage(config)
    if not uses:
        return
    write = terminalreporter.write_line
    terminalreporter.section("phaseout: deprecated APIs used")
    by_symbol: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for use in uses:
        by_symbol.setdefault((use["symbol"], use["phase"]), []).append(use)
    top = max(0, config.getoption("--phaseout-top"))
    for (symbol, phase), sites in sorted(
        by_symbol.items(), key=lambda item: (-sum(u["count"] for u in item[1]), item[0])
    ):
        first = sites[0]
        # Another library's warning (track_warnings): its package and category.
        what = (
            f"{first['package']}, {first['category']}" if first.get("kind") == "warning" else phase
        )
        write(f"{symbol} ({what}): {_uses(sum(u['count'] for u in sites))}")
        merged: dict[tuple[str, int], int] = {}
        for use in sites:
            merged[use["file"], use["line"]] = (
                merged.get((use["file"], use["line"]), 0) + (use["count"])
            )
        for (file, line), count in sorted(merged.items(), key=lambda i: (-i[1], i[0]))[:top]:
            write(f"    {file}:{line}: {count}")
    own = _own_uses(config, uses)
    if own:
        terminalreporter.section("phaseout: the package uses its own deprecated APIs", red=True)
        for use in own:
            write(
                f"{use['file']}:{use['line']}: {use['caller']} uses {use['symbol']} "
                f"({use['count']}x)"
            )


def _uses(count: int) -> str:
    return f"{count:,} use" if count == 1 else f"{count:,} uses"


def _report_unknown_own(terminalreporter: Any, config: pytest.Config) -> None:
    """A --phaseout-own name that no declaration of the run belongs to checks nothing: a
    misspelt name must not pass silently."""
    wanted = config.getoption("--phaseout-own")
    if not wanted:
        return
    declared = _declared_packages(config)
    unknown = [name for name in wanted if _normal(name) not in declared]
    if not unknown:
        return
    terminalreporter.section("phaseout: --phaseout-own checks nothing", yellow=True)
    known = ", ".join(sorted(declared)) or "none"
    for name in unknown:
        terminalreporter.write_line(
            f"--phaseout-own={name}: no package of that name declared a deprecation in this "
            f"run (packages with declarations: {known}); check the spelling"
        )

"""The pytest plugin, run for real: each case is a pytest session in a subprocess."""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

LIBRARY = """
import phaseout

@phaseout.deprecated(since="2.0", hard_in="2.9", removed_in="3.0", package="mylib")
def old(x=1):
    return x

def new(x=1):
    return x

def uses_its_own_deprecation():
    return old(2)  # mylib's own code, calling mylib's deprecated API
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(mylib=LIBRARY)
    pytester.makeini("[pytest]\n")  # not the project's settings
    return pytester


def test_pretend_and_strict_options(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_it="""
        import warnings, pytest, phaseout, mylib

        def test_removed_tomorrow():
            with pytest.raises(phaseout.RemovedError):
                mylib.old()
        """
    )
    result = suite.runpytest_subprocess("--phaseout-pretend", "mylib==3.0")
    result.assert_outcomes(passed=1)
    suite.makepyfile(
        test_it="""
        import pytest, phaseout, mylib

        def test_strict():
            with pytest.raises(phaseout.RemovalWarning):
                mylib.old()
        """
    )
    suite.runpytest_subprocess(
        "--phaseout-pretend", "mylib==2.9", "--phaseout-strict=hard"
    ).assert_outcomes(passed=1)
    bad = suite.runpytest_subprocess("--phaseout-pretend", "mylib==three")
    assert "--phaseout-pretend: pretend: the version of 'mylib' must be a PEP 440" in str(
        bad.stderr
    )


def test_the_marker_pretends_for_one_test(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_it="""
        import pytest, phaseout, mylib

        @pytest.mark.phaseout_pretend({"mylib": "3.0"})
        def test_tomorrow():
            with pytest.raises(phaseout.RemovedError):
                mylib.old()

        def test_today():
            with phaseout.pretend({"mylib": "2.5"}), pytest.deprecated_call():
                assert mylib.old() == 1
        """
    )
    suite.runpytest_subprocess("-W", "error::DeprecationWarning").assert_outcomes(passed=2)


def test_expect_counts_uses_whatever_the_filters_and_registries_did(
    suite: pytest.Pytester,
) -> None:
    suite.makepyfile(
        test_it="""
        import warnings, pytest, phaseout, mylib
        from phaseout.testing import expect

        def test_counted_although_ignored():
            with phaseout.pretend({"mylib": "2.5"}), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with expect("mylib.old", phase="soft", count=2):
                    mylib.old()
                    mylib.old()

        def test_wrong_count():
            with phaseout.pretend({"mylib": "2.5"}), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with expect("mylib.old", count=3):
                    mylib.old()

        def test_wrong_phase():
            with phaseout.pretend({"mylib": "2.9"}), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with expect("mylib.old", phase="soft"):
                    mylib.old()
        """
    )
    result = suite.runpytest_subprocess()
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: expected 3 uses of mylib.old, got 1 use (1 soft)",
            "*AssertionError: expected uses of mylib.old in phase soft, got 1 use (1 hard)",
        ]
    )


def test_summary_usage_log_and_own_code_check(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_it="""
        import warnings, phaseout, mylib

        def test_uses():
            with phaseout.pretend({"mylib": "2.5"}), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for _ in range(3):
                    mylib.old()
                mylib.uses_its_own_deprecation()
        """
    )
    log = suite.path / "usage.jsonl"
    result = suite.runpytest_subprocess(
        f"--phaseout-usage-log={log}", "--phaseout-own=mylib", "--phaseout-top=1"
    )
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # the package used its own deprecation
    result.stdout.fnmatch_lines(
        [
            "*phaseout: deprecated APIs used*",
            "mylib.old (soft): 4 uses",
            "    *test_it.py:7: 3",
            "*phaseout: the package uses its own deprecated APIs*",
            "*mylib.py:11: mylib:uses_its_own_deprecation uses mylib.old (1x)",
        ]
    )
    from phaseout.report import summarize

    summary = summarize([log], by=("symbol",))
    assert [(row.symbol, row.count) for row in summary.rows] == [("mylib.old", 4)]
    assert summary.skipped == 0


def test_xdist_workers_counts_are_merged(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_it=textwrap.dedent(
            """
            import warnings, pytest, phaseout, mylib

            @pytest.mark.parametrize("n", range(4))
            def test_uses(n):
                with phaseout.pretend({"mylib": "2.5"}), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    mylib.old()
            """
        )
    )
    result = suite.runpytest_subprocess("-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["mylib.old (soft): 4 uses"])


def test_a_process_budget_still_shows_each_test_its_warning(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        mylib_policy="""
        import phaseout
        phaseout.policy("mylib", budget="process")
        """,
        test_it="""
        import pytest, phaseout, mylib, mylib_policy

        @pytest.mark.parametrize("n", range(2))
        def test_sees_the_warning(n):
            with phaseout.pretend({"mylib": "2.5"}), pytest.deprecated_call():
                mylib.old()
        """,
    )
    suite.runpytest_subprocess().assert_outcomes(passed=2)


def test_nothing_is_imported_when_unused(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_it="""
        import sys

        def test_plain():
            loaded = {name for name in sys.modules if name.split(".")[0] == "phaseout"}
            assert loaded == {"phaseout", "phaseout.pytest_plugin"}  # the entry point only
        """
    )
    result = suite.runpytest_subprocess()
    result.assert_outcomes(passed=1)
    assert "phaseout:" not in result.stdout.str()  # no summary section


@pytest.mark.parametrize("extra", [(), ("-W", "error"), ("-p", "no:phaseout")])
def test_a_run_without_xdist_works(pytester: pytest.Pytester, extra: tuple[str, ...]) -> None:
    # The plugin loads in every project that installs phaseout, most without pytest-xdist:
    # pluggy refuses a plugin with an unknown hook unless it is optional.
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(test_it="def test_plain():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest_subprocess("-p", "no:xdist", *extra)
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.OK
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


@pytest.mark.parametrize("workers", [(), ("-n", "2", "-p", "xdist")])
def test_a_misspelt_own_package_is_reported(
    suite: pytest.Pytester, workers: tuple[str, ...]
) -> None:
    suite.makepyfile(
        test_it="""
        import warnings, phaseout, mylib

        def test_uses():
            with phaseout.pretend({"mylib": "2.5"}), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mylib.old()
        """
    )
    result = suite.runpytest_subprocess("--phaseout-own=mylb", "--phaseout-own=MyLib", *workers)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*phaseout: --phaseout-own checks nothing*",
            "--phaseout-own=mylb: no package of that name declared a deprecation in this run "
            "(packages with declarations: mylib); check the spelling",
            "mylib.old (soft): 1 use",
        ]
    )
    assert "--phaseout-own=MyLib:" not in result.stdout.str()  # a name that matches is quiet

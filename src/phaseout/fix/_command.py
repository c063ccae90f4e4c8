"""``phaseout fix`` as a function: the package's declarations in force, the files under the
paths, the usage logs, the run, and (with ``write``) the files replaced."""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Callable, Sequence

from .._packages import parse_version
from ._files import FileOutcome, default_jobs, python_files, run_files, write_file
from ._logs import usage_by_file
from ._rules import Rules, rules_for
from ._settings_files import fix_settings_file, settings_kind, settings_rules

__all__ = ["FixReport", "fix_paths"]


@dataclasses.dataclass(frozen=True)
class FixReport:
    """What a run found and did, file by file."""

    outcomes: tuple[FileOutcome, ...]
    rules: Rules
    written: bool
    import_problems: tuple[tuple[str, str], ...] = ()

    @property
    def changed(self) -> list[FileOutcome]:
        return [outcome for outcome in self.outcomes if outcome.new is not None]

    @property
    def errors(self) -> list[FileOutcome]:
        return [outcome for outcome in self.outcomes if outcome.error is not None]

    def per_declaration(self) -> Counter[str]:
        return Counter(
            rewrite.declaration for outcome in self.outcomes for rewrite in outcome.rewrites
        )

    def from_usage(self) -> int:
        return sum(r.from_usage for outcome in self.outcomes for r in outcome.rewrites)


def fix_paths(
    paths: Sequence[str],
    package: str,
    *,
    to: str | None = None,
    write: bool = False,
    usage: Sequence[str] = (),
    root: str | None = None,
    jobs: int | None = None,
    accept_new_defaults: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> FixReport:
    """Rewrite the Python files under *paths* for *package*'s declarations in force (or at
    version *to*): a dry run unless *write*. Raises ``ValueError`` naming a path that does
    not exist, a package that cannot be imported, a bad version, or a tree without Python
    files."""
    for path in paths:
        if not os.path.exists(path):
            raise ValueError(f"{path}: no such file or directory")
    rules, problems = rules_for(package, to, accept_new_defaults=accept_new_defaults)
    # Settings files are rewritten when named: a folder's TOML and YAML files are other
    # tools' too, and a key such as "timeout" is not only this package's.
    settings_files = [p for p in paths if os.path.isfile(p) and settings_kind(p)]
    code = [p for p in paths if p not in settings_files]
    files = list(python_files(code)) if code else []
    if not files and not settings_files:
        raise ValueError(f"no Python files under {', '.join(paths)}")
    logged = usage_by_file(usage, files, root) if usage else {}
    outcomes = run_files(
        files, rules, logged, jobs=jobs if jobs is not None else default_jobs(), progress=progress
    )
    if settings_files:
        version = parse_version("--to", to) if to is not None else None
        keys = settings_rules(package, version)
        outcomes += [fix_settings_file(path, keys) for path in settings_files]
    if write:
        for outcome in outcomes:
            if outcome.new is not None:
                write_file(outcome.path, outcome.new)
    return FixReport(tuple(outcomes), rules, write, tuple(problems))

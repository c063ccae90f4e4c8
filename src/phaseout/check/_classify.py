"""The check itself: griffe's breakages joined with both snapshots' declarations, each
classified (announced, early, undeclared, still present, allowed), given a severity and,
where it needs one, a fix."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Final

from packaging.version import Version

from ._breaks import Break, find_breaks, lookup
from ._declared import PARAMETER_APIS, CheckError, Declared, read_declarations
from ._fixes import Fix, FixContext, fix_for, restore_above, restore_append
from ._policy import CheckPolicy, parse_version, read_policy
from ._snapshots import WORKING_TREE, Loaded, Snapshot, load_api, open_snapshot, tag_releases

__all__ = ["SEVERITIES", "STATUSES", "CheckResult", "Finding", "Usage", "check"]

#: Every status, from fine to worst; ``--fail-on`` names some of them.
STATUSES: Final = ("announced", "allowed", "present", "early", "undeclared")
SEVERITIES: Final = ("minor", "major", "critical")

#: Which declarations announce which kind of break (object declarations name the object,
#: parameter declarations the function and the parameter).
_ANNOUNCED_BY: Final[Mapping[str, frozenset[str]]] = {
    "object removed": frozenset(
        {
            "deprecated",
            "deprecated_module_attribute",
            "moved",
            "moved_module",
            "deprecated_class_attribute",
            "renamed_class_attribute",
            "deprecated_member",
        }
    ),
    "kind changed": frozenset({"deprecated", "deprecated_module_attribute", "moved"}),
    "parameter removed": frozenset({"removed_parameter", "renamed_parameter"}),
    "parameter kind changed": frozenset({"keyword_only"}),
    "parameter moved": frozenset({"keyword_only", "removed_parameter", "renamed_parameter"}),
    "default changed": frozenset({"changed_default"}),
}
_SEVERITY: Final = {
    "object removed": "critical",
    "kind changed": "critical",
    "parameter removed": "critical",
    "required parameter added": "critical",
    "parameter moved": "major",
    "parameter kind changed": "major",
    "parameter made required": "major",
    "default changed": "major",
    "base class removed": "major",
    "return type changed": "minor",
    "attribute type changed": "minor",
    "attribute value changed": "minor",
    "still present": "minor",
}


@dataclass(frozen=True, slots=True)
class Usage:
    """What the usage logs say of a declared symbol."""

    calls: int
    call_sites: int
    per_day: float


@dataclass(frozen=True, slots=True)
class Finding:
    """One break (or an overdue removal), classified."""

    path: str  # mylib.core.fit, or mylib.core.fit(color) for a parameter
    kind: str  # one of KINDS
    status: str  # one of STATUSES
    severity: str  # one of SEVERITIES
    detail: str
    reason: str  # why this status, in words
    declaration: str | None  # the declaration it was joined with, and where
    usage: Usage | None
    impact: str  # the usage in words, or why the logs cannot tell
    fix: Fix | None
    fix_where: str | None
    location: str | None = None  # where the new code shows it: src/mylib/core.py:12


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The findings of ``phaseout check``, worst first, and what was compared."""

    package: str
    old: str  # label (version)
    new: str
    old_version: str | None
    new_version: str
    findings: tuple[Finding, ...]
    phased: tuple[str, ...] = field(default=())  # breaks the new code declares (old spelling works)

    def counts(self) -> dict[str, int]:
        counted = dict.fromkeys(STATUSES, 0)
        for finding in self.findings:
            counted[finding.status] += 1
        return counted

    def failures(self, fail_on: Iterable[str]) -> list[Finding]:
        wanted = set(fail_on)
        return [f for f in self.findings if f.status in wanted]


def check(
    package: str,
    *,
    against: str,
    base: str = WORKING_TREE,
    repo: str | Path = ".",
    search: str | None = None,
    old_version: str | None = None,
    new_version: str | None = None,
    usage: Sequence[str] = (),
    pyproject: str | Path | None = None,
    exclude: Sequence[str] = (),
    today: date | None = None,
) -> CheckResult:
    """Compare *package* at *against* (the last release: a git reference, a folder or a
    wheel) with *base* (the release being made: the working tree by default) and classify
    every break; see ``docs/check.md``. Raises :class:`CheckError` for unusable input."""
    repo = Path(repo)
    day = today or datetime.now(timezone.utc).date()
    with ExitStack() as stack:
        old = open_snapshot(
            against, package=package, repo=repo, search=search, version=old_version, stack=stack
        )
        new = open_snapshot(
            base, package=package, repo=repo, search=search, version=new_version, stack=stack
        )
        if new.version is None:
            raise CheckError(
                f"cannot tell the version of {new.label} (no version in its reference, "
                f"pyproject.toml or __version__): pass --new-version"
            )
        found = _pyproject(pyproject, new, repo)
        tags = tag_releases(repo) if (repo / ".git").exists() else {}
        policy = read_policy(found, tags, exclude=exclude)
        old_loaded, new_loaded = load_api(package, old), load_api(package, new)
        old_api, new_api = old_loaded.api, new_loaded.api
        old_decls, new_decls = (
            read_declarations(side.folder, package, side.label, side.root, got.texts, got.files)
            for side, got in ((old, old_loaded), (new, new_loaded))
        )
        used = _usage(usage) if usage else None
        joiner = _Joiner(policy, new, new_loaded, old_decls, new_decls, used, day)
        breaks = list(find_breaks(old_api, new_api))
        findings = joiner.classify_all(breaks)
        findings += joiner.dropped()
        findings += joiner.still_present()
    order = {s: i for i, s in enumerate(SEVERITIES)}
    rank = {s: i for i, s in enumerate(STATUSES)}
    findings.sort(key=lambda f: (-rank[f.status], -order[f.severity], f.path, f.kind))
    return CheckResult(
        package=package,
        old=old.label,
        new=new.label,
        old_version=None if old.version is None else str(old.version),
        new_version=str(new.version),
        findings=tuple(findings),
        phased=tuple(joiner.phased),
    )


def _pyproject(given: str | Path | None, new: Snapshot, repo: Path) -> Path | None:
    if given is not None:
        path = Path(given)
        if not path.is_file():
            raise CheckError(f"--pyproject {given} does not exist")
        return path
    for candidate in (new.root / "pyproject.toml", repo / "pyproject.toml"):
        if candidate.is_file():
            return candidate
    return None


def _usage(sources: Sequence[str]) -> dict[str, Usage]:
    from ..report import LogError, summarize

    try:
        summary = summarize(list(sources), by=("symbol", "site"))
    except (LogError, OSError, ValueError) as error:
        raise CheckError(f"--usage: {error}") from None
    calls: dict[str, int] = defaultdict(int)
    sites: dict[str, int] = defaultdict(int)
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    for row in summary.rows:
        if row.symbol is None:
            continue
        calls[row.symbol] += row.count
        sites[row.symbol] += 1
        first[row.symbol] = min(first.get(row.symbol, row.first_seen), row.first_seen)
        last[row.symbol] = max(last.get(row.symbol, row.last_seen), row.last_seen)
    found = {}
    for symbol, count in calls.items():
        try:
            days = (
                date.fromisoformat(last[symbol][:10]) - date.fromisoformat(first[symbol][:10])
            ).days
        except ValueError:
            days = 0
        found[symbol] = Usage(count, sites[symbol], round(count / (days + 1), 1))
    return found


class _Joiner:
    """Joins breaks with declarations under one policy."""

    def __init__(
        self,
        policy: CheckPolicy,
        new: Snapshot,
        new_loaded: Loaded,
        old_decls: list[Declared],
        new_decls: list[Declared],
        used: dict[str, Usage] | None,
        today: date,
    ) -> None:
        self.policy = policy
        self.new = new
        assert new.version is not None
        self.version: Version = new.version
        self.new_api = new_loaded.api
        self.old_decls = old_decls
        self.old_by_target = _by_target(old_decls)
        self.joined: set[Declared] = set()  # old declarations that explain a break
        self.new_decls = new_decls
        self.new_by_target = _by_target(new_decls)
        self.used = used
        self.today = today
        self.fixes = FixContext(new_loaded.api, new.folder, new_loaded.texts)
        inner = new.folder.relative_to(new.root).as_posix()
        self._folder_prefix = "" if inner == "." else f"{inner}/"
        self.phased: list[str] = []

    def classify_all(self, breaks: list[Break]) -> list[Finding]:
        kinds_of: dict[str, set[str]] = defaultdict(set)
        for brk in breaks:
            kinds_of[brk.path].add(brk.kind)
        findings = []
        for brk in breaks:
            shown = f"{brk.path}({brk.parameter})" if brk.parameter else brk.path
            paths = [shown, *brk.targets]
            if self.policy.excluded(paths):
                continue
            if self._still_works(brk):
                self.phased.append(f"{shown}: {brk.kind}")
                continue
            others = frozenset(kinds_of[brk.path] - {brk.kind})
            findings.append(self._finding(brk, shown, paths, others))
        return findings

    def _matching(self, by_target: Mapping[str, list[Declared]], brk: Break) -> list[Declared]:
        apis = _ANNOUNCED_BY.get(brk.kind, frozenset())
        found = []
        for target in brk.targets:
            for decl in by_target.get(target, []):
                if decl.api not in apis:
                    continue
                # A parameter declaration is about its own names; a removal or a rename
                # also explains the parameters it shifted ("parameter moved").
                shifted = brk.kind == "parameter moved" and decl.api != "keyword_only"
                if decl.api in PARAMETER_APIS and brk.parameter not in decl.names and not shifted:
                    continue
                found.append(decl)
        return found

    def _still_works(self, brk: Break) -> bool:
        """The new code declares the old spelling, and its removal is not due yet."""
        for decl in self._matching(self.new_by_target, brk):
            removal = parse_version(decl.removed_in)
            if removal is None or removal > self.version:
                return True
        return False

    def _finding(self, brk: Break, shown: str, paths: list[str], others: frozenset[str]) -> Finding:
        declared = self._matching(self.old_by_target, brk)
        self.joined.update(declared)
        decl = declared[0] if declared else None
        status, reason = self._status(decl)
        severity = _SEVERITY.get(brk.kind, "major")
        if brk.kind == "object removed" and _kind_of(brk.old) == "attribute":
            severity = "major"
        if brk.kind == "parameter removed" and _takes_kwargs(brk.new):
            severity = _lower(severity)  # the old keyword still runs (its value is ignored)
        usage, impact = self._usage_of(decl) if decl is not None else (None, "")
        if self.used is not None:
            if decl is None:
                impact = "unknown: not declared, so the usage logs cannot name it"
            else:
                assert usage is not None
                severity = _raise(severity) if usage.calls else _lower(severity)
        fix = None
        if status in ("early", "undeclared"):
            # An early break keeps the schedule it announced, when that is still ahead;
            # otherwise (undeclared, a window too short) the policy sets a new one.
            announced = parse_version(decl.removed_in) if decl is not None else None
            ahead = announced is not None and announced > self.version
            since = decl.since if decl is not None and parse_version(decl.since) else None
            fix = fix_for(
                brk,
                since=str(since or self.version),
                removed_in=str(announced if ahead else self.policy.removal_for(self.version)),
                context=self.fixes,
                others=others,
            )
        allowed = self.policy.allowed(paths, brk.kind)
        if allowed is not None and status in ("early", "undeclared"):
            status, reason = "allowed", f"{status}, allowed: {allowed.reason}"
        return Finding(
            path=shown,
            kind=brk.kind,
            status=status,
            severity=severity,
            detail=brk.detail,
            reason=reason,
            declaration=None if decl is None else f"{decl.text} ({decl.file}:{decl.line})",
            usage=usage,
            impact=impact,
            fix=fix,
            fix_where=None if fix is None else fix.describe(self._shown(fix.file)),
            location=self._location(brk.new if brk.new is not None else self._parent(brk.path)),
        )

    def _parent(self, path: str) -> Any:
        """The nearest object of the new API that holds *path* (a removed object's module
        or class), for a location."""
        while "." in path:
            path = path.rpartition(".")[0]
            found = lookup(self.new_api, path)
            if found is not None:
                return found
        return None

    def _location(self, obj: Any) -> str | None:
        """*obj*'s file and line in the new code, from the top folder."""
        if obj is None:
            return None
        try:
            relative = self.fixes.file_of(obj).relative
        except Exception:  # an alias whose target is outside the snapshot
            return None
        return None if relative is None else f"{self._shown(relative)}:{obj.lineno or 1}"

    def _shown(self, file: str | None) -> str | None:
        """*file* (relative to the package folder) as the reader sees it: from the top."""
        if file is None:
            return None
        return f"{self._folder_prefix}{file}"

    def _status(self, decl: Declared | None) -> tuple[str, str]:
        if decl is None:
            return "undeclared", "no phaseout declaration in the old release: a silent break"
        removal = parse_version(decl.removed_in)
        if removal is None:
            what = "changes_in" if decl.api == "changed_default" else "removed_in"
            shown = "none" if decl.removed_in is None else repr(decl.removed_in)
            return "early", f"declared with {what} {shown}: no release announced for the break"
        if self.version < removal:
            return "early", f"broken in {self.version}, before its announced {removal}"
        since = parse_version(decl.since)
        short = None if since is None else self.policy.short_window(since, self.version, self.today)
        if short is not None:
            return "early", short
        return "announced", f"deprecated since {decl.since}, announced for {removal}"

    def dropped(self) -> list[Finding]:
        """Old declarations gone from the new code that were the only thing keeping an old
        spelling alive (a renamed keyword, a moved name): their removal is a break griffe
        cannot see, since no signature changed."""
        kept = {(d.target, d.api, d.names) for d in self.new_decls}
        findings = []
        for decl in self.old_decls:
            if decl in self.joined or (decl.target, decl.api, decl.names) in kept:
                continue
            if decl.api == "renamed_parameter":
                function = lookup(self.new_api, decl.target)
                if function is None or decl.names[0] in _parameter_names(function):
                    continue
                shown, kind = f"{decl.target}({decl.names[0]})", "parameter removed"
                detail = f"renamed to {decl.new}: the old keyword is no longer accepted"
            elif decl.api in (
                "moved",
                "moved_module",
                "deprecated_member",
                "renamed_class_attribute",
            ):
                if lookup(self.new_api, decl.target) is not None:
                    continue
                shown, kind = decl.target, "object removed"
                detail = "served by its declaration only: the old name is gone with it"
            else:
                continue
            paths = [shown, decl.target]
            if self.policy.excluded(paths):
                continue
            status, reason = self._status(decl)
            fix = self._restore(decl) if status == "early" else None
            allowed = self.policy.allowed(paths, kind)
            if allowed is not None and status == "early":
                status, reason = "allowed", f"{status}, allowed: {allowed.reason}"
            usage, impact = self._usage_of(decl)
            findings.append(
                Finding(
                    path=shown,
                    kind=kind,
                    status=status,
                    severity=_SEVERITY[kind],
                    detail=detail,
                    reason=reason,
                    declaration=f"{decl.text} ({decl.file}:{decl.line})",
                    usage=usage,
                    impact=impact,
                    fix=fix,
                    fix_where=None if fix is None else fix.describe(self._shown(fix.file)),
                    location=self._location(
                        lookup(self.new_api, decl.target) or self._parent(decl.target)
                    ),
                )
            )
        return findings

    def _usage_of(self, decl: Declared) -> tuple[Usage | None, str]:
        if self.used is None:
            return None, ""  # no logs given: nothing to say, on every line
        usage = self.used.get(decl.symbol, Usage(0, 0, 0.0))
        return (
            usage,
            f"{usage.calls} calls from {usage.call_sites} call sites ({usage.per_day}/day)",
        )

    def _restore(self, decl: Declared) -> Fix:
        """The dropped declaration, back where it was: above the def, or in its module."""
        if decl.api == "renamed_parameter":
            function = lookup(self.new_api, decl.target)
            return restore_above(function, f"@{decl.text}", self.fixes)
        module = decl.target.rpartition(".")[0] if decl.api != "moved_module" else None
        owner = lookup(self.new_api, module) if module else None
        if owner is None or not owner.is_module:
            return Fix(
                "manual", f"Restore the declaration, as it was in the old release: {decl.text}"
            )
        return restore_append(owner, decl.text, self.fixes)

    def still_present(self) -> list[Finding]:
        """Declarations of the new code whose removal is due in the new version."""
        findings = []
        for decl in self.new_decls:
            removal = parse_version(decl.removed_in)
            if removal is None or removal > self.version:
                continue
            shown = f"{decl.target}({', '.join(decl.names)})" if decl.names else decl.target
            if self.policy.excluded([shown, decl.target]):
                continue
            if decl.api == "changed_default":
                what = f"the default of {decl.names[0]} is due to become {decl.new}"
            else:
                what = "it is due to be removed"
            findings.append(
                Finding(
                    path=shown,
                    kind="still present",
                    status="present",
                    severity="minor",
                    detail=f"{decl.api}, due in {removal}",
                    reason=f"declared for {removal} and still in {self.version}: {what}",
                    declaration=f"{decl.text} ({decl.file}:{decl.line})",
                    usage=None,
                    impact="",
                    fix=Fix(
                        "manual",
                        f"Remove it (and the declaration at {decl.file}:{decl.line}): its "
                        f"removal version {removal} is reached; users now get an error.",
                    ),
                    fix_where="by hand",
                    location=f"{decl.file}:{decl.line}",
                )
            )
        return findings


def _by_target(decls: Iterable[Declared]) -> dict[str, list[Declared]]:
    found: dict[str, list[Declared]] = defaultdict(list)
    for decl in decls:
        found[decl.target].append(decl)
    return found


def _parameter_names(function: Any) -> list[str]:
    try:
        return [p.name for p in function.parameters]
    except Exception:  # not a function any more: griffe reported that
        return []


def _kind_of(obj: Any) -> str:
    try:
        return str(obj.kind.value)
    except Exception:
        return "attribute"


def _takes_kwargs(function: Any) -> bool:
    try:
        return any(p.kind.value == "variadic keyword" for p in function.parameters)
    except Exception:
        return False


def _lower(severity: str) -> str:
    return SEVERITIES[max(0, SEVERITIES.index(severity) - 1)]


def _raise(severity: str) -> str:
    return SEVERITIES[min(len(SEVERITIES) - 1, SEVERITIES.index(severity) + 1)]

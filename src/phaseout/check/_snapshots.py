"""Snapshots of a package's source: a git reference, a wheel or a folder, made a folder.

Every snapshot becomes a directory on disk (``git archive`` into a temporary folder, a wheel
unpacked), so griffe and the declaration reader see the same files, and the repository is
never touched (no worktree, no branch). Nothing is imported: griffe reads the source
statically (``allow_inspection=False``).
"""

from __future__ import annotations

import ast
import contextlib
import io
import logging
import re
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, NamedTuple

from packaging.version import InvalidVersion, Version

from .._pyproject import read_toml
from ._declared import CheckError, source_files

if TYPE_CHECKING:
    import griffe

__all__ = ["WORKING_TREE", "Loaded", "Snapshot", "load_api", "open_snapshot", "tag_releases"]

#: The --base that means "the files as they are now" (griffe check's default too).
WORKING_TREE: Final = "working tree"
_GIT_TIMEOUT: Final = 120  # seconds; a repository on a dead network mount must not hang CI
_WHEEL_VERSION: Final = re.compile(r"^[^-]+-([^-]+)-")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One side of the comparison."""

    label: str  # "v2.0", "the working tree", "packaging-22.0-py3-none-any.whl"
    root: Path  # the snapshot's top folder (its pyproject.toml, if any)
    folder: Path  # where the package is found (root, or root/src)
    version: Version | None


def open_snapshot(
    spec: str,
    *,
    package: str,
    repo: Path,
    search: str | None,
    version: str | None,
    stack: ExitStack,
) -> Snapshot:
    """*spec* (a git reference, a folder, a ``.whl`` file or :data:`WORKING_TREE`) as a
    folder holding *package*; temporary folders are removed when *stack* closes."""
    path = Path(spec)
    if spec == WORKING_TREE:
        root, label = repo.resolve(), "the working tree"
    elif spec.endswith(".whl") and path.is_file():
        root = Path(stack.enter_context(tempfile.TemporaryDirectory())).resolve()
        label = path.name
        try:
            with zipfile.ZipFile(path) as wheel:
                wheel.extractall(root)
        except (zipfile.BadZipFile, OSError) as error:
            raise CheckError(f"{spec} is not a readable wheel: {error}") from None
    elif path.is_dir():
        root, label = path.resolve(), str(path)
    else:
        label = spec
        root = Path(stack.enter_context(tempfile.TemporaryDirectory())).resolve()
        _git_archive(repo, spec, root, _wanted(package, search))
    folder = _search_folder(root, package, search, label)
    found = _version(spec, label, root, folder, package, version)
    return Snapshot(label, root, folder, found)


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, timeout=_GIT_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise CheckError("git is not installed: pass folders or wheels instead") from None
    except subprocess.TimeoutExpired:
        raise CheckError(f"git {args[0]} in {repo} took over {_GIT_TIMEOUT} s") from None


def _wanted(package: str, search: str | None) -> tuple[str, ...]:
    """The paths a snapshot needs: the package where --search (or the default) puts it,
    and pyproject.toml; a repository's tests, docs and data stay out of the archive."""
    folders = [search.strip("/")] if search else ["src", ""]
    paths = [
        f"{folder}/{name}".lstrip("/") for folder in folders for name in (package, f"{package}.py")
    ]
    return (*paths, "pyproject.toml")


def _git_archive(repo: Path, ref: str, into: Path, wanted: tuple[str, ...]) -> None:
    if ref.startswith("-"):  # never an option to git
        raise CheckError(f"git reference {ref!r} must not start with '-'")
    found = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found.returncode != 0:
        if _git(repo, "rev-parse", "--git-dir").returncode != 0:
            raise CheckError(f"{repo} is not a git repository (to read {ref!r}); pass --repo")
        raise CheckError(f"git reference {ref!r} not found in {repo} (a tag, branch or commit)")
    commit = found.stdout.decode().strip()
    listed = _git(repo, "ls-tree", "--name-only", commit, "--", *wanted)
    present = listed.stdout.decode(errors="replace").splitlines() if listed.returncode == 0 else []
    paths = [path for path in wanted if path in present] or ["."]
    if shutil.which("tar") and _piped_to_tar(repo, commit, into, paths):
        return
    archive = _git(repo, "archive", "--format=tar", commit, "--", *paths)
    if archive.returncode != 0:
        message = archive.stderr.decode(errors="replace").strip().splitlines()
        raise CheckError(f"git archive {ref} failed: {message[-1] if message else 'no output'}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(into, filter="data")
        else:  # pragma: no cover - Python builds before the tarfile filters (3.10.11-)
            tar.extractall(into)  # git's own archive of the repository


def _piped_to_tar(repo: Path, commit: str, into: Path, paths: list[str]) -> bool:
    """``git archive | tar -x``: the system's tar writes a large snapshot faster than
    :mod:`tarfile`. False when it failed (then tarfile tries, and reports)."""
    try:
        with subprocess.Popen(
            ["git", "-C", str(repo), "archive", "--format=tar", commit, "--", *paths],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        ) as archive:
            untar = subprocess.run(
                ["tar", "-x", "-C", str(into)],
                stdin=archive.stdout,
                capture_output=True,
                timeout=_GIT_TIMEOUT,
                check=False,
            )
            archive.wait(timeout=_GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return untar.returncode == 0 and archive.returncode == 0


def _search_folder(root: Path, package: str, search: str | None, label: str) -> Path:
    candidates = [root / search] if search else [root / "src", root]
    for folder in candidates:
        if source_files(folder, package):
            return folder
    where = " or ".join(str(c.relative_to(root)) if c != root else "." for c in candidates)
    raise CheckError(
        f"package {package!r} not found in {label} (looked in {where}); pass --search FOLDER"
    )


def _version(
    spec: str, label: str, root: Path, folder: Path, package: str, given: str | None
) -> Version | None:
    """The snapshot's version: given, else its reference or wheel name, else its
    pyproject.toml, else a literal ``__version__``; None when nothing says."""
    if given is not None:
        try:
            return Version(given)
        except InvalidVersion:
            raise CheckError(
                f"the version of {label} must be a PEP 440 version, got {given!r}"
            ) from None
    name = Path(spec).name
    wheel = _WHEEL_VERSION.match(name) if name.endswith(".whl") else None
    for text in (wheel.group(1) if wheel else None, spec.removeprefix("refs/tags/")):
        with contextlib.suppress(InvalidVersion, TypeError):
            return Version(text)  # type: ignore[arg-type]
    pyproject = root / "pyproject.toml"
    with contextlib.suppress(OSError, ValueError, RuntimeError, InvalidVersion):
        project = read_toml(pyproject.read_text(encoding="utf-8"), str(pyproject))
        declared = project.get("project", {}).get("version")
        if isinstance(declared, str):
            return Version(declared)
    for path in [*source_files(folder, package)[:1], folder / package / "__init__.py"]:
        with contextlib.suppress(OSError, SyntaxError, ValueError, InvalidVersion):
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if (
                    isinstance(node, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                ):
                    return Version(node.value.value)
    return None


def tag_releases(repo: Path) -> dict[Version, str]:
    """Released versions from the repository's tags (``v2.0``, ``2.0``), with their dates
    (ISO, the tag's or commit's), for the policy's minimum window when no calendar says."""
    listed = _git(
        repo, "for-each-ref", "--format=%(refname:short) %(creatordate:short)", "refs/tags"
    )
    releases: dict[Version, str] = {}
    if listed.returncode != 0:
        return releases
    for line in listed.stdout.decode(errors="replace").splitlines():
        name, _, day = line.partition(" ")
        with contextlib.suppress(InvalidVersion):
            releases[Version(name)] = day
    return releases


@contextlib.contextmanager
def _quiet_griffe() -> Iterator[None]:
    """griffe logs what it cannot resolve; the check reports what matters itself."""
    logger = logging.getLogger("griffe")
    level = logger.level
    logger.setLevel(logging.ERROR + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


class Loaded(NamedTuple):
    """A snapshot's API, and the text of each file griffe read (read once, for both)."""

    api: griffe.Module
    texts: Mapping[Path, str]
    files: list[Path]  # the package's Python files


def load_api(package: str, snapshot: Snapshot) -> Loaded:
    """*package*'s API in *snapshot*, read statically by griffe. A file griffe could not
    parse is an error here: griffe leaves its module out, which would read as a removal."""
    import griffe

    lines = griffe.LinesCollection()
    with _quiet_griffe():
        try:
            loaded = griffe.load(
                package,
                search_paths=[snapshot.folder],
                allow_inspection=False,
                resolve_aliases=False,
                find_stubs_package=False,
                lines_collection=lines,
            )
        except (ImportError, OSError, SyntaxError, ValueError) as error:
            raise CheckError(f"griffe cannot read {package} in {snapshot.label}: {error}") from None
    if not isinstance(loaded, griffe.Module):
        raise CheckError(f"{package} in {snapshot.label} is not a module")
    texts = {Path(path): "\n".join(text) for path, text in lines.items()}
    files = source_files(snapshot.folder, package)
    for path in files:
        parts = path.relative_to(snapshot.folder).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        try:
            if len(parts) > 1:
                loaded[".".join(parts[1:])]
        except Exception:  # griffe left it out: say why, naming the file
            shown = path.relative_to(snapshot.root).as_posix()
            try:
                ast.parse(texts.get(path) or path.read_bytes(), filename=shown)
            except SyntaxError as error:
                raise CheckError(
                    f"{shown} in {snapshot.label} does not parse: {error.msg} (line {error.lineno})"
                ) from None
            except (OSError, ValueError) as error:
                raise CheckError(f"{shown} in {snapshot.label} cannot be read: {error}") from None
    return Loaded(loaded, texts, files)

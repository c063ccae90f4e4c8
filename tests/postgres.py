"""A throwaway PostgreSQL server for the tests: ``initdb`` and ``pg_ctl`` on a temporary
directory, reached through a Unix socket there (no TCP port). PostgreSQL refuses to run as
root, so as root the server runs as the ``postgres`` system user (``runuser``)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


def binaries() -> str | None:
    """The folder of ``pg_ctl`` and ``initdb``, or None where PostgreSQL is not installed."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return os.path.dirname(on_path)
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(folder, "pg_ctl")):
            return folder
    return None


@contextmanager
def server() -> Iterator[str]:
    """A running server; yields its SQLAlchemy URL (the ``postgres`` database)."""
    folder = binaries()
    assert folder is not None
    home = tempfile.mkdtemp(prefix="phaseout-pg-")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(home, "postgres")
    data = os.path.join(home, "data")

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    try:
        run(os.path.join(folder, "initdb"), "-D", data, "-A", "trust", "-U", "postgres")
        options = f"-k {home} -p 5432 -c listen_addresses='' -c fsync=off"
        run(
            os.path.join(folder, "pg_ctl"), "-D", data, "-o", options,
            "-l", os.path.join(home, "log"), "-w", "start",
        )  # fmt: skip
        try:
            yield f"postgresql://postgres@/postgres?host={home}&port=5432"
        finally:
            run(os.path.join(folder, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(home, ignore_errors=True)

"""A private PostgreSQL cluster on loopback for tests: Debian's `postgresql`, a throwaway data dir, trust auth."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from wordpress_server import HOST, INSTALL_SCRIPT, ServersUnavailable, free_port

USER = "herald"
RUN_AS = "postgres"  # the server refuses to run as root
FAST = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        " -c shared_buffers=32MB")  # fmt: skip


def bin_dir() -> Path | None:
    """The newest installed `/usr/lib/postgresql/<version>/bin`, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


def ensure_installed() -> Path:
    """PostgreSQL's binaries, installing Debian's package through scripts/install-test-servers if needed."""
    if bin_dir() is None and shutil.which("dpkg-query") and os.geteuid() == 0:
        subprocess.run([str(INSTALL_SCRIPT)], capture_output=True, check=False)
    found = bin_dir()
    if found is None:
        raise ServersUnavailable("PostgreSQL is not installed (run scripts/install-test-servers as root)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(RUN_AS)
        except KeyError:
            raise ServersUnavailable(f"running PostgreSQL as root needs the {RUN_AS!r} system user") from None
    return found


@dataclass
class PostgresServer:
    """A running cluster: a superuser `herald` trusted on 127.0.0.1, and fresh databases on demand."""

    port: int
    startup_seconds: float
    _names: Iterator[int] = field(default_factory=itertools.count)

    def url(self, database: str, driver: str = "psycopg") -> str:
        """A SQLAlchemy URL for a database on this server (`psycopg` or `asyncpg`)."""
        return f"postgresql+{driver}://{USER}@{HOST}:{self.port}/{database}"

    def create_database(self, prefix: str = "test") -> str:
        """A new empty database; returns its name."""
        import psycopg

        name = f"{prefix}_{next(self._names)}"
        with psycopg.connect(f"host={HOST} port={self.port} user={USER} dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" STRATEGY FILE_COPY')
        return name


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", RUN_AS, "--", *args] if os.geteuid() == 0 else args


@contextmanager
def running_postgres(binaries: Path) -> Iterator[PostgresServer]:
    """initdb into a private folder, start on a free loopback port, stop and delete on exit."""
    root = Path(tempfile.mkdtemp(prefix="herald-pg-"))  # not under pytest's root-only tmp: the owner must reach it
    if os.geteuid() == 0:
        shutil.chown(root, RUN_AS)
    data, port, log = root / "data", free_port(), root / "postgres.log"
    started = time.monotonic()
    try:
        subprocess.run(_as_owner([str(binaries / "initdb"), "-D", str(data), "-U", USER, "-A", "trust", "--no-sync",
                                  "-E", "UTF8", "--locale=C"]), capture_output=True, check=True)  # fmt: skip
        options = f"-p {port} -k {root} -c listen_addresses={HOST} {FAST}"
        subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
                                  "-w", "-t", "30", "start"]), capture_output=True, check=True)  # fmt: skip
    except subprocess.CalledProcessError as error:
        text = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        stderr = error.stderr.decode(errors="replace")[-2000:]
        raise RuntimeError(f"PostgreSQL did not start: {stderr} {text}") from None
    try:
        yield PostgresServer(port, time.monotonic() - started)
    finally:
        subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True, check=False)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)

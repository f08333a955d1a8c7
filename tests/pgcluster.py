"""A throwaway PostgreSQL cluster for tests: initdb + pg_ctl on 127.0.0.1 at a free port."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile


def find_bindir() -> str | None:
    """Directory holding initdb and pg_ctl, newest version first, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return os.path.dirname(found[0])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """Start with start(), stop with stop(); url() gives a SQLAlchemy URL for a database."""

    def __init__(self, bindir: str):
        self.bindir = bindir
        self.dir = tempfile.mkdtemp(prefix="hall-pg-")
        self.port = _free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, args: list[str]) -> None:
        if self.as_root:  # initdb refuses to run as root: run the tools as the postgres user
            cmd = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(args)]
        else:
            cmd = args
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        if self.as_root:
            shutil.chown(self.dir, "postgres")
        data = os.path.join(self.dir, "data")
        self._run([f"{self.bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                   "--locale=C"])
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off " \
               f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        self._run([f"{self.bindir}/pg_ctl", "-D", data, "-o", f"'{opts}'", "-l",
                   os.path.join(self.dir, "pg.log"), "-w", "start"])

    def stop(self) -> None:
        try:
            self._run([f"{self.bindir}/pg_ctl", "-D", os.path.join(self.dir, "data"), "-m", "immediate",
                       "-w", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

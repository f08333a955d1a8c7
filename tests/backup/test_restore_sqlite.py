"""SQLite-only restore behaviour, and how the PostgreSQL tools are found."""

from __future__ import annotations

import os

import pytest

import community_hall.backup as backup
from community_hall.backup import BackupError, pg_bindir
from tests.backup.site import slugs
from tests.pgcluster import find_bindir


@pytest.fixture
def backend():
    return "sqlite"


def test_a_whole_site_restore_that_fails_half_way_leaves_the_target_empty(app, build, make_app, tmp_path, monkeypatch):
    build.two_communities()
    result = app.test_cli_runner().invoke(args=["hall", "backup", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    path = result.output.split("Backup complete: ")[1].strip()
    target = make_app("target")
    real, calls = backup._sqlite_restore, []

    def fail_on_the_third(src, dest):
        calls.append(dest)
        if len(calls) == 3:
            raise OSError("disk full")
        real(src, dest)

    monkeypatch.setattr(backup, "_sqlite_restore", fail_on_the_third)
    result = target.test_cli_runner().invoke(args=["hall", "restore", path])
    assert result.exit_code != 0 and "The restore failed (OSError: disk full); the files it wrote were removed" \
        in result.output
    assert [os.path.exists(p) for p in calls] == [False, False, False]
    monkeypatch.setattr(backup, "_sqlite_restore", real)
    result = target.test_cli_runner().invoke(args=["hall", "restore", path])   # and it can simply be run again
    assert result.exit_code == 0, result.output
    assert slugs(target) == ["comm-a", "comm-b"]


def test_the_pg_tools_come_from_hall_pg_bindir_or_the_servers_version(monkeypatch, tmp_path):
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries are not installed")
    major = int(bindir.rstrip("/").split("/")[-2]) if "/postgresql/" in bindir else 15
    assert pg_bindir(major) == bindir
    monkeypatch.setenv("HALL_PG_BINDIR", str(tmp_path))
    with pytest.raises(BackupError, match=f"HALL_PG_BINDIR={tmp_path} has no pg_dump, pg_restore and psql"):
        pg_bindir(major)
    monkeypatch.setenv("HALL_PG_BINDIR", bindir)
    assert pg_bindir(major) == bindir
    with pytest.raises(BackupError, match="of PostgreSQL 99 or newer"):   # a server newer than the tools
        pg_bindir(99)

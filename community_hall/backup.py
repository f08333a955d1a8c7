"""Online backups of a running site and their restore (`hall backup` / `hall restore`).

A backup is one directory, `hall-backup-<UTC time>` under the destination, written under a temporary name and
renamed when complete: `manifest.json` (format, time, backend, this code's migration heads, and for each database
its Alembic revision, row count per table and SHA-256 of its file) and one file per database.
SQLite: `hall.sqlite3` and `communities/<slug>.sqlite3`, each copied with the SQLite backup API in one step, so
each file is consistent at its own moment while writers go on (WAL). PostgreSQL: `hall.dump` and
`communities/<slug>.dump`, `pg_dump --format=custom --schema=...` of every schema under one exported snapshot,
so the whole site is consistent at one moment.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text, update
from sqlalchemy.engine import make_url

from . import clock
from . import migrate as migrations
from .tenancy import REGISTRY_SCHEMA, Community, Tenancy, valid_slug

FORMAT = "community-hall-backup"
VERSION = 1
LOCK_TIMEOUT = "30s"   # PostgreSQL restore of a live community: wait this long for its tables, then give up
BUSY_SECONDS = 30      # the same for a SQLite file that another writer holds
PG_TOOLS = ("pg_dump", "pg_restore", "psql")


class BackupError(RuntimeError):
    """A backup cannot be taken or restored; the message says why and what to do."""


# --- helpers -----------------------------------------------------------------------------------
def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _heads() -> dict:
    return {"registry": migrations.head_revision("registry"), "community": migrations.head_revision("community")}


def _known(kind: str, revision: str | None) -> bool:
    """True when this code has the revision (None, an empty database, counts as known)."""
    if revision is None:
        return True
    cfg = Config()
    cfg.set_main_option("script_location", migrations.SCRIPT_DIRS[kind])
    try:
        return ScriptDirectory.from_config(cfg).get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown revision
        return False


def _read_only(path: str) -> sqlite3.Connection:
    """A read-only connection to a SQLite file (any characters in its path)."""
    return sqlite3.connect(pathlib.Path(os.path.abspath(path)).as_uri() + "?mode=ro", uri=True, timeout=BUSY_SECONDS)


def _stamp() -> str:
    return clock.utcnow().strftime("%Y%m%dT%H%M%SZ")


# --- SQLite ------------------------------------------------------------------------------------
def _sqlite_copy(src_path: str, dest_path: str) -> dict:
    """Copy one live SQLite database with the backup API; revision, row counts and SHA-256 of the copy."""
    # One step (pages=-1) copies under one read transaction: a consistent snapshot; WAL writers are not blocked.
    src = _read_only(src_path)
    dest = sqlite3.connect(dest_path)
    try:
        src.backup(dest, pages=-1)
    finally:
        src.close()
    try:
        dest.execute("PRAGMA journal_mode=DELETE")   # one self-contained file, no -wal beside it
        info = _sqlite_facts(dest)
    finally:
        dest.close()
    if info.pop("integrity") != "ok":
        raise BackupError(f"The copy of {src_path} fails PRAGMA integrity_check; the source may be damaged.")
    info["sha256"] = _sha256(dest_path)
    return info


def _sqlite_facts(conn: sqlite3.Connection) -> dict:
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                          "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    # Table names come from the database's own catalogue, never from input.
    rows = {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in tables}  # nosec B608
    revision = (conn.execute("SELECT version_num FROM alembic_version").fetchone() or [None])[0] \
        if "alembic_version" in tables else None
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    return {"revision": revision, "rows": rows, "integrity": integrity}


def _sqlite_backup(t: Tenancy, folder: str, report: Callable[[str], None]) -> dict:
    registry_path = os.path.join(t.data_dir, "hall.sqlite3")
    if not os.path.exists(registry_path):
        raise BackupError(f"No registry at {registry_path} (run `hall init`): nothing to back up.")
    # The registry first: a community created after its copy is not in it, and so not in this backup.
    registry = {"file": "hall.sqlite3", **_sqlite_copy(registry_path, os.path.join(folder, "hall.sqlite3"))}
    report(f"registry: {sum(registry['rows'].values())} rows")
    conn = sqlite3.connect(os.path.join(folder, "hall.sqlite3"))
    try:
        slugs = [r[0] for r in conn.execute("SELECT slug FROM communities ORDER BY slug")]
    finally:
        conn.close()
    os.makedirs(os.path.join(folder, "communities"))
    communities = []
    for slug in slugs:
        path = t.community_path(slug)
        if not os.path.exists(path):
            raise BackupError(f"Community {slug} is registered but has no database file ({path}).")
        entry = {"slug": slug, "file": f"communities/{slug}.sqlite3",
                 **_sqlite_copy(path, os.path.join(folder, "communities", f"{slug}.sqlite3"))}
        communities.append(entry)
        report(f"{slug}: {sum(entry['rows'].values())} rows")
    return {"registry": registry, "communities": communities}


# --- PostgreSQL ----------------------------------------------------------------------------------
def _quote(value) -> str:
    """A libpq conninfo value: single-quoted, backslash and quote escaped."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _libpq(t: Tenancy) -> tuple[list[str], dict]:
    """Connection arguments for pg_dump, pg_restore and psql (the password goes in the environment)."""
    url = make_url(t.database_url)
    parts = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database,
             **{k: v for k, v in url.query.items() if isinstance(v, str)}}
    conninfo = " ".join(f"{k}={_quote(v)}" for k, v in parts.items() if v not in (None, ""))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return [f"--dbname={conninfo}"], env


def pg_bindir(server_major: int) -> str:
    """Directory of the pg_dump matching the server: HALL_PG_BINDIR, /usr/lib/postgresql/N/bin, or PATH."""
    override = os.environ.get("HALL_PG_BINDIR")
    which = shutil.which("pg_dump")
    candidates = [override] if override else [f"/usr/lib/postgresql/{server_major}/bin",
                                              os.path.dirname(which) if which else None]
    for bindir in candidates:
        if not bindir or not all(os.access(os.path.join(bindir, tool), os.X_OK) for tool in PG_TOOLS):
            continue
        out = subprocess.run([os.path.join(bindir, "pg_dump"), "--version"], capture_output=True, text=True).stdout
        found = re.search(r"(\d+)", out)
        if found and int(found.group(1)) >= server_major:
            return bindir
    where = f"HALL_PG_BINDIR={override} has" if override else "Found"
    raise BackupError(f"{where} no pg_dump, pg_restore and psql of PostgreSQL {server_major} or newer (the server's "
                      f"version; install postgresql-client-{server_major}, or set HALL_PG_BINDIR to their directory).")


def _pg_major(conn) -> int:
    return int(conn.execute(text("SHOW server_version_num")).scalar()) // 10000


def _pg_facts(conn, schema: str) -> dict:
    tables = conn.execute(text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s "
                               "AND table_type = 'BASE TABLE' ORDER BY table_name"), {"s": schema}).scalars().all()
    # Schema and table names come from the registry and the catalogue, never from input.
    rows = {name: conn.execute(text(f'SELECT COUNT(*) FROM "{schema}"."{name}"')).scalar()  # nosec B608
            for name in tables}
    revision = None
    if "alembic_version" in tables:
        revision = conn.execute(text(f'SELECT version_num FROM "{schema}".alembic_version')).scalar()  # nosec B608
    return {"revision": revision, "rows": rows}


def _run(args: list[str], env: dict, what: str) -> None:
    done = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip()[-2000:]}")


def _pg_backup(t: Tenancy, folder: str, report: Callable[[str], None]) -> dict:
    dbname, env = _libpq(t)
    with t.migration_engine().connect() as conn:
        # One exported snapshot for every pg_dump and every count: the whole site at one moment.
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
        bindir = pg_bindir(_pg_major(conn))
        has_registry = conn.execute(text("SELECT to_regclass(:t)"), {"t": f'"{REGISTRY_SCHEMA}".communities'}).scalar()
        if has_registry is None:
            raise BackupError("This site has no registry yet (run `hall init`): nothing to back up.")
        slugs = conn.execute(select(Community.slug).order_by(Community.slug).execution_options(
            schema_translate_map={REGISTRY_SCHEMA: REGISTRY_SCHEMA})).scalars().all()
        parts = [(None, REGISTRY_SCHEMA, "hall.dump")] + [(s, t.schema_name(s), f"communities/{s}.dump") for s in slugs]
        os.makedirs(os.path.join(folder, "communities"))
        registry, communities = None, []
        for slug, schema, name in parts:
            path = os.path.join(folder, name)
            _run([os.path.join(bindir, "pg_dump"), *dbname, "--format=custom", f"--schema={schema}", "--strict-names",
                  f"--snapshot={snapshot}", "--no-owner", "--no-privileges", f"--file={path}"], env,
                 f"pg_dump of schema {schema}")
            entry = {"file": name, "schema": schema, **_pg_facts(conn, schema), "sha256": _sha256(path)}
            if slug is None:
                registry = entry
                report(f"registry: {sum(entry['rows'].values())} rows")
            else:
                communities.append({"slug": slug, **entry})
                report(f"{slug}: {sum(entry['rows'].values())} rows")
        conn.rollback()
    return {"registry": registry, "communities": communities}


# --- backup ------------------------------------------------------------------------------------
def backup_site(t: Tenancy, dest: str, report: Callable[[str], None] = lambda line: None) -> str:
    """Take an online backup of the registry and every community into a new directory under dest; its path."""
    os.makedirs(dest, exist_ok=True)
    started = clock.utcnow()
    name = f"hall-backup-{_stamp()}"
    final = os.path.join(dest, name)
    n = 1
    while os.path.exists(final):
        n += 1
        final = os.path.join(dest, f"{name}-{n}")
    partial = os.path.join(dest, f".partial-{os.path.basename(final)}")
    os.makedirs(partial)
    try:
        parts = (_pg_backup if t.backend == "postgresql" else _sqlite_backup)(t, partial, report)
        manifest = {"format": FORMAT, "version": VERSION, "started_at": started.isoformat(),
                    "finished_at": clock.utcnow().isoformat(), "backend": t.backend, "heads": _heads(), **parts}
        with open(os.path.join(partial, "manifest.json"), "w", encoding="utf-8") as f:
            json.dump(manifest, f, ensure_ascii=False, indent=1, sort_keys=True)
        os.rename(partial, final)   # only a complete backup carries the hall-backup- name
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


# --- retention -----------------------------------------------------------------------------------
NAME_RE = re.compile(r"^hall-backup-(\d{8}T\d{6}Z)(?:-\d+)?$")


def _backups(dest: str) -> list[tuple[datetime, str]]:
    """Complete backups under dest (named hall-backup-<time>, with a manifest), newest first."""
    found = []
    for name in os.listdir(dest):
        match = NAME_RE.match(name)
        if match and os.path.isfile(os.path.join(dest, name, "manifest.json")):
            found.append((datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC), name))
    return sorted(found, reverse=True)


def prune_backups(dest: str, keep_hours: int = 24, daily: int = 7, weekly: int = 4, monthly: int = 12,
                  dry_run: bool = False, now: datetime | None = None) -> tuple[list[str], list[str]]:
    """Keep every backup of the last keep_hours and the newest of each of the last days, weeks and months."""
    now = now or clock.utcnow()
    backups = _backups(dest)
    keep = {name for at, name in backups if (now - at).total_seconds() < keep_hours * 3600}
    for count, period in ((daily, lambda at: at.date()), (weekly, lambda at: at.isocalendar()[:2]),
                          (monthly, lambda at: (at.year, at.month))):
        seen = []
        for at, name in backups:   # newest first: the first of each period is its newest backup
            if period(at) not in seen and len(seen) < count:
                seen.append(period(at))
                keep.add(name)
    removed = [name for _at, name in backups if name not in keep]
    # A backup that died half-way (its process killed) leaves a .partial- directory; a day later it is not running.
    stale = [name for name in os.listdir(dest) if name.startswith(".partial-hall-backup-")
             and now.timestamp() - os.path.getmtime(os.path.join(dest, name)) > 86400]
    if not dry_run:
        for name in removed + stale:
            shutil.rmtree(os.path.join(dest, name))
    return [name for _at, name in backups if name in keep], removed + stale


# --- restore -------------------------------------------------------------------------------------
def read_manifest(src: str, backend: str) -> dict:
    """The manifest of a backup for a site of this backend, its entries checked for the names and schemas they must
    have."""
    path = os.path.join(src, "manifest.json")
    if not os.path.isfile(path):
        inside = sorted(d for d in os.listdir(src) if NAME_RE.match(d)) if os.path.isdir(src) else []
        hint = f" It holds {len(inside)} backups; give one of them, e.g. {os.path.join(src, inside[-1])}." \
            if inside else ""
        raise BackupError(f"{src} is not a Community Hall backup: manifest.json is missing.{hint}")
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise BackupError(f"{path} is not a Community Hall backup manifest of version {VERSION}.")
        if manifest["backend"] != backend:
            raise BackupError(f"This backup is of a {manifest['backend']} site and this site uses {backend}; "
                              "restore it on a site of the same kind (then `hall export`/`hall import` to move it).")
        pg = backend == "postgresql"
        # An edited manifest must not name files outside the backup, or schemas other than the site's own.
        expected = [(manifest["registry"], "hall.dump" if pg else "hall.sqlite3", REGISTRY_SCHEMA)]
        for entry in manifest["communities"]:
            if not valid_slug(entry["slug"]):
                raise BackupError(f"Invalid community slug in the backup: {entry['slug']!r}")
            name = f"communities/{entry['slug']}.{'dump' if pg else 'sqlite3'}"
            expected.append((entry, name, "c_" + entry["slug"].replace("-", "_")))
        for entry, name, schema in expected:
            if entry["file"] != name or (pg and entry["schema"] != schema):
                raise BackupError(f"{path} is damaged: the entry for {name} names another file or schema.")
            if {"sha256", "rows", "revision"} - set(entry):
                raise BackupError(f"{path} is damaged: the entry for {name} is incomplete.")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError(f"{path} is damaged: {type(exc).__name__}: {exc}") from exc
    return manifest


def _verify_files(src: str, entries: list[dict]) -> None:
    for entry in entries:
        file = os.path.join(src, entry["file"])
        if not os.path.isfile(file) or _sha256(file) != entry["sha256"]:
            raise BackupError(f"The backup is damaged: {file} is missing or does not match its checksum.")


def _check_restorable(src: str, entries: list[dict]) -> None:
    newer = [f"{e.get('slug', 'registry')} at {e['revision']}" for e in entries
             if not _known("community" if "slug" in e else "registry", e["revision"])]
    if newer:
        raise BackupError("The backup was made by newer code (revisions unknown here: " + ", ".join(newer) +
                          "). Update the code to the version that made it, then restore.")
    _verify_files(src, entries)


def _registry_users(t: Tenancy) -> tuple[list[str], bool]:
    """Registered slugs and whether any user exists, read from the target's registry (empty when none)."""
    from .accounts.models import User

    schema = REGISTRY_SCHEMA if t.backend == "postgresql" else None
    with t.registry_engine.connect() as conn:
        if not inspect(conn).has_table(Community.__tablename__, schema=schema):
            return [], False
        slugs = conn.execute(select(Community.slug)).scalars().all()
        users = inspect(conn).has_table(User.__tablename__, schema=schema) and \
            conn.execute(select(User.id).limit(1)).first() is not None
        return slugs, users


def _sqlite_restore(src_file: str, dest_path: str) -> None:
    """Replace a SQLite database with a backup copy through the backup API (safe while others have it open)."""

    def give_up_when_busy(status, _remaining, _total):
        # Python retries a busy step for ever; after the 30 s busy timeout the database is in use beyond us.
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise BackupError(f"{dest_path} stayed locked by another writer for {BUSY_SECONDS} s; nothing was "
                              "changed. Try again when the site is quieter.")

    src = _read_only(src_file)
    dest = sqlite3.connect(dest_path, timeout=BUSY_SECONDS)
    try:
        # One write transaction on dest: every reader, in any process, sees the old or the new database.
        src.backup(dest, pages=-1, progress=give_up_when_busy)
    finally:
        src.close()
        dest.close()


def _pg_restore(t: Tenancy, src: str, entries: list[dict]) -> None:
    """Drop and reload the given schemas in one psql transaction (all or nothing; live sessions wait)."""
    dbname, env = _libpq(t)
    with t.migration_engine().connect() as conn:
        bindir = pg_bindir(_pg_major(conn))
    script = [f"SET lock_timeout = '{LOCK_TIMEOUT}';"]
    script += [f'DROP SCHEMA IF EXISTS "{e["schema"]}" CASCADE;' for e in entries]
    for entry in entries:
        sql = subprocess.run([os.path.join(bindir, "pg_restore"), "--no-owner", "--no-privileges", "--file=-",
                              os.path.join(src, entry["file"])], capture_output=True, text=True)
        if sql.returncode != 0:
            raise BackupError(f"pg_restore could not read {entry['file']}: {sql.stderr.strip()[-2000:]}")
        script.append(sql.stdout)
        script.append(f"SET lock_timeout = '{LOCK_TIMEOUT}';")   # the dump's header resets settings
    done = subprocess.run([os.path.join(bindir, "psql"), *dbname, "--no-psqlrc", "--quiet", "--single-transaction",
                           "--set=ON_ERROR_STOP=1", "--file=-"], input="\n".join(script), env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        message = done.stderr.strip()[-2000:]
        if "lock timeout" in message:
            raise BackupError(f"The databases stayed in use for {LOCK_TIMEOUT} (a long transaction holds their "
                              "tables); nothing was changed. Try again when the site is quieter.")
        raise BackupError(f"The restore failed and nothing was changed: {message}")


def _integrity(path: str) -> dict:
    conn = sqlite3.connect(path)
    try:
        facts = _sqlite_facts(conn)
    finally:
        conn.close()
    if facts["integrity"] != "ok":
        raise BackupError(f"{path} fails PRAGMA integrity_check after the restore: {facts['integrity']}")
    return facts


def _counts(t: Tenancy, slug: str | None) -> dict:
    if t.backend == "sqlite":
        return _integrity(os.path.join(t.data_dir, "hall.sqlite3") if slug is None else t.community_path(slug))["rows"]
    with t.migration_engine().connect() as conn:
        return _pg_facts(conn, REGISTRY_SCHEMA if slug is None else t.schema_name(slug))["rows"]


def _stamps_table(t: Tenancy, conn, slug: str):
    from .pagecache import CacheStamp

    table = CacheStamp.__table__
    schema = t.schema_name(slug) if t.backend == "postgresql" else None
    return table if inspect(conn).has_table(table.name, schema=schema) else None


def _max_stamp(t: Tenancy, slug: str) -> int:
    """The largest page-cache stamp of a community now (0 when it has none)."""
    if not t.storage_exists(slug):
        return 0
    with t.community_engine(slug).connect() as conn:
        table = _stamps_table(t, conn, slug)
        return (conn.execute(select(func.max(table.c.version))).scalar() or 0) if table is not None else 0


def _bump_cache_stamps(t: Tenancy, slug: str, floor: int) -> None:
    """Move a restored community's page-cache stamps past every value workers may have cached pages under."""
    with t.community_engine(slug).begin() as conn:
        table = _stamps_table(t, conn, slug)
        if table is not None and floor:
            conn.execute(update(table).values(version=table.c.version + floor + 1))


def restore_site(t: Tenancy, src: str, slug: str | None = None,
                 report: Callable[[str], None] = lambda line: None) -> list[str]:
    """Restore a whole site into an empty target, or one community of a running site; the names restored."""
    manifest = read_manifest(src, t.backend)
    if slug is None:
        entries = [manifest["registry"], *manifest["communities"]]
        _check_restorable(src, entries)
        registered, users = _registry_users(t)
        if registered or users:
            raise BackupError("The target site is not empty (it has "
                              f"{'communities: ' + ', '.join(sorted(registered)) if registered else 'users'}). "
                              "Restore a whole site only into a new data directory or an empty database (keep the "
                              "old one aside), or restore single communities with --community.")
        leftover = [e["slug"] for e in manifest["communities"] if t.storage_exists(e["slug"])]
        if leftover:
            raise BackupError(f"The target already has databases for {', '.join(leftover)} (not in its registry). "
                              "Restore only into a new data directory or an empty database.")
    else:
        entry = next((e for e in manifest["communities"] if e["slug"] == slug), None)
        if entry is None:
            raise BackupError(f"Community {slug} is not in this backup (it has: "
                              f"{', '.join(e['slug'] for e in manifest['communities']) or 'none'}).")
        entries = [entry]
        _check_restorable(src, entries)
        registered, _users = _registry_users(t)
        if slug not in registered:
            raise BackupError(f"Community {slug} is not registered on this site; restore the whole site into an "
                              "empty target, or create the community first (`hall create-community`).")
    floors = {e["slug"]: _max_stamp(t, e["slug"]) for e in entries if "slug" in e}
    t.dispose()   # this process's pools must not keep pages of the databases being replaced
    if t.backend == "postgresql":
        _pg_restore(t, src, entries)
    else:
        written = []
        try:
            for entry in entries:
                dest = t.community_path(entry["slug"]) if "slug" in entry else os.path.join(t.data_dir, "hall.sqlite3")
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                written.append(dest)
                _sqlite_restore(os.path.join(src, entry["file"]), dest)
        except Exception as exc:
            if slug is None:   # the target was empty: take away what was written, so it can be run again
                for path in written:
                    for suffix in ("", "-wal", "-shm"):
                        if os.path.exists(path + suffix):
                            os.remove(path + suffix)
            if isinstance(exc, BackupError):
                raise
            raise BackupError(f"The restore failed ({type(exc).__name__}: {exc}); "
                              f"{'the files it wrote were removed' if slug is None else 'nothing was changed'}.") \
                from exc
    restored = []
    for entry in entries:
        name = entry.get("slug")
        if slug is None:   # a live community may be written to at once: only a whole-site restore is counted
            rows = _counts(t, name)
            if rows != entry["rows"]:
                raise BackupError(f"{name or 'registry'}: the restored row counts differ from the backup's manifest.")
        elif t.backend == "sqlite":
            _integrity(t.community_path(name))
        report(f"{name or 'registry'}: {sum(entry['rows'].values())} rows at {entry['revision']}")
        restored.append(name or "registry")
    heads = _heads()
    if slug is None and manifest["registry"]["revision"] != heads["registry"]:
        result = migrations.upgrade_registry(t)
        report(f"registry: migrated {result.before} -> {result.after}")
    for entry in entries:
        if "slug" not in entry:
            continue
        if entry["revision"] != heads["community"]:
            result = migrations.upgrade_community(t, entry["slug"])
            report(f"{entry['slug']}: migrated {result.before} -> {result.after}")
        _bump_cache_stamps(t, entry["slug"], floors.get(entry["slug"], 0))
    return restored

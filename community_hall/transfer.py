"""Whole-site export and import (`hall export` / `hall import`): move a site between SQLite files and PostgreSQL.

A dump is one directory: manifest.json (format, Alembic revision of every database, row count and SHA-256 of
every file) and one JSON-lines file per table, rows in primary-key order. Values keep their types through tagged
objects: {"$dt": ISO-8601 in UTC}, {"$date": ...}, {"$time": ...}, {"$dec": "1.50"}, {"$b64": ...}.
It is a migration tool for a stopped site, not a backup of a running one (databases are read one after another).
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import os
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import DateTime, Integer, MetaData, Table, inspect, select, text

from . import clock
from . import migrate as migrations
from .tenancy import REGISTRY_SCHEMA, CommunityBase, RegistryBase, Tenancy, valid_slug

FORMAT = "community-hall-dump"
VERSION = 1
BATCH = 1000


class TransferError(RuntimeError):
    """A dump cannot be written or read, or the target cannot take it; nothing was changed."""


@dataclass
class Summary:
    """What an export or import moved."""

    communities: int
    rows: int


def load_models() -> None:
    """Import every model module, so both MetaData objects know every table."""
    import community_hall

    for info in pkgutil.walk_packages(community_hall.__path__, "community_hall."):
        if info.name.rsplit(".", 1)[-1].endswith("models"):
            importlib.import_module(info.name)


def _tables(metadata: MetaData) -> list[Table]:
    return list(metadata.sorted_tables)


# --- values ----------------------------------------------------------------------------------
def encode(value):
    """A JSON-ready form of a column value (see the module docstring)."""
    if isinstance(value, datetime):
        # SQLite hands back naive datetimes; the app stores UTC, so naive means UTC.
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def decode(value, column):
    """The Python value of an encoded one, ready to insert into column."""
    if not isinstance(value, dict):
        return value
    (tag, raw), = value.items()
    if tag == "$dt":
        dt = datetime.fromisoformat(raw).astimezone(UTC)
        if isinstance(column.type, DateTime) and not column.type.timezone:
            return dt.replace(tzinfo=None)
        return dt
    if tag == "$date":
        return date.fromisoformat(raw)
    if tag == "$time":
        return time.fromisoformat(raw)
    if tag == "$dec":
        return Decimal(raw)
    if tag == "$b64":
        return base64.b64decode(raw)
    raise ValueError(f"unknown tag {tag}")


# --- databases of a site ---------------------------------------------------------------------
def _registry_revision(t: Tenancy) -> str | None:
    schema = REGISTRY_SCHEMA if t.backend == "postgresql" else None
    with t.migration_engine().connect() as conn:
        return migrations._current(conn, schema)


def _slugs(t: Tenancy) -> list[str]:
    from .tenancy import Community

    with t.registry_engine.connect() as conn:
        return list(conn.execute(select(Community.slug).order_by(Community.slug)).scalars())


def _rows(engine, table: Table) -> Iterator[dict]:
    order = list(table.primary_key.columns) or list(table.columns)
    with engine.connect() as conn:
        for row in conn.execute(select(table).order_by(*order)).mappings():
            yield {column.name: encode(row[column]) for column in table.columns}


def _write_table(path: str, rows: Iterator[dict]) -> dict:
    digest, count = hashlib.sha256(), 0
    with open(path, "wb") as f:
        for row in rows:
            line = (json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
            f.write(line)
            digest.update(line)
            count += 1
    return {"rows": count, "sha256": digest.hexdigest()}


# --- export ----------------------------------------------------------------------------------
def export_site(t: Tenancy, dest: str, report: Callable[[str], None] = lambda line: None) -> Summary:
    """Write the registry and every community of the site to the new directory dest."""
    load_models()
    if os.path.exists(dest) and (not os.path.isdir(dest) or os.listdir(dest)):
        raise TransferError(f"{dest} exists and is not an empty directory; give a new one.")
    registry_rev = _registry_revision(t)
    if registry_rev is None:
        raise TransferError("This site has no registry yet (run `hall init`): nothing to export.")
    os.makedirs(os.path.join(dest, "registry"), exist_ok=True)
    manifest = {"format": FORMAT, "version": VERSION, "created_at": clock.utcnow().isoformat(),
                "source_backend": t.backend,
                "registry": {"revision": registry_rev, "tables": {}}, "communities": []}
    total = 0
    for table in _tables(RegistryBase.metadata):
        info = _write_table(os.path.join(dest, "registry", f"{table.name}.jsonl"), _rows(t.registry_engine, table))
        manifest["registry"]["tables"][table.name] = info
        total += info["rows"]
    report(f"registry: {sum(i['rows'] for i in manifest['registry']['tables'].values())} rows")
    for slug in _slugs(t):
        entry = {"slug": slug, "revision": migrations.community_revision(t, slug), "tables": {}}
        os.makedirs(os.path.join(dest, "communities", slug))
        engine = t.community_engine(slug)
        for table in _tables(CommunityBase.metadata):
            info = _write_table(os.path.join(dest, "communities", slug, f"{table.name}.jsonl"), _rows(engine, table))
            entry["tables"][table.name] = info
            total += info["rows"]
        manifest["communities"].append(entry)
        report(f"{slug}: {sum(i['rows'] for i in entry['tables'].values())} rows")
    with open(os.path.join(dest, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1, sort_keys=True)
    return Summary(len(manifest["communities"]), total)


# --- import ----------------------------------------------------------------------------------
def read_manifest(src: str) -> dict:
    """The manifest of a dump, checked against its files (counts and SHA-256); TransferError when not sound."""
    path = os.path.join(src, "manifest.json")
    if not os.path.isfile(path):
        raise TransferError(f"{src} is not a Community Hall dump: manifest.json is missing.")
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
        if manifest.get("format") != FORMAT:
            raise TransferError(f"{path} is not a Community Hall dump manifest.")
        if manifest.get("version") != VERSION:
            raise TransferError(f"Dump format version {manifest.get('version')} is not supported (this code reads "
                                f"version {VERSION}).")
        parts = [("registry", manifest["registry"]["tables"])]
        for entry in manifest["communities"]:
            if not valid_slug(entry["slug"]):
                raise TransferError(f"Invalid community slug in the dump: {entry['slug']!r}")
            parts.append((os.path.join("communities", entry["slug"]), entry["tables"]))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise TransferError(f"{path} is damaged: {type(exc).__name__}: {exc}") from exc
    for folder, tables in parts:
        for name, info in tables.items():
            _check_file(os.path.join(src, folder, f"{name}.jsonl"), info)
    return manifest


def _check_file(path: str, info: dict) -> None:
    if not os.path.isfile(path):
        raise TransferError(f"The dump is incomplete: {path} is missing.")
    digest, count = hashlib.sha256(), 0
    with open(path, "rb") as f:
        for line in f:
            digest.update(line)
            count += 1
    if count != info.get("rows") or digest.hexdigest() != info.get("sha256"):
        raise TransferError(f"The dump is damaged: {path} does not match its manifest entry "
                            f"({count} rows read, {info.get('rows')} expected, or a different checksum).")


def _check_revisions(manifest: dict) -> None:
    registry_head, community_head = migrations.head_revision("registry"), migrations.head_revision("community")
    stale = []
    if manifest["registry"]["revision"] != registry_head:
        stale.append(f"registry at {manifest['registry']['revision']} (this code: {registry_head})")
    stale += [f"{e['slug']} at {e['revision']} (this code: {community_head})"
              for e in manifest["communities"] if e["revision"] != community_head]
    if stale:
        raise TransferError("The dump's schema differs from this code's: " + "; ".join(stale) + ". Run "
                            "`flask --app app hall migrate` on the source site with this version of the code, "
                            "export again, then import.")


def _check_tables(manifest: dict) -> None:
    for kind, metadata, tables in [("registry", RegistryBase.metadata, manifest["registry"]["tables"]),
                                   *[(e["slug"], CommunityBase.metadata, e["tables"]) for e in manifest["communities"]]]:
        known = {table.name for table in _tables(metadata)}
        if set(tables) != known:
            raise TransferError(f"The dump's tables of {kind} do not match this code's "
                                f"(missing: {sorted(known - set(tables))}, unknown: {sorted(set(tables) - known)}).")


def _site_is_empty(t: Tenancy, manifest: dict) -> None:
    from .accounts.models import User
    from .tenancy import Community

    schema = REGISTRY_SCHEMA if t.backend == "postgresql" else None
    with t.registry_engine.connect() as conn:
        if inspect(conn).has_table(Community.__tablename__, schema=schema):
            communities = conn.execute(select(Community.slug).limit(3)).scalars().all()
            users = conn.execute(select(User.id).limit(1)).first() if inspect(conn).has_table(
                User.__tablename__, schema=schema) else None
            if communities or users:
                raise TransferError("The target site is not empty (it has "
                                    f"{'communities: ' + ', '.join(communities) if communities else 'users'}). "
                                    "Import only into a new data directory or an empty database.")
    for entry in manifest["communities"]:
        if t.storage_exists(entry["slug"]):
            raise TransferError(f"The target already has a database for community {entry['slug']} "
                                "(not in its registry). Import only into a new data directory or an empty database.")


def _load_rows(path: str, table: Table) -> Iterator[list[dict]]:
    columns = {column.name: column for column in table.columns}
    batch = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise TransferError(f"{path}, line {number}: not JSON ({exc})") from exc
            unknown = set(row) - set(columns)
            if unknown:
                raise TransferError(f"{path}, line {number}: unknown columns {sorted(unknown)}")
            batch.append({columns[name].key: decode(value, columns[name]) for name, value in row.items()})
            if len(batch) >= BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def _insert_tables(conn, folder: str, metadata: MetaData) -> int:
    count = 0
    for table in _tables(metadata):   # sorted_tables: a table comes after the tables it refers to
        for batch in _load_rows(os.path.join(folder, f"{table.name}.jsonl"), table):
            conn.execute(table.insert(), batch)
            count += len(batch)
    return count


def _reset_sequences(conn, metadata: MetaData, schema: str) -> None:
    """Set every serial/identity sequence past the largest imported id, so new rows do not collide."""
    for table in _tables(metadata):
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        qualified = f'"{schema}"."{table.name}"'
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": qualified, "c": pk[0].name}).scalar()
        if seq is not None:
            # Schema, table and column names come from our metadata, never from input.
            conn.execute(text(f'SELECT setval(:seq, COALESCE((SELECT MAX("{pk[0].name}") FROM {qualified}), 0) + 1, '  # nosec B608
                              f'false)'), {"seq": seq})


def import_site(t: Tenancy, src: str, report: Callable[[str], None] = lambda line: None) -> Summary:
    """Load a dump into this (empty) site: check everything first, then migrate, insert, reset sequences."""
    load_models()
    manifest = read_manifest(src)
    _check_revisions(manifest)
    _check_tables(manifest)
    _site_is_empty(t, manifest)
    migrations.upgrade_registry(t)
    done: list[str] = []
    total = 0
    try:
        # Communities first, the registry last in one transaction: a failure leaves the registry empty and
        # the communities made so far are dropped, so the import can simply be run again.
        for entry in manifest["communities"]:
            slug = entry["slug"]
            t.create_storage(slug)
            done.append(slug)
            migrations.upgrade_community(t, slug)
            with t.community_engine(slug).begin() as conn:
                rows = _insert_tables(conn, os.path.join(src, "communities", slug), CommunityBase.metadata)
                if t.backend == "postgresql":
                    _reset_sequences(conn, CommunityBase.metadata, t.schema_name(slug))
            total += rows
            report(f"{slug}: {rows} rows")
        with t.registry_engine.begin() as conn:
            rows = _insert_tables(conn, os.path.join(src, "registry"), RegistryBase.metadata)
            if t.backend == "postgresql":
                _reset_sequences(conn, RegistryBase.metadata, REGISTRY_SCHEMA)
        total += rows
        report(f"registry: {rows} rows")
    except Exception as exc:
        for slug in done:
            t.drop_storage(slug)
        if isinstance(exc, TransferError):
            raise
        raise TransferError(f"The import failed ({type(exc).__name__}: {str(exc).splitlines()[0]}); the communities "
                            "made so far were removed and the registry is left empty, so it can be run again.") from exc
    return Summary(len(manifest["communities"]), total)

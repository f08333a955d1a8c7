"""Audit log: from where (ip), hash chain over every row, the chain's head, and triggers refusing UPDATE/DELETE.

Revision ID: c0021
Revises: c0020
Create Date: 2026-11-23
"""

import hashlib
import json
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = "c0021"
down_revision = "c0020"
branch_labels = None
depends_on = None

TABLE = "audit_log"


def _hash(prev, at, actor, action, detail, ip):
    # The same canonical form as community_hall.audit.row_hash (copied: a migration must not change later).
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    canonical = json.dumps([prev, at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), actor, action, detail or "", ip or ""],
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def chain_existing(table: str, chain: str) -> None:
    """Give the rows already there their hashes, oldest first, and write the chain's head."""
    bind = op.get_bind()
    log = sa.table(table, sa.column("id", sa.Integer), sa.column("at", sa.DateTime(timezone=True)),
                   sa.column("actor_user_id", sa.Integer), sa.column("action", sa.String),
                   sa.column("detail", sa.Text), sa.column("ip", sa.String), sa.column("prev_hash", sa.String),
                   sa.column("hash", sa.String))
    prev, n = "", 0
    rows = bind.execute(sa.select(log.c.id, log.c.at, log.c.actor_user_id, log.c.action, log.c.detail)
                        .order_by(log.c.id)).all()
    for row in rows:
        digest = _hash(prev, row.at, row.actor_user_id, row.action, row.detail, "")
        bind.execute(log.update().where(log.c.id == row.id).values(prev_hash=prev, hash=digest))
        prev, n = digest, n + 1
    if n:
        head = sa.table(chain, sa.column("id", sa.Integer), sa.column("n", sa.Integer), sa.column("hash", sa.String))
        bind.execute(head.insert().values(id=1, n=n, hash=prev))


def create_triggers(table: str) -> None:
    """UPDATE, DELETE (and on PostgreSQL TRUNCATE) of audit rows fail in the database itself."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{table} is append-only'; END $$")
        op.execute(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def drop_triggers(table: str) -> None:
    """Undo create_triggers."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def upgrade():
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("ip", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=False, server_default=""))
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    chain_existing(TABLE, "audit_chain")
    create_triggers(TABLE)


def downgrade():
    drop_triggers(TABLE)
    op.drop_table("audit_chain")
    for column in ("hash", "prev_hash", "ip"):
        op.drop_column(TABLE, column)

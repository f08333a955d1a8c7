"""Registry: the site's audit log (sign-ins, failures, sign-outs, password changes, site exports), hash-chained
and append-only, and users.session_version (raised to end a user's sessions everywhere).

Revision ID: r0003
Revises: r0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "r0003"
down_revision = "r0002"
branch_labels = None
depends_on = None

TABLE = "site_audit_log"


def _triggers(create: bool) -> None:
    # As in community migration c0021 (a migration stays as written, so the SQL is repeated here).
    postgres = op.get_bind().dialect.name == "postgresql"
    if create and postgres:
        op.execute(f"CREATE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{TABLE} is append-only'; END $$")
        op.execute(f"CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
                   f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()")
        op.execute(f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()")
    elif create:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
                       f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END")
    elif postgres:
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_change ON {TABLE}")
        op.execute(f"DROP FUNCTION IF EXISTS {TABLE}_append_only()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{verb}")


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_site_audit_log_at", TABLE, ["at"])
    op.create_table(
        "site_audit_chain",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    _triggers(create=True)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer, nullable=False, server_default="0"))


def downgrade():
    # Not batch: recreating users on SQLite would drop it, and its memberships with it (ON DELETE CASCADE).
    op.drop_column("users", "session_version")
    _triggers(create=False)
    op.drop_table("site_audit_chain")
    op.drop_index("ix_site_audit_log_at", TABLE)
    op.drop_table(TABLE)

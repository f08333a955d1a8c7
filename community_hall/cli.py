"""Admin commands: `flask --app app hall init|migrate|create-community|create-user|grant-role|seed-demo|…`."""

from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from . import migrate as migrations
from .calendar_cli import calendar
from .errors import HallError
from .tenancy import all_communities, get_community, registry_session, tenancy, valid_slug


def _fail(message) -> None:
    raise click.ClickException(str(message))


def _report(result: migrations.MigrationResult) -> None:
    if result.error:
        at = f" {result.after}" if result.after else ""
        click.echo(f"  {result.name}: FAILED ({result.error}); left at its old version{at}", err=True)
    elif result.before == result.after:
        click.echo(f"  {result.name}: up to date at {result.after}")
    else:
        click.echo(f"  {result.name}: {result.before or 'empty'} -> {result.after}")


hall = AppGroup("hall", help="Community Hall administration.")
hall.add_command(calendar)


@hall.command("migrate")
def migrate_cmd():
    """Upgrade the registry and every community database to the latest schema."""
    t = tenancy()
    migrations.upgrade_registry(t)
    slugs = [c.slug for c in all_communities()]
    click.echo(f"Migrating the registry and {len(slugs)} communities ({t.backend})")
    results = migrations.migrate_all(t, slugs, _report)
    failed = [r.name for r in results if r.error]
    if failed:
        _fail(f"{len(failed)} communities failed to migrate: {', '.join(failed)}")
    click.echo("Done.")


@hall.command("init")
def init_cmd():
    """Create the data directory and registry, and bring every database up to date."""
    click.echo(f"Data directory: {current_app.config['HALL_DATA_DIR']}")
    click.get_current_context().invoke(migrate_cmd)


@hall.command("create-community")
@click.argument("slug")
@click.option("--name", required=True, help="Display name, e.g. 杨柳社区")
@click.option("--households", type=click.IntRange(min=0), default=0)
@click.option("--residents", type=click.IntRange(min=0), default=0)
@click.option("--street", default=None, help="Street office (街道) the community belongs to")
def create_community_cmd(slug, name, households, residents, street):
    """Register a community and create its database."""
    from .communities.services import create_community

    migrations.upgrade_registry(tenancy())
    try:
        community = create_community(slug, name, households, residents, street)
    except HallError as err:
        _fail(err.message)
    click.echo(f"Created community {community.slug} ({community.name})")


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            _fail("No password on standard input.")
        return password
    if not sys.stdin.isatty():
        _fail("Give --password-stdin and the password on standard input.")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@hall.command("create-user")
@click.argument("username")
@click.option("--community", "slug", required=True, help="Community slug")
@click.option("--role", type=click.Choice(["resident", "staff", "head", "district"]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin")
@click.option("--name", "real_name", default=None, help="Real name (defaults to the username)")
def create_user_cmd(username, slug, role, password_stdin, real_name):
    """Create a user with a role in a community."""
    from .accounts.services import add_new_member

    community = _community_or_fail(slug)
    password = _read_password(password_stdin)
    try:
        user = add_new_member(community, role, username, password, real_name or username)
    except HallError as err:
        _fail(err.message)
    click.echo(f"Created user {user.username} as {role} of {community.slug}")


@hall.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin")
def set_password_cmd(username, password_stdin):
    """Give a user a new password (e.g. demo accounts before a site goes to production)."""
    from .accounts.models import User
    from .accounts.services import normalise_username, set_password

    migrations.upgrade_registry(tenancy())
    user = registry_session().query(User).filter_by(username=normalise_username(username)).one_or_none()
    if user is None:
        _fail(f"Unknown user: {username}")
    try:
        set_password(user, _read_password(password_stdin))
    except HallError as err:
        _fail(err.message)
    click.echo(f"New password set for {user.username}")


@hall.command("grant-role")
@click.argument("username")
@click.option("--community", "slug", required=True)
@click.option("--role", type=click.Choice(["resident", "staff", "head", "district"]), required=True)
def grant_role_cmd(username, slug, role):
    """Give an existing user a role in (another) community."""
    from .accounts.services import grant_existing

    community = _community_or_fail(slug)
    try:
        grant_existing(username, community, role)
    except HallError as err:
        _fail(err.message)
    click.echo(f"{username} is now {role} of {community.slug}")


def _community_or_fail(slug: str):
    if not valid_slug(slug):
        _fail(f"Invalid community slug: {slug!r}")
    migrations.upgrade_registry(tenancy())
    community = get_community(slug)
    if community is None:
        _fail(f"Unknown community: {slug}")
    return community


@hall.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the site has no community yet (first start)")
def seed_demo_cmd(if_empty):
    """Create the three demo communities with their people (skips what exists)."""
    from .demo import seed_demo

    if current_app.config["HALL_ENV"] == "production":
        _fail("Demo data (and its known passwords) is refused when HALL_ENV=production.")
    migrations.upgrade_registry(tenancy())
    if if_empty and all_communities():
        click.echo("The site already has communities; demo data not added.")
        return
    for line in seed_demo():
        click.echo(line)
    registry_session().close()


@hall.command("audit-check")
@click.option("--community", "slug", default=None, help="Community slug (default: the site's log and every community's)")
def audit_check_cmd(slug):
    """Check the hash chain of every audit log; fail naming the first broken row of each broken log."""
    from .audit import AuditEvent, SiteAuditEvent, verify

    t = tenancy()
    logs = [] if slug else [("site", t.registry_engine, SiteAuditEvent)]
    logs += [(c.slug, t.community_engine(c.slug), AuditEvent)
             for c in ([_community_or_fail(slug)] if slug else all_communities())]
    broken = []
    for name, engine, model in logs:
        with engine.connect() as conn:
            count, found = verify(conn, model)
        if found is None:
            click.echo(f"  {name}: {count} events, chain intact")
        else:
            where = f"row {found.row_id}" if found.row_id is not None else "the end"
            click.echo(f"  {name}: BROKEN at {where}: {found.reason} ({count} rows before it are intact)", err=True)
            broken.append(name)
    if broken:
        _fail(f"{len(broken)} audit logs are broken: {', '.join(broken)}")


@hall.command("export")
@click.argument("dest", type=click.Path(file_okay=False))
def export_cmd(dest):
    """Write the whole site (registry and every community) to the new directory DEST, for `hall import`."""
    from .audit import record_site
    from .transfer import TransferError, export_site

    try:
        summary = export_site(tenancy(), dest, click.echo)
    except TransferError as err:
        _fail(err)
    # Recorded after the export, so a dump is the site as it was (and two dumps of a quiet site are equal).
    record_site(registry_session(), None, "site.export", f"{os.path.abspath(dest)}: {summary.rows} rows")
    registry_session().commit()
    click.echo(f"Exported {summary.communities} communities, {summary.rows} rows, to {dest}")


@hall.command("import")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
def import_cmd(src):
    """Load a `hall export` dump into this empty site (DATABASE_URL or the data directory)."""
    from .transfer import TransferError, import_site

    t = tenancy()
    click.echo(f"Importing {src} into {'PostgreSQL' if t.backend == 'postgresql' else current_app.config['HALL_DATA_DIR']}")
    try:
        summary = import_site(t, src, click.echo)
    except TransferError as err:
        _fail(err)
    click.echo(f"Imported {summary.communities} communities, {summary.rows} rows. "
               "Check with `flask --app app hall ledger-check`.")


@hall.command("backup")
@click.argument("dest", type=click.Path(file_okay=False))
def backup_cmd(dest):
    """Take an online backup of the registry and every community into a new timestamped directory under DEST."""
    from .backup import BackupError, backup_site

    t = tenancy()
    click.echo(f"Backing up the site ({t.backend}) into {dest}")
    try:
        path = backup_site(t, dest, click.echo)
    except BackupError as err:
        _fail(err)
    click.echo(f"Backup complete: {path}")


@hall.command("prune-backups")
@click.argument("dest", type=click.Path(exists=True, file_okay=False))
@click.option("--keep-hours", type=click.IntRange(min=0), default=24, help="Keep every backup this recent")
@click.option("--daily", type=click.IntRange(min=0), default=7, help="Newest backup of each of the last N days")
@click.option("--weekly", type=click.IntRange(min=0), default=4, help="Newest backup of each of the last N weeks")
@click.option("--monthly", type=click.IntRange(min=0), default=12, help="Newest backup of each of the last N months")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed")
def prune_backups_cmd(dest, keep_hours, daily, weekly, monthly, dry_run):
    """Remove backups under DEST beyond the retention (default: 24 hours, 7 daily, 4 weekly, 12 monthly)."""
    from .backup import prune_backups

    kept, removed = prune_backups(dest, keep_hours, daily, weekly, monthly, dry_run)
    for name in removed:
        click.echo(f"{'would remove' if dry_run else 'removed'} {name}")
    click.echo(f"{len(kept)} backups kept, {len(removed)} {'to remove' if dry_run else 'removed'} in {dest}")


@hall.command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.option("--community", "slug", default=None, help="Restore only this community (the others are not touched)")
def restore_cmd(src, slug):
    """Restore a `hall backup` directory: the whole site into an empty one, or one community of a running site."""
    from .backup import BackupError, restore_site

    if slug is not None and not valid_slug(slug):
        _fail(f"Invalid community slug: {slug!r}")
    t = tenancy()
    target = "PostgreSQL" if t.backend == "postgresql" else current_app.config["HALL_DATA_DIR"]
    click.echo(f"Restoring {slug or 'the whole site'} from {src} into {target}")
    try:
        restored = restore_site(t, src, slug, click.echo)
    except BackupError as err:
        _fail(err)
    click.echo(f"Restored {', '.join(restored)}. Check with `flask --app app hall ledger-check`.")


@hall.command("import-menu")
@click.option("--community", "slug", required=True, help="Community slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_menu_cmd(slug, file):
    """Add and update service items from a .csv or .xlsx file; any problem and nothing is imported."""
    from .menu.transfer import MAX_BYTES, ImportRejected, import_items, read_rows
    from .tenancy import community_session

    community = _community_or_fail(slug)
    with open(file, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    try:
        report = import_items(community_session(community.slug), read_rows(file, data))
    except ImportRejected as err:
        for problem in err.problems:
            click.echo(f"row {problem.row}, {problem.column}: {problem.message}", err=True)
        _fail(err.message)
    click.echo(f"{report.created} added, {report.updated} updated, {report.unchanged} unchanged")
    if report.new_categories:
        click.echo(f"New categories: {', '.join(report.new_categories)}")


@hall.command("export-menu")
@click.option("--community", "slug", required=True, help="Community slug")
@click.argument("file", type=click.Path(dir_okay=False))
def export_menu_cmd(slug, file):
    """Write every service item to FILE; .csv (UTF-8 with BOM) or .xlsx by its extension."""
    from .menu.transfer import export_rows, write_csv, write_xlsx
    from .tenancy import community_session

    writer = write_xlsx if file.lower().endswith(".xlsx") else write_csv if file.lower().endswith(".csv") else None
    if writer is None:
        _fail("FILE must end in .csv or .xlsx")
    community = _community_or_fail(slug)
    from .audit import record

    session = community_session(community.slug)
    rows = export_rows(session)
    with open(file, "wb") as f:
        f.write(writer(rows))
    record(session, None, "menu.export", f"{os.path.basename(file)}: {len(rows)} items")
    session.commit()
    click.echo(f"Exported {len(rows)} items of {community.slug} to {file}")


@hall.command("create-api-key")
@click.option("--community", "slug", required=True, help="Community slug")
@click.option("--name", required=True, help="The client system the key is for, e.g. 街道网格平台")
def create_api_key_cmd(slug, name):
    """Create an Open311 API key for a community; the key is printed once and only its hash is kept."""
    from .api.services import create_api_key

    community = _community_or_fail(slug)
    try:
        api_key, plaintext = create_api_key(community, name)
    except HallError as err:
        _fail(err.message)
    click.echo(f"Created API key {api_key.prefix}… ({api_key.name}) for {community.slug}. "
               "Store it now; it cannot be shown again:", err=True)
    click.echo(plaintext)


@hall.command("import-roster")
@click.option("--community", "slug", required=True, help="Community slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_roster_cmd(slug, file):
    """Import posts, shifts or leave from a CSV file (told by its header row); any problem and nothing is imported."""
    from .rosters.transfer import MAX_BYTES, ImportRejected, import_file, read_csv
    from .tenancy import community_session

    community = _community_or_fail(slug)
    with open(file, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    try:
        parsed = read_csv(data)
        count = import_file(community_session(community.slug), community, parsed)
    except ImportRejected as err:
        for problem in err.problems:
            click.echo(f"row {problem.row}: {problem.message}", err=True)
        _fail(err.message)
    click.echo(f"Imported {count} {parsed.kind} rows into {community.slug}")


@hall.command("export-roster")
@click.option("--community", "slug", required=True, help="Community slug")
@click.option("--what", type=click.Choice(["posts", "shifts", "leave"]), required=True,
              help="Posts, published shifts or approved leave")
@click.argument("file", type=click.Path(dir_okay=False))
def export_roster_cmd(slug, what, file):
    """Write posts, published shifts or approved leave to FILE as CSV (UTF-8 with BOM)."""
    from .rosters.transfer import export_rows, write_csv
    from .tenancy import community_session

    community = _community_or_fail(slug)
    from .audit import record

    session = community_session(community.slug)
    rows = export_rows(session, community, what)
    with open(file, "wb") as f:
        f.write(write_csv(what, rows))
    record(session, None, "rosters.export", f"{what} {os.path.basename(file)}: {len(rows)} rows")
    session.commit()
    click.echo(f"Exported {len(rows)} {what} rows of {community.slug} to {file}")
@hall.command("route-sweep")
@click.option("--community", "slug", default=None, help="Community slug (default: every community)")
def route_sweep_cmd(slug):
    """Pass on open work of staff whose leave or outreach started; escalate late hand-overs to the head."""
    from .routing.services import sweep
    from .tenancy import community_session

    communities = [_community_or_fail(slug)] if slug else all_communities()
    for community in communities:
        passed, escalated = sweep(community_session(community.slug), community)
        click.echo(f"{community.slug}: {passed} passed on, {escalated} escalated")


@hall.command("ledger-check")
@click.option("--community", "slug", default=None, help="Community slug (default: every community)")
def ledger_check_cmd(slug):
    """Verify the time bank ledger: balanced movements, floors, references, request keys, reversals, transfers."""
    from .tenancy import community_session
    from .timebank.ledger import check
    from .timebank.transfer_check import check_between

    def session_for(other):
        return community_session(other) if get_community(other) is not None else None

    communities = [_community_or_fail(slug)] if slug else all_communities()
    broken = 0
    for community in communities:
        # Each community's own books, then its transfer records against the other communities' records.
        problems = check(community_session(community.slug)) + check_between(community_session(community.slug),
                                                                              community.slug, session_for)
        broken += len(problems)
        click.echo(f"{community.slug}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
        for line in problems:
            click.echo(f"  {line}", err=True)
    if broken:
        sys.exit(1)


@hall.command("transfer-recover")
@click.option("--community", "slug", default=None, help="Community slug (default: every community)")
@click.option("--roll-back", is_flag=True, help="Cancel pending transfers (hours go back) instead of finishing them")
def transfer_recover_cmd(slug, roll_back):
    """Finish (or cancel) hours transfers between communities that a failure left pending."""
    from types import SimpleNamespace

    from .tenancy import community_session
    from .timebank.ledger import recover_transfers

    def session_for(other):
        if get_community(other) is None:
            raise LookupError(other)
        return community_session(other)

    actor = SimpleNamespace(user_id=None, name="transfer-recover")
    communities = [_community_or_fail(slug)] if slug else all_communities()
    for community in communities:
        outcomes = recover_transfers(community_session(community.slug), community.slug, session_for, actor, roll_back)
        click.echo(f"{community.slug}: {len(outcomes)} pending transfer(s)")
        for transfer_id, state in outcomes:
            click.echo(f"  {transfer_id}: {state}")


@hall.command("retention-sweep")
@click.option("--community", "slug", default=None, help="Community slug (default: every community)")
@click.option("--dry-run", is_flag=True, help="Only count what would be anonymised")
def retention_sweep_cmd(slug, dry_run):
    """Anonymise personal details of finished records older than each community's retention periods, and finish
    account deletions cut short (those need every community, so only a sweep of the whole site does them)."""
    from .accounts.personal_data import finish_pending_deletions, pending_deletions
    from .accounts.retention import sweep
    from .tenancy import community_session

    communities = [_community_or_fail(slug)] if slug else all_communities()
    verb = "would anonymise" if dry_run else "anonymised"
    for community in communities:
        result = sweep(community_session(community.slug), dry_run=dry_run)
        counts = ", ".join(f"{kind} {count}" for kind, count in result.counts.items())
        click.echo(f"{community.slug}: {verb} {result.total} ({counts})")
    pending = pending_deletions()
    if pending and (slug or dry_run):
        click.echo(f"account deletions cut short: {len(pending)} (a sweep of the whole site finishes them)")
    elif pending:
        finished = finish_pending_deletions()
        click.echo(f"account deletions cut short, finished: {len(finished)} (users {', '.join(map(str, finished))})")

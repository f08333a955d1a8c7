"""`hall calendar import|show|check`: the yearly holiday arrangement, loaded by an operator each November."""

from __future__ import annotations

import os

import click
from flask.cli import AppGroup

from . import arrangements
from .tenancy import all_communities, get_community, registry_session

calendar = AppGroup("calendar", help="The national working-day calendar: official arrangements, provisional years.")

SOURCES = {"arrangement": "imported arrangement", "package": "chinese-calendar package",
           "law": "the law (provisional)", "week": "ordinary week", "local": "local override"}
WEEKDAYS = "Mon Tue Wed Thu Fri Sat Sun".split()


@calendar.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_cmd(file):
    """Load the official arrangement of one or more years from a CSV file (date,kind,name); a bad file changes
    nothing. Then every community moves the open deadlines the new days move, each with a note (see `apply`)."""
    with open(file, "rb") as f:
        data = f.read(arrangements.MAX_BYTES + 1)
    try:
        years = arrangements.parse(data)
    except arrangements.ArrangementRejected as err:
        for problem in err.problems:
            where = f"line {problem.line}: " if problem.line else ""
            click.echo(f"{where}{problem.message}", err=True)
        raise click.ClickException(str(err)) from None
    whole = arrangements.whole_years(years)
    arrangements.import_arrangement(registry_session(), years, os.path.basename(file))
    arrangements.forget()
    for year in sorted(years):
        days = years[year]
        what = "the whole arrangement" if year in whole else "single days (the rest of the year is kept)"
        click.echo(f"{year}: {sum(not w for w, _ in days.values())} days off, "
                   f"{sum(w for w, _ in days.values())} make-up working days imported, {what}")
    if not _apply_everywhere():
        raise SystemExit(1)


@calendar.command("apply")
def apply_cmd():
    """Move open deadlines in every community by the imports it has not applied yet (after a failure): silent when
    there is nothing to do, so cron can run it."""
    if not _apply_everywhere():
        raise SystemExit(1)


def _apply_everywhere() -> bool:
    """Apply pending imports community by community; a community that fails is reported and the others proceed."""
    from sqlalchemy import select

    from .routing.calendar_change import apply_imports
    from .tenancy import community_session

    imports = list(registry_session().scalars(select(arrangements.NationalImport).order_by(arrangements.NationalImport.id)))
    ok = True
    for community in all_communities():
        session = community_session(community.slug)
        try:
            moved = apply_imports(session, community, imports)
        except Exception as err:    # noqa: BLE001 - one community's failure must not stop the others
            session.rollback()
            ok = False
            first = (str(err).splitlines() or [""])[0]
            click.echo(f"{community.slug}: deadlines NOT moved ({type(err).__name__}: {first}); nothing changed there. "
                       f"Run `flask --app app hall calendar apply` when it answers again.", err=True)
            continue
        if moved.total:
            click.echo(f"{community.slug}: deadlines moved: {moved.tickets} ticket(s), {moved.inquiries} inquiry(ies), "
                       f"{moved.handovers} hand-over(s), {moved.followups} follow-up(s)")
    return ok


@calendar.command("show")
@click.argument("year", type=click.IntRange(2000, 2200))
@click.option("--community", "slug", default=None, help="Include this community's local overrides")
def show_cmd(year, slug):
    """List a year's days off and make-up working days, and where each comes from."""
    from .tenancy import community_session
    from .window.services import calendar_for
    from .workdays import WorkCalendar

    national = arrangements.national()
    if slug:
        community = get_community(slug)
        if community is None:
            raise click.ClickException(f"Unknown community: {slug}")
        cal = calendar_for(community_session(slug))
    else:
        cal = WorkCalendar(national=national)
    source = arrangements.year_source(national, year)
    click.echo(f"{year}: {SOURCES[source]}" + (
        " - no official arrangement is loaded; the statutory holidays and 工作日补假 are assumed, "
        "make-up working days are unknown" if source == "law" else ""))
    days = {d.day: d for d in arrangements.year_days(national, year)}
    days.update((d, cal.describe(d)) for d in cal.overrides if d.year == year)
    for d, day in sorted(days.items()):
        kind = "work" if day.workday else "off"
        click.echo(f"{d.isoformat()} {WEEKDAYS[d.weekday()]} {kind:4} {day.name or '-'}\t{SOURCES[day.source]}")


@calendar.command("check")
@click.option("--days", type=click.IntRange(1, 3660), default=arrangements.WARN_DAYS, show_default=True,
              help="How far ahead to look")
def check_cmd(days):
    """Exit 1 (and say how to fix it) when any of the next days rests on a year with no official arrangement;
    silent when all is well, so cron mails only a problem."""
    years = arrangements.provisional_ahead(arrangements.national(), days=days)
    if years:
        for year in years:
            click.echo(f"calendar: the official arrangement of {year} is not loaded; days off in {year} assume the "
                       f"statutory holidays only (no make-up working days). Load it: "
                       f"flask --app app hall calendar import FILE (see docs/calendar.md)", err=True)
        raise SystemExit(1)

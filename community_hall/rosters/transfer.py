"""Posts, shifts and leave as CSV: export, and import checked whole first (all or nothing), kind told by the header."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import uploads
from ..audit import record
from ..errors import HallError
from ..formatting import FORMULA_START, spreadsheet_cell
from ..tenancy import Community
from . import leave as leaves
from . import services
from .models import Leave, Post, Shift

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = {
    "posts": ("code", "name", "window", "a_holder", "b_holder"),
    "shifts": ("username", "date", "start", "end", "kind"),
    "leave": ("username", "from", "to", "kind"),
}
KINDS = tuple(COLUMNS)


class Problem(NamedTuple):
    """One fault of an imported file: row number (header = 1) and reason."""

    row: int
    message: str


class ImportRejected(HallError):
    """The file was refused whole; problems lists every fault by row (empty for a file-level fault)."""

    def __init__(self, message, problems: list[Problem] | None = None):
        super().__init__(message, "file")
        self.problems = list(problems or [])


class Parsed(NamedTuple):
    """A read file: its kind and its data rows as (row number, {column: text})."""

    kind: str
    rows: list[tuple[int, dict]]


# --- export --------------------------------------------------------------------------------------------------------
def export_rows(session: Session, community: Community, what: str) -> list[list[str]]:
    """The rows of posts, published shifts or approved leave, in the documented columns (people by username)."""
    usernames = {p.user_id: p.username for p in services.staff_of(session, community)}

    def user(uid):
        return usernames.get(uid, "") if uid is not None else ""

    if what == "posts":
        return [[p.code, p.name, p.window, user(p.a_holder_id), user(p.b_holder_id)]
                for p in services.all_posts(session)]
    if what == "shifts":
        return [[user(s.user_id), s.day.isoformat(), s.start, s.end, s.kind] for s in session.scalars(
            select(Shift).where(Shift.published.is_(True)).order_by(Shift.day, Shift.start, Shift.user_id))]
    if what == "leave":
        return [[user(v.user_id), v.first_day.isoformat(), v.last_day.isoformat(), v.kind] for v in session.scalars(
            select(Leave).where(Leave.status == "approved").order_by(Leave.first_day, Leave.user_id))]
    raise ValueError(what)


_cell = spreadsheet_cell


def write_csv(what: str, rows: list[list[str]]) -> bytes:
    """The rows as CSV in UTF-8 with a BOM (so Excel shows Chinese), header row first."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS[what])
    for row in rows:
        writer.writerow([_cell(str(value)) for value in row])
    return out.getvalue().encode("utf-8-sig")


# --- reading -------------------------------------------------------------------------------------------------------
def read_csv(data: bytes) -> Parsed:
    """The kind (from the header row) and data rows of a CSV file; ImportRejected when it cannot be read, is over a
    bound of community_hall/uploads.py (checked before parsing), or has a row of another shape than its header."""
    if len(data) > MAX_BYTES:
        raise ImportRejected(_l("The file is larger than 2 MB. Split it into smaller files."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(_l("The file is not UTF-8 text. Save it as CSV UTF-8 and try again.")) from None
    try:
        return _parse(uploads.csv_records(text))
    except uploads.Refused as err:
        raise ImportRejected(err.message) from err
    except csv.Error:
        raise ImportRejected(_l("The file could not be read as CSV.")) from None


def _parse(records) -> Parsed:
    kind, columns, width, rows, problems = None, [], 0, [], []
    for number, cells in enumerate(records, start=1):
        cells = [c[1:] if c[:1] == "'" and c[1:2] in FORMULA_START else c for c in cells]
        if not any(c.strip() for c in cells):
            continue
        if kind is None:
            width = len(cells)
            columns = [c.strip().lower() for c in cells]
            while columns and not columns[-1]:
                columns.pop()
            kind = next((k for k, cols in COLUMNS.items() if sorted(cols) == sorted(columns)), None)
            if kind is None:
                raise ImportRejected(_l("The first row must name the columns of posts (%(posts)s), shifts (%(shifts)s) "
                                        "or leave (%(leave)s).", **{k: ",".join(v) for k, v in COLUMNS.items()}),
                                     [Problem(number, ",".join(cells))])
            continue
        # An unquoted comma shifts the values after it into the next columns: a row must be of its header's shape.
        if len(cells) != width:
            problems.append(Problem(number, _l("This row has %(got)s cells, the header %(want)s: a value with a comma "
                                               "must be in double quotes (\"a,b\").", got=len(cells), want=width)))
        elif any(c.strip() for c in cells[len(columns):]):
            problems.append(Problem(number, _l("This row has a value in column %(n)s, which has no heading.",
                                               n=len(columns) + 1)))
        rows.append((number, {col: (cells[i].strip() if i < len(cells) else "") for i, col in enumerate(columns)}))
        if len(rows) > MAX_ROWS:
            raise ImportRejected(_l("The file has more than %(n)s rows. Split it into smaller files.", n=MAX_ROWS))
    if kind is None:
        raise ImportRejected(_l("The file is empty."))
    if problems:
        raise ImportRejected(_l("Nothing was imported. Rows with problems: %(bad)s of %(total)s. Correct them and "
                                "import the file again.", bad=len(problems), total=len(rows)), problems)
    if not rows:
        raise ImportRejected(_l("The file has a header but no rows."))
    return Parsed(kind, rows)


# --- importing -----------------------------------------------------------------------------------------------------
def import_file(session: Session, community: Community, parsed: Parsed, actor_id: int | None = None) -> int:
    """Store every row of a read file, or none: ImportRejected lists every row's problems. Commits; returns the rows."""
    people = {p.username: p for p in services.staff_of(session, community)}
    importer = {"posts": _import_post, "leave": _import_leave}.get(parsed.kind)
    problems: list[Problem] = []
    try:
        if importer is None:  # shifts come in thousands: checked in memory and added at once
            problems = _import_shifts(session, community, people, parsed.rows, actor_id)
        for number, row in parsed.rows if importer else ():
            found = importer(session, community, people, row, actor_id)
            problems.extend(Problem(number, str(message)) for message in found)
        if problems:
            problems.sort(key=lambda p: p.row)
            raise ImportRejected(_l("Nothing was imported. Rows with problems: %(bad)s of %(total)s. Correct them and "
                                    "import the file again.", bad=len({p.row for p in problems}),
                                    total=len(parsed.rows)), problems)
        record(session, actor_id, "rosters.import", f"{parsed.kind}: {len(parsed.rows)} rows")
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(parsed.rows)


def _person(people: dict, username: str, problems: list, required: bool = True):
    if not username:
        if required:
            problems.append(_l("The username is missing."))
        return None
    person = people.get(username.lower()) or people.get(username)
    if person is None:
        problems.append(_l("%(username)s is not a member of this station's staff.", username=username))
    return person


def _attempt(problems: list, func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except HallError as err:
        problems.append(err.message)
        return None


def _import_post(session, community, people, row, actor_id) -> list:
    problems: list = []
    code = row["code"].upper()
    a = _person(people, row["a_holder"], problems, required=False)
    b = _person(people, row["b_holder"], problems, required=False)
    if problems:
        return problems
    post = session.scalar(select(Post).where(Post.code == code)) if code else None
    if post is None:
        post = _attempt(problems, services.create_post, session, code, row["name"], row["window"])
        if post is None:
            return problems
        record(session, actor_id, services.POST_ACTION + ".created", f"{post.code} {post.name}")
    _attempt(problems, services.update_post, session, community, post, actor_id, row["name"], row["window"],
             a.user_id if a else None, b.user_id if b else None, list(people.values()))
    return problems


def _import_shifts(session: Session, community: Community, people: dict, rows: list, actor_id) -> list[Problem]:
    """Check every shift row (overlaps against stored shifts and earlier rows, in memory), then add them all."""
    problems: list[Problem] = []
    checked: list[tuple[int, services.ShiftData]] = []
    for number, row in rows:
        found: list = []
        person = _person(people, row["username"], found)
        day = _attempt(found, services.parse_day, row["date"], "day")
        start = _attempt(found, services.parse_clock, row["start"], "start")
        end = _attempt(found, services.parse_clock, row["end"], "end")
        kind = (row["kind"] or "regular").lower()
        if kind not in services.SHIFT_KINDS:
            found.append(_l("Unknown kind of shift: %(kind)s (use %(kinds)s).", kind=row["kind"],
                            kinds=", ".join(services.SHIFT_KINDS)))
        if start and end and start >= end:
            found.append(_l("The shift must start before it ends."))
        problems.extend(Problem(number, str(message)) for message in found)
        if not found:
            checked.append((number, services.ShiftData(person.user_id, day, start, end, kind)))
    taken: dict[tuple, list[tuple[str, str]]] = defaultdict(list)
    if checked:
        days = [data.day for _number, data in checked]
        for shift in session.scalars(select(Shift).where(Shift.day >= min(days), Shift.day <= max(days))):
            taken[(shift.user_id, shift.day)].append((shift.start, shift.end))
    names = {p.user_id: p.name for p in people.values()}
    for number, data in checked:
        busy = taken[(data.user_id, data.day)]
        clash = next(((a, b) for a, b in busy if a < data.end and b > data.start), None)
        if clash is not None:
            problems.append(Problem(number, str(_l("%(name)s already has a shift on %(day)s from %(start)s to %(end)s.",
                                                   name=names.get(data.user_id, ""), day=data.day.isoformat(),
                                                   start=clash[0], end=clash[1]))))
        busy.append((data.start, data.end))
    if not problems:
        session.add_all([Shift(user_id=d.user_id, day=d.day, start=d.start, end=d.end, kind=d.kind, published=True)
                         for _number, d in checked])
        session.flush()
    return problems


def _import_leave(session, community, people, row, actor_id) -> list:
    problems: list = []
    person = _person(people, row["username"], problems)
    _attempt(problems, services.parse_day, row["from"], "first_day")
    _attempt(problems, services.parse_day, row["to"], "last_day")
    kind = (row["kind"] or "personal").lower()
    if kind not in leaves.LEAVE_KINDS:
        problems.append(_l("Unknown kind of leave: %(kind)s (use %(kinds)s).", kind=row["kind"],
                           kinds=", ".join(leaves.LEAVE_KINDS)))
    if problems:
        return problems
    _attempt(problems, leaves.add_approved_leave, session, community, actor_id, person.user_id, row["from"], row["to"],
             kind, "", list(people.values()))
    return problems

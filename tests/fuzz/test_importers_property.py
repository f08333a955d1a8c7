"""Property: any file given to the menu or roster importer (random CSV shapes, ragged rows, unquoted commas, huge
cells, workbooks blown up by parameters) either imports exactly what it says or is refused with the tables unchanged."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from community_hall import uploads
from community_hall.menu import transfer
from community_hall.menu.models import Category, Material, ServiceItem
from community_hall.rosters import transfer as roster_transfer
from community_hall.rosters.models import Post
from community_hall.tenancy import community_session, get_community
from tests.menu.conftest import menu  # noqa: F401 - comm-a with a menu
from tests.xlsx_by_hand import xlsx

SETTINGS = settings(max_examples=80, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])
CODES = ["SB-001", "ZJ-001", "NEW-001", "NEW-002", "bad code", ""]
TEXT = st.one_of(st.text(alphabet=st.sampled_from('ab甲乙 ,"\n\r\'=|'), max_size=12),
                 st.sampled_from(["x" * 200_000, "长" * 150, "a,b", '"', "\x00"]))
NAMES = st.sampled_from(["事项甲", "事项 乙", "Item, with comma", 'say "hi"', "多行\n事项"])
MENU_HEADER = ["code", "name", "category", "keywords"]


def _around(limit: int) -> st.SearchStrategy[int]:
    """A count far below, just below, just above and far above a bound."""
    return st.sampled_from([0, limit // 10, limit, limit + 1, 3 * limit])


def _dump(app, *models) -> list:
    """Every row of the tables, as tuples: what a refused import must leave exactly as it was."""
    with app.app_context():
        session = community_session("comm-a")
        out = []
        for model in models:
            columns = model.__table__.columns
            out.append(sorted(tuple(getattr(r, c.key) for c in columns) for r in session.scalars(select(model))))
        session.rollback()
        return out


@st.composite
def menu_files(draw):
    """(filename, bytes, intended rows): rows of random shape, written quoted (csv), naively joined, or as XLSX,
    possibly blown up."""
    rows = []
    for i in range(draw(st.integers(0, 5))):
        if draw(st.integers(0, 9)) < 7:     # mostly rows that can be imported, so both outcomes are reached
            row = [["SB-001", "NEW-001", "new-002", "NEW-003", "NEW-004"][i], draw(NAMES), "社会保障", draw(NAMES)]
        else:
            row = [draw(st.sampled_from(CODES)), draw(TEXT), draw(st.sampled_from(["社会保障", "新分类", ""])),
                   draw(TEXT)]
        shape = draw(st.sampled_from(["same"] * 6 + ["more", "fewer"]))
        row = row + [draw(TEXT)] if shape == "more" else row[:-1] if shape == "fewer" else row
        rows.append(row)
    kind = draw(st.sampled_from(["quoted", "joined", "xlsx", "bomb", "bomb"]))
    if kind == "quoted":
        out = io.StringIO(newline="")
        csv.writer(out).writerows([MENU_HEADER, *rows])
        return "menu.csv", out.getvalue().encode(), rows
    if kind == "joined":     # what a hand-edited file looks like: commas and quotes inside values unescaped
        text = "\n".join(",".join(r) for r in [MENU_HEADER, *rows])
        return "menu.csv", text.encode(), rows
    clean = [[c.replace("\x00", "") for c in r] for r in rows]
    if kind == "xlsx":
        return "menu.xlsx", xlsx([MENU_HEADER, *clean]), clean
    params = draw(st.sampled_from([
        {"shared_strings": draw(_around(uploads.MAX_SHARED_STRINGS))},
        {"empty_rows": draw(_around(uploads.MAX_LINES))},
        {"last_row": draw(st.sampled_from([10, uploads.MAX_LINES, uploads.MAX_LINES + 1, 1_048_576]))},
        {"far_column": draw(st.sampled_from([10, uploads.MAX_COLUMNS, uploads.MAX_COLUMNS + 1, 16_384]))},
        {"extra_members": draw(_around(uploads.ZIP_MAX_MEMBERS - 6))},
        {"padding_bytes": draw(st.sampled_from([0, 2**20, uploads.ZIP_MAX_MEMBER_BYTES + 1]))},
        {"doctype": True},
    ]))
    return "menu.xlsx", xlsx([MENU_HEADER, *clean], **params), clean


def _as_read(filename: str, data: bytes) -> list[list[str]] | None:
    """The rows the file really holds (None for a workbook: its rows are the intended ones)."""
    if filename.endswith(".xlsx"):
        return None
    text = data.decode("utf-8")
    try:
        return [r for r in csv.reader(io.StringIO(text, newline=""))][1:]
    except csv.Error:
        return None


@given(menu_files())
@SETTINGS
def test_a_menu_file_imports_what_it_says_or_changes_nothing(app, menu, file):  # noqa: F811
    filename, data, intended = file
    tables = (ServiceItem, Material, Category)
    before = _dump(app, *tables)
    try:
        with app.app_context():
            report = transfer.import_items(community_session("comm-a"), transfer.read_rows(filename, data))
    except transfer.ImportRejected as err:
        event(f"refused ({getattr(err.__cause__, 'bound', None) or 'content'})")
        assert _dump(app, *tables) == before
        return
    event("imported")
    # Accepted: the file held exactly the intended rows, each of the header's shape, and the menu shows them.
    held = _as_read(filename, data)
    rows = [r for r in (intended if held is None else held) if any(c.strip() for c in r)]
    if held is not None:
        assert [r for r in held if any(c.strip() for c in r)] == [r for r in intended if any(c.strip() for c in r)]
    assert all(len(r) == len(MENU_HEADER) for r in rows) or filename.endswith(".xlsx")
    assert report.created + report.updated + report.unchanged == len(rows)
    with app.app_context():
        items = {i["code"]: i for i in transfer.export_rows(community_session("comm-a"))}
    for code, name, category, _keywords in (r[:4] for r in rows):
        item = items[code.strip().upper()]
        assert (item["name"], item["category"]) == (name.strip(), category.strip())


@st.composite
def post_files(draw):
    """A posts CSV: rows of random shape, quoted or naively joined."""
    rows = []
    for i in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 9)) < 7:
            row = [["SB", "SW", "ZZ", "QQ"][i], draw(st.sampled_from(["社会保障岗", "综合岗"])),
                   draw(st.sampled_from(["2号窗口", "", "3号窗口"])), draw(st.sampled_from(["staff-a", ""])), ""]
        else:
            row = [draw(st.sampled_from(["SB", "SW", "ZZ", ""])), draw(TEXT), draw(TEXT),
                   draw(st.sampled_from(["staff-a", "", "nobody"])), draw(st.sampled_from(["staff-a", ""]))]
        shape = draw(st.sampled_from(["same"] * 6 + ["more", "fewer"]))
        rows.append(row + ["x"] if shape == "more" else row[:-1] if shape == "fewer" else row)
    header = ["code", "name", "window", "a_holder", "b_holder"]
    if draw(st.booleans()):
        out = io.StringIO(newline="")
        csv.writer(out).writerows([header, *rows])
        return out.getvalue().encode(), rows
    return "\n".join(",".join(r) for r in [header, *rows]).encode(), rows


@given(post_files())
@SETTINGS
def test_a_posts_file_imports_what_it_says_or_changes_nothing(app, menu, file):  # noqa: F811
    data, intended = file
    before = _dump(app, Post)
    try:
        with app.app_context():
            roster_transfer.import_file(community_session("comm-a"), get_community("comm-a"),
                                        roster_transfer.read_csv(data))
    except roster_transfer.ImportRejected:
        event("refused")
        assert _dump(app, Post) == before
        return
    event("imported")
    held = [r for r in csv.reader(io.StringIO(data.decode(), newline=""))][1:]
    rows = [r for r in held if any(c.strip() for c in r)]
    assert all(len(r) == 5 for r in rows)
    assert rows == [r for r in intended if any(c.strip() for c in r)]
    with app.app_context():
        posts = {p.code: p for p in community_session("comm-a").scalars(select(Post))}
        last = {r[0].strip().upper(): r for r in rows}     # rows are applied in order: a repeated code's last wins
        for code, (_code, name, window, *_holders) in last.items():
            assert (posts[code].name, posts[code].window) == (name.strip(), window.strip())

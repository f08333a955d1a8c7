"""CSV import and export of posts, shifts and leave: round trip, a bad file rejected whole with row numbers, the CLI."""

from __future__ import annotations

import io

import pytest

from community_hall.rosters import transfer
from community_hall.rosters.models import Leave, Post, Shift
from community_hall.tenancy import community_session, get_community
from tests.rosters.conftest import rows, tomorrow


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    """Import and export run on both backends."""
    return request.param


POSTS = "code,name,window,a_holder,b_holder\nSB,社会保障岗,2号窗口,staff-a,staff-a2\nSW,社会事务岗,3号窗口,staff-a2,\n"


def _shifts(app):
    d1, d2 = tomorrow(app, 3), tomorrow(app, 4)
    return (f"username,date,start,end,kind\nstaff-a,{d1},08:30,17:30,regular\nstaff-a2,{d1},10:00,19:00,late\n"
            f"staff-a,{d2},9:00,12:00,weekend\n")


def _leave(app):
    return f"username,from,to,kind\nstaff-a,{tomorrow(app, 10)},{tomorrow(app, 12)},annual\n"


def _import(app, text: str, slug: str = "comm-a", bom: bool = False) -> int:
    with app.app_context():
        data = (("\ufeff" if bom else "") + text).encode()
        return transfer.import_file(community_session(slug), get_community(slug), transfer.read_csv(data))


def _export(app, what: str, slug: str = "comm-a") -> bytes:
    with app.app_context():
        community = get_community(slug)
        return transfer.write_csv(what, transfer.export_rows(community_session(slug), community, what))


def test_round_trip_into_another_community_gives_the_same_rows(app, build, roster):
    assert _import(app, POSTS, bom=True) == 2
    assert _import(app, _shifts(app)) == 3
    assert _import(app, _leave(app)) == 1
    assert {r["code"]: r["a_holder_id"] is not None for r in rows(app, Post)} == {"SB": True, "SW": True}
    assert [r["status"] for r in rows(app, Leave)] == ["approved"]  # imported leave is approved
    assert all(r["published"] for r in rows(app, Shift))
    for username in ("staff-a", "staff-a2"):  # the same people work for comm-b too
        build.grant(username, "comm-b", "staff")
    for what in ("posts", "shifts", "leave"):
        exported = _export(app, what)
        assert exported.startswith("\ufeff".encode()) and exported.decode("utf-8-sig").startswith(
            ",".join(transfer.COLUMNS[what]))
        with app.app_context():
            count = transfer.import_file(community_session("comm-b"), get_community("comm-b"), transfer.read_csv(exported))
        assert count == len(exported.decode("utf-8-sig").strip().splitlines()) - 1
        assert _export(app, what, "comm-b") == exported
    assert "09:00" in _export(app, "shifts").decode("utf-8-sig")  # 9:00 stored as HH:MM


def test_a_bad_file_is_rejected_whole_with_every_row_and_reason(app, roster):
    d = tomorrow(app, 3)
    bad = (f"username,date,start,end,kind\nstaff-a,{d},08:30,17:30,regular\n"   # row 2 fine
           f"nobody,{d},08:30,17:30,regular\n"                                  # row 3 unknown person
           f"staff-a2,{d},17:30,08:30,regular\n"                                # row 4 end before start
           f"\n"
           f"staff-a,{d},12:00,13:00,regular\n"                                 # row 6 overlaps row 2
           f"res-a,2026-02-30,8h,17:30,night\n")                                # row 7 several faults
    with pytest.raises(transfer.ImportRejected) as caught:
        _import(app, bad)
    problems = caught.value.problems
    assert sorted({p.row for p in problems}) == [3, 4, 6, 7] and [p.row for p in problems] == sorted(p.row for p in problems)
    assert len([p for p in problems if p.row == 7]) >= 3
    assert "nobody" in next(p.message for p in problems if p.row == 3)
    assert not rows(app, Shift)  # not even row 2
    with pytest.raises(transfer.ImportRejected) as caught:
        _import(app, "code,name,window,a_holder,b_holder\nSB,新名字,,staff-a,staff-a\nZZ,,,,\n")
    assert sorted({p.row for p in caught.value.problems}) == [2, 3]
    assert [(r["code"], r["name"], r["a_holder_id"]) for r in rows(app, Post)] == [("SB", "社会保障岗", None)]
    with pytest.raises(transfer.ImportRejected):
        _import(app, f"username,from,to,kind\nstaff-a,{tomorrow(app, 5)},{tomorrow(app, 4)},annual\n"
                     f"staff-a,{tomorrow(app, 8)},{tomorrow(app, 9)},annual\n"
                     f"staff-a,{tomorrow(app, 9)},{tomorrow(app, 9)},sick\n")
    assert not rows(app, Leave)
    for text in ("", "name,code\nx,y\n", "username,date,start,end,kind\n"):
        with pytest.raises(transfer.ImportRejected):
            _import(app, text)
    with pytest.raises(transfer.ImportRejected):
        with app.app_context():
            transfer.read_csv("username,from,to,kind\n张三".encode("gb18030"))


def test_the_head_imports_and_downloads_in_the_ui(app, client, auth, roster):
    auth.login("head-a")
    page = client.get("/c/comm-a/rosters/import").get_data(as_text=True)
    assert "username,date,start,end,kind" in page and "/c/comm-a/rosters/export/posts.csv" in page
    bad = f"username,from,to,kind\nstaff-a,{tomorrow(app, 5)},{tomorrow(app, 4)},annual\n"
    response = auth.post("/c/comm-a/rosters/import", {"file": (io.BytesIO(bad.encode()), "leave.csv")},
                         content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="import-problems"' in html and "<td>2</td>" in html
    assert not rows(app, Leave)
    response = auth.post("/c/comm-a/rosters/import", {"file": (io.BytesIO(POSTS.encode("utf-8-sig")), "posts.csv")},
                         content_type="multipart/form-data")
    assert response.status_code == 303 and response.headers["Location"].endswith("/c/comm-a/rosters/posts")
    assert "社会事务岗" in client.get("/c/comm-a/rosters/posts").get_data(as_text=True)
    download = client.get("/c/comm-a/rosters/export/posts.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "SW,社会事务岗,3号窗口,staff-a2," in download.data.decode("utf-8-sig")
    assert client.get("/c/comm-a/rosters/export/people.csv").status_code == 404
    auth.logout()
    auth.login("staff-a")
    assert client.get("/c/comm-a/rosters/export/posts.csv").status_code == 403
    assert auth.post("/c/comm-a/rosters/import", {"file": (io.BytesIO(POSTS.encode()), "p.csv")},
                     content_type="multipart/form-data").status_code == 403


def test_the_cli_detects_the_kind_imports_and_exports(app, runner, roster, tmp_path):
    good = tmp_path / "shifts.csv"
    good.write_text(_shifts(app), encoding="utf-8")
    result = runner.invoke(args=["hall", "import-roster", "--community", "comm-a", str(good)])
    assert result.exit_code == 0 and "3 shifts" in result.output, result.output
    assert len(rows(app, Shift)) == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,window,a_holder,b_holder\nSB,社会保障岗,,ghost,\n", encoding="utf-8-sig")
    result = runner.invoke(args=["hall", "import-roster", "--community", "comm-a", str(bad)])
    assert result.exit_code != 0 and "row 2" in result.output and "ghost" in result.output
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["hall", "export-roster", "--community", "comm-a", "--what", "shifts", str(out)])
    assert result.exit_code == 0 and "3 shifts" in result.output
    assert out.read_bytes().decode("utf-8-sig").splitlines()[0] == "username,date,start,end,kind"
    result = runner.invoke(args=["hall", "export-roster", "--community", "nowhere", "--what", "posts", str(out)])
    assert result.exit_code != 0


# --- rows of another shape than the header, and the bounds of a file ------------------------------------------------
def test_a_leave_row_with_more_cells_than_the_header_is_refused_whole(app, roster):
    d1, d2 = tomorrow(app, 10), tomorrow(app, 20)
    text = f"username,from,to,kind\nstaff-a,{d1},{d1},annual\nstaff-a,{d2},{d2},annual,extra\n"
    with pytest.raises(transfer.ImportRejected) as caught:
        _import(app, text)
    assert [p.row for p in caught.value.problems] == [3]
    assert not rows(app, Leave)


@pytest.mark.parametrize("line", ["SW,社会事务岗,3号窗口,staff-a2", "SW,社会事务岗,3号窗口,staff-a2,,staff-a"])
def test_a_posts_row_of_another_shape_changes_no_post(app, roster, line):
    before = rows(app, Post)
    with pytest.raises(transfer.ImportRejected) as caught:
        _import(app, f"code,name,window,a_holder,b_holder\nSB,社会保障岗,2号窗口,staff-a,\n{line}\n")
    assert [p.row for p in caught.value.problems] == [3]
    assert rows(app, Post) == before


@pytest.mark.parametrize("text, bound", [
    ("username,from,to,kind\n" + "\n" * 1_000_000, "lines"),
    ("username,from,to,kind\n" + "," * 1_000_000 + "\n", "cells"),
    ("username,from,to,kind\n" + ",".join(["x"] * 100) + "\n", "columns"),
])
def test_a_file_over_a_bound_is_refused_before_parsing(app, roster, text, bound):
    from community_hall import uploads

    with pytest.raises(transfer.ImportRejected) as caught:
        _import(app, text)
    assert isinstance(caught.value.__cause__, uploads.Refused) and caught.value.__cause__.bound == bound
    assert not rows(app, Leave)


def test_a_value_under_no_heading_is_refused(app, roster):
    day = tomorrow(app, 10)
    with pytest.raises(transfer.ImportRejected) as caught:
        _import(app, f"username,from,to,kind,\nstaff-a,{day},{day},annual,dropped?\n")
    assert [p.row for p in caught.value.problems] == [2]

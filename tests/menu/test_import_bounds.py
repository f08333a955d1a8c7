"""Menu import: a row of another shape than its header is refused whole; hostile files (zip bombs, millions of shared
strings or empty rows, huge lines) are refused by the bound checks before any parser reads them, changing nothing."""

from __future__ import annotations

import tracemalloc

import pytest

from community_hall import uploads
from community_hall.menu import transfer
from community_hall.tenancy import community_session
from tests.helpers import site_token
from tests.menu.conftest import menu  # noqa: F401 - comm-a with a menu
from tests.xlsx_by_hand import xlsx

HEADER = ["code", "name", "category", "keywords", "materials"]
GOOD = [HEADER, ["SB-001", "最低生活保障申请", "社会保障", "低保", "身份证 | 原件"]]


def _menu(app) -> list[dict]:
    with app.app_context():
        return transfer.export_rows(community_session("comm-a"))


def _import(app, filename, data):
    with app.app_context():
        return transfer.import_items(community_session("comm-a"), transfer.read_rows(filename, data))


def _refused(app, filename, data) -> transfer.ImportRejected:
    before = _menu(app)
    with pytest.raises(transfer.ImportRejected) as caught:
        _import(app, filename, data)
    assert _menu(app) == before
    return caught.value


def _bound(err) -> str | None:
    """Which bound check refused the file (None: refused for another reason)."""
    cause = err.__cause__
    return cause.bound if isinstance(cause, uploads.Refused) else None


# --- rows of another shape than their header ------------------------------------------------------------------------
def test_an_unquoted_comma_shifting_cells_into_materials_is_refused_whole(app, menu):  # noqa: F811
    data = ("code,name,category,keywords,materials\n"
            "XX-001,新事项,社会保障,a,b,c\n"       # an unquoted comma in 关键词: c would land in no column
            "SB-001,最低生活保障申请,社会保障,低保,救助,身份证 | 原件\n").encode()
    err = _refused(app, "menu.csv", data)
    assert [p.row for p in err.problems] == [2, 3]
    with app.test_request_context("/?lang=en"), pytest.raises(transfer.ImportRejected) as english:
        transfer.read_rows("menu.csv", data)
    assert "6 cells, the header 5" in english.value.problems[0].message
    with app.app_context():
        item = next(i for i in _menu(app) if i["code"] == "SB-001")
    assert "救助" not in item["materials"]


def test_a_row_with_fewer_cells_than_the_header_is_refused(app, menu):  # noqa: F811
    err = _refused(app, "menu.csv", "code,name,category,keywords\nXX-001,新事项,社会保障\n".encode())
    assert [p.row for p in err.problems] == [2]


def test_blank_lines_and_well_shaped_empty_rows_are_still_skipped(app, menu):  # noqa: F811
    report = _import(app, "menu.csv", "code,name,category\n\n,,\nXX-001,新事项,社会保障\n".encode())
    assert report.created == 1


def test_an_xlsx_value_under_no_heading_is_refused(app, menu):  # noqa: F811
    data = xlsx([["code", "name", "", "category"], ["XX-001", "新事项", "多出的值", "社会保障"]])
    err = _refused(app, "menu.xlsx", data)
    assert [p.row for p in err.problems] == [2]
    data = xlsx([["code", "name", "category"], ["XX-001", "新事项", "社会保障", "多出的值"]])
    assert [p.row for p in _refused(app, "menu.xlsx", data).problems] == [2]


# --- bounds, checked before parsing ---------------------------------------------------------------------------------
def _peak_mb(func) -> float:
    tracemalloc.start()
    try:
        func()
    except transfer.ImportRejected:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 2**20


def test_two_million_shared_strings_are_refused_before_parsing(app, menu):  # noqa: F811
    data = xlsx(GOOD, shared_strings=2_000_000)
    assert len(data) < 100_000     # the attacker's 84 KB file
    assert _bound(_refused(app, "menu.xlsx", data)) == "shared_strings"
    assert _peak_mb(lambda: _import(app, "menu.xlsx", data)) < 20


@pytest.mark.parametrize("params, bound", [
    ({"empty_rows": 1_000_000}, "lines"),
    ({"last_row": 1_048_576}, "lines"),
    ({"far_column": 16_384}, "columns"),
    ({"extra_members": 300}, "members"),
    ({"padding_bytes": 200 * 2**20}, "member_bytes"),
    ({"doctype": True, "last_row": 5}, "doctype"),
])
def test_hostile_workbooks_are_refused_by_their_bound(app, menu, params, bound):  # noqa: F811
    data = xlsx(GOOD, **params)
    assert _bound(_refused(app, "menu.xlsx", data)) == bound


def test_many_cells_of_an_ordinary_shape_are_refused(app, menu):  # noqa: F811
    rows = [HEADER] + [[f"XX-{i:03d}", "x", "y", "", ""] for i in range(1, 1000)] * 50
    assert _bound(_refused(app, "menu.xlsx", xlsx(rows))) in ("cells", "lines")


def test_a_csv_of_millions_of_empty_lines_is_refused_before_parsing(app, menu):  # noqa: F811
    data = b"code,name,category\n" + b"\n" * 4_000_000 + "XX-001,新事项,社会保障\n".encode()
    assert _bound(_refused(app, "menu.csv", data)) == "lines"
    assert _peak_mb(lambda: _import(app, "menu.csv", data)) < 40


def test_a_csv_line_of_millions_of_cells_is_refused_before_parsing(app, menu):  # noqa: F811
    data = b"code,name,category\n" + b"," * 4_000_000 + b"\n"
    assert _bound(_refused(app, "menu.csv", data)) == "cells"


def test_an_upload_refused_by_a_bound_answers_422_with_its_message(app, client, auth, menu):  # noqa: F811
    before = _menu(app)
    auth.login("head-a")
    token = site_token(client, "/c/comm-a/menu/import")
    response = client.post("/c/comm-a/menu/import?lang=en", data={
        "csrf_token": token, "file": (__import__("io").BytesIO(xlsx(GOOD, shared_strings=2_000_000)), "menu.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 422 and "shared texts" in response.get_data(as_text=True)
    assert _menu(app) == before

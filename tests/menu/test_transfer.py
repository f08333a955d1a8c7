"""Menu import and export: CSV and XLSX round trips, Chinese headings and GBK, all-or-nothing imports, pages, CLI."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from community_hall.audit import AuditEvent
from community_hall.menu import services, transfer
from community_hall.menu.models import Category, ServiceItem
from community_hall.menu.transfer_views import XLSX_TYPE
from community_hall.rosters.services import create_post
from community_hall.tenancy import community_session

ITEMS = [
    {"code": "SB-001", "name": "最低生活保障申请", "category": "社会保障", "description": "家庭人均收入低于低保标准的居民",
     "qualifications": "本社区户籍", "materials": "身份证 | 原件和复印件 | 本人及家庭成员\n户口本 | 复印件",
     "steps": "- 提交申请\n- 入户调查\n- 公示", "time_limit": "20", "time_unit": "workdays", "post": "SB",
     "channels": "window,online", "fee_kind": "free", "duty_list": "assisted_government", "keywords": "低保,救助"},
    {"code": "ZZ-002", "name": "=居住证办理", "category": "证照办理", "time_limit": "4", "time_unit": "hours",
     "channels": "appointment", "fee_kind": "low_cost", "fee_note": "工本费 10 元", "provider": "partner",
     "provider_name": "+某机构", "published": "no"},
    {"code": "JJ-003", "name": "助浴服务", "category": "居家服务", "channels": "home_visit,proxy", "fee_kind": "paid",
     "provider": "volunteers", "materials": "老年证 | 原件 | 65 岁以上; 申请表 | 原件"},
]


def _add(app, slug, raw):
    with app.app_context():
        session = community_session(slug)
        services.create_item(session, services.clean_item(raw))
        session.commit()


def _post(app, slug, code="SB", name="社会保障岗"):
    with app.app_context():
        session = community_session(slug)
        create_post(session, code, name)
        session.commit()


def _count(app, slug, model=ServiceItem):
    with app.app_context():
        return community_session(slug).scalar(select(func.count()).select_from(model))


def _export(app, slug):
    with app.app_context():
        return transfer.export_rows(community_session(slug))


def _import(app, slug, filename, data):
    with app.app_context():
        return transfer.import_items(community_session(slug), transfer.read_rows(filename, data))


def _item(app, slug, code):
    with app.app_context():
        item = services.item_by_code(community_session(slug), code)
        return services.item_to_row(item) if item else None


def _csv(header, rows, encoding="utf-8-sig") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _xlsx(header, rows) -> bytes:
    wb = Workbook()
    wb.active.append(header)
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def two_menus(app, build):
    """Community yangliu with a head, staff, a resident, post SB and three items; empty community qinghe with post SB."""
    build.community("yangliu", "杨柳社区")
    build.community("qinghe", "清河社区")
    build.user("head", "yangliu", "head")
    build.user("staff", "yangliu", "staff")
    build.user("resident", "yangliu", "resident")
    for slug in ("yangliu", "qinghe"):
        _post(app, slug)
    for raw in ITEMS:
        _add(app, "yangliu", raw)


# --- files ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("filename, write", [("menu.csv", transfer.write_csv), ("menu.xlsx", transfer.write_xlsx)])
def test_round_trip_gives_identical_rows(app, two_menus, filename, write):
    rows = _export(app, "yangliu")
    assert [r["code"] for r in rows] == ["ZZ-002", "SB-001", "JJ-003"]  # category order, unpublished included
    data = write(rows)
    report = _import(app, "qinghe", filename, data)
    assert (report.created, report.updated) == (3, 0)
    assert _export(app, "qinghe") == rows
    # The same file again changes nothing.
    report = _import(app, "yangliu", filename, data)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert _export(app, "yangliu") == rows


def test_csv_has_a_bom_and_formula_cells_are_quoted(app, two_menus):
    data = transfer.write_csv(_export(app, "yangliu"))
    assert data.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(records[0]) == services.COLUMNS
    zz = next(r for r in records if r[0] == "ZZ-002")
    assert zz[1] == "'=居住证办理"  # Excel must not run it as a formula; the import removes the quote
    assert transfer.read_rows("m.csv", data)[0]["name"] == "=居住证办理"


def test_xlsx_has_a_bold_header_and_text_cells(app, two_menus):
    wb = load_workbook(io.BytesIO(transfer.write_xlsx(_export(app, "yangliu"))))
    ws = wb.worksheets[0]
    assert ws.title == transfer.SHEET_TITLE
    assert tuple(c.value for c in ws[1]) == services.COLUMNS
    assert all(c.font.bold for c in ws[1])
    assert ws["B2"].value == "=居住证办理" and ws["B2"].data_type == "s"


def test_chinese_headings_and_values_are_accepted(app, two_menus):
    header = ["编码", "事项名称", "分类", "所需材料", "承诺时限", "时限单位", "责任岗位", "办理渠道", "收费", "收费说明",
              "清单类别", "提供方", "提供方名称", "关键词", "是否公开", "排序"]
    row = ["mz-010", "高龄津贴申领", "福利救助", "身份证 | 原件和复印件 | 本人; 银行卡|复印件", "5", "工作日", "SB",
           "窗口、网上", "低偿", "无", "协助政府事项", "志愿者", "阳光志愿队", "高龄,津贴", "否", "5"]
    report = _import(app, "yangliu", "高龄.csv", _csv(header, [row]))
    assert report.created == 1
    item = _item(app, "yangliu", "MZ-010")
    assert item == {**item, "code": "MZ-010", "name": "高龄津贴申领", "category": "福利救助", "time_limit": 5,
                    "time_unit": "workdays", "post": "SB", "channels": "window,online", "fee_kind": "low_cost",
                    "duty_list": "assisted_government", "provider": "volunteers", "provider_name": "阳光志愿队",
                    "published": "no", "position": 5,
                    "materials": "身份证 | 原件和复印件 | 本人\n银行卡 | 复印件"}


def test_a_gbk_csv_from_chinese_excel(app, two_menus):
    data = _csv(["编码", "事项名称", "分类", "办理渠道", "收费"], [["FW-001", "法律咨询", "法律服务", "窗口", "免费"],
                                                          ["FW-002", "调解纠纷", "法律服务", "上门", "免费"]],
                encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert _import(app, "yangliu", "法律.csv", data).created == 2
    assert _item(app, "yangliu", "FW-002")["name"] == "调解纠纷"
    assert _item(app, "yangliu", "FW-002")["channels"] == "home_visit"


def _bad_file() -> bytes:
    """Ten item rows (spreadsheet rows 2-11): rows 4, 6, 9 are wrong and row 11 repeats the code of row 2."""
    rows = [[f"NEW-{n:02d}", f"新事项{n}", "生活信息", "窗口"] for n in range(1, 11)]
    rows[2][3] = "飞鸽传书"        # row 4: unknown channel
    rows[4][0] = "BAD CODE!"       # row 6: bad code
    rows[7][1] = ""                # row 9: missing name
    rows[9][0] = "new-01"          # row 11: same code as row 2 (codes are case-insensitive)
    return _csv(["code", "name", "category", "channels"], rows)


def test_a_bad_file_is_rejected_whole_with_every_problem(app, two_menus):
    before = (_count(app, "yangliu"), _count(app, "yangliu", Category), _count(app, "yangliu", AuditEvent))
    with pytest.raises(transfer.ImportRejected) as caught:
        _import(app, "yangliu", "bad.csv", _bad_file())
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (4, "channels"), (6, "code"), (9, "name"), (11, "code")]
    assert "飞鸽传书" in caught.value.problems[0].message
    assert (_count(app, "yangliu"), _count(app, "yangliu", Category), _count(app, "yangliu", AuditEvent)) == before
    assert _item(app, "yangliu", "NEW-01") is None


def test_every_fault_of_one_row_is_reported(app, two_menus):
    data = _csv(["code", "name", "category", "time_limit", "fee_kind", "post"], [["", "", "", "many", "贵", "NOPE"]])
    with pytest.raises(transfer.ImportRejected) as caught:
        _import(app, "yangliu", "bad.csv", data)
    assert [p.column for p in caught.value.problems] == ["code", "name", "category", "time_limit", "fee_kind", "post"]
    assert {p.row for p in caught.value.problems} == {2}


def test_existing_items_are_updated_by_code(app, two_menus):
    before = _item(app, "yangliu", "SB-001")
    data = _csv(["code", "name", "category", "time_limit"], [["sb-001", "低保申请（新）", "社会保障", "15"],
                                                            ["NEW-1", "新事项", "新分类", ""]])
    report = _import(app, "yangliu", "update.csv", data)
    assert (report.created, report.updated, report.new_categories) == (1, 1, ["新分类"])
    after = _item(app, "yangliu", "SB-001")
    assert (after["name"], after["time_limit"]) == ("低保申请（新）", 15)
    # Columns the file leaves out keep their values.
    for column in ("materials", "steps", "post", "channels", "duty_list", "keywords", "position"):
        assert after[column] == before[column]
    assert _count(app, "yangliu") == 4


def test_too_many_rows(app, two_menus):
    rows = [[f"N-{n}", f"事项{n}", "生活信息"] for n in range(transfer.MAX_ROWS + 1)]
    with pytest.raises(transfer.ImportRejected) as caught:
        _import(app, "yangliu", "big.csv", _csv(["code", "name", "category"], rows))
    assert "2000" in str(caught.value.message)
    assert _count(app, "yangliu") == 3


def test_too_large_a_file(app, two_menus):
    data = _csv(["code", "name", "category", "description"], [["N-1", "事项", "生活信息", "x" * transfer.MAX_BYTES]])
    with pytest.raises(transfer.ImportRejected) as caught:
        _import(app, "yangliu", "big.csv", data)
    assert "5 MB" in str(caught.value.message)


def test_an_xlsx_with_a_wrong_header(app, two_menus):
    data = _xlsx(["编码", "名称", "分类", "remark"], [["X-1", "事项", "生活信息", "备注"]])
    with pytest.raises(transfer.ImportRejected) as caught:
        _import(app, "yangliu", "menu.xlsx", data)
    assert sorted((p.row, p.column) for p in caught.value.problems) == [(1, "name"), (1, "remark"), (1, "名称")]
    assert _count(app, "yangliu") == 3


@pytest.mark.parametrize("filename, data", [
    ("menu.xlsx", b"not a workbook"),
    ("menu.xls", b"\xd0\xcf\x11\xe0 old excel"),
    ("menu.pdf", b"%PDF-1.4"),
    ("menu.csv", b""),
    ("menu.csv", b"code,name,category\n"),
])
def test_unreadable_files_are_refused(app, two_menus, filename, data):
    with pytest.raises(transfer.ImportRejected):
        _import(app, "yangliu", filename, data)


def test_empty_rows_are_skipped_and_rows_keep_their_numbers(app, two_menus):
    data = _xlsx(["code", "name", "category", "channels"], [[None] * 4, ["A-1", "甲", "生活信息", "窗口"], [None] * 4,
                                                            ["A-2", "乙", "生活信息", "信鸽"]])
    rows = transfer.read_rows("m.xlsx", data)
    assert [r[transfer.ROW_KEY] for r in rows] == [3, 5]
    with pytest.raises(transfer.ImportRejected) as caught:
        _import(app, "yangliu", "m.xlsx", data)
    assert [(p.row, p.column) for p in caught.value.problems] == [(5, "channels")]


def test_a_strange_number_is_a_problem_not_a_crash(app, two_menus):
    data = _csv(["code", "name", "category", "position"], [["N-1", "事项", "生活信息", "²"]])
    with pytest.raises(transfer.ImportRejected) as caught:
        _import(app, "yangliu", "odd.csv", data)
    assert [p.row for p in caught.value.problems] == [2]


# --- pages ---------------------------------------------------------------------------------------
IMPORT_URL = "/c/yangliu/menu/import"


def _upload(auth, data, filename="menu.csv"):
    return auth.post(IMPORT_URL + "?lang=en", data={"file": (io.BytesIO(data), filename)},
                     content_type="multipart/form-data")


def test_head_imports_a_file(app, client, auth, two_menus):
    auth.login("head")
    page = client.get("/c/yangliu/menu/manage?lang=en").get_data(as_text=True)
    assert IMPORT_URL in page and "/c/yangliu/menu/export.csv" in page and "/c/yangliu/menu/export.xlsx" in page
    assert 'enctype="multipart/form-data"' in client.get(IMPORT_URL).get_data(as_text=True)
    data = _csv(["编码", "事项名称", "分类"], [["SB-001", "低保申请", "社会保障"], ["NEW-1", "新事项", "生活信息"],
                                        ["NEW-2", "又一事项", "生活信息"]])
    response = _upload(auth, data)
    assert response.status_code == 303 and response.headers["Location"] == "/c/yangliu/menu/manage"
    assert "2 added, 1 updated" in client.get("/c/yangliu/menu/manage").get_data(as_text=True)
    assert _count(app, "yangliu") == 5


def test_a_rejected_upload_shows_every_problem_and_imports_nothing(app, client, auth, two_menus):
    auth.login("head")
    response = _upload(auth, _bad_file())
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in page and 'id="import-problems"' in page
    for row, column in ((4, "channels"), (6, "code"), (9, "name"), (11, "code")):
        assert f"<tr><td>{row}</td><td>{column} (" in page
    assert _count(app, "yangliu") == 3


def test_an_upload_without_a_file_is_an_error(app, client, auth, two_menus):
    auth.login("head")
    response = auth.post(IMPORT_URL, data={}, content_type="multipart/form-data")
    assert response.status_code == 200 and 'class="error-summary"' in response.get_data(as_text=True)


@pytest.mark.parametrize("extension, mimetype", [("csv", "text/csv"), ("xlsx", XLSX_TYPE)])
def test_head_downloads_the_menu(app, client, auth, two_menus, extension, mimetype):
    auth.login("head")
    response = client.get(f"/c/yangliu/menu/export.{extension}")
    assert response.status_code == 200 and response.mimetype == mimetype
    today = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f"yangliu-menu-{today}.{extension}" in disposition
    rows = transfer.read_rows(f"m.{extension}", response.data)
    assert [r["code"] for r in rows] == ["ZZ-002", "SB-001", "JJ-003"]


@pytest.mark.parametrize("username", ["staff", "resident"])
def test_staff_and_residents_may_not_import_or_export(app, client, auth, two_menus, username):
    auth.login(username)
    for url in ("/c/yangliu/menu/export.csv", "/c/yangliu/menu/export.xlsx", IMPORT_URL):
        assert client.get(url).status_code == 403
    data = _csv(["code", "name", "category"], [["NEW-1", "新事项", "生活信息"]])
    assert _upload(auth, data).status_code == 403
    assert _count(app, "yangliu") == 3


def test_anonymous_visitors_are_sent_to_sign_in(client, two_menus):
    response = client.get("/c/yangliu/menu/export.csv")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- CLI -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["menu.csv", "menu.xlsx"])
def test_cli_export_then_import(app, runner, two_menus, tmp_path, name):
    path = tmp_path / name
    result = runner.invoke(args=["hall", "export-menu", "--community", "yangliu", str(path)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["hall", "import-menu", "--community", "qinghe", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 added, 0 updated" in result.output
    assert _export(app, "qinghe") == _export(app, "yangliu")


def test_cli_import_of_a_bad_file_changes_nothing(app, runner, two_menus, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(_bad_file())
    result = runner.invoke(args=["hall", "import-menu", "--community", "yangliu", str(path)])
    assert result.exit_code != 0
    for line in ("row 4, channels:", "row 6, code:", "row 9, name:", "row 11, code:"):
        assert line in result.output
    assert _count(app, "yangliu") == 3


@pytest.mark.parametrize("command", ["import-menu", "export-menu"])
def test_cli_refuses_an_unknown_community(app, runner, two_menus, tmp_path, command):
    path = tmp_path / "menu.csv"
    path.write_bytes(_csv(["code", "name", "category"], [["NEW-1", "新事项", "生活信息"]]))
    result = runner.invoke(args=["hall", command, "--community", "nowhere", str(path)])
    assert result.exit_code != 0 and "Unknown community" in result.output


def test_cli_export_needs_a_known_extension(runner, two_menus, tmp_path):
    result = runner.invoke(args=["hall", "export-menu", "--community", "yangliu", str(tmp_path / "menu.txt")])
    assert result.exit_code != 0 and not (tmp_path / "menu.txt").exists()


"""Menu import and export as CSV and XLSX: a whole file is checked first and imported all or nothing."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit, uploads
from ..errors import HallError
from ..formatting import FORMULA_START, spreadsheet_cell
from ..rosters.models import Post
from .models import Category, ServiceItem
from .services import CODE_RE, COLUMNS, ItemData, clean_item, create_item, item_to_row, menu_by_category, update_item

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
REQUIRED = ("code", "name", "category")
SHEET_TITLE = "服务清单"
ROW_KEY = "_row"  # the spreadsheet row a read row came from (header = row 1)

# Chinese headings accepted for the columns (the words stations put on top of their spreadsheets).
HEADER_ALIASES = {
    "编码": "code", "事项名称": "name", "分类": "category", "事项说明": "description", "办理条件": "qualifications",
    "所需材料": "materials", "办理流程": "steps", "承诺时限": "time_limit", "时限单位": "time_unit", "责任岗位": "post",
    "办理渠道": "channels", "收费": "fee_kind", "收费说明": "fee_note", "清单类别": "duty_list", "提供方": "provider",
    "提供方名称": "provider_name", "关键词": "keywords", "是否公开": "published", "排序": "position",
}
CHINESE_HEADING = {column: heading for heading, column in HEADER_ALIASES.items()}

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary .xls


class Problem(NamedTuple):
    """One fault of an imported file: spreadsheet row (header = 1), column name, message."""

    row: int
    column: str
    message: str


class ImportRejected(HallError):
    """The file was refused as a whole; problems lists every fault found (empty for a file-level fault)."""

    def __init__(self, message, problems: list[Problem] | None = None):
        super().__init__(message, "file")
        self.problems = list(problems or [])


@dataclass
class ImportReport:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_categories: list[str] = field(default_factory=list)


# --- export ------------------------------------------------------------------------------------
def export_rows(session: Session) -> list[dict]:
    """Every item, published or not, in menu order (category, then position), as the documented columns."""
    return [item_to_row(item) for _category, items in menu_by_category(session, published_only=False)
            for item in items]


_csv_cell = spreadsheet_cell


def write_csv(rows: list[dict]) -> bytes:
    """The rows as CSV in UTF-8 with a BOM (so Excel shows Chinese), header = COLUMNS."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(rows: list[dict]) -> bytes:
    """The rows as an Excel workbook: one sheet, bold header = COLUMNS, text cells stored as text (never formulas)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    bold = Font(bold=True)
    for c, column in enumerate(COLUMNS, start=1):
        ws.cell(row=1, column=c, value=column).font = bold
    for r, row in enumerate(rows, start=2):
        for c, column in enumerate(COLUMNS, start=1):
            value = row.get(column)
            if isinstance(value, str):
                cell = ws.cell(row=r, column=c, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"  # "=..." stays text
            else:
                ws.cell(row=r, column=c, value=value)
    ws.freeze_panes = "A2"
    for c, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = 30 if column in (
            "name", "description", "qualifications", "materials", "steps") else 14
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- reading a file ----------------------------------------------------------------------------
def read_rows(filename: str, data: bytes) -> list[dict]:
    """The data rows of a CSV or XLSX file as {column: text, ROW_KEY: row number}; ImportRejected when unreadable,
    over a bound of community_hall/uploads.py (checked before parsing), or when a row is not of its header's shape."""
    if len(data) > MAX_BYTES:
        raise ImportRejected(_l("The file is larger than 5 MB. Split it into smaller files."))
    if not data.strip():
        raise ImportRejected(_l("The file is empty."))
    ext = os.path.splitext(filename or "")[1].lower()
    try:
        if data.startswith(_XLSX_MAGIC):
            uploads.check_xlsx(data)
            return _rows(_xlsx_records(data), exact_width=False)
        if ext == ".xls" or data.startswith(_OLE_MAGIC):
            raise ImportRejected(_l("Old .xls workbooks cannot be read. Save the file as .xlsx or .csv and try again."))
        if ext == ".xlsx":
            raise ImportRejected(_l("The file could not be read as an Excel workbook (.xlsx)."))
        if ext in (".csv", ".txt", ""):
            return _rows(_csv_records(data), exact_width=True)
        raise ImportRejected(_l("Choose a .csv or .xlsx file."))
    except uploads.Refused as err:
        raise ImportRejected(err.message) from err


def _csv_records(data: bytes):
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves "CSV" as GBK, "CSV UTF-8" with a BOM
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRejected(_l("The file is not UTF-8 or GB18030 (GBK) text. Save it as CSV UTF-8 and try again."))
    try:
        for record in uploads.csv_records(text):
            yield [cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_START else cell for cell in record]
    except csv.Error:
        raise ImportRejected(_l("The file could not be read as CSV.")) from None


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _xlsx_records(data: bytes):
    unreadable = _l("The file could not be read as an Excel workbook (.xlsx).")
    try:
        with warnings.catch_warnings():  # openpyxl warns about Excel features it ignores (validation, styles)
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = wb.worksheets[0]
    except Exception as err:  # a damaged or foreign file fails in many ways; all mean "cannot read it"
        raise ImportRejected(unreadable) from err
    try:
        values = uploads.xlsx_records(sheet)
        while True:
            try:
                cells = next(values)
            except StopIteration:
                return
            except uploads.Refused:
                raise
            except Exception as err:
                raise ImportRejected(unreadable) from err
            yield [_xlsx_text(v) for v in cells]
    finally:
        wb.close()


def _column_of(heading: str) -> str | None:
    text = heading.strip().rstrip("*＊").strip()  # templates mark required columns with *
    key = text.lower().replace(" ", "_").replace("-", "_")
    return key if key in COLUMNS else HEADER_ALIASES.get(text)


def _header(cells: list[str], row: int) -> dict[int, str]:
    """Column index -> column name; ImportRejected listing every unknown, repeated or missing column."""
    columns, problems = {}, []
    for i, heading in enumerate(cells):
        if not heading.strip():
            continue
        column = _column_of(heading)
        if column is None:
            problems.append(Problem(row, heading.strip(), str(_l("Unknown column. Use the documented column names."))))
        elif column in columns.values():
            problems.append(Problem(row, heading.strip(), str(_l("This column appears twice."))))
        else:
            columns[i] = column
    for column in REQUIRED:
        if column not in columns.values():
            problems.append(Problem(row, column, str(_l("This column is missing; every file needs code, name and "
                                                       "category (编码、事项名称、分类)."))))
    if problems:
        raise ImportRejected(_l("The header row of the file is not right. Nothing was imported."), problems)
    return columns


def _rows(records, exact_width: bool) -> list[dict]:
    """Rows under the header. A CSV row must have exactly the header's cells (an unquoted comma would shift values
    into the next columns); in any file a value under no heading is refused, never dropped. Blank rows are skipped."""
    columns, width, rows, problems = None, 0, [], []
    for number, cells in enumerate(records, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if columns is None:
            columns, width = _header(cells, number), len(cells)
            continue
        shape = _shape_problem(cells, columns, width, exact_width)
        if shape:
            problems.append(Problem(number, "", str(shape)))
        rows.append({ROW_KEY: number, **{column: cells[i] if i < len(cells) else "" for i, column in columns.items()}})
        if len(rows) > MAX_ROWS:
            raise ImportRejected(_l("The file has more than %(n)s rows. Split it into smaller files.", n=MAX_ROWS))
    if columns is None:
        raise ImportRejected(_l("The file is empty."))
    if problems:
        raise ImportRejected(_l("Nothing was imported. Rows with problems: %(bad)s of %(total)s. Correct them and "
                                "import the file again.", bad=len(problems), total=len(rows)), problems)
    if not rows:
        raise ImportRejected(_l("The file has a header but no items."))
    return rows


def _shape_problem(cells: list[str], columns: dict[int, str], width: int, exact_width: bool):
    if exact_width and len(cells) != width:
        return _l("This row has %(got)s cells, the header %(want)s: a value with a comma must be in double quotes "
                  "(\"a,b\").", got=len(cells), want=width)
    stray = next((i for i, cell in enumerate(cells) if cell.strip() and i not in columns), None)
    if stray is not None:
        return _l("This row has a value in column %(n)s, which has no heading.", n=stray + 1)
    return None


# --- importing ---------------------------------------------------------------------------------
# Stand-ins for a faulty required value, so one row's later faults are found too.
_STAND_IN = {"code": "X", "name": "-", "category": "-"}


def _clean(raw: dict, row: int, problems: list[Problem]) -> ItemData | None:
    """clean_item, but every fault of the row is recorded (clean_item stops at the first)."""
    raw, faulty = dict(raw), False
    for _ in range(len(COLUMNS)):
        try:
            data = clean_item(raw)
        except HallError as err:
            problems.append(Problem(row, err.field or "", str(err.message)))
            faulty = True
            stand_in = _STAND_IN.get(err.field, "")
            if not err.field or raw.get(err.field) == stand_in:
                return None
            raw[err.field] = stand_in
        except ValueError:  # clean_item lets int() fail on digit-like characters such as '²'
            problems.append(Problem(row, "", str(_l("A number in this row could not be read."))))
            return None
        else:
            return None if faulty else data
    return None


def _current(item: ServiceItem) -> dict:
    """An existing item as raw values (materials as a list, so notes survive exactly)."""
    raw = item_to_row(item)
    raw["materials"] = [{"name": m.name, "form": m.form, "note": m.note} for m in item.materials]
    raw["position"] = str(item.position)
    raw["time_limit"] = str(item.time_limit)
    return raw


def import_items(session: Session, rows: list[dict], actor_id: int | None = None) -> ImportReport:
    """Check every row, then add new items and update existing ones (by code) in one transaction; all or nothing.

    Columns a file leaves out keep an existing item's values. Raises ImportRejected with every problem found
    (and changes nothing) when any row is wrong. Commits on success, rolls back on any failure.
    """
    if len(rows) > MAX_ROWS:
        raise ImportRejected(_l("The file has more than %(n)s rows. Split it into smaller files.", n=MAX_ROWS))
    if not session.in_transaction():
        # Writers allocating positions take the SQLite write lock up front (ignored by PostgreSQL).
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        report = ImportReport()
        for row, data, existing in _check(session, rows, report):
            try:
                if existing is None:
                    create_item(session, data, actor_id)
                    report.created += 1
                elif data == _as_data(existing, data):
                    report.unchanged += 1
                else:
                    update_item(session, existing, data, actor_id)
                    report.updated += 1
            except HallError as err:  # a rule checked again while writing (another writer got in between)
                raise ImportRejected(_l("Nothing was imported."), [Problem(row, err.field or "", str(err.message))]) from err
        audit.record(session, actor_id, "menu.import",
                     f"{report.created} added, {report.updated} updated, {report.unchanged} unchanged")
        session.commit()
    except IntegrityError as err:  # on PostgreSQL a concurrent writer may win the race for a code
        session.rollback()
        raise ImportRejected(_l("The menu was changed by someone else at the same time. Nothing was imported; "
                                "import the file again.")) from err
    except BaseException:
        session.rollback()
        raise
    return report


def _check(session: Session, rows: list[dict], report: ImportReport) -> list[tuple[int, ItemData, ServiceItem | None]]:
    """Every row cleaned, or ImportRejected with all the problems of the file."""
    existing = {item.code: item for item in session.scalars(select(ServiceItem)).unique()}
    posts = set(session.scalars(select(Post.code)))
    categories = set(session.scalars(select(Category.name)))
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    plan = []
    for i, given in enumerate(rows):
        row = int(given.get(ROW_KEY) or i + 2)
        values = {k: ("" if v is None else v) for k, v in given.items() if k in COLUMNS}
        code = str(values.get("code") or "").strip().upper()
        item = existing.get(code)
        raw = {**_current(item), **values} if item is not None else values
        before = len(problems)
        data = _clean(raw, row, problems)
        if code and CODE_RE.match(code):
            if code in seen:
                problems.append(Problem(row, "code", str(_l("Code %(code)s is also on row %(row)s.",
                                                             code=code, row=seen[code]))))
            else:
                seen[code] = row
        post = str(raw.get("post") or "").strip().upper()
        if post and post not in posts and not any(p.column == "post" for p in problems[before:]):
            problems.append(Problem(row, "post", str(_l("Unknown post: %(code)s", code=post))))
        if data is not None and len(problems) == before:
            data = dataclasses.replace(data, post=post)
            plan.append((row, data, item))
            if data.category not in categories and data.category not in report.new_categories:
                report.new_categories.append(data.category)
    if problems:
        bad = len({p.row for p in problems})
        raise ImportRejected(_l("Nothing was imported. Rows with problems: %(bad)s of %(total)s. Correct them and "
                                "import the file again.", bad=bad, total=len(rows)), problems)
    return plan


def _as_data(item: ServiceItem, new: ItemData) -> ItemData:
    """An existing item as ItemData, to tell whether an imported row changes it."""
    return ItemData(
        code=item.code, name=item.name, category=item.category.name, description=item.description,
        qualifications=item.qualifications,
        materials=[{"name": m.name, "form": m.form, "note": m.note} for m in item.materials],
        steps=item.steps, time_limit=item.time_limit, time_unit=item.time_unit,
        post=item.post.code if item.post else "", channels=item.channel_list, fee_kind=item.fee_kind,
        fee_note=item.fee_note, duty_list=item.duty_list, provider=item.provider, provider_name=item.provider_name,
        keywords=item.keywords, published=item.published,
        position=item.position if new.position is not None else None,
    )

"""Heads download the menu as CSV or Excel and upload a file that adds and changes items (all or nothing)."""

from __future__ import annotations

import io

from flask import flash, g, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from .. import audit, clock
from ..accounts.policy import requires
from ..errors import copy_error
from ..tenancy import community_session, tenancy
from . import transfer
from .views import bp

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_PROBLEMS = 500  # a file with thousands of faults shows the first ones; fixing those usually fixes the rest


class ImportForm(FlaskForm):
    """One file to import (kept beside its only view)."""

    file = FileField(
        _l("Spreadsheet file"), validators=[FileRequired(_l("Choose a .csv or .xlsx file."))],
        description=_l("A .csv or .xlsx file of at most 5 MB and 2,000 rows whose first row names the columns, "
                       "as in an exported file. Chinese column names (编码, 事项名称, 分类 …) are accepted."),
        render_kw={"accept": f".csv,.xlsx,text/csv,{XLSX_TYPE}"})


def _download(data: bytes, extension: str, mimetype: str):
    today = clock.local_now(g.community.timezone)
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=f"{g.community.slug}-menu-{today:%Y%m%d}.{extension}", max_age=0)


def _note_export(kind: str, count: int) -> None:
    audit.record_apart(tenancy().community_engine(g.community.slug), current_user.id, "menu.export",
                       f"{kind}: {count} items")


@bp.route("/export.csv")
@requires("menu.manage")
def export_csv(slug):
    """Every item, published or not, as CSV (UTF-8 with BOM, opens in Excel)."""
    rows = transfer.export_rows(community_session(g.community.slug))
    _note_export("csv", len(rows))
    return _download(transfer.write_csv(rows), "csv", "text/csv")


@bp.route("/export.xlsx")
@requires("menu.manage")
def export_xlsx(slug):
    """Every item, published or not, as an Excel workbook."""
    rows = transfer.export_rows(community_session(g.community.slug))
    _note_export("xlsx", len(rows))
    return _download(transfer.write_xlsx(rows), "xlsx", XLSX_TYPE)


def _problem_rows(problems: list[transfer.Problem]) -> list[tuple[int, str, str]]:
    # Name each column as the file may: "name (事项名称)".
    return [(p.row, f"{p.column} ({transfer.CHINESE_HEADING[p.column]})" if p.column in transfer.CHINESE_HEADING
             else p.column, p.message) for p in problems[:SHOWN_PROBLEMS]]


@bp.route("/import", methods=["GET", "POST"])
@requires("menu.manage")
def import_menu(slug):
    """Upload a CSV or XLSX file: every row is checked first; any problem and nothing is imported."""
    form = ImportForm()
    problems: list[transfer.Problem] = []
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = transfer.read_rows(upload.filename, upload.read(transfer.MAX_BYTES + 1))
            report = transfer.import_items(community_session(g.community.slug), rows, current_user.id)
        except transfer.ImportRejected as err:
            copy_error(form, err)
            problems, status = err.problems, 422     # the file was read and refused: nothing changed
        else:
            flash(_("%(created)s added, %(updated)s updated, %(unchanged)s unchanged.", created=report.created,
                    updated=report.updated, unchanged=report.unchanged), "success")
            if report.new_categories:
                flash(_("New categories: %(names)s", names="、".join(report.new_categories)), "success")
            return redirect(url_for("menu.manage", slug=g.community.slug), code=303)
    return render_template("menu/import.html", form=form, problems=_problem_rows(problems),
                           more=max(0, len(problems) - SHOWN_PROBLEMS)), status

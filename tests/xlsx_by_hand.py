"""XLSX files written by hand with zipfile (no openpyxl): well-formed ones and hostile ones (zip bombs of shared
strings, empty rows, wide rows, big or many members), each part made from parameters."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/></Types>')
ROOT_RELS = (f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
             'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
            '</sheets></workbook>')
WORKBOOK_RELS = (f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" '
                 'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/sharedStrings" '
                 'Target="sharedStrings.xml"/></Relationships>').replace("{REL}", REL)


def column_letter(n: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows: list[list[str]], empty_rows: int = 0, last_row: int | None = None, far_column: int | None = None,
              dimension: str | None = None) -> str:
    """A worksheet of inline-string rows; then empty_rows <row/> elements, a lone row at index last_row, a cell at
    column far_column of the first row; dimension as declared."""
    out = [f'<worksheet xmlns="{MAIN}">']
    if dimension:
        out.append(f'<dimension ref="{dimension}"/>')
    out.append("<sheetData>")
    for r, cells in enumerate(rows, start=1):
        out.append(f'<row r="{r}">')
        for c, value in enumerate(cells, start=1):
            if value != "":
                out.append(f'<c r="{column_letter(c)}{r}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        if far_column and r == 1:
            out.append(f'<c r="{column_letter(far_column)}1" t="inlineStr"><is><t>x</t></is></c>')
        out.append("</row>")
    out.append("<row/>" * empty_rows)
    if last_row:
        out.append(f'<row r="{last_row}"><c r="A{last_row}" t="inlineStr"><is><t>x</t></is></c></row>')
    out.append("</sheetData></worksheet>")
    return "".join(out)


def shared_strings_xml(count: int) -> str:
    """count empty shared strings (each a Python object to openpyxl)."""
    return f'<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">' + "<si><t/></si>" * count + "</sst>"


def xlsx(rows: list[list[str]] | None = None, *, shared_strings: int = 0, empty_rows: int = 0,
         last_row: int | None = None, far_column: int | None = None, dimension: str | None = None,
         extra_members: int = 0, padding_bytes: int = 0, doctype: bool = False) -> bytes:
    """A workbook with one sheet of rows, made hostile by the parameters; deflated, so bombs stay small."""
    sheet = sheet_xml(rows or [], empty_rows, last_row, far_column, dimension)
    if doctype:
        sheet = '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>' + sheet.replace("<t>x</t>", "<t>&a;</t>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", shared_strings_xml(shared_strings))
        for i in range(extra_members):
            z.writestr(f"xl/media/extra{i}.bin", b"")
        if padding_bytes:
            z.writestr("xl/media/padding.bin", b"\0" * padding_bytes)
    return out.getvalue()

"""Bounds on uploaded spreadsheets (CSV and XLSX), checked before any parser reads them, so that time and memory
stay small whatever is sent: an 84 KB workbook can unpack to millions of shared strings or empty rows."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from xml.parsers import expat

from flask_babel import lazy_gettext as _l

from .errors import HallError

# Documented in docs/operations.md ("Upload bounds"). A real menu of 2,000 items is far inside every one of them.
MAX_LINES = 20_000              # lines of a CSV / rows of a sheet, empty ones included
MAX_CELLS = 200_000             # cells of a file, empty ones included
MAX_COLUMNS = 64                # cells of one row
ZIP_MAX_MEMBERS = 100           # parts of a workbook (a plain one has about ten)
ZIP_MAX_MEMBER_BYTES = 32 * 2**20   # one part, unpacked
ZIP_MAX_TOTAL_BYTES = 64 * 2**20    # every part, unpacked
MAX_SHARED_STRINGS = 100_000    # the workbook's table of texts
MAX_XML_ELEMENTS = 1_000_000    # XML elements of every part together
MAX_OTHER_ELEMENTS = 50_000     # elements of one part that is neither a sheet nor the texts (styles, theme …)

_CELL_REF = re.compile(r"([A-Za-z]{1,3})?([0-9]{1,7})?$")
_CHUNK = 64 * 1024


class Refused(HallError):
    """The file is over one of the bounds; bound names which (lines, cells, columns, members, member_bytes,
    total_bytes, shared_strings, elements, doctype, unreadable)."""

    def __init__(self, bound: str, message):
        super().__init__(message, "file")
        self.bound = bound


def _refuse(bound: str):
    messages = {
        "lines": _l("The file has more than %(n)s lines (empty ones included). Split it into smaller files.",
                    n=f"{MAX_LINES:,}"),
        "cells": _l("The file has more than %(n)s cells. Split it into smaller files.", n=f"{MAX_CELLS:,}"),
        "columns": _l("A row of the file has more than %(n)s cells.", n=MAX_COLUMNS),
        "members": _l("The workbook holds more than %(n)s parts: it is not a plain spreadsheet. Save it again as "
                      ".xlsx or .csv.", n=ZIP_MAX_MEMBERS),
        "member_bytes": _l("The workbook unpacks to more than %(n)s MB. Split it into smaller files.",
                           n=ZIP_MAX_MEMBER_BYTES // 2**20),
        "total_bytes": _l("The workbook unpacks to more than %(n)s MB. Split it into smaller files.",
                          n=ZIP_MAX_TOTAL_BYTES // 2**20),
        "shared_strings": _l("The workbook has more than %(n)s shared texts. Split it into smaller files.",
                             n=f"{MAX_SHARED_STRINGS:,}"),
        "elements": _l("The workbook is too complex to read. Save it again as .xlsx or .csv with the data only."),
        "doctype": _l("The workbook could not be read: it contains a document type declaration."),
        "unreadable": _l("The file could not be read as an Excel workbook (.xlsx)."),
    }
    raise Refused(bound, messages[bound])


# --- CSV -----------------------------------------------------------------------------------------------------------
def check_csv_text(text: str) -> None:
    """Refuse a text with too many lines or separators before csv reads it (quoted ones count too: an upper bound)."""
    lines = max(text.count("\n"), text.count("\r")) + 1
    if lines > MAX_LINES:
        _refuse("lines")
    if text.count(",") + lines > MAX_CELLS:
        _refuse("cells")


def csv_records(text: str) -> Iterator[list[str]]:
    """The records of a checked CSV text, one at a time, counted: Refused past a bound; csv.Error when unreadable
    (a cell longer than csv's field limit, 128 KB, included)."""
    check_csv_text(text)
    yield from _counted(csv.reader(io.StringIO(text, newline="")))


def _counted(records: Iterable) -> Iterator:
    """The records as they come, refused past the line, column or cell bound (CSV and XLSX alike)."""
    lines = cells = 0
    for record in records:
        lines, cells = lines + 1, cells + len(record)
        if lines > MAX_LINES:
            _refuse("lines")
        if len(record) > MAX_COLUMNS:
            _refuse("columns")
        if cells > MAX_CELLS:
            _refuse("cells")
        yield record


# --- XLSX ----------------------------------------------------------------------------------------------------------
def check_xlsx(data: bytes) -> None:
    """Refuse a workbook over a bound, reading only its zip directory and streaming each part through expat (no
    tree is built): parts, their unpacked sizes, shared strings, rows (empty ones included), cells, columns."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > ZIP_MAX_MEMBERS:
                _refuse("members")
            if any(m.file_size > ZIP_MAX_MEMBER_BYTES for m in members):
                _refuse("member_bytes")
            if sum(m.file_size for m in members) > ZIP_MAX_TOTAL_BYTES:
                _refuse("total_bytes")
            counter = _Counter()
            for member in members:
                # zipfile stops at the declared size (and then fails its CRC check), so a part that lies about
                # its size never unpacks past what was checked above.
                with archive.open(member) as stream:
                    counter.scan(stream)
    except Refused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, RuntimeError) as err:
        raise Refused("unreadable", _l("The file could not be read as an Excel workbook (.xlsx).")) from err


class _Counter:
    """Counts what openpyxl would build from each XML part, refusing as soon as a bound is passed."""

    def __init__(self):
        self.elements = 0

    def scan(self, stream) -> None:
        head = stream.read(_CHUNK)
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return      # not XML (an image …): openpyxl does not parse it
        part = _Part(self)
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = part.start
        parser.StartDoctypeDeclHandler = part.doctype
        parser.EntityDeclHandler = part.doctype
        try:
            chunk = head
            while chunk:
                parser.Parse(chunk, False)
                chunk = stream.read(_CHUNK)
            parser.Parse(b"", True)
        except expat.ExpatError as err:
            raise Refused("unreadable", _l("The file could not be read as an Excel workbook (.xlsx).")) from err


class _Part:
    """One XML part being scanned: its kind is told by its root element (a sheet, the texts, anything else)."""

    def __init__(self, counter: _Counter):
        self.counter, self.root, self.elements = counter, None, 0
        self.strings = self.cells = self.row = self.column = 0

    def doctype(self, *_args):
        _refuse("doctype")     # a workbook never has one; entity expansion is how XML bombs grow

    def start(self, name: str, attrs: dict) -> None:
        local = name.rsplit(" ", 1)[-1]
        self.elements += 1
        self.counter.elements += 1
        if self.counter.elements > MAX_XML_ELEMENTS:
            _refuse("elements")
        if self.root is None:
            self.root = local
        elif self.root == "sst":
            if local == "si":
                self.strings += 1
                if self.strings > MAX_SHARED_STRINGS:
                    _refuse("shared_strings")
        elif self.root in ("worksheet", "chartsheet", "dialogsheet"):
            self._sheet(local, attrs)
        elif self.elements > MAX_OTHER_ELEMENTS:
            _refuse("elements")

    def _sheet(self, local: str, attrs: dict) -> None:
        # openpyxl yields every row up to the highest index (the missing ones empty) and pads each row to its
        # highest column: what counts is the indexes, not the elements.
        if local == "row":
            given = attrs.get("r", "")
            self.row = int(given) if given.isdigit() and len(given) <= 7 else self.row + 1
            self.column = 0
            if self.row > MAX_LINES:
                _refuse("lines")
        elif local == "c":
            self.cells += 1
            found = _CELL_REF.match(attrs.get("r", ""))
            letters = found.group(1) if found else None
            self.column = _column_number(letters) if letters else self.column + 1
            if self.cells > MAX_CELLS:
                _refuse("cells")
            if self.column > MAX_COLUMNS:
                _refuse("columns")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def xlsx_records(sheet) -> Iterator[tuple]:
    """The rows of an openpyxl read-only sheet, counted as they come (a second guard behind check_xlsx): Refused
    past a bound. The sheet's declared dimension is ignored, so rows are not padded to what it claims."""
    sheet.reset_dimensions()
    yield from _counted(sheet.iter_rows(values_only=True))

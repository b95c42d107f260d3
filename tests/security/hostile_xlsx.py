"""Hostile .xlsx files for the bounded reader: built in memory, each a few kilobytes to a few hundred.

Each one is a valid workbook (openpyxl writes it) whose sheet part is then replaced by hand-written XML,
so a file can hold what no spreadsheet program would write: a cell at XFD1048576, a hundred thousand
empty styled cells, a part that unpacks to more than the limit.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def base_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Budget"
    workbook.active.append(["tkr", "Budget 2027"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_sheet(sheet_xml: str, *, extra: dict[str, bytes] | None = None) -> bytes:
    """The base workbook with its sheet replaced by `sheet_xml` (and `extra` parts added)."""
    source = zipfile.ZipFile(io.BytesIO(base_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = sheet_xml.encode() if info.filename == SHEET else source.read(info)
            target.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def cell(ref: str, value: str | int) -> str:
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def table_rows(count: int = 3) -> str:
    rows = [f'<row r="1">{cell("B1", "Budget 2027")}</row>']
    rows += [f'<row r="{n}">{cell(f"A{n}", f"Rad {n}")}{cell(f"B{n}", n)}</row>' for n in range(2, count + 2)]
    return "".join(rows)


def sheet(rows: str, dimension: str = "") -> str:
    dimension = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"{HEAD}{dimension}<sheetData>{rows}</sheetData></worksheet>"


def too_many_rows() -> bytes:
    """2 500 filled rows."""
    return with_sheet(sheet(table_rows(2_500)))


def too_many_columns() -> bytes:
    """A table, and one cell in column 50."""
    return with_sheet(sheet(table_rows() + f'<row r="9">{cell("AX9", 1)}</row>'))


def far_corner() -> bytes:
    """A table and one cell at XFD1048576: padded row by row, this is 17 billion cells."""
    return with_sheet(
        sheet(table_rows() + f'<row r="1048576">{cell("XFD1048576", 1)}</row>', "A1:XFD1048576")
    )


def wide_row_far_down() -> bytes:
    """Row 1 048 576 with cells spread to the last column."""
    cells = "".join(cell(f"{col}1048576", 1) for col in ("A", "Z", "AZ", "ZZ", "XFD"))
    return with_sheet(sheet(f'<row r="1048576">{cells}</row>'))


def empty_styled_cells(count: int = 110_000) -> bytes:
    """A table, then `count` empty styled cells below it (as a sheet formatted far past its content)."""
    rows = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(10, 10 + count))
    return with_sheet(sheet(table_rows() + rows))


def declared_huge() -> bytes:
    """A small table whose sheet declares the whole grid as its dimension: accepted."""
    return with_sheet(sheet(table_rows(), "A1:XFD1048576"))


def zip_bomb() -> bytes:
    """A part that unpacks to 6 MB of spaces (about 6 KB packed)."""
    return with_sheet(sheet(table_rows()), extra={"xl/padding.xml": b" " * (6 * 1024 * 1024)})


def sheet_bomb() -> bytes:
    """The sheet itself unpacks to 20 MB (whitespace inside the sheet data)."""
    return with_sheet(sheet(table_rows() + " " * (20 * 1024 * 1024)))


HOSTILE = {
    "too_many_rows": too_many_rows,
    "too_many_columns": too_many_columns,
    "far_corner": far_corner,
    "wide_row_far_down": wide_row_far_down,
    "empty_styled_cells": empty_styled_cells,
    "zip_bomb": zip_bomb,
    "sheet_bomb": sheet_bomb,
}

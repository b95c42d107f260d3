"""Uploaded files: a text file or an .xlsx workbook turned into the tab-separated text a paste gives,
within bounds, so there is one parser and the confirm step can carry the text in a form field."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from django.utils.translation import gettext as _

from budgets.imports.header import find_header
from budgets.imports.table import (
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    MAX_XLSX_CELLS,
    MAX_XLSX_COLUMNS,
    MAX_XLSX_PARTS,
    MAX_XLSX_ROW_ELEMENTS,
    MAX_XLSX_UNCOMPRESSED,
    BudgetParseError,
    clean_cell,
    split_rows,
)
from finsam.money import round_half_up

# --- files --------------------------------------------------------------------------------------------


def read_upload(name: str, data: bytes) -> tuple[str, str]:
    """An uploaded file as table text, and a description of where it came from ("budget.xlsx, bladet
    Budget"). Raises `BudgetParseError` for an empty, too large, unreadable or non-table file."""
    if not data:
        raise BudgetParseError([_("Filen är tom.")])
    if len(data) > MAX_UPLOAD_BYTES:
        raise BudgetParseError([too_large_message(len(data))])
    lowered = (name or "").lower()
    if data[:4] == b"PK\x03\x04":
        text, sheet = xlsx_to_text(data)
        return text, _("%(name)s, bladet ”%(sheet)s”") % {"name": name, "sheet": sheet}
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise BudgetParseError(
            [
                _(
                    "Filen är i Excels äldre format (.xls). Spara den som Excel-arbetsbok (.xlsx) och försök igen."
                )
            ]
        )
    if lowered.endswith((".xlsx", ".xlsm")):
        raise BudgetParseError(
            [
                _(
                    "Filen heter .xlsx men är ingen Excel-arbetsbok. Spara den från Excel som .xlsx eller klistra in tabellen."
                )
            ]
        )
    if b"\x00" in data[:4096]:
        raise BudgetParseError(
            [_("Filen är varken en Excel-arbetsbok (.xlsx) eller en textfil med en tabell.")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text, name


def too_large_message(size: int) -> str:
    megabytes = f"{size / (1024 * 1024):.1f}".replace(".", ",")
    return _(
        "Filen är för stor (%(size)s MB). Den får vara högst 2 MB; en budgettabell är mycket mindre."
    ) % {"size": megabytes}


def number_scale(number_format: str) -> int:
    """How many thousands an Excel number format divides by for display: "#,##0," shows 1258500 as
    1 259. finsam's own export writes kronor with such a format for tkr plans."""
    section = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", (number_format or "").split(";")[0])
    match = re.search(r"[0#?](,+)[^0#?]*$", section)
    return len(match[1]) if match else 0


def cell_text(value, number_format: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            return ""
        number = number / (Decimal(1000) ** number_scale(number_format))
        number = round_half_up(number, 6).normalize()
        return f"{number:f}".replace(".", ",")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return clean_cell(str(value).replace("\t", " ").replace("\n", " "))


class CellBudget:
    """The work one upload may cost, across every sheet read: cells parsed (a full sheet of
    `MAX_ROWS` × `MAX_XLSX_COLUMNS`) and row elements parsed (empty formatted rows below a table are
    skipped, a few thousand of them). A real budget sheet is a few hundred cells; the bounds keep a
    hostile file's work under a second."""

    def __init__(self, *, cells: int, rows: int):
        self.cells = cells
        self.rows = rows

    def spend(self, cells: int) -> None:
        self.cells -= cells
        self.rows -= 1
        if self.cells < 0 or self.rows < 0:
            raise BudgetParseError([limits_message()])


def limits_message() -> str:
    return _(
        "Excel-filen är för stor för att vara en budgettabell: den får ha högst %(rows)s rader och "
        "%(columns)s kolumner med innehåll."
    ) % {"rows": f"{MAX_ROWS:,}".replace(",", "\u00a0"), "columns": MAX_XLSX_COLUMNS}


def sheet_lines(reader, path: str, budget: CellBudget) -> list[str]:
    """A sheet's rows as tab-separated lines, streamed once through openpyxl's own sheet parser.

    Not `ReadOnlyWorksheet`: opening one parses the whole sheet when it declares no dimension, and its
    `iter_rows` pads every row out to its last cell and every gap between rows with empty cells, so a
    cell at XFD1048576 costs billions of cells. The parser gives only the cells the file holds, each
    with its real row and column. Content past `MAX_ROWS` or `MAX_XLSX_COLUMNS` refuses the file; empty
    rows (a sheet formatted further down than it is filled) are skipped within the budget."""
    from openpyxl.cell.read_only import ReadOnlyCell  # with openpyxl, below
    from openpyxl.worksheet._reader import WorkSheetParser  # the parser ReadOnlyWorksheet uses

    workbook = reader.wb
    owner = SimpleNamespace(parent=workbook)  # what ReadOnlyCell asks for a cell's number format
    filled_rows: dict[int, list[dict]] = {}
    with reader.archive.open(path) as source:
        parser = WorkSheetParser(
            source,
            reader.shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for index, cells in parser.parse():
            budget.spend(len(cells))
            filled = [cell for cell in cells if cell["value"] not in (None, "")]
            if not filled:
                continue
            if index > MAX_ROWS or any(cell["column"] > MAX_XLSX_COLUMNS for cell in filled):
                raise BudgetParseError([limits_message()])
            filled_rows[index] = filled
    # Only a sheet within the limits is turned into text; a number format is looked up once per style.
    formats: dict[int, str] = {}
    lines = []
    for index in range(1, max(filled_rows, default=0) + 1):
        line = []
        for cell in filled_rows.get(index, []):
            style = cell.get("style_id") or 0
            if style not in formats:
                formats[style] = ReadOnlyCell(owner, **cell).number_format or "General"
            line += [""] * (cell["column"] - 1 - len(line))
            line.append(cell_text(cell["value"], formats[style]))
        lines.append("\t".join(line).rstrip("\t"))
    return lines


def xlsx_to_text(data: bytes) -> tuple[str, str]:
    """The budget sheet of an .xlsx workbook as tab-separated text, and the sheet's name.

    Bounded work (a 92 KB file once kept a worker at 2 GB for 23 s): the zip's declared sizes are checked
    before anything is unpacked (`MAX_XLSX_UNCOMPRESSED`; `zipfile` never unpacks a part past its
    declared size), the workbook is opened once in read-only streaming mode, and each sheet is read once
    up to `MAX_ROWS` rows and `MAX_XLSX_COLUMNS` columns (`sheet_lines`). A sheet is chosen as the first
    one with a header row of years, preferring one named like a budget; a formula cell gives the value
    Excel saved with it, and a file written by a program that saves none (openpyxl, as finsam's export)
    gives an empty cell: sums are recomputed anyway.
    """
    # openpyxl only where a workbook is read: the import views and the command need it.
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    unreadable = _("Filen kunde inte läsas som en Excel-arbetsbok (.xlsx). Spara den från Excel som .xlsx.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise BudgetParseError([unreadable]) from error
    if len(infos) > MAX_XLSX_PARTS or sum(info.file_size for info in infos) > MAX_XLSX_UNCOMPRESSED:
        raise BudgetParseError([_("Excel-filen är för stor uppackad för att vara en budgettabell.")])
    try:
        # openpyxl's own reader, every step of `load_workbook(read_only=True, data_only=True)` but
        # opening the worksheets, which `sheet_lines` streams itself.
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        found = [
            (sheet.name, rel.target)
            for sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ][:20]
    except Exception as error:
        raise BudgetParseError([unreadable]) from error
    budget = CellBudget(cells=MAX_XLSX_CELLS, rows=MAX_XLSX_ROW_ELEMENTS)
    sheets = []
    try:
        # Sheets named like a budget first: usually the only one read.
        for title, path in sorted(found, key=lambda sheet: "budget" not in sheet[0].lower()):
            text = "\n".join(sheet_lines(reader, path, budget)).strip("\n")
            sheets.append((title, text))
            if has_header(text):
                return text, title
    except BudgetParseError:
        raise
    except Exception as error:
        raise BudgetParseError([unreadable]) from error
    finally:
        reader.archive.close()
    if not any(text.strip() for _title, text in sheets):
        raise BudgetParseError([_("Excel-filen är tom.")])
    title, text = next((sheet for sheet in sheets if sheet[1].strip()), sheets[0])
    return text, title


def has_header(text: str) -> bool:
    rows, _mode = split_rows(text)
    return find_header(rows) is not None

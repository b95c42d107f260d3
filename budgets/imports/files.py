"""Uploaded files: a text file or an .xlsx workbook turned into the tab-separated text a paste gives,
within bounds, so there is one parser and the confirm step can carry the text in a form field."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from budgets.imports.parse import find_header
from budgets.imports.table import (
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
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


def xlsx_to_text(data: bytes) -> tuple[str, str]:
    """The budget sheet of an .xlsx workbook as tab-separated text, and the sheet's name.

    The sheet is the first one with a header row of years, preferring one named like a budget. A formula
    cell gives the value Excel saved with it; a file written by a program that saves none (openpyxl, as
    finsam's export) gives an empty cell: sums are recomputed anyway.
    """
    import openpyxl  # only the import views and the command need it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
                raise BudgetParseError([_("Excel-filen är för stor uppackad för att vara en budgettabell.")])
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except BudgetParseError:
        raise
    except Exception as error:
        raise BudgetParseError(
            [_("Filen kunde inte läsas som en Excel-arbetsbok (.xlsx). Spara den från Excel som .xlsx.")]
        ) from error
    try:
        sheets = []
        for sheet_formulas, sheet_values in list(zip(formulas.worksheets, values.worksheets, strict=True))[
            :20
        ]:
            lines = []
            empty_formulas = 0
            rows = zip(
                sheet_formulas.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS),
                sheet_values.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS),
                strict=False,
            )
            for formula_row, value_row in rows:
                cells = []
                for formula_cell, value_cell in zip(formula_row, value_row, strict=False):
                    raw = getattr(formula_cell, "value", None)
                    number_format = getattr(formula_cell, "number_format", "General") or "General"
                    if isinstance(raw, str) and raw.startswith("="):
                        raw = getattr(value_cell, "value", None)
                        if raw is None:
                            empty_formulas += 1
                    cells.append(cell_text(raw, number_format))
                lines.append("\t".join(cells).rstrip("\t"))
            text = "\n".join(lines).strip("\n")
            sheets.append((sheet_formulas.title, text, empty_formulas))
    except Exception as error:
        raise BudgetParseError(
            [_("Filen kunde inte läsas som en Excel-arbetsbok (.xlsx). Spara den från Excel som .xlsx.")]
        ) from error
    finally:
        formulas.close()
        values.close()
    if not sheets or not any(text.strip() for _title, text, _empty in sheets):
        raise BudgetParseError([_("Excel-filen är tom.")])

    def has_header(text: str) -> bool:
        rows, _mode = split_rows(text)
        return find_header(rows) is not None

    with_header = [sheet for sheet in sheets if has_header(sheet[1])]
    named = [sheet for sheet in with_header if "budget" in sheet[0].lower()]
    title, text, _empty = (named or with_header or sheets)[0]
    return text, title

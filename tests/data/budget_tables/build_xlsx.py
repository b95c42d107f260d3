"""The corpus's Excel workbooks, built with openpyxl when a test asks for them (`build(name)`), so the
repository holds their recipe rather than binary files. Each has a sidecar `<name without .xlsx>.json`."""

from __future__ import annotations

import io

import openpyxl

WORKBOOKS: dict[str, object] = {}


def workbook(name: str):
    def register(function):
        WORKBOOKS[name] = function
        return function

    return register


def build(name: str) -> bytes:
    book = openpyxl.Workbook()
    WORKBOOKS[name](book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@workbook("21-excel-export.xlsx")
def excel_export(book):
    """An Excel export: numbers as numbers, costs negative, a sum column last whose formulas carry no
    saved value (as a program that does not calculate saves them), a note column."""
    sheet = book.active
    sheet.title = "Budget 2025"
    sheet.append(["Budget 2025 med plan 2026–2027 (tkr)"])
    sheet.append([None, "Not", "Budget 2025", "Plan 2026", "Plan 2027", "Totalt"])
    rows = [
        ("Intäkter", None, None),
        ("Försäkringskassan/Arbetsförmedlingen", 1, [4000, 4000, 4200]),
        ("Region Norrby", None, [2000, 2000, 2100]),
        ("Kommunerna", None, [2000, 2000, 2100]),
        ("Summa intäkter", None, [8000, 8000, 8400]),
        ("Kostnader", None, None),
        ("Administration", None, None),
        ("Förbundschef", 2, [-900, -930, -960]),
        ("Kansli och lokaler", None, [-300, -310, -320]),
        ("Styrelsens arvoden", None, [-100, -110, -120]),
        ("Summa administration", None, [-1300, -1350, -1400]),
        ("Insatser", None, None),
        ("Insats Alfa", None, [-3000, -3000, -3000]),
        ("Insats Beta", None, [-2500, -2500, 0]),
        ("Ej beslutade insatser", None, [-1000, -1150, -4000]),
        ("Summa insatser", None, [-6500, -6650, -7000]),
        ("Summa kostnader", None, [-7800, -8000, -8400]),
        ("Resultat", None, [200, 0, 0]),
    ]
    for number, (label, note, values) in enumerate(rows, start=3):
        if values is None:
            sheet.append([label])
            continue
        sheet.append([label, note, *values, f"=SUM(C{number}:E{number})"])


@workbook("22-excel-kronor-shown-in-thousands.xlsx")
def kronor_in_thousands(book):
    """Kronor stored, thousands shown (number format "#,##0,"), "tkr" in a merged title cell, the sum
    column first, costs positive; a notes sheet before the budget sheet."""
    notes = book.active
    notes.title = "Anteckningar"
    notes.append(["Underlag till styrelsen"])
    sheet = book.create_sheet("Budget")
    sheet.append(["Verksamhetsplan med budget, tkr"])
    sheet.merge_cells("A1:E1")
    sheet.append([None, "2025–2027", "Budget 2025", "Plan 2026", "Plan 2027"])
    rows = [
        ("Intäkter", None),
        ("Försäkringskassan/Arbetsförmedlingen", [4000, 4000, 4200]),
        ("Region Norrby", [2000, 2000, 2100]),
        ("Kommunerna", [2000, 2000, 2100]),
        ("Kostnader", None),
        ("Förbundschef", [900, 930, 960]),
        ("Kansli och lokaler", [300, 310, 320]),
        ("Styrelsens arvoden", [100, 110, 120]),
        ("Insats Alfa", [3000, 3000, 3000]),
        ("Insats Beta", [2500, 2500, 0]),
        ("Ej beslutade insatser", [1000, 1150, 4000]),
        ("Summa kostnader", [7800, 8000, 8400]),
        ("Resultat", [200, 0, 0]),
    ]
    for label, values in rows:
        if values is None:
            sheet.append([label])
            continue
        kronor = [value * 1000 for value in values]
        sheet.append([label, sum(kronor), *kronor])
        for cell in sheet[sheet.max_row][1:]:
            cell.number_format = "#,##0,"


@workbook("23-excel-percent-financial-equity.xlsx")
def percent_financial_equity(book):
    """Two years, a percent column, interest below the result, the equity rows; costs negative."""
    sheet = book.active
    sheet.title = "Budget"
    sheet.append(["Budget och plan", None, None, None])
    sheet.append(["Belopp i tusental kronor"])
    sheet.append([None, "Budget 2025", "Plan 2026", "Andel"])
    rows = [
        ("Intäkter", None, None),
        ("Försäkringskassan/Arbetsförmedlingen", [4000, 4000], 0.5),
        ("Region Norrby", [2000, 2000], 0.25),
        ("Kommunerna", [2000, 2000], 0.25),
        ("Kostnader", None, None),
        ("Administration", [-1300, -1350], None),
        ("Insatser", [-6500, -6650], None),
        ("Summa kostnader", [-7800, -8000], None),
        ("Resultat före finansiella poster", [200, 0], None),
        ("Ränteintäkter", [10, 10], None),
        ("Årets resultat", [210, 10], None),
        ("Ingående eget kapital", [1500, 1710], None),
        ("Utgående eget kapital", [1710, 1720], None),
    ]
    for label, values, share in rows:
        if values is None:
            sheet.append([label])
            continue
        sheet.append([label, *values, share])
        if share is not None:
            sheet.cell(sheet.max_row, 4).number_format = "0%"

"""A plan's budget as an Excel workbook (.xlsx), as the plan page shows it.

The same groups, rows (computed contribution and intervention rows as values), columns and totals as
the budget table of the plan document. Rows hold exact whole kronor; subtotals, section totals, the
result, closing equity and the multi-year total column are formulas (`=SUM(...)`), so the workbook
stays right when someone edits a row in Excel. A tkr plan keeps kronor in the cells and shows thousands
through the number format (`#,##0,`), so no value is rounded away. Costs are negative numbers when the
plan prints them so, and the result formula adds or subtracts accordingly.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _

from budgets.calc import BudgetResult, plan_budget, subtotal_label, year_span
from plans.models import Plan

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST_ROW = 4  # title, caption, a blank row, then the header


def number_format(plan: Plan) -> str:
    if plan.unit == "tkr":
        return "#,##0.0," if plan.decimals else "#,##0,"
    return "#,##0"


def budget_filename(plan: Plan) -> str:
    """`budget-ornskoldsvik-2020.xlsx` (with `-v2` for a later revision of the same year)."""
    revision = f"-v{plan.revision}" if plan.revision > 1 else ""
    return f"budget-{plan.association.slug}-{plan.first_year}{revision}.xlsx"


def budget_xlsx(plan: Plan, budget: BudgetResult | None = None) -> bytes:
    """The workbook's bytes. Reads the plan's budget once (`plan_budget`) unless given it."""
    from openpyxl import Workbook  # openpyxl only for an export: not at start-up
    from openpyxl.styles import Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.properties import CalcProperties

    budget = budget or plan_budget(plan)
    years = budget.years
    negative_costs = plan.costs_negative
    fmt = number_format(plan)
    unit = _("tkr") if plan.unit == "tkr" else _("kr")
    letters = [get_column_letter(2 + index) for index in range(len(years))]
    total_letter = get_column_letter(2 + len(years)) if len(years) > 1 else None

    workbook = Workbook()
    workbook.properties.title = plan.title
    workbook.properties.creator = "finsam"
    # openpyxl saves formulas without values: ask Excel and LibreOffice to compute them on opening.
    workbook.calculation = CalcProperties(fullCalcOnLoad=True)
    sheet = workbook.active
    span = year_span(budget.years)
    sheet.title = (_("Budget %(years)s") % {"years": span})[:31] if span else _("Budget")

    bold = Font(bold=True)
    rule = Border(top=Side(style="thin"))
    double = Border(top=Side(style="thin"), bottom=Side(style="double"))
    sheet["A1"] = plan.title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"{sheet.title}, {unit}"
    sheet["A2"].font = Font(italic=True)
    header = FIRST_ROW
    sheet.cell(header, 1, unit)
    for letter, column in zip(letters, budget.columns, strict=True):
        sheet[f"{letter}{header}"] = f"{column.get_kind_display()} {column.year}"
    if total_letter:
        includes = f" ({budget.total_includes})" if budget.total_includes else ""
        sheet[f"{total_letter}{header}"] = budget.total_heading + includes
    for cell in sheet[header]:
        cell.font = bold
        cell.border = Border(bottom=Side(style="medium"))
    row = header

    def put(
        label: str,
        values: dict[int, Decimal] | None = None,
        *,
        formulas: list[str | int] | None = None,
        font=None,
        border=None,
        sign: int = 1,
        total: bool = True,
    ) -> int:
        nonlocal row
        row += 1
        sheet.cell(row, 1, label)
        for index, letter in enumerate(letters):
            cell = sheet[f"{letter}{row}"]
            if formulas is not None:
                cell.value = formulas[index]
            elif values is not None and values.get(years[index]) is not None:
                cell.value = int(sign * values[years[index]])
            cell.number_format = fmt
        if total_letter and total and (values is not None or formulas is not None):
            cell = sheet[f"{total_letter}{row}"]
            cell.value = f"=SUM({letters[0]}{row}:{letters[-1]}{row})"
            cell.number_format = fmt
        for cell in sheet[row]:
            if font:
                cell.font = font
            if border:
                cell.border = border
        return row

    section_rows = []
    for groups, section_label, _section_total, is_cost in budget.sections:
        sign = -1 if is_cost and negative_costs else 1
        put(section_label, font=Font(bold=True, size=12))
        total_rows = []
        for group in groups:
            if group.group.collapsed:
                total_rows.append(put(group.group.name, group.totals, sign=sign))
                continue
            if group.group.name != section_label:
                put(group.group.name, font=Font(bold=True, italic=True))
            first = row + 1
            for budget_row in group.rows:
                put(budget_row.label, budget_row.amounts, sign=sign)
            last = max(row, first)
            if not group.rows:
                first = last = row  # the heading row: blank cells, so the sum is 0
            total_rows.append(
                put(
                    subtotal_label(group.group.name),
                    formulas=[f"=SUM({letter}{first}:{letter}{last})" for letter in letters],
                    font=bold,
                    border=rule,
                )
            )
        formulas = [
            "=" + "+".join(f"{letter}{r}" for r in total_rows) if total_rows else "=0" for letter in letters
        ]
        section_rows.append(
            put(
                budget.section_total_label(is_cost, lone_subtotal=True),
                formulas=formulas,
                font=bold,
                border=double,
            )
        )
    revenue_row, cost_row = section_rows
    operator = "+" if negative_costs else "-"
    result_row = put(
        _("Resultat"),
        formulas=[f"={letter}{revenue_row}{operator}{letter}{cost_row}" for letter in letters],
        font=Font(bold=True, size=12),
        border=double,
    )
    if plan.opening_equity is not None and letters:
        opening = row + 1
        # The first year's opening equity is the plan's; each later year opens with the year before's close.
        opening_cells = [int(budget.opening_equity[years[0]] or 0)] + [
            f"={letter}{opening + 1}" for letter in letters[:-1]
        ]
        put(_("Eget kapital vid årets början"), formulas=opening_cells, font=Font(italic=True), total=False)
        put(
            _("Eget kapital vid årets slut"),
            formulas=[f"={letter}{opening}+{letter}{result_row}" for letter in letters],
            font=Font(italic=True),
            total=False,
        )

    sheet.column_dimensions["A"].width = (
        max([len(str(cell.value or "")) for cell in sheet["A"][FIRST_ROW - 1 :]] + [30]) + 2
    )
    for letter in [*letters, total_letter] if total_letter else letters:
        sheet.column_dimensions[letter].width = 16
    sheet.freeze_panes = f"B{header + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""budgets.exporter: the .xlsx has the page's rows as values and its totals as formulas that add up to
what budgets.calc computes; exporting and importing it again gives the same budget."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

from budgets.calc import plan_budget
from budgets.exporter import budget_filename, budget_xlsx
from budgets.imports.apply import budget_import_apply
from budgets.imports.files import read_upload
from budgets.imports.parse import parse_text
from plans.models import Plan
from tests.factories import (
    BudgetAmountFactory,
    BudgetColumnFactory,
    BudgetGroupFactory,
    BudgetLineFactory,
    GrantFactory,
    OrganisationFactory,
    PlanFactory,
    PlanInterventionFactory,
)
from tests.test_importer import ORNSKOLDSVIK, ornskoldsvik  # noqa: F401 - the fixture is used by name

D = Decimal


@pytest.fixture
def plan(db):
    plan = PlanFactory(
        first_year=2027, years=3, unit="tkr", decimals=1, costs_negative=True, opening_equity=D(400000)
    )
    association = plan.association
    association.slug = "alfa"
    association.save()
    for name, kind in [
        ("Försäkringskassan", "state"),
        ("Arbetsförmedlingen", "state"),
        ("Region Test", "region"),
        ("Alfa kommun", "municipality"),
        ("Beta kommun", "municipality"),
    ]:
        OrganisationFactory(association=association, name=name, kind=kind)
    columns = [
        BudgetColumnFactory(plan=plan, year=2027, kind="budget", contributions_total=D(5034000)),
        BudgetColumnFactory(plan=plan, year=2028, kind="plan", contributions_total=D(5036001)),
        BudgetColumnFactory(plan=plan, year=2029, kind="plan"),
    ]
    BudgetGroupFactory(plan=plan, section="revenue", kind="contributions", name="Medlemsavgifter", position=1)
    financial = BudgetGroupFactory(
        plan=plan, section="revenue", kind="financial", name="Finansiella intäkter", position=2
    )
    admin = BudgetGroupFactory(plan=plan, kind="administration", name="Administration", position=3)
    decided = BudgetGroupFactory(
        plan=plan, kind="interventions_decided", name="Beslutade insatser", position=4
    )
    lines = [
        (financial, "Ränteintäkter", [1500, None, None]),
        (admin, "Förbundschef", [725000, 735000, 745000]),
        (admin, "Revision", [50000, None, 55500]),
        (decided, "Nya ej beslutade aktiviteter", [810000, 1319000, 3000000]),
    ]
    for group, name, amounts in lines:
        line = BudgetLineFactory(group=group, name=name, undecided="ej beslutade" in name)
        for column, amount in zip(columns, amounts, strict=True):
            if amount is not None:
                BudgetAmountFactory(line=line, column=column, amount=D(amount))
    link = PlanInterventionFactory(plan=plan, intervention__name="Vidare Vy")
    GrantFactory(intervention=link.intervention, year=2027, amount=D(454449))
    GrantFactory(intervention=link.intervention, year=2028, amount=D(455000))
    return Plan.objects.get(pk=plan.pk)


def read(data):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def evaluate(sheet, ref):
    """A cell's value, computing the few formula shapes the export writes (SUM of a range, a sum or
    difference of cells, a reference) from the cells' values."""
    value = sheet[ref].value
    if not (isinstance(value, str) and value.startswith("=")):
        return D(value or 0) if not isinstance(value, str) else D(0)
    expression = value[1:]
    match = re.fullmatch(r"SUM\(([A-Z]+\d+:[A-Z]+\d+)\)", expression)
    if match:
        min_col, min_row, max_col, max_row = range_boundaries(match[1])
        return sum(
            (
                evaluate(sheet, sheet.cell(row, col).coordinate)
                for row in range(min_row, max_row + 1)
                for col in range(min_col, max_col + 1)
            ),
            D(0),
        )
    assert re.fullmatch(r"[A-Z]+\d+(?:[+-][A-Z]+\d+)*|0", expression), expression
    total = D(0)
    for sign, cell in re.findall(r"([+-]?)([A-Z]+\d+)", expression):
        total += -evaluate(sheet, cell) if sign == "-" else evaluate(sheet, cell)
    return total


def row_of(sheet, label, after=0):
    return next(cell.row for cell in sheet["A"] if cell.value == label and cell.row > after)


def test_the_sheet_has_the_pages_header_title_and_format(plan):
    sheet = read(budget_xlsx(plan))
    assert sheet.title == "Budget 2027–2029"
    assert sheet["A1"].value == plan.title
    header = [cell.value for cell in sheet[4]]
    assert header == ["tkr", "Budget 2027", "Plan 2028", "Plan 2029", "Totalt 2027–2029"]
    chief = row_of(sheet, "Förbundschef")
    assert sheet[f"B{chief}"].number_format == "#,##0.0,"  # kronor in the cell, thousands on screen
    assert budget_filename(plan) == "budget-alfa-2027.xlsx"


def test_rows_are_values_and_equal_the_computed_budget(plan):
    budget = plan_budget(plan)
    sheet = read(budget_xlsx(plan, budget))
    for groups, _label, _total, is_cost in budget.sections:
        for group in groups:
            heading = row_of(sheet, group.group.name)
            for row in group.rows:
                found = row_of(sheet, row.label, after=heading)
                for letter, year in zip("BCD", budget.years, strict=True):
                    value = sheet[f"{letter}{found}"].value
                    expected = row.amounts.get(year)
                    if expected is None:
                        assert value is None
                    else:
                        assert isinstance(value, int)  # a value, not a formula
                        assert D(value) == (-expected if is_cost else expected)
    # Computed rows are there as values: the contribution split and the granted intervention.
    assert sheet[f"B{row_of(sheet, 'Försäkringskassan/Arbetsförmedlingen')}"].value == 2517000
    assert sheet[f"B{row_of(sheet, 'Vidare Vy')}"].value == -454449


def test_totals_are_formulas_that_give_the_computed_totals(plan):
    budget = plan_budget(plan)
    sheet = read(budget_xlsx(plan, budget))
    checks = [
        ("Summa intäkter", budget.revenue_total, 1),
        ("Summa kostnader", budget.cost_total, -1),
        ("Resultat", budget.result, 1),
        ("Eget kapital vid årets slut", budget.closing_equity, 1),
        ("Summa administration", budget.cost_groups[0].totals, -1),
    ]
    for label, values, sign in checks:
        row = row_of(sheet, label)
        for letter, year in zip("BCD", budget.years, strict=True):
            cell = sheet[f"{letter}{row}"].value
            assert isinstance(cell, str) and cell.startswith("="), (label, cell)
            assert evaluate(sheet, f"{letter}{row}") == sign * values[year], (label, year)
    result_row = row_of(sheet, "Resultat")
    assert sheet[f"E{result_row}"].value == f"=SUM(B{result_row}:D{result_row})"
    assert evaluate(sheet, f"E{result_row}") == budget.multi_year_total(budget.result)
    opening = row_of(sheet, "Eget kapital vid årets början")
    assert sheet[f"B{opening}"].value == 400000
    assert sheet[f"C{opening}"].value == f"=B{opening + 1}"  # last year's closing equity


def test_costs_print_positive_when_the_plan_says_so(plan):
    Plan.objects.filter(pk=plan.pk).update(costs_negative=False, unit="kr")
    plan.refresh_from_db()
    budget = plan_budget(plan)
    sheet = read(budget_xlsx(plan, budget))
    assert sheet[f"B{row_of(sheet, 'Förbundschef')}"].value == 725000
    assert sheet[f"B{row_of(sheet, 'Förbundschef')}"].number_format == "#,##0"
    result = row_of(sheet, "Resultat")
    assert evaluate(sheet, f"B{result}") == budget.result[2027]


def test_a_collapsed_group_is_one_row_as_on_the_page(plan):
    plan.budget_groups.filter(name="Administration").update(collapsed=True)
    budget = plan_budget(plan)
    sheet = read(budget_xlsx(plan, budget))
    labels = [cell.value for cell in sheet["A"]]
    assert "Förbundschef" not in labels and "Summa administration" not in labels
    assert sheet[f"B{row_of(sheet, 'Administration')}"].value == -775000
    assert evaluate(sheet, f"B{row_of(sheet, 'Summa kostnader')}") == -budget.cost_total[2027]


def rows(budget):
    return [
        (group.group.section, group.group.name, row.label, {y: a for y, a in row.amounts.items()})
        for group in budget.groups
        for row in group.rows
    ]


def test_export_then_import_gives_the_same_budget(plan):
    before = plan_budget(plan)
    text, _source = read_upload("budget-alfa-2027.xlsx", budget_xlsx(plan, before))
    copy = PlanFactory(association=plan.association, first_year=2027, years=3, revision=2)
    report = budget_import_apply(plan=copy, parsed=parse_text(text), by=None)
    copy.refresh_from_db()
    after = plan_budget(copy)
    assert rows(after) == rows(before)
    for name in ("revenue_total", "cost_total", "result", "closing_equity", "contributions"):
        assert getattr(after, name) == getattr(before, name), name
    assert [(c.year, c.kind) for c in after.columns] == [(c.year, c.kind) for c in before.columns]
    assert (copy.unit, copy.decimals, copy.costs_negative) == ("tkr", 1, True)
    assert report.differences == []


def test_a_seed_budget_survives_the_round_trip(ornskoldsvik):  # noqa: F811
    budget_import_apply(plan=ornskoldsvik, parsed=parse_text(ORNSKOLDSVIK), by=None)
    ornskoldsvik.refresh_from_db()
    before = plan_budget(ornskoldsvik)
    text, _source = read_upload("budget.xlsx", budget_xlsx(ornskoldsvik, before))
    copy = PlanFactory(association=ornskoldsvik.association, first_year=2020, years=3, revision=2)
    budget_import_apply(plan=copy, parsed=parse_text(text), by=None)
    after = plan_budget(copy)
    assert rows(after) == rows(before)
    assert after.result == before.result


def test_a_plan_without_a_budget_exports_an_empty_sheet(db):
    plan = PlanFactory()
    sheet = read(budget_xlsx(plan))
    assert sheet.title == "Budget"
    labels = [cell.value for cell in sheet["A"]]
    assert "Summa intäkter" in labels and "Resultat" in labels

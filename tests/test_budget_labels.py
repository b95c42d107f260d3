"""The budget table's labels say what they sum: a group named like its section gets no second
"Summa intäkter", and the multi-year total says when it includes an outcome or forecast year (page, PDF
markup and workbook alike)."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from budgets.calc import plan_budget
from budgets.exporter import FIRST_ROW, budget_xlsx
from budgets.models import BudgetColumn
from plans.document import live_document
from plans.models import Chapter
from tests.factories import (
    BudgetAmountFactory,
    BudgetColumnFactory,
    BudgetGroupFactory,
    BudgetLineFactory,
    PlanFactory,
)

Kind = BudgetColumn.Kind


def budget_plan(*, kinds, revenue_groups):
    plan = PlanFactory(first_year=2021, years=3, opening_equity=None)
    Chapter.objects.create(plan=plan, heading="Budget", kind="budget", level=1, position=1)
    columns = [
        BudgetColumnFactory(plan=plan, year=2020 + index, kind=kind) for index, kind in enumerate(kinds)
    ]
    for position, name in enumerate(revenue_groups):
        group = BudgetGroupFactory(plan=plan, section="revenue", kind="other", name=name, position=position)
        line = BudgetLineFactory(group=group, name=f"Rad i {name}")
        for column in columns:
            BudgetAmountFactory(line=line, column=column, amount=Decimal(1000))
    costs = BudgetGroupFactory(plan=plan, section="costs", kind="administration", name="Kansli", position=9)
    line = BudgetLineFactory(group=costs, name="Lön")
    for column in columns:
        BudgetAmountFactory(line=line, column=column, amount=Decimal(500))
    return plan


def page(plan) -> str:
    return render_to_string("plans/document.html", {"doc": live_document(plan)})


def workbook_labels(plan) -> list[str]:
    sheet = load_workbook(io.BytesIO(budget_xlsx(plan))).active
    return [str(cell.value) for cell in sheet["A"][FIRST_ROW:] if cell.value]


@pytest.mark.django_db
def test_a_group_named_like_its_section_does_not_repeat_the_section_total():
    plan = budget_plan(kinds=[Kind.BUDGET, Kind.PLAN, Kind.PLAN], revenue_groups=["Intäkter", "Ränta"])
    html = page(plan)
    assert html.count(">Summa intäkter<") == 1  # the group's subtotal
    assert html.count(">Summa intäkter totalt<") == 1  # the section's total
    labels = workbook_labels(plan)
    assert labels.count("Summa intäkter") == 1 and labels.count("Summa intäkter totalt") == 1


@pytest.mark.django_db
def test_a_lone_group_keeps_the_plain_section_total_on_the_page_and_distinct_labels_in_the_workbook():
    plan = budget_plan(kinds=[Kind.BUDGET, Kind.PLAN, Kind.PLAN], revenue_groups=["Intäkter"])
    html = page(plan)
    # The page prints no subtotal for a lone group, so the plain label is unambiguous there.
    assert html.count(">Summa intäkter<") == 1 and "Summa intäkter totalt" not in html
    # The workbook prints every group's subtotal (a formula): its section total reads differently.
    labels = workbook_labels(plan)
    assert labels.count("Summa intäkter") == 1 and labels.count("Summa intäkter totalt") == 1


@pytest.mark.django_db
def test_other_group_names_keep_the_plain_labels():
    plan = budget_plan(kinds=[Kind.BUDGET, Kind.PLAN, Kind.PLAN], revenue_groups=["Medlemsavgifter", "Ränta"])
    assert plan_budget(plan).revenue_total_label == "Summa intäkter"
    assert "Summa intäkter totalt" not in page(plan)
    assert "Summa intäkter totalt" not in workbook_labels(plan)


@pytest.mark.django_db
def test_the_multi_year_total_says_it_includes_a_forecast_year():
    plan = budget_plan(kinds=[Kind.FORECAST, Kind.BUDGET, Kind.PLAN, Kind.PLAN], revenue_groups=["Avgifter"])
    budget = plan_budget(plan)
    assert budget.total_includes == "inkl. prognos 2020"
    assert budget.multi_year_total(budget.revenue_total) == Decimal(4000)  # every column, as before
    assert "inkl. prognos 2020" in page(plan)
    sheet = load_workbook(io.BytesIO(budget_xlsx(plan))).active
    assert sheet.cell(FIRST_ROW, 6).value == "Totalt 2020–2023 (inkl. prognos 2020)"


@pytest.mark.django_db
def test_a_budget_and_plan_total_needs_no_note():
    plan = budget_plan(kinds=[Kind.BUDGET, Kind.PLAN, Kind.PLAN], revenue_groups=["Avgifter"])
    assert plan_budget(plan).total_includes == ""
    assert "inkl." not in page(plan)
    sheet = load_workbook(io.BytesIO(budget_xlsx(plan))).active
    assert sheet.cell(FIRST_ROW, 5).value == "Totalt 2020–2022"


@pytest.mark.django_db
def test_the_grid_says_the_same(client):
    """The grid prints every group's subtotal, a lone group's too: a lone group "Intäkter" makes the
    section's total "Summa intäkter totalt", and the total column names the forecast year it includes."""
    plan = budget_plan(kinds=[Kind.FORECAST, Kind.BUDGET, Kind.PLAN, Kind.PLAN], revenue_groups=["Intäkter"])
    client.force_login(User.objects.create_superuser("admin.labels", "a@example.se", "x"))
    html = client.get(reverse("plan_budget_grid", args=[plan.association.slug, plan.pk])).content.decode()
    assert ">Summa intäkter<" in html and ">Summa intäkter totalt<" in html
    assert "inkl. prognos 2020" in html

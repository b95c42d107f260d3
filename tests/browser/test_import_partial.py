"""Importing one year's table into a budget that already has another year, in Chromium: the chief ticks
"Fyll bara tabellens år", previews and imports; the grid then shows both years, the first one as it was,
and a row of the same name joined its line."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from budgets.models import BudgetAmount, BudgetColumn, BudgetLine
from plans.models import Plan
from plans.rollover import plan_rollover

pytestmark = pytest.mark.browser

SLUG = "ostra-varmland"
CHIEF = f"chef.{SLUG}"
NEW_LINE = "Utvärdering av insatserna"


@pytest.fixture
def draft(demo_loader):
    """Östra Värmland's draft for two years, with a budget for the first year only (and last year's
    forecast), as a plan whose document prints one table per year looks after its first table."""
    demo_loader(SLUG)
    adopted = Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)
    plan = plan_rollover(source=adopted, by=None)
    Plan.objects.filter(pk=plan.pk).update(years=2)
    plan.refresh_from_db()
    assert not plan.budget_columns.filter(year=plan.first_year + 1).exists()
    return plan


def amounts_of(plan, year: int) -> dict[str, Decimal]:
    return {
        name: amount
        for name, amount in BudgetAmount.objects.filter(
            line__group__plan=plan, column__year=year
        ).values_list("line__name", "amount")
    }


def test_the_chief_imports_a_second_years_table_and_the_grid_shows_both_years(
    page, draft, login, htmx_settled, axe_check
):
    first, second = draft.first_year, draft.first_year + 1
    before = amounts_of(draft, first)
    line = (
        BudgetLine.objects.filter(group__plan=draft, group__section="costs")
        .order_by("group__position", "position")
        .first()
    )
    table = f"\tPlan {second}\nKostnader\t\n{line.group.name}\t\n{line.name}\t700 000\n{NEW_LINE}\t50 000\n"

    login(page, CHIEF)
    page.goto(f"/f/{SLUG}/planer/{draft.pk}/budget/")
    page.get_by_role("link", name="Importera budget").click()
    page.get_by_label("Klistra in budgettabellen").fill(table)
    page.get_by_label("Fyll bara tabellens år").check()
    page.get_by_role("button", name="Förhandsgranska", exact=True).click()
    preview = page.locator(".import-preview")
    expect(preview).to_contain_text("Importen fyller tabellens år i planens budget")
    axe_check(page, context=".import-preview")
    assert amounts_of(draft, second) == {}  # the preview saved nothing

    page.get_by_role("button", name="Importera").click()
    expect(page.get_by_role("heading", name="Budgeten importerades")).to_be_visible()

    page.goto(f"/f/{SLUG}/planer/{draft.pk}/budget/")
    head = page.locator("#budget-grid thead")
    expect(head).to_contain_text(str(first))
    expect(head).to_contain_text(str(second))
    grid = page.locator("#budget-grid")
    expect(grid.get_by_role("row", name=NEW_LINE)).to_be_visible()
    axe_check(page)

    assert amounts_of(draft, first) == before  # the first year as it was
    assert amounts_of(draft, second) == {line.name: Decimal(700_000), NEW_LINE: Decimal(50_000)}
    assert BudgetLine.objects.filter(group__plan=draft, name=line.name).count() == 1  # joined its line
    assert BudgetColumn.objects.get(plan=draft, year=second).kind == "plan"

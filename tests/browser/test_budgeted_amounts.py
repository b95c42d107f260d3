"""An intervention's budgeted amount in Chromium: the row follows the grant until the chief types another
amount; the grant and the difference are written beside the cell, the totals and the checks follow, and
emptying the cell follows the grant again."""

import pytest
from playwright.sync_api import expect

from budgets.models import BudgetGroup, InterventionBudgetAmount
from plans.models import Plan
from plans.rollover import plan_rollover

pytestmark = pytest.mark.browser

SLUG = "ornskoldsvik"
CHIEF = f"chef.{SLUG}"
NBSP = "\u00a0"


@pytest.fixture
def draft(demo_loader):
    """Örnsköldsvik's 2021 draft rolled over from its adopted 2020 plan: 2020 is kept as a forecast with the
    rounded frames budgeted for Vidare Vy (455 000 kr) and Projekt Äpplet (600 000 kr); in 2021 Projekt
    Äpplet follows its grant of 600 000 kr. The plan is in tkr with one decimal."""
    demo_loader(SLUG)
    adopted = Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)
    return plan_rollover(source=adopted, by=None)


def grid_path(plan):
    return f"/f/{plan.association.slug}/planer/{plan.pk}/budget/"


def kr(text: str) -> str:
    return text.replace(" ", NBSP)


def test_the_chief_budgets_an_amount_and_returns_to_the_grant(page, draft, login, axe_check, htmx_settled):
    decided = draft.budget_groups.get(kind=BudgetGroup.Kind.INTERVENTIONS_DECIDED)
    login(page, CHIEF)
    page.goto(grid_path(draft))
    page.evaluate("window.finsamNoReload = true")

    # The frame carried from 2020 says what it is, in words, next to the cell.
    forecast = page.get_by_label("Vidare Vy, Prognos 2020")
    expect(forecast).to_have_value("455")
    expect(forecast).to_have_accessible_description(kr("Budgeterat. Beviljat 454 449 kr, skillnad +551 kr."))
    expect(page.locator("#budget-grid-checks")).to_contain_text("455")
    axe_check(page)

    cell = page.get_by_label("Projekt Äpplet, Budget 2021")
    expect(cell).to_have_value("600")
    expect(cell).to_have_accessible_description("Följer beviljat belopp.")
    cell.fill("610")
    cell.press("Tab")

    cell = page.get_by_label("Projekt Äpplet, Budget 2021")
    expect(cell).to_have_value("610")
    expect(cell).to_have_accessible_description(kr("Budgeterat. Beviljat 600 000 kr, skillnad +10 000 kr."))
    expect(page.locator(f"#subtotal-{decided.pk}")).to_contain_text(kr("4 005,0"))
    expect(page.locator("#grid-result")).to_contain_text(kr("−10,0"))
    checks = page.locator("#budget-grid-checks")
    expect(checks).to_contain_text(
        kr("Budgeten för 2021 tar upp 610 000 kr för insatsen Projekt Äpplet, 10 000 kr mer än beviljat")
    )
    assert InterventionBudgetAmount.objects.get(column__plan=draft, column__year=2021).amount.amount == 610000
    axe_check(page)

    # Emptying the cell follows the grant again.
    htmx_settled(page)
    cell.fill("")
    cell.press("Enter")
    cell = page.get_by_label("Projekt Äpplet, Budget 2021")
    expect(cell).to_have_value("600")
    expect(cell).to_have_accessible_description("Följer beviljat belopp.")
    expect(page.locator(f"#subtotal-{decided.pk}")).to_contain_text(kr("3 995,0"))
    expect(checks).not_to_contain_text("Budgeten för 2021 tar upp")
    assert not InterventionBudgetAmount.objects.filter(column__plan=draft, column__year=2021).exists()
    assert page.evaluate("window.finsamNoReload === true"), "the page was reloaded"


def test_bad_input_is_refused_at_the_intervention_cell_and_kept(page, draft, login, axe_check):
    login(page, CHIEF)
    page.goto(grid_path(draft))
    cell = page.get_by_label("Projekt Äpplet, Budget 2021")
    cell.fill("sexhundra")
    cell.press("Enter")
    cell = page.get_by_label("Projekt Äpplet, Budget 2021")
    expect(cell).to_have_value("sexhundra")
    expect(cell).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".grid-cell__message")).to_contain_text("siffror")
    expect(page.locator("#budget-grid-status")).to_contain_text("Inte sparat")
    assert not InterventionBudgetAmount.objects.filter(column__plan=draft, column__year=2021).exists()
    axe_check(page)

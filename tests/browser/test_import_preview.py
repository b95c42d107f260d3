"""The budget import's preview in Chromium: a table with a column header finsam does not know is
previewed with that column marked unknown; the chief says what it is (by keyboard, the preview follows
without a reload) and the table imports with that column. Without JavaScript the same form works."""

import pytest
from playwright.sync_api import expect

from budgets.models import BudgetColumn, ImportReading
from plans.models import Plan
from plans.rollover import plan_rollover
from tests.test_import_readings import TABLE

pytestmark = pytest.mark.browser

SLUG = "ostra-varmland"
CHIEF = f"chef.{SLUG}"
UNKNOWN = "Prognos helår 2024 (jan–aug)"


@pytest.fixture
def draft(demo_loader):
    demo_loader(SLUG)
    adopted = Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)
    return plan_rollover(source=adopted, by=None)


def import_path(plan):
    return f"/f/{plan.association.slug}/planer/{plan.pk}/budget/importera/"


def preview(page, plan):
    page.goto(import_path(plan))
    page.get_by_label("Klistra in budgettabellen").fill(TABLE)
    page.get_by_role("button", name="Förhandsgranska", exact=True).click()
    columns = page.locator("table.import-columns")
    expect(columns.get_by_role("row", name=UNKNOWN)).to_contain_text("okänd rubrik, läses inte")
    return columns


def test_a_table_with_an_unknown_column_imports_after_the_chief_marks_it(
    page, draft, login, htmx_settled, axe_check
):
    login(page, CHIEF)
    columns = preview(page, draft)
    axe_check(page, context=".import-readings")
    page.evaluate("window.finsamNoReload = true")
    budget = page.locator("table.budget-table")
    expect(budget.locator("thead")).not_to_contain_text("2024")

    # By keyboard: focus the column's select and choose "Prognos 2024"; the preview is computed again.
    select = page.get_by_label(f"Kolumnen ”{UNKNOWN}” är")
    select.focus()
    select.select_option("2024:forecast")
    htmx_settled(page)
    expect(columns.get_by_role("row", name=UNKNOWN)).to_contain_text("Prognos 2024")
    expect(budget.locator("thead")).to_contain_text("2024")
    expect(page.get_by_label(f"Kolumnen ”{UNKNOWN}” är")).to_be_focused()
    assert page.evaluate("window.finsamNoReload") is True  # no page load: the region was swapped

    page.get_by_role("button", name="Importera").click()
    expect(page.get_by_role("heading", name="Budgeten importerades")).to_be_visible()
    assert (2024, "forecast") in set(BudgetColumn.objects.filter(plan=draft).values_list("year", "kind"))
    assert ImportReading.objects.filter(association=draft.association, kind="column").exists()


def test_without_javascript_the_same_correction_works(browser, live_server, draft, login):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    try:
        login(page, CHIEF)
        preview(page, draft)
        page.get_by_label(f"Kolumnen ”{UNKNOWN}” är").select_option("2024:forecast")
        page.get_by_role("button", name="Förhandsgranska med mina val").click()
        expect(page.locator("table.budget-table thead")).to_contain_text("2024")
        page.get_by_role("button", name="Importera").click()
        expect(page.get_by_role("heading", name="Budgeten importerades")).to_be_visible()
        assert BudgetColumn.objects.filter(plan=draft, year=2024, kind="forecast").exists()
    finally:
        context.close()

"""The budget grid in Chromium: type an amount, press Enter or Tab, and everything that follows from it
changes at once without a reload; a second person's save of the same cell is a conflict with a choice."""

import pytest
from playwright.sync_api import expect

from budgets.models import BudgetLine
from plans.models import Plan
from plans.rollover import plan_rollover

pytestmark = pytest.mark.browser

SLUG = "ostra-varmland"
CHIEF = f"chef.{SLUG}"
NBSP = "\u00a0"
ADMIN_LINE = "Administration och revision (kansli och styrelse)"


@pytest.fixture
def draft(demo_loader):
    """Östra Värmland's 2023 draft rolled over from its adopted 2022 plan: 1 848 000 kr of contributions
    against 1 958 000 kr of costs, so the 2023 budget has a deficit of 110 000 kr."""
    demo_loader(SLUG)
    adopted = Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)
    return plan_rollover(source=adopted, by=None)


def grid_path(plan):
    return f"/f/{plan.association.slug}/planer/{plan.pk}/budget/"


def kr(text: str) -> str:
    return text.replace(" ", NBSP)


def mark_page(page):
    page.evaluate("window.finsamNoReload = true")


def assert_not_reloaded(page):
    assert page.evaluate("window.finsamNoReload === true"), "the page was reloaded"


def test_a_cell_saved_with_tab_updates_subtotal_totals_result_and_checks(page, draft, login, axe_check):
    line = BudgetLine.objects.get(group__plan=draft, name=ADMIN_LINE)
    login(page, CHIEF)
    page.goto(grid_path(draft))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Budget")
    axe_check(page)
    mark_page(page)
    checks = page.locator("#budget-grid-checks")
    expect(checks).to_contain_text("Budgeten för 2023 är inte i balans")

    cell = page.get_by_label(f"{ADMIN_LINE}, Budget 2023")
    cell.click()
    cell.fill("250 000")
    cell.press("Tab")

    subtotal = page.locator(f"#subtotal-{line.group_id}")
    expect(subtotal).to_contain_text(kr("250 000"))
    expect(page.locator("#total-costs")).to_contain_text(kr("1 918 000"))
    expect(page.locator("#grid-result")).to_contain_text(kr("−70 000"))
    expect(page.locator("#budget-grid-status")).to_contain_text(kr("resultat −70 000"))
    expect(checks).to_contain_text(kr("70 000 kr högre än intäkterna"))
    # Tab moved on to the next input, which the answer left alone.
    expect(
        page.locator(f"#cell-{line.pk}-{line.group.plan.budget_columns.get(year=2023).pk}")
    ).not_to_be_focused()
    assert page.evaluate("document.activeElement.tagName") in ("INPUT", "BUTTON", "SUMMARY")

    # Revenue up: the contributions total for 2023 and the deficit warning goes away.
    contributions = page.get_by_label("Medlemsavgifter totalt, Budget 2023")
    contributions.fill("2 000 000")
    contributions.press("Enter")
    expect(page.locator("#total-revenue")).to_contain_text(kr("2 000 000"))
    expect(page.locator("#grid-result")).to_contain_text(kr("82 000"))
    expect(checks).not_to_contain_text("Budgeten för 2023 är inte i balans")
    expect(contributions).not_to_be_focused()  # Enter saves and moves down, as in a spreadsheet
    expect(contributions).to_have_value(kr("2 000 000"))
    # The split of the new total: state 50 %, region 25 %, the municipalities 25 %.
    expect(page.locator("table.budget-grid")).to_contain_text(kr("1 000 000"))
    assert_not_reloaded(page)
    axe_check(page)


def test_invalid_input_is_refused_at_the_cell_and_kept(page, draft, login, axe_check):
    login(page, CHIEF)
    page.goto(grid_path(draft))
    cell = page.get_by_label(f"{ADMIN_LINE}, Budget 2023")
    cell.fill("12,34")
    cell.press("Enter")
    message = page.locator(".grid-cell__message")
    expect(message).to_contain_text("hela kronor")
    cell = page.get_by_label(f"{ADMIN_LINE}, Budget 2023")
    expect(cell).to_have_value("12,34")
    expect(cell).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#total-costs")).to_contain_text(kr("1 958 000"))
    axe_check(page)


def test_a_second_person_saving_the_same_cell_gets_the_conflict(new_page, draft, login):
    first, second = new_page(), new_page()
    for page in (first, second):
        login(page, CHIEF)
        page.goto(grid_path(draft))
    label = f"{ADMIN_LINE}, Budget 2023"
    first.get_by_label(label).fill("300 000")
    first.get_by_label(label).press("Enter")
    expect(first.locator("#total-costs")).to_contain_text(kr("1 968 000"))

    second.get_by_label(label).fill("280 000")
    second.get_by_label(label).press("Enter")
    conflict = second.locator(".grid-cell__message--conflict")
    expect(conflict).to_contain_text(kr("300 000 kr"))
    expect(second.get_by_label(label)).to_have_value("280 000")
    # The second person takes the first person's value.
    conflict.get_by_role("link", name="Använd deras värde").click()
    expect(second.get_by_label(label)).to_have_value(kr("300 000"))
    expect(second.locator(".grid-cell__message--conflict")).to_have_count(0)
    expect(second.locator("#total-costs")).to_contain_text(kr("1 968 000"))


def test_the_grid_works_from_the_keyboard_alone(page, draft, login):
    login(page, CHIEF)
    page.goto(grid_path(draft))
    cell = page.get_by_label(f"{ADMIN_LINE}, Prognos 2022")
    cell.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("280 000")
    page.keyboard.press("Tab")  # saves and moves to the budget year
    expect(page.get_by_label(f"{ADMIN_LINE}, Budget 2023")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("260 000")
    page.keyboard.press("Enter")  # saves and moves down to the same column's next cell
    expect(page.locator("#total-costs")).to_contain_text(kr("1 928 000"))
    expect(page.locator("#total-costs")).to_contain_text(kr("1 948 000"))
    expect(page.get_by_label(f"{ADMIN_LINE}, Budget 2023")).not_to_be_focused()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").endswith(", Budget 2023")
    # Visible focus: the focused input has an outline.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_lines_are_added_renamed_and_removed_in_place(page, draft, login, axe_check):
    login(page, CHIEF)
    page.goto(grid_path(draft))
    mark_page(page)
    page.get_by_label("Ny rad i Administration").fill("Lokalhyra")
    page.get_by_role("button", name="Lägg till rad").first.click()
    cell = page.get_by_label("Lokalhyra, Budget 2023")
    expect(cell).to_be_visible()
    cell.fill("40 000")
    cell.press("Enter")
    expect(page.locator("#total-costs")).to_contain_text(kr("1 998 000"))

    line = BudgetLine.objects.get(group__plan=draft, name="Lokalhyra")
    row = page.locator(f"#rad-{line.pk}")
    row.get_by_role("button", name="Åtgärder för Lokalhyra").click()
    row.get_by_role("menuitem", name="Ändra…").click()
    expect(row.get_by_label("Benämning")).to_be_focused()
    row.get_by_label("Benämning").fill("Lokaler")
    row.get_by_role("button", name="Spara").click()
    expect(page.get_by_label("Lokaler, Budget 2023")).to_have_value(kr("40 000"))
    axe_check(page)

    page.once("dialog", lambda dialog: dialog.accept())
    row = page.locator(f"#rad-{line.pk}")
    row.get_by_role("button", name="Åtgärder för Lokaler").click()
    row.get_by_role("menuitem", name="Ta bort raden…").click()
    expect(page.locator(f"#rad-{line.pk}")).to_have_count(0)
    expect(page.locator("#total-costs")).to_contain_text(kr("1 958 000"))
    assert_not_reloaded(page)


def test_arrows_move_like_a_spreadsheet_and_escape_puts_back_the_saved_value(page, draft, login):
    login(page, CHIEF)
    page.goto(grid_path(draft))
    cell = page.get_by_label(f"{ADMIN_LINE}, Budget 2023")
    saved = cell.input_value()
    cell.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("999 999")
    page.keyboard.press("Escape")  # the saved value back, nothing posted
    expect(cell).to_have_value(saved)
    page.keyboard.press("Tab")
    expect(page.locator("#total-costs")).to_contain_text(kr("1 958 000"))
    cell.focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowLeft")  # at the start of the text: the row's previous cell
    expect(page.get_by_label(f"{ADMIN_LINE}, Prognos 2022")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.press("ArrowRight")  # at the end: the next one
    expect(cell).to_be_focused()
    page.keyboard.press("ArrowDown")  # the same column, the next row with a cell
    below = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert below.endswith(", Budget 2023") and not below.startswith(ADMIN_LINE)
    page.keyboard.press("ArrowUp")
    expect(cell).to_be_focused()

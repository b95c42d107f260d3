"""Number slips in Chromium: a suspicious amount is asked about in its cell, and answered from the
keyboard (Enter takes the suggestion, Shift+Enter keeps the typed amount, Escape cancels) or with the
buttons; a pasted block asks once in a dialog. Nothing is saved until the answer."""

import pytest
from playwright.sync_api import expect

from budgets.models import BudgetAmount, BudgetLine
from plans.models import Plan
from plans.rollover import plan_rollover
from tests.browser.test_budget_grid import ADMIN_LINE, grid_path, kr

pytestmark = pytest.mark.browser

SLUG = "ostra-varmland"
CHIEF = f"chef.{SLUG}"
INTERVENTIONS_LINE = "Individanpassade insatser inklusive beslutade projekt"


@pytest.fixture
def draft(demo_loader):
    """Östra Värmland's 2023 draft (kronor): the administration line holds 290 000 kr in Prognos 2022
    and Budget 2023, the interventions line 1 668 000 kr."""
    demo_loader(SLUG)
    adopted = Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)
    return plan_rollover(source=adopted, by=None)


def stored(plan, name, year):
    amount = BudgetAmount.objects.filter(line__group__plan=plan, line__name=name, column__year=year).first()
    return None if amount is None else amount.amount.amount


def input_id(plan, name, year):
    line = BudgetLine.objects.get(group__plan=plan, name=name)
    return f"cell-{line.pk}-{plan.budget_columns.get(year=year).pk}"


def test_enter_takes_the_suggested_reading_in_a_tkr_plan(page, draft, login, axe_check):
    Plan.objects.filter(pk=draft.pk).update(unit=Plan.Unit.TKR)
    login(page, CHIEF)
    page.goto(grid_path(draft))
    expect(page.locator(".lead")).to_contain_text("1258,5")
    cell = page.get_by_label(f"{ADMIN_LINE}, Budget 2023")
    cell.fill("1 258 500")
    cell.press("Enter")
    question = page.locator(".grid-cell__message--slip")
    expect(question).to_contain_text(kr("Menade du 1 258,5 tkr?"))
    expect(page.locator("#budget-grid-status")).to_contain_text("Inte sparat ännu")
    cell = page.get_by_label(f"{ADMIN_LINE}, Budget 2023")
    expect(cell).to_have_value("1 258 500")
    expect(cell).to_be_focused()
    axe_check(page)
    assert stored(draft, ADMIN_LINE, 2023) == 290000

    cell.press("Enter")
    expect(question).to_have_count(0)
    expect(page.get_by_label(f"{ADMIN_LINE}, Budget 2023")).to_have_value(kr("1 258,5"))
    expect(page.get_by_label(f"{ADMIN_LINE}, Budget 2023")).to_be_focused()
    expect(page.locator("#budget-grid-status")).to_contain_text("Sparat.")
    assert stored(draft, ADMIN_LINE, 2023) == 1258500


def test_shift_enter_keeps_the_typed_amount_after_tab(page, draft, login):
    login(page, CHIEF)
    page.goto(grid_path(draft))
    cell = page.get_by_label(f"{ADMIN_LINE}, Budget 2023")
    cell.fill("30 000 000")
    cell.press("Tab")  # saves on change, and the question takes the focus back: nothing is saved yet
    question = page.locator(".grid-cell__message--slip")
    expect(question).to_contain_text(kr("Menade du 30 000 kr?"))
    expect(question).to_contain_text(kr("det största beloppet på raden (290 000 kr)"))
    cell = page.get_by_label(f"{ADMIN_LINE}, Budget 2023")
    expect(cell).to_be_focused()
    cell.press("Shift+Enter")
    expect(question).to_have_count(0)
    expect(page.get_by_label(f"{ADMIN_LINE}, Budget 2023")).to_have_value(kr("30 000 000"))
    expect(page.locator("#total-costs")).to_contain_text(kr("31 668 000"))
    assert stored(draft, ADMIN_LINE, 2023) == 30000000


def test_escape_cancels_and_the_cell_shows_what_is_saved(page, draft, login):
    login(page, CHIEF)
    page.goto(grid_path(draft))
    cell = page.get_by_label(f"{ADMIN_LINE}, Budget 2023")
    cell.fill("-50 000")
    cell.press("Enter")
    question = page.locator(".grid-cell__message--slip")
    expect(question).to_contain_text(
        kr("Menade du 50 000 kr, eller −50 000 kr som en minskning av kostnaderna?")
    )
    page.get_by_label(f"{ADMIN_LINE}, Budget 2023").press("Escape")
    expect(question).to_have_count(0)
    cell = page.get_by_label(f"{ADMIN_LINE}, Budget 2023")
    expect(cell).to_have_value(kr("290 000"))
    expect(cell).to_be_focused()
    assert stored(draft, ADMIN_LINE, 2023) == 290000


def test_on_a_phone_the_question_is_answered_with_its_buttons(browser, live_server, draft, login, axe_check):
    context = browser.new_context(
        base_url=live_server.url, locale="sv-SE", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    try:
        login(page, CHIEF)
        page.goto(grid_path(draft))
        cell = page.get_by_label(f"{ADMIN_LINE}, Budget 2023")
        cell.fill("-50 000")
        cell.press("Enter")
        question = page.locator(".grid-cell__message--slip")
        button = question.get_by_role("button", name=kr("Spara 50 000 kr"))
        button.scroll_into_view_if_needed()
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box["width"] <= 390 and box["height"] >= 20
        axe_check(page)
        button.click()
        expect(question).to_have_count(0)
        expect(page.get_by_label(f"{ADMIN_LINE}, Budget 2023")).to_have_value(kr("50 000"))
        assert stored(draft, ADMIN_LINE, 2023) == 50000
    finally:
        context.close()


def paste(page, target_id: str, text: str) -> None:
    """Paste `text` into the input as the clipboard would (a ClipboardEvent with its data)."""
    page.evaluate(
        """([id, text]) => {
            const input = document.getElementById(id);
            input.focus();
            const data = new DataTransfer();
            data.setData("text/plain", text);
            input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        [target_id, text],
    )


# Two rows × two columns from Excel: the administration line and the interventions line, 2022 and 2023.
BLOCK = "300 000\t40 000 000\r\n1 700 000\t-5\r\n"


def test_a_pasted_block_asks_once_and_enter_saves_the_suggestions(page, draft, login, axe_check):
    login(page, CHIEF)
    page.goto(grid_path(draft))
    origin = input_id(draft, ADMIN_LINE, 2022)
    paste(page, origin, BLOCK)
    dialog = page.get_by_role("dialog", name="Stämmer de inklistrade beloppen?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("2 belopp ser ut att vara fel")
    rows = dialog.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(ADMIN_LINE)
    expect(rows.nth(0)).to_contain_text(kr("40 000 000 kr"))
    expect(rows.nth(0)).to_contain_text(kr("40 000 kr"))
    expect(rows.nth(1)).to_contain_text(INTERVENTIONS_LINE)
    expect(rows.nth(1)).to_contain_text("−5")
    expect(dialog.get_by_role("button", name="Spara förslagen")).to_be_focused()
    axe_check(page)
    assert stored(draft, ADMIN_LINE, 2022) == 290000  # nothing saved yet

    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#budget-grid-status")).to_contain_text("Inklistrat: 4 celler ändrades.")
    assert stored(draft, ADMIN_LINE, 2022) == 300000
    assert stored(draft, ADMIN_LINE, 2023) == 40000
    assert stored(draft, INTERVENTIONS_LINE, 2022) == 1700000
    assert stored(draft, INTERVENTIONS_LINE, 2023) == 5
    expect(page.locator(f"#{origin}")).to_have_value(kr("300 000"))
    expect(page.locator(f"#{origin}")).to_be_focused()


def test_a_pasted_block_is_kept_as_pasted_with_shift_enter_or_dropped_with_escape(page, draft, login):
    login(page, CHIEF)
    page.goto(grid_path(draft))
    origin = input_id(draft, ADMIN_LINE, 2022)
    paste(page, origin, BLOCK)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator(f"#{origin}")).to_be_focused()
    expect(page.locator(f"#{origin}")).to_have_value(kr("290 000"))
    assert stored(draft, ADMIN_LINE, 2022) == 290000 and stored(draft, ADMIN_LINE, 2023) == 290000

    paste(page, origin, BLOCK)
    expect(dialog).to_be_visible()
    page.keyboard.press("Shift+Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#budget-grid-status")).to_contain_text("Inklistrat: 4 celler ändrades.")
    assert stored(draft, ADMIN_LINE, 2023) == 40000000
    assert stored(draft, INTERVENTIONS_LINE, 2023) == -5


def test_a_pasted_block_without_slips_is_saved_at_once(page, draft, login):
    login(page, CHIEF)
    page.goto(grid_path(draft))
    origin = input_id(draft, ADMIN_LINE, 2023)
    paste(page, origin, "280 000\n1 600 000\n")
    expect(page.locator("#budget-grid-status")).to_contain_text("Inklistrat: 2 celler ändrades.")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.locator("#total-costs")).to_contain_text(kr("1 880 000"))
    assert stored(draft, INTERVENTIONS_LINE, 2023) == 1600000

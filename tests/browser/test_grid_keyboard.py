"""The budget grid from the keyboard alone: Tab goes from cell to cell (a row's actions are one menu button
that is no tab stop, opened with Shift+F10 from the row's cells), and Ctrl+Z or "Ångra" takes back the
user's own last changes, also after a reload."""

import pytest
from playwright.sync_api import expect

from budgets.models import BudgetLine
from tests.browser.conftest import htmx_settled
from tests.browser.test_budget_grid import ADMIN_LINE, CHIEF, draft, grid_path, kr  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_tab_goes_from_cell_to_cell_and_the_row_menu_moves_a_row(page, draft, login, axe_check):  # noqa: F811
    admin = BudgetLine.objects.get(group__plan=draft, name=ADMIN_LINE).group
    BudgetLine.objects.create(group=admin, name="Lokalhyra", position=99)
    lines = list(admin.lines.order_by("position"))
    login(page, CHIEF)
    page.goto(grid_path(draft))
    cells = page.locator(f"#lines-{admin.pk} .grid-input")
    ids = cells.evaluate_all("inputs => inputs.map(input => input.id)")
    assert len(ids) >= 4
    page.locator(f"#{ids[0]}").focus()
    for expected in ids[1:]:  # across the rows too: no stop for ↑, ↓, Ändra or the menu button
        page.keyboard.press("Tab")
        assert focused_id(page) == expected

    second = lines[1]
    first_cell = page.locator(f"#rad-{second.pk} .grid-input").first
    first_cell.focus()
    page.keyboard.press("Shift+F10")
    button = page.get_by_role("button", name=f"Åtgärder för {second.name}")
    expect(button).to_have_attribute("aria-expanded", "true")
    menu = page.get_by_role("menu")
    expect(menu.get_by_role("menuitem", name="Flytta upp")).to_be_focused()
    axe_check(page)
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("menuitem", name="Flytta ned")).to_be_focused()
    page.keyboard.press("Escape")  # closed, the focus back in the cell
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(first_cell).to_be_focused()

    page.keyboard.press("Shift+F10")
    expect(page.get_by_role("menuitem", name="Flytta upp")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#lines-{admin.pk} > tr").first).to_have_id(f"rad-{second.pk}")
    expect(page.locator(f"#rad-{second.pk} .grid-input").first).to_be_focused()
    assert admin.lines.order_by("position").first() == second


def test_ctrl_z_takes_back_the_last_change_and_angra_still_offers_the_one_before_after_a_reload(
    page,
    draft,  # noqa: F811
    login,
    axe_check,
):
    login(page, CHIEF)
    page.goto(grid_path(draft))
    undo = page.locator("#grid-undo")
    expect(undo).to_contain_text("Inget att ångra.")
    first = page.get_by_label(f"{ADMIN_LINE}, Budget 2023")
    first_saved = first.input_value()
    first.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("250 000")
    page.keyboard.press("Enter")  # saved, down to the next row's cell
    expect(undo).to_contain_text(ADMIN_LINE)
    below_id = focused_id(page)
    below = page.locator(f"#{below_id}")
    below_saved = below.input_value()
    page.keyboard.press("Control+A")
    page.keyboard.type("123")
    page.keyboard.press(
        "Shift+Tab"
    )  # saved, back to the row's previous cell (not edited: Ctrl+Z is the grid's)
    expect(undo.get_by_role("button")).to_contain_text(kr("123 kr"))
    expect(undo.locator("form button")).to_have_count(1)  # the button swapped in is still in its form
    # Until htmx has wired up the button it swapped in, pressing it posts the form without htmx (a full
    # page load, which undoes as well but announces nothing in the grid's status).
    htmx_settled(page)
    page.keyboard.press("Control+Z")
    expect(below).to_have_value(below_saved)
    expect(undo.get_by_role("button")).to_contain_text(ADMIN_LINE)
    expect(page.locator("#budget-grid-status")).to_contain_text("Ångrat")
    assert focused_id(page) != below_id and focused_id(page).startswith("cell-")  # the focus stays put

    page.reload()
    button = page.locator("#grid-undo").get_by_role("button")
    expect(button).to_contain_text(f"{ADMIN_LINE}, Budget 2023")
    expect(button).to_contain_text(kr("250 000 kr"))
    axe_check(page)
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label(f"{ADMIN_LINE}, Budget 2023")).to_have_value(first_saved)
    expect(page.locator("#grid-undo")).to_contain_text("Inget att ångra.")

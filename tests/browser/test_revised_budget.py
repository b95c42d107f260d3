"""A revised budget during the year in Chromium: the chief starts one from the adopted plan, changes one
cell, sends it; the board approves and the chair records the decision; the follow-up then compares with
the revised budget and shows the original beside it."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from budgets.models import BudgetLine
from plans.models import Plan

pytestmark = pytest.mark.browser

SLUG = "ornskoldsvik"
LINE = "Uppdragsersättning förbundschef 100 %"  # 725 000 kr in the adopted 2020 budget (tkr, one decimal)


@pytest.fixture
def adopted(demo_loader):
    demo_loader(SLUG)
    return Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)


def path(plan, page=""):
    return f"/f/{SLUG}/planer/{plan.pk}/{page}"


def status_badge(page):
    return page.locator(".review-panel .plan-status .badge")


def test_the_board_adopts_a_revised_budget_and_the_follow_up_shows_both(
    new_page, adopted, login, axe_check, htmx_settled
):
    chief, board, chair = new_page(), new_page(), new_page()

    # The chief starts a revised budget from the adopted plan and lands in its budget.
    login(chief, f"chef.{SLUG}")
    chief.goto(path(adopted, "granskning/"))
    expect(chief.get_by_role("button", name="Skapa ny version")).to_be_visible()
    chief.get_by_role("button", name="Reviderad budget").click()
    expect(chief.get_by_role("heading", level=1)).to_contain_text("Budget")
    expect(chief.locator("#messages")).to_contain_text("reviderad budget")
    expect(chief.locator("#reviderad-budget")).to_be_visible()
    revision = Plan.objects.get(revision_of=adopted)
    assert revision.budget_only
    axe_check(chief)

    # One cell changes: 725 → 760 tkr.
    cell = chief.get_by_label(f"{LINE}, Budget 2020")
    cell.click()
    cell.fill("760")
    cell.press("Tab")
    expect(chief.locator("#budget-grid-status")).to_contain_text("Sparat", timeout=10000)
    line = BudgetLine.objects.get(group__plan=revision, name=LINE)
    assert line.amounts.get(column__year=2020).amount.amount == 760000

    # Its editor says that only the budget changes, and offers no text edits.
    chief.goto(path(revision, "redigera/"))
    expect(chief.locator("#reviderad-budget")).to_contain_text("ändrar bara budgeten")
    expect(chief.get_by_role("link", name="Ändra inställningar")).to_have_count(0)
    axe_check(chief)

    chief.goto(path(revision, "granskning/"))
    chief.get_by_role("button", name="Skicka till styrelsen").click()
    expect(status_badge(chief)).to_have_text("Under granskning")

    # The board member approves; the chair records the decision with its date and paragraph.
    login(board, f"ledamot.{SLUG}")
    board.goto(path(revision, "granskning/"))
    board.get_by_role("button", name="Tillstyrk").click()
    expect(status_badge(board)).to_have_text("Tillstyrkt")

    login(chair, f"ordforande.{SLUG}")
    chair.goto(path(revision, "granskning/"))
    today = timezone.localdate().isoformat()
    chair.get_by_label("Styrelsens beslut, datum").fill(today)
    chair.get_by_label("Paragraf i protokollet").fill("§17")
    chair.get_by_role("button", name="Registrera fastställande").click()
    expect(status_badge(chair)).to_have_text("Fastställd")
    adopted.refresh_from_db()
    assert adopted.state == Plan.State.SUPERSEDED

    # The follow-up of the old version leads to the revised one, with the original budget beside it.
    chair.goto(path(adopted, "uppfoljning/"))
    expect(chair).to_have_url(f"{chair.url.split('/f/')[0]}{path(revision, 'uppfoljning/')}")
    expect(chair.locator("#reviderad-budget")).to_contain_text(f"fastställd {today} §17")
    header = chair.locator("#budget-grid thead")
    expect(header).to_contain_text("Ursprunglig budget")
    expect(header).to_contain_text("Reviderad budget")
    row = chair.locator(f"#rad-line-{line.lineage.hex}")
    expect(row.locator("td").nth(0)).to_have_text("725,0")
    expect(row.locator("td").nth(1)).to_have_text("760,0")
    axe_check(chair)

"""The follow-up grid in Chromium: the chief types outcome and a forecast in the adopted plan's grid and sees
the sums, the deviation and the equity forecast change without a reload; the board reads the same page."""

import pytest
from playwright.sync_api import expect

from budgets.models import BudgetLine
from plans.models import Plan

pytestmark = pytest.mark.browser

SLUG = "ornskoldsvik"
CHIEF = f"chef.{SLUG}"
NBSP = "\u00a0"
LINE = "Uppdragsersättning förbundschef 100 %"  # 725 000 kr in the adopted 2020 budget


@pytest.fixture
def adopted(demo_loader):
    demo_loader(SLUG)
    return Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)


def followup_path(plan):
    return f"/f/{SLUG}/planer/{plan.pk}/uppfoljning/"


def kr(text: str) -> str:
    return text.replace(" ", NBSP)


def test_the_chief_enters_outcome_and_a_forecast_and_sees_the_deviation(page, adopted, login, axe_check):
    line = BudgetLine.objects.get(group__plan=adopted, name=LINE)
    key = f"line-{line.lineage.hex}"
    login(page, CHIEF)
    page.goto(followup_path(adopted))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uppföljning av budget 2020")
    axe_check(page)
    page.evaluate("window.finsamNoReload = true")

    # The plan is in tkr with one decimal: 240 is 240 000 kr. Tab saves and moves on.
    first = page.get_by_label(f"{LINE}, utfall T1 jan–apr")
    first.fill("240")
    first.press("Tab")
    expect(page.locator(f"#hittills-{key}")).to_contain_text("240,0")
    # Enter saves and moves down, as in the budget grid (static/js/grid.js).
    second = page.get_by_label(f"{LINE}, utfall T2 maj–aug")
    second.fill("250")
    second.press("Enter")
    expect(page.locator(f"#hittills-{key}")).to_contain_text("490,0")
    expect(second).not_to_be_focused()

    forecast = page.get_by_label(f"{LINE}, prognos helår", exact=True)
    forecast.fill("800")
    # Straight on to the comment, in its own cell: leaving the forecast saves it, and the comment's save
    # waits for that answer (and its version).
    comment = page.get_by_label(f"Kommentar till {LINE}, prognos helår")
    comment.fill("Förstärkt tjänst under våren")
    comment.press("Enter")

    # 75 000 kr over a budget of 725 000 kr (10,3 %): over both of the default limits.
    expect(page.locator(f"#avvikelse-{key}")).to_contain_text("Avviker")
    deviations = page.locator("#uppfoljning-sammanfattning")
    expect(deviations).to_contain_text(LINE)
    expect(deviations).to_contain_text(kr("avvikelse 75 000 kr"))
    expect(deviations).to_contain_text("10,3 %")
    expect(deviations).to_contain_text("Förstärkt tjänst under våren")
    expect(deviations).to_contain_text("Vid årets slut enligt prognos")
    assert page.evaluate("window.finsamNoReload === true"), "the page was reloaded"

    # Bad input: a Swedish message, the text kept, nothing saved.
    third = page.get_by_label(f"{LINE}, utfall T3 sep–dec")
    third.fill("tolv")
    third.press("Tab")
    expect(page.locator(f"#td-utfall-{key}-3")).to_contain_text("Skriv")
    expect(page.get_by_label(f"{LINE}, utfall T3 sep–dec")).to_have_value("tolv")
    axe_check(page)

    # At 390 px the page does not scroll sideways; the table scrolls in its own box.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The association's period and limits, a page of its own.
    page.get_by_role("link", name="Uppföljningens period och avvikelsegränser").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uppföljningens inställningar")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe_check(page)


def test_the_board_reads_the_follow_up_without_inputs(page, adopted, login, axe_check):
    login(page, f"ledamot.{SLUG}")
    page.goto(followup_path(adopted))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uppföljning av budget 2020")
    expect(page.locator("input.grid-input")).to_have_count(0)
    expect(page.locator("#uppfoljning-sammanfattning")).to_contain_text("Inga avvikelser")
    axe_check(page)

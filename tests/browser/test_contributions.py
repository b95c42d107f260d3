"""The member contributions page in Chromium: the chief sets a key and the split rows change without a
reload; an override shows as "(justerad)" with its reason; without JavaScript the same forms work."""

import re

import pytest
from playwright.sync_api import expect

from budgets.models import ContributionKeyValue
from plans.models import Plan
from plans.rollover import plan_rollover

pytestmark = pytest.mark.browser

SLUG = "ostra-varmland"
CHIEF = f"chef.{SLUG}"
NBSP = "\u00a0"


def kr(text: str) -> str:
    return re.sub(r"(?<=\d) (?=\d)", NBSP, text)


@pytest.fixture
def draft(demo_loader):
    """Östra Värmland's 2023 draft rolled over from its adopted 2022 plan: 1 848 000 kr of contributions in
    the 2022 forecast and the 2023 budget, shared by Filipstad and Storfors on one row (462 000 kr)."""
    demo_loader(SLUG)
    adopted = Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)
    return plan_rollover(source=adopted, by=None)


def page_path(plan):
    return f"/f/{plan.association.slug}/planer/{plan.pk}/budget/medlemsavgifter/"


def test_the_chief_sets_a_key_and_the_split_rows_change(page, draft, login, axe_check):
    login(page, CHIEF)
    page.goto(f"/f/{SLUG}/planer/{draft.pk}/budget/")
    page.get_by_role("link", name="Medlemsavgifter och fördelningsnyckel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Medlemsavgifter och fördelningsnyckel")
    split = page.locator("#contribution-split")
    expect(split.get_by_role("row", name=re.compile("^Kommunerna"))).to_contain_text(kr("462 000"))
    axe_check(page)
    page.evaluate("window.finsamNoReload = true")

    # The first factor, then one more (the new factor's name gets the focus), then save.
    page.get_by_label("Namn på fördelningsgrund 1").fill("Befolkning 16–64 år")
    page.get_by_label("Vikt i procent, fördelningsgrund 1").fill("25")
    page.get_by_label("Filipstads kommun, värde i fördelningsgrund 1").fill("6 000")
    page.get_by_label("Storfors kommun, värde i fördelningsgrund 1").fill("2 400")
    page.get_by_role("button", name="Lägg till fördelningsgrund").click()
    expect(page.get_by_label("Namn på fördelningsgrund 2")).to_be_focused()
    expect(page.get_by_label("Namn på fördelningsgrund 1")).to_have_value("Befolkning 16–64 år")
    page.get_by_label("Namn på fördelningsgrund 2").fill("Försörjningsmått")
    page.get_by_label("Vikt i procent, fördelningsgrund 2").fill("70")
    page.get_by_label("Filipstads kommun, värde i fördelningsgrund 2").fill("100")
    page.get_by_label("Storfors kommun, värde i fördelningsgrund 2").fill("300")
    page.get_by_role("button", name="Spara nyckeln").click()

    # Weights of 95 %: refused, the input kept, the split unchanged.
    expect(page.locator("#nyckel-fel")).to_contain_text("Vikterna summerar till 95 %")
    expect(page.get_by_label("Vikt i procent, fördelningsgrund 2")).to_have_value("70")
    expect(split.get_by_role("row", name=re.compile("^Kommunerna"))).to_be_visible()
    assert not ContributionKeyValue.objects.filter(factor__plan=draft).exists()

    page.get_by_label("Vikt i procent, fördelningsgrund 2").fill("75")
    page.get_by_role("button", name="Spara nyckeln").click()
    expect(page.locator("#messages")).to_contain_text("Fördelningsnyckeln sparades")
    # 25 % × 6 000/8 400 + 75 % × 100/400 = 36,6 % of 462 000 kr for Filipstad, the rest for Storfors.
    expect(split.get_by_role("row", name="Filipstads kommun")).to_contain_text(kr("169 125"))
    expect(split.get_by_role("row", name="Storfors kommun")).to_contain_text(kr("292 875"))
    expect(split.get_by_role("row", name=re.compile("^Kommunerna"))).to_have_count(0)
    expect(page.locator("#contribution-sum")).to_contain_text(kr("1 848 000"))
    assert page.evaluate("window.finsamNoReload === true"), "the page was reloaded"
    axe_check(page)

    # An override of Storfors 2023, with its reason; the sum follows.
    page.get_by_label("År", exact=True).select_option(label="Budget 2023")
    page.get_by_label("Del", exact=True).select_option(label="Storfors kommun")
    page.get_by_label("Belopp i kronor").fill("300 000")
    page.get_by_label("Skäl", exact=True).fill("Avtal med kommunen")
    page.get_by_role("button", name="Justera delen").click()
    storfors = split.get_by_role("row", name=re.compile("^Storfors kommun"))
    expect(storfors).to_contain_text("(justerad)")
    expect(storfors).to_contain_text("Justerad 2023: Avtal med kommunen")
    expect(page.locator("#contribution-sum")).to_contain_text(kr("1 855 125"))
    assert page.evaluate("window.finsamNoReload === true"), "the page was reloaded"
    axe_check(page)


def test_without_javascript_the_forms_post_and_come_back(browser, live_server, draft, login):
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, CHIEF)
        page.goto(page_path(draft))
        page.get_by_label("Namn på fördelningsgrund 1").fill("Fast andel")
        page.get_by_label("Vikt i procent, fördelningsgrund 1").fill("100")
        page.get_by_label("Filipstads kommun, värde i fördelningsgrund 1").fill("1")
        page.get_by_label("Storfors kommun, värde i fördelningsgrund 1").fill("3")
        with page.expect_navigation():
            page.get_by_role("button", name="Spara nyckeln").click()
        expect(page.locator("#messages")).to_contain_text("Fördelningsnyckeln sparades")
        split = page.locator("#contribution-split")
        expect(split.get_by_role("row", name="Filipstads kommun")).to_contain_text(kr("115 500"))
        expect(split.get_by_role("row", name="Storfors kommun")).to_contain_text(kr("346 500"))
    finally:
        context.close()

"""The start page in Chromium (issue 15, item 1): a board member sees the version waiting for their stance,
counted in the navigation, and reaches its review in one click; the chief adds a date to the calendar
and sees it on the start page; axe-clean, and no sideways scrolling at 390 px."""

import pytest
from playwright.sync_api import expect

from plans import review
from plans.models import Plan
from plans.rollover import plan_rollover

pytestmark = pytest.mark.browser

SLUG = "ostra-varmland"


@pytest.fixture
def sent(demo_loader):
    """Next year's plan of Östra Värmland, sent to the board as version 1."""
    demo_loader(SLUG)
    adopted = Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)
    draft = plan_rollover(source=adopted, by=None)
    chief = adopted.association.memberships.get(role="chief").user
    review.plan_submit(plan=draft, by=chief, notify=False)
    return draft


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide at 390 px"


def test_a_board_member_reaches_the_waiting_version_in_one_click(page, sent, login, axe_check):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, f"ledamot.{SLUG}")
    page.goto("/")
    expect(page.locator(".user-nav")).to_contain_text("Att granska 1")
    link = page.get_by_role("link", name=f"Granska {sent.title}, version 1")
    expect(link).to_be_visible()
    axe_check(page)
    no_sideways_scroll(page)

    link.click()
    expect(page).to_have_url(f"/f/{SLUG}/planer/{sent.pk}/granskning/")
    expect(page.get_by_role("button", name="Tillstyrk")).to_be_visible()


def test_the_chief_adds_a_date_and_sees_it_on_the_start_page(page, sent, login, axe_check, htmx_settled):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, f"chef.{SLUG}")
    page.goto("/")
    expect(page.get_by_role("heading", name="Planer under arbete")).to_be_visible()
    axe_check(page)
    no_sideways_scroll(page)

    page.get_by_role("link", name="Ändra årshjulet").click()
    htmx_settled(page)
    axe_check(page)
    no_sideways_scroll(page)
    # A mistake first: the error is said at the field and what was typed stays.
    page.get_by_label("Typ").select_option("other")
    page.get_by_label("Datum", exact=True).fill("2099-10-20")
    page.get_by_role("button", name="Lägg till").click()
    htmx_settled(page)
    expect(page.locator("#kalender")).to_contain_text("Skriv vad som händer den dagen.")
    expect(page.get_by_label("Datum", exact=True)).to_have_value("2099-10-20")
    axe_check(page)

    page.get_by_label("Beskrivning").fill("Medlemssamråd om budgeten")
    page.get_by_role("button", name="Lägg till").click()
    htmx_settled(page)
    expect(page.locator("#messages")).to_contain_text("Sparat: 2099-10-20 Medlemssamråd om budgeten.")
    expect(page.locator("#kalender table")).to_contain_text("Medlemssamråd om budgeten")

    # Changed in place, from the keyboard: the form comes with the focus in its first field.
    page.get_by_role("link", name="Ändra 2099-10-20 Medlemssamråd om budgeten").press("Enter")
    htmx_settled(page)
    expect(page.get_by_label("Datum", exact=True)).to_be_focused()
    page.get_by_label("Beskrivning").fill("Medlemssamråd om budget och plan")
    page.get_by_label("Beskrivning").press("Enter")
    htmx_settled(page)
    expect(page.locator("#kalender table")).to_contain_text("Medlemssamråd om budget och plan")
    axe_check(page)

    page.goto("/")
    expect(page.locator(".inbox__dates")).to_contain_text("Medlemssamråd om budget och plan")

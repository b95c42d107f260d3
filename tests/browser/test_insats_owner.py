"""An insats owner (insatsansvarig) in Chromium, on the demo's adopted Örnsköldsvik 2020 plan: the chief invites
them from one insats's own page by e-mail address (a bad address first gets a Swedish message), they follow
the e-mailed link and land on their own insatser with that insats there; they report its participants
(planned and reached: women, men, not stated) and its yearly report, a bad value getting a Swedish message with what they typed kept; every other
page of the association is refused them with the friendly refusal page; the chief sees their figures in
the insatser's follow-up. The owner's pages are axe-clean and fit 390 px."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from finsam.models import Invitation
from interventions.models import Intervention, InterventionYear
from plans.models import Plan

pytestmark = pytest.mark.browser

SLUG = "ornskoldsvik"
ADDRESS = "ida.insats@ovik.example.se"
PASSWORD = "Samtalsbyran-2020!"
INSATS = "Samtalsbyrån för unga"
OTHER = "Plattform U"


@pytest.fixture(autouse=True)
def _queue_pdfs_without_rendering(settings):
    """Loading the demo queues the adopted plan's archival PDF; rendering it is tested with the PDF."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def adopted(demo_loader):
    demo_loader(SLUG)
    return Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)


def url(name, **kwargs):
    return reverse(name, kwargs={"association": SLUG, **kwargs})


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide at 390 px"


def invitation_path(address: str) -> str:
    messages = [message for message in mail.outbox if message.to == [address]]
    assert messages, f"no invitation mailed to {address}: {[m.to for m in mail.outbox]}"
    link = re.search(r"https?://\S+/inbjudan/\S+/", messages[-1].body).group(0)
    return "/" + link.split("/", 3)[3]


def test_an_insats_owner_reports_participants_and_sees_nothing_else(
    new_page, adopted, login, axe_check, htmx_settled
):
    insats = Intervention.objects.get(association__slug=SLUG, name=INSATS)
    other = Intervention.objects.get(association__slug=SLUG, name=OTHER)
    report_path = url("intervention_year_edit", pk=insats.pk, year=2020)

    # The chief invites her from the insats's own page, by e-mail address: a bad address first.
    chief = new_page()
    login(chief, f"chef.{SLUG}")
    chief.goto(url("intervention_detail", pk=insats.pk))
    owners = chief.locator("#intervention-owners")
    chief.evaluate("window.samePage = true")  # gone if the page were loaded again instead of swapped
    address = owners.get_by_label("E-postadress")
    address.fill("ida.insats@")
    owners.get_by_role("button", name="Bjud in som insatsansvarig").click()
    expect(owners).to_contain_text("Skriv en giltig e-postadress.")
    htmx_settled(chief)
    expect(owners.get_by_label("E-postadress")).to_have_value("ida.insats@")
    assert not Invitation.objects.exists() and not mail.outbox
    owners.get_by_label("E-postadress").fill(ADDRESS)
    owners.get_by_role("button", name="Bjud in som insatsansvarig").click()
    expect(chief.locator("#messages")).to_contain_text(f"En inbjudan har skickats till {ADDRESS}")
    expect(owners.locator(".owner-invitations")).to_contain_text(ADDRESS)
    htmx_settled(chief)
    assert chief.evaluate("window.samePage === true"), "htmx did not swap the region in place"
    axe_check(chief, context="#intervention-owners")
    # The region fits a phone's width (the chief's whole page holds the wide grants table).
    chief.set_viewport_size({"width": 390, "height": 844})
    width = chief.evaluate("document.querySelector('#intervention-owners').scrollWidth")
    assert width <= 390, f"the insats owners region is {width} px wide at 390 px"

    # She follows the e-mailed link, sets a password and lands on her insatser, with the insats there.
    owner = new_page()
    owner.set_viewport_size({"width": 390, "height": 844})
    owner.goto(invitation_path(ADDRESS))
    owner.get_by_label("Förnamn").fill("Ida")
    owner.get_by_label("Efternamn").fill("Insats")
    owner.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    owner.get_by_label("Lösenordet igen").fill(PASSWORD)
    with owner.expect_navigation():
        owner.get_by_role("button", name="Spara lösenordet och logga in").click()
    assert owner.url.endswith(url("my_interventions")), owner.url
    expect(owner.get_by_role("heading", level=1)).to_have_text("Mina insatser")
    expect(owner.locator("#messages")).to_contain_text(f"Ditt användarnamn är {ADDRESS}")
    assert [user.username for user in insats.reporters.all()] == [ADDRESS]
    # The invitation is used: the chief's page lists it no longer.
    chief.reload()
    expect(chief.locator("#intervention-owners")).not_to_contain_text(ADDRESS)
    expect(chief.get_by_label("Ida Insats")).to_be_checked()

    # Her insatser: that one, to report for 2020, and no other.
    mine = owner.locator("main")
    expect(mine.get_by_role("heading", level=2)).to_have_text([INSATS])
    expect(mine).not_to_contain_text(OTHER)
    fits(owner)
    axe_check(owner)
    with owner.expect_navigation():
        owner.get_by_role("link", name=f"Rapportera 2020 – {INSATS}").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text(f"Uppföljning 2020: {INSATS}")
    fits(owner)
    axe_check(owner)

    # A bad value: a Swedish message, everything typed kept, nothing saved.
    figures = {
        "Planerade deltagare, kvinnor": "40",
        "Planerade deltagare, män": "30",
        "Planerade deltagare, kön ej angivet": "5",
        "Deltagare, kvinnor": "-3",
        "Deltagare, män": "26",
        "Deltagare, kön ej angivet": "6",
    }
    report = "Samtalsbyrån hade 76 unga i samtal, de flesta via digitala möten under hösten."
    for label, value in figures.items():
        owner.get_by_label(f"{label}:", exact=True).fill(value)
    owner.get_by_label("Årsrapport").fill(report)
    with owner.expect_navigation():
        owner.get_by_role("button", name="Spara uppföljningen").click()
    bad = owner.get_by_label("Deltagare, kvinnor:", exact=True)
    expect(bad).to_have_value("-3")
    expect(owner.locator("main")).to_contain_text("större än eller lika med 0")
    expect(owner.get_by_label("Deltagare, män:", exact=True)).to_have_value("26")
    expect(owner.get_by_label("Årsrapport")).to_have_value(report)
    assert not InterventionYear.objects.filter(intervention=insats).exists()
    fits(owner)
    axe_check(owner)

    bad.fill("44")
    with owner.expect_navigation():
        owner.get_by_role("button", name="Spara uppföljningen").click()
    assert owner.url.endswith(url("my_interventions")), owner.url
    expect(owner.locator("#messages")).to_contain_text(f"Uppföljningen av {INSATS} är sparad")
    saved = InterventionYear.objects.get(intervention=insats, year=2020)
    assert (saved.planned_women, saved.planned_men, saved.planned_unstated) == (40, 30, 5)
    assert (saved.actual_women, saved.actual_men, saved.actual_unstated) == (44, 26, 6)
    assert saved.report == report and saved.updated_by.username == ADDRESS
    fits(owner)
    axe_check(owner)

    # Everything else is refused her, by URL, with the friendly refusal page.
    refused = {
        "the association": url("association"),
        "the plan": url("plan_detail", pk=adopted.pk),
        "the budget": url("plan_budget_grid", pk=adopted.pk),
        "the follow-up": url("plan_followup", pk=adopted.pk),
        "the insatser's follow-up": url("plan_interventions_followup", pk=adopted.pk),
        "the insatser": url("intervention_list"),
        "her insats's page": url("intervention_detail", pk=insats.pk),
        "another insats's report": url("intervention_year_edit", pk=other.pk, year=2020),
    }
    for what, path in refused.items():
        response = owner.goto(path)
        assert response.status == 403, f"{what} ({path}): {response.status}"
        expect(owner.get_by_role("heading", level=1)).to_have_text("Åtkomst nekad")
        expect(owner.get_by_role("link", name="Till startsidan")).to_be_visible()
        fits(owner)
    axe_check(owner)
    assert not InterventionYear.objects.filter(intervention=other).exists()
    # The start page leads her back to her insatser.
    with owner.expect_navigation():
        owner.get_by_role("link", name="Till startsidan").click()
    expect(owner.get_by_role("link", name="Rapportera insatsernas deltagare och årsrapport")).to_be_visible()
    fits(owner)
    axe_check(owner)
    response = owner.goto(report_path)
    assert response.status == 200

    # The chief sees her figures in the insatser's follow-up.
    chief.goto(url("plan_interventions_followup", pk=adopted.pk))
    row = chief.locator(f"#insats-{insats.pk}")
    expect(row.locator("td").nth(4)).to_have_text("40")
    expect(row.locator("td").nth(7)).to_have_text("75")
    expect(row.locator("td").nth(8)).to_have_text("44")
    expect(row.locator("td").nth(11)).to_have_text("76")
    expect(row.locator("td").nth(12)).to_contain_text("Skriven")
    other_row = chief.locator(f"#insats-{other.pk}")
    expect(other_row.locator("td").nth(8)).to_have_text("–")

"""Interventions in Chromium: the chief adds an intervention with grants to next year's plan and the budget's
decided interventions follow; the intervention pages pass axe-core."""

import re

import pytest
from playwright.sync_api import expect

from budgets.models import BudgetGroup
from interventions.models import Intervention
from plans.models import Plan
from plans.rollover import plan_rollover

pytestmark = pytest.mark.browser

SLUG = "ostra-varmland"
CHIEF = f"chef.{SLUG}"
NBSP = "\u00a0"


def kr(text: str) -> str:
    return text.replace(" ", NBSP)


@pytest.fixture
def draft(demo_loader):
    """Östra Värmland's 2023 draft: its decided interventions group holds one typed line of 1 668 000 kr."""
    demo_loader(SLUG)
    adopted = Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)
    return plan_rollover(source=adopted, by=None)


def test_an_intervention_with_grants_appears_in_the_budget(page, draft, login, axe_check):
    decided = draft.budget_groups.get(kind=BudgetGroup.Kind.INTERVENTIONS_DECIDED)
    login(page, CHIEF)
    page.goto(f"/f/{SLUG}/planer/{draft.pk}/budget/")
    expect(page.locator(f"#subtotal-{decided.pk}")).to_contain_text(kr("1 668 000"))
    page.get_by_role("link", name="Ny insats i planen").click()

    expect(page.get_by_role("heading", name="Ny insats", level=1)).to_be_visible()
    axe_check(page)
    page.get_by_label("Namn", exact=True).fill("Arbetsträning Filipstad")
    page.get_by_label("Kort namn i budgeten").fill("Arbetsträning")
    page.get_by_label("Ägare / rekvirerande organisation").select_option(label="Filipstads kommun")
    page.get_by_label("Startdatum").fill("2023-01-01")
    # One member only (the owner): refused, with the input kept.
    page.get_by_role("button", name="Lägg till och gå till budgeten").click()
    expect(page.locator(".field--error, .fieldset.field--error").first).to_be_visible()
    expect(page.get_by_text("Minst två av förbundets medlemmar").first).to_be_visible()
    expect(page.get_by_label("Namn", exact=True)).to_have_value("Arbetsträning Filipstad")
    axe_check(page)

    partners = page.get_by_role("group", name="Samverkande organisationer")
    partners.get_by_label("Försäkringskassan").check()
    partners.get_by_label("Arbetsförmedlingen").check()
    page.get_by_label("År, rad 1").fill("2023")
    page.get_by_label("Beviljat belopp i kronor, rad 1").fill("400 000")
    page.get_by_role("button", name="Lägg till och gå till budgeten").click()

    expect(page).to_have_url(re.compile(rf"/planer/{draft.pk}/budget/$"))
    intervention = Intervention.objects.get(name="Arbetsträning Filipstad")
    row = page.get_by_role("row", name=re.compile("^Arbetsträning"))
    expect(row).to_contain_text(kr("400 000"))
    expect(row.get_by_role("link", name="Arbetsträning")).to_have_attribute(
        "href", f"/f/{SLUG}/insatser/{intervention.pk}/"
    )
    expect(page.locator(f"#subtotal-{decided.pk}")).to_contain_text(kr("2 068 000"))
    expect(page.locator("#total-costs")).to_contain_text(kr("2 358 000"))
    axe_check(page)

    # The grant changes on the intervention's page, and the budget follows.
    row.get_by_role("link", name="Arbetsträning").click()
    expect(page.get_by_role("heading", name="Arbetsträning Filipstad", level=1)).to_be_visible()
    axe_check(page)
    page.get_by_label("Beviljat belopp i kronor, rad 1").fill("450 000")
    page.get_by_role("button", name="Spara insatsen").click()
    expect(page.locator("#messages")).to_contain_text("sparades")
    page.goto(f"/f/{SLUG}/planer/{draft.pk}/budget/")
    expect(page.locator(f"#subtotal-{decided.pk}")).to_contain_text(kr("2 118 000"))


def test_the_intervention_pages_pass_axe(page, draft, login, axe_check):
    login(page, CHIEF)
    page.goto(f"/f/{SLUG}/insatser/")
    expect(page.get_by_role("heading", name="Insatser", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Projekt Drivkraft Filipstad")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Projekt Drivkraft Filipstad").click()
    expect(page.get_by_role("heading", name="Projekt Drivkraft Filipstad", level=1)).to_be_visible()
    axe_check(page)
    page.goto(f"/f/{SLUG}/planer/{draft.pk}/insatser/")
    axe_check(page)
    # Order in the plan, from the keyboard: the moved intervention keeps the focus.
    first = draft.plan_interventions.order_by("position", "id").first().intervention
    down = page.get_by_role("button", name=f"Flytta ned {first.name}")
    down.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text("flyttades ned")
    expect(page.get_by_role("button", name=f"Flytta ned {first.name}")).to_be_focused()
    assert draft.plan_interventions.order_by("position", "id").first().intervention != first
    axe_check(page)


def test_the_board_reads_an_intervention_without_forms(page, draft, login, axe_check):
    intervention = Intervention.objects.get(association__slug=SLUG, name="Projekt Drivkraft Filipstad")
    login(page, f"ledamot.{SLUG}")
    page.goto(f"/f/{SLUG}/insatser/{intervention.pk}/")
    expect(page.get_by_role("heading", name="Projekt Drivkraft Filipstad", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Spara insatsen")).to_have_count(0)
    axe_check(page)

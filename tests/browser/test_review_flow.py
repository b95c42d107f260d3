"""The board's review in Chromium, from submission to adoption: the chief submits, a board member comments
on an intervention and asks for changes, the chief revises and resubmits, the board member sees exactly
what changed and approves, the chair records the adoption, and the plan is adopted and read-only."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from plans.models import Plan
from plans.rollover import plan_rollover

pytestmark = pytest.mark.browser

SLUG = "ostra-varmland"
ADDED_SENTENCE = "Under året prioriterar förbundet unga vuxna."
# htmx wires up what it swaps in only when it settles, 20 ms later (much later on a loaded machine), and
# then focuses the new form's first field (autofocus). Typing before that can land in the heading instead
# of the text, and a click before that posts the form without htmx. The chief's page settles slowly on
# purpose, so that a step that does not wait for htmx_settled() fails every time, not once in a while.
SLOW_SETTLE = """addEventListener("DOMContentLoaded", () => {
  if (window.htmx) htmx.config.defaultSettleDelay = 1000;
});"""


@pytest.fixture
def draft(demo_loader):
    demo_loader(SLUG)
    adopted = Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)
    return plan_rollover(source=adopted, by=None)


def path(plan, page=""):
    return f"/f/{plan.association.slug}/planer/{plan.pk}/{page}"


def status_badge(page):
    return page.locator(".review-panel .plan-status .badge")


def test_from_submission_to_adoption(new_page, draft, login, axe_check, htmx_settled):
    chief, board, chair = new_page(), new_page(), new_page()
    chief.add_init_script(SLOW_SETTLE)
    intervention = draft.plan_interventions.order_by("position", "id").first().intervention
    chapter = draft.chapters.exclude(body="").order_by("position", "id").first()

    # The chief sends the draft to the board.
    login(chief, f"chef.{SLUG}")
    chief.goto(path(draft, "granskning/"))
    chief.get_by_role("button", name="Skicka till styrelsen").click()
    expect(chief.locator("#messages")).to_contain_text("Version 1 är skickad till styrelsen.")
    expect(status_badge(chief)).to_have_text("Under granskning")

    # A board member comments on an intervention (in place, with htmx) and asks for changes.
    login(board, f"ledamot.{SLUG}")
    board.goto(path(draft, "granskning/"))
    axe_check(board)
    threads = board.locator(f"#kommentarer-intervention-{intervention.pk}")
    threads.locator("summary").click()
    threads.get_by_label(f"Kommentar om {intervention.name}").fill("Hur många deltagare räknar ni med?")
    threads.get_by_role("button", name="Skicka kommentar").click()
    expect(board.locator(f"#kommentarer-intervention-{intervention.pk} .thread")).to_contain_text(
        "Hur många deltagare räknar ni med?"
    )
    expect(board.locator("#messages")).to_contain_text("Kommentaren är sparad.")
    board.get_by_label("Kommentar till ditt ställningstagande").fill("Skriv vad som prioriteras under året.")
    board.get_by_role("button", name="Begär ändringar").click()
    expect(status_badge(board)).to_have_text("Ändringar begärda")

    # The chief sees the comment, revises the chapter in the editor and sends the plan again.
    chief.goto(path(draft, "granskning/"))
    expect(chief.locator(f"#kommentarer-intervention-{intervention.pk}")).to_contain_text(
        "Hur många deltagare"
    )
    chief.goto(path(draft, "redigera/"))
    chief.evaluate("window.finsamNoReload = true")  # a page load would wipe it
    row = chief.locator(f"#kapitel-{chapter.pk}")
    row.get_by_role("link", name=re.compile("^Ändra")).click()
    expect(row.get_by_label("Text (Markdown)")).to_be_visible()
    htmx_settled(chief)
    row.get_by_label("Text (Markdown)").fill(chapter.body.rstrip() + "\n\n" + ADDED_SENTENCE)
    row.get_by_role("button", name="Spara").click()
    expect(chief.locator("#messages")).to_contain_text("Sparat")
    assert chief.evaluate("window.finsamNoReload === true"), "the chapter was saved without htmx"
    chief.goto(path(draft, "granskning/"))
    chief.get_by_role("button", name="Skicka till styrelsen").click()
    expect(chief.locator("#messages")).to_contain_text("Version 2 är skickad till styrelsen.")

    # The board member sees exactly that change, since the version they reviewed, and approves.
    board.goto(path(draft, "andringar/"))
    expect(board.locator("#diff .lead")).to_contain_text("Från Version 1")
    expect(board.locator("#diff .lead")).to_contain_text("till Version 2")
    expect(board.locator("#diff .change")).to_have_count(1)
    expect(board.locator("#diff .change h3")).to_contain_text(chapter.heading)
    expect(board.locator("#diff ins")).to_have_count(1)
    expect(board.locator("#diff ins")).to_contain_text(ADDED_SENTENCE)
    expect(board.locator("#diff del")).to_have_count(0)
    axe_check(board)
    board.goto(path(draft, "granskning/"))
    board.get_by_role("button", name="Tillstyrk").click()
    expect(status_badge(board)).to_have_text("Tillstyrkt")

    # The chair records the board's decision with its date and paragraph.
    login(chair, f"ordforande.{SLUG}")
    chair.goto(path(draft, "granskning/"))
    today = timezone.localdate().isoformat()
    chair.get_by_label("Styrelsens beslut, datum").fill(today)
    chair.get_by_label("Paragraf i protokollet").fill("§42")
    chair.get_by_role("button", name="Registrera fastställande").click()
    expect(status_badge(chair)).to_have_text("Fastställd")
    expect(chair.locator(".review-panel")).to_contain_text(f"Fastställd {today} §42")
    expect(chair.locator(".plan-document__adoption")).to_contain_text(f"Fastställd av styrelsen {today} §42")
    axe_check(chair)

    chair.goto(path(draft, "historik/"))
    for action in ("Skickade till styrelsen", "Kommenterade", "Tog ställning", "Registrerade fastställande"):
        expect(chair.locator("table")).to_contain_text(action)
    axe_check(chair)

    # Adopted and read-only: no editing offered, and the editor refuses the chief.
    draft.refresh_from_db()
    assert (draft.state, draft.minutes_reference) == (Plan.State.ADOPTED, "§42")
    chief.goto(path(draft))
    expect(chief.get_by_role("link", name="Redigera")).to_have_count(0)
    chief.goto(path(draft, "granskning/"))
    expect(chief.get_by_role("button", name="Skicka till styrelsen")).to_have_count(0)
    expect(chief.get_by_role("button", name="Skapa ny version")).to_be_visible()
    response = chief.goto(path(draft, "redigera/"))
    assert response.status == 403

"""A board member starts a budget-row comment from the row itself, with the keyboard only: the row's
"Kommentera" opens the comment form for that row below the table with the text field focused, and the
comment is saved beside the table (htmx), axe-clean."""

import pytest
from playwright.sync_api import expect

from plans import review
from plans.models import Plan
from plans.rollover import plan_rollover

pytestmark = pytest.mark.browser

SLUG = "ostra-varmland"


@pytest.fixture
def in_review(demo_loader):
    demo_loader(SLUG)
    adopted = Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)
    plan = plan_rollover(source=adopted, by=None)
    chief = plan.association.memberships.get(role="chief").user
    review.plan_submit(plan=plan, by=chief, notify=False)
    return plan


def test_a_budget_row_comment_starts_from_the_row_with_the_keyboard(
    page, in_review, login, axe_check, htmx_settled
):
    plan = in_review
    key, label = review.budget_targets(plan.snapshots.get().content)[0]
    login(page, f"ledamot.{SLUG}")
    page.goto(f"/f/{SLUG}/planer/{plan.pk}/granskning/")
    start = page.get_by_role("link", name=f"Kommentera {label}")
    start.focus()
    page.keyboard.press("Enter")
    text = page.locator("#kommentar-budget-text")
    expect(text).to_be_focused()
    expect(page.locator("#kommentarer-budget select")).to_have_value(f"budget_line:{key}")
    htmx_settled(page)
    axe_check(page)
    page.keyboard.type("Varför ökar raden?")
    page.keyboard.press("Tab")
    expect(page.locator("#kommentarer-budget").get_by_role("button", name="Skicka kommentar")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#kommentarer-budget .thread")).to_contain_text("Varför ökar raden?")
    expect(page.locator("#messages")).to_contain_text("Kommentaren är sparad.")
    assert page.url.endswith("/granskning/")  # stayed on the page: htmx, not a page load
    # The row itself says it has a comment now, and links to it (also after a reload).
    expect(page.get_by_role("link", name="1 kommentar")).to_have_count(1)
    page.reload()
    expect(page.get_by_role("link", name="1 kommentar")).to_have_count(1)
    axe_check(page)


def test_the_decision_stays_in_view_at_1400_by_900_however_far_the_document_is_read(page, in_review, login):
    """Issue 15, item 3: "Tillstyrk" and "Begär ändringar" sit in the panel beside the document, in view
    from the start and still in view at the document's end (the panel keeps its place)."""
    page.set_viewport_size({"width": 1400, "height": 900})
    login(page, f"ledamot.{SLUG}")
    page.goto(f"/f/{SLUG}/planer/{in_review.pk}/granskning/")
    approve = page.get_by_role("button", name="Tillstyrk")
    expect(approve).to_be_in_viewport()
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    expect(approve).to_be_in_viewport()
    expect(page.get_by_role("button", name="Begär ändringar")).to_be_in_viewport()

"""No dead ends (issue 15, items 4 and 6), as a chief tries them in Chromium: the checks point at text that
still names last year's years, the editor sends the plan to the board, a locked plan says why and links
back, a draft made by mistake is deleted after a confirmation, and an adopted plan is published at its
open link and withdrawn again."""

import pytest
from playwright.sync_api import expect

from plans.models import Plan
from plans.rollover import plan_rollover

pytestmark = pytest.mark.browser

SLUG = "ostra-varmland"


@pytest.fixture
def plans(demo_loader):
    demo_loader(SLUG)
    adopted = Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)
    return adopted, plan_rollover(source=adopted, by=None)


def path(plan, page=""):
    return f"/f/{SLUG}/planer/{plan.pk}/{page}"


def test_the_editor_points_at_old_years_sends_the_plan_and_a_locked_plan_says_why(
    page, plans, login, axe_check
):
    _adopted, draft = plans
    login(page, f"chef.{SLUG}")
    page.goto(path(draft, "redigera/"))
    checks = page.locator("#kontroller")
    # Last year's text rolled over: the checks name a part that still speaks of a year before the plan's.
    expect(checks).to_contain_text(f"före planens första år {draft.first_year}")
    axe_check(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Skicka till styrelsen").click()
    expect(page.locator(".message").first).to_contain_text("är skickad till styrelsen")
    draft.refresh_from_db()
    assert draft.state == Plan.State.IN_REVIEW

    response = page.goto(path(draft, "redigera/"))
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Planen är låst")
    expect(page.locator("main")).to_contain_text("Den ligger hos styrelsen")
    page.get_by_role("link", name="Granskning och beslut").click()
    expect(page).to_have_url(f"http://{page.url.split('/')[2]}{path(draft, 'granskning/')}")
    axe_check(page)


def test_a_draft_made_by_mistake_is_deleted_after_a_confirmation(page, plans, login, axe_check):
    _adopted, draft = plans
    login(page, f"chef.{SLUG}")
    page.goto(path(draft))
    page.get_by_role("link", name="Ta bort utkastet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ta bort")
    axe_check(page)
    page.get_by_role("button", name="Ta bort planen").click()  # not confirmed: the browser asks for the box
    assert Plan.objects.filter(pk=draft.pk).exists()
    page.get_by_label("Ja, ta bort planen för gott").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Ta bort planen").click()
    expect(page.locator(".message").first).to_contain_text("är borttagen")
    assert not Plan.objects.filter(pk=draft.pk).exists()


def test_the_chief_publishes_an_adopted_plan_and_withdraws_it(new_page, plans, login):
    adopted, _draft = plans
    Plan.objects.filter(pk=adopted.pk).update(public=False)
    chief, visitor = new_page(), new_page()
    login(chief, f"chef.{SLUG}")
    open_url = f"/oppen/{SLUG}/planer/{adopted.pk}/"
    assert visitor.goto(open_url).status == 404

    chief.goto(path(adopted))
    with chief.expect_navigation():
        chief.get_by_role("button", name="Publicera på den öppna länken").click()
    expect(chief.get_by_role("link", name="den öppna sidan")).to_be_visible()
    assert visitor.goto(open_url).status == 200
    expect(visitor.get_by_role("heading", level=1)).to_contain_text(adopted.title)

    with chief.expect_navigation():
        chief.get_by_role("button", name="Dra tillbaka publiceringen").click()
    assert visitor.goto(open_url).status == 404

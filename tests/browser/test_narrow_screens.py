"""Every page fits 390 px (issue 15, item 5): the plan, its review and its budget never scroll sideways; a
wide table scrolls inside its own container, its label column kept in view."""

import pytest

from plans.models import Plan
from plans.rollover import plan_rollover

pytestmark = pytest.mark.browser

SLUG = "ornskoldsvik"


@pytest.fixture
def plans(demo_loader):
    demo_loader(SLUG)
    adopted = Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)
    draft = plan_rollover(source=adopted, by=None)
    return adopted, draft


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_plan_its_review_and_its_budget_fit_390_px(page, plans, login):
    adopted, draft = plans
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, f"chef.{SLUG}")
    for path in (
        f"/f/{SLUG}/",
        f"/f/{SLUG}/planer/{adopted.pk}/",
        f"/f/{SLUG}/planer/{adopted.pk}/granskning/",
        f"/f/{SLUG}/planer/{draft.pk}/budget/",
        f"/f/{SLUG}/planer/{draft.pk}/redigera/",
    ):
        page.goto(path)
        assert page_width(page) <= 390, f"{path} is {page_width(page)} px wide at 390 px"
    # The budget table scrolls in its own box, its row labels staying in view.
    page.goto(f"/f/{SLUG}/planer/{adopted.pk}/")
    table = page.locator("#budget-table")
    box = page.evaluate("el => getComputedStyle(el.parentElement).overflowX", table.element_handle())
    assert box == "auto"
    sticky = page.evaluate(
        "el => getComputedStyle(el.querySelector('tbody th[scope=row]')).position", table.element_handle()
    )
    assert sticky == "sticky"

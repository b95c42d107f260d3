"""A refusal says why and where to go: a locked plan's edit answers with the plan's state and links back."""

import pytest
from django.urls import reverse

from plans.review import plan_submit

pytestmark = pytest.mark.django_db


def test_editing_a_plan_in_review_says_it_is_locked_and_links_back(chief_client, chief, small_plan):
    plan_submit(plan=small_plan, by=chief, notify=False)
    address = reverse(
        "plan_settings_edit", kwargs={"association": small_plan.association.slug, "pk": small_plan.pk}
    )
    response = chief_client.post(address, {"title": "Nytt namn", "version": small_plan.version})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Planen är låst" in page
    assert f"när den har status ”{small_plan.get_state_display()}”" in page.replace("&#x27;", "'")
    assert (
        reverse("plan_detail", kwargs={"association": small_plan.association.slug, "pk": small_plan.pk})
        in page
    )
    assert "Ta tillbaka den till utkast" in page


def test_another_refusal_keeps_the_general_message(board_member_client, small_plan):
    address = reverse("plan_new", kwargs={"association": small_plan.association.slug})
    response = board_member_client.get(address)
    assert response.status_code == 403
    assert "Bara förbundschefen kan skapa planer." in response.content.decode()

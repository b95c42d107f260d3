"""A plan made by mistake can be deleted while it is a draft never sent to the board; nothing else can."""

import pytest
from django.urls import reverse

from interventions.models import Intervention
from plans.models import Plan, PlanEvent
from plans.review import plan_submit, plan_withdraw

pytestmark = pytest.mark.django_db


def address(plan):
    return reverse("plan_delete", kwargs={"association": plan.association.slug, "pk": plan.pk})


def test_the_chief_deletes_a_draft_after_confirming(chief_client, small_plan):
    interventions = set(Intervention.objects.values_list("pk", flat=True))
    assert "Ta bort planen" in chief_client.get(address(small_plan)).content.decode()
    unconfirmed = chief_client.post(address(small_plan), {})
    assert unconfirmed.status_code == 422 and Plan.objects.filter(pk=small_plan.pk).exists()
    response = chief_client.post(address(small_plan), {"confirm": "1"})
    assert response.status_code == 302
    assert not Plan.objects.filter(pk=small_plan.pk).exists()
    assert not PlanEvent.objects.filter(plan_id=small_plan.pk).exists()
    assert (
        set(Intervention.objects.values_list("pk", flat=True)) == interventions
    )  # they are the association's


def test_a_plan_the_board_has_seen_is_never_deleted(chief_client, chief, small_plan):
    plan_submit(plan=small_plan, by=chief, notify=False)
    plan_withdraw(plan=small_plan, by=chief, reason="Fel år")
    page = chief_client.get(address(small_plan)).content.decode()
    assert "kan inte tas bort" in page
    response = chief_client.post(address(small_plan), {"confirm": "1"})
    assert response.status_code == 422
    assert Plan.objects.filter(pk=small_plan.pk).exists()


def test_only_the_chief_and_only_in_the_own_association(board_member_client, outsider_client, small_plan):
    assert board_member_client.post(address(small_plan), {"confirm": "1"}).status_code == 403
    assert outsider_client.post(address(small_plan), {"confirm": "1"}).status_code == 404
    assert Plan.objects.filter(pk=small_plan.pk).exists()

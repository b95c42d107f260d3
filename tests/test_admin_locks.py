"""Django's admin obeys the app's rule: an adopted plan and its parts cannot be changed there either."""

import datetime

import pytest
from django.urls import reverse

from plans.models import Plan
from tests.factories import ChapterFactory, PlanFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def test_an_adopted_plan_is_read_only_in_the_admin(admin_client):
    plan = PlanFactory(state=Plan.State.ADOPTED, adopted_on=datetime.date(2026, 11, 25), title="Fastställd")
    chapter = ChapterFactory(plan=plan, heading="Inledning")
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.text
    response = admin_client.post(url, {"title": "Ändrad", "first_year": 2027, "years": 3})
    assert response.status_code == 403
    chapter_url = reverse("admin:plans_chapter_change", args=[chapter.pk])
    assert admin_client.post(chapter_url, {"heading": "Ändrad"}).status_code == 403
    assert (
        admin_client.post(reverse("admin:plans_plan_delete", args=[plan.pk]), {"post": "yes"}).status_code
        == 403
    )
    plan.refresh_from_db()
    chapter.refresh_from_db()
    assert (plan.title, chapter.heading) == ("Fastställd", "Inledning")


def test_a_draft_is_editable_in_the_admin(admin_client):
    plan = PlanFactory()
    page = admin_client.get(reverse("admin:plans_plan_change", args=[plan.pk]))
    assert page.status_code == 200 and 'name="_save"' in page.text


def intervention_admin_data(intervention, *, grants, links):
    data = {
        "name": intervention.name, "short_name": "", "kind": intervention.kind, "status": intervention.status,
        "association": intervention.association_id, "group": "", "capacity": "",
        "grants-TOTAL_FORMS": len(grants), "grants-INITIAL_FORMS": len(grants),
        "plan_links-TOTAL_FORMS": len(links), "plan_links-INITIAL_FORMS": len(links),
    }  # fmt: skip
    for index, (grant, amount) in enumerate(grants):
        data |= {f"grants-{index}-id": grant.pk, f"grants-{index}-intervention": intervention.pk,
                 f"grants-{index}-year": grant.year, f"grants-{index}-amount_0": amount,
                 f"grants-{index}-amount_1": "SEK"}  # fmt: skip
    for index, (link, delete) in enumerate(links):
        data |= {f"plan_links-{index}-id": link.pk, f"plan_links-{index}-intervention": intervention.pk,
                 f"plan_links-{index}-plan": link.plan_id, f"plan_links-{index}-position": link.position}  # fmt: skip
        if delete:
            data[f"plan_links-{index}-DELETE"] = "on"
    return data


def test_the_intervention_admin_keeps_an_adopted_plans_grants_and_links(admin_client):
    from interventions.models import Grant, PlanIntervention
    from tests.factories import GrantFactory, PlanInterventionFactory

    adopted = PlanFactory(state=Plan.State.ADOPTED, adopted_on=datetime.date(2026, 11, 25), first_year=2027)
    link = PlanInterventionFactory(plan=adopted, intervention__association=adopted.association)
    intervention = link.intervention
    grant = GrantFactory(intervention=intervention, year=2027, amount=203387)
    url = reverse("admin:interventions_intervention_change", args=[intervention.pk])

    changed_grant = intervention_admin_data(intervention, grants=[(grant, "999999")], links=[(link, False)])
    response = admin_client.post(url, changed_grant)
    assert response.status_code == 200 and "kan inte ändras i efterhand" in response.text
    removed = intervention_admin_data(intervention, grants=[(grant, "203387")], links=[(link, True)])
    response = admin_client.post(url, removed)
    assert response.status_code == 200 and "kan inte ändras när den har status" in response.text
    assert Grant.objects.get(pk=grant.pk).amount.amount == 203387
    assert PlanIntervention.objects.filter(pk=link.pk).exists()


def test_a_plans_state_and_association_are_never_edited_in_the_admin(admin_client):
    plan = PlanFactory()
    page = admin_client.get(reverse("admin:plans_plan_change", args=[plan.pk]))
    assert page.status_code == 200
    assert 'name="state"' not in page.text and 'name="association"' not in page.text
    assert 'name="title"' in page.text

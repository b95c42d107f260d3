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

"""The chief or the chair publishes an adopted plan at its open link, as HTML from its version of record
with the archived PDF/A beside it, and can withdraw it; nothing else is ever open."""

import pytest
from django.urls import reverse

from finsam.site.demo.loader import load_association
from finsam.site.demo.reading import demo_files, read_demo_file
from plans.models import Plan, PlanEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def adopted():
    (data,) = [read_demo_file(path) for path in demo_files() if path.stem == "ostra-varmland"]
    load_association(data)
    return Plan.objects.get(association__slug="ostra-varmland", state=Plan.State.ADOPTED)


def member(django_user_model, plan, role):
    return django_user_model.objects.get(username=f"{role}.{plan.association.slug}")


def test_publish_and_withdraw_an_adopted_plan(client, django_user_model, adopted):
    slug = adopted.association.slug
    open_page = reverse("public_plan", args=[slug, adopted.pk])
    assert client.get(open_page).status_code == 404  # not published yet (the association does not by default)
    assert client.get(reverse("public_association", args=[slug])).status_code == 404

    client.force_login(member(django_user_model, adopted, "ordforande"))
    publish = reverse("plan_publish", args=[slug, adopted.pk])
    assert client.post(publish, {"public": "1"}).status_code == 302
    adopted.refresh_from_db()
    assert adopted.public is True and adopted.events.filter(action=PlanEvent.Action.PUBLISHED).exists()
    client.logout()

    page = client.get(open_page)
    assert page.status_code == 200
    text = page.content.decode()
    assert adopted.title in text and "Fastställd av styrelsen 2021-12-01 §39" in text
    assert reverse("plan_pdf_public", args=[slug, adopted.pk]) in text
    listing = client.get(reverse("public_association", args=[slug])).content.decode()
    assert open_page in listing

    client.force_login(member(django_user_model, adopted, "chef"))
    assert client.post(publish, {"public": "0"}).status_code == 302
    client.logout()
    assert client.get(open_page).status_code == 404
    assert client.get(reverse("plan_pdf_public", args=[slug, adopted.pk])).status_code == 404


def test_a_board_member_may_not_publish_and_a_draft_is_never_open(client, django_user_model, adopted):
    slug = adopted.association.slug
    client.force_login(member(django_user_model, adopted, "ledamot"))
    assert client.post(reverse("plan_publish", args=[slug, adopted.pk]), {"public": "1"}).status_code == 403
    adopted.refresh_from_db()
    assert adopted.public is None
    from tests.factories import PlanFactory

    draft = PlanFactory(association=adopted.association, first_year=2031, public=True)
    client.logout()
    assert client.get(reverse("public_plan", args=[slug, draft.pk])).status_code == 404

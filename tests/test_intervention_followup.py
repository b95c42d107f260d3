"""Each insats followed through its year (issue 17, item 4): participants planned and reached by gender and
the insats's yearly report, written for the adopted plan's budget year and recorded on that plan."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from finsam.models import Membership
from interventions.followup import intervention_year_save, plan_interventions_followed
from interventions.models import InterventionYear
from plans.models import Plan, PlanEvent
from tests.factories import (
    GrantFactory,
    InterventionFactory,
    MembershipFactory,
    PlanInterventionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def adopted(small_plan):
    Plan.objects.filter(pk=small_plan.pk).update(
        state=Plan.State.ADOPTED, adopted_on=datetime.date(2026, 11, 25), minutes_reference="§39"
    )
    small_plan.refresh_from_db()
    return small_plan


@pytest.fixture
def insats(adopted):
    return adopted.plan_interventions.select_related("intervention").first().intervention


def edit_url(intervention, year):
    return reverse("intervention_year_edit", args=[intervention.association.slug, intervention.pk, year])


def overview(plan):
    return reverse("plan_interventions_followup", args=[plan.association.slug, plan.pk])


DATA = {
    "planned_women": "20",
    "planned_men": "15",
    "planned_unstated": "",
    "actual_women": "18",
    "actual_men": "19",
    "actual_unstated": "2",
    "report": "Steget vidare nådde 39 deltagare; 12 gick vidare till arbete.",
    "version": "0",
}


def test_the_chief_reports_participants_and_the_report_on_the_adopted_year(adopted, insats, chief_client):
    response = chief_client.post(edit_url(insats, adopted.first_year), DATA)
    assert response.status_code == 302
    assert response["Location"] == overview(adopted)
    row = InterventionYear.objects.get(intervention=insats, year=adopted.first_year)
    assert (row.planned_total, row.actual_total) == (35, 39)
    assert row.planned_unstated is None
    assert adopted.events.filter(action=PlanEvent.Action.FOLLOWED_UP).count() == 1

    html = chief_client.get(overview(adopted)).content.decode()
    assert "Steget vidare nådde 39 deltagare" in html
    assert ">39<" in html and ">35<" in html


def test_bad_input_is_kept_and_nothing_saved(adopted, insats, chief_client):
    response = chief_client.post(
        edit_url(insats, adopted.first_year), {**DATA, "actual_men": "-3", "planned_women": "tjugo"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="tjugo"' in html and 'value="-3"' in html
    assert not InterventionYear.objects.exists()


def test_a_year_no_adopted_plan_lists_is_refused(adopted, insats, chief_client):
    response = chief_client.post(edit_url(insats, adopted.first_year + 1), DATA)
    assert response.status_code == 422
    assert "Ingen fastställd plan för 2028 tar upp insatsen" in response.content.decode()
    lonely = InterventionFactory(association=adopted.association, name="Inte i planen")
    assert chief_client.post(edit_url(lonely, adopted.first_year), DATA).status_code == 422
    assert not InterventionYear.objects.exists()


def test_a_save_after_someone_elses_is_refused(adopted, insats, chief, chief_client):
    values = {name: 1 for name in (*InterventionYear.PLANNED, *InterventionYear.ACTUAL)} | {"report": "Först"}
    intervention_year_save(intervention=insats, year=adopted.first_year, by=chief, values=values)
    response = chief_client.post(edit_url(insats, adopted.first_year), DATA)
    assert response.status_code == 422
    assert "Någon annan har ändrat uppföljningen" in response.content.decode()
    assert InterventionYear.objects.get().report == "Först"


def test_roles_and_other_associations(adopted, insats, board_member_client, reader_client, outsider_client):
    for client in (board_member_client, reader_client):
        assert client.post(edit_url(insats, adopted.first_year), DATA).status_code == 403
        assert client.get(overview(adopted)).status_code == 200
    assert outsider_client.get(overview(adopted)).status_code == 404
    assert outsider_client.post(edit_url(insats, adopted.first_year), DATA).status_code == 404
    assert not InterventionYear.objects.exists()


def test_the_overview_reads_in_a_flat_number_of_queries(adopted, chief_client):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert chief_client.get(overview(adopted)).status_code == 200
        return len(queries)

    count()
    small = count()
    for n in range(6):
        intervention = InterventionFactory(association=adopted.association, name=f"Insats {n}")
        GrantFactory(intervention=intervention, year=adopted.first_year)
        PlanInterventionFactory(plan=adopted, intervention=intervention, position=10 + n)
        InterventionYear.objects.create(intervention=intervention, year=adopted.first_year, actual_women=n)
    assert count() == small
    assert len(plan_interventions_followed(adopted)) == 7


# --- The insats owner (insatsansvarig) -------------------------------------------------------------------


@pytest.fixture
def owner(association):
    user = UserFactory(username="insats.alfa", first_name="Ida")
    MembershipFactory(user=user, association=association, role=Membership.Role.INTERVENTION_OWNER)
    return user


def reporters_url(intervention):
    return reverse("intervention_reporters_edit", args=[intervention.association.slug, intervention.pk])


def test_the_chief_names_an_insats_owner_who_reports_only_that_insats(
    adopted, insats, owner, chief_client, client_for
):
    other = InterventionFactory(association=adopted.association, name="Annan insats")
    PlanInterventionFactory(plan=adopted, intervention=other, position=5)
    assert chief_client.post(reporters_url(insats), {"reporters": [owner.pk]}).status_code == 302
    assert list(insats.reporters.all()) == [owner]

    client = client_for(owner)
    mine = client.get(reverse("my_interventions", args=[adopted.association.slug])).content.decode()
    assert insats.name in mine and "Annan insats" not in mine
    assert edit_url(insats, adopted.first_year) in mine
    response = client.post(edit_url(insats, adopted.first_year), DATA)
    assert response.status_code == 302
    assert response["Location"] == reverse("my_interventions", args=[adopted.association.slug])
    assert InterventionYear.objects.get(intervention=insats).actual_total == 39

    assert client.post(edit_url(other, adopted.first_year), DATA).status_code == 403
    for page_url in (
        adopted.get_absolute_url(),
        overview(adopted),
        reverse("association", args=[adopted.association.slug]),
        reverse("intervention_list", args=[adopted.association.slug]),
        reverse("intervention_detail", args=[adopted.association.slug, insats.pk]),
    ):
        assert client.get(page_url).status_code == 403, page_url


def test_only_insats_owners_can_be_named(
    adopted, insats, board_member, chief_client, board_member_client, owner
):
    chief_client.post(reporters_url(insats), {"reporters": [board_member.pk]})
    assert not insats.reporters.exists()
    assert board_member_client.post(reporters_url(insats), {"reporters": [owner.pk]}).status_code == 403
    assert not insats.reporters.exists()

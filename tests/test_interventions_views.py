"""Interventions: the list, creating, editing and ending one, and its place in plans (services and views)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from budgets.calc import plan_budget
from budgets.models import BudgetGroup
from finsam.editing import StaleVersion
from finsam.models import Membership, Organisation
from interventions import services
from interventions.models import Grant, Intervention, PlanIntervention
from plans.models import Plan, PlanEvent
from tests.factories import (
    BudgetColumnFactory,
    BudgetGroupFactory,
    GrantFactory,
    InterventionFactory,
    OrganisationFactory,
    PlanFactory,
    PlanInterventionFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
NBSP = "\u00a0"


# `association` (Alfa), `other_association` (Beta), `chief`, `board_member`, `reader`, `members` by role and
# `outsider` (Beta's chief) come from tests/conftest.py.


@pytest.fixture
def orgs(association):
    """The association's three members (from tests/conftest.py) and a partner that is not a member."""
    members = {org.name: org for org in association.organisations.all()}
    return {
        "fk": members["Försäkringskassan"],
        "region": members["Region Alfa"],
        "kommun": members["Alfa kommun"],
        "polisen": OrganisationFactory(
            association=association, name="Polisen", kind=Organisation.Kind.OTHER, is_member=False
        ),
    }


def make_plan(association, first_year=2027, state=Plan.State.DRAFT, **fields):
    if state == Plan.State.ADOPTED:
        fields.setdefault("adopted_on", datetime.date(first_year - 1, 11, 25))
    plan = PlanFactory(
        association=association,
        first_year=first_year,
        years=2,
        state=state,
        title=f"Verksamhetsplan {first_year}",
        **fields,
    )
    for year in (first_year, first_year + 1):
        BudgetColumnFactory(plan=plan, year=year, kind="budget" if year == first_year else "plan")
    BudgetGroupFactory(plan=plan, kind=BudgetGroup.Kind.INTERVENTIONS_DECIDED, name="Beslutade insatser")
    return plan


@pytest.fixture
def draft(association):
    return make_plan(association, 2027)


@pytest.fixture
def adopted(association):
    return make_plan(association, 2026, state=Plan.State.ADOPTED)


@pytest.fixture
def intervention(association, orgs, draft, adopted):
    """Granted 2026–2028, in the adopted 2026 plan (2026–2027) and the 2027 draft (2027–2028)."""
    intervention = InterventionFactory(
        association=association,
        name="Steget vidare",
        owner=orgs["kommun"],
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2028, 12, 31),
        version=1,
    )
    intervention.partners.set([orgs["fk"], orgs["kommun"], orgs["polisen"]])
    for year in (2026, 2027, 2028):
        GrantFactory(intervention=intervention, year=year, amount=600000)
    PlanInterventionFactory(plan=adopted, intervention=intervention)
    PlanInterventionFactory(plan=draft, intervention=intervention)
    return intervention


def detail_url(intervention):
    return reverse("intervention_detail", kwargs={"association": "alfa", "pk": intervention.pk})


def form_data(intervention, orgs, **overrides):
    """The intervention form as the page submits it, with its grants."""
    grants = sorted((grant.year, grant.amount.amount) for grant in intervention.grants.all())
    data = {
        "version": str(intervention.version),
        "name": intervention.name,
        "short_name": intervention.short_name,
        "kind": intervention.kind,
        "status": intervention.status,
        "owner": str(intervention.owner_id or ""),
        "partners": [str(org.pk) for org in intervention.partners.all()],
        "start_date": intervention.start_date.isoformat() if intervention.start_date else "",
        "end_date": intervention.end_date.isoformat() if intervention.end_date else "",
        "group": "",
        "municipality": "",
        "capacity": "",
        "purpose": "",
        "target_group": "",
        "goals_short": "",
        "goals_long": "",
        "actions": "",
        "follow_up": "",
        "steering": "",
        "implementation": "",
        "grants-TOTAL_FORMS": str(len(grants) + 1),
        "grants-INITIAL_FORMS": str(len(grants)),
        "grants-MIN_NUM_FORMS": "0",
        "grants-MAX_NUM_FORMS": "1000",
    }
    for index, (year, amount) in enumerate([*grants, ("", "")]):
        data[f"grants-{index}-year"] = str(year)
        data[f"grants-{index}-amount"] = str(amount)
    data.update(overrides)
    return data


def grants_of(intervention):
    return {grant.year: grant.amount.amount for grant in Grant.objects.filter(intervention=intervention)}


# --- The list ------------------------------------------------------------------------------------


def test_the_list_shows_status_period_grants_and_plans(client, association, intervention, chief):
    ended = InterventionFactory(
        association=association, name="Gamla projektet", status=Intervention.Status.ENDED
    )
    client.force_login(chief)
    response = client.get(reverse("intervention_list", kwargs={"association": "alfa"}))
    assert response.status_code == 200
    text = response.text
    assert "Steget vidare" in text and "2026-01-01" in text and "2028-12-31" in text
    assert f"2027: 600{NBSP}000{NBSP}kr" in text
    assert "Verksamhetsplan 2026" in text and "Verksamhetsplan 2027" in text
    assert text.index("Steget vidare") < text.index(ended.name)  # granted before ended
    assert "Ny insats" in text


def test_the_list_takes_the_same_number_of_queries_however_many_interventions(
    client, association, orgs, chief, django_assert_num_queries
):
    plan = make_plan(association, 2027)
    client.force_login(chief)
    url = reverse("intervention_list", kwargs={"association": "alfa"})
    client.get(url)

    def add(count):
        for i in range(count):
            intervention = InterventionFactory(association=association, owner=orgs["fk"], name=f"Insats {i}")
            GrantFactory(intervention=intervention, year=2027)
            PlanInterventionFactory(plan=plan, intervention=intervention)

    # Seven: the list's six and the navigation's counts ("Att granska", "Att besvara": plans.inbox).
    add(1)
    with django_assert_num_queries(7):
        client.get(url)
    add(30)
    with django_assert_num_queries(7):
        client.get(url)


def test_a_reader_sees_only_interventions_of_plans_they_may_read(
    client, association, reader, intervention, draft
):
    only_in_draft = InterventionFactory(association=association, name="Utkastinsats")
    PlanInterventionFactory(plan=draft, intervention=only_in_draft)
    client.force_login(reader)
    text = client.get(reverse("intervention_list", kwargs={"association": "alfa"})).text
    assert "Steget vidare" in text and "Verksamhetsplan 2026" in text
    assert "Utkastinsats" not in text and "Verksamhetsplan 2027" not in text
    assert "Ny insats" not in text
    assert client.get(detail_url(only_in_draft)).status_code == 404


def test_the_board_reads_an_intervention_without_a_form(client, board_member, intervention):
    client.force_login(board_member)
    response = client.get(detail_url(intervention))
    assert response.status_code == 200
    assert "Steget vidare" in response.text and "Spara insatsen" not in response.text


def test_another_associations_intervention_is_a_404(client, intervention, outsider):
    client.force_login(outsider)
    assert client.get(detail_url(intervention)).status_code == 404
    url = reverse("intervention_detail", kwargs={"association": "beta", "pk": intervention.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def test_anonymous_users_are_sent_to_login(client, intervention):
    for url in (reverse("intervention_list", kwargs={"association": "alfa"}), detail_url(intervention)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- Creating ------------------------------------------------------------------------------------


def create_data(orgs, **overrides):
    data = {
        "name": "Nya vägar",
        "short_name": "Nya vägar",
        "kind": "individual",
        "status": "granted",
        "owner": str(orgs["kommun"].pk),
        "partners": [str(orgs["fk"].pk), str(orgs["region"].pk)],
        "start_date": "2027-01-01",
        "end_date": "",
        "grants-TOTAL_FORMS": "2",
        "grants-INITIAL_FORMS": "0",
        "grants-MIN_NUM_FORMS": "0",
        "grants-MAX_NUM_FORMS": "1000",
        "grants-0-year": "2027",
        "grants-0-amount": "450 000",
        "grants-1-year": "2028",
        "grants-1-amount": "460000",
    }
    data.update(overrides)
    return data


def test_the_chief_creates_an_intervention_with_grants_into_a_plan(client, association, orgs, draft, chief):
    client.force_login(chief)
    url = reverse("intervention_create", kwargs={"association": "alfa"})
    assert client.get(url).status_code == 200
    response = client.post(url, create_data(orgs, plan=str(draft.pk)))
    assert response.status_code == 302
    created = Intervention.objects.get(name="Nya vägar")
    assert response.url == detail_url(created)
    assert grants_of(created) == {2027: 450000, 2028: 460000}
    assert set(created.partners.all()) == {orgs["fk"], orgs["region"]}
    assert created.end_date is None  # open-ended: t.o.m. löpande
    assert PlanIntervention.objects.filter(plan=draft, intervention=created).exists()
    assert draft.events.filter(action=PlanEvent.Action.ADDED).exists()
    decided = next(g for g in plan_budget(draft).cost_groups if g.group.kind == "interventions_decided")
    assert decided.totals == {2027: 450000, 2028: 460000}


def test_creating_with_too_few_members_saves_nothing(client, orgs, chief):
    client.force_login(chief)
    url = reverse("intervention_create", kwargs={"association": "alfa"})
    # Owner and partner are the same member; Polisen is not a member.
    data = create_data(
        orgs, owner=str(orgs["kommun"].pk), partners=[str(orgs["kommun"].pk), str(orgs["polisen"].pk)]
    )
    response = client.post(url, data)
    assert response.status_code == 422
    assert "Minst två av förbundets medlemmar" in response.text
    assert 'value="Nya vägar"' in response.text and 'value="450 000"' in response.text  # input kept
    assert not Intervention.objects.exists() and not Grant.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start_date": "2027-06-01", "end_date": "2027-01-01"}, "Slutdatum kan inte ligga före startdatum."),
        ({"grants-1-year": "2027"}, "År 2027 finns redan"),
        ({"grants-0-amount": "-5"}, "kan inte vara negativt"),
        ({"grants-0-amount": "12,34"}, "hela kronor"),
        ({"grants-0-amount": ""}, "Skriv beviljat belopp för 2027."),
        ({"grants-0-year": ""}, "Skriv vilket år beloppet gäller."),
        ({"name": ""}, "Skriv insatsens namn."),
    ],
)
def test_creating_refuses_bad_input_in_swedish(client, orgs, chief, overrides, message):
    client.force_login(chief)
    response = client.post(
        reverse("intervention_create", kwargs={"association": "alfa"}), create_data(orgs, **overrides)
    )
    assert response.status_code == 422
    assert message in response.text
    assert not Intervention.objects.exists()


def test_organisations_of_another_association_are_not_choices(client, orgs, chief, other_association):
    stranger = OrganisationFactory(association=other_association, name="Främmande kommun")
    client.force_login(chief)
    url = reverse("intervention_create", kwargs={"association": "alfa"})
    assert "Främmande kommun" not in client.get(url).text
    response = client.post(url, create_data(orgs, partners=[str(orgs["fk"].pk), str(stranger.pk)]))
    assert response.status_code == 422
    assert not Intervention.objects.exists()


@pytest.mark.parametrize("role", [Membership.Role.CHAIR, Membership.Role.BOARD, Membership.Role.READER])
def test_only_the_chief_creates(client, members, orgs, role):
    client.force_login(members[role])
    url = reverse("intervention_create", kwargs={"association": "alfa"})
    assert client.get(url).status_code == 403
    assert client.post(url, create_data(orgs)).status_code == 403
    assert not Intervention.objects.exists()


# --- Editing -------------------------------------------------------------------------------------


def test_the_chief_edits_texts_partners_and_grants_of_open_years(
    client, intervention, orgs, chief, draft, adopted
):
    client.force_login(chief)
    data = form_data(intervention, orgs, name="Steget vidare 2.0", purpose="Mer **stöd**.")
    data["partners"] = [str(orgs["fk"].pk), str(orgs["region"].pk)]
    data["grants-2-amount"] = "650 000"  # 2028: only the draft covers it
    data["grants-3-year"], data["grants-3-amount"] = "2029", "100000"
    response = client.post(detail_url(intervention), data)
    assert response.status_code == 302, response.text
    intervention.refresh_from_db()
    assert intervention.name == "Steget vidare 2.0" and intervention.version == 2
    assert grants_of(intervention) == {2026: 600000, 2027: 600000, 2028: 650000, 2029: 100000}
    assert set(intervention.partners.all()) == {orgs["fk"], orgs["region"]}
    # History on every plan the intervention appears in.
    assert draft.events.filter(action=PlanEvent.Action.EDITED).count() == 1
    assert adopted.events.filter(action=PlanEvent.Action.EDITED).count() == 1
    assert "650" in draft.events.get().summary


def test_an_intervention_owned_by_two_members_together(client, intervention, orgs, chief, draft):
    """Several owners: the owner and co-owners, printed together, and counted among the members taking
    part (two owners alone are enough)."""
    from plans.snapshots import snapshot_content

    client.force_login(chief)
    data = form_data(intervention, orgs)
    data["owner"] = str(orgs["fk"].pk)
    data["co_owners"] = [str(orgs["region"].pk)]
    data["partners"] = []
    response = client.post(detail_url(intervention), data)
    assert response.status_code == 302, response.text
    assert set(intervention.co_owners.all()) == {orgs["region"]}
    (frozen,) = snapshot_content(draft)["interventions"]
    assert frozen["owner"] == f"{orgs['fk'].name}, {orgs['region'].name}"
    page = client.get(detail_url(intervention)).text
    assert f"{orgs['fk'].name}, {orgs['region'].name}" in page

    data = form_data(intervention, orgs)
    data["version"] = str(intervention.version + 1)
    data["owner"], data["co_owners"], data["partners"] = str(orgs["fk"].pk), [], []
    refused = client.post(detail_url(intervention), data)
    assert refused.status_code == 422  # one member alone is not a collaboration


def test_grants_of_years_an_adopted_plan_covers_cannot_change(client, intervention, orgs, chief, adopted):
    client.force_login(chief)
    data = form_data(intervention, orgs, name="Nytt namn")
    data["grants-1-amount"] = "700 000"  # 2027: covered by the adopted 2026–2027 plan
    response = client.post(detail_url(intervention), data)
    assert response.status_code == 422
    assert "ingår i den fastställda planen ”Verksamhetsplan 2026”" in response.text
    assert "ny version av planen" in response.text
    intervention.refresh_from_db()
    assert intervention.name == "Steget vidare" and intervention.version == 1  # nothing saved
    assert grants_of(intervention)[2027] == 600000
    assert not PlanEvent.objects.exists()


def test_removing_a_grant_of_an_adopted_year_is_refused_but_other_years_are_free(intervention, chief):
    def update(grants, version):
        services.intervention_update(
            intervention=intervention,
            expected_version=version,
            fields={"name": intervention.name},
            partners=list(intervention.partners.all()),
            grants=grants,
            by=chief,
        )

    with pytest.raises(ValidationError) as refused:
        update({2027: Decimal(600000), 2028: Decimal(600000)}, 1)  # 2026 removed
    assert "2026" in refused.value.messages[0]
    assert grants_of(intervention) == {2026: 600000, 2027: 600000, 2028: 600000}
    update({2025: Decimal(1), 2026: Decimal(600000), 2027: Decimal(600000)}, 1)  # 2025 added, 2028 removed
    assert grants_of(intervention) == {2025: 1, 2026: 600000, 2027: 600000}


def test_a_superseded_plan_does_not_lock_its_years(association, intervention, orgs, chief, adopted):
    Plan.objects.filter(pk=adopted.pk).update(state=Plan.State.SUPERSEDED)
    services.intervention_update(
        intervention=intervention,
        expected_version=1,
        fields={"name": intervention.name},
        partners=list(intervention.partners.all()),
        grants={2026: Decimal(1), 2027: Decimal(600000), 2028: Decimal(600000)},
        by=chief,
    )
    assert grants_of(intervention)[2026] == 1


def test_a_status_change_that_would_change_an_adopted_budget_is_refused(
    client, intervention, orgs, chief, adopted
):
    client.force_login(chief)
    before = plan_budget(adopted).cost_total
    response = client.post(detail_url(intervention), form_data(intervention, orgs, status="undecided"))
    assert response.status_code == 422
    assert "skulle ändra den planens budget i efterhand" in response.text
    intervention.refresh_from_db()
    assert intervention.status == "granted"
    assert plan_budget(adopted).cost_total == before


def test_counts_in_budget_follows_the_budget_calculation(association, orgs, draft):
    """services.counts_in_budget mirrors budgets.calc: if calc changes, this test says so."""
    for status in Intervention.Status.values:
        intervention = InterventionFactory(association=association, status=status, name=f"Insats {status}")
        GrantFactory(intervention=intervention, year=2027, amount=1000)
        PlanInterventionFactory(plan=draft, intervention=intervention)
    rows = next(g for g in plan_budget(draft).cost_groups if g.group.kind == "interventions_decided").rows
    shown = {row.intervention.status for row in rows}
    assert shown == {status for status in Intervention.Status.values if services.counts_in_budget(status)}


def test_editing_too_few_members_saves_nothing(client, intervention, orgs, chief):
    client.force_login(chief)
    data = form_data(intervention, orgs, name="Ändrat")
    data["partners"] = [str(orgs["polisen"].pk)]  # the owner (a member) and Polisen: one member
    response = client.post(detail_url(intervention), data)
    assert response.status_code == 422
    assert "Minst två av förbundets medlemmar" in response.text
    intervention.refresh_from_db()
    assert intervention.name == "Steget vidare"


def test_a_stale_edit_shows_the_other_persons_values(client, intervention, orgs, chief):
    client.force_login(chief)
    first = form_data(intervention, orgs, name="Deras namn")
    assert client.post(detail_url(intervention), first).status_code == 302
    mine = form_data(intervention, orgs, name="Mitt namn", version="1")
    response = client.post(detail_url(intervention), mine)
    assert response.status_code == 409
    assert "Någon annan sparade insatsen" in response.text
    assert "Deras namn" in response.text and 'value="Mitt namn"' in response.text
    assert 'name="version" value="2"' in response.text  # saving again replaces theirs knowingly
    intervention.refresh_from_db()
    assert intervention.name == "Deras namn"
    mine["version"] = "2"
    assert client.post(detail_url(intervention), mine).status_code == 302


@pytest.mark.parametrize("role", [Membership.Role.CHAIR, Membership.Role.BOARD, Membership.Role.READER])
def test_only_the_chief_edits(client, members, intervention, orgs, role):
    client.force_login(members[role])
    response = client.post(detail_url(intervention), form_data(intervention, orgs, name="X"))
    assert response.status_code == 403
    end = reverse("intervention_end", kwargs={"association": "alfa", "pk": intervention.pk})
    assert client.post(end, {"end_date": "2028-06-30", "version": "1"}).status_code == 403
    intervention.refresh_from_db()
    assert intervention.name == "Steget vidare" and intervention.status == "granted"


# --- Ending --------------------------------------------------------------------------------------


def test_ending_an_intervention_outside_adopted_plans(client, association, orgs, draft, chief):
    intervention = InterventionFactory(association=association, start_date=datetime.date(2027, 1, 1))
    intervention.partners.set([orgs["fk"], orgs["region"]])
    GrantFactory(intervention=intervention, year=2027)
    PlanInterventionFactory(plan=draft, intervention=intervention)
    client.force_login(chief)
    url = reverse("intervention_end", kwargs={"association": "alfa", "pk": intervention.pk})
    response = client.post(url, {"end_date": "2026-12-31", "version": "1"})
    assert response.status_code == 422 and "före startdatum" in response.text
    response = client.post(url, {"end_date": "2027-06-30", "version": "1"})
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.status == "ended" and intervention.end_date == datetime.date(2027, 6, 30)
    assert draft.events.filter(summary__contains="Avslutade").exists()
    assert client.post(url, {"end_date": "2027-06-30", "version": "1"}).status_code == 409


def test_ending_keeps_the_grants_in_an_adopted_budget(client, intervention, chief):
    """An ended intervention's grants were spent: ending it leaves every adopted budget as it was."""
    from budgets.calc import plan_budget

    adopted = [link.plan for link in intervention.plan_links.select_related("plan") if link.plan.is_locked]
    assert adopted, "the fixture puts the intervention in an adopted plan"
    before = [plan_budget(plan).cost_total for plan in adopted]
    client.force_login(chief)
    url = reverse("intervention_end", kwargs={"association": "alfa", "pk": intervention.pk})
    response = client.post(url, {"end_date": "2027-12-31", "version": "1"})
    assert response.status_code in (200, 302)
    intervention.refresh_from_db()
    assert intervention.status == "ended"
    assert [plan_budget(plan).cost_total for plan in adopted] == before


# --- In plans ------------------------------------------------------------------------------------


def test_the_chief_adds_and_removes_an_intervention_from_its_page(client, association, orgs, chief):
    plan = make_plan(association, 2030)
    intervention = InterventionFactory(association=association, name="Ny väg")
    client.force_login(chief)
    page = client.get(detail_url(intervention)).text
    assert f'<option value="{plan.pk}">' in page
    add = reverse("intervention_plan_add", kwargs={"association": "alfa", "pk": intervention.pk})
    response = client.post(add, {"plan": str(plan.pk)}, **HTMX)
    assert response.status_code == 200
    assert 'id="intervention-plans"' in response.text and "Verksamhetsplan 2030" in response.text
    assert "Ny väg finns nu i Verksamhetsplan 2030." in response.text  # announced
    assert client.post(add, {"plan": str(plan.pk)}, **HTMX).status_code == 422  # already there
    remove = reverse(
        "plan_intervention_remove",
        kwargs={"association": "alfa", "pk": plan.pk, "intervention_id": intervention.pk},
    )
    response = client.post(remove, {"source": "intervention"})
    assert response.status_code == 302 and response.url == detail_url(intervention)
    assert not PlanIntervention.objects.filter(plan=plan).exists()
    assert [e.action for e in plan.events.order_by("id")] == ["added", "deleted"]


def test_an_adopted_plan_refuses_adding_and_removing(client, association, intervention, adopted, chief):
    other = InterventionFactory(association=association, name="Annan")
    client.force_login(chief)
    add = reverse("intervention_plan_add", kwargs={"association": "alfa", "pk": other.pk})
    assert client.post(add, {"plan": str(adopted.pk)}).status_code == 403
    add_from_plan = reverse("plan_intervention_add", kwargs={"association": "alfa", "pk": adopted.pk})
    assert client.post(add_from_plan, {"intervention": str(other.pk)}).status_code == 403
    remove = reverse(
        "plan_intervention_remove",
        kwargs={"association": "alfa", "pk": adopted.pk, "intervention_id": intervention.pk},
    )
    assert client.post(remove).status_code == 403
    assert PlanIntervention.objects.filter(plan=adopted).count() == 1
    with pytest.raises(PermissionDenied):
        services.plan_intervention_remove(plan=adopted, intervention=intervention, by=chief)


def test_the_plan_page_adds_orders_and_removes_interventions(client, association, draft, chief):
    def order():
        return list(
            draft.plan_interventions.order_by("position").values_list("intervention__name", flat=True)
        )

    first = InterventionFactory(association=association, name="Första")
    second = InterventionFactory(association=association, name="Andra")
    client.force_login(chief)
    page = reverse("plan_interventions", kwargs={"association": "alfa", "pk": draft.pk})
    assert client.get(page).status_code == 200
    add = reverse("plan_intervention_add", kwargs={"association": "alfa", "pk": draft.pk})
    assert client.post(add, {"intervention": str(first.pk)}, **HTMX).status_code == 200
    response = client.post(add, {"intervention": str(second.pk)})
    assert response.status_code == 302 and response.url == page
    assert order() == ["Första", "Andra"]
    move = reverse(
        "plan_intervention_move", kwargs={"association": "alfa", "pk": draft.pk, "intervention_id": second.pk}
    )
    response = client.post(move, {"direction": "up"}, **HTMX)
    assert response.status_code == 200 and 'id="plan-interventions"' in response.text
    assert order() == ["Andra", "Första"]
    remove = reverse(
        "plan_intervention_remove",
        kwargs={"association": "alfa", "pk": draft.pk, "intervention_id": first.pk},
    )
    assert client.post(remove, **HTMX).status_code == 200
    assert order() == ["Andra"]


def test_plan_interventions_refuse_others(
    client, association, other_association, chief, board_member, outsider, draft
):
    theirs = InterventionFactory(association=other_association, name="Deras")
    client.force_login(chief)
    add = reverse("plan_intervention_add", kwargs={"association": "alfa", "pk": draft.pk})
    assert client.post(add, {"intervention": str(theirs.pk)}).status_code == 404
    client.force_login(board_member)
    assert (
        client.get(reverse("plan_interventions", kwargs={"association": "alfa", "pk": draft.pk})).status_code
        == 403
    )
    ours = InterventionFactory(association=association)
    assert client.post(add, {"intervention": str(ours.pk)}).status_code == 403
    client.force_login(outsider)
    assert client.post(add, {"intervention": str(ours.pk)}).status_code == 404
    assert not PlanIntervention.objects.exists()


def test_a_stale_service_update_raises(intervention, chief):
    services.intervention_update(
        intervention=intervention,
        expected_version=1,
        fields={"name": "Ett"},
        partners=list(intervention.partners.all()),
        grants=grants_of(intervention),
        by=chief,
    )
    with pytest.raises(StaleVersion):
        services.intervention_update(
            intervention=intervention,
            expected_version=1,
            fields={"name": "Två"},
            partners=list(intervention.partners.all()),
            grants=grants_of(intervention),
            by=chief,
        )


def test_grants_of_adopted_years_show_as_read_only(client, intervention, chief):
    client.force_login(chief)
    text = client.get(detail_url(intervention)).text
    rows = text[text.index("grants-table") :].split("</tr>")
    by_year = {year: next(row for row in rows if f'value="{year}"' in row) for year in (2026, 2027, 2028)}
    assert "readonly" in by_year[2026] and "Fastställd i Verksamhetsplan 2026" in by_year[2026]
    assert "readonly" in by_year[2027]
    assert "readonly" not in by_year[2028]  # only the draft covers 2028

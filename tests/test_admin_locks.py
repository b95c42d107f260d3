"""Django's admin obeys the app's rule: an adopted plan and its parts cannot be changed there either."""

import datetime

import pytest
from django.urls import reverse

from budgets.models import BudgetAmount, ContributionKeyFactor, ContributionKeyValue, StatedFigure
from interventions.models import Grant, Intervention
from plans.admin_locks import plan_path
from plans.models import Indicator, Plan
from plans.parts import plan_models
from tests.admin_pages import Controls, stored
from tests.factories import (
    AssociationFactory,
    BudgetColumnFactory,
    ChapterFactory,
    GrantFactory,
    InterventionFactory,
    OrganisationFactory,
    PlanFactory,
    PlanInterventionFactory,
    UserFactory,
)

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


def test_a_plans_state_and_association_are_never_edited_in_the_admin(admin_client):
    plan = PlanFactory()
    editable = Controls(admin_client.get(reverse("admin:plans_plan_change", args=[plan.pk])).text).editable
    assert "title" in editable and "state" not in editable and "association" not in editable
    # A new plan chooses its association, never its state.
    editable = Controls(admin_client.get(reverse("admin:plans_plan_add")).text).editable
    assert "association" in editable and "state" not in editable


def test_every_plan_model_has_one_path_to_its_plan():
    """The admin's lock finds a part's plan by its foreign keys: a new part model is covered unnamed."""
    assert {model: plan_path(model) for model in (Plan, Indicator, BudgetAmount, ContributionKeyValue)} == {
        Plan: "",
        Indicator: "goal__plan",
        BudgetAmount: "column__plan",
        ContributionKeyValue: "factor__plan",
    }
    assert plan_path(Intervention) is None and plan_path(Grant) is None
    assert all(plan_path(model) for model in plan_models())


@pytest.fixture
def intervention_in_plans():
    """An intervention with grants 2027–2031 in an adopted plan (2027–2028), a plan in review (2029) and
    a draft (2030–2031)."""
    association = AssociationFactory()
    adopted = PlanFactory(
        association=association, state=Plan.State.ADOPTED, adopted_on=datetime.date(2026, 11, 25),
        first_year=2027, years=2, title="Fastställd",
    )  # fmt: skip
    in_review = PlanFactory(association=association, state=Plan.State.IN_REVIEW, first_year=2029, years=1)
    draft = PlanFactory(association=association, first_year=2030, years=2, title="Utkast")
    intervention = InterventionFactory(association=association)
    for position, plan in enumerate((adopted, in_review, draft)):
        PlanInterventionFactory(plan=plan, intervention=intervention, position=position)
    for year in range(2027, 2032):
        GrantFactory(intervention=intervention, year=year, amount=203387)
    return intervention, adopted, in_review, draft


def test_the_intervention_admin_shows_what_a_locked_plan_covers_read_only(
    admin_client, intervention_in_plans
):
    intervention, adopted, in_review, draft = intervention_in_plans
    page = admin_client.get(reverse("admin:interventions_intervention_change", args=[intervention.pk]))
    rows = {
        formset.formset.prefix: sorted(
            str(getattr(form.instance, "year", None) or form.instance.plan)
            for form in formset.formset.initial_forms
        )
        for formset in page.context["inline_admin_formsets"]
    }
    assert rows == {
        "grants": ["2030", "2031"],
        "grants-2": ["2027", "2028", "2029"],
        "plan_links": [str(draft)],
        "plan_links-2": sorted([str(adopted), str(in_review)]),
    }
    editable = Controls(page.text).editable
    assert not [name for name in editable if name.startswith(("grants-2-", "plan_links-2-"))]
    assert {"grants-0-amount_0", "plan_links-0-DELETE", "name"} <= set(editable)


def test_the_intervention_admin_refuses_changes_to_a_locked_plans_years_and_list(
    admin_client, intervention_in_plans
):
    intervention = intervention_in_plans[0]
    url = reverse("admin:interventions_intervention_change", args=[intervention.pk])
    data = Controls(admin_client.get(url).text).post()
    before = stored()

    # The locked rows, posted changed and removed anyway (the read-only inline has no such inputs):
    # nothing of them is saved.
    posted = data | {"grants-2-0-amount_0": "999999", "plan_links-2-0-DELETE": "on", "_save": "Spara"}
    assert admin_client.post(url, posted).status_code == 302
    assert stored() == before

    other_adopted = PlanFactory(
        association=intervention.association,
        state=Plan.State.ADOPTED,
        first_year=2040,
        adopted_on=datetime.date(2039, 11, 25),
    )
    refused = [
        (  # a grant added in a year the adopted plan covers
            {"grants-TOTAL_FORMS": "3", "grants-2-year": "2028", "grants-2-amount_0": "1", "grants-2-amount_1": "SEK"},
            "Beviljat belopp för 2028 ingår i planen ”Fastställd”, som har status ”Fastställd”",
        ),
        (  # a grant moved into the year of the plan in review
            {"grants-0-year": "2029"},
            "som har status ”Under granskning”, och kan inte ändras",
        ),
        (  # the intervention put into another adopted plan: not a plan to choose
            {"plan_links-TOTAL_FORMS": "2", "plan_links-1-plan": other_adopted.pk, "plan_links-1-position": "9"},
            "Välj ett giltigt alternativ",
        ),
        (  # a status that takes its grants out of the adopted plan's budget
            {"status": "undecided"},
            "skulle ändra den planens budget i efterhand",
        ),
    ]  # fmt: skip
    before = stored()
    for changes, message in refused:
        response = admin_client.post(url, data | changes)
        assert response.status_code == 200 and message in response.text, message
    assert stored() == before


def test_the_intervention_admin_changes_a_drafts_list_and_later_years_through_the_gateway(
    admin_client, intervention_in_plans
):
    intervention, adopted, in_review, draft = intervention_in_plans
    url = reverse("admin:interventions_intervention_change", args=[intervention.pk])
    data = Controls(admin_client.get(url).text).post()
    posted = data | {"plan_links-0-DELETE": "on", "grants-1-amount_0": "150000"}
    assert admin_client.post(url, posted).status_code == 302
    assert not draft.plan_interventions.exists()
    assert intervention.grants.get(year=2031).amount.amount == 150000
    # The draft's list changed through its gateway; the plans that still list it have the new grant in
    # their history, as when the app changes an intervention.
    assert [event.action for event in draft.events.all()] == ["edited"]
    assert [event.details["admin"] for event in adopted.events.all()] == ["interventions.intervention"]
    assert adopted.plan_interventions.exists() and in_review.plan_interventions.exists()


def test_a_draft_plan_and_its_parts_are_deleted_through_the_gateway(admin_client):
    draft = PlanFactory()
    chapters = [ChapterFactory(plan=draft), ChapterFactory(plan=draft)]
    response = admin_client.post(
        reverse("admin:plans_chapter_changelist"),
        {"action": "delete_selected", "_selected_action": [c.pk for c in chapters], "post": "yes"},
    )
    assert response.status_code == 302 and not draft.chapters.exists()
    assert draft.events.get().action == "deleted"
    # A plan without history (the history itself is never deleted in the admin, see PlanEventAdmin).
    fresh = PlanFactory()
    response = admin_client.post(reverse("admin:plans_plan_delete", args=[fresh.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Plan.objects.filter(pk=fresh.pk).exists()


def test_a_delete_that_would_take_part_of_a_locked_plan_with_it_is_refused(admin_client):
    """An intervention no plan lists, but that an adopted plan's stated figures name."""
    adopted = PlanFactory(
        state=Plan.State.ADOPTED, adopted_on=datetime.date(2026, 11, 25), title="Fastställd"
    )
    intervention = InterventionFactory(association=adopted.association)
    column = BudgetColumnFactory(plan=adopted)
    StatedFigure.objects.create(
        plan=adopted, column=column, label="Insats", target=StatedFigure.Target.INTERVENTION,
        intervention=intervention, amount=1000,
    )  # fmt: skip
    url = reverse("admin:interventions_intervention_delete", args=[intervention.pk])
    page = admin_client.get(url)
    assert "angiven summa i planen ”Fastställd”, som inte kan ändras" in page.text
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert adopted.stated_figures.exists()


def test_the_plan_autocomplete_offers_only_plans_that_can_change(admin_client, intervention_in_plans):
    draft = intervention_in_plans[3]
    answer = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "interventions", "model_name": "planintervention", "field_name": "plan", "term": ""},
    ).json()
    assert [int(result["id"]) for result in answer["results"]] == [draft.pk]


def test_an_organisation_is_not_deleted_with_a_locked_plans_contribution_key(admin_client):
    """The association's own admins ask the plans' guard: from the organisation's delete page, and from
    the association's page where it is an inline row."""
    adopted = PlanFactory(
        state=Plan.State.ADOPTED, adopted_on=datetime.date(2026, 11, 25), title="Fastställd"
    )
    organisation = OrganisationFactory(association=adopted.association)
    factor = ContributionKeyFactor.objects.create(plan=adopted, name="Invånare", weight_percent=100)
    ContributionKeyValue.objects.create(factor=factor, organisation=organisation, value=1000)
    url = reverse("admin:finsam_organisation_delete", args=[organisation.pk])
    assert "i planen ”Fastställd”, som inte kan ändras" in admin_client.get(url).text
    assert admin_client.post(url, {"post": "yes"}).status_code == 403

    association_url = reverse("admin:finsam_association_change", args=[adopted.association_id])
    data = Controls(admin_client.get(association_url).text).post()
    response = admin_client.post(association_url, data | {"organisations-0-DELETE": "on"})
    assert response.status_code == 200 and "i planen ”Fastställd”, som inte kan ändras" in response.text
    assert ContributionKeyValue.objects.filter(organisation=organisation).exists()

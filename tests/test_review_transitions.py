"""Every review action × every plan state × every kind of user, through the server.

Allowed transitions succeed; everything else answers 403 (or 404 for another association's chief and
for readers, who do not see unadopted plans; the login page for anonymous users) and changes nothing.
Also: the rules as data, the approval rule, simultaneous adoptions, revisions superseding.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from budgets.models import BudgetGroup
from finsam.models import Membership, Organisation
from interventions.models import Intervention
from plans import review
from plans.models import Chapter, Plan, PlanEvent, PlanSnapshot, Stance
from plans.snapshots import snapshot_content
from plans.transitions import TRANSITIONS, TransitionNotAllowed, transition_allowed
from tests.factories import (
    AssociationFactory,
    BudgetAmountFactory,
    BudgetColumnFactory,
    BudgetGroupFactory,
    BudgetLineFactory,
    ChapterFactory,
    GoalFactory,
    GrantFactory,
    IndicatorFactory,
    InterventionFactory,
    MembershipFactory,
    OrganisationFactory,
    PlanFactory,
    PlanInterventionFactory,
    UserFactory,
)
from tests.group_data import built_once_for_the_group

pytestmark = pytest.mark.django_db

State = Plan.State
Role = Membership.Role
ROLES = ["chief", "chair", "board", "reader", "outsider", "anonymous"]
TODAY = timezone.localdate()


@dataclass
class World:
    plan: Plan
    users: dict

    def user(self, role):
        return self.users[role]


def build_plan(association, **fields) -> Plan:
    """A small but complete plan: text, goals, interventions and budget chapters, one intervention with
    a grant, one typed budget line."""
    fields.setdefault("title", "Verksamhetsplan och budget 2027")
    plan = PlanFactory(association=association, first_year=2027, years=2, **fields)
    ChapterFactory(
        plan=plan, heading="Inledning", body="Förbundet arbetar för samverkan mellan parterna.", position=1
    )
    ChapterFactory(plan=plan, heading="Mål", kind=Chapter.Kind.GOALS, body="", position=2)
    ChapterFactory(plan=plan, heading="Insatser", kind=Chapter.Kind.INTERVENTIONS, body="", position=3)
    ChapterFactory(plan=plan, heading="Budget", kind=Chapter.Kind.BUDGET, body="", position=4)
    goal = GoalFactory(plan=plan, title="Fler i arbete")
    IndicatorFactory(goal=goal, text="Andel deltagare i arbete", target="minst 50 %")
    columns = [
        BudgetColumnFactory(plan=plan, year=2027),
        BudgetColumnFactory(plan=plan, year=2028, kind="plan"),
    ]
    admin = BudgetGroupFactory(plan=plan, name="Administration", position=1)
    line = BudgetLineFactory(group=admin, name="Förbundschef")
    BudgetAmountFactory(line=line, column=columns[0], amount=900000)
    BudgetAmountFactory(line=line, column=columns[1], amount=920000)
    BudgetGroupFactory(
        plan=plan, name="Beslutade insatser", kind=BudgetGroup.Kind.INTERVENTIONS_DECIDED, position=2
    )
    organisations = list(association.organisations.all())
    intervention = InterventionFactory(
        association=association, name="Vägen till arbete", purpose="Stöd till arbete."
    )
    intervention.partners.set(organisations[:2])
    GrantFactory(intervention=intervention, year=2027, amount=600000)
    PlanInterventionFactory(plan=plan, intervention=intervention)
    return plan


def build_world(state=State.DRAFT, *, readers_can_comment=False) -> World:
    association = AssociationFactory(
        name="Samordningsförbundet Alfa", readers_can_comment=readers_can_comment
    )
    OrganisationFactory(association=association, name="Försäkringskassan", kind=Organisation.Kind.STATE)
    OrganisationFactory(association=association, name="Region Alfa", kind=Organisation.Kind.REGION)
    OrganisationFactory(association=association, name="Alfa kommun")
    users = {
        role: MembershipFactory(
            association=association,
            role=role,
            user=UserFactory(username=f"{role}-{association.slug}", first_name=role.title()),
        ).user
        for role in (Role.CHIEF, Role.CHAIR, Role.BOARD, Role.READER)
    }
    other = AssociationFactory(name="Samordningsförbundet Beta")
    users["outsider"] = MembershipFactory(association=other, role=Role.CHIEF).user
    users["anonymous"] = None
    plan = build_plan(association)
    put_in_state(plan, state, users)
    return World(plan, users)


def put_in_state(plan: Plan, state: str, users: dict) -> None:
    """Bring a plan to `state` the way the workflow would have: snapshot when submitted, a stance when
    approved or changes were requested, the decision when adopted."""
    if state != State.DRAFT:
        PlanSnapshot.objects.create(
            plan=plan, number=1, created_by=users["chief"], **review.frozen_version(plan)
        )
    snapshot = plan.snapshots.first()
    if state == State.APPROVED:
        Stance.objects.create(plan=plan, snapshot=snapshot, user=users["board"], stance=Stance.Kind.APPROVE)
    if state == State.CHANGES_REQUESTED:
        Stance.objects.create(
            plan=plan,
            snapshot=snapshot,
            user=users["board"],
            stance=Stance.Kind.CHANGES_REQUESTED,
            comment="Mer.",
        )
    fields = {"state": state}
    if state in (State.ADOPTED, State.SUPERSEDED):
        fields.update(adopted_on=datetime.date(2026, 11, 25), minutes_reference="§39")
    Plan.objects.filter(pk=plan.pk).update(**fields)
    plan.refresh_from_db()


def post_data(action: str) -> dict:
    return {
        "action": action,
        "reason": "Fel siffror i budgeten.",
        "comment": "Se över insatserna.",
        "adopted_on": TODAY.isoformat(),
        "minutes_reference": "§12",
    }


def footprint(plan: Plan, *, content: bool = False) -> dict:
    """Everything a review action could change about a plan (its content only on request: the review
    actions never write to the plan's parts, and computing it twice per case doubles the run time)."""
    plan.refresh_from_db()
    return {
        "state": plan.state,
        "version": plan.version,
        "adopted_on": plan.adopted_on,
        "events": plan.events.count(),
        "snapshots": plan.snapshots.count(),
        "stances": plan.stances.count(),
        "plans": Plan.objects.count(),
        "comments": plan.comments.count(),
        **({"content": snapshot_content(plan)} if content else {}),
    }


def login(client, user):
    if user is not None:
        client.force_login(user)


EXPECTED_RULES = {
    # action: (states it starts from, roles that may take it)
    "submit": ({State.DRAFT, State.CHANGES_REQUESTED}, {Role.CHIEF}),
    "withdraw": ({State.IN_REVIEW, State.APPROVED}, {Role.CHIEF}),
    "approve": ({State.IN_REVIEW, State.APPROVED}, {Role.CHAIR, Role.BOARD}),
    "request_changes": ({State.IN_REVIEW, State.APPROVED}, {Role.CHAIR, Role.BOARD}),
    "adopt": ({State.APPROVED}, {Role.CHIEF, Role.CHAIR}),
    "revise": ({State.ADOPTED}, {Role.CHIEF}),
    "revise_budget": ({State.ADOPTED}, {Role.CHIEF, Role.CHAIR}),
}
EXPECTED_TARGET = {
    "submit": State.IN_REVIEW,
    "withdraw": State.DRAFT,
    "approve": State.APPROVED,
    "request_changes": State.CHANGES_REQUESTED,
    "adopt": State.ADOPTED,
    "revise": State.ADOPTED,  # the adopted plan stays as it is; a new draft revision appears
    "revise_budget": State.ADOPTED,  # likewise, a draft revision limited to the budget
}


def test_the_rules_are_exactly_the_documented_ones():
    assert set(TRANSITIONS) == set(EXPECTED_RULES)
    for action, (states, roles) in EXPECTED_RULES.items():
        for state in State.values:
            for role in [*Role.values, None, "outsider"]:
                assert transition_allowed(action=action, state=state, role=role) == (
                    state in states and role in roles
                ), (action, state, role)
    assert not transition_allowed(action="delete", state=State.DRAFT, role=Role.CHIEF)


@pytest.fixture(scope="class", params=State.values)
def world_in_state(request, django_db_setup, django_db_blocker):
    """A world in each state, built once for the class's tests in that state (each test's writes are
    rolled back after it)."""
    yield from built_once_for_the_group(django_db_blocker, lambda: build_world(request.param))


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(EXPECTED_RULES))
class TestEveryActionInEveryStateForEveryRole:
    def test_it_is_allowed_or_refused_by_the_rules(self, client, world_in_state, action, role):
        check_action(client, world_in_state, action, role)


def check_action(client, world, action, role):
    plan = Plan.objects.get(pk=world.plan.pk)
    state = plan.state
    user = world.user(role)
    login(client, user)
    before = footprint(plan)
    url = reverse("plan_action", kwargs={"association": plan.association.slug, "pk": plan.pk})

    response = client.post(url, post_data(action))

    states, roles = EXPECTED_RULES[action]
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif role == "outsider" or (role == Role.READER and state not in Plan.LOCKED_STATES):
        assert response.status_code == 404
    elif state in states and role in roles:
        assert response.status_code == 302, response.content.decode()[:2000]
        plan.refresh_from_db()
        assert plan.state == EXPECTED_TARGET[action]
        if action in ("revise", "revise_budget"):
            revision = Plan.objects.get(revision_of=plan)
            assert revision.state == State.DRAFT
            assert revision.budget_only == (action == "revise_budget")
            assert revision.revision == plan.revision + 1
            assert (plan.state, plan.version, plan.adopted_on) == (
                before["state"],
                before["version"],
                before["adopted_on"],
            )
        else:
            assert plan.events.count() > before["events"]
        return
    else:
        assert response.status_code == 403
    assert footprint(plan) == before


def test_a_forged_action_name_is_refused(client):
    world = build_world(State.DRAFT)
    client.force_login(world.user(Role.CHIEF))
    url = reverse("plan_action", kwargs={"association": world.plan.association.slug, "pk": world.plan.pk})
    assert client.post(url, {"action": "delete"}).status_code == 403
    assert client.post(url, {}).status_code == 403
    assert client.get(url).status_code == 405


def test_services_check_the_rules_themselves():
    """A view that forgot to check would still be refused by the service."""
    world = build_world(State.DRAFT)
    for role in (Role.CHAIR, Role.BOARD, Role.READER, "outsider"):
        with pytest.raises(TransitionNotAllowed):
            review.plan_submit(plan=world.plan, by=world.user(role))
    with pytest.raises(TransitionNotAllowed):
        review.plan_submit(plan=world.plan, by=AnonymousUser())
    with pytest.raises(TransitionNotAllowed):
        review.plan_adopt(
            plan=world.plan, by=world.user(Role.CHIEF), adopted_on=TODAY, minutes_reference="§1"
        )
    assert world.plan.snapshots.count() == 0


def test_submit_freezes_numbered_versions():
    world = build_world(State.DRAFT)
    plan, chief, board = world.plan, world.user(Role.CHIEF), world.user(Role.BOARD)
    first = review.plan_submit(plan=plan, by=chief)
    assert (first.number, plan.state) == (1, State.IN_REVIEW)
    assert first.content == snapshot_content(plan)

    review.plan_stance_record(plan=plan, by=board, stance=Stance.Kind.CHANGES_REQUESTED, comment="Skriv om.")
    assert plan.state == State.CHANGES_REQUESTED and plan.is_editable
    Chapter.objects.filter(plan=plan, heading="Inledning").update(body="Ny inledning.")
    second = review.plan_submit(plan=plan, by=chief)
    assert second.number == 2
    first.refresh_from_db()
    assert first.content["chapters"][0]["body"] == "Förbundet arbetar för samverkan mellan parterna."
    assert second.content["chapters"][0]["body"] == "Ny inledning."
    with pytest.raises(ValueError, match="frozen"):
        first.save()


def test_request_changes_needs_a_comment_and_approval_needs_one_approve():
    world = build_world(State.IN_REVIEW)
    plan = world.plan
    with pytest.raises(review.ReviewError) as error:
        review.plan_stance_record(plan=plan, by=world.user(Role.BOARD), stance=Stance.Kind.CHANGES_REQUESTED)
    assert error.value.field == "comment"
    assert plan.state == State.IN_REVIEW and plan.stances.count() == 0

    review.plan_stance_record(plan=plan, by=world.user(Role.BOARD), stance=Stance.Kind.APPROVE)
    assert plan.state == State.APPROVED
    # A later changes request from another board member takes the approval back.
    review.plan_stance_record(
        plan=plan, by=world.user(Role.CHAIR), stance=Stance.Kind.CHANGES_REQUESTED, comment="Nej."
    )
    assert plan.state == State.CHANGES_REQUESTED


def test_approval_rule_counts_the_latest_stance_per_member():
    world = build_world(State.IN_REVIEW)
    snapshot = world.plan.snapshots.get()
    board, chair = world.user(Role.BOARD), world.user(Role.CHAIR)
    Stance.objects.create(
        plan=world.plan, snapshot=snapshot, user=board, stance=Stance.Kind.CHANGES_REQUESTED
    )
    assert not review.approval_reached(snapshot)
    Stance.objects.create(plan=world.plan, snapshot=snapshot, user=chair, stance=Stance.Kind.APPROVE)
    assert not review.approval_reached(snapshot)  # the board member's changes request is still open
    Stance.objects.create(plan=world.plan, snapshot=snapshot, user=board, stance=Stance.Kind.APPROVE)
    assert review.approval_reached(snapshot)


@pytest.mark.parametrize(
    ("adopted_on", "reference", "field"),
    [
        (None, "§3", "adopted_on"),
        (TODAY + datetime.timedelta(days=1), "§3", "adopted_on"),
        (TODAY, "", "minutes_reference"),
        (TODAY, "   ", "minutes_reference"),
    ],
)
def test_adoption_needs_a_past_date_and_a_paragraph(adopted_on, reference, field):
    world = build_world(State.APPROVED)
    with pytest.raises(review.ReviewError) as error:
        review.plan_adopt(
            plan=world.plan, by=world.user(Role.CHAIR), adopted_on=adopted_on, minutes_reference=reference
        )
    assert error.value.field == field
    world.plan.refresh_from_db()
    assert world.plan.state == State.APPROVED and world.plan.adopted_on is None


def test_two_simultaneous_adoptions_give_exactly_one():
    """Both requests loaded the plan while it was approved; the conditional update lets one through."""
    world = build_world(State.APPROVED)
    first_view = Plan.objects.get(pk=world.plan.pk)
    second_view = Plan.objects.get(pk=world.plan.pk)
    review.plan_adopt(plan=first_view, by=world.user(Role.CHAIR), adopted_on=TODAY, minutes_reference="§12")
    with pytest.raises(review.StateConflict):
        review.plan_adopt(
            plan=second_view, by=world.user(Role.CHIEF), adopted_on=TODAY, minutes_reference="§13"
        )
    plan = Plan.objects.get(pk=world.plan.pk)
    assert (plan.state, plan.minutes_reference) == (State.ADOPTED, "§12")
    assert plan.events.filter(action=PlanEvent.Action.ADOPTED).count() == 1


def test_an_action_on_a_plan_whose_state_moved_on_is_refused(client):
    world = build_world(State.APPROVED)
    plan = world.plan
    client.force_login(world.user(Role.CHAIR))
    url = reverse("plan_action", kwargs={"association": plan.association.slug, "pk": plan.pk})
    # The chief withdraws between the chair's page load and the chair's click.
    review.plan_withdraw(plan=plan, by=world.user(Role.CHIEF), reason="Fel siffror.")
    response = client.post(url, post_data("adopt"))
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.state == State.DRAFT


def test_adoption_is_refused_when_the_document_changed_since_it_was_sent():
    """Interventions belong to the association and stay editable: the board must adopt what it saw."""
    world = build_world(State.APPROVED)
    grant = Intervention.objects.get(name="Vägen till arbete").grants.get(year=2027)
    grant.amount = 650000
    grant.save()
    with pytest.raises(review.ReviewError, match="ändrats sedan version 1"):
        review.plan_adopt(
            plan=world.plan, by=world.user(Role.CHIEF), adopted_on=TODAY, minutes_reference="§1"
        )
    assert world.plan.state == State.APPROVED


def test_a_revision_supersedes_the_adopted_plan_when_it_is_adopted():
    world = build_world(State.ADOPTED)
    adopted, chief, chair = world.plan, world.user(Role.CHIEF), world.user(Role.CHAIR)
    before = snapshot_content(adopted)

    revision = review.plan_revise(plan=adopted, by=chief)
    assert (revision.state, revision.revision, revision.revision_of) == (State.DRAFT, 2, adopted)
    copied = snapshot_content(revision)
    for key in ("chapters", "goals", "interventions"):
        assert [item["label"] for item in copied[key]] == [item["label"] for item in before[key]]
    assert [row["amounts"] for row in copied["budget"]["rows"]] == [
        row["amounts"] for row in before["budget"]["rows"]
    ]
    with pytest.raises(review.ReviewError, match="nyare version"):
        review.plan_revise(plan=adopted, by=chief)

    review.plan_submit(plan=revision, by=chief)
    review.plan_stance_record(plan=revision, by=chair, stance=Stance.Kind.APPROVE)
    review.plan_adopt(plan=revision, by=chair, adopted_on=TODAY, minutes_reference="§5")
    adopted.refresh_from_db()
    revision.refresh_from_db()
    assert (revision.state, adopted.state) == (State.ADOPTED, State.SUPERSEDED)
    assert adopted.is_locked and revision.is_locked
    assert snapshot_content(adopted)["chapters"] == before["chapters"]
    assert adopted.events.filter(action=PlanEvent.Action.REVISED).count() == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_adoptions_in_parallel_connections_give_exactly_one():
    """Six requests adopt at the same moment, each with its own connection (PostgreSQL only: SQLite
    serialises writers)."""
    import os
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() in {"1", "true"}:
            pytest.fail("This race must run on PostgreSQL in CI (set DATABASE_URL).")
        pytest.skip("needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/finsam_<name>")
    world = build_world(State.APPROVED)
    users = [world.user(Role.CHIEF), world.user(Role.CHAIR)] * 3
    barrier = threading.Barrier(len(users))
    results = [None] * len(users)

    def adopt(index, user):
        try:
            plan = Plan.objects.select_related("association").get(pk=world.plan.pk)
            barrier.wait(timeout=10)
            review.plan_adopt(plan=plan, by=user, adopted_on=TODAY, minutes_reference=f"§{index}")
            results[index] = "adopted"
        except (review.StateConflict, TransitionNotAllowed) as error:
            results[index] = type(error).__name__
        finally:
            connections.close_all()

    threads = [threading.Thread(target=adopt, args=(i, user)) for i, user in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results.count("adopted") == 1, results
    assert set(results) <= {"adopted", "StateConflict", "TransitionNotAllowed"}
    plan = Plan.objects.get(pk=world.plan.pk)
    assert plan.state == State.ADOPTED
    assert plan.minutes_reference == f"§{results.index('adopted')}"
    assert plan.events.filter(action=PlanEvent.Action.ADOPTED).count() == 1

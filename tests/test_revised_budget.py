"""A revised budget during the year (omdisponering, tilläggsbudget): a revision limited to the budget.

The rule (plans.gateway): a budget-only revision refuses every change of its text parts and settings,
through the services and through the editor's views alike, and keeps its budget, contributions and insatser
editable. The flow: revise → change a cell → submit → approve → adopt supersedes the old version. The
follow-up then compares against the revised budget with the first adopted budget beside it.
"""

import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from budgets.followup import BUDGET, FORECAST, ORIGINAL, original_budget, plan_followup, row_key
from budgets.models import BudgetAmount, BudgetColumn, BudgetLine
from budgets.services.cells import budget_cell_update
from budgets.services.grid import (
    budget_column_update,
    budget_group_remove,
    budget_line_add,
    budget_line_remove,
)
from finsam.models import Membership
from interventions.models import Grant
from plans import review
from plans.copying import plan_copy
from plans.gateway import PlanBudgetOnly, PlanLocked, plan_change, plan_refuse_unless_editable
from plans.models import Chapter, Goal, Plan, PlanEvent, Stance
from plans.services import (
    plan_part_add,
    plan_part_delete,
    plan_part_move,
    plan_part_update,
    plan_settings_update,
)
from plans.versions import version_label
from tests.factories import UserFactory
from tests.test_review_transitions import build_world

pytestmark = pytest.mark.django_db
State = Plan.State
Role = Membership.Role
TODAY = timezone.localdate()


@pytest.fixture
def world():
    return build_world(State.ADOPTED)


@pytest.fixture
def revision(world):
    return review.plan_revise(plan=world.plan, by=world.user("chair"), budget_only=True)


def url(name, plan, **kwargs):
    return reverse(name, kwargs={"association": plan.association.slug, "pk": plan.pk, **kwargs})


def chief_line(plan):
    line = BudgetLine.objects.get(group__plan=plan, name="Förbundschef")
    column = BudgetColumn.objects.get(plan=plan, year=plan.first_year)
    return line, column


def set_cell(plan, amount, by):
    line, column = chief_line(plan)
    stored = BudgetAmount.objects.get(line=line, column=column)
    budget_cell_update(
        line=line, column=column, amount=Decimal(amount), expected_version=stored.version, by=by
    )


def adopt(plan, users):
    review.plan_submit(plan=plan, by=users["chief"], notify=False)
    review.plan_stance_record(plan=plan, by=users["board"], stance=Stance.Kind.APPROVE)
    review.plan_adopt(plan=plan, by=users["chair"], adopted_on=TODAY, minutes_reference="§7")


# --- the rule -----------------------------------------------------------------------------------------


def test_a_budget_only_revision_is_a_draft_marked_as_such_and_says_so(world, revision):
    assert revision.state == State.DRAFT and revision.budget_only
    assert revision.revision_of == world.plan
    assert version_label(revision) == "utkast till version 2, reviderad budget"
    assert not world.plan.budget_only and version_label(world.plan) == "version 1"
    assert revision.events.get(action=PlanEvent.Action.REVISED).details["budget_only"] is True


def test_the_gateway_refuses_text_changes_of_a_revised_budget_and_writes_nothing(revision):
    before = revision.events.count()
    with pytest.raises(PlanBudgetOnly, match="reviderad budget"), plan_change(revision, by=None, text=True):
        Chapter.objects.filter(plan=revision).update(heading="Ändrad")
    assert not Chapter.objects.filter(plan=revision, heading="Ändrad").exists()
    assert revision.events.count() == before
    plan_refuse_unless_editable(revision)  # the budget's changes are not refused
    with plan_change(revision, by=None):
        pass


def test_an_ordinary_revision_changes_its_text(world):
    ordinary = review.plan_revise(plan=world.plan, by=world.user("chief"))
    plan_refuse_unless_editable(ordinary, text=True)
    assert not ordinary.budget_only and version_label(ordinary) == "utkast till version 2"


def test_a_locked_plan_is_refused_as_locked_before_anything_else(world):
    with pytest.raises(PlanLocked):
        plan_refuse_unless_editable(world.plan, text=True)


def test_every_text_service_refuses_a_revised_budget(world, revision):
    chief = world.user("chief")
    chapter = Chapter.objects.filter(plan=revision).first()
    goal = Goal.objects.get(plan=revision)
    attempts = [
        lambda: plan_part_add(plan=revision, item=Chapter(plan=revision, heading="Ny"), by=chief),
        lambda: plan_part_update(
            plan=revision, item=chapter, expected_version=chapter.version, changes={"body": "x"}, by=chief
        ),
        lambda: plan_part_delete(plan=revision, item=goal, expected_version=goal.version, by=chief),
        lambda: plan_part_move(plan=revision, item=chapter, direction="down", by=chief),
        lambda: plan_settings_update(
            plan=revision, expected_version=revision.version, changes={"title": "Ny titel"}, by=chief
        ),
    ]
    for attempt in attempts:
        with pytest.raises(PlanBudgetOnly):
            attempt()
    revision.refresh_from_db()
    assert revision.title == world.plan.title
    assert Chapter.objects.get(pk=chapter.pk).body == chapter.body
    assert Goal.objects.filter(pk=goal.pk).exists()


def test_the_budget_contributions_and_insatser_of_a_revised_budget_stay_editable(world, revision):
    chief = world.user("chief")
    set_cell(revision, 950000, chief)
    column = BudgetColumn.objects.get(plan=revision, year=2027)
    budget_column_update(
        column=column, contributions_total=Decimal(4000000), expected_version=column.version, by=chief
    )
    line, column = chief_line(revision)
    assert BudgetAmount.objects.get(line=line, column=column).amount.amount == Decimal(950000)
    assert BudgetColumn.objects.get(pk=column.pk).contributions_total.amount == Decimal(4000000)
    # The original's cell is untouched.
    old_line, old_column = chief_line(world.plan)
    assert BudgetAmount.objects.get(line=old_line, column=old_column).amount.amount == Decimal(900000)


# --- the flow -----------------------------------------------------------------------------------------


def test_revise_edit_submit_adopt_supersedes_the_old_version(world, revision):
    set_cell(revision, 950000, world.user("chief"))
    adopt(revision, world.users)
    revision.refresh_from_db()
    world.plan.refresh_from_db()
    assert revision.state == State.ADOPTED and revision.minutes_reference == "§7"
    assert world.plan.state == State.SUPERSEDED
    assert version_label(revision) == "version 2, reviderad budget"
    assert revision.budget_only  # stays marked: its history and label say what it was


def test_only_one_newer_version_at_a_time(world, revision):
    with pytest.raises(review.ReviewError, match="nyare version"):
        review.plan_revise(plan=world.plan, by=world.user("chief"), budget_only=True)


def test_a_rollover_of_a_revised_budget_is_an_ordinary_plan(world, revision):
    copy = plan_copy(revision, rollover=True, first_year=2028, revision=1)
    assert not copy.budget_only


# --- the follow-up ------------------------------------------------------------------------------------


def adopted_revision(world, revision, amount=950000):
    set_cell(revision, amount, world.user("chief"))
    adopt(revision, world.users)
    revision.refresh_from_db()
    return revision


def test_follow_up_compares_with_the_revised_budget_and_shows_the_first_beside_it(world, revision):
    revision = adopted_revision(world, revision)
    followup = plan_followup(revision)
    assert followup.original_plan == world.plan
    line, _column = chief_line(revision)
    row = followup.rows[f"line-{line.lineage.hex}"]
    assert row.amounts[BUDGET] == Decimal(950000)
    assert row.amounts[ORIGINAL] == Decimal(900000)
    assert row.amounts[FORECAST] == Decimal(950000)  # no forecast entered: the revised budget
    assert followup.totals.costs[ORIGINAL] == Decimal(900000 + 600000)
    assert followup.totals.costs[BUDGET] == Decimal(950000 + 600000)


def test_the_original_budget_comes_from_the_frozen_version(world, revision):
    """A grant changed after adoption moves the live rows of the superseded plan; the adopted snapshot
    keeps what the board adopted, and the follow-up shows that."""
    revision = adopted_revision(world, revision)
    Grant.objects.filter(year=2027).update(amount=Decimal(700000))
    intervention_id = world.plan.plan_interventions.get().intervention_id
    assert original_budget(world.plan)[f"intervention-{intervention_id}"] == Decimal(600000)


def test_a_plan_that_revises_nothing_has_no_original_column(world):
    followup = plan_followup(world.plan)
    assert followup.original_plan is None and ORIGINAL not in followup.measures
    assert all(ORIGINAL not in row.amounts for row in followup.rows.values())


def test_a_line_the_revision_added_has_no_original_budget(world, revision):
    group = BudgetLine.objects.get(group__plan=revision, name="Förbundschef").group
    added = BudgetLine.objects.create(group=group, name="Tilläggsbudget", position=9)
    BudgetAmount.objects.create(
        line=added, column=BudgetColumn.objects.get(plan=revision, year=2027), amount=Decimal(50000)
    )
    revision = adopted_revision(world, revision)
    followup = plan_followup(revision)
    row = next(row for row in followup.rows.values() if row.row.label == "Tilläggsbudget")
    assert row.amounts[ORIGINAL] == 0 and row.amounts[BUDGET] == Decimal(50000)
    assert row_key(row.row) == row.key


def test_a_revised_budget_keeps_the_adopted_versions_lines_and_groups(world, revision):
    line, _column = chief_line(revision)
    events = PlanEvent.objects.filter(plan=revision).count()
    with pytest.raises(ValidationError, match="Sätt beloppet till 0"):
        budget_line_remove(line=line, by=world.user("chief"))
    with pytest.raises(ValidationError, match="Sätt beloppet till 0"):
        budget_group_remove(group=line.group, by=world.user("chief"))
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    assert PlanEvent.objects.filter(plan=revision).count() == events


def test_a_line_the_revised_budget_added_can_be_removed_again(world, revision):
    group = chief_line(revision)[0].group
    added = budget_line_add(group=group, name="Tilläggsbudget", undecided=False, by=world.user("chief"))
    budget_line_remove(line=added, by=world.user("chief"))
    assert not BudgetLine.objects.filter(pk=added.pk).exists()


def test_an_ordinary_revision_may_remove_any_line(world):
    revised = review.plan_revise(plan=world.plan, by=world.user("chief"))
    line, _column = chief_line(revised)
    budget_line_remove(line=line, by=world.user("chief"))
    assert not BudgetLine.objects.filter(pk=line.pk).exists()


# --- the views ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "offered"), [("chief", True), ("chair", True), ("board", False)])
def test_the_review_page_offers_a_revised_budget_to_the_chief_and_the_chair(client_for, world, role, offered):
    page = client_for(world.user(role)).get(url("plan_review", world.plan)).content.decode()
    assert ('value="revise_budget"' in page) == offered


def test_the_board_cannot_start_a_revised_budget(client_for, world):
    response = client_for(world.user("board")).post(
        url("plan_action", world.plan), {"action": "revise_budget"}
    )
    assert response.status_code == 403
    assert not Plan.objects.filter(revision_of=world.plan).exists()


def test_the_chief_starts_a_revised_budget_and_lands_in_its_budget(client_for, world):
    response = client_for(world.user("chief")).post(
        url("plan_action", world.plan), {"action": "revise_budget"}
    )
    revision = Plan.objects.get(revision_of=world.plan)
    assert revision.budget_only
    assert response.status_code == 302 and response["Location"] == url("plan_budget_grid", revision)
    page = client_for(world.user("chief")).get(response["Location"]).content.decode()
    assert 'id="reviderad-budget"' in page


def test_the_chair_starts_a_revised_budget_and_sees_the_revision(client_for, world):
    response = client_for(world.user("chair")).post(
        url("plan_action", world.plan), {"action": "revise_budget"}
    )
    revision = Plan.objects.get(revision_of=world.plan)
    assert response.status_code == 302 and response["Location"] == revision.get_absolute_url()


def test_the_editor_of_a_revised_budget_says_so_links_to_the_budget_and_offers_no_text_edits(
    client_for, revision, world
):
    page = client_for(world.user("chief")).get(url("plan_edit", revision)).content.decode()
    assert 'id="reviderad-budget"' in page
    assert url("plan_budget_grid", revision) in page
    assert "Ändra eget kapital och motivering till underskott" in page  # its settings are its budget's only
    # No text part is offered for editing: the only edit link is its budget settings'.
    assert page.count("/andra/") == page.count("/installningar/andra/") and "/ny/" not in page


def test_a_revised_budget_changes_its_opening_equity_and_deficit_explanation_and_no_other_setting(
    client_for, revision, world
):
    chief = client_for(world.user("chief"))
    form = chief.get(url("plan_settings_edit", revision)).content.decode()
    assert 'name="opening_equity"' in form and 'name="deficit_explanation"' in form
    assert 'name="title"' not in form and 'name="first_year"' not in form
    response = chief.post(
        url("plan_settings_edit", revision),
        {
            "opening_equity": "1 234 000",
            "deficit_explanation": "Tilläggsbudgeten tas ur det egna kapitalet.",
            "title": "Ny titel",  # not in the form: ignored
            "version": revision.version,
        },
    )
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.opening_equity.amount == Decimal(1234000)
    assert revision.deficit_explanation.startswith("Tilläggsbudgeten")
    assert revision.title == world.plan.title
    with pytest.raises(PlanBudgetOnly):
        plan_settings_update(
            plan=revision, expected_version=revision.version, by=world.user("chief"),
            changes={"deficit_explanation": "x", "years": 2},
        )  # fmt: skip


def test_the_editor_views_refuse_text_edits_of_a_revised_budget(client_for, revision, world):
    chief = client_for(world.user("chief"))
    chapter = Chapter.objects.filter(plan=revision).first()
    goal = Goal.objects.get(plan=revision)
    posts = [
        (url("plan_part_add", revision, kind="kapitel"), {"heading": "Ny", "body": "x"}),
        (
            url("plan_part_edit", revision, kind="kapitel", item=chapter.pk),
            {"heading": "Ny", "version": chapter.version},
        ),
        (url("plan_part_delete", revision, kind="mal", item=goal.pk), {"version": goal.version}),
        (url("plan_part_move", revision, kind="kapitel", item=chapter.pk), {"direction": "down"}),
        (url("plan_indicator_add", revision, goal=goal.pk), {"text": "Ny"}),
    ]
    for address, data in posts:
        response = chief.post(address, data)
        assert response.status_code == 403, address
        assert "reviderad budget" in response.content.decode(), address
    assert chief.get(url("plan_part_edit", revision, kind="kapitel", item=chapter.pk)).status_code == 403
    assert Chapter.objects.get(pk=chapter.pk).heading == chapter.heading
    assert Goal.objects.filter(pk=goal.pk).exists()


def test_with_the_views_early_refusal_off_the_services_still_refuse_text_edits(
    client_for, revision, world, monkeypatch
):
    """The views ask the gateway's rule early; the services ask it again in `plan_change`: the rule
    holds even when a view forgets to ask."""
    monkeypatch.setattr("plans.access.plan_refuse_unless_editable", lambda plan, **kwargs: None)
    chief = client_for(world.user("chief"))
    chapter = Chapter.objects.filter(plan=revision).first()
    posts = [
        (
            url("plan_part_add", revision, kind="kapitel"),
            {"heading": "Ny", "level": 1, "kind": "text", "body": "x"},
        ),
        (url("plan_part_move", revision, kind="kapitel", item=chapter.pk), {"direction": "down"}),
    ]
    for address, data in posts:
        response = chief.post(address, data)
        assert response.status_code == 403 and "reviderad budget" in response.content.decode(), address
    assert Chapter.objects.filter(plan=revision).count() == Chapter.objects.filter(plan=world.plan).count()
    assert not revision.events.filter(action__in=[PlanEvent.Action.ADDED, PlanEvent.Action.MOVED]).exists()
    assert Plan.objects.get(pk=revision.pk).title == world.plan.title


def test_the_budget_cell_of_a_revised_budget_saves_through_its_view(client_for, revision, world):
    line, column = chief_line(revision)
    stored = BudgetAmount.objects.get(line=line, column=column)
    response = client_for(world.user("chief")).post(
        url("budget_cell", revision, line_id=line.pk, column_id=column.pk),
        {"amount": "950", "version": stored.version},  # the plan shows tkr
    )
    assert response.status_code == 302
    assert BudgetAmount.objects.get(pk=stored.pk).amount.amount == Decimal(950000)


def test_removing_an_adopted_line_of_a_revised_budget_is_answered_at_the_row(client_for, revision, world):
    line, _column = chief_line(revision)
    client = client_for(world.user("chief"))
    path = url("budget_line_remove", revision, line_id=line.pk)
    response = client.post(path, {"confirm": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "Sätt beloppet till 0" in response.content.decode()
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    response = client.post(path, {"confirm": "1"})  # without JavaScript: the whole page, the row's form open
    assert response.status_code == 422 and "Sätt beloppet till 0" in response.content.decode()


def test_what_changed_shows_the_budget_change(client_for, world, revision):
    set_cell(revision, 950000, world.user("chief"))
    page = client_for(world.user("chair")).get(url("plan_changes", revision)).content.decode()
    assert "950" in page and "Förbundschef" in page


def test_the_follow_up_page_shows_original_and_revised_budget(client_for, world, revision):
    revision = adopted_revision(world, revision)
    chair = client_for(world.user("chair"))
    response = chair.get(url("plan_followup", world.plan))
    assert response.status_code == 302 and response["Location"] == url("plan_followup", revision)
    page = chair.get(response["Location"]).content.decode()
    assert "Ursprunglig budget" in page and "Reviderad budget" in page
    assert "§7" in page and 'id="reviderad-budget"' in page
    row = re.search(r'<tr[^>]*id="rad-line-[0-9a-f]+".*?</tr>', page, re.S).group(0)
    assert re.findall(r'<td class="num[^"]*">\s*([^<]*?)\s*</td>', row)[:2] == ["900", "950"]


def test_the_review_page_of_a_revised_budget_says_so(client_for, world, revision):
    page = client_for(world.user("board")).get(url("plan_review", revision)).content.decode()
    assert 'id="reviderad-budget"' in page


def test_the_follow_up_page_of_a_draft_revision_claims_no_adoption(client_for, world, revision):
    page = client_for(world.user("chief")).get(url("plan_followup", revision)).content.decode()
    assert "Ursprunglig budget" in page and 'id="reviderad-budget"' not in page


def test_the_follow_up_page_of_an_unrevised_plan_has_no_original_column(client_for, world):
    page = client_for(world.user("chief")).get(url("plan_followup", world.plan)).content.decode()
    assert "Ursprunglig budget" not in page


def test_the_admin_refuses_a_revised_budgets_text_and_saves_its_budget(revision):
    request = RequestFactory().post("/admin/")
    request.user = UserFactory(username="root", is_superuser=True, is_staff=True)
    chapter = Chapter.objects.filter(plan=revision).first()
    chapter.heading = "Ändrad i administrationen"
    with pytest.raises(PlanBudgetOnly):
        admin.site._registry[Chapter].save_model(request, chapter, None, True)
    assert Chapter.objects.get(pk=chapter.pk).heading != chapter.heading
    line, _column = chief_line(revision)
    line.name = "Förbundschef (omdisponerad)"
    admin.site._registry[BudgetLine].save_model(request, line, None, True)
    assert BudgetLine.objects.get(pk=line.pk).name == "Förbundschef (omdisponerad)"

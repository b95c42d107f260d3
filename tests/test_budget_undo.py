"""Undo of a user's own changes to a plan's budget: the service (budgets.services.undo) and its view."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets import services
from budgets.models import InterventionBudgetAmount
from interventions.models import Intervention
from plans.gateway import PlanLocked
from plans.models import Plan, PlanEvent
from tests.factories import MembershipFactory, UserFactory
from tests.test_budget_grid import HTMX, amount_of, build_plan, column_of, grid_url, line_named, version_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(association):
    """Förbundschef and Kostnad 1 hold 100 000 and 200 000 kr in 2027 and 2028."""
    return build_plan(association, lines=2)


def type_cell(plan, name, year, amount, by):
    line, column = line_named(plan, name), column_of(plan, year)
    services.budget_cell_update(
        line=line, column=column, amount=Decimal(amount), expected_version=version_of(line, column), by=by
    )


def paste(plan, cells, by):
    """`cells`: (line name, year, amount) written as one pasted block."""
    writes = []
    for name, year, amount in cells:
        line, column = line_named(plan, name), column_of(plan, year)
        writes.append(services.CellWrite(line, column, Decimal(amount), version_of(line, column)))
    return services.budget_cells_update(plan=plan, cells=writes, by=by)


def cell(plan, name, year):
    return amount_of(line_named(plan, name), column_of(plan, year))


def undo_latest(plan, by):
    offer = services.undo_offer(plan=plan, user=by)
    assert offer is not None
    return services.budget_undo(plan=plan, step=offer.key, by=by)


def undo_url(plan):
    return reverse("budget_undo", kwargs={"association": plan.association.slug, "pk": plan.pk})


# --- The service ---------------------------------------------------------------------------------


def test_undo_gives_the_cell_its_value_before_and_records_the_undo(plan, chief):
    type_cell(plan, "Förbundschef", 2027, 150000, chief)
    offer = services.undo_offer(plan=plan, user=chief)
    assert "Förbundschef" in offer.description and "150" in offer.description
    services.budget_undo(plan=plan, step=offer.key, by=chief)
    assert cell(plan, "Förbundschef", 2027) == Decimal(100000)
    undo_event = PlanEvent.objects.filter(plan=plan).first()
    assert undo_event.summary.startswith("Ångrade: ")
    assert undo_event.details["undoes"] == offer.key
    # The undo is no step of its own: nothing is left to undo.
    assert services.undo_offer(plan=plan, user=chief) is None


def test_steps_undo_one_at_a_time_newest_first(plan, chief):
    type_cell(plan, "Förbundschef", 2027, 150000, chief)
    type_cell(plan, "Förbundschef", 2027, 160000, chief)
    type_cell(plan, "Kostnad 1", 2028, 250000, chief)
    undo_latest(plan, chief)
    assert cell(plan, "Kostnad 1", 2028) == Decimal(200000)
    assert cell(plan, "Förbundschef", 2027) == Decimal(160000)
    undo_latest(plan, chief)
    assert cell(plan, "Förbundschef", 2027) == Decimal(150000)
    undo_latest(plan, chief)
    assert cell(plan, "Förbundschef", 2027) == Decimal(100000)
    assert services.undo_offer(plan=plan, user=chief) is None


def test_only_the_users_own_changes_are_offered(plan, chief, association):
    other = build_plan_chief(association)
    type_cell(plan, "Förbundschef", 2027, 150000, chief)
    type_cell(plan, "Kostnad 1", 2027, 250000, other)
    offer = services.undo_offer(plan=plan, user=chief)
    assert "Förbundschef" in offer.description
    theirs = services.undo_offer(plan=plan, user=other)
    with pytest.raises(services.UndoRefused, match="20 senaste"):
        services.budget_undo(plan=plan, step=theirs.key, by=chief)
    assert cell(plan, "Kostnad 1", 2027) == Decimal(250000)


def build_plan_chief(association):
    """A second user of the association who edits the same plan (another chief's account)."""
    user = UserFactory(username="chef2.alfa")
    return MembershipFactory(user=user, association=association, role="chief").user


def test_the_last_twenty_steps_are_undoable_and_no_more(plan, chief):
    for amount in range(1, 23):  # 22 changes of the same cell: 1 … 22
        type_cell(plan, "Förbundschef", 2027, amount, chief)
    for _step in range(services.UNDO_LIMIT):
        undo_latest(plan, chief)
    assert cell(plan, "Förbundschef", 2027) == Decimal(2)  # back to before the 3rd change
    assert services.undo_offer(plan=plan, user=chief) is None
    oldest = PlanEvent.objects.filter(plan=plan, details__has_key="step").order_by("id").first()
    with pytest.raises(services.UndoRefused, match="20 senaste"):
        services.budget_undo(plan=plan, step=oldest.details["step"], by=chief)


def test_a_pasted_block_undoes_as_one_step(plan, chief):
    type_cell(plan, "Kostnad 1", 2028, 210000, chief)
    assert (
        paste(plan, [("Förbundschef", 2027, 1), ("Förbundschef", 2028, 2), ("Kostnad 1", 2027, 3)], chief)
        == 3
    )
    steps = {event.details["step"] for event in PlanEvent.objects.filter(plan=plan, details__has_key="step")}
    assert len(steps) == 2
    offer = services.undo_offer(plan=plan, user=chief)
    assert offer.description == "inklistringen av 3 celler"
    services.budget_undo(plan=plan, step=offer.key, by=chief)
    assert (cell(plan, "Förbundschef", 2027), cell(plan, "Förbundschef", 2028)) == (100000, 100000)
    assert cell(plan, "Kostnad 1", 2027) == Decimal(200000)
    assert cell(plan, "Kostnad 1", 2028) == Decimal(210000)  # the step before the block is still there
    assert "Kostnad 1" in services.undo_offer(plan=plan, user=chief).description


def test_undo_is_refused_where_someone_else_changed_the_cell_since(plan, chief, association):
    other = build_plan_chief(association)
    type_cell(plan, "Kostnad 1", 2027, 240000, chief)
    type_cell(plan, "Förbundschef", 2027, 150000, chief)
    offer = services.undo_offer(plan=plan, user=chief)
    type_cell(plan, "Förbundschef", 2027, 170000, other)
    with pytest.raises(services.UndoRefused, match="någon annan har ändrat Förbundschef"):
        services.budget_undo(plan=plan, step=offer.key, by=chief)
    assert cell(plan, "Förbundschef", 2027) == Decimal(170000)
    # The offer moves on to the older step, which can still be undone.
    assert "Kostnad 1" in services.undo_offer(plan=plan, user=chief).description
    undo_latest(plan, chief)
    assert cell(plan, "Kostnad 1", 2027) == Decimal(200000)


def test_an_older_step_on_a_cell_someone_else_changed_is_not_offered(plan, chief, association):
    other = build_plan_chief(association)
    type_cell(plan, "Förbundschef", 2027, 150000, chief)
    type_cell(plan, "Förbundschef", 2027, 160000, chief)
    type_cell(plan, "Förbundschef", 2027, 150000, other)  # the value of the older step, by chance
    assert services.undo_offer(plan=plan, user=chief) is None


def test_undo_in_a_locked_plan_is_refused(plan, chief):
    type_cell(plan, "Förbundschef", 2027, 150000, chief)
    offer = services.undo_offer(plan=plan, user=chief)
    Plan.objects.filter(pk=plan.pk).update(state=Plan.State.IN_REVIEW)
    plan.refresh_from_db()
    with pytest.raises(PlanLocked):
        services.budget_undo(plan=plan, step=offer.key, by=chief)
    assert cell(plan, "Förbundschef", 2027) == Decimal(150000)


def test_an_interventions_budgeted_amount_and_a_columns_total_undo(plan, chief):
    intervention = Intervention.objects.get(name="Steget vidare")
    column = column_of(plan, 2027)
    services.intervention_budget_update(
        plan=plan,
        intervention=intervention,
        column=column,
        amount=Decimal(250000),
        expected_version=0,
        by=chief,
    )
    services.budget_column_update(
        column=column, expected_version=column.version, by=chief, contributions_total=Decimal(2100000)
    )
    assert "medlemsavgifter totalt" in services.undo_offer(plan=plan, user=chief).description
    undo_latest(plan, chief)
    column.refresh_from_db()
    assert column.contributions_total.amount == Decimal(2000000)
    assert "Steget vidare" in services.undo_offer(plan=plan, user=chief).description
    undo_latest(plan, chief)
    assert not InterventionBudgetAmount.objects.filter(
        intervention=intervention
    ).exists()  # follows the grant


def test_a_step_on_a_removed_line_is_refused(plan, chief):
    type_cell(plan, "Kostnad 1", 2027, 250000, chief)
    offer = services.undo_offer(plan=plan, user=chief)
    services.budget_line_remove(line=line_named(plan, "Kostnad 1"), by=chief)
    assert services.undo_offer(plan=plan, user=chief) is None
    with pytest.raises(services.UndoRefused, match="finns inte längre"):
        services.budget_undo(plan=plan, step=offer.key, by=chief)


# --- The view ------------------------------------------------------------------------------------


def test_the_grid_offers_the_step_and_the_view_undoes_it(client, plan, chief):
    client.force_login(chief)
    type_cell(plan, "Förbundschef", 2027, 150000, chief)
    offer = services.undo_offer(plan=plan, user=chief)
    page = client.get(grid_url(plan)).text
    assert f'name="step" value="{offer.key}"' in page
    response = client.post(undo_url(plan), {"step": offer.key}, **HTMX)
    assert response.status_code == 200
    assert 'id="budget-editor"' in response.text and "Inget att ångra." in response.text
    assert cell(plan, "Förbundschef", 2027) == Decimal(100000)
    # Without JavaScript: back to the grid.
    type_cell(plan, "Förbundschef", 2027, 120000, chief)
    offer = services.undo_offer(plan=plan, user=chief)
    assert client.post(undo_url(plan), {"step": offer.key}).status_code == 302
    assert cell(plan, "Förbundschef", 2027) == Decimal(100000)


def test_a_cell_save_answers_with_the_undo_button_for_it(client, plan, chief):
    client.force_login(chief)
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    url = reverse(
        "budget_cell",
        kwargs={"association": "alfa", "pk": plan.pk, "line_id": line.pk, "column_id": column.pk},
    )
    response = client.post(url, {"amount": "150000", "version": "1"}, **HTMX)
    offer = services.undo_offer(plan=plan, user=chief)
    # Out of band, in a <template>: a <form> parsed after the answer's table cell would lose its fields.
    assert re.search(r'<template>\s*<div id="grid-undo" class="grid-undo" hx-swap-oob="true">', response.text)
    assert f'name="step" value="{offer.key}"' in response.text


def test_a_refused_undo_says_why_beside_the_button(client, plan, chief, association):
    other = build_plan_chief(association)
    client.force_login(chief)
    type_cell(plan, "Förbundschef", 2027, 150000, chief)
    offer = services.undo_offer(plan=plan, user=chief)
    type_cell(plan, "Förbundschef", 2027, 170000, other)
    for headers in (HTMX, {}):
        response = client.post(undo_url(plan), {"step": offer.key}, **headers)
        assert response.status_code == 409
        assert "någon annan har ändrat Förbundschef" in response.text
        assert 'role="alert"' in response.text
    assert cell(plan, "Förbundschef", 2027) == Decimal(170000)


def test_the_undo_view_checks_role_state_and_tenant(client, plan, chief, board_member, outsider):
    type_cell(plan, "Förbundschef", 2027, 150000, chief)
    step = services.undo_offer(plan=plan, user=chief).key
    client.force_login(outsider)
    assert client.post(undo_url(plan), {"step": step}).status_code == 404
    client.force_login(board_member)
    assert client.post(undo_url(plan), {"step": step}).status_code == 403
    client.force_login(chief)
    Plan.objects.filter(pk=plan.pk).update(state=Plan.State.IN_REVIEW)
    assert client.post(undo_url(plan), {"step": step}, **HTMX).status_code == 403
    assert cell(plan, "Förbundschef", 2027) == Decimal(150000)
    assert client.get(undo_url(plan)).status_code == 405

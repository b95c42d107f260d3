"""The budget grid: its services (budgets.grid) and every endpoint of the grid editor."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets import services
from budgets.models import BudgetAmount, BudgetColumn, BudgetGroup, BudgetLine
from finsam.editing import StaleVersion
from finsam.models import Membership
from plans.models import Plan, PlanEvent
from tests.factories import (
    BudgetAmountFactory,
    BudgetColumnFactory,
    BudgetGroupFactory,
    BudgetLineFactory,
    GrantFactory,
    InterventionFactory,
    PlanFactory,
    PlanInterventionFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
NBSP = "\u00a0"


# --- Fixtures ------------------------------------------------------------------------------------
# `association` (Alfa, with Försäkringskassan, Region Alfa and Alfa kommun), `other_association` (Beta),
# `chief`, `members` by role and `outsider` (Beta's chief) come from tests/conftest.py.


def build_plan(
    association,
    *,
    lines: int = 1,
    columns: int = 2,
    first_year: int = 2027,
    state=Plan.State.DRAFT,
    **plan_fields,
):
    """A plan with contributions, an administration group of `lines` lines and a decided interventions
    group holding one granted intervention. Line i has 100 000 × (i + 1) kr in every column."""
    plan_fields.setdefault("unit", Plan.Unit.KR)
    plan_fields.setdefault("opening_equity", 500000)
    if state == Plan.State.ADOPTED:
        plan_fields.setdefault("adopted_on", datetime.date(2026, 11, 25))
    plan = PlanFactory(
        association=association, first_year=first_year, years=columns, state=state, **plan_fields
    )
    kinds = [BudgetColumn.Kind.BUDGET] + [BudgetColumn.Kind.PLAN] * (columns - 1)
    cols = [
        BudgetColumnFactory(plan=plan, year=first_year + i, kind=kind, contributions_total=2000000)
        for i, kind in enumerate(kinds)
    ]
    BudgetGroupFactory(
        plan=plan, section="revenue", kind=BudgetGroup.Kind.CONTRIBUTIONS, name="Medlemsavgifter", position=1
    )
    admin = BudgetGroupFactory(
        plan=plan, kind=BudgetGroup.Kind.ADMINISTRATION, name="Administration", position=1
    )
    decided = BudgetGroupFactory(
        plan=plan, kind=BudgetGroup.Kind.INTERVENTIONS_DECIDED, name="Beslutade insatser", position=2
    )
    created = BudgetLine.objects.bulk_create(
        [
            BudgetLine(group=admin, name="Förbundschef" if i == 0 else f"Kostnad {i}", position=i + 1)
            for i in range(lines)
        ]
    )
    BudgetAmount.objects.bulk_create(
        [
            BudgetAmount(line=line, column=column, amount=Decimal(100000 * (i + 1)))
            for i, line in enumerate(created)
            for column in cols
        ]
    )
    intervention = InterventionFactory(association=association, name="Steget vidare")
    for column in cols:
        GrantFactory(intervention=intervention, year=column.year, amount=300000)
    PlanInterventionFactory(plan=plan, intervention=intervention)
    BudgetLineFactory(group=decided, name="Övriga insatser")
    return plan


@pytest.fixture
def plan(association):
    return build_plan(association)


def line_named(plan, name):
    return BudgetLine.objects.get(group__plan=plan, name=name)


def column_of(plan, year):
    return plan.budget_columns.get(year=year)


def cell_url(plan, line, column):
    return reverse(
        "budget_cell",
        kwargs={
            "association": plan.association.slug,
            "pk": plan.pk,
            "line_id": line.pk,
            "column_id": column.pk,
        },
    )


def grid_url(plan):
    return reverse("plan_budget_grid", kwargs={"association": plan.association.slug, "pk": plan.pk})


def amount_of(line, column):
    cell = BudgetAmount.objects.filter(line=line, column=column).first()
    return None if cell is None else cell.amount.amount


def version_of(line, column):
    cell = BudgetAmount.objects.filter(line=line, column=column).first()
    return 0 if cell is None else cell.version


# --- Services ------------------------------------------------------------------------------------


def test_a_cell_update_saves_the_amount_bumps_the_version_and_records_history(plan, chief):
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    saved = services.budget_cell_update(
        line=line, column=column, amount=Decimal(1258500), expected_version=1, by=chief
    )
    assert saved.amount.amount == Decimal(1258500)
    assert saved.version == 2
    event = plan.events.get()
    assert event.user == chief
    assert "Förbundschef" in event.summary and f"1{NBSP}258{NBSP}500" in event.summary


def test_an_empty_cell_is_filled_and_a_cleared_cell_is_removed(plan, chief):
    line, column = line_named(plan, "Övriga insatser"), column_of(plan, 2027)
    saved = services.budget_cell_update(
        line=line, column=column, amount=Decimal(5), expected_version=0, by=chief
    )
    assert amount_of(line, column) == 5
    assert (
        services.budget_cell_update(
            line=line, column=column, amount=None, expected_version=saved.version, by=chief
        )
        is None
    )
    assert amount_of(line, column) is None
    assert plan.events.count() == 2


def test_an_unchanged_value_writes_nothing(plan, chief):
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    services.budget_cell_update(
        line=line, column=column, amount=Decimal(100000), expected_version=1, by=chief
    )
    assert version_of(line, column) == 1
    assert not plan.events.exists()


def test_an_unchanged_value_read_before_someone_elses_save_is_a_conflict(plan, chief):
    """The caller read the cell (version 1, 100 000) before another save moved it on: sending the value
    it read is not "saved", it is told of the newer value."""
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    read_before = BudgetAmount.objects.get(line=line, column=column)
    services.budget_cell_update(line=line, column=column, amount=Decimal(200), expected_version=1, by=chief)
    with pytest.raises(StaleVersion) as conflict:
        services.budget_cell_update(
            line=line,
            column=column,
            amount=Decimal(100000),
            expected_version=1,
            by=chief,
            current=read_before,
        )
    assert conflict.value.current.amount.amount == 200


def test_a_stale_cell_save_is_refused_with_the_other_persons_value(plan, chief):
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    services.budget_cell_update(line=line, column=column, amount=Decimal(200), expected_version=1, by=chief)
    with pytest.raises(StaleVersion) as conflict:
        services.budget_cell_update(
            line=line, column=column, amount=Decimal(300), expected_version=1, by=chief
        )
    assert conflict.value.current.amount.amount == 200
    assert amount_of(line, column) == 200


def test_filling_an_empty_cell_someone_else_filled_is_a_conflict(plan, chief):
    line, column = line_named(plan, "Övriga insatser"), column_of(plan, 2027)
    BudgetAmountFactory(line=line, column=column, amount=7)
    with pytest.raises(StaleVersion) as conflict:
        services.budget_cell_update(line=line, column=column, amount=Decimal(9), expected_version=0, by=chief)
    assert conflict.value.current.amount.amount == 7


def test_a_locked_plan_refuses_every_grid_change(association, chief):
    plan = build_plan(association, state=Plan.State.ADOPTED)
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    group = line.group
    changes = [
        lambda: services.budget_cell_update(
            line=line, column=column, amount=Decimal(1), expected_version=1, by=chief
        ),
        lambda: services.budget_column_update(
            column=column, expected_version=1, contributions_total=Decimal(1), by=chief
        ),
        lambda: services.budget_line_add(group=group, name="Ny", by=chief),
        lambda: services.budget_line_update(line=line, expected_version=1, name="Nytt namn", by=chief),
        lambda: services.budget_line_move(line=line, direction="down", by=chief),
        lambda: services.budget_line_remove(line=line, by=chief),
        lambda: services.budget_group_add(plan=plan, section="costs", kind="other", name="Ny", by=chief),
        lambda: services.budget_group_update(group=group, expected_version=1, name="Ny", by=chief),
        lambda: services.budget_group_move(group=group, direction="up", by=chief),
        lambda: services.budget_group_remove(group=group, by=chief),
    ]
    for change in changes:
        with pytest.raises(PermissionDenied):
            change()
    assert amount_of(line, column) == 100000
    assert not plan.events.exists()


def test_the_contributions_group_gets_no_typed_lines(plan, chief):
    contributions = plan.budget_groups.get(kind=BudgetGroup.Kind.CONTRIBUTIONS)
    with pytest.raises(ValidationError):
        services.budget_line_add(group=contributions, name="Extra avgift", by=chief)
    assert not contributions.lines.exists()


def test_the_contributions_total_sets_the_computed_rows(plan, chief):
    from budgets.calc import plan_budget

    column = column_of(plan, 2027)
    services.budget_column_update(
        column=column, expected_version=1, contributions_total=Decimal(4000000), by=chief
    )
    revenue = plan_budget(plan).revenue_groups[0]
    assert [row.amounts[2027] for row in revenue.rows] == [2000000, 1000000, 1000000]
    with pytest.raises(ValidationError):
        services.budget_column_update(
            column=column, expected_version=2, contributions_total=Decimal(-1), by=chief
        )


def test_a_column_kind_changes_with_its_version(plan, chief):
    column = column_of(plan, 2028)
    services.budget_column_update(
        column=column, expected_version=1, kind=BudgetColumn.Kind.FORECAST, by=chief
    )
    column.refresh_from_db()
    assert column.kind == BudgetColumn.Kind.FORECAST and column.version == 2
    with pytest.raises(StaleVersion):
        services.budget_column_update(
            column=column, expected_version=1, kind=BudgetColumn.Kind.PLAN, by=chief
        )


def test_lines_are_added_last_renamed_moved_and_removed(plan, chief):
    first = line_named(plan, "Förbundschef")
    group = first.group
    added = services.budget_line_add(group=group, name="  Revision  ", by=chief)
    assert added.name == "Revision"
    assert list(group.lines.order_by("position", "id").values_list("name", flat=True)) == [
        "Förbundschef",
        "Revision",
    ]
    assert services.budget_line_move(line=added, direction="up", by=chief)
    assert list(group.lines.order_by("position", "id").values_list("name", flat=True)) == [
        "Revision",
        "Förbundschef",
    ]
    assert not services.budget_line_move(line=added, direction="up", by=chief)  # already first
    services.budget_line_update(line=added, expected_version=1, name="Revision och granskning", by=chief)
    with pytest.raises(StaleVersion):
        services.budget_line_update(line=added, expected_version=1, name="Annat", by=chief)
    with pytest.raises(ValidationError):
        services.budget_line_update(line=added, expected_version=2, name="   ", by=chief)
    services.budget_line_remove(line=first, by=chief)
    assert not BudgetAmount.objects.filter(line_id=first.pk).exists()
    removal = plan.events.filter(action=PlanEvent.Action.DELETED).get()
    assert removal.details["amounts"] == {"2027": "100000", "2028": "100000"}


def test_groups_are_added_moved_renamed_and_removed(plan, chief):
    group = services.budget_group_add(
        plan=plan, section="costs", kind="project_costs", name="Projekt", by=chief
    )
    costs = plan.budget_groups.filter(section="costs").order_by("position", "id")
    assert list(costs.values_list("name", flat=True)) == ["Administration", "Beslutade insatser", "Projekt"]
    services.budget_group_move(group=group, direction="up", by=chief)
    assert list(costs.values_list("name", flat=True)) == ["Administration", "Projekt", "Beslutade insatser"]
    services.budget_group_update(
        group=group, expected_version=1, name="Projektkostnader", collapsed=True, by=chief
    )
    group.refresh_from_db()
    assert group.name == "Projektkostnader" and group.collapsed
    services.budget_group_remove(group=group, by=chief)
    assert not BudgetGroup.objects.filter(pk=group.pk).exists()


def test_a_computed_group_exists_once_and_kinds_fit_their_section(plan, chief):
    with pytest.raises(ValidationError):
        services.budget_group_add(plan=plan, section="revenue", kind="contributions", name="Igen", by=chief)
    with pytest.raises(ValidationError):
        services.budget_group_add(
            plan=plan, section="revenue", kind="administration", name="Fel del", by=chief
        )
    with pytest.raises(ValidationError):
        services.budget_group_add(plan=plan, section="costs", kind="other", name="  ", by=chief)


# --- The grid page -------------------------------------------------------------------------------


def test_the_chief_sees_the_grid_with_labelled_inputs_and_computed_rows(client, plan, chief):
    client.force_login(chief)
    response = client.get(grid_url(plan))
    assert response.status_code == 200
    text = response.text
    assert 'aria-label="Förbundschef, Budget 2027"' in text
    assert 'aria-label="Förbundschef, Plan 2028"' in text
    assert f'value="100{NBSP}000"' in text
    intervention = plan.plan_interventions.get().intervention
    detail = reverse("intervention_detail", kwargs={"association": "alfa", "pk": intervention.pk})
    assert f'href="{detail}">Steget vidare</a>' in text  # read-only, links to the intervention
    assert 'id="kontroller"' in text  # the plan checks beside the grid
    assert 'role="status"' in text and 'aria-live="polite"' in text


def test_a_thousands_plan_shows_exact_amounts_in_its_inputs(client, association, chief):
    plan = build_plan(association, unit=Plan.Unit.TKR, decimals=0)
    line = line_named(plan, "Förbundschef")
    BudgetAmount.objects.filter(line=line, column=column_of(plan, 2027)).update(amount=Decimal(1258520))
    client.force_login(chief)
    text = client.get(grid_url(plan)).text
    assert f'value="1{NBSP}258,52"' in text  # never rounded in an input


@pytest.mark.parametrize("role", [Membership.Role.CHAIR, Membership.Role.BOARD])
def test_the_board_may_not_open_the_grid(client, plan, members, role):
    client.force_login(members[role])
    assert client.get(grid_url(plan)).status_code == 403


def test_a_reader_does_not_see_a_draft_and_may_not_edit_an_adopted_plan(client, association, reader):
    client.force_login(reader)
    draft = build_plan(association)
    assert client.get(grid_url(draft)).status_code == 404  # readers see adopted plans only
    adopted = build_plan(association, state=Plan.State.ADOPTED, first_year=2026)
    assert client.get(grid_url(adopted)).status_code == 403


def test_another_association_gets_a_404_and_anonymous_the_login(client, plan, outsider):
    response = client.get(grid_url(plan))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(grid_url(plan)).status_code == 404
    url = reverse("plan_budget_grid", kwargs={"association": "beta", "pk": plan.pk})
    assert client.get(url).status_code == 404


def test_an_adopted_plan_is_not_editable_in_the_grid(client, association, chief):
    plan = build_plan(association, state=Plan.State.ADOPTED)
    client.force_login(chief)
    assert client.get(grid_url(plan)).status_code == 403
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    response = client.post(cell_url(plan, line, column), {"amount": "5", "version": "1"}, **HTMX)
    assert response.status_code == 403
    assert amount_of(line, column) == 100000


# --- Saving a cell -------------------------------------------------------------------------------


def test_saving_a_cell_answers_with_the_cell_and_everything_that_follows(client, plan, chief):
    client.force_login(chief)
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    response = client.post(cell_url(plan, line, column), {"amount": "1 258 500", "version": "1"}, **HTMX)
    assert response.status_code == 200
    assert amount_of(line, column) == 1258500
    text = response.text
    assert text.lstrip().startswith('<td class="grid-cell"')  # the primary target: the cell itself
    assert f'value="1{NBSP}258{NBSP}500"' in text and 'name="version" value="2"' in text
    # Subtotal: 1 258 500; costs: 1 258 500 + 300 000 (intervention); result: 2 000 000 − 1 558 500.
    subtotal = text[text.index(f'id="subtotal-{line.group_id}"') :]
    assert 'hx-swap-oob="true"' in subtotal[:60] and f"1{NBSP}258{NBSP}500" in subtotal
    costs_total = text[text.index('id="total-costs"') :]
    assert f"1{NBSP}558{NBSP}500" in costs_total.split("</tr>")[0]
    result = text[text.index('id="grid-result"') :]
    assert f"441{NBSP}500" in result.split("</tr>")[0]
    # Equity: 500 000 + 441 500 at the end of 2027.
    assert f"941{NBSP}500" in result
    assert f'id="rowtotal-{line.pk}" hx-swap-oob="true"' in text  # the row's multi-year total
    assert 'id="budget-grid-checks" hx-swap-oob="innerHTML"' in text
    status = text[text.index('id="budget-grid-status"') :]
    assert "resultat 441" in status


def shown_checks_digest(client, plan) -> str:
    """The digest of the checks the grid page shows, as a cell's post includes it (hx-include)."""
    page = client.get(grid_url(plan)).text
    assert 'hx-include="#checks-digest"' in page
    return re.search(r'id="checks-digest" name="checks_digest" value="([0-9a-f]+)"', page).group(1)


def test_a_cell_that_leaves_the_checks_as_they_are_does_not_send_them_again(client, association, chief):
    plan = build_plan(association, opening_equity=None)  # no equity figures in the findings' texts
    client.force_login(chief)
    digest = shown_checks_digest(client, plan)
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    data = {"amount": "150000", "version": "1", "checks_digest": digest}
    response = client.post(cell_url(plan, line, column), data, **HTMX)
    assert response.status_code == 200
    assert amount_of(line, column) == 150000
    assert f"150{NBSP}000" in response.text[response.text.index(f'id="subtotal-{line.group_id}"') :]
    assert 'id="budget-grid-checks"' not in response.text  # the panel on the page is still right
    assert shown_checks_digest(client, plan) == digest


def test_a_cell_that_changes_the_checks_sends_them_with_their_new_digest(client, association, chief):
    plan = build_plan(association, opening_equity=None)
    client.force_login(chief)
    digest = shown_checks_digest(client, plan)
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    data = {"amount": "5000000", "version": "1", "checks_digest": digest}  # costs now exceed revenue
    response = client.post(cell_url(plan, line, column), data, **HTMX)
    assert response.status_code == 200
    panel = response.text[response.text.index('id="budget-grid-checks" hx-swap-oob="innerHTML"') :]
    assert "underskott" in panel.lower()
    new_digest = shown_checks_digest(client, plan)
    assert new_digest != digest and f'value="{new_digest}"' in panel


def test_a_plain_post_saves_and_goes_back_to_the_grid(client, plan, chief):
    client.force_login(chief)
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2028)
    response = client.post(cell_url(plan, line, column), {"amount": "250000", "version": "1"})
    assert response.status_code == 302
    assert response.url == f"{grid_url(plan)}#cell-{line.pk}-{column.pk}"
    assert amount_of(line, column) == 250000


def test_a_thousands_plan_reads_a_decimal_comma(client, association, chief):
    plan = build_plan(association, unit=Plan.Unit.TKR, decimals=1)
    client.force_login(chief)
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    response = client.post(cell_url(plan, line, column), {"amount": "1258,5", "version": "1"}, **HTMX)
    assert response.status_code == 200
    assert amount_of(line, column) == 1258500
    assert f'value="1{NBSP}258,5"' in response.text


def test_emptying_a_cell_removes_its_amount(client, plan, chief):
    client.force_login(chief)
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    response = client.post(cell_url(plan, line, column), {"amount": "  ", "version": "1"}, **HTMX)
    assert response.status_code == 200
    assert amount_of(line, column) is None
    assert 'name="version" value="0"' in response.text


@pytest.mark.parametrize(
    ("typed", "message"),
    [("12,34", "hela kronor"), ("tolv", "med siffror"), ("1 000 000 000 000", "för stort")],
)
def test_invalid_input_is_refused_at_the_cell_with_the_text_kept(client, plan, chief, typed, message):
    client.force_login(chief)
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    response = client.post(cell_url(plan, line, column), {"amount": typed, "version": "1"}, **HTMX)
    assert response.status_code == 422
    assert message in response.text
    assert f'value="{typed}"' in response.text
    assert 'aria-invalid="true"' in response.text
    status = response.text[response.text.index('id="budget-grid-status"') :]
    assert "Inte sparat" in status and message in status  # announced: Tab has moved the focus on
    assert amount_of(line, column) == 100000 and version_of(line, column) == 1
    assert not plan.events.exists()


def test_invalid_input_without_javascript_renders_the_page_with_the_message(client, plan, chief):
    client.force_login(chief)
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    response = client.post(cell_url(plan, line, column), {"amount": "12,34", "version": "1"})
    assert response.status_code == 422
    assert "<html" in response.text and "hela kronor" in response.text and 'value="12,34"' in response.text
    assert amount_of(line, column) == 100000


def test_a_stale_save_shows_the_other_value_and_lets_the_user_choose(client, plan, chief):
    client.force_login(chief)
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    services.budget_cell_update(
        line=line, column=column, amount=Decimal(111000), expected_version=1, by=chief
    )
    response = client.post(cell_url(plan, line, column), {"amount": "222 000", "version": "1"}, **HTMX)
    assert response.status_code == 409
    text = response.text
    assert f"111{NBSP}000{NBSP}kr" in text  # their value
    assert 'value="222 000"' in text  # mine, kept
    assert 'name="version" value="2"' in text  # saving again overwrites knowingly
    assert "Spara mitt värde" in text and "Använd deras värde" in text
    assert amount_of(line, column) == 111000
    # The totals follow what is saved now: their 111 000 + the intervention's 300 000.
    assert f"411{NBSP}000" in text[text.index('id="total-costs"') :].split("</tr>")[0]
    assert "Någon annan har just ändrat samma cell" in text
    # Choosing mine: the same form posted again with the new version.
    response = client.post(cell_url(plan, line, column), {"amount": "222 000", "version": "2"}, **HTMX)
    assert response.status_code == 200 and amount_of(line, column) == 222000


def test_choosing_the_other_value_shows_the_cell_as_it_is_now(client, plan, chief):
    client.force_login(chief)
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    services.budget_cell_update(
        line=line, column=column, amount=Decimal(111000), expected_version=1, by=chief
    )
    response = client.get(cell_url(plan, line, column), **HTMX)
    assert response.status_code == 200
    assert f'value="111{NBSP}000"' in response.text and 'name="version" value="2"' in response.text
    plain = client.get(cell_url(plan, line, column))
    assert plain.status_code == 302


def test_a_stale_save_without_javascript_renders_the_page_with_the_conflict(client, plan, chief):
    client.force_login(chief)
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    services.budget_cell_update(
        line=line, column=column, amount=Decimal(111000), expected_version=1, by=chief
    )
    response = client.post(cell_url(plan, line, column), {"amount": "222 000", "version": "1"})
    assert response.status_code == 409
    assert "<html" in response.text and "Använd deras värde" in response.text


@pytest.mark.parametrize("role", [Membership.Role.CHAIR, Membership.Role.BOARD])
def test_the_board_may_not_save_a_cell(client, plan, members, role):
    client.force_login(members[role])
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    for headers in ({}, HTMX):
        assert (
            client.post(cell_url(plan, line, column), {"amount": "1", "version": "1"}, **headers).status_code
            == 403
        )
    assert amount_of(line, column) == 100000


def test_outsiders_and_anonymous_users_may_not_save_a_cell(client, plan, outsider):
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    response = client.post(cell_url(plan, line, column), {"amount": "1", "version": "1"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(outsider)
    assert client.post(cell_url(plan, line, column), {"amount": "1", "version": "1"}).status_code == 404
    assert amount_of(line, column) == 100000


def test_a_line_of_another_plan_is_a_404(client, association, plan, chief):
    other = build_plan(association, first_year=2030)
    client.force_login(chief)
    foreign = line_named(other, "Förbundschef")
    url = cell_url(plan, foreign, column_of(plan, 2027))
    assert client.post(url, {"amount": "1", "version": "1"}).status_code == 404


def test_a_superuser_edits_like_the_chief(client, plan):
    admin = get_user_model().objects.create_superuser("admin", "admin@example.se", "pw")
    client.force_login(admin)
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    assert (
        client.post(cell_url(plan, line, column), {"amount": "5", "version": "1"}, **HTMX).status_code == 200
    )


def test_a_missing_version_is_a_bad_request(client, plan, chief):
    client.force_login(chief)
    line, column = line_named(plan, "Förbundschef"), column_of(plan, 2027)
    assert client.post(cell_url(plan, line, column), {"amount": "5"}).status_code == 400


# --- Contributions, columns, lines and groups ----------------------------------------------------


def contributions_url(plan, column):
    return reverse(
        "budget_contributions",
        kwargs={"association": plan.association.slug, "pk": plan.pk, "column_id": column.pk},
    )


def test_the_contributions_total_is_typed_once_and_the_split_follows(client, plan, chief):
    client.force_login(chief)
    column = column_of(plan, 2027)
    response = client.post(contributions_url(plan, column), {"amount": "4 000 000", "version": "1"}, **HTMX)
    assert response.status_code == 200
    column.refresh_from_db()
    assert column.contributions_total.amount == 4000000
    group = plan.budget_groups.get(kind=BudgetGroup.Kind.CONTRIBUTIONS)
    computed = response.text[response.text.index(f'id="computed-{group.pk}"') :]
    assert 'hx-swap-oob="true"' in computed[:60]
    assert f"2{NBSP}000{NBSP}000" in computed and f"1{NBSP}000{NBSP}000" in computed


def test_a_negative_contributions_total_is_refused(client, plan, chief):
    client.force_login(chief)
    column = column_of(plan, 2027)
    response = client.post(contributions_url(plan, column), {"amount": "-5", "version": "1"}, **HTMX)
    assert response.status_code == 422
    assert "negativa" in response.text
    column.refresh_from_db()
    assert column.contributions_total.amount == 2000000


def test_a_stale_contributions_total_is_a_conflict(client, plan, chief):
    client.force_login(chief)
    column = column_of(plan, 2027)
    services.budget_column_update(
        column=column, expected_version=1, contributions_total=Decimal(3000000), by=chief
    )
    response = client.post(contributions_url(plan, column), {"amount": "4 000 000", "version": "1"}, **HTMX)
    assert response.status_code == 409
    assert f"3{NBSP}000{NBSP}000{NBSP}kr" in response.text


def test_a_column_kind_is_changed_from_the_grid(client, plan, chief):
    client.force_login(chief)
    column = column_of(plan, 2028)
    url = reverse("budget_column_kind", kwargs={"association": "alfa", "pk": plan.pk, "column_id": column.pk})
    response = client.post(url, {"kind": "forecast", "version": "1"}, **HTMX)
    assert response.status_code == 200
    assert 'aria-label="Förbundschef, Prognos 2028"' in response.text
    assert client.post(url, {"kind": "nonsense", "version": "2"}, **HTMX).status_code == 422
    assert client.post(url, {"kind": "plan", "version": "1"}, **HTMX).status_code == 409


def test_adding_a_line_answers_with_the_editor(client, plan, chief):
    client.force_login(chief)
    group = plan.budget_groups.get(kind=BudgetGroup.Kind.ADMINISTRATION)
    url = reverse("budget_line_add", kwargs={"association": "alfa", "pk": plan.pk, "group_id": group.pk})
    response = client.post(url, {"name": "Revision"}, **HTMX)
    assert response.status_code == 200
    assert 'id="budget-editor"' in response.text and 'aria-label="Revision, Budget 2027"' in response.text
    assert "Raden Revision lades till." in response.text  # announced
    response = client.post(url, {"name": "  "}, **HTMX)
    assert response.status_code == 422 and "Skriv radens benämning." in response.text
    response = client.post(url, {"name": "Lokaler"})
    line = line_named(plan, "Lokaler")
    assert response.status_code == 302 and response.url.endswith(f"#rad-{line.pk}")


def test_the_contributions_group_refuses_a_typed_line_at_the_endpoint_too(client, plan, chief):
    client.force_login(chief)
    group = plan.budget_groups.get(kind=BudgetGroup.Kind.CONTRIBUTIONS)
    url = reverse("budget_line_add", kwargs={"association": "alfa", "pk": plan.pk, "group_id": group.pk})
    response = client.post(url, {"name": "Extra"}, **HTMX)
    assert response.status_code == 422
    assert not group.lines.exists()


def test_renaming_a_line_with_a_stale_version_shows_the_other_name(client, plan, chief):
    client.force_login(chief)
    line = line_named(plan, "Förbundschef")
    url = reverse("budget_line_edit", kwargs={"association": "alfa", "pk": plan.pk, "line_id": line.pk})
    assert client.post(url, {"name": "Förbundschef 100 %", "version": "1"}, **HTMX).status_code == 200
    response = client.post(url, {"name": "Chef", "version": "1"}, **HTMX)
    assert response.status_code == 409
    assert "Förbundschef 100 %" in response.text and 'value="Chef"' in response.text


def test_moving_a_line_keeps_focus_on_its_button(client, plan, chief):
    client.force_login(chief)
    line = services.budget_line_add(
        group=plan.budget_groups.get(kind="administration"), name="Revision", by=chief
    )
    url = reverse("budget_line_move", kwargs={"association": "alfa", "pk": plan.pk, "line_id": line.pk})
    response = client.post(url, {"direction": "up"}, **HTMX)
    assert response.status_code == 200
    text = response.text
    assert text.index('id="rad-' + str(line.pk)) < text.index("Förbundschef, Budget 2027")
    assert f'id="line-{line.pk}-up"' in text  # htmx puts the focus back on the same id
    assert client.post(url, {"direction": "sideways"}).status_code == 400


def test_removing_a_line_asks_first_without_javascript(client, plan, chief):
    client.force_login(chief)
    line = line_named(plan, "Förbundschef")
    url = reverse("budget_line_remove", kwargs={"association": "alfa", "pk": plan.pk, "line_id": line.pk})
    response = client.post(url)
    assert response.status_code == 200 and "Ta bort raden Förbundschef?" in response.text
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert not BudgetLine.objects.filter(pk=line.pk).exists()


def test_removing_a_line_with_htmx_answers_with_the_editor(client, plan, chief):
    client.force_login(chief)
    line = line_named(plan, "Förbundschef")
    url = reverse("budget_line_remove", kwargs={"association": "alfa", "pk": plan.pk, "line_id": line.pk})
    response = client.post(url, {"confirm": "1"}, **HTMX)
    assert response.status_code == 200 and "Förbundschef, Budget" not in response.text


def test_groups_are_managed_from_the_grid(client, plan, chief):
    client.force_login(chief)
    add = reverse("budget_group_add", kwargs={"association": "alfa", "pk": plan.pk})
    response = client.post(add, {"section": "costs", "kind": "project_costs", "name": "Projekt"}, **HTMX)
    assert response.status_code == 200 and "Ny rad i Projekt" in response.text
    group = plan.budget_groups.get(name="Projekt")
    response = client.post(add, {"section": "revenue", "kind": "contributions", "name": "Två"}, **HTMX)
    assert response.status_code == 422 and "redan en grupp" in response.text
    edit = reverse("budget_group_edit", kwargs={"association": "alfa", "pk": plan.pk, "group_id": group.pk})
    assert client.post(edit, {"name": "Projektkostnader", "version": "1"}, **HTMX).status_code == 200
    # The shared subtotal with the groups next to it is set in the same form (spaces tidied).
    response = client.post(
        edit, {"name": "Projektkostnader", "version": "2", "summed_under": "  Verksamhet  "}, **HTMX
    )
    assert response.status_code == 200 and 'value="Verksamhet"' in response.text
    group.refresh_from_db()
    assert group.summed_under == "Verksamhet"
    move = reverse("budget_group_move", kwargs={"association": "alfa", "pk": plan.pk, "group_id": group.pk})
    assert client.post(move, {"direction": "up"}, **HTMX).status_code == 200
    remove = reverse(
        "budget_group_remove", kwargs={"association": "alfa", "pk": plan.pk, "group_id": group.pk}
    )
    assert "Ta bort gruppen Projektkostnader?" in client.post(remove).text
    assert client.post(remove, {"confirm": "1"}).status_code == 302
    assert not BudgetGroup.objects.filter(pk=group.pk).exists()


@pytest.mark.parametrize(
    ("name", "kwargs", "data"),
    [
        ("budget_line_add", {"group_id": "admin"}, {"name": "X"}),
        ("budget_line_edit", {"line_id": "line"}, {"name": "X", "version": "1"}),
        ("budget_line_move", {"line_id": "line"}, {"direction": "up"}),
        ("budget_line_remove", {"line_id": "line"}, {"confirm": "1"}),
        ("budget_group_add", {}, {"section": "costs", "kind": "other", "name": "X"}),
        ("budget_group_edit", {"group_id": "admin"}, {"name": "X", "version": "1"}),
        ("budget_group_move", {"group_id": "admin"}, {"direction": "up"}),
        ("budget_group_remove", {"group_id": "admin"}, {"confirm": "1"}),
        ("budget_column_kind", {"column_id": "column"}, {"kind": "plan", "version": "1"}),
        ("budget_contributions", {"column_id": "column"}, {"amount": "1", "version": "1"}),
    ],
)
def test_every_structural_endpoint_refuses_others(
    client, association, chief, board_member, outsider, name, kwargs, data
):
    plan = build_plan(association)
    adopted = build_plan(association, state=Plan.State.ADOPTED, first_year=2020)
    users = {
        "board": (board_member, plan, 403),
        "outsider": (outsider, plan, 404),
        "chief on adopted": (chief, adopted, 403),
    }
    for _label, (user, target, expected) in users.items():
        objects = {
            "admin": target.budget_groups.get(kind="administration").pk,
            "line": line_named(target, "Förbundschef").pk,
            "column": column_of(target, target.first_year).pk,
        }
        url = reverse(
            name,
            kwargs={"association": "alfa", "pk": target.pk, **{k: objects[v] for k, v in kwargs.items()}},
        )
        client.force_login(user)
        assert client.post(url, data, **HTMX).status_code == expected, _label
    client.logout()
    assert client.post(url, data).status_code == 302
    assert not PlanEvent.objects.exists()


# --- Query counts --------------------------------------------------------------------------------


def cell_post(plan, amount):
    """The URL and data of a save of the first line's first cell, read before any query is counted."""
    line, column = line_named(plan, "Förbundschef"), column_of(plan, plan.first_year)
    return cell_url(plan, line, column), {"amount": amount, "version": str(version_of(line, column))}


# A cell save: session, user, membership; plan, line, column; the stored amounts of the line's group (the
# number slips' measure, budgets.slips, and the cell's own read) and the cell's write and the history event
# and the plan's date inside a savepoint; the budget (plan_budget: 13, its interventions shared with the
# checks), the cells' versions, the checks (2); what "Ångra" undoes now (budgets.services.undo: the user's
# last steps, their events, the columns and the lines of their cells: 4). The session is written once a
# minute at most: the first save after the login writes it, the counted ones do not.
CELL_SAVE_QUERIES = 29


def test_a_cell_save_takes_the_same_number_of_queries_for_a_small_and_a_large_plan(
    client, association, chief, django_assert_num_queries
):
    small = build_plan(association, lines=1, columns=2)
    large = build_plan(association, lines=60, columns=6, first_year=2030)
    # Large: 60 lines × 6 columns of amounts, plus interventions with grants.
    for i in range(10):
        intervention = InterventionFactory(association=association, name=f"Insats {i}")
        for year in range(2030, 2036):
            GrantFactory(intervention=intervention, year=year, amount=1000)
        PlanInterventionFactory(plan=large, intervention=intervention)
    assert BudgetAmount.objects.filter(line__group__plan=large).count() == 60 * 6
    client.force_login(chief)
    url, data = cell_post(small, "1")
    assert client.post(url, data, **HTMX).status_code == 200  # the session's first save
    for plan, amount in ((small, "2"), (large, "3")):
        url, data = cell_post(plan, amount)
        with django_assert_num_queries(CELL_SAVE_QUERIES):
            response = client.post(url, data, **HTMX)
        assert response.status_code == 200
        assert f'value="{amount}"' in response.text


def test_the_grid_page_takes_the_same_number_of_queries_for_a_small_and_a_large_plan(
    client, association, chief
):
    small = build_plan(association, lines=1, columns=2)
    large = build_plan(association, lines=60, columns=6, first_year=2030)
    client.force_login(chief)
    client.get(grid_url(small))
    counts = []
    for plan in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(grid_url(plan)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_budget_page_leads_to_the_import_and_the_excel_export(client, plan, chief):
    client.force_login(chief)
    page = client.get(reverse("plan_budget_grid", kwargs={"association": "alfa", "pk": plan.pk})).text
    assert reverse("budget_import", kwargs={"association": "alfa", "pk": plan.pk}) in page
    assert reverse("budget_export", kwargs={"association": "alfa", "pk": plan.pk}) in page


def test_a_lines_actions_are_one_menu_button_and_plain_forms_without_javascript(client, association, chief):
    """The menu button is no tab stop and hidden until static/js/grid.js shows it with its menu; without
    JavaScript the <details> beside it holds the move, change and remove forms, which post and redirect."""
    plan = build_plan(association, lines=2)
    client.force_login(chief)
    line = line_named(plan, "Förbundschef")
    page = client.get(grid_url(plan)).text
    row = page[page.index(f'id="rad-{line.pk}"') :]
    row = row[: row.index("</tr>")]
    assert row.count('aria-haspopup="menu"') == 1
    assert re.search(r'aria-haspopup="menu"[^>]*tabindex="-1" hidden>', row)
    assert 'data-remove-label="Ta bort raden…"' in row
    # The menu's items, once per page: static/js/grid.js builds each row's menu from them.
    assert 'role="menuitem"' not in row and page.count('<template id="row-menu-items">') == 1
    items = page[page.index('<template id="row-menu-items">') :]
    assert items[: items.index("</template>")].count('role="menuitem"') == 4
    details = row[row.index('<details class="grid-menu"') :]
    for action in (f'id="line-{line.pk}-up"', f'id="line-{line.pk}-down"', f'id="line-{line.pk}-name"'):
        assert action in details
    assert f'id="line-{line.pk}-remove"' in details
    move = reverse("budget_line_move", kwargs={"association": "alfa", "pk": plan.pk, "line_id": line.pk})
    assert client.post(move, {"direction": "down"}).status_code == 302
    assert line_named(plan, "Förbundschef").position > line.position

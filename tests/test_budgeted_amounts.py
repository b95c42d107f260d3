"""An intervention's budgeted amount and its grant are two figures: the budget row follows the grant unless
the chief budgets another amount for a year (`budgets.services.intervention_budget_update`, the grid's
intervention cells); the difference is shown in the grid and reported by the plan checks; the amount is
the plan's, copied by a revision and, for the years carried, by next year's plan."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgets.calc import plan_budget
from budgets.checks import plan_checks
from budgets.models import BudgetColumn, BudgetGroup, InterventionBudgetAmount
from budgets.parts import budget_columns_sync
from budgets.services import intervention_budget_update
from finsam.editing import StaleVersion
from finsam.models import Membership
from finsam.site.demo.loader import load_association
from finsam.site.demo.reading import demo_files, read_demo_file
from interventions.models import Intervention
from plans.checks import finding_links
from plans.copying import plan_copy
from plans.gateway import PlanLocked
from plans.models import Plan, PlanEvent
from plans.rollover import plan_rollover
from tests.factories import (
    BudgetColumnFactory,
    BudgetGroupFactory,
    GrantFactory,
    InterventionBudgetAmountFactory,
    InterventionFactory,
    PlanFactory,
    PlanInterventionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal
HTMX = {"HTTP_HX_REQUEST": "true"}
NBSP = "\u00a0"
MINUS = "\u2212"


def build_plan(association, *, first_year=2027, state=Plan.State.DRAFT, **fields):
    """A two-year plan (contributions 2 000 000 kr a year) whose decided group holds Projekt Äpplet,
    granted 598 085 kr in the first year and 600 000 kr in the second."""
    fields.setdefault("unit", Plan.Unit.KR)
    if state != Plan.State.DRAFT:
        fields.setdefault("adopted_on", datetime.date(first_year - 1, 11, 25))
    plan = PlanFactory(
        association=association, first_year=first_year, years=2, state=state, opening_equity=D(0), **fields
    )
    for offset, kind in enumerate([BudgetColumn.Kind.BUDGET, BudgetColumn.Kind.PLAN]):
        BudgetColumnFactory(plan=plan, year=first_year + offset, kind=kind, contributions_total=D(2000000))
    BudgetGroupFactory(plan=plan, section="revenue", kind="contributions", name="Medlemsavgifter", position=1)
    BudgetGroupFactory(plan=plan, kind=BudgetGroup.Kind.INTERVENTIONS_DECIDED, name="Insatser", position=2)
    intervention = PlanInterventionFactory(plan=plan, intervention__name="Projekt Äpplet").intervention
    GrantFactory(intervention=intervention, year=first_year, amount=D(598085))
    GrantFactory(intervention=intervention, year=first_year + 1, amount=D(600000))
    return plan


@pytest.fixture
def plan(association):
    return build_plan(association)


def intervention_of(plan):
    return plan.plan_interventions.get(intervention__name="Projekt Äpplet").intervention


def column_of(plan, year):
    return plan.budget_columns.get(year=year)


def budgeted(plan):
    """year → budgeted amount of Projekt Äpplet in `plan`."""
    return {
        amount.column.year: amount.amount.amount
        for amount in InterventionBudgetAmount.objects.filter(column__plan=plan).select_related("column")
    }


def row_amounts(plan):
    (group,) = [g for g in plan_budget(plan).groups if g.group.kind == BudgetGroup.Kind.INTERVENTIONS_DECIDED]
    (row,) = [row for row in group.rows if row.intervention is not None]
    return row.amounts


def update(plan, amount, *, year=2027, version=0, by):
    return intervention_budget_update(
        plan=plan,
        intervention=intervention_of(plan),
        column=column_of(plan, year),
        amount=None if amount is None else D(amount),
        expected_version=version,
        by=by,
    )


# --- The service ---------------------------------------------------------------------------------------


def test_setting_a_budgeted_amount_replaces_the_grant_and_records_history(plan, chief):
    saved = update(plan, 600000, by=chief)

    assert (saved.amount.amount, saved.version) == (D(600000), 1)
    assert row_amounts(plan) == {2027: D(600000), 2028: D(600000)}
    (event,) = plan.events.all()
    assert event.action == PlanEvent.Action.EDITED and event.user == chief
    assert event.summary == (
        f"Budget: Projekt Äpplet, Budget 2027: beviljat belopp (598{NBSP}085{NBSP}kr) → 600{NBSP}000{NBSP}kr"
    )
    assert event.details["granted"] == "598085" and event.details["after"] == "600000"


def test_changing_and_clearing_a_budgeted_amount_follows_the_grant_again(plan, chief):
    update(plan, 600000, by=chief)
    changed = update(plan, 598000, version=1, by=chief)
    assert (changed.amount.amount, changed.version) == (D(598000), 2)

    assert update(plan, None, version=2, by=chief) is None

    assert budgeted(plan) == {}
    assert row_amounts(plan) == {2027: D(598085), 2028: D(600000)}
    assert plan.events.count() == 3


def test_the_grant_itself_is_not_a_budgeted_amount(plan, chief):
    assert update(plan, 598085, by=chief) is None  # already what the row shows: nothing written
    assert not plan.events.exists()
    update(plan, 600000, by=chief)
    assert update(plan, 598085, version=1, by=chief) is None  # back to following the grant
    assert budgeted(plan) == {}


def test_an_unchanged_value_writes_nothing(plan, chief):
    update(plan, 600000, by=chief)
    assert update(plan, 600000, version=1, by=chief).version == 1
    assert plan.events.count() == 1


def test_a_stale_budgeted_amount_is_a_conflict_with_the_amount_as_it_is_now(plan, chief):
    update(plan, 600000, by=chief)
    with pytest.raises(StaleVersion) as conflict:
        update(plan, 610000, version=0, by=chief)
    assert conflict.value.current.amount.amount == D(600000)
    update(plan, None, version=1, by=chief)
    with pytest.raises(StaleVersion) as conflict:
        update(plan, 610000, version=1, by=chief)
    assert conflict.value.current is None  # someone made it follow the grant again
    assert budgeted(plan) == {}


def test_a_negative_amount_is_refused(plan, chief):
    with pytest.raises(ValidationError, match="negativt"):
        update(plan, -1, by=chief)
    assert budgeted(plan) == {} and not plan.events.exists()


def test_an_undecided_intervention_is_not_budgeted(plan, chief):
    Intervention.objects.filter(name="Projekt Äpplet").update(status=Intervention.Status.UNDECIDED)
    with pytest.raises(ValidationError, match="inte beslutad"):
        update(plan, 600000, by=chief)
    assert budgeted(plan) == {} and not plan.events.exists()


def test_an_intervention_the_plan_does_not_list_is_refused(plan, chief):
    intervention = intervention_of(plan)
    plan.plan_interventions.all().delete()
    with pytest.raises(ValidationError, match="ingår inte i planen"):
        intervention_budget_update(
            plan=plan,
            intervention=intervention,
            column=column_of(plan, 2027),
            amount=D(600000),
            expected_version=0,
            by=chief,
        )
    assert budgeted(plan) == {} and not plan.events.exists()


def test_a_column_of_another_plan_is_refused(association, plan, chief):
    other = build_plan(association, first_year=2030)
    with pytest.raises(ValidationError, match="olika planer"):
        intervention_budget_update(
            plan=plan,
            intervention=intervention_of(plan),
            column=column_of(other, 2030),
            amount=D(1),
            expected_version=0,
            by=chief,
        )


def test_a_locked_plan_refuses_a_budgeted_amount(association, chief):
    adopted = build_plan(association, state=Plan.State.ADOPTED)
    with pytest.raises(PlanLocked):
        update(adopted, 600000, by=chief)
    assert budgeted(adopted) == {}


def test_the_budgeted_amount_stays_when_the_grant_changes_later(plan, chief):
    update(plan, 600000, by=chief)
    intervention_of(plan).grants.filter(year=2027).update(amount=D(620000))
    assert budgeted(plan) == {2027: D(600000)}
    assert row_amounts(plan)[2027] == D(600000)


def test_a_plan_keeps_its_years_while_a_budgeted_amount_lies_in_one_it_would_drop(plan):
    InterventionBudgetAmountFactory(
        column=column_of(plan, 2028), intervention=intervention_of(plan), amount=0
    )
    plan.years = 1
    with pytest.raises(ValidationError, match="2028"):
        budget_columns_sync(plan)
    assert plan.budget_columns.filter(year=2028).exists()


# --- Copies --------------------------------------------------------------------------------------------


def test_a_revision_copies_every_budgeted_amount(plan):
    InterventionBudgetAmountFactory(
        column=column_of(plan, 2027), intervention=intervention_of(plan), amount=600000
    )
    InterventionBudgetAmountFactory(
        column=column_of(plan, 2028), intervention=intervention_of(plan), amount=0
    )

    revision = plan_copy(plan, rollover=False, revision=2, revision_of=plan)

    assert budgeted(revision) == {2027: D(600000), 2028: D(0)}
    assert row_amounts(revision) == row_amounts(plan)
    assert budgeted(plan) == {2027: D(600000), 2028: D(0)}  # the source keeps its own


def test_next_years_plan_copies_the_budgeted_amounts_of_the_years_it_carries(association):
    source = build_plan(association, state=Plan.State.ADOPTED)
    intervention = intervention_of(source)
    ended = PlanInterventionFactory(
        plan=source,
        position=5,
        intervention__name="Slutar 2027",
        intervention__end_date=datetime.date(2027, 12, 31),
    ).intervention
    GrantFactory(intervention=ended, year=2027, amount=D(100000))
    for year, who, amount in (
        (2027, intervention, 600000),
        (2028, intervention, 605000),
        (2027, ended, 90000),
    ):
        InterventionBudgetAmountFactory(column=column_of(source, year), intervention=who, amount=amount)

    new = plan_rollover(source=source, by=UserFactory(username="chef.rollover"))

    # 2027 is kept as the forecast, 2028 becomes the budget; the new last year (2029) follows the grants.
    carried = InterventionBudgetAmount.objects.filter(column__plan=new)
    assert sorted((a.column.year, a.intervention.name, a.amount.amount) for a in carried) == [
        (2027, "Projekt Äpplet", D(600000)),
        (2028, "Projekt Äpplet", D(605000)),
    ]
    assert row_amounts(new) == {2027: D(600000), 2028: D(605000)}
    # The intervention that ended stays behind; the forecast keeps what the budget held for it.
    forecast = plan_budget(new)
    assert forecast.cost_total[2027] == plan_budget(source).cost_total[2027] == D(690000)


# --- The checks ----------------------------------------------------------------------------------------


def findings_of(plan):
    return [
        (finding.severity, finding.message)
        for finding in plan_checks(plan)
        if finding.code == "intervention_budgeted_differs"
    ]


def test_a_difference_under_one_percent_of_the_grant_is_information(plan):
    InterventionBudgetAmountFactory(
        column=column_of(plan, 2027), intervention=intervention_of(plan), amount=600000
    )
    assert findings_of(plan) == [
        (
            "info",
            f"Budgeten för 2027 tar upp 600{NBSP}000{NBSP}kr för insatsen Projekt Äpplet, 1{NBSP}915{NBSP}kr mer "
            f"än beviljat belopp 598{NBSP}085{NBSP}kr.",
        )
    ]


def test_a_difference_of_one_percent_or_more_is_a_warning(plan):
    intervention = intervention_of(plan)
    InterventionBudgetAmountFactory(column=column_of(plan, 2027), intervention=intervention, amount=604066)
    InterventionBudgetAmountFactory(column=column_of(plan, 2028), intervention=intervention, amount=594000)
    assert [severity for severity, _message in findings_of(plan)] == ["warning", "warning"]
    assert f"6{NBSP}000{NBSP}kr mindre än beviljat belopp 600{NBSP}000{NBSP}kr" in findings_of(plan)[1][1]
    # 5 980 kr is just under 1 % of 598 085 kr.
    InterventionBudgetAmount.objects.filter(column__year=2027).update(amount=D(604065))
    assert [severity for severity, _message in findings_of(plan)] == ["warning", "info"]


def test_a_budgeted_amount_without_a_grant_is_a_warning_and_an_equal_one_is_nothing(plan):
    intervention = intervention_of(plan)
    intervention.grants.filter(year=2028).delete()
    InterventionBudgetAmountFactory(column=column_of(plan, 2028), intervention=intervention, amount=50000)
    InterventionBudgetAmountFactory(column=column_of(plan, 2027), intervention=intervention, amount=598085)
    assert findings_of(plan) == [
        (
            "warning",
            f"Budgeten för 2028 tar upp 50{NBSP}000{NBSP}kr för insatsen Projekt Äpplet, som inte har något "
            "beviljat belopp det året.",
        )
    ]


def test_the_finding_leads_to_the_interventions_row_in_the_grid(plan):
    intervention = intervention_of(plan)
    InterventionBudgetAmountFactory(column=column_of(plan, 2027), intervention=intervention, amount=600000)
    (finding,) = [f for f in plan_checks(plan) if f.code == "intervention_budgeted_differs"]
    grid = reverse("plan_budget_grid", kwargs={"association": plan.association.slug, "pk": plan.pk})
    assert finding_links(plan, finding) == [("Till budgeten", f"{grid}#insatsrad-{intervention.pk}")]


# --- The grid ------------------------------------------------------------------------------------------


def cell_url(plan, year=2027, *, association="alfa", intervention=None):
    return reverse(
        "budget_intervention_cell",
        kwargs={
            "association": association,
            "pk": plan.pk,
            "intervention_id": (intervention or intervention_of(plan)).pk,
            "column_id": column_of(plan, year).pk,
        },
    )


def grid_url(plan):
    return reverse("plan_budget_grid", kwargs={"association": plan.association.slug, "pk": plan.pk})


def test_the_grid_shows_an_editable_cell_per_year_that_follows_the_grant(client, plan, chief):
    client.force_login(chief)
    text = client.get(grid_url(plan)).text
    intervention = intervention_of(plan)
    input_id = f"insats-{intervention.pk}-{column_of(plan, 2027).pk}"
    assert f'id="{input_id}" value="598{NBSP}085" aria-label="Projekt Äpplet, Budget 2027"' in text
    assert f'aria-describedby="{input_id}-grant"' in text
    assert (
        f'<p class="grid-cell__grant visually-hidden" id="{input_id}-grant">Följer beviljat belopp.</p>'
        in text
    )
    assert f'id="insatsrad-{intervention.pk}"' in text
    assert f'action="{cell_url(plan)}"' in text


def test_the_grid_shows_the_grant_and_the_difference_beside_a_budgeted_amount(client, plan, chief):
    InterventionBudgetAmountFactory(
        column=column_of(plan, 2027), intervention=intervention_of(plan), amount=600000
    )
    client.force_login(chief)
    text = client.get(grid_url(plan)).text
    assert '<td class="grid-cell grid-cell--budgeted"' in text
    assert f'value="600{NBSP}000"' in text
    assert f"Budgeterat. Beviljat 598{NBSP}085{NBSP}kr, skillnad +1{NBSP}915{NBSP}kr." in text
    assert "Projekt Äpplet, 1" in text  # and the check beside the grid


def test_saving_a_budgeted_amount_answers_with_the_cell_and_everything_that_follows(client, plan, chief):
    client.force_login(chief)
    response = client.post(cell_url(plan), {"amount": "600 000", "version": "0"}, **HTMX)

    assert response.status_code == 200
    assert budgeted(plan) == {2027: D(600000)}
    text = response.text
    assert text.lstrip().startswith('<td class="grid-cell grid-cell--budgeted"')
    assert f'value="600{NBSP}000"' in text and 'name="version" value="1"' in text
    assert f"Beviljat 598{NBSP}085{NBSP}kr, skillnad +1{NBSP}915{NBSP}kr." in text
    group = plan.budget_groups.get(kind=BudgetGroup.Kind.INTERVENTIONS_DECIDED)
    subtotal = text[text.index(f'id="subtotal-{group.pk}"') :].split("</tr>")[0]
    assert f"600{NBSP}000" in subtotal
    row_total = text[text.index(f'id="insatstotal-{intervention_of(plan).pk}"') :].split("</td>")[0]
    assert 'hx-swap-oob="true"' in row_total and f"1{NBSP}200{NBSP}000" in row_total
    result = text[text.index('id="grid-result"') :].split("</tr>")[0]
    assert f"1{NBSP}400{NBSP}000" in result  # 2 000 000 − 600 000
    assert 'id="budget-grid-checks" hx-swap-oob="innerHTML"' in text
    assert 'id="computed-' not in text  # the other rows stay as they are
    status = text[text.index('id="budget-grid-status"') :]
    assert "Sparat. Budget 2027" in status


def test_a_thousands_plan_reads_the_budgeted_amount_in_thousands(client, association, chief):
    plan = build_plan(association, unit=Plan.Unit.TKR, decimals=1)
    client.force_login(chief)
    assert 'value="598,085"' in client.get(grid_url(plan)).text  # the exact grant, never rounded
    response = client.post(cell_url(plan), {"amount": "600", "version": "0"}, **HTMX)
    assert response.status_code == 200
    assert budgeted(plan) == {2027: D(600000)}
    assert 'value="600"' in response.text


def test_emptying_the_cell_follows_the_grant_again(client, plan, chief):
    InterventionBudgetAmountFactory(
        column=column_of(plan, 2027), intervention=intervention_of(plan), amount=600000
    )
    client.force_login(chief)
    response = client.post(cell_url(plan), {"amount": " ", "version": "1"}, **HTMX)
    assert response.status_code == 200
    assert budgeted(plan) == {}
    assert f'value="598{NBSP}085"' in response.text and 'name="version" value="0"' in response.text
    assert "Följer beviljat belopp." in response.text


def test_a_plain_post_saves_and_goes_back_to_the_cell(client, plan, chief):
    client.force_login(chief)
    response = client.post(cell_url(plan, 2028), {"amount": "610000", "version": "0"})
    assert response.status_code == 302
    intervention = intervention_of(plan)
    assert response.url == f"{grid_url(plan)}#insats-{intervention.pk}-{column_of(plan, 2028).pk}"
    assert budgeted(plan) == {2028: D(610000)}


@pytest.mark.parametrize(
    ("typed", "message"),
    [("12,34", "hela kronor"), ("sexhundra", "med siffror"), ("-5", "negativt"), ("1 000 000 000 000", "för stort")],
)  # fmt: skip
def test_bad_input_is_refused_at_the_cell_with_the_text_kept(client, plan, chief, typed, message):
    client.force_login(chief)
    response = client.post(cell_url(plan), {"amount": typed, "version": "0"}, **HTMX)
    assert response.status_code == 422
    assert message in response.text and f'value="{typed}"' in response.text
    assert 'aria-invalid="true"' in response.text
    status = response.text[response.text.index('id="budget-grid-status"') :]
    assert "Inte sparat" in status
    assert budgeted(plan) == {} and not plan.events.exists()


def test_bad_input_without_javascript_renders_the_page_with_the_message(client, plan, chief):
    client.force_login(chief)
    response = client.post(cell_url(plan), {"amount": "12,34", "version": "0"})
    assert response.status_code == 422
    assert "<html" in response.text and "hela kronor" in response.text and 'value="12,34"' in response.text


def test_a_stale_save_shows_the_other_value_or_the_grant(client, plan, chief):
    intervention = intervention_of(plan)
    client.force_login(chief)
    InterventionBudgetAmountFactory(column=column_of(plan, 2027), intervention=intervention, amount=600000)
    response = client.post(cell_url(plan), {"amount": "605000", "version": "0"}, **HTMX)
    assert response.status_code == 409
    assert f"Någon annan har just sparat 600{NBSP}000{NBSP}kr här" in response.text
    assert 'name="version" value="1"' in response.text and 'value="605000"' in response.text
    response = client.post(cell_url(plan, 2028), {"amount": "605000", "version": "3"}, **HTMX)
    assert response.status_code == 409
    assert "Någon annan har just sparat beviljat belopp här" in response.text
    assert budgeted(plan) == {2027: D(600000)}


def test_getting_the_cell_shows_it_as_it_is_now(client, plan, chief):
    client.force_login(chief)
    response = client.get(cell_url(plan), **HTMX)
    assert response.status_code == 200 and f'value="598{NBSP}085"' in response.text
    response = client.get(cell_url(plan))
    assert response.status_code == 302 and response.url.endswith(
        f"#insats-{intervention_of(plan).pk}-{column_of(plan, 2027).pk}"
    )


def test_a_missing_version_is_a_bad_request(client, plan, chief):
    client.force_login(chief)
    assert client.post(cell_url(plan), {"amount": "1"}, **HTMX).status_code == 400


def test_a_locked_plan_refuses_the_cell(client, association, chief):
    adopted = build_plan(association, state=Plan.State.ADOPTED)
    client.force_login(chief)
    response = client.post(cell_url(adopted), {"amount": "600000", "version": "0"}, **HTMX)
    assert response.status_code == 403
    assert budgeted(adopted) == {}


@pytest.mark.parametrize("role", [Membership.Role.CHAIR, Membership.Role.BOARD, Membership.Role.READER])
def test_only_the_chief_saves_the_cell(client, plan, members, role):
    client.force_login(members[role])
    response = client.post(cell_url(plan), {"amount": "600000", "version": "0"}, **HTMX)
    assert response.status_code in (403, 404)
    assert budgeted(plan) == {}


def test_another_association_gets_a_404(client, plan, outsider):
    client.force_login(outsider)
    data = {"amount": "600000", "version": "0"}
    assert client.post(cell_url(plan), data, **HTMX).status_code == 404
    assert client.post(cell_url(plan, association="beta"), data, **HTMX).status_code == 404
    assert budgeted(plan) == {}


def test_an_intervention_the_plan_does_not_list_is_a_404(client, association, plan, chief):
    elsewhere = InterventionFactory(association=association, name="Annan insats")
    client.force_login(chief)
    response = client.post(cell_url(plan, intervention=elsewhere), {"amount": "1", "version": "0"}, **HTMX)
    assert response.status_code == 404
    assert not InterventionBudgetAmount.objects.exists()


# --- The adopted document ------------------------------------------------------------------------------


def test_ornskoldsvik_2020_shows_the_adopted_figures_on_its_page(client):
    """Issue 13: the page of the adopted plan prints Vidare Vy −455, Projekt Äpplet −600, Summa insatser
    −4 003, Summa kostnader −5 034 and a result of 0 for 2020 (tkr), as the board adopted them."""
    (data,) = [
        read_demo_file(path) for path in demo_files() if read_demo_file(path)["slug"] == "ornskoldsvik"
    ]
    load_association(data)
    plan = Plan.objects.get(association__slug="ornskoldsvik")
    client.force_login(get_user_model().objects.get(username="lasare.ornskoldsvik"))

    response = client.get(reverse("plan_detail", kwargs={"association": "ornskoldsvik", "pk": plan.pk}))

    assert response.status_code == 200
    table = response.text[response.text.index('id="budget-table"') :]
    table = table[: table.index("</table>")]
    rows = {
        re.sub(r"<[^>]+>", "", f"<tr{row}".split("</th>")[0]).strip(): re.findall(
            r'<td class="num">([^<]*)</td>', row
        )
        for row in table.split("<tr")[1:]
        if "</th>" in row
    }
    assert rows["Vidare Vy"][:2] == [f"{MINUS}455,0", f"{MINUS}455,0"]
    assert rows["Projekt Äpplet"][:2] == [f"{MINUS}600,0", f"{MINUS}600,0"]
    assert rows["Summa insatser"][0] == f"{MINUS}4{NBSP}003,0"
    assert rows["Summa kostnader"][0] == f"{MINUS}5{NBSP}034,0"
    assert rows["Resultat"] == ["0,0", "0,0", "0,0", "0,0"]

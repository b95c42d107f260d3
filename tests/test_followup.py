"""The year's follow-up of the adopted budget: its computation (budgets.followup) and its writes
(budgets.services.followup)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from budgets.followup import BUDGET, DEVIATION, FORECAST, TO_DATE, deviation_flagged, plan_followup, row_key
from budgets.models import BudgetAmount, BudgetColumn, BudgetGroup, BudgetLine, FollowUp
from budgets.services.followup import FollowUpClosed, followup_forecast_update, followup_outcome_update
from finsam.editing import StaleVersion
from finsam.models import FollowUpPeriod
from plans.copying import plan_copy
from plans.models import Plan, PlanEvent
from tests.factories import (
    BudgetColumnFactory,
    BudgetGroupFactory,
    GrantFactory,
    InterventionFactory,
    PlanFactory,
    PlanInterventionFactory,
)

pytestmark = pytest.mark.django_db


def build_adopted_plan(association, *, lines: int = 1, state=Plan.State.ADOPTED, first_year: int = 2027):
    """An adopted 2027 budget: contributions 2 000 000 kr (state 1 000 000, region and the municipality
    500 000 each), an administration group whose line i costs 600 000 × (i + 1) kr, and one granted
    intervention of 300 000 kr. Opening equity 500 000 kr."""
    plan = PlanFactory(
        association=association,
        first_year=first_year,
        years=1,
        state=state,
        unit=Plan.Unit.KR,
        opening_equity=500000,
        adopted_on=datetime.date(first_year - 1, 11, 25) if state != Plan.State.DRAFT else None,
    )
    column = BudgetColumnFactory(
        plan=plan, year=first_year, kind=BudgetColumn.Kind.BUDGET, contributions_total=2000000
    )
    BudgetGroupFactory(
        plan=plan, section="revenue", kind=BudgetGroup.Kind.CONTRIBUTIONS, name="Medlemsavgifter"
    )
    admin = BudgetGroupFactory(
        plan=plan, kind=BudgetGroup.Kind.ADMINISTRATION, name="Administration", position=1
    )
    BudgetGroupFactory(
        plan=plan, kind=BudgetGroup.Kind.INTERVENTIONS_DECIDED, name="Beslutade insatser", position=2
    )
    created = BudgetLine.objects.bulk_create(
        BudgetLine(group=admin, name="Förbundschef" if i == 0 else f"Kostnad {i}", position=i + 1)
        for i in range(lines)
    )
    BudgetAmount.objects.bulk_create(
        BudgetAmount(line=line, column=column, amount=Decimal(600000 * (i + 1)))
        for i, line in enumerate(created)
    )
    intervention = InterventionFactory(association=association, name="Steget vidare")
    GrantFactory(intervention=intervention, year=first_year, amount=300000)
    PlanInterventionFactory(plan=plan, intervention=intervention)
    return plan


@pytest.fixture
def plan(association):
    return build_adopted_plan(association)


def key_of(plan, label):
    followup = plan_followup(plan)
    return next(row.key for row in followup.rows.values() if row.row.label == label)


def enter(plan, user, label, *, periods=None, forecast=None, comment=""):
    key = key_of(plan, label)
    for period, amount in (periods or {}).items():
        followup_outcome_update(
            plan=plan,
            row=key,
            label=label,
            period=period,
            amount=Decimal(amount),
            expected_version=0,
            by=user,
        )
    if forecast is not None or comment:
        followup_forecast_update(
            plan=plan,
            row=key,
            label=label,
            amount=None if forecast is None else Decimal(forecast),
            comment=comment,
            expected_version=0,
            by=user,
        )
    return key


# --- Computation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deviation", "budget", "flagged"),
    [
        (60000, 1000000, False),  # over the amount, 6 %: not over both
        (60000, 500000, True),  # over the amount, 12 %
        (-60000, 500000, True),  # under the budget counts the same
        (50000, 100000, False),  # 50 %, but not more than 50 000 kr
        (50001, 100000, True),
        (40000, 100000, False),  # 40 %, under the amount
        (100001, 1000000, True),  # just over 10 % and over the amount
        (100000, 1000000, False),  # exactly 10 % is not over it
        (60000, 0, True),  # no budget: the amount decides
        (0, 0, False),
    ],
)
def test_a_deviation_is_flagged_over_both_limits(deviation, budget, flagged):
    assert deviation_flagged(Decimal(deviation), Decimal(budget), percent=10, amount=50000) is flagged


def test_without_entries_the_forecast_is_the_budget_and_nothing_deviates(plan):
    followup = plan_followup(plan)
    assert followup.totals.result[BUDGET] == Decimal(2000000 - 600000 - 300000)
    assert followup.totals.result[FORECAST] == followup.totals.result[BUDGET]
    assert followup.totals.result[TO_DATE] == 0
    assert followup.deviations == []
    assert followup.periods == [1, 2, 3]  # tertials by default
    assert followup.followup.pk is None  # reading stores nothing
    assert not FollowUp.objects.exists()


def test_outcome_to_date_forecast_and_deviation_sum_per_group_section_and_result(plan, chief):
    enter(
        plan,
        chief,
        "Förbundschef",
        periods={1: 180000, 2: 250000},
        forecast=700000,
        comment="Vikarie i våras",
    )
    enter(plan, chief, "Steget vidare", periods={1: 100000})
    followup = plan_followup(plan)
    chief_row = next(row for row in followup.rows.values() if row.row.label == "Förbundschef")
    assert chief_row.amounts[TO_DATE] == Decimal(430000)
    assert chief_row.amounts[FORECAST] == Decimal(700000)
    assert chief_row.amounts[DEVIATION] == Decimal(100000)
    assert chief_row.comment == "Vikarie i våras"
    costs = followup.totals.costs
    assert costs[1] == Decimal(280000)
    assert costs[2] == Decimal(250000)
    assert costs[TO_DATE] == Decimal(530000)
    assert costs[FORECAST] == Decimal(1000000)  # 700 000 forecast + the intervention's budget
    assert followup.totals.result[DEVIATION] == Decimal(-100000)
    admin = next(
        g for _s, _h, groups in followup.sections for g in groups if g.group.name == "Administration"
    )
    assert admin.result.totals[TO_DATE] == Decimal(430000)
    # 100 000 kr over a budget of 600 000 kr (16.7 %): flagged with its line and amount.
    assert [(d.label, d.deviation, d.percent) for d in followup.deviations] == [
        ("Förbundschef", Decimal(100000), Decimal("16.7"))
    ]
    assert not followup.result_flagged  # 100 000 kr of a 1 100 000 kr result is 9 %


def test_the_association_sets_its_limits(plan, chief):
    enter(plan, chief, "Förbundschef", forecast=640000)  # 40 000 kr, 6.7 %
    assert plan_followup(plan).deviations == []
    plan.association.deviation_percent = 5
    plan.association.deviation_amount = 30000
    plan.association.save()
    plan.refresh_from_db()
    assert [d.label for d in plan_followup(plan).deviations] == ["Förbundschef"]


def test_revenue_outcome_is_entered_per_contribution_row(plan, chief):
    enter(plan, chief, "Försäkringskassan", periods={1: 500000}, forecast=900000)
    followup = plan_followup(plan)
    assert followup.totals.revenue[1] == Decimal(500000)
    assert followup.totals.revenue[FORECAST] == Decimal(1900000)
    assert followup.deviations == []  # −100 000 kr of the state's 1 000 000 kr is exactly 10 %: not over
    enter_again = key_of(plan, "Försäkringskassan")
    followup_forecast_update(
        plan=plan,
        row=enter_again,
        label="x",
        amount=Decimal(850000),
        comment="",
        expected_version=1,
        by=chief,
    )
    assert [(d.label, d.deviation) for d in plan_followup(plan).deviations] == [
        ("Försäkringskassan", Decimal(-150000))
    ]


def test_equity_forecast_and_the_twenty_percent_rule(plan, chief):
    followup = plan_followup(plan)
    assert followup.opening_equity == Decimal(500000)
    assert followup.closing_equity_forecast == Decimal(500000 + 1100000)
    assert followup.equity_limit == Decimal(400000)  # 20 % of the forecast contributions of 2 000 000 kr
    assert followup.equity_above_limit
    # Costs forecast 1 300 000 kr higher: equity at year end 300 000 kr, under the limit.
    enter(plan, chief, "Förbundschef", forecast=1900000)
    followup = plan_followup(plan)
    assert followup.closing_equity_forecast == Decimal(300000)
    assert not followup.equity_above_limit
    assert followup.result_flagged


def test_monthly_follow_up_has_twelve_periods(association, chief):
    association.followup_period = FollowUpPeriod.MONTH
    association.save()
    plan = build_adopted_plan(association)
    enter(plan, chief, "Förbundschef", periods={12: 50000})
    followup = plan_followup(plan)
    assert followup.periods == list(range(1, 13))
    assert followup.labels[0] == "januari"
    assert followup.totals.costs[12] == Decimal(50000)


def test_the_follow_up_survives_a_revised_plan(plan, chief):
    enter(plan, chief, "Förbundschef", periods={1: 200000}, forecast=650000)
    revised = plan_copy(plan, rollover=False, revision=2, revision_of=plan)
    assert BudgetLine.objects.filter(group__plan=revised, name="Förbundschef").get().pk != (
        BudgetLine.objects.filter(group__plan=plan, name="Förbundschef").get().pk
    )
    followup = plan_followup(revised)
    row = next(row for row in followup.rows.values() if row.row.label == "Förbundschef")
    assert row.amounts[1] == Decimal(200000)
    assert row.amounts[FORECAST] == Decimal(650000)


def test_row_keys_are_url_safe_and_unique(plan):
    followup = plan_followup(plan)
    keys = list(followup.rows)
    assert len(keys) == len(set(keys)) == 5  # three contribution rows, a line, an intervention
    assert all(key.replace("-", "").isalnum() for key in keys)
    assert all(row_key(row.row) == key for key, row in followup.rows.items())


# --- Writes -----------------------------------------------------------------------------------------


def test_an_outcome_is_saved_through_the_gateway_without_touching_the_plan(plan, chief):
    before = Plan.objects.values("version", "updated_at", "state").get(pk=plan.pk)
    amounts = list(BudgetAmount.objects.filter(line__group__plan=plan).values_list("amount", flat=True))
    enter(plan, chief, "Förbundschef", periods={1: 200000})
    assert Plan.objects.values("version", "updated_at", "state").get(pk=plan.pk) == before
    assert (
        list(BudgetAmount.objects.filter(line__group__plan=plan).values_list("amount", flat=True)) == amounts
    )
    event = PlanEvent.objects.get(plan=plan)
    assert "Utfall: Förbundschef" in event.summary


@pytest.mark.parametrize("state", [Plan.State.DRAFT, Plan.State.IN_REVIEW, Plan.State.SUPERSEDED])
def test_only_an_adopted_plan_takes_a_follow_up(association, chief, state):
    plan = build_adopted_plan(association, state=state)
    key = key_of(plan, "Förbundschef")
    with pytest.raises(FollowUpClosed):
        followup_outcome_update(
            plan=plan, row=key, label="x", period=1, amount=Decimal(1), expected_version=0, by=chief
        )
    assert not FollowUp.objects.exists()


def test_a_stale_outcome_is_refused_with_the_value_saved_now(plan, chief):
    key = enter(plan, chief, "Förbundschef", periods={1: 200000})
    with pytest.raises(StaleVersion) as raised:
        followup_outcome_update(
            plan=plan, row=key, label="x", period=1, amount=Decimal(5), expected_version=0, by=chief
        )
    assert raised.value.current.amount.amount == Decimal(200000)


def test_a_period_the_year_does_not_have_is_refused(plan, chief):
    key = key_of(plan, "Förbundschef")
    with pytest.raises(ValidationError):
        followup_outcome_update(
            plan=plan, row=key, label="x", period=4, amount=Decimal(5), expected_version=0, by=chief
        )


def test_emptying_forecast_and_comment_removes_it(plan, chief):
    key = enter(plan, chief, "Förbundschef", forecast=700000, comment="Vikarie")
    followup_forecast_update(
        plan=plan, row=key, label="x", amount=None, comment="", expected_version=1, by=chief
    )
    assert plan_followup(plan).rows[key].forecast_version == 0

"""budgets.calc: every derived number of a budget, from whole kronor."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budgets.calc import plan_budget, split_largest_remainder
from budgets.models import (
    BudgetColumn,
    BudgetGroup,
    ContributionKeyFactor,
    ContributionKeyValue,
    ContributionOverride,
)
from tests.factories import (
    BudgetAmountFactory,
    BudgetColumnFactory,
    BudgetGroupFactory,
    BudgetLineFactory,
    GrantFactory,
    InterventionBudgetAmountFactory,
    OrganisationFactory,
    PlanFactory,
    PlanInterventionFactory,
)

D = Decimal
SHARES = [D("0.50"), D("0.25"), D("0.25")]


# --- split_largest_remainder -----------------------------------------------------------------------


def test_the_statutory_split_of_an_even_total():
    assert split_largest_remainder(D(5034000), SHARES) == [D(2517000), D(1258500), D(1258500)]


def test_a_krona_left_over_goes_to_the_largest_remainder():
    # Exact shares 2.5, 1.25, 1.25: the state's half krona is the largest remainder.
    assert split_largest_remainder(D(5), SHARES) == [D(3), D(1), D(1)]
    # 7: 3.5, 1.75, 1.75 → floors 3, 1, 1 and two kronor left: the two 0.75 remainders win.
    assert split_largest_remainder(D(7), SHARES) == [D(3), D(2), D(2)]


def test_equal_remainders_go_to_the_earlier_part():
    assert split_largest_remainder(D(250000), [D(1), D(1), D(1)]) == [D(83334), D(83333), D(83333)]


def test_zero_total_gives_zero_parts():
    assert split_largest_remainder(D(0), SHARES) == [D(0), D(0), D(0)]


def test_all_zero_weights_split_evenly():
    assert split_largest_remainder(D(10), [D(0), D(0), D(0)]) == [D(4), D(3), D(3)]


def test_a_zero_weight_gets_nothing():
    assert split_largest_remainder(D(10), [D(1), D(0), D(1)]) == [D(5), D(0), D(5)]


def test_a_negative_total_splits_like_its_magnitude():
    assert split_largest_remainder(D(-5), SHARES) == [D(-3), D(-1), D(-1)]


def test_one_part_takes_everything_and_no_parts_take_nothing():
    assert split_largest_remainder(D(1234567), [D(3)]) == [D(1234567)]
    assert split_largest_remainder(D(100), []) == []


@given(
    total=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12),
)
def test_parts_always_add_up_and_stay_within_a_krona_of_the_exact_share(total, weights):
    weights = [D(w) for w in weights]
    parts = split_largest_remainder(D(total), weights)
    assert sum(parts) == total
    assert all(part == part.to_integral_value() for part in parts)
    if sum(weights) == 0:
        weights = [D(1)] * len(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - D(total) * weight / sum(weights)) < 1


# --- A plan's budget --------------------------------------------------------------------------------


@pytest.fixture
def plan(db):
    return PlanFactory(first_year=2027, years=3, opening_equity=D(400000))


def make_columns(plan, years=(2027, 2028, 2029), contributions=None):
    kinds = [BudgetColumn.Kind.BUDGET] + [BudgetColumn.Kind.PLAN] * (len(years) - 1)
    return [
        BudgetColumnFactory(
            plan=plan,
            year=year,
            kind=kind,
            contributions_total=None if contributions is None else D(contributions[i]),
        )
        for i, (year, kind) in enumerate(zip(years, kinds, strict=True))
    ]


def line_with(group, columns, amounts, **kwargs):
    line = BudgetLineFactory(group=group, **kwargs)
    for column, amount in zip(columns, amounts, strict=False):
        if amount is not None:
            BudgetAmountFactory(line=line, column=column, amount=D(amount))
    return line


def group_of(result, name):
    return next(g for g in result.groups if g.group.name == name)


@pytest.fixture
def members(plan):
    association = plan.association
    return {
        "fk": OrganisationFactory(
            association=association, name="Försäkringskassan", kind="state", position=1
        ),
        "af": OrganisationFactory(
            association=association, name="Arbetsförmedlingen", kind="state", position=2
        ),
        "region": OrganisationFactory(association=association, name="Region Test", kind="region", position=3),
        "a": OrganisationFactory(association=association, name="Aby kommun", position=4),
        "b": OrganisationFactory(association=association, name="Bby kommun", position=5),
    }


@pytest.fixture
def budget(plan, members):
    """Contributions 1 000 000 a year, financial income, two cost groups."""
    columns = make_columns(plan, contributions=[1000000, 1020000, 1040000])
    BudgetGroupFactory(plan=plan, section="revenue", kind="contributions", name="Medlemsavgifter", position=1)
    financial = BudgetGroupFactory(
        plan=plan, section="revenue", kind="financial", name="Finansiella intäkter", position=2
    )
    line_with(financial, columns, [5000, 4000, None], name="Ränteintäkter")
    admin = BudgetGroupFactory(plan=plan, section="costs", kind="administration", name="Administration")
    line_with(admin, columns, [300000, 310000, 320000], name="Förbundschef")
    line_with(admin, columns, [20000, -5000, None], name="Återbetalning")
    decided = BudgetGroupFactory(plan=plan, section="costs", kind="interventions_decided", name="Insatser")
    line_with(decided, columns, [100000, 200000, 300000], name="Ej beslutade medel", undecided=True)
    return columns


def test_group_subtotals_and_section_totals(plan, budget):
    result = plan_budget(plan)
    assert result.years == [2027, 2028, 2029]
    admin = group_of(result, "Administration")
    assert admin.totals == {2027: D(320000), 2028: D(305000), 2029: D(320000)}
    assert [row.kind for row in group_of(result, "Insatser").rows] == ["undecided"]
    assert result.revenue_total == {2027: D(1005000), 2028: D(1024000), 2029: D(1040000)}
    assert result.cost_total == {2027: D(420000), 2028: D(505000), 2029: D(620000)}


def test_result_before_and_after_financial_items(plan, budget):
    result = plan_budget(plan)
    assert result.financial_income == {2027: D(5000), 2028: D(4000), 2029: D(0)}
    assert result.result == {2027: D(585000), 2028: D(519000), 2029: D(420000)}
    assert result.result_before_financial == {2027: D(580000), 2028: D(515000), 2029: D(420000)}


def test_financial_costs_are_costs_and_leave_the_result_before_financial_items(plan, budget):
    """Bank charges and interest paid: in total costs, and added back for the result before them."""
    costs = BudgetGroupFactory(
        plan=plan, section="costs", kind="financial_costs", name="Finansiella kostnader"
    )
    line_with(costs, budget, [2000, 2000, 1000], name="Bankavgifter")
    result = plan_budget(plan)
    assert result.financial_costs == {2027: D(2000), 2028: D(2000), 2029: D(1000)}
    assert result.result == {2027: D(583000), 2028: D(517000), 2029: D(419000)}
    assert result.result_before_financial == {2027: D(580000), 2028: D(515000), 2029: D(420000)}
    assert result.has_financial_items


@pytest.mark.django_db
def test_the_document_prints_the_result_before_financial_items_and_a_frozen_version_keeps_it(plan, budget):
    from django.template.loader import render_to_string

    from plans.document import document_view
    from plans.models import Chapter
    from plans.snapshots import snapshot_content

    Chapter.objects.create(plan=plan, heading="Budget", kind="budget", level=1, position=1)
    content = snapshot_content(plan)
    html = render_to_string("plans/document.html", {"doc": document_view(content, plan=plan)})
    assert "Resultat före finansiella poster" in html
    rows = {row["key"]: row["amounts"] for row in content["budget"]["rows"]}
    assert rows["total-result_before_financial"] == {"2027": "580000", "2028": "515000", "2029": "420000"}
    # A version frozen before the row existed prints no empty row.
    older = {**content, "budget": {**content["budget"], "rows": [
        row for row in content["budget"]["rows"] if row["key"] != "total-result_before_financial"
    ]}}  # fmt: skip
    html = render_to_string("plans/document.html", {"doc": document_view(older, plan=plan)})
    assert "Resultat före finansiella poster" not in html


def test_a_subtotal_over_consecutive_groups_is_printed_after_the_last_and_frozen(plan, budget):
    """Decided and undecided interventions summed together ("Summa insatser"), one level over groups."""
    from django.template.loader import render_to_string

    from plans.document import document_view
    from plans.models import Chapter
    from plans.snapshots import snapshot_content

    decided = plan.budget_groups.get(kind="interventions_decided")
    undecided = BudgetGroupFactory(
        plan=plan, section="costs", kind="interventions_undecided", name="Ej beslutat", position=9
    )
    line_with(undecided, budget, [50000, 50000, 50000], name="Reserv")
    plan.budget_groups.filter(pk__in=[decided.pk, undecided.pk]).update(summed_under="Insatser totalt")
    result = plan_budget(plan)
    closing = [g.closing_sum for g in result.cost_groups]
    assert closing[:-1] == [None] * (len(closing) - 1)
    assert closing[-1].name == "Insatser totalt"
    assert closing[-1].totals == {2027: D(150000), 2028: D(250000), 2029: D(350000)}

    Chapter.objects.create(plan=plan, heading="Budget", kind="budget", level=1, position=1)
    content = snapshot_content(plan)
    (row,) = [row for row in content["budget"]["rows"] if row["kind"] == "groupsum"]
    assert row["amounts"] == {"2027": "150000", "2028": "250000", "2029": "350000"}
    html = render_to_string("plans/document.html", {"doc": document_view(content, plan=plan)})
    assert html.count("Summa insatser totalt") == 1
    # Not a commentable row of its own, and not counted twice in the cost total.
    assert result.cost_total == {2027: D(470000), 2028: D(555000), 2029: D(670000)}


def test_groups_apart_or_alone_get_no_shared_subtotal(plan, budget):
    admin = plan.budget_groups.get(kind="administration")
    plan.budget_groups.filter(pk=admin.pk).update(summed_under="drift")
    assert all(g.closing_sum is None for g in plan_budget(plan).cost_groups)


def test_multi_year_total(plan, budget):
    result = plan_budget(plan)
    assert result.multi_year_total(result.cost_total) == D(1545000)
    # A row with no amount in a year counts that year as zero.
    assert result.multi_year_total(group_of(result, "Finansiella intäkter").rows[0].amounts) == D(9000)


def test_equity_rolls_forward_year_after_year(plan, budget):
    result = plan_budget(plan)
    assert result.opening_equity == {2027: D(400000), 2028: D(985000), 2029: D(1504000)}
    assert result.closing_equity == {2027: D(985000), 2028: D(1504000), 2029: D(1924000)}


def test_unknown_opening_equity_leaves_every_equity_row_unknown(plan, budget):
    plan.opening_equity = None
    plan.save()
    result = plan_budget(plan)
    assert result.opening_equity == {2027: None, 2028: None, 2029: None}
    assert result.closing_equity == {2027: None, 2028: None, 2029: None}
    assert result.result[2027] == D(585000)


def test_years_without_amounts_total_zero_and_print_blank(plan):
    columns = make_columns(plan)
    group = BudgetGroupFactory(plan=plan, name="Administration")
    line_with(group, columns, [1000, None, None])
    result = plan_budget(plan)
    assert group_of(result, "Administration").rows[0].amount(2028) is None
    assert result.cost_total == {2027: D(1000), 2028: D(0), 2029: D(0)}
    assert result.closing_equity[2029] == D(399000)


def test_a_plan_without_columns_or_groups_is_empty(plan):
    result = plan_budget(plan)
    assert result.years == []
    assert result.groups == []
    assert result.multi_year_total(result.result) == D(0)


def test_negative_amounts_reduce_the_total(plan):
    columns = make_columns(plan, years=(2027,))
    group = BudgetGroupFactory(plan=plan, name="Administration")
    line_with(group, columns, [-250])
    line_with(group, columns, [100])
    result = plan_budget(plan)
    assert result.cost_total[2027] == D(-150)
    assert result.result[2027] == D(150)


def test_the_decided_group_comes_from_granted_interventions_in_the_plans_years(plan, members):
    columns = make_columns(plan, years=(2027, 2028))
    group = BudgetGroupFactory(plan=plan, kind="interventions_decided", name="Beslutade insatser")
    granted = PlanInterventionFactory(
        plan=plan, position=1, intervention__short_name="Kort namn"
    ).intervention
    GrantFactory(intervention=granted, year=2026, amount=D(999))
    GrantFactory(intervention=granted, year=2027, amount=D(454449))
    GrantFactory(intervention=granted, year=2028, amount=D(455000))
    undecided = PlanInterventionFactory(plan=plan, position=2, intervention__status="undecided").intervention
    GrantFactory(intervention=undecided, year=2027, amount=D(1))
    without_grants = PlanInterventionFactory(plan=plan, position=3).intervention
    assert without_grants.grants.count() == 0
    line_with(group, columns, [10000, None], name="Typed line")

    result = plan_budget(plan)

    rows = group_of(result, "Beslutade insatser").rows
    assert [(row.label, row.kind, row.amounts) for row in rows] == [
        ("Kort namn", "intervention", {2027: D(454449), 2028: D(455000)}),
        ("Typed line", "line", {2027: D(10000)}),
    ]
    assert rows[0].is_computed and not rows[1].is_computed
    assert result.cost_total == {2027: D(464449), 2028: D(455000)}


# --- An intervention's budgeted amount ---------------------------------------------------------------


@pytest.fixture
def intervention_rows(plan, members):
    """A decided group with an intervention granted 598 085 kr (2027) and 600 000 kr (2028)."""
    columns = make_columns(plan, years=(2027, 2028, 2029))
    BudgetGroupFactory(plan=plan, kind="interventions_decided", name="Insatser")
    intervention = PlanInterventionFactory(plan=plan, intervention__name="Projekt Äpplet").intervention
    GrantFactory(intervention=intervention, year=2027, amount=D(598085))
    GrantFactory(intervention=intervention, year=2028, amount=D(600000))
    return columns, intervention


def intervention_row(plan):
    (row,) = group_of(plan_budget(plan), "Insatser").rows
    return row


def test_an_intervention_row_follows_its_grants_without_a_budgeted_amount(plan, intervention_rows):
    row = intervention_row(plan)
    assert row.amounts == {2027: D(598085), 2028: D(600000)}
    assert row.granted == {2027: D(598085), 2028: D(600000)}
    assert row.budgeted == {} and row.budget_differences == {}


def test_a_budgeted_amount_replaces_the_grant_in_its_year_only(plan, intervention_rows):
    columns, intervention = intervention_rows
    InterventionBudgetAmountFactory(column=columns[0], intervention=intervention, amount=D(600000))

    result = plan_budget(plan)

    (row,) = group_of(result, "Insatser").rows
    assert row.amounts == {2027: D(600000), 2028: D(600000)}
    assert row.granted == {2027: D(598085), 2028: D(600000)}  # both figures stay known
    assert row.budgeted == {2027: D(600000)}
    assert row.budget_differences == {2027: D(1915)}
    assert group_of(result, "Insatser").totals == {2027: D(600000), 2028: D(600000), 2029: D(0)}
    assert result.cost_total[2027] == D(600000)


def test_a_budgeted_amount_gives_a_row_a_year_without_a_grant(plan, intervention_rows):
    columns, intervention = intervention_rows
    InterventionBudgetAmountFactory(column=columns[2], intervention=intervention, amount=D(50000))
    row = intervention_row(plan)
    assert row.amounts == {2027: D(598085), 2028: D(600000), 2029: D(50000)}
    assert row.budget_differences == {2029: D(50000)}


def test_a_budgeted_amount_of_zero_takes_the_intervention_out_of_that_year(plan, intervention_rows):
    columns, intervention = intervention_rows
    InterventionBudgetAmountFactory(column=columns[1], intervention=intervention, amount=D(0))
    row = intervention_row(plan)
    assert row.amounts == {2027: D(598085), 2028: D(0)}
    assert row.budget_differences == {2028: D(-600000)}


def test_a_budgeted_amount_stays_when_the_grant_changes_later(plan, intervention_rows):
    columns, intervention = intervention_rows
    InterventionBudgetAmountFactory(column=columns[0], intervention=intervention, amount=D(600000))
    intervention.grants.filter(year=2027).update(amount=D(610000))

    row = intervention_row(plan)

    assert row.amounts[2027] == D(600000)
    assert row.granted[2027] == D(610000)
    assert row.budget_differences == {2027: D(-10000)}


def test_an_undecided_intervention_stays_out_even_with_a_budgeted_amount(plan, intervention_rows):
    columns, intervention = intervention_rows
    intervention.status = "undecided"
    intervention.save()
    InterventionBudgetAmountFactory(column=columns[0], intervention=intervention, amount=D(600000))
    assert group_of(plan_budget(plan), "Insatser").rows == []


# --- Contributions ----------------------------------------------------------------------------------


def contribution_rows(result):
    (group,) = [g for g in result.groups if g.group.kind == BudgetGroup.Kind.CONTRIBUTIONS]
    return [(row.label, row.amounts.get(2027), bool(row.overridden_years)) for row in group.rows]


def set_key(plan, factors):
    for position, (name, weight, values) in enumerate(factors):
        factor = ContributionKeyFactor.objects.create(
            plan=plan, name=name, weight_percent=D(weight), position=position
        )
        for organisation, value in values.items():
            ContributionKeyValue.objects.create(factor=factor, organisation=organisation, value=D(value))


@pytest.fixture
def contributions(plan, members):
    make_columns(plan, years=(2027,), contributions=[1000000])
    BudgetGroupFactory(plan=plan, section="revenue", kind="contributions", name="Medlemsavgifter")


def test_without_a_key_the_municipalities_share_one_row(plan, contributions):
    assert contribution_rows(plan_budget(plan)) == [
        ("Försäkringskassan/Arbetsförmedlingen", D(500000), False),
        ("Region Test", D(250000), False),
        ("Kommunerna", D(250000), False),
    ]


def test_a_weighted_key_splits_the_municipalities_part(plan, contributions, members):
    # Population: A has 75 %, B 25 %; försörjningsmått: A 25 %, B 75 %.
    # A: 25 × 0.75 + 75 × 0.25 = 37.5 % of 250 000; B: 62.5 %.
    set_key(
        plan,
        [
            ("Befolkning 16–64 år", 25, {members["a"]: 30000, members["b"]: 10000}),
            ("Försörjningsmått", 75, {members["a"]: 100, members["b"]: 300}),
        ],
    )
    result = plan_budget(plan)
    assert contribution_rows(result)[2:] == [
        ("Aby kommun", D(93750), False),
        ("Bby kommun", D(156250), False),
    ]
    assert result.revenue_total[2027] == D(1000000)


def test_fixed_shares_split_with_largest_remainder(plan, contributions, members):
    third = OrganisationFactory(association=plan.association, name="Cby kommun", position=6)
    set_key(plan, [("Fast andel", 100, {members["a"]: 1, members["b"]: 1, third: 1})])
    rows = contribution_rows(plan_budget(plan))
    assert rows[2:] == [
        ("Aby kommun", D(83334), False),
        ("Bby kommun", D(83333), False),
        ("Cby kommun", D(83333), False),
    ]
    assert sum(amount for _, amount, _ in rows) == D(1000000)


def test_all_zero_key_values_fall_back_to_one_municipal_row(plan, contributions, members):
    set_key(plan, [("Befolkning", 100, {members["a"]: 0, members["b"]: 0})])
    assert contribution_rows(plan_budget(plan))[2:] == [("Kommunerna", D(250000), False)]


def test_key_values_of_non_members_do_not_dilute_the_shares(plan, contributions, members):
    partner = OrganisationFactory(association=plan.association, name="Polisen", kind="other", is_member=False)
    set_key(plan, [("Befolkning", 100, {members["a"]: 1, members["b"]: 3, partner: 1000})])
    assert contribution_rows(plan_budget(plan))[2:] == [
        ("Aby kommun", D(62500), False),
        ("Bby kommun", D(187500), False),
    ]


def test_one_municipality_gets_the_whole_quarter_under_its_name(db):
    plan = PlanFactory(first_year=2027)
    OrganisationFactory(association=plan.association, name="Staten", kind="state")
    OrganisationFactory(association=plan.association, name="Regionen X", kind="region")
    only = OrganisationFactory(association=plan.association, name="Enda kommun")
    column = BudgetColumnFactory(plan=plan, year=2027, contributions_total=D(5034001))
    BudgetGroupFactory(plan=plan, section="revenue", kind="contributions", name="Intäkter")
    assert contribution_rows(plan_budget(plan)) == [
        ("Staten", D(2517001), False),
        ("Regionen X", D(1258500), False),
        ("Enda kommun", D(1258500), False),
    ]
    ContributionOverride.objects.create(column=column, part="municipality", organisation=only, amount=D(1))
    assert contribution_rows(plan_budget(plan))[2] == ("Enda kommun", D(1), True)


def test_zero_contributions_give_zero_rows_and_unknown_total_gives_none(plan, contributions):
    BudgetColumn.objects.filter(plan=plan).update(contributions_total=0)
    assert [amount for _, amount, _ in contribution_rows(plan_budget(plan))] == [D(0)] * 3
    BudgetColumn.objects.filter(plan=plan).update(contributions_total=None)
    result = plan_budget(plan)
    assert [amount for _, amount, _ in contribution_rows(result)] == [None] * 3
    assert result.revenue_total[2027] == D(0)
    assert result.contribution_income == {}


def test_overrides_replace_a_part_and_are_marked(plan, contributions, members):
    set_key(plan, [("Befolkning", 100, {members["a"]: 1, members["b"]: 1})])
    column = plan.budget_columns.get()
    ContributionOverride.objects.create(column=column, part="state", amount=D(490000), reason="Beslut")
    ContributionOverride.objects.create(
        column=column, part="municipality", organisation=members["b"], amount=D(130000)
    )
    result = plan_budget(plan)
    assert contribution_rows(result) == [
        ("Försäkringskassan/Arbetsförmedlingen", D(490000), True),
        ("Region Test", D(250000), False),
        ("Aby kommun", D(125000), False),
        ("Bby kommun", D(130000), True),
    ]
    # The budget counts what the rows say, overrides included; the column keeps its total.
    assert result.revenue_total[2027] == D(995000)
    assert result.contribution_income == {2027: D(995000)}
    assert result.contributions == {2027: D(1000000)}


def test_overriding_the_municipalities_total_resplits_it_by_the_key(plan, contributions, members):
    set_key(plan, [("Befolkning", 100, {members["a"]: 1, members["b"]: 3})])
    column = plan.budget_columns.get()
    ContributionOverride.objects.create(column=column, part="municipalities", amount=D(200001))
    assert contribution_rows(plan_budget(plan))[2:] == [
        ("Aby kommun", D(50000), True),
        ("Bby kommun", D(150001), True),
    ]


def test_loading_takes_the_same_number_of_queries_for_any_size(plan, members, django_assert_num_queries):
    def grow(n):
        columns = list(plan.budget_columns.order_by("year")) or make_columns(plan, contributions=[1, 2, 3])
        if not plan.budget_groups.filter(kind="contributions").exists():
            BudgetGroupFactory(plan=plan, section="revenue", kind="contributions", name="Avgifter")
            set_key(plan, [("Befolkning", 100, {members["a"]: 1, members["b"]: 2})])
        for _ in range(n):
            group = BudgetGroupFactory(plan=plan)
            line_with(group, columns, [1, 2, 3])
            link = PlanInterventionFactory(plan=plan)
            GrantFactory(intervention=link.intervention, year=2027)
            InterventionBudgetAmountFactory(column=columns[0], intervention=link.intervention, amount=D(5))
        ContributionOverride.objects.get_or_create(
            column=columns[0], part="state", organisation=None, defaults={"amount": D(1)}
        )

    grow(1)
    plan = type(plan).objects.get(pk=plan.pk)
    with django_assert_num_queries(13) as small:
        plan_budget(plan)
    grow(10)
    plan = type(plan).objects.get(pk=plan.pk)
    with django_assert_num_queries(len(small.captured_queries)):
        plan_budget(plan)

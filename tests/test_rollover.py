"""plans.rollover: next year's plan from an adopted one; the source stays exactly as it was."""

import datetime
from decimal import Decimal

import pytest
from django.core import serializers
from django.core.exceptions import ValidationError

from budgets.calc import plan_budget
from budgets.checks import plan_checks
from budgets.models import (
    BudgetAmount,
    BudgetColumn,
    BudgetGroup,
    BudgetLine,
    ContributionKeyFactor,
    ContributionKeyValue,
    ContributionOverride,
    InterventionBudgetAmount,
    StatedFigure,
)
from finsam.site.demo.loader import load_association
from finsam.site.demo.reading import demo_files, read_demo_file
from interventions.models import Grant, Intervention, PlanIntervention
from plans.models import (
    ActivityItem,
    Chapter,
    CommunicationItem,
    ControlItem,
    Goal,
    Indicator,
    Plan,
    PlanEvent,
    TargetGroup,
)
from plans.rollover import plan_rollover, shift_years
from tests.factories import (
    BudgetAmountFactory,
    BudgetColumnFactory,
    BudgetGroupFactory,
    BudgetLineFactory,
    ChapterFactory,
    GoalFactory,
    GrantFactory,
    IndicatorFactory,
    OrganisationFactory,
    PlanFactory,
    PlanInterventionFactory,
    UserFactory,
)

D = Decimal
SLUGS = ["gavleborg", "ornskoldsvik", "ostra-varmland"]


def dump(plan: Plan) -> str:
    """Everything a plan consists of, serialised, to prove that a rollover leaves its source alone."""
    links = PlanIntervention.objects.filter(plan=plan)
    interventions = Intervention.objects.filter(plan_links__plan=plan)
    querysets = [
        Plan.objects.filter(pk=plan.pk),
        Chapter.objects.filter(plan=plan),
        Goal.objects.filter(plan=plan),
        Indicator.objects.filter(goal__plan=plan),
        TargetGroup.objects.filter(plan=plan),
        ControlItem.objects.filter(plan=plan),
        CommunicationItem.objects.filter(plan=plan),
        ActivityItem.objects.filter(plan=plan),
        BudgetColumn.objects.filter(plan=plan),
        BudgetGroup.objects.filter(plan=plan),
        BudgetLine.objects.filter(group__plan=plan),
        BudgetAmount.objects.filter(line__group__plan=plan),
        ContributionKeyFactor.objects.filter(plan=plan),
        ContributionKeyValue.objects.filter(factor__plan=plan),
        ContributionOverride.objects.filter(column__plan=plan),
        InterventionBudgetAmount.objects.filter(column__plan=plan),
        StatedFigure.objects.filter(plan=plan),
        links,
        interventions,
        Grant.objects.filter(intervention__in=interventions),
    ]
    return "\n".join(serializers.serialize("json", queryset.order_by("pk")) for queryset in querysets)


def column_summary(plan):
    return [
        (c.year, c.kind, None if c.contributions_total is None else c.contributions_total.amount)
        for c in plan.budget_columns.order_by("year")
    ]


def line_amounts(plan, line_name):
    return {
        amount.column.year: amount.amount.amount
        for amount in BudgetAmount.objects.filter(
            line__group__plan=plan, line__name=line_name
        ).select_related("column")
    }


# --- The demo plans ---------------------------------------------------------------------------------


class DemoPlans:
    """The demo plans by slug, each association loaded the first time it is asked for (loading all
    three for every test would triple the time)."""

    def __getitem__(self, slug):
        if not Plan.objects.filter(association__slug=slug).exists():
            (data,) = [read_demo_file(path) for path in demo_files() if read_demo_file(path)["slug"] == slug]
            load_association(data)
        return Plan.objects.select_related("association").get(
            association__slug=slug, first_year__lt=2030, rolled_over_from=None
        )


@pytest.fixture
def demo(db):
    return DemoPlans()


@pytest.fixture
def chief(db):
    return UserFactory(username="chef.rollover")


@pytest.mark.parametrize("slug", SLUGS)
def test_rolling_over_leaves_the_source_exactly_as_it_was(demo, chief, slug):
    source = demo[slug]
    before = dump(source)
    plan_rollover(source=source, by=chief)
    assert dump(Plan.objects.get(pk=source.pk)) == before


@pytest.mark.parametrize("slug", SLUGS)
def test_a_rolled_over_demo_plan_passes_its_checks_where_the_source_did(demo, chief, slug):
    source = demo[slug]
    new = plan_rollover(source=source, by=chief)
    before = {f.code for f in plan_checks(source)}
    after = plan_checks(new)
    assert [f for f in after if f.severity == "error"] == []
    # Nothing new goes wrong, except in the new last year, which starts from the old last year's typed
    # amounts without the grants (none reach that far yet). The stated figures of the old document are
    # not carried, so their findings go.
    new_last_column = new.budget_columns.get(year=new.last_year)
    assert [(f.code, f.target_kind, f.target_id) for f in after if f.code not in before] == [
        (f.code, "column", new_last_column.pk) for f in after if f.code not in before
    ]
    assert StatedFigure.objects.filter(plan=new).count() == 0


@pytest.mark.parametrize("slug", SLUGS)
def test_the_new_plan_is_a_draft_linked_to_its_source_with_history_on_both(demo, chief, slug):
    source = demo[slug]
    new = plan_rollover(source=source, by=chief)
    assert (new.state, new.revision, new.rolled_over_from_id) == (Plan.State.DRAFT, 1, source.pk)
    assert (new.first_year, new.years) == (source.first_year + 1, source.years)
    assert (new.unit, new.decimals, new.costs_negative) == (
        source.unit,
        source.decimals,
        source.costs_negative,
    )
    assert new.adopted_on is None and new.minutes_reference == ""
    for plan in (new, source):
        # (The source, loaded as adopted, also has its version of record saved at load.)
        (event,) = PlanEvent.objects.filter(plan=plan).exclude(action=PlanEvent.Action.RECORDED)
        assert (event.action, event.user) == (PlanEvent.Action.ROLLED_OVER, chief)
    # Text parts come along in order.
    assert list(new.chapters.values_list("kind", "level", "body")) == list(
        source.chapters.values_list("kind", "level", "body")
    )
    assert list(new.goals.values_list("title", flat=True)) == list(
        source.goals.values_list("title", flat=True)
    )
    assert (
        Indicator.objects.filter(goal__plan=new).count()
        == Indicator.objects.filter(goal__plan=source).count()
    )
    for related in ("target_groups", "control_items", "communication_items", "activity_items"):
        assert getattr(new, related).count() == getattr(source, related).count()


def test_titles_and_chapter_headings_move_one_year(demo, chief):
    new = plan_rollover(source=demo["ornskoldsvik"], by=chief)
    assert new.title == "Verksamhetsplan och budget 2021, plan 2022–2023"
    headings = list(new.chapters.values_list("heading", flat=True))
    assert "Mål och prioriterade områden för förbundsstyrelsen 2021–2023" in headings
    assert headings[-1] == "Budget 2021, plan 2022–2023"
    assert plan_rollover(source=demo["gavleborg"], by=chief).title == "Verksamhetsplan och budget 2023–2025"
    assert plan_rollover(source=demo["ostra-varmland"], by=chief).title == "Verksamhetsplan 2023"


def test_shift_years_moves_only_the_plans_years():
    text = "Plan 2020–2022, bildat 2004, lag (2003:1210), 20201 kr"
    assert (
        shift_years(text, first_year=2020, last_year=2022)
        == "Plan 2021–2023, bildat 2004, lag (2003:1210), 20201 kr"
    )


def test_ornskoldsvik_columns_move_one_year_keeping_2020_as_forecast(demo, chief):
    source = demo["ornskoldsvik"]
    new = plan_rollover(source=source, by=chief)
    assert column_summary(new) == [
        (2020, "forecast", D(5034000)),
        (2021, "budget", D(5036000)),
        (2022, "plan", D(5036000)),
        (2023, "plan", D(5036000)),  # the old last year's total as a starting point
    ]
    assert line_amounts(new, "Uppdragsersättning förbundschef 100 %") == {
        2020: D(725000),
        2021: D(735000),
        2022: D(745000),
        2023: D(745000),
    }
    # Equity at the start of the forecast year is the source's opening equity, unchanged.
    assert new.opening_equity.amount == D(400000)
    # The forecast year adds up as in the source: the grant of the intervention that ended in 2020
    # (Processtöd Vägen till arbete, 63 000 kr) stays in the forecast as one line, and the rounded frames
    # budgeted for Vidare Vy and Projekt Äpplet in 2020 come along with their year.
    assert line_amounts(new, "Insatser avslutade 2020") == {2020: D(63000)}
    assert sorted(
        InterventionBudgetAmount.objects.filter(column__plan=new).values_list(
            "column__year", "intervention__name", "amount"
        )
    ) == [(2020, "Projekt Äpplet", D(600000)), (2020, "Vidare Vy", D(455000))]
    old, result = plan_budget(source), plan_budget(new)
    for values in ("revenue_total", "cost_total", "result", "closing_equity"):
        assert getattr(result, values)[2020] == getattr(old, values)[2020]
    assert result.closing_equity[2020] == D(400000)


def test_without_the_forecast_the_plan_opens_with_last_years_closing_equity(demo, chief):
    new = plan_rollover(source=demo["ornskoldsvik"], by=chief, keep_forecast=False)
    assert [year for year, _kind, _total in column_summary(new)] == [2021, 2022, 2023]
    assert new.opening_equity.amount == D(400000)


def test_running_interventions_are_carried_in_order(demo, chief):
    source = demo["ornskoldsvik"]
    new = plan_rollover(source=source, by=chief)
    carried = list(new.plan_interventions.order_by("position").values_list("intervention__name", flat=True))
    # Processtöd Vägen till arbete ended 2020-05-31; everything else runs into 2021 or has no end date.
    expected = [
        name
        for name in source.plan_interventions.order_by("position").values_list(
            "intervention__name", flat=True
        )
        if name != "Processtöd Vägen till arbete"
    ]
    assert carried == expected
    assert list(new.plan_interventions.values_list("position", flat=True)) == list(range(len(expected)))


def test_gavleborg_2023_grants_become_the_new_budget_years_computed_group(demo, chief):
    source = demo["gavleborg"]
    new = plan_rollover(source=source, by=chief)
    old_result, new_result = plan_budget(source), plan_budget(new)
    (old_decided,) = [g for g in old_result.groups if g.group.kind == "interventions_decided"]
    (new_decided,) = [g for g in new_result.groups if g.group.kind == "interventions_decided"]
    assert new_result.columns[1].year == 2023 and new_result.columns[1].kind == "budget"
    assert new_decided.totals[2023] == old_decided.totals[2023] == D(8886000)
    assert new_decided.totals[2024] == D(271000)
    # Interventions that ended in 2022 are no longer in the plan.
    names = set(new.plan_interventions.values_list("intervention__name", flat=True))
    assert "Fontänhus Sandviken" not in names and "Ett hållbart arbetsliv-Ockelbo" not in names
    assert "Ett hållbart arbetsliv- Ljusdal" in names
    assert column_summary(new)[-1] == (2025, "plan", D(13320000))
    assert line_amounts(new, "Personalkostnader") == {
        2022: D(3187000),
        2023: D(3315000),
        2024: D(3447000),
        2025: D(3447000),
    }
    assert new.opening_equity is None  # unknown in the source, unknown here


def test_a_one_year_plan_rolls_into_a_new_budget_year(demo, chief):
    new = plan_rollover(source=demo["ostra-varmland"], by=chief)
    assert column_summary(new) == [(2022, "forecast", D(1848000)), (2023, "budget", D(1848000))]
    assert line_amounts(new, "Administration och revision (kansli och styrelse)") == {
        2022: D(290000),
        2023: D(290000),
    }
    assert new.opening_equity.amount == D(324581)


def test_a_second_rollover_for_the_same_year_is_refused(demo, chief):
    plan_rollover(source=demo["ostra-varmland"], by=chief)
    with pytest.raises(ValidationError) as error:
        plan_rollover(source=demo["ostra-varmland"], by=chief, keep_forecast=False)
    assert error.value.messages == ["Förbundet har redan en plan för 2023."]
    assert Plan.objects.filter(association__slug="ostra-varmland").count() == 2


# --- Built by hand: the parts the demo plans do not have -------------------------------------------


@pytest.fixture
def source(db):
    plan = PlanFactory(
        first_year=2027,
        years=2,
        state=Plan.State.ADOPTED,
        adopted_on=datetime.date(2026, 11, 30),
        minutes_reference="§12",
        opening_equity=D(100000),
        deficit_explanation="Gammal motivering.",
    )
    return plan


def test_a_draft_cannot_be_rolled_over(db, chief):
    draft = PlanFactory()
    with pytest.raises(ValidationError) as error:
        plan_rollover(source=draft, by=chief)
    assert error.value.messages == ["Nästa års plan kan bara skapas från en fastställd plan."]
    assert Plan.objects.count() == 1


def test_goals_indicators_and_activities_keep_their_links(source, chief):
    goal = GoalFactory(plan=source, title="Fler i arbete", position=1)
    other = GoalFactory(plan=source, title="Samverkan", position=2)
    IndicatorFactory(goal=goal, text="Andel i arbete", target="50 %")
    ActivityItem.objects.create(plan=source, activity="Seminarium", goal=other)
    ActivityItem.objects.create(plan=source, activity="Utan mål")
    ChapterFactory(plan=source, heading="Mål 2027–2028", kind="goals")

    new = plan_rollover(source=source, by=chief)

    new_goals = list(new.goals.order_by("position"))
    assert [g.title for g in new_goals] == ["Fler i arbete", "Samverkan"]
    assert {g.pk for g in new_goals}.isdisjoint({goal.pk, other.pk})
    assert list(new_goals[0].indicators.values_list("text", "target")) == [("Andel i arbete", "50 %")]
    assert {(a.activity, a.goal_id) for a in new.activity_items.all()} == {
        ("Seminarium", new_goals[1].pk),
        ("Utan mål", None),
    }
    assert list(new.chapters.values_list("heading", flat=True)) == ["Mål 2028–2029"]
    assert new.deficit_explanation == ""  # last year's reasons do not explain next year's budget


def test_interventions_that_ended_are_left_behind_and_undecided_ones_carried(source, chief):
    def link(name, position, **kwargs):
        return PlanInterventionFactory(plan=source, position=position, intervention__name=name, **kwargs)

    link("Löpande", 1)
    link("Slutar nyårsafton", 2, intervention__end_date=datetime.date(2027, 12, 31))
    link("Slutar nyårsdagen", 3, intervention__end_date=datetime.date(2028, 1, 1))
    link("Ej beslutad", 4, intervention__status="undecided")
    link("Avslutad", 5, intervention__status="ended")
    granted = link("Beviljad", 0, intervention__end_date=datetime.date(2029, 12, 31)).intervention
    GrantFactory(intervention=granted, year=2028, amount=D(300000))

    new = plan_rollover(source=source, by=chief)

    assert list(new.plan_interventions.order_by("position").values_list("intervention__name", flat=True)) == [
        "Beviljad",
        "Löpande",
        "Slutar nyårsdagen",
        "Ej beslutad",
    ]
    assert Grant.objects.filter(intervention=granted).count() == 1  # grants are not copied


def test_key_overrides_and_lines_are_copied_for_the_years_carried(source, chief):
    kommun = OrganisationFactory(association=source.association, name="Aby kommun")
    other = OrganisationFactory(association=source.association, name="Bby kommun")
    budget_column = BudgetColumnFactory(plan=source, year=2027, kind="budget", contributions_total=D(1000))
    plan_column = BudgetColumnFactory(plan=source, year=2028, kind="plan", contributions_total=D(2000))
    BudgetGroupFactory(plan=source, section="revenue", kind="contributions", name="Avgifter")
    group = BudgetGroupFactory(plan=source, name="Administration", collapsed=True, position=3)
    line = BudgetLineFactory(group=group, name="Hyra", undecided=True, position=2)
    BudgetAmountFactory(line=line, column=budget_column, amount=D(-10))
    BudgetAmountFactory(line=line, column=plan_column, amount=D(20))
    factor = ContributionKeyFactor.objects.create(plan=source, name="Befolkning", weight_percent=D(100))
    ContributionKeyValue.objects.create(factor=factor, organisation=kommun, value=D(3))
    ContributionKeyValue.objects.create(factor=factor, organisation=other, value=D(1))
    ContributionOverride.objects.create(column=budget_column, part="region", amount=D(1), reason="A")
    ContributionOverride.objects.create(
        column=plan_column, part="municipality", organisation=kommun, amount=D(2), reason="B"
    )

    new = plan_rollover(source=source, by=chief)

    assert column_summary(new) == [
        (2027, "forecast", D(1000)),
        (2028, "budget", D(2000)),
        (2029, "plan", D(2000)),
    ]
    (new_group,) = new.budget_groups.filter(kind="administration")
    assert (new_group.name, new_group.collapsed, new_group.position) == ("Administration", True, 3)
    (new_line,) = new_group.lines.all()
    assert (new_line.name, new_line.undecided, new_line.position) == ("Hyra", True, 2)
    assert line_amounts(new, "Hyra") == {2027: D(-10), 2028: D(20), 2029: D(20)}
    assert list(
        ContributionKeyValue.objects.filter(factor__plan=new).values_list(
            "factor__name", "factor__weight_percent", "organisation__name", "value"
        )
    ) == [("Befolkning", D(100), "Aby kommun", D(3)), ("Befolkning", D(100), "Bby kommun", D(1))]
    assert sorted(
        ContributionOverride.objects.filter(column__plan=new).values_list("column__year", "part", "reason")
    ) == [(2027, "region", "A"), (2028, "municipality", "B")]
    result = plan_budget(new)
    (contributions,) = [g for g in result.groups if g.group.kind == "contributions"]
    assert [(row.label, row.amounts[2029]) for row in contributions.rows][2:] == [
        ("Aby kommun", D(375)),
        ("Bby kommun", D(125)),
    ]


def test_a_failure_half_way_leaves_nothing_behind(source, chief, monkeypatch):
    BudgetColumnFactory(plan=source, year=2027, kind="budget")
    ChapterFactory(plan=source)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("plans.copying.PlanCopy.copy_rows", broken)
    with pytest.raises(RuntimeError):
        plan_rollover(source=source, by=chief)
    assert Plan.objects.count() == 1
    assert Chapter.objects.count() == 1
    assert BudgetColumn.objects.count() == 1

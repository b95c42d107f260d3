"""budgets.checks: each plan check fires where it should and stays silent where it should not."""

import datetime
from decimal import Decimal

import pytest

from budgets.calc import plan_budget
from budgets.checks import Finding, plan_checks
from budgets.models import (
    BudgetColumn,
    BudgetGroup,
    ContributionOverride,
    InterventionBudgetAmount,
    StatedFigure,
)
from finsam.site.demo.loader import load_association
from finsam.site.demo.reading import demo_files, read_demo_file
from interventions.models import Grant
from plans.models import Plan
from tests.factories import (
    BudgetAmountFactory,
    BudgetColumnFactory,
    BudgetGroupFactory,
    BudgetLineFactory,
    GrantFactory,
    OrganisationFactory,
    PlanFactory,
    PlanInterventionFactory,
)

D = Decimal
NBSP = "\u00a0"


def codes(findings):
    return [finding.code for finding in findings]


def messages(findings, code):
    return [finding.message.replace(NBSP, " ") for finding in findings if finding.code == code]


class Healthy:
    """A two-year plan with nothing to report: in balance, equity under 20 %, one sound intervention."""

    def __init__(self):
        self.plan = PlanFactory(first_year=2027, years=2, opening_equity=D(100000))
        association = self.plan.association
        self.fk = OrganisationFactory(association=association, name="Försäkringskassan", kind="state")
        self.region = OrganisationFactory(association=association, name="Region Test", kind="region")
        self.kommun = OrganisationFactory(association=association, name="Testby kommun")
        self.polisen = OrganisationFactory(
            association=association, name="Polisen", kind="other", is_member=False
        )
        self.budget_column = BudgetColumnFactory(
            plan=self.plan, year=2027, kind="budget", contributions_total=D(1000000)
        )
        self.plan_column = BudgetColumnFactory(
            plan=self.plan, year=2028, kind="plan", contributions_total=D(1000000)
        )
        BudgetGroupFactory(plan=self.plan, section="revenue", kind="contributions", name="Medlemsavgifter")
        admin = BudgetGroupFactory(plan=self.plan, name="Administration")
        self.admin_line = BudgetLineFactory(group=admin, name="Förbundschef")
        self.admin_amounts = [
            BudgetAmountFactory(line=self.admin_line, column=column, amount=D(780000))
            for column in (self.budget_column, self.plan_column)
        ]
        self.decided = BudgetGroupFactory(plan=self.plan, kind="interventions_decided", name="Insatser")
        self.intervention = PlanInterventionFactory(
            plan=self.plan,
            intervention__name="Steget vidare",
            intervention__owner=self.kommun,
            intervention__start_date=datetime.date(2027, 1, 1),
            intervention__end_date=datetime.date(2028, 12, 31),
        ).intervention
        self.intervention.partners.set([self.fk, self.region])
        for year in (2027, 2028):
            GrantFactory(intervention=self.intervention, year=year, amount=D(200000))

    def checks(self):
        return plan_checks(Plan.objects.get(pk=self.plan.pk))


@pytest.fixture
def healthy(db):
    return Healthy()


def test_a_sound_plan_has_no_findings(healthy):
    result = plan_budget(healthy.plan)
    assert result.result == {2027: D(20000), 2028: D(20000)}
    assert healthy.checks() == []


def test_findings_are_frozen():
    finding = Finding("info", "x", "y", "plan", 1)
    with pytest.raises(AttributeError):
        finding.code = "z"


# --- §21: budget in balance -------------------------------------------------------------------------


def test_a_year_with_costs_above_revenue_is_a_warning(healthy):
    amount = healthy.admin_amounts[1]
    amount.amount = D(900000)
    amount.save()
    (finding,) = healthy.checks()
    assert (finding.severity, finding.code, finding.target_kind, finding.target_id) == (
        "warning",
        "budget_deficit",
        "column",
        healthy.plan_column.pk,
    )
    assert finding.message.replace(NBSP, " ").startswith(
        "Budgeten för 2028 är inte i balans: kostnaderna 1 100 000 kr är 100 000 kr högre än intäkterna "
        "1 000 000 kr. Enligt 21 §"
    )


def test_an_explained_deficit_is_information_quoting_the_chief(healthy):
    amount = healthy.admin_amounts[1]
    amount.amount = D(900000)
    amount.save()
    Plan.objects.filter(pk=healthy.plan.pk).update(
        deficit_explanation="Överskottet från tidigare år  används till ett nytt projekt."
    )
    (finding,) = healthy.checks()
    assert (finding.severity, finding.code) == ("info", "budget_deficit")
    assert finding.message.endswith(
        "Förbundschefen har motiverat underskottet: ”Överskottet från tidigare år används till ett nytt projekt.”"
    )


def test_a_deficit_in_an_outcome_column_is_history_not_a_finding(healthy):
    outcome = BudgetColumnFactory(plan=healthy.plan, year=2026, kind="outcome", contributions_total=D(10))
    BudgetAmountFactory(line=healthy.admin_line, column=outcome, amount=D(500000))
    Plan.objects.filter(pk=healthy.plan.pk).update(opening_equity=D(600000))
    assert healthy.checks() == []


# --- Equity at most 20 % of contributions ------------------------------------------------------------


def test_closing_equity_above_a_fifth_of_contributions_is_a_warning(healthy):
    # Closing equity 200 000 in 2027 is exactly 20 %: fine. 220 000 in 2028 is above.
    Plan.objects.filter(pk=healthy.plan.pk).update(opening_equity=D(180000))
    findings = healthy.checks()
    assert [(f.code, f.target_id) for f in findings] == [("equity_above_limit", healthy.plan_column.pk)]
    assert messages(findings, "equity_above_limit") == [
        "Eget kapital vid utgången av 2028 är 220 000 kr, mer än 20 % av årets medlemsavgifter 1 000 000 kr "
        "(200 000 kr). Nationella rådets rekommendation är högst 20 %."
    ]


def test_equity_below_zero_is_an_error_in_the_budget_year_and_a_warning_in_plan_years(healthy):
    # Result +20 000 a year: from −50 000, equity ends 2027 at −30 000 and 2028 at −10 000.
    Plan.objects.filter(pk=healthy.plan.pk).update(opening_equity=D(-50000))
    findings = healthy.checks()
    assert [(f.severity, f.code, f.target_id) for f in findings] == [
        ("error", "equity_negative", healthy.budget_column.pk),
        ("warning", "equity_negative", healthy.plan_column.pk),
    ]
    assert messages(findings, "equity_negative")[0] == (
        "Eget kapital vid utgången av 2027 blir negativt: −30 000 kr. Förbundet kan inte använda mer pengar "
        "än det har; minska kostnaderna eller öka intäkterna."
    )


def test_equity_of_exactly_zero_is_no_finding(healthy):
    Plan.objects.filter(pk=healthy.plan.pk).update(opening_equity=D(-20000))
    assert [f.code for f in healthy.checks()] == []


def test_unknown_opening_equity_is_information_and_skips_the_equity_check(healthy):
    Plan.objects.filter(pk=healthy.plan.pk).update(opening_equity=None)
    (finding,) = healthy.checks()
    assert (finding.severity, finding.code, finding.target_kind) == ("info", "opening_equity_unknown", "plan")


# --- Interventions --------------------------------------------------------------------------------------


def test_an_intervention_needs_two_members_among_owner_and_partners(healthy):
    healthy.intervention.partners.set([healthy.fk])
    assert healthy.checks() == []  # owner Testby kommun and Försäkringskassan

    healthy.intervention.partners.set([healthy.polisen, healthy.kommun])  # the owner listed again
    findings = healthy.checks()
    assert [(f.code, f.target_kind, f.target_id) for f in findings] == [
        ("intervention_too_few_members", "intervention", healthy.intervention.pk)
    ]
    assert messages(findings, "intervention_too_few_members") == [
        "Insatsen Steget vidare har bara en av förbundets medlemmar (Testby kommun) som ägare eller "
        "samverkande organisation; minst två medlemmar ska delta."
    ]


def test_members_of_another_association_do_not_count(healthy):
    outsider = OrganisationFactory(name="Annan kommun")
    healthy.intervention.owner = None
    healthy.intervention.save()
    healthy.intervention.partners.set([outsider, healthy.polisen])
    assert messages(healthy.checks(), "intervention_too_few_members") == [
        "Insatsen Steget vidare har ingen av förbundets medlemmar som ägare eller samverkande organisation; "
        "minst två medlemmar ska delta."
    ]


def test_a_grant_outside_the_interventions_period_is_a_warning(healthy):
    healthy.intervention.end_date = datetime.date(2027, 6, 30)
    healthy.intervention.save()
    findings = healthy.checks()
    assert codes(findings) == ["grant_outside_period"]
    assert messages(findings, "grant_outside_period") == [
        "Insatsen Steget vidare har beviljats 200 000 kr för 2028, men insatsens period är "
        "2027-01-01 – 2027-06-30."
    ]
    healthy.intervention.end_date = None  # t.o.m. löpande covers every later year
    healthy.intervention.save()
    assert healthy.checks() == []


def test_a_grant_that_differs_from_the_stated_budget_line_is_a_warning(healthy):
    StatedFigure.objects.create(
        plan=healthy.plan,
        column=healthy.budget_column,
        label="Steget vidare",
        target="intervention",
        intervention=healthy.intervention,
        amount=D(200000),
    )
    assert healthy.checks() == []

    StatedFigure.objects.filter(plan=healthy.plan).update(amount=D(210000))
    (finding,) = healthy.checks()
    assert (finding.code, finding.target_kind, finding.target_id) == (
        "grant_differs_from_budget",
        "intervention",
        healthy.intervention.pk,
    )
    assert finding.message.replace(NBSP, " ") == (
        "Insatsen Steget vidare har beviljats 200 tkr för 2027, men dokumentets budgettabell visar "
        "210 tkr på raden ”Steget vidare”, 10 tkr mer än beviljat."
    )


def test_a_budgeted_amount_that_differs_from_the_stated_line_names_the_budgeted_amount(healthy):
    InterventionBudgetAmount.objects.create(
        column=healthy.budget_column, intervention=healthy.intervention, amount=D(201000)
    )
    StatedFigure.objects.create(
        plan=healthy.plan,
        column=healthy.budget_column,
        label="Steget vidare",
        target="intervention",
        intervention=healthy.intervention,
        amount=D(210000),
    )
    findings = healthy.checks()
    (finding,) = [f for f in findings if f.code == "grant_differs_from_budget"]
    assert (finding.severity, finding.target_kind, finding.target_id) == (
        "warning",
        "budget_intervention",
        healthy.intervention.pk,
    )
    assert finding.message.replace(NBSP, " ") == (
        "Insatsen Steget vidare har budgeterats till 201 tkr för 2027, men dokumentets budgettabell visar "
        "210 tkr på raden ”Steget vidare”, 9 tkr mer än budgeterat."
    )
    assert messages(findings, "intervention_budgeted_differs") == [
        "Budgeten för 2027 tar upp 201 000 kr för insatsen Steget vidare, 1 000 kr mer än beviljat belopp "
        "200 000 kr."
    ]
    assert [f.severity for f in findings if f.code == "intervention_budgeted_differs"] == ["info"]


def test_granted_money_without_a_decided_group_is_a_warning(healthy):
    healthy.decided.delete()
    BudgetLineFactory(group=BudgetGroupFactory(plan=healthy.plan, name="Insatser"))  # keeps the balance
    findings = healthy.checks()
    assert "grant_not_in_budget" in codes(findings)
    assert messages(findings, "grant_not_in_budget") == [
        "Insatsen Steget vidare har beviljats medel för 2027 och 2028, men budgeten har ingen grupp för "
        "beslutade insatser där beloppen räknas in."
    ]


def test_ended_interventions_are_not_checked(healthy):
    healthy.intervention.status = "ended"
    healthy.intervention.save()
    healthy.intervention.partners.clear()
    # The budget no longer counts its grants (only granted ones), so the year is far in surplus.
    assert "intervention_too_few_members" not in codes(healthy.checks())


# --- Stated figures --------------------------------------------------------------------------------


def test_a_stated_total_that_differs_from_the_computed_one_is_a_warning(healthy):
    figure = StatedFigure.objects.create(
        plan=healthy.plan,
        column=healthy.budget_column,
        label="Summa kostnader",
        target="costs",
        amount=D(980000),
    )
    assert healthy.checks() == []

    StatedFigure.objects.filter(pk=figure.pk).update(amount=D(982466))
    (finding,) = healthy.checks()
    assert (finding.code, finding.target_kind, finding.target_id) == ("stated_differs", "stated", figure.pk)
    assert finding.message.replace(NBSP, " ") == (
        "Raden ”Summa kostnader” 2027, jämförd med summa kostnader: dokumentet anger 982 466 kr, men det "
        "beräknade beloppet är 980 000 kr, en skillnad på +2 466 kr."
    )


# --- Columns and state -----------------------------------------------------------------------------


def test_columns_that_skip_a_year_are_an_error(healthy):
    outcome = BudgetColumnFactory(plan=healthy.plan, year=2025, kind="outcome")
    findings = healthy.checks()
    assert [(f.severity, f.code) for f in findings] == [("error", "columns_not_consecutive")]
    assert messages(findings, "columns_not_consecutive") == [
        "Budgetens kolumner följer inte på varandra: efter 2025 kommer 2027."
    ]
    outcome.year = 2026
    outcome.save()
    assert healthy.checks() == []


def test_a_plan_year_without_a_column_is_an_error(healthy):
    healthy.plan_column.delete()
    findings = healthy.checks()
    assert [(f.severity, f.code, f.target_kind) for f in findings] == [
        ("error", "columns_missing_plan_years", "budget")
    ]
    assert messages(findings, "columns_missing_plan_years") == [
        "Planen gäller 2027 och 2028 men budgeten saknar en kolumn för 2028."
    ]


def test_a_column_of_the_wrong_kind_is_a_warning(healthy):
    BudgetColumn.objects.filter(pk=healthy.budget_column.pk).update(kind="forecast")
    BudgetColumnFactory(plan=healthy.plan, year=2029, kind="plan", contributions_total=D(1))
    column_findings = [f for f in healthy.checks() if f.code.startswith("column_")]
    assert [(f.code, f.target_id) for f in column_findings] == [
        ("column_kind_unexpected", healthy.budget_column.pk),
        ("column_outside_plan_years", BudgetColumn.objects.get(plan=healthy.plan, year=2029).pk),
    ]


def test_an_adopted_plan_without_a_date_is_an_error(healthy):
    plan = Plan.objects.get(pk=healthy.plan.pk)
    plan.state = Plan.State.ADOPTED  # the database refuses to store this; a form could still hold it
    assert [(f.severity, f.code, f.target_id) for f in plan_checks(plan)] == [
        ("error", "adopted_without_date", plan.pk)
    ]
    plan.adopted_on = datetime.date(2026, 11, 30)
    assert plan_checks(plan) == []


# --- Contributions -----------------------------------------------------------------------------------


def test_an_override_is_shown_and_a_warning_when_the_parts_no_longer_add_up(healthy):
    ContributionOverride.objects.create(column=healthy.budget_column, part="state", amount=D(500000))
    findings = healthy.checks()
    assert [(f.severity, f.code) for f in findings] == [("info", "contribution_overridden")]
    assert messages(findings, "contribution_overridden") == [
        "Medlemsavgiften 2027 för Försäkringskassan är justerad för hand."
    ]
    ContributionOverride.objects.filter(column=healthy.budget_column).update(amount=D(490000))
    assert messages(healthy.checks(), "contributions_do_not_add_up") == [
        "Medlemsavgifterna 2027 summerar till 990 000 kr men medlemmarnas sammanlagda insats är "
        "1 000 000 kr, eftersom beloppet för Försäkringskassan är justerat för hand."
    ]


def test_a_plan_year_without_contributions_total_is_a_warning(healthy):
    BudgetColumn.objects.filter(pk=healthy.plan_column.pk).update(contributions_total=None)
    assert "contributions_total_missing" in codes(healthy.checks())


# --- Order and cost ---------------------------------------------------------------------------------


def test_errors_come_first_then_warnings_then_information(healthy):
    Plan.objects.filter(pk=healthy.plan.pk).update(opening_equity=None)
    healthy.intervention.partners.clear()
    healthy.plan_column.delete()
    assert [f.severity for f in healthy.checks()] == ["error", "warning", "info"]


def test_the_checks_take_the_same_number_of_queries_for_any_plan_size(healthy, django_assert_num_queries):
    def grow(n):
        for i in range(n):
            link = PlanInterventionFactory(plan=healthy.plan, intervention__owner=healthy.kommun)
            link.intervention.partners.set([healthy.fk, healthy.polisen])
            GrantFactory(intervention=link.intervention, year=2027, amount=D(1))
            group = BudgetGroupFactory(plan=healthy.plan, name=f"Grupp {i}")
            BudgetAmountFactory(line=BudgetLineFactory(group=group), column=healthy.budget_column)
            StatedFigure.objects.create(
                plan=healthy.plan, column=healthy.budget_column, label=f"S{i}", target="costs", amount=D(1)
            )

    grow(1)
    plan = Plan.objects.get(pk=healthy.plan.pk)
    budget = plan_budget(plan)
    with django_assert_num_queries(1) as small:  # the stated figures, with what they name
        plan_checks(plan, budget)
    grow(12)
    plan = Plan.objects.get(pk=healthy.plan.pk)
    budget = plan_budget(plan)
    with django_assert_num_queries(len(small.captured_queries)):
        findings = plan_checks(plan, budget)
    assert len(messages(findings, "stated_differs")) == 13


# --- The demo plans ---------------------------------------------------------------------------------


def load_demo_association(slug):
    (data,) = [read_demo_file(path) for path in demo_files() if read_demo_file(path)["slug"] == slug]
    load_association(data)
    return Plan.objects.get(association__slug=slug)


@pytest.mark.django_db
def test_ornskoldsvik_budgets_two_rounded_frames_and_reports_them_as_information():
    """The table prints Vidare Vy 455 tkr and Projekt Äpplet 600 tkr for grants of 454 449 and 598 085
    kronor: the plan budgets those frames, so every printed figure agrees and the differences are shown."""
    plan = load_demo_association("ornskoldsvik")
    findings = plan_checks(plan)
    assert not {"grant_differs_from_budget", "stated_differs"} & set(codes(findings))
    budgeted = [f for f in findings if f.code == "intervention_budgeted_differs"]
    ids = dict(plan.plan_interventions.values_list("intervention__name", "intervention_id"))
    assert [(f.severity, f.target_kind, f.target_id) for f in budgeted] == [
        ("info", "budget_intervention", ids["Vidare Vy"]),
        ("info", "budget_intervention", ids["Projekt Äpplet"]),
    ]
    assert messages(findings, "intervention_budgeted_differs") == [
        "Budgeten för 2020 tar upp 455 000 kr för insatsen Vidare Vy, 551 kr mer än beviljat belopp 454 449 kr.",
        "Budgeten för 2020 tar upp 600 000 kr för insatsen Projekt Äpplet, 1 915 kr mer än beviljat belopp "
        "598 085 kr.",
    ]
    # In balance, equity well under 20 %, every column in place.
    assert not {"budget_deficit", "equity_above_limit"} & set(codes(findings))
    assert not [f for f in findings if f.severity == "error"]


@pytest.mark.django_db
def test_ostra_varmland_shows_the_deficit_and_nyckeln_with_one_member():
    plan = load_demo_association("ostra-varmland")
    findings = plan_checks(plan)
    assert [f.code for f in findings] == ["budget_deficit", "intervention_too_few_members"]
    assert messages(findings, "budget_deficit")[0].startswith(
        "Budgeten för 2022 är inte i balans: kostnaderna 1 958 000 kr är 110 000 kr högre än intäkterna "
        "1 848 000 kr."
    )
    assert messages(findings, "intervention_too_few_members") == [
        "Insatsen Projekt Nyckeln har bara en av förbundets medlemmar (Region Värmland) som ägare eller "
        "samverkande organisation; minst två medlemmar ska delta."
    ]


@pytest.mark.django_db
def test_gavleborg_shows_its_deficit_and_unknown_opening_equity():
    plan = load_demo_association("gavleborg")
    findings = plan_checks(plan)
    assert [(f.severity, f.code) for f in findings] == [
        ("warning", "budget_deficit"),
        ("warning", "intervention_too_few_members"),
        ("info", "opening_equity_unknown"),
    ]
    assert "2 549 146 kr högre" in messages(findings, "budget_deficit")[0]
    assert Grant.objects.filter(intervention__association=plan.association).exists()
    assert BudgetGroup.objects.filter(plan=plan, kind="interventions_decided").exists()

"""Financial items in an imported table: the result before them, the totals printed above them and the
sums printed among them are stated figures, compared with finsam's (`budgets.stated.computed_figure`);
one error among them is reported at its own row, and what carries it up follows from it."""

import pytest

from budgets.imports.apply import budget_import_apply
from budgets.imports.overrides import apply_row_readings
from budgets.imports.parse import parse_text
from tests.factories import AssociationFactory, PlanFactory

TABLE = """Budget, kr\tBudget 2025\tPlan 2026
Intäkter
Medlemsavgifter\t4 000 000\t4 000 000
Summa intäkter\t4 000 000\t4 000 000
Kostnader
Administration\t-1 000 000\t-1 000 000
Insatser\t-2 900 000\t-3 000 000
Summa kostnader\t-3 900 000\t-4 000 000
Resultat före finansiella poster\t100 000\t0
Finansiella intäkter\t20 000\t20 000
Finansiella kostnader\t-5 000\t-5 000
Summa finansiella poster\t15 000\t15 000
Summa intäkter inklusive finansiella poster\t4 020 000\t4 020 000
Resultat efter finansiella poster\t115 000\t15 000
"""


@pytest.fixture
def plan(db):
    return PlanFactory(association=AssociationFactory(), first_year=2025, years=2, unit="kr")


def imported(plan, text):
    return budget_import_apply(plan=plan, parsed=parse_text(text), by=None)


def targets(report) -> dict[str, str]:
    return {figure.label: figure.target for figure in report.figures if figure.year == 2025}


def test_every_figure_around_the_financial_items_is_compared_and_agrees(plan):
    report = imported(plan, TABLE)
    assert targets(report) == {
        "Summa intäkter": "revenue_before_financial",
        "Summa kostnader": "costs_before_financial",
        "Resultat före finansiella poster": "result_before_financial",
        "Summa finansiella poster": "financial_net",
        "Summa intäkter inklusive finansiella poster": "revenue",
        "Resultat efter finansiella poster": "result",
    }
    assert all(figure.agrees for figure in report.figures), [f for f in report.figures if not f.agrees]


def test_an_error_in_the_result_before_financial_items_is_reported_there_and_the_result_follows(plan):
    wrong = TABLE.replace("finansiella poster\t100 000", "finansiella poster\t110 000").replace(
        "efter finansiella poster\t115 000", "efter finansiella poster\t125 000"
    )
    report = imported(plan, wrong)
    assert [(f.label, f.year) for f in report.differences] == [("Resultat före finansiella poster", 2025)]
    assert [(f.label, f.follows) for f in report.following] == [
        ("Resultat efter finansiella poster", "Resultat före finansiella poster")
    ]


def test_a_wrong_sum_among_the_financial_items_is_compared_by_its_words(plan):
    report = imported(
        plan, TABLE.replace("Summa finansiella poster\t15 000\t15 000", "Finansnetto\t15 000\t16 000")
    )
    assert targets(report)["Finansnetto"] == "financial_net"
    assert [(f.label, f.year, f.difference) for f in report.differences] == [
        ("Finansnetto", 2026, "1\u00a0000")
    ]


def test_a_total_above_the_financial_items_compares_without_them(plan):
    """Costs printed positive this time; a wrong total of costs before financial items deviates by its
    own error, not by the financial costs."""
    positive = TABLE.replace("\t-", "\t").replace("Summa kostnader\t3 900 000", "Summa kostnader\t3 901 000")
    report = imported(plan, positive)
    assert [(f.label, f.year, f.target) for f in report.differences] == [
        ("Summa kostnader", 2025, "costs_before_financial")
    ]


def test_the_users_corrections_keep_the_figures_around_the_financial_items():
    """A correction elsewhere re-reads every row: the totals before financial items, the result before
    them and the net stay compared as the parser read them."""
    parsed = parse_text(TABLE)
    row = next(r.row for r in parsed.readings if r.label == "Summa intäkter inklusive finansiella poster")
    corrected = apply_row_readings(parsed, {row: "note"})
    assert sorted(f.target for f in corrected.stated if 2025 in f.amounts) == [
        "costs_before_financial",
        "financial_net",
        "result",
        "result_before_financial",
        "revenue_before_financial",
    ]

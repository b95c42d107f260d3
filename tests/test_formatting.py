"""finsam.money: Swedish number format and the rounding policy (each figure rounded once, half up)."""

from decimal import Decimal

import pytest

from budgets.calc import plan_budget
from budgets.models import BudgetColumn
from budgets.rounding import rounding_differences, rounding_notes
from finsam.money import format_amount, format_kronor, format_number, format_tkr, scaled
from tests.factories import (
    BudgetAmountFactory,
    BudgetColumnFactory,
    BudgetGroupFactory,
    BudgetLineFactory,
    PlanFactory,
)

D = Decimal
NBSP = "\u00a0"


def plain(text: str) -> str:
    """The printed text with ordinary spaces, to keep the expectations readable."""
    return text.replace(NBSP, " ")


# --- Figures ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "printed"),
    [
        (1258500, 1, "1 258,5"),
        (1258500, 0, "1 259"),  # half up, not to even
        (1257500, 0, "1 258"),
        (1258449, 0, "1 258"),
        (1258450, 1, "1 258,5"),
        (1258449, 1, "1 258,4"),
        (499, 0, "0"),
        (500, 0, "1"),
        (-500, 0, "−1"),  # half away from zero, symmetric for negative numbers
        (-499, 0, "0"),  # never "−0"
        (-49, 1, "0,0"),
        (-50, 1, "−0,1"),
        (0, 1, "0,0"),
        (999999, 0, "1 000"),
        (-2549146, 0, "−2 549"),
        (123456789012, 1, "123 456 789,0"),
    ],
)
def test_thousands_print_rounded_once_half_up(value, decimals, printed):
    assert plain(format_amount(D(value), unit="tkr", decimals=decimals)) == printed


@pytest.mark.parametrize(
    ("value", "printed"),
    [(1258500, "1 258 500"), (999, "999"), (1000, "1 000"), (-1848000, "−1 848 000"), (0, "0")],
)
def test_kronor_print_whole_with_grouped_thousands(value, printed):
    # Decimals only apply to tkr: a kronor table never shows a decimal.
    assert plain(format_amount(D(value), unit="kr", decimals=1)) == printed


def test_numbers_never_wrap_and_use_a_real_minus_sign():
    assert format_amount(D(-1258500), unit="kr") == "\u22121\u00a0258\u00a0500"


def test_costs_can_print_negative():
    assert plain(format_amount(D(1031000), unit="tkr", decimals=0, negate=True)) == "−1 031"
    assert plain(format_amount(D(0), unit="tkr", decimals=0, negate=True)) == "0"
    # Negating before rounding gives the same digits as rounding before negating.
    assert plain(format_amount(D(1500), unit="tkr", negate=True)) == "−2"


def test_unknown_amounts_print_blank():
    assert format_amount(None) == ""
    assert format_amount(None, blank="–") == "–"
    assert format_kronor(None) == ""
    assert format_tkr(None) == ""


def test_amounts_in_running_text():
    assert plain(format_kronor(D(1258500))) == "1 258 500 kr"
    assert plain(format_tkr(D(1258500))) == "1 258,5 tkr"
    assert plain(format_tkr(D(1258500), decimals=0)) == "1 259 tkr"


def test_scaled_is_the_printed_value():
    assert scaled(D(1258500), unit="tkr", decimals=1) == D("1258.5")
    assert scaled(D(1258500), unit="tkr", decimals=0) == D(1259)
    assert scaled(D("1258500.5"), unit="kr", decimals=0) == D(1258501)


def test_format_number_pads_decimals():
    assert format_number(D(12), decimals=1) == "12,0"


# --- Rounding notes ---------------------------------------------------------------------------------


def budget_plan(*, unit="tkr", decimals=0, costs_negative=False, opening_equity=None, years=(2020,)):
    plan = PlanFactory(
        first_year=years[0],
        years=len(years),
        unit=unit,
        decimals=decimals,
        costs_negative=costs_negative,
        opening_equity=opening_equity,
    )
    columns = [BudgetColumnFactory(plan=plan, year=year, kind=BudgetColumn.Kind.PLAN) for year in years]
    return plan, columns


def add_group(plan, columns, name, rows, *, section="costs", kind="administration", collapsed=False):
    group = BudgetGroupFactory(plan=plan, name=name, section=section, kind=kind, collapsed=collapsed)
    for label, amounts in rows.items():
        line = BudgetLineFactory(group=group, name=label)
        for column, amount in zip(columns, amounts, strict=True):
            BudgetAmountFactory(line=line, column=column, amount=D(amount))
    return group


def differences(plan):
    return [
        (d.label, d.year, d.rows_sum, d.total, d.across)
        for d in rounding_differences(plan_budget(plan), plan)
    ]


@pytest.mark.django_db
def test_a_subtotal_that_differs_from_its_printed_rows_gets_a_note():
    plan, columns = budget_plan()
    add_group(plan, columns, "Administration", {"Chef": [300400], "Kansli": [300400], "Styrelse": [430200]})
    # 300 + 300 + 430 = 1 030 printed, while the exact 1 031 000 kr prints 1 031.
    assert [plain(note) for note in rounding_notes(plan_budget(plan), plan)] == [
        "Summa kostnader 2020: raderna summerar till 1 030 tkr, summan av de exakta beloppen är 1 031 tkr."
    ]


@pytest.mark.django_db
def test_notes_print_in_the_plans_sign_and_decimals():
    plan, columns = budget_plan(costs_negative=True, decimals=1)
    add_group(plan, columns, "Administration", {"A": [50], "B": [50], "C": [50]})
    # Each row 0,05 tkr prints −0,1; the exact 150 kr prints −0,2.
    assert [plain(note) for note in rounding_notes(plan_budget(plan), plan)] == [
        "Summa kostnader 2020: raderna summerar till −0,3 tkr, summan av de exakta beloppen är −0,2 tkr."
    ]


@pytest.mark.django_db
def test_a_section_total_is_compared_with_the_printed_group_rows():
    plan, columns = budget_plan()
    add_group(plan, columns, "Lokaler", {"Hyra": [400]}, collapsed=True)
    add_group(plan, columns, "Resor", {"Resor": [400]}, collapsed=True)
    assert differences(plan) == [("Summa kostnader", 2020, D(0), D(1), False)]


@pytest.mark.django_db
def test_the_result_is_compared_with_printed_revenue_minus_printed_costs():
    plan, columns = budget_plan()
    add_group(plan, columns, "Avgifter", {"Avgift": [1400]}, section="revenue", kind="other")
    add_group(plan, columns, "Administration", {"Chef": [900]})
    # 1 − 1 = 0 on the page; the exact result 500 kr prints 1.
    assert differences(plan) == [("Resultat", 2020, D(0), D(1), False)]
    assert plain(rounding_notes(plan_budget(plan), plan)[0]) == (
        "Resultat 2020: summa intäkter minus summa kostnader i tabellen ger 0 tkr, det exakta resultatet är 1 tkr."
    )


@pytest.mark.django_db
def test_closing_equity_is_compared_with_printed_opening_equity_plus_result():
    plan, columns = budget_plan(opening_equity=D(400))
    add_group(plan, columns, "Avgifter", {"Avgift": [400]}, section="revenue", kind="other")
    assert differences(plan) == [("Eget kapital vid årets slut", 2020, D(0), D(1), False)]
    assert "ingående eget kapital plus resultatet i tabellen ger 0 tkr" in plain(
        rounding_notes(plan_budget(plan), plan)[0]
    )


@pytest.mark.django_db
def test_the_multi_year_column_is_compared_across_the_printed_years():
    plan, columns = budget_plan(years=(2020, 2021))
    add_group(plan, columns, "Administration", {"Chef": [400, 400]})
    assert differences(plan) == [
        ("Chef", None, D(0), D(1), True),
        ("Summa kostnader", None, D(0), D(1), True),
        ("Summa kostnader", None, D(0), D(1), True),
        ("Resultat", None, D(0), D(-1), True),
    ]
    assert plain(rounding_notes(plan_budget(plan), plan)[0]) == (
        "Chef, totalt 2020–2021: åren summerar till 0 tkr, summan av de exakta beloppen är 1 tkr."
    )


@pytest.mark.django_db
def test_the_multi_year_column_is_compared_down_the_printed_rows():
    plan, columns = budget_plan(years=(2020, 2021))
    add_group(plan, columns, "Administration", {"A": [300, 300], "B": [300, 300]})
    # Totalt column: A 0,6 → 1 and B → 1 print 2, the exact 1 200 kr prints 1.
    assert ("Summa kostnader", None, D(2), D(1), False) in differences(plan)


@pytest.mark.django_db
def test_exact_figures_need_no_note():
    plan, columns = budget_plan(decimals=1, opening_equity=D(400000), years=(2020, 2021))
    add_group(plan, columns, "Avgifter", {"Avgift": [5034000, 5036000]}, section="revenue", kind="other")
    add_group(plan, columns, "Administration", {"Chef": [725000, 735000], "Kansli": [100000, 100000]})
    assert rounding_notes(plan_budget(plan), plan) == []


@pytest.mark.django_db
def test_a_kronor_table_never_needs_a_note():
    plan, columns = budget_plan(unit="kr", years=(2020, 2021))
    add_group(plan, columns, "Administration", {"A": [1, 1], "B": [1, 1]})
    assert rounding_notes(plan_budget(plan), plan) == []


@pytest.mark.django_db
def test_a_plan_without_columns_has_no_notes():
    plan = PlanFactory()
    assert rounding_notes(plan_budget(plan), plan) == []

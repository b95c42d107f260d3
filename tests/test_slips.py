"""Number slips (budgets.slips): the rule that decides which typed amounts are asked about, and how."""

import re
from decimal import Decimal

import pytest

from budgets.slips import (
    COSTS,
    REVENUE,
    Reading,
    amount_reading,
    neighbour_amounts,
    shown,
)

NBSP = "\u00a0"
D = Decimal


def kr(text: str) -> str:
    """The text as amounts print: no-break spaces between thousands and before the unit."""
    return re.sub(r"(?<=\d) (?=\d|t?kr\b)", NBSP, text)


def read(amount, **kwargs) -> Reading:
    kwargs.setdefault("unit", "kr")
    return amount_reading(None if amount is None else D(amount), **kwargs)


# --- Nothing to ask ----------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [None, 0])
def test_an_empty_cell_or_zero_is_never_asked_about(amount):
    reading = read(amount, unit="tkr", section=COSTS, row=[D(1)])
    assert reading == Reading(None if amount is None else D(0))


def test_an_amount_in_line_with_its_row_is_saved_as_typed():
    reading = read(1258500, section=COSTS, row=[D(1200000), D(1300000)])
    assert reading.slip is None and reading.amount == 1258500 and reading.note == ""


def test_an_amount_of_exactly_100_times_the_row_is_not_a_slip():
    assert read(10_000_000, section=COSTS, row=[D(100_000)]).slip is None
    assert read(10_000_001, section=COSTS, row=[D(100_000)]).slip is not None


def test_without_any_other_amount_only_the_tkr_limit_applies():
    assert read(500_000_000, unit="kr", section=COSTS).slip is None
    assert read(99_999_999_000 // 1000, unit="tkr", section=COSTS).slip is None  # 99 999,999 tkr
    assert read(100_000_000, unit="tkr", section=COSTS).slip is not None  # 100 000 tkr


def test_a_smaller_amount_than_the_row_is_not_asked_about():
    assert read(5, section=COSTS, row=[D(1_000_000)]).slip is None


# --- Too large ---------------------------------------------------------------------------------------


def test_kronor_typed_in_a_tkr_plan_suggest_the_thousands():
    """The issue's example: `1 258 500` typed in a tkr plan is 1 258 500 tkr, over a billion kronor."""
    reading = read(1_258_500_000, unit="tkr", section=COSTS)
    slip = reading.slip
    assert slip.kind == "large"
    assert slip.typed == 1_258_500_000 and slip.suggested == 1_258_500
    assert slip.question.startswith(kr("Menade du 1 258,5 tkr?"))
    assert kr("1 258 500 tkr är 1 258 500 000 kr.") in slip.question
    assert slip.suggested_text == kr("1 258,5") and slip.typed_shown == kr("1 258 500 tkr")
    assert reading.amount == 1_258_500_000  # kept as typed, should the user say so


def test_an_amount_100_times_the_largest_in_its_row_is_asked_about():
    reading = read(125_000_000, unit="kr", section=COSTS, row=[D(100_000), D(90_000)])
    slip = reading.slip
    assert slip.kind == "large" and slip.suggested == 125_000
    assert slip.question == kr(
        "Menade du 125 000 kr? 125 000 000 kr är mer än 100 gånger det största beloppet på raden (100 000 kr)."
    )


def test_the_row_is_compared_by_size_and_zeros_say_nothing():
    # −1 000 (a credit line) is a row of size 1 000; the zero is ignored.
    assert read(200_000, section=REVENUE, row=[D(-1000), D(0)]).slip is not None
    assert read(50_000, section=REVENUE, row=[D(-1000), D(0)]).slip is None


def test_in_a_row_without_other_amounts_the_group_column_is_the_measure():
    column = [D(40_000), D(60_000)]
    reading = read(12_000_000, section=COSTS, row=[None, D(0)], column=column)
    assert reading.slip.suggested == 12_000
    assert kr("det största beloppet i gruppen samma år (60 000 kr)") in reading.slip.question
    # The row, when it has amounts, wins over the column.
    assert read(12_000_000, section=COSTS, row=[D(10_000_000)], column=column).slip is None


def test_without_a_reading_that_fits_the_question_only_asks():
    """Divided by 1000 the amount would still be more than 100 times the row: no suggestion, the typed
    amount or nothing."""
    reading = read(900_000_000, unit="kr", section=COSTS, row=[D(1_000)])
    slip = reading.slip
    assert slip.suggested is None and slip.suggested_shown == ""
    assert slip.question.startswith(kr("Stämmer 900 000 000 kr?"))


def test_a_tkr_plan_suggests_the_thousands_for_the_row_rule_too():
    # 12 000 typed where the row holds 100 tkr: twelve thousand kronor, i.e. 12 tkr.
    reading = read(12_000_000, unit="tkr", section=COSTS, row=[D(100_000)])
    assert reading.slip.suggested == 12_000 and reading.slip.suggested_shown == kr("12 tkr")


def test_the_suggestion_of_a_kronor_plan_is_whole_kronor():
    reading = read(1_234_567_891, unit="kr", section=COSTS, row=[D(1_000_000)])
    assert reading.slip.suggested == 1_234_568


def test_the_members_total_is_asked_about_its_size_only():
    assert read(1_848_000_000, unit="tkr", section=None).slip.suggested == 1_848_000
    assert read(-5, unit="kr", section=None).slip is None  # refused by its service instead


# --- Negative ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "words"), [(COSTS, "en minskning av kostnaderna"), (REVENUE, "en minskning av intäkterna")]
)
def test_a_negative_line_amount_is_asked_about_as_a_decrease(section, words):
    reading = read(-50_000, unit="tkr", section=section, row=[D(60_000)])
    slip = reading.slip
    assert slip.kind == "negative" and slip.suggested == 50_000 and reading.amount == -50_000
    assert slip.question == kr(f"Menade du 50 tkr, eller −50 tkr som {words}?")


def test_a_negative_cost_typed_as_a_costs_negative_plan_prints_it_is_the_cost_with_a_note():
    reading = read(-50_000, unit="tkr", section=COSTS, costs_negative=True, row=[D(60_000)])
    assert reading.slip is None and reading.amount == 50_000
    assert reading.note == kr(
        "−50 tkr lästes som kostnaden 50 tkr: planen skriver kostnader som negativa tal."
    )


def test_a_costs_negative_plan_still_asks_about_negative_revenue():
    reading = read(-50_000, unit="tkr", section=REVENUE, costs_negative=True)
    assert reading.slip.kind == "negative" and reading.note == ""


def test_a_costs_negative_plan_reads_the_cost_then_asks_about_its_size():
    reading = read(-1_258_500_000, unit="tkr", section=COSTS, costs_negative=True)
    assert reading.amount == 1_258_500_000 and reading.note
    assert reading.slip.kind == "large" and reading.slip.suggested == 1_258_500


def test_a_negative_amount_that_is_also_too_large_suggests_the_positive_thousands():
    reading = read(-1_258_500_000, unit="tkr", section=COSTS)
    slip = reading.slip
    assert slip.kind == "negative" and slip.suggested == 1_258_500
    assert slip.question.startswith(kr("Menade du 1 258,5 tkr, eller −1 258 500 tkr som en minskning"))


# --- Helpers -------------------------------------------------------------------------------------------


def test_neighbour_amounts_are_the_rows_others_and_the_columns_others():
    amounts = [(1, 10, D(1)), (1, 11, D(2)), (2, 10, D(3)), (2, 11, D(4)), (3, 12, D(5))]
    assert neighbour_amounts(amounts, row=1, column=10) == ([D(2)], [D(3)])
    assert neighbour_amounts(amounts, row=4, column=12) == ([], [D(5)])


def test_amounts_are_shown_exactly_in_the_plans_unit():
    assert shown(D(1_258_550), "tkr") == kr("1 258,55 tkr")  # never rounded: it is what would be saved
    assert shown(D(-50), "kr") == kr("−50 kr")

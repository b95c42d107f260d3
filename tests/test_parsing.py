"""Reading amounts as people type them: finsam.money."""

import contextlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from finsam.money import MAX_AMOUNT, amount_input_text, format_amount, parse_amount


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("1 258 500", "kr", 1258500),
        ("1258500", "kr", 1258500),
        ("1\u00a0258\u00a0500", "kr", 1258500),  # no-break spaces, as copied from the document
        ("1\u202f258\u202f500", "kr", 1258500),  # narrow no-break spaces
        ("  725 000  ", "kr", 725000),
        ("1258,5", "tkr", 1258500),
        ("1 258,5", "tkr", 1258500),
        ("1258", "tkr", 1258000),
        ("0,001", "tkr", 1),
        ("12,00", "kr", 12),
        ("-50", "kr", -50),
        ("\u221250", "kr", -50),  # a real minus sign
        ("\u201350", "kr", -50),  # an en dash, as word processors turn a hyphen
        ("- 50", "kr", -50),
        ("+50", "kr", 50),
        ("-0", "kr", 0),
        ("0", "tkr", 0),
        ("100 kr", "tkr", 100),  # an explicit unit wins over the plan's
        ("1,5 tkr", "kr", 1500),
        ("999 999 999 999", "kr", 999999999999),
    ],
)
def test_it_reads_what_people_type(text, unit, expected):
    assert parse_amount(text, unit) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("12,34", "kr", "hela kronor"),
        ("1,2345", "tkr", "högst tre decimaler"),
        ("1.5", "tkr", "decimaler med komma"),
        ("1.258.500", "kr", "tusental med mellanslag"),
        ("12,000", "kr", "tusental med mellanslag"),
        ("1 2", "kr", "skilja tusental"),
        ("1258 500", "kr", "skilja tusental"),
        ("abc", "kr", "med siffror"),
        ("1e6", "kr", "med siffror"),
        ("٣٤", "kr", "med siffror"),  # Arabic-Indic digits are refused, not read as 34
        ("", "kr", "Skriv ett belopp"),
        ("   ", "tkr", "Skriv ett belopp"),
        ("kr", "kr", "Skriv ett belopp"),
        ("1 000 000 000 000", "kr", "för stort"),
        ("1 000 000 000", "tkr", "för stort"),
        ("9" * 39, "kr", "för stort"),
        ("1" * 200, "kr", "för stort"),
        ("1,00000000000000000000000000001", "tkr", "högst tre decimaler"),
    ],
)
def test_it_refuses_what_is_not_an_amount_of_whole_kronor(text, unit, message):
    with pytest.raises(ValidationError) as error:
        parse_amount(text, unit)
    assert message in error.value.messages[0]


@pytest.mark.parametrize("text", ["tolv", "1258 500", "1.5", "12 34,5 tkr"])
def test_its_hints_give_examples_in_the_plans_own_unit(text):
    """A plan kept in tkr is never told to type `1 258 500` (1,26 billion kronor there), nor a plan in
    kronor to type `1 258,5`, even after a typed unit suffix."""
    for unit, example, other in (("tkr", "1 258,5", "1 258 500"), ("kr", "1 258 500", "1 258,5")):
        with pytest.raises(ValidationError) as error:
            parse_amount(text, unit)
        message = error.value.messages[0]
        assert example in message and other not in message, (unit, message)


@given(st.text(max_size=60))
def test_it_never_raises_anything_but_a_validation_error(text):
    for unit in ("kr", "tkr"):
        try:
            value = parse_amount(text, unit)
        except ValidationError:
            continue
        assert value == value.to_integral_value()
        assert abs(value) <= MAX_AMOUNT


@given(
    st.text(alphabet="0123456789 ,.-+\u00a0\u2212tkr", max_size=30),
)
def test_it_never_raises_on_number_like_text(text):
    for unit in ("kr", "tkr"):
        with contextlib.suppress(ValidationError):
            parse_amount(text, unit)


@given(st.integers(min_value=-int(MAX_AMOUNT), max_value=int(MAX_AMOUNT)))
def test_what_an_input_shows_reads_back_unchanged(kronor):
    for unit in ("kr", "tkr"):
        assert parse_amount(amount_input_text(Decimal(kronor), unit), unit) == kronor


@given(st.integers(min_value=-int(MAX_AMOUNT), max_value=int(MAX_AMOUNT)))
def test_a_printed_kronor_figure_reads_back_unchanged(kronor):
    assert parse_amount(format_amount(Decimal(kronor), unit="kr"), "kr") == kronor


def test_the_input_never_rounds_in_thousands():
    assert amount_input_text(Decimal(1258520), "tkr") == "1\u00a0258,52"
    assert amount_input_text(Decimal(1000000), "tkr") == "1\u00a0000"
    assert amount_input_text(None, "kr") == ""


def test_parentheses_and_dot_thousands_are_read_only_in_an_imported_table():
    assert parse_amount("(1 200)", "kr", table=True) == Decimal(-1200)
    assert parse_amount("1.258.500", "kr", table=True) == Decimal(1258500)
    assert parse_amount("1,5", "mkr", table=True) == Decimal(1500000)
    for typed in ("(1 200)", "1.258.500"):
        with pytest.raises(ValidationError):
            parse_amount(typed, "kr")
    with pytest.raises(ValidationError):
        parse_amount("1.25", "kr", table=True)  # a decimal point, not thousands

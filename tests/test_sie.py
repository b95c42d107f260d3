"""The SIE 4 reader (issue 17, item 2): what real files hold comes out right; a bad file is one clear message."""

import string
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.sie import SieError, read_sie
from tests.sie_files import a_year_of_vouchers

D = Decimal


def test_reads_the_company_years_accounts_and_dimensions():
    sie = read_sie(a_year_of_vouchers().bytes())
    assert sie.sie_type == "4"
    assert sie.company == "Samordningsförbundet Örnsköldsvik"  # CP437: ö and Ö came through
    assert sie.org_number == "222000-1234"
    assert sie.fiscal_years[0] == (date(2020, 1, 1), date(2020, 12, 31))
    assert sie.fiscal_years[-1] == (date(2019, 1, 1), date(2019, 12, 31))
    assert sie.accounts["7010"] == "Löner tjänstemän"
    assert sie.dimensions == {"1": "Kostnadsställe", "6": "Projekt"}
    assert sie.objects[("6", "P1")] == "Steget vidare"
    assert len(sie.transactions) == 13


def test_vouchers_are_summed_per_month_of_the_fiscal_year():
    monthly = read_sie(a_year_of_vouchers().bytes()).monthly(0)
    assert monthly[("3010", "")] == {1: D("-600000")}
    assert monthly[("5010", "")] == {1: D("12500.50")}
    assert monthly[("6550", "")] == {5: D("20000"), 9: D("80000")}
    assert monthly[("8310", "")] == {12: D("-312.25")}
    assert sum(sum(months.values()) for months in monthly.values()) == 0  # every voucher balances


def test_vouchers_by_cost_centre_or_project():
    sie = read_sie(a_year_of_vouchers().bytes())
    by_project = sie.monthly(0, dimension="6")
    assert by_project[("6550", "P1")] == {5: D("20000"), 9: D("80000")}
    by_cost_centre = sie.monthly(0, dimension="1")
    assert by_cost_centre[("6550", "10")] == {5: D("20000")}
    assert by_cost_centre[("6550", "")] == {9: D("80000")}  # the row without a cost centre


def test_period_balances_win_over_vouchers_where_the_file_has_them():
    sie_file = a_year_of_vouchers()
    sie_file.period_balances = [
        ("202001", "5010", {}, D("12000")),
        ("202002", "5010", {}, D("12000")),
        ("202002", "5010", {"1": "10"}, D("12000")),
    ]
    sie = read_sie(sie_file.bytes())
    assert sie.monthly(0) == {("5010", ""): {1: D("12000"), 2: D("12000")}}
    assert sie.monthly(0, dimension="1") == {("5010", "10"): {2: D("12000")}}


def test_a_broken_fiscal_year_counts_months_from_its_start():
    sie_file = a_year_of_vouchers()
    text = sie_file.text().replace("#RAR 0 20200101 20201231", "#RAR 0 20200701 20210630")
    sie = read_sie(text.encode("cp437"))
    assert sie.fiscal_year_index(2020) == 0
    with pytest.raises(SieError, match="utanför räkenskapsåret"):
        sie.monthly(0)  # January 2020 is before a fiscal year starting in July


def test_revenue_is_positive_in_a_budget_and_costs_keep_their_sign():
    sie = read_sie(a_year_of_vouchers().bytes())
    assert sie.budget_sign("3010", D("-600000")) == D("600000")
    assert sie.budget_sign("8310", D("-312.25")) == D("312.25")  # financial income
    assert sie.budget_sign("7010", D("45000")) == D("45000")
    typed = a_year_of_vouchers()
    typed.account_types = {"3010": "K", "7010": "I"}  # the file's #KTYP decides over the BAS classes
    sie = read_sie(typed.bytes())
    assert sie.budget_sign("3010", D("-5")) == D("-5")
    assert sie.budget_sign("7010", D("-5")) == D("5")


def test_the_year_asked_for_must_be_in_the_file():
    sie = read_sie(a_year_of_vouchers(2020).bytes())
    assert sie.fiscal_year_index(2019) == -1
    with pytest.raises(SieError, match="räkenskapsåret 2019, 2020, inte 2021"):
        sie.fiscal_year_index(2021)


def test_quoted_fields_escaped_quotes_and_tabs():
    sie_file = a_year_of_vouchers()
    text = sie_file.text().replace('#KONTO 5010 "Lokalhyra"', '#KONTO\t5010\t"Lokalhyra \\"kansliet\\""')
    sie = read_sie(text.encode("cp437"))
    assert sie.accounts["5010"] == 'Lokalhyra "kansliet"'


def test_unknown_labels_are_ignored_and_added_and_removed_rows_are_history():
    text = a_year_of_vouchers().text()
    text = text.replace("#KPTYP BAS2014", '#KPTYP BAS2014\r\n#PROSA "okänd"\r\n#OMFATTN 20201231')
    text = text.replace(
        "   #TRANS 1930 {} 312.25",
        '   #BTRANS 1930 {} 100.00 20201231 "" 0 "kalle"\r\n'
        '   #RTRANS 1930 {} 312.25 20201231 "" 0 "kalle"\r\n   #TRANS 1930 {} 312.25',
    )
    sie = read_sie(text.encode("cp437"))
    assert sie.monthly(0)[("8310", "")] == {12: D("-312.25")}
    assert sie.monthly(0)[("1930", "")][12] == D("312.25")  # the #RTRANS row was not counted twice


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("#SIETYP 4", "#SIETYP 1"), "SIE typ 1"),
        (lambda t: t.replace("#SIETYP 4\r\n", ""), "saknar #SIETYP"),
        (lambda t: t.replace("#FORMAT PC8", "#FORMAT UTF8"), "teckenkodningen UTF8"),
        (lambda t: t.replace("#RAR 0 20200101 20201231\r\n", ""), "saknar räkenskapsåret"),
        (
            lambda t: t.replace("#TRANS 3020 {} -300000.00", "#TRANS 3020 {} -299000.00"),
            "A 2 .* balanserar inte",
        ),
        (lambda t: t.replace("12500.50", "12500,50", 1), "”12500,50” är inget belopp"),
        (lambda t: t.replace("#VER A 3 20200131", "#VER A 3 20200231"), "inget datum"),
        (lambda t: t.replace("#TRANS 5010", "#TRANS 50x0"), "inget kontonummer"),
        (lambda t: t.replace('#FNAMN "', "#FNAMN "), "citattecken"),
        (lambda t: t.replace('#TRANS 5010 {1 "10"}', "#TRANS 5010 {1}"), "par av dimension"),
        (lambda t: t.rstrip().removesuffix("}"), "slutar mitt i verifikationen"),
        (lambda t: t + "}\r\n", "avslutande klammer utan början"),
        (lambda t: t.replace("#FLAGGA 0", "FLAGGA 0"), "Rad 1 börjar inte med en etikett"),
        (lambda t: t.replace("#RAR -1 20190101 20191231", "#RAR -1 20191231 20190101"), "slutar före"),
        (lambda t: t.replace("#RAR -1 20190101 20191231", "#RAR -1"), "saknar fält"),
    ],
)
def test_a_bad_file_is_one_clear_swedish_message(change, message):
    with pytest.raises(SieError, match=message):
        read_sie(change(a_year_of_vouchers().text()).encode("cp437"))


def test_utf16_and_binary_files_are_refused_as_an_unknown_encoding():
    with pytest.raises(SieError, match="okänd teckenkodning"):
        read_sie(a_year_of_vouchers().text().encode("utf-16"))
    with pytest.raises(SieError, match="okänd teckenkodning"):
        read_sie(b"PK\x03\x04\x00\x00 an xlsx file")


def test_size_is_bounded():
    with pytest.raises(SieError, match="för stor"):
        read_sie(b"#FLAGGA 0\r\n" * (3 * 1024 * 1024))


FRAGMENTS = st.sampled_from(
    [
        "#VER",
        "#TRANS",
        "#RTRANS",
        "#RAR",
        "#SIETYP",
        "#PSALDO",
        "#KONTO",
        "{",
        "}",
        '"',
        "\\",
        "-1",
        "0",
        "4",
        "20200101",
        "202013",
        "1930",
        "{1",
        '"10"}',
        "12.50",
        "-9" * 30,
        "\t",
        " ",
        "#FORMAT",
        "PC8",
        "å",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(FRAGMENTS, st.text(string.printable, max_size=8)), max_size=8).map(" ".join),
        max_size=30,
    )
)
def test_any_text_is_read_or_refused_with_a_sie_error(lines):
    text = a_year_of_vouchers().text() + "\r\n".join(lines)
    try:
        sie = read_sie(text.encode("cp437", "replace"))
        sie.monthly(0)
        sie.monthly(0, dimension="1")
    except SieError as error:
        assert str(error)


def test_windows_1252_written_as_pc8_still_reads_the_swedish_letters():
    sie = read_sie(a_year_of_vouchers().text().encode("cp1252"))
    assert sie.company == "Samordningsförbundet Örnsköldsvik"
    assert sie.accounts["7010"] == "Löner tjänstemän"


def test_a_transaction_without_its_object_list_is_read():
    text = a_year_of_vouchers().text().replace("#TRANS 3010 {} -600000.00", "#TRANS 3010 -600000.00")
    assert read_sie(text.encode("cp437")).monthly(0)[("3010", "")] == {1: D("-600000")}


def test_utf8_written_as_pc8_still_reads_the_swedish_letters():
    sie = read_sie(a_year_of_vouchers().text().encode("utf-8"))
    assert sie.company == "Samordningsförbundet Örnsköldsvik"

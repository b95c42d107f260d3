"""The outcome import (budgets.outcome_import and its service): an SIE 4 file written by the tests, or an .xlsx
of balances, mapped to the follow-up's rows and stored per period through the follow-up's own change."""

import io
from collections import defaultdict
from decimal import Decimal

import pytest
from openpyxl import Workbook

from budgets.followup import plan_followup
from budgets.models import FollowUpOutcome, OutcomeMapping
from budgets.outcome_import import OutcomeFileError, dumps, loads, outcome_preview, read_outcome_file
from budgets.services.followup import FollowUpClosed
from budgets.services.outcome_import import outcome_import_apply, outcome_mapping_set, outcome_rules
from finsam.models import FollowUpPeriod, Organisation
from finsam.site.backup import _remap_followup_rows
from interventions.models import Intervention
from plans.models import Plan, PlanEvent
from tests.sie_files import a_year_of_vouchers
from tests.test_followup import build_adopted_plan, key_of

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def plan(association):
    return build_adopted_plan(association, first_year=2020)


def map_the_year(plan):
    """Rent and salaries to the chief's line, the project P1's consultancy to the insats, the state's grant
    to the state's contribution row. 3020 and 8310 stay unmapped."""
    association = plan.association
    chief_line, insats = key_of(plan, "Förbundschef"), key_of(plan, "Steget vidare")
    outcome_mapping_set(association=association, account="50", dimension="", code="", row=chief_line)
    outcome_mapping_set(association=association, account="7010", dimension="", code="", row=chief_line)
    outcome_mapping_set(association=association, account="6550", dimension="6", code="P1", row=insats)
    state = key_of(plan, "Försäkringskassan")
    outcome_mapping_set(association=association, account="3010", dimension="", code="", row=state)
    return chief_line, insats, state


def preview_of(plan, data: bytes, name="bokslut.se"):
    balances = read_outcome_file(name, data, year=plan.first_year)
    followup = plan_followup(plan)
    return outcome_preview(
        balances,
        outcome_rules(plan.association),
        period_count=len(followup.periods),
        known_rows=set(followup.rows),
    )


def test_an_sie_file_imports_to_the_expected_outcome_per_line_and_tertial(plan, chief):
    chief_line, insats, state = map_the_year(plan)
    preview = preview_of(plan, a_year_of_vouchers(2020).bytes())
    assert preview.periods == [1, 2, 3]
    assert preview.rows == {
        chief_line: [D(12501), D(45000), D(0)],  # 12 500,50 kr rounded half up; salaries in May
        insats: [D(0), D(20000), D(80000)],  # the project's part of 6550, in May and September
        state: [D(600000), D(0), D(0)],  # revenue, negative in SIE, positive in the budget
    }
    unmapped = {(s.account, s.total) for s in preview.unmapped}
    assert unmapped == {("3020", D(300000)), ("8310", D("312.25"))}
    assert preview.balances.ignored == ["1930"]  # the bank account is a balance-sheet account
    assert preview.balances.names["7010"] == "Löner tjänstemän"  # CP437 read as such

    written = outcome_import_apply(plan=plan, preview=preview, by=chief)
    assert written == 5
    followup = plan_followup(plan)
    assert followup.rows[chief_line].amounts[1] == D(12501)
    assert followup.rows[insats].amounts[3] == D(80000)
    assert followup.rows[state].amounts[1] == D(600000)
    event = PlanEvent.objects.filter(plan=plan).latest("pk")
    assert "importerat från bokslut.se" in event.summary


def test_months_stay_months_where_the_association_follows_months(association, chief):
    association.followup_period = FollowUpPeriod.MONTH
    association.save()
    plan = build_adopted_plan(association, first_year=2020)
    chief_line, insats, _state = map_the_year(plan)
    preview = preview_of(plan, a_year_of_vouchers(2020).bytes())
    assert preview.periods == list(range(1, 13))
    assert preview.rows[chief_line][0] == D(12501) and preview.rows[chief_line][4] == D(45000)
    assert preview.rows[insats][8] == D(80000)


def test_period_balances_are_used_where_the_file_has_them(plan):
    chief_line, *_rest = map_the_year(plan)
    sie = a_year_of_vouchers(2020)
    sie.period_balances += [("202001", "5010", {}, D(1000)), ("202006", "7010", {}, D(2000))]
    preview = preview_of(plan, sie.bytes())
    assert preview.rows == {chief_line: [D(1000), D(2000), D(0)]}
    assert preview.periods == [1, 2]  # the file's figures end in June: tertial 3 is left as it is


def test_a_cost_centre_rule_takes_its_part_and_the_rest_follows_the_account(plan):
    _chief_line, insats, _state = map_the_year(plan)
    OutcomeMapping.objects.filter(account="6550").delete()
    outcome_mapping_set(association=plan.association, account="6550", dimension="1", code="10", row=insats)
    preview = preview_of(plan, a_year_of_vouchers(2020).bytes())
    assert preview.rows[insats] == [D(0), D(20000), D(0)]
    assert ("6550", D(80000)) in {(s.account, s.total) for s in preview.unmapped}


def test_a_reimport_replaces_the_imported_periods_only(plan, chief):
    chief_line, insats, _state = map_the_year(plan)
    first = preview_of(plan, a_year_of_vouchers(2020).bytes())
    outcome_import_apply(plan=plan, preview=first, by=chief)
    sie = a_year_of_vouchers(2020)
    sie.vouchers = sie.vouchers[:3]  # only January: tertial 1
    sie.voucher("20200210", "Hyra", ("5010", {}, D(500)), ("1930", {}, D(-500)))
    outcome_import_apply(plan=plan, preview=preview_of(plan, sie.bytes()), by=chief)
    followup = plan_followup(plan)
    assert followup.rows[chief_line].amounts[1] == D(13001)
    assert followup.rows[chief_line].amounts[2] == D(45000)  # tertial 2 was not in the file: kept
    assert followup.rows[insats].amounts[3] == D(80000)
    outcome = FollowUpOutcome.objects.get(row=chief_line, period=1)
    assert outcome.version == 2  # updated, so an editor's open cell sees the change as a conflict


def test_nothing_is_stored_unless_the_plan_is_adopted(association, chief):
    plan = build_adopted_plan(association, first_year=2020, state=Plan.State.IN_REVIEW)
    map_the_year(plan)
    preview = preview_of(plan, a_year_of_vouchers(2020).bytes())
    with pytest.raises(FollowUpClosed):
        outcome_import_apply(plan=plan, preview=preview, by=chief)
    assert not FollowUpOutcome.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sie_type": "2"}, "SIE typ 2"),
        ({"year": 2019}, "räkenskapsåret 2018, 2019, inte 2020"),
        ({"format_line": "#FORMAT UTF8"}, "teckenkodningen UTF8"),
    ],
)
def test_bad_sie_files_are_refused_in_swedish(plan, change, message):
    change = dict(change)
    sie = a_year_of_vouchers(change.pop("year", 2020))
    for name, value in change.items():
        setattr(sie, name, value)
    with pytest.raises(OutcomeFileError, match=message):
        read_outcome_file("fil.se", sie.bytes(), year=2020)


def test_an_unbalanced_voucher_and_other_files_are_refused(plan):
    sie = a_year_of_vouchers(2020)
    sie.voucher("20200301", "Fel", ("5010", {}, D(100)), ("1930", {}, D(-90)))
    with pytest.raises(OutcomeFileError, match="balanserar inte"):
        read_outcome_file("fil.se", sie.bytes(), year=2020)
    with pytest.raises(OutcomeFileError, match="etikett"):
        read_outcome_file("fil.se", b"hello world", year=2020)
    with pytest.raises(OutcomeFileError, match="okänd teckenkodning"):
        read_outcome_file("fil.se", "#SIETYP 4".encode("utf-16"), year=2020)
    with pytest.raises(OutcomeFileError, match="tom"):
        read_outcome_file("fil.se", b"", year=2020)


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_of_balances_goes_through_the_same_preview(plan):
    chief_line, insats, state = map_the_year(plan)
    months = [f"2020-{m:02}" for m in range(1, 13)]
    data = workbook(
        [
            ["Saldon per månad 2020"],
            ["Konto", "Projekt", *months, "Summa"],
            ["1930 Bank", "", *[1000] * 12, 12000],
            ["3010 Bidrag FK", "", -600000, *[0] * 11, -600000],
            ["5010 Lokalhyra", "", 100, 200, 0, 0, 300, *[0] * 7, 600],
            ["6550", "P1", *[0] * 8, 5000, 0, 0, 0, 5000],
            ["8310", "", *[0] * 11, "-12,50", "-12,50"],
        ]
    )
    preview = preview_of(plan, data, name="saldon.xlsx")
    assert preview.rows == {
        chief_line: [D(300), D(300), D(0)],
        insats: [D(0), D(0), D(5000)],
        state: [D(600000), D(0), D(0)],
    }
    assert [s.account for s in preview.unmapped] == ["8310"]
    assert preview.balances.ignored == ["1930"]


def test_a_table_of_tertials_cannot_fill_months(association):
    association.followup_period = FollowUpPeriod.MONTH
    association.save()
    plan = build_adopted_plan(association, first_year=2020)
    data = workbook([["Konto", "T1", "T2", "T3"], ["5010", 1, 2, 3]])
    with pytest.raises(OutcomeFileError, match="per månad"):
        preview_of(plan, data, name="t.xlsx")
    with pytest.raises(OutcomeFileError, match="12"):
        read_outcome_file("t.xlsx", workbook([["Konto", "a", "b"], ["5010", 1, 2]]), year=2020)


def test_the_preview_travels_signed_and_only_to_its_plan(plan):
    balances = read_outcome_file("fil.se", a_year_of_vouchers(2020).bytes(), year=2020)
    token = dumps(balances, plan_id=plan.pk)
    assert loads(token, plan_id=plan.pk).entries == balances.entries
    with pytest.raises(OutcomeFileError, match="Ladda upp filen igen"):
        loads(token, plan_id=plan.pk + 1)
    with pytest.raises(OutcomeFileError):
        loads(token[:-2] + "xx", plan_id=plan.pk)


def test_a_restored_backup_remaps_the_insats_a_mapping_names(association):
    """A mapping's row names an insats by id (`budgets.followup.row_key`): restored under new ids, it
    follows them, as the follow-up's own rows do."""
    mapping = OutcomeMapping.objects.create(association=association, account="6550", row="intervention-5")
    line = OutcomeMapping.objects.create(association=association, account="5010", row="line-abc")
    id_maps = defaultdict(dict)
    id_maps[OutcomeMapping] = {1: mapping.pk, 2: line.pk}
    id_maps[Intervention] = {5: 9}
    id_maps[Organisation] = {}
    _remap_followup_rows(id_maps)
    mapping.refresh_from_db()
    line.refresh_from_db()
    assert (mapping.row, line.row) == ("intervention-9", "line-abc")


def test_a_table_whose_account_column_is_last_or_whose_projects_come_after_the_months(plan):
    _chief_line, insats, _state = map_the_year(plan)
    months = [f"M{m}" for m in range(1, 13)]
    with pytest.raises(OutcomeFileError, match="hittade 0"):
        read_outcome_file("t.csv", ";".join([*months, "Konto"]).encode() + b"\n1;5010\n", year=2020)
    data = (
        ";".join(["Konto", *months, "Summa", "Projekt"])
        + "\n"
        + ";".join(["6550", *["10"] * 12, "120", "P1"])
    )
    preview = preview_of(plan, data.encode(), name="t.csv")
    assert preview.rows == {insats: [D(40), D(40), D(40)]}

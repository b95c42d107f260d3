"""The import preview's readings: the user's corrections of rows and columns, applied to the parse, and
the readings an association confirmed, offered as the first guess next time."""

from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse

from budgets.imports.apply import budget_import_apply
from budgets.imports.memory import parse_with_readings, remember_readings, remembered_overrides
from budgets.imports.overrides import Overrides, apply_row_readings, read_overrides
from budgets.imports.parse import parse_text
from budgets.imports.table import BudgetParseError
from budgets.models import (
    BudgetColumn,
    BudgetLine,
    ContributionKeyFactor,
    ContributionKeyValue,
    ImportReading,
    StatedFigure,
)
from finsam.models import Membership
from tests.factories import AssociationFactory, MembershipFactory, PlanFactory
from tests.test_importer import members

# A table whose third column has a header finsam does not know.
TABLE = """Budget, tkr\t2025\tPlan 2026\tPrognos helår 2024 (jan–aug)
Intäkter
Medlemsavgifter\t4 000\t4 000\t3 900
Summa intäkter\t4 000\t4 000\t3 900
Kostnader
Administration\t1 000\t1 000\t950
Insatser\t3 000\t3 000\t2 900
Summa kostnader\t4 000\t4 000\t3 850
Resultat\t0\t0\t50
Kapital vid start\t500\t500\t500
"""
NEXT_YEAR = TABLE.replace("2026", "2027").replace("2025", "2026").replace("2024", "2025")


def posted(**fields) -> QueryDict:
    data = QueryDict(mutable=True)
    data.update(fields)
    return data


def reading(parsed, label):
    return next(r for r in parsed.readings if r.label == label)


# --- the overrides, as pure functions ----------------------------------------------------------------------


def test_an_unknown_column_is_set_aside_not_refused():
    parsed = parse_text(TABLE)
    assert parsed.years == [2025, 2026]
    assert [(cell, what) for _index, cell, what in parsed.ignored_columns] == [
        ("Prognos helår 2024 (jan–aug)", "unknown")
    ]


def test_a_column_the_user_names_is_read_as_that_year_and_kind():
    parsed = parse_text(TABLE, columns={2: (2024, "forecast")})
    assert sorted(parsed.years) == [2024, 2025, 2026]
    assert next(c for c in parsed.columns if c.year == 2024).kind == "forecast"
    assert parsed.groups[1].lines[0].amounts[2024] == Decimal(950_000)
    assert parsed.ignored_columns == []


def test_a_column_the_user_ignores_is_not_read():
    parsed = parse_text(TABLE, columns={1: None})
    assert parsed.years == [2025]


def test_a_row_read_otherwise_changes_the_budget_and_what_follows():
    parsed = parse_text(TABLE)
    assert reading(parsed, "Kapital vid start").reading == "note"  # below the result: not read
    corrected = apply_row_readings(parsed, {reading(parsed, "Kapital vid start").row: "opening_equity"})
    assert corrected.opening_equity == Decimal(500_000)
    assert [line.label for group in corrected.groups for line in group.lines] == [
        "Medlemsavgifter",
        "Administration",
        "Insatser",
    ]
    assert reading(corrected, "Kapital vid start").reading == "opening_equity"
    assert {figure.target for figure in corrected.stated} == {"revenue", "costs", "result"}


def test_a_total_read_as_a_line_is_no_longer_compared():
    parsed = parse_text(TABLE)
    row = reading(parsed, "Summa kostnader").row
    corrected = apply_row_readings(parsed, {row: "note"})
    assert "costs" not in {figure.target for figure in corrected.stated}
    assert reading(corrected, "Summa kostnader").reading == "note"


def test_nothing_changes_without_overrides():
    parsed = parse_text(TABLE)
    assert apply_row_readings(parsed, {}) is parsed


def test_readings_that_leave_no_line_are_a_swedish_message():
    parsed = parse_text(TABLE)
    rows = {r.row: "note" for r in parsed.readings}
    with pytest.raises(BudgetParseError, match="inga budgetrader"):
        apply_row_readings(parsed, rows)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"row_3": "drop table"}, "är inget finsam kan läsa raden som"),
        ({"col_2": "2024:nonsense"}, "är inget år och ingen typ"),
        ({"col_2": "99999:plan"}, "är inget år och ingen typ"),
        ({"col_2": "1800:plan"}, "är inget år och ingen typ"),
        ({"row_x": "line"}, "känns inte igen"),
        ({"row_99999999999": "line"}, "känns inte igen"),
        ({"col_0": "2025:plan", "col_2": "2025:budget"}, "samma år"),
    ],
)
def test_bad_override_values_are_a_swedish_message(fields, message):
    with pytest.raises(BudgetParseError, match=message):
        read_overrides(posted(**fields))


def test_good_override_values_are_read():
    overrides = read_overrides(posted(row_3="heading", col_2="2024:forecast", col_1="ignore", text="x"))
    assert overrides.rows == {3: "heading"}
    assert overrides.columns == {2: (2024, "forecast"), 1: None}


# --- remembered readings --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_confirmed_readings_are_offered_next_year():
    association = AssociationFactory()
    parsed, overrides = parse_with_readings(
        TABLE,
        unit=None,
        association=association,
        posted=posted(col_2="2024:forecast", row_10="opening_equity"),
    )
    assert overrides.columns == {2: (2024, "forecast")} and overrides.rows == {10: "opening_equity"}
    remember_readings(association=association, parsed=parsed, overrides=overrides)
    assert set(association.import_readings.values_list("kind", "key", "value")) == {
        ("column", "prognos helår # (jan–aug)", "-1:forecast"),
        ("row", "kapital vid start", "opening_equity"),
    }

    # Next year's table: the same header with next year's years, the same row label.
    next_year, _said = parse_with_readings(NEXT_YEAR, unit=None, association=association, posted=posted())
    assert sorted(next_year.years) == [2025, 2026, 2027]
    assert next(c for c in next_year.columns if c.year == 2025).kind == "forecast"
    assert next_year.opening_equity == Decimal(500_000)

    # Another association has its own memory.
    other, _said = parse_with_readings(
        NEXT_YEAR, unit=None, association=AssociationFactory(), posted=posted()
    )
    assert sorted(other.years) == [2026, 2027] and other.opening_equity is None


@pytest.mark.django_db
def test_what_the_user_says_wins_over_what_was_remembered():
    association = AssociationFactory()
    ImportReading.objects.create(association=association, kind="row", key="kapital vid start", value="note")
    ImportReading.objects.create(
        association=association, kind="column", key="prognos helår # (jan–aug)", value="ignore"
    )
    parsed = parse_text(TABLE)
    remembered = remembered_overrides(association=association, parsed=parsed)
    assert remembered.rows == {10: "note"} and remembered.columns == {2: None}
    chosen, _said = parse_with_readings(
        TABLE,
        unit=None,
        association=association,
        posted=posted(row_10="opening_equity", col_2="2024:outcome"),
    )
    assert chosen.opening_equity == Decimal(500_000)
    assert next(c for c in chosen.columns if c.year == 2024).kind == "outcome"


# --- the page ----------------------------------------------------------------------------------------------


@pytest.fixture
def plan(db):
    return PlanFactory(association=AssociationFactory(), first_year=2024, years=3, unit="tkr")


def import_url(plan):
    return reverse("budget_import", kwargs={"association": plan.association.slug, "pk": plan.pk})


def login(client, plan, role=Membership.Role.CHIEF, association=None):
    user = MembershipFactory(association=association or plan.association, role=role).user
    client.force_login(user)
    return client


def test_the_preview_shows_every_row_and_column_with_a_select(client, plan):
    response = login(client, plan).post(import_url(plan), {"text": TABLE, "action": "preview"})
    assert response.status_code == 200
    page = response.text
    assert 'name="col_2"' in page and "okänd rubrik, läses inte" in page
    assert 'name="row_10"' in page and 'name="row_3"' in page
    assert 'value="2024:forecast"' in page
    assert "Förhandsgranska med mina val" in page
    assert not plan.budget_columns.exists()


def test_the_preview_follows_the_users_readings(client, plan):
    response = login(client, plan).post(
        import_url(plan),
        {"text": TABLE, "action": "preview", "col_2": "2024:forecast", "row_10": "opening_equity"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = response.text
    assert '<option value="2024:forecast" selected>' in page
    assert '<option value="opening_equity" selected>' in page
    assert "Ingående eget kapital: 500" in page
    assert not plan.budget_columns.exists()


def test_the_import_takes_the_readings_and_remembers_them(client, plan):
    chief = login(client, plan)
    response = chief.post(
        import_url(plan),
        {
            "text": TABLE,
            "action": "import",
            "version": plan.version,
            "col_2": "2024:forecast",
            "row_10": "opening_equity",
        },
    )
    assert response.status_code == 200, response.text
    assert sorted(plan.budget_columns.values_list("year", "kind")) == [
        (2024, "forecast"),
        (2025, "budget"),
        (2026, "plan"),
    ]
    assert "Kapital vid start" not in BudgetLine.objects.filter(group__plan=plan).values_list(
        "name", flat=True
    )
    plan.refresh_from_db()
    assert plan.opening_equity.amount == Decimal(500_000)
    assert StatedFigure.objects.filter(plan=plan, column__year=2024, target="costs").exists()
    assert plan.association.import_readings.count() == 2
    # The next preview of the same table offers them without being told.
    again = chief.post(import_url(plan), {"text": TABLE, "action": "preview"})
    assert '<option value="2024:forecast" selected>' in again.text
    assert '<option value="opening_equity" selected>' in again.text


@pytest.mark.parametrize(
    "fields",
    [
        {"row_3": "<script>alert(1)</script>"},
        {"col_2": "2024:forecast'; DROP TABLE"},
        {"col_2": "\x00"},
        {"row_" + "9" * 40: "line"},
        {"col_-1": "2024:plan"},
    ],
)
def test_hostile_readings_are_a_swedish_message_never_a_500(client, plan, fields):
    response = login(client, plan).post(
        import_url(plan), {"text": TABLE, "action": "import", "version": 1, **fields}
    )
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in response.text
    assert not plan.budget_columns.exists()
    assert not ImportReading.objects.exists()


def test_the_board_may_not_correct_or_import(client, plan):
    login(client, plan, Membership.Role.BOARD)
    data = {"text": TABLE, "action": "import", "version": plan.version, "col_2": "2024:forecast"}
    assert client.post(import_url(plan), data).status_code == 403
    assert not BudgetColumn.objects.filter(plan=plan).exists()
    assert not ImportReading.objects.exists()


def test_another_associations_chief_gets_404(client, plan):
    login(client, plan, association=AssociationFactory())
    data = {"text": TABLE, "action": "import", "version": plan.version, "col_2": "2024:forecast"}
    assert client.post(import_url(plan), data).status_code == 404
    assert not ImportReading.objects.exists()


def test_overrides_object_is_falsy_when_empty():
    assert not Overrides() and Overrides(rows={1: "line"})


# --- the municipalities' parts and the contribution key ------------------------------------------------------

PARTS = """Budget, kr\tBudget 2025\tPlan 2026
Intäkter
Försäkringskassan\t1 000 000\t1 000 000
Region Norr\t500 000\t500 000
Kommunerna\t500 000\t500 000
varav Aby kommun\t300 000\t200 000
varav Bby kommun\t200 000\t300 000
Summa intäkter\t2 000 000\t2 000 000
Kostnader
Administration\t2 000 000\t2 000 000
Summa kostnader\t2 000 000\t2 000 000
"""


@pytest.fixture
def parts_plan(db):
    association = AssociationFactory()
    members(association, "Försäkringskassan", "Region Norr", "Aby kommun", "Bby kommun")
    return PlanFactory(association=association, first_year=2025, years=2, unit="kr")


def test_the_municipalities_parts_become_the_key_where_the_plan_has_none(parts_plan):
    parsed = parse_text(PARTS)
    user = MembershipFactory(association=parts_plan.association, role=Membership.Role.CHIEF).user
    report = budget_import_apply(plan=parts_plan, parsed=parsed, by=user)
    factor = parts_plan.contribution_factors.get()
    assert factor.weight_percent == 100
    assert {value.organisation.name: value.value for value in factor.values.all()} == {
        "Aby kommun": Decimal(300_000),
        "Bby kommun": Decimal(200_000),
    }
    assert any("fasta andelar" in warning for warning in report.warnings)
    # The budget year's parts agree with the key; the plan year's, split otherwise, are deviations.
    municipal = [f for f in report.contribution_differences if f.label.endswith("by kommun")]
    assert {(f.label, f.year) for f in municipal} == {("Aby kommun", 2026), ("Bby kommun", 2026)}


def test_a_key_that_differs_from_the_parts_gives_a_deviation_for_each(parts_plan):
    factor = ContributionKeyFactor.objects.create(plan=parts_plan, name="Befolkning", weight_percent=100)
    for org in parts_plan.association.organisations.filter(kind="municipality"):
        ContributionKeyValue.objects.create(factor=factor, organisation=org, value=1)
    user = MembershipFactory(association=parts_plan.association, role=Membership.Role.CHIEF).user
    report = budget_import_apply(plan=parts_plan, parsed=parse_text(PARTS), by=user)
    assert list(parts_plan.contribution_factors.values_list("name", flat=True)) == ["Befolkning"]
    municipal = {(f.label, f.year) for f in report.contribution_differences if f.label.endswith("by kommun")}
    assert municipal == {(label, year) for label in ("Aby kommun", "Bby kommun") for year in (2025, 2026)}


def test_a_long_table_is_corrected_with_every_rows_reading_posted(client, plan):
    lines = "\n".join(f"Rad {number}\t1\t1" for number in range(1, 1_501))
    text = f"Budget, kr\t2024\t2025\nKostnader\n{lines}\n"
    fields = {f"row_{number}": "line" for number in range(3, 1_503)}
    response = login(client, plan).post(
        import_url(plan), {"text": text, "action": "preview", "row_2": "heading", **fields}
    )
    assert response.status_code == 200
    assert response.text.count('<option value="line" selected>') == 1_500


@pytest.mark.django_db
def test_remembered_readings_that_do_not_fit_the_table_are_left_out():
    association = AssociationFactory()
    for label in ("medlemsavgifter", "administration", "insatser"):
        ImportReading.objects.create(association=association, kind="row", key=label, value="note")
    parsed, overrides = parse_with_readings(TABLE, unit=None, association=association, posted=posted())
    assert [line.label for line in parsed.lines] == ["Medlemsavgifter", "Administration", "Insatser"]
    assert overrides.rows == {}


# --- a subtotal the user marks is matched to its group as the parser matches one: by content ----------

APPENDIX = """Budget, kr\tBudget 2025
Intäkter
Medlemsavgifter\t4 000 000
Kostnader
Administration
Lön\t600 000
Lokal\t400 000
Insatser
Insats A\t1 500 000
Insats B\t1 500 000
{label}\t1 000 000
"""


def test_a_row_the_user_marks_as_a_subtotal_is_compared_with_the_group_it_sums():
    """The row stands under the interventions but sums the administration: marked as a group's
    subtotal, it is compared with the administration (no deviation), not with the group above it."""
    parsed = parse_text(APPENDIX.format(label="Adm. enligt bilaga"))
    row = reading(parsed, "Adm. enligt bilaga")
    assert row.reading == "line"
    corrected = apply_row_readings(parsed, {row.row: "group_total"})
    (figure,) = [figure for figure in corrected.stated if figure.target == "group"]
    assert corrected.groups[figure.group].name == "Administration"
    assert reading(corrected, "Adm. enligt bilaga").group == "Administration"
    assert [line.label for line in corrected.groups[figure.group].lines] == ["Lön", "Lokal"]


def test_the_parser_matches_an_uncorrected_subtotal_by_the_same_rule():
    parsed = parse_text(APPENDIX.format(label="Summa administration"))
    row = reading(parsed, "Summa administration")
    assert (row.reading, row.group) == ("group_total", "Administration")
    corrected = parse_text(APPENDIX.format(label="Adm. enligt bilaga"))
    corrected = apply_row_readings(corrected, {row.row: "group_total"})
    assert [(f.target, f.group, f.amounts) for f in corrected.stated] == [
        (f.target, f.group, f.amounts) for f in parsed.stated
    ]


def test_a_marked_subtotal_that_sums_no_group_is_compared_with_the_group_above_it():
    parsed = parse_text(APPENDIX.format(label="Adm. enligt bilaga").replace("\t1 000 000\n", "\t1 234 000\n"))
    corrected = apply_row_readings(parsed, {reading(parsed, "Adm. enligt bilaga").row: "group_total"})
    (figure,) = [figure for figure in corrected.stated if figure.target == "group"]
    assert corrected.groups[figure.group].name == "Insatser"

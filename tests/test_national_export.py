"""The insatser's money beside their people (issue 17, item 4: outcome against grant) and the export for
Uppföljning Finsam (item 7): the rows it builds, the .xlsx and CSV files, the views and the one mapping of
column names."""

import ast
import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from budgets import national_export
from budgets.followup import plan_followup
from budgets.followup_interventions import plan_interventions_outcome
from budgets.models import BudgetAmount, BudgetColumn, BudgetGroup, BudgetLine
from budgets.national_export import (
    ASSOCIATION_KEYS,
    COLUMNS,
    INTERVENTION_KEYS,
    national_csv,
    national_followup,
    national_xlsx,
)
from budgets.services.followup import followup_forecast_update, followup_outcome_update
from interventions.models import Intervention, InterventionYear
from plans.models import Plan
from tests.factories import (
    BudgetColumnFactory,
    BudgetGroupFactory,
    GrantFactory,
    InterventionBudgetAmountFactory,
    InterventionFactory,
    PlanFactory,
    PlanInterventionFactory,
)

pytestmark = pytest.mark.django_db

YEAR = 2027


def build_plan(association, *, state=Plan.State.ADOPTED, revision: int = 1) -> Plan:
    """An adopted 2027 budget: contributions 2 000 000 kr (the state 1 000 000, the region and the
    municipality 500 000 each), administration 600 000 kr, opening equity 500 000 kr, and the insatser
    - Steget vidare: individual, granted 598 085 kr, budgeted 600 000 kr, 2026-01-01 to 2028-12-31;
    - Strukturbygget: structural, granted 300 000 kr and budgeted so, open-ended;
    - Nytt förslag: not decided (granted 100 000 kr, but no row in the decided group)."""
    plan = PlanFactory(
        association=association,
        first_year=YEAR,
        years=1,
        state=state,
        revision=revision,
        unit=Plan.Unit.TKR,  # the export is in whole kronor whatever the plan prints in
        opening_equity=500000,
        adopted_on=None if state == Plan.State.DRAFT else datetime.date(YEAR - 1, 11, 25),
    )
    column = BudgetColumnFactory(
        plan=plan, year=YEAR, kind=BudgetColumn.Kind.BUDGET, contributions_total=2000000
    )
    BudgetGroupFactory(
        plan=plan, section="revenue", kind=BudgetGroup.Kind.CONTRIBUTIONS, name="Medlemsavgifter"
    )
    admin = BudgetGroupFactory(
        plan=plan, kind=BudgetGroup.Kind.ADMINISTRATION, name="Administration", position=1
    )
    BudgetGroupFactory(
        plan=plan, kind=BudgetGroup.Kind.INTERVENTIONS_DECIDED, name="Beslutade insatser", position=2
    )
    line = BudgetLine.objects.create(group=admin, name="Förbundschef", position=1)
    BudgetAmount.objects.create(line=line, column=column, amount=Decimal(600000))
    return plan


def add_insatser(plan):
    association = plan.association
    column = plan.budget_columns.get()
    steget = InterventionFactory(
        association=association,
        name="Steget vidare",
        kind=Intervention.Kind.INDIVIDUAL,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2028, 12, 31),
        target_group="Unga vuxna 16–29 år som står långt från arbetsmarknaden",
    )
    GrantFactory(intervention=steget, year=YEAR, amount=598085)
    InterventionBudgetAmountFactory(column=column, intervention=steget, amount=600000)
    struktur = InterventionFactory(
        association=association,
        name="Strukturbygget",
        kind=Intervention.Kind.STRUCTURAL,
        start_date=datetime.date(2025, 3, 1),
        target_group="Medarbetare hos medlemmarna",
    )
    GrantFactory(intervention=struktur, year=YEAR, amount=300000)
    undecided = InterventionFactory(
        association=association, name="Nytt förslag", status=Intervention.Status.UNDECIDED
    )
    GrantFactory(intervention=undecided, year=YEAR, amount=100000)
    for position, intervention in enumerate((steget, struktur, undecided)):
        PlanInterventionFactory(plan=plan, intervention=intervention, position=position)
    InterventionYear.objects.create(
        intervention=steget,
        year=YEAR,
        planned_women=20,
        planned_men=15,
        actual_women=18,
        actual_men=19,
        actual_unstated=2,
        report="39 deltagare.",
    )
    return steget, struktur, undecided


def enter(plan, user, label, *, periods=None, forecast=None):
    """The chief's outcome per period and forecast of the budget row named `label`."""
    key = next(row.key for row in plan_followup(plan).rows.values() if row.row.label == label)
    for period, amount in (periods or {}).items():
        followup_outcome_update(
            plan=plan,
            row=key,
            label=label,
            period=period,
            amount=Decimal(amount),
            expected_version=0,
            by=user,
        )
    if forecast is not None:
        followup_forecast_update(
            plan=plan, row=key, label=label, amount=Decimal(forecast), expected_version=0, by=user
        )


@pytest.fixture
def plan(association, chief):
    plan = build_plan(association)
    add_insatser(plan)
    enter(plan, chief, "Steget vidare", periods={1: 200000, 2: 180000}, forecast=590000)
    enter(plan, chief, "Förbundschef", periods={1: 190000})
    enter(plan, chief, "Försäkringskassan", periods={1: 500000})
    return plan


# --- Outcome against grant per insats (budgets.followup_interventions) --------------------------------------


def test_each_insats_has_its_budget_grant_outcome_forecast_and_deviation(plan):
    outcome = plan_interventions_outcome(plan)
    steget, struktur, undecided = outcome.rows
    assert steget.intervention.name == "Steget vidare"
    assert (steget.budget, steget.grant, steget.to_date, steget.forecast, steget.deviation) == (
        600000,
        598085,
        380000,
        590000,
        -10000,
    )
    assert steget.grant_differs and steget.followed.actual_total == 39
    # No forecast given: the budget is the forecast, as in the budget follow-up.
    assert (struktur.budget, struktur.to_date, struktur.forecast, struktur.deviation) == (
        300000,
        0,
        300000,
        0,
    )
    assert not struktur.grant_differs and struktur.followed is None
    # Not decided: no budget row, only its grant.
    assert (undecided.budget, undecided.to_date, undecided.grant) == (None, None, 100000)
    assert undecided.grant_differs
    assert outcome.totals == {"budget": 900000, "to_date": 380000, "forecast": 890000, "deviation": -10000}
    assert outcome.grant_total == 998085
    assert outcome.outcome_through == "T2 maj–aug"


def overview(plan):
    return reverse("plan_interventions_followup", args=[plan.association.slug, plan.pk])


def test_the_overview_shows_the_money_beside_the_participants(plan, reader_client):
    response = reader_client.get(overview(plan))
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index('id="insats-') : html.index("</tbody>")]
    steget = row[: row.index("Strukturbygget")]
    assert "600\u00a0000\u00a0kr" in steget and "beviljat 598\u00a0085\u00a0kr" in steget
    assert (
        "380\u00a0000\u00a0kr" in steget
        and "590\u00a0000\u00a0kr" in steget
        and "\u221210\u00a0000\u00a0kr" in steget
    )
    assert ">39<" in steget
    struktur = row[row.index("Strukturbygget") : row.index("Nytt förslag")]
    assert "300\u00a0000\u00a0kr" in struktur and "beviljat" not in struktur
    assert struktur.count('<td class="num">–</td>') == 8  # no participants reported yet
    assert "Utfall till och med T2 maj–aug" in html
    for name in (
        "national_followup_xlsx",
        "national_followup_interventions_csv",
        "national_followup_association_csv",
    ):
        assert reverse(name, args=[plan.association.slug, plan.pk]) in html
    assert "har inte stämts av mot Uppföljning Finsams formulär" in html


def test_the_overview_of_a_draft_offers_no_export(association, chief_client):
    draft = build_plan(association, state=Plan.State.DRAFT)
    add_insatser(draft)
    html = chief_client.get(overview(draft)).content.decode()
    assert "Exporten görs från den fastställda planen för året." in html
    assert "uppfoljning-finsam" not in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_overview_and_the_export_read_in_a_flat_number_of_queries(plan, chief, chief_client):
    xlsx = reverse("national_followup_xlsx", args=[plan.association.slug, plan.pk])
    _queries(chief_client, overview(plan))
    small = (_queries(chief_client, overview(plan)), _queries(chief_client, xlsx))
    column = plan.budget_columns.get()
    for n in range(6):
        intervention = InterventionFactory(association=plan.association, name=f"Insats {n}")
        GrantFactory(intervention=intervention, year=YEAR, amount=10000 * (n + 1))
        InterventionBudgetAmountFactory(column=column, intervention=intervention, amount=20000 * (n + 1))
        PlanInterventionFactory(plan=plan, intervention=intervention, position=10 + n)
        InterventionYear.objects.create(intervention=intervention, year=YEAR, actual_women=n)
        enter(plan, chief, f"Insats {n}", periods={1: 1000 * n}, forecast=15000)
    assert (_queries(chief_client, overview(plan)), _queries(chief_client, xlsx)) == small
    assert len(plan_interventions_outcome(plan).rows) == 9


# --- The rows of the export ------------------------------------------------------------------------------


STEGET = {
    "year": YEAR,
    "association": "Samordningsförbundet Alfa",
    "intervention": "Steget vidare",
    "start_date": datetime.date(2026, 1, 1),
    "end_date": datetime.date(2028, 12, 31),
    "orientation": "Individstödjande",
    "target_group": "Unga vuxna 16–29 år som står långt från arbetsmarknaden",
    "budget": 600000,
    "granted": 598085,
    "outcome": 380000,
    "outcome_through": "T2 maj–aug",
    "forecast": 590000,
    "planned_women": 20,
    "planned_men": 15,
    "planned_unstated": None,
    "actual_women": 18,
    "actual_men": 19,
    "actual_unstated": 2,
}
STRUKTUR = {
    **STEGET,
    "intervention": "Strukturbygget",
    "start_date": datetime.date(2025, 3, 1),
    "end_date": None,
    "orientation": "Strukturstödjande",
    "target_group": "Medarbetare hos medlemmarna",
    "budget": 300000,
    "granted": 300000,
    "outcome": 0,
    "forecast": 300000,
    **{name: None for name in (*InterventionYear.PLANNED, *InterventionYear.ACTUAL)},
}
ASSOCIATION = {
    "year": YEAR,
    "association": "Samordningsförbundet Alfa",
    "org_number": "222000-2063",
    "allocated_state": 1000000,
    "allocated_region": 500000,
    "allocated_municipalities": 500000,
    "allocated_total": 2000000,
    "allocated_outcome": 500000,
    "outcome_through": "T2 maj–aug",
    "equity_opening": 500000,
    # 500 000 + 2 000 000 − (600 000 administration + 590 000 + 300 000 insatser by the forecast)
    "equity_closing_forecast": 1010000,
    "administration_budget": 600000,
    "administration_outcome": 190000,
    "administration_forecast": 600000,
}


def test_the_export_has_a_row_per_decided_insats_and_one_for_the_association(plan, settings):
    settings.LANGUAGE_CODE = "en"  # the file is Swedish whatever the reader's language
    export = national_followup(plan)
    assert export.interventions.rows == [STEGET, STRUKTUR]
    assert export.association.rows == [ASSOCIATION]
    assert list(export.interventions.rows[0]) == list(INTERVENTION_KEYS)
    assert list(export.association.rows[0]) == list(ASSOCIATION_KEYS)


def test_a_budget_without_a_contributions_group_gives_the_total_only(association):
    plan = build_plan(association)
    plan.budget_groups.filter(kind=BudgetGroup.Kind.CONTRIBUTIONS).delete()
    plan.budget_groups.filter(kind=BudgetGroup.Kind.ADMINISTRATION).update(kind=BudgetGroup.Kind.OTHER)
    (row,) = national_followup(plan).association.rows
    assert row["allocated_total"] == 2000000
    assert [row[key] for key in ("allocated_state", "allocated_region", "allocated_outcome")] == [None] * 3
    assert [row[key] for key in ("administration_budget", "administration_outcome")] == [None, None]
    assert row["outcome_through"] == ""
    assert national_followup(plan).interventions.rows == []


# --- The files ----------------------------------------------------------------------------------------------


def test_the_workbook_opens_with_a_sheet_per_table(plan):
    workbook = load_workbook(io.BytesIO(national_xlsx(national_followup(plan))))
    assert workbook.sheetnames == ["Insatser", "Förbundet"]
    sheet = workbook["Insatser"]
    names = dict(COLUMNS)
    assert [cell.value for cell in sheet[4]] == [names[key] for key in INTERVENTION_KEYS]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5)]
    assert len(rows) == 2
    steget = dict(zip(INTERVENTION_KEYS, rows[0], strict=True))
    assert steget["budget"] == 600000 and steget["granted"] == 598085 and steget["outcome"] == 380000
    assert steget["start_date"].date() == datetime.date(2026, 1, 1)
    assert steget["planned_unstated"] is None and steget["actual_unstated"] == 2
    assert sheet.cell(5, INTERVENTION_KEYS.index("budget") + 1).number_format == "#,##0"
    assert sheet.cell(5, INTERVENTION_KEYS.index("start_date") + 1).number_format == "yyyy-mm-dd"
    assert "Utfall t.o.m. T2 maj–aug" in sheet["A2"].value
    association = workbook["Förbundet"]
    assert [cell.value for cell in association[4]] == [names[key] for key in ASSOCIATION_KEYS]
    values = dict(zip(ASSOCIATION_KEYS, [cell.value for cell in association[5]], strict=True))
    assert values == ASSOCIATION


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # the byte order mark Swedish Excel needs for UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_the_csv_files_parse_back(plan):
    export = national_followup(plan)
    header, *rows = read_csv(national_csv(export.interventions))
    names = dict(COLUMNS)
    assert header == [names[key] for key in INTERVENTION_KEYS]
    steget = dict(zip(INTERVENTION_KEYS, rows[0], strict=True))
    assert steget["intervention"] == "Steget vidare"
    assert steget["target_group"] == STEGET["target_group"]  # å, ä, ö and the dash intact
    assert (steget["start_date"], steget["end_date"]) == ("2026-01-01", "2028-12-31")
    assert (steget["budget"], steget["granted"], steget["outcome"]) == ("600000", "598085", "380000")
    assert (steget["planned_unstated"], steget["actual_unstated"]) == ("", "2")
    assert dict(zip(INTERVENTION_KEYS, rows[1], strict=True))["end_date"] == ""
    header, row = read_csv(national_csv(export.association))
    assert header == [names[key] for key in ASSOCIATION_KEYS]
    assert dict(zip(ASSOCIATION_KEYS, row, strict=True))["equity_closing_forecast"] == "1010000"


def test_text_that_looks_like_a_formula_stays_text(association):
    plan = build_plan(association)
    insats = InterventionFactory(
        association=association, name='=HYPERLINK("http://example.invalid")', target_group="+46; -2\n@rad två"
    )
    GrantFactory(intervention=insats, year=YEAR, amount=1000)
    PlanInterventionFactory(plan=plan, intervention=insats)
    export = national_followup(plan)
    _header, row = read_csv(national_csv(export.interventions))
    values = dict(zip(INTERVENTION_KEYS, row, strict=True))
    assert values["intervention"] == '\'=HYPERLINK("http://example.invalid")'
    assert values["target_group"] == "'+46; -2\n@rad två"  # the semicolon and the line break are quoted
    sheet = load_workbook(io.BytesIO(national_xlsx(export)))["Insatser"]
    cell = sheet.cell(5, INTERVENTION_KEYS.index("intervention") + 1)
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://example.invalid")'


def test_characters_a_workbook_cannot_hold_are_left_out(association):
    plan = build_plan(association)
    plan.title = "Verksamhetsplan\x0b2027"
    insats = InterventionFactory(association=association, name="Med\x0bsidbrytning", target_group="A\x0cB")
    GrantFactory(intervention=insats, year=YEAR, amount=1000)
    PlanInterventionFactory(plan=plan, intervention=insats)
    sheet = load_workbook(io.BytesIO(national_xlsx(national_followup(plan))))["Insatser"]
    assert sheet.cell(5, INTERVENTION_KEYS.index("intervention") + 1).value == "Medsidbrytning"
    assert "Underlag från Verksamhetsplan2027." in sheet["A2"].value


# --- The one mapping of column names -----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
TRANSLATION_CALLS = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext"}


def _untranslated_strings(path: Path):
    """(line, text) of every string constant of a module that is not a UI text given to gettext."""
    tree = ast.parse(path.read_text())
    translated = {
        id(arg)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in TRANSLATION_CALLS
        for arg in node.args
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in translated:
            yield node.lineno, node.value


def test_the_mapping_is_the_only_place_a_column_name_is_written():
    keys = [key for key, _name in COLUMNS]
    names = [name for _key, name in COLUMNS]
    assert len(set(keys)) == len(keys) and len(set(names)) == len(names)
    assert set(INTERVENTION_KEYS) | set(ASSOCIATION_KEYS) == set(keys)
    source = Path(national_export.__file__)
    tree = ast.parse(source.read_text())
    mapping = next(
        node
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "COLUMNS"
    )
    inside = range(mapping.lineno, mapping.end_lineno + 1)
    found = []
    for app in ("finsam", "plans", "interventions", "budgets"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for line, text in _untranslated_strings(path):
                if text in names and not (path == source and line in inside):
                    found.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert not found, "Column names of the export written outside national_export.COLUMNS:\n" + "\n".join(
        found
    )


def test_the_files_take_their_headers_from_the_mapping(plan, monkeypatch):
    monkeypatch.setitem(national_export.COLUMN_NAMES, "budget", "Budgeterat belopp (kr)")
    export = national_followup(plan)
    header, *_rows = read_csv(national_csv(export.interventions))
    assert header[INTERVENTION_KEYS.index("budget")] == "Budgeterat belopp (kr)"
    sheet = load_workbook(io.BytesIO(national_xlsx(export)))["Insatser"]
    assert sheet.cell(4, INTERVENTION_KEYS.index("budget") + 1).value == "Budgeterat belopp (kr)"


# --- The views -----------------------------------------------------------------------------------------------

URLS = {
    "national_followup_xlsx": ("application/vnd.openxmlformats", "uppfoljning-finsam-alfa-2027.xlsx"),
    "national_followup_interventions_csv": (
        "text/csv; charset=utf-8",
        "uppfoljning-finsam-alfa-2027-insatser.csv",
    ),
    "national_followup_association_csv": (
        "text/csv; charset=utf-8",
        "uppfoljning-finsam-alfa-2027-forbundet.csv",
    ),
}


@pytest.mark.parametrize("name", URLS)
def test_everyone_who_reads_the_plan_downloads_it(plan, members, client_for, name):
    url = reverse(name, args=[plan.association.slug, plan.pk])
    content_type, filename = URLS[name]
    for user in members.values():
        response = client_for(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"].startswith(content_type)
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    head = client_for(members["reader"]).head(url)
    assert head.status_code == 200


@pytest.mark.parametrize("name", URLS)
def test_another_association_and_anonymous_users_get_nothing(plan, outsider_client, client, name):
    url = reverse(name, args=[plan.association.slug, plan.pk])
    assert outsider_client.get(url).status_code == 404
    # A's plan under B's own address: still not found.
    assert outsider_client.get(reverse(name, args=["beta", plan.pk])).status_code == 404
    response = client.get(url)
    assert response.status_code == 302 and "/konto/login/" in response["Location"]
    assert outsider_client.post(url).status_code in (404, 405)


@pytest.mark.parametrize("name", URLS)
def test_a_draft_has_no_follow_up_to_export(association, chief_client, reader_client, name):
    draft = build_plan(association, state=Plan.State.DRAFT)
    url = reverse(name, args=[association.slug, draft.pk])
    response = chief_client.get(url)
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert (
        "Planen är inte fastställd än, så det finns ingen uppföljning att exportera."
        in response.content.decode()
    )
    assert reader_client.get(url).status_code == 404  # a reader does not see drafts at all


def test_a_superseded_version_points_to_the_adopted_one(association, chief_client):
    old = build_plan(association, state=Plan.State.SUPERSEDED)
    current = build_plan(association, revision=2)
    response = chief_client.get(reverse("national_followup_xlsx", args=[association.slug, old.pk]))
    assert response.status_code == 409
    html = response.content.decode()
    assert "har ersatts av en reviderad budget" in html
    assert overview(current) in html


def test_the_budget_follow_up_links_to_the_insatser_and_the_export(
    plan, association, reader_client, chief_client
):
    html = reader_client.get(reverse("plan_followup", args=[association.slug, plan.pk])).content.decode()
    assert overview(plan) in html
    assert reverse("national_followup_xlsx", args=[association.slug, plan.pk]) in html
    draft = build_plan(association, state=Plan.State.DRAFT, revision=2)
    html = chief_client.get(reverse("plan_followup", args=[association.slug, draft.pk])).content.decode()
    assert overview(draft) in html and "uppfoljning-finsam" not in html


def test_an_adopted_plan_without_a_budget_exports_blank_figures(association, chief_client):
    bare = PlanFactory(
        association=association,
        first_year=YEAR,
        years=1,
        state=Plan.State.ADOPTED,
        adopted_on=datetime.date(YEAR - 1, 11, 25),
    )
    insats = InterventionFactory(association=association, name="Utan budget")
    PlanInterventionFactory(plan=bare, intervention=insats)
    (row,) = national_followup(bare).interventions.rows
    assert (row["budget"], row["granted"], row["outcome"], row["forecast"]) == (None, None, None, None)
    (association_row,) = national_followup(bare).association.rows
    assert association_row["allocated_total"] is None and association_row["equity_opening"] is None
    for name in URLS:
        assert chief_client.get(reverse(name, args=[association.slug, bare.pk])).status_code == 200
    assert chief_client.get(overview(bare)).status_code == 200

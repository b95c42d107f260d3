"""Budget import: budgets.imports reads tables, puts them into a plan and reports.

The seed tables in tests/data are copied byte for byte from ../shared/seeds (Örnsköldsvik lines
432–463, Gävleborg lines 183–199), so these tests do not depend on the shared folder.
"""

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from budgets.calc import plan_budget
from budgets.imports.apply import budget_import_apply, budget_import_preview
from budgets.imports.classify import member_match
from budgets.imports.files import number_scale, read_upload, xlsx_to_text
from budgets.imports.header import header_cell
from budgets.imports.parse import parse_text
from budgets.imports.table import MAX_UPLOAD_BYTES, BudgetParseError
from budgets.models import BudgetAmount, BudgetColumn, BudgetGroup, BudgetLine, StatedFigure
from budgets.stated import compare_stated
from finsam.editing import StaleVersion
from plans.models import PlanEvent
from tests.factories import (
    AssociationFactory,
    BudgetAmountFactory,
    BudgetColumnFactory,
    BudgetGroupFactory,
    BudgetLineFactory,
    GrantFactory,
    InterventionFactory,
    OrganisationFactory,
    PlanFactory,
)

D = Decimal
DATA = Path(__file__).parent / "data"
ORNSKOLDSVIK = (DATA / "ornskoldsvik-budget.txt").read_text(encoding="utf-8")
GAVLEBORG = (DATA / "gavleborg-budget.txt").read_text(encoding="utf-8")
# Östra Värmland's plan has no budget table, only sentences ("Årets tilldelning ... 1 848 000 kronor",
# "290 000 kronor ... administration", "1 668 000 kronor" for interventions, equity 324 581 from 2021).
# The same figures as a table typed with spaces, as a paste from a plain-text mail would look.
OSTRA_VARMLAND = """Budget 2022, kronor

Intäkter                                                   2022
Årets tilldelning                                     1 848 000
Summa intäkter                                        1 848 000

Kostnader
Administration och revision (kansli och styrelse)       290 000
Individanpassade insatser inklusive beslutade projekt  1 668 000
Summa kostnader                                       1 958 000

Resultat                                               \u2212110 000
Ingående eget kapital                                   324 581
"""


def members(association, *names):
    kinds = {"Försäkringskassan": "state", "Arbetsförmedlingen": "state"}
    return [
        OrganisationFactory(
            association=association,
            name=name,
            kind=kinds.get(name, "region" if name.startswith("Region") else "municipality"),
        )
        for name in names
    ]


@pytest.fixture
def ornskoldsvik(db):
    association = AssociationFactory(slug="ornskoldsvik", name="Samordningsförbundet i Örnsköldsvik")
    members(
        association,
        "Försäkringskassan",
        "Arbetsförmedlingen",
        "Region Västernorrland",
        "Örnsköldsviks kommun",
    )
    OrganisationFactory(association=association, name="Polisen", kind="other", is_member=False)
    for name, short_name, grants in [
        ("Plattform U", "", {2020: 600000, 2021: 600000, 2022: 600000}),
        ("Vidare Vy", "", {2020: 454449, 2021: 455000}),
        ("Projekt Äpplet", "", {2020: 598085, 2021: 600000}),
        ("Processtöd Våld i nära relationer", "Processtöd VINR 50 %", {2020: 280000, 2021: 21000}),
    ]:
        intervention = InterventionFactory(association=association, name=name, short_name=short_name)
        for year, amount in grants.items():
            GrantFactory(intervention=intervention, year=year, amount=amount)
    return PlanFactory(association=association, first_year=2020, years=3, unit="kr")


@pytest.fixture
def gavleborg(db):
    association = AssociationFactory(slug="gavleborg", name="Samordningsförbundet Gävleborg")
    members(
        association,
        "Försäkringskassan",
        "Arbetsförmedlingen",
        "Region Gävleborg",
        *[
            f"{place} kommun"
            for place in (
                "Bollnäs",
                "Gävle",
                "Hofors",
                "Hudiksvalls",
                "Ljusdals",
                "Nordanstigs",
                "Ockelbo",
                "Ovanåkers",
                "Sandvikens",
                "Söderhamns",
            )
        ],
    )
    return PlanFactory(association=association, first_year=2022, years=3)


@pytest.fixture
def ostra_varmland(db):
    association = AssociationFactory(slug="ostra-varmland", name="Samordningsförbundet Östra Värmland")
    members(
        association,
        "Försäkringskassan",
        "Arbetsförmedlingen",
        "Region Värmland",
        "Filipstads kommun",
        "Storfors kommun",
    )
    return PlanFactory(association=association, first_year=2022, years=1, unit="tkr")


def kronor(values):
    return {year: D(value) for year, value in values.items()}


def apply(plan, text, **kwargs):
    return budget_import_apply(plan=plan, parsed=parse_text(text, **kwargs), by=None)


# --- reading the seed tables ------------------------------------------------------------------------


def test_it_reads_ornskoldsvik_as_printed():
    parsed = parse_text(ORNSKOLDSVIK)
    assert [(c.year, c.kind, c.inferred) for c in parsed.columns] == [
        (2020, "budget", False),  # "Budget 2020" from the title
        (2021, "plan", False),  # the "Plan Plan" row above the years
        (2022, "plan", False),
    ]
    assert (parsed.unit, parsed.decimals, parsed.costs_negative) == ("tkr", 1, True)
    assert [(g.section, g.name) for g in parsed.groups] == [
        ("revenue", "Intäkter"),
        ("costs", "Administration"),
        ("costs", "Insatser"),
    ]
    region = parsed.groups[0].lines[0]
    assert region.label == "Region Västernorrland"
    assert region.amounts == kronor({2020: 1258500, 2021: 1259000, 2022: 1259000})  # "1258,5" tkr
    vidare_vy = next(line for line in parsed.lines if line.label == "Vidare Vy")
    assert vidare_vy.amounts == kronor({2020: 455000, 2021: 455000})  # costs positive; blank 2022 absent
    assert next(line for line in parsed.lines if line.label.startswith("Nya ej beslutade")).undecided
    assert [(s.label, s.target) for s in parsed.stated] == [
        ("Summa administration", "group"),
        ("Summa insatser", "group"),
        ("Summa totala kostnader", "costs"),
    ]
    assert not any(line.label.startswith(("Summa", "*")) for line in parsed.lines)


def test_it_reads_gavleborg_as_printed():
    parsed = parse_text(GAVLEBORG)
    # "Budget 2022-2024" names the document; the first year is the budget, the others plan years.
    assert [(c.year, c.kind, c.inferred) for c in parsed.columns] == [
        (2022, "budget", True),
        (2023, "plan", True),
        (2024, "plan", True),
    ]
    assert (parsed.unit, parsed.decimals, parsed.costs_negative) == ("tkr", 0, True)
    assert [line.label for line in parsed.groups[0].lines] == [
        "Försäkringskassan/Arbetsförmedlingen",
        "Region Gävleborg",
        "Kommunerna",
    ]
    beviljade = parsed.groups[1].lines[0]
    assert beviljade.amounts == kronor({2022: 11511000, 2023: 8886000, 2024: 271000})  # "-11 511"
    assert [(s.label, s.target) for s in parsed.stated] == [
        ("Summa intäkter", "revenue"),
        ("Summa kostnader", "costs"),
        ("Resultat", "result"),
    ]
    assert parsed.stated[2].amounts == kronor({2022: -2549000, 2023: 0, 2024: 0})


def test_it_reads_a_table_separated_by_spaces():
    parsed = parse_text(OSTRA_VARMLAND)
    assert [(c.year, c.kind) for c in parsed.columns] == [(2022, "budget")]
    assert (parsed.unit, parsed.costs_negative) == ("kr", False)
    assert parsed.opening_equity == D(324581)
    assert parsed.stated[-1].amounts == {2022: D(-110000)}  # the U+2212 minus sign


# --- importing the seed tables gives the seeds' own totals --------------------------------------------


def test_ornskoldsvik_import_gives_the_seeds_totals(ornskoldsvik):
    report = apply(ornskoldsvik, ORNSKOLDSVIK)
    plan = ornskoldsvik
    plan.refresh_from_db()
    budget = plan_budget(plan)
    assert budget.revenue_total == kronor({2020: 5034000, 2021: 5036000, 2022: 5036000})  # Parternas insats
    assert budget.cost_total == kronor(
        {2020: 5034000, 2021: 5036000, 2022: 5036000}
    )  # Summa totala kostnader
    assert budget.result == kronor({2020: 0, 2021: 0, 2022: 0})
    admin = next(g for g in budget.cost_groups if g.group.name == "Administration")
    assert admin.totals == kronor({2020: 1031000, 2021: 1041000, 2022: 1051000})
    insatser = next(g for g in budget.cost_groups if g.group.name == "Insatser")
    assert insatser.totals == kronor({2020: 4003000, 2021: 3995000, 2022: 3985000})
    # The member rows are not typed lines: the contributions group splits the total by law.
    contributions = budget.revenue_groups[0]
    assert contributions.group.kind == "contributions"
    assert [row.kind for row in contributions.rows] == ["contribution"] * 3
    assert BudgetColumn.objects.get(plan=plan, year=2020).contributions_total.amount == D(5034000)
    # The seed's arithmetic is right: nothing to report, and the statutory split gives its member rows.
    assert compare_stated(plan, budget) == []
    assert report.differences == []
    assert "återger tabellens rader" in report.contribution_summary
    assert StatedFigure.objects.filter(plan=plan, target="contribution").count() == 9
    assert (plan.unit, plan.decimals, plan.costs_negative) == ("tkr", 1, True)


def test_gavleborg_import_gives_the_seeds_totals(gavleborg):
    report = apply(gavleborg, GAVLEBORG)
    gavleborg.refresh_from_db()
    budget = plan_budget(gavleborg)
    assert budget.revenue_total == kronor({2022: 13320000, 2023: 13320000, 2024: 13320000})
    assert budget.cost_total == kronor({2022: 15869000, 2023: 13320000, 2024: 13320000})
    assert budget.result == kronor({2022: -2549000, 2023: 0, 2024: 0})
    assert report.differences == []
    assert len(report.figures) == 9 + 9  # 3 member rows and 3 totals, each for 3 years
    assert "återger tabellens rader" in report.contribution_summary


def test_ostra_varmland_import_gives_its_figures(ostra_varmland):
    report = apply(ostra_varmland, OSTRA_VARMLAND)
    plan = ostra_varmland
    plan.refresh_from_db()
    budget = plan_budget(plan)
    assert budget.revenue_total == {2022: D(1848000)}
    assert budget.cost_total == {2022: D(1958000)}
    assert budget.closing_equity == {2022: D(324581 - 110000)}
    assert plan.opening_equity.amount == D(324581)
    assert (plan.unit, plan.costs_negative) == ("kr", False)
    assert report.differences == []
    assert "Årets tilldelning" in report.contribution_summary


def test_it_reports_where_a_tables_arithmetic_is_wrong(ornskoldsvik):
    wrong = ORNSKOLDSVIK.replace("Summa administration\t-1031", "Summa administration\t-1032").replace(
        "Region Västernorrland\t1258,5\t1259", "Region Västernorrland\t1258,5\t1260"
    )
    report = apply(ornskoldsvik, wrong)
    differences = [(d.label, d.year, d.stated, d.computed, d.difference) for d in report.differences]
    nbsp = "\u00a0"
    assert (
        "Summa administration",
        2020,
        f"\u22121{nbsp}032,0",
        f"\u22121{nbsp}031,0",
        "\u22121,0",
    ) in differences
    assert ("Region Västernorrland", 2021, f"1{nbsp}260,0", f"1{nbsp}259,0", "1,0") in differences
    assert len(differences) == 2
    assert "återger inte" in report.contribution_summary


def test_it_reports_lines_that_are_interventions(ornskoldsvik):
    report = apply(ornskoldsvik, ORNSKOLDSVIK)
    matches = {match.label: match for match in report.intervention_matches}
    assert set(matches) == {"Plattform U", "Vidare Vy", "Projekt Äpplet", "Processtöd VINR 50 %"}
    assert matches["Plattform U"].agrees
    vidare_vy = matches["Vidare Vy"]
    assert not vidare_vy.agrees
    assert vidare_vy.years[0] == (2020, "455,0", "454,4", False)  # imported 455 tkr, granted 454 449 kr
    assert matches["Processtöd VINR 50 %"].intervention == "Processtöd Våld i nära relationer"


def test_import_replaces_the_budget_and_records_it(ornskoldsvik):
    column = BudgetColumnFactory(plan=ornskoldsvik, year=2019)
    old_line = BudgetLineFactory(group=BudgetGroupFactory(plan=ornskoldsvik, name="Gammalt"))
    BudgetAmountFactory(line=old_line, column=column, amount=5)
    apply(ornskoldsvik, GAVLEBORG.replace("2022", "2020").replace("2023", "2021").replace("2024", "2022"))
    assert not BudgetLine.objects.filter(pk=old_line.pk).exists()
    assert list(ornskoldsvik.budget_columns.values_list("year", flat=True)) == [2020, 2021, 2022]
    event = PlanEvent.objects.get(plan=ornskoldsvik)
    assert event.action == PlanEvent.Action.IMPORTED
    # Region Gävleborg is no member of this association: its row stays a typed revenue line.
    assert event.details["lines"] == 5


def test_preview_saves_nothing_and_reports_the_same(ornskoldsvik):
    line = BudgetLineFactory(group=BudgetGroupFactory(plan=ornskoldsvik, name="Befintlig"))
    version = ornskoldsvik.version
    preview = budget_import_preview(plan=ornskoldsvik, parsed=parse_text(ORNSKOLDSVIK), by=None)
    assert BudgetLine.objects.filter(group__plan=ornskoldsvik).get() == line
    assert not BudgetColumn.objects.filter(plan=ornskoldsvik).exists()
    assert not PlanEvent.objects.filter(plan=ornskoldsvik).exists()
    ornskoldsvik.refresh_from_db()
    assert (ornskoldsvik.version, ornskoldsvik.unit) == (version, "kr")
    assert not preview.applied
    assert any("ersätts helt" in warning for warning in preview.warnings)
    applied = budget_import_apply(plan=ornskoldsvik, parsed=parse_text(ORNSKOLDSVIK), by=None)
    assert [s.total for s in applied.sections] == [s.total for s in preview.sections]
    assert applied.figures == preview.figures


def test_a_stale_preview_is_refused(ornskoldsvik):
    stale = ornskoldsvik.version
    apply(ornskoldsvik, ORNSKOLDSVIK)
    with pytest.raises(StaleVersion):
        budget_import_apply(plan=ornskoldsvik, parsed=parse_text(GAVLEBORG), by=None, expected_version=stale)
    assert ornskoldsvik.budget_columns.first().year == 2020


def test_member_rows_are_matched_by_name_or_part(gavleborg):
    organisations = list(gavleborg.association.organisations.all())
    hofors = next(org for org in organisations if org.name == "Hofors kommun")
    assert member_match("Försäkringskassan/Arbetsförmedlingen", organisations) == ("state", None)
    assert member_match("Region Gävleborg", organisations) == ("region", None)
    assert member_match("Kommunerna", organisations) == ("municipalities", None)
    assert member_match("Hofors Kommun", organisations) == ("municipality", hofors)
    assert member_match("Hofors", organisations) == ("municipality", hofors)
    assert member_match("Ränteintäkter", organisations) is None
    assert member_match("Försäkringskassan/Region Gävleborg", organisations) is None


def test_other_revenue_beside_contributions_stays_a_typed_line(ostra_varmland):
    text = "Intäkter\t2022\nMedlemsavgifter\t1 848 000\nRänteintäkter\t2 000\nKostnader\nKansli\t-1 850 000\n"
    apply(ostra_varmland, text)
    kinds = list(ostra_varmland.budget_groups.order_by("position").values_list("kind", "name"))
    assert kinds == [
        ("contributions", "Intäkter"),
        ("financial", "Finansiella intäkter"),
        ("other", "Kostnader"),
    ]
    assert BudgetAmount.objects.get(line__name="Ränteintäkter").amount.amount == D(2000)


# --- kinds, units and layouts of real tables -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "\tUtfall 2019\tPrognos 2020\tBudget 2021\tPlan 2022\nKansli\t1\t2\t3\t4",
            ["outcome", "forecast", "budget", "plan"],
        ),
        ("\t2019 Utfall\t2020 Budget\nKansli\t1\t2", ["outcome", "budget"]),
        ("\t2020\t2021\n\tBudget\tPlan\nKansli\t1\t2", ["budget", "plan"]),
        ("Budget 2020, plan 2021–2022\t2020\t2021\t2022\nKansli\t1\t2\t3", ["budget", "plan", "plan"]),
        ("\t2019\tBudget 2020\nKansli\t1\t2", ["forecast", "budget"]),
    ],
)
def test_it_reads_kind_words_above_beside_or_in_the_title(text, expected):
    assert [column.kind for column in parse_text(text).columns] == expected


@pytest.mark.parametrize(
    ("title", "cell", "unit", "amount"),
    [
        ("Budget (tkr)", "1,5", "tkr", D(1500)),
        ("Budget, kkr", "1,5", "tkr", D(1500)),
        ("Belopp i tusental kronor", "1,5", "tkr", D(1500)),
        ("Belopp i kronor", "1 500", "kr", D(1500)),
    ],
)
def test_it_reads_the_unit_from_the_title(title, cell, unit, amount):
    parsed = parse_text(f"{title}\n\t2027\nKansli\t{cell}")
    assert parsed.unit == unit
    assert parsed.lines[0].amounts[2027] == amount


def test_kind_words_over_the_last_columns_in_a_table_typed_with_spaces():
    text = (
        "                                  Plan     Plan\n"
        "Budget 2020 (tkr)       2020      2021     2022\n"
        "Kansli                   100       100      100\n"
    )
    parsed = parse_text(text)
    assert [(c.year, c.kind, c.inferred) for c in parsed.columns] == [
        (2020, "budget", False),
        (2021, "plan", False),
        (2022, "plan", False),
    ]


def test_it_reads_a_semicolon_separated_file_as_swedish_excel_saves_csv():
    parsed = parse_text("tkr;Budget 2027;Plan 2028\nKostnader;;\nKansli;1 258,5;1 300\n")
    assert parsed.lines[0].amounts == {2027: D(1258500), 2028: D(1300000)}


def test_the_unit_chosen_in_the_form_wins():
    assert parse_text("Budget tkr\n\t2027\nKansli\t15", unit="kr").lines[0].amounts == {2027: D(15)}


def test_without_a_unit_it_reads_kronor_and_says_so():
    parsed = parse_text("\t2027\nKansli\t15 000")
    assert parsed.unit == "kr"
    assert any("ingen enhet" in note for note in parsed.notes)


def test_it_reads_every_way_of_writing_an_amount():
    text = (
        "tkr\t2027\t2028\t2029\t2030\n"
        "Kostnader\n"
        "A\t1\u00a0258,5\t\u22121\u2009000\t\u2013\t\n"
        "B\t-2 000\t-1\t-1\t-1\n"
    )
    parsed = parse_text(text)
    assert parsed.costs_negative  # most cost figures are negative
    a, b = parsed.lines
    assert a.amounts == {2027: D(-1258500), 2028: D(1000000), 2029: D(0)}  # a positive cost is a refund
    assert b.amounts == {2027: D(2000000), 2028: D(1000), 2029: D(1000), 2030: D(1000)}


def test_a_table_with_an_empty_first_column_reads_like_one_without():
    parsed = parse_text("\t\t2027\n\tKostnader\n\tKansli\t100\n")
    assert parsed.lines[0].label == "Kansli"


def test_a_total_column_is_recomputed_not_read():
    parsed = parse_text("\tBudget 2027\tPlan 2028\tTotalt 2027–2028\nKansli\t100\t100\t200\n")
    assert parsed.years == [2027, 2028]
    assert any("summa över åren" in note for note in parsed.notes)


# --- broken input: a clear Swedish message, never a half import --------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Tabellen är tom"),
        ("   \n\t\n", "Tabellen är tom"),
        ("Kansli\t100\t200\nHyra\t50\t60\n", "Hittade ingen rubrikrad med år"),
        ("\t2027\t2028\nKansli\ttolv\t12\n", "Rad 2 (”Kansli”), 2027: ”tolv” är inget belopp"),
        ("\t2027\t2028\nKansli\t100\t200\t300\n", "har 3 värden, men rubrikraden har bara 2 kolumner"),
        ("\t2027\t2027\nKansli\t100\t200\n", "Året 2027 står två gånger"),
        ("\t2027\nKansli\t100\n\t200\n", "har belopp men ingen benämning"),
        ("\t2027\n100\t200\n", "kolumnerna verkar förskjutna"),
        ("\t2027\nKostnader\nAdministration\n", "inga budgetrader"),
        ("\t2027\nKansli\t1.25\n", "kronor utan decimaler"),
        ("          2027\nKansli 1 258\n", "beloppet sitter ihop med benämningen"),
    ],
)
def test_broken_tables_are_refused_with_a_clear_message(text, message):
    with pytest.raises(BudgetParseError) as raised:
        parse_text(text)
    assert any(message in text for text in raised.value.messages), raised.value.messages


def test_every_bad_cell_is_reported_at_once():
    text = "\t2027\t2028\n" + "".join(f"Rad {n}\tx{n}\ty{n}\n" for n in range(30))
    with pytest.raises(BudgetParseError) as raised:
        parse_text(text)
    assert len(raised.value.messages) == 21
    assert raised.value.messages[-1] == "… och 40 fel till."


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("budget.xlsx", b"", "Filen är tom"),
        ("budget.xlsx", b"this is not a workbook", "heter .xlsx men är ingen Excel-arbetsbok"),
        ("budget.xlsx", b"PK\x03\x04 broken zip", "kunde inte läsas som en Excel-arbetsbok"),
        ("budget.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "äldre format (.xls)"),
        ("bild.png", b"\x89PNG\r\n\x1a\n\0\0\0", "varken en Excel-arbetsbok"),
        ("stor.xlsx", b"x" * (10 * 1024 * 1024), "Filen är för stor (10,0 MB)"),
    ],
)
def test_broken_files_are_refused_with_a_clear_message(name, data, message):
    with pytest.raises(BudgetParseError) as raised:
        read_upload(name, data)
    assert message in raised.value.messages[0]


def test_the_upload_limit_is_two_megabytes():
    assert MAX_UPLOAD_BYTES == 2 * 1024 * 1024


def test_a_broken_table_changes_nothing(ornskoldsvik):
    apply(ornskoldsvik, ORNSKOLDSVIK)
    before = list(BudgetAmount.objects.filter(line__group__plan=ornskoldsvik).values_list("pk", "amount"))
    with pytest.raises(BudgetParseError):
        apply(ornskoldsvik, ORNSKOLDSVIK.replace("-600\t-600\t-600", "-600\tsexhundra\t-600"))
    after = list(BudgetAmount.objects.filter(line__group__plan=ornskoldsvik).values_list("pk", "amount"))
    assert before == after


def test_a_failure_while_saving_rolls_everything_back(ornskoldsvik, monkeypatch):
    apply(ornskoldsvik, ORNSKOLDSVIK)
    groups_before = list(BudgetGroup.objects.filter(plan=ornskoldsvik).values_list("pk", flat=True))

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(StatedFigure.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        apply(ornskoldsvik, GAVLEBORG)
    assert list(BudgetGroup.objects.filter(plan=ornskoldsvik).values_list("pk", flat=True)) == groups_before


# --- .xlsx ----------------------------------------------------------------------------------------------


def workbook_bytes(rows, *, sheets=None, number_format=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Budget"
    if sheets:
        sheet.title = sheets[0]
        for title in sheets[1:]:
            workbook.create_sheet(title)
        sheet = workbook[sheets[-1]]
    for row in rows:
        sheet.append(row)
    if number_format:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, int | float):
                    cell.number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_it_reads_an_excel_budget_sheet():
    data = workbook_bytes(
        [
            ["Budget 2027 (tkr)"],
            [None, "Budget 2027", "Plan 2028"],
            ["Kostnader"],
            ["Kansli", -1258.5, -1300],
            ["Summa kostnader", "=SUM(B4:B4)", "=SUM(C4:C4)"],
        ],
        sheets=["Anteckningar", "Budget"],
    )
    text, sheet = read_upload("budget.xlsx", data)
    assert "bladet ”Budget”" in sheet
    parsed = parse_text(text)
    assert parsed.lines[0].amounts == {2027: D(1258500), 2028: D(1300000)}
    assert parsed.stated == []  # formulas without a saved value: the sums are recomputed anyway


def test_it_reads_kronor_shown_in_thousands_by_the_number_format():
    assert number_scale("#,##0,") == 1
    assert number_scale("#,##0.0,;[Red]-#,##0.0,") == 1
    assert number_scale("#,##0") == 0
    assert number_scale('#,##0" tkr"') == 0
    data = workbook_bytes([["tkr", "Budget 2027"], ["Kansli", 1258500]], number_format="#,##0,")
    text, _sheet = xlsx_to_text(data)
    assert parse_text(text).lines[0].amounts == {2027: D(1258500)}


def test_an_excel_sheet_without_years_is_refused():
    text, _sheet = xlsx_to_text(workbook_bytes([["Kansli", 100], ["Hyra", 50]]))
    with pytest.raises(BudgetParseError, match="ingen rubrikrad med år"):
        parse_text(text)


# --- the management command ------------------------------------------------------------------------------


def test_the_command_previews_by_default_and_applies_with_a_flag(ornskoldsvik, tmp_path):
    path = tmp_path / "budget.txt"
    path.write_text(ORNSKOLDSVIK, encoding="utf-8")
    out = io.StringIO()
    call_command("import_budget", "ornskoldsvik", str(ornskoldsvik.pk), str(path), stdout=out)
    text = out.getvalue()
    assert "Förhandsgranskning (inget sparat)" in text
    assert "Alla 18 angivna summor stämmer med de beräknade." in text
    assert "”Vidare Vy” motsvarar insatsen Vidare Vy" in text
    assert not ornskoldsvik.budget_columns.exists()
    out = io.StringIO()
    call_command("import_budget", "ornskoldsvik", str(ornskoldsvik.pk), str(path), "--apply", stdout=out)
    assert "Budgeten importerades" in out.getvalue()
    assert ornskoldsvik.budget_columns.count() == 3


def test_the_command_refuses_broken_files_and_foreign_plans(ornskoldsvik, gavleborg, tmp_path):
    path = tmp_path / "budget.txt"
    path.write_text("Kansli\t100\n", encoding="utf-8")
    with pytest.raises(CommandError, match="ingen rubrikrad med år"):
        call_command("import_budget", "ornskoldsvik", str(ornskoldsvik.pk), str(path))
    path.write_text(ORNSKOLDSVIK, encoding="utf-8")
    with pytest.raises(CommandError, match="Ingen plan"):
        call_command("import_budget", "ornskoldsvik", str(gavleborg.pk), str(path))
    with pytest.raises(CommandError, match="finns inte"):
        call_command("import_budget", "ornskoldsvik", str(ornskoldsvik.pk), str(tmp_path / "saknas.txt"))


def test_municipality_rows_without_a_key_are_reported_as_not_comparable(gavleborg):
    text = (
        "tkr\t2022\n"
        "Intäkter\n"
        "Försäkringskassan/Arbetsförmedlingen\t6 660\n"
        "Region Gävleborg\t3 330\n"
        "Gävle\t3 000\n"
        "Hofors\t330\n"
        "Kostnader\n"
        "Kansli\t-13 320\n"
    )
    report = apply(gavleborg, text)
    gavleborg.refresh_from_db()
    assert gavleborg.budget_columns.get().contributions_total.amount == D(13320000)
    assert [(d.label, d.computed) for d in report.differences] == [("Gävle", "–"), ("Hofors", "–")]
    assert "fördelningsnyckel" in report.contribution_summary


# --- reading real tables' variety (issue 14, item 2) -----------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Budget 2024", ("year", 2024, "budget")),
        ("2024 Budget", ("year", 2024, "budget")),
        ("Bokslut 2022", ("year", 2022, "outcome")),
        ("Prognos 2023", ("year", 2023, "forecast")),
        ("Plan år 2026", ("year", 2026, "plan")),
        ("Budget 2024 (tkr)", ("year", 2024, "budget")),
        ("2024", ("year", 2024, None)),
        ("2024–2026 Totalt", ("total", None, None)),
        ("Totalt 2024-2026", ("total", None, None)),
        ("Summa 2024–26", ("total", None, None)),
        ("Summa", ("total", None, None)),
        ("Not", ("note", None, None)),
        ("%", ("percent", None, None)),
        ("Andel %", ("percent", None, None)),
        ("tkr", ("unit", None, None)),
        ("Utfall jan–aug 2024", ("unknown", None, None)),
        ("Kommentar till budgeten", ("unknown", None, None)),
    ],
)
def test_header_cells_are_read_in_any_order(cell, expected):
    assert header_cell(cell) == expected


def test_an_unknown_header_cell_is_kept_aside_not_refused():
    parsed = parse_text("tkr\tBudget 2027\tAnsvarig\tPlan 2028\nKostnader\nKansli\t100\tAnna\t110\n")
    assert parsed.years == [2027, 2028]
    assert parsed.lines[0].amounts == {2027: D(100000), 2028: D(110000)}
    assert parsed.ignored_columns == [(1, "Ansvarig", "unknown")]
    assert any("”Ansvarig” känns inte igen" in note for note in parsed.notes)


def test_a_table_that_cannot_be_used_names_the_header_cells_it_could_not_read():
    with pytest.raises(BudgetParseError) as raised:
        parse_text("\tBudgetår 2027 (förslag)\tBeslut 2027 (förslag)\tRev. 2027\nKansli\t1\t2\t3\n")
    message = raised.value.messages[0]
    assert message.startswith("Hittade ingen rubrikrad med år")
    assert "Rad 1 har år, men finsam kunde inte läsa rubrikerna ”Budgetår 2027 (förslag)”" in message


@pytest.mark.parametrize(
    ("title", "cell", "amount"),
    [
        ("Belopp i tkr.", "1,5", D(1500)),
        ("TSEK", "1,5", D(1500)),
        ("Budget, kSEK", "1,5", D(1500)),
        ("Belopp i tusen kronor", "1,5", D(1500)),
        ("Budget i mnkr", "1,5", D(1500000)),
        ("Budget (Mkr)", "0,25", D(250000)),
        ("Belopp i miljoner kronor", "2", D(2000000)),
        ("Budget, SEK", "1 500", D(1500)),
    ],
)
def test_every_common_unit_spelling_is_read(title, cell, amount):
    parsed = parse_text(f"{title}\n\t2027\nKansli\t{cell}")
    assert parsed.lines[0].amounts[2027] == amount


@pytest.mark.parametrize("label", ["- Kansli", "• Kansli", "1. Kansli", "a) Kansli", "2.1 Kansli"])
def test_bullets_and_numbering_are_stripped(label):
    assert parse_text(f"\t2027\nKostnader\n{label}\t100\n").lines[0].label == "Kansli"


@pytest.mark.parametrize(
    ("cell", "amount"), [("(1 200)", D(-1200)), ("1.258.500", D(1258500)), ("(1.258)", D(-1258))]
)
def test_a_table_cell_may_be_parenthesised_or_dot_grouped(cell, amount):
    assert parse_text(f"kr\t2027\nIntäkter\nAvgift\t{cell}\n").lines[0].amounts == {2027: amount}


def test_amounts_that_look_like_years_are_amounts_not_a_second_header():
    parsed = parse_text(
        "tkr\tBudget 2025\tPlan 2026\nIntäkter\nKommunerna\t2025\t2026\nKostnader\nKansli\t-1\t-1\n"
    )
    assert parsed.groups[0].lines[0].amounts == {2025: D(2025000), 2026: D(2026000)}


def test_a_second_table_with_other_years_is_not_read():
    parsed = parse_text("\tBudget 2025\nKansli\t100\n\n\tUtfall 2023\nKansli\t90\n")
    assert [line.amounts for line in parsed.lines] == [{2025: D(100)}]
    assert any("ny tabell" in note for note in parsed.notes)


def test_a_subtotal_over_two_groups_is_read_and_not_compared_with_a_group():
    text = (
        "tkr\tBudget 2027\n"
        "Kostnader\n"
        "Administration\nKansli\t-500\nSumma administration\t-500\n"
        "Beslutade insatser\nAlfa\t-300\nBeta\t-200\nSumma beslutade\t-500\n"
        "Ej beslutade insatser\nReserv\t-100\nSumma ej beslutade\t-100\n"
        "Summa insatser\t-600\n"
        "Summa kostnader\t-1 100\n"
    )
    parsed = parse_text(text)
    readings = {reading.label: reading.reading for reading in parsed.readings}
    assert readings["Summa insatser"] == "subtotal"
    assert readings["Summa beslutade"] == "group_total"
    assert readings["Summa kostnader"] == "costs_total"
    assert [figure.label for figure in parsed.stated] == [
        "Summa administration",
        "Summa beslutade",
        "Summa ej beslutade",
        "Summa kostnader",
    ]
    assert [group.summed_under for group in parsed.groups] == ["", "Insatser", "Insatser"]


def test_a_subtotal_over_groups_becomes_the_plans_subtotal(ostra_varmland):
    text = (
        "tkr\tBudget 2022\nKostnader\nAdministration\nKansli\t-50\n"
        "Beslutade insatser\nAlfa\t-300\nBeta\t-200\nSumma beslutade\t-500\n"
        "Ej beslutade insatser\nReserv\t-100\nSumma ej beslutade\t-100\n"
        "Summa insatser\t-600\n"
    )
    apply(ostra_varmland, text)
    budget = plan_budget(ostra_varmland)
    closing = [group.closing_sum for group in budget.cost_groups if group.closing_sum]
    assert [(total.name, total.totals) for total in closing] == [("Insatser", {2022: D(600000)})]


def test_a_joint_contribution_and_its_varav_rows_are_counted_once(gavleborg):
    text = (
        "tkr\t2022\n"
        "Intäkter\n"
        "Försäkringskassan/Arbetsförmedlingen\t6 660\n"
        "Region Gävleborg\t3 330\n"
        "Kommunerna\t3 330\n"
        "varav Gävle\t3 000\n"
        "varav Hofors\t330\n"
        "Kostnader\n"
        "Kansli\t-13 320\n"
    )
    report = apply(gavleborg, text)
    gavleborg.refresh_from_db()
    assert plan_budget(gavleborg).revenue_total == {2022: D(13320000)}
    readings = {reading.label: reading.reading for reading in report.readings}
    assert readings["varav Gävle"] == "breakdown"
    assert readings["Kommunerna"] == "contribution"
    assert {figure.label for figure in report.figures} >= {"Gävle", "Hofors"}


def test_several_unknown_header_cells_beside_one_year_are_set_aside():
    parsed = parse_text("tkr\tBudget 2027\tAnsvarig\tKontakt\nKostnader\nKansli\t100\tAnna\tAnna A\n")
    assert parsed.lines[0].amounts == {2027: D(100000)}
    assert [kind for _index, _cell, kind in parsed.ignored_columns] == ["unknown", "unknown"]

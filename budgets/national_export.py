"""The export for Uppföljning Finsam, Försäkringskassan's national follow-up, of an adopted plan's budget year.

Two tables, each a list of rows keyed by the keys of `COLUMNS`:
- per insats (the plan's decided insatser, in the plan's order): its name, period, orientation (individual or
  structural), target group, the budgeted amount with the grant beside it, the outcome to date and the
  forecast, and the participants planned and reached by gender (women, men, not stated);
- per association: the allocated funds of the year (the budget's contribution rows: the state, the region,
  the municipalities, and their total, with the outcome to date), equity (opening, closing by the forecast)
  and administration (budget, outcome to date, forecast).

Every figure comes from the follow-up of the insatser and the budget (`budgets.followup_interventions`,
`budgets.followup`); nothing is computed twice. Amounts are whole kronor, whatever the plan's unit.
Insatser not yet decided (status "Ej beslutad") are left out: they are money not yet granted, not insatser
to report.

The file is Swedish whatever the reader's language (the national follow-up is), so its words are written
here as they are, not translated: the column names once, in `COLUMNS`, and nowhere else.

Formats: .xlsx (one sheet per table, styled as the budget workbook of `budgets.exporter`) and CSV, one file
per table, as Swedish Excel opens it with a double click: UTF-8 with a byte order mark (without it Excel
reads the file as Windows-1252 and breaks å, ä, ö) and semicolons between fields (Swedish Excel's list
separator, since the comma is the decimal sign). Dates are ISO (2027-01-01), amounts plain whole numbers.
A text that a spreadsheet would take for a formula (starting with =, +, -, @) is kept as text: a quote
before it in CSV, a text cell in .xlsx.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation

from budgets.calc import ZERO
from budgets.followup import BUDGET, FORECAST, TO_DATE, FollowUpResult
from budgets.followup_interventions import InterventionsOutcome, plan_interventions_outcome
from budgets.models import BudgetGroup
from finsam.models import Organisation
from finsam.money import round_half_up
from interventions.models import Intervention, InterventionYear
from plans.models import Plan

# The columns of the export: (key, Swedish column name), the one place a column's name is written.
# NOTE: the official field names of Uppföljning Finsam could not be checked when this was written (no
# network here): these names are finsam's own wording of the fields the national follow-up asks for, not
# copies of its forms. Compare them with the current forms before relying on a one-to-one match, and
# change a name here only.
COLUMNS: list[tuple[str, str]] = [
    ("year", "År"),
    ("association", "Samordningsförbund"),
    ("org_number", "Organisationsnummer"),
    ("outcome_through", "Utfall t.o.m. period"),
    # per insats
    ("intervention", "Insats"),
    ("start_date", "Startdatum"),
    ("end_date", "Slutdatum"),
    ("orientation", "Inriktning"),
    ("target_group", "Målgrupp"),
    ("budget", "Budget (kr)"),
    ("granted", "Beviljat (kr)"),
    ("outcome", "Utfall (kr)"),
    ("forecast", "Prognos helår (kr)"),
    ("planned_women", "Planerade deltagare, kvinnor"),
    ("planned_men", "Planerade deltagare, män"),
    ("planned_unstated", "Planerade deltagare, kön ej angivet"),
    ("actual_women", "Faktiska deltagare, kvinnor"),
    ("actual_men", "Faktiska deltagare, män"),
    ("actual_unstated", "Faktiska deltagare, kön ej angivet"),
    # per association
    ("allocated_state", "Tilldelade medel, staten (kr)"),
    ("allocated_region", "Tilldelade medel, region (kr)"),
    ("allocated_municipalities", "Tilldelade medel, kommuner (kr)"),
    ("allocated_total", "Tilldelade medel totalt (kr)"),
    ("allocated_outcome", "Tilldelade medel, utfall (kr)"),
    ("equity_opening", "Eget kapital vid årets början (kr)"),
    ("equity_closing_forecast", "Eget kapital vid årets slut, prognos (kr)"),
    ("administration_budget", "Administration, budget (kr)"),
    ("administration_outcome", "Administration, utfall (kr)"),
    ("administration_forecast", "Administration, prognos helår (kr)"),
]
COLUMN_NAMES = dict(COLUMNS)

INTERVENTION_KEYS = (
    "year",
    "association",
    "intervention",
    "start_date",
    "end_date",
    "orientation",
    "target_group",
    "budget",
    "granted",
    "outcome",
    "outcome_through",
    "forecast",
    "planned_women",
    "planned_men",
    "planned_unstated",
    "actual_women",
    "actual_men",
    "actual_unstated",
)
ASSOCIATION_KEYS = (
    "year",
    "association",
    "org_number",
    "allocated_state",
    "allocated_region",
    "allocated_municipalities",
    "allocated_total",
    "allocated_outcome",
    "outcome_through",
    "equity_opening",
    "equity_closing_forecast",
    "administration_budget",
    "administration_outcome",
    "administration_forecast",
)
# The keys whose values are whole kronor (number format in .xlsx) and dates.
MONEY_KEYS = {key for key, name in COLUMNS if name.endswith("(kr)")}
DATE_KEYS = {"start_date", "end_date"}

Value = str | int | datetime.date | None


@dataclass
class NationalTable:
    name: str  # the sheet's name and the CSV file's last word
    keys: tuple[str, ...]
    rows: list[dict[str, Value]]

    @property
    def header(self) -> list[str]:
        return [COLUMN_NAMES[key] for key in self.keys]


@dataclass
class NationalFollowUp:
    plan: Plan
    year: int
    outcome_through: str  # the last period with outcome ("T2 maj–aug"), blank before any
    interventions: NationalTable
    association: NationalTable

    @property
    def tables(self) -> list[NationalTable]:
        return [self.interventions, self.association]


def kronor(value: Decimal | None) -> int | None:
    return None if value is None else int(round_half_up(value))


def intervention_rows(outcome: InterventionsOutcome, common: dict[str, Value]) -> list[dict[str, Value]]:
    """One row per decided insats of the plan (see the module's doc)."""
    rows = []
    for item in outcome.rows:
        intervention = item.intervention
        if intervention.status == Intervention.Status.UNDECIDED:
            continue
        followed = item.followed
        people = {
            name: getattr(followed, name) if followed else None
            for name in (*InterventionYear.PLANNED, *InterventionYear.ACTUAL)
        }
        rows.append(
            {
                **common,
                "intervention": intervention.name,
                "start_date": intervention.start_date,
                "end_date": intervention.end_date,
                "orientation": str(intervention.get_kind_display()),
                "target_group": intervention.target_group.strip(),
                "budget": kronor(item.budget),
                "granted": kronor(item.grant),
                "outcome": kronor(item.to_date),
                "forecast": kronor(item.forecast),
                **people,
            }
        )
    return rows


def _groups(followup: FollowUpResult, kind: str):
    return [
        group
        for _section, _heading, groups in followup.sections
        for group in groups
        if group.group.kind == kind
    ]


def allocated_funds(followup: FollowUpResult) -> dict[str, int | None]:
    """The members' contributions of the year by the budget's contribution rows: the state's, the region's,
    the municipalities' (each by the kind of the organisations its row is paid by) and the total, budget and
    outcome to date. Without a contributions group only the year's total is known (the column's)."""
    groups = _groups(followup, BudgetGroup.Kind.CONTRIBUTIONS)
    if not groups:
        return {
            "allocated_state": None,
            "allocated_region": None,
            "allocated_municipalities": None,
            "allocated_total": kronor(followup.budget.contributions.get(followup.year)),
            "allocated_outcome": None,
        }
    parts: dict[str, Decimal] = {}
    for group in groups:
        for follow in group.rows:
            kinds = {organisation.kind for organisation in follow.row.organisations}
            if len(kinds) == 1:
                kind = kinds.pop()
                parts[kind] = parts.get(kind, ZERO) + follow.amounts[BUDGET]
    return {
        "allocated_state": kronor(parts.get(Organisation.Kind.STATE)),
        "allocated_region": kronor(parts.get(Organisation.Kind.REGION)),
        "allocated_municipalities": kronor(parts.get(Organisation.Kind.MUNICIPALITY)),
        "allocated_total": kronor(sum((g.result.totals[BUDGET] for g in groups), ZERO)),
        "allocated_outcome": kronor(sum((g.result.totals[TO_DATE] for g in groups), ZERO)),
    }


def administration(followup: FollowUpResult) -> dict[str, int | None]:
    """The administration groups' budget, outcome to date and forecast (blank without such a group)."""
    groups = _groups(followup, BudgetGroup.Kind.ADMINISTRATION)

    def total(measure: int) -> int | None:
        return kronor(sum((g.result.totals[measure] for g in groups), ZERO)) if groups else None

    return {
        "administration_budget": total(BUDGET),
        "administration_outcome": total(TO_DATE),
        "administration_forecast": total(FORECAST),
    }


def national_followup(plan: Plan) -> NationalFollowUp:
    """The export's rows for `plan`'s budget year (the queries of `plan_interventions_outcome`, however
    many insatser and budget rows). In Swedish whatever the reader's language: the period's and the
    orientation's names too."""
    with translation.override("sv"):
        outcome = plan_interventions_outcome(plan)
        followup = outcome.followup
        association = plan.association
        common: dict[str, Value] = {
            "year": followup.year,
            "association": association.name,
            "outcome_through": outcome.outcome_through,
        }
        interventions = intervention_rows(outcome, common)
    association_row = {
        **common,
        "org_number": association.org_number,
        **allocated_funds(followup),
        "equity_opening": kronor(followup.opening_equity),
        "equity_closing_forecast": kronor(followup.closing_equity_forecast),
        **administration(followup),
    }
    return NationalFollowUp(
        plan=plan,
        year=followup.year,
        outcome_through=outcome.outcome_through,
        interventions=NationalTable(
            "insatser", INTERVENTION_KEYS, [in_order(row, INTERVENTION_KEYS) for row in interventions]
        ),
        association=NationalTable(
            "forbundet", ASSOCIATION_KEYS, [in_order(association_row, ASSOCIATION_KEYS)]
        ),
    )


def in_order(row: dict[str, Value], keys: tuple[str, ...]) -> dict[str, Value]:
    """The row's values in the table's order of columns: every column has one."""
    return {key: row[key] for key in keys}


# --- Files -------------------------------------------------------------------------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLES = {"insatser": "Insatser", "forbundet": "Förbundet"}
# Characters XML 1.0 cannot hold (a form feed or vertical tab pasted from Word): left out of a workbook.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def national_filename(export: NationalFollowUp, extension: str, table: NationalTable | None = None) -> str:
    """`uppfoljning-finsam-ornskoldsvik-2020.xlsx`, `uppfoljning-finsam-ornskoldsvik-2020-insatser.csv`."""
    part = f"-{table.name}" if table else ""
    return f"uppfoljning-finsam-{export.plan.association.slug}-{export.year}{part}.{extension}"


def csv_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # a spreadsheet would run it as a formula
    return str(value)


def national_csv(table: NationalTable) -> bytes:
    """One table as CSV for Swedish Excel (see the module's doc)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([csv_text(row[key]) for key in table.keys])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def national_xlsx(export: NationalFollowUp) -> bytes:
    """Both tables as a workbook, one sheet each, in the budget workbook's style (`budgets.exporter`)."""
    from openpyxl import Workbook  # openpyxl only for an export: not at start-up
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.properties.title = XML_ILLEGAL.sub(
        "", f"Uppföljning Finsam {export.year}, {export.plan.association.name}"
    )
    workbook.properties.creator = "finsam"
    header_row = 4  # title, caption, a blank row, then the header
    through = f" Utfall t.o.m. {export.outcome_through}." if export.outcome_through else " Inget utfall ännu."
    for index, table in enumerate(export.tables):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = SHEET_TITLES[table.name]
        sheet["A1"] = workbook.properties.title
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A2"] = XML_ILLEGAL.sub(
            "", f"{sheet.title}. Belopp i kronor.{through} Underlag från {export.plan.title}."
        )
        sheet["A2"].font = Font(italic=True)
        for column, name in enumerate(table.header, start=1):
            cell = sheet.cell(header_row, column, name)
            cell.font = Font(bold=True)
            cell.border = Border(bottom=Side(style="medium"))
            cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        for offset, row in enumerate(table.rows, start=1):
            for column, key in enumerate(table.keys, start=1):
                value = row[key]
                cell = sheet.cell(header_row + offset, column)
                if isinstance(value, str):
                    cell.value = XML_ILLEGAL.sub("", value)
                    cell.data_type = "s"  # never a formula, whatever it starts with
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                else:
                    cell.value = value
                    cell.alignment = Alignment(vertical="top")
                if key in MONEY_KEYS:
                    cell.number_format = "#,##0"
                elif key in DATE_KEYS:
                    cell.number_format = "yyyy-mm-dd"
        for column, key in enumerate(table.keys, start=1):
            width = 40 if key in ("intervention", "target_group", "association") else 16
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = f"B{header_row + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

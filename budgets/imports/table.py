"""The parsed table: what a budget table, pasted or uploaded, was read as; its limits and its words.

Reading a budget table, pasted from Word or Excel or uploaded as .xlsx, into a `ParsedBudget`.

Pure functions: text (or an uploaded file's bytes) in, a `ParsedBudget` out, or `BudgetParseError` with
every problem found, in Swedish. Nothing here touches the database. Which revenue rows are member
contributions and which cost rows are interventions is decided by `budgets.imports.classify`, which knows the
association; an .xlsx file is first turned into the same tab-separated text a paste gives
(`xlsx_to_text`), so there is one parser and the confirm step can carry the text in a form field.

What a table may look like (the seeds' tables, and the shapes of tests/data/budget_tables):
- cells separated by tabs (a paste from Word or Excel); without any tab, by runs of two or more spaces
  (or by semicolons, as a Swedish Excel saves CSV); bullets and numbering before a label are dropped;
- a header row naming the years, its words in any order ("Budget 2024", "2024 Budget", "Bokslut 2022");
  kind words also in a row of their own just above or below the years, or in the title ("Budget 2020,
  Plan 2021-2022"); multi-year totals ("Totalt 2024-2026", "2024–2026 Totalt", "Summa"), note and percent
  columns are not read, and a header cell finsam does not know is set aside (`ignored_columns`), never
  a reason to refuse the table; a second header with other years below the table ends it;
- the unit in the header or the few title or caption lines above it (tkr, Tkr, tkr., TSEK, kSEK,
  tusental kronor, mnkr, Mkr, miljoner kronor, kr, kronor, SEK); without one, kronor;
- section headings (Intäkter, Kostnader) and group headings: a label with no amounts;
- amounts as `finsam.money.parse_amount` reads a table cell (spaces, no-break and thin spaces or dots
  between thousands, a decimal comma, `-`, `−`, `–` or parentheses for negatives), a lone dash as zero;
- rows whose label begins with Summa, Totalt or Resultat are *stated totals*, matched to what they total
  by content (the lines above sum to it) before position and name; a sum with no detail lines above it
  carries its group's amounts and is read as a line; result rows before and after financial items,
  financial income and costs (also below the result), opening and closing equity and "varav" rows are
  recognised (`ParsedBudget.readings` says what every row was read as); the result before financial
  items, the totals printed above financial items and the sums printed among them are stated figures
  compared like the others.
Costs come out positive whatever the table's sign convention, which is reported in `costs_negative`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

MAX_TEXT_LENGTH = 200_000  # characters; a budget table is a few kilobytes
MAX_ROWS = 2_000
MAX_COLUMNS = 30
MAX_ERRORS = 20
MAX_LABEL_LENGTH = 300
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED = 5 * 1024 * 1024  # the zip's declared sizes: a zip bomb dressed as a workbook
MAX_XLSX_PARTS = 1_000  # files in the zip: a workbook has a few dozen
MAX_XLSX_COLUMNS = 40  # columns read from a sheet; content further right refuses the file
MAX_XLSX_CELLS = MAX_ROWS * MAX_XLSX_COLUMNS  # cells parsed, across the sheets tried
MAX_XLSX_ROW_ELEMENTS = 4 * MAX_ROWS  # rows parsed, empty formatted ones included

OUTCOME, FORECAST, BUDGET, PLAN = "outcome", "forecast", "budget", "plan"
KIND_WORDS = {"utfall": OUTCOME, "bokslut": OUTCOME, "prognos": FORECAST, "budget": BUDGET, "plan": PLAN}
KIND = r"utfall|bokslut|prognos|budget|plan"
YEAR = r"(?:19|20)\d\d"
YEAR_CELL = re.compile(rf"(?:(?P<kind1>{KIND})\.?\s*)?(?P<year>{YEAR})(?:\s*(?P<kind2>{KIND}))?", re.I)
TITLE_KINDS = re.compile(rf"\b({KIND})\s+({YEAR})(?:\s*[-–—]\s*({YEAR}))?", re.I)
# Units, most specific first: millions, thousands, kronor. A "." after an abbreviation is allowed.
UNIT_MKR = re.compile(r"\b(?:mnkr|mkr|msek|mn kr|miljoner kronor|miljoner kr)\b", re.I)
UNIT_TKR = re.compile(
    r"\b(?:tkr|kkr|tsek|ksek|tusen kr|(?:belopp i )?tusen(?:tal|tals)? kronor|tusental kr)\b", re.I
)
UNIT_KR = re.compile(r"\b(?:kr|kronor|sek)\b", re.I)
UNIT_WORDS = re.compile(
    r"\(?\b(?:belopp i|belopp|mnkr|mkr|msek|miljoner|tkr|kkr|tsek|ksek|tusen(?:tal|tals)?|kr|kronor|sek)\b\.?\)?",
    re.I,
)
# Words of a header cell: the kind of a year column, a multi-year total, a note or percent column, and
# fillers that say nothing ("år", "helår").
TOTAL_WORDS = {"totalt", "total", "summa", "sammanlagt", "tot"}
NOTE_WORDS = {"not", "noter", "not nr", "notnr", "anm", "anmärkning", "kommentar", "kommentarer"}
PERCENT_WORDS = {"%", "procent", "andel", "andel %", "förändring %", "förändring", "diff", "differens",
                 "avvikelse"}  # fmt: skip
FILLER_WORDS = {"år", "helår", "årets", "för", "av", "hela", "året"}
# A bullet or numbering before a label: "- ", "• ", "1. ", "1.2 ", "a) ".
BULLET = re.compile(
    r"^(?:[-–•·▪◦‣○●]\s+|\d{1,2}(?:\.\d{1,2})*[.)]\s+|\d{1,2}\.\d{1,2}\s+|[a-zåäö][.)]\s+)", re.I
)
STATED = re.compile(
    r"^(?:summa|totalt?|totala|delsumma|resultat\w*|årets resultat|periodens resultat|beräknat resultat"
    r"|budgeterat resultat|över-?\s*/\s*underskott|överskott|underskott)\b"
    r"|^(?:intäkter|kostnader|verksamhetens (?:intäkter|kostnader))\s+(?:totalt|summa)$",
    re.I,
)
RESULT = re.compile(
    r"^(?:resultat\w*|årets resultat|periodens resultat|beräknat resultat|budgeterat resultat"
    r"|över-?\s*/\s*underskott|överskott|underskott)\b",
    re.I,
)
RESULT_BEFORE_FINANCIAL = re.compile(r"före finansiella|före finansnetto|rörelseresultat", re.I)
OPENING_EQUITY = re.compile(
    r"^(?:ingående eget kapital|eget kapital,? (?:vid )?(?:årets|periodens) (?:början|ingång)"
    r"|eget kapital,? ingående(?: balans)?|ingående balans|eget kapital 1 jan|eget kapital 01-01"
    r"|balanserat resultat|balanserade medel|ingående kapital)",
    re.I,
)
CLOSING_EQUITY = re.compile(
    r"^(?:utgående eget kapital|eget kapital,? (?:vid )?(?:årets|periodens) (?:slut|utgång)"
    r"|eget kapital,? utgående(?: balans)?|utgående balans|eget kapital 31 dec|eget kapital 12-31"
    r"|utgående kapital|eget kapital$)",
    re.I,
)
OTHER_EQUITY = re.compile(r"^(?:utgående )?eget kapital|^disponibelt|^förändring (?:av )?eget kapital", re.I)
FINANCIAL_INCOME = re.compile(r"^(?:finansiella intäkter|ränteintäkter|ränta på|räntor?$|finansnetto)", re.I)
FINANCIAL_COST = re.compile(r"^(?:finansiella kostnader|räntekostnader|bankkostnader|bankavgifter)", re.I)
SECTION_TOTAL_WORDS = re.compile(r"intäkt|inkomst|kostnad|utgift", re.I)
BREAKDOWN = re.compile(r"^(?:varav|därav|varav:|därav:)\s*", re.I)
REVENUE_HEADINGS = re.compile(r"^(?:intäkter|inkomster|finansiering|intäkter och bidrag)$", re.I)
COST_HEADINGS = re.compile(r"^(?:kostnader|utgifter|kostnader och utgifter)$", re.I)
COST_WORDS = re.compile(
    r"kostnad|admin|kansli|förvaltning|styrning|personal|insats|projekt|samverkansmedel|arvode|lokal|hyra",
    re.I,
)
REVENUE_WORDS = re.compile(r"intäkt|medlem|avgift|bidrag|tilldelning|ränt|finansiell|insats från", re.I)
ADMINISTRATION_WORDS = re.compile(r"admin|kansli|förvaltning|styrning|personal|förbundschef", re.I)
UNDECIDED_WORDS = re.compile(
    r"ej beslutad|ej beviljad|ej fördelad|ofördelad|tillgänglig|tillkommande|outnyttjad|reserv", re.I
)
FINANCIAL_WORDS = re.compile(r"ränt|finansiell", re.I)
PROJECT_COST_WORDS = re.compile(r"projektrelaterad", re.I)
DASHES = re.compile(r"^[-–—−=_.\s]+$")
SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")


class BudgetParseError(Exception):
    """The table cannot be imported; `messages` are Swedish sentences, one per problem found."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class ParsedColumn:
    year: int
    kind: str  # a BudgetColumn.Kind value
    inferred: bool = False  # the table names no kind for this year: guessed from its position
    header: str = ""  # the header cell as the table prints it
    index: int | None = None  # its position among the header's cells after the label


@dataclass
class ParsedLine:
    label: str
    amounts: dict[int, Decimal]  # whole kronor; costs positive
    row: int  # line number in the text
    undecided: bool = False
    parent: str = ""  # for a breakdown ("varav") row: the label of the row it breaks down


@dataclass
class ParsedGroup:
    section: str  # "revenue" | "costs"
    kind: str  # a BudgetGroup.Kind value, never a computed one (decided later with the association)
    name: str
    lines: list[ParsedLine] = field(default_factory=list)
    row: int | None = None  # line number of its heading
    is_section: bool = False  # the lines stood right under a section heading ("Kostnader")
    summed_under: str = ""  # the name of a subtotal the table prints over this group and its neighbours


@dataclass
class RowReading:
    """What finsam read one row of the table as: the first guess a preview shows and lets the user change.

    `reading` is one of: heading (a section or group heading), line (a budget line in `group`),
    group_total (the subtotal of `group`), revenue_total, costs_total, result_before_financial,
    financial_income, financial_cost, result, opening_equity, closing_equity, breakdown (a "varav" part
    of the row above, never counted), subtotal (a sum over several groups, not compared), note (a row
    that is read but not used: a percent of the contributions, a footnote). A revenue or costs total
    printed above financial items that stand below the result is revenue_total_before_financial or
    costs_total_before_financial (compared with finsam's total without those items); a sum among the
    financial items below the result is financial_net (income less costs), a financial group's
    group_total, or the revenue or costs total with them.
    `budgets.imports.classify` adds what the association's members make of revenue rows: contribution,
    contributions_total (in `ImportSpec.readings`).
    """

    row: int  # line number in the text
    label: str  # as printed, bullets and numbering stripped
    reading: str
    group: str = ""  # the group's name, for a line or a group total
    amounts: dict[int, Decimal] = field(default_factory=dict)  # kronor as printed (signs as in the table)


@dataclass
class ParsedStated:
    label: str
    target: str  # a StatedFigure.Target value: group, revenue, costs, result or one around financial items
    amounts: dict[int, Decimal]  # whole kronor, in finsam's signs (costs positive)
    row: int
    group: int | None = None  # index into ParsedBudget.groups for a group total


@dataclass
class ParsedBudget:
    text: str
    unit: str  # "kr" | "tkr"
    decimals: int
    costs_negative: bool
    columns: list[ParsedColumn]
    groups: list[ParsedGroup]
    stated: list[ParsedStated]
    opening_equity: Decimal | None = None
    notes: list[str] = field(default_factory=list)
    title: str = ""
    readings: list[RowReading] = field(default_factory=list)
    closing_equity: dict[int, Decimal] = field(default_factory=dict)
    breakdowns: list[ParsedLine] = field(default_factory=list)  # "varav" rows, in finsam's signs
    scale: str = "kr"  # what the table's figures count: "kr", "tkr" or "mkr"
    # Header cells not read as years: (position among the header's cells after the label, the cell, what
    # it was read as: total, note, percent or unknown), for the preview to let the user say otherwise.
    ignored_columns: list[tuple[int, str, str]] = field(default_factory=list)
    # Rows the user read as a member's contribution or the members' total (row number -> reading), for
    # `budgets.imports.classify.build_spec` to count as such whatever their label says.
    forced: dict[int, str] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return [column.year for column in self.columns]

    @property
    def lines(self) -> list[ParsedLine]:
        return [line for group in self.groups for line in group.lines]


@dataclass
class TextRow:
    number: int  # 1-based line number in the text
    cells: list[str]

    @property
    def label(self) -> str:
        return self.cells[0] if self.cells else ""

    @property
    def values(self) -> list[str]:
        return self.cells[1:]

    @property
    def is_blank(self) -> bool:
        return not any(self.cells)


# --- splitting the text into cells -------------------------------------------------------------------


def clean_cell(text: str) -> str:
    return SPACES.sub(" ", text).strip().strip('"').strip()


def strip_bullet(label: str) -> str:
    """A label without the bullet or numbering Word put before it ("- ", "• ", "1. ", "a) ")."""
    stripped = BULLET.sub("", label, count=1).strip()
    return stripped or label


def split_rows(text: str) -> tuple[list[TextRow], str]:
    """The text's lines as rows of cells, and the separator used ("tab", "semicolon" or "spaces")."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if any("\t" in line for line in lines):
        mode = "tab"
        raw = [line.split("\t") for line in lines]
    elif sum(1 for line in lines if line.count(";") >= 1) >= max(
        2, len([x for x in lines if x.strip()]) // 2
    ):
        mode = "semicolon"
        raw = [line.split(";") for line in lines]
    else:
        mode = "spaces"
        raw = [re.split(r"[ \t]{2,}", line.rstrip()) for line in lines]
    rows = [
        TextRow(number, [clean_cell(cell) for cell in cells]) for number, cells in enumerate(raw, start=1)
    ]
    for row in rows:
        while row.cells and not row.cells[-1]:
            row.cells.pop()

    # A table copied with an empty first column (labels indented one cell) reads as if it had none.
    starts = [next(i for i, cell in enumerate(row.cells) if cell) for row in rows if not row.is_blank]
    shift = min(starts, default=0)
    if shift:
        for row in rows:
            row.cells = row.cells[shift:]
    for row in rows:
        if row.cells and row.cells[0]:
            row.cells[0] = strip_bullet(row.cells[0])
    return rows, mode

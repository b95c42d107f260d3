"""The parsed table: what a budget table, pasted or uploaded, was read as; its limits and its words.

Reading a budget table, pasted from Word or Excel or uploaded as .xlsx, into a `ParsedBudget`.

Pure functions: text (or an uploaded file's bytes) in, a `ParsedBudget` out, or `BudgetParseError` with
every problem found, in Swedish. Nothing here touches the database. Which revenue rows are member
contributions and which cost rows are interventions is decided by `budgets.imports.classify`, which knows the
association; an .xlsx file is first turned into the same tab-separated text a paste gives
(`xlsx_to_text`), so there is one parser and the confirm step can carry the text in a form field.

What a table may look like (the seeds' tables, and real ones like them):
- cells separated by tabs (a paste from Word or Excel); without any tab, by runs of two or more spaces
  (or by semicolons, as a Swedish Excel saves CSV);
- a header row naming the years; kind words (Utfall, Prognos, Budget, Plan) in the year cells ("Budget
  2020"), in a row of their own just above or below the years, or in the title ("Budget 2020, Plan
  2021-2022"); a column that is a multi-year total ("Totalt 2020–2022") is recomputed, not read;
- the unit in the title or header (`tkr`, `kkr`, "(tkr)", `kr`, `kronor`); without one, kronor;
- section headings (Intäkter, Kostnader) and group headings: a label with no amounts;
- amounts as `finsam.money.parse_amount` reads them (spaces, no-break and thin spaces between
  thousands, a decimal comma, `-`, `−` or `–` for negatives), blank cells, a lone dash as zero;
- rows whose label begins with Summa, Totalt or Resultat are *stated totals*: never lines, kept to be
  compared with what finsam computes (target: the group they close, revenue, costs or the result);
- "Ingående eget kapital" gives the opening equity; other equity rows are computed and skipped.
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
TOTAL_CELL = re.compile(
    rf"(?:(?:totalt?|summa)\s*)?{YEAR}\s*[-–—/]\s*(?:{YEAR}|\d\d)|totalt?|summa|total\s+{YEAR}", re.I
)
TITLE_KINDS = re.compile(rf"\b({KIND})\s+({YEAR})(?:\s*[-–—]\s*({YEAR}))?", re.I)
UNIT_TKR = re.compile(r"\b(?:tkr|kkr|tsek|ksek|tusen(?:tals?)? kronor)\b", re.I)
UNIT_KR = re.compile(r"\b(?:kr|kronor|sek)\b", re.I)
UNIT_WORDS = re.compile(r"\(?\b(?:tkr|kkr|tsek|ksek|kr|kronor|sek|belopp i)\b\)?", re.I)
STATED = re.compile(r"^(?:summa|totalt?|resultat\w*|årets resultat)\b", re.I)
OPENING_EQUITY = re.compile(
    r"^(?:ingående eget kapital|eget kapital vid årets (?:början|ingång)|ingående balans)", re.I
)
OTHER_EQUITY = re.compile(r"^(?:utgående )?eget kapital|^disponibelt", re.I)
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


@dataclass
class ParsedLine:
    label: str
    amounts: dict[int, Decimal]  # whole kronor; costs positive
    row: int  # line number in the text
    undecided: bool = False


@dataclass
class ParsedGroup:
    section: str  # "revenue" | "costs"
    kind: str  # a BudgetGroup.Kind value, never a computed one (decided later with the association)
    name: str
    lines: list[ParsedLine] = field(default_factory=list)
    row: int | None = None  # line number of its heading
    is_section: bool = False  # the lines stood right under a section heading ("Kostnader")


@dataclass
class ParsedStated:
    label: str
    target: str  # a StatedFigure.Target value: group, revenue, costs or result
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
    return rows, mode

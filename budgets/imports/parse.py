"""Reading a budget table into a `ParsedBudget`: its header (years, kinds, unit) and its rows.

Pure functions: text in, a `ParsedBudget` out, or `BudgetParseError` with every problem found, in
Swedish (see `budgets.imports.table` for what a table may look like).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from budgets.imports.body import Collector, read_body
from budgets.imports.classify import (
    shorten,
    strip_heading,
)
from budgets.imports.header import find_header, header_cell, header_problem, is_kind_row, kind_word
from budgets.imports.table import (
    BUDGET,
    COST_HEADINGS,
    FORECAST,
    KIND_WORDS,
    MAX_COLUMNS,
    MAX_ERRORS,
    MAX_ROWS,
    MAX_TEXT_LENGTH,
    OUTCOME,
    PLAN,
    REVENUE_HEADINGS,
    TITLE_KINDS,
    UNIT_KR,
    UNIT_MKR,
    UNIT_TKR,
    BudgetParseError,
    ParsedBudget,
    ParsedColumn,
    split_rows,
)

# --- the parser ---------------------------------------------------------------------------------------


def parse_text(
    text: str, *, unit: str | None = None, columns: dict[int, tuple[int, str] | None] | None = None
) -> ParsedBudget:
    """Read a pasted budget table. `unit` ("kr"/"tkr") overrides what the table says; `columns` what the
    user said a header cell is (by its position after the label: a year and kind, or None to not read it).

    Raises `BudgetParseError` with every problem found; returns only a budget that can be imported whole.
    """
    if text is None or not text.strip():
        raise BudgetParseError([_("Tabellen är tom. Klistra in budgettabellen eller välj en fil.")])
    if len(text) > MAX_TEXT_LENGTH:
        raise BudgetParseError(
            [
                _("Texten är för lång för en budgettabell (högst %(max)s tecken).")
                % {"max": f"{MAX_TEXT_LENGTH:,}".replace(",", " ")}
            ]
        )
    rows, mode = split_rows(text)
    if len([row for row in rows if not row.is_blank]) > MAX_ROWS:
        raise BudgetParseError([_("Tabellen har fler än %(max)s rader.") % {"max": MAX_ROWS}])
    header_index = find_header(rows)
    if header_index is None:
        raise BudgetParseError([header_problem(rows)])
    found = Collector()
    header = rows[header_index]
    above = [row for row in rows[:header_index] if not row.is_blank]
    kind_row = above[-1] if above and is_kind_row(above[-1]) else None
    below_index = next((i for i in range(header_index + 1, len(rows)) if not rows[i].is_blank), None)
    kind_row_below = None
    if below_index is not None and not rows[below_index].label and is_kind_row(rows[below_index]):
        kind_row_below = rows[below_index]
    # The table's title (unit, "Budget 2020, Plan 2021-2022") is in the few one-cell lines just above it;
    # anything further up (the rest of a pasted document) is not read.
    nearest = [row for row in above if row is not kind_row][-3:]
    title_rows = [row for row in nearest if len([c for c in row.cells if c]) <= 1]
    skipped = len(above) - len(title_rows) - (1 if kind_row else 0)
    if skipped:
        found.notes.append(_("%(count)s rader före tabellens rubrikrad lästes inte.") % {"count": skipped})
    header_is_section = bool(
        REVENUE_HEADINGS.fullmatch(strip_heading(header.label))
        or COST_HEADINGS.fullmatch(strip_heading(header.label))
    )
    title = " ".join(
        [next((c for c in row.cells if c), "") for row in title_rows]
        + ([kind_row.label] if kind_row and kind_row.label else [])
        + ([] if header_is_section else [header.label])
    ).strip()

    # Columns: which header cell is which year (the user's word first).
    columns_said = columns or {}
    column_of_cell: dict[int, int] = {}  # index in row.values -> year
    columns: list[ParsedColumn] = []
    total_headers = []
    unknown_headers = []
    for index, cell in enumerate(header.values):
        what, year, kind = header_cell(cell)
        if index in columns_said:
            said = columns_said[index]
            if said is None:
                continue
            what, (year, kind) = "year", said
        if what == "year":
            if any(column.year == year for column in columns):
                found.error(_("Året %(year)s står två gånger i rubrikraden.") % {"year": year})
                continue
            column_of_cell[index] = year
            columns.append(ParsedColumn(year, kind or "", header=cell, index=index))
        elif what == "total":
            total_headers.append(cell)
        elif what == "unknown":
            unknown_headers.append(cell)
    if len(columns) > MAX_COLUMNS:
        raise BudgetParseError([_("Tabellen har för många årskolumner.")])
    for kinds_row in (kind_row, kind_row_below):
        if kinds_row is None:
            continue
        values = kinds_row.values
        if mode == "spaces" and len([c for c in values if c]) < len(header.values):
            # Spaces cannot show an empty cell: kind words sit over the last columns.
            words = [c for c in values if c]
            values = [""] * (len(header.values) - len(words)) + words
        for index, cell in enumerate(values):
            if index in column_of_cell and cell:
                column = next(c for c in columns if c.year == column_of_cell[index])
                column.kind = column.kind or kind_word(cell) or ""
    apply_title_kinds(columns, title)
    infer_kinds(columns, found)
    if total_headers:
        found.notes.append(
            _("Kolumnen ”%(header)s” är en summa över åren; finsam räknar fram den och läser den inte.")
            % {"header": total_headers[0]}
        )
    for cell in unknown_headers:
        found.notes.append(
            _("Kolumnen ”%(header)s” känns inte igen och lästes inte; ange vad den är om den ska med.")
            % {"header": shorten(cell)}
        )

    # Unit: the caller's choice, else the table's words, else kronor.
    unit_text = " ".join([title, *header.values, *(kind_row.values if kind_row else [])])
    scale = "kr"  # what the table's figures count: kronor, thousands or millions
    if unit in ("kr", "tkr"):
        scale = unit
    else:
        if UNIT_MKR.search(unit_text):
            unit, scale = "tkr", "mkr"
        elif UNIT_TKR.search(unit_text):
            unit = scale = "tkr"
        elif UNIT_KR.search(unit_text):
            unit = scale = "kr"
        else:
            unit = scale = "kr"
            found.notes.append(
                _(
                    "Tabellen anger ingen enhet; beloppen lästes som kronor. Välj tkr om tabellen är i tusental."
                )
            )

    body_start = header_index + 1
    body = [row for row in rows[body_start:] if row is not kind_row_below]
    read = read_body(body, header=header, column_of_cell=column_of_cell, unit=scale, mode=mode, found=found)
    groups, stated, opening_equity, costs_negative = (
        read.groups,
        read.stated,
        read.opening_equity,
        read.costs_negative,
    )
    if found.errors:
        raise BudgetParseError(limit_errors(found.errors))
    if not any(group.lines for group in groups):
        raise BudgetParseError([_("Tabellen har inga budgetrader med belopp under rubrikraden.")])
    for group in groups:
        if not group.lines:
            found.notes.append(
                _("Rubriken ”%(name)s” har inga rader och blir ingen grupp.") % {"name": group.name}
            )
    kept = [group for group in groups if group.lines]
    index_map = {id(group): i for i, group in enumerate(kept)}
    for figure in stated:
        if figure.group is not None:
            figure.group = index_map.get(id(groups[figure.group]))
            if figure.group is None:
                figure.target = ""
    stated = [figure for figure in stated if figure.target]
    amounts = [amount for group in kept for line in group.lines for amount in line.amounts.values()]
    decimals = 1 if unit == "tkr" and any(amount % 1000 for amount in amounts) else 0
    years = [column.year for column in columns]
    if years != list(range(years[0], years[0] + len(years))):
        found.notes.append(_("Åren i rubrikraden följer inte på varandra."))
    return ParsedBudget(
        text=text,
        unit=unit,
        decimals=decimals,
        costs_negative=costs_negative,
        columns=columns,
        groups=kept,
        stated=stated,
        opening_equity=opening_equity,
        notes=found.notes,
        title=title,
        readings=read.readings,
        closing_equity=read.closing_equity,
        breakdowns=read.breakdowns,
        scale=scale,
        ignored_columns=[
            (index, cell, header_cell(cell)[0])
            for index, cell in enumerate(header.values)
            if cell
            and index not in column_of_cell
            and (index in columns_said or header_cell(cell)[0] in ("total", "note", "percent", "unknown"))
        ],
    )


def limit_errors(errors: list[str]) -> list[str]:
    if len(errors) <= MAX_ERRORS:
        return errors
    more = len(errors) - MAX_ERRORS
    return [*errors[:MAX_ERRORS], _("… och %(count)s fel till.") % {"count": more}]


def apply_title_kinds(columns: list[ParsedColumn], title: str) -> None:
    """ "Budget 2020, Plan 2021-2022" in the title gives the kinds of columns that have none. A "Budget"
    over several years ("Budget 2022-2024, tkr") names the document, not the columns' kinds."""
    for match in TITLE_KINDS.finditer(title):
        kind = KIND_WORDS[match[1].lower()]
        first = int(match[2])
        last = int(match[3]) if match[3] else first
        if kind == BUDGET and last > first:
            continue
        for column in columns:
            if first <= column.year <= last and not column.kind:
                column.kind = kind


def infer_kinds(columns: list[ParsedColumn], found: Collector) -> None:
    """Columns the table gives no kind: the earliest becomes the budget year if there is none, later years
    plan years, earlier ones forecasts. Each guess is flagged for the preview."""
    budget_year = next((column.year for column in columns if column.kind == BUDGET), None)
    if budget_year is None:
        # The earliest year without a kind after any outcome or forecast, whatever the column order.
        past = max((c.year for c in columns if c.kind in (OUTCOME, FORECAST)), default=0)
        candidate = min(
            (column for column in columns if not column.kind and column.year > past),
            key=lambda column: column.year,
            default=None,
        )
        if candidate is not None:
            candidate.kind, candidate.inferred = BUDGET, True
            budget_year = candidate.year
    for column in columns:
        if not column.kind:
            column.kind = PLAN if budget_year is None or column.year > budget_year else FORECAST
            column.inferred = True
    guessed = [column for column in columns if column.inferred]
    if guessed:
        labels = {OUTCOME: _("utfall"), FORECAST: _("prognos"), BUDGET: _("budget"), PLAN: _("plan")}
        found.notes.append(
            _("Tabellen anger inte typ för %(columns)s; finsam antar %(guesses)s.")
            % {
                "columns": ", ".join(str(column.year) for column in guessed),
                "guesses": ", ".join(f"{labels[column.kind]} {column.year}" for column in guessed),
            }
        )

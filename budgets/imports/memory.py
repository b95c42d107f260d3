"""The readings a user confirmed at an import, remembered per association (`ImportReading`) and offered
as the first guess when a later table has the same row label or column header."""

from __future__ import annotations

from budgets.imports.classify import build_spec, normalise
from budgets.imports.header import YEARS, header_cell
from budgets.imports.overrides import (
    IGNORE,
    Overrides,
    apply_row_readings,
    changed_columns,
    changed_rows,
    read_overrides,
)
from budgets.imports.parse import parse_text
from budgets.imports.table import BudgetParseError, ParsedBudget
from budgets.models import ImportReading
from finsam.models import Association


def row_key(label: str) -> str:
    return normalise(label)[:300]


def column_key(header: str) -> str:
    """A header without its years: "Prognos 2024" and next year's "Prognos 2025" are the same column."""
    return " ".join(YEARS.sub("#", normalise(header)).split())[:300]


def first_year(parsed: ParsedBudget) -> int | None:
    """The year other years are counted from: the first the table's own header gives."""
    years = [year for column in parsed.columns if (year := header_cell(column.header)[1]) is not None]
    years = years or parsed.years
    return min(years) if years else None


def header_cells(parsed: ParsedBudget) -> dict[int, str]:
    cells = {index: cell for index, cell, _what in parsed.ignored_columns}
    cells |= {column.index: column.header for column in parsed.columns if column.index is not None}
    return cells


def remembered_overrides(*, association: Association, parsed: ParsedBudget) -> Overrides:
    """What the association confirmed before for this table's rows and columns (one query)."""
    rows = {reading.row: row_key(reading.label) for reading in parsed.readings}
    columns = {index: column_key(cell) for index, cell in header_cells(parsed).items()}
    keys = set(rows.values()) | set(columns.values())
    if not keys:
        return Overrides()
    saved = {
        (kind, key): value
        for kind, key, value in association.import_readings.filter(key__in=keys).values_list(
            "kind", "key", "value"
        )
    }
    found = Overrides()
    for row, key in rows.items():
        if value := saved.get((ImportReading.Kind.ROW, key)):
            found.rows[row] = value
    base = first_year(parsed)
    for index, key in columns.items():
        value = saved.get((ImportReading.Kind.COLUMN, key))
        if value == IGNORE:
            found.columns[index] = None
        elif value and base is not None:
            offset, _sep, kind = value.partition(":")
            try:
                found.columns[index] = (base + int(offset), kind)
            except ValueError:
                continue
    return found


def remember_readings(*, association: Association, parsed: ParsedBudget, overrides: Overrides) -> None:
    """Keep the user's readings of rows and columns for the association's next tables.

    Side effects: creates or updates one `ImportReading` per row label and column header in `overrides`.
    """
    labels = {reading.row: reading.label for reading in parsed.readings}
    cells = header_cells(parsed)
    base = first_year(parsed)
    wanted: dict[tuple[str, str], str] = {}
    for row, value in overrides.rows.items():
        if row in labels and row_key(labels[row]):
            wanted[(ImportReading.Kind.ROW, row_key(labels[row]))] = value
    for index, said in overrides.columns.items():
        if index not in cells or not column_key(cells[index]):
            continue
        if said is None:
            wanted[(ImportReading.Kind.COLUMN, column_key(cells[index]))] = IGNORE
        elif base is not None:
            wanted[(ImportReading.Kind.COLUMN, column_key(cells[index]))] = f"{said[0] - base}:{said[1]}"
    for (kind, key), value in wanted.items():
        association.import_readings.update_or_create(kind=kind, key=key, defaults={"value": value})


def parse_with_readings(
    text: str, *, unit: str | None, association: Association | None, posted
) -> tuple[ParsedBudget, Overrides]:
    """Read a table with the user's corrections (`posted`: the form's `row_<n>` and `col_<i>` fields) and,
    for rows and columns they did not set, what the association confirmed before. Returns the parsed
    budget and the corrections that differ from finsam's own reading (what an import remembers).
    Raises `BudgetParseError` (Swedish) for a table or a correction that cannot be read."""
    said = read_overrides(posted)
    parsed = parse_text(text, unit=unit, columns=said.columns)
    rows = dict(said.rows)
    if association is not None:
        remembered = remembered_overrides(association=association, parsed=parsed)
        extra = {index: value for index, value in remembered.columns.items() if index not in said.columns}
        if extra:
            try:
                parsed = parse_text(text, unit=unit, columns=said.columns | extra)
                said.columns |= extra
            except BudgetParseError:
                pass  # what was remembered does not fit this table: the table's own reading stands
        rows = remembered.rows | rows
    organisations = list(association.organisations.all()) if association is not None else []
    classified = build_spec(parsed, organisations).readings
    changed = changed_rows(parsed, classified, rows)
    columns = changed_columns(header_cells(parsed), said.columns)
    try:
        read = apply_row_readings(parsed, changed)
    except BudgetParseError:
        if rows == said.rows:
            raise  # the user's own readings leave nothing to import: they are told so
        # What was remembered does not fit this table: the user's readings alone.
        changed = changed_rows(parsed, classified, said.rows)
        read = apply_row_readings(parsed, changed)
    return read, Overrides(rows=changed, columns=columns)

"""The user's corrections to what the parser read: a reading per row, a year and kind (or "ignore") per
column. `read_overrides` checks what a form posted (Swedish messages, never an exception a page does not
catch); columns are applied while the header is read (`parse_text(columns=...)`), and
`apply_row_readings` rebuilds the parsed budget from the rows' readings with the user's in place.

Pure functions: no database. The readings remembered per association are in `budgets.imports.memory`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from budgets.imports.classify import group_kind, strip_heading
from budgets.imports.header import header_cell
from budgets.imports.sums import Tally
from budgets.imports.table import (
    COST_HEADINGS,
    COST_WORDS,
    MAX_ROWS,
    REVENUE_HEADINGS,
    UNDECIDED_WORDS,
    BudgetParseError,
    ParsedBudget,
    ParsedGroup,
    ParsedLine,
    ParsedStated,
)
from budgets.models import BudgetColumn

# What a row can be read as, in the order the preview's select offers them.
ROW_READINGS = {
    "line": gettext_lazy("Rad i gruppen ovanför"),
    "heading": gettext_lazy("Rubrik (ny grupp)"),
    "group_total": gettext_lazy("Summa för en grupp ovanför (den vars rader ger summan)"),
    "revenue_total": gettext_lazy("Summa intäkter"),
    "costs_total": gettext_lazy("Summa kostnader"),
    "revenue_total_before_financial": gettext_lazy("Summa intäkter före finansiella poster"),
    "costs_total_before_financial": gettext_lazy("Summa kostnader före finansiella poster"),
    "result_before_financial": gettext_lazy("Resultat före finansiella poster"),
    "financial_income": gettext_lazy("Finansiell intäkt"),
    "financial_cost": gettext_lazy("Finansiell kostnad"),
    "financial_net": gettext_lazy("Finansiella poster netto"),
    "result": gettext_lazy("Resultat"),
    "opening_equity": gettext_lazy("Ingående eget kapital"),
    "closing_equity": gettext_lazy("Utgående eget kapital"),
    "contribution": gettext_lazy("En medlems avgift"),
    "contributions_total": gettext_lazy("Medlemmarnas avgifter tillsammans"),
    "breakdown": gettext_lazy("Varav-rad (del av raden ovanför)"),
    "subtotal": gettext_lazy("Summa över flera grupper (jämförs inte)"),
    "note": gettext_lazy("Anteckning, läses inte"),
}
IGNORE = "ignore"
COLUMN_VALUE = re.compile(r"^(\d{4}):([a-z]+)$")
MIN_YEAR, MAX_YEAR = 1990, 2200


@dataclass
class Overrides:
    """What the user said: row number -> reading, header cell position -> (year, kind) or None (ignore)."""

    rows: dict[int, str] = field(default_factory=dict)
    columns: dict[int, tuple[int, str] | None] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.rows or self.columns)


def column_value(year: int, kind: str) -> str:
    return f"{year}:{kind}"


def read_overrides(data) -> Overrides:
    """The `row_<n>` and `col_<i>` fields of a posted form. Raises `BudgetParseError` with a Swedish
    message for a value that is no reading, no year and kind, or a number out of range."""
    overrides = Overrides()
    errors = []
    for name in data:
        prefix, _sep, number = name.partition("_")
        if prefix not in ("row", "col") or not number:
            continue
        value = str(data.get(name) or "").strip()
        if not number.isdigit() or len(number) > 5 or int(number) > MAX_ROWS * 10:
            errors.append(
                _("Ett fält i förhandsgranskningen känns inte igen. Förhandsgranska tabellen igen.")
            )
            continue
        if not value:
            continue
        if prefix == "row":
            if value not in ROW_READINGS:
                errors.append(
                    _("Rad %(row)s: ”%(value)s” är inget finsam kan läsa raden som.")
                    % {"row": number, "value": value[:40]}
                )
                continue
            overrides.rows[int(number)] = value
            continue
        if value == IGNORE:
            overrides.columns[int(number)] = None
            continue
        match = COLUMN_VALUE.match(value)
        if not match or not MIN_YEAR <= int(match[1]) <= MAX_YEAR or match[2] not in BudgetColumn.Kind.values:
            errors.append(
                _("Kolumn %(column)s: ”%(value)s” är inget år och ingen typ.")
                % {"column": int(number) + 1, "value": value[:40]}
            )
            continue
        overrides.columns[int(number)] = (int(match[1]), match[2])
    years = [value[0] for value in overrides.columns.values() if value]
    if len(years) != len(set(years)):
        errors.append(_("Två kolumner har fått samma år. Ge varje år en kolumn, eller läs inte den ena."))
    if errors:
        raise BudgetParseError(list(dict.fromkeys(errors)))
    return overrides


def changed_rows(parsed: ParsedBudget, classified: dict[int, str], wanted: dict[int, str]) -> dict[int, str]:
    """The rows whose wanted reading is not the one finsam gives (the parser's, or what the members make
    of it in `classified`, `ImportSpec.readings`)."""
    return {
        reading.row: wanted[reading.row]
        for reading in parsed.readings
        if reading.row in wanted and wanted[reading.row] != classified.get(reading.row, reading.reading)
    }


def apply_row_readings(parsed: ParsedBudget, changed: dict[int, str]) -> ParsedBudget:
    """The parsed budget read again from its rows, each row read as `changed` says where it says so and
    as the parser read it elsewhere: groups and lines, stated figures, equity and breakdowns follow. A
    row read as a group's subtotal is matched to its group by the parser's rule (`Tally.group_summed`:
    the group whose lines sum to it), else it is the subtotal of the group above it. The table's sign
    convention and columns stay. Returns `parsed` itself when nothing changes."""
    changed = {reading.row: changed[reading.row] for reading in parsed.readings if reading.row in changed}
    if not changed:
        return parsed
    summed_under = {group.name: group.summed_under for group in parsed.groups if group.summed_under}
    groups: list[ParsedGroup] = []
    stated: list[ParsedStated] = []
    breakdowns: list[ParsedLine] = []
    readings = []
    opening_equity: Decimal | None = None
    closing_equity: dict[int, Decimal] = {}
    forced: dict[int, str] = {}
    section: str | None = None
    section_name: str | None = None
    current: ParsedGroup | None = None
    last_line = ""
    tally = Tally(parsed.scale)  # the lines' sums per group, in the table's signs, as the parser keeps them

    def sign(values: dict[int, Decimal], in_section: str) -> dict[int, Decimal]:
        flip = in_section == "costs" and parsed.costs_negative
        return {year: (-value if flip else value) + 0 for year, value in values.items()}

    def new_group(name: str, group_section: str, *, row: int | None = None, is_section=False) -> ParsedGroup:
        group = ParsedGroup(
            group_section,
            group_kind(group_section, name),
            name,
            row=row,
            is_section=is_section,
            summed_under=summed_under.get(name, ""),
        )
        groups.append(group)
        return group

    def line_group(label: str, values: dict[int, Decimal], wanted: str | None = None) -> ParsedGroup:
        nonlocal section, current
        if wanted:
            if current is None or current.section != wanted:
                name = _("Finansiella intäkter") if wanted == "revenue" else _("Finansiella kostnader")
                found = next((g for g in groups if g.section == wanted and g.name == name), None)
                return found or new_group(name, wanted)
            return current
        if section is None:
            negative = any(value < 0 for value in values.values())
            section = "costs" if negative or COST_WORDS.search(label) else "revenue"
        if current is None or current.section != section:
            if section_name:
                current = next(
                    (g for g in groups if g.is_section and g.section == section and g.name == section_name),
                    None,
                ) or new_group(section_name, section, is_section=True)
            else:
                other = _("Övriga intäkter") if section == "revenue" else _("Övriga kostnader")
                current = new_group(other, section)
        return current

    for reading in parsed.readings:
        what = changed.get(reading.row, reading.reading)
        label, values = reading.label, reading.amounts
        group_name = ""
        if what == "heading":
            heading = strip_heading(label)
            if REVENUE_HEADINGS.fullmatch(heading):
                section, section_name, current = "revenue", heading, None
            elif COST_HEADINGS.fullmatch(heading):
                section, section_name, current = "costs", heading, None
            else:
                if section is None:
                    section = "costs" if COST_WORDS.search(heading) else "revenue"
                section_name = None
                current = new_group(heading, section, row=reading.row)
        elif what in ("line", "contribution", "contributions_total") and values:
            if what != "line" and (section == "costs" or (current and current.section == "costs")):
                # A member's contribution is revenue wherever the table prints it.
                group = next((g for g in groups if g.section == "revenue"), None) or new_group(
                    str(_("Medlemsavgifter")), "revenue"
                )
            else:
                group = line_group(label, values)
            undecided = bool(UNDECIDED_WORDS.search(label)) or group.kind == "interventions_undecided"
            group.lines.append(ParsedLine(label, sign(values, group.section), reading.row, undecided))
            tally.add(id(group), values)
            group_name, last_line = group.name, label
            if reading.row in changed:
                forced[reading.row] = what  # the user's word over the member names in the label
        elif what in ("financial_income", "financial_cost") and values:
            wanted = "revenue" if what == "financial_income" else "costs"
            group = line_group(label, values, wanted)
            group.lines.append(ParsedLine(label, sign(values, wanted), reading.row))
            tally.add(id(group), values)
            group_name, last_line = group.name, label
        elif (
            what == "group_total"
            and values
            and (summed := tally.group_summed(values, groups, current=current) or current)
        ):
            # The group whose lines sum to it (the parser's rule), else the group above it.
            stated.append(
                ParsedStated(label, "group", sign(values, summed.section), reading.row, groups.index(summed))
            )
            group_name, current = summed.name, None
        elif what in ("revenue_total", "costs_total") and values:
            target = what.removesuffix("_total")
            stated.append(ParsedStated(label, target, sign(values, target), reading.row))
            current = None
            if target == "revenue":
                section, section_name = "costs", None
        elif what in ("revenue_total_before_financial", "costs_total_before_financial") and values:
            # A total printed above financial items: compared with finsam's total without them.
            in_section = what.removesuffix("_total_before_financial")
            target = f"{in_section}_before_financial"
            stated.append(ParsedStated(label, target, sign(values, in_section), reading.row))
            current = None
            if in_section == "revenue":
                section, section_name = "costs", None
        elif what in ("result", "result_before_financial", "financial_net") and values:
            stated.append(ParsedStated(label, what, dict(values), reading.row))
        elif what == "opening_equity":
            first = next((values[year] for year in parsed.years if year in values), None)
            if first is not None and opening_equity is None:
                opening_equity = first
        elif what == "closing_equity":
            closing_equity.update(values)
        elif what == "breakdown" and values:
            breakdowns.append(
                ParsedLine(label, sign(values, section or "revenue"), reading.row, parent=last_line)
            )
            group_name = last_line
        elif what not in ("result_before_financial", "financial_net", "subtotal", "note"):
            what = "note"  # a reading that needs amounts, on a row without them
        readings.append(replace(reading, reading=what, group=group_name))

    kept = [group for group in groups if group.lines]
    index_map = {id(group): i for i, group in enumerate(kept)}
    for figure in stated:
        if figure.group is not None:
            figure.group = index_map.get(id(groups[figure.group]))
    stated = [figure for figure in stated if figure.target != "group" or figure.group is not None]
    if not any(group.lines for group in kept):
        raise BudgetParseError([_("Med de valda läsningarna har tabellen inga budgetrader med belopp.")])
    return replace(
        parsed,
        groups=kept,
        stated=stated,
        breakdowns=breakdowns,
        readings=readings,
        opening_equity=opening_equity,
        closing_equity=closing_equity,
        forced=forced,
        notes=[
            *parsed.notes,
            ngettext(
                "Tabellen lästes med ditt val för %(count)s rad.",
                "Tabellen lästes med dina val för %(count)s rader.",
                len(changed),
            )
            % {"count": len(changed)},
        ],
    )


def changed_columns(
    cells: dict[int, str], columns: dict[int, tuple[int, str] | None]
) -> dict[int, tuple[int, str] | None]:
    """The columns the user read otherwise than their header says (an inferred kind confirmed is not)."""
    changed = {}
    for index, said in columns.items():
        what, year, kind = header_cell(cells.get(index, ""))
        if what != "year":
            if said is not None:
                changed[index] = said
        elif said is None or said[0] != year or (kind and said[1] != kind):
            changed[index] = said
    return changed

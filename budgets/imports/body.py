"""A budget table's body: each row read as a heading, a line, a sum or a figure of its own, with its
amounts, into the groups and stated figures of a `ParsedBudget`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from budgets.imports.classify import (
    group_kind,
    is_amount,
    looks_like_prose,
    normalise,
    shorten,
    stated_target,
    strip_heading,
)
from budgets.imports.header import BARE_YEAR, header_cell, is_header
from budgets.imports.sums import Tally
from budgets.imports.table import (
    BREAKDOWN,
    CLOSING_EQUITY,
    COST_HEADINGS,
    COST_WORDS,
    DASHES,
    FINANCIAL_COST,
    FINANCIAL_INCOME,
    FINANCIAL_WORDS,
    MAX_LABEL_LENGTH,
    OPENING_EQUITY,
    OTHER_EQUITY,
    RESULT,
    RESULT_BEFORE_FINANCIAL,
    REVENUE_HEADINGS,
    REVENUE_WORDS,
    SECTION_TOTAL_WORDS,
    STATED,
    UNDECIDED_WORDS,
    YEAR,
    ParsedGroup,
    ParsedLine,
    ParsedStated,
    RowReading,
    TextRow,
)
from finsam.money import parse_amount


@dataclass
class Collector:
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def error(self, message: str):
        self.errors.append(message)


@dataclass
class RawLine:
    row: TextRow
    section: str
    group: ParsedGroup
    values: dict[int, Decimal]


def read_amounts(
    row: TextRow, *, column_of_cell: dict[int, int], width: int, unit: str, mode: str, found: Collector
) -> dict[int, Decimal | None]:
    values = list(row.values)
    filled = [cell for cell in values if cell]
    if len(values) > width and any(values[width:]):
        found.error(
            _(
                "Rad %(row)s (”%(label)s”) har %(count)s värden, men rubrikraden har bara %(width)s kolumner. "
                "Kontrollera att varje belopp står under sitt år."
            )
            % {"row": row.number, "label": row.label, "count": len(filled), "width": width}
        )
        return {}
    amounts: dict[int, Decimal | None] = {}
    for index, cell in enumerate(values):
        year = column_of_cell.get(index)
        if year is None:
            continue
        if not cell:
            amounts[year] = None
        elif DASHES.fullmatch(cell):
            amounts[year] = Decimal(0)  # "–" in a table is zero
        else:
            try:
                amounts[year] = parse_amount(cell, unit, table=True)
            except ValidationError as error:
                found.error(
                    _("Rad %(row)s (”%(label)s”), %(year)s: ”%(cell)s” är inget belopp. %(reason)s")
                    % {
                        "row": row.number,
                        "label": row.label,
                        "year": year,
                        "cell": cell[:40],
                        "reason": " ".join(error.messages),
                    }
                )
    if mode == "spaces" and 0 < len(filled) < len(column_of_cell):
        found.notes.append(
            _(
                "Rad %(row)s har färre belopp än år; utan tabbar går tomma celler inte att se, så beloppen "
                "lästes från första året."
            )
            % {"row": row.number}
        )
    return amounts


def read_body(
    rows: list[TextRow],
    *,
    header: TextRow,
    column_of_cell: dict[int, int],
    unit: str,
    mode: str,
    found: Collector,
) -> Body:
    """The rows under the header: groups and lines, stated figures, equity, and what each row was read
    as (`Body.readings`). Subtotals are matched to what they total by content first (the lines above
    them sum to it, within the rounding of the unit shown: `Tally`), then by position and name."""
    width = len(header.values)
    groups: list[ParsedGroup] = []
    # (row, target, group index, values, section, index of its reading)
    stated_raw: list[tuple[TextRow, str, int | None, dict[int, Decimal], str, int]] = []
    raw_lines: list[RawLine] = []
    opening_equity: Decimal | None = None

    section: str | None = None
    section_name: str | None = None
    if REVENUE_HEADINGS.fullmatch(strip_heading(header.label)):
        section, section_name = "revenue", strip_heading(header.label)
    elif COST_HEADINGS.fullmatch(strip_heading(header.label)):
        section, section_name = "costs", strip_heading(header.label)
    current: ParsedGroup | None = None
    ended = False  # prose after the table (a footnote) ends it
    readings: list[RowReading] = []
    closing_equity: dict[int, Decimal] = {}
    breakdowns: list[tuple[TextRow, str, dict[int, Decimal], str]] = []  # row, parent, values, section
    after_result = False  # rows below the result: equity, financial items, key ratios
    result_entry: tuple | None = None  # the stated result last read, until financial items follow it
    financial_groups: dict[str, ParsedGroup] = {}  # section -> the group of financial items read in it
    detail: list[RawLine] = []  # lines read since the last heading or sum row
    header_years = sorted(column_of_cell.values())

    def read(row: TextRow, reading: str, values: dict[int, Decimal], group: str = "") -> None:
        readings.append(RowReading(row.number, row.label, reading, group, dict(values)))

    tally = Tally(unit)  # the lines' sums per group and per section
    totals_to = tally.totals_to

    def count_line(line: RawLine) -> None:
        raw_lines.append(line)
        detail.append(line)
        tally.add(id(line.group), line.values)
        tally.add(line.section, line.values)

    def section_group(name_section: str) -> ParsedGroup:
        """The group of a financial item read outside its section (below the result)."""
        nonlocal section
        name = _("Finansiella intäkter") if name_section == "revenue" else _("Finansiella kostnader")
        for group in groups:
            if group.section == name_section and group.name == name:
                return group
        saved, section = section, name_section
        group = new_group(name, row=None)
        section = saved
        return group

    def new_group(name: str, *, row: int | None, is_section: bool = False) -> ParsedGroup:
        group = ParsedGroup(section, group_kind(section, name), name, row=row, is_section=is_section)
        groups.append(group)
        return group

    def add_line(row: TextRow, label: str, values: dict[int, Decimal]) -> None:
        nonlocal section, current
        if section is None:
            negative = any(value < 0 for value in values.values())
            section = "costs" if negative or COST_WORDS.search(label) else "revenue"
        if current is None or current.section != section:
            if section_name:
                current = new_group(section_name, row=None, is_section=True)
            else:
                current = new_group(
                    _("Övriga intäkter") if section == "revenue" else _("Övriga kostnader"), row=None
                )
        count_line(RawLine(row, section, current, values))
        read(row, "line", values, current.name)

    def stated_row(row: TextRow, values: dict[int, Decimal]) -> None:
        """A Summa/Totalt row with amounts: a stated figure matched by content, else by position and
        name; a line, when it carries a group's amounts with no detail lines above it (the detail in an
        appendix); or a subtotal over groups, read but not compared."""
        nonlocal section, section_name, current
        label = row.label
        rest = normalise(STATED.sub("", normalise(label))).strip(" :")
        in_section = tally.of(section)
        names_section = bool(SECTION_TOTAL_WORDS.search(rest))
        heading_group = current is not None and current.row is not None
        lone = (
            current is not None
            and current.is_section
            and not any(group is not current and group.section == current.section for group in groups)
        )
        target, group_index = None, None
        if tally.sums_group(values, current):
            only = len([group for group in groups if group.section == current.section]) == 1
            if lone or (only and names_section):
                target = current.section  # the section's only group, and the row names the section
            else:
                target, group_index = "group", groups.index(current)
        elif totals_to(values, *in_section):
            target = section
        elif summed := over_groups(values):
            # One level of subtotal over groups: the groups say so, and finsam prints "Summa <name>".
            for group in summed:
                group.summed_under = (rest[:1].upper() + rest[1:] if rest else label)[:200]
            read(row, "subtotal", values)
            found.notes.append(
                _("Raden ”%(label)s” (rad %(row)s) summerar flera grupper och jämförs inte.")
                % {"label": label, "row": row.number}
            )
            detail.clear()
            return
        elif not detail and not names_section and (heading_group or rest):
            # A sum with nothing above it to sum: the group's amounts as one line (detail in an appendix).
            name = current.name if heading_group else rest[:1].upper() + rest[1:]
            add_line(TextRow(row.number, [name, *row.values]), name, values)
            readings[-1].label = label
            detail.clear()
            if heading_group:
                current = None  # the sum closes its group
            return
        elif (summed_group := tally.group_summed(values, groups, current=current)) is not None:
            target, group_index = "group", groups.index(summed_group)  # an earlier group's lines sum to it
        else:
            target, group_index = stated_target(label, current, groups, section)
        if target is None:
            read(row, "note", values)
            found.notes.append(
                _("Summaraden ”%(label)s” (rad %(row)s) kunde inte knytas till en grupp och jämförs inte.")
                % {"label": label, "row": row.number}
            )
            return
        figure_section = target if target in ("revenue", "costs") else section
        if target == "group" and group_index is not None:
            figure_section = groups[group_index].section
        stated_raw.append((row, target, group_index, values, figure_section or "", len(readings)))
        detail.clear()
        reading = {"group": "group_total", "revenue": "revenue_total", "costs": "costs_total"}.get(
            target, target
        )
        read(row, reading, values, groups[group_index].name if group_index is not None else "")
        if target in ("group", "revenue", "costs"):
            current = None
        if target == "revenue":
            section, section_name = "costs", None

    def stated_below(row: TextRow, values: dict[int, Decimal], below: tuple[str, int | None]) -> None:
        target, group_index = below
        figure_section = groups[group_index].section if group_index is not None else target
        if target == "financial_net":
            figure_section = ""  # printed as income less costs whatever the table's signs
        stated_raw.append((row, target, group_index, values, figure_section, len(readings)))
        reading = {"group": "group_total", "revenue": "revenue_total", "costs": "costs_total"}
        group_name = groups[group_index].name if group_index is not None else ""
        read(row, reading.get(target, target), values, group_name)

    def below_result(label: str, values: dict[int, Decimal]) -> tuple[str, int | None] | None:
        """What a sum row printed below the result, among the financial items, sums: by content, the
        financial items' net (income less costs, whichever sign the table gives costs), one kind of
        them (a group's subtotal), or the revenue or costs with them; else by its words (so that a sum
        printed wrong is compared, and its error shown); None if neither says."""
        income, costs = financial_groups.get("revenue"), financial_groups.get("costs")
        income_sum, income_count = tally.of(id(income))
        costs_sum, costs_count = tally.of(id(costs))
        if income_count and costs_count:
            count = income_count + costs_count
            for sign in (1, -1):
                net = {
                    year: income_sum.get(year, Decimal(0)) + sign * costs_sum.get(year, Decimal(0))
                    for year in income_sum.keys() | costs_sum.keys()
                }
                if totals_to(values, net, count):
                    return "financial_net", None
        for group in (income, costs):
            if tally.sums_group(values, group):
                return "group", groups.index(group)
        for total in ("revenue", "costs"):
            if totals_to(values, *tally.of(total)):
                return total, None
        rest = normalise(STATED.sub("", normalise(label)))
        income_words, cost_words = "intäkt" in rest, "kostnad" in rest
        if FINANCIAL_WORDS.search(rest) and "inkl" not in rest:
            if income_words != cost_words:
                group = income if income_words else costs
                return ("group", groups.index(group)) if group is not None else None
            return ("financial_net", None) if income or costs else None
        if income_words != cost_words:
            return "revenue" if income_words else "costs", None
        return None

    def over_groups(values: dict[int, Decimal]) -> list[ParsedGroup]:
        """The last two to four groups of the section, where they sum to the values (a subtotal over
        groups, as decided and not yet decided interventions); else none."""
        section_groups = [group for group in groups if group.section == section][-4:]
        total: dict[int, Decimal] = {}
        count = 0
        for depth, group in enumerate(reversed(section_groups), start=1):
            group_total, group_count = tally.of(id(group))
            for year, value in group_total.items():
                total[year] = total.get(year, Decimal(0)) + value
            count += group_count
            if depth >= 2 and totals_to(values, total, count):
                return section_groups[-depth:]
        return []

    for row in rows:
        if row.is_blank:
            continue
        if is_header(row) and (
            not row.label
            or not all(BARE_YEAR.fullmatch(cell) for cell in row.values if cell)
            or bool(REVENUE_HEADINGS.fullmatch(strip_heading(row.label)))
            or bool(COST_HEADINGS.fullmatch(strip_heading(row.label)))
        ):
            # Another header below the first. Bare years beside a label are amounts (2 025 tkr exported
            # from Excel reads "2025"), unless the label is a section's heading ("Kostnader 2025 2026").
            years = sorted(year for cell in row.values if (year := header_cell(cell)[1]) is not None)
            if years != header_years:
                found.notes.append(
                    _("Rad %(row)s börjar en ny tabell med andra år; den lästes inte.") % {"row": row.number}
                )
                ended = True
                break
            if not row.label:
                continue  # the header repeated (a table split over two pages)
            # A header repeated with a section's name in it ("Kostnader  2024  2025"): a heading.
            row = TextRow(row.number, [row.label])
        label = row.label
        if all(DASHES.fullmatch(cell) for cell in row.cells if cell):
            continue  # a ruler line: "-----	-----"
        single = len([cell for cell in row.cells if cell]) == 1 and bool(label)
        if single and looks_like_prose(label):
            ended = True
            found.notes.append(
                _("Rad %(row)s (”%(text)s”) är löptext och lästes inte.")
                % {"row": row.number, "text": shorten(label)}
            )
            continue
        if ended and single:
            continue
        if (
            single
            and mode == "spaces"
            and re.search(r"\d[\d\s\u00a0]*(?:,\d+)?$", label)
            and not re.search(rf"\b{YEAR}$", label)
        ):
            found.error(
                _(
                    "Rad %(row)s (”%(label)s”): beloppet sitter ihop med benämningen. Skilj dem åt med en "
                    "tabb eller minst två mellanslag."
                )
                % {"row": row.number, "label": shorten(label)}
            )
            continue
        if len(label) > MAX_LABEL_LENGTH:
            found.error(
                _("Rad %(row)s: benämningen är längre än %(max)s tecken.")
                % {"row": row.number, "max": MAX_LABEL_LENGTH}
            )
            continue
        amounts = read_amounts(
            row, column_of_cell=column_of_cell, width=width, unit=unit, mode=mode, found=found
        )
        values = {year: amount for year, amount in amounts.items() if amount is not None}
        if not label:
            if values or any(row.values):
                found.error(
                    _("Rad %(row)s har belopp men ingen benämning i första kolumnen.") % {"row": row.number}
                )
            continue
        if header_cell(label)[0] == "year" or is_amount(label, unit):
            found.error(
                _(
                    "Rad %(row)s börjar med ett belopp (”%(label)s”) i stället för en benämning; "
                    "kolumnerna verkar förskjutna."
                )
                % {"row": row.number, "label": label}
            )
            continue
        if OPENING_EQUITY.match(label):
            first = next((values[year] for year in header_years if year in values), None)
            if first is not None and opening_equity is None:
                opening_equity = first
            read(row, "opening_equity", values)
            continue
        if CLOSING_EQUITY.match(label):
            closing_equity.update(values)
            read(row, "closing_equity", values)
            continue
        if OTHER_EQUITY.match(label):
            read(row, "note", values)
            found.notes.append(
                _("Rad %(row)s (”%(label)s”) räknas fram av finsam och lästes inte.")
                % {"row": row.number, "label": label}
            )
            continue
        breakdown = BREAKDOWN.match(label)
        if breakdown and values:
            parent = raw_lines[-1].row.label if raw_lines else ""
            part = TextRow(row.number, [label[breakdown.end() :].strip() or label, *row.values])
            breakdowns.append((part, parent, values, section or ""))
            read(row, "breakdown", values, parent)
            continue
        financial = (
            "revenue" if FINANCIAL_INCOME.match(label) else "costs" if FINANCIAL_COST.match(label) else None
        )
        if (
            financial
            and values
            and after_result
            and label.casefold().startswith("finansnetto")
            and len(financial_groups) == 2
        ):
            financial = None  # under income and costs: their net, not one more item
        if (
            after_result
            and STATED.match(label)
            and not RESULT.match(label)
            and values
            and (below := below_result(label, values))
        ):
            stated_below(row, values, below)  # a sum among the financial items below the result
            continue
        if financial and values and (after_result or financial != section):
            if result_entry is not None:
                # Financial items below the result: that result was before financial items.
                index = stated_raw.index(result_entry)
                stated_raw[index] = (result_entry[0], "result_before_financial", *result_entry[2:])
                readings[result_entry[5]].reading = "result_before_financial"
                result_entry = None
            if after_result:
                # The totals above the result leave out what is printed below it: they are compared with
                # finsam's totals without the financial items.
                for index, entry in enumerate(stated_raw):
                    if entry[1] == financial:
                        stated_raw[index] = (entry[0], f"{financial}_before_financial", *entry[2:])
                        readings[entry[5]].reading = f"{financial}_total_before_financial"
            group = financial_groups[financial] = section_group(financial)
            count_line(RawLine(row, financial, group, values))
            read(row, f"financial_{'income' if financial == 'revenue' else 'cost'}", values, group.name)
            continue
        if RESULT.match(label):
            after_result = True
            if RESULT_BEFORE_FINANCIAL.search(label):
                if values:
                    stated_raw.append((row, "result_before_financial", None, values, "", len(readings)))
                read(row, "result_before_financial", values)
                continue
            if values:
                result_entry = (row, "result", None, values, "", len(readings))
                stated_raw.append(result_entry)
            read(row, "result", values)
            continue
        if after_result and financial is None and FINANCIAL_INCOME.match(label) and values:
            stated_below(row, values, ("financial_net", None))  # "Finansnetto" under the items
            continue
        if after_result:
            read(row, "note", values)
            found.notes.append(
                _("Rad %(row)s (”%(label)s”) står under resultatet och lästes inte.")
                % {"row": row.number, "label": shorten(label)}
            )
            continue
        if STATED.match(label) and values:
            stated_row(row, values)
            continue
        if STATED.match(label):
            read(row, "note", values)
            continue
        if not values:  # a heading
            heading = strip_heading(label)
            if REVENUE_HEADINGS.fullmatch(heading):
                section, section_name, current = "revenue", heading, None
            elif COST_HEADINGS.fullmatch(heading):
                section, section_name, current = "costs", heading, None
            else:
                if section is None:
                    section = "costs" if COST_WORDS.search(heading) else "revenue"
                elif (
                    section == "revenue" and COST_WORDS.search(heading) and not REVENUE_WORDS.search(heading)
                ):
                    section = "costs"
                section_name = None
                current = new_group(heading, row=row.number)
            detail.clear()
            read(row, "heading", {})
            continue
        add_line(row, label, values)

    # The sign convention: most cost figures negative means the table prints costs as negative numbers.
    cost_values = [v for line in raw_lines if line.section == "costs" for v in line.values.values() if v]
    cost_values += [v for *_, values, sec, _i in stated_raw if sec == "costs" for v in values.values() if v]
    costs_negative = sum(1 for v in cost_values if v < 0) > sum(1 for v in cost_values if v > 0)

    def finsam_sign(value: Decimal, section: str) -> Decimal:
        return -value if section == "costs" and costs_negative else value

    for line in raw_lines:
        undecided = bool(UNDECIDED_WORDS.search(line.row.label)) or (
            line.group.kind == "interventions_undecided"
        )
        line.group.lines.append(
            ParsedLine(
                line.row.label,
                {year: finsam_sign(value, line.section) + 0 for year, value in line.values.items()},
                line.row.number,
                undecided,
            )
        )
    stated = [
        ParsedStated(
            row.label,
            target,
            {
                year: (value if target == "result" else finsam_sign(value, section)) + 0
                for year, value in values.items()
            },
            row.number,
            group_index,
        )
        for row, target, group_index, values, section, _index in stated_raw
    ]
    return Body(
        groups=groups,
        stated=stated,
        opening_equity=opening_equity,
        costs_negative=costs_negative,
        readings=readings,
        closing_equity=closing_equity,
        breakdowns=[
            ParsedLine(
                part.label,
                {year: finsam_sign(value, sec) + 0 for year, value in values.items()},
                part.number,
                parent=parent,
            )
            for part, parent, values, sec in breakdowns
        ],
    )


@dataclass
class Body:
    groups: list[ParsedGroup]
    stated: list[ParsedStated]
    opening_equity: Decimal | None
    costs_negative: bool
    readings: list[RowReading]
    closing_equity: dict[int, Decimal]
    breakdowns: list[ParsedLine]

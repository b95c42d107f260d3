"""The report of an import: what the table gives, the deviations of its stated figures, the interventions
it names, as a page and as text."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from budgets.calc import BudgetResult
from budgets.imports.classify import ZERO, ImportSpec, normalise
from budgets.imports.header import YEARS
from budgets.imports.overrides import IGNORE, column_value
from budgets.imports.table import ParsedBudget, RowReading
from budgets.models import BudgetColumn, BudgetGroup, StatedFigure
from budgets.stated import compare_stated, computed_figure, prints_alike
from finsam.money import format_amount, to_decimal
from plans.models import Plan

# --- the report ----------------------------------------------------------------------------------------


@dataclass
class ReportRow:
    label: str
    cells: list[str]
    kind: str = "line"  # line | undecided | contribution | intervention


@dataclass
class ReportGroup:
    name: str
    kind: str
    rows: list[ReportRow]
    total: list[str]
    show_heading: bool
    show_total: bool = True  # not for a lone group named like its section: its sum is the section's


@dataclass
class ReportSection:
    label: str
    groups: list[ReportGroup]
    total: list[str]


@dataclass
class ReportFigure:
    label: str
    target: str  # a StatedFigure.Target value
    target_label: str
    year: int
    stated: str
    computed: str
    difference: str
    agrees: bool
    follows: str = ""  # the label of the deviation this one follows from (the same amount, a level below)
    dismissed_reason: str = ""  # the chief's reason, kept from the figure it replaces, if judged before


@dataclass
class InterventionMatch:
    label: str
    intervention: str
    years: list[tuple[int, str, str, bool]]  # year, imported, granted, equal

    @property
    def agrees(self) -> bool:
        return all(equal for *_rest, equal in self.years)


@dataclass
class ColumnReading:
    """One header cell of the table as the preview shows it: what finsam read it as, and what it may be."""

    index: int  # position among the header's cells after the label (the form's `col_<index>`)
    header: str
    value: str  # "<year>:<kind>" or "ignore"
    what: str  # year | total | note | percent | unknown
    description: str
    choices: list[tuple[str, str]]


@dataclass
class RowChoice:
    """One row of the table in the preview: what it was read as and the choices of its select."""

    row: int
    label: str
    value: str
    group: str
    amounts: list[str]


def column_readings(*, parsed: ParsedBudget, plan: Plan) -> list[ColumnReading]:
    """Every header cell after the label, in the table's order: the years read, and the cells set aside
    (a total over the years, a note or percent column, a header finsam does not know)."""
    kind_labels = dict(BudgetColumn.Kind.choices)
    unit = {"kr": _("kronor"), "tkr": _("tkr"), "mkr": _("mkr")}.get(parsed.scale, parsed.scale)
    printed = {int(year) for _index, cell, _what in parsed.ignored_columns for year in YEARS.findall(cell)}
    years = sorted(set(plan.year_range) | set(parsed.years) | printed)
    if years:
        years = list(range(years[0] - 1, years[-1] + 2))
    choices = [(IGNORE, str(_("Läs inte kolumnen")))] + [
        (column_value(year, kind), f"{label} {year}") for year in years for kind, label in kind_labels.items()
    ]
    what_labels = {
        "total": _("summa över åren, läses inte"),
        "note": _("notkolumn, läses inte"),
        "percent": _("procent, läses inte"),
        "unknown": _("okänd rubrik, läses inte"),
    }
    found = [
        ColumnReading(
            column.index,
            column.header,
            column_value(column.year, column.kind),
            "year",
            _("%(kind)s %(year)s, %(unit)s")
            % {"kind": kind_labels[column.kind], "year": column.year, "unit": unit},
            choices,
        )
        for column in parsed.columns
        if column.index is not None
    ]
    found += [
        ColumnReading(index, cell, IGNORE, what, str(what_labels.get(what, what_labels["unknown"])), choices)
        for index, cell, what in parsed.ignored_columns
    ]
    return sorted(found, key=lambda column: column.index)


def row_choices(report: ImportReport) -> list[RowChoice]:
    """The rows of the preview's table of readings, each with the value its select shows."""
    return [
        RowChoice(
            reading.row,
            reading.label,
            reading.reading,
            reading.group,
            [
                format_amount(reading.amounts.get(year), unit=report.unit, decimals=report.decimals)
                for year in report.years
            ],
        )
        for reading in report.readings
    ]


@dataclass
class ImportReport:
    applied: bool
    plan_title: str
    source: str
    unit: str
    decimals: int
    costs_negative: bool
    columns: list[tuple[int, str, bool]]  # year, kind label, inferred
    sections: list[ReportSection]
    result: list[str]
    opening_equity: str
    figures: list[ReportFigure]
    differences: list[ReportFigure]  # each error once, at its own row and level
    following: list[ReportFigure]  # deviations that only carry an earlier one up (a total, the result)
    contribution_summary: str
    contribution_differences: list[ReportFigure]
    intervention_matches: list[InterventionMatch]
    readings: list[RowReading]  # what each row of the table was read as, members' rows included
    notes: list[str]
    warnings: list[str]
    counts: dict[str, int]

    @property
    def years(self) -> list[int]:
        return [year for year, _kind, _inferred in self.columns]

    @property
    def has_inferred_kinds(self) -> bool:
        return any(inferred for _year, _kind, inferred in self.columns)

    @property
    def unit_label(self) -> str:
        return _("tkr") if self.unit == "tkr" else _("kronor")

    @property
    def summary(self) -> str:
        # Counts as "name: number", so that one of anything reads right ("avvikelser: 1", not "1 avvikelser").
        return _(
            "Kolumner: %(columns)s (%(years)s), grupper: %(groups)s, rader: %(lines)s, angivna summor: "
            "%(stated)s, avvikelser mot det beräknade: %(differences)s."
        ) % {
            "columns": len(self.columns),
            "years": ", ".join(str(year) for year in self.years),
            "groups": self.counts["groups"],
            "lines": self.counts["lines"],
            "stated": self.counts["stated"],
            "differences": len(self.differences),
        }


def build_report(
    *,
    plan: Plan,
    parsed: ParsedBudget,
    spec: ImportSpec,
    result: BudgetResult,
    applied: bool,
    source: str,
    warnings: list[str],
) -> ImportReport:
    """Everything the preview and the command show, as text already formatted in the plan's unit."""
    years = result.years

    def cells(values: dict[int, Decimal], *, negate: bool = False) -> list[str]:
        return [
            format_amount(
                values.get(year),
                unit=plan.unit,
                decimals=plan.decimals,
                negate=negate and plan.costs_negative,
            )
            for year in years
        ]

    def one(value: Decimal | None, *, negate: bool = False) -> str:
        return format_amount(
            value, unit=plan.unit, decimals=plan.decimals, negate=negate and plan.costs_negative, blank="–"
        )

    sections = []
    for section_groups, label, total, is_cost in result.sections:
        groups = [
            ReportGroup(
                name=group.group.name,
                kind=str(group.group.get_kind_display()),
                rows=[
                    ReportRow(row.label, cells(row.amounts, negate=is_cost), row.kind) for row in group.rows
                ],
                total=cells(group.totals, negate=is_cost),
                show_heading=group.group.name != label,
                show_total=group.group.name != label or len(section_groups) > 1,
            )
            for group in section_groups
        ]
        sections.append(ReportSection(label, groups, cells(total, negate=is_cost)))

    # Every stated figure against its computed counterpart; the differences are compare_stated's.
    discrepancies = {(d.label, d.year, d.target, d.stated) for d in compare_stated(plan, result)}
    figures = []
    raw_differences: list[tuple[ReportFigure, int, Decimal]] = []  # figure, level, stated − computed
    for figure in plan.stated_figures.select_related(
        "column", "group", "line", "intervention", "organisation"
    ).order_by("position", "id"):
        year = figure.column.year
        stated = to_decimal(figure.amount)
        computed = computed_figure(figure, result)
        is_cost = figure.target in (
            StatedFigure.Target.COSTS,
            StatedFigure.Target.COSTS_BEFORE_FINANCIAL,
        ) or (
            figure.target == StatedFigure.Target.GROUP
            and figure.group is not None
            and figure.group.section == BudgetGroup.Section.COSTS
        )
        differs = (figure.label, year, figure.target, stated) in discrepancies
        figures.append(
            report_figure := ReportFigure(
                label=figure.label,
                target=figure.target,
                target_label=str(figure.get_target_display()),
                year=year,
                stated=one(stated, negate=is_cost),
                computed=one(computed, negate=is_cost),
                difference="" if computed is None or not differs else one(stated - computed, negate=is_cost),
                agrees=not differs,
                dismissed_reason=figure.dismissed_reason,
            )
        )
        if differs and computed is not None:
            raw_differences.append((report_figure, LEVELS.get(figure.target, 0), stated - computed))
    # Closing equity as the table prints it, against finsam's (only where the opening equity is known).
    for year, stated in sorted(parsed.closing_equity.items()):
        computed = result.closing_equity.get(year)
        if computed is None or year not in years:
            continue
        differs = not prints_alike(stated, computed, unit=plan.unit, decimals=plan.decimals)
        figures.append(
            report_figure := ReportFigure(
                label=closing_label(parsed),
                target="closing_equity",
                target_label=str(_("Eget kapital vid årets slut")),
                year=year,
                stated=one(stated),
                computed=one(computed),
                difference=one(stated - computed) if differs else "",
                agrees=not differs,
            )
        )
        if differs:
            raw_differences.append((report_figure, LEVELS["closing_equity"], stated - computed))
    mark_following(raw_differences)
    differences = [figure for figure in figures if not figure.agrees and not figure.follows]
    following = [figure for figure in figures if figure.follows]
    contribution_figures = [figure for figure in figures if figure.target == StatedFigure.Target.CONTRIBUTION]
    contribution_differences = [figure for figure in contribution_figures if not figure.agrees]
    if not contribution_figures:
        contribution_summary = ""
    elif not contribution_differences:
        contribution_summary = _(
            "Den lagstadgade fördelningen (staten 50 %, regionen 25 %, kommunerna 25 %) av medlemsavgifterna "
            "återger tabellens rader för medlemmarna."
        )
    else:
        contribution_summary = _(
            "Den lagstadgade fördelningen av medlemsavgifterna återger inte alla tabellens rader för "
            "medlemmarna; se avvikelserna nedan."
        )
    if any(
        figure.target == StatedFigure.Target.CONTRIBUTION and figure.computed == "–"
        for figure in contribution_differences
    ):
        contribution_summary += " " + _(
            "Kommunernas rader kan jämföras en och en först när planen har en fördelningsnyckel för "
            "kommunerna; den läggs in i budgetredigeraren."
        )
    if spec.contribution_source:
        contribution_summary = " ".join(
            [
                _("Medlemsavgifterna totalt hämtas från raden ”%(label)s”.")
                % {"label": spec.contribution_source},
                contribution_summary,
            ]
        ).strip()
    elif spec.contributions_total:
        contribution_summary = " ".join(
            [_("Medlemsavgifterna totalt är summan av medlemmarnas rader."), contribution_summary]
        ).strip()

    matches = intervention_matches(plan=plan, spec=spec, years=years, one=one)
    kind_labels = dict(BudgetColumn.Kind.choices)
    return ImportReport(
        applied=applied,
        plan_title=plan.title,
        source=source,
        unit=plan.unit,
        decimals=plan.decimals,
        costs_negative=plan.costs_negative,
        columns=[(column.year, str(kind_labels[column.kind]), column.inferred) for column in parsed.columns],
        sections=sections,
        result=cells(result.result),
        opening_equity=one(parsed.opening_equity) if parsed.opening_equity is not None else "",
        figures=figures,
        differences=differences,
        following=following,
        contribution_summary=contribution_summary,
        contribution_differences=contribution_differences,
        intervention_matches=matches,
        readings=[
            replace(reading, reading=spec.readings.get(reading.row, reading.reading))
            for reading in parsed.readings
        ],
        notes=list(parsed.notes),
        warnings=warnings,
        counts={
            "groups": len(spec.groups),
            "lines": sum(len(group.lines) for group in spec.groups),
            "stated": len(figures),
        },
    )


# How far up a stated figure sits: an error at one level shows again, by the same amount, at every level
# above that includes it (a group's subtotal in the costs, the costs in the result, the result in equity).
LEVELS = {
    StatedFigure.Target.CONTRIBUTION: 0,
    StatedFigure.Target.LINE: 0,
    StatedFigure.Target.INTERVENTION: 0,
    StatedFigure.Target.INTERVENTION_GROUP: 1,
    StatedFigure.Target.GROUP: 1,
    StatedFigure.Target.INTERVENTIONS_TOTAL: 2,
    StatedFigure.Target.REVENUE: 2,
    StatedFigure.Target.COSTS: 2,
    StatedFigure.Target.REVENUE_BEFORE_FINANCIAL: 2,
    StatedFigure.Target.COSTS_BEFORE_FINANCIAL: 2,
    StatedFigure.Target.FINANCIAL_NET: 2,
    StatedFigure.Target.RESULT_BEFORE_FINANCIAL: 3,
    StatedFigure.Target.RESULT: 4,
    "closing_equity": 5,
}


def mark_following(raw: list[tuple[ReportFigure, int, Decimal]]) -> None:
    """Mark each deviation that carries an earlier, lower one up: same year, same amount (either sign:
    costs too high make the result too low), a higher level. An equity deviation carries the result's
    of its year or any earlier one (equity rolls)."""
    for figure, level, difference in raw:
        for source, source_level, source_difference in raw:
            if source is figure or source_level >= level or source.follows:
                continue
            same_year = source.year == figure.year or (
                level == LEVELS["closing_equity"] and source.year < figure.year
            )
            if same_year and abs(source_difference) == abs(difference):
                figure.follows = source.label
                break


def closing_label(parsed: ParsedBudget) -> str:
    return next(
        (reading.label for reading in parsed.readings if reading.reading == "closing_equity"),
        str(_("Eget kapital vid årets slut")),
    )


def intervention_matches(*, plan: Plan, spec: ImportSpec, years: list[int], one) -> list[InterventionMatch]:
    """Cost lines whose label is the name (or budget name) of one of the association's interventions."""
    interventions = list(plan.association.interventions.prefetch_related("grants"))
    by_name: dict[str, object] = {}
    for intervention in interventions:
        for name in (intervention.name, intervention.short_name):
            if name:
                by_name.setdefault(normalise(name), intervention)
    matches = []
    for group in spec.groups:
        if group.section != "costs":
            continue
        for line in group.lines:
            intervention = by_name.get(normalise(line.label))
            if intervention is None:
                continue
            grants = {grant.year: to_decimal(grant.amount) for grant in intervention.grants.all()}
            rows = []
            for year in years:
                imported = line.amounts.get(year)
                granted = grants.get(year)
                if imported is None and granted is None:
                    continue
                rows.append((year, one(imported), one(granted), (imported or ZERO) == (granted or ZERO)))
            matches.append(InterventionMatch(line.label, intervention.name, rows))
    return matches


def report_text(report: ImportReport) -> str:
    """The report as plain text, for the management command."""
    out = []
    heading = _("Budgeten importerades") if report.applied else _("Förhandsgranskning (inget sparat)")
    out.append(f"{heading}: {report.plan_title}")
    if report.source:
        out.append(_("Källa: %(source)s") % {"source": report.source})
    out.append(report.summary)
    out.append(
        _("Enhet: %(unit)s; kostnader som %(sign)s tal.")
        % {"unit": report.unit_label, "sign": _("negativa") if report.costs_negative else _("positiva")}
    )
    out.append(
        _("Kolumner: %(columns)s")
        % {
            "columns": ", ".join(
                f"{kind} {year}" + (" " + _("(antagen)") if inferred else "")
                for year, kind, inferred in report.columns
            )
        }
    )
    labels = [row.label for s in report.sections for g in s.groups for row in g.rows]
    width = max([len(label) + 6 for label in labels] + [40])

    def line(label: str, values: list[str], indent: int = 0) -> str:
        return " " * indent + f"{label:<{width - indent}}" + "".join(f"{value:>14}" for value in values)

    out.append("")
    out.append(line("", [str(year) for year in report.years]))
    for section in report.sections:
        out.append(section.label.upper())
        for group in section.groups:
            if group.show_heading:
                out.append(f"  {group.name} ({group.kind})")
            for row in group.rows:
                marker = " *" if row.kind in ("contribution", "intervention") else ""
                out.append(line(row.label + marker, row.cells, 4))
            if group.show_total:
                out.append(line(_("Summa %(name)s") % {"name": group.name.lower()}, group.total, 2))
        out.append(line(_("Summa %(name)s") % {"name": section.label.lower()}, section.total))
    out.append(line(_("Resultat"), report.result))
    out.append(_("* räknas fram av finsam"))
    if report.opening_equity:
        out.append(_("Ingående eget kapital: %(amount)s") % {"amount": report.opening_equity})
    if report.contribution_summary:
        out.append("")
        out.append(report.contribution_summary)
    out.append("")
    if report.differences:
        out.append(_("Avvikelser mellan angivna och beräknade summor:"))
        for figure in report.differences:
            out.append(
                "  "
                + _("%(label)s %(year)s: angivet %(stated)s, beräknat %(computed)s, skillnad %(difference)s")
                % {
                    "label": figure.label,
                    "year": figure.year,
                    "stated": figure.stated,
                    "computed": figure.computed,
                    "difference": figure.difference or "–",
                }
            )
    elif report.figures and not report.following:
        out.append(
            _("Alla %(count)s angivna summor stämmer med de beräknade.") % {"count": len(report.figures)}
        )
    if report.following:
        out.append(_("Följer av avvikelserna ovan (inga egna fel):"))
        for figure in report.following:
            out.append(
                "  "
                + _("%(label)s %(year)s: skillnad %(difference)s, följer av ”%(source)s”")
                % {
                    "label": figure.label,
                    "year": figure.year,
                    "difference": figure.difference or "–",
                    "source": figure.follows,
                }
            )
    if report.figures:
        out.append(_("Tabellens summarader:"))
        for figure in report.figures:
            out.append(
                f"  {figure.label} ({figure.target_label}) {figure.year}: "
                + _("angivet %(stated)s, beräknat %(computed)s")
                % {"stated": figure.stated, "computed": figure.computed}
                + ("" if figure.agrees else " ≠")
            )
    for match in report.intervention_matches:
        details = "; ".join(
            _("%(year)s: importerat %(imported)s, beviljat %(granted)s")
            % {"year": year, "imported": imported, "granted": granted}
            + ("" if equal else " ≠")
            for year, imported, granted, equal in match.years
        )
        out.append(
            _("”%(label)s” motsvarar insatsen %(intervention)s: %(details)s")
            % {"label": match.label, "intervention": match.intervention, "details": details}
        )
    for warning in report.warnings:
        out.append(_("Observera: %(text)s") % {"text": warning})
    for note in report.notes:
        out.append(_("Not: %(text)s") % {"text": note})
    return "\n".join(out)

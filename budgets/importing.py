"""Importing a parsed budget table (`budgets.importer`) into a plan, and the report of what it gives.

`budget_import_apply` replaces the plan's budget (columns, groups, lines, amounts, stated figures and
contribution overrides) in one transaction and records a `PlanEvent` IMPORTED. `budget_import_preview`
runs the very same function inside a transaction that it rolls back, so the preview's numbers come from
the one computation (`budgets.calc.plan_budget`, `budgets.stated.compare_stated`) and never from a
second implementation, and nothing is saved.

Revenue rows that name the association's members (or "Kommunerna", "Staten") and rows such as
"Parternas insats" become the contributions group: the members' total per column is taken from the total
row where there is one, else from the sum of the member rows; each member row is kept as a stated
contribution figure, so the report shows whether the statutory split reproduces it. Other revenue rows
are typed lines. Cost rows stay typed lines; where a label is an intervention's name the report shows
the imported amount beside the granted one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from budgets.calc import BudgetResult, plan_budget
from budgets.importer import ParsedBudget, ParsedLine, normalise
from budgets.models import BudgetAmount, BudgetColumn, BudgetGroup, BudgetLine, StatedFigure
from budgets.stated import compare_stated, computed_figure
from finsam.editing import versioned_update
from finsam.models import Organisation
from finsam.money import format_amount, sek, to_decimal
from plans.gateway import plan_change
from plans.models import Chapter, Plan, PlanEvent

ZERO = Decimal(0)
CONTRIBUTION_TOTAL = re.compile(
    r"^(?:parternas insats|medlemmarnas (?:insats|bidrag|avgifter)|medlems(?:avgift|insats|intäkt|bidrag)(?:er)?"
    r"|(?:årets )?tilldelning|bidrag från medlemmar(?:na)?)\b",
    re.I,
)
MUNICIPALITIES_WORDS = {
    "kommunerna",
    "kommuner",
    "länets kommuner",
    "kommunerna tillsammans",
    "medlemskommunerna",
}
STATE_WORDS = {"staten", "staten (fk/af)", "fk/af", "fk och af"}
REGION_WORDS = {"regionen", "landstinget"}


# --- deciding what the parsed table becomes ------------------------------------------------------------


@dataclass
class GroupSpec:
    section: str
    kind: str
    name: str
    lines: list[ParsedLine] = field(default_factory=list)


@dataclass
class ContributionSpec:
    label: str
    reference: str  # state | region | municipalities | municipality
    organisation: Organisation | None
    amounts: dict[int, Decimal]
    rows: list[int]


@dataclass
class ImportSpec:
    groups: list[GroupSpec]
    group_of_parsed: dict[int, int]  # parsed group index -> index in `groups`
    contributions_total: dict[int, Decimal]
    contribution_figures: list[ContributionSpec]
    contribution_total_figures: list[ParsedLine]  # total rows beyond the one that gave the total
    contribution_source: str  # the label the total came from, or "" (sum of member rows)
    warnings: list[str] = field(default_factory=list)


def member_match(label: str, members: list[Organisation]) -> tuple[str, Organisation | None] | None:
    """The contribution part a revenue row names: ("state", None), ("region", None),
    ("municipalities", None) or ("municipality", org); None if it names no member part."""
    text = re.sub(r"\s*\([^)]*\)", "", normalise(label)).strip()
    if text in MUNICIPALITIES_WORDS:
        return "municipalities", None
    if text in STATE_WORDS:
        return "state", None
    if text in REGION_WORDS:
        return "region", None
    matched: list[Organisation] = []
    for part in re.split(r"\s*(?:/|\+|&|,|\boch\b)\s*", text):
        if not part:
            continue
        organisation = next((org for org in members if part in organisation_names(org)), None)
        if organisation is None:
            return None
        matched.append(organisation)
    if not matched:
        return None
    kinds = {org.kind for org in matched}
    municipalities = [org for org in members if org.kind == Organisation.Kind.MUNICIPALITY]
    if kinds == {Organisation.Kind.STATE}:
        return "state", None
    if kinds == {Organisation.Kind.REGION}:
        return "region", None
    if kinds == {Organisation.Kind.MUNICIPALITY}:
        if len(matched) == 1 and len(municipalities) > 1:
            return "municipality", matched[0]
        if {org.id for org in matched} == {org.id for org in municipalities}:
            return "municipalities", None
    return None


def organisation_names(org: Organisation) -> set[str]:
    """The ways a table names a member: "Örnsköldsviks kommun", "Örnsköldsviks Kommun", "Örnsköldsvik"."""
    names = {normalise(org.name)}
    if org.short_name:
        names.add(normalise(org.short_name))
    for name in list(names):
        if name.endswith(" kommun"):
            place = name.removesuffix(" kommun")
            names.update({place, place.removesuffix("s")})
    return names


def build_spec(parsed: ParsedBudget, organisations: list[Organisation]) -> ImportSpec:
    members = [org for org in organisations if org.is_member]
    groups: list[GroupSpec] = []
    group_of_parsed: dict[int, int] = {}
    contribution_lines: list[tuple[ParsedLine, str, Organisation | None]] = []
    total_lines: list[ParsedLine] = []
    contributions_index: int | None = None
    other_revenue: dict[str, GroupSpec] = {}
    warnings: list[str] = []

    for index, group in enumerate(parsed.groups):
        if group.section != "revenue":
            group_of_parsed[index] = len(groups)
            groups.append(GroupSpec(group.section, group.kind, group.name, list(group.lines)))
            continue
        matches = [(line, member_match(line.label, members)) for line in group.lines]
        is_contributions = any(match for _line, match in matches) or any(
            CONTRIBUTION_TOTAL.match(line.label) for line in group.lines
        )
        if not is_contributions:
            group_of_parsed[index] = len(groups)
            groups.append(GroupSpec(group.section, group.kind, group.name, list(group.lines)))
            continue
        if contributions_index is None:
            contributions_index = len(groups)
            groups.append(GroupSpec("revenue", BudgetGroup.Kind.CONTRIBUTIONS, group.name))
        group_of_parsed[index] = contributions_index
        for line, match in matches:
            if match:
                contribution_lines.append((line, *match))
            elif CONTRIBUTION_TOTAL.match(line.label):
                total_lines.append(line)
            else:
                # Interest and other income beside the contributions: a typed group of its own.
                kind = group.kind if group.kind == BudgetGroup.Kind.FINANCIAL else None
                kind = kind or ("financial" if re.search(r"ränt|finansiell", line.label, re.I) else "other")
                if kind not in other_revenue:
                    name = _("Finansiella intäkter") if kind == "financial" else _("Övriga intäkter")
                    other_revenue[kind] = GroupSpec("revenue", kind, name)
                    groups.append(other_revenue[kind])
                other_revenue[kind].lines.append(line)

    contributions_total: dict[int, Decimal] = {}
    source = ""
    if total_lines:
        source = total_lines[0].label
        contributions_total = dict(total_lines[0].amounts)
        total_lines = total_lines[1:]
    elif contribution_lines:
        references = {reference for _line, reference, _org in contribution_lines}
        for line, reference, _org in contribution_lines:
            # Separate municipality rows beside a "Kommunerna" row are its details: count them once.
            if reference == "municipality" and "municipalities" in references:
                continue
            for year, amount in line.amounts.items():
                contributions_total[year] = contributions_total.get(year, ZERO) + amount
    if any(amount < 0 for amount in contributions_total.values()):
        warnings.append(_("Medlemsavgifterna blir negativa i tabellen; kontrollera tecknen."))
        contributions_total = {year: max(amount, ZERO) for year, amount in contributions_total.items()}

    figures: dict[tuple[str, int | None], ContributionSpec] = {}
    for line, reference, organisation in contribution_lines:
        key = (reference, organisation.id if organisation else None)
        if key in figures:
            figure = figures[key]
            figure.label = f"{figure.label} + {line.label}"
            for year, amount in line.amounts.items():
                figure.amounts[year] = figure.amounts.get(year, ZERO) + amount
            figure.rows.append(line.row)
        else:
            figures[key] = ContributionSpec(
                line.label, reference, organisation, dict(line.amounts), [line.row]
            )
    return ImportSpec(
        groups=groups,
        group_of_parsed=group_of_parsed,
        contributions_total=contributions_total,
        contribution_figures=list(figures.values()),
        contribution_total_figures=total_lines,
        contribution_source=source,
        warnings=warnings,
    )


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


@dataclass
class InterventionMatch:
    label: str
    intervention: str
    years: list[tuple[int, str, str, bool]]  # year, imported, granted, equal

    @property
    def agrees(self) -> bool:
        return all(equal for *_rest, equal in self.years)


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
    differences: list[ReportFigure]
    contribution_summary: str
    contribution_differences: list[ReportFigure]
    intervention_matches: list[InterventionMatch]
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
        return _(
            "%(columns)s kolumner (%(years)s), %(groups)s grupper, %(lines)s rader och %(stated)s angivna "
            "summor; %(differences)s avvikelser mot det beräknade."
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
    for figure in plan.stated_figures.select_related(
        "column", "group", "line", "intervention", "organisation"
    ).order_by("position", "id"):
        year = figure.column.year
        stated = to_decimal(figure.amount)
        computed = computed_figure(figure, result)
        is_cost = figure.target == StatedFigure.Target.COSTS or (
            figure.target == StatedFigure.Target.GROUP
            and figure.group is not None
            and figure.group.section == BudgetGroup.Section.COSTS
        )
        differs = (figure.label, year, figure.target, stated) in discrepancies
        figures.append(
            ReportFigure(
                label=figure.label,
                target=figure.target,
                target_label=str(figure.get_target_display()),
                year=year,
                stated=one(stated, negate=is_cost),
                computed=one(computed, negate=is_cost),
                difference="" if computed is None or not differs else one(stated - computed, negate=is_cost),
                agrees=not differs,
            )
        )
    differences = [figure for figure in figures if not figure.agrees]
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
        contribution_summary=contribution_summary,
        contribution_differences=contribution_differences,
        intervention_matches=matches,
        notes=list(parsed.notes),
        warnings=warnings,
        counts={
            "groups": len(spec.groups),
            "lines": sum(len(group.lines) for group in spec.groups),
            "stated": len(figures),
        },
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
    elif report.figures:
        out.append(
            _("Alla %(count)s angivna summor stämmer med de beräknade.") % {"count": len(report.figures)}
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


# --- the service -----------------------------------------------------------------------------------------


def plan_warnings(*, plan: Plan, parsed: ParsedBudget) -> list[str]:
    """What the chief should know before replacing the budget (read before anything changes)."""
    warnings = []
    counts = {
        "columns": plan.budget_columns.count(),
        "groups": plan.budget_groups.count(),
        "lines": BudgetLine.objects.filter(group__plan=plan).count(),
    }
    if counts["columns"] or counts["groups"]:
        warnings.append(
            _(
                "Planens nuvarande budget ersätts helt: %(columns)s kolumner, %(groups)s grupper och "
                "%(lines)s rader tas bort, liksom justerade medlemsavgifter och angivna summor."
            )
            % counts
        )
    years = parsed.years
    if list(plan.year_range) != years:
        warnings.append(
            _("Tabellens år (%(table)s) är inte planens år (%(plan)s).")
            % {
                "table": ", ".join(str(year) for year in years),
                "plan": ", ".join(str(year) for year in plan.year_range),
            }
        )
    granted = plan.plan_interventions.filter(
        intervention__status="granted", intervention__grants__year__in=years
    ).distinct()
    if granted.exists():
        warnings.append(
            _(
                "Planens beviljade insatser räknas inte längre in i budgeten av sig själva: tabellens rader "
                "blir vanliga rader, som inte följer insatsernas beviljade belopp."
            )
        )
    if not plan.chapters.filter(kind=Chapter.Kind.BUDGET).exists():
        warnings.append(
            _("Planen har inget budgetkapitel, så budgeten syns inte i dokumentet förrän ett läggs till.")
        )
    return warnings


def budget_import_apply(
    *,
    plan: Plan,
    parsed: ParsedBudget,
    by,
    expected_version: int | None = None,
    source: str = "",
    record: bool = True,
) -> ImportReport:
    """Replace `plan`'s budget with the parsed table and return the report.

    Side effects, through the plan's write gateway (one transaction, a locked plan refused): bumps the plan's version (raises `finsam.editing.StaleVersion` if
    it is no longer `expected_version`) and sets its unit, decimals, sign convention and (if the table
    gives it) opening equity; deletes the plan's budget columns, groups, lines, amounts, stated figures
    and contribution overrides; creates the imported ones; records a PlanEvent IMPORTED.
    """
    with plan_change(plan, by=by) as change:
        warnings = plan_warnings(plan=plan, parsed=parsed)
        organisations = list(plan.association.organisations.order_by("position", "id"))
        spec = build_spec(parsed, organisations)
        warnings += spec.warnings
        changes = {
            "unit": parsed.unit,
            "decimals": parsed.decimals,
            "costs_negative": parsed.costs_negative,
        }
        if parsed.opening_equity is not None:
            changes["opening_equity"] = sek(parsed.opening_equity)
        versioned_update(
            plan, expected_version=plan.version if expected_version is None else expected_version, **changes
        )

        plan.stated_figures.all().delete()
        plan.budget_columns.all().delete()  # with their amounts and contribution overrides
        plan.budget_groups.all().delete()  # with their lines

        columns = {}
        for column in parsed.columns:
            total = spec.contributions_total.get(column.year)
            columns[column.year] = BudgetColumn.objects.create(
                plan=plan,
                year=column.year,
                kind=column.kind,
                contributions_total=sek(total) if total is not None else None,
            )
        groups = []
        amounts = []
        for position, group_spec in enumerate(spec.groups, start=1):
            group = BudgetGroup.objects.create(
                plan=plan,
                section=group_spec.section,
                kind=group_spec.kind,
                name=group_spec.name[:200],
                position=position,
            )
            groups.append(group)
            for line_position, parsed_line in enumerate(group_spec.lines, start=1):
                line = BudgetLine.objects.create(
                    group=group,
                    name=parsed_line.label,
                    undecided=parsed_line.undecided,
                    position=line_position,
                )
                amounts += [
                    BudgetAmount(line=line, column=columns[year], amount=sek(amount))
                    for year, amount in parsed_line.amounts.items()
                ]
        BudgetAmount.objects.bulk_create(amounts)

        figures = []

        def add_figure(label: str, target: str, values: dict[int, Decimal], **links):
            for year, amount in values.items():
                figures.append(
                    StatedFigure(
                        plan=plan,
                        column=columns[year],
                        label=label[:300],
                        target=target,
                        amount=sek(amount),
                        position=len(figures),
                        **links,
                    )
                )

        contributions_group = next(
            (group for group in groups if group.kind == BudgetGroup.Kind.CONTRIBUTIONS), None
        )
        for contribution in spec.contribution_figures:
            add_figure(
                contribution.label,
                StatedFigure.Target.CONTRIBUTION,
                contribution.amounts,
                reference=contribution.reference,
                organisation=contribution.organisation,
            )
        for line in spec.contribution_total_figures:
            add_figure(
                line.label,
                StatedFigure.Target.GROUP,
                line.amounts,
                group=contributions_group,
                reference=contributions_group.name,
            )
        for stated in parsed.stated:
            links = {}
            if stated.target == StatedFigure.Target.GROUP:
                group = groups[spec.group_of_parsed[stated.group]]
                links = {"group": group, "reference": group.name[:300]}
            add_figure(stated.label, stated.target, stated.amounts, **links)
        StatedFigure.objects.bulk_create(figures)

        result = plan_budget(plan)
        report = build_report(
            plan=plan,
            parsed=parsed,
            spec=spec,
            result=result,
            applied=record,
            source=source,
            warnings=warnings,
        )
        if record:
            change.record(
                PlanEvent.Action.IMPORTED,
                _("Importerade budgeten: %(summary)s") % {"summary": report.summary},
                {
                    "source": str(source),
                    "years": parsed.years,
                    "groups": report.counts["groups"],
                    "lines": report.counts["lines"],
                    "stated": report.counts["stated"],
                    "differences": len(report.differences),
                },
            )
    return report


def budget_import_preview(*, plan: Plan, parsed: ParsedBudget, by, source: str = "") -> ImportReport:
    """The report `budget_import_apply` would give, computed by running it and rolling it back: nothing
    is saved. The plan object is reloaded afterwards, since the import changed it in memory."""
    with transaction.atomic():
        report = budget_import_apply(plan=plan, parsed=parsed, by=by, source=source, record=False)
        transaction.set_rollback(True)
    plan.refresh_from_db()
    return report

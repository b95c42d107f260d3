"""Importing a parsed budget table into a plan: `budget_import_apply` and `budget_import_preview`.

`budget_import_apply` replaces the plan's budget (columns, groups, lines, amounts, stated figures and
contribution overrides) through the plan's write gateway and records a `PlanEvent` IMPORTED.
`budget_import_preview` runs the very same function inside a transaction that it rolls back, so the
preview's numbers come from the one computation (`budgets.calc.plan_budget`,
`budgets.stated.compare_stated`) and never from a second implementation, and nothing is saved.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from budgets.calc import plan_budget
from budgets.contribution_key import HUNDRED
from budgets.imports.classify import ZERO, ImportSpec, build_spec, normalise
from budgets.imports.memory import remember_readings
from budgets.imports.overrides import Overrides
from budgets.imports.report import ImportReport, build_report
from budgets.imports.table import ParsedBudget
from budgets.models import (
    BudgetAmount,
    BudgetColumn,
    BudgetGroup,
    BudgetLine,
    ContributionKeyFactor,
    ContributionKeyValue,
    StatedFigure,
)
from budgets.queries import member_municipalities
from finsam.editing import versioned_update
from finsam.money import sek
from plans.gateway import plan_change
from plans.models import Chapter, Plan, PlanEvent

# --- the service -----------------------------------------------------------------------------------------


def plan_warnings(*, plan: Plan, parsed: ParsedBudget, only_columns: bool = False) -> list[str]:
    """What the chief should know before replacing the budget (read before anything changes)."""
    warnings = []
    if only_columns:
        replaced = sorted(set(plan.budget_columns.values_list("year", flat=True)) & set(parsed.years))
        if replaced:
            warnings.append(
                _("Kolumnerna för %(years)s ersätts med tabellens; planens övriga kolumner behålls.")
                % {"years": ", ".join(str(year) for year in replaced)}
            )
        return warnings
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
    only_columns: bool = False,
    overrides: Overrides | None = None,
) -> ImportReport:
    """Replace `plan`'s budget with the parsed table and return the report. With `only_columns`, the
    table fills only the columns of its own years (added, or replaced with their amounts and stated
    figures); the plan's other columns, its groups and lines stay (the table's rows join the groups and
    lines of the same name), and so do its unit and sign convention.

    Side effects, through the plan's write gateway (one transaction, a locked plan refused): bumps the plan's version (raises `finsam.editing.StaleVersion` if
    it is no longer `expected_version`) and sets its unit, decimals, sign convention and (if the table
    gives it) opening equity; deletes the plan's budget columns, groups, lines, amounts, stated figures
    and contribution overrides; creates the imported ones (a stated figure keeps the chief's judgement
    of the figure it replaces: same row label, normalised, and year); records a PlanEvent IMPORTED; and keeps the
    user's corrections of the readings (`overrides`) for the association's next tables.
    """
    with plan_change(plan, by=by) as change:
        warnings = plan_warnings(plan=plan, parsed=parsed, only_columns=only_columns)
        organisations = list(plan.association.organisations.order_by("position", "id"))
        spec = build_spec(parsed, organisations)
        warnings += spec.warnings
        changes = {}
        if not only_columns:
            changes = {
                "unit": parsed.unit,
                "decimals": parsed.decimals,
                "costs_negative": parsed.costs_negative,
            }
        if parsed.opening_equity is not None and (not only_columns or plan.opening_equity is None):
            changes["opening_equity"] = sek(parsed.opening_equity)
        versioned_update(
            plan, expected_version=plan.version if expected_version is None else expected_version, **changes
        )

        dismissals = _dismissals(plan, years=parsed.years if only_columns else None)
        if only_columns:
            # The table's years only: their columns go (with amounts, overrides and stated figures).
            plan.budget_columns.filter(year__in=parsed.years).delete()
            kept_groups = list(plan.budget_groups.order_by("position", "id"))
        else:
            plan.stated_figures.all().delete()
            plan.budget_columns.all().delete()  # with their amounts and contribution overrides
            plan.budget_groups.all().delete()  # with their lines
            kept_groups = []

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
        next_position = max((group.position for group in kept_groups), default=0) + 1
        for group_spec in spec.groups:
            group = _same_group(kept_groups, group_spec)
            if group is None:
                group = BudgetGroup.objects.create(
                    plan=plan,
                    section=group_spec.section,
                    kind=group_spec.kind,
                    name=group_spec.name[:200],
                    summed_under=group_spec.summed_under,
                    position=next_position,
                )
                next_position += 1
            groups.append(group)
            kept_lines = {line.name.casefold(): line for line in group.lines.all()} if kept_groups else {}
            last_line = max((line.position for line in kept_lines.values()), default=0)
            for line_position, parsed_line in enumerate(group_spec.lines, start=last_line + 1):
                line = kept_lines.get(parsed_line.label.casefold())
                if line is None:
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
        for figure in figures:
            # A deviation the chief judged to be the document's own error stays judged when the same
            # table (or a corrected one) is imported again: the same row of the document, the same year.
            kept = dismissals.get((normalise(figure.label), figure.column.year))
            if kept:
                figure.dismissed_reason, figure.print_note = kept
        StatedFigure.objects.bulk_create(figures)
        if key_note := _key_from_parts(plan=plan, spec=spec, parsed=parsed):
            warnings.append(key_note)

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
        if record and overrides:
            remember_readings(association=plan.association, parsed=parsed, overrides=overrides)
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


def _dismissals(plan: Plan, *, years: list[int] | None) -> dict[tuple[str, int], tuple[str, bool]]:
    """The plan's stated figures marked as the document's own error (of `years`, or all), by their
    normalised row label and year: (reason, print the note)."""
    figures = plan.stated_figures.exclude(dismissed_reason="")
    if years is not None:
        figures = figures.filter(column__year__in=years)
    return {
        (normalise(label), year): (reason, print_note)
        for label, year, reason, print_note in figures.values_list(
            "label", "column__year", "dismissed_reason", "print_note"
        )
    }


def _key_from_parts(*, plan: Plan, spec: ImportSpec, parsed: ParsedBudget) -> str:
    """Where the table gives each member municipality's part of their joint contribution and the plan
    has no contribution key, the parts become the key: one factor "Fasta andelar", weight 100, each
    municipality's part in the budget year (else the first year all parts are given) as its value. Where
    a key exists, the parts are compared with its split as stated figures instead (`compare_stated`).
    Returns a note for the report, or "" when no key was made. Side effects: creates the factor and its
    values (inside the import's transaction)."""
    municipalities = member_municipalities(plan)
    parts = {
        figure.organisation.pk: figure.amounts
        for figure in spec.contribution_figures
        if figure.reference == "municipality" and figure.organisation is not None
    }
    if len(municipalities) < 2 or set(parts) != {org.pk for org in municipalities}:
        return ""
    if plan.contribution_factors.exists():
        return ""
    budget_years = [column.year for column in parsed.columns if column.kind == BudgetColumn.Kind.BUDGET]
    years = [
        year
        for year in [*budget_years, *parsed.years]
        if all((amounts.get(year) or ZERO) > 0 for amounts in parts.values())
    ]
    if not years:
        return ""
    year = years[0]
    factor = ContributionKeyFactor.objects.create(
        plan=plan, name=str(_("Fasta andelar")), weight_percent=HUNDRED, position=0
    )
    ContributionKeyValue.objects.bulk_create(
        ContributionKeyValue(factor=factor, organisation=org, value=parts[org.pk][year])
        for org in municipalities
    )
    return _(
        "Planen hade ingen fördelningsnyckel för kommunerna: tabellens andelar för %(year)s blir nyckeln "
        "(fasta andelar). Den kan ändras under Medlemsavgifter och fördelningsnyckel."
    ) % {"year": year}


def _same_group(groups: list[BudgetGroup], spec) -> BudgetGroup | None:
    """The plan's group a table's group joins when it fills only some columns: same section and name
    (any case), or the one computed group of its kind (contributions, decided interventions)."""
    for group in groups:
        if group.section == spec.section and (
            group.name.casefold() == spec.name[:200].casefold()
            or (spec.kind in BudgetGroup.COMPUTED_KINDS and group.kind == spec.kind)
        ):
            return group
    return None


def budget_import_preview(
    *, plan: Plan, parsed: ParsedBudget, by, source: str = "", only_columns: bool = False
) -> ImportReport:
    """The report `budget_import_apply` would give, computed by running it and rolling it back: nothing
    is saved. The plan object is reloaded afterwards, since the import changed it in memory."""
    with transaction.atomic():
        report = budget_import_apply(
            plan=plan, parsed=parsed, by=by, source=source, record=False, only_columns=only_columns
        )
        transaction.set_rollback(True)
    plan.refresh_from_db()
    return report

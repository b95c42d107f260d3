"""The budget as a part of the plan (`plans.parts`): what a new plan starts with, columns in step with the
plan's years, the copy into a revision or next year's plan, what the document shows, and the checks.

Next year's plan (rollover) moves the columns one year: the source's first year as a forecast (when kept),
its later years as the new budget and plan years, and a new last year starting from the old last year's
contributions and amounts. The forecast keeps the source's budget year whole: the grants of interventions
not carried become one line there. Opening equity is the equity at the start of the new first column's
year (unknown where the source's is). The amounts budgeted for interventions instead of their grants go
with the years carried (and the interventions carried); the new last year follows the grants. A revision
copies the budget as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from budgets.calc import BudgetResult, GroupResult, GroupSum, Row, grant_summary, plan_budget
from budgets.checks import plan_checks
from budgets.models import (
    BudgetAmount,
    BudgetColumn,
    BudgetGroup,
    BudgetLine,
    ContributionKeyFactor,
    ContributionKeyValue,
    ContributionOverride,
    InterventionBudgetAmount,
    StatedFigure,
)
from budgets.stated import printed_notes
from finsam.money import sek
from plans.models import Plan
from plans.parts import PartKind, PlanCopy, register
from plans.snapshots import frozen_amounts, key_id, thawed_amounts

DEFAULT_GROUPS = [
    (BudgetGroup.Section.REVENUE, BudgetGroup.Kind.CONTRIBUTIONS, "Medlemsavgifter"),
    (BudgetGroup.Section.COSTS, BudgetGroup.Kind.ADMINISTRATION, "Administration"),
    (BudgetGroup.Section.COSTS, BudgetGroup.Kind.INTERVENTIONS_DECIDED, "Beslutade insatser"),
    (BudgetGroup.Section.COSTS, BudgetGroup.Kind.INTERVENTIONS_UNDECIDED, "Ej beslutade medel"),
]


def column_kind(plan: Plan, year: int) -> str:
    """The first year of a plan is its precise budget; the later years are plan years."""
    return BudgetColumn.Kind.BUDGET if year == plan.first_year else BudgetColumn.Kind.PLAN


def budget_columns_sync(plan: Plan) -> None:
    """Give each year of the plan a column of the right kind; drop empty budget/plan columns outside it.

    Outcome and forecast columns before the first year stay (a plan may show last year's outcome).
    """
    years = set(plan.year_range)
    columns = list(plan.budget_columns.all())
    outside = [
        column
        for column in columns
        if column.year not in years
        and (
            column.year > plan.last_year or column.kind in (BudgetColumn.Kind.BUDGET, BudgetColumn.Kind.PLAN)
        )
    ]
    if outside:
        filled = sorted(
            {
                column.year
                for column in outside
                if column.contributions_total is not None
                or BudgetAmount.objects.filter(column=column).exclude(amount=0).exists()
                or InterventionBudgetAmount.objects.filter(column=column).exists()
            }
        )
        if filled:
            raise ValidationError(
                {
                    "years": _(
                        "Budgeten har belopp för %(years)s. Ta bort dem i budgeten innan du ändrar planens år."
                    )
                    % {"years": ", ".join(str(year) for year in filled)}
                }
            )
        BudgetColumn.objects.filter(pk__in=[column.pk for column in outside]).delete()
    by_year = {column.year: column for column in columns}
    for year in plan.year_range:
        kind = column_kind(plan, year)
        column = by_year.get(year)
        if column is None:
            BudgetColumn.objects.create(plan=plan, year=year, kind=kind)
        elif column.kind != kind:
            BudgetColumn.objects.filter(pk=column.pk).update(kind=kind)


def create_budget(plan: Plan) -> None:
    """A new plan's budget: a column per year and the standard groups."""
    BudgetColumn.objects.bulk_create(
        BudgetColumn(plan=plan, year=year, kind=column_kind(plan, year)) for year in plan.year_range
    )
    BudgetGroup.objects.bulk_create(
        BudgetGroup(plan=plan, section=section, kind=kind, name=name, position=position)
        for position, (section, kind, name) in enumerate(DEFAULT_GROUPS, start=1)
    )


def _rollover_columns(job: PlanCopy, keep_forecast: bool) -> list[tuple[BudgetColumn | None, int, str, bool]]:
    """(source column to copy from, new year, new kind, whether its overrides carry) for each new column."""
    source = job.source
    old_columns = {column.year: column for column in source.budget_columns.all()}
    specs: list[tuple[BudgetColumn | None, int, str, bool]] = []
    if keep_forecast and source.first_year in old_columns:
        specs.append((old_columns[source.first_year], source.first_year, BudgetColumn.Kind.FORECAST, True))
    for year in range(job.target.first_year, source.last_year + 1):
        if year in old_columns:
            specs.append((old_columns[year], year, column_kind(job.target, year), True))
    new_last_year = source.last_year + 1
    specs.append(
        (old_columns.get(source.last_year), new_last_year, column_kind(job.target, new_last_year), False)
    )
    return specs


def copy_budget(job: PlanCopy) -> None:
    """Columns (shifted in a rollover), groups, lines and amounts, overrides, the interventions' budgeted
    amounts and the contribution key."""
    source, target = job.source, job.target
    keep_forecast = job.shared.get("keep_forecast", True)
    if job.rollover:
        budget = plan_budget(source)
        specs = _rollover_columns(job, keep_forecast)
        _set_opening_equity(target, budget, keep_forecast=keep_forecast)
    else:
        specs = [
            (column, column.year, column.kind, True) for column in source.budget_columns.order_by("year")
        ]
    new_columns = BudgetColumn.objects.bulk_create(
        BudgetColumn(
            plan=target,
            year=year,
            kind=kind,
            contributions_total=None if old is None else old.contributions_total,
        )
        for old, year, kind, _carry in specs
    )
    column_ids: dict[int, list[int]] = {}  # source column id → the new columns it is copied into
    for (old, _year, _kind, _carry), new in zip(specs, new_columns, strict=True):
        if old is not None:
            column_ids.setdefault(old.pk, []).append(new.pk)

    groups = list(
        source.budget_groups.order_by("section", "position", "id").prefetch_related(
            Prefetch(
                "lines", queryset=BudgetLine.objects.order_by("position", "id").prefetch_related("amounts")
            )
        )
    )
    job.copy_rows(BudgetGroup, groups, plan_id=target.pk)
    lines = [line for group in groups for line in group.lines.all()]
    job.copy_rows(BudgetLine, lines, group_id=lambda line: job.new_id(BudgetGroup, line.group_id))
    BudgetAmount.objects.bulk_create(
        BudgetAmount(line_id=job.new_id(BudgetLine, line.pk), column_id=new_column_id, amount=amount.amount)
        for line in lines
        for amount in line.amounts.all()
        for new_column_id in column_ids.get(amount.column_id, [])
    )
    if job.rollover and keep_forecast and source.first_year in {column.year for column in budget.columns}:
        _forecast_ended_interventions(job, budget=budget, forecast_column=new_columns[0])

    # Overrides of the years carried (decisions for those years); a rollover's new last year starts clean.
    carried = {old.pk: new.pk for (old, _y, _k, carry), new in zip(specs, new_columns, strict=True) if carry}
    job.copy_rows(
        ContributionOverride,
        [
            o
            for o in ContributionOverride.objects.filter(column__plan=source).order_by("id")
            if o.column_id in carried
        ],
        column_id=lambda override: carried[override.column_id],
    )
    # The amounts budgeted instead of grants: decisions for those years, like the overrides.
    interventions = {intervention.pk for intervention in job.shared.get("interventions", [])}
    job.copy_rows(
        InterventionBudgetAmount,
        [
            amount
            for amount in InterventionBudgetAmount.objects.filter(column__plan=source).order_by("id")
            if amount.column_id in carried and amount.intervention_id in interventions
        ],
        column_id=lambda amount: carried[amount.column_id],
    )
    factors = list(source.contribution_factors.order_by("position", "id").prefetch_related("values"))
    job.copy_rows(ContributionKeyFactor, factors, plan_id=target.pk)
    job.copy_rows(
        ContributionKeyValue,
        [value for factor in factors for value in factor.values.all()],
        factor_id=lambda value: job.new_id(ContributionKeyFactor, value.factor_id),
    )


def _set_opening_equity(target: Plan, budget: BudgetResult, *, keep_forecast: bool) -> None:
    year = target.first_year - 1
    if year not in budget.years:
        opening = None  # the source has no column for its first year: nothing to roll from
    elif keep_forecast:
        opening = budget.opening_equity[year]
    else:
        opening = budget.closing_equity[year]
    target.opening_equity = None if opening is None else sek(opening)
    Plan.objects.filter(pk=target.pk).update(opening_equity=target.opening_equity)


def _forecast_ended_interventions(
    job: PlanCopy, *, budget: BudgetResult, forecast_column: BudgetColumn
) -> None:
    """Keep the forecast year's costs whole: the interventions that end before the new plan starts are
    not carried, so what the budget held for them in the forecast year (their grants, or the amounts
    budgeted instead) becomes one typed line of the decided group
    ("Insatser avslutade 2020"), in the forecast column only. Side effect: at most one line and amount."""
    year = job.source.first_year
    carried = {intervention.pk for intervention in job.shared.get("interventions", [])}
    for group_result in budget.groups:
        if group_result.group.kind != BudgetGroup.Kind.INTERVENTIONS_DECIDED:
            continue
        ended = sum(
            (
                row.amounts.get(year) or 0
                for row in group_result.rows
                if row.intervention is not None and row.intervention.pk not in carried
            ),
            0,
        )
        if not ended:
            continue
        positions = [row.line.position for row in group_result.rows if row.line is not None]
        line = BudgetLine.objects.create(
            group_id=job.new_id(BudgetGroup, group_result.group.pk),
            name=_("Insatser avslutade %(year)s") % {"year": year},
            position=max(positions, default=0) + 1,
        )
        BudgetAmount.objects.create(line=line, column=forecast_column, amount=sek(ended))


def load_budget(doc) -> None:
    """The computed budget (from the interventions and organisations already loaded) and the grants summary."""
    doc.budget = plan_budget(doc.plan, organisations=doc.organisations, interventions=doc.interventions)
    doc.grant_summary = grant_summary(doc.interventions, doc.budget.years or list(doc.plan.year_range))


def budget_checks(plan: Plan, doc=None) -> list:
    return plan_checks(plan, budget=None if doc is None else doc.budget)


def budget_row_key(row, group) -> str:
    """A budget row's key in snapshots and comments: its line, its intervention, or its group and label."""
    if row.line is not None:
        return f"line-{row.line.pk}"
    if row.intervention is not None:
        return f"intervention-{row.intervention.pk}"
    return f"{row.kind}-{group.pk}-{row.label}"


def freeze_budget(doc, content: dict) -> None:
    """The budget's columns (in the plan's facts) and its rows as printed: lines, subtotals, totals."""
    plan, budget = doc.plan, doc.budget
    years = budget.years
    content["plan"]["columns"] = [
        {
            "year": column.year,
            "kind": column.kind,
            "label": f"{column.get_kind_display()} {column.year}",
            "kind_label": column.get_kind_display(),
        }
        for column in budget.columns
    ]
    budget_rows = []
    for groups, _heading, _total, _is_cost in budget.sections:
        for group_result in groups:
            group = group_result.group
            group_facts = {
                "group_key": f"group-{group.pk}",
                "group_kind": group.kind,
                "collapsed": group.collapsed,
            }
            for row in group_result.rows:
                frozen = {
                    "key": budget_row_key(row, group),
                    "label": f"{group.get_section_display()} / {group.name} / {row.label}",
                    "section": group.section,
                    "group": group.name,
                    "name": row.label,
                    "kind": row.kind,
                    "amounts": frozen_amounts(row.amounts, years),
                    **group_facts,
                    "adjusted": sorted(row.overridden_years),
                }
                if row.intervention is not None:
                    frozen["intervention_kind"] = row.intervention.kind
                budget_rows.append(frozen)
            budget_rows.append(
                {
                    "key": f"group-{group.pk}",
                    "label": f"{group.get_section_display()} / {group.name} / summa",
                    "section": group.section,
                    "group": group.name,
                    "name": str(_("Summa %(name)s") % {"name": group.name.lower()}),
                    "kind": "subtotal",
                    "amounts": frozen_amounts(group_result.totals, years),
                    **group_facts,
                    "adjusted": [],
                }
            )
            if group_result.closing_sum is not None:
                closing = group_result.closing_sum
                budget_rows.append(
                    {
                        "key": closing.key,
                        "label": f"{group.get_section_display()} / {closing.name} / summa",
                        "section": group.section,
                        "group": closing.name,
                        "name": str(_("Summa %(name)s") % {"name": closing.name.lower()}),
                        "kind": "groupsum",
                        "amounts": frozen_amounts(closing.totals, years),
                        **group_facts,
                        "adjusted": [],
                    }
                )
    totals = [
        ("revenue", _("Summa intäkter"), budget.revenue_total),
        ("costs", _("Summa kostnader"), budget.cost_total),
    ]
    if budget.has_financial_items:
        totals.append(
            ("result_before_financial", _("Resultat före finansiella poster"), budget.result_before_financial)
        )
    totals.append(("result", _("Resultat"), budget.result))
    if plan.opening_equity is not None:
        totals += [
            ("opening_equity", _("Eget kapital vid årets början"), budget.opening_equity),
            ("closing_equity", _("Eget kapital vid årets slut"), budget.closing_equity),
        ]
    for key, label, values in totals:
        budget_rows.append(
            {
                "key": f"total-{key}",
                "label": f"total / {key}",
                "section": "total",
                "group": "",
                "name": str(label),
                "kind": "total",
                "amounts": frozen_amounts(values, years),
                "group_key": "",
                "group_kind": "",
                "collapsed": False,
                "adjusted": [],
            }
        )
    content["budget"] = {"years": years, "rows": budget_rows}
    # The deviations the chief marked as the document's own error and chose to print. Only when there
    # are any: a version frozen before (or without them) stays the same structure.
    notes = printed_notes(plan, budget)
    if notes:
        content["budget"]["notes"] = notes


@dataclass(frozen=True)
class FrozenColumn:
    """A frozen budget column, read like a `BudgetColumn` by the table and the charts."""

    year: int
    kind: str
    kind_label: str

    def get_kind_display(self) -> str:
        return self.kind_label


def thaw_budget(content: dict, view) -> None:
    """The frozen budget table back as the budget engine's result (`budgets.calc.BudgetResult`), so the
    document's table, its rounding notes and its charts render a frozen version exactly as they render
    the plan now: every figure, subtotals and totals included, is the frozen one, never summed again.
    The notes printed under the table (`budget_notes`) are the frozen ones too; none in an older version."""
    budget = content.get("budget", {"years": [], "rows": []})
    kinds = dict(BudgetColumn.Kind.choices)
    columns = [
        FrozenColumn(c["year"], c["kind"], kinds.get(c["kind"], c["kind_label"]))
        for c in content["plan"].get("columns", [])
    ]
    sections: dict[str, dict[str, GroupResult]] = {"revenue": {}, "costs": {}}
    totals: dict[str, dict] = {}
    targets = 0  # the rows that can be commented on, counted as `budget_comment_targets` lists them
    for row in budget["rows"]:
        amounts = thawed_amounts(row["amounts"])
        if row["kind"] == "total":
            totals[row["key"].removeprefix("total-")] = amounts
            continue
        groups = sections[row["section"]]
        group = groups.get(row["group_key"])
        if group is None:
            group = groups[row["group_key"]] = GroupResult(
                group=SimpleNamespace(
                    pk=key_id(row["group_key"]),
                    name=row["group"],
                    section=row["section"],
                    kind=row["group_kind"],
                    collapsed=row["collapsed"],
                    Kind=BudgetGroup.Kind,
                ),
                rows=[],
                totals={},
            )
        if row["kind"] == "subtotal":
            group.totals = amounts
            continue
        if row["kind"] == "groupsum":  # closes the group it is frozen after (keyed by that group)
            group.closing_sum = GroupSum(row["key"], row["group"], amounts)
            continue
        intervention = None
        if row["kind"] == "intervention":
            intervention = SimpleNamespace(pk=key_id(row["key"]), kind=row.get("intervention_kind", ""))
        group.rows.append(
            Row(
                label=row["name"],
                amounts=amounts,
                kind=row["kind"],
                intervention=intervention,
                overridden_years=set(row["adjusted"]),
                target_index=targets,
            )
        )
        targets += 1
    view.budget_notes = list(budget.get("notes", []))
    view.budget = BudgetResult(
        years=budget["years"],
        columns=columns,
        revenue_groups=list(sections["revenue"].values()),
        cost_groups=list(sections["costs"].values()),
        revenue_total=totals.get("revenue", {}),
        cost_total=totals.get("costs", {}),
        financial_income={},
        result_before_financial=totals.get("result_before_financial", {}),
        result=totals.get("result", {}),
        opening_equity=totals.get("opening_equity", {}),
        closing_equity=totals.get("closing_equity", {}),
        contributions={},
    )
    view.grant_summary = grant_summary(
        view.interventions, view.budget.years or list(range(view.plan.first_year, view.plan.last_year + 1))
    )


def budget_comment_targets(content: dict) -> dict[tuple[str, str], str]:
    """(target kind, key) → label of every row of the frozen budget table that can be commented on."""
    return {
        ("budget_line", row["key"]): f"{row['group']}: {row['name']}"
        for row in content.get("budget", {}).get("rows", [])
        if row["kind"] not in ("subtotal", "total", "groupsum")
    }


def register_budget_part() -> None:
    register(
        PartKind(
            key="budget",
            models=(
                BudgetColumn,
                BudgetGroup,
                BudgetLine,
                BudgetAmount,
                ContributionKeyFactor,
                ContributionKeyValue,
                ContributionOverride,
                InterventionBudgetAmount,
                StatedFigure,
            ),
            copy=copy_budget,
            load=load_budget,
            checks=budget_checks,
            create=create_budget,
            years_changed=budget_columns_sync,
            freeze=freeze_budget,
            thaw=thaw_budget,
            comment_targets=budget_comment_targets,
        )
    )

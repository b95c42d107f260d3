"""The member contributions page as it shows the computed split.

`contributions_view_model(plan, budget)`: the split as `budgets.calc` computed it, row by row, with the
overrides and their reasons, and the parts as they would be without overrides (`calc.contribution_rows`
without overrides). The sum of the parts is calc's `BudgetResult.contribution_income`; the only
arithmetic here is the difference between that sum and the typed total, and the municipalities'
computed parts added up where one override replaced them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from budgets.calc import BudgetResult, contribution_rows, municipality_key_weights
from budgets.forms import part_choices
from budgets.models import BudgetColumn, ContributionOverride
from budgets.queries import is_municipality_member
from finsam.models import Organisation
from finsam.money import to_decimal
from plans.models import Plan


@dataclass
class PartCell:
    year: int
    amount: Decimal | None
    overrides: list[ContributionOverride] = field(default_factory=list)
    computed: Decimal | None = None  # the part without any override

    @property
    def overridden(self) -> bool:
        return bool(self.overrides)


@dataclass
class PartRow:
    label: str
    part: str  # state | region | municipalities | municipality
    organisation: Organisation | None
    cells: list[PartCell]

    @property
    def reasons(self) -> list[tuple[int, str]]:
        return [
            (cell.year, override.reason)
            for cell in self.cells
            for override in cell.overrides
            if override.reason
        ]

    @property
    def overridden(self) -> bool:
        return any(cell.overridden for cell in self.cells)


@dataclass
class OverrideEntry:
    override: ContributionOverride
    label: str
    computed: Decimal | None
    in_effect: bool


@dataclass
class ColumnSummary:
    column: BudgetColumn
    total: Decimal | None  # the typed total
    parts_sum: Decimal | None  # what the budget counts: the parts, overrides included

    @property
    def difference(self) -> Decimal | None:
        if self.total is None or self.parts_sum is None:
            return None
        return self.parts_sum - self.total


@dataclass
class ContributionsViewModel:
    columns: list[BudgetColumn]
    has_group: bool
    rows: list[PartRow]
    summaries: list[ColumnSummary]
    municipalities: list[Organisation]
    per_municipality: bool
    shares: list[tuple[Organisation, Decimal]]  # each municipality's share of the municipalities' part, %
    overrides: list[OverrideEntry]
    part_choices: list
    factors: list  # the stored key, for reading
    factor_values: list[tuple[Organisation, list[Decimal | None]]]

    @property
    def has_differences(self) -> bool:
        return any(summary.difference for summary in self.summaries)


def _row_part(row, *, per_municipality: bool) -> tuple[str, Organisation | None]:
    kinds = {org.kind for org in row.organisations}
    if kinds == {Organisation.Kind.STATE} or (not kinds and row.label == _("Staten")):
        return ContributionOverride.Part.STATE, None
    if kinds == {Organisation.Kind.REGION} or (not kinds and row.label == _("Regionen")):
        return ContributionOverride.Part.REGION, None
    if per_municipality and len(row.organisations) == 1:
        return ContributionOverride.Part.MUNICIPALITY, row.organisations[0]
    return ContributionOverride.Part.MUNICIPALITIES, None


def contributions_view_model(plan: Plan, budget: BudgetResult) -> ContributionsViewModel:
    """The page's numbers, all from `budgets.calc`: the budget's contribution rows (overrides included),
    the same split without overrides (what an override replaced), and each municipality's share."""
    organisations = list(plan.association.organisations.order_by("position", "id"))
    municipalities = [org for org in organisations if is_municipality_member(org)]
    factors = list(plan.contribution_factors.prefetch_related("values").order_by("position", "id"))
    weights = municipality_key_weights(factors, {org.pk for org in municipalities})
    per_municipality = bool(weights) and len(municipalities) > 1
    overrides = list(
        ContributionOverride.objects.filter(column__plan=plan).select_related("column", "organisation")
    )
    by_key = {(o.column.year, o.part, o.organisation_id): o for o in overrides}

    groups = [g for g in budget.revenue_groups if g.group.kind == g.group.Kind.CONTRIBUTIONS]
    rows = [row for g in groups for row in g.rows]
    plain = contribution_rows(
        columns=budget.columns, organisations=organisations, key_weights=weights or None, overrides={}
    )
    plain_by_label = {row.label: row for row in plain}
    columns = list(budget.columns)

    part_rows = []
    for row in rows:
        part, organisation = _row_part(row, per_municipality=per_municipality)
        plain_row = plain_by_label.get(row.label)
        cells = []
        for column in columns:
            year = column.year
            keys = [(year, part, organisation.pk if organisation else None)]
            if part == ContributionOverride.Part.MUNICIPALITY:
                keys.append((year, ContributionOverride.Part.MUNICIPALITIES, None))
            elif part == ContributionOverride.Part.MUNICIPALITIES and len(municipalities) == 1:
                keys.append((year, ContributionOverride.Part.MUNICIPALITY, municipalities[0].pk))
            applied = [by_key[key] for key in keys if key in by_key and year in row.overridden_years]
            cells.append(
                PartCell(
                    year=year,
                    amount=row.amounts.get(year),
                    overrides=applied,
                    computed=plain_row.amounts.get(year) if plain_row else None,
                )
            )
        part_rows.append(PartRow(row.label, part, organisation, cells))

    income = budget.contribution_income if groups else {}
    summaries = [
        ColumnSummary(
            column=column,
            total=None if column.contributions_total is None else to_decimal(column.contributions_total),
            parts_sum=income.get(column.year) if column.contributions_total is not None else None,
        )
        for column in columns
    ]

    # What each override replaced: the computed part of its row, or for the municipalities' part
    # together (split per municipality by the key) the sum of their computed parts.
    plain_municipal = {
        column.year: sum(
            (
                cell.computed or Decimal(0)
                for part_row in part_rows
                if part_row.part == ContributionOverride.Part.MUNICIPALITY
                for cell in part_row.cells
                if cell.year == column.year
            ),
            Decimal(0),
        )
        for column in columns
    }

    def computed_for(override: ContributionOverride) -> tuple[Decimal | None, bool]:
        """(the computed amount it replaces, whether it applies at all)."""
        year = override.column.year
        cell = next(
            (c for r in part_rows for c in r.cells if c.year == year and override in c.overrides), None
        )
        if cell is None:  # e.g. one municipality's override after the key was removed
            return None, False
        if override.part == ContributionOverride.Part.MUNICIPALITIES and per_municipality:
            return plain_municipal[year], True
        return cell.computed, True

    entries = []
    for override in sorted(overrides, key=lambda o: (o.column.year, o.part, o.organisation_id or 0)):
        computed, in_effect = computed_for(override)
        label = (
            override.organisation.name
            if override.part == ContributionOverride.Part.MUNICIPALITY and override.organisation
            else (
                _("Kommunerna tillsammans")
                if override.part == "municipalities"
                else override.get_part_display()
            )
        )
        entries.append(OverrideEntry(override, label, computed, in_effect))

    weight_sum = sum(weights.values(), Decimal(0))
    shares = (
        [(org, weights.get(org.pk, Decimal(0)) * 100 / weight_sum) for org in municipalities]
        if weight_sum > 0
        else []
    )
    return ContributionsViewModel(
        columns=columns,
        has_group=bool(groups),
        rows=part_rows,
        summaries=summaries,
        municipalities=municipalities,
        per_municipality=per_municipality,
        shares=shares,
        overrides=entries,
        part_choices=part_choices(plan, municipalities=municipalities, per_municipality=per_municipality),
        factors=factors,
        factor_values=[
            (
                org,
                [
                    next((v.value for v in factor.values.all() if v.organisation_id == org.pk), None)
                    for factor in factors
                ],
            )
            for org in municipalities
        ],
    )

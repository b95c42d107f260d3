"""The budget grid as the page shows it: sections, groups, rows and editable cells with their versions.

Reads only; the grid's writes are `budgets.services`. Inputs show the exact amount in the plan's unit
(`finsam.money.amount_input_text`), never rounded. An intervention's row has a cell per column too: it
shows what the budget holds (the grant, or the amount budgeted instead) with the grant and the difference
written beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.urls import reverse
from django.utils.translation import gettext as _

from budgets.calc import BudgetResult, GroupResult, Row
from budgets.models import BudgetAmount, BudgetColumn, BudgetGroup, BudgetLine, InterventionBudgetAmount
from budgets.slips import Slip
from finsam.money import MINUS, amount_input_text, format_kronor, to_decimal
from interventions.models import Intervention
from plans.models import Plan


@dataclass
class GridCell:
    """One editable cell as the page shows it: the exact amount in the plan's unit and its version."""

    line: BudgetLine
    column: BudgetColumn
    text: str
    version: int
    column_label: str  # "Budget 2027", computed once per column (a translated choice label is slow)
    error: str = ""
    conflict: str | None = None  # the other person's value, as text, after a stale save
    slip: Slip | None = None  # an amount asked about before it is saved (budgets.slips)
    note: str = ""  # how a saved amount was read, when not as typed
    url: str = ""  # where the cell posts

    @property
    def input_id(self) -> str:
        return f"cell-{self.line.pk}-{self.column.pk}"

    @property
    def label(self) -> str:
        return f"{self.line.name}, {self.column_label}"


@dataclass
class InterventionCell:
    """An intervention's amount in one column: the grant it follows, or the amount budgeted instead."""

    intervention: Intervention
    column: BudgetColumn
    text: str
    version: int  # of the budgeted amount; 0 while the cell follows the grant
    column_label: str
    granted: Decimal | None
    budgeted: Decimal | None
    error: str = ""
    conflict: str | None = None
    url: str = ""  # where the cell posts

    @property
    def input_id(self) -> str:
        return f"insats-{self.intervention.pk}-{self.column.pk}"

    @property
    def label(self) -> str:
        return f"{self.intervention.budget_label}, {self.column_label}"

    @property
    def is_budgeted(self) -> bool:
        return self.budgeted is not None

    @property
    def grant_note(self) -> str:
        """Where the amount comes from, in words (the page does not rely on colour)."""
        if self.budgeted is None:
            if self.granted is None:
                return _("Inget beviljat belopp.")
            return _("Följer beviljat belopp.")
        if self.granted is None:
            return _("Budgeterat. Inget beviljat belopp.")
        difference = self.budgeted - self.granted
        if not difference:
            return _("Budgeterat, samma som beviljat.")
        sign = "+" if difference > 0 else MINUS
        return _("Budgeterat. Beviljat %(granted)s, skillnad %(difference)s.") % {
            "granted": format_kronor(self.granted),
            "difference": sign + format_kronor(abs(difference)),
        }


@dataclass
class ComputedRow:
    """A computed row of a group; an intervention's row has its cells (when the page shows them)."""

    row: Row
    cells: list[InterventionCell]


@dataclass
class GridRow:
    row: Row
    cells: list[GridCell]
    error: str = ""  # a refused rename, shown in the row's menu
    value: str | None = None  # what the user typed there

    @property
    def line(self) -> BudgetLine:
        return self.row.line


@dataclass
class GridGroup:
    result: GroupResult
    computed_rows: list[ComputedRow]
    line_rows: list[GridRow]
    error: str = ""
    value: str | None = None
    add_error: str = ""  # the "new line" form of the group
    add_value: str = ""

    @property
    def group(self) -> BudgetGroup:
        return self.result.group

    @property
    def accepts_lines(self) -> bool:
        return self.group.kind != BudgetGroup.Kind.CONTRIBUTIONS


@dataclass
class ContributionCell:
    """The members' total contribution of a column, typed once; the contribution rows follow from it."""

    column: BudgetColumn
    text: str
    error: str = ""
    conflict: str | None = None
    version: int | None = None
    slip: Slip | None = None
    note: str = ""
    url: str = ""  # where the cell posts

    def __post_init__(self):
        if self.version is None:
            self.version = self.column.version

    @property
    def input_id(self) -> str:
        return f"contributions-{self.column.pk}"

    @property
    def label(self) -> str:
        return _("Medlemsavgifter totalt, %(column)s") % {"column": str(self.column)}


@dataclass
class GridSection:
    section: str  # revenue | costs
    label: str
    groups: list[GridGroup]
    total: dict[int, Decimal]
    total_label: str = ""  # "Summa intäkter", or "… totalt" where a group's subtotal reads the same
    add_error: str = ""  # the "new group" form of the section
    add_value: str = ""


@dataclass
class Grid:
    plan: Plan
    budget: BudgetResult
    sections: list[GridSection]
    contribution_cells: list[ContributionCell]
    column_errors: dict[int, str]

    @property
    def multi_year(self) -> bool:
        return len(self.budget.columns) > 1

    @property
    def width(self) -> int:
        """Columns of the table: the label, one per budget column, the multi-year total, the actions."""
        return len(self.budget.columns) + (3 if self.multi_year else 2)

    def line_row(self, line_id: int) -> GridRow:
        return next(
            row
            for section in self.sections
            for group in section.groups
            for row in group.line_rows
            if row.line.pk == line_id
        )

    def line_cell(self, line_id: int, column_id: int) -> GridCell:
        return next(cell for cell in self.line_row(line_id).cells if cell.column.pk == column_id)

    def contribution_cell(self, column_id: int) -> ContributionCell:
        return next(cell for cell in self.contribution_cells if cell.column.pk == column_id)

    def intervention_row(self, intervention_id: int) -> ComputedRow:
        return next(
            computed
            for section in self.sections
            for group in section.groups
            for computed in group.computed_rows
            if computed.row.intervention is not None and computed.row.intervention.pk == intervention_id
        )

    def intervention_cell(self, intervention_id: int, column_id: int) -> InterventionCell:
        row = self.intervention_row(intervention_id)
        return next(cell for cell in row.cells if cell.column.pk == column_id)


def cell_versions(plan: Plan, lines: set[int] | None = None) -> dict[tuple[int, int], int]:
    """(line id, column id) → version of every stored amount of the plan (or of `lines`), in one query."""
    amounts = BudgetAmount.objects.filter(line__group__plan=plan)
    if lines is not None:
        amounts = amounts.filter(line_id__in=lines)
    rows = amounts.values_list("line_id", "column_id", "version")
    return {(line_id, column_id): version for line_id, column_id, version in rows}


def intervention_versions(plan: Plan, interventions: set[int] | None = None) -> dict[tuple[int, int], int]:
    """(intervention id, column id) → version of every budgeted amount of the plan (or of `interventions`),
    in one query (none for an empty set)."""
    amounts = InterventionBudgetAmount.objects.filter(column__plan=plan)
    if interventions is not None:
        amounts = amounts.filter(intervention_id__in=interventions)
    rows = amounts.values_list("intervention_id", "column_id", "version")
    return {(intervention_id, column_id): version for intervention_id, column_id, version in rows}


def intervention_cells(
    plan: Plan,
    row: Row,
    columns: list[BudgetColumn],
    versions: dict[tuple[int, int], int],
    labels: dict[int, str],
    state: dict[tuple[int, int], dict],
) -> list[InterventionCell]:
    """An intervention row's cells, one per column, with what a refused save kept (`state`)."""
    cells = []
    for column in columns:
        key = (row.intervention.pk, column.pk)
        kept = dict(state.get(key, {}))
        text = kept.pop("text", None)
        cell = InterventionCell(
            intervention=row.intervention,
            column=column,
            text=amount_input_text(row.amounts.get(column.year), plan.unit),
            version=kept.pop("version", versions.get(key, 0)),
            column_label=labels[column.pk],
            granted=row.granted.get(column.year),
            budgeted=row.budgeted.get(column.year),
            url=cell_url(
                plan,
                "budget_intervention_cell",
                ("intervention_id", row.intervention.pk),
                ("column_id", column.pk),
            ),
            **kept,
        )
        if text is not None:
            cell.text = text
        cells.append(cell)
    return cells


# Stand-ins for the ids in a cell's URL: the URL is reversed once per kind of cell and filled in per cell
# (a reverse per cell cost ~20 ms over the ~1 000 cells of the largest grid, make bench).
FIRST_ID, SECOND_ID = 987654321, 987654322


@lru_cache(maxsize=256)
def _url_pattern(name: str, association: str, plan_id: int, first: str, second: str | None) -> str:
    kwargs = {"association": association, "pk": plan_id, first: FIRST_ID}
    if second:
        kwargs[second] = SECOND_ID
    return reverse(name, kwargs=kwargs)


def cell_url(plan: Plan, name: str, first: tuple[str, int], second: tuple[str, int] | None = None) -> str:
    """The URL of a cell's view `name` for the ids given as (argument, id) pairs."""
    pattern = _url_pattern(name, plan.association.slug, plan.pk, first[0], second[0] if second else None)
    url = pattern.replace(str(FIRST_ID), str(first[1]))
    return url.replace(str(SECOND_ID), str(second[1])) if second else url


def grid_cell(plan: Plan, row: Row, column: BudgetColumn, version: int, *, label: str, **state) -> GridCell:
    return GridCell(
        line=row.line,
        column=column,
        text=amount_input_text(row.amounts.get(column.year), plan.unit),
        version=version,
        column_label=label,
        url=cell_url(plan, "budget_cell", ("line_id", row.line.pk), ("column_id", column.pk)),
        **state,
    )


def contribution_cell(plan: Plan, column: BudgetColumn, **state) -> ContributionCell:
    total = None if column.contributions_total is None else to_decimal(column.contributions_total)
    url = cell_url(plan, "budget_contributions", ("column_id", column.pk))
    return ContributionCell(column=column, text=amount_input_text(total, plan.unit), url=url, **state)


def budget_grid(
    plan: Plan,
    budget: BudgetResult,
    *,
    cell_state: dict[tuple[int, int], dict] | None = None,
    contribution_state: dict[int, dict] | None = None,
    form_errors: dict[str, str] | None = None,
    form_values: dict[str, str] | None = None,
    lines: set[int] | None = None,
    interventions: set[int] | None = None,
    intervention_state: dict[tuple[int, int], dict] | None = None,
) -> Grid:
    """The grid of a plan's computed budget, with two queries (the cells' versions) on top of it.

    `lines` and `interventions` limit the editable rows to those lines and interventions' rows (a saved
    cell's answer shows one row; its totals come from the whole budget all the same); an empty set
    builds none and reads no versions.

    What a user typed and was refused (or is asked about) is kept: `cell_state` per (line id, column id)
    and `contribution_state` per column id hold `text` and `error`, `conflict` or `slip` (and the
    `version` to save against), and `intervention_state` per (intervention id, column id) the same for an
    intervention's cell; `form_errors`/`form_values` per form key (`line-<id>`, `group-<id>`, `line-add-<group id>`,
    `group-add-<section>`, `column-<id>`) hold the message and text of the other forms.
    """
    versions = cell_versions(plan, lines)
    budgeted_versions = intervention_versions(plan, interventions)
    cell_state = cell_state or {}
    contribution_state = contribution_state or {}
    errors = form_errors or {}
    values = form_values or {}
    labels = {column.pk: str(column) for column in budget.columns}
    sections = []
    for groups, label, total, is_cost in budget.sections:
        section_key = BudgetGroup.Section.COSTS if is_cost else BudgetGroup.Section.REVENUE
        grid_groups = []
        for result in groups:
            computed = []
            for row in result.rows:
                if row.line is not None:
                    continue
                cells = []
                if row.intervention is not None and (
                    interventions is None or row.intervention.pk in interventions
                ):
                    cells = intervention_cells(
                        plan,
                        row,
                        budget.columns,
                        budgeted_versions,
                        labels,
                        intervention_state or {},
                    )
                computed.append(ComputedRow(row, cells))
            line_rows = []
            for row in result.rows:
                if row.line is None or (lines is not None and row.line.pk not in lines):
                    continue
                cells = []
                for column in budget.columns:
                    key = (row.line.pk, column.pk)
                    state = dict(cell_state.get(key, {}))
                    text = state.pop("text", None)
                    version = state.pop("version", versions.get(key, 0))
                    cell = grid_cell(plan, row, column, version, label=labels[column.pk], **state)
                    if text is not None:
                        cell.text = text
                    cells.append(cell)
                line_key = f"line-{row.line.pk}"
                line_rows.append(GridRow(row, cells, errors.get(line_key, ""), values.get(line_key)))
            group_key = f"group-{result.group.pk}"
            add_key = f"line-add-{result.group.pk}"
            grid_groups.append(
                GridGroup(
                    result,
                    computed,
                    line_rows,
                    error=errors.get(group_key, ""),
                    value=values.get(group_key),
                    add_error=errors.get(add_key, ""),
                    add_value=values.get(add_key, ""),
                )
            )
        add_key = f"group-add-{section_key}"
        sections.append(
            GridSection(
                section_key,
                label,
                grid_groups,
                total,
                # The grid prints every group's subtotal, a section's lone group's too.
                total_label=budget.section_total_label(is_cost, lone_subtotal=True),
                add_error=errors.get(add_key, ""),
                add_value=values.get(add_key, ""),
            )
        )
    contribution_cells = []
    for column in budget.columns:
        state = dict(contribution_state.get(column.pk, {}))
        text = state.pop("text", None)
        cell = contribution_cell(plan, column, **state)
        if text is not None:
            cell.text = text
        contribution_cells.append(cell)
    column_errors = {
        column.pk: errors[f"column-{column.pk}"]
        for column in budget.columns
        if f"column-{column.pk}" in errors
    }
    return Grid(
        plan=plan,
        budget=budget,
        sections=sections,
        contribution_cells=contribution_cells,
        column_errors=column_errors,
    )

"""Changes made through the budget grid: cells, column settings, lines and groups.

Every function here is one user action through the plan's write gateway (`plans.gateway.plan_change`:
one transaction, a locked plan refused, one `PlanEvent` recorded), using the optimistic lock where the
user edited a value they saw (`expected_version`). Amounts are whole kronor `Decimal`s (costs positive), as `finsam.money`
reads them; a cell of `None` is an empty cell.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from budgets.calc import BudgetResult, GroupResult, Row
from budgets.models import BudgetAmount, BudgetColumn, BudgetGroup, BudgetLine
from finsam.editing import StaleVersion, versioned_update
from finsam.money import amount_input_text, format_kronor, sek, to_decimal
from plans.gateway import plan_change
from plans.models import Plan, PlanEvent

UP, DOWN = "up", "down"


def column_label(column: BudgetColumn) -> str:
    return f"{column.get_kind_display()} {column.year}"


def _amount_text(value: Decimal | None) -> str:
    return _("tom") if value is None else format_kronor(value)


def budget_cell_update(
    *,
    line: BudgetLine,
    column: BudgetColumn,
    amount: Decimal | None,
    expected_version: int,
    by,
) -> BudgetAmount | None:
    """Set the amount of one cell (`None` empties it) if nobody changed it since `expected_version`.

    `expected_version` is the version of the cell's `BudgetAmount` the user saw, 0 for an empty cell.
    Raises `StaleVersion` with the cell as it is now (None if empty) on a conflict. An unchanged value
    writes nothing. Side effects: one INSERT, UPDATE or DELETE of a `BudgetAmount`, one `PlanEvent`.
    Returns the cell as saved (None when empty). Uses a constant number of queries.
    """
    plan = line.group.plan
    if column.plan_id != plan.pk:
        raise ValidationError(_("Raden och kolumnen hör till olika planer."))
    if line.group.kind == BudgetGroup.Kind.CONTRIBUTIONS:
        raise ValidationError(_("Medlemsavgifternas rader räknas fram ur totalen och kan inte skrivas in."))
    with plan_change(plan, by=by) as change:
        current = BudgetAmount.objects.filter(line=line, column=column).first()
        current_version = current.version if current else 0
        if current_version != expected_version:
            raise StaleVersion(current)
        before = to_decimal(current.amount) if current else None
        if before == amount:
            return current
        if current is None:
            try:
                with transaction.atomic():
                    saved = BudgetAmount.objects.create(line=line, column=column, amount=sek(amount))
            except IntegrityError:
                # Someone filled the empty cell between our read and our write.
                raise StaleVersion(BudgetAmount.objects.filter(line=line, column=column).first()) from None
        elif amount is None:
            deleted, _rows = BudgetAmount.objects.filter(pk=current.pk, version=expected_version).delete()
            if not deleted:
                raise StaleVersion(BudgetAmount.objects.filter(pk=current.pk).first())
            saved = None
        else:
            saved = versioned_update(current, expected_version=expected_version, amount=sek(amount))
        change.record(
            PlanEvent.Action.EDITED,
            _("Budget: %(line)s, %(column)s: %(before)s → %(after)s")
            % {
                "line": line.name,
                "column": column_label(column),
                "before": _amount_text(before),
                "after": _amount_text(amount),
            },
            {
                "line": line.pk,
                "column": column.pk,
                "before": None if before is None else str(before),
                "after": None if amount is None else str(amount),
            },
        )
    return saved


def budget_column_update(
    *,
    column: BudgetColumn,
    expected_version: int,
    by,
    kind: str | None = None,
    contributions_total: Decimal | type[Ellipsis] | None = ...,
) -> BudgetColumn:
    """Change a column's kind and/or the members' total contribution (`None` clears it; `...` keeps it).

    The contribution rows of the budget follow the total (they are computed). Raises `StaleVersion`
    on a conflict and `ValidationError` for a negative total or an unknown kind.
    Side effects: one UPDATE of the column, one `PlanEvent` (nothing when nothing changes).
    """
    changes: dict = {}
    described: list[str] = []
    if kind is not None and kind != column.kind:
        if kind not in BudgetColumn.Kind.values:
            raise ValidationError(_("Okänd typ av kolumn."))
        changes["kind"] = kind
        described.append(
            _("typ %(before)s → %(after)s")
            % {"before": column.get_kind_display(), "after": BudgetColumn.Kind(kind).label}
        )
    if contributions_total is not ...:
        before = None if column.contributions_total is None else to_decimal(column.contributions_total)
        if contributions_total is not None and contributions_total < 0:
            raise ValidationError(_("Medlemsavgifterna kan inte vara negativa."))
        if before != contributions_total:
            changes["contributions_total"] = None if contributions_total is None else sek(contributions_total)
            described.append(
                _("medlemsavgifter totalt %(before)s → %(after)s")
                % {"before": _amount_text(before), "after": _amount_text(contributions_total)}
            )
    if not changes:
        if column.version != expected_version:
            raise StaleVersion(BudgetColumn.objects.filter(pk=column.pk).first())
        return column
    with plan_change(column.plan, by=by) as change:
        label = column_label(column)
        column = versioned_update(column, expected_version=expected_version, **changes)
        change.record(
            PlanEvent.Action.EDITED,
            _("Budget: kolumnen %(column)s: %(changes)s")
            % {"column": label, "changes": ", ".join(described)},
            {"column": column.pk},
        )
    return column


# Lines -------------------------------------------------------------------------------------------


def budget_line_add(*, group: BudgetGroup, name: str, by, undecided: bool = False) -> BudgetLine:
    """Add an empty line at the end of `group`. The contributions group computes its rows: refused."""
    plan = group.plan
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Skriv radens benämning.")})
    if group.kind == BudgetGroup.Kind.CONTRIBUTIONS:
        raise ValidationError(_("Medlemsavgifternas rader räknas fram ur totalen och kan inte skrivas in."))
    with plan_change(plan, by=by) as change:
        last = group.lines.aggregate(last=Max("position"))["last"]
        line = BudgetLine(group=group, name=name, undecided=undecided, position=(last or 0) + 1)
        line.full_clean()
        line.save()
        change.record(
            PlanEvent.Action.ADDED,
            _("Budget: la till raden %(line)s i %(group)s") % {"line": name, "group": group.name},
            {"line": line.pk, "group": group.pk},
        )
    return line


def budget_line_update(
    *, line: BudgetLine, expected_version: int, by, name: str, undecided: bool | None = None
) -> BudgetLine:
    """Rename a line (and mark it as undecided funds or not)."""
    plan = line.group.plan
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Skriv radens benämning.")})
    changes = {"name": name}
    if undecided is not None:
        changes["undecided"] = undecided
    if all(getattr(line, field) == value for field, value in changes.items()):
        if line.version != expected_version:
            raise StaleVersion(BudgetLine.objects.filter(pk=line.pk).first())
        return line
    before = line.name
    with plan_change(plan, by=by) as change:
        line = versioned_update(line, expected_version=expected_version, **changes)
        change.record(
            PlanEvent.Action.EDITED,
            _("Budget: ändrade raden %(before)s till %(after)s") % {"before": before, "after": name},
            {"line": line.pk},
        )
    return line


def _swap_neighbour(items: list, item, direction: str) -> bool:
    """Move `item` one step in `items` (renumbering positions 1..n). False when it is already at the end."""
    index = next(i for i, candidate in enumerate(items) if candidate.pk == item.pk)
    target = index - 1 if direction == UP else index + 1
    if direction not in (UP, DOWN):
        raise ValidationError(_("Okänd riktning."))
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, candidate in enumerate(items, start=1):
        candidate.position = position
    return True


def budget_line_move(*, line: BudgetLine, direction: str, by) -> bool:
    """Move a line one step up or down within its group. Returns False when it cannot move further."""
    plan = line.group.plan
    with plan_change(plan, by=by) as change:
        siblings = list(BudgetLine.objects.filter(group_id=line.group_id).select_for_update())
        siblings.sort(key=lambda candidate: (candidate.position, candidate.pk))
        if not _swap_neighbour(siblings, line, direction):
            return False
        BudgetLine.objects.bulk_update(siblings, ["position"])
        change.record(
            PlanEvent.Action.MOVED,
            _("Budget: flyttade raden %(line)s") % {"line": line.name},
            {"line": line.pk, "direction": direction},
        )
    return True


def budget_line_remove(*, line: BudgetLine, by) -> None:
    """Remove a line and its amounts. Side effects: DELETEs, one `PlanEvent` with the removed amounts."""
    plan = line.group.plan
    with plan_change(plan, by=by) as change:
        amounts = {
            str(amount.column.year): str(to_decimal(amount.amount))
            for amount in line.amounts.select_related("column")
        }
        change.record(
            PlanEvent.Action.DELETED,
            _("Budget: tog bort raden %(line)s ur %(group)s") % {"line": line.name, "group": line.group.name},
            {"line": line.pk, "name": line.name, "amounts": amounts},
        )
        line.delete()


# Groups ------------------------------------------------------------------------------------------


def budget_group_add(*, plan: Plan, section: str, kind: str, name: str, by) -> BudgetGroup:
    """Add a group at the end of its section. Computed kinds exist once per plan."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Skriv gruppens rubrik.")})
    with plan_change(plan, by=by) as change:
        if kind in BudgetGroup.COMPUTED_KINDS and plan.budget_groups.filter(kind=kind).exists():
            raise ValidationError(
                {
                    "kind": _("Planen har redan en grupp av typen %(kind)s.")
                    % {"kind": BudgetGroup.Kind(kind).label}
                }
            )
        last = plan.budget_groups.filter(section=section).aggregate(last=Max("position"))["last"]
        group = BudgetGroup(plan=plan, section=section, kind=kind, name=name, position=(last or 0) + 1)
        group.full_clean()
        group.save()
        change.record(
            PlanEvent.Action.ADDED,
            _("Budget: la till gruppen %(group)s") % {"group": name},
            {"group": group.pk},
        )
    return group


def budget_group_update(
    *, group: BudgetGroup, expected_version: int, by, name: str, collapsed: bool | None = None
) -> BudgetGroup:
    """Rename a group (and choose whether it prints as one line)."""
    plan = group.plan
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Skriv gruppens rubrik.")})
    changes = {"name": name}
    if collapsed is not None:
        changes["collapsed"] = collapsed
    if all(getattr(group, field) == value for field, value in changes.items()):
        if group.version != expected_version:
            raise StaleVersion(BudgetGroup.objects.filter(pk=group.pk).first())
        return group
    before = group.name
    with plan_change(plan, by=by) as change:
        group = versioned_update(group, expected_version=expected_version, **changes)
        change.record(
            PlanEvent.Action.EDITED,
            _("Budget: ändrade gruppen %(before)s till %(after)s") % {"before": before, "after": name},
            {"group": group.pk},
        )
    return group


def budget_group_move(*, group: BudgetGroup, direction: str, by) -> bool:
    """Move a group one step up or down within its section (revenue or costs)."""
    plan = group.plan
    with plan_change(plan, by=by) as change:
        siblings = list(
            BudgetGroup.objects.filter(plan_id=group.plan_id, section=group.section).select_for_update()
        )
        siblings.sort(key=lambda candidate: (candidate.position, candidate.pk))
        if not _swap_neighbour(siblings, group, direction):
            return False
        BudgetGroup.objects.bulk_update(siblings, ["position"])
        change.record(
            PlanEvent.Action.MOVED,
            _("Budget: flyttade gruppen %(group)s") % {"group": group.name},
            {"group": group.pk, "direction": direction},
        )
    return True


def budget_group_remove(*, group: BudgetGroup, by) -> None:
    """Remove a group with its lines and their amounts. Computed rows simply stop being shown."""
    plan = group.plan
    with plan_change(plan, by=by) as change:
        lines = list(group.lines.values_list("name", flat=True))
        change.record(
            PlanEvent.Action.DELETED,
            _("Budget: tog bort gruppen %(group)s") % {"group": group.name},
            {"group": group.pk, "name": group.name, "lines": lines},
        )
        group.delete()


# Reading the grid --------------------------------------------------------------------------------


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

    @property
    def input_id(self) -> str:
        return f"cell-{self.line.pk}-{self.column.pk}"

    @property
    def label(self) -> str:
        return f"{self.line.name}, {self.column_label}"


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
    computed_rows: list[Row]
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

    def __post_init__(self):
        if self.version is None:
            self.version = self.column.version

    @property
    def input_id(self) -> str:
        return f"contributions-{self.column.pk}"

    @property
    def label(self) -> str:
        return _("Medlemsavgifter totalt, %(column)s") % {"column": column_label(self.column)}


@dataclass
class GridSection:
    section: str  # revenue | costs
    label: str
    groups: list[GridGroup]
    total: dict[int, Decimal]
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


def cell_versions(plan: Plan, lines: set[int] | None = None) -> dict[tuple[int, int], int]:
    """(line id, column id) → version of every stored amount of the plan (or of `lines`), in one query."""
    amounts = BudgetAmount.objects.filter(line__group__plan=plan)
    if lines is not None:
        amounts = amounts.filter(line_id__in=lines)
    rows = amounts.values_list("line_id", "column_id", "version")
    return {(line_id, column_id): version for line_id, column_id, version in rows}


def grid_cell(plan: Plan, row: Row, column: BudgetColumn, version: int, *, label: str, **state) -> GridCell:
    return GridCell(
        line=row.line,
        column=column,
        text=amount_input_text(row.amounts.get(column.year), plan.unit),
        version=version,
        column_label=label,
        **state,
    )


def contribution_cell(plan: Plan, column: BudgetColumn, **state) -> ContributionCell:
    total = None if column.contributions_total is None else to_decimal(column.contributions_total)
    return ContributionCell(column=column, text=amount_input_text(total, plan.unit), **state)


def budget_grid(
    plan: Plan,
    budget: BudgetResult,
    *,
    cell_state: dict[tuple[int, int], dict] | None = None,
    contribution_state: dict[int, dict] | None = None,
    form_errors: dict[str, str] | None = None,
    form_values: dict[str, str] | None = None,
    lines: set[int] | None = None,
) -> Grid:
    """The grid of a plan's computed budget, with one query (the cells' versions) on top of it.

    `lines` limits the editable rows to those lines (a saved cell's answer shows one row; its totals
    come from the whole budget all the same).

    What a user typed and was refused is kept: `cell_state` per (line id, column id) and
    `contribution_state` per column id hold `text` and `error` or `conflict` (and the `version` to save
    against); `form_errors`/`form_values` per form key (`line-<id>`, `group-<id>`, `line-add-<group id>`,
    `group-add-<section>`, `column-<id>`) hold the message and text of the other forms.
    """
    versions = cell_versions(plan, lines)
    cell_state = cell_state or {}
    contribution_state = contribution_state or {}
    errors = form_errors or {}
    values = form_values or {}
    labels = {column.pk: column_label(column) for column in budget.columns}
    sections = []
    for groups, label, total, is_cost in budget.sections:
        section_key = BudgetGroup.Section.COSTS if is_cost else BudgetGroup.Section.REVENUE
        grid_groups = []
        for result in groups:
            computed = [row for row in result.rows if row.line is None]
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

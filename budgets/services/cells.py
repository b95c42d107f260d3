"""Writes of the budget grid's amount cells: a typed cell, a pasted block, the amount budgeted for an
intervention instead of its grant, each through the plan's write gateway.

Every change of a cell's value records one `PlanEvent` whose details say which cell (`line` or
`intervention`, and `column`), its value `before` and `after`, and a readable `label`. A change the user
made is an undo step (`budgets.services.undo`): its details carry `step`, a key shared by every cell of a
pasted block and unique otherwise. An undo's own events carry `undoes` (the step's key) instead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from budgets.models import BudgetAmount, BudgetColumn, BudgetGroup, BudgetLine, InterventionBudgetAmount
from finsam.editing import StaleVersion, versioned_update
from finsam.money import format_kronor, sek, to_decimal
from interventions.models import Grant, Intervention
from plans.gateway import plan_change
from plans.models import Plan, PlanEvent


def amount_text(value: Decimal | None) -> str:
    return _("tom") if value is None else format_kronor(value)


def new_step() -> dict:
    """The mark of a change the user can undo: a fresh step key."""
    return {"step": uuid.uuid4().hex}


def marked_summary(summary: str, mark: dict) -> str:
    """An undo's history line says that it undoes (its details carry `undoes`)."""
    return _("Ångrade: %(change)s") % {"change": summary} if "undoes" in mark else summary


def _cell_check(line: BudgetLine, column: BudgetColumn) -> None:
    if column.plan_id != line.group.plan_id:
        raise ValidationError(_("Raden och kolumnen hör till olika planer."))
    if line.group.kind == BudgetGroup.Kind.CONTRIBUTIONS:
        raise ValidationError(_("Medlemsavgifternas rader räknas fram ur totalen och kan inte skrivas in."))


def cell_write(
    change,
    *,
    line: BudgetLine,
    column: BudgetColumn,
    amount: Decimal | None,
    expected_version: int,
    current: BudgetAmount | None,
    mark: dict,
) -> BudgetAmount | None:
    """Write one cell inside `change`, `current` being its stored amount as just read (None: empty).
    Raises `StaleVersion` on a conflict; an unchanged value writes nothing and records nothing. `mark`
    goes into the event's details (`new_step()`, or `{"undoes": key}`)."""
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
    label = f"{line.name}, {column}"
    change.record(
        PlanEvent.Action.EDITED,
        marked_summary(
            _("Budget: %(cell)s: %(before)s → %(after)s")
            % {"cell": label, "before": amount_text(before), "after": amount_text(amount)},
            mark,
        ),
        {
            "line": line.pk,
            "column": column.pk,
            "label": label,
            "before": None if before is None else str(before),
            "after": None if amount is None else str(amount),
            **mark,
        },
    )
    return saved


def budget_cell_update(
    *,
    line: BudgetLine,
    column: BudgetColumn,
    amount: Decimal | None,
    expected_version: int,
    by,
    current: BudgetAmount | type[Ellipsis] | None = ...,
) -> BudgetAmount | None:
    """Set the amount of one cell (`None` empties it) if nobody changed it since `expected_version`.

    `expected_version` is the version of the cell's `BudgetAmount` the user saw, 0 for an empty cell.
    `current` is the cell's stored amount as the caller has just read it (None: empty), which saves the
    read (`...`: read it here); the writes are conditional on the version all the same. Raises
    `StaleVersion` with the cell as it is now (None if empty) on a conflict. An unchanged value writes
    nothing. Side effects: one INSERT, UPDATE or DELETE of a `BudgetAmount`, one `PlanEvent` (an undo
    step of its own). Returns the cell as saved (None when empty). Uses a constant number of queries.
    """
    _cell_check(line, column)
    with plan_change(line.group.plan, by=by) as change:
        if current is ...:
            current = BudgetAmount.objects.filter(line=line, column=column).first()
        return cell_write(
            change,
            line=line,
            column=column,
            amount=amount,
            expected_version=expected_version,
            current=current,
            mark=new_step(),
        )


@dataclass(frozen=True)
class CellWrite:
    """One cell of a block written at once: its line and column, the amount and the version seen."""

    line: BudgetLine
    column: BudgetColumn
    amount: Decimal | None
    expected_version: int


def budget_cells_update(*, plan: Plan, cells: list[CellWrite], by, mark: dict | None = None) -> int:
    """Set several cells of `plan` at once (a pasted block): all of them, or none.

    Every cell is checked as in `budget_cell_update`; one stale cell raises `StaleVersion` (with that
    cell as it is now) and nothing is written. Side effects: one INSERT, UPDATE or DELETE per changed
    cell and one `PlanEvent` each, in one change of the plan, all with the same `mark` (by default one new
    undo step: the block undoes as one). Returns how many cells changed.
    """
    for cell in cells:
        _cell_check(cell.line, cell.column)
        if cell.line.group.plan_id != plan.pk:
            raise ValidationError(_("Raden och kolumnen hör till olika planer."))
    mark = mark or new_step()
    with plan_change(plan, by=by) as change:
        stored = {
            (amount.line_id, amount.column_id): amount
            for amount in BudgetAmount.objects.filter(
                line__in={cell.line.pk for cell in cells}, column__in={cell.column.pk for cell in cells}
            )
        }
        for cell in cells:
            cell_write(
                change,
                line=cell.line,
                column=cell.column,
                amount=cell.amount,
                expected_version=cell.expected_version,
                current=stored.get((cell.line.pk, cell.column.pk)),
                mark=mark,
            )
    return len(change.events)


def intervention_budget_update(
    *,
    plan: Plan,
    intervention: Intervention,
    column: BudgetColumn,
    amount: Decimal | None,
    expected_version: int,
    by,
    mark: dict | None = None,
) -> InterventionBudgetAmount | None:
    """Set what `plan` budgets for `intervention` in `column` instead of its grant, if nobody changed it
    since `expected_version` (the budgeted amount's version the user saw, 0 while the row follows the grant).

    `None`, or the grant itself, makes the row follow the grant again: a budgeted amount is kept only where
    it differs from the grant when it is set (it stays when the grant changes later). Raises
    `ValidationError` for a negative amount, a column of another plan, or an intervention the plan does not
    list as decided, and `StaleVersion` (with the budgeted amount as it is now, None when following) on a
    conflict. An unchanged value writes nothing. Side effects: one INSERT, UPDATE or DELETE of an
    `InterventionBudgetAmount`, one `PlanEvent` with `mark` (by default a new undo step). Returns the
    budgeted amount as saved (None: follows)."""
    with plan_change(plan, by=by) as change:
        return intervention_write(
            change,
            plan=plan,
            intervention=intervention,
            column=column,
            amount=amount,
            expected_version=expected_version,
            mark=mark or new_step(),
        )


def intervention_write(
    change,
    *,
    plan: Plan,
    intervention: Intervention,
    column: BudgetColumn,
    amount: Decimal | None,
    expected_version: int,
    mark: dict,
) -> InterventionBudgetAmount | None:
    """`intervention_budget_update` inside a change of the plan already under way."""
    if column.plan_id != plan.pk:
        raise ValidationError(_("Insatsen och kolumnen hör till olika planer."))
    if amount is not None and amount < 0:
        raise ValidationError(_("Det budgeterade beloppet kan inte vara negativt."))
    if intervention.status == Intervention.Status.UNDECIDED:
        raise ValidationError(
            _("Insatsen är inte beslutad och står inte bland budgetens beslutade insatser.")
        )
    if not plan.plan_interventions.filter(intervention=intervention).exists():
        raise ValidationError(_("Insatsen ingår inte i planen."))
    current = InterventionBudgetAmount.objects.filter(column=column, intervention=intervention).first()
    current_version = current.version if current else 0
    if current_version != expected_version:
        raise StaleVersion(current)
    grant = Grant.objects.filter(intervention=intervention, year=column.year).first()
    granted = to_decimal(grant.amount) if grant else None
    budgeted = None if amount is None or amount == granted else amount
    before = to_decimal(current.amount) if current else None
    if before == budgeted:
        return current
    if current is None:
        try:
            with transaction.atomic():
                saved = InterventionBudgetAmount.objects.create(
                    column=column, intervention=intervention, amount=sek(budgeted)
                )
        except IntegrityError:
            # Someone set the amount between our read and our write.
            raise StaleVersion(
                InterventionBudgetAmount.objects.filter(column=column, intervention=intervention).first()
            ) from None
    elif budgeted is None:
        deleted, _rows = InterventionBudgetAmount.objects.filter(
            pk=current.pk, version=expected_version
        ).delete()
        if not deleted:
            raise StaleVersion(InterventionBudgetAmount.objects.filter(pk=current.pk).first())
        saved = None
    else:
        saved = versioned_update(current, expected_version=expected_version, amount=sek(budgeted))

    def described(value: Decimal | None) -> str:
        if value is not None or granted is None:
            return amount_text(value)
        return _("beviljat belopp (%(amount)s)") % {"amount": format_kronor(granted)}

    label = f"{intervention.budget_label}, {column}"
    change.record(
        PlanEvent.Action.EDITED,
        marked_summary(
            _("Budget: %(cell)s: %(before)s → %(after)s")
            % {"cell": label, "before": described(before), "after": described(budgeted)},
            mark,
        ),
        {
            "intervention": intervention.pk,
            "column": column.pk,
            "label": label,
            "granted": None if granted is None else str(granted),
            "before": None if before is None else str(before),
            "after": None if budgeted is None else str(budgeted),
            **mark,
        },
    )
    return saved

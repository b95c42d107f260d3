"""Undo of a user's own changes to a plan's budget, one step at a time, read from the plan's history.

A step is one change the user made to the budget's amounts: a typed cell, an intervention's budgeted
amount, a column's members' total, or a pasted block (its cells share one step key). The cells' writes
(`budgets.services.cells`, `grid.column_write`) record each step's cells in the history with their
value `before` and `after` and the step's key (`details["step"]`), so the steps survive a reload.

The rules, all decided here:
- The steps on offer are the user's last `UNDO_LIMIT` steps in the plan, newest first; a step already
  undone is passed over, so at most `UNDO_LIMIT` undos follow one another.
- An undo is recorded in the history like any change (`details["undoes"]` = the step's key, summary
  "Ångrade: …") but is not a step itself: it cannot be undone (there is no redo) and does not count
  among the `UNDO_LIMIT`.
- A step undoes only while every cell it wrote still holds the value it wrote. Where someone else has
  changed a cell since (or its line, column or intervention is gone), the step is refused with a Swedish
  message, and so is every older step that touched the same cell; the offer moves on to the newest step
  that can be undone.
- Steps undo in order, newest first: the step the user asks to undo (the one the "Ångra" button showed)
  must be the one on offer now.
- Changes to the budget's structure (lines, groups, columns, the import) are no steps.
- The undo goes through the plan's write gateway: a plan that cannot be edited refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.db.models.fields.json import KT
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from budgets.models import BudgetAmount, BudgetColumn, BudgetLine, InterventionBudgetAmount
from budgets.services.cells import amount_text, cell_write, intervention_write
from budgets.services.grid import column_write
from finsam.editing import StaleVersion
from finsam.money import to_decimal
from interventions.models import Intervention
from plans.gateway import plan_change
from plans.models import Plan, PlanEvent

UNDO_LIMIT = 20
LINE, INTERVENTION, TOTAL = "line", "intervention", "total"
_GONE = object()  # a cell whose line, column or intervention is no longer in the plan


class UndoRefused(ValidationError):
    """The step cannot be undone (the message says why, in Swedish)."""


@dataclass(frozen=True)
class StepCell:
    """One cell a step wrote: which (`key`: kind and ids), its readable name, and its values."""

    key: tuple
    label: str
    before: Decimal | None
    after: Decimal | None


@dataclass
class UndoStep:
    """One step of the user's: its key, the cells it wrote, and whether (why not) it can be undone."""

    key: str
    summary: str  # the history line of its (first) cell
    cells: list[StepCell] = field(default_factory=list)
    undone: bool = False
    refusal: str = ""  # why it cannot be undone now ("" when it can)

    @property
    def description(self) -> str:
        """What undoing it undoes, in words (the button says it)."""
        if len(self.cells) == 1:
            return self.summary
        return ngettext(
            "inklistringen av %(count)s cell", "inklistringen av %(count)s celler", len(self.cells)
        ) % {"count": len(self.cells)}


def _decimal(text) -> Decimal | None:
    return None if text is None else Decimal(text)


def _step_cell(details: dict) -> StepCell | None:
    """The cell an event of a step wrote (None for an event that is no cell's change)."""
    column = details.get("column")
    label = details.get("label", "")
    if "line" in details and "after" in details:
        key = (LINE, details["line"], column)
        return StepCell(key, label, _decimal(details["before"]), _decimal(details["after"]))
    if "intervention" in details and "after" in details:
        key = (INTERVENTION, details["intervention"], column)
        return StepCell(key, label, _decimal(details["before"]), _decimal(details["after"]))
    if "total_after" in details:
        return StepCell(
            (TOTAL, column), label, _decimal(details["total_before"]), _decimal(details["total_after"])
        )
    return None


def _user_steps(plan: Plan, user) -> list[UndoStep]:
    """The user's last `UNDO_LIMIT` steps in `plan`, newest first, with their cells and whether each was
    undone. Two queries."""
    keys = [
        key
        for key, _last in PlanEvent.objects.filter(plan=plan, user=user, details__has_key="step")
        .values(key=KT("details__step"))
        .annotate(last=Max("id"))
        .order_by("-last")
        .values_list("key", "last")[:UNDO_LIMIT]
    ]
    if not keys:
        return []
    steps = {key: UndoStep(key, "") for key in keys}
    events = (
        PlanEvent.objects.filter(plan=plan, user=user)
        .filter(Q(details__step__in=keys) | Q(details__undoes__in=keys))
        .only("summary", "details")
        .order_by("id")
    )
    for event in events:
        if "undoes" in event.details:
            steps[event.details["undoes"]].undone = True
            continue
        step = steps[event.details["step"]]
        cell = _step_cell(event.details)
        if cell is not None:
            step.summary = step.summary or event.summary
            step.cells.append(cell)
    return [steps[key] for key in keys if steps[key].cells]


def _current_values(plan: Plan, cells: list[StepCell]) -> dict[tuple, Decimal | None]:
    """Each cell's value now (None: empty, or following the grant); a cell whose line, column or
    intervention is gone is missing. One query per kind of cell present, and one for the columns."""
    columns = {cell.key[-1] for cell in cells}
    stored_columns = dict(
        BudgetColumn.objects.filter(plan=plan, pk__in=columns).values_list("pk", "contributions_total")
    )
    values: dict[tuple, Decimal | None] = {}
    for column_id, total in stored_columns.items():
        values[(TOTAL, column_id)] = None if total is None else to_decimal(total)
    line_ids = {cell.key[1] for cell in cells if cell.key[0] == LINE}
    if line_ids:
        rows = BudgetLine.objects.filter(group__plan=plan, pk__in=line_ids).values_list(
            "pk", "amounts__column_id", "amounts__amount"
        )
        for line_id, column_id, amount in rows:
            for other in stored_columns:
                values.setdefault((LINE, line_id, other), None)
            if column_id is not None:
                values[(LINE, line_id, column_id)] = to_decimal(amount)
    intervention_ids = {cell.key[1] for cell in cells if cell.key[0] == INTERVENTION}
    if intervention_ids:
        rows = (
            Intervention.objects.filter(plan_links__plan=plan, pk__in=intervention_ids)
            .exclude(status=Intervention.Status.UNDECIDED)
            .values_list("pk", "budget_amounts__column_id", "budget_amounts__amount")
        )
        for intervention_id, column_id, amount in rows:
            for other in stored_columns:
                values.setdefault((INTERVENTION, intervention_id, other), None)
            if column_id in stored_columns:
                values[(INTERVENTION, intervention_id, column_id)] = to_decimal(amount)
    return values


def _judge(steps: list[UndoStep], values: dict[tuple, Decimal | None]) -> None:
    """Say of each step not undone yet why it cannot be undone now (`refusal`), newest first: a cell
    changed since (or gone), or a newer step of the user's on the same cell that cannot be undone."""
    held: dict[tuple, str] = {}
    for step in steps:
        if step.undone:
            continue
        for cell in step.cells:
            now = values.get(cell.key, _GONE)
            if cell.key in held:
                step.refusal = held[cell.key]
            elif now is _GONE:
                step.refusal = _("Kan inte ångra: %(cell)s finns inte längre i budgeten.") % {
                    "cell": cell.label
                }
            elif now != cell.after:
                step.refusal = _(
                    "Kan inte ångra: någon annan har ändrat %(cell)s sedan dess (nu %(value)s)."
                ) % {
                    "cell": cell.label,
                    "value": amount_text(now),
                }
            if step.refusal:
                break
        if step.refusal:
            for cell in step.cells:
                held.setdefault(cell.key, step.refusal)


def _judged_steps(plan: Plan, user) -> list[UndoStep]:
    steps = _user_steps(plan, user)
    pending = [step for step in steps if not step.undone]
    if pending:
        _judge(steps, _current_values(plan, [cell for step in pending for cell in step.cells]))
    return steps


def undo_offer(*, plan: Plan, user) -> UndoStep | None:
    """The step "Ångra" undoes now: the user's newest step in `plan` that can be undone (None: nothing).
    A constant number of queries (at most five), whatever the size of the budget."""
    return next((step for step in _judged_steps(plan, user) if not step.undone and not step.refusal), None)


def budget_undo(*, plan: Plan, step: str, by) -> UndoStep:
    """Undo the user's step `step` (its key, as `undo_offer` gave it): every cell it wrote gets back its
    value before, if the step is still the one on offer (see the module's rules). Raises `UndoRefused`
    (Swedish) otherwise, or when someone changes a cell meanwhile; `PlanLocked` for a plan that cannot be
    edited. Side effects: one write and one `PlanEvent` (marked `undoes`) per cell, in one change of the
    plan. Returns the step undone."""
    with plan_change(plan, by=by) as change:
        change.lock_now()  # the steps are judged and undone without another change of the plan between
        steps = _judged_steps(plan, by)
        asked = next((candidate for candidate in steps if candidate.key == step), None)
        offered = next(
            (candidate for candidate in steps if not candidate.undone and not candidate.refusal), None
        )
        if asked is None:
            raise UndoRefused(
                _(
                    "Den ändringen kan inte ångras: bara dina %(count)s senaste ändringar i budgeten kan ångras."
                )
                % {"count": UNDO_LIMIT}
            )
        if asked.undone:
            raise UndoRefused(_("Den ändringen är redan ångrad."))
        if asked.refusal:
            raise UndoRefused(asked.refusal)
        if asked is not offered:
            raise UndoRefused(
                _("Ändringar ångras i tur och ordning, den senaste först. Knappen Ångra visar nu vilken.")
            )
        try:
            _write_back(change, plan, asked)
        except StaleVersion:
            raise UndoRefused(
                _("Kan inte ångra: någon annan ändrade samma cell just nu. Inget ångrades.")
            ) from None
    return asked


def _still(cell: StepCell, value) -> None:
    """The cell as just loaded must still hold what the step wrote (a change committed since it was
    judged): `StaleVersion` otherwise."""
    if value is _GONE or (None if value is None else to_decimal(value)) != cell.after:
        raise StaleVersion(None)


def _write_back(change, plan: Plan, step: UndoStep) -> None:
    """Give every cell of `step` its value before (inside `change`), each conditional on its version."""
    mark = {"undoes": step.key}
    column_ids = {cell.key[-1] for cell in step.cells}
    columns = {column.pk: column for column in BudgetColumn.objects.filter(plan=plan, pk__in=column_ids)}
    for column in columns.values():
        column.plan = plan
    line_cells = [cell for cell in step.cells if cell.key[0] == LINE]
    if line_cells:
        lines = BudgetLine.objects.select_related("group").in_bulk({cell.key[1] for cell in line_cells})
        stored = {
            (amount.line_id, amount.column_id): amount
            for amount in BudgetAmount.objects.filter(line__in=lines.keys(), column__in=column_ids)
        }
        for cell in line_cells:
            _kind, line_id, column_id = cell.key
            current = stored.get((line_id, column_id))
            if line_id not in lines or column_id not in columns:
                raise StaleVersion(None)
            _still(cell, current.amount if current else None)
            cell_write(
                change,
                line=lines[line_id],
                column=columns[column_id],
                amount=cell.before,
                expected_version=current.version if current else 0,
                current=current,
                mark=mark,
            )
    for cell in step.cells:
        if cell.key[0] == INTERVENTION:
            _kind, intervention_id, column_id = cell.key
            current = InterventionBudgetAmount.objects.filter(
                intervention_id=intervention_id, column_id=column_id
            ).first()
            if column_id not in columns:
                raise StaleVersion(None)
            _still(cell, current.amount if current else None)
            intervention_write(
                change,
                plan=plan,
                intervention=Intervention.objects.get(pk=intervention_id, plan_links__plan=plan),
                column=columns[column_id],
                amount=cell.before,
                expected_version=current.version if current else 0,
                mark=mark,
            )
        elif cell.key[0] == TOTAL:
            column = columns.get(cell.key[1])
            _still(cell, column.contributions_total if column else _GONE)
            column_write(
                change,
                column=column,
                expected_version=column.version,
                contributions_total=cell.before,
                mark=mark,
            )

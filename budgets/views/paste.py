"""A block of cells pasted into the budget grid (from Excel or Word): saved all at once, or asked about once.

Each pasted amount is read as a typed one is (`budgets.slips`, compared with its row as saved); a block
with number slips lists them in one question; bad input or someone else's change refuses the whole block.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from budgets import services, slips
from budgets.models import BudgetAmount, BudgetColumn, BudgetLine
from budgets.views.grid import (
    GRID_TEMPLATE,
    _amount_or_blank,
    _done,
    _editor_response,
    _first_message,
    _grid_context,
)
from finsam.access import association_view
from finsam.editing import StaleVersion
from plans.access import get_plan

# A pasted block: at most this many cells (the largest grid has 60 lines × 6 columns), named by their inputs.
PASTE_LIMIT = 2000
PASTED_CELL = re.compile(r"cell-([0-9]{1,12})-([0-9]{1,12})")


@dataclass
class PastedCell:
    """One cell of a pasted block: where it goes, the text pasted, the version seen and how it is read."""

    key: str  # the cell's input id, "cell-<line>-<column>"
    line: BudgetLine
    column: BudgetColumn
    text: str
    version: int
    reading: slips.Reading | None = None


def _pasted_cells(request, plan) -> list[PastedCell]:
    """The block's cells as posted (`cell` repeated, `amount-<cell>`, `version-<cell>`), with their lines
    and columns in two queries. A malformed block is a 400, a line or column of another plan a 404."""
    keys = request.POST.getlist("cell")
    matches = [PASTED_CELL.fullmatch(key) for key in keys]
    if not keys or len(keys) > PASTE_LIMIT or not all(matches) or len(set(keys)) != len(keys):
        raise ValidationError(_("Det inklistrade blocket kunde inte läsas."))
    line_ids = {int(match[1]) for match in matches}
    column_ids = {int(match[2]) for match in matches}
    lines = BudgetLine.objects.select_related("group").filter(pk__in=line_ids, group__plan=plan)
    lines = {line.pk: line for line in lines}
    columns = {column.pk: column for column in BudgetColumn.objects.filter(pk__in=column_ids, plan=plan)}
    if len(lines) != len(line_ids) or len(columns) != len(column_ids):
        raise Http404
    for line in lines.values():
        line.group.plan = plan
    for column in columns.values():
        column.plan = plan
    cells = []
    for key, match in zip(keys, matches, strict=True):
        try:
            version = int(request.POST.get(f"version-{key}", ""))
        except ValueError:
            raise ValidationError(_("Cellens version saknas.")) from None
        cells.append(
            PastedCell(
                key,
                lines[int(match[1])],
                columns[int(match[2])],
                request.POST.get(f"amount-{key}", ""),
                version,
            )
        )
    return cells


def _paste_readings(plan, cells: list[PastedCell], *, answered: bool) -> dict[str, str]:
    """Read every pasted amount (`cell.reading`); the Swedish error of each one that is no amount.

    Unless the question was answered, each amount is compared with its row and group as they are saved
    (the stored amounts of the groups, one query), as a typed cell is: compared with the rest of the block,
    one slip in it would make its row's right amounts look wrong."""
    errors, amounts = {}, {}
    for cell in cells:
        try:
            amounts[cell.key] = _amount_or_blank(cell.text, plan.unit)
        except ValidationError as error:
            errors[cell.key] = error.messages[0]
    if errors:
        return errors
    by_group: dict[int, list[tuple[int, int, Decimal]]] = {}
    if not answered and any(amounts.values()):
        stored = BudgetAmount.objects.filter(line__group__in={cell.line.group_id for cell in cells})
        for line_id, group_id, column_id, amount in stored.values_list(
            "line_id", "line__group_id", "column_id", "amount"
        ):
            by_group.setdefault(group_id, []).append((line_id, column_id, amount))
    for cell in cells:
        row, column = slips.neighbour_amounts(
            by_group.get(cell.line.group_id, []), row=cell.line.pk, column=cell.column.pk
        )
        cell.reading = slips.amount_reading(
            amounts[cell.key],
            unit=plan.unit,
            costs_negative=plan.costs_negative,
            section=cell.line.group.section,
            row=row,
            column=column,
        )
    return errors


@require_POST
@association_view
def budget_cells_paste(request, pk: int):
    """A block pasted into the grid (static/js/grid.js): every cell saved at once, or none.

    Bad input refuses the whole block (422, the bad cells marked); number slips (budgets.slips) are asked
    about once, listing them, and nothing is saved until the answer (`confirm=suggested`: the suggested
    readings, `typed`: the block as pasted) posts the block again. A stale cell refuses the block (409).
    Saved, the answer is the editor region with an announcement."""
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    try:
        cells = _pasted_cells(request, plan)
    except ValidationError as error:
        return HttpResponseBadRequest(_first_message(error))
    answer = request.POST.get("confirm", "")
    answer = answer if answer in slips.CONFIRMATIONS else ""
    skipped = request.POST.get("skipped", "")
    skipped = int(skipped) if skipped.isdigit() and len(skipped) < 6 else 0  # values beyond the grid's edge
    errors = _paste_readings(plan, cells, answered=bool(answer))
    if errors:
        return _editor_response(
            request,
            plan,
            status=422,
            announcement=ngettext(
                "Inget klistrades in: ett värde är inget belopp.",
                "Inget klistrades in: %(count)s värden är inga belopp.",
                len(errors),
            )
            % {"count": len(errors)},
            cell_state={
                (cell.line.pk, cell.column.pk): {"text": cell.text, "error": errors[cell.key]}
                for cell in cells
                if cell.key in errors
            },
        )
    asked = [cell for cell in cells if cell.reading.slip]
    if asked and not answer:
        paste = {
            "cells": cells,
            "asked": asked,
            "skipped": skipped,
            "suggests": any(cell.reading.slip.suggested is not None for cell in asked),
        }
        if not request.htmx:
            return render(request, GRID_TEMPLATE, _grid_context(plan, paste=paste))
        response = render(request, f"{GRID_TEMPLATE}#paste-question", {"plan": plan, "paste": paste})
        return reswap(retarget(response, "#grid-paste"), "innerHTML")
    writes, notes = [], []
    for cell in cells:
        amount, note = cell.reading.amount, cell.reading.note
        suggested = request.POST.get(f"suggested-{cell.key}", "")
        if answer == slips.CONFIRM_SUGGESTED and suggested:
            try:
                amount, note = _amount_or_blank(suggested, plan.unit), ""
            except ValidationError as error:
                return HttpResponseBadRequest(_first_message(error))
        writes.append(services.CellWrite(cell.line, cell.column, amount, cell.version))
        notes += [note] if note else []
    try:
        changed = services.budget_cells_update(plan=plan, cells=writes, by=request.user)
    except StaleVersion:
        return _editor_response(
            request,
            plan,
            status=409,
            announcement=_("Någon annan har just ändrat en av cellerna. Inget klistrades in; försök igen."),
        )
    except ValidationError as error:
        return _editor_response(request, plan, status=422, announcement=_first_message(error))
    message = ngettext("Inklistrat: en cell ändrades.", "Inklistrat: %(count)s celler ändrades.", changed) % {
        "count": changed
    }
    if skipped:
        message += " " + ngettext(
            "Ett värde hamnade utanför tabellen och togs inte med.",
            "%(count)s värden hamnade utanför tabellen och togs inte med.",
            skipped,
        ) % {"count": skipped}
    message = " ".join([message, *notes])
    return _done(request, plan, message)

"""The budget grid editor of a plan (budgets/grid.html).

A cell save (a typed line's cell, a column's contributions total, or the amount budgeted for an
intervention instead of its grant) answers with the cell and, out of band, everything that follows from it
(subtotals, totals, result, equity, checks, an announcement); an amount that looks like a slip
(budgets.slips) is asked about first, nothing saved. A pasted block is saved all at once, or asks once.
Structural changes (lines, groups, columns) and a pasted block answer with the whole editor region.
Without JavaScript every form posts and redirects back to the grid; refusals render
the page with the user's input and the message.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from budgets import services, slips
from budgets.calc import plan_budget
from budgets.checks import plan_checks
from budgets.grid import budget_grid
from budgets.models import BudgetAmount, BudgetColumn, BudgetGroup, BudgetLine
from finsam.access import association_view
from finsam.editing import StaleVersion
from finsam.money import format_kronor, parse_amount, to_decimal
from interventions.models import Intervention
from plans.access import get_plan
from plans.checks import finding_links, findings_digest

GRID_TEMPLATE = "budgets/grid.html"


def _grid_url(plan, anchor: str = "") -> str:
    url = reverse("plan_budget_grid", kwargs={"association": plan.association.slug, "pk": plan.pk})
    return f"{url}#{anchor}" if anchor else url


def _grid_context(
    plan,
    *,
    budget=None,
    cell_state=None,
    contribution_state=None,
    form_errors=None,
    form_values=None,
    lines=None,
    interventions=None,
    intervention_state=None,
    shown_checks_digest=None,
    **extra,
) -> dict:
    """Everything the grid page and its partials show. `shown_checks_digest` is the digest of the checks
    the page shows (a cell's post includes it): when the findings are still the same, `checks_unchanged`
    tells the answer to leave the panel out, and their links are not built."""
    budget = budget or plan_budget(plan)
    grid = budget_grid(
        plan,
        budget,
        cell_state=cell_state,
        contribution_state=contribution_state,
        form_errors=form_errors,
        form_values=form_values,
        lines=lines,
        interventions=interventions,
        intervention_state=intervention_state,
    )
    findings = plan_checks(plan, budget=budget)
    digest = findings_digest(findings)
    checks_unchanged = shown_checks_digest == digest
    return {
        "plan": plan,
        "grid": grid,
        "budget": budget,
        "association": plan.association,
        # The plan editor's checks panel, each finding with the place where it is fixed.
        "findings": [] if checks_unchanged else [(f, finding_links(plan, f)) for f in findings],
        "findings_digest": digest,
        "checks_unchanged": checks_unchanged,
        "group_kinds": {
            section: [
                (kind, label)
                for kind, label in BudgetGroup.Kind.choices
                if (kind in BudgetGroup.REVENUE_KINDS) == (section == BudgetGroup.Section.REVENUE)
                or kind == BudgetGroup.Kind.OTHER
            ]
            for section in BudgetGroup.Section.values
        },
        "column_kinds": BudgetColumn.Kind.choices,
        **extra,
    }


def _editor_response(request, plan, *, status: int = 200, announcement: str = "", **context):
    """The whole editor region for HTMX, the whole page otherwise (used for refusals)."""
    template = f"{GRID_TEMPLATE}#editor-response" if request.htmx else GRID_TEMPLATE
    context = _grid_context(plan, announcement=announcement, **context)
    return render(request, template, context, status=status)


def _done(request, plan, message: str, *, anchor: str = ""):
    """After a structural change: the editor region (HTMX) or a redirect back to the grid."""
    if request.htmx:
        return _editor_response(request, plan, announcement=message)
    messages.success(request, message)
    return redirect(_grid_url(plan, anchor))


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _amount_or_blank(text: str, unit: str):
    """An empty input empties the cell; anything else must be an amount."""
    return None if not text.strip() else parse_amount(text, unit)


@association_view
def plan_budget_grid(request, pk: int):
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    return render(request, GRID_TEMPLATE, _grid_context(plan))


def _cell_objects(request, pk: int, line_id: int, column_id: int):
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    line = get_object_or_404(BudgetLine.objects.select_related("group"), pk=line_id, group__plan=plan)
    column = get_object_or_404(BudgetColumn, pk=column_id, plan=plan)
    line.group.plan = column.plan = plan
    return plan, line, column


def _saved_cell_response(
    request, plan, *, line=None, column, announce: bool = True, intervention=None, note: str = ""
):
    """The saved cell with everything that follows from it (out of band): one budget computation. Only
    the saved line's (or intervention's) row is built; the totals follow from the whole budget. `note`
    says how the amount was read (budgets.slips), in the cell and in the announcement."""
    lines = {line.pk} if line is not None else set()
    context = _grid_context(
        plan,
        announce_column=column if announce else None,
        saved_note=note,
        lines=lines,
        interventions={intervention.pk} if intervention is not None else set(),
        shown_checks_digest=request.POST.get("checks_digest") if request.method == "POST" else None,
    )
    grid = context["grid"]
    if intervention is not None:
        context["computed"] = grid.intervention_row(intervention.pk)
        context["cell"] = grid.intervention_cell(intervention.pk, column.pk)
        return render(request, f"{GRID_TEMPLATE}#intervention-cell-response", context)
    if line is not None:
        context["grid_row"] = grid.line_row(line.pk)
        context["cell"] = grid.line_cell(line.pk, column.pk)
        context["cell"].note = note
        return render(request, f"{GRID_TEMPLATE}#line-cell-response", context)
    context["cell"] = grid.contribution_cell(column.pk)
    context["cell"].note = note
    return render(request, f"{GRID_TEMPLATE}#contribution-cell-response", context)


def _refused_cell_response(request, plan, *, line, column, status: int, intervention=None, **state):
    """A refused save: the cell keeps what the user typed, with the message (HTMX), or the whole page.

    After a conflict the totals follow what is saved now (the other person's value), out of band."""
    extra = {}
    if status == 409:
        extra["announcement"] = _(
            "Någon annan har just ändrat samma cell. Summorna visar det som är sparat nu."
        )
    elif state.get("error"):
        # Announced too: after Tab the focus is already in the next cell.
        extra["announcement"] = _("Inte sparat: %(error)s") % {"error": state["error"]}
    elif state.get("slip"):
        extra["announcement"] = _("Inte sparat ännu: %(question)s") % {"question": state["slip"].question}
    if intervention is not None:
        context = _grid_context(plan, intervention_state={(intervention.pk, column.pk): state}, **extra)
    elif line is not None:
        context = _grid_context(plan, cell_state={(line.pk, column.pk): state}, **extra)
    else:
        context = _grid_context(plan, contribution_state={column.pk: state}, **extra)
    if not request.htmx:
        return render(request, GRID_TEMPLATE, context, status=status)
    grid = context["grid"]
    if intervention is not None:
        context["computed"] = grid.intervention_row(intervention.pk)
        context["cell"] = grid.intervention_cell(intervention.pk, column.pk)
        partial = "intervention-cell-response" if status == 409 else "intervention-cell-refused"
    elif line is not None:
        context["cell"] = grid.line_cell(line.pk, column.pk)
        context["grid_row"] = grid.line_row(line.pk)
        partial = "line-cell-response" if status == 409 else "line-cell-refused"
    else:
        context["cell"] = grid.contribution_cell(column.pk)
        partial = "contribution-cell-response" if status == 409 else "contribution-cell-refused"
    return render(request, f"{GRID_TEMPLATE}#{partial}", context, status=status)


def _their_value(amount) -> str:
    return _("tom") if amount is None else format_kronor(to_decimal(amount))


def _slip_answer(post, text: str) -> str:
    """The answer posted to a cell's question (`slips.CONFIRM_SUGGESTED` or `CONFIRM_TYPED`; "" for none).
    It holds only for the text the question was about (`asked`): an amount changed since is read afresh."""
    confirm = post.get("confirm", "")
    return confirm if confirm in slips.CONFIRMATIONS and post.get("asked") == text else ""


def _read_typed(plan, amount, *, section, neighbours, answered: bool) -> slips.Reading:
    """How a typed amount is read (budgets.slips). `neighbours()` loads the row's and the group column's
    other amounts (one query), only when the amount may be asked about: an answered question is not asked
    again."""
    row = column = ()
    if amount and not answered and neighbours is not None:
        row, column = neighbours()
    return slips.amount_reading(
        amount,
        unit=plan.unit,
        costs_negative=plan.costs_negative,
        section=section,
        row=row,
        column=column,
    )


def _cell(
    request, plan, *, line, column, save, stored, intervention=None, section=None, neighbours=None
) -> HttpResponse:
    """One amount cell of the grid (a typed cell, `line` set; an intervention's budgeted amount,
    `intervention` set; or a column's contributions total): GET shows it as it is now (after choosing the
    other's value or cancelling a question), POST saves `save(amount, expected_version)` and answers with
    the cell and what follows from it; 422 for bad input and 409 for a conflict keep the text typed.
    `stored(current)` is the conflicting row's amount.

    A number slip (budgets.slips: too large for its row or the plan's unit, negative in a `section`) is
    not saved: the cell asks, keeping the text (200, nothing written). The answer posts the same text with
    `confirm=suggested` (the `suggested` amount the question showed) or `confirm=typed`."""
    if intervention is not None:
        anchor = f"insats-{intervention.pk}-{column.pk}"
    else:
        anchor = f"cell-{line.pk}-{column.pk}" if line is not None else f"contributions-{column.pk}"
    if request.method == "GET":
        if not request.htmx:
            return redirect(_grid_url(plan, anchor))
        return _saved_cell_response(
            request, plan, line=line, column=column, announce=False, intervention=intervention
        )
    expected_version = _version(request)
    if expected_version is None:
        return HttpResponseBadRequest(
            _("Cellens version saknas.") if line or intervention else _("Kolumnens version saknas.")
        )
    text = request.POST.get("amount", "")
    answer = _slip_answer(request.POST, text)
    refused = {"line": line, "column": column, "text": text, "intervention": intervention}
    try:
        reading = _read_typed(
            plan,
            _amount_or_blank(text, plan.unit),
            section=section,
            neighbours=neighbours,
            answered=bool(answer),
        )
        # An intervention's budgeted amount is not asked about yet (its cell has no question to show).
        if reading.slip and not answer and intervention is None:
            return _refused_cell_response(
                request, plan, status=200, slip=reading.slip, version=expected_version, **refused
            )
        suggested = request.POST.get("suggested", "")
        if answer == slips.CONFIRM_SUGGESTED and suggested.strip():  # no suggestion: the typed amount
            reading = slips.Reading(parse_amount(suggested, plan.unit))
        save(reading.amount, expected_version)
    except ValidationError as error:
        return _refused_cell_response(
            request, plan, status=422, error=error.messages[0], version=expected_version, **refused
        )
    except StaleVersion as conflict:
        current = conflict.current
        return _refused_cell_response(
            request,
            plan,
            status=409,
            # An intervention's cell that someone emptied follows the grant again.
            conflict=_("beviljat belopp")
            if intervention is not None and current is None
            else _their_value(stored(current) if current else None),
            version=current.version if current else 0,
            **refused,
        )
    if not request.htmx:
        if reading.note:
            messages.info(request, reading.note)
        return redirect(_grid_url(plan, anchor))
    return _saved_cell_response(
        request, plan, line=line, column=column, intervention=intervention, note=reading.note
    )


@require_http_methods(["GET", "POST"])
@association_view
def budget_cell(request, pk: int, line_id: int, column_id: int):
    """Save one typed cell (POST), or show it as it is now (GET)."""
    plan, line, column = _cell_objects(request, pk, line_id, column_id)
    # The stored amounts of the line's group, read once when the slip check needs them: the row's and the
    # column's other amounts, and the cell itself, which the save then does not read again.
    group_amounts: list[BudgetAmount] | None = None

    def neighbours():
        nonlocal group_amounts
        group_amounts = list(BudgetAmount.objects.filter(line__group=line.group_id))
        return slips.neighbour_amounts(
            ((a.line_id, a.column_id, a.amount.amount) for a in group_amounts), row=line.pk, column=column.pk
        )

    def save(amount, version):
        read = {}
        if group_amounts is not None:
            cell = (line.pk, column.pk)
            read["current"] = next((a for a in group_amounts if (a.line_id, a.column_id) == cell), None)
        services.budget_cell_update(
            line=line, column=column, amount=amount, expected_version=version, by=request.user, **read
        )

    return _cell(
        request,
        plan,
        line=line,
        column=column,
        save=save,
        stored=lambda current: current.amount,
        section=line.group.section,
        neighbours=neighbours,
    )


@require_http_methods(["GET", "POST"])
@association_view
def budget_intervention_cell(request, pk: int, intervention_id: int, column_id: int):
    """Save what the plan budgets for an intervention in one column instead of its grant (POST; empty
    follows the grant again), or show the cell as it is now (GET)."""
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    intervention = get_object_or_404(Intervention, pk=intervention_id, plan_links__plan=plan)
    column = get_object_or_404(BudgetColumn, pk=column_id, plan=plan)
    column.plan = plan
    return _cell(
        request,
        plan,
        line=None,
        intervention=intervention,
        column=column,
        save=lambda amount, version: services.intervention_budget_update(
            plan=plan,
            intervention=intervention,
            column=column,
            amount=amount,
            expected_version=version,
            by=request.user,
        ),
        stored=lambda current: current.amount,
    )


@require_http_methods(["GET", "POST"])
@association_view
def budget_contributions(request, pk: int, column_id: int):
    """The members' total contribution of one column; the contribution rows are computed from it."""
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    column = get_object_or_404(BudgetColumn, pk=column_id, plan=plan)
    column.plan = plan
    return _cell(
        request,
        plan,
        line=None,
        column=column,
        save=lambda amount, version: services.budget_column_update(
            column=column, expected_version=version, by=request.user, contributions_total=amount
        ),
        stored=lambda current: current.contributions_total,
        # The row of the members' total: the other columns' totals (the total is no cost or revenue line:
        # a negative one is refused by the service).
        neighbours=lambda: (
            list(plan.budget_columns.exclude(pk=column.pk).values_list("contributions_total", flat=True)),
            (),
        ),
    )


def _first_message(error: ValidationError) -> str:
    return error.messages[0] if error.messages else _("Kontrollera uppgifterna.")

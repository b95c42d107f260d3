"""The budget grid's structure: columns (add, remove, kind), lines and groups (add, rename, move, remove).

Every change answers with the whole editor region (HTMX) or redirects back to the grid; a refusal shows
the grid with the user's input and the message.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from budgets import services
from budgets.models import BudgetColumn, BudgetGroup, BudgetLine
from budgets.views.grid import (
    GRID_TEMPLATE,
    _done,
    _editor_response,
    _first_message,
    _grid_context,
    _version,
)
from finsam.access import association_view
from finsam.editing import StaleVersion
from plans.access import get_plan


@require_POST
@association_view
def budget_column_add(request, pk: int):
    """Add a column (year and kind) to the plan's budget."""
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    year_text, kind = request.POST.get("year", "").strip(), request.POST.get("kind", "")
    try:
        column = services.budget_column_add(
            plan=plan, year=int(year_text) if year_text.isdigit() else None, kind=kind, by=request.user
        )
    except ValidationError as error:
        return _editor_response(
            request,
            plan,
            status=422,
            column_add_error=_first_message(error),
            column_add_values={"year": year_text, "kind": kind},
        )
    return _done(request, plan, _("Kolumnen %(column)s lades till.") % {"column": column})


def _column(request, pk: int, column_id: int):
    """The editable plan and its column `column_id` (a 404 for another plan's)."""
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    column = get_object_or_404(BudgetColumn, pk=column_id, plan=plan)
    column.plan = plan
    return plan, column


@require_POST
@association_view
def budget_column_remove(request, pk: int, column_id: int):
    """Remove a column, once the chief has ticked that its amounts go with it."""
    plan, column = _column(request, pk, column_id)
    if request.POST.get("confirm") != "1":
        message = _("Kryssa i att kolumnen %(column)s ska tas bort med sina belopp.") % {"column": column}
        return _editor_response(request, plan, status=422, form_errors={f"column-{column.pk}": message})
    label = str(column)
    services.budget_column_remove(column=column, by=request.user)
    return _done(request, plan, _("Kolumnen %(column)s togs bort.") % {"column": label})


@require_POST
@association_view
def budget_column_kind(request, pk: int, column_id: int):
    plan, column = _column(request, pk, column_id)
    expected_version = _version(request)
    kind = request.POST.get("kind", "")
    if expected_version is None or kind not in BudgetColumn.Kind.values:
        return _editor_response(
            request, plan, status=422, form_errors={f"column-{column.pk}": _("Välj en typ för kolumnen.")}
        )
    try:
        services.budget_column_update(
            column=column, expected_version=expected_version, by=request.user, kind=kind
        )
    except StaleVersion:
        return _editor_response(
            request,
            plan,
            status=409,
            form_errors={
                f"column-{column.pk}": _("Någon annan har just ändrat kolumnen. Kontrollera och försök igen.")
            },
        )
    return _done(
        request,
        plan,
        _("Kolumnen %(year)s är nu %(kind)s.")
        % {"year": column.year, "kind": column.get_kind_display().lower()},
    )


def _line(request, pk: int, line_id: int):
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    line = get_object_or_404(BudgetLine.objects.select_related("group"), pk=line_id, group__plan=plan)
    line.group.plan = plan
    return plan, line


def _group(request, pk: int, group_id: int):
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    group = get_object_or_404(BudgetGroup, pk=group_id, plan=plan)
    group.plan = plan
    return plan, group


@require_POST
@association_view
def budget_line_add(request, pk: int, group_id: int):
    plan, group = _group(request, pk, group_id)
    name = request.POST.get("name", "")
    try:
        line = services.budget_line_add(
            group=group, name=name, undecided=request.POST.get("undecided") == "on", by=request.user
        )
    except ValidationError as error:
        return _editor_response(
            request,
            plan,
            status=422,
            form_errors={f"line-add-{group.pk}": _first_message(error)},
            form_values={f"line-add-{group.pk}": name},
        )
    return _done(
        request, plan, _("Raden %(line)s lades till.") % {"line": line.name}, anchor=f"rad-{line.pk}"
    )


@dataclass(frozen=True)
class GridItem:
    """A line or a group as the grid's rename, move and remove forms treat it; the messages name it."""

    key: str  # "line" | "group": form keys, the confirmation's context, the services' argument
    anchor: str  # "rad" | "grupp"
    flag: str  # the checkbox saved with the name: "undecided" | "collapsed"
    texts: tuple[str, ...]  # text fields saved with the name: the group's shared subtotal
    missing_version: str
    conflict: str  # %(name)s: the other person's name for it
    renamed: str  # %(name)s
    moved: dict[str, str]  # direction → %(name)s
    at_end: dict[str, str]  # direction → %(name)s
    removed: str  # %(name)s
    update: Callable
    move: Callable
    remove: Callable


LINE = GridItem(
    "line", "rad", "undecided", (),
    missing_version=gettext_lazy("Radens version saknas."),
    conflict=gettext_lazy("Någon annan har just ändrat raden till ”%(name)s”. Spara igen för att ersätta med ditt namn."),
    renamed=gettext_lazy("Raden heter nu %(name)s."),
    moved={services.UP: gettext_lazy("Raden %(name)s flyttades upp."), services.DOWN: gettext_lazy("Raden %(name)s flyttades ned.")},
    at_end={services.UP: gettext_lazy("Raden %(name)s står redan först."), services.DOWN: gettext_lazy("Raden %(name)s står redan sist.")},
    removed=gettext_lazy("Raden %(name)s togs bort."),
    update=services.budget_line_update, move=services.budget_line_move, remove=services.budget_line_remove,
)  # fmt: skip
GROUP = GridItem(
    "group", "grupp", "collapsed", ("summed_under",),
    missing_version=gettext_lazy("Gruppens version saknas."),
    conflict=gettext_lazy("Någon annan har just ändrat gruppen till ”%(name)s”. Spara igen för att ersätta med ditt namn."),
    renamed=gettext_lazy("Gruppen heter nu %(name)s."),
    moved={services.UP: gettext_lazy("Gruppen %(name)s flyttades upp."), services.DOWN: gettext_lazy("Gruppen %(name)s flyttades ned.")},
    at_end={services.UP: gettext_lazy("Gruppen %(name)s står redan först."), services.DOWN: gettext_lazy("Gruppen %(name)s står redan sist.")},
    removed=gettext_lazy("Gruppen %(name)s togs bort."),
    update=services.budget_group_update, move=services.budget_group_move, remove=services.budget_group_remove,
)  # fmt: skip


def _item_edit(request, plan, spec: GridItem, item):
    """The rename form: 422 for bad input with the name kept, 409 naming what the other person saved."""
    key = f"{spec.key}-{item.pk}"
    name = request.POST.get("name", "")
    expected_version = _version(request)
    try:
        if expected_version is None:
            raise ValidationError(str(spec.missing_version))
        saved = spec.update(
            **{spec.key: item, spec.flag: request.POST.get(spec.flag) == "on"},
            **{name: request.POST.get(name, "") for name in spec.texts},
            expected_version=expected_version,
            name=name,
            by=request.user,
        )
    except ValidationError as error:
        return _editor_response(
            request, plan, status=422, form_errors={key: _first_message(error)}, form_values={key: name}
        )
    except StaleVersion as stale:
        theirs = stale.current.name if stale.current else _("(borttagen)")
        message = spec.conflict % {"name": theirs}
        return _editor_response(
            request, plan, status=409, form_errors={key: message}, form_values={key: name}
        )
    return _done(request, plan, spec.renamed % {"name": saved.name}, anchor=f"{spec.anchor}-{item.pk}")


def _item_move(request, plan, spec: GridItem, item):
    direction = request.POST.get("direction", "")
    if direction not in (services.UP, services.DOWN):
        return HttpResponseBadRequest(_("Okänd riktning."))
    moved = spec.move(**{spec.key: item}, direction=direction, by=request.user)
    message = (spec.moved if moved else spec.at_end)[direction] % {"name": item.name}
    return _done(request, plan, message, anchor=f"{spec.anchor}-{item.pk}")


def _item_remove(request, plan, spec: GridItem, item):
    """Without `confirm`, the page asks first (no JavaScript); HTMX asks with a dialog and confirms."""
    if request.POST.get("confirm") != "1":
        return render(request, GRID_TEMPLATE, _grid_context(plan, **{f"confirm_{spec.key}": item}))
    try:
        spec.remove(**{spec.key: item}, by=request.user)
    except ValidationError as error:
        message = _first_message(error)
        return _editor_response(
            request, plan, status=422, announcement=message, form_errors={f"{spec.key}-{item.pk}": message}
        )
    return _done(request, plan, spec.removed % {"name": item.name})


@require_POST
@association_view
def budget_group_add(request, pk: int):
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    section = request.POST.get("section", "")
    kind = request.POST.get("kind", BudgetGroup.Kind.OTHER)
    name = request.POST.get("name", "")
    key = f"group-add-{section}"
    try:
        if section not in BudgetGroup.Section.values or kind not in BudgetGroup.Kind.values:
            raise ValidationError(_("Välj del och typ för gruppen."))
        group = services.budget_group_add(plan=plan, section=section, kind=kind, name=name, by=request.user)
    except ValidationError as error:
        return _editor_response(
            request, plan, status=422, form_errors={key: _first_message(error)}, form_values={key: name}
        )
    return _done(
        request, plan, _("Gruppen %(group)s lades till.") % {"group": group.name}, anchor=f"grupp-{group.pk}"
    )


def _grid_item_view(action):
    """A POST view for a line (`line_id`) or a group (`group_id`) of the plan's budget, doing `action`."""

    @require_POST
    @association_view
    def view(request, pk: int, line_id: int | None = None, group_id: int | None = None):
        if line_id is not None:
            plan, line = _line(request, pk, line_id)
            return action(request, plan, LINE, line)
        plan, group = _group(request, pk, group_id)
        return action(request, plan, GROUP, group)

    view.__name__ = view.__qualname__ = f"budget_item{action.__name__.removeprefix('_item')}"
    return view


budget_item_edit = _grid_item_view(_item_edit)
budget_item_move = _grid_item_view(_item_move)
budget_item_remove = _grid_item_view(_item_remove)

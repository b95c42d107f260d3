"""The plan editor: one page (templates/plans/plan_edit.html) with a named partial per part.

Every editing endpoint answers an HTMX request with the partial it changed, plus an out-of-band announcement
for the aria-live #messages region and an `HX-Trigger: plan-changed` event that the checks panel listens
for; a plain request gets a redirect back to the editor, or the whole editor page with the form in place
(422 invalid input, 409 conflict). Every editing endpoint goes through `get_plan(..., for_edit=True)`: 403
unless the user is the association's chief (or a superuser) and the plan is editable, 404 for another
association's plan; items are looked up through the plan, so another plan's item is a 404. The kinds of
item come from the plan parts' registry (`plans.editor`).

Conventions shared with the budget grid and the intervention pages:
- forms target their own slot (`hx-target="#<slot id>" hx-swap="outerHTML"`); a success that changes a
  list answers with the whole list and `HX-Retarget`s it;
- `focus` in the context names the element id that gets `autofocus` (htmx focuses it after the swap);
- `render_parts(..., announce=..., changed=True)` adds the announcement and the "plan-changed" event.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from finsam.access import association_view
from finsam.editing import StaleVersion
from plans import forms
from plans.access import get_plan
from plans.checks import finding_links, findings_digest, plan_findings
from plans.editor import (
    Conflict,
    Editing,
    EditorKind,
    all_fields_of,
    annotate,
    conflict_for,
    editing_for,
    editor_kind,
    editor_kinds,
    focus_first,
    rebind_with_version,
)
from plans.models import Plan
from plans.services import (
    part_deletion,
    part_label,
    plan_part_add,
    plan_part_delete,
    plan_part_move,
    plan_part_update,
    plan_settings_update,
)
from plans.text_parts import number_chapters

TEMPLATE = "plans/plan_edit.html"
INVALID_MESSAGE = gettext_lazy("Det gick inte att spara. Rätta det som är markerat.")


# --- Rendering ------------------------------------------------------------------------------------------


def editor_url(plan: Plan, anchor: str = "") -> str:
    url = reverse("plan_edit", args=[plan.association.slug, plan.pk])
    return f"{url}#{anchor}" if anchor else url


def base_context(plan: Plan, **extra) -> dict[str, Any]:
    # An unsaved item per kind gives each list's "add" slot its ids (no query: nothing is loaded).
    kinds = editor_kinds()
    new_items = {key: kind.new(plan) for key, kind in kinds.items() if not kind.nested}
    return {
        "plan": plan,
        "association": plan.association,
        "kinds": kinds,
        "new_items": new_items,
        "focus": "",
        **extra,
    }


def editor_context(plan: Plan, *, only: set[str] | None = None, **extra) -> dict[str, Any]:
    """The lists the editor shows; `only` loads just the named ones (a partial needs one).

    Each list is one query (a list with nested items: two), whatever the plan's size.
    """

    def wanted(name: str) -> bool:
        return only is None or name in only

    context = base_context(plan, **extra)
    for kind in editor_kinds().values():
        if kind.nested or not wanted(kind.context_name):
            continue
        items = list(kind.queryset(plan))
        if kind.numbered:
            for entry in number_chapters(items):
                entry.chapter.number = entry.number
        context[kind.context_name] = [annotate(kind, item) for item in items]
    return context


def render_editor(request, plan: Plan, *, editing: Editing | None = None, status: int = 200) -> HttpResponse:
    """The whole editor page; with `editing`, that item shows its form (or its delete confirmation)."""
    context = editor_context(plan, editing=editing, focus=editing.element_id if editing else "")
    context.update(checks_context(plan))
    context.update(other_links(plan))
    if editing and editing.form is not None:
        focus_first(editing.form)
    return render(request, TEMPLATE, context, status=status)


def render_parts(
    request,
    partial: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    announce: str = "",
    level: str = "success",
    changed: bool = False,
) -> HttpResponse:
    """One partial of the editor, with `announce` swapped out of band into the #messages live region."""
    html = render_to_string(f"{TEMPLATE}#{partial}", context, request=request)
    if announce:
        html += render_to_string(
            f"{TEMPLATE}#announce", {"announce": announce, "level": level}, request=request
        )
    response = HttpResponse(html, status=status)
    if changed:
        trigger_client_event(response, "plan-changed")
    return response


def respond_editing(request, plan: Plan, editing: Editing, *, status: int = 200) -> HttpResponse:
    """The open form: its slot for HTMX, the whole page otherwise."""
    if not request.htmx:
        return render_editor(request, plan, editing=editing, status=status)
    if editing.form is not None:
        focus_first(editing.form)
    announce, level = "", "success"
    if status == 409:
        announce, level = editing.conflict.message, "warning"
    elif status == 422:
        announce, level = str(INVALID_MESSAGE), "error"
    context = base_context(plan, editing=editing)
    return render_parts(request, "editing-slot", context, status=status, announce=announce, level=level)


def checks_context(plan: Plan) -> dict[str, Any]:
    """The plan checks, each with the place where the chief can fix it."""
    findings = plan_findings(plan)
    return {
        "findings": [(finding, finding_links(plan, finding)) for finding in findings],
        "findings_digest": findings_digest(findings),
    }


def other_links(plan: Plan) -> dict[str, str]:
    """The budget grid and the plan's interventions are edited on their own pages."""
    args = [plan.association.slug, plan.pk]
    return {
        "budget_url": reverse("plan_budget_grid", args=args),
        "interventions_url": reverse("plan_interventions", args=args),
    }


# --- The editor page, its settings, checks and preview ------------------------------------------------


@association_view
@require_GET
def plan_edit(request, pk: int):
    plan = get_plan(request, pk, for_edit=True)
    return render_editor(request, plan)


@association_view
@require_GET
def plan_editor_checks(request, pk: int):
    """The checks panel, refreshed after each edit (it listens for the "plan-changed" event).

    Read-only, but it belongs to the editor: the same access rule as every editing endpoint.
    """
    plan = get_plan(request, pk, for_edit=True)
    if not request.htmx:
        return redirect(editor_url(plan, "kontroller"))
    return render_parts(request, "checks", base_context(plan, **checks_context(plan)))


@association_view
@require_POST
def plan_markdown_preview(request, pk: int):
    """The text as the plan will print it, through the same `|markdown` filter: raw HTML never gets
    through. (Without JavaScript the form's own "Förhandsgranska" button posts to the form's view.)"""
    plan = get_plan(request, pk, for_edit=True)
    name = request.POST.get("preview", "body")
    if name not in ("body", "description"):
        return HttpResponseBadRequest()
    return render_parts(
        request, "markdown-preview", base_context(plan, preview_text=request.POST.get(name, ""))
    )


@association_view
@require_GET
def plan_settings(request, pk: int):
    """The settings as they are ("Avbryt" and "Ta den andras version" land here)."""
    plan = get_plan(request, pk, for_edit=True)
    if not request.htmx:
        return redirect(editor_url(plan, "installningar"))
    return render_parts(request, "settings", base_context(plan, focus="installningar-andra"))


@association_view
@require_http_methods(["GET", "POST"])
def plan_settings_edit(request, pk: int):
    # A revised budget's form holds only its budget's settings (`plans.gateway.BUDGET_SETTINGS`).
    plan = get_plan(request, pk, for_edit=True)
    association = request.access.association
    if request.method == "GET":
        form = forms.PlanSettingsForm(instance=plan, association=association, id_prefix="installningar")
        return respond_editing(request, plan, editing_for(plan, None, "edit", plan, form=form))

    stored = copy.copy(plan)  # the form's validation writes into `plan`
    form = forms.PlanSettingsForm(
        request.POST, instance=plan, association=association, id_prefix="installningar"
    )
    editing = editing_for(stored, None, "edit", stored, form=form)
    if form.is_valid():
        try:
            saved = plan_settings_update(
                plan=stored,
                expected_version=form.cleaned_data["version"],
                changes=form.changes(),
                by=request.user,
            )
        except StaleVersion as stale:
            editing.conflict = conflict_for(form, stale.current)
            rebind_with_version(form, stale.current.version)
            return respond_editing(request, stored, editing, status=409)
        except ValidationError as error:
            add_errors(form, error)
            stored = Plan.objects.select_related("association").get(pk=plan.pk)  # nothing was saved
            editing.item = stored
        else:
            announce = _("Sparat: planens inställningar.")
            if not request.htmx:
                messages.success(request, announce)
                return redirect(editor_url(saved, "installningar"))
            context = base_context(saved, focus="installningar-andra")
            return render_parts(request, "settings", context, announce=announce, changed=True)
    return respond_editing(request, stored, editing, status=422)


def add_errors(form: django_forms.Form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: by field where the field is in the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Items: list, row, add, edit, delete, move ---------------------------------------------------------


def list_context(plan: Plan, kind: EditorKind, item, **extra) -> dict[str, Any]:
    """What the list that `item` belongs to needs (a nested item: its parent with its items)."""
    if kind.nested:
        parent = kind.parent_item(plan, kind.parent_id(item))
        parent_kind = editor_kinds()[kind.parent]
        return base_context(plan, **{kind.parent: annotate(parent_kind, parent)}, **extra)
    return editor_context(plan, only={kind.context_name}, **extra)


def row_context(plan: Plan, kind: EditorKind, item, **extra) -> dict[str, Any]:
    if kind.numbered:
        numbers = {entry.chapter.pk: entry.number for entry in number_chapters(list(kind.queryset(plan)))}
        item.number = numbers[item.pk]
    return base_context(plan, item=item, **extra)


def respond_list(
    request, plan: Plan, kind: EditorKind, item, *, announce: str, focus: str, changed: bool = True
):
    """After add, delete or move: the whole list again (HTMX, retargeted to it), or back to the editor."""
    if not request.htmx:
        (messages.success if changed else messages.info)(request, announce)
        return redirect(editor_url(plan, focus.removesuffix("-andra").removesuffix("-knapp")))
    context = list_context(plan, kind, item, focus=focus)
    response = render_parts(request, f"{kind.key}-list", context, announce=announce, changed=changed)
    retarget(response, f"#{item.list_dom_id}")
    reswap(response, "outerHTML")
    if changed:
        response.content += dependents(request, plan, kind)
    return response


def dependents(request, plan: Plan, kind: EditorKind) -> bytes:
    """Lists that show this kind's items (the activity plan shows each activity's goal) follow a change
    out of band."""
    html = b""
    for key in kind.dependents:
        shown = editor_kinds()[key]
        context = editor_context(plan, only={shown.context_name}, oob=True)
        html += render_to_string(f"{TEMPLATE}#{key}-list", context, request=request).encode()
    return html


@association_view
@require_GET
def part_list(request, pk: int, kind: str, goal: int | None = None):
    """A list as it is ("Avbryt" of an add form lands here)."""
    plan = get_plan(request, pk, for_edit=True)
    part = editor_kind(kind, plan)
    new = part.new(plan, part.parent_item(plan, goal))
    if not request.htmx:
        return redirect(editor_url(plan, new.list_dom_id))
    return render_parts(
        request, f"{part.key}-list", list_context(plan, part, new, focus=f"{new.dom_id}-knapp")
    )


@association_view
@require_GET
def part_row(request, pk: int, kind: str, item: int):
    """A row as it is ("Avbryt" and "Ta den andras version" land here)."""
    plan = get_plan(request, pk, for_edit=True)
    part = editor_kind(kind, plan)
    obj = part.get(plan, item)
    if not request.htmx:
        return redirect(editor_url(plan, obj.dom_id))
    return render_parts(request, f"{part.key}-row", row_context(plan, part, obj, focus=f"{obj.dom_id}-andra"))


@association_view
@require_http_methods(["GET", "POST"])
def part_add(request, pk: int, kind: str, goal: int | None = None):
    plan = get_plan(request, pk, for_edit=True, text=True)
    part = editor_kind(kind, plan)
    instance = part.new(plan, part.parent_item(plan, goal))
    if request.method == "GET":
        return respond_editing(
            request, plan, editing_for(plan, part, "add", instance, form=part.form(plan, instance))
        )

    form = part.form(plan, instance, data=request.POST)
    editing = editing_for(plan, part, "add", instance, form=form)
    if "preview" in request.POST and part.markdown_field:
        editing.preview = request.POST.get(part.markdown_field, "")
        return respond_editing(request, plan, editing)
    if form.is_valid():
        try:
            item = annotate(part, plan_part_add(plan=plan, item=form.save(commit=False), by=request.user))
        except ValidationError as error:
            add_errors(form, error)
        else:
            announce = _("Lade till %(what)s.") % {"what": part_label(item)}
            return respond_list(request, plan, part, item, announce=announce, focus=f"{item.dom_id}-andra")
    return respond_editing(request, plan, editing, status=422)


@association_view
@require_http_methods(["GET", "POST"])
def part_edit(request, pk: int, kind: str, item: int):
    plan = get_plan(request, pk, for_edit=True, text=True)
    part = editor_kind(kind, plan)
    if request.method == "GET":
        obj = part.get(plan, item)
        return respond_editing(request, plan, editing_for(plan, part, "edit", obj, form=part.form(plan, obj)))

    obj = part.queryset(plan).filter(pk=item).first()
    if obj is None:
        return respond_gone(request, plan, part, item)
    annotate(part, obj)
    stored = copy.copy(obj)  # the form's validation writes into `obj`
    form = part.form(plan, obj, data=request.POST)
    editing = editing_for(plan, part, "edit", stored, form=form)
    if "preview" in request.POST and part.markdown_field:
        editing.preview = request.POST.get(part.markdown_field, "")
        return respond_editing(request, plan, editing)
    if form.is_valid():
        try:
            saved = plan_part_update(
                plan=plan,
                item=stored,
                expected_version=form.cleaned_data["version"],
                changes=form.changes(),
                by=request.user,
            )
        except StaleVersion as stale:
            editing.conflict = conflict_for(form, stale.current)
            if stale.current is not None:
                rebind_with_version(form, stale.current.version)
            else:
                editing = editing_for(plan, part, "edit", stored, form=form, conflict=editing.conflict)
            return respond_editing(request, plan, editing, status=409)
        except ValidationError as error:
            add_errors(form, error)
        else:
            announce = _("Sparat: %(what)s.") % {"what": part_label(saved)}
            if not request.htmx:
                messages.success(request, announce)
                return redirect(editor_url(plan, saved.dom_id))
            # Related rows (a goal's indicators, an activity's goal) come fresh from the database.
            fresh = part.get(plan, saved.pk)
            context = row_context(plan, part, fresh, focus=f"{fresh.dom_id}-andra")
            response = render_parts(request, f"{part.key}-row", context, announce=announce, changed=True)
            response.content += dependents(request, plan, part)
            return response
    return respond_editing(request, plan, editing, status=422)


def deleted_item(plan: Plan, part: EditorKind, pk: int):
    """An unsaved stand-in (with its old id) for an item this plan's history says was deleted, or None.

    An id the history does not know never was this plan's item: the caller answers 404.
    """
    deletion = part_deletion(plan=plan, model_name=part.model._meta.model_name, pk=pk)
    if deletion is None:
        return None
    parent = None
    if part.nested:  # its parent, if that is still there
        parent = (
            editor_kinds()[part.parent].queryset(plan).filter(pk=deletion.details.get(part.parent)).first()
        )
    ghost = part.new(plan, parent)
    ghost.pk = pk
    return annotate(part, ghost)


def respond_gone(request, plan: Plan, part: EditorKind, pk: int) -> HttpResponse:
    """A save of an item that someone deleted meanwhile: a conflict. The user keeps their input and may
    add it as a new item (an indicator only while its goal is there)."""
    ghost = deleted_item(plan, part, pk)
    if ghost is None:
        raise Http404
    form = part.form(plan, part.new(plan, getattr(ghost, part.parent, None)), data=request.POST)
    form.is_valid()
    editing = editing_for(plan, part, "edit", ghost, form=form, conflict=Conflict(deleted=True))
    if part.nested and part.parent_id(ghost) is None:
        editing.readd_url = ""
    return respond_editing(request, plan, editing, status=409)


@association_view
@require_http_methods(["GET", "POST"])
def part_delete(request, pk: int, kind: str, item: int):
    plan = get_plan(request, pk, for_edit=True, text=True)
    part = editor_kind(kind, plan)
    obj = part.queryset(plan).filter(pk=item).first()
    if obj is None:
        return respond_already_deleted(request, plan, part, item)
    annotate(part, obj)
    if request.method == "GET":
        return respond_editing(request, plan, editing_for(plan, part, "delete", obj))
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponseBadRequest()
    siblings = list(
        part.queryset(plan)
        .filter(**({part.parent: part.parent_id(obj)} if part.nested else {}))
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    try:
        plan_part_delete(plan=plan, item=obj, expected_version=version, by=request.user)
    except StaleVersion as stale:
        if stale.current is None:
            return respond_already_deleted(request, plan, part, item)
        current = part.get(plan, obj.pk)
        conflict = Conflict(deleted=False, theirs=all_fields_of(part.form_class, current))
        return respond_editing(
            request, plan, editing_for(plan, part, "delete", current, conflict=conflict), status=409
        )
    # Focus moves to the next item (or the previous; or the "add" button when the list is now empty).
    index = siblings.index(obj.pk)
    rest = siblings[:index] + siblings[index + 1 :]
    if rest:
        focus = f"{part.anchor}-{rest[min(index, len(rest) - 1)]}-andra"
    else:
        focus = f"{part.new(plan, getattr(obj, part.parent, None)).dom_id}-knapp"
    announce = _("Tog bort %(what)s.") % {"what": part_label(obj)}
    return respond_list(request, plan, part, obj, announce=announce, focus=focus)


def respond_already_deleted(request, plan: Plan, part: EditorKind, pk: int) -> HttpResponse:
    """Someone else deleted the item first: what the user wanted anyway. The list shows it gone."""
    ghost = deleted_item(plan, part, pk)
    if ghost is None or (part.nested and part.parent_id(ghost) is None):
        raise Http404
    announce = _("Någon annan hade redan tagit bort det.")
    return respond_list(
        request,
        plan,
        part,
        ghost,
        announce=announce,
        focus=f"{part.new(plan, getattr(ghost, part.parent, None)).dom_id}-knapp",
        changed=False,
    )


@association_view
@require_POST
def part_move(request, pk: int, kind: str, item: int):
    plan = get_plan(request, pk, for_edit=True, text=True)
    part = editor_kind(kind, plan)
    obj = part.get(plan, item)
    direction = request.POST.get("direction", "")
    to = request.POST.get("to", "")  # a place, as drag and drop (static/js/editor.js) sends it
    if to:
        if not to.isdigit():
            return HttpResponseBadRequest()
        move = plan_part_move(plan=plan, item=obj, to=int(to), by=request.user)
    elif direction in ("up", "down"):
        move = plan_part_move(plan=plan, item=obj, direction=direction, by=request.user)
    else:
        return HttpResponseBadRequest()
    what = part_label(obj)
    if move.moved:
        announce = _("Flyttade %(what)s till plats %(place)s av %(count)s.") % {
            "what": what,
            "place": move.index + 1,
            "count": move.count,
        }
    elif to:
        announce = _("%(what)s står redan där.") % {"what": what[:1].upper() + what[1:]}
    elif direction == "up":
        announce = _("%(what)s är redan först.") % {"what": what[:1].upper() + what[1:]}
    else:
        announce = _("%(what)s är redan sist.") % {"what": what[:1].upper() + what[1:]}
    if not request.htmx:
        (messages.success if move.moved else messages.info)(request, announce)
        return redirect(editor_url(plan, obj.dom_id))
    # No autofocus: htmx keeps the focus on the pressed button, which has the same id in the new list.
    return respond_list(request, plan, part, obj, announce=announce, focus="", changed=move.moved)

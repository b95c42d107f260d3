"""Plan pages: the read-only plan, and the chief's editor.

The editor is one page (templates/plans/plan_edit.html) with a named partial per part. Every editing
endpoint answers an HTMX request with the partial it changed, plus an out-of-band announcement for the
aria-live #messages region and an `HX-Trigger: plan-changed` event that the checks panel listens for;
a plain request gets a redirect back to the editor, or the whole editor page with the form in place
(422 invalid input, 409 conflict). Every editing endpoint goes through `get_plan(..., for_edit=True)`:
403 unless the user is the association's chief (or a superuser) and the plan is editable, 404 for
another association's plan; items are looked up through the plan, so another plan's item is a 404.

Conventions shared with the budget grid and the intervention pages:
- forms target their own slot (`hx-target="#<slot id>" hx-swap="outerHTML"`); a success that changes a
  list answers with the whole list and `HX-Retarget`s it;
- `focus` in the context names the element id that gets `autofocus` (htmx focuses it after the swap);
- `render_parts(..., announce=..., changed=True)` adds the announcement and the "plan-changed" event.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget, trigger_client_event

from finsam.access import association_view
from finsam.editing import StaleVersion
from finsam.models import Association, BoardSeat
from plans import forms
from plans.access import get_plan, visible_plans
from plans.checks import finding_links, findings_digest, plan_findings
from plans.models import (
    ActivityItem,
    Chapter,
    CommunicationItem,
    ControlItem,
    Goal,
    Indicator,
    Plan,
    PlanPdf,
    TargetGroup,
)
from plans.pdf import (
    plan_pdf_archive,
    plan_pdf_filename,
    plan_pdf_latest,
    plan_pdf_request,
    requeue_if_needed,
)
from plans.queries import plan_document
from plans.rollover import plan_rollover
from plans.services import (
    part_deletion,
    part_label,
    plan_create,
    plan_part_add,
    plan_part_delete,
    plan_part_move,
    plan_part_update,
    plan_settings_update,
)
from plans.text_parts import number_chapters

TEMPLATE = "plans/plan_edit.html"
CONFLICT_MESSAGE = gettext_lazy("Någon annan har ändrat detta medan du skrev.")
DELETED_MESSAGE = gettext_lazy("Någon annan har tagit bort detta medan du skrev.")
INVALID_MESSAGE = gettext_lazy("Det gick inte att spara. Rätta det som är markerat.")


@association_view
def association_detail(request):
    """The association's plans by year, with their state."""
    plans = visible_plans(request.access).order_by("-first_year", "-revision")
    return render(
        request,
        "finsam/association.html",
        {"association": request.access.association, "plans": plans},
    )


@require_GET
@association_view
def plan_detail(request, pk: int):
    plan = get_plan(request, pk)
    return render(
        request,
        "plans/plan_detail.html",
        {"doc": plan_document(plan), "plan": plan, "can_edit": request.access.is_chief and plan.is_editable},
    )


# --- The parts of a plan that the editor handles alike -------------------------------------------------


@dataclass(frozen=True)
class PartKind:
    """One kind of ordered item in the editor: how to find it through the plan, and how to edit it."""

    key: str  # names its partials: "<key>-row"
    slug: str  # its URL segment
    anchor: str  # its rows' element ids: "<anchor>-<pk>"
    model: type[models.Model]
    form_class: type[forms.VersionedForm]
    list_id: str  # the element its list swaps into (indicators have one list per goal)
    context_name: str  # its list's name in the template context
    add_label: str = ""
    empty_text: str = ""
    markdown_field: str = ""

    def queryset(self, plan: Plan) -> models.QuerySet:
        if self.model is Indicator:
            return Indicator.objects.filter(goal__plan=plan).select_related("goal")
        if self.model is BoardSeat:
            return plan.association.board_seats.select_related("appointed_by")
        queryset = getattr(plan, self.context_name).all()
        if self.model is ActivityItem:
            return queryset.select_related("goal")
        if self.model is Goal:
            return queryset.prefetch_related(indicators_prefetch())
        return queryset

    def get(self, plan: Plan, pk: int):
        """The item through its plan (or its plan's association): any other id is a 404."""
        return annotate(self, get_object_or_404(self.queryset(plan), pk=pk))

    def new(self, plan: Plan, parent: Goal | None = None):
        if self.model is Indicator:
            return annotate(self, Indicator(goal=parent))
        if self.model is BoardSeat:
            return annotate(self, BoardSeat(association=plan.association))
        return annotate(self, self.model(plan=plan))

    def form(self, plan: Plan, instance, data=None) -> forms.VersionedForm:
        kwargs: dict[str, Any] = {"data": data, "instance": instance, "id_prefix": self.element_id(instance)}
        if self.model in (Chapter, ActivityItem):
            kwargs["plan"] = plan
        if self.model is BoardSeat:
            kwargs["association"] = plan.association
        return self.form_class(**kwargs)

    def element_id(self, item) -> str:
        """The id of the item's slot in the page: its row, or the "add" slot while it is new."""
        if item.pk is not None:
            return f"{self.anchor}-{item.pk}"
        if self.model is Indicator:
            return f"mal-{item.goal_id}-indikator-ny"
        return f"{self.anchor}-ny"

    def list_element_id(self, item) -> str:
        if self.model is Indicator:
            return f"mal-{item.goal_id}-indikatorer"
        return self.list_id

    def list_url(self, plan: Plan, item) -> str:
        if self.model is Indicator:
            return reverse("plan_indicator_list", args=[plan.association.slug, plan.pk, item.goal_id])
        return reverse("plan_part_list", args=[plan.association.slug, plan.pk, self.slug])

    def add_url(self, plan: Plan, item) -> str:
        if self.model is Indicator:
            return reverse("plan_indicator_add", args=[plan.association.slug, plan.pk, item.goal_id])
        return reverse("plan_part_add", args=[plan.association.slug, plan.pk, self.slug])

    def item_url(self, plan: Plan, item, action: str = "") -> str:
        name = {"": "plan_part_row", "edit": "plan_part_edit", "delete": "plan_part_delete"}[action]
        return reverse(name, args=[plan.association.slug, plan.pk, self.slug, item.pk])


PART_KINDS: dict[str, PartKind] = {
    kind.key: kind
    for kind in [
        PartKind(
            "chapter", "kapitel", "kapitel", Chapter, forms.ChapterForm, "kapitel-lista", "chapters",
            gettext_lazy("Lägg till kapitel"), gettext_lazy("Planen har inga kapitel ännu."), "body",
        ),
        PartKind(
            "goal", "mal", "mal", Goal, forms.GoalForm, "mal-lista", "goals",
            gettext_lazy("Lägg till mål"), gettext_lazy("Planen har inga mål ännu."), "description",
        ),
        PartKind(
            "indicator", "indikatorer", "indikator", Indicator, forms.IndicatorForm, "", "indicators",
            gettext_lazy("Lägg till indikator"), gettext_lazy("Målet har inga indikatorer ännu."),
        ),
        PartKind(
            "target_group", "malgrupper", "malgrupp", TargetGroup, forms.TargetGroupForm, "malgrupp-lista",
            "target_groups", gettext_lazy("Lägg till målgrupp"),
            gettext_lazy("Planen har inga prioriterade målgrupper ännu."),
        ),
        PartKind(
            "board_seat", "styrelse", "styrelseplats", BoardSeat, forms.BoardSeatForm, "styrelse-lista",
            "board_seats", gettext_lazy("Lägg till styrelseplats"),
            gettext_lazy("Förbundets styrelse är inte inlagd ännu."),
        ),
        PartKind(
            "control", "internkontroll", "kontrollpunkt", ControlItem, forms.ControlItemForm,
            "internkontroll-lista", "control_items", gettext_lazy("Lägg till kontrollpunkt"),
            gettext_lazy("Internkontrollplanen är tom."),
        ),
        PartKind(
            "communication", "kommunikation", "kommunikation", CommunicationItem,
            forms.CommunicationItemForm, "kommunikation-lista", "communication_items",
            gettext_lazy("Lägg till kommunikationsinsats"), gettext_lazy("Kommunikationsplanen är tom."),
        ),
        PartKind(
            "activity", "aktiviteter", "aktivitet", ActivityItem, forms.ActivityItemForm, "aktivitet-lista",
            "activity_items", gettext_lazy("Lägg till aktivitet"), gettext_lazy("Aktivitetsplanen är tom."),
        ),
    ]
}  # fmt: skip
PART_KINDS_BY_SLUG = {kind.slug: kind for kind in PART_KINDS.values()}


def part_kind(slug: str) -> PartKind:
    try:
        return PART_KINDS_BY_SLUG[slug]
    except KeyError:
        raise Http404 from None


def indicators_prefetch() -> Prefetch:
    return Prefetch("indicators", queryset=Indicator.objects.order_by("position", "id"))


def annotate(kind: PartKind, item):
    """Give an item the element ids its row uses (so templates never build ids from pieces)."""
    item.dom_id = kind.element_id(item)
    item.list_dom_id = kind.list_element_id(item)
    if kind.model is Goal and item.pk is not None:
        item.indicator_add = annotate(PART_KINDS["indicator"], Indicator(goal=item))
        for indicator in item.indicators.all():
            annotate(PART_KINDS["indicator"], indicator)
    return item


# --- What the editor shows while an item is open ------------------------------------------------------


@dataclass
class Conflict:
    """What the user sees when their save was based on a stale version: the other person's values."""

    deleted: bool
    theirs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def message(self) -> str:
        return str(DELETED_MESSAGE if self.deleted else CONFLICT_MESSAGE)


@dataclass
class Editing:
    """The one item of the page that is open for editing, adding or deleting, with the URLs it needs."""

    key: str  # a PartKind key, or "settings"
    mode: str  # "edit" | "add" | "delete"
    item: Any
    form: django_forms.Form | None = None
    kind: PartKind | None = None
    conflict: Conflict | None = None
    preview: str | None = None
    title: str = ""
    action_url: str = ""
    cancel_url: str = ""
    cancel_target: str = ""
    preview_url: str = ""
    readd_url: str = ""

    @property
    def element_id(self) -> str:
        return "installningar" if self.kind is None else self.item.dom_id

    @property
    def markdown_field(self) -> str:
        return self.kind.markdown_field if self.kind else ""

    @property
    def parent_pk(self) -> int:
        goal_id = getattr(self.item, "goal_id", None) if self.key == "indicator" else None
        return goal_id or 0

    @property
    def slot_tag(self) -> str:
        return "li" if self.mode in ("edit", "delete") and self.kind is not None else "div"


def editing_for(plan: Plan, kind: PartKind | None, mode: str, item, **kwargs) -> Editing:
    """An `Editing` with its title and URLs filled in."""
    editing = Editing(key=kind.key if kind else "settings", mode=mode, item=item, kind=kind, **kwargs)
    slug = plan.association.slug
    editing.preview_url = reverse("plan_markdown_preview", args=[slug, plan.pk])
    if kind is None:
        editing.title = _("Ändra planens inställningar")
        editing.action_url = reverse("plan_settings_edit", args=[slug, plan.pk])
        editing.cancel_url = reverse("plan_settings", args=[slug, plan.pk])
        editing.cancel_target = "#installningar"
    elif mode == "add":
        editing.title = str(kind.add_label)
        editing.action_url = kind.add_url(plan, item)
        editing.cancel_url = kind.list_url(plan, item)
        editing.cancel_target = f"#{item.list_dom_id}"
    else:
        what = item._meta.verbose_name
        editing.title = (_("Ta bort %(what)s") if mode == "delete" else _("Ändra %(what)s")) % {"what": what}
        editing.action_url = kind.item_url(plan, item, "delete" if mode == "delete" else "edit")
        editing.cancel_url = kind.item_url(plan, item)
        editing.cancel_target = f"#{item.dom_id}"
    if editing.conflict and editing.conflict.deleted and kind is not None:
        # The item is gone: "close" reloads its list, and the user may add their text as a new item.
        editing.cancel_url = kind.list_url(plan, item)
        editing.cancel_target = f"#{item.list_dom_id}"
        if kind.model is not Indicator or item.goal_id:
            editing.readd_url = kind.add_url(plan, item)
    return editing


def field_display(item, name: str) -> str:
    """A field's stored value as the user reads it (choices by label, objects by name, dates ISO)."""
    value = getattr(item, name)
    model_field = item._meta.get_field(name)
    if model_field.choices:
        return str(getattr(item, f"get_{name}_display")())
    if value is None or value == "":
        return _("(tomt)")
    if isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def conflict_for(form: forms.VersionedForm, current) -> Conflict:
    """The other person's values, for each field where they differ from what this user submitted."""
    if current is None:
        return Conflict(deleted=True)
    cleaned = getattr(form, "cleaned_data", {})
    theirs = [
        (str(form.fields[name].label), field_display(current, name))
        for name in form.content_fields
        if getattr(current, name) != cleaned.get(name)
    ]
    return Conflict(deleted=False, theirs=theirs)


def all_fields_of(form_class, item) -> list[tuple[str, str]]:
    return [
        (str(item._meta.get_field(name).verbose_name).capitalize(), field_display(item, name))
        for name in form_class._meta.fields
    ]


def rebind_with_version(form: forms.VersionedForm, version: int) -> None:
    """Keep the user's input as typed, now based on the current version ("keep mine" resubmits it)."""
    data = form.data.copy()
    data["version"] = str(version)
    form.data = data


def focus_first(form: django_forms.Form) -> None:
    """`autofocus` on the first field with an error, else on the first field (htmx focuses it)."""
    visible = [bound for bound in form.visible_fields()]
    if not visible:
        return
    target = next((bound for bound in visible if bound.errors), visible[0])
    target.field.widget.attrs["autofocus"] = True


# --- Rendering ------------------------------------------------------------------------------------------


def editor_url(plan: Plan, anchor: str = "") -> str:
    url = reverse("plan_edit", args=[plan.association.slug, plan.pk])
    return f"{url}#{anchor}" if anchor else url


def base_context(plan: Plan, **extra) -> dict[str, Any]:
    # An unsaved item per kind gives each list's "add" slot its ids (no query: nothing is loaded).
    new_items = {key: kind.new(plan) for key, kind in PART_KINDS.items() if kind.model is not Indicator}
    return {
        "plan": plan,
        "association": plan.association,
        "kinds": PART_KINDS,
        "new_items": new_items,
        "focus": "",
        **extra,
    }


def editor_context(plan: Plan, *, only: set[str] | None = None, **extra) -> dict[str, Any]:
    """The lists the editor shows; `only` loads just the named ones (a partial needs one).

    Each list is one query (goals: two, with their indicators), whatever the plan's size.
    """

    def wanted(name: str) -> bool:
        return only is None or name in only

    context = base_context(plan, **extra)
    if wanted("chapters"):
        entries = number_chapters(list(plan.chapters.all()))
        for entry in entries:
            entry.chapter.number = entry.number
        context["chapters"] = [annotate(PART_KINDS["chapter"], entry.chapter) for entry in entries]
    if wanted("goals"):
        context["goals"] = [
            annotate(PART_KINDS["goal"], goal) for goal in plan.goals.prefetch_related(indicators_prefetch())
        ]
    for name, key, queryset in (
        ("target_groups", "target_group", lambda: plan.target_groups.all()),
        ("board_seats", "board_seat", lambda: plan.association.board_seats.select_related("appointed_by")),
        ("control_items", "control", lambda: plan.control_items.all()),
        ("communication_items", "communication", lambda: plan.communication_items.all()),
        ("activity_items", "activity", lambda: plan.activity_items.select_related("goal")),
    ):
        if wanted(name):
            context[name] = [annotate(PART_KINDS[key], item) for item in queryset()]
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


# --- Creating a plan -------------------------------------------------------------------------------------


def suggested_first_year(association) -> int:
    latest = association.plans.order_by("-first_year").values_list("first_year", flat=True).first()
    return latest + 1 if latest else timezone.localdate().year + 1


@association_view
@require_http_methods(["GET", "POST"])
def plan_new(request):
    """Start a plan: from an adopted plan (rolled over to the next year), or empty with the standard parts."""
    access = request.access
    if not access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen kan skapa planer."))
    association = access.association
    year = suggested_first_year(association)
    empty_form = forms.PlanCreateForm(
        association=association,
        id_prefix="ny-plan",
        initial={
            "first_year": year,
            "years": 3,
            "title": _("Verksamhetsplan och budget %(year)s") % {"year": year},
        },
    )
    rollover_form = forms.RolloverForm(association=association)
    status = 200
    if request.method == "POST":
        status = 422
        if request.POST.get("action") == "rollover":
            rollover_form = forms.RolloverForm(request.POST, association=association)
            if rollover_form.is_valid():
                try:
                    plan = plan_rollover_from(request, rollover_form.cleaned_data)
                except ValidationError as error:
                    rollover_form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        _("Planen är skapad från ”%(title)s”.") % {"title": plan.rolled_over_from.title},
                    )
                    return redirect(editor_url(plan))
        else:
            empty_form = forms.PlanCreateForm(request.POST, association=association, id_prefix="ny-plan")
            if empty_form.is_valid():
                plan = plan_create(association=association, by=request.user, **empty_form.changes())
                messages.success(request, _("Planen är skapad."))
                return redirect(editor_url(plan))
    context = {"association": association, "empty_form": empty_form, "rollover_form": rollover_form}
    return render(request, "plans/plan_new.html", context, status=status)


def plan_rollover_from(request, data) -> Plan:

    return plan_rollover(source=data["source"], by=request.user, keep_forecast=data["keep_forecast"])


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


def parent_goal(plan: Plan, kind: PartKind, goal_pk: int | None) -> Goal | None:
    if kind.model is not Indicator:
        return None
    return get_object_or_404(plan.goals, pk=goal_pk)


def list_partial(kind: PartKind) -> str:
    return "indicator-list" if kind.model is Indicator else f"{kind.key}-list"


def list_context(plan: Plan, kind: PartKind, item, **extra) -> dict[str, Any]:
    """What the list that `item` belongs to needs (for indicators: their goal with its indicators)."""
    if kind.model is Indicator:
        goal = Goal.objects.prefetch_related(indicators_prefetch()).get(pk=item.goal_id)
        return base_context(plan, goal=annotate(PART_KINDS["goal"], goal), **extra)
    return editor_context(plan, only={kind.context_name}, **extra)


def row_context(plan: Plan, kind: PartKind, item, **extra) -> dict[str, Any]:
    if kind.model is Chapter:
        numbers = {entry.chapter.pk: entry.number for entry in number_chapters(list(plan.chapters.all()))}
        item.number = numbers[item.pk]
    return base_context(plan, item=item, **extra)


def respond_list(
    request, plan: Plan, kind: PartKind, item, *, announce: str, focus: str, changed: bool = True
):
    """After add, delete or move: the whole list again (HTMX, retargeted to it), or back to the editor."""
    if not request.htmx:
        (messages.success if changed else messages.info)(request, announce)
        return redirect(editor_url(plan, focus.removesuffix("-andra").removesuffix("-knapp")))
    context = list_context(plan, kind, item, focus=focus)
    response = render_parts(request, list_partial(kind), context, announce=announce, changed=changed)
    retarget(response, f"#{item.list_dom_id}")
    reswap(response, "outerHTML")
    if kind.model is Goal and changed:
        response.content += goal_dependents(request, plan)
    return response


def goal_dependents(request, plan: Plan) -> bytes:
    """The activity plan shows each activity's goal: after a goal changes it follows, out of band."""
    context = editor_context(plan, only={"activity_items"}, oob=True)
    return render_to_string(f"{TEMPLATE}#activity-list", context, request=request).encode()


@association_view
@require_GET
def part_list(request, pk: int, kind: str, goal: int | None = None):
    """A list as it is ("Avbryt" of an add form lands here)."""
    plan = get_plan(request, pk, for_edit=True)
    part = part_kind(kind)
    new = part.new(plan, parent_goal(plan, part, goal))
    if not request.htmx:
        return redirect(editor_url(plan, new.list_dom_id))
    return render_parts(
        request, list_partial(part), list_context(plan, part, new, focus=f"{new.dom_id}-knapp")
    )


@association_view
@require_GET
def part_row(request, pk: int, kind: str, item: int):
    """A row as it is ("Avbryt" and "Ta den andras version" land here)."""
    plan = get_plan(request, pk, for_edit=True)
    part = part_kind(kind)
    obj = part.get(plan, item)
    if not request.htmx:
        return redirect(editor_url(plan, obj.dom_id))
    return render_parts(request, f"{part.key}-row", row_context(plan, part, obj, focus=f"{obj.dom_id}-andra"))


@association_view
@require_http_methods(["GET", "POST"])
def part_add(request, pk: int, kind: str, goal: int | None = None):
    plan = get_plan(request, pk, for_edit=True)
    part = part_kind(kind)
    instance = part.new(plan, parent_goal(plan, part, goal))
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
    plan = get_plan(request, pk, for_edit=True)
    part = part_kind(kind)
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
            if part.model is Goal:
                response.content += goal_dependents(request, plan)
            return response
    return respond_editing(request, plan, editing, status=422)


def deleted_item(plan: Plan, part: PartKind, pk: int):
    """An unsaved stand-in (with its old id) for an item this plan's history says was deleted, or None.

    An id the history does not know never was this plan's item: the caller answers 404.
    """
    deletion = part_deletion(plan=plan, model_name=part.model._meta.model_name, pk=pk)
    if deletion is None:
        return None
    parent = None
    if part.model is Indicator:
        parent = plan.goals.filter(pk=deletion.details.get("goal")).first()
    ghost = part.new(plan, parent)
    ghost.pk = pk
    return annotate(part, ghost)


def respond_gone(request, plan: Plan, part: PartKind, pk: int) -> HttpResponse:
    """A save of an item that someone deleted meanwhile: a conflict. The user keeps their input and may
    add it as a new item (an indicator only while its goal is there)."""
    ghost = deleted_item(plan, part, pk)
    if ghost is None:
        raise Http404
    form = part.form(plan, part.new(plan, getattr(ghost, "goal", None)), data=request.POST)
    form.is_valid()
    editing = editing_for(plan, part, "edit", ghost, form=form, conflict=Conflict(deleted=True))
    if part.model is Indicator and ghost.goal_id is None:
        editing.readd_url = ""
    return respond_editing(request, plan, editing, status=409)


@association_view
@require_http_methods(["GET", "POST"])
def part_delete(request, pk: int, kind: str, item: int):
    plan = get_plan(request, pk, for_edit=True)
    part = part_kind(kind)
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
        .filter(**sibling_filter(obj))
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
        focus = f"{part.new(plan, getattr(obj, 'goal', None)).dom_id}-knapp"
    announce = _("Tog bort %(what)s.") % {"what": part_label(obj)}
    return respond_list(request, plan, part, obj, announce=announce, focus=focus)


def respond_already_deleted(request, plan: Plan, part: PartKind, pk: int) -> HttpResponse:
    """Someone else deleted the item first: what the user wanted anyway. The list shows it gone."""
    ghost = deleted_item(plan, part, pk)
    if ghost is None or (part.model is Indicator and ghost.goal_id is None):
        raise Http404
    announce = _("Någon annan hade redan tagit bort det.")
    return respond_list(
        request,
        plan,
        part,
        ghost,
        announce=announce,
        focus=f"{part.new(plan, getattr(ghost, 'goal', None)).dom_id}-knapp",
        changed=False,
    )


def sibling_filter(item) -> dict:
    return {"goal_id": item.goal_id} if isinstance(item, Indicator) else {}


@association_view
@require_POST
def part_move(request, pk: int, kind: str, item: int):
    plan = get_plan(request, pk, for_edit=True)
    part = part_kind(kind)
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


# --- The plan as a PDF (plans/pdf.py renders it in a background task) ---------------


def pdf_file_response(plan: Plan, pdf: PlanPdf, *, inline: bool = False) -> FileResponse:
    """The stored file as it is, never rendered again: an archived PDF is byte-identical every time."""
    response = FileResponse(
        pdf.file.open("rb"),
        as_attachment=not inline,
        filename=plan_pdf_filename(plan),
        content_type="application/pdf",
    )
    response["ETag"] = f'"{pdf.sha256}"'
    return response


def pdf_context(request, plan: Plan, pdf: PlanPdf | None, **extra) -> dict[str, Any]:
    public_url = ""
    if plan.is_locked and plan.association.publish_adopted_plans:
        public_url = request.build_absolute_uri(
            reverse("plan_pdf_public", kwargs={"association": plan.association.slug, "pk": plan.pk})
        )
    return {"plan": plan, "pdf": pdf, "public_url": public_url, **extra}


@association_view
@require_http_methods(["GET", "POST"])
def plan_pdf(request, pk: int):
    """GET: the plan's PDF page. POST: the PDF of the plan as it is now, queued for rendering unless
    this content has a PDF already (then, without JavaScript, straight to the file)."""
    plan = get_plan(request, pk)
    if request.method == "POST":
        pdf = plan_pdf_request(plan=plan, by=request.user)
        if request.htmx:
            return render(request, "plans/plan_pdf_status.html#pdf-status", pdf_context(request, plan, pdf))
        if pdf.is_done:
            return redirect("plan_pdf_file", association=plan.association.slug, pk=plan.pk, pdf=pdf.pk)
        return redirect("plan_pdf_status", association=plan.association.slug, pk=plan.pk, pdf=pdf.pk)
    return render(request, "plans/plan_pdf_status.html", pdf_context(request, plan, plan_pdf_latest(plan)))


@association_view
@require_GET
@vary_on_headers("HX-Request")
def plan_pdf_status(request, pk: int, pdf: int):
    """How the rendering goes; htmx polls this every second until the PDF is done or has failed."""
    plan = get_plan(request, pk)
    # A rendering whose worker died (a restart) is queued again instead of being polled forever.
    pdf = requeue_if_needed(get_object_or_404(plan.pdfs, pk=pdf), failed=False)
    template = "plans/plan_pdf_status.html#pdf-status" if request.htmx else "plans/plan_pdf_status.html"
    return render(request, template, pdf_context(request, plan, pdf))


@association_view
@require_GET
def plan_pdf_file(request, pk: int, pdf: int):
    """Download a stored PDF of a plan the user may see."""
    plan = get_plan(request, pk)
    pdf = get_object_or_404(plan.pdfs, pk=pdf, status=PlanPdf.Status.DONE)
    return pdf_file_response(plan, pdf)


@require_GET
def plan_pdf_public(request, association: str, pk: int):
    """The open link (no login) to an adopted plan's archived PDF, for associations that publish.

    Anything else is a 404: an association that does not publish, a plan that is not adopted or
    superseded, another association's plan. An adopted plan without its archive yet (adopted before
    PDFs existed) has it queued here, and the visitor is asked to come back in a moment.
    """
    association = get_object_or_404(Association, slug=association, publish_adopted_plans=True)
    plan = get_object_or_404(
        association.plans.filter(state__in=Plan.LOCKED_STATES).select_related("association"), pk=pk
    )
    pdf = plan_pdf_archive(plan=plan, retry_failed=False)
    if not pdf.is_done:
        response = render(
            request, "plans/plan_pdf_status.html", pdf_context(request, plan, pdf, public=True), status=503
        )
        response["Retry-After"] = "5"
        return response
    response = pdf_file_response(plan, pdf, inline=True)
    response["Cache-Control"] = "public, max-age=3600"
    return response

"""The association's plans, a plan's page, and starting a plan (empty, or next year's from an adopted one)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from finsam.access import association_view
from finsam.models import Membership
from plans import forms
from plans.access import get_plan, visible_plans
from plans.discharge import discharge_overview, takes_discharge
from plans.document import document_html, shown_document
from plans.models import Plan
from plans.reports import INTERIM_MONTHS, MONTH_NAMES
from plans.review import ReviewError, plan_publish
from plans.rollover import plan_rollover
from plans.services import plan_create, plan_deletable, plan_delete
from plans.versions import with_versions
from plans.views.editor import editor_url

Role = Membership.Role


@association_view
def association_detail(request):
    """The association's plans by year, with their state."""
    plans = with_versions(visible_plans(request.access)).order_by("-first_year", "-revision")
    return render(
        request,
        "finsam/association.html",
        {"association": request.access.association, "plans": plans},
    )


@require_GET
@association_view
def plan_detail(request, pk: int):
    plan = get_plan(request, pk)
    context = {
        "document": document_html(shown_document(plan)),
        "plan": plan,
        "can_edit": request.access.is_chief and plan.is_editable,
        "can_publish": plan.is_locked and request.access.role in (Role.CHIEF, Role.CHAIR),
    }
    if plan.is_report:
        context["report_of"] = plan.report_of
        if takes_discharge(plan):
            context["members"] = discharge_overview(plan)
    elif plan.is_locked:  # an adopted plan's reports, and the chief's buttons to start them
        context["reports"] = list(  # the year's, whichever of its adopted versions each was started on
            visible_plans(request.access)
            .filter(first_year=plan.first_year, report_of__isnull=False)
            .order_by("period_end", "kind")
        )
        context["can_report"] = request.access.is_chief and plan.state == Plan.State.ADOPTED
        context["interim_months"] = [(months, MONTH_NAMES[months]) for months in INTERIM_MONTHS]
    return render(request, "plans/plan_detail.html", context)


@association_view
@require_http_methods(["GET", "POST"])
def plan_delete_view(request, pk: int):
    """GET: what deleting the draft removes, and a confirmation. POST `confirm`: delete it. A plan in
    review or adopted is refused as locked."""
    plan = get_plan(request, pk, for_edit=True)
    if not request.access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen kan ta bort en plan."))
    context = {"plan": plan, "deletable": plan_deletable(plan)}
    if request.method == "POST":
        if request.POST.get("confirm") != "1":
            context["error"] = _("Kryssa i att planen ska tas bort.")
            return render(request, "plans/plan_delete.html", context, status=422)
        try:
            plan_delete(plan=plan, by=request.user)
        except ValidationError as refusal:
            context["error"] = refusal.messages[0]
            return render(request, "plans/plan_delete.html", context, status=422)
        messages.success(request, _("Planen ”%(title)s” är borttagen.") % {"title": plan.title})
        return redirect("association", association=plan.association.slug)
    return render(request, "plans/plan_delete.html", context)


@association_view
@require_POST
def plan_publish_view(request, pk: int):
    """Publish an adopted plan at its open link (`public=1`) or withdraw it (`public=0`)."""
    plan = get_plan(request, pk)
    public = request.POST.get("public") == "1"
    try:
        plan_publish(plan=plan, by=request.user, public=public)
    except ReviewError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Planen är publicerad på den öppna länken.")
            if public
            else _("Planen är inte längre publicerad på den öppna länken."),
        )
    return redirect(plan)


# --- Creating a plan -------------------------------------------------------------------------------------


def suggested_first_year(association) -> int:
    latest = (
        association.plans.filter(kind=Plan.Kind.PLAN)
        .order_by("-first_year")
        .values_list("first_year", flat=True)
        .first()
    )
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
    context_extra: dict = {}
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
                    # A refusal leads somewhere: the plan that already has that year, if it is one.
                    source = rollover_form.cleaned_data["source"]
                    existing = visible_plans(access).filter(
                        first_year=source.first_year + 1, kind=Plan.Kind.PLAN
                    )
                    context_extra["existing_plans"] = list(existing.order_by("-revision"))
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
    context |= context_extra
    return render(request, "plans/plan_new.html", context, status=status)


def plan_rollover_from(request, data) -> Plan:

    return plan_rollover(source=data["source"], by=request.user, keep_forecast=data["keep_forecast"])

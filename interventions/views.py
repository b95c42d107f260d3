"""Interventions of the association, below /f/<association>/insatser/, and their place in plans.

Everyone with a role sees the interventions (readers only those in plans they may read); only the chief
(or a superuser) changes them. The intervention form is a plain form (it is long, and a full page
answer is what a person expects after saving it); adding, removing and ordering an intervention in a
plan are small forms that HTMX swaps in place, and that work as plain POSTs too.
"""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from finsam.access import association_view
from finsam.editing import StaleVersion
from interventions import services
from interventions.followup import owners_of
from interventions.forms import EndForm, GrantFormSet, InterventionForm, OwnerInvitationForm
from interventions.models import Grant, Intervention, PlanIntervention
from interventions.owner_invitations import pending_owner_invitations
from plans.access import get_plan, visible_plans
from plans.models import Plan

STATUS_ORDER = {
    Intervention.Status.GRANTED: 0,
    Intervention.Status.UNDECIDED: 1,
    Intervention.Status.ENDED: 2,
}


def visible_interventions(access):
    """The association's interventions this user may see: readers only those in plans they may read."""
    interventions = access.association.interventions.all()
    if not access.sees_drafts:
        interventions = interventions.filter(plan_links__plan__in=visible_plans(access)).distinct()
    return interventions


def get_intervention(request, pk: int, *, for_edit: bool = False) -> Intervention:
    """An intervention of the request's association (404 otherwise); with `for_edit`, only the chief."""
    intervention = get_object_or_404(
        visible_interventions(request.access).select_related("association", "owner", "municipality"), pk=pk
    )
    if for_edit and not request.access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen kan ändra insatser."))
    return intervention


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _detail_url(intervention: Intervention) -> str:
    return reverse(
        "intervention_detail", kwargs={"association": intervention.association.slug, "pk": intervention.pk}
    )


@association_view
def intervention_list(request):
    """Every intervention across the years: status, period, grants per year, the plans it appears in."""
    access = request.access
    links = (
        PlanIntervention.objects.filter(plan__in=visible_plans(access))
        .select_related("plan")
        .order_by("-plan__first_year", "-plan__revision")
    )
    interventions = list(
        visible_interventions(access)
        .select_related("owner")
        .prefetch_related(
            Prefetch("grants", queryset=Grant.objects.order_by("year")),
            Prefetch("plan_links", queryset=links, to_attr="visible_links"),
        )
        .order_by("name")
    )
    interventions.sort(key=lambda intervention: STATUS_ORDER.get(intervention.status, 9))
    groups = [
        (label, [i for i in interventions if i.status == status])
        for status, label in Intervention.Status.choices
    ]
    return render(
        request,
        "interventions/intervention_list.html",
        {
            "association": access.association,
            "groups": [(label, members) for label, members in groups if members],
            "may_edit": access.is_chief,
        },
    )


def _plans_context(request, intervention: Intervention) -> dict:
    """The plans the intervention appears in (those the user may see), and those it can be added to."""
    access = request.access
    visible = visible_plans(access)
    links = list(
        intervention.plan_links.filter(plan__in=visible)
        .select_related("plan")
        .order_by("-plan__first_year", "-plan__revision")
    )
    linked = {link.plan_id for link in links}
    addable = []
    if access.is_chief:
        addable = [
            plan
            for plan in access.association.plans.filter(
                state__in=[Plan.State.DRAFT, Plan.State.CHANGES_REQUESTED], kind=Plan.Kind.PLAN
            ).order_by("-first_year", "-revision")
            if plan.pk not in linked
        ]
    return {"links": links, "addable_plans": addable}


def owners_context(intervention: Intervention, **extra) -> dict:
    """The chief's region of the page on its insats owners: who reports the insats (to tick), the form
    that invites one by e-mail, and the pending invitations for it."""
    return {
        "owners": list(owners_of(intervention.association)),
        "reporter_ids": set(intervention.reporters.values_list("pk", flat=True)),
        "owner_invitations": list(pending_owner_invitations(intervention)),
        "owner_form": OwnerInvitationForm(),
        **extra,
    }


def detail_context(request, intervention, **extra) -> dict:
    """The intervention's page; `extra` replaces parts of it (a form with what was typed)."""
    may_edit = request.access.is_chief
    context = {
        "association": request.access.association,
        "intervention": intervention,
        "may_edit": may_edit,
        "grants": list(intervention.grants.all()),
        "locked_years": sorted(services.locked_years(intervention)) if may_edit else [],
        **_plans_context(request, intervention),
    }
    if may_edit:
        context.update(owners_context(intervention))
        context.setdefault(
            "form", InterventionForm(instance=intervention, association=intervention.association)
        )
        context.setdefault(
            "grant_formset",
            GrantFormSet(
                prefix="grants", initial=GrantFormSet.initial_for(intervention), intervention=intervention
            ),
        )
        context.setdefault(
            "end_form", EndForm(initial={"end_date": intervention.end_date or timezone.localdate()})
        )
    context.update(extra)
    return context


def _conflict_rows(current: Intervention, form: InterventionForm) -> list[tuple[str, str]]:
    """The other person's values where they differ from what this user typed: label and value."""
    rows = []
    for name in services.EDITABLE_FIELDS:
        theirs = getattr(current, name)
        if form.cleaned_data.get(name) != theirs:
            field = Intervention._meta.get_field(name)
            if name in ("kind", "status"):
                shown = getattr(current, f"get_{name}_display")()
            elif theirs is None or theirs == "":
                shown = _("(tomt)")
            elif hasattr(theirs, "isoformat"):
                shown = theirs.isoformat()
            else:
                shown = str(theirs)
            rows.append((str(field.verbose_name).capitalize(), shown[:200]))
    return rows


@require_http_methods(["GET", "POST"])
@association_view
def intervention_detail(request, pk: int):
    """The intervention; for the chief also the form that changes it."""
    intervention = get_intervention(request, pk, for_edit=request.method == "POST")
    template = "interventions/intervention_detail.html"
    if request.method == "GET":
        return render(request, template, detail_context(request, intervention))

    association = intervention.association
    form = InterventionForm(request.POST, instance=copy.copy(intervention), association=association)
    grant_formset = GrantFormSet(
        request.POST,
        prefix="grants",
        initial=GrantFormSet.initial_for(intervention),
        intervention=intervention,
    )
    expected_version = _version(request)
    if expected_version is None:
        return HttpResponseBadRequest(_("Insatsens version saknas."))
    valid = form.is_valid() & grant_formset.is_valid()  # both, so that every message shows at once
    if valid:
        try:
            services.intervention_update(
                intervention=intervention,
                expected_version=expected_version,
                fields=form.changes,
                partners=list(form.cleaned_data["partners"]),
                co_owners=list(form.cleaned_data["co_owners"]),
                grants=grant_formset.grants,
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        except StaleVersion as conflict:
            current = conflict.current
            context = detail_context(
                request,
                intervention,
                form=form,
                grant_formset=grant_formset,
                conflict_rows=_conflict_rows(current, form) if current else [],
                form_version=current.version if current else expected_version,
            )
            return render(request, template, context, status=409)
        else:
            messages.success(request, _("Insatsen %(name)s sparades.") % {"name": form.cleaned_data["name"]})
            return redirect(_detail_url(intervention))
    context = detail_context(
        request, intervention, form=form, grant_formset=grant_formset, form_version=expected_version
    )
    return render(request, template, context, status=422)


@require_http_methods(["GET", "POST"])
@association_view
def intervention_create(request):
    access = request.access
    if not access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen kan lägga till insatser."))
    association = access.association
    plans = list(
        association.plans.filter(
            state__in=[Plan.State.DRAFT, Plan.State.CHANGES_REQUESTED], kind=Plan.Kind.PLAN
        ).order_by("-first_year", "-revision")
    )
    template = "interventions/intervention_detail.html"
    selected_plan = request.POST.get("plan") if request.method == "POST" else request.GET.get("plan")
    context = {"association": association, "intervention": None, "may_edit": True, "addable_plans": plans}
    if request.method == "GET":
        form = InterventionForm(association=association)
        grant_formset = GrantFormSet(prefix="grants")
        return render(
            request,
            template,
            {**context, "form": form, "grant_formset": grant_formset, "selected_plan": selected_plan},
        )
    form = InterventionForm(request.POST, association=association)
    grant_formset = GrantFormSet(request.POST, prefix="grants")
    plan = None
    plan_error = ""
    if selected_plan:
        plan = next((candidate for candidate in plans if str(candidate.pk) == selected_plan), None)
        if plan is None:
            plan_error = _("Välj en plan som går att ändra.")
    valid = form.is_valid() & grant_formset.is_valid()
    if valid and not plan_error:
        try:
            intervention = services.intervention_create(
                association=association,
                fields=form.changes,
                partners=list(form.cleaned_data["partners"]),
                co_owners=list(form.cleaned_data["co_owners"]),
                grants=grant_formset.grants,
                plan=plan,
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Insatsen %(name)s lades till.") % {"name": intervention.name})
            if plan is not None and request.POST.get("next") == "budget":
                return redirect("plan_budget_grid", association=association.slug, pk=plan.pk)
            return redirect(_detail_url(intervention))
    return render(
        request,
        template,
        {
            **context,
            "form": form,
            "grant_formset": grant_formset,
            "selected_plan": selected_plan,
            "plan_error": plan_error,
        },
        status=422,
    )


@require_POST
@association_view
def intervention_end(request, pk: int):
    intervention = get_intervention(request, pk, for_edit=True)
    template = "interventions/intervention_detail.html"
    end_form = EndForm(request.POST)
    expected_version = _version(request)
    if expected_version is None:
        return HttpResponseBadRequest(_("Insatsens version saknas."))
    if end_form.is_valid():
        try:
            services.intervention_end(
                intervention=intervention,
                end_date=end_form.cleaned_data["end_date"],
                expected_version=expected_version,
                by=request.user,
            )
        except ValidationError as error:
            end_form.add_error(None, error)
        except StaleVersion:
            end_form.add_error(
                None, _("Någon annan har just ändrat insatsen. Kontrollera uppgifterna och försök igen.")
            )
            return render(
                request, template, detail_context(request, intervention, end_form=end_form), status=409
            )
        else:
            messages.success(request, _("Insatsen %(name)s är avslutad.") % {"name": intervention.name})
            return redirect(_detail_url(intervention))
    return render(request, template, detail_context(request, intervention, end_form=end_form), status=422)


# Interventions in a plan -------------------------------------------------------------------------


def _plan_list_context(request, plan: Plan, **extra) -> dict:
    links = list(
        plan.plan_interventions.select_related("intervention")
        .prefetch_related(Prefetch("intervention__grants", queryset=Grant.objects.order_by("year")))
        .order_by("position", "id")
    )
    linked = {link.intervention_id for link in links}
    addable = [
        intervention
        for intervention in request.access.association.interventions.order_by("name")
        if intervention.pk not in linked
    ]
    return {"plan": plan, "links": links, "addable": addable, **extra}


@association_view
def plan_interventions(request, pk: int):
    """The plan's interventions in order, to add, remove and reorder (the chief's editor page)."""
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    return render(request, "interventions/plan_interventions.html", _plan_list_context(request, plan))


def _after_plan_change(
    request, plan: Plan | None, intervention: Intervention, message: str, *, status: int = 200, source=None
):
    """Answer a change of a plan's interventions where it was made: the intervention page or the plan's list."""
    source = source or request.POST.get("source", "plan")
    if not request.htmx:
        if status >= 400:
            messages.error(request, message)
        else:
            messages.success(request, message)
        if source == "intervention":
            return redirect(_detail_url(intervention))
        return redirect("plan_interventions", association=plan.association.slug, pk=plan.pk)
    if source == "intervention":
        context = {
            "association": request.access.association,
            "intervention": intervention,
            "may_edit": True,
            "announcement": message,
            **_plans_context(request, intervention),
        }
        return render(request, "interventions/intervention_detail.html#plans", context, status=status)
    context = _plan_list_context(request, plan, announcement=message)
    return render(request, "interventions/plan_interventions.html#list", context, status=status)


@require_POST
@association_view
def plan_intervention_add(request, pk: int):
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    try:
        intervention_id = int(request.POST.get("intervention", ""))
    except ValueError:
        return HttpResponseBadRequest(_("Välj en insats."))
    intervention = get_object_or_404(request.access.association.interventions, pk=intervention_id)
    try:
        services.plan_intervention_add(plan=plan, intervention=intervention, by=request.user)
    except ValidationError as error:
        return _after_plan_change(request, plan, intervention, error.messages[0], status=422)
    message = _("%(name)s finns nu i %(plan)s.") % {"name": intervention.name, "plan": plan.title}
    return _after_plan_change(request, plan, intervention, message)


@require_POST
@association_view
def intervention_plan_add(request, pk: int):
    """From the intervention's page: put it in the chosen plan."""
    intervention = get_intervention(request, pk, for_edit=True)
    try:
        plan_id = int(request.POST.get("plan", ""))
    except ValueError:
        return _after_plan_change(
            request, None, intervention, _("Välj en plan."), status=422, source="intervention"
        )
    plan = get_plan(request, plan_id, for_edit=True, plans_only=True)
    try:
        services.plan_intervention_add(plan=plan, intervention=intervention, by=request.user)
    except ValidationError as error:
        return _after_plan_change(
            request, plan, intervention, error.messages[0], status=422, source="intervention"
        )
    message = _("%(name)s finns nu i %(plan)s.") % {"name": intervention.name, "plan": plan.title}
    return _after_plan_change(request, plan, intervention, message, source="intervention")


@require_POST
@association_view
def plan_intervention_remove(request, pk: int, intervention_id: int):
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    intervention = get_object_or_404(request.access.association.interventions, pk=intervention_id)
    try:
        services.plan_intervention_remove(plan=plan, intervention=intervention, by=request.user)
    except ValidationError as error:
        return _after_plan_change(request, plan, intervention, error.messages[0], status=422)
    message = _("%(name)s togs bort ur %(plan)s.") % {"name": intervention.name, "plan": plan.title}
    return _after_plan_change(request, plan, intervention, message)


@require_POST
@association_view
def plan_intervention_move(request, pk: int, intervention_id: int):
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    intervention = get_object_or_404(request.access.association.interventions, pk=intervention_id)
    direction = request.POST.get("direction", "")
    if direction not in (services.UP, services.DOWN):
        return HttpResponseBadRequest(_("Okänd riktning."))
    try:
        moved = services.plan_intervention_move(
            plan=plan, intervention=intervention, direction=direction, by=request.user
        )
    except ValidationError as error:
        return _after_plan_change(request, plan, intervention, error.messages[0], status=422)
    if not moved:
        message = (
            _("%(name)s står redan först.") if direction == services.UP else _("%(name)s står redan sist.")
        )
    elif direction == services.UP:
        message = _("%(name)s flyttades upp.")
    else:
        message = _("%(name)s flyttades ned.")
    return _after_plan_change(request, plan, intervention, message % {"name": intervention.name})

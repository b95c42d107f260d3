"""The insatser's follow-up of a year: the plan's overview for everyone, one insats's report for the chief."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from finsam.access import association_view
from interventions.followup import followed_plan, intervention_year_save, plan_interventions_followed
from interventions.forms import InterventionYearForm
from interventions.models import Intervention, InterventionYear
from plans.access import get_plan
from plans.goal_outcomes import plan_followed_up


@require_GET
@association_view
def plan_interventions_followup(request, pk: int):
    """Every insats of the plan with its grant, participants planned and reached, and its report."""
    plan = get_plan(request, pk)
    rows = plan_interventions_followed(plan)
    context = {
        "plan": plan,
        "rows": rows,
        "can_edit": request.access.is_chief and plan_followed_up(plan),
    }
    return render(request, "interventions/plan_followup.html", context)


@association_view
@require_http_methods(["GET", "POST"])
def intervention_year_edit(request, pk: int, year: int):
    """GET: the insats's follow-up of `year` as a form. POST: save it; a refusal keeps what was typed."""
    intervention = get_object_or_404(Intervention, pk=pk, association=request.access.association)
    if not request.access.is_chief:  # after the lookup: another association's insats is a 404 for anyone
        raise PermissionDenied(_("Bara förbundschefen rapporterar insatsens uppföljning."))
    plan = followed_plan(intervention, year)
    saved = InterventionYear.objects.filter(intervention=intervention, year=year).first()
    form = InterventionYearForm(request.POST or None, instance=saved)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                intervention_year_save(
                    intervention=intervention,
                    year=year,
                    by=request.user,
                    values=form.values(),
                    seen=form.cleaned_data["seen"],
                )
            except ValidationError as refusal:
                form.add_error(None, refusal.messages[0])
            else:
                messages.success(
                    request, _("Uppföljningen av %(name)s är sparad.") % {"name": intervention.name}
                )
                if plan is not None:
                    return redirect(
                        "plan_interventions_followup", association=plan.association.slug, pk=plan.pk
                    )
                return redirect(
                    "intervention_year_edit", association=intervention.association.slug, pk=pk, year=year
                )
        status = 422
    context = {"intervention": intervention, "year": year, "plan": plan, "form": form}
    return render(request, "interventions/intervention_year.html", context, status=status)

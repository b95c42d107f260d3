"""One insats's follow-up of a year: the report for the chief and its insats owners, their list of insatser.

The plan's overview of every insats's follow-up, money beside people, is a page of budgets
(`budgets.views.followup_interventions`): it reads the budget follow-up, which sits on the floor above."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from finsam.access import association_view, open_to_intervention_owners
from interventions.followup import (
    followed_plan,
    followed_years,
    intervention_reporters_set,
    intervention_year_save,
    may_report,
    owners_of,
    reported_interventions,
)
from interventions.forms import InterventionYearForm
from interventions.models import Intervention, InterventionYear


@association_view
@require_GET
@open_to_intervention_owners
def my_interventions(request):
    """The insatser this person reports (all for the chief), each with the years it can be reported for:
    the insats owner's home in the association."""
    interventions = list(reported_interventions(request.access, request.user))
    years = followed_years(interventions)
    for intervention in interventions:
        intervention.report_years = years.get(intervention.pk, [])
    return render(request, "interventions/my_interventions.html", {"interventions": interventions})


@association_view
@require_http_methods(["GET", "POST"])
@open_to_intervention_owners
def intervention_year_edit(request, pk: int, year: int):
    """GET: the insats's follow-up of `year` as a form. POST: save it; a refusal keeps what was typed.
    For the chief, and for the insats owners the chief named for this insats."""
    intervention = get_object_or_404(Intervention, pk=pk, association=request.access.association)
    if not may_report(request.access, request.user, intervention):  # after the lookup: a 404 comes first
        raise PermissionDenied(
            _("Bara förbundschefen och insatsens insatsansvariga rapporterar dess uppföljning.")
        )
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
                    expected_version=form.cleaned_data["version"] or 0,
                )
            except ValidationError as refusal:
                form.add_error(None, refusal.messages[0])
            else:
                messages.success(
                    request, _("Uppföljningen av %(name)s är sparad.") % {"name": intervention.name}
                )
                if plan is not None and request.access.is_chief:
                    return redirect(
                        "plan_interventions_followup", association=plan.association.slug, pk=plan.pk
                    )
                return redirect("my_interventions", association=intervention.association.slug)
        status = 422
    context = {"intervention": intervention, "year": year, "plan": plan, "form": form}
    return render(request, "interventions/intervention_year.html", context, status=status)


@association_view
@require_POST
def intervention_reporters_edit(request, pk: int):
    """The chief names the insats owners who report this insats (`reporters`: user ids)."""
    intervention = get_object_or_404(Intervention, pk=pk, association=request.access.association)
    if not request.access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen väljer insatsansvariga."))
    owners = owners_of(intervention.association)
    ids = [value for value in request.POST.getlist("reporters") if value.isdigit()]
    chosen = list(owners.filter(pk__in=ids))
    try:
        if len(chosen) != len(set(ids)):
            raise ValidationError(_("Bara förbundets insatsansvariga kan rapportera en insats."))
        intervention_reporters_set(intervention=intervention, users=chosen, by=request.user)
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
    else:
        messages.success(request, _("Insatsansvariga för %(name)s är sparade.") % {"name": intervention.name})
    return redirect("intervention_detail", association=intervention.association.slug, pk=intervention.pk)

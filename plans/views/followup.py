"""The year's follow-up of an adopted plan's goals: every member reads it, the chief writes the outcomes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from finsam.access import association_view
from plans.access import get_plan
from plans.forms import IndicatorOutcomeForm
from plans.gateway import followup_refusal, plan_is_followed
from plans.goal_outcomes import goal_follow_up, indicator_outcome_save, judgement_totals
from plans.models import Indicator

TEMPLATE = "plans/goal_followup.html"


def _prefix(indicator: Indicator) -> str:
    return f"indikator-{indicator.pk}"


@require_GET
@association_view
def plan_goal_followup(request, pk: int):
    """The goals at a glance (how many indicators met, partly met, not met) and each indicator's outcome;
    a form per indicator for the chief while the plan is the adopted one."""
    plan = get_plan(request, pk, plans_only=True)
    goals = goal_follow_up(plan)
    refusal = followup_refusal(plan)
    can_edit = request.access.is_chief and refusal is None
    if can_edit:
        for goal in goals:
            for indicator in goal.indicators:
                indicator.form = IndicatorOutcomeForm(instance=indicator.followed, prefix=_prefix(indicator))
    context = {
        "plan": plan,
        "goals": goals,
        "totals": judgement_totals(goals),
        "can_edit": can_edit,
        "closed": refusal if plan_is_followed(plan) else "",  # the annual report closed the year
    }
    return render(request, TEMPLATE, context)


@require_POST
@association_view
def indicator_outcome_edit(request, pk: int, indicator: int):
    """Save one indicator's outcome. HTMX: the indicator's block is swapped (422 with the errors and
    what was typed); without HTMX, back to the page at the indicator."""
    plan = get_plan(request, pk, plans_only=True)
    indicator = get_object_or_404(
        Indicator.objects.select_related("goal", "outcome"), pk=indicator, goal__plan=plan
    )  # first: another plan's indicator is a 404 whoever asks
    if not request.access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen anger utfall."))
    refusal = followup_refusal(plan)
    if refusal:
        raise PermissionDenied(refusal)
    indicator.followed = getattr(indicator, "outcome", None)
    form = IndicatorOutcomeForm(request.POST, instance=indicator.followed, prefix=_prefix(indicator))
    saved = False
    if form.is_valid():
        try:
            indicator.followed = indicator_outcome_save(
                plan=plan,
                indicator=indicator,
                by=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                **form.values(),
            )
        except ValidationError as refusal:
            form.add_error(None, refusal.messages[0])
        else:
            saved = True
            if not request.htmx:
                messages.success(request, _("Utfallet är sparat."))
                url = reverse("plan_goal_followup", args=[plan.association.slug, plan.pk])
                return redirect(f"{url}#{_prefix(indicator)}")
            form = IndicatorOutcomeForm(instance=indicator.followed, prefix=_prefix(indicator))
    indicator.form = form
    status = 200 if saved else 422
    if request.htmx:
        context = {"plan": plan, "indicator": indicator, "can_edit": True, "saved": saved}
        return render(request, f"{TEMPLATE}#indicator", context, status=status)
    goals = goal_follow_up(plan)
    for goal in goals:
        for row in goal.indicators:
            row.form = (
                form
                if row.pk == indicator.pk
                else IndicatorOutcomeForm(instance=row.followed, prefix=_prefix(row))
            )
    context = {"plan": plan, "goals": goals, "totals": judgement_totals(goals), "can_edit": True}
    return render(request, TEMPLATE, context, status=status)

"""Year rollover: "Skapa nästa års plan" from an adopted plan.

In the autumn the chief starts next year's plan from this year's adopted one: the text parts are copied,
the interventions still running are carried (their grants live on the intervention, so the future
years' grants come along by themselves), and the budget's columns move one year: last year's plan years
become this year's budget and plan years, a new last plan year is added, and the year now ending can be
kept as a forecast column.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from plans.copying import plan_copy, shift_years
from plans.gateway import plan_change
from plans.models import Plan, PlanEvent


def plan_rollover(*, source: Plan, by, keep_forecast: bool = True) -> Plan:
    """Create next year's plan (a draft, revision 1) from the adopted plan `source`, in one transaction.

    Copies chapters (headings' plan years moved on), goals with indicators, target groups, the control,
    communication and activity plans (activities keep their link to the copied goal), the budget's groups
    and lines, the contribution key and the overrides of the years carried. Links the interventions still
    running on 1 January of the new first year, in the same order. Budget columns: the source's first year
    as a forecast (if `keep_forecast`), its later years as the new budget and plan years, and a new last
    year starting from the old last year's contributions and amounts. The forecast column keeps the
    source's budget year whole: grants of interventions not carried become one line there. Opening equity
    is the equity at the start of the new first column's year (unknown if the source's is). Records `ROLLED_OVER` on both plans; changes nothing else in the
    source. Raises ValidationError if the source is not adopted or the year already has a plan.
    """
    if source.state != Plan.State.ADOPTED or source.kind != Plan.Kind.PLAN:
        raise ValidationError(_("Nästa års plan kan bara skapas från en fastställd plan."))
    first_year = source.first_year + 1
    span = {"first_year": source.first_year, "last_year": source.last_year}
    exists_message = _("Förbundet har redan en plan för %(year)s.") % {"year": first_year}

    with plan_change(source, by=by, lifecycle="rollover") as change:
        if Plan.objects.filter(
            association_id=source.association_id, first_year=first_year, kind=Plan.Kind.PLAN
        ).exists():
            raise ValidationError(exists_message)
        try:
            with transaction.atomic():
                plan = plan_copy(
                    source,
                    rollover=True,
                    options={"keep_forecast": keep_forecast},
                    title=shift_years(source.title, **span),
                    first_year=first_year,
                    revision=1,
                    revision_of=None,
                    rolled_over_from=source,
                    opening_equity=None,
                    deficit_explanation="",
                )
        except IntegrityError as error:  # another rollover for the same year won the race
            raise ValidationError(exists_message) from error
        carried = plan.plan_interventions.count()
        change.record(
            PlanEvent.Action.ROLLED_OVER,
            _("Skapad från %(title)s.") % {"title": source.title},
            {"source": source.pk, "keep_forecast": keep_forecast, "interventions": carried},
            plan=plan,
        )
        change.record(
            PlanEvent.Action.ROLLED_OVER,
            _("Nästa års plan skapad: %(title)s.") % {"title": plan.title},
            {"plan": plan.pk},
        )
    return plan

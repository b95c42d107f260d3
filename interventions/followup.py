"""Following each insats through its year: participants planned and reached, and its own yearly report.

An insats is followed for a year when the association's adopted plan for that year lists it: that plan
is the record the follow-up belongs to (its history shows every report), and it never changes itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from finsam.editing import versioned_update
from finsam.models import Membership
from interventions.models import Grant, Intervention, InterventionYear, PlanIntervention
from plans.gateway import followup_refusal, plan_change
from plans.models import Plan, PlanEvent


def followed_plan(intervention: Intervention, year: int) -> Plan | None:
    """The association's adopted plan whose budget year is `year` and that lists the intervention."""
    link = (
        intervention.plan_links.filter(
            plan__state=Plan.State.ADOPTED, plan__first_year=year, plan__kind=Plan.Kind.PLAN
        )
        .select_related("plan__association")
        .first()
    )
    return link.plan if link else None


@dataclass
class InterventionFollowUp:
    intervention: Intervention
    grant: Decimal | None  # granted for the plan's budget year
    followed: InterventionYear | None


def plan_interventions_followed(plan: Plan) -> list[InterventionFollowUp]:
    """The plan's interventions in its order, each with its grant and follow-up for the plan's budget
    year (three queries whatever the number)."""
    links = list(plan.plan_interventions.select_related("intervention__owner").order_by("position", "id"))
    ids = [link.intervention_id for link in links]
    year = plan.first_year
    followed = {
        row.intervention_id: row for row in InterventionYear.objects.filter(intervention__in=ids, year=year)
    }
    grants = {
        intervention: amount
        for intervention, amount in Grant.objects.filter(intervention__in=ids, year=year).values_list(
            "intervention_id", "amount"
        )
    }
    return [
        InterventionFollowUp(
            link.intervention, grants.get(link.intervention_id), followed.get(link.intervention_id)
        )
        for link in links
    ]


def intervention_year_save(
    *, intervention: Intervention, year: int, by, values: dict, expected_version: int = 0
) -> InterventionYear:
    """Write an insats's follow-up of `year` (`values`: the participant counts and the report). Refused
    (ValidationError) when no adopted plan of that year lists it, and when the follow-up is no longer at
    `expected_version` (0: none saved); one history event on the plan."""
    plan = followed_plan(intervention, year)
    if plan is None:
        raise ValidationError(
            _(
                "Ingen fastställd plan för %(year)s tar upp insatsen; uppföljningen skrivs för en fastställd plans budgetår."
            )
            % {"year": year}
        )
    with plan_change(plan, by=by, lifecycle=PlanEvent.Action.FOLLOWED_UP) as change:
        refusal = followup_refusal(plan)
        if refusal:
            raise ValidationError(refusal)
        saved = (
            InterventionYear.objects.select_for_update().filter(intervention=intervention, year=year).first()
        )
        if (saved.version if saved else 0) != expected_version:
            raise ValidationError(
                _(
                    "Någon annan har ändrat uppföljningen sedan du öppnade sidan. Läs in sidan igen och skriv in dina ändringar."
                )
            )
        if saved is None:
            row = InterventionYear.objects.create(
                intervention=intervention, year=year, **values, updated_by=by
            )
        else:
            row = versioned_update(saved, expected_version=expected_version, **values, updated_by=by)
        change.record(
            PlanEvent.Action.FOLLOWED_UP,
            _("Uppföljning av insatsen ”%(name)s” %(year)s")
            % {"name": intervention.name[:200], "year": year},
            {"intervention": intervention.pk, "year": year},
        )
    return row


def may_report(access, user, intervention: Intervention) -> bool:
    """The chief reports every insats's follow-up; an insats owner only the insatser named theirs."""
    if access.is_chief:
        return True
    return access.is_intervention_owner and intervention.reporters.filter(pk=user.pk).exists()


def reported_interventions(access, user):
    """The insatser whose follow-up this person reports: all of the association's for the chief, the
    ones named theirs for an insats owner, none for anyone else."""
    interventions = access.association.interventions.order_by("name")
    if access.is_chief:
        return interventions
    if access.is_intervention_owner:
        return interventions.filter(reporters=user)
    return interventions.none()


def followed_years(interventions) -> dict[int, list[int]]:
    """Intervention id → the budget years of adopted plans that list it (one query)."""
    years: dict[int, list[int]] = {}
    links = (
        PlanIntervention.objects.filter(intervention__in=interventions, plan__state=Plan.State.ADOPTED)
        .order_by("-plan__first_year")
        .values_list("intervention_id", "plan__first_year")
    )
    for intervention_id, year in links:
        years.setdefault(intervention_id, []).append(year)
    return years


def intervention_reporters_set(*, intervention: Intervention, users, by) -> None:
    """Name the insats owners who report this insats. Only members with the insats owner role of the
    intervention's association can be named (ValidationError otherwise)."""
    allowed = set(owners_of(intervention.association).values_list("pk", flat=True))
    chosen = list(users)
    if any(user.pk not in allowed for user in chosen):
        raise ValidationError(_("Bara förbundets insatsansvariga kan rapportera en insats."))
    intervention.reporters.set(chosen)


def owners_of(association):
    """The association's members with the insats owner role."""
    return User.objects.filter(
        memberships__association=association, memberships__role=Membership.Role.INTERVENTION_OWNER
    ).order_by("first_name", "last_name", "username")

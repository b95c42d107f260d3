"""Changes to interventions and to the plans they appear in.

An intervention belongs to the association and appears in several plans; its grants feed each plan's
"interventions decided" budget group. Every change here runs in one transaction and records a
`PlanEvent` on every plan whose content it changes.

An adopted plan must never change silently. Its PDF is frozen, but its live document and budget are
computed from the intervention, so a change that would alter what an adopted (not superseded) plan shows
in numbers is refused: a grant for a year the plan covers, or a status change that moves the intervention
in or out of the plan's computed budget. Such a change needs a new version of the plan.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from finsam.editing import versioned_update
from finsam.models import Association, Organisation
from finsam.money import format_kronor, sek, to_decimal
from interventions.models import Grant, Intervention, PlanIntervention
from plans.gateway import plan_change, plans_record_outside_change
from plans.models import Plan, PlanEvent

UP, DOWN = "up", "down"


MIN_MEMBERS = 2

# The fields a person edits on the intervention form (partners and grants are handled apart).
EDITABLE_FIELDS = [
    "name",
    "short_name",
    "kind",
    "status",
    "owner",
    "start_date",
    "end_date",
    "group",
    "municipality",
    "capacity",
    "purpose",
    "target_group",
    "goals_short",
    "goals_long",
    "actions",
    "follow_up",
    "steering",
    "implementation",
]


def counts_in_budget(status: str) -> bool:
    """Whether budgets.calc puts an intervention with this status in the decided interventions group.

    Mirrors `compute_budget` (granted and ended interventions have rows, undecided ones do not); tests
    pin the two together.
    """
    return status != Intervention.Status.UNDECIDED


def members_taking_part(*, owner: Organisation | None, partners, co_owners=()) -> set[int]:
    """Ids of the association's members among the partners and the owners."""
    members = {org.pk for org in [*partners, *co_owners] if org.is_member}
    if owner is not None and owner.is_member:
        members.add(owner.pk)
    return members


def too_few_members_message() -> str:
    return _("Minst två av förbundets medlemmar måste delta i insatsen. Välj fler samverkande medlemmar.")


def adopted_plans_of(intervention: Intervention) -> list[Plan]:
    """The adopted (not superseded) plans the intervention appears in: their numbers are final."""
    if intervention.pk is None:
        return []
    return [
        link.plan
        for link in intervention.plan_links.filter(plan__state=Plan.State.ADOPTED).select_related("plan")
    ]


def locked_years(intervention: Intervention) -> dict[int, Plan]:
    """Year → the adopted plan that covers it, for the adopted plans the intervention appears in."""
    years: dict[int, Plan] = {}
    for plan in adopted_plans_of(intervention):
        for year in plan.year_range:
            years.setdefault(year, plan)
    return years


def locked_year_message(year: int, plan: Plan) -> str:
    return _(
        "Beviljat belopp för %(year)s ingår i den fastställda planen ”%(plan)s” och kan inte ändras i "
        "efterhand. Skapa en ny version av planen för att ändra det."
    ) % {"year": year, "plan": plan.title}


def grant_changes_refused(
    intervention: Intervention, new_grants: dict[int, Decimal], *, adopted: list[Plan] | None = None
) -> list[str]:
    """Messages for grant changes in years an adopted plan covers (empty: nothing refused)."""
    adopted = adopted_plans_of(intervention) if adopted is None else adopted
    if not adopted:
        return []
    old = {grant.year: to_decimal(grant.amount) for grant in intervention.grants.all()}
    changed = {year for year in old.keys() | new_grants.keys() if old.get(year) != new_grants.get(year)}
    by_year: dict[int, Plan] = {}
    for plan in adopted:
        for year in plan.year_range:
            by_year.setdefault(year, plan)
    return [locked_year_message(year, by_year[year]) for year in sorted(changed & by_year.keys())]


def status_change_refused(
    intervention: Intervention, new_status: str, *, adopted: list[Plan] | None = None
) -> str | None:
    """A message when the new status would add or remove the intervention's granted money in the
    budget of an adopted plan (its grants for the plan's years), else None."""
    if counts_in_budget(intervention.status) == counts_in_budget(new_status):
        return None
    adopted = adopted_plans_of(intervention) if adopted is None else adopted
    grant_years = {grant.year for grant in intervention.grants.all()}
    for plan in adopted:
        if grant_years & set(plan.year_range):
            return _(
                "Insatsen ingår med beviljade belopp i den fastställda planen ”%(plan)s”. Att ändra "
                "status till ”%(status)s” skulle ändra den planens budget i efterhand. Skapa en ny "
                "version av planen för att ändra det."
            ) % {"plan": plan.title, "status": Intervention.Status(new_status).label}
    return None


def _check_organisations(association: Association, owner, partners, municipality, co_owners=()) -> None:
    for organisation in [owner, municipality, *partners, *co_owners]:
        if organisation is not None and organisation.association_id != association.pk:
            raise ValidationError(_("Organisationen hör till ett annat förbund."))
    if len(members_taking_part(owner=owner, partners=partners, co_owners=co_owners)) < MIN_MEMBERS:
        raise ValidationError({"partners": too_few_members_message()})


def _check_grants(grants: dict[int, Decimal]) -> None:
    for year, amount in grants.items():
        if amount < 0:
            raise ValidationError(_("Beviljat belopp för %(year)s kan inte vara negativt.") % {"year": year})


def _sync_grants(intervention: Intervention, grants: dict[int, Decimal]) -> list[str]:
    """Make the intervention's grants exactly `grants`; returns what changed, as text for the history."""
    existing = {grant.year: grant for grant in intervention.grants.all()}
    described = []
    for year, grant in existing.items():
        if year not in grants:
            grant.delete()
            described.append(_("beviljat %(year)s borttaget") % {"year": year})
    for year, amount in sorted(grants.items()):
        grant = existing.get(year)
        if grant is None:
            Grant.objects.create(intervention=intervention, year=year, amount=sek(amount))
        elif to_decimal(grant.amount) != amount:
            Grant.objects.filter(pk=grant.pk).update(amount=sek(amount), version=grant.version + 1)
        else:
            continue
        described.append(_("beviljat %(year)s: %(amount)s") % {"year": year, "amount": format_kronor(amount)})
    return described


def _record_on_plans(intervention: Intervention, *, by, summary: str, details: dict) -> None:
    plans = [link.plan for link in intervention.plan_links.select_related("plan")]
    plans_record_outside_change(
        plans, by=by, action=PlanEvent.Action.EDITED, summary=summary, details=details
    )


def intervention_create(
    *,
    association: Association,
    fields: dict,
    partners: list[Organisation],
    grants: dict[int, Decimal],
    plan: Plan | None = None,
    co_owners: list[Organisation] = (),
    by,
) -> Intervention:
    """Create an intervention with its partners and grants; with `plan`, put it last in that plan.

    Side effects: INSERTs of the intervention, its partners and grants; with a plan, its link and a
    `PlanEvent` on that plan.
    """
    _check_organisations(association, fields.get("owner"), partners, fields.get("municipality"), co_owners)
    _check_grants(grants)
    with transaction.atomic():
        intervention = Intervention(association=association, **fields)
        intervention.full_clean()
        intervention.save()
        intervention.partners.set(partners)
        intervention.co_owners.set(co_owners)
        _sync_grants(intervention, grants)
        if plan is not None:
            plan_intervention_add(plan=plan, intervention=intervention, by=by)
    return intervention


def intervention_update(
    *,
    intervention: Intervention,
    expected_version: int,
    fields: dict,
    partners: list[Organisation],
    grants: dict[int, Decimal],
    co_owners: list[Organisation] | None = None,
    by,
) -> Intervention:
    """Save the intervention form: fields, partners and grants, if nobody saved since `expected_version`.

    Refuses (ValidationError) grant changes for years of an adopted plan it appears in, and a status
    change that would move it in or out of such a plan's budget. Raises `StaleVersion` on a conflict.
    Side effects: UPDATE of the intervention, its partners and grants; a `PlanEvent` on each plan it
    appears in.
    """
    association = intervention.association
    if co_owners is None:  # a caller that does not edit them keeps them
        co_owners = list(intervention.co_owners.all())
    _check_organisations(association, fields.get("owner"), partners, fields.get("municipality"), co_owners)
    _check_grants(grants)
    with transaction.atomic():
        # What the database holds now, not what a form may have changed on the instance in memory.
        current = Intervention.objects.select_for_update().get(pk=intervention.pk)
        adopted = adopted_plans_of(current)
        problems = grant_changes_refused(current, grants, adopted=adopted)
        status_problem = status_change_refused(current, fields.get("status", current.status), adopted=adopted)
        if status_problem:
            problems.append(status_problem)
        if problems:
            raise ValidationError(problems)
        changed = [
            name for name in EDITABLE_FIELDS if name in fields and getattr(current, name) != fields[name]
        ]
        candidate = Intervention(pk=current.pk, association=association, **fields)
        candidate.full_clean(exclude=["association"], validate_unique=False, validate_constraints=False)
        intervention = versioned_update(current, expected_version=expected_version, **fields)
        for name, organisations in (("partners", partners), ("co_owners", co_owners)):
            if set(getattr(current, name).values_list("pk", flat=True)) != {org.pk for org in organisations}:
                getattr(intervention, name).set(organisations)
                changed.append(name)
        grant_changes = _sync_grants(intervention, grants)
        if changed or grant_changes:
            labels = [str(Intervention._meta.get_field(name).verbose_name) for name in changed]
            summary = _("Ändrade insatsen %(name)s: %(changes)s") % {
                "name": intervention.name,
                "changes": ", ".join(labels + grant_changes),
            }
            _record_on_plans(
                intervention,
                by=by,
                summary=summary,
                details={"intervention": intervention.pk, "fields": changed, "grants": grant_changes},
            )
    return intervention


def intervention_end(*, intervention: Intervention, end_date, expected_version: int, by) -> Intervention:
    """End an intervention: status "ended" and its end date. Refused where an adopted plan would change."""
    with transaction.atomic():
        current = Intervention.objects.select_for_update().get(pk=intervention.pk)
        if current.start_date and end_date < current.start_date:
            raise ValidationError({"end_date": _("Slutdatum kan inte ligga före startdatum.")})
        problem = status_change_refused(current, Intervention.Status.ENDED)
        if problem:
            raise ValidationError(problem)
        intervention = versioned_update(
            current, expected_version=expected_version, status=Intervention.Status.ENDED, end_date=end_date
        )
        _record_on_plans(
            intervention,
            by=by,
            summary=_("Avslutade insatsen %(name)s per %(date)s")
            % {"name": intervention.name, "date": end_date.isoformat()},
            details={"intervention": intervention.pk, "end_date": end_date.isoformat()},
        )
    return intervention


# Interventions in plans ----------------------------------------------------------------------------


def plan_intervention_add(*, plan: Plan, intervention: Intervention, by) -> PlanIntervention:
    """Put the intervention last in the plan's list (its grants then count in the plan's budget)."""
    if intervention.association_id != plan.association_id:
        raise ValidationError(_("Insatsen hör till ett annat förbund."))
    with plan_change(plan, by=by) as change:
        if plan.plan_interventions.filter(intervention=intervention).exists():
            raise ValidationError(_("Insatsen finns redan i planen."))
        last = plan.plan_interventions.aggregate(last=Max("position"))["last"]
        link = PlanIntervention.objects.create(plan=plan, intervention=intervention, position=(last or 0) + 1)
        change.record(
            PlanEvent.Action.ADDED,
            _("La till insatsen %(name)s") % {"name": intervention.name},
            {"intervention": intervention.pk},
        )
    return link


def plan_intervention_remove(*, plan: Plan, intervention: Intervention, by) -> None:
    """Take the intervention out of the plan (the intervention itself stays)."""
    with plan_change(plan, by=by) as change:
        deleted, _rows = plan.plan_interventions.filter(intervention=intervention).delete()
        if not deleted:
            raise ValidationError(_("Insatsen finns inte i planen."))
        change.record(
            PlanEvent.Action.DELETED,
            _("Tog bort insatsen %(name)s ur planen") % {"name": intervention.name},
            {"intervention": intervention.pk},
        )


def plan_intervention_move(*, plan: Plan, intervention: Intervention, direction: str, by) -> bool:
    """Move the intervention one step up or down in the plan's order. False when it cannot move further."""
    if direction not in (UP, DOWN):
        raise ValidationError(_("Okänd riktning."))
    with plan_change(plan, by=by) as change:
        links = list(plan.plan_interventions.select_for_update().order_by("position", "id"))
        index = next((i for i, link in enumerate(links) if link.intervention_id == intervention.pk), None)
        if index is None:
            raise ValidationError(_("Insatsen finns inte i planen."))
        target = index - 1 if direction == UP else index + 1
        if not 0 <= target < len(links):
            return False
        links[index], links[target] = links[target], links[index]
        for position, link in enumerate(links, start=1):
            link.position = position
        PlanIntervention.objects.bulk_update(links, ["position"])
        change.record(
            PlanEvent.Action.MOVED,
            _("Flyttade insatsen %(name)s") % {"name": intervention.name},
            {"intervention": intervention.pk, "direction": direction},
        )
    return True

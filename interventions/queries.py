"""Reads of interventions shared by the budget, the checks and the document."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Value

from finsam.models import Organisation
from finsam.money import to_decimal
from interventions.models import Grant, Intervention
from plans.models import Plan


def plan_interventions(plan: Plan, organisations: list[Organisation] | None = None) -> list[Intervention]:
    """The plan's interventions in the plan's order, with everything the budget, the checks and the
    document read of them (owner, municipality, `partner_organisations`, `owner_organisations` (the
    owner and the co-owners), `granted` per year): four queries, and a fourth only for an organisation that is not among `organisations` (the association's,
    as `plan_budget` has them)."""
    interventions = [
        link.intervention
        for link in plan.plan_interventions.select_related("intervention").order_by("position", "id")
    ]
    # The organisations are the association's, already loaded: link them instead of building a copy of
    # each for every intervention (select_related and the partners' prefetch did).
    # Partners and co-owners in one query (a union of the two link tables, each row saying which).
    partner_ids: dict[int, list[int]] = defaultdict(list)
    co_owner_ids: dict[int, list[int]] = defaultdict(list)
    links = [
        through.objects.filter(intervention__plan_links__plan=plan)
        .annotate(role=Value(role))
        .values_list("intervention_id", "organisation_id", "role")
        for through, role in ((Intervention.partners.through, "p"), (Intervention.co_owners.through, "c"))
    ]
    for intervention_id, organisation_id, role in links[0].union(links[1], all=True):
        (partner_ids if role == "p" else co_owner_ids)[intervention_id].append(organisation_id)
    by_id = {organisation.pk: organisation for organisation in organisations or []}
    wanted = {i.owner_id for i in interventions} | {i.municipality_id for i in interventions}
    wanted |= {pk for ids in (partner_ids, co_owner_ids) for pks in ids.values() for pk in pks}
    missing = wanted - by_id.keys() - {None}
    if missing:
        by_id.update(Organisation.objects.in_bulk(missing))
    for intervention in interventions:
        intervention.owner = by_id.get(intervention.owner_id)
        intervention.municipality = by_id.get(intervention.municipality_id)
        partners = [by_id[pk] for pk in partner_ids.get(intervention.pk, [])]
        intervention.partner_organisations = sorted(partners, key=lambda org: (org.position, org.name))
        co_owners = sorted(
            (by_id[pk] for pk in co_owner_ids.get(intervention.pk, [])),
            key=lambda org: (org.position, org.name),
        )
        intervention.owner_organisations = [o for o in [intervention.owner, *co_owners] if o is not None]
    # Grants as plain values: a plan has hundreds, and a model (and a Money) for each was half the cost
    # of loading the interventions.
    granted: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = (
        Grant.objects.filter(intervention__plan_links__plan=plan)
        .order_by("intervention_id", "year")
        .values_list("intervention_id", "year", "amount")
    )
    for intervention_id, year, amount in rows:
        granted[intervention_id][year] = to_decimal(amount)
    for intervention in interventions:
        intervention.granted = granted.get(intervention.pk, {})
    return interventions


def plan_organisations(plan: Plan) -> list[Organisation]:
    """The plan's association's organisations in their order (members and partners): one query."""
    return list(plan.association.organisations.order_by("position", "id"))

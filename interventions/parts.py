"""The interventions a plan lists, as a part of the plan (`plans.parts`).

Interventions belong to the association and live across plans; a plan links them (`PlanIntervention`) in
its own order. A revision links the same interventions; next year's plan links those still running on
1 January of its first year (granted or undecided, not ended, with no end date before it).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from interventions.models import Intervention, PlanIntervention
from interventions.queries import plan_interventions, plan_organisations
from plans.parts import PartKind, PlanCopy, register
from plans.snapshots import frozen_amount, frozen_date, key_id, thawed_amounts

RUNNING = (Intervention.Status.GRANTED, Intervention.Status.UNDECIDED)


def copy_interventions(job: PlanCopy) -> None:
    """Link the interventions carried into the new plan; `job.shared["interventions"]` lists them."""
    links = list(job.source.plan_interventions.select_related("intervention").order_by("position", "id"))
    if job.rollover:
        new_year = datetime.date(job.target.first_year, 1, 1)
        links = [
            link
            for link in links
            if link.intervention.status in RUNNING
            and (link.intervention.end_date is None or link.intervention.end_date >= new_year)
        ]
    places = {link.pk: place for place, link in enumerate(links)}
    job.copy_rows(PlanIntervention, links, plan_id=job.target.pk, position=lambda link: places[link.pk])
    job.shared["interventions"] = [link.intervention for link in links]


def load_interventions(doc) -> None:
    """The association's organisations and the plan's interventions with their owners, partners and
    grants (`plan_interventions`), grouped by kind for the document."""
    doc.organisations = plan_organisations(doc.plan)
    doc.interventions = plan_interventions(doc.plan, doc.organisations)
    doc.interventions_by_kind = [
        (label, members)
        for kind, label in Intervention.Kind.choices
        if (members := [i for i in doc.interventions if i.kind == kind])
    ]


def freeze_interventions(doc, content: dict) -> None:
    """The plan's interventions as the document shows them, with their grants for the budget's years."""
    years = doc.budget.years
    content["interventions"] = [
        {
            "key": f"intervention-{intervention.pk}",
            "label": intervention.name,
            "name": intervention.name,
            "kind": intervention.get_kind_display(),
            "kind_value": intervention.kind,
            "status": intervention.get_status_display(),
            "owner": ", ".join(org.name for org in intervention.owner_organisations),
            "partners": ", ".join(org.name for org in intervention.partner_organisations),
            "period": frozen_date(intervention.start_date)
            + " – "
            + (frozen_date(intervention.end_date) or "löpande"),
            "start_date": frozen_date(intervention.start_date),
            "end_date": frozen_date(intervention.end_date),
            "municipality": intervention.municipality.name if intervention.municipality else "",
            "group": intervention.group,
            "capacity": intervention.capacity,
            "grants": {
                str(year): frozen_amount(amount)
                for year, amount in intervention.granted.items()
                if year in years
            },
            "purpose": intervention.purpose,
            "target_group": intervention.target_group,
            "goals_short": intervention.goals_short,
            "goals_long": intervention.goals_long,
            "actions": intervention.actions,
            "follow_up": intervention.follow_up,
            "steering": intervention.steering,
            "implementation": intervention.implementation,
        }
        for intervention in doc.interventions
    ]


def thaw_interventions(content: dict, view) -> None:
    """The frozen interventions back as the document renders them, grouped by kind in the kinds' order
    (an intervention whose kind is not known any more comes last, under its frozen label)."""
    view.interventions = [
        SimpleNamespace(**row, pk=key_id(row["key"]), granted=thawed_amounts(row.get("grants", {})))
        for row in content.get("interventions", [])
    ]
    labels = dict(Intervention.Kind.choices)
    order = list(labels) + sorted({i.kind_value for i in view.interventions} - set(labels))
    view.interventions_by_kind = []
    for kind in order:
        members = [i for i in view.interventions if i.kind_value == kind]
        if members:
            view.interventions_by_kind.append((labels.get(kind, members[0].kind), members))


def intervention_comment_targets(content: dict) -> dict[tuple[str, str], str]:
    return {("intervention", row["key"]): row["name"] for row in content.get("interventions", [])}


def register_part() -> None:
    register(
        PartKind(
            key="interventions",
            models=(PlanIntervention,),
            copy=copy_interventions,
            load=load_interventions,
            freeze=freeze_interventions,
            thaw=thaw_interventions,
            comment_targets=intervention_comment_targets,
        )
    )

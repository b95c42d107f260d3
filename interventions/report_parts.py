"""The insatser in a report on a plan (`plans.reports`): each insats the plan lists, with its participants
planned and reached (women, men, not stated) and its own report of the year (`interventions.followup`).

A draft report shows the follow-up as written now; a report sent to the board shows what was frozen then.
"""

from __future__ import annotations

from types import SimpleNamespace

from interventions.followup import plan_interventions_followed
from interventions.models import InterventionYear
from plans.parts import PartKind, register
from plans.reports import REPORT_DOCUMENTS, reported_plan
from plans.snapshots import key_id

GENDERS = ("women", "men", "unstated")


def participants(followed: InterventionYear | None, prefix: str) -> dict[str, int | None]:
    """Women, men, not stated and their total (None where nothing was entered)."""
    values = {gender: getattr(followed, f"{prefix}_{gender}") if followed else None for gender in GENDERS}
    entered = [value for value in values.values() if value is not None]
    return values | {"total": sum(entered) if entered else None}


def load_intervention_report(doc) -> None:
    doc.intervention_report = plan_interventions_followed(reported_plan(doc.plan))


def freeze_intervention_report(doc, content: dict) -> None:
    content["intervention_report"] = [
        {
            "key": f"intervention-{item.intervention.pk}",
            "name": item.intervention.name,
            "owner": item.intervention.owner.name if item.intervention.owner else "",
            "planned": participants(item.followed, "planned"),
            "actual": participants(item.followed, "actual"),
            "report": item.followed.report if item.followed else "",
        }
        for item in doc.intervention_report
    ]


def thaw_intervention_report(content: dict, view) -> None:
    view.intervention_report = [
        SimpleNamespace(
            **row
            | {"planned": SimpleNamespace(**row["planned"]), "actual": SimpleNamespace(**row["actual"])},
            pk=key_id(row["key"]),
        )
        for row in content.get("intervention_report", [])
    ]
    # The participants reached over every insats, by gender and in all (the table's last row).
    view.intervention_report_totals = SimpleNamespace(
        **{
            name: sum(getattr(row.actual, name) or 0 for row in view.intervention_report)
            for name in (*GENDERS, "total")
        }
    )


def intervention_report_comment_targets(content: dict) -> dict[tuple[str, str], str]:
    """The board comments on each insats as the report reports on it."""
    return {("intervention", row["key"]): row["name"] for row in content.get("intervention_report", [])}


def register_report_part() -> None:
    register(
        PartKind(
            key="intervention_report",
            models=(),
            copy=lambda job: None,  # a report is never copied
            load=load_intervention_report,
            freeze=freeze_intervention_report,
            thaw=thaw_intervention_report,
            comment_targets=intervention_report_comment_targets,
            documents=REPORT_DOCUMENTS,
        )
    )

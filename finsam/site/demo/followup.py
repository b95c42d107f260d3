"""Demo data for the year's follow-up: a revised budget, outcome per tertial and forecasts on an adopted plan.

The figures are invented (the documents the demo is transcribed from have no outcome), and the data file
says so (`data/followup/<slug>.json`, key "invented"; its format is in FORMAT.md). First the board's revised
budget during the year (key "revised_budget": an omdisponering or tilläggsbudget), made as the chief and
the board would click it: a budget-only revision of the adopted plan, the changed cells through the budget
services, sent to the board with the chief's reason, approved by the board member, adopted by the chair on
the file's date and § (which supersedes the first version and queues the revision's archival PDF). Then
the follow-up, on the latest adopted version: the rows the file names get its outcome per period, its
forecast and comment; every other row of the budget gets a third of its budget per tertial, rounded to
whole thousands, and no forecast of its own; the insatser their participants, the indicators their
outcome. Everything is written through the services, as the chief would enter it. Runs inside the caller's
transaction; sends no e-mail.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.contrib.auth import get_user_model

from budgets.followup import BUDGET, plan_followup
from budgets.models import BudgetAmount, BudgetLine, InterventionBudgetAmount
from budgets.services import budget_cell_update, intervention_budget_update
from budgets.services.followup import followup_forecast_update, followup_outcome_update
from finsam.models import Association
from finsam.money import round_half_up
from finsam.site.demo.reading import DATA_DIR, DemoDataError, kronor
from interventions.followup import intervention_year_save
from interventions.models import InterventionYear
from plans.goal_outcomes import indicator_outcome_save
from plans.models import Comment, Indicator, Plan, Stance
from plans.review import comment_add, plan_adopt, plan_revise, plan_stance_record, plan_submit

FOLLOWUP_DIR = DATA_DIR / "followup"


def followup_file(slug: str) -> Path:
    return FOLLOWUP_DIR / f"{slug}.json"


def load_followup_demo(association: Association) -> Plan | None:
    """Adopt the file's revised budget of the association's adopted plan of the file's year and enter its
    invented follow-up (see the module's doc). Returns the plan followed up (the revision, if the file has
    one), or None when there is no file, no such adopted plan, or its follow-up has entries already.
    Side effects: the revision with its snapshot, comment, stance and queued PDF; the year's `FollowUp`,
    its outcomes and forecasts, participants and indicator outcomes; one history event each."""
    path = followup_file(association.slug)
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if not data.get("invented"):
        raise DemoDataError(f'{path.name}: uppföljningen ska säga att siffrorna är påhittade ("invented").')
    plan = association.plans.filter(
        kind=Plan.Kind.PLAN, state=Plan.State.ADOPTED, first_year=data["year"]
    ).first()
    if plan is None or association.followups.filter(year=data["year"], outcomes__isnull=False).exists():
        return None
    association.followup_period = data["period"]
    association.save(update_fields=["followup_period"])
    chief = get_user_model().objects.get(username=f"chef.{association.slug}")
    if "revised_budget" in data and not plan.revisions.exists():
        plan = _load_revised_budget(plan, data["revised_budget"], path.name)
    followup = plan_followup(plan)
    by_label = {row.row.label: row for row in followup.rows.values()}
    named = {}
    for entry in data["rows"]:
        if entry["label"] not in by_label:
            raise DemoDataError(f"{path.name}: budgeten har ingen rad {entry['label']!r}.")
        named[entry["label"]] = entry
    for label, row in by_label.items():
        entry = named.get(label)
        if entry is None:
            third = round_half_up(row.amounts[BUDGET] / 3 / 1000) * 1000
            outcomes = [third] * len(followup.periods)
        else:
            outcomes = [kronor(value, where=f"{path.name}: {label}") for value in entry["outcome"]]
        for period, amount in zip(followup.periods, outcomes, strict=True):
            if amount:
                followup_outcome_update(
                    plan=plan,
                    row=row.key,
                    label=label,
                    period=period,
                    amount=amount,
                    expected_version=0,
                    by=chief,
                )
        if entry is not None:
            followup_forecast_update(
                plan=plan,
                row=row.key,
                label=label,
                amount=kronor(entry["forecast"], where=f"{path.name}: {label}"),
                comment=entry.get("comment", ""),
                expected_version=0,
                by=chief,
            )
    _load_interventions(plan, data.get("interventions", []), chief, path.name)
    _load_indicators(plan, data.get("indicators", []), chief, path.name)
    return plan


def _load_revised_budget(plan: Plan, entry: dict, source: str) -> Plan:
    """The board's revised budget of `plan` during its year, made and adopted as in the app (module doc).
    Returns the adopted revision."""
    users = get_user_model().objects
    slug = plan.association.slug
    chief, board, chair = (
        users.get(username=f"{prefix}.{slug}") for prefix in ("chef", "ledamot", "ordforande")
    )
    revision = plan_revise(plan=plan, by=chief, budget_only=True)
    column = revision.budget_columns.get(year=revision.first_year)
    for change in entry.get("lines", []):
        line = BudgetLine.objects.filter(group__plan=revision, name=change["label"]).first()
        if line is None:
            raise DemoDataError(f"{source}: budgeten har ingen rad {change['label']!r}.")
        stored = BudgetAmount.objects.filter(line=line, column=column).first()
        budget_cell_update(
            line=line,
            column=column,
            amount=kronor(change["amount"], where=f"{source}: {change['label']}"),
            expected_version=stored.version if stored else 0,
            by=chief,
        )
    by_name = {
        link.intervention.name: link.intervention
        for link in revision.plan_interventions.select_related("intervention")
    }
    for change in entry.get("interventions", []):
        intervention = by_name.get(change["name"])
        if intervention is None:
            raise DemoDataError(f"{source}: planen tar inte upp insatsen {change['name']!r}.")
        stored = InterventionBudgetAmount.objects.filter(column=column, intervention=intervention).first()
        intervention_budget_update(
            plan=revision,
            intervention=intervention,
            column=column,
            amount=kronor(change["amount"], where=f"{source}: {change['name']}"),
            expected_version=stored.version if stored else 0,
            by=chief,
        )
    plan_submit(plan=revision, by=chief, notify=False)
    comment_add(
        plan=revision,
        by=chief,
        target_kind=Comment.Target.PLAN,
        target_key="plan",
        body=entry["reason"],
        notify=False,
    )
    plan_stance_record(
        plan=revision, by=board, stance=Stance.Kind.APPROVE, comment=entry.get("approval", ""), notify=False
    )
    plan_adopt(
        plan=revision,
        by=chair,
        adopted_on=datetime.date.fromisoformat(entry["adopted_on"]),
        minutes_reference=entry["minutes_reference"],
        notify=False,
    )
    revision.refresh_from_db()
    return revision


def _load_interventions(plan: Plan, entries: list[dict], chief, source: str) -> None:
    """Each named insats's participants (women, men, not stated; planned and reached) and its report."""
    by_name = {
        link.intervention.name: link.intervention
        for link in plan.plan_interventions.select_related("intervention")
    }
    for entry in entries:
        intervention = by_name.get(entry["name"])
        if intervention is None:
            raise DemoDataError(f"{source}: planen tar inte upp insatsen {entry['name']!r}.")
        values = dict(zip(InterventionYear.PLANNED, entry["planned"], strict=True))
        values |= dict(zip(InterventionYear.ACTUAL, entry["actual"], strict=True))
        intervention_year_save(
            intervention=intervention,
            year=plan.first_year,
            by=chief,
            values={**values, "report": entry["report"]},
        )


def _load_indicators(plan: Plan, entries: list[dict], chief, source: str) -> None:
    """Each named indicator's outcome and judgement (an indicator is named by the start of its text)."""
    indicators = list(Indicator.objects.filter(goal__plan=plan).select_related("goal"))
    for entry in entries:
        found = [indicator for indicator in indicators if indicator.text.startswith(entry["indicator"])]
        if len(found) != 1:
            raise DemoDataError(f"{source}: {len(found)} indikatorer börjar med {entry['indicator']!r}.")
        indicator_outcome_save(
            plan=plan,
            indicator=found[0],
            by=chief,
            value=entry["value"],
            judgement=entry["judgement"],
            comment=entry.get("comment", ""),
        )


__all__ = ["load_followup_demo"]

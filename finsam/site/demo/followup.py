"""Demo data for the year's follow-up: outcome per tertial and forecasts on an adopted plan.

The figures are invented (the documents the demo is transcribed from have no outcome), and the data file
says so (`data/followup/<slug>.json`, key "invented"). The rows it names get its outcome per period, its
forecast and comment; every other row of the budget gets a third of its budget per tertial, rounded to
whole thousands, and no forecast of its own. Everything is written through the follow-up's services, as
the chief would enter it. Runs inside the caller's transaction.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model

from budgets.followup import BUDGET, plan_followup
from budgets.services.followup import followup_forecast_update, followup_outcome_update
from finsam.models import Association
from finsam.money import round_half_up
from finsam.site.demo.reading import DATA_DIR, DemoDataError, kronor
from interventions.followup import intervention_year_save
from interventions.models import InterventionYear
from plans.goal_outcomes import indicator_outcome_save
from plans.models import Indicator, Plan

FOLLOWUP_DIR = DATA_DIR / "followup"


def followup_file(slug: str) -> Path:
    return FOLLOWUP_DIR / f"{slug}.json"


def load_followup_demo(association: Association) -> Plan | None:
    """Enter the invented follow-up of the association's adopted plan of the file's year (see the module's
    doc). Returns the plan, or None when there is no file, no such adopted plan, or its follow-up has entries
    already. Side effects: the year's `FollowUp`, its outcomes and forecasts, one history event each."""
    path = followup_file(association.slug)
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if not data.get("invented"):
        raise DemoDataError(f'{path.name}: uppföljningen ska säga att siffrorna är påhittade ("invented").')
    plan = association.plans.filter(state=Plan.State.ADOPTED, first_year=data["year"]).first()
    if plan is None or association.followups.filter(year=data["year"], outcomes__isnull=False).exists():
        return None
    association.followup_period = data["period"]
    association.save(update_fields=["followup_period"])
    chief = get_user_model().objects.get(username=f"chef.{association.slug}")
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

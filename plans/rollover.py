"""Year rollover: "Skapa nästa års plan" from an adopted plan.

In the autumn the chief starts next year's plan from this year's adopted one: the text parts are copied,
the interventions still running are carried (their grants live on the intervention, so the future
years' grants come along by themselves), and the budget's columns move one year: last year's plan years
become this year's budget and plan years, a new last plan year is added, and the year now ending can be
kept as a forecast column.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from budgets.calc import plan_budget
from finsam.money import sek
from plans.history import plan_event_record
from plans.models import (
    ActivityItem,
    Chapter,
    CommunicationItem,
    ControlItem,
    Goal,
    Indicator,
    Plan,
    PlanEvent,
    TargetGroup,
)

YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def shift_years(text: str, *, first_year: int, last_year: int) -> str:
    """Move every year of the plan's span one year on, all at once.

    "Verksamhetsplan och budget 2020, plan 2021–2022" → "Verksamhetsplan och budget 2021, plan 2022–2023".
    Years outside the span (a founding year, a law's year) stay as they are.
    """

    def replace(match: re.Match) -> str:
        year = int(match[1])
        return str(year + 1) if first_year <= year <= last_year else match[0]

    return YEAR.sub(replace, text)


def copied(instance: models.Model, **changes) -> models.Model:
    """An unsaved copy of `instance` (every concrete field but the key and the edit version), with
    `changes` given by attribute name (`plan_id=...`)."""
    values = {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key and field.name != "version"
    }
    values.update(changes)
    return type(instance)(**values)


def forecast_ended_interventions(*, budget, year: int, running, group_ids: dict, forecast_column) -> None:
    """Keep the forecast year's costs whole: the interventions that end before the new plan starts are
    not carried, so their grants for the forecast year become one typed line of the decided group
    ("Insatser avslutade 2020"), in the forecast column only. Side effect: at most one line and amount."""
    from budgets.models import BudgetAmount, BudgetLine

    carried = {intervention.pk for intervention in running}
    for group_result in budget.groups:
        if group_result.group.kind != group_result.group.Kind.INTERVENTIONS_DECIDED:
            continue
        ended = sum(
            (
                row.amounts.get(year) or 0
                for row in group_result.rows
                if row.intervention is not None and row.intervention.pk not in carried
            ),
            0,
        )
        if not ended:
            continue
        positions = [row.line.position for row in group_result.rows if row.line is not None]
        line = BudgetLine.objects.create(
            group_id=group_ids[group_result.group.pk],
            name=_("Insatser avslutade %(year)s") % {"year": year},
            position=max(positions, default=0) + 1,
        )
        BudgetAmount.objects.create(line=line, column=forecast_column, amount=sek(ended))


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
    from budgets.models import (
        BudgetAmount,
        BudgetColumn,
        BudgetGroup,
        BudgetLine,
        ContributionKeyFactor,
        ContributionKeyValue,
        ContributionOverride,
    )
    from interventions.models import Intervention, PlanIntervention

    if source.state != Plan.State.ADOPTED:
        raise ValidationError(_("Nästa års plan kan bara skapas från en fastställd plan."))
    first_year = source.first_year + 1
    span = {"first_year": source.first_year, "last_year": source.last_year}
    exists_message = _("Förbundet har redan en plan för %(year)s.") % {"year": first_year}

    with transaction.atomic():
        if Plan.objects.filter(association_id=source.association_id, first_year=first_year).exists():
            raise ValidationError(exists_message)

        budget = plan_budget(source)
        if source.first_year not in budget.years:
            opening = None  # the source has no column for its first year: nothing to roll from
        elif keep_forecast:
            opening = budget.opening_equity[source.first_year]
        else:
            opening = budget.closing_equity[source.first_year]

        try:
            with transaction.atomic():
                plan = Plan.objects.create(
                    association_id=source.association_id,
                    title=shift_years(source.title, **span),
                    first_year=first_year,
                    years=source.years,
                    state=Plan.State.DRAFT,
                    revision=1,
                    rolled_over_from=source,
                    unit=source.unit,
                    decimals=source.decimals,
                    costs_negative=source.costs_negative,
                    opening_equity=None if opening is None else sek(opening),
                )
        except IntegrityError as error:  # another rollover for the same year won the race
            raise ValidationError(exists_message) from error

        # Text parts.
        Chapter.objects.bulk_create(
            copied(chapter, plan_id=plan.pk, heading=shift_years(chapter.heading, **span))
            for chapter in source.chapters.order_by("position", "id")
        )
        old_goals = list(source.goals.order_by("position", "id").prefetch_related("indicators"))
        new_goals = Goal.objects.bulk_create(copied(goal, plan_id=plan.pk) for goal in old_goals)
        goal_ids = {old.pk: new.pk for old, new in zip(old_goals, new_goals, strict=True)}
        Indicator.objects.bulk_create(
            copied(indicator, goal_id=goal_ids[goal.pk])
            for goal in old_goals
            for indicator in goal.indicators.all()
        )
        for model, related in (
            (TargetGroup, source.target_groups),
            (ControlItem, source.control_items),
            (CommunicationItem, source.communication_items),
        ):
            model.objects.bulk_create(
                copied(item, plan_id=plan.pk) for item in related.order_by("position", "id")
            )
        ActivityItem.objects.bulk_create(
            copied(item, plan_id=plan.pk, goal_id=goal_ids.get(item.goal_id))
            for item in source.activity_items.order_by("position", "id")
        )

        # Interventions still running on 1 January of the new first year.
        new_year = datetime.date(first_year, 1, 1)
        running = [
            link.intervention
            for link in source.plan_interventions.select_related("intervention").order_by("position", "id")
            if link.intervention.status in (Intervention.Status.GRANTED, Intervention.Status.UNDECIDED)
            and (link.intervention.end_date is None or link.intervention.end_date >= new_year)
        ]
        PlanIntervention.objects.bulk_create(
            PlanIntervention(plan=plan, intervention=intervention, position=position)
            for position, intervention in enumerate(running)
        )

        # Budget columns: (source column to copy from, new year, new kind, whether its overrides carry).
        old_columns = {column.year: column for column in source.budget_columns.all()}
        specs: list[tuple[BudgetColumn | None, int, str, bool]] = []
        if keep_forecast and source.first_year in old_columns:
            specs.append(
                (old_columns[source.first_year], source.first_year, BudgetColumn.Kind.FORECAST, True)
            )
        for year in range(first_year, source.last_year + 1):
            if year in old_columns:
                kind = BudgetColumn.Kind.BUDGET if year == first_year else BudgetColumn.Kind.PLAN
                specs.append((old_columns[year], year, kind, True))
        new_last_year = source.last_year + 1
        specs.append(
            (
                old_columns.get(source.last_year),
                new_last_year,
                BudgetColumn.Kind.BUDGET if new_last_year == first_year else BudgetColumn.Kind.PLAN,
                False,
            )
        )
        new_columns = BudgetColumn.objects.bulk_create(
            BudgetColumn(
                plan=plan,
                year=year,
                kind=kind,
                contributions_total=None if old is None else old.contributions_total,
            )
            for old, year, kind, _carry in specs
        )

        # Groups, lines and their amounts for every new column that has a source column.
        old_groups = list(
            source.budget_groups.order_by("section", "position", "id").prefetch_related(
                Prefetch(
                    "lines",
                    queryset=BudgetLine.objects.order_by("position", "id").prefetch_related("amounts"),
                )
            )
        )
        new_groups = BudgetGroup.objects.bulk_create(copied(group, plan_id=plan.pk) for group in old_groups)
        old_lines = [line for group in old_groups for line in group.lines.all()]
        group_ids = {old.pk: new.pk for old, new in zip(old_groups, new_groups, strict=True)}
        new_lines = BudgetLine.objects.bulk_create(
            copied(line, group_id=group_ids[line.group_id]) for line in old_lines
        )
        line_ids = {old.pk: new.pk for old, new in zip(old_lines, new_lines, strict=True)}
        column_ids = {}  # source column id → new column ids it is copied into
        for (old, _year, _kind, _carry), new in zip(specs, new_columns, strict=True):
            if old is not None:
                column_ids.setdefault(old.pk, []).append(new.pk)
        BudgetAmount.objects.bulk_create(
            BudgetAmount(line_id=line_ids[line.pk], column_id=new_column_id, amount=amount.amount)
            for line in old_lines
            for amount in line.amounts.all()
            for new_column_id in column_ids.get(amount.column_id, [])
        )
        if keep_forecast and source.first_year in old_columns:
            forecast_ended_interventions(
                budget=budget,
                year=source.first_year,
                running=running,
                group_ids=group_ids,
                forecast_column=new_columns[0],
            )

        # Overrides of the years carried (decisions for those years); the new last year starts clean.
        carried = {
            old.pk: new.pk for (old, _y, _k, carry), new in zip(specs, new_columns, strict=True) if carry
        }
        ContributionOverride.objects.bulk_create(
            copied(override, column_id=carried[override.column_id])
            for override in ContributionOverride.objects.filter(column__plan=source).order_by("id")
            if override.column_id in carried
        )

        # The contribution key.
        old_factors = list(source.contribution_factors.order_by("position", "id").prefetch_related("values"))
        new_factors = ContributionKeyFactor.objects.bulk_create(
            copied(factor, plan_id=plan.pk) for factor in old_factors
        )
        ContributionKeyValue.objects.bulk_create(
            copied(value, factor_id=new.pk)
            for old, new in zip(old_factors, new_factors, strict=True)
            for value in old.values.all()
        )

        plan_event_record(
            plan=plan,
            user=by,
            action=PlanEvent.Action.ROLLED_OVER,
            summary=_("Skapad från %(title)s.") % {"title": source.title},
            details={"source": source.pk, "keep_forecast": keep_forecast, "interventions": len(running)},
        )
        plan_event_record(
            plan=source,
            user=by,
            action=PlanEvent.Action.ROLLED_OVER,
            summary=_("Nästa års plan skapad: %(title)s.") % {"title": plan.title},
            details={"plan": plan.pk},
        )
    return plan

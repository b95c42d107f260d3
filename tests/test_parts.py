"""The registry of plan parts is the one list of what a plan is made of: a model that belongs to a plan is
either a registered part or one of the plan's records, and everything that treats a plan as a whole (the
copy, the backup) covers every registered model."""

import pytest
from django.apps import apps
from django.db import models

from finsam.site.backup import backup_models
from plans.models import Plan
from plans.parts import PARTS, plan_models
from tests.factories import PlanFactory

# What belongs to a plan without being part of its content: its history, versions, review and files.
PLAN_RECORDS = {"plans.PlanEvent", "plans.PlanPdf", "plans.PlanSnapshot", "plans.Comment", "plans.Stance"}


def reaches_plan(model, seen=()) -> bool:
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.ForeignKey) or field.remote_field.model in seen:
            continue
        target = field.remote_field.model
        if target is Plan or (target is not model and reaches_plan(target, (*seen, model))):
            return True
    return False


def test_every_model_of_a_plan_is_a_registered_part_or_one_of_its_records():
    belonging = {
        model._meta.label
        for label in ("plans", "interventions", "budgets")
        for model in apps.get_app_config(label).get_models()
        if model is not Plan and reaches_plan(model)
    }
    registered = {model._meta.label for model in plan_models()}
    assert belonging - PLAN_RECORDS == registered, "register the part in its app's parts module"


def test_the_backup_covers_every_registered_model():
    assert set(plan_models()) <= set(backup_models())


def test_every_part_copies_itself_and_the_parts_come_in_floor_order():
    order = list(PARTS)
    assert order.index("text") < order.index("interventions") < order.index("budget")
    assert all(callable(kind.copy) for kind in PARTS.values())


@pytest.mark.django_db
def test_a_new_plan_starts_with_what_each_part_creates(django_user_model):
    from plans.services import plan_create

    chief = django_user_model.objects.create(username="chief")
    association = PlanFactory().association
    plan = plan_create(
        association=association,
        title="Plan",
        first_year=2030,
        years=3,
        unit="tkr",
        decimals=0,
        costs_negative=False,
        by=chief,
    )
    assert plan.chapters.count() == 5
    assert sorted(plan.budget_columns.values_list("year", flat=True)) == [2030, 2031, 2032]
    assert plan.budget_groups.count() == 4
    assert plan.events.get().action == "created"

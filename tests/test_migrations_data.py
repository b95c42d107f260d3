"""Data migrations run on a database that already holds plans (as an installation upgrading would)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_goal_levels_become_each_associations_categories():
    """Several goals of several levels in one association: one list of categories, each goal keeps its own."""
    apps = migrate([("plans", "0007_snapshot_findings")])
    Association = apps.get_model("finsam", "Association")
    Plan = apps.get_model("plans", "Plan")
    Goal = apps.get_model("plans", "Goal")
    association = Association.objects.create(name="Förbundet", slug="forbundet")
    plan = Plan.objects.create(association=association, title="Plan", first_year=2027, years=3)
    for position, level in enumerate(["overall", "board", "overall", "financial"]):
        Goal.objects.create(plan=plan, title=f"Mål {position}", level=level, position=position)

    apps = migrate([("plans", "0008_goal_categories")])
    Goal = apps.get_model("plans", "Goal")
    GoalCategory = apps.get_model("plans", "GoalCategory")
    assert GoalCategory.objects.filter(association_id=association.pk).count() == 6
    names = list(Goal.objects.order_by("position").values_list("category__name", flat=True))
    assert names == [
        "Inriktningsmål / övergripande mål",
        "Styrelsens mål",
        "Inriktningsmål / övergripande mål",
        "Finansiellt mål",
    ]
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

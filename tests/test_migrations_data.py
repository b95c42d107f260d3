"""Data migrations run on a database that already holds plans (as an installation upgrading would)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def migrate(targets):
    """Migrate to `targets`, the core app (`finsam`) kept at its latest: it depends on no feature app, so
    going back in `plans` leaves its tables as they are, and the historical models must know them."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    core = [node for node in executor.loader.graph.leaf_nodes() if node[0] == "finsam"]
    targets = [*targets, *core]
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest():
    """Whatever a test does, the database ends at the latest migrations (the next tests need them)."""
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


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

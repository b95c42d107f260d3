"""The year's follow-up on PostgreSQL: the first entries of a year, and one empty cell, saved at once."""

from decimal import Decimal

import pytest

from budgets.followup import plan_followup
from budgets.models import FollowUp, FollowUpOutcome
from budgets.services.followup import followup_outcome_update
from finsam.editing import StaleVersion
from plans.models import Plan
from tests.security.dataset import seed_world
from tests.security.test_concurrency import THREADS, _needs_postgresql, race  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _world_without_followup():
    world = seed_world("alfa")
    FollowUp.objects.all().delete()
    return world, list(plan_followup(world.adopted).rows)


def save(world, key, amount):
    followup_outcome_update(
        plan=Plan.objects.get(pk=world.adopted.pk),
        row=key,
        label=key,
        period=1,
        amount=Decimal(amount),
        expected_version=0,
        by=world.users["chief"],
    )
    return amount


def test_the_first_entries_of_a_year_at_once_make_one_follow_up():
    world, keys = _world_without_followup()
    keys = keys[:THREADS]
    results = race([lambda key=key: save(world, key, 100) for key in keys])
    assert all(kind == "ok" for kind, _value in results), results
    assert FollowUp.objects.count() == 1
    assert FollowUpOutcome.objects.count() == len(keys)


def test_one_empty_cell_saved_at_once_has_one_winner():
    world, keys = _world_without_followup()
    results = race([lambda amount=amount: save(world, keys[0], amount) for amount in range(1, THREADS + 1)])
    winners = [value for kind, value in results if kind == "ok"]
    losers = [error for kind, error in results if kind == "error"]
    assert len(winners) == 1, results
    assert all(isinstance(error, StaleVersion) for error in losers), losers
    assert FollowUpOutcome.objects.get().amount.amount == Decimal(winners[0])

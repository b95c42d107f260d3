"""Concurrent edits on PostgreSQL: threads with their own connections race for the same row.

SQLite serialises writers, so these run on PostgreSQL only; in CI (where PostgreSQL is) they must run.
"""

import datetime
import os
import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from djmoney.money import Money

from budgets.models import BudgetAmount
from finsam.editing import StaleVersion, versioned_update
from plans.models import Plan, PlanEvent
from tests.security.dataset import seed_world

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 6
ROUNDS = 8


@pytest.fixture(autouse=True)
def _needs_postgresql():
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() in {"1", "true"}:
            pytest.fail("The concurrency tests must run on PostgreSQL in CI (set DATABASE_URL).")
        pytest.skip("needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/finsam_<name>")


def race(workers):
    """Run the callables at the same moment, each in its own thread and connection; their results."""
    barrier = threading.Barrier(len(workers))
    results = [None] * len(workers)

    def run(index, work):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", work())
        except Exception as error:
            results[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, work)) for i, work in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_saves_of_the_same_amount_lose_no_update(capsys):
    world = seed_world("alfa")
    cell = BudgetAmount.objects.filter(line__group__plan=world.draft).first()
    attempts = 0
    for round_number in range(ROUNDS):
        cell.refresh_from_db()
        start_version = cell.version

        def save(value, version=start_version):
            with transaction.atomic():
                row = BudgetAmount.objects.get(pk=cell.pk)
                versioned_update(row, expected_version=version, amount=Money(value, "SEK"))
            return value

        values = [1000 * (round_number + 1) + i for i in range(THREADS)]
        results = race([lambda v=v: save(v) for v in values])
        attempts += len(results)
        winners = [value for kind, value in results if kind == "ok"]
        losers = [error for kind, error in results if kind == "error"]
        assert len(winners) == 1, results
        assert all(isinstance(error, StaleVersion) for error in losers), losers
        cell.refresh_from_db()
        # The one save that won is what the database has: nobody's save vanished silently.
        assert cell.amount == Money(winners[0], "SEK")
        assert cell.version == start_version + 1
    with capsys.disabled():
        print(f"\nConcurrency: {ROUNDS} rounds × {THREADS} simultaneous saves of one amount: "
              f"{attempts} attempts, exactly one winner per round, 0 lost updates")  # fmt: skip


def test_two_simultaneous_adoptions_give_exactly_one():
    from plans.review import plan_adopt, plan_stance_record, plan_submit

    world = seed_world("alfa")
    plan_submit(plan=world.draft, by=world.users["chief"], notify=False)
    plan_stance_record(plan=Plan.objects.get(pk=world.draft.pk), by=world.users["board"], stance="approve")
    assert Plan.objects.get(pk=world.draft.pk).state == Plan.State.APPROVED
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    def adopt(user, reference):
        plan_adopt(plan=Plan.objects.get(pk=world.draft.pk), by=user, adopted_on=yesterday,
                   minutes_reference=reference)  # fmt: skip
        return reference

    results = race([lambda: adopt(world.users["chief"], "§1"), lambda: adopt(world.users["chair"], "§2")])

    winners = [value for kind, value in results if kind == "ok"]
    assert len(winners) == 1, results
    plan = Plan.objects.get(pk=world.draft.pk)
    assert plan.state == Plan.State.ADOPTED
    assert plan.minutes_reference == winners[0]
    assert PlanEvent.objects.filter(plan=plan, action=PlanEvent.Action.ADOPTED).count() == 1

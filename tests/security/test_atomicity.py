"""Multi-row saves are atomic: a database fault at any query of a save leaves every table as it was.

For each service that writes several rows, the save is run once to count its queries; then, for
N = 1..total, the N-th query raises a database error (`connection.execute_wrapper`, the way a lost
connection, a serialization failure or a full disk shows up), and a dump of every row of every table
must equal the dump taken before. Services with many queries are tried at up to `MAX_POINTS` query
numbers spread over the whole save (always including the first and last 25).
"""

from __future__ import annotations

import copy
import datetime
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps import apps
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.group_data import built_once_for_the_group
from tests.security.dataset import World, seed_world

MAX_POINTS = 100
DATA = Path(__file__).resolve().parents[1] / "data"


class InjectedFault(OperationalError):
    pass


def dump_everything() -> dict[str, Counter]:
    """Every row of every table, as the multiset of its column values. One plain SELECT per table: the
    dump runs after every injected fault, and building each table's query through the ORM took most of the
    sweep's time."""
    dump = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.proxy or not model._meta.managed:
                continue
            columns = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
            cursor.execute(f"SELECT {columns} FROM {quote(model._meta.db_table)}")
            dump[model._meta.label] = Counter(cursor.fetchall())
    return dump


def query_points(total: int) -> list[int]:
    if total <= MAX_POINTS:
        return list(range(1, total + 1))
    edge = 25
    middle = MAX_POINTS - 2 * edge
    step = (total - 2 * edge) / middle
    points = set(range(1, edge + 1)) | set(range(total - edge + 1, total + 1))
    points |= {edge + 1 + int(i * step) for i in range(middle)}
    return sorted(points)


def count_queries(save: Callable[[], object]) -> int:
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            save()
        transaction.set_rollback(True)
    return len(queries)


def row_counts(dump: dict[str, Counter]) -> dict[str, int]:
    return {label: rows.total() for label, rows in dump.items()}


def inject_faults(save: Callable[[], object]) -> tuple[int, int, int, list[str]]:
    """Run `save` failing at each query point. Each attempt runs in a savepoint of its own that is
    rolled back after the tables were dumped, so that the service's own transaction is what is tested.

    Returns (total queries, faults injected, faults the code handled and completed anyway, problems).
    A fault that something catches (Django's CheckConstraint validation treats a failed check query as
    passed) is fine as long as the save then completes fully: its row counts must equal a clean save's.
    """
    total = count_queries(save)
    before = dump_everything()
    with transaction.atomic():
        save()
        complete = row_counts(dump_everything())
        transaction.set_rollback(True)
    problems = []
    points = query_points(total)
    handled = 0
    for point in points:
        seen = 0

        def fail_at_point(execute, sql, params, many, context, point=point):
            nonlocal seen
            seen += 1
            if seen == point:
                raise InjectedFault(f"injected at query {point}")
            return execute(sql, params, many, context)

        with transaction.atomic():
            try:
                with connection.execute_wrapper(fail_at_point):
                    save()
                completed = True
            except Exception as error:  # the injected fault, or what the service turned it into
                completed = False
                if seen < point:
                    problems.append(f"query {point}: the save stopped early with {error!r}")
            after = dump_everything()
            transaction.set_rollback(True)
        if completed:
            handled += 1
            if row_counts(after) != complete:
                problems.append(
                    f"query {point} of {total}: the fault was caught and the save completed only in part"
                )
        elif after != before:
            changed = sorted(label for label in before if before[label] != after.get(label))
            problems.append(f"query {point} of {total}: rows changed in {changed}")
        if len(problems) > 3:
            break
    return total, len(points), handled, problems


# --- The saves ---------------------------------------------------------------------------------------


def fresh(obj):
    """The object as the database has it: a failed save may have changed the Python object."""
    return type(obj)._default_manager.get(pk=obj.pk)


def demo_load(world: World):
    from finsam.site.demo.loader import load_association
    from finsam.site.demo.reading import demo_files, read_demo_file

    data = read_demo_file(sorted(demo_files(), key=lambda p: p.stat().st_size)[0])
    return lambda: load_association(data)


def plan_create(world: World):
    from plans.services import plan_create

    return lambda: plan_create(
        association=fresh(world.association),
        title="Verksamhetsplan 2030",
        first_year=2030,
        years=3,
        unit="tkr",
        decimals=0,
        costs_negative=False,
        by=world.users["chief"],
    )


def plan_rollover(world: World):
    from plans.rollover import plan_rollover

    world.draft.delete()  # the year the rollover creates
    return lambda: plan_rollover(source=fresh(world.adopted), by=world.users["chief"])


def budget_import_apply(world: World):
    from budgets.imports.apply import budget_import_apply
    from budgets.imports.parse import parse_text

    parsed = parse_text((DATA / "ornskoldsvik-budget.txt").read_text())
    return lambda: budget_import_apply(plan=fresh(world.draft), parsed=parsed, by=world.users["chief"])


def plan_submit(world: World):
    from plans.review import plan_submit

    return lambda: plan_submit(plan=fresh(world.draft), by=world.users["chief"], notify=False)


def plan_adopt(world: World):
    from plans.review import plan_adopt, plan_stance_record, plan_submit

    plan_submit(plan=world.draft, by=world.users["chief"], notify=False)
    world.draft.refresh_from_db()
    plan_stance_record(plan=world.draft, by=world.users["board"], stance="approve")
    world.draft.refresh_from_db()
    return lambda: plan_adopt(
        plan=fresh(world.draft),
        by=world.users["chair"],
        adopted_on=timezone.localdate() - datetime.timedelta(days=1),
        minutes_reference="§12",
    )


def plan_revise(world: World):
    from plans.review import plan_revise

    return lambda: plan_revise(plan=fresh(world.adopted), by=world.users["chief"])


def association_import(world: World):
    from finsam.site.backup import association_export, association_import

    data = association_export(association=world.association)
    data["association"]["fields"]["slug"] = "kopia"
    return lambda: association_import(data=data)


def intervention_create(world: World):
    from interventions.services import intervention_create

    members = list(world.association.organisations.filter(is_member=True))
    fields = {"name": "Ny insats", "short_name": "", "kind": "individual", "status": "granted", "owner": members[0],
              "start_date": datetime.date(2027, 1, 1), "end_date": datetime.date(2029, 12, 31)}  # fmt: skip
    return lambda: intervention_create(
        association=fresh(world.association), fields=fields, partners=members[:3],
        grants={2027: 100_000, 2028: 200_000, 2029: 300_000}, plan=fresh(world.draft), by=world.users["chief"],
    )  # fmt: skip


def plan_part_delete(world: World):
    from plans.services import plan_part_delete

    goal = world.objects["goal"]  # takes its indicators with it; activities lose their goal
    return lambda: plan_part_delete(
        plan=fresh(world.draft),
        item=fresh(goal),
        expected_version=fresh(goal).version,
        by=world.users["chief"],
    )


def plan_part_move(world: World):
    from plans.services import plan_part_move

    chapter = world.draft.chapters.order_by("position", "id").first()
    return lambda: plan_part_move(plan=fresh(world.draft), item=fresh(chapter), to=5, by=world.users["chief"])


def comment_add(world: World):
    from plans.review import comment_add

    return lambda: comment_add(
        plan=fresh(world.draft), by=world.users["board"], target_kind="plan", target_key="plan", body="Synpunkt",
        notify=False,
    )  # fmt: skip


def followup_outcome_update(world: World):
    from decimal import Decimal

    from budgets.followup import plan_followup
    from budgets.services.followup import followup_outcome_update

    key = next(iter(plan_followup(world.adopted).rows))
    return lambda: followup_outcome_update(
        plan=fresh(world.adopted), row=key, label="Rad", period=2, amount=Decimal(5), expected_version=0,
        by=world.users["chief"],
    )  # fmt: skip


SAVES = [demo_load, plan_create, plan_rollover, budget_import_apply, plan_submit, plan_adopt, plan_revise,
         association_import, intervention_create, plan_part_delete, plan_part_move, comment_add,
         followup_outcome_update]  # fmt: skip


@pytest.fixture(scope="module")
def seeded_alfa(django_db_setup, django_db_blocker):
    yield from built_once_for_the_group(django_db_blocker, lambda: seed_world("alfa"))


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("make_save", SAVES, ids=[save.__name__ for save in SAVES])
def test_a_fault_at_any_query_leaves_the_database_as_it_was(make_save, seeded_alfa, capsys):
    # Queued tasks (the archival PDF) stay queued, as with the database queue in production (the test
    # settings' backend); `renders_pdfs` would run them inside the save and swallow their faults.
    # Alfa is seeded once for the module; each save gets its own copy of the objects, which it may change.
    world = copy.deepcopy(seeded_alfa)
    save = make_save(world)
    total, injected, handled, problems = inject_faults(save)
    with capsys.disabled():
        print(f"\nFault injection {make_save.__name__}: {injected} faults injected over {total} queries "
              f"({handled} caught by the code and the save completed), {len(problems)} problems")  # fmt: skip
    assert total > 1
    assert not problems, "\n".join(problems)
